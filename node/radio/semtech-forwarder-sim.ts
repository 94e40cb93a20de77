/**
 * A LoRa gateway's packet forwarder, simulated: it speaks the real Semtech UDP protocol v2 to a
 * network server (here: SemtechRadio) — PULL_DATA keepalives, PUSH_DATA with rxpk, TX_ACK for
 * every PULL_RESP — so the server side is tested over real sockets without radio hardware.
 * Also usable to drive a hotspot daemon by hand (docs/RADIO.md).
 */
import { randomInt } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { RadioError, SemtechUnexpectedPacketError } from "./errors.js";
import { decodeSemtechPacket, encodeSemtechPacket, type Rxpk, type SemtechPacket, type Txpk } from "./semtech-packet.js";

export interface SemtechForwarderSimOptions {
  serverHost?: string;
  serverPort: number;
  /** Gateway EUI, 16 hex digits. */
  eui: string;
  /** PULL_DATA period; 10 s as in lora_pkt_fwd's shipped global_conf.json (keepalive_interval). */
  keepaliveMs?: number;
  /** Decides the TX_ACK for each txpk: undefined or "NONE" accepts; e.g. "TOO_LATE", "TX_FREQ" refuses. */
  txAckError?: (txpk: Txpk) => string | undefined;
  /** Leave out the JSON of an accepting TX_ACK (older forwarders send none). */
  bareTxAck?: boolean;
}

const DEFAULT_KEEPALIVE_MS = 10_000;
const TOKEN_SPACE = 0x1_0000;

export class SemtechForwarderSim {
  private readonly options: SemtechForwarderSimOptions;
  private socket: Socket | undefined;
  private keepalive: NodeJS.Timeout | undefined;
  private readonly acks = new Map<number, () => void>();
  private readonly txHandlers = new Set<(txpk: Txpk, token: number) => void>();
  private readonly received: SemtechPacket[] = [];
  private pullAckWaiters: (() => void)[] = [];
  /** PULL_RESP txpk objects received, in order. */
  readonly transmitted: Txpk[] = [];
  /** Datagrams from the server that did not decode, or were not server-to-gateway kinds. */
  readonly errors: RadioError[] = [];
  pullAcks = 0;

  constructor(options: SemtechForwarderSimOptions) {
    this.options = options;
  }

  /** Binds an ephemeral loopback port and sends the first PULL_DATA; resolves on its PULL_ACK. */
  async start(): Promise<void> {
    if (this.socket !== undefined) return;
    const socket = createSocket("udp4");
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(0, "127.0.0.1", () => {
        socket.off("error", reject);
        resolve();
      });
    });
    socket.on("error", () => {});
    socket.on("message", (msg) => this.onDatagram(new Uint8Array(msg)));
    this.socket = socket;
    const acked = this.nextPullAck();
    this.pullData();
    this.keepalive = setInterval(() => this.pullData(), this.options.keepaliveMs ?? DEFAULT_KEEPALIVE_MS);
    await acked;
  }

  async stop(): Promise<void> {
    if (this.keepalive !== undefined) clearInterval(this.keepalive);
    const socket = this.socket;
    this.socket = undefined;
    if (socket !== undefined) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  /** Sends a PULL_DATA now (resolves when its PULL_ACK arrives). */
  pullDataNow(): Promise<void> {
    const acked = this.nextPullAck();
    this.pullData();
    return acked;
  }

  /** Sends PUSH_DATA carrying these rxpk and resolves when the server's PUSH_ACK arrives. */
  push(rxpk: Partial<Rxpk>[], extra: Record<string, unknown> = {}): Promise<void> {
    const token = this.token();
    const acked = new Promise<void>((resolve) => this.acks.set(token, resolve));
    this.send(encodeSemtechPacket({ id: "PUSH_DATA", token, eui: this.options.eui, json: { rxpk, ...extra } }));
    return acked;
  }

  /** Calls the handler for every PULL_RESP (after the TX_ACK was sent). */
  onTransmit(handler: (txpk: Txpk, token: number) => void): () => void {
    this.txHandlers.add(handler);
    return () => this.txHandlers.delete(handler);
  }

  /** Sends raw bytes from the gateway's socket (negative tests). */
  sendRaw(bytes: Uint8Array): void {
    this.send(bytes);
  }

  /** Builds an rxpk the way lora_pkt_fwd reports a LoRa uplink with a good CRC. */
  static rxpk(payload: Uint8Array, fields: Partial<Rxpk> = {}): Rxpk {
    return {
      time: new Date().toISOString(),
      tmst: randomInt(0x1_0000_0000),
      chan: 2,
      rfch: 0,
      freq: 868.5,
      stat: 1,
      modu: "LORA",
      datr: "SF9BW125",
      codr: "4/5",
      rssi: -97,
      lsnr: 7.5,
      size: payload.length,
      data: Buffer.from(payload).toString("base64"),
      ...fields,
    };
  }

  private pullData(): void {
    this.send(encodeSemtechPacket({ id: "PULL_DATA", token: this.token(), eui: this.options.eui }));
  }

  private nextPullAck(): Promise<void> {
    return new Promise((resolve) => this.pullAckWaiters.push(resolve));
  }

  private token(): number {
    return randomInt(TOKEN_SPACE);
  }

  private send(bytes: Uint8Array): void {
    this.socket?.send(bytes, this.options.serverPort, this.options.serverHost ?? "127.0.0.1");
  }

  private onDatagram(bytes: Uint8Array): void {
    let packet: SemtechPacket;
    try {
      packet = decodeSemtechPacket(bytes);
    } catch (error) {
      if (error instanceof RadioError) this.errors.push(error);
      return;
    }
    this.received.push(packet);
    switch (packet.id) {
      case "PULL_ACK": {
        this.pullAcks += 1;
        const waiters = this.pullAckWaiters;
        this.pullAckWaiters = [];
        for (const wake of waiters) wake();
        return;
      }
      case "PUSH_ACK":
        this.acks.get(packet.token)?.();
        this.acks.delete(packet.token);
        return;
      case "PULL_RESP": {
        const txpk = packet.json.txpk as Txpk;
        this.transmitted.push(txpk);
        const error = this.options.txAckError?.(txpk);
        const accepted = error === undefined || error === "NONE";
        const json = accepted && this.options.bareTxAck ? undefined : { txpk_ack: { error: error ?? "NONE" } };
        // The reference forwarder answers with the PULL_RESP's token (protocol v2).
        this.send(encodeSemtechPacket({ id: "TX_ACK", token: packet.token, eui: this.options.eui, json }));
        for (const handler of this.txHandlers) handler(txpk, packet.token);
        return;
      }
      default:
        this.errors.push(new SemtechUnexpectedPacketError(packet.id));
    }
  }
}
