/**
 * Integer great-circle distance between cell centres, for validation (too close / too far, the
 * free-space RSSI bound). Reproducible: the only floating-point step is h3's cell centre, which we
 * quantize to 1e-7 degrees (≈ 1.1 cm); everything after that is bigint fixed point (fixed.ts).
 * See docs/GEO.md "Determinism" for why that one float step is acceptable.
 */
import * as h3 from "h3-js";
import { parseCell } from "./cells.js";
import type { Cell } from "./cells.js";
import { EARTH_RADIUS_MM } from "./constants.js";
import { InvalidLatLngError } from "./errors.js";
import { PI_FIXED, TRIG_SCALE, asinFixed, cosFixed, isqrt, sinFixed } from "./fixed.js";

/** Coordinates are quantized to integer 1e-7 degrees ("E7"), the GPS/Helium convention. */
export const COORDINATE_E7_SCALE = 10_000_000;
const DEGREES_E7_PER_HALF_TURN = 1_800_000_000n;

/** A point in integer 1e-7 degrees. */
export interface LatLngE7 {
  readonly latE7: number;
  readonly lngE7: number;
}

/**
 * Centre of a cell quantized to 1e-7 degrees: `Math.round(deg × 1e7)` (an exactly rounded IEEE
 * product, then round half toward +∞). @throws InvalidCellError
 */
export function cellCentreE7(cell: Cell): LatLngE7 {
  const [lat, lng] = h3.cellToLatLng(parseCell(cell));
  return { latE7: Math.round(lat * COORDINATE_E7_SCALE), lngE7: Math.round(lng * COORDINATE_E7_SCALE) };
}

/** @throws InvalidLatLngError unless both values are integers within ±90° / ±180°. */
function checkE7(point: LatLngE7): void {
  const { latE7, lngE7 } = point;
  if (!Number.isSafeInteger(latE7) || !Number.isSafeInteger(lngE7) || Math.abs(latE7) > 900_000_000 || Math.abs(lngE7) > 1_800_000_000) {
    throw new InvalidLatLngError(latE7 / COORDINATE_E7_SCALE, lngE7 / COORDINATE_E7_SCALE);
  }
}

function e7ToRadiansFixed(valueE7: bigint): bigint {
  return (valueE7 * PI_FIXED) / DEGREES_E7_PER_HALF_TURN;
}

/**
 * Haversine distance in whole millimetres between two E7 points on a sphere of radius
 * {@link EARTH_RADIUS_MM}, rounded half up. Pure bigint arithmetic.
 */
export function distanceMmE7(from: LatLngE7, to: LatLngE7): bigint {
  checkE7(from);
  checkE7(to);
  const lat1 = e7ToRadiansFixed(BigInt(from.latE7));
  const lat2 = e7ToRadiansFixed(BigInt(to.latE7));
  let dLngE7 = BigInt(to.lngE7 - from.lngE7);
  // Shortest way around: bring the longitude difference into [-180°, 180°].
  if (dLngE7 > DEGREES_E7_PER_HALF_TURN) dLngE7 -= 2n * DEGREES_E7_PER_HALF_TURN;
  if (dLngE7 < -DEGREES_E7_PER_HALF_TURN) dLngE7 += 2n * DEGREES_E7_PER_HALF_TURN;
  const halfDLat = (lat2 - lat1) / 2n;
  const halfDLng = e7ToRadiansFixed(dLngE7) / 2n;
  const sinHalfDLat = sinFixed(halfDLat);
  const sinHalfDLng = sinFixed(halfDLng);
  const cosProduct = (cosFixed(lat1) * cosFixed(lat2)) / TRIG_SCALE;
  let a =
    (sinHalfDLat * sinHalfDLat) / TRIG_SCALE +
    (((cosProduct * sinHalfDLng) / TRIG_SCALE) * sinHalfDLng) / TRIG_SCALE;
  if (a < 0n) a = 0n;
  if (a > TRIG_SCALE) a = TRIG_SCALE;
  const centralAngle = 2n * asinFixed(isqrt(a * TRIG_SCALE));
  return (EARTH_RADIUS_MM * centralAngle + TRIG_SCALE / 2n) / TRIG_SCALE;
}

/**
 * Distance in whole metres (rounded half up) between the centres of two cells, computed in
 * deterministic integer arithmetic. This is the distance the validator uses for "too close",
 * "too far" and the free-space RSSI bound. Cells may be at different resolutions.
 * @throws InvalidCellError
 */
export function cellCentreDistanceM(from: Cell, to: Cell): number {
  const mm = distanceMmE7(cellCentreE7(from), cellCentreE7(to));
  return Number((mm + 500n) / 1000n);
}
