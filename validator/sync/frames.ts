import type { MessageStream } from "@libp2p/interface";
import { MAX_BUFFERED_BYTES, MAX_FRAME_BYTES, MAX_VARINT_BYTES } from "./constants.js";
import { SyncFrameTooLargeError, SyncMalformedFrameError, SyncStreamClosedError } from "./errors.js";

/** Unsigned LEB128 length prefix ‖ body. */
export function encodeFrame(body: Uint8Array): Uint8Array {
  if (body.length > MAX_FRAME_BYTES) throw new SyncFrameTooLargeError(body.length, MAX_FRAME_BYTES);
  const prefix: number[] = [];
  let n = body.length;
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n > 0) byte |= 0x80;
    prefix.push(byte);
  } while (n > 0);
  const frame = new Uint8Array(prefix.length + body.length);
  frame.set(prefix, 0);
  frame.set(body, prefix.length);
  return frame;
}

/**
 * Reads length-prefixed frames from a libp2p 3 message stream. Listens to the stream's events
 * directly (libp2p buffers data until a 'message' listener exists, so nothing is lost), refuses
 * a frame as soon as its prefix announces more than `maxFrameBytes`, and never buffers more than
 * MAX_BUFFERED_BYTES of unread data.
 */
export class FrameReader {
  readonly #maxFrameBytes: number;
  #buffer: Uint8Array = new Uint8Array(0);
  #ended = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;

  constructor(stream: MessageStream, maxFrameBytes = MAX_FRAME_BYTES) {
    this.#maxFrameBytes = maxFrameBytes;
    stream.addEventListener("message", (event) => {
      const chunk = event.data.subarray();
      if (this.#buffer.length + chunk.length > MAX_BUFFERED_BYTES) {
        this.#fail(new SyncFrameTooLargeError(this.#buffer.length + chunk.length, MAX_BUFFERED_BYTES));
        return;
      }
      const joined = new Uint8Array(this.#buffer.length + chunk.length);
      joined.set(this.#buffer, 0);
      joined.set(chunk, this.#buffer.length);
      this.#buffer = joined;
      this.#notify();
    });
    stream.addEventListener("end", () => {
      this.#ended = true;
      this.#notify();
    });
    stream.addEventListener("close", (event) => {
      this.#ended = true;
      if (event.error !== undefined) this.#error ??= new SyncStreamClosedError(event.error.message);
      this.#notify();
    });
    if (stream.readableEnded || stream.status === "closed" || stream.status === "aborted" || stream.status === "reset") this.#ended = true;
  }

  /** The next frame's body, or null when the stream ended cleanly between frames. */
  async next(): Promise<Uint8Array | null> {
    for (;;) {
      const frame = this.#tryParse();
      if (frame !== undefined) return frame;
      if (this.#error !== undefined) throw this.#error;
      if (this.#ended) {
        if (this.#buffer.length === 0) return null;
        throw new SyncMalformedFrameError(`stream ended inside a frame (${this.#buffer.length} bytes pending)`);
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  #tryParse(): Uint8Array | undefined {
    const buffer = this.#buffer;
    let length = 0;
    let i = 0;
    for (;;) {
      if (i >= buffer.length) return undefined; // prefix incomplete
      const byte = buffer[i]!;
      length += (byte & 0x7f) * 2 ** (7 * i);
      i++;
      if ((byte & 0x80) === 0) {
        // Minimal encoding only: a trailing zero byte would give one length two encodings.
        if (byte === 0 && i > 1) throw this.#fail(new SyncMalformedFrameError("non-minimal length prefix"));
        break;
      }
      if (i >= MAX_VARINT_BYTES) throw this.#fail(new SyncFrameTooLargeError(Number.POSITIVE_INFINITY, this.#maxFrameBytes));
    }
    if (length > this.#maxFrameBytes) throw this.#fail(new SyncFrameTooLargeError(length, this.#maxFrameBytes));
    if (buffer.length < i + length) return undefined;
    const body = buffer.slice(i, i + length);
    this.#buffer = buffer.subarray(i + length);
    return body;
  }

  #fail(err: Error): Error {
    this.#error ??= err;
    this.#buffer = new Uint8Array(0);
    this.#notify();
    return this.#error;
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/** Sends a frame, waiting for the stream to drain when its buffer is full. */
export async function sendFrame(stream: MessageStream, body: Uint8Array, signal?: AbortSignal): Promise<void> {
  if (!stream.send(encodeFrame(body))) await stream.onDrain(signal === undefined ? {} : { signal });
}
