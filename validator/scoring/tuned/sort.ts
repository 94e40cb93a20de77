/**
 * Sorting without per-element objects: (time, id) orders through one native Float64Array sort of
 * packed keys, and id orders through a two-pass LSD radix sort on the first 4 id bytes. Ties of
 * the packed key (equal times, or equal 4-byte id prefixes) are then settled by comparing whole
 * ids, which only touches the few rows involved (ids are uniformly random SHA-256 values).
 */
import { BYTES32 } from "./columns.js";
import { compareAt } from "./compare.js";

/** Largest integer a float64 holds exactly, plus one: 2^53. */
const TWO_POW_53 = 2 ** 53;

/** Row indices [0, count) ordered by (times[i], ids[i]) ascending: the reference's byTimeThenId. */
export function orderByTimeThenId(times: Float64Array, ids: Uint8Array, count: number): Int32Array {
  const order = new Int32Array(count);
  if (count === 0) return order;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let integral = true;
  for (let i = 0; i < count; i++) {
    const t = times[i]!;
    if (t < min) min = t;
    if (t > max) max = t;
    if (!Number.isInteger(t)) integral = false;
  }
  const indexSpan = 2 ** Math.ceil(Math.log2(count + 1));
  const byId = (x: number, y: number): number => compareAt(ids, x * BYTES32, ids, y * BYTES32);
  if (!integral || (max - min + 1) * indexSpan > TWO_POW_53) {
    // Times too spread out to pack: a comparator sort (correct, slower; never hit by real epochs).
    const rows = Array.from({ length: count }, (_, i) => i);
    rows.sort((x, y) => times[x]! - times[y]! || byId(x, y));
    order.set(rows);
    return order;
  }
  const packed = new Float64Array(count);
  for (let i = 0; i < count; i++) packed[i] = (times[i]! - min) * indexSpan + i;
  packed.sort();
  for (let i = 0; i < count; i++) {
    const p = packed[i]!;
    order[i] = p - Math.floor(p / indexSpan) * indexSpan;
  }
  // Equal times were ordered by row; the reference orders them by id.
  for (let start = 0; start < count; ) {
    let end = start + 1;
    while (end < count && times[order[end]!] === times[order[start]!]) end++;
    if (end - start > 1) {
      const run = Array.from(order.subarray(start, end)).sort(byId);
      order.set(run, start);
    }
    start = end;
  }
  return order;
}

/**
 * The scored-message records of an epoch, one Int32 each: a value below witnessCount is a witness
 * report's record (every scored report has exactly one), witnessCount + c is commit c's.
 */
export interface RecordSpace {
  readonly witnessId: Uint8Array;
  readonly commitId: Uint8Array;
  readonly witnessCount: number;
}

export function recordIdSource(space: RecordSpace, rec: number): Uint8Array {
  return rec < space.witnessCount ? space.witnessId : space.commitId;
}

export function recordIdOffset(space: RecordSpace, rec: number): number {
  const w = space.witnessCount;
  return (rec < w ? rec : rec - w) * BYTES32;
}

/**
 * Sorts `recs` in place by id ascending; records with equal ids keep their relative order
 * (the reference sorts outcomes with a stable comparator on the id).
 */
export function sortRecordsById(recs: Int32Array, space: RecordSpace): void {
  const n = recs.length;
  if (n < 2) return;
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const bytes = recordIdSource(space, recs[i]!);
    const at = recordIdOffset(space, recs[i]!);
    keys[i] = ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
  }
  radixPasses16(recs, new Int32Array(n), keys, new Uint32Array(n), n, new Int32Array(RADIX_COUNTS));
  settleIdTies(space, recs, keys, n);
}

/** Counters radixPasses16 needs: one per 16-bit digit value, plus one. */
export const RADIX_COUNTS = 65_537;

/**
 * Two stable counting-sort passes on the 16-bit digits of `keys[0..n)`, moving `recs` along.
 * After the two passes the sorted records and keys are back in `recs` and `keys`; the temp
 * arrays (at least n long) and `counts` (RADIX_COUNTS) are scratch.
 */
export function radixPasses16(recs: Int32Array, recsTemp: Int32Array, keys: Uint32Array, keysTemp: Uint32Array, n: number, counts: Int32Array): void {
  let recsIn = recs;
  let recsOut = recsTemp;
  let keysIn = keys;
  let keysOut = keysTemp;
  for (const shift of [0, 16]) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[((keysIn[i]! >>> shift) & 0xffff) + 1]!++;
    for (let d = 1; d <= 65_536; d++) counts[d]! += counts[d - 1]!;
    for (let i = 0; i < n; i++) {
      const k = keysIn[i]!;
      const slot = counts[(k >>> shift) & 0xffff]!++;
      recsOut[slot] = recsIn[i]!;
      keysOut[slot] = k;
    }
    [recsIn, recsOut] = [recsOut, recsIn];
    [keysIn, keysOut] = [keysOut, keysIn];
  }
}

/**
 * Orders each run of equal 4-byte keys by whole id; the sort is stable, so equal ids keep
 * their record order (the reference's stable comparator).
 */
export function settleIdTies(space: RecordSpace, recs: Int32Array, keys: Uint32Array, n: number): void {
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && keys[end] === keys[start]) end++;
    if (end - start > 1) {
      const run = Array.from(recs.subarray(start, end)).sort((x, y) =>
        compareAt(recordIdSource(space, x), recordIdOffset(space, x), recordIdSource(space, y), recordIdOffset(space, y)),
      );
      recs.set(run, start);
    }
    start = end;
  }
}

/**
 * Sorts `rows` in place by the 32-byte value at bytes[row × 32] ascending, keeping the relative
 * order of equal values (LSD radix sort on the first 4 bytes, then ties by whole value).
 */
export function sortRowsByBytes32(rows: Int32Array, bytes: Uint8Array): void {
  sortRecordsById(rows, { witnessId: bytes, commitId: bytes, witnessCount: Number.MAX_SAFE_INTEGER });
}
