/**
 * Query parameters of the HTTP API, validated before anything touches the index, and the bbox
 * search: a bbox becomes a few covering cells BBOX_COVER_STEPS resolutions coarser than the
 * requested one; each is one contiguous key range of the snapshot (cellChildRange), scanned in
 * ascending u64 order so pages and cursors are stable.
 */
import * as h3 from "h3-js";
import {
  BASE_RESOLUTION,
  BBOX_COVER_STEPS,
  BBOX_POLE_CLAMP_DEG,
  BBOX_STRIP_MAX_LNG_DEG,
  MAX_BBOX_CELLS,
  MAX_EPOCH,
  MIN_INDEX_RESOLUTION,
} from "./constants.js";
import {
  BboxTooLargeError,
  InvalidBboxError,
  InvalidCellParamError,
  InvalidCursorError,
  InvalidEpochParamError,
  InvalidLimitError,
  InvalidResolutionParamError,
} from "./errors.js";
import type { CellRecord } from "./snapshot.js";
import { CELL_KEY_BYTES, type CoverageIndex } from "./store.js";
import { FEATURE_CENTRE_BYTES } from "./features.js";
import { type Cell, EARTH_RADIUS_M, cellChildRange, parseCell } from "../geo/index.js";

const METRES_PER_KM = 1000;
const EARTH_RADIUS_KM = EARTH_RADIUS_M / METRES_PER_KM;
/** The cell part of a snapshot key (its last 8 bytes). */
const CELL_U64_BYTES = 8;

export interface Bbox {
  readonly minLng: number;
  readonly minLat: number;
  readonly maxLng: number;
  readonly maxLat: number;
}

/** Plain decimal numbers only: no hex, no "Infinity", no empty strings that Number() reads as 0. */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const SMALL_INTEGER = /^\d{1,10}$/;

/**
 * A cell path parameter at an indexed resolution (MIN_INDEX_RESOLUTION..BASE_RESOLUTION).
 * @throws InvalidCellParamError
 */
export function parseIndexedCell(input: string): Cell {
  let cell: Cell;
  try {
    cell = parseCell(input);
  } catch (err) {
    throw new InvalidCellParamError((err as Error).message);
  }
  const res = h3.getResolution(cell);
  if (res < MIN_INDEX_RESOLUTION || res > BASE_RESOLUTION) {
    const hint = res > BASE_RESOLUTION ? ` (its res-${BASE_RESOLUTION} parent is ${h3.cellToParent(cell, BASE_RESOLUTION)})` : "";
    throw new InvalidCellParamError(
      `cell ${cell} has resolution ${res}; the index holds resolutions ${MIN_INDEX_RESOLUTION}..${BASE_RESOLUTION}${hint}`,
    );
  }
  return cell;
}

/** A `res` parameter in min..max. @throws InvalidResolutionParamError */
export function parseResolution(input: string, min: number, max: number): number {
  const res = SMALL_INTEGER.test(input) ? Number(input) : Number.NaN;
  if (!(res >= min && res <= max)) {
    throw new InvalidResolutionParamError(`invalid res ${JSON.stringify(input.slice(0, 40))}: expected an integer in ${min}..${max}`);
  }
  return res;
}

/** `epoch`: absent or "latest", or a u32. @throws InvalidEpochParamError */
export function parseEpochSelector(input: string | undefined): number | "latest" {
  if (input === undefined || input === "latest") return "latest";
  if (!SMALL_INTEGER.test(input) || Number(input) > MAX_EPOCH) throw new InvalidEpochParamError(input);
  return Number(input);
}

/** `limit`: absent → fallback, else an integer in 1..max. @throws InvalidLimitError */
export function parseLimit(input: string | undefined, fallback: number, max: number): number {
  if (input === undefined) return fallback;
  const n = SMALL_INTEGER.test(input) ? Number(input) : Number.NaN;
  if (!(n >= 1 && n <= max)) throw new InvalidLimitError(input, max);
  return n;
}

/** `cursor`: a cell at the query's resolution, as u64. @throws InvalidCursorError */
export function parseCursor(input: string | undefined, resolution: number): bigint | undefined {
  if (input === undefined) return undefined;
  let cell: Cell;
  try {
    cell = parseCell(input);
  } catch {
    throw new InvalidCursorError(input);
  }
  if (h3.getResolution(cell) !== resolution) throw new InvalidCursorError(input);
  return BigInt(`0x${cell}`);
}

/**
 * `bbox=minLng,minLat,maxLng,maxLat` in degrees (GeoJSON / RFC 7946 order). The box must not be
 * empty and must not cross the antimeridian (split such a box into two requests).
 * @throws InvalidBboxError
 */
export function parseBbox(input: string | undefined): Bbox {
  if (input === undefined) throw new InvalidBboxError("missing; expected bbox=minLng,minLat,maxLng,maxLat");
  const parts = input.split(",");
  if (parts.length !== 4) throw new InvalidBboxError(`expected 4 comma-separated numbers minLng,minLat,maxLng,maxLat, got ${parts.length} values`);
  const names = ["minLng", "minLat", "maxLng", "maxLat"] as const;
  const values = parts.map((part, i) => {
    const text = part.trim();
    if (!DECIMAL.test(text)) throw new InvalidBboxError(`${names[i]} ${JSON.stringify(text.slice(0, 40))} is not a decimal number`);
    return Number(text);
  });
  const [minLng, minLat, maxLng, maxLat] = values as [number, number, number, number];
  for (const [name, v] of [["minLng", minLng], ["maxLng", maxLng]] as const) {
    if (!(v >= -180 && v <= 180)) throw new InvalidBboxError(`${name} ${v} is outside -180..180`);
  }
  for (const [name, v] of [["minLat", minLat], ["maxLat", maxLat]] as const) {
    if (!(v >= -90 && v <= 90)) throw new InvalidBboxError(`${name} ${v} is outside -90..90`);
  }
  if (minLat >= maxLat) throw new InvalidBboxError(`minLat ${minLat} must be less than maxLat ${maxLat}`);
  if (minLng >= maxLng) {
    throw new InvalidBboxError(`minLng ${minLng} must be less than maxLng ${maxLng} (a box across the antimeridian must be split in two)`);
  }
  return { minLng, minLat, maxLng, maxLat };
}

/** Area of a lat/lng rectangle on the sphere, km²: R² · Δλ · (sin φ2 − sin φ1). */
export function bboxAreaKm2(bbox: Bbox): number {
  const rad = Math.PI / 180;
  return EARTH_RADIUS_KM ** 2 * (bbox.maxLng - bbox.minLng) * rad * (Math.sin(bbox.maxLat * rad) - Math.sin(bbox.minLat * rad));
}

/** Rejects a bbox holding more than MAX_BBOX_CELLS average cells of `resolution`. @throws BboxTooLargeError */
export function checkBboxSize(bbox: Bbox, resolution: number): void {
  const area = bboxAreaKm2(bbox);
  const estimate = Math.ceil(area / h3.getHexagonAreaAvg(resolution, "km2"));
  if (estimate <= MAX_BBOX_CELLS) return;
  let suggested: number | null = null;
  for (let r = resolution - 1; r >= MIN_INDEX_RESOLUTION; r--) {
    if (area / h3.getHexagonAreaAvg(r, "km2") <= MAX_BBOX_CELLS) {
      suggested = r;
      break;
    }
  }
  throw new BboxTooLargeError(estimate, MAX_BBOX_CELLS, resolution, suggested);
}

/** A covering cell's descendant range at the query resolution. */
export interface CoverRange {
  readonly firstU64: bigint;
  readonly lastU64: bigint;
}

/** Degrees of latitude per km along a meridian (mean Earth radius). */
const DEG_PER_KM = 180 / (Math.PI * EARTH_RADIUS_KM);

/**
 * Ascending, disjoint key ranges (at `resolution`) whose union contains every `resolution` cell
 * whose centre lies in the bbox: the descendants of the cells at `resolution − BBOX_COVER_STEPS`
 * that overlap the bbox grown by one coarse edge length. The margin matters: an H3 descendant can
 * lie slightly outside its ancestor's hexagon, so a cell near the bbox edge may descend from a
 * coarse cell that does not itself touch the bbox.
 */
export function bboxCoverRanges(bbox: Bbox, resolution: number): CoverRange[] {
  const coarse = Math.max(0, resolution - BBOX_COVER_STEPS);
  const marginLat = h3.getHexagonEdgeLengthAvg(coarse, "km") * DEG_PER_KM;
  const minLat = Math.max(bbox.minLat - marginLat, -BBOX_POLE_CLAMP_DEG);
  const maxLat = Math.min(bbox.maxLat + marginLat, BBOX_POLE_CLAMP_DEG);
  const cosLat = Math.cos((Math.max(Math.abs(minLat), Math.abs(maxLat)) * Math.PI) / 180);
  const marginLng = Math.min(marginLat / cosLat, 180);
  const minLng = Math.max(bbox.minLng - marginLng, -180);
  const maxLng = Math.min(bbox.maxLng + marginLng, 180);
  const cells = new Set<string>();
  const strips = Math.ceil((maxLng - minLng) / BBOX_STRIP_MAX_LNG_DEG);
  const width = (maxLng - minLng) / strips;
  for (let i = 0; i < strips; i++) {
    const west = minLng + i * width;
    const east = i === strips - 1 ? maxLng : west + width;
    const ring = [
      [minLat, west],
      [minLat, east],
      [maxLat, east],
      [maxLat, west],
    ];
    // "Overlapping bbox" containment: every cell whose bounding box meets the polygon, a superset
    // of the overlapping cells that h3 computes faster.
    for (const cell of h3.polygonToCellsExperimental(ring, coarse, h3.POLYGON_TO_CELLS_FLAGS.containmentOverlappingBbox)) cells.add(cell);
  }
  return [...cells]
    .map((cell) => cellChildRange(cell, resolution))
    .sort((a, b) => (a.firstU64 < b.firstU64 ? -1 : a.firstU64 > b.firstU64 ? 1 : 0))
    .map(({ firstU64, lastU64 }) => ({ firstU64, lastU64 }));
}

function centreInBbox(cell: string, bbox: Bbox): boolean {
  const [lat, lng] = h3.cellToLatLng(cell);
  return lat >= bbox.minLat && lat <= bbox.maxLat && lng >= bbox.minLng && lng <= bbox.maxLng;
}

export interface BboxPage {
  readonly records: CellRecord[];
  /** Cursor for the next page (the last cell of this page), or null when this is the last page. */
  readonly next: Cell | null;
}

/**
 * One page of the cells at `resolution` of snapshot `epoch` whose centre lies in the bbox,
 * ascending by cell, after the cursor. Reads at most `limit + 1` matches.
 */
export function queryBbox(
  index: CoverageIndex,
  epoch: number,
  bbox: Bbox,
  resolution: number,
  limit: number,
  after?: bigint,
  accept: (record: CellRecord) => boolean = () => true,
): BboxPage {
  const records: CellRecord[] = [];
  let more = false;
  outer: for (const range of bboxCoverRanges(bbox, resolution)) {
    if (after !== undefined && range.lastU64 <= after) continue;
    for (const record of index.scan(epoch, range.firstU64, range.lastU64, after)) {
      if (!centreInBbox(record.cell, bbox) || !accept(record)) continue;
      if (records.length === limit) {
        more = true;
        break outer;
      }
      records.push(record);
    }
  }
  return { records, next: more ? records[records.length - 1]!.cell : null };
}

export interface FeaturePage {
  /** Serialized GeoJSON features, ascending by cell. */
  readonly features: Buffer[];
  readonly next: Cell | null;
}

/**
 * {@link queryBbox} over the precomputed features: the same cells in the same order, as bytes.
 */
export function queryBboxFeatures(index: CoverageIndex, epoch: number, bbox: Bbox, resolution: number, limit: number, after?: bigint): FeaturePage {
  const features: Buffer[] = [];
  let lastKey: Buffer | null = null;
  let more = false;
  outer: for (const range of bboxCoverRanges(bbox, resolution)) {
    if (after !== undefined && range.lastU64 <= after) continue;
    for (const { key, value } of index.scanFeatures(epoch, range.firstU64, range.lastU64, after)) {
      const lat = value.readDoubleLE(0);
      const lng = value.readDoubleLE(8);
      if (lat < bbox.minLat || lat > bbox.maxLat || lng < bbox.minLng || lng > bbox.maxLng) continue;
      if (features.length === limit) {
        more = true;
        break outer;
      }
      features.push(value.subarray(FEATURE_CENTRE_BYTES));
      lastKey = key;
    }
  }
  return { features, next: more && lastKey !== null ? lastKey.readBigUInt64BE(CELL_KEY_BYTES - CELL_U64_BYTES).toString(16) : null };
}
