/**
 * "Certified rounding" for the two exact geo functions of the witness rules, which cost tens of
 * µs per call in bigint arithmetic (docs/BENCHMARKS.md "## geo"): cellCentreDistanceM and
 * freeSpacePathLossCentiDb. Both end by rounding a real number to an integer. We evaluate the same
 * formula in float64; when the float result lies farther than a safe epsilon from the rounding
 * boundary, the rounded float equals the rounded exact value (the float error is orders of
 * magnitude below the epsilon, see below), otherwise we call geo's exact function. The caller
 * counts fallbacks. Results are therefore bit-identical to geo's, on any machine whose Math.sin/
 * cos/asin/sqrt/log10 are accurate to a few ulp (ECMA-262 requires "implementation-approximated";
 * V8, SpiderMonkey and JSC are within 1-2 ulp), and a wildly wrong libm would only cost speed
 * if its error stayed below the epsilon — the bound we rely on is 10^6 × tighter than needed.
 *
 * Distance. geo computes e = R_mm · 2·asin(√a) in 10^24 fixed point (truncation error < 10^-20 mm)
 * and returns m = floor((floor(e + 0.5) + 500) / 1000) = floor((e + 500.5) / 1000) (floor of a
 * floor by an integer). The float haversine of the same E7 inputs has relative error < 10^-14 for
 * d ≤ 1000 km (a few ulp per operation, no cancellation: the latitude and longitude differences
 * are taken on exact integers), i.e. < 10^-5 mm; we require (e + 500.5)/1000 to be at least
 * 10^-6 m (10^-3 mm, 100× the error) away from an integer. Beyond 1000 km asin's conditioning
 * grows, so we do not certify there: such a pair is "too far" without an exact value whenever the
 * configured maximum is below that (the default is 100 km), and is computed exactly otherwise.
 *
 * FSPL. geo returns floor(100 · (20·log10(d·f) + 20·log10(4π/c))) with a 10^-30 fixed-point log
 * (error < 10^-20 centi-dB). d·f < 2^53 is exact in float64; Math.log10 is within 2 ulp (≤ 8e-15 at
 * values ≤ 16), so the float value is within 2e-11 centi-dB; we require 10^-6 centi-dB of margin.
 */
import { freeSpacePathLossCentiDb } from "../../../geo/index.js";

/** geo's EARTH_RADIUS_MM (6 371 007 181 mm, h3's authalic radius), as a float. */
const EARTH_RADIUS_MM_FLOAT = 6_371_007_181;
/** 1e-7 degree in radians: π / 1.8e9 (geo uses π to 24 digits; the difference is < 1e-16 relative). */
const RADIANS_PER_E7 = Math.PI / 1_800_000_000;
/** Degrees × 1e7 in half a turn, to bring the longitude difference into [-180°, 180°] like geo. */
const E7_PER_HALF_TURN = 1_800_000_000;
/** Required distance from a rounding boundary, in the unit being rounded (m and centi-dB). */
export const CERTIFY_EPSILON = 1e-6;
/** Float distances are certified only up to this many metres (see above). */
export const CERTIFY_MAX_DISTANCE_M = 1_000_000;
/** 20·log10(4π/c) in centi-dB as a float (geo's FSPL_CONSTANT_DB_FIXED, -147.5522167781166 dB). */
const FSPL_CONSTANT_CENTI_DB = -14_755.221677811664;
/** geo clamps distances below 1 m to 1 m. */
const MIN_DISTANCE_M = 1;

/** Float haversine distance in mm between E7 points, the same formula geo evaluates exactly. */
export function floatDistanceMm(latA: number, lngA: number, cosLatA: number, latB: number, lngB: number, cosLatB: number): number {
  let dLng = lngB - lngA;
  if (dLng > E7_PER_HALF_TURN) dLng -= 2 * E7_PER_HALF_TURN;
  if (dLng < -E7_PER_HALF_TURN) dLng += 2 * E7_PER_HALF_TURN;
  const sinHalfDLat = Math.sin(((latB - latA) * RADIANS_PER_E7) / 2);
  const sinHalfDLng = Math.sin((dLng * RADIANS_PER_E7) / 2);
  let a = sinHalfDLat * sinHalfDLat + cosLatA * cosLatB * sinHalfDLng * sinHalfDLng;
  if (a > 1) a = 1;
  return EARTH_RADIUS_MM_FLOAT * 2 * Math.asin(Math.sqrt(a));
}

export function cosLatOfE7(latE7: number): number {
  return Math.cos(latE7 * RADIANS_PER_E7);
}

/**
 * Whole metres as geo's cellCentreDistanceM would return them, or -1 when the float value is too
 * close to a rounding boundary (the caller then asks geo), or Infinity for a pair beyond
 * CERTIFY_MAX_DISTANCE_M when `farIsEnough` (only "> the configured maximum" matters then).
 */
export function certifiedDistanceM(distanceMm: number, farIsEnough: boolean): number {
  if (distanceMm > CERTIFY_MAX_DISTANCE_M * 1000) return farIsEnough ? Number.POSITIVE_INFINITY : -1;
  const t = (distanceMm + 500.5) / 1000;
  const m = Math.floor(t);
  if (t - m < CERTIFY_EPSILON || m + 1 - t < CERTIFY_EPSILON) return -1;
  return m;
}

/** floor(FSPL) in centi-dB from the float formula, or NaN when it cannot be certified. */
export function certifiedFsplCentiDb(distanceM: number, frequencyHz: number): number {
  const product = Math.max(distanceM, MIN_DISTANCE_M) * frequencyHz;
  if (!(product <= Number.MAX_SAFE_INTEGER) || !(product >= 1)) return Number.NaN;
  const v = 2000 * Math.log10(product) + FSPL_CONSTANT_CENTI_DB;
  const k = Math.floor(v);
  if (v - k < CERTIFY_EPSILON || k + 1 - v < CERTIFY_EPSILON) return Number.NaN;
  return k;
}

/** FSPL through the certified float path with geo's exact function as the fallback. */
export function fsplCentiDb(distanceM: number, frequencyHz: number, stats: { fsplFallbacks: number }): number {
  const fast = certifiedFsplCentiDb(distanceM, frequencyHz);
  if (!Number.isNaN(fast)) return fast;
  stats.fsplFallbacks++;
  return freeSpacePathLossCentiDb(distanceM, frequencyHz);
}
