import { randomBytes } from "node:crypto";
import { type Ed25519Keypair, type EntropyMessage, type SignedMessage, signMessage } from "../../protocol/index.js";
import type { EpochStore } from "../store/index.js";

/** DESIGN.md §3.1: validators publish entropy every minute. */
export const DEFAULT_ENTROPY_INTERVAL_MS = 60_000;
/** Entropy values are 32 random bytes (the wire format's fixed size). */
export const ENTROPY_VALUE_BYTES = 32;

export class InvalidEntropyOptionsError extends Error {
  readonly code = "ERR_INVALID_ENTROPY_OPTIONS";
  constructor(detail: string) {
    super(`invalid entropy publisher options: ${detail}`);
    this.name = "InvalidEntropyOptionsError";
  }
}

export interface EntropyPublisherOptions {
  readonly keypair: Ed25519Keypair;
  /** Holds the last sequence number and, through `admit`, our own entropy. */
  readonly store: EpochStore;
  /** Stores our own entropy like any other message (Ingest.admit), default store.put. */
  readonly admit?: (signed: SignedMessage) => Promise<unknown>;
  /** Sends it to the network (HexcoverGossip.publish). */
  readonly publish: (signed: SignedMessage) => void;
  readonly intervalMs?: number;
  readonly now?: () => number;
  /** Called with errors of timer-driven rounds (a failed round is retried at the next tick). */
  readonly onError?: (err: Error) => void;
}

/**
 * Publishes signed entropy every interval. The sequence number is strictly increasing across
 * restarts: the next number is written durably BEFORE the message is signed, so a crash after
 * signing can only skip a number, never reuse one.
 */
export class EntropyPublisher {
  readonly #options: EntropyPublisherOptions;
  readonly #seqName: string;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #chain: Promise<unknown> = Promise.resolve();
  published = 0;

  constructor(options: EntropyPublisherOptions) {
    this.#options = options;
    this.#intervalMs = options.intervalMs ?? DEFAULT_ENTROPY_INTERVAL_MS;
    if (!Number.isSafeInteger(this.#intervalMs) || this.#intervalMs < 1) throw new InvalidEntropyOptionsError("intervalMs must be a positive integer");
    this.#seqName = `entropy-seq/${Buffer.from(options.keypair.publicKey).toString("hex")}`;
  }

  /** The last sequence number used (0 if none yet). */
  get lastSeq(): number {
    return this.#options.store.getNumber(this.#seqName) ?? 0;
  }

  /** Publishes one entropy now and then every interval. */
  start(): void {
    if (this.#timer !== undefined) return;
    let busy = false;
    const tick = () => {
      // A round slower than the interval (a slow disk) skips ticks rather than queueing them.
      if (busy) return;
      busy = true;
      this.publishOnce()
        .catch((err: Error) => this.#options.onError?.(err))
        .finally(() => {
          busy = false;
        });
    };
    tick();
    this.#timer = setInterval(tick, this.#intervalMs);
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Signs, stores and publishes one entropy message; calls are serialized. */
  publishOnce(): Promise<SignedMessage> {
    const next = this.#chain.then(() => this.#publish());
    this.#chain = next.catch(() => {});
    return next;
  }

  async #publish(): Promise<SignedMessage> {
    const { keypair, store } = this.#options;
    const seq = this.lastSeq + 1;
    await store.putNumber(this.#seqName, seq);
    const message: EntropyMessage = {
      kind: "entropy",
      validator: keypair.publicKey,
      seq,
      timestampMs: (this.#options.now ?? Date.now)(),
      value: new Uint8Array(randomBytes(ENTROPY_VALUE_BYTES)),
    };
    const signed = signMessage(message, keypair);
    await (this.#options.admit ?? ((s: SignedMessage) => store.put(s)))(signed);
    this.#options.publish(signed);
    this.published++;
    return signed;
  }
}
