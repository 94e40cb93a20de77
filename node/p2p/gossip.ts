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
  TimestampTooOldError,
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

/**
 * Inbound backpressure. gossipsub does not wait for a topic validator before reading the peer's
 * next RPC (awaitRpcHandler is off), so without a bound, messages waiting for the signature
 * workers and the store pile up as fast as peers can send them. Once this many are in
 * validation, a message whose peer holds more than its fair share (this bound divided by the
 * peers with messages in validation) is IGNOREd as ERR_OVERLOADED: no score penalty (an honest
 * but busy forwarder is not punished), and a peer within its fair share is never dropped, so
 * the total stays below twice this bound. 4,096 is about half a second of the ingest path at the
 * measured 8-13k messages/s (docs/BENCHMARKS.md, "## ingest"), and at roughly 2 KB held per
 * pending message (bytes, decoded form, closures, verifier batch slot) about 8 MB.
 */
export const DEFAULT_MAX_PENDING_VALIDATIONS = 4_096;

/**
 * How long a message of a topic we do not subscribe to waits for a subscribed peer (publishing
 * it to nobody would lose it). A hotspot publishes witness reports without relaying them
 * (HOTSPOT_GOSSIP_KINDS): until a validator is connected, its reports wait here. 60 s is the
 * life of a witness report at gossip (protocol's DEFAULT_MAX_WITNESS_REPORT_AGE_MS): later, no
 * validator would take it.
 */
export const DEFAULT_HOLD_FOR_SUBSCRIBERS_MS = 60_000;
/** How often held messages look for a subscribed peer. */
const HELD_RETRY_MS = 500;

/** Counted, typed IGNORE outcomes (no penalty for the sender). */
export const GossipIgnoreCode = {
  /** Over the pending-validation bound and over the peer's fair share. */
  overloaded: "ERR_OVERLOADED",
  /** Our own verifier failed (closed, broken pool): not the sender's fault. */
  verifierFailed: "ERR_VERIFIER_FAILED",
  /** The accept hook declined without blaming the sender (e.g. a late epoch, a local store failure). */
  declined: "ERR_DECLINED",
  /**
   * Older than the clock bounds allow (protocol's TimestampTooOldError). Not the forwarder's
   * fault: it may have accepted the message while it was fresh, and the copy aged in a backlog
   * (ours or its own). As a REJECT, an overload made honest relays graylist each other and the
   * mesh collapse (docs/BENCHMARKS.md, "## gossip"). A replay of old messages therefore costs
   * its sender nothing, but is dropped after a decode, never verified, stored or forwarded.
   */
  stale: "ERR_TIMESTAMP_TOO_OLD",
} as const;

export class PublishQueueFullError extends Error {
  readonly code = "ERR_PUBLISH_QUEUE_FULL";
  constructor(limit: number) {
    super(`publish queue is full (${limit} messages waiting)`);
    this.name = "PublishQueueFullError";
  }
}

/** Gossip options out of range. */
export class InvalidGossipOptionsError extends Error {
  readonly code = "ERR_INVALID_GOSSIP_OPTIONS";
  constructor(detail: string) {
    super(`invalid gossip options: ${detail}`);
    this.name = "InvalidGossipOptionsError";
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
  /** DEFAULT_HOLD_FOR_SUBSCRIBERS_MS: how long an unsubscribed topic's message waits for a subscribed peer. */
  readonly holdForSubscribersMs?: number;
  /** Inbound backpressure bound (DEFAULT_MAX_PENDING_VALIDATIONS). */
  readonly maxPendingValidations?: number;
  /**
   * Verifies signatures off the main thread (the validator's worker pool). Without it the
   * topic validator verifies inline with decodeMessage.
   */
  readonly signatureVerifier?: SignatureVerifier;
  /**
   * Application check after decoding and verification; false (or a throw) REJECTs, "ignore"
   * IGNOREs (dropped, not forwarded, sender not penalized). May be async: a validator persists
   * the message here, so gossipsub forwards only what is durable.
   */
  readonly accept?: (signed: SignedMessage, from: PeerId) => AcceptVerdict | Promise<AcceptVerdict>;
}

/** true: ACCEPT; false: REJECT (the sender is at fault); "ignore": IGNORE (nobody is). */
export type AcceptVerdict = boolean | "ignore";

/** Batch-friendly signature checking: resolves true when the message's signature is valid. */
export interface SignatureVerifier {
  verify(signed: SignedMessage): Promise<boolean>;
}

export interface GossipCounters {
  accepted: number;
  ignoredDuplicates: number;
  /** Rejected messages by error code (ERR_INVALID_SIGNATURE, ERR_TIMESTAMP_IN_FUTURE, ...). */
  rejected: Record<string, number>;
  /** IGNOREd messages by GossipIgnoreCode (ERR_OVERLOADED, ...), duplicates aside. */
  ignored: Record<string, number>;
  /** Most messages ever in validation at once (see DEFAULT_MAX_PENDING_VALIDATIONS). */
  pendingHighWater: number;
  published: number;
  publishDropped: number;
  /** Messages of a topic we do not subscribe to that found no subscribed peer in time (dropped). */
  publishExpired: number;
}

export interface GossipEvents {
  message: [signed: SignedMessage, from: PeerId];
  rejected: [code: string, from: PeerId];
  ignored: [code: string, from: PeerId];
}

/**
 * Hexcover's gossip layer over gossipsub: one topic per message kind, topic validators that
 * REJECT anything that does not decode, verify and fall within clock bounds (so gossipsub's
 * peer scoring punishes its sender), IGNORE re-deliveries, and a paced publisher.
 */
export class HexcoverGossip extends EventEmitter<GossipEvents> {
  readonly counters: GossipCounters = { accepted: 0, ignoredDuplicates: 0, rejected: {}, ignored: {}, pendingHighWater: 0, published: 0, publishDropped: 0, publishExpired: 0 };
  readonly #host: HexcoverHost;
  readonly #now: () => number;
  readonly #options: GossipOptions;
  readonly #seen = new Set<string>();
  readonly #seenLimit: number;
  /** sinceMs: when a message was first held for want of a subscribed peer. */
  readonly #queue: Array<{ topic: string; bytes: Uint8Array; sinceMs?: number }> = [];
  /** Messages waiting for a subscribed peer (topics we do not subscribe to), oldest first. */
  readonly #held: Array<{ topic: string; bytes: Uint8Array; sinceMs: number }> = [];
  #heldTimer: NodeJS.Timeout | undefined;
  /** Topics start() subscribed to: we relay these; the others we only publish (see #drain). */
  readonly #subscribed = new Set<string>();
  #tokens: number;
  #lastRefillMs: number;
  #pump: NodeJS.Timeout | undefined;
  #started = false;
  readonly #maxPending: number;
  /** Messages in validation per propagation peer, and their total. */
  readonly #pendingByPeer = new Map<string, number>();
  #pending = 0;

  constructor(host: HexcoverHost, options: GossipOptions = {}) {
    super();
    this.#host = host;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#seenLimit = options.seenIdsLimit ?? DEFAULT_SEEN_IDS_LIMIT;
    this.#maxPending = options.maxPendingValidations ?? DEFAULT_MAX_PENDING_VALIDATIONS;
    if (!Number.isSafeInteger(this.#maxPending) || this.#maxPending < 1) throw new InvalidGossipOptionsError("maxPendingValidations must be a positive integer");
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
      this.#subscribed.add(topic);
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
      // A stopped host (stopped before us) has no subscriptions left and refuses unsubscribe.
      if (pubsub.getTopics().includes(topic)) pubsub.unsubscribe(topic);
    }
    this.#subscribed.clear();
    if (this.#pump !== undefined) clearTimeout(this.#pump);
    this.#pump = undefined;
    this.#queue.length = 0;
    if (this.#heldTimer !== undefined) clearTimeout(this.#heldTimer);
    this.#heldTimer = undefined;
    this.#held.length = 0;
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
    if (this.#queue.length + this.#held.length >= limit) {
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

  /** Messages waiting for a subscribed peer (see DEFAULT_HOLD_FOR_SUBSCRIBERS_MS). */
  get heldForSubscribers(): number {
    return this.#held.length;
  }

  /** Messages currently in validation (waiting for the verifier or the accept hook). */
  get pendingValidations(): number {
    return this.#pending;
  }

  /** Messages from `peer` currently in validation. */
  pendingFrom(peer: PeerId | string): number {
    return this.#pendingByPeer.get(peer.toString()) ?? 0;
  }

  #drain = (): void => {
    if (!this.#started) return;
    const rate = this.#options.publishRatePerSecond ?? DEFAULT_PUBLISH_RATE_PER_SECOND;
    const burst = this.#options.publishBurst ?? DEFAULT_PUBLISH_BURST;
    const now = Date.now();
    this.#tokens = Math.min(burst, this.#tokens + ((now - this.#lastRefillMs) * rate) / 1000);
    this.#lastRefillMs = now;
    const pubsub = this.#host.services.pubsub;
    while (this.#queue.length > 0 && this.#tokens >= 1) {
      const next = this.#queue.shift()!;
      // We relay this topic's messages only if we subscribe to it: otherwise gossipsub sends a
      // publication to the subscribed peers it knows, and with none it would be lost.
      if (!this.#subscribed.has(next.topic) && pubsub.getSubscribers(next.topic).length === 0) {
        this.#hold(next);
        continue;
      }
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

  #hold(message: { topic: string; bytes: Uint8Array; sinceMs?: number }): void {
    this.#held.push({ topic: message.topic, bytes: message.bytes, sinceMs: message.sinceMs ?? Date.now() });
    if (this.#heldTimer === undefined) this.#heldTimer = setTimeout(this.#retryHeld, HELD_RETRY_MS);
  }

  /** Requeues held messages whose topic now has a subscribed peer; drops the expired ones. */
  #retryHeld = (): void => {
    this.#heldTimer = undefined;
    if (!this.#started) return;
    const pubsub = this.#host.services.pubsub;
    const expiry = Date.now() - (this.#options.holdForSubscribersMs ?? DEFAULT_HOLD_FOR_SUBSCRIBERS_MS);
    const ready: Array<{ topic: string; bytes: Uint8Array; sinceMs: number }> = [];
    const waiting = this.#held.splice(0);
    for (const held of waiting) {
      if (pubsub.getSubscribers(held.topic).length > 0) ready.push(held);
      else if (held.sinceMs < expiry) this.counters.publishExpired++;
      else this.#held.push(held);
    }
    if (ready.length > 0) {
      this.#queue.unshift(...ready);
      this.#drain();
    }
    if (this.#held.length > 0 && this.#heldTimer === undefined) this.#heldTimer = setTimeout(this.#retryHeld, HELD_RETRY_MS);
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
      if (err instanceof TimestampTooOldError) return this.#ignore(GossipIgnoreCode.stale, from);
      return this.#reject(err instanceof ProtocolError ? err.code : "ERR_UNEXPECTED", from);
    }
    const key = idKey(signed.id);
    if (this.#seen.has(key)) {
      this.counters.ignoredDuplicates++;
      return TopicValidatorResult.Ignore;
    }
    const peer = from.toString();
    if (this.#overloaded(peer)) return this.#ignore(GossipIgnoreCode.overloaded, from);
    // From here the message may wait (verifier, accept hook): it counts against the bound
    // until it settles, whichever way.
    this.#enter(peer);
    let result: TopicValidatorResult | Promise<TopicValidatorResult>;
    try {
      result =
        verifier === undefined
          ? this.#finish(signed, key, from, message)
          : verifier.verify(signed).then(
              (valid) => {
                if (!valid) return this.#reject("ERR_INVALID_SIGNATURE", from);
                // Another copy may have been accepted while this one was being verified.
                if (this.#seen.has(key)) {
                  this.counters.ignoredDuplicates++;
                  return TopicValidatorResult.Ignore;
                }
                return this.#finish(signed, key, from, message);
              },
              // Our verifier failing (closed, broken) is not the sender's fault: IGNORE.
              () => this.#ignore(GossipIgnoreCode.verifierFailed, from),
            );
    } catch (err) {
      this.#leave(peer);
      throw err;
    }
    if (!(result instanceof Promise)) {
      this.#leave(peer);
      return result;
    }
    return result.finally(() => this.#leave(peer));
  }

  /**
   * Full (at the bound) and this peer holds at least its fair share: the bound divided by the
   * peers with messages in validation, this one included.
   */
  #overloaded(peer: string): boolean {
    if (this.#pending < this.#maxPending) return false;
    const own = this.#pendingByPeer.get(peer) ?? 0;
    const active = this.#pendingByPeer.size + (own === 0 ? 1 : 0);
    return own >= Math.ceil(this.#maxPending / active);
  }

  #enter(peer: string): void {
    this.#pending++;
    this.#pendingByPeer.set(peer, (this.#pendingByPeer.get(peer) ?? 0) + 1);
    if (this.#pending > this.counters.pendingHighWater) this.counters.pendingHighWater = this.#pending;
  }

  #leave(peer: string): void {
    this.#pending--;
    const left = (this.#pendingByPeer.get(peer) ?? 1) - 1;
    if (left <= 0) this.#pendingByPeer.delete(peer);
    else this.#pendingByPeer.set(peer, left);
  }

  #finish(signed: SignedMessage, key: string, from: PeerId, message: Message): TopicValidatorResult | Promise<TopicValidatorResult> {
    const accept = this.#options.accept;
    if (accept === undefined) return this.#accepted(signed, key, message);
    // Mark seen before an async accept so a concurrent copy is ignored, not accepted twice.
    this.#markSeen(key);
    let verdict: AcceptVerdict | Promise<AcceptVerdict>;
    try {
      verdict = accept(signed, from);
    } catch {
      this.#seen.delete(key);
      return this.#reject("ERR_NOT_ACCEPTED", from);
    }
    const settle = (outcome: AcceptVerdict) => {
      if (outcome === true) return this.#accepted(signed, key, message);
      // Forget it either way, so a later copy is judged afresh (e.g. after a store failure).
      this.#seen.delete(key);
      if (outcome === "ignore") return this.#ignore(GossipIgnoreCode.declined, from);
      return this.#reject("ERR_NOT_ACCEPTED", from);
    };
    if (!(verdict instanceof Promise)) return settle(verdict);
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

  #ignore(code: string, from: PeerId): TopicValidatorResult {
    this.counters.ignored[code] = (this.counters.ignored[code] ?? 0) + 1;
    this.emit("ignored", code, from);
    return TopicValidatorResult.Ignore;
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
