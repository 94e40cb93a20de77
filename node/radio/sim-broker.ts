/**
 * SimMediumBroker: one shared simulated radio medium. Sim radios (in this process or others)
 * connect over TCP on loopback, announce their antenna site (HELLO), and send TRANSMIT frames;
 * the broker asks the propagation function about every other radio and sends a DELIVER, with
 * RSSI and SNR, to each one that decodes the packet, then ACKs the transmitter.
 *
 * Every malformed frame is counted by error code and dropped; the client gets an ERROR frame.
 * Only an oversized length prefix closes the client's connection (the stream cannot resync).
 */
import { createServer, type Server, type Socket } from "node:net";
import { dataRateByCode } from "../../protocol/index.js";
import { SIM_MAX_BUFFERED_BYTES, SIM_MAX_TX_PER_SECOND } from "./constants.js";
import {
  asRadioError,
  SimFrameTypeError,
  SimNotRegisteredError,
  SimPropagationError,
  SimRateLimitedError,
  SimSlowConsumerError,
} from "./errors.js";
import { defaultPropagation, type PropagationEndpoint, type PropagationFunction } from "./propagation.js";
import {
  type BrokerFrame,
  decodeSimFrame,
  encodeSimFrame,
  type HelloFrame,
  MICRODEGREES_PER_DEGREE,
  SimFrameReader,
  SimFrameType,
  type TransmitFrame,
} from "./sim-frame.js";
import type { DropHandler } from "./types.js";

export interface SimMediumBrokerOptions {
  /** Interface to listen on. Default 127.0.0.1: the medium is a local simulation, never exposed. */
  host?: string;
  /** TCP port; 0 (default) picks a free one, read it from `port` after start(). */
  port?: number;
  /** Decides RSSI/SNR and reception per link. Default: geo/'s log-distance model, seed "hexcover". */
  propagation?: PropagationFunction;
  /** Transmissions per second one client may make before the broker refuses them. */
  maxTxPerSecond?: number;
  /** Clock for the per-client rate limit (ms); injectable so tests need no real time. */
  now?: () => number;
  /** Called with every dropped frame's error (also counted in stats().dropped). */
  onDrop?: DropHandler;
  /** Called after each relayed transmission (for logs and tests): who sent, who received. */
  onTransmission?: (event: SimTransmissionEvent) => void;
}

export interface SimTransmissionEvent {
  readonly from: string;
  readonly frequencyHz: number;
  readonly dataRate: string;
  readonly deliveredTo: readonly { readonly name: string; readonly rssiDbm: number; readonly snrDb: number }[];
}

export interface SimMediumBrokerStats {
  readonly radios: number;
  readonly transmissions: number;
  readonly deliveries: number;
  readonly dropped: Record<string, number>;
}

interface Client {
  readonly id: number;
  readonly socket: Socket;
  readonly reader: SimFrameReader;
  site: PropagationEndpoint | undefined;
  windowStartMs: number;
  windowCount: number;
}

const ONE_SECOND_MS = 1_000;

export class SimMediumBroker {
  private readonly host: string;
  private readonly requestedPort: number;
  private readonly propagation: PropagationFunction;
  private readonly maxTxPerSecond: number;
  private readonly now: () => number;
  private readonly onDrop: DropHandler | undefined;
  private readonly onTransmission: ((event: SimTransmissionEvent) => void) | undefined;
  private readonly clients = new Map<number, Client>();
  private readonly dropped = new Map<string, number>();
  private server: Server | undefined;
  private nextId = 1;
  private transmissions = 0;
  private deliveries = 0;
  private boundPort = 0;

  constructor(options: SimMediumBrokerOptions = {}) {
    this.host = options.host ?? "127.0.0.1";
    this.requestedPort = options.port ?? 0;
    this.propagation = options.propagation ?? defaultPropagation();
    this.maxTxPerSecond = options.maxTxPerSecond ?? SIM_MAX_TX_PER_SECOND;
    this.now = options.now ?? Date.now;
    this.onDrop = options.onDrop;
    this.onTransmission = options.onTransmission;
  }

  /** The port radios connect to (valid after start()). */
  get port(): number {
    return this.boundPort;
  }

  async start(): Promise<void> {
    if (this.server !== undefined) return;
    const server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.requestedPort, this.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    // A listening server only fails on resource exhaustion; log-and-continue is all we can do.
    server.on("error", () => {});
    const address = server.address();
    this.boundPort = typeof address === "object" && address !== null ? address.port : 0;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    for (const client of this.clients.values()) client.socket.destroy();
    this.clients.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  stats(): SimMediumBrokerStats {
    let radios = 0;
    for (const client of this.clients.values()) if (client.site !== undefined) radios += 1;
    return {
      radios,
      transmissions: this.transmissions,
      deliveries: this.deliveries,
      dropped: Object.fromEntries(this.dropped),
    };
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    const client: Client = {
      id: this.nextId++,
      socket,
      reader: new SimFrameReader(),
      site: undefined,
      windowStartMs: 0,
      windowCount: 0,
    };
    this.clients.set(client.id, client);
    socket.on("data", (chunk: Buffer) => this.onData(client, chunk));
    // Resets from a client that vanished are normal; "close" below does the cleanup.
    socket.on("error", () => {});
    socket.on("close", () => this.clients.delete(client.id));
  }

  private onData(client: Client, chunk: Buffer): void {
    let bodies: Uint8Array[];
    try {
      bodies = client.reader.push(chunk);
    } catch (error) {
      // Oversized length prefix: the stream cannot be resynchronised, so the client goes.
      this.drop(error);
      client.socket.destroy();
      return;
    }
    for (const body of bodies) {
      try {
        const frame = decodeSimFrame(body);
        if (frame.type === "hello") this.onHello(client, frame);
        else if (frame.type === "transmit") this.onTransmit(client, frame);
        else throw new SimFrameTypeError(body[1]!);
      } catch (error) {
        this.drop(error);
        const seq = body[1] === SimFrameType.transmit && body.length >= 6 ? new DataView(body.buffer, body.byteOffset).getUint32(2) : 0;
        this.send(client, { type: "error", seq, code: asRadioError(error).code });
      }
    }
  }

  private onHello(client: Client, hello: HelloFrame): void {
    client.site = {
      id: hello.name,
      position: { lat: hello.latMicrodeg / MICRODEGREES_PER_DEGREE, lng: hello.lngMicrodeg / MICRODEGREES_PER_DEGREE },
      antennaGainDbi: hello.antennaGainDeciDbi / 10,
      elevationM: hello.elevationM,
    };
    this.send(client, { type: "welcome", radioId: client.id });
  }

  private onTransmit(client: Client, frame: TransmitFrame): void {
    const site = client.site;
    if (site === undefined) throw new SimNotRegisteredError();
    const now = this.now();
    if (now - client.windowStartMs >= ONE_SECOND_MS) {
      client.windowStartMs = now;
      client.windowCount = 0;
    }
    client.windowCount += 1;
    if (client.windowCount > this.maxTxPerSecond) throw new SimRateLimitedError();
    // decodeSimFrame checked the code, so the rate exists.
    const dataRate = dataRateByCode(frame.dataRateCode)!.name;
    const tx = { ...site, txPowerDbm: frame.txPowerDeciDbm / 10, frequencyHz: frame.frequencyHz, dataRate };
    const deliveredTo: { name: string; rssiDbm: number; snrDb: number }[] = [];
    for (const other of this.clients.values()) {
      if (other === client || other.site === undefined) continue;
      const link = this.link(tx, other.site);
      if (link === undefined) continue;
      const rssiDeciDbm = clampI16(Math.round(link.rssiDbm * 10));
      const snrDeciDb = clampI16(Math.round(link.snrDb * 10));
      this.send(other, {
        type: "deliver",
        frequencyHz: frame.frequencyHz,
        dataRateCode: frame.dataRateCode,
        rssiDeciDbm,
        snrDeciDb,
        payload: frame.payload,
      });
      deliveredTo.push({ name: other.site.id, rssiDbm: rssiDeciDbm / 10, snrDb: snrDeciDb / 10 });
    }
    this.transmissions += 1;
    this.deliveries += deliveredTo.length;
    this.send(client, { type: "ack", seq: frame.seq });
    try {
      this.onTransmission?.({ from: site.id, frequencyHz: frame.frequencyHz, dataRate, deliveredTo });
    } catch {
      // An observer's bug must not break the medium.
    }
  }

  /** The propagation result for one link, or undefined when the receiver does not decode it. */
  private link(
    tx: Parameters<PropagationFunction>[0],
    rx: PropagationEndpoint,
  ): { rssiDbm: number; snrDb: number } | undefined {
    let result: ReturnType<PropagationFunction>;
    try {
      result = this.propagation(tx, rx);
    } catch (error) {
      this.drop(new SimPropagationError(error instanceof Error ? error.message : String(error)));
      return undefined;
    }
    if (result === null || typeof result !== "object" || !result.received) return undefined;
    if (!Number.isFinite(result.rssiDbm) || !Number.isFinite(result.snrDb)) {
      this.drop(new SimPropagationError("received with a non-finite rssi or snr"));
      return undefined;
    }
    return result;
  }

  private send(client: Client, frame: BrokerFrame): void {
    if (client.socket.destroyed) return;
    if (client.socket.writableLength > SIM_MAX_BUFFERED_BYTES) {
      this.drop(new SimSlowConsumerError(client.socket.writableLength));
      client.socket.destroy();
      return;
    }
    client.socket.write(encodeSimFrame(frame));
  }

  private drop(thrown: unknown): void {
    const error = asRadioError(thrown);
    this.dropped.set(error.code, (this.dropped.get(error.code) ?? 0) + 1);
    try {
      this.onDrop?.(error);
    } catch {
      // A throwing hook must not crash the broker.
    }
  }
}

function clampI16(value: number): number {
  return Math.max(-0x8000, Math.min(0x7fff, value));
}
