import { EventEmitter } from "node:events";
import { type GossipsubMessage, type Message, TopicValidatorResult } from "@libp2p/gossipsub";
import type { PeerId } from "@libp2p/interface";
import {
  type ClockBounds,
  checkMessageTime,
  decodeMessage,
  type HexcoverMessage,
  type MessageKindName,
  ProtocolError,
  type SignedMessage,
  Topics,
} from "../../protocol/index.js";
import type { HexcoverHost } from "./host.js";

const KIND_BY_TOPIC = new Map<string, MessageKindName>(
  (Object.entries(Topics) as Array<[MessageKindName, string]>).map(([kind, topic]) => [topic, kind]),
);

/**
 * How many message ids we remember to IGNORE re-deliveries. Gossipsub's own seen-cache keys on
 * the full bytes and expires after 2 minutes; this one keys on our signature-independent id
 * and covers a full epoch's worth of traffic on a small network.
 */
export const DEFAULT_SEEN_IDS_LIMIT = 200_000;

/**
 * Publishing pace. gossipsub has no backpressure: awaiting publish() in a loop lets delivery
 * lag by tens of seconds under load, so messages go through a token bucket instead. A hotspot
 * publishes a beacon commit and reveal per window plus one report per beacon it hears; 50/s with
 * a burst of 200 covers a dense city cell while keeping one node from flooding the mesh.
 */
export const DEFAULT_PUBLISH_RATE_PER_SECOND = 50;
export const DEFAULT_PUBLISH_BURST = 200;
/** Queued-but-unsent messages beyond this are refused (PublishQueueFullError), never buffered unbounded. */
export const DEFAULT_PUBLISH_QUEUE_LIMIT = 5_000;

export class PublishQueueFullError extends Error {
  readonly code = "ERR_PUBLISH_QUEUE_FULL";
  constructor(limit: number) {
    super(`publish queue is full (${limit} messages waiting)`);
    this.name = "PublishQueueFullError";
  }
}

export interface GossipOptions {
  /** Receiver clock, injectable so tests can run rounds at fixed times. */
  readonly now?: () => number;
  readonly clockBounds?: ClockBounds;
  readonly seenIdsLimit?: number;
  readonly publishRatePerSecond?: number;
  readonly publishBurst?: number;
  readonly publishQueueLimit?: number;
  /**
   * Verifies signatures off the main thread (the validator's worker pool). Without it the
   * topic validator verifies inline with decodeMessage.
   */
  readonly signatureVerifier?: SignatureVerifier;
  /**
   * Application check after decoding and verification; false (or a throw) REJECTs. May be
   * async: a validator persists the message here, so gossipsub forwards only what is durable.
   */
  readonly accept?: (signed: SignedMessage, from: PeerId) => boolean | Promise<boolean>;
}

/** Batch-friendly signature checking: resolves true when the message's signature is valid. */
export interface SignatureVerifier {
  verify(signed: SignedMessage): Promise<boolean>;
}

export interface GossipCounters {
  accepted: number;
  ignoredDuplicates: number;
  /** Rejected messages by error code (ERR_INVALID_SIGNATURE, ERR_TIMESTAMP_TOO_OLD, ...). */
  rejected: Record<string, number>;
  published: number;
  publishDropped: number;
}

export interface GossipEvents {
  message: [signed: SignedMessage, from: PeerId];
  rejected: [code: string, from: PeerId];
}

/**
 * Hexcover's gossip layer over gossipsub: one topic per message kind, topic validators that
 * REJECT anything that does not decode, verify and fall within clock bounds (so gossipsub's
 * peer scoring punishes its sender), IGNORE re-deliveries, and a paced publisher.
 */
export class HexcoverGossip extends EventEmitter<GossipEvents> {
  readonly counters: GossipCounters = { accepted: 0, ignoredDuplicates: 0, rejected: {}, published: 0, publishDropped: 0 };
  readonly #host: HexcoverHost;
  readonly #now: () => number;
  readonly #options: GossipOptions;
  readonly #seen = new Set<string>();
  readonly #seenLimit: number;
  readonly #queue: Array<{ topic: string; bytes: Uint8Array }> = [];
  #tokens: number;
  #lastRefillMs: number;
  #pump: NodeJS.Timeout | undefined;
  #started = false;

  constructor(host: HexcoverHost, options: GossipOptions = {}) {
    super();
    this.#host = host;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#seenLimit = options.seenIdsLimit ?? DEFAULT_SEEN_IDS_LIMIT;
    this.#tokens = options.publishBurst ?? DEFAULT_PUBLISH_BURST;
    this.#lastRefillMs = Date.now();
  }

  /** Subscribes to the given kinds (default all) and installs their validators. */
  start(kinds: readonly MessageKindName[] = Object.keys(Topics) as MessageKindName[]): void {
    if (this.#started) return;
    this.#started = true;
    const pubsub = this.#host.services.pubsub;
    for (const kind of kinds) {
      const topic = Topics[kind];
      pubsub.topicValidators.set(topic, (from, message) => this.#validate(from, message));
      pubsub.subscribe(topic);
    }
    pubsub.addEventListener("gossipsub:message", this.#onMessage);
  }

  stop(): void {
    if (!this.#started) return;
    this.#started = false;
    const pubsub = this.#host.services.pubsub;
    pubsub.removeEventListener("gossipsub:message", this.#onMessage);
    for (const topic of Object.values(Topics)) {
      pubsub.topicValidators.delete(topic);
      if (pubsub.getTopics().includes(topic)) pubsub.unsubscribe(topic);
    }
    if (this.#pump !== undefined) clearTimeout(this.#pump);
    this.#pump = undefined;
    this.#queue.length = 0;
  }

  /** Number of peers in the mesh or subscribed to any Hexcover topic. */
  topicPeers(kind: MessageKindName): number {
    return this.#host.services.pubsub.getSubscribers(Topics[kind]).length;
  }

  /**
   * Queues a signed message for publication at the paced rate. Resolves at once; the message
   * is marked seen so its echo from the mesh is ignored. Throws PublishQueueFullError if the
   * queue is at its limit.
   */
  publish(signed: SignedMessage): void {
    const limit = this.#options.publishQueueLimit ?? DEFAULT_PUBLISH_QUEUE_LIMIT;
    if (this.#queue.length >= limit) {
      this.counters.publishDropped++;
      throw new PublishQueueFullError(limit);
    }
    this.#markSeen(idKey(signed.id));
    this.#queue.push({ topic: Topics[signed.message.kind], bytes: signed.bytes });
    this.#drain();
  }

  get queuedForPublish(): number {
    return this.#queue.length;
  }

  #drain = (): void => {
    if (!this.#started) return;
    const rate = this.#options.publishRatePerSecond ?? DEFAULT_PUBLISH_RATE_PER_SECOND;
    const burst = this.#options.publishBurst ?? DEFAULT_PUBLISH_BURST;
    const now = Date.now();
    this.#tokens = Math.min(burst, this.#tokens + ((now - this.#lastRefillMs) * rate) / 1000);
    this.#lastRefillMs = now;
    while (this.#queue.length > 0 && this.#tokens >= 1) {
      const next = this.#queue.shift()!;
      this.#tokens -= 1;
      this.counters.published++;
      // Deliberately not awaited (see DEFAULT_PUBLISH_RATE_PER_SECOND); failures are counted.
      this.#host.services.pubsub.publish(next.topic, next.bytes).catch(() => {
        this.counters.publishDropped++;
      });
    }
    if (this.#queue.length > 0 && this.#pump === undefined) {
      this.#pump = setTimeout(() => {
        this.#pump = undefined;
        this.#drain();
      }, Math.ceil(1000 / rate));
    }
  };

  #validate(from: PeerId, message: Message): TopicValidatorResult | Promise<TopicValidatorResult> {
    const kind = KIND_BY_TOPIC.get(message.topic);
    if (kind === undefined) return this.#reject("ERR_UNKNOWN_TOPIC", from);
    const verifier = this.#options.signatureVerifier;
    let signed: SignedMessage;
    try {
      signed = decodeMessage(message.data, { expectKind: kind, verifySignature: verifier === undefined });
      checkMessageTime(signed.message, this.#now(), this.#options.clockBounds);
    } catch (err) {
      return this.#reject(err instanceof ProtocolError ? err.code : "ERR_UNEXPECTED", from);
    }
    const key = idKey(signed.id);
    if (this.#seen.has(key)) {
      this.counters.ignoredDuplicates++;
      return TopicValidatorResult.Ignore;
    }
    if (verifier === undefined) return this.#finish(signed, key, from, message);
    return verifier.verify(signed).then(
      (valid) => {
        if (!valid) return this.#reject("ERR_INVALID_SIGNATURE", from);
        // Another copy may have been accepted while this one was being verified.
        if (this.#seen.has(key)) {
          this.counters.ignoredDuplicates++;
          return TopicValidatorResult.Ignore;
        }
        return this.#finish(signed, key, from, message);
      },
      () => this.#reject("ERR_VERIFIER_FAILED", from),
    );
  }

  #finish(signed: SignedMessage, key: string, from: PeerId, message: Message): TopicValidatorResult | Promise<TopicValidatorResult> {
    const accept = this.#options.accept;
    if (accept === undefined) return this.#accepted(signed, key, message);
    // Mark seen before an async accept so a concurrent copy is ignored, not accepted twice.
    this.#markSeen(key);
    let verdict: boolean | Promise<boolean>;
    try {
      verdict = accept(signed, from);
    } catch {
      this.#seen.delete(key);
      return this.#reject("ERR_NOT_ACCEPTED", from);
    }
    const settle = (ok: boolean) => {
      if (ok) return this.#accepted(signed, key, message);
      this.#seen.delete(key);
      return this.#reject("ERR_NOT_ACCEPTED", from);
    };
    if (typeof verdict === "boolean") return settle(verdict);
    return verdict.then(settle, () => settle(false));
  }

  #accepted(signed: SignedMessage, key: string, message: Message): TopicValidatorResult {
    this.#markSeen(key);
    this.#validated.set(message, signed);
    return TopicValidatorResult.Accept;
  }

  /** gossipsub hands the validator and the delivery event the same Message object. */
  readonly #validated = new WeakMap<Message, SignedMessage>();

  #onMessage = (event: CustomEvent<GossipsubMessage>): void => {
    const { msg, propagationSource } = event.detail;
    const signed = this.#validated.get(msg);
    // Only messages our validator accepted are delivered; anything else is not ours to emit.
    if (signed === undefined) return;
    this.#validated.delete(msg);
    this.counters.accepted++;
    this.emit("message", signed, propagationSource);
  };

  #reject(code: string, from: PeerId): TopicValidatorResult {
    this.counters.rejected[code] = (this.counters.rejected[code] ?? 0) + 1;
    this.emit("rejected", code, from);
    return TopicValidatorResult.Reject;
  }

  #markSeen(key: string): void {
    if (this.#seen.size >= this.#seenLimit) {
      // Drop the oldest half: Sets iterate in insertion order.
      let toDrop = this.#seen.size >> 1;
      for (const old of this.#seen) {
        if (toDrop-- <= 0) break;
        this.#seen.delete(old);
      }
    }
    this.#seen.add(key);
  }
}

function idKey(id: Uint8Array): string {
  return Buffer.from(id).toString("hex");
}

export type { HexcoverMessage };
