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
  let keys: Uint32Array = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const bytes = recordIdSource(space, recs[i]!);
    const at = recordIdOffset(space, recs[i]!);
    keys[i] = ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
  }
  let recsIn: Int32Array = recs;
  let recsOut: Int32Array = new Int32Array(n);
  let keysOut: Uint32Array = new Uint32Array(n);
  const counts = new Int32Array(65_537);
  for (const shift of [0, 16]) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[((keys[i]! >>> shift) & 0xffff) + 1]!++;
    for (let d = 1; d <= 65_536; d++) counts[d]! += counts[d - 1]!;
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      const slot = counts[(k >>> shift) & 0xffff]!++;
      recsOut[slot] = recsIn[i]!;
      keysOut[slot] = k;
    }
    [recsIn, recsOut] = [recsOut, recsIn];
    [keys, keysOut] = [keysOut, keys];
  }
  // Two passes: the sorted data is back in `recs` (recsIn === recs).
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && keys[end] === keys[start]) end++;
    if (end - start > 1) {
      const run = Array.from(recsIn.subarray(start, end)).sort((x, y) =>
        compareAt(recordIdSource(space, x), recordIdOffset(space, x), recordIdSource(space, y), recordIdOffset(space, y)),
      );
      recsIn.set(run, start);
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
