/**
 * settlement.ts's settleEpoch, bit for bit, at 400,000 hotspots: the reference version spends
 * ~15 µs per hotspot in hex-string Maps, bigint sorts and one node:crypto call per Merkle node.
 * Here keys stay packed in one Uint8Array and are ordered by radix sort, the largest-remainder
 * bonus is found with one native BigUint64Array sort, and the tree is hashed with the
 * WebAssembly SHA-256. Unusual inputs (a previous leaf whose key is not 32 bytes or whose amount is
 * not a u64, unit totals ≥ 2^64) go to settleEpoch itself, so errors are the reference's too.
 */
import { LEAF_PREFIX, NODE_PREFIX, type RewardLeaf, U64_MAX } from "../../../chain/merkle.js";
import { RewardOverflowError, type Settlement, settleEpoch } from "../settlement.js";
import type { HotspotReward } from "../types.js";
import { BYTES32 } from "./columns.js";
import { WasmSha256 } from "./sha256-wasm.js";
import { sortRowsByBytes32 } from "./sort.js";

const U64_BYTES = 8;
const TWO_POW_64 = 1n << 64n;

/**
 * @param keyBytes packed 32-byte hotspot keys
 * @param earners key indices with units > 0 (any order, no repeats)
 * @param unitsOf units of a key index
 */
export function settleEpochFast(
  keyBytes: Uint8Array,
  earners: Int32Array,
  unitsOf: (key: number) => bigint,
  emission: bigint,
  previousCumulative: readonly RewardLeaf[],
): Settlement {
  const unusualLeaf = previousCumulative.some((l) => l.hotspot.length !== BYTES32 || l.cumulativeAmount < 0n || l.cumulativeAmount > U64_MAX);
  const n = earners.length;
  const sorted = Int32Array.from(earners);
  sortRowsByBytes32(sorted, keyBytes);
  const units = Array.from(sorted, (k) => unitsOf(k));
  let totalUnits = 0n;
  for (const u of units) totalUnits += u;
  if (unusualLeaf || totalUnits >= TWO_POW_64 || emission >= TWO_POW_64) {
    return settleEpoch(
      Array.from(sorted, (k, i) => ({ hotspot: keyBytes.slice(k * BYTES32, (k + 1) * BYTES32), units: units[i]! })),
      emission,
      previousCumulative,
    );
  }

  // Shares: floor(emission × units / Σ) each; the remainder R goes one unit each to the R largest
  // fractions (emission × units mod Σ), ties to the smaller key (= smaller index here).
  const amounts = new Array<bigint>(n);
  const fractions = new BigUint64Array(n);
  let floorSum = 0n;
  for (let i = 0; i < n; i++) {
    const product = emission * units[i]!;
    const floor = product / totalUnits;
    amounts[i] = floor;
    fractions[i] = product % totalUnits;
    floorSum += floor;
  }
  let remainder = n === 0 ? 0n : emission - floorSum;
  if (remainder > 0n) {
    const ascending = fractions.slice().sort();
    const threshold = ascending[n - Number(remainder)]!; // the R-th largest fraction
    for (let i = 0; i < n; i++) {
      if (fractions[i]! > threshold) {
        amounts[i]! += 1n;
        remainder -= 1n;
      }
    }
    for (let i = 0; i < n && remainder > 0n; i++) {
      if (fractions[i] === threshold) {
        amounts[i]! += 1n;
        remainder -= 1n;
      }
    }
  }
  const rewards: HotspotReward[] = new Array(n);
  let emitted = 0n;
  for (let i = 0; i < n; i++) {
    const k = sorted[i]!;
    rewards[i] = { hotspot: keyBytes.slice(k * BYTES32, (k + 1) * BYTES32), units: units[i]!, amount: amounts[i]! };
    emitted += amounts[i]!;
  }

  // Cumulative leaves: previous ones (the last of equal keys wins, as in a Map) merged with this
  // epoch's non-zero rewards, both in key order.
  const prevCount = previousCumulative.length;
  const prevKeys = new Uint8Array(prevCount * BYTES32);
  previousCumulative.forEach((leaf, i) => {
    prevKeys.set(leaf.hotspot, i * BYTES32);
  });
  const prevOrder = Int32Array.from({ length: prevCount }, (_, i) => i);
  sortRowsByBytes32(prevOrder, prevKeys);
  const leaves: RewardLeaf[] = [];
  let p = 0;
  let r = 0;
  const cmp = (a: Uint8Array, aAt: number, b: Uint8Array, bAt: number): number => {
    for (let i = 0; i < BYTES32; i++) {
      const d = a[aAt + i]! - b[bAt + i]!;
      if (d !== 0) return d;
    }
    return 0;
  };
  while (p < prevCount || r < n) {
    // Skip to the last previous leaf of a run of equal keys.
    while (p + 1 < prevCount && cmp(prevKeys, prevOrder[p]! * BYTES32, prevKeys, prevOrder[p + 1]! * BYTES32) === 0) p++;
    while (r < n && amounts[r] === 0n) r++;
    const hasPrev = p < prevCount;
    const hasReward = r < n;
    if (!hasPrev && !hasReward) break;
    const order = !hasPrev ? 1 : !hasReward ? -1 : cmp(prevKeys, prevOrder[p]! * BYTES32, keyBytes, sorted[r]! * BYTES32);
    if (order < 0) {
      const leaf = previousCumulative[prevOrder[p]!]!;
      if (leaf.cumulativeAmount > 0n) leaves.push(leaf);
      p++;
    } else {
      const before = order === 0 ? previousCumulative[prevOrder[p]!]!.cumulativeAmount : 0n;
      const after = before + amounts[r]!;
      const hotspot = rewards[r]!.hotspot;
      if (after > U64_MAX) throw new RewardOverflowError(`cumulative reward of ${Buffer.from(hotspot).toString("hex")} exceeds u64`);
      if (after > 0n) leaves.push({ hotspot, cumulativeAmount: after });
      if (order === 0) p++;
      r++;
    }
  }
  let cumulativeTotal = 0n;
  for (const leaf of leaves) cumulativeTotal += leaf.cumulativeAmount;
  if (cumulativeTotal > U64_MAX) throw new RewardOverflowError("cumulative total exceeds u64");
  return { rewards, emitted, cumulative: leaves, cumulativeTotal, root: merkleRoot(leaves), leafCount: leaves.length };
}

/** chain/merkle.ts's RewardMerkleTree root for leaves already sorted by key. */
export function merkleRoot(leaves: readonly RewardLeaf[]): Uint8Array {
  if (leaves.length === 0) return new Uint8Array(BYTES32);
  const sha = new WasmSha256();
  const input = sha.input;
  let level = new Uint8Array(leaves.length * BYTES32);
  leaves.forEach((leaf, i) => {
    input[0] = LEAF_PREFIX;
    input.set(leaf.hotspot, 1);
    let amount = leaf.cumulativeAmount;
    for (let b = 0; b < U64_BYTES; b++) {
      input[1 + BYTES32 + b] = Number(amount & 0xffn);
      amount >>= 8n;
    }
    sha.digest(1 + BYTES32 + U64_BYTES, level, i * BYTES32);
  });
  let width = leaves.length;
  while (width > 1) {
    const nextWidth = Math.ceil(width / 2);
    const next = new Uint8Array(nextWidth * BYTES32);
    for (let i = 0; i < width; i += 2) {
      if (i + 1 < width) {
        input[0] = NODE_PREFIX;
        input.set(level.subarray(i * BYTES32, (i + 2) * BYTES32), 1);
        sha.digest(1 + 2 * BYTES32, next, (i / 2) * BYTES32);
      } else {
        next.set(level.subarray(i * BYTES32, (i + 1) * BYTES32), (i / 2) * BYTES32); // odd node promoted
      }
    }
    level = next;
    width = nextWidth;
  }
  return level.slice(0, BYTES32);
}
