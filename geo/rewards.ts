/**
 * Reward units per beacon in the shape of Helium's HIP-15 (DESIGN.md §5), in fixed point.
 *
 * With witness redundancy N and decay r, for w valid (selected) witnesses:
 *   beaconer = w/N            if w ≤ N,   2 − r^(w−N)        otherwise;
 *   witness  = 1 (each)       if w ≤ N,   (N − 1 + r^(w−N))/w otherwise.
 * r is a rational decayPpb / 10^9. Each unit value is the exact rational value of its formula,
 * floored once to a multiple of 10^-9 ({@link UNIT}); r^k is never rounded on its own (the
 * power is computed exactly as decayPpb^k / 10^(9k) with bigints).
 */
import { InvalidRewardConfigError, InvalidScaleError, InvalidWitnessCountError } from "./errors.js";

/** One reward unit in fixed point: 10^9 parts ("nano-units"). */
export const UNIT = 1_000_000_000n;
/** Parts-per-million of a density scale of 1. */
const PPM_ONE = 1_000_000n;

export interface RewardUnitConfig {
  /** N, the witness redundancy (HIP-15: 4). */
  readonly witnessRedundancy: number;
  /** r in parts per billion (HIP-15: 0.8 = 800_000_000). */
  readonly decayPpb: number;
}

/** HIP-15 values: N = 4, r = 0.8. */
export const HIP15_REWARD_CONFIG: RewardUnitConfig = { witnessRedundancy: 4, decayPpb: 800_000_000 };

/** Units for one beacon, in nano-units (bigint). */
export interface BeaconRewardUnits {
  readonly beaconer: bigint;
  /** Units of *each* of the w witnesses. */
  readonly perWitness: bigint;
}

/** @throws InvalidRewardConfigError */
export function validateRewardConfig(config: RewardUnitConfig): RewardUnitConfig {
  if (!Number.isSafeInteger(config.witnessRedundancy) || config.witnessRedundancy < 1) {
    throw new InvalidRewardConfigError(`witnessRedundancy must be a positive integer, got ${config.witnessRedundancy}`);
  }
  if (!Number.isSafeInteger(config.decayPpb) || config.decayPpb < 0 || config.decayPpb > Number(UNIT)) {
    throw new InvalidRewardConfigError(`decayPpb must be an integer in [0, ${UNIT}], got ${config.decayPpb}`);
  }
  return config;
}

function checkWitnessCount(witnessCount: number): bigint {
  if (!Number.isSafeInteger(witnessCount) || witnessCount < 0) throw new InvalidWitnessCountError(witnessCount);
  return BigInt(witnessCount);
}

/**
 * HIP-15 units of a beacon with `witnessCount` valid witnesses (before density scaling).
 * w = 0 earns nothing.
 * @throws InvalidWitnessCountError, InvalidRewardConfigError
 */
export function beaconRewardUnits(witnessCount: number, config: RewardUnitConfig = HIP15_REWARD_CONFIG): BeaconRewardUnits {
  validateRewardConfig(config);
  const w = checkWitnessCount(witnessCount);
  const n = BigInt(config.witnessRedundancy);
  if (w === 0n) return { beaconer: 0n, perWitness: 0n };
  if (w <= n) return { beaconer: (UNIT * w) / n, perWitness: UNIT };
  // r^k = decay^k / UNIT^k exactly.
  const k = w - n;
  const rNum = BigInt(config.decayPpb) ** k;
  const rDen = UNIT ** k;
  // beaconer = floor(UNIT·(2 − r^k)) = floor(UNIT·(2·rDen − rNum) / rDen)
  const beaconer = (UNIT * (2n * rDen - rNum)) / rDen;
  // witness = floor(UNIT·((N − 1)·rDen + rNum) / (w·rDen))
  const perWitness = (UNIT * ((n - 1n) * rDen + rNum)) / (w * rDen);
  return { beaconer, perWitness };
}

/**
 * Applies a density scale: floor(units × scalePpm / 10^6). DESIGN.md §5 scales both the
 * beaconer's and the witnesses' units by the *beaconer's* hex density scale.
 * @throws InvalidScaleError
 */
export function scaleRewardUnits(units: bigint, scalePpm: number): bigint {
  if (!Number.isSafeInteger(scalePpm) || scalePpm < 0 || scalePpm > Number(PPM_ONE)) throw new InvalidScaleError(scalePpm);
  if (units < 0n) throw new InvalidScaleError(`units ${units}`);
  return (units * BigInt(scalePpm)) / PPM_ONE;
}

/** Beaconer and per-witness units of one beacon after applying the beaconer's density scale. */
export function scaledBeaconRewardUnits(
  witnessCount: number,
  beaconerScalePpm: number,
  config: RewardUnitConfig = HIP15_REWARD_CONFIG,
): BeaconRewardUnits {
  const units = beaconRewardUnits(witnessCount, config);
  return {
    beaconer: scaleRewardUnits(units.beaconer, beaconerScalePpm),
    perWitness: scaleRewardUnits(units.perWitness, beaconerScalePpm),
  };
}
