/**
 * Semtech UDP packet-forwarder protocol, version 2 (lora_gateway/packet_forwarder PROTOCOL.TXT):
 *
 *   byte 0     protocol version (2)
 *   bytes 1-2  random token (echoed by the acknowledgement)
 *   byte 3     identifier: PUSH_DATA 0x00, PUSH_ACK 0x01, PULL_DATA 0x02, PULL_RESP 0x03,
 *              PULL_ACK 0x04, TX_ACK 0x05
 *   bytes 4-11 gateway EUI-64          (PUSH_DATA, PULL_DATA, TX_ACK only)
 *   rest       JSON object             (PUSH_DATA, PULL_RESP; optional for TX_ACK)
 *
 * Gateway -> server: PUSH_DATA (rxpk/stat), PULL_DATA (keepalive, opens the downlink path),
 * TX_ACK. Server -> gateway: PUSH_ACK, PULL_ACK, PULL_RESP (txpk).
 */
import {
  SEMTECH_EUI_BYTES,
  SEMTECH_HEADER_BYTES,
  SEMTECH_MAX_DATAGRAM_BYTES,
  SEMTECH_PROTOCOL_VERSION,
  SemtechId,
  type SemtechIdName,
} from "./constants.js";
import {
  SemtechJsonError,
  SemtechOversizeError,
  SemtechTruncatedError,
  SemtechUnknownIdError,
  SemtechVersionError,
} from "./errors.js";

/** An rxpk object as forwarders send it (fields we use; others are ignored). */
export interface Rxpk {
  time?: string;
  tmst?: number;
  freq: number;
  chan?: number;
  rfch?: number;
  stat: number;
  modu: string;
  datr: string | number;
  codr?: string;
  rssi?: number;
  lsnr?: number;
  /** SX1302 forwarders: per-antenna signal, used when rssi/lsnr are absent. */
  rsig?: { ant?: number; chan?: number; rssic?: number; lsnr?: number }[];
  size: number;
  data: string;
}

/** A txpk object (PULL_RESP). */
export interface Txpk {
  imme?: boolean;
  tmst?: number;
  freq: number;
  rfch: number;
  powe: number;
  modu: "LORA";
  datr: string;
  codr: string;
  ipol: boolean;
  size: number;
  data: string;
  ncrc?: boolean;
}

export interface TxpkAck {
  error?: string;
  warn?: string;
  value?: number;
}

export type SemtechPacket =
  | { readonly id: "PUSH_DATA"; readonly token: number; readonly eui: string; readonly json: Record<string, unknown> }
  | { readonly id: "PUSH_ACK"; readonly token: number }
  | { readonly id: "PULL_DATA"; readonly token: number; readonly eui: string }
  | { readonly id: "PULL_RESP"; readonly token: number; readonly json: Record<string, unknown> }
  | { readonly id: "PULL_ACK"; readonly token: number }
  | { readonly id: "TX_ACK"; readonly token: number; readonly eui: string; readonly json: Record<string, unknown> | undefined };

const ID_NAMES = new Map<number, SemtechIdName>(Object.entries(SemtechId).map(([name, id]) => [id, name as SemtechIdName]));

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder("utf-8", { fatal: true });

/** Gateway EUIs are written as 16 upper-case hex digits. */
export function euiToString(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex").toUpperCase();
}

function euiToBytes(eui: string): Uint8Array {
  if (!/^[0-9A-Fa-f]{16}$/.test(eui)) throw new SemtechJsonError(`gateway EUI ${JSON.stringify(eui)} is not 16 hex digits`);
  return Uint8Array.from(Buffer.from(eui, "hex"));
}

function parseJson(bytes: Uint8Array, optional: boolean): Record<string, unknown> | undefined {
  // Some forwarders send the C string's terminating NUL with the JSON.
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end -= 1;
  if (end === 0) {
    if (optional) return undefined;
    throw new SemtechJsonError("missing JSON object");
  }
  let value: unknown;
  try {
    value = JSON.parse(utf8Strict.decode(bytes.subarray(0, end)));
  } catch (error) {
    throw new SemtechJsonError(error instanceof Error ? error.message : "unparseable");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new SemtechJsonError("not a JSON object");
  return value as Record<string, unknown>;
}

/** Decodes any datagram of the protocol; throws a typed RadioError on every defect. */
export function decodeSemtechPacket(datagram: Uint8Array): SemtechPacket {
  if (datagram.length > SEMTECH_MAX_DATAGRAM_BYTES) throw new SemtechOversizeError(datagram.length, SEMTECH_MAX_DATAGRAM_BYTES);
  if (datagram.length < SEMTECH_HEADER_BYTES) throw new SemtechTruncatedError(datagram.length, SEMTECH_HEADER_BYTES);
  const version = datagram[0]!;
  if (version !== SEMTECH_PROTOCOL_VERSION) throw new SemtechVersionError(version);
  const token = (datagram[1]! << 8) | datagram[2]!;
  const idByte = datagram[3]!;
  const id = ID_NAMES.get(idByte);
  if (id === undefined) throw new SemtechUnknownIdError(idByte);
  const withEui = id === "PUSH_DATA" || id === "PULL_DATA" || id === "TX_ACK";
  const euiEnd = SEMTECH_HEADER_BYTES + SEMTECH_EUI_BYTES;
  if (withEui && datagram.length < euiEnd) throw new SemtechTruncatedError(datagram.length, euiEnd);
  const eui = withEui ? euiToString(datagram.subarray(SEMTECH_HEADER_BYTES, euiEnd)) : "";
  switch (id) {
    case "PUSH_DATA":
      return { id, token, eui, json: parseJson(datagram.subarray(euiEnd), false)! };
    case "PULL_DATA":
      if (datagram.length !== euiEnd) throw new SemtechJsonError(`PULL_DATA carries ${datagram.length - euiEnd} unexpected bytes`);
      return { id, token, eui };
    case "TX_ACK":
      return { id, token, eui, json: parseJson(datagram.subarray(euiEnd), true) };
    case "PULL_RESP":
      return { id, token, json: parseJson(datagram.subarray(SEMTECH_HEADER_BYTES), false)! };
    case "PUSH_ACK":
    case "PULL_ACK":
      if (datagram.length !== SEMTECH_HEADER_BYTES) {
        throw new SemtechJsonError(`${id} carries ${datagram.length - SEMTECH_HEADER_BYTES} unexpected bytes`);
      }
      return { id, token };
  }
}

/** Encodes a datagram. */
export function encodeSemtechPacket(packet: SemtechPacket): Uint8Array {
  const header = Uint8Array.of(SEMTECH_PROTOCOL_VERSION, (packet.token >> 8) & 0xff, packet.token & 0xff, SemtechId[packet.id]);
  const parts: Uint8Array[] = [header];
  if ("eui" in packet) parts.push(euiToBytes(packet.eui));
  if ("json" in packet && packet.json !== undefined) parts.push(utf8.encode(JSON.stringify(packet.json)));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  if (out.length > SEMTECH_MAX_DATAGRAM_BYTES) throw new SemtechOversizeError(out.length, SEMTECH_MAX_DATAGRAM_BYTES);
  return out;
}
