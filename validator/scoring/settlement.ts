import { compareBytes, type RewardLeaf, RewardMerkleTree, U64_MAX } from "../../chain/merkle.js";
import type { HotspotReward } from "./types.js";

export class RewardOverflowError extends Error {
  readonly code = "ERR_REWARD_OVERFLOW";
  constructor(message: string) {
    super(message);
    this.name = "RewardOverflowError";
  }
}

export interface Settlement {
  readonly rewards: HotspotReward[];
  readonly emitted: bigint;
  readonly cumulative: RewardLeaf[];
  readonly cumulativeTotal: bigint;
  readonly root: Uint8Array;
  readonly leafCount: number;
}

/**
 * Splits the epoch's emission by units and folds it into the cumulative leaves (DESIGN.md §5).
 *
 * Each hotspot gets floor(emission × units / Σunits). The remainder R (< number of earners) goes
 * one base unit each to the R hotspots with the largest fractional parts (emission × units mod
 * Σunits), ties broken by device key ascending (the largest-remainder method): the split always
 * sums to exactly the emission and no hotspot gets more than one unit above its exact share.
 * With no units at all nothing is emitted.
 */
export function settleEpoch(
  unitsByHotspot: ReadonlyArray<{ readonly hotspot: Uint8Array; readonly units: bigint }>,
  emission: bigint,
  previousCumulative: readonly RewardLeaf[],
): Settlement {
  const earners = unitsByHotspot.filter((e) => e.units > 0n).sort((a, b) => compareBytes(a.hotspot, b.hotspot));
  const totalUnits = earners.reduce((sum, e) => sum + e.units, 0n);
  const rewards: HotspotReward[] = [];
  let emitted = 0n;
  if (totalUnits > 0n) {
    const shares = earners.map((e) => ({ ...e, floor: (emission * e.units) / totalUnits, fraction: (emission * e.units) % totalUnits }));
    let remainder = emission - shares.reduce((sum, s) => sum + s.floor, 0n);
    const order = shares
      .map((s, i) => ({ i, fraction: s.fraction }))
      .sort((a, b) => (a.fraction === b.fraction ? a.i - b.i : a.fraction > b.fraction ? -1 : 1));
    const bonus = new Set<number>();
    for (const { i } of order) {
      if (remainder === 0n) break;
      bonus.add(i);
      remainder -= 1n;
    }
    shares.forEach((s, i) => {
      const amount = s.floor + (bonus.has(i) ? 1n : 0n);
      emitted += amount;
      rewards.push({ hotspot: s.hotspot, units: s.units, amount });
    });
  }

  const cumulativeByKey = new Map<string, RewardLeaf>();
  for (const leaf of previousCumulative) cumulativeByKey.set(Buffer.from(leaf.hotspot).toString("hex"), leaf);
  for (const reward of rewards) {
    if (reward.amount === 0n) continue;
    const key = Buffer.from(reward.hotspot).toString("hex");
    const before = cumulativeByKey.get(key)?.cumulativeAmount ?? 0n;
    const after = before + reward.amount;
    if (after > U64_MAX) throw new RewardOverflowError(`cumulative reward of ${key} exceeds u64`);
    cumulativeByKey.set(key, { hotspot: reward.hotspot, cumulativeAmount: after });
  }
  const tree = new RewardMerkleTree([...cumulativeByKey.values()].filter((l) => l.cumulativeAmount > 0n));
  const cumulativeTotal = tree.leaves.reduce((sum, l) => sum + l.cumulativeAmount, 0n);
  if (cumulativeTotal > U64_MAX) throw new RewardOverflowError("cumulative total exceeds u64");
  return { rewards, emitted, cumulative: [...tree.leaves], cumulativeTotal, root: tree.root, leafCount: tree.leafCount };
}
