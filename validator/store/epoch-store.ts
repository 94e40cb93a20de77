import { createHash } from "node:crypto";
import { compareBytes } from "../../chain/merkle.js";
import { type Database, open, type RootDatabase } from "lmdb";
import {
  decodeMessage,
  MAX_ANY_MESSAGE_BYTES,
  type MessageKindName,
  MessageKind,
  ProtocolError,
  SIGNATURE_BYTES,
  type SignedMessage,
  sha256,
} from "../../protocol/index.js";
import { checkEpoch, EpochSchedule, type EpochScheduleConfig } from "./epoch.js";
import {
  CorruptRecordError,
  InvalidMetaError,
  LateEpochError,
  StoreClosedError,
  StoreValueTooLargeError,
  StoreWriteError,
} from "./errors.js";

/** Message ids are sha256 digests. */
export const ID_BYTES = 32;
/** Sync buckets: one per value of an id's first byte (ids are uniform, so buckets are even). */
export const BUCKET_COUNT = 256;
const EPOCH_KEY_BYTES = 4;
const MESSAGE_KEY_BYTES = EPOCH_KEY_BYTES + ID_BYTES;
/** Metadata names are short ASCII labels (e.g. "entropy-seq/<hex key>"). */
export const MAX_META_NAME_BYTES = 200;
/**
 * LMDB needs a maximum map size up front (it reserves address space, not disk). 64 GiB bounds a
 * validator's disk use far above years of epochs at our message sizes (< 200 bytes each).
 */
export const DEFAULT_MAP_SIZE_BYTES = 64 * 1024 ** 3;

export type PutStatus = "stored" | "duplicate";
export interface PutResult {
  readonly status: PutStatus;
  readonly epoch: number;
}

/** What sync compares: digest of all sorted ids plus one digest and count per bucket. */
export interface EpochDigest {
  readonly epoch: number;
  readonly count: number;
  /** sha256 over the epoch's message ids, sorted ascending and concatenated. */
  readonly digest: Uint8Array;
  /** sha256 over the sorted ids whose first byte is the bucket index (sha256("") when empty). */
  readonly bucketDigests: readonly Uint8Array[];
  readonly bucketCounts: readonly number[];
  readonly frozen: boolean;
}

export type KindCounts = Record<MessageKindName, number> & { total: number };

export interface FrozenEpoch {
  readonly digest: Uint8Array;
  readonly count: number;
}

export interface EpochStoreOptions extends EpochScheduleConfig {
  /** Directory of the LMDB environment (created if absent). */
  readonly path: string;
  readonly mapSizeBytes?: number;
}

interface PendingPut {
  readonly key: Uint8Array;
  readonly frozenKey: Uint8Array;
  readonly bytes: Uint8Array;
  readonly epoch: number;
  readonly resolve: (result: PutResult) => void;
  readonly reject: (err: Error) => void;
}

const KIND_NAME_BY_BYTE = new Map<number, MessageKindName>(
  (Object.entries(MessageKind) as Array<[MessageKindName, number]>).map(([name, byte]) => [byte, name]),
);

/**
 * Durable per-epoch message store over LMDB (DESIGN.md §6: every accepted message is persisted
 * before it is acknowledged).
 *
 * Layout: `messages` maps epoch (u32 BE) ‖ id → raw wire bytes, so a range scan over an epoch's
 * prefix yields its ids in ascending order; `frozen` maps epoch → digest ‖ count; `meta` holds
 * small named counters (the entropy sequence). Values are the exact wire bytes, verified on
 * ingest and re-decoded without signature checks on read.
 *
 * Durability: lmdb-js commits writes in batches on a background thread. On Linux it defaults to
 * `overlappingSync`, where a write's promise resolves at COMMIT (visible, and safe against a
 * process crash) and the fsync follows; `put` additionally awaits `flushed`, so a resolved put has
 * been fsynced and survives power loss too. `noSync` is never set (it skips fsync entirely).
 */
export class EpochStore {
  readonly schedule: EpochSchedule;
  readonly #root: RootDatabase;
  readonly #messages: Database<Uint8Array, Uint8Array>;
  readonly #frozen: Database<Uint8Array, Uint8Array>;
  readonly #meta: Database<Uint8Array, string>;
  readonly #digests = new Map<number, EpochDigest>();
  readonly #pending: PendingPut[] = [];
  #closed = false;

  private constructor(root: RootDatabase, schedule: EpochSchedule) {
    this.#root = root;
    this.schedule = schedule;
    const binary = { keyEncoding: "binary", encoding: "binary" } as const;
    this.#messages = root.openDB<Uint8Array, Uint8Array>({ name: "messages", ...binary });
    this.#frozen = root.openDB<Uint8Array, Uint8Array>({ name: "frozen", ...binary });
    this.#meta = root.openDB<Uint8Array, string>({ name: "meta", encoding: "binary" });
  }

  static open(options: EpochStoreOptions): EpochStore {
    const schedule = new EpochSchedule(options);
    const root = open({
      path: options.path,
      mapSize: options.mapSizeBytes ?? DEFAULT_MAP_SIZE_BYTES,
      maxDbs: 4,
      // Explicit although these are the defaults: durability depends on them (see class comment).
      noSync: false,
      overlappingSync: true,
    });
    return new EpochStore(root, schedule);
  }

  /**
   * Persists a verified message under its epoch. Resolves once the write is committed and
   * flushed; resolves `duplicate` (writing nothing, but also only once the stored copy is
   * flushed) for an id already stored. Throws
   * LateEpochError if the epoch is frozen (checked inside the write transaction, so a message
   * can never slip into an epoch after its digest was fixed).
   */
  put(signed: SignedMessage): Promise<PutResult> {
    try {
      this.#checkOpen();
      const bytes = signed.bytes;
      if (bytes.length > MAX_ANY_MESSAGE_BYTES) throw new StoreValueTooLargeError(bytes.length, MAX_ANY_MESSAGE_BYTES);
      const epoch = this.schedule.epochOfMessage(signed.message);
      const key = messageKey(epoch, signed.id);
      return new Promise<PutResult>((resolve, reject) => {
        this.#pending.push({ key, frozenKey: epochKey(epoch), bytes, epoch, resolve, reject });
        if (this.#pending.length === 1) setImmediate(() => void this.#writeBatch());
      });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Writes every put queued in the last event-loop turn in ONE transaction callback and waits
   * for ONE flush: per-put transactions and flush waits cost more main-thread time than the
   * write itself (see bench/ingest-bench.ts). LMDB would commit them in one transaction anyway.
   */
  async #writeBatch(): Promise<void> {
    const batch = this.#pending.splice(0);
    if (batch.length === 0) return;
    let outcomes: Array<PutStatus | "frozen">;
    try {
      outcomes = await this.#messages.transaction(() =>
        batch.map((put) => {
          if (this.#frozen.doesExist(put.frozenKey)) return "frozen";
          if (this.#messages.doesExist(put.key)) return "duplicate";
          this.#messages.putSync(put.key, put.bytes);
          return "stored";
        }),
      );
      for (let i = 0; i < batch.length; i++) if (outcomes[i] === "stored") this.#digests.delete(batch[i]!.epoch);
      // Also for a duplicate: the first copy may be committed but not yet fsynced, and a caller
      // acknowledges a duplicate as durable.
      await this.#root.flushed;
    } catch (err) {
      const error = new StoreWriteError((err as Error).message);
      for (const put of batch) put.reject(error);
      return;
    }
    for (let i = 0; i < batch.length; i++) {
      const put = batch[i]!;
      const outcome = outcomes[i]!;
      if (outcome === "frozen") put.reject(new LateEpochError(put.epoch));
      else put.resolve({ status: outcome, epoch: put.epoch });
    }
  }

  has(epoch: number, id: Uint8Array): boolean {
    this.#checkOpen();
    return this.#messages.doesExist(messageKey(epoch, id));
  }

  /** Raw wire bytes of a stored message, or undefined. */
  get(epoch: number, id: Uint8Array): Uint8Array | undefined {
    this.#checkOpen();
    const value = this.#messages.getBinary(messageKey(epoch, id));
    return value === undefined ? undefined : Uint8Array.from(value);
  }

  /** The epoch's message ids, ascending. */
  ids(epoch: number): Uint8Array[] {
    this.#checkOpen();
    const out: Uint8Array[] = [];
    for (const key of this.#messages.getKeys(epochRange(epoch))) out.push(idOfKey(key));
    return out;
  }

  /**
   * Ids in the given buckets (first id byte), ascending, strictly after `after` if given, at most
   * `limit` of them; `more` says whether further ids exist past the last one returned.
   */
  idsInBuckets(epoch: number, buckets: readonly number[], after: Uint8Array | undefined, limit: number): { ids: Uint8Array[]; more: boolean } {
    this.#checkOpen();
    const sorted = [...new Set(buckets)].filter((b) => Number.isInteger(b) && b >= 0 && b < BUCKET_COUNT).sort((a, b) => a - b);
    const ids: Uint8Array[] = [];
    const afterKey = after === undefined ? undefined : messageKey(epoch, after);
    for (const bucket of sorted) {
      const bucketStart = bucketKey(epoch, bucket);
      if (afterKey !== undefined && compareBytes(bucketKey(epoch, bucket + 1), afterKey) <= 0) continue;
      const start = afterKey !== undefined && compareBytes(afterKey, bucketStart) >= 0 ? afterKey : bucketStart;
      for (const key of this.#messages.getKeys({ start, end: bucketKey(epoch, bucket + 1) })) {
        if (afterKey !== undefined && compareBytes(key, afterKey) === 0) continue;
        if (ids.length === limit) return { ids, more: true };
        ids.push(idOfKey(key));
      }
    }
    return { ids, more: false };
  }

  /** Raw bytes of every message in the epoch, in id order. */
  *rawMessages(epoch: number): Generator<{ id: Uint8Array; bytes: Uint8Array }> {
    this.#checkOpen();
    for (const { key, value } of this.#messages.getRange(epochRange(epoch))) {
      yield { id: idOfKey(key), bytes: Uint8Array.from(value) };
    }
  }

  /**
   * The epoch's messages decoded again (signatures were verified on ingest, so not re-checked).
   * A record that no longer decodes, or whose content does not hash to its key, is corruption.
   */
  messages(epoch: number): SignedMessage[] {
    const out: SignedMessage[] = [];
    for (const { id, bytes } of this.rawMessages(epoch)) {
      let signed: SignedMessage;
      try {
        signed = decodeMessage(bytes, { verifySignature: false });
      } catch (err) {
        throw new CorruptRecordError(err instanceof ProtocolError ? err.code : (err as Error).message);
      }
      if (compareBytes(signed.id, id) !== 0) throw new CorruptRecordError("content does not hash to its key");
      out.push(signed);
    }
    return out;
  }

  /** Message counts by kind (and total) in the epoch. */
  counts(epoch: number): KindCounts {
    this.#checkOpen();
    const counts: KindCounts = { entropy: 0, beaconCommit: 0, witnessReport: 0, beaconReveal: 0, total: 0 };
    for (const { value } of this.#messages.getRange(epochRange(epoch))) {
      const kind = KIND_NAME_BY_BYTE.get(value[1] ?? -1);
      if (kind !== undefined) counts[kind]++;
      counts.total++;
    }
    return counts;
  }

  /** Digest and bucket digests of the epoch's id set (cached until the next write to the epoch). */
  digest(epoch: number): EpochDigest {
    this.#checkOpen();
    checkEpoch(epoch);
    const cached = this.#digests.get(epoch);
    if (cached !== undefined) return cached;
    const whole = createHash("sha256");
    const buckets: Array<ReturnType<typeof createHash> | undefined> = new Array(BUCKET_COUNT).fill(undefined);
    const bucketCounts = new Array<number>(BUCKET_COUNT).fill(0);
    let count = 0;
    for (const key of this.#messages.getKeys(epochRange(epoch))) {
      const id = key.subarray(EPOCH_KEY_BYTES);
      whole.update(id);
      const bucket = id[0]!;
      let hash = buckets[bucket];
      if (hash === undefined) {
        hash = createHash("sha256");
        buckets[bucket] = hash;
      }
      hash.update(id);
      bucketCounts[bucket]!++;
      count++;
    }
    const empty = sha256();
    const result: EpochDigest = {
      epoch,
      count,
      digest: new Uint8Array(whole.digest()),
      bucketDigests: buckets.map((h) => (h === undefined ? empty : new Uint8Array(h.digest()))),
      bucketCounts,
      frozen: this.#frozen.doesExist(epochKey(epoch)),
    };
    this.#digests.set(epoch, result);
    return result;
  }

  /**
   * Freezes the epoch: from now on puts into it throw LateEpochError. Records the digest of the
   * set at that moment; freezing again returns the recorded digest unchanged.
   */
  async freeze(epoch: number): Promise<FrozenEpoch> {
    this.#checkOpen();
    checkEpoch(epoch);
    const key = epochKey(epoch);
    try {
      const record = await this.#frozen.transaction(() => {
        const existing = this.#frozen.getBinary(key);
        if (existing !== undefined) return Uint8Array.from(existing);
        // Inside the write transaction no put can interleave, so the digest is the final set.
        this.#digests.delete(epoch);
        const digest = this.digest(epoch);
        const value = new Uint8Array(ID_BYTES + 4);
        value.set(digest.digest, 0);
        new DataView(value.buffer).setUint32(ID_BYTES, digest.count);
        this.#frozen.putSync(key, value);
        return value;
      });
      this.#digests.delete(epoch);
      await this.#root.flushed;
      return decodeFrozen(record);
    } catch (err) {
      throw new StoreWriteError((err as Error).message);
    }
  }

  isFrozen(epoch: number): boolean {
    this.#checkOpen();
    return this.#frozen.doesExist(epochKey(epoch));
  }

  /** The digest and count recorded when the epoch froze, or undefined if it is not frozen. */
  frozenEpoch(epoch: number): FrozenEpoch | undefined {
    this.#checkOpen();
    const value = this.#frozen.getBinary(epochKey(epoch));
    return value === undefined ? undefined : decodeFrozen(Uint8Array.from(value));
  }

  /** A durable named counter (e.g. the entropy sequence); undefined if never written. */
  getNumber(name: string): number | undefined {
    this.#checkOpen();
    checkMetaName(name);
    const value = this.#meta.getBinary(name);
    if (value === undefined) return undefined;
    if (value.length !== 8) throw new CorruptRecordError(`meta ${name} is ${value.length} bytes, expected 8`);
    const n = new DataView(value.buffer, value.byteOffset, 8).getBigUint64(0);
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new CorruptRecordError(`meta ${name} exceeds 2^53`);
    return Number(n);
  }

  /** Writes a named counter durably (committed and flushed before resolving). */
  async putNumber(name: string, value: number): Promise<void> {
    this.#checkOpen();
    checkMetaName(name);
    if (!Number.isSafeInteger(value) || value < 0) throw new InvalidMetaError(`${name} must be a non-negative safe integer`);
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(value));
    try {
      await this.#meta.put(name, bytes);
      await this.#root.flushed;
    } catch (err) {
      throw new StoreWriteError((err as Error).message);
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // Puts queued before close() still get written and answered.
    await this.#writeBatch();
    this.#closed = true;
    await this.#root.close();
  }

  #checkOpen(): void {
    if (this.#closed) throw new StoreClosedError();
  }
}

function checkMetaName(name: string): void {
  if (typeof name !== "string" || name.length === 0 || Buffer.byteLength(name) > MAX_META_NAME_BYTES) {
    throw new InvalidMetaError(`name must be 1..${MAX_META_NAME_BYTES} bytes`);
  }
}

function decodeFrozen(value: Uint8Array): FrozenEpoch {
  if (value.length !== ID_BYTES + 4) throw new CorruptRecordError(`frozen record is ${value.length} bytes`);
  return { digest: value.slice(0, ID_BYTES), count: new DataView(value.buffer, value.byteOffset).getUint32(ID_BYTES) };
}

function epochKey(epoch: number): Uint8Array {
  checkEpoch(epoch);
  const key = new Uint8Array(EPOCH_KEY_BYTES);
  new DataView(key.buffer).setUint32(0, epoch);
  return key;
}

function messageKey(epoch: number, id: Uint8Array): Uint8Array {
  if (!(id instanceof Uint8Array) || id.length !== ID_BYTES) throw new CorruptRecordError(`message id must be ${ID_BYTES} bytes`);
  const key = new Uint8Array(MESSAGE_KEY_BYTES);
  key.set(epochKey(epoch), 0);
  key.set(id, EPOCH_KEY_BYTES);
  return key;
}

/** First key of a bucket: epoch ‖ bucket byte. Bucket 256 is the first key of the next epoch. */
function bucketKey(epoch: number, bucket: number): Uint8Array {
  if (bucket >= BUCKET_COUNT) return epochRange(epoch).end;
  const key = new Uint8Array(EPOCH_KEY_BYTES + 1);
  key.set(epochKey(epoch), 0);
  key[EPOCH_KEY_BYTES] = bucket;
  return key;
}

function epochRange(epoch: number): { start: Uint8Array; end: Uint8Array } {
  // The last epoch's range ends at a key longer than any of its message keys.
  const end = epoch === 0xffff_ffff ? new Uint8Array(MESSAGE_KEY_BYTES + 1).fill(0xff) : epochKey(epoch + 1);
  return { start: epochKey(epoch), end };
}

function idOfKey(key: Uint8Array): Uint8Array {
  if (key.length !== MESSAGE_KEY_BYTES) throw new CorruptRecordError(`message key of ${key.length} bytes`);
  return Uint8Array.from(key.subarray(EPOCH_KEY_BYTES));
}

/** Lexicographic byte order (ids, keys, digests): the one chain/merkle sorts leaves by. */
export { compareBytes };

/** The id a stored or received frame claims by content: sha256(header ‖ body). */
export function idOfBytes(bytes: Uint8Array): Uint8Array {
  return sha256(bytes.subarray(0, Math.max(0, bytes.length - SIGNATURE_BYTES)));
}
