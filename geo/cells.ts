/**
 * H3 cell conventions (DESIGN.md §2, STYLE.md "an H3 cell is a u64 on chain, a hex string off
 * chain"). Off chain a cell is its canonical 15-character lowercase hex string; on chain it is a u64,
 * written little-endian in PDA seeds and Merkle leaves and big-endian in sorted index keys (so that
 * byte order equals numeric order and all descendants of a cell at one resolution are one key range).
 */
import * as h3 from "h3-js";
import {
  ASSERTED_LOCATION_RESOLUTION,
  CELL_BYTES,
  CELL_HEX_LENGTH,
  MAX_H3_RESOLUTION,
  MIN_H3_RESOLUTION,
} from "./constants.js";
import {
  GridDistanceUnavailableError,
  InvalidCellBytesError,
  InvalidCellError,
  InvalidLatLngError,
  InvalidResolutionError,
  WrongResolutionError,
} from "./errors.js";

/** A canonical H3 cell: 15 lowercase hex digits, validated. Plain string so it serializes as-is. */
export type Cell = string;

/** A point in degrees (WGS84), latitude first as in h3-js. */
export interface LatLng {
  readonly lat: number;
  readonly lng: number;
}

const CANONICAL_HEX = /^[0-9a-f]{15}$/;
const U64_MAX = (1n << 64n) - 1n;
/** Bit layout of an H3 index (h3 docs, "H3 Index Representations"): 4 resolution bits at 52..55. */
const RES_SHIFT = 52n;
const RES_MASK = 0xfn << RES_SHIFT;
/** Each of the 15 resolution digits is 3 bits; digit r occupies bits 3*(15-r) .. 3*(15-r)+2. */
const DIGIT_BITS = 3n;
const DIGIT_MASK = 0b111n;
/** Digit value 6 is the last valid child digit (7 marks an unused digit). */
const LAST_CHILD_DIGIT = 6n;

/** True when `input` is a canonical, valid H3 cell string. Never throws. */
export function isCell(input: unknown): input is Cell {
  return typeof input === "string" && CANONICAL_HEX.test(input) && h3.isValidCell(input);
}

/**
 * Validates a cell string and returns it. Only the canonical form is accepted (15 lowercase hex
 * digits, no "0x", no zero padding) so that the same cell always has the same bytes in messages.
 * @throws InvalidCellError
 */
export function parseCell(input: string): Cell {
  if (typeof input !== "string") throw new InvalidCellError(String(input), "not a string");
  if (input.length !== CELL_HEX_LENGTH) {
    throw new InvalidCellError(input, `expected ${CELL_HEX_LENGTH} hex characters, got ${input.length}`);
  }
  if (!CANONICAL_HEX.test(input)) throw new InvalidCellError(input, "not lowercase hexadecimal");
  if (!h3.isValidCell(input)) throw new InvalidCellError(input, "not a valid H3 cell index");
  return input;
}

/** Resolution (0..15) of a cell. @throws InvalidCellError */
export function cellResolution(cell: Cell): number {
  return resolutionOfValid(parseCell(cell));
}

/**
 * Resolution of an already validated cell, read from its second hex digit: the string's first
 * digit holds the mode bits (always "8" for a cell) and the second the 4-bit resolution field
 * (bits 52..55). Saves an h3 call on hot paths.
 */
function resolutionOfValid(cell: Cell): number {
  return Number.parseInt(cell.charAt(1), 16);
}

/**
 * Validates a cell and requires a resolution.
 * @throws InvalidCellError, WrongResolutionError
 */
export function parseCellAtResolution(input: string, resolution: number): Cell {
  checkResolution(resolution);
  const cell = parseCell(input);
  const actual = resolutionOfValid(cell);
  if (actual !== resolution) throw new WrongResolutionError(cell, resolution, actual);
  return cell;
}

/**
 * Validates an asserted hotspot location: a cell at {@link ASSERTED_LOCATION_RESOLUTION} (12).
 * Accepts the string form or the on-chain u64.
 * @throws InvalidCellError, WrongResolutionError
 */
export function parseAssertedLocation(input: string | bigint): Cell {
  const cell = typeof input === "bigint" ? cellFromU64(input) : input;
  return parseCellAtResolution(cell, ASSERTED_LOCATION_RESOLUTION);
}

/** Cell string -> u64 as bigint. @throws InvalidCellError */
export function cellToU64(cell: Cell): bigint {
  return BigInt(`0x${parseCell(cell)}`);
}

/** u64 (bigint) -> canonical cell string, validated. @throws InvalidCellError */
export function cellFromU64(value: bigint): Cell {
  if (typeof value !== "bigint" || value < 0n || value > U64_MAX) {
    throw new InvalidCellError(String(value), "not a u64");
  }
  return parseCell(value.toString(16));
}

/** 8-byte little-endian encoding (PDA seeds, Merkle leaves; matches Rust `u64::to_le_bytes`). */
export function cellToLeBytes(cell: Cell): Uint8Array {
  const out = new Uint8Array(CELL_BYTES);
  new DataView(out.buffer).setBigUint64(0, cellToU64(cell), true);
  return out;
}

/** Inverse of {@link cellToLeBytes}. @throws InvalidCellBytesError, InvalidCellError */
export function cellFromLeBytes(bytes: Uint8Array): Cell {
  return cellFromU64(readU64(bytes, true));
}

/**
 * 8-byte big-endian encoding for sorted key-value stores: lexicographic byte order equals numeric
 * order, so {@link cellChildRange} bounds become a contiguous key range.
 */
export function cellToBeBytes(cell: Cell): Uint8Array {
  const out = new Uint8Array(CELL_BYTES);
  new DataView(out.buffer).setBigUint64(0, cellToU64(cell), false);
  return out;
}

/** Inverse of {@link cellToBeBytes}. @throws InvalidCellBytesError, InvalidCellError */
export function cellFromBeBytes(bytes: Uint8Array): Cell {
  return cellFromU64(readU64(bytes, false));
}

function readU64(bytes: Uint8Array, littleEndian: boolean): bigint {
  if (!(bytes instanceof Uint8Array) || bytes.length !== CELL_BYTES) {
    throw new InvalidCellBytesError(bytes instanceof Uint8Array ? bytes.length : -1);
  }
  return new DataView(bytes.buffer, bytes.byteOffset, CELL_BYTES).getBigUint64(0, littleEndian);
}

function checkResolution(resolution: number): void {
  if (!Number.isInteger(resolution) || resolution < MIN_H3_RESOLUTION || resolution > MAX_H3_RESOLUTION) {
    throw new InvalidResolutionError(resolution, `must be an integer in ${MIN_H3_RESOLUTION}..${MAX_H3_RESOLUTION}`);
  }
}

/** Validates coordinates in degrees. @throws InvalidLatLngError */
export function checkLatLng(lat: number, lng: number): void {
  if (!Number.isFinite(lat) || !Number.isFinite(lng) || lat < -90 || lat > 90 || lng < -180 || lng > 180) {
    throw new InvalidLatLngError(lat, lng);
  }
}

/**
 * The cell containing a point, at `resolution` (default 12, the asserted-location resolution).
 * @throws InvalidLatLngError, InvalidResolutionError
 */
export function latLngToCell(lat: number, lng: number, resolution: number = ASSERTED_LOCATION_RESOLUTION): Cell {
  checkLatLng(lat, lng);
  checkResolution(resolution);
  return h3.latLngToCell(lat, lng, resolution);
}

/** Centre of a cell in degrees. @throws InvalidCellError */
export function cellToLatLng(cell: Cell): LatLng {
  const [lat, lng] = h3.cellToLatLng(parseCell(cell));
  return { lat, lng };
}

/**
 * Ancestor of `cell` at the coarser (or equal) `resolution`.
 * @throws InvalidCellError, InvalidResolutionError (resolution finer than the cell's)
 */
export function cellParent(cell: Cell, resolution: number): Cell {
  checkResolution(resolution);
  const own = cellResolution(cell);
  if (resolution > own) {
    throw new InvalidResolutionError(resolution, `a parent must be at resolution <= the cell's own (${own})`);
  }
  return h3.cellToParent(cell, resolution);
}

/**
 * Largest resolution step {@link cellChildren} enumerates: 7^6 = 117 649 children. Beyond that use
 * {@link cellChildRange} (a range scan) instead of materializing millions of strings.
 */
export const MAX_CHILDREN_RESOLUTION_STEPS = 6;

/**
 * All descendants of `cell` at the finer (or equal) `resolution`, sorted by u64 value. There are
 * 7^(res diff) of them (fewer under a pentagon).
 * @throws InvalidCellError, InvalidResolutionError (also when the step exceeds MAX_CHILDREN_RESOLUTION_STEPS)
 */
export function cellChildren(cell: Cell, resolution: number): Cell[] {
  const own = checkChildResolution(cell, resolution);
  if (resolution - own > MAX_CHILDREN_RESOLUTION_STEPS) {
    throw new InvalidResolutionError(resolution, `more than ${MAX_CHILDREN_RESOLUTION_STEPS} steps below the cell; use cellChildRange`);
  }
  return h3
    .cellToChildren(cell, resolution)
    .map((child) => BigInt(`0x${child}`))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((value) => value.toString(16));
}

function checkChildResolution(cell: Cell, resolution: number): number {
  checkResolution(resolution);
  const own = cellResolution(cell);
  if (resolution < own) {
    throw new InvalidResolutionError(resolution, `a child must be at resolution >= the cell's own (${own})`);
  }
  return own;
}

/** Inclusive bounds of the descendants of a cell at one resolution, as cells and as u64. */
export interface CellChildRange {
  readonly first: Cell;
  readonly last: Cell;
  readonly firstU64: bigint;
  readonly lastU64: bigint;
}

/**
 * First and last descendant of `cell` at `resolution` in numeric (= big-endian byte) order. Every
 * valid cell at that resolution whose u64 lies in [firstU64, lastU64] is a descendant and vice
 * versa, because a descendant keeps the ancestor's base cell and leading digits and the resolution
 * field sits above them. So a store keyed by {@link cellToBeBytes} of res-R cells answers "all
 * hotspots inside this res-P cell" with one range scan, without enumerating 7^(R-P) children.
 * Computed by bit manipulation (digits P+1..R set to 0 for first, 6 for last); under a pentagon
 * some cells in the range do not exist, which a range scan simply does not find.
 * @throws InvalidCellError, InvalidResolutionError
 */
export function cellChildRange(cell: Cell, resolution: number): CellChildRange {
  const own = checkChildResolution(cell, resolution);
  const base = (cellToU64(cell) & ~RES_MASK) | (BigInt(resolution) << RES_SHIFT);
  let first = base;
  let last = base;
  for (let r = own + 1; r <= resolution; r++) {
    const shift = BigInt(MAX_H3_RESOLUTION - r) * DIGIT_BITS;
    first &= ~(DIGIT_MASK << shift);
    last = (last & ~(DIGIT_MASK << shift)) | (LAST_CHILD_DIGIT << shift);
  }
  return { first: first.toString(16), last: last.toString(16), firstU64: first, lastU64: last };
}

/**
 * The cells within `k` grid steps of `cell` (including itself), in h3's order.
 * @throws InvalidCellError, InvalidResolutionError (k not a non-negative integer)
 */
export function cellDisk(cell: Cell, k: number): Cell[] {
  if (!Number.isInteger(k) || k < 0) throw new InvalidResolutionError(k, "disk radius k must be a non-negative integer");
  return h3.gridDisk(parseCell(cell), k);
}

/**
 * Number of grid steps between two cells of the same resolution. Integer and computed with h3's
 * integer IJK coordinates, so it is safe to use in validation.
 * @throws InvalidCellError, WrongResolutionError (resolutions differ), GridDistanceUnavailableError
 */
export function cellGridDistance(from: Cell, to: Cell): number {
  const a = parseCell(from);
  const b = parseCell(to);
  const resA = h3.getResolution(a);
  const resB = h3.getResolution(b);
  if (resA !== resB) throw new WrongResolutionError(b, resA, resB);
  try {
    return h3.gridDistance(a, b);
  } catch {
    throw new GridDistanceUnavailableError(a, b);
  }
}

/**
 * Great-circle (haversine) distance in metres between the centres of two cells, as a float. Use it
 * for simulation and display; validation uses the integer {@link cellCentreDistanceM} instead.
 * @throws InvalidCellError
 */
export function cellDistanceMFloat(from: Cell, to: Cell): number {
  const a = cellToLatLng(from);
  const b = cellToLatLng(to);
  return h3.greatCircleDistance([a.lat, a.lng], [b.lat, b.lng], h3.UNITS.m);
}

/** Great-circle distance in metres between two points (float, h3's haversine and Earth radius). */
export function latLngDistanceMFloat(from: LatLng, to: LatLng): number {
  checkLatLng(from.lat, from.lng);
  checkLatLng(to.lat, to.lng);
  return h3.greatCircleDistance([from.lat, from.lng], [to.lat, to.lng], h3.UNITS.m);
}
