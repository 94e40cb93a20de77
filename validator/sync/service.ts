import { createHash } from "node:crypto";
import type { Connection, PeerId, Stream } from "@libp2p/interface";
import type { HexcoverHost } from "../../node/index.js";
import { ProtocolError, SYNC_PROTOCOL } from "../../protocol/index.js";
import { IngestError, type Ingest } from "../ingest/index.js";
import { BUCKET_COUNT, compareBytes, type EpochStore, idOfBytes, StoreError } from "../store/index.js";
import {
  type DigestResponse,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  type IdsResponse,
  type MessagesResponse,
  SyncErrorCode,
  type SyncRequest,
  type SyncResponse,
} from "./codec.js";
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_ROUND_INTERVAL_MS,
  MAX_IDS_PER_EPOCH,
  MAX_IDS_PER_RESPONSE,
  MAX_INBOUND_SYNC_STREAMS,
  MAX_MESSAGES_PER_REQUEST,
  MAX_OUTBOUND_SYNC_STREAMS,
  MAX_REQUESTS_PER_STREAM,
  SERVER_IDLE_TIMEOUT_MS,
} from "./constants.js";
import {
  InvalidReconcileError,
  SyncDialError,
  SyncDigestMismatchError,
  SyncError,
  SyncIdMismatchError,
  SyncInvalidMessageError,
  SyncRemoteError,
  SyncStreamClosedError,
  SyncTimeoutError,
  SyncTooManyIdsError,
  SyncTooManyRequestsError,
  SyncUnexpectedResponseError,
} from "./errors.js";
import { FrameReader, sendFrame } from "./frames.js";

export interface SyncOptions {
  readonly store: EpochStore;
  /** Fetched messages go through ingest: decode, verify, validator set, epoch, durable write. */
  readonly ingest: Ingest;
  readonly requestTimeoutMs?: number;
  readonly roundIntervalMs?: number;
}

export interface SyncCounters {
  /** Requests this node answered. */
  served: number;
  reconcileRounds: number;
  /** Messages fetched from peers and newly stored. */
  fetched: number;
  /** Fetched messages not stored for reasons that are not the peer's fault (late, unknown validator...). */
  fetchRejected: Record<string, number>;
  /** Peers dropped for misbehaviour, by error code (either direction). */
  peerFaults: Record<string, number>;
}

export interface ReconcileOptions {
  /**
   * Validators, this one included, that must hold the same set before reconcile may stop early
   * (the on-chain quorum). Default 1: any reachable peers agreeing is enough. During a partition
   * the peers on our side are reachable and agree with us, but a side smaller than the quorum
   * cannot finalize anything: freezing there would fix a set that differs from the other side's,
   * and since votes cannot be changed the epoch could never reach a quorum. So a side below the
   * quorum keeps reconciling until the deadline, and a partition that heals in time is repaired.
   */
  readonly quorum?: number;
}

export interface ReconcileReport {
  readonly epoch: number;
  readonly rounds: number;
  /** true if every reachable peer had our digest in the last round, and our set did not change during it. */
  readonly converged: boolean;
  readonly agreedWith: readonly string[];
  readonly unreachable: readonly string[];
  /** Peers dropped for misbehaviour, with the error code. */
  readonly dropped: ReadonlyArray<{ peer: string; code: string }>;
  readonly fetched: number;
  /** The digest recorded when the epoch froze. */
  readonly digest: Uint8Array;
  readonly count: number;
}

/**
 * /hexcover/sync/1: validators compare an epoch's message-id set by digest and bucket digests,
 * list the ids of differing buckets, and fetch what they miss (DESIGN.md §6). A stream carries
 * a sequence of request/response frames. Everything received is bounded and checked; fetched
 * messages are re-verified through the ingest path, never trusted.
 */
export class SyncService {
  readonly counters: SyncCounters = { served: 0, reconcileRounds: 0, fetched: 0, fetchRejected: {}, peerFaults: {} };
  readonly #host: HexcoverHost;
  readonly #store: EpochStore;
  readonly #ingest: Ingest;
  readonly #timeoutMs: number;
  readonly #roundIntervalMs: number;
  #started = false;

  constructor(host: HexcoverHost, options: SyncOptions) {
    this.#host = host;
    this.#store = options.store;
    this.#ingest = options.ingest;
    this.#timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#roundIntervalMs = options.roundIntervalMs ?? DEFAULT_ROUND_INTERVAL_MS;
  }

  async start(): Promise<void> {
    if (this.#started) return;
    await this.#host.handle(SYNC_PROTOCOL, (stream, connection) => this.#serve(stream, connection), {
      maxInboundStreams: MAX_INBOUND_SYNC_STREAMS,
      maxOutboundStreams: MAX_OUTBOUND_SYNC_STREAMS,
    });
    this.#started = true;
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    await this.#host.unhandle(SYNC_PROTOCOL);
  }

  /** Opens a request/response session with a peer. */
  async open(peer: PeerId): Promise<SyncSession> {
    let stream: Stream;
    try {
      stream = await this.#host.dialProtocol(peer, SYNC_PROTOCOL, { signal: AbortSignal.timeout(this.#timeoutMs) });
    } catch (err) {
      throw new SyncDialError((err as Error).message);
    }
    return new SyncSession(stream, this.#timeoutMs);
  }

  /**
   * Repeats rounds until every reachable peer reports our digest for `epoch` or the deadline
   * (unix ms) passes, then freezes the epoch. A round asks each peer for its digest, lists the
   * ids of buckets that differ and fetches the ids we lack. A peer that breaks the protocol or
   * serves invalid data is dropped for the rest of the call; an unreachable one is retried.
   */
  async reconcile(epoch: number, peers: readonly PeerId[], deadlineMs: number, options: ReconcileOptions = {}): Promise<ReconcileReport> {
    if (!Number.isFinite(deadlineMs)) throw new InvalidReconcileError("deadline must be a finite unix time in ms");
    const quorum = options.quorum ?? 1;
    if (!Number.isSafeInteger(quorum) || quorum < 1) throw new InvalidReconcileError("quorum must be a positive integer");
    this.#store.digest(epoch); // validates the epoch number
    const unique = [...new Map(peers.map((p) => [p.toString(), p])).values()].filter((p) => !p.equals(this.#host.peerId));
    const dropped = new Map<string, string>();
    let agreed: string[] = [];
    let unreachable: string[] = [];
    let rounds = 0;
    let fetched = 0;
    let converged = false;
    for (;;) {
      rounds++;
      this.counters.reconcileRounds++;
      agreed = [];
      unreachable = [];
      const roundStartDigest = this.#store.digest(epoch).digest;
      for (const peer of unique) {
        const name = peer.toString();
        if (dropped.has(name)) continue;
        let session: SyncSession | undefined;
        try {
          session = await this.open(peer);
          const outcome = await this.#syncWithPeer(session, epoch);
          fetched += outcome.fetched;
          if (outcome.agreed) agreed.push(name);
        } catch (err) {
          if (err instanceof SyncError && err.peerFault) {
            dropped.set(name, err.code);
            this.#countFault(err.code);
            session?.abort(err);
          } else {
            unreachable.push(name);
          }
        } finally {
          await session?.close();
        }
      }
      const reachable = unique.length - dropped.size - unreachable.length;
      // Fetching from a later peer may have grown our set after an earlier peer agreed: agreement
      // counts only if no message arrived during the round (the digest we ended with).
      const unchanged = compareBytes(this.#store.digest(epoch).digest, roundStartDigest) === 0;
      // Alone (no peers configured) there is nothing to agree on; with peers, at least one must answer.
      // ... and with us, at least a quorum must hold this set (see ReconcileOptions.quorum).
      if (unique.length === 0 || (reachable > 0 && agreed.length === reachable && unchanged && agreed.length + 1 >= quorum)) {
        converged = true;
        break;
      }
      // Every peer broke the protocol: nobody is left to agree with, waiting cannot help.
      if (dropped.size === unique.length) break;
      const remaining = deadlineMs - Date.now();
      if (remaining <= 0) break;
      await new Promise((resolve) => setTimeout(resolve, Math.min(this.#roundIntervalMs, remaining)));
    }
    const frozen = await this.#store.freeze(epoch);
    return {
      epoch,
      rounds,
      converged,
      agreedWith: agreed,
      unreachable,
      dropped: [...dropped].map(([peer, code]) => ({ peer, code })),
      fetched,
      digest: frozen.digest,
      count: frozen.count,
    };
  }

  /** One peer, one round: compare digests, list differing buckets, fetch what we lack. */
  async #syncWithPeer(session: SyncSession, epoch: number): Promise<{ agreed: boolean; fetched: number }> {
    const remote = await session.getDigest(epoch);
    let local = this.#store.digest(epoch);
    if (compareBytes(remote.digest, local.digest) === 0) return { agreed: true, fetched: 0 };
    const buckets: number[] = [];
    for (let b = 0; b < BUCKET_COUNT; b++) {
      if (compareBytes(remote.bucketDigests[b]!, local.bucketDigests[b]!) !== 0) buckets.push(b);
    }
    const missing: Uint8Array[] = [];
    // A frozen peer's set cannot change between our requests, so its listing must hash to the
    // bucket digests it announced; a mismatch proves it lies. (An unfrozen peer may be ingesting.)
    const listedByBucket = remote.frozen ? new Map<number, ReturnType<typeof createHash>>() : undefined;
    const listedCounts = new Map<number, number>();
    if (buckets.length > 0) {
      let after: Uint8Array | undefined;
      let listed = 0;
      for (;;) {
        const page = await session.getIds(epoch, buckets, after);
        listed += page.ids.length;
        if (listed > MAX_IDS_PER_EPOCH) throw new SyncTooManyIdsError(MAX_IDS_PER_EPOCH);
        for (const id of page.ids) {
          if (!this.#store.has(epoch, id)) missing.push(id);
          if (listedByBucket !== undefined) {
            const bucket = id[0]!;
            let hash = listedByBucket.get(bucket);
            if (hash === undefined) {
              hash = createHash("sha256");
              listedByBucket.set(bucket, hash);
            }
            hash.update(id);
            listedCounts.set(bucket, (listedCounts.get(bucket) ?? 0) + 1);
          }
        }
        if (!page.more || page.ids.length === 0) break;
        after = page.ids.at(-1);
      }
    }
    if (listedByBucket !== undefined) {
      for (const bucket of buckets) {
        const digest = new Uint8Array((listedByBucket.get(bucket) ?? createHash("sha256")).digest());
        if (compareBytes(digest, remote.bucketDigests[bucket]!) !== 0 || (listedCounts.get(bucket) ?? 0) !== remote.bucketCounts[bucket]) {
          throw new SyncDigestMismatchError(bucket);
        }
      }
    }
    let fetched = 0;
    for (let i = 0; i < missing.length; i += MAX_MESSAGES_PER_REQUEST) {
      const chunk = missing.slice(i, i + MAX_MESSAGES_PER_REQUEST);
      const answer = await session.getMessages(epoch, chunk);
      fetched += await this.#ingestFetched(epoch, chunk, answer.messages);
    }
    local = this.#store.digest(epoch);
    return { agreed: compareBytes(remote.digest, local.digest) === 0, fetched };
  }

  /**
   * Checks that each served message hashes to an id we asked for (once), then ingests all of them
   * concurrently so the verifier pool gets a batch. Invalid content is the peer's fault; a late
   * epoch or an entropy signer outside our validator set is counted but not blamed.
   */
  async #ingestFetched(epoch: number, requested: readonly Uint8Array[], served: readonly Uint8Array[]): Promise<number> {
    const wanted = new Set(requested.map(hexOf));
    for (const bytes of served) {
      const key = hexOf(idOfBytes(bytes));
      if (!wanted.delete(key)) throw new SyncIdMismatchError();
    }
    const results = await Promise.allSettled(served.map((bytes) => this.#ingest.ingestBytes(bytes, "sync", epoch)));
    let stored = 0;
    let fault: SyncInvalidMessageError | undefined;
    for (const result of results) {
      if (result.status === "fulfilled") {
        stored++;
        continue;
      }
      const err = result.reason as Error & { code?: string };
      const code = err.code ?? "ERR_UNEXPECTED";
      if (isPeerFaultRejection(err)) fault ??= new SyncInvalidMessageError(code);
      else if (code !== "ERR_DUPLICATE") this.counters.fetchRejected[code] = (this.counters.fetchRejected[code] ?? 0) + 1;
    }
    this.counters.fetched += stored;
    if (fault !== undefined) throw fault;
    return stored;
  }

  async #serve(stream: Stream, _connection: Connection): Promise<void> {
    const reader = new FrameReader(stream);
    let requests = 0;
    try {
      for (;;) {
        // A client that goes quiet must not hold one of the few inbound stream slots.
        const idle = setTimeout(() => stream.abort(new SyncTimeoutError(SERVER_IDLE_TIMEOUT_MS)), SERVER_IDLE_TIMEOUT_MS);
        const body = await reader.next().finally(() => clearTimeout(idle));
        if (body === null) break;
        if (++requests > MAX_REQUESTS_PER_STREAM) {
          await sendFrame(stream, encodeResponse({ type: "error", code: SyncErrorCode.tooManyRequests }));
          throw new SyncTooManyRequestsError(MAX_REQUESTS_PER_STREAM);
        }
        let request: SyncRequest;
        try {
          request = decodeRequest(body);
        } catch (err) {
          await sendFrame(stream, encodeResponse({ type: "error", code: SyncErrorCode.badRequest })).catch(() => {});
          throw err;
        }
        let response: SyncResponse;
        try {
          response = this.#answer(request);
        } catch (err) {
          // Our own failure (store closed, epoch out of range): tell the peer, do not blame it.
          await sendFrame(stream, encodeResponse({ type: "error", code: SyncErrorCode.internal })).catch(() => {});
          throw err;
        }
        await sendFrame(stream, encodeResponse(response));
        this.counters.served++;
      }
      await stream.close().catch(() => {});
    } catch (err) {
      if (err instanceof SyncError && err.peerFault) this.#countFault(err.code);
      stream.abort(err instanceof Error ? err : new Error(String(err)));
    }
  }

  #answer(request: SyncRequest): SyncResponse {
    const store = this.#store;
    switch (request.type) {
      case "getDigest": {
        const d = store.digest(request.epoch);
        return { type: "digest", epoch: d.epoch, frozen: d.frozen, count: d.count, digest: d.digest, bucketDigests: d.bucketDigests, bucketCounts: d.bucketCounts };
      }
      case "getIds": {
        const page = store.idsInBuckets(request.epoch, request.buckets, request.after, MAX_IDS_PER_RESPONSE);
        return { type: "ids", epoch: request.epoch, more: page.more, ids: page.ids };
      }
      case "getMessages": {
        const messages: Uint8Array[] = [];
        const seen = new Set<string>();
        for (const id of request.ids) {
          const key = hexOf(id);
          if (seen.has(key)) continue;
          seen.add(key);
          const bytes = store.get(request.epoch, id);
          if (bytes !== undefined) messages.push(bytes);
        }
        return { type: "messages", epoch: request.epoch, messages };
      }
    }
  }

  #countFault(code: string): void {
    this.counters.peerFaults[code] = (this.counters.peerFaults[code] ?? 0) + 1;
  }
}

/** Rejections that an honest peer (which only stores verified messages of the epoch) cannot cause. */
function isPeerFaultRejection(err: Error & { code?: string }): boolean {
  if (err instanceof ProtocolError) return true; // decode, canonical form, field ranges
  if (err instanceof IngestError) return err.code === "ERR_INVALID_SIGNATURE" || err.code === "ERR_WRONG_EPOCH";
  if (err instanceof StoreError) return err.code === "ERR_BEFORE_GENESIS" || err.code === "ERR_EPOCH_OUT_OF_RANGE";
  return false;
}

/** A client session: sequential requests on one stream, each answered within the timeout. */
export class SyncSession {
  readonly #stream: Stream;
  readonly #reader: FrameReader;
  readonly #timeoutMs: number;

  constructor(stream: Stream, timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS) {
    this.#stream = stream;
    this.#reader = new FrameReader(stream);
    this.#timeoutMs = timeoutMs;
  }

  async getDigest(epoch: number): Promise<DigestResponse> {
    const response = await this.request({ type: "getDigest", epoch });
    if (response.type !== "digest" || response.epoch !== epoch) throw new SyncUnexpectedResponseError(`wanted the digest of epoch ${epoch}`);
    return response;
  }

  /** One page of ids; checks they are ascending, after `after`, and in the requested buckets. */
  async getIds(epoch: number, buckets: readonly number[], after?: Uint8Array): Promise<IdsResponse> {
    const request: SyncRequest = after === undefined ? { type: "getIds", epoch, buckets } : { type: "getIds", epoch, buckets, after };
    const response = await this.request(request);
    if (response.type !== "ids" || response.epoch !== epoch) throw new SyncUnexpectedResponseError(`wanted ids of epoch ${epoch}`);
    const allowed = new Set(buckets);
    for (const id of response.ids) {
      if (!allowed.has(id[0]!)) throw new SyncUnexpectedResponseError(`id in unrequested bucket ${id[0]}`);
    }
    if (after !== undefined && response.ids.length > 0 && compareBytes(response.ids[0]!, after) <= 0) {
      throw new SyncUnexpectedResponseError("ids page does not start after the cursor");
    }
    return response;
  }

  async getMessages(epoch: number, ids: readonly Uint8Array[]): Promise<MessagesResponse> {
    const response = await this.request({ type: "getMessages", epoch, ids });
    if (response.type !== "messages" || response.epoch !== epoch) throw new SyncUnexpectedResponseError(`wanted messages of epoch ${epoch}`);
    if (response.messages.length > ids.length) throw new SyncUnexpectedResponseError("more messages than requested");
    return response;
  }

  /** Sends one request and reads its answer; an error frame becomes SyncRemoteError. */
  async request(request: SyncRequest): Promise<SyncResponse> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new SyncTimeoutError(this.#timeoutMs);
        this.#stream.abort(err);
        reject(err);
      }, this.#timeoutMs);
    });
    try {
      const exchange = async () => {
        await sendFrame(this.#stream, encodeRequest(request));
        const body = await this.#reader.next();
        if (body === null) throw new SyncStreamClosedError("peer closed the stream without answering");
        return decodeResponse(body);
      };
      const response = await Promise.race([exchange(), timeout]);
      if (response.type === "error") throw new SyncRemoteError(response.code);
      return response;
    } catch (err) {
      // StoreError: our own bad argument (epoch out of range), not the peer's doing.
      if (err instanceof SyncError || err instanceof StoreError) throw err;
      throw new SyncStreamClosedError((err as Error).message);
    } finally {
      clearTimeout(timer);
    }
  }

  abort(err: Error): void {
    this.#stream.abort(err);
  }

  async close(): Promise<void> {
    if (this.#stream.status !== "open") return;
    await this.#stream.close().catch((err: Error) => this.#stream.abort(err));
  }
}

function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}
