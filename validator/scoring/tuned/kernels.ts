/**
 * The parallel parts of the tuned scorer, written as range kernels over typed arrays so the same
 * code runs inline (workers = 0) and inside worker threads (worker.ts). A kernel only writes its
 * own rows of the shared output arrays, so ranges never conflict and the result does not depend on
 * how the work was split.
 */
import { createHash } from "node:crypto";
import {
  type Cell,
  cellCentreDistanceM,
  cellCentreE7,
  cellGridDistance,
  cellParent,
  GridDistanceUnavailableError,
} from "../../../geo/index.js";
import { domainTag, MIN_PAYLOAD_BYTES } from "../../../protocol/index.js";
import type { ScoringConfig } from "../config.js";
import { OUTCOME_DIGEST_RECORD_BYTES, WITNESS_OUTCOMES, type WitnessOutcome } from "../types.js";
import { BYTES32, REVEAL_NONCE_BYTES, REVEAL_PAYLOAD_SLOT } from "./columns.js";
import { compareAt, equalBytes } from "./compare.js";
import { CERTIFY_MAX_DISTANCE_M, certifiedDistanceM, cosLatOfE7, floatDistanceMm, fsplCentiDb } from "./geometry.js";
import { sha256Blocks, WasmSha256 } from "./sha256-wasm.js";
import { LANES, Sha256x4, simdAvailable } from "./sha256x4.js";
import { RADIX_COUNTS, type RecordSpace, radixPasses16, recordIdOffset, recordIdSource, settleIdTies } from "./sort.js";
import { type Bytes32Table, tableFind } from "./table.js";

/** Witness outcome codes: indices into WITNESS_OUTCOMES (the digest's encoding). */
const code = (name: WitnessOutcome): number => WITNESS_OUTCOMES.indexOf(name);
export const W_VALID = code("valid");
export const W_NOT_SELECTED = code("not_selected");
export const W_UNKNOWN_BEACON = code("unknown_beacon");
export const W_BEACON_INVALID = code("beacon_invalid");
const W_UNKNOWN_WITNESS = code("unknown_witness");
const W_DENYLISTED = code("denylisted");
const W_SELF = code("self_witness");
const W_DUPLICATE = code("duplicate");
const W_OUTSIDE_WINDOW = code("outside_window");
const W_FREQUENCY = code("frequency_mismatch");
const W_DATA_RATE = code("data_rate_mismatch");
const W_BAD_PROOF = code("bad_proof");
const W_TOO_FAR = code("too_far");
const W_TOO_CLOSE = code("too_close");
const W_RSSI = code("rssi_too_strong");
const W_SNR = code("snr_implausible");

/** The domain tags of protocol/poc.ts and reference.ts, rebuilt from the same labels. */
const PAYLOAD_TAG = domainTag("hexcover/v1/beacon-payload");
const PAYLOAD_HASH_TAG = domainTag("hexcover/v1/payload-hash");
const WITNESS_PROOF_TAG = domainTag("hexcover/v1/witness-proof");
const RECORD_BYTES = OUTCOME_DIGEST_RECORD_BYTES;
/** Records hashed per node:crypto update (~2 MB). */
const DIGEST_CHUNK_RECORDS = 65_536;
/** A 32-byte key is 8 big-endian words, at the start of its key line. */
export const KEY_WORDS = 8;
/**
 * Everything the witness rules read about a witness's key, in one 64-byte cache line per key
 * (KernelContext.keyLines): at Helium scale the 400,000 keys' data does not fit in cache, and a
 * report that touched nine separate per-key arrays paid up to nine cache misses.
 * Int32 slots: 0-7 key words (big-endian), 8 centre latitude e7, 9 longitude e7, 10-11 cos(lat)
 * as a float64 (slot 5 of the Float64 view), 12 flags, 13 antenna gain (deci-dBi), 14 cell id.
 */
export const KEY_LINE_INTS = 16;
export const KEY_LINE_LAT = 8;
export const KEY_LINE_LNG = 9;
/** Index of cos(lat) in the Float64 view of a line (Int32 slots 10-11). */
export const KEY_LINE_COS_F64 = 5;
export const KEY_LINE_FLAGS = 12;
export const KEY_LINE_GAIN = 13;
export const KEY_LINE_CELL = 14;
export const KEY_FLAG_REGISTERED = 1;
export const KEY_FLAG_DENYLISTED = 2;
/**
 * Float distances beyond CERTIFY_MAX_DISTANCE_M are not certified; when the configured maximum
 * is at least this much smaller, such a pair is "too far" whatever its exact distance.
 */
const FAR_SCREEN_MARGIN_M = 1_000;
/** Buckets smaller than this are sorted natively (see #sortBucket); ≤ 2^21 so keys pack exactly. */
const RADIX_MIN_BUCKET = 32_768;
/** 2^21: key · PACK_SPAN + position < 2^53 for 32-bit keys. */
const PACK_SPAN = 2 ** 21;
/** Groups up to this size are sorted by insertion sort (typical groups hold ~15 reports). */
const INSERTION_SORT_MAX = 48;

/** Everything the kernels read and write; plain typed arrays (shared memory) plus the config. */
export interface KernelContext {
  readonly config: ScoringConfig;
  readonly keyCount: number;
  readonly keyBytes: Uint8Array;
  /** The same keys as big-endian 32-bit words (8 per key), the form the SIMD hasher takes. */
  /** One line of KEY_LINE_INTS per key (see KEY_LINE_INTS); keyLinesF64 is the same memory. */
  readonly keyLines: Int32Array;
  readonly keyLinesF64: Float64Array;
  readonly keyCell: Int32Array;
  readonly keyGainDeciDbi: Int32Array;
  readonly cells: readonly Cell[];
  /** Outputs of the "cells" kernel: centre in 1e-7 degrees (as geo quantizes it) and cos(lat). */
  readonly cellLatE7: Int32Array;
  readonly cellLngE7: Int32Array;
  readonly cellCosLat: Float64Array;

  readonly commitHotspot: Int32Array;
  readonly commitEntropyId: Uint8Array;
  readonly commitPayloadHash: Uint8Array;
  readonly commitTxTimeMs: Float64Array;
  readonly commitFrequencyHz: Float64Array;
  readonly commitDataRate: Uint8Array;
  readonly commitTxPowerDeciDbm: Int32Array;

  readonly revealNonce: Uint8Array;
  readonly revealPayload: Uint8Array;
  readonly revealPayloadLength: Uint8Array;
  /** Commit a reveal names (-1: none). */
  readonly revealCommit: Int32Array;
  /** Output of the "reveals" kernel: 1 when the payload derives from the commit and hashes to it. */
  readonly revealOk: Uint8Array;

  readonly witnessId: Uint8Array;
  readonly witnessKey: Int32Array;
  readonly witnessPayload: Int32Array;
  readonly payloadHashes: Uint8Array;
  readonly witnessProof: Uint8Array;
  readonly witnessRssiDeciDbm: Int16Array;
  readonly witnessSnrDeciDb: Int16Array;
  readonly witnessFrequencyHz: Float64Array;
  readonly witnessDataRate: Uint8Array;
  readonly witnessRxTimeMs: Float64Array;
  /** Payload hash -> group (the distinct payload hashes of all commits). */
  readonly groupTable: Bytes32Table;
  /** Output of the "groups" kernel: group of each distinct witness payload hash, -1 when no commit has it. */
  readonly payloadGroup: Int32Array;
  /** CSR: reports of group g are groupMembers[groupStart[g], groupStart[g + 1]). */
  readonly groupStart: Int32Array;
  readonly groupMembers: Int32Array;

  /** Valid beacons (commit indices), the first `validCount` rows; their group and payload reveal. */
  readonly validBeacons: Int32Array;
  readonly beaconGroup: Int32Array;
  readonly beaconReveal: Int32Array;
  /** Outputs of the "witnesses" kernel. */
  readonly witnessOutcome: Uint8Array;
  readonly selectedCount: Int32Array;
  /** Noise floor (deci-dBm) per data-rate code; NaN where the reference finds none. */
  readonly noiseFloorByDataRate: Float64Array;
  /** false: hash one message at a time even where WebAssembly SIMD exists (tests cover both). */
  readonly simd?: boolean;
  /** Buckets of at least this many records use radix passes (tests lower it to cover that path). */
  readonly radixMinBucket?: number;
}

/** Counters a kernel reports back (summed over workers). */
export interface KernelStats {
  distanceFallbacks: number;
  fsplFallbacks: number;
  farScreened: number;
  gridDistanceCalls: number;
  gridCacheHits: number;
  proofHashes: number;
}

export function emptyKernelStats(): KernelStats {
  return { distanceFallbacks: 0, fsplFallbacks: 0, farScreened: 0, gridDistanceCalls: 0, gridCacheHits: 0, proofHashes: 0 };
}

export function addKernelStats(into: KernelStats, from: KernelStats): void {
  for (const key of Object.keys(into) as Array<keyof KernelStats>) into[key] += from[key];
}

export type KernelName = "cells" | "reveals" | "groups" | "witnesses" | "sortBuckets" | "digest";

/**
 * The records stage's shared arrays (sent to workers once the records are classified): records
 * partitioned by the first id byte (MSD radix) and where the digest goes.
 */
export interface RecordsContext {
  readonly space: RecordSpace;
  /** Records, bucket b (first id byte b) at recSorted[bucketStart[b], bucketStart[b + 1]). */
  readonly recSorted: Int32Array;
  /** Id bytes 1-4 of each record in recSorted (big-endian), so bucket sorts read no ids. */
  readonly recKey: Uint32Array;
  readonly bucketStart: Int32Array;
  readonly beaconOutcome: Uint8Array;
  /** The 32-byte outcome digest, written by the "digest" kernel. */
  readonly digestOut: Uint8Array;
}

/** Per-thread scratch: the hasher and caches that live as long as one context. */
export class KernelRunner {
  readonly ctx: KernelContext;
  readonly #sha = new WasmSha256();
  /** Proof and selection hashers: each keeps "tag ‖ payload" of the current beacon in its input. */
  readonly #proofSha = new WasmSha256();
  /** Four-lane SIMD hasher, or null where WebAssembly SIMD is missing (then one at a time). */
  readonly #x4: Sha256x4 | null;
  readonly #prefix = new Uint8Array(128);
  #candidates = new Int32Array(64);
  #passed = new Uint8Array(64);
  #validRows = new Int32Array(64);
  #selectionPacked = new Float64Array(64);
  #order = new Int32Array(64);
  readonly #digest = new Uint8Array(BYTES32);
  /** Last beacon (+1) that saw each witness key: the reference's per-beacon `seenWitnesses` set. */
  readonly #seenBy: Int32Array;
  /** "too close" per (beaconer cell, witness cell), only for pairs under the 2 km screen. */
  readonly #tooCloseCache = new Map<number, boolean>();
  /** Res-11 (minWitnessDistanceResolution) parent per cell id, computed on first use. */
  readonly #parents: Array<Cell | undefined> = [];

  #records: RecordsContext | null = null;
  #radixKeys = new Uint32Array(0);
  #radixKeysOut = new Uint32Array(0);
  #radixRecsOut = new Int32Array(0);
  readonly #radixCounts = new Int32Array(RADIX_COUNTS);
  #packed = new Float64Array(0);
  #gather = new Int32Array(0);

  setRecords(records: RecordsContext): void {
    this.#records = records;
  }

  constructor(ctx: KernelContext) {
    this.ctx = ctx;
    this.#x4 = ctx.simd !== false && simdAvailable() ? new Sha256x4() : null;
    this.#seenBy = new Int32Array(ctx.keyCount);
  }

  run(kernel: KernelName, from: number, to: number, stats: KernelStats): void {
    if (kernel === "sortBuckets") this.sortBuckets(from, to);
    else if (kernel === "digest") this.digest(from, to);
    else if (kernel === "cells") this.cells(from, to);
    else if (kernel === "reveals") this.reveals(from, to);
    else if (kernel === "groups") this.groups(from, to);
    else this.witnesses(from, to, stats);
  }

  /**
   * Sorts buckets [from, to) of the records by id: LSD radix on id bytes 1-4 (or one native sort
   * for small buckets), then whole ids for the rare equal prefixes; stable, so a report recorded
   * twice keeps its record order.
   */
  sortBuckets(from: number, to: number): void {
    const records = this.#requireRecords();
    for (let b = from; b < to; b++) {
      this.#sortBucket(records.space, records.recSorted, records.recKey, records.bucketStart[b]!, records.bucketStart[b + 1]!);
    }
  }

  /**
   * outcomeDigest over sorted records [from, to) (the whole range: SHA-256 is sequential): each
   * record's id ‖ kind ‖ outcome code, fed to node:crypto in chunks. Runs on one worker while
   * the main thread computes density, units and the settlement.
   */
  digest(from: number, to: number): void {
    const records = this.#requireRecords();
    const { space, recSorted, beaconOutcome } = records;
    const W = space.witnessCount;
    const hash = createHash("sha256");
    const chunk = Buffer.alloc(DIGEST_CHUNK_RECORDS * RECORD_BYTES);
    for (let start = from; start < to; start += DIGEST_CHUNK_RECORDS) {
      const end = Math.min(to, start + DIGEST_CHUNK_RECORDS);
      // Gather the ids (random reads over hundreds of MB: the cost of this stage) as 8 words
      // each, so more reads are in flight at once; then lay out the 34-byte records sequentially.
      const gathered = this.#gatherIds(space, recSorted, start, end);
      let o = 0;
      for (let i = start, g = 0; i < end; i++, g += BYTES32) {
        const rec = recSorted[i]!;
        for (let k = 0; k < BYTES32; k++) chunk[o + k] = gathered[g + k]!;
        const beacon = rec >= W;
        chunk[o + BYTES32] = beacon ? 0 : 1;
        chunk[o + BYTES32 + 1] = beacon ? beaconOutcome[rec - W]! : this.ctx.witnessOutcome[rec]!;
        o += RECORD_BYTES;
      }
      hash.update(chunk.subarray(0, o));
    }
    records.digestOut.set(hash.digest());
  }

  #requireRecords(): RecordsContext {
    if (this.#records === null) throw new Error("records kernel run before the records context was sent");
    return this.#records;
  }

  /** Ids of recs[start, end) copied contiguously; returns a byte view of the copy. */
  #gatherIds(space: RecordSpace, recs: Int32Array, start: number, end: number): Uint8Array {
    const n = end - start;
    if (this.#gather.length < n * KEY_WORDS) this.#gather = new Int32Array(n * KEY_WORDS);
    const out = this.#gather;
    const W = space.witnessCount;
    const witnessWords = wordView(space.witnessId);
    const commitWords = wordView(space.commitId);
    if (witnessWords === null || commitWords === null) {
      const bytes = new Uint8Array(out.buffer, 0, n * BYTES32);
      for (let i = start, g = 0; i < end; i++, g += BYTES32) {
        const rec = recs[i]!;
        const source = recordIdSource(space, rec);
        const at = recordIdOffset(space, rec);
        for (let k = 0; k < BYTES32; k++) bytes[g + k] = source[at + k]!;
      }
      return bytes;
    }
    for (let i = start, g = 0; i < end; i++, g += KEY_WORDS) {
      const rec = recs[i]!;
      const words = rec >= W ? commitWords : witnessWords;
      const at = recordIdOffset(space, rec) >> 2;
      out[g] = words[at]!;
      out[g + 1] = words[at + 1]!;
      out[g + 2] = words[at + 2]!;
      out[g + 3] = words[at + 3]!;
      out[g + 4] = words[at + 4]!;
      out[g + 5] = words[at + 5]!;
      out[g + 6] = words[at + 6]!;
      out[g + 7] = words[at + 7]!;
    }
    return new Uint8Array(out.buffer, 0, n * BYTES32);
  }

  #sortBucket(space: RecordSpace, recs: Int32Array, recKey: Uint32Array, start: number, end: number): void {
    const n = end - start;
    if (n < 2) return;
    if (this.#radixKeys.length < n) {
      this.#radixKeys = new Uint32Array(n);
      this.#radixKeysOut = new Uint32Array(n);
      this.#radixRecsOut = new Int32Array(n);
    }
    const keys = this.#radixKeys;
    const keysOut = this.#radixKeysOut;
    const recsIn: Int32Array = recs.subarray(start, end);
    const recsOut: Int32Array = this.#radixRecsOut;
    keys.set(recKey.subarray(start, end));
    if (n < (this.ctx.radixMinBucket ?? RADIX_MIN_BUCKET)) {
      // Small bucket: the two 65,536-counter passes would cost more than the data. One native
      // sort of key · 2^21 + position (exact in a float64, n < 2^21) is stable by construction.
      if (this.#packed.length < n) this.#packed = new Float64Array(n);
      const packed = this.#packed.subarray(0, n);
      for (let i = 0; i < n; i++) packed[i] = keys[i]! * PACK_SPAN + i;
      packed.sort();
      for (let i = 0; i < n; i++) {
        const p = packed[i]!;
        const position = p % PACK_SPAN;
        recsOut[i] = recsIn[position]!;
        keysOut[i] = (p - position) / PACK_SPAN;
      }
      recsIn.set(recsOut.subarray(0, n));
      keys.set(keysOut.subarray(0, n));
    } else {
      radixPasses16(recsIn, recsOut, keys, keysOut, n, this.#radixCounts);
    }
    settleIdTies(space, recsIn, keys, n);
  }

  /** Cell centres exactly as geo's cellCentreE7 quantizes them (one h3 call per cell, not per pair). */
  cells(from: number, to: number): void {
    const { cells, cellLatE7, cellLngE7, cellCosLat } = this.ctx;
    for (let i = from; i < to; i++) {
      const { latE7, lngE7 } = cellCentreE7(cells[i]!);
      cellLatE7[i] = latE7;
      cellLngE7[i] = lngE7;
      cellCosLat[i] = cosLatOfE7(latE7);
    }
  }

  /** deriveBeaconPayload(commit entropy, commit hotspot, nonce, length) = payload and H(payload) = commit hash. */
  reveals(from: number, to: number): void {
    const c = this.ctx;
    const sha = this.#sha;
    const input = sha.input;
    const digest = this.#digest;
    for (let r = from; r < to; r++) {
      const commit = c.revealCommit[r]!;
      c.revealOk[r] = 0;
      if (commit < 0) continue;
      const length = c.revealPayloadLength[r]!;
      if (length < MIN_PAYLOAD_BYTES || length > REVEAL_PAYLOAD_SLOT) continue;
      input.set(PAYLOAD_TAG, 0);
      let at = PAYLOAD_TAG.length;
      input.set(c.commitEntropyId.subarray(commit * BYTES32, commit * BYTES32 + BYTES32), at);
      at += BYTES32;
      const key = c.commitHotspot[commit]! * BYTES32;
      input.set(c.keyBytes.subarray(key, key + BYTES32), at);
      at += BYTES32;
      input.set(c.revealNonce.subarray(r * REVEAL_NONCE_BYTES, (r + 1) * REVEAL_NONCE_BYTES), at);
      at += REVEAL_NONCE_BYTES;
      sha.digest(at, digest, 0);
      const payloadAt = r * REVEAL_PAYLOAD_SLOT;
      if (!equalBytes(digest, 0, c.revealPayload, payloadAt, length)) continue;
      input.set(PAYLOAD_HASH_TAG, 0);
      input.set(c.revealPayload.subarray(payloadAt, payloadAt + length), PAYLOAD_HASH_TAG.length);
      sha.digest(PAYLOAD_HASH_TAG.length + length, digest, 0);
      if (equalBytes(digest, 0, c.commitPayloadHash, commit * BYTES32, BYTES32)) c.revealOk[r] = 1;
    }
  }

  /** Payload hash -> group through the open-addressing table. */
  groups(from: number, to: number): void {
    const { groupTable, payloadHashes, payloadGroup } = this.ctx;
    for (let p = from; p < to; p++) payloadGroup[p] = tableFind(groupTable, payloadHashes, p * BYTES32);
  }

  /**
   * The witness rules of DESIGN.md §4 for valid beacons validBeacons[from, to), then selection.
   * Per beacon in three passes, so that the SHA-256 work runs four lanes at a time: (A) the
   * rules before the proof, in (rx time, id) order (they decide "duplicate", so order matters);
   * (B) the proofs of the reports still standing; (C) the geometric and radio rules. A report's
   * outcome is the first rule it fails, exactly as in reference.ts checkWitness.
   */
  witnesses(from: number, to: number, stats: KernelStats): void {
    const c = this.ctx;
    const cfg = c.config;
    const seenBy = this.#seenBy;
    const keyLines = c.keyLines;
    const farIsEnough = cfg.maxWitnessDistanceM < CERTIFY_MAX_DISTANCE_M - FAR_SCREEN_MARGIN_M;
    for (let v = from; v < to; v++) {
      const b = c.validBeacons[v]!;
      const g = c.beaconGroup[b]!;
      const start = c.groupStart[g]!;
      const end = c.groupStart[g + 1]!;
      this.#sortGroup(start, end);
      this.#reserve(end - start);
      const candidates = this.#candidates;
      const passed = this.#passed;
      const beaconer = c.commitHotspot[b]!;
      const txTime = c.commitTxTimeMs[b]!;
      const frequency = c.commitFrequencyHz[b]!;
      const dataRate = c.commitDataRate[b]!;
      const stamp = v + 1;
      // (A) Registration, denylist, self, duplicate, window, frequency, data rate.
      let count = 0;
      for (let i = start; i < end; i++) {
        const w = c.groupMembers[i]!;
        const key = c.witnessKey[w]!;
        let outcome = -1;
        const flags = keyLines[key * KEY_LINE_INTS + KEY_LINE_FLAGS]!;
        if ((flags & KEY_FLAG_REGISTERED) === 0) outcome = W_UNKNOWN_WITNESS;
        else if ((flags & KEY_FLAG_DENYLISTED) !== 0) outcome = W_DENYLISTED;
        else if (key === beaconer) outcome = W_SELF;
        else if (seenBy[key] === stamp) outcome = W_DUPLICATE;
        else {
          // One report per witness per beacon: the earliest (rx time, id) is the one judged.
          seenBy[key] = stamp;
          const delay = c.witnessRxTimeMs[w]! - txTime;
          if (delay > cfg.maxWitnessDelayMs || delay < -cfg.maxWitnessEarlyMs) outcome = W_OUTSIDE_WINDOW;
          else if (Math.abs(c.witnessFrequencyHz[w]! - frequency) > cfg.maxFrequencyDeltaHz) outcome = W_FREQUENCY;
          else if (c.witnessDataRate[w] !== dataRate) outcome = W_DATA_RATE;
        }
        if (outcome === -1) candidates[count++] = w;
        else c.witnessOutcome[w] = outcome;
      }
      // (B) Proofs: sha256(tag ‖ payload ‖ witness key) = reported proof.
      const reveal = c.beaconReveal[b]!;
      this.#checkProofs(reveal, candidates, count);
      stats.proofHashes += count;
      // (C) Distance, "too close", RSSI and SNR bounds.
      const beaconerCell = c.keyCell[beaconer]!;
      const txBudget = c.commitTxPowerDeciDbm[b]! + c.keyGainDeciDbi[beaconer]!;
      let validCount = 0;
      const validRows = this.#validRows;
      for (let k = 0; k < count; k++) {
        const w = candidates[k]!;
        const outcome = passed[k] === 1 ? this.#judge(w, c.witnessKey[w]!, beaconerCell, frequency, dataRate, txBudget, farIsEnough, stats) : W_BAD_PROOF;
        if (outcome === W_VALID) validRows[validCount++] = w;
        else c.witnessOutcome[w] = outcome;
      }
      const max = cfg.maxWitnessesPerBeacon;
      if (validCount > max) {
        // Only needed when there is a choice: with ≤ max valid reports every one is selected.
        // The selection key is the (verified) proof itself: reference.ts witnessSelectionKey.
        const order = this.#selectionOrder(c.witnessProof, validRows, validCount);
        for (let k = 0; k < validCount; k++) c.witnessOutcome[validRows[order[k]!]!] = k < max ? W_VALID : W_NOT_SELECTED;
        c.selectedCount[b] = max;
      } else {
        for (let k = 0; k < validCount; k++) c.witnessOutcome[validRows[k]!] = W_VALID;
        c.selectedCount[b] = validCount;
      }
    }
  }

  /**
   * Indices [0, n) ordered by the 32-byte keys of rows[k] in `keys` ascending, ties by index (the
   * reference's stable sort): one native sort of (first 4 key bytes) · 2^21 + index, then whole
   * keys for equal prefixes (which takes two keys that agree on 32 bits: rare, but handled).
   */
  #selectionOrder(keys: Uint8Array, rows: Int32Array, n: number): Int32Array {
    if (this.#selectionPacked.length < n) this.#selectionPacked = new Float64Array(n);
    if (this.#order.length < n) this.#order = new Int32Array(n);
    const packed = this.#selectionPacked.subarray(0, n);
    for (let k = 0; k < n; k++) {
      const at = rows[k]! * BYTES32;
      const prefix = ((keys[at]! << 24) | (keys[at + 1]! << 16) | (keys[at + 2]! << 8) | keys[at + 3]!) >>> 0;
      packed[k] = prefix * PACK_SPAN + k;
    }
    packed.sort();
    const order = this.#order.subarray(0, n);
    for (let k = 0; k < n; k++) order[k] = packed[k]! % PACK_SPAN;
    for (let i = 0; i < n; ) {
      let j = i + 1;
      const prefix = Math.floor(packed[i]! / PACK_SPAN);
      while (j < n && Math.floor(packed[j]! / PACK_SPAN) === prefix) j++;
      if (j - i > 1) {
        const run = Array.from(order.subarray(i, j)).sort((x, y) => compareAt(keys, rows[x]! * BYTES32, keys, rows[y]! * BYTES32) || x - y);
        order.set(run, i);
      }
      i = j;
    }
    return order;
  }

  /** Grows the per-beacon scratch arrays to hold `n` reports. */
  #reserve(n: number): void {
    if (n <= this.#candidates.length) return;
    this.#candidates = new Int32Array(n);
    this.#passed = new Uint8Array(n);
    this.#validRows = new Int32Array(n);
  }

  /**
   * #passed[k] = 1 when sha256(proof tag ‖ payload of `reveal` ‖ key of rows[k]) equals the
   * report's proof, for k < count: four at a time with SIMD (one at a time without it).
   */
  #checkProofs(reveal: number, rows: Int32Array, count: number): void {
    if (count === 0) return;
    const c = this.ctx;
    const tag = WITNESS_PROOF_TAG;
    const payloadAt = reveal * REVEAL_PAYLOAD_SLOT;
    const payloadLength = c.revealPayloadLength[reveal]!;
    const passed = this.#passed;
    const x4 = this.#x4;
    if (x4 === null) {
      const sha = this.#proofSha;
      const keyAt = this.#setPrefix(sha, tag, payloadAt, payloadLength);
      for (let k = 0; k < count; k++) {
        this.#hashKey(sha, keyAt, c.witnessKey[rows[k]!]!);
        passed[k] = sha.equals(c.witnessProof, rows[k]! * BYTES32) ? 1 : 0;
      }
      return;
    }
    const prefix = this.#prefix;
    prefix.set(tag, 0);
    for (let i = 0; i < payloadLength; i++) prefix[tag.length + i] = c.revealPayload[payloadAt + i]!;
    x4.setPrefix(prefix, tag.length + payloadLength, BYTES32);
    for (let k = 0; k < count; k += LANES) {
      const lanes = Math.min(LANES, count - k);
      for (let lane = 0; lane < lanes; lane++) x4.setTailWords(lane, c.keyLines, c.witnessKey[rows[k + lane]!]! * KEY_LINE_INTS);
      x4.hash();
      for (let lane = 0; lane < lanes; lane++) passed[k + lane] = x4.equals(lane, c.witnessProof, rows[k + lane]! * BYTES32) ? 1 : 0;
    }
  }

  /** Rules from "too far" on (checkWitness in reference.ts), for a report whose proof holds. */
  #judge(
    w: number,
    key: number,
    beaconerCell: number,
    frequency: number,
    dataRate: number,
    txBudget: number,
    farIsEnough: boolean,
    stats: KernelStats,
  ): number {
    const c = this.ctx;
    const cfg = c.config;
    const line = key * KEY_LINE_INTS;
    const lines = c.keyLines;
    const witnessCell = lines[line + KEY_LINE_CELL]!;
    let distanceM = certifiedDistanceM(
      floatDistanceMm(
        c.cellLatE7[beaconerCell]!,
        c.cellLngE7[beaconerCell]!,
        c.cellCosLat[beaconerCell]!,
        lines[line + KEY_LINE_LAT]!,
        lines[line + KEY_LINE_LNG]!,
        c.keyLinesF64[key * (KEY_LINE_INTS / 2) + KEY_LINE_COS_F64]!,
      ),
      farIsEnough,
    );
    if (distanceM === -1) {
      stats.distanceFallbacks++;
      distanceM = cellCentreDistanceM(c.cells[beaconerCell]!, c.cells[witnessCell]!);
    } else if (distanceM === Number.POSITIVE_INFINITY) stats.farScreened++;
    if (distanceM > cfg.maxWitnessDistanceM) return W_TOO_FAR;
    if (distanceM < cfg.tooCloseScreenM && this.#tooClose(beaconerCell, witnessCell, distanceM, stats)) return W_TOO_CLOSE;
    const fspl = fsplCentiDb(distanceM, frequency, stats);
    const rssi = c.witnessRssiDeciDbm[w]!;
    // rssiWithinFreeSpaceBound: rssi·10 ≤ (tx power + tx gain + rx gain)·10 − FSPL + margin·10.
    if (rssi * 10 > (txBudget + lines[line + KEY_LINE_GAIN]!) * 10 - fspl + cfg.rssiMarginDeciDb * 10) return W_RSSI;
    if (c.witnessSnrDeciDb[w]! > rssi - c.noiseFloorByDataRate[dataRate]! + cfg.snrMarginDeciDb) return W_SNR;
    return W_VALID;
  }

  /**
   * reference.ts isTooClose for a pair under the screen distance: grid distance of the res-11
   * parents (computed once per cell) below the minimum, or — where h3 has no grid distance, near
   * pentagons — the centre distance below the fallback.
   */
  #tooClose(a: number, b: number, distanceM: number, stats: KernelStats): boolean {
    const cfg = this.ctx.config;
    const fallback = distanceM < cfg.minWitnessDistanceFallbackM;
    // The answer depends on the distance only through `fallback`: cache per (a, b, fallback).
    const cacheKey = (a * this.ctx.cells.length + b) * 2 + (fallback ? 1 : 0);
    const cached = this.#tooCloseCache.get(cacheKey);
    if (cached !== undefined) {
      stats.gridCacheHits++;
      return cached;
    }
    stats.gridDistanceCalls++;
    let result: boolean;
    try {
      result = cellGridDistance(this.#parent(a), this.#parent(b)) < cfg.minWitnessGridDistance;
    } catch (err) {
      if (!(err instanceof GridDistanceUnavailableError)) throw err;
      result = fallback;
    }
    this.#tooCloseCache.set(cacheKey, result);
    return result;
  }

  #parent(cell: number): Cell {
    let parent = this.#parents[cell];
    if (parent === undefined) {
      parent = cellParent(this.ctx.cells[cell]!, this.ctx.config.minWitnessDistanceResolution);
      this.#parents[cell] = parent;
    }
    return parent;
  }

  /**
   * Writes tag ‖ payload and the padding of tag ‖ payload ‖ key into a hasher's input: per
   * witness only the key bytes change. Returns the offset of the key.
   */
  #setPrefix(sha: WasmSha256, tag: Uint8Array, payloadAt: number, payloadLength: number): number {
    const input = sha.input;
    const payload = this.ctx.revealPayload;
    input.set(tag, 0);
    const at = tag.length;
    for (let i = 0; i < payloadLength; i++) input[at + i] = payload[payloadAt + i]!;
    const keyAt = at + payloadLength;
    sha.pad(keyAt + BYTES32);
    return keyAt;
  }

  /** sha256(prefix ‖ key) of a hasher prepared by #setPrefix; the result stays in the hasher. */
  #hashKey(sha: WasmSha256, keyAt: number, key: number): void {
    const input = sha.input;
    const keys = this.ctx.keyBytes;
    const from = key * BYTES32;
    for (let i = 0; i < BYTES32; i++) input[keyAt + i] = keys[from + i]!;
    sha.hashPadded(sha256Blocks(keyAt + BYTES32));
  }

  /** Orders a group's reports by (rx time, id), the reference's byTimeThenId. */
  #sortGroup(start: number, end: number): void {
    const { groupMembers: m, witnessRxTimeMs: rx, witnessId: ids } = this.ctx;
    const before = (x: number, y: number): boolean => {
      const dt = rx[x]! - rx[y]!;
      return dt < 0 || (dt === 0 && compareAt(ids, x * BYTES32, ids, y * BYTES32) < 0);
    };
    if (end - start <= INSERTION_SORT_MAX) {
      for (let i = start + 1; i < end; i++) {
        const x = m[i]!;
        let j = i - 1;
        while (j >= start && before(x, m[j]!)) {
          m[j + 1] = m[j]!;
          j--;
        }
        m[j + 1] = x;
      }
      return;
    }
    const rows = Array.from(m.subarray(start, end));
    rows.sort((x, y) => rx[x]! - rx[y]! || compareAt(ids, x * BYTES32, ids, y * BYTES32));
    m.set(rows, start);
  }
}

export { compareAt, equalBytes } from "./compare.js";

/** A 32-bit view of packed bytes (same memory, same byte order), or null when unaligned. */
function wordView(bytes: Uint8Array): Int32Array | null {
  if (bytes.byteOffset % 4 !== 0 || bytes.byteLength % 4 !== 0) return null;
  return new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}
