import { EventEmitter } from "node:events";
import type { PeerId } from "@libp2p/interface";
import { type AcceptVerdict, type GossipOptions, HexcoverGossip, type HexcoverHost, type SignatureVerifier } from "../../node/index.js";
import {
  type ClockBounds,
  DEFAULT_MAX_CLOCK_SKEW_MS,
  decodeMessage,
  MessageKind,
  type MessageKindName,
  ProtocolError,
  type SignedMessage,
} from "../../protocol/index.js";
import { type EpochStore, type PutResult, StoreError } from "../store/index.js";
import { EpochTooFarAheadError, IngestError, IngestSignatureError, UnknownValidatorError, VerifierUnavailableError, WrongEpochError } from "./errors.js";

/** Where a message came from: gossip, a sync peer, or this validator itself (its entropy). */
export type IngestSource = "gossip" | "sync" | "local";

export interface IngestOptions {
  readonly store: EpochStore;
  /** Signature checks (a WorkerPoolVerifier in production). */
  readonly verifier: SignatureVerifier;
  /** Validator set public keys: entropy signed by any other key is rejected. */
  readonly validators: readonly Uint8Array[];
  /** Receiver clock (tests inject fixed times). */
  readonly now?: () => number;
  readonly clockBounds?: ClockBounds;
  /** Further gossip settings (publish pacing, seen-id cache); verifier, accept hook and clock are ingest's. */
  readonly gossip?: Omit<GossipOptions, "signatureVerifier" | "accept" | "now" | "clockBounds">;
}

export interface IngestCounters {
  /** Newly stored messages by kind. */
  readonly accepted: Record<MessageKindName, number>;
  /**
   * Rejections by code: gossip's decode/time/signature codes (ERR_MALFORMED_MESSAGE,
   * ERR_TIMESTAMP_TOO_OLD, ...) plus ingest's own (ERR_LATE_EPOCH, ERR_STORE_FAILED,
   * ERR_DUPLICATE, ERR_UNKNOWN_VALIDATOR, ...).
   */
  readonly rejected: Record<string, number>;
  /** Re-deliveries gossip dropped from its seen-id cache before they reached ingest. */
  readonly ignoredDuplicates: number;
  /** Gossip's other IGNOREs by code: ERR_OVERLOADED (backpressure), ERR_VERIFIER_FAILED, ... */
  readonly ignored: Record<string, number>;
}

export interface IngestEvents {
  stored: [signed: SignedMessage, epoch: number, source: IngestSource];
  rejected: [code: string, source: IngestSource];
}

/** Raised to callers for a message that is already stored: harmless, but not new. */
export class DuplicateMessageError extends IngestError {
  readonly code = "ERR_DUPLICATE";
  constructor(readonly epoch: number) {
    super(`message already stored in epoch ${epoch}`);
  }
}

const KINDS = Object.keys(MessageKind) as MessageKindName[];

/** Store outcomes a gossip peer cannot be blamed for (see #acceptFromGossip). */
const NOT_THE_SENDERS_FAULT: ReadonlySet<string> = new Set(["ERR_LATE_EPOCH", "ERR_STORE_FAILED", "ERR_STORE_CLOSED"]);

/**
 * The validator's ingest path: gossip decodes and checks clock bounds, the verifier checks the
 * signature (off-thread), then the accept hook checks the epoch (not frozen, not ahead of our
 * clock), the validator set for entropy, and persists to the epoch store. Gossipsub sees ACCEPT
 * only after the write is durable, so nothing is forwarded or counted that a crash could lose.
 * Messages fetched by sync enter through ingestBytes(), the same checks minus the age bound.
 */
export class Ingest extends EventEmitter<IngestEvents> {
  readonly store: EpochStore;
  readonly gossip: HexcoverGossip | undefined;
  readonly #verifier: SignatureVerifier;
  readonly #now: () => number;
  readonly #maxSkewMs: number;
  readonly #accepted = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<MessageKindName, number>;
  readonly #rejected: Record<string, number> = {};
  #validators: Set<string>;

  constructor(host: HexcoverHost | null, options: IngestOptions) {
    super();
    this.store = options.store;
    this.#verifier = options.verifier;
    this.#now = options.now ?? Date.now;
    this.#maxSkewMs = options.clockBounds?.maxSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS;
    this.#validators = keySet(options.validators);
    this.gossip =
      host === null
        ? undefined
        : new HexcoverGossip(host, {
            ...options.gossip,
            now: this.#now,
            ...(options.clockBounds === undefined ? {} : { clockBounds: options.clockBounds }),
            signatureVerifier: this.#verifier,
            accept: (signed, from) => this.#acceptFromGossip(signed, from),
          });
  }

  /** Subscribes to every Hexcover topic. */
  start(): void {
    this.gossip?.start();
  }

  stop(): void {
    this.gossip?.stop();
  }

  /** Replaces the validator set (e.g. after the on-chain set changed). */
  setValidators(validators: readonly Uint8Array[]): void {
    this.#validators = keySet(validators);
  }

  isValidator(key: Uint8Array): boolean {
    return this.#validators.has(hexKey(key));
  }

  /**
   * Admits a message whose encoding and signature were already checked: validator set, epoch
   * window, then a durable write. Resolves with the stored result; throws a typed error
   * (counted) for every rejection, DuplicateMessageError included.
   */
  async admit(signed: SignedMessage, source: IngestSource, expectEpoch?: number): Promise<PutResult> {
    try {
      const result = await this.#admit(signed, expectEpoch);
      if (result.status === "duplicate") throw new DuplicateMessageError(result.epoch);
      this.#accepted[signed.message.kind]++;
      this.emit("stored", signed, result.epoch, source);
      return result;
    } catch (err) {
      throw this.#count(err, source);
    }
  }

  /**
   * The sync path: raw bytes from a peer are never trusted. Decodes (canonical encoding, field
   * ranges), verifies the signature through the verifier, requires `expectEpoch` if given, then
   * admits like gossip. No age bound: sync runs after the epoch ended, on purpose.
   */
  async ingestBytes(bytes: Uint8Array, source: IngestSource, expectEpoch?: number): Promise<{ signed: SignedMessage; result: PutResult }> {
    let signed: SignedMessage;
    try {
      signed = decodeMessage(bytes, { verifySignature: false });
      let valid: boolean;
      try {
        valid = await this.#verifier.verify(signed);
      } catch (err) {
        throw new VerifierUnavailableError((err as Error).message);
      }
      if (!valid) throw new IngestSignatureError();
    } catch (err) {
      throw this.#count(err, source);
    }
    return { signed, result: await this.admit(signed, source, expectEpoch) };
  }

  /** Counter snapshot; gossip's own rejections are merged in. */
  counters(): IngestCounters {
    const rejected: Record<string, number> = { ...this.#rejected };
    const gossip = this.gossip?.counters;
    if (gossip !== undefined) {
      for (const [code, n] of Object.entries(gossip.rejected)) {
        // ERR_NOT_ACCEPTED is gossip's view of our own rejections, already counted by code here.
        if (code === "ERR_NOT_ACCEPTED") continue;
        rejected[code] = (rejected[code] ?? 0) + n;
      }
    }
    return { accepted: { ...this.#accepted }, rejected, ignoredDuplicates: gossip?.ignoredDuplicates ?? 0, ignored: { ...(gossip?.ignored ?? {}) } };
  }

  async #admit(signed: SignedMessage, expectEpoch: number | undefined): Promise<PutResult> {
    const message = signed.message;
    if (message.kind === "entropy" && !this.#validators.has(hexKey(message.validator))) {
      throw new UnknownValidatorError(hexKey(message.validator));
    }
    const schedule = this.store.schedule;
    const epoch = schedule.epochOfMessage(message);
    if (expectEpoch !== undefined && epoch !== expectEpoch) throw new WrongEpochError(expectEpoch, epoch);
    const current = schedule.epochOf(Math.max(schedule.genesisMs, this.#now() + this.#maxSkewMs));
    if (epoch > current) throw new EpochTooFarAheadError(epoch, current);
    // The store re-checks frozen inside its write transaction; this only skips a doomed write.
    return this.store.put(signed);
  }

  /**
   * ACCEPT (true) once durable; a duplicate is durable too, so honest forwarders are not punished.
   * A message for an epoch already frozen, or one our own store failed to write, is IGNOREd: an
   * honest peer may forward a message that arrived just after our freeze, and a disk error is
   * ours. Entropy signed by a key outside the validator set is IGNOREd too: hotspots relay any
   * signed entropy (they need not know the set, and it changes on chain), and a REJECT costs
   * every peer that delivered a copy while it was validated, so honest relays lost score for
   * an attacker's entropy (found by tests/load/flood.test.ts; REJECTing only the key's own peer
   * still hit its relays). Its cost to us is one signature check, bounded by gossip's
   * backpressure. Everything else (epoch ahead of the clock, out of range) is the sender's
   * fault and REJECTed, which costs it gossip score.
   */
  async #acceptFromGossip(signed: SignedMessage, _from: PeerId): Promise<AcceptVerdict> {
    try {
      await this.admit(signed, "gossip");
      return true;
    } catch (err) {
      if (err instanceof DuplicateMessageError) return true;
      if (err instanceof StoreError && NOT_THE_SENDERS_FAULT.has(err.code)) return "ignore";
      if (err instanceof UnknownValidatorError) return "ignore";
      return false;
    }
  }

  #count(err: unknown, source: IngestSource): Error {
    const code =
      err instanceof IngestError || err instanceof StoreError || err instanceof ProtocolError ? err.code : "ERR_UNEXPECTED";
    this.#rejected[code] = (this.#rejected[code] ?? 0) + 1;
    this.emit("rejected", code, source);
    return err instanceof Error ? err : new Error(String(err));
  }
}

function hexKey(key: Uint8Array): string {
  return Buffer.from(key).toString("hex");
}

function keySet(keys: readonly Uint8Array[]): Set<string> {
  return new Set(keys.map(hexKey));
}
