/**
 * Integer free-space path loss and the validator's RSSI plausibility check (DESIGN.md §4).
 *
 * Reproducibility: FSPL is computed as 2000·log10(d·f) + 100·20·log10(4π/c) in centi-dB with the
 * bigint logarithm of fixed.ts (no `Math.log10`), then floored. Inputs are integers (metres, Hz,
 * deci-dBm, deci-dBi), so the result is the same integer on every machine and V8 build.
 */
import { InvalidRadioParameterError } from "./errors.js";
import { LOG_SCALE, floorDiv, log10Fixed } from "./fixed.js";

/** 20·log10(4π/c) × 10^30 (c = 299 792 458 m/s), from the 60-digit value −147.552216778116626192… */
const FSPL_CONSTANT_DB_FIXED = -147_552216778116626192270402609725n;
/** centi-dB per dB and deci-units per unit. */
const CENTI_PER_UNIT = 100n;
const CENTI_PER_DECI = 10n;
/** Distances below 1 m are clamped to 1 m (same rule as the float FSPL). */
const MIN_DISTANCE_M = 1;
/** Largest integer inputs accepted: 2^53 keeps them exact JS numbers. */
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function requireInteger(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > MAX_SAFE) {
    throw new InvalidRadioParameterError(name, value, `must be a safe integer >= ${min}`);
  }
  return value;
}

/**
 * Free-space path loss in centi-dB (1/100 dB), floored: floor(100 × 20·log10(4π·d·f/c)).
 * Distances below 1 m count as 1 m. Flooring the loss errs by < 0.01 dB toward a *higher* RSSI
 * bound, i.e. toward accepting a borderline witness.
 * @param distanceM whole metres (e.g. from cellCentreDistanceM)
 * @param frequencyHz whole hertz
 * @throws InvalidRadioParameterError
 */
export function freeSpacePathLossCentiDb(distanceM: number, frequencyHz: number): number {
  const d = Math.max(requireInteger("distanceM", distanceM, 0), MIN_DISTANCE_M);
  const f = requireInteger("frequencyHz", frequencyHz, 1);
  const db = 20n * log10Fixed(BigInt(d) * BigInt(f)) + FSPL_CONSTANT_DB_FIXED; // dB × 10^30
  return Number(floorDiv(db * CENTI_PER_UNIT, LOG_SCALE));
}

/** Integer inputs of the free-space RSSI bound, in the units the wire protocol carries. */
export interface FreeSpaceBoundInput {
  /** Distance between the asserted cell centres, whole metres. */
  readonly distanceM: number;
  readonly frequencyHz: number;
  /** Beaconer's declared transmit power, dBm × 10. */
  readonly txPowerDeciDbm: number;
  /** Beaconer's antenna gain, dBi × 10 (as registered on chain). */
  readonly txGainDeciDbi: number;
  /** Witness's antenna gain, dBi × 10. */
  readonly rxGainDeciDbi: number;
}

/**
 * The strongest plausible RSSI in centi-dBm: 10×(tx power + tx gain + rx gain) − FSPL(centi-dB).
 * @throws InvalidRadioParameterError
 */
export function maxPlausibleRssiCentiDbm(input: FreeSpaceBoundInput): number {
  const tx = requireSigned("txPowerDeciDbm", input.txPowerDeciDbm);
  const txGain = requireSigned("txGainDeciDbi", input.txGainDeciDbi);
  const rxGain = requireSigned("rxGainDeciDbi", input.rxGainDeciDbi);
  const fspl = freeSpacePathLossCentiDb(input.distanceM, input.frequencyHz);
  return (tx + txGain + rxGain) * Number(CENTI_PER_DECI) - fspl;
}

function requireSigned(name: string, value: number): number {
  if (!Number.isSafeInteger(value)) throw new InvalidRadioParameterError(name, value, "must be a safe integer");
  return value;
}

/**
 * The validator's "bad RSSI" rule as a pure integer predicate: true when the reported RSSI is at
 * most the free-space bound plus `marginDeciDb` (Helium used a margin of 0 and rejected only
 * "too strong"; a weak RSSI is always physically possible).
 * @param rssiDeciDbm reported RSSI, dBm × 10
 * @throws InvalidRadioParameterError
 */
export function rssiWithinFreeSpaceBound(
  rssiDeciDbm: number,
  bound: FreeSpaceBoundInput,
  marginDeciDb = 0,
): boolean {
  const rssi = requireSigned("rssiDeciDbm", rssiDeciDbm);
  const margin = requireSigned("marginDeciDb", marginDeciDb);
  if (margin < 0) throw new InvalidRadioParameterError("marginDeciDb", margin, "must not be negative");
  return rssi * Number(CENTI_PER_DECI) <= maxPlausibleRssiCentiDbm(bound) + margin * Number(CENTI_PER_DECI);
}
