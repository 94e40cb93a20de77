/**
 * SemtechRadio: the network-server side of the Semtech UDP packet-forwarder protocol, so a real
 * LoRa gateway (SX1301/SX1302 with lora_pkt_fwd, or any forwarder speaking the same protocol)
 * can be this hotspot's radio. Point the forwarder's server_address/serv_port_up/serv_port_down
 * at this socket (docs/RADIO.md).
 *
 * Uplink: PUSH_DATA rxpk with a good CRC and a LoRa data rate -> ReceivedPacket (PUSH_ACK sent).
 * Downlink: transmit() -> PULL_RESP with an immediate txpk to the gateway that sent PULL_DATA
 * last, resolved by its TX_ACK (rejected with the gateway's error code, or on timeout).
 */
import { randomInt } from "node:crypto";
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { dataRateByName, MAX_FREQUENCY_HZ, MIN_FREQUENCY_HZ } from "../../protocol/index.js";
import { RadioEvents, validatePacket, validateTxPower } from "./common.js";
import {
  LORA_PAYLOAD_MAX_BYTES,
  SEMTECH_DEFAULT_CODR,
  SEMTECH_DEFAULT_PORT,
  SEMTECH_DEFAULT_RFCH,
  SEMTECH_GATEWAY_STALE_MS,
  SEMTECH_TX_ACK_TIMEOUT_MS,
} from "./constants.js";
import {
  asRadioError,
  RadioNotStartedError,
  RadioStoppedError,
  SemtechCrcError,
  SemtechNoGatewayError,
  SemtechRxpkError,
  SemtechTxAckTimeoutError,
  SemtechTxRejectedError,
  SemtechUnexpectedPacketError,
  SemtechUnknownGatewayError,
  SemtechUnmatchedAckError,
} from "./errors.js";
import { decodeSemtechPacket, encodeSemtechPacket, type SemtechPacket, type Txpk } from "./semtech-packet.js";
import type { DropHandler, Radio, ReceivedPacket, ReceiveHandler, TransmitRequest } from "./types.js";

export interface SemtechRadioOptions {
  /**
   * Address to bind. Default 127.0.0.1 (forwarder on the same host); use 0.0.0.0 for a gateway
   * on the LAN, together with `gateways` so strangers cannot inject packets.
   */
  host?: string;
  /** UDP port (the forwarder's serv_port_up and serv_port_down). Default 1700; 0 picks a free one. */
  port?: number;
  /** Allow-list of gateway EUIs (16 hex digits); datagrams from others are dropped. Default: any. */
  gateways?: readonly string[];
  /** RF chain used for transmit (txpk.rfch). Default 0. */
  rfch?: number;
  /** LoRa coding rate (txpk.codr). Default "4/5". */
  codingRate?: string;
  txAckTimeoutMs?: number;
  /** A gateway silent for longer than this (no PULL_DATA) is not used for transmit. */
  gatewayStaleMs?: number;
  now?: () => number;
  onDrop?: DropHandler;
}

interface Gateway {
  readonly eui: string;
  readonly address: string;
  readonly port: number;
  readonly lastPullMs: number;
}

interface PendingTx {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export interface SemtechRadioStats {
  readonly received: number;
  /** Uplinks that were well-formed but not beacons we can use (FSK, longer than 51 bytes). */
  readonly ignored: number;
  readonly pushData: number;
  readonly pullData: number;
  readonly txAck: number;
  readonly dropped: Record<string, number>;
}

const TOKEN_SPACE = 0x1_0000;

export class SemtechRadio implements Radio {
  readonly kind = "semtech" as const;
  readonly maxPayloadBytes = LORA_PAYLOAD_MAX_BYTES;
  private readonly options: SemtechRadioOptions;
  private readonly events: RadioEvents;
  private readonly now: () => number;
  private readonly allowed: Set<string> | undefined;
  private readonly pending = new Map<number, PendingTx>();
  private socket: Socket | undefined;
  private gateway: Gateway | undefined;
  private boundPort = 0;
  private counters = { ignored: 0, pushData: 0, pullData: 0, txAck: 0 };

  constructor(options: SemtechRadioOptions = {}) {
    this.options = options;
    this.events = new RadioEvents(options.onDrop);
    this.now = options.now ?? Date.now;
    this.allowed = options.gateways === undefined ? undefined : new Set(options.gateways.map((g) => g.toUpperCase()));
  }

  /** The bound UDP port (valid after start()). */
  get port(): number {
    return this.boundPort;
  }

  /** The gateway transmit() would use, if any has sent PULL_DATA. */
  get currentGateway(): { eui: string; address: string; port: number } | undefined {
    const gateway = this.gateway;
    return gateway === undefined ? undefined : { eui: gateway.eui, address: gateway.address, port: gateway.port };
  }

  async start(): Promise<void> {
    if (this.socket !== undefined) return;
    const host = this.options.host ?? "127.0.0.1";
    const socket = createSocket(host.includes(":") ? "udp6" : "udp4");
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(this.options.port ?? SEMTECH_DEFAULT_PORT, host, () => {
        socket.off("error", reject);
        resolve();
      });
    });
    // After bind, errors are per-datagram send failures (e.g. ICMP unreachable): nothing to crash for.
    socket.on("error", () => {});
    socket.on("message", (msg, rinfo) => this.onDatagram(msg, rinfo));
    this.boundPort = socket.address().port;
    this.socket = socket;
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    for (const [token, pending] of this.pending) {
      this.pending.delete(token);
      clearTimeout(pending.timer);
      pending.reject(new RadioStoppedError());
    }
    if (socket !== undefined) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  onReceive(handler: ReceiveHandler): () => void {
    return this.events.onReceive(handler);
  }

  stats(): SemtechRadioStats {
    const { received, dropped } = this.events.stats();
    return { received, ...this.counters, dropped };
  }

  async transmit(request: TransmitRequest): Promise<void> {
    validatePacket(request, this.kind, this.maxPayloadBytes, ["lora"]);
    validateTxPower(request.txPowerDbm);
    const socket = this.socket;
    if (socket === undefined) throw new RadioNotStartedError(this.kind);
    const gateway = this.gateway;
    const staleMs = this.options.gatewayStaleMs ?? SEMTECH_GATEWAY_STALE_MS;
    if (gateway === undefined || this.now() - gateway.lastPullMs > staleMs) throw new SemtechNoGatewayError();
    const txpk: Txpk = {
      imme: true,
      freq: request.frequencyHz / 1e6,
      rfch: this.options.rfch ?? SEMTECH_DEFAULT_RFCH,
      // powe is an integer dBm in the protocol.
      powe: Math.round(request.txPowerDbm),
      modu: "LORA",
      datr: request.dataRate.toUpperCase(),
      codr: this.options.codingRate ?? SEMTECH_DEFAULT_CODR,
      // Not inverted: a beacon must be heard by other gateways, which listen with uplink polarity.
      // (LoRaWAN downlinks set ipol so gateways do not hear each other; beacons want the opposite.)
      ipol: false,
      size: request.payload.length,
      data: Buffer.from(request.payload).toString("base64"),
    };
    const token = this.freeToken();
    const datagram = encodeSemtechPacket({ id: "PULL_RESP", token, json: { txpk } });
    const timeoutMs = this.options.txAckTimeoutMs ?? SEMTECH_TX_ACK_TIMEOUT_MS;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(token);
        reject(new SemtechTxAckTimeoutError(timeoutMs));
      }, timeoutMs);
      this.pending.set(token, { resolve, reject, timer });
      socket.send(datagram, gateway.port, gateway.address);
    });
  }

  private freeToken(): number {
    for (;;) {
      const token = randomInt(TOKEN_SPACE);
      if (!this.pending.has(token)) return token;
    }
  }

  private onDatagram(msg: Buffer, rinfo: RemoteInfo): void {
    try {
      const packet = decodeSemtechPacket(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength));
      this.onPacket(packet, rinfo);
    } catch (error) {
      this.events.drop(asRadioError(error));
    }
  }

  private onPacket(packet: SemtechPacket, rinfo: RemoteInfo): void {
    if (packet.id === "PUSH_ACK" || packet.id === "PULL_ACK" || packet.id === "PULL_RESP") {
      throw new SemtechUnexpectedPacketError(packet.id);
    }
    if (this.allowed !== undefined && !this.allowed.has(packet.eui)) throw new SemtechUnknownGatewayError(packet.eui);
    switch (packet.id) {
      case "PULL_DATA":
        this.counters.pullData += 1;
        this.gateway = { eui: packet.eui, address: rinfo.address, port: rinfo.port, lastPullMs: this.now() };
        this.reply(rinfo, { id: "PULL_ACK", token: packet.token });
        return;
      case "PUSH_DATA":
        this.counters.pushData += 1;
        this.reply(rinfo, { id: "PUSH_ACK", token: packet.token });
        this.onPushData(packet.json);
        return;
      case "TX_ACK":
        this.counters.txAck += 1;
        this.onTxAck(packet.token, packet.json);
        return;
    }
  }

  private reply(rinfo: RemoteInfo, packet: SemtechPacket): void {
    this.socket?.send(encodeSemtechPacket(packet), rinfo.port, rinfo.address);
  }

  private onPushData(json: Record<string, unknown>): void {
    const rxpks = json.rxpk;
    if (rxpks === undefined) return; // a stat-only report
    if (!Array.isArray(rxpks)) {
      this.events.drop(new SemtechRxpkError("rxpk", "not an array"));
      return;
    }
    const rxTimeMs = this.now();
    for (const rxpk of rxpks) {
      try {
        const packet = parseRxpk(rxpk, rxTimeMs);
        if (packet === undefined || packet.payload.length > this.maxPayloadBytes) {
          this.counters.ignored += 1;
          continue;
        }
        this.events.emit(packet);
      } catch (error) {
        this.events.drop(asRadioError(error));
      }
    }
  }

  private onTxAck(token: number, json: Record<string, unknown> | undefined): void {
    const pending = this.pending.get(token);
    if (pending === undefined) throw new SemtechUnmatchedAckError(token);
    this.pending.delete(token);
    clearTimeout(pending.timer);
    const ack = json?.txpk_ack;
    const error = ack !== null && typeof ack === "object" ? (ack as { error?: unknown }).error : undefined;
    // No JSON, no error field, or "NONE" all mean accepted (PROTOCOL.TXT §6; forwarders differ).
    if (error === undefined || error === "NONE" || error === "") pending.resolve();
    else pending.reject(new SemtechTxRejectedError(String(error).slice(0, 64)));
  }
}

/**
 * One rxpk -> ReceivedPacket. Returns undefined for packets that are fine but not LoRa (FSK);
 * throws a typed error for malformed ones and for bad CRCs.
 */
/** Names an offending field value without serializing it (a nested value overflows JSON.stringify). */
function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.slice(0, 40));
  if (typeof value === "number" || typeof value === "boolean" || value === null || value === undefined) return String(value);
  return Array.isArray(value) ? `an array of ${value.length}` : `a value of type ${typeof value}`;
}

export function parseRxpk(value: unknown, rxTimeMs: number): ReceivedPacket | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new SemtechRxpkError("(self)", "not an object");
  const rxpk = value as Record<string, unknown>;
  if (rxpk.modu !== "LORA") {
    if (rxpk.modu === "FSK") return undefined;
    throw new SemtechRxpkError("modu", `${describeValue(rxpk.modu)} is neither LORA nor FSK`);
  }
  if (typeof rxpk.stat !== "number") throw new SemtechRxpkError("stat", "missing");
  if (rxpk.stat !== 1) throw new SemtechCrcError(rxpk.stat);
  if (typeof rxpk.freq !== "number" || !Number.isFinite(rxpk.freq)) throw new SemtechRxpkError("freq", "not a number");
  // freq is MHz with up to 6 decimals (1 Hz resolution).
  const frequencyHz = Math.round(rxpk.freq * 1e6);
  if (frequencyHz < MIN_FREQUENCY_HZ || frequencyHz > MAX_FREQUENCY_HZ) throw new SemtechRxpkError("freq", `${rxpk.freq} MHz out of range`);
  const rate = typeof rxpk.datr === "string" ? dataRateByName(rxpk.datr) : undefined;
  if (rate === undefined || rate.modulation !== "lora") throw new SemtechRxpkError("datr", `${describeValue(rxpk.datr)} is not a supported LoRa data rate`);
  const firstSignal = Array.isArray(rxpk.rsig) ? (rxpk.rsig[0] as Record<string, unknown> | undefined) : undefined;
  const rssi = typeof rxpk.rssi === "number" ? rxpk.rssi : firstSignal?.rssic;
  const lsnr = typeof rxpk.lsnr === "number" ? rxpk.lsnr : firstSignal?.lsnr;
  if (typeof rssi !== "number" || !Number.isFinite(rssi)) throw new SemtechRxpkError("rssi", "missing or not a number");
  if (typeof lsnr !== "number" || !Number.isFinite(lsnr)) throw new SemtechRxpkError("lsnr", "missing or not a number");
  if (typeof rxpk.data !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(rxpk.data) || rxpk.data.length % 4 !== 0) {
    throw new SemtechRxpkError("data", "not padded base64");
  }
  const payload = new Uint8Array(Buffer.from(rxpk.data, "base64"));
  if (typeof rxpk.size !== "number" || rxpk.size !== payload.length) {
    throw new SemtechRxpkError("size", `${describeValue(rxpk.size)} does not match ${payload.length} data bytes`);
  }
  if (payload.length === 0) throw new SemtechRxpkError("data", "empty");
  return { payload, frequencyHz, dataRate: rate.name, rssiDbm: rssi, snrDb: lsnr, rxTimeMs };
}
