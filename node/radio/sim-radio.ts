/**
 * SimRadio: a Radio on the shared simulated medium. It connects to a SimMediumBroker over TCP,
 * announces its antenna site, and turns DELIVER frames into ReceivedPackets. transmit()
 * resolves when the broker has relayed the packet to every radio in range.
 */
import { connect, type Socket } from "node:net";
import { dataRateByCode } from "../../protocol/index.js";
import { RadioEvents, validatePacket, validateTxPower } from "./common.js";
import {
  LORA_PAYLOAD_MAX_BYTES,
  SIM_CONNECT_TIMEOUT_MS,
  SIM_TRANSMIT_TIMEOUT_MS,
  WIFI_BEACON_MAX_PAYLOAD_BYTES,
} from "./constants.js";
import {
  asRadioError,
  RadioNotStartedError,
  RadioStoppedError,
  SimBrokerUnavailableError,
  SimFrameTypeError,
  SimTransmitRejectedError,
  SimTransmitTimeoutError,
} from "./errors.js";
import {
  type BrokerFrame,
  decodeSimFrame,
  encodeSimFrame,
  type HelloFrame,
  MICRODEGREES_PER_DEGREE,
  SIM_MAX_SEQ,
  SimFrameReader,
} from "./sim-frame.js";
import type { AntennaSite, DropHandler, Radio, ReceiveHandler, TransmitRequest } from "./types.js";

export interface SimRadioOptions {
  /** Broker address; host defaults to 127.0.0.1. */
  brokerHost?: string;
  brokerPort: number;
  /** Stable label for the broker's logs and for per-link shadowing seeds (e.g. the hotspot's address). */
  name: string;
  site: AntennaSite;
  /** Which modulation this radio simulates; sets maxPayloadBytes. Default "lora". */
  modulation?: "lora" | "wifi";
  transmitTimeoutMs?: number;
  connectTimeoutMs?: number;
  onDrop?: DropHandler;
}

interface Pending {
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class SimRadio implements Radio {
  readonly kind = "sim" as const;
  readonly maxPayloadBytes: number;
  private readonly options: SimRadioOptions;
  private readonly events: RadioEvents;
  private readonly pending = new Map<number, Pending>();
  private site: AntennaSite;
  private socket: Socket | undefined;
  private seq = 0;
  private radioId = 0;
  private welcomeWaiter: ((radioId: number) => void) | undefined;

  constructor(options: SimRadioOptions) {
    this.options = options;
    this.site = options.site;
    this.maxPayloadBytes = options.modulation === "wifi" ? WIFI_BEACON_MAX_PAYLOAD_BYTES : LORA_PAYLOAD_MAX_BYTES;
    this.events = new RadioEvents(options.onDrop);
    // Fail on a bad site now, not at the broker.
    encodeSimFrame(this.helloFrame());
  }

  /** The id the broker assigned (0 before start). */
  get id(): number {
    return this.radioId;
  }

  async start(): Promise<void> {
    if (this.socket !== undefined) return;
    const host = this.options.brokerHost ?? "127.0.0.1";
    const timeoutMs = this.options.connectTimeoutMs ?? SIM_CONNECT_TIMEOUT_MS;
    const socket = connect({ host, port: this.options.brokerPort });
    socket.setNoDelay(true);
    const reader = new SimFrameReader();
    this.socket = socket;
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new SimBrokerUnavailableError(`no WELCOME from ${host}:${this.options.brokerPort} within ${timeoutMs} ms`));
        }, timeoutMs);
        const fail = (error: Error): void => {
          clearTimeout(timer);
          reject(new SimBrokerUnavailableError(error.message));
        };
        socket.once("error", fail);
        socket.once("close", () => fail(new Error("connection closed before WELCOME")));
        socket.once("connect", () => socket.write(encodeSimFrame(this.helloFrame())));
        this.welcomeWaiter = (radioId) => {
          clearTimeout(timer);
          socket.off("error", fail);
          this.radioId = radioId;
          resolve();
        };
        socket.on("data", (chunk: Buffer) => this.onData(reader, chunk));
      });
    } catch (error) {
      this.welcomeWaiter = undefined;
      socket.destroy();
      this.socket = undefined;
      throw error;
    }
    socket.on("error", () => {}); // "close" follows and does the cleanup
    socket.on("close", () => {
      if (this.socket === socket) {
        this.socket = undefined;
        this.failPending(new SimBrokerUnavailableError("connection closed"));
      }
    });
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    this.failPending(new RadioStoppedError());
    if (socket === undefined) return;
    await new Promise<void>((resolve) => {
      socket.once("close", () => resolve());
      socket.destroy();
    });
  }

  /** Moves the antenna: announces the new site to the broker (takes effect for later transmissions). */
  setSite(site: AntennaSite): void {
    const previous = this.site;
    this.site = site;
    try {
      const frame = encodeSimFrame(this.helloFrame());
      this.socket?.write(frame);
    } catch (error) {
      this.site = previous;
      throw error;
    }
  }

  async transmit(request: TransmitRequest): Promise<void> {
    const rate = validatePacket(request, this.kind, this.maxPayloadBytes, ["lora", "wifi"]);
    validateTxPower(request.txPowerDbm);
    const socket = this.socket;
    if (socket === undefined) throw new RadioNotStartedError(this.kind);
    this.seq = this.seq >= SIM_MAX_SEQ ? 1 : this.seq + 1;
    const seq = this.seq;
    const frame = encodeSimFrame({
      type: "transmit",
      seq,
      frequencyHz: request.frequencyHz,
      dataRateCode: rate.code,
      txPowerDeciDbm: Math.round(request.txPowerDbm * 10),
      payload: request.payload,
    });
    const timeoutMs = this.options.transmitTimeoutMs ?? SIM_TRANSMIT_TIMEOUT_MS;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(new SimTransmitTimeoutError(timeoutMs));
      }, timeoutMs);
      this.pending.set(seq, { resolve, reject, timer });
      socket.write(frame);
    });
  }

  onReceive(handler: ReceiveHandler): () => void {
    return this.events.onReceive(handler);
  }

  stats(): { received: number; dropped: Record<string, number> } {
    return this.events.stats();
  }

  private helloFrame(): HelloFrame {
    return {
      type: "hello",
      name: this.options.name,
      latMicrodeg: Math.round(this.site.position.lat * MICRODEGREES_PER_DEGREE),
      lngMicrodeg: Math.round(this.site.position.lng * MICRODEGREES_PER_DEGREE),
      antennaGainDeciDbi: Math.round(this.site.antennaGainDbi * 10),
      elevationM: Math.round(this.site.elevationM),
    };
  }

  private onData(reader: SimFrameReader, chunk: Buffer): void {
    let bodies: Uint8Array[];
    try {
      bodies = reader.push(chunk);
    } catch (error) {
      this.events.drop(asRadioError(error));
      this.socket?.destroy();
      return;
    }
    for (const body of bodies) {
      try {
        const frame = decodeSimFrame(body);
        if (frame.type === "hello" || frame.type === "transmit") throw new SimFrameTypeError(body[1]!);
        this.onFrame(frame);
      } catch (error) {
        this.events.drop(asRadioError(error));
      }
    }
  }

  private onFrame(frame: BrokerFrame): void {
    switch (frame.type) {
      case "welcome": {
        const waiter = this.welcomeWaiter;
        this.welcomeWaiter = undefined;
        waiter?.(frame.radioId);
        return;
      }
      case "ack":
        this.settle(frame.seq, undefined);
        return;
      case "error":
        if (!this.settle(frame.seq, new SimTransmitRejectedError(frame.code))) {
          this.events.drop(new SimTransmitRejectedError(frame.code));
        }
        return;
      case "deliver":
        this.events.emit({
          payload: frame.payload,
          frequencyHz: frame.frequencyHz,
          // decodeSimFrame checked the code, so the rate exists.
          dataRate: dataRateByCode(frame.dataRateCode)!.name,
          rssiDbm: frame.rssiDeciDbm / 10,
          snrDb: frame.snrDeciDb / 10,
          rxTimeMs: Date.now(),
        });
        return;
    }
  }

  /** Resolves or rejects the transmit with this seq; false when none is pending. */
  private settle(seq: number, error: Error | undefined): boolean {
    const pending = this.pending.get(seq);
    if (pending === undefined) return false;
    this.pending.delete(seq);
    clearTimeout(pending.timer);
    if (error === undefined) pending.resolve();
    else pending.reject(error);
    return true;
  }

  private failPending(error: Error): void {
    for (const [seq, pending] of this.pending) {
      this.pending.delete(seq);
      clearTimeout(pending.timer);
      pending.reject(error);
    }
  }
}

