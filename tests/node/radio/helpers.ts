import { connect, type Socket } from "node:net";
import type { Radio, ReceivedPacket } from "../../../node/radio/index.js";
import { decodeSimFrame, type SimFrame, SimFrameReader } from "../../../node/radio/index.js";

/** Resolves with the next packet the radio hears. */
export function nextPacket(radio: Radio): Promise<ReceivedPacket> {
  return new Promise((resolve) => {
    const off = radio.onReceive((packet) => {
      off();
      resolve(packet);
    });
  });
}

/** Collects every packet the radio hears from now on. */
export function collect(radio: Radio): ReceivedPacket[] {
  const packets: ReceivedPacket[] = [];
  radio.onReceive((packet) => packets.push(packet));
  return packets;
}

/** A raw TCP client of the sim broker, to send hand-made (and broken) frames. */
export class RawSimClient {
  private readonly reader = new SimFrameReader();
  private readonly frames: SimFrame[] = [];
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      for (const body of this.reader.push(chunk)) this.frames.push(decodeSimFrame(body));
      this.wake();
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
  }

  static async open(port: number): Promise<RawSimClient> {
    const socket = connect({ host: "127.0.0.1", port });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    return new RawSimClient(socket);
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** The next frame from the broker, or undefined if the broker closed the connection. */
  async next(): Promise<SimFrame | undefined> {
    while (this.frames.length === 0 && !this.closed) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.frames.shift();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await new Promise<void>((resolve) => {
      this.socket.once("close", () => resolve());
      this.socket.destroy();
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** Prefixes a body with its u16 big-endian length. */
export function framed(body: number[] | Uint8Array): Uint8Array {
  const bytes = Uint8Array.from(body);
  const out = new Uint8Array(bytes.length + 2);
  out[0] = bytes.length >> 8;
  out[1] = bytes.length & 0xff;
  out.set(bytes, 2);
  return out;
}
