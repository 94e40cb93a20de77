/**
 * Hex density scaling in the shape of Helium's HIP-17 as tuned by HIP-104 (DESIGN.md §5).
 *
 * 1. Count active hotspots per cell at the base resolution (11) from their res-12 locations.
 * 2. For each coarser resolution (10 → 4): a cell's *unclipped* value is the sum of its children's
 *    *clipped* values; n = number of cells among its 7-cell disk (itself + neighbours) whose
 *    unclipped value is ≥ target; limit = min(max, target·max(n − N + 1, 1));
 *    clipped = min(limit, unclipped). At the base resolution clipped = unclipped = count.
 * 3. A hotspot's scale is Π clipped/unclipped over its ancestors at the roll-up resolutions (≤ 1).
 *
 * The product is evaluated exactly as a ratio of bigints and floored once to parts per million, so
 * the output is an integer identical on every machine, and independent of input order (counts are
 * sums; the disk test is a count).
 */
import * as h3 from "h3-js";
import { cellResolution, parseAssertedLocation, parseCellAtResolution } from "./cells.js";
import { cellKey, keyToCell, parentKey } from "./cell-key.js";
import type { Cell } from "./cells.js";
import { ASSERTED_LOCATION_RESOLUTION } from "./constants.js";
import { DuplicateHotspotError, InvalidDensityConfigError } from "./errors.js";

/** Parameters of one roll-up resolution. */
export interface DensityLevelConfig {
  readonly resolution: number;
  /** N: occupied cells in the disk beyond which the limit grows. */
  readonly neighbours: number;
  /** Density target: also the threshold for a cell to count as occupied. */
  readonly target: number;
  /** Hard cap of the clipped value. */
  readonly max: number;
}

export interface DensityConfig {
  /** Resolution at which hotspots are counted (no clipping there). */
  readonly baseResolution: number;
  /** Roll-up levels, consecutive from baseResolution − 1 downwards. */
  readonly levels: readonly DensityLevelConfig[];
}

/** Scales are integers in parts per million: 1_000_000 = no reduction. */
export const SCALE_PPM_ONE = 1_000_000;
const SCALE_PPM_ONE_BIG = 1_000_000n;

/**
 * Helium's HIP-17 parameters as tuned by HIP-104 (DESIGN.md §5): counted at res 11, rolled up
 * 10 → 4 with (N, target, max) = 4: (2, 500, 1000) · 5: (4, 100, 200) · 6: (4, 25, 50) ·
 * 7: (4, 5, 10) · 8-10: (2, 1, 1).
 */
export const HIP104_DENSITY_CONFIG: DensityConfig = {
  baseResolution: 11,
  levels: [
    { resolution: 10, neighbours: 2, target: 1, max: 1 },
    { resolution: 9, neighbours: 2, target: 1, max: 1 },
    { resolution: 8, neighbours: 2, target: 1, max: 1 },
    { resolution: 7, neighbours: 4, target: 5, max: 10 },
    { resolution: 6, neighbours: 4, target: 25, max: 50 },
    { resolution: 5, neighbours: 4, target: 100, max: 200 },
    { resolution: 4, neighbours: 2, target: 500, max: 1000 },
  ],
};

/** The default used when no config is passed. */
export const DEFAULT_DENSITY_CONFIG = HIP104_DENSITY_CONFIG;

/**
 * Checks a density config: base resolution in 1..12, levels consecutive from base − 1 downwards,
 * N ≥ 1, 1 ≤ target ≤ max, all safe integers.
 * @throws InvalidDensityConfigError
 */
export function validateDensityConfig(config: DensityConfig): DensityConfig {
  const base = config.baseResolution;
  if (!Number.isInteger(base) || base < 1 || base > ASSERTED_LOCATION_RESOLUTION) {
    throw new InvalidDensityConfigError(`baseResolution must be an integer in 1..${ASSERTED_LOCATION_RESOLUTION}, got ${base}`);
  }
  if (config.levels.length === 0) throw new InvalidDensityConfigError("at least one roll-up level is required");
  config.levels.forEach((level, i) => {
    const expected = base - 1 - i;
    if (level.resolution !== expected) {
      throw new InvalidDensityConfigError(`level ${i} must be resolution ${expected}, got ${level.resolution}`);
    }
    if (expected < 0) throw new InvalidDensityConfigError("levels go below resolution 0");
    for (const key of ["neighbours", "target", "max"] as const) {
      const value = level[key];
      if (!Number.isSafeInteger(value) || value < 1) {
        throw new InvalidDensityConfigError(`res ${level.resolution}: ${key} must be a positive integer, got ${value}`);
      }
    }
    if (level.max < level.target) {
      throw new InvalidDensityConfigError(`res ${level.resolution}: max ${level.max} is below target ${level.target}`);
    }
  });
  return config;
}

/** The occupancy limit min(max, target·max(n − N + 1, 1)). */
export function densityLimit(level: DensityLevelConfig, occupied: number): number {
  return Math.min(level.max, level.target * Math.max(occupied - level.neighbours + 1, 1));
}

/** Unclipped and clipped values of one cell at one resolution. */
export interface CellDensity {
  readonly unclipped: number;
  readonly clipped: number;
}

/** Result of a density computation over a set of asserted locations. */
export interface HexDensity {
  readonly config: DensityConfig;
  /** Scale in ppm for a res-12 location; SCALE_PPM_ONE for a location with no counted hotspot. @throws InvalidCellError, WrongResolutionError */
  scalePpmForLocation(location: Cell): number;
  /** Scale in ppm of a base-resolution cell; SCALE_PPM_ONE when unoccupied. @throws InvalidCellError, WrongResolutionError */
  scalePpmForBaseCell(cell: Cell): number;
  /** Values of an occupied cell at the base or a roll-up resolution; undefined when unoccupied. */
  cellDensity(cell: Cell): CellDensity | undefined;
  /** Every occupied cell of one resolution (base or roll-up) with its values, in no fixed order. */
  occupiedCells(resolution: number): IterableIterator<[Cell, CellDensity]>;
  /** Every occupied base cell with its scale in ppm, in no fixed order. */
  baseCellScalesPpm(): IterableIterator<[Cell, number]>;
}

/**
 * A product Π clipped/unclipped as an exact fraction; null stands for 1. Numbers while both
 * products are safe integers (the common case), bigints beyond; either way exact.
 */
type Ratio = readonly [number, number] | readonly [bigint, bigint] | null;

/**
 * Runs HIP-17/HIP-104 density scaling over the asserted (res-12) locations of all active hotspots;
 * a location appears once per hotspot. Cells are handled as numeric keys internally (cell-key.ts),
 * so the roll-up is arithmetic; h3 is only called for the 7-cell disks that need counting.
 * @throws InvalidCellError, WrongResolutionError, InvalidDensityConfigError
 */
export function computeHexDensity(locations: Iterable<Cell>, config: DensityConfig = DEFAULT_DENSITY_CONFIG): HexDensity {
  validateDensityConfig(config);
  const base = config.baseResolution;
  const levelsUp = ASSERTED_LOCATION_RESOLUTION - base;
  const counts = new Map<number, number>();
  for (const location of locations) {
    const key = parentKey(cellKey(parseAssertedLocation(location), ASSERTED_LOCATION_RESOLUTION), levelsUp);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const byResolution = new Map<number, Map<number, CellDensity>>();
  const baseLevel = new Map<number, CellDensity>();
  for (const [key, count] of counts) baseLevel.set(key, { unclipped: count, clipped: count });
  byResolution.set(base, baseLevel);

  let children: Map<number, CellDensity> = baseLevel;
  for (const level of config.levels) {
    const unclipped = new Map<number, number>();
    for (const [key, value] of children) {
      const parent = parentKey(key);
      unclipped.set(parent, (unclipped.get(parent) ?? 0) + value.clipped);
    }
    const values = new Map<number, CellDensity>();
    for (const [key, value] of unclipped) {
      values.set(key, { unclipped: value, clipped: Math.min(value, limitFor(level, key, value, unclipped)) });
    }
    byResolution.set(level.resolution, values);
    children = values;
  }

  // Ratio chains top-down: chain(cell) = clipped/unclipped of the cell × chain(parent).
  let parentChains = new Map<number, Ratio>();
  for (let i = config.levels.length - 1; i >= 0; i--) {
    const level = config.levels[i]!;
    const chains = new Map<number, Ratio>();
    const isCoarsest = i === config.levels.length - 1;
    for (const [key, value] of byResolution.get(level.resolution)!) {
      const up = isCoarsest ? null : (parentChains.get(parentKey(key)) ?? null);
      chains.set(key, multiply(up, value.clipped, value.unclipped));
    }
    parentChains = chains;
  }
  const scales = new Map<number, number>();
  for (const key of baseLevel.keys()) {
    const chain = parentChains.get(parentKey(key)) ?? null;
    scales.set(key, ratioToPpm(chain));
  }

  const scaleOfBaseKey = (key: number) => scales.get(key) ?? SCALE_PPM_ONE;
  return {
    config,
    scalePpmForLocation(location: Cell): number {
      return scaleOfBaseKey(parentKey(cellKey(parseAssertedLocation(location), ASSERTED_LOCATION_RESOLUTION), levelsUp));
    },
    scalePpmForBaseCell(cell: Cell): number {
      return scaleOfBaseKey(cellKey(parseCellAtResolution(cell, base), base));
    },
    cellDensity(cell: Cell): CellDensity | undefined {
      const res = cellResolution(cell);
      return byResolution.get(res)?.get(cellKey(cell, res));
    },
    *occupiedCells(resolution: number): IterableIterator<[Cell, CellDensity]> {
      for (const [key, value] of byResolution.get(resolution) ?? []) yield [keyToCell(key, resolution), value];
    },
    *baseCellScalesPpm(): IterableIterator<[Cell, number]> {
      for (const [key, ppm] of scales) yield [keyToCell(key, base), ppm];
    },
  };
}

function multiply(chain: Ratio, clipped: number, unclipped: number): Ratio {
  if (clipped === unclipped) return chain;
  if (chain === null) return [clipped, unclipped];
  if (typeof chain[0] === "number" && typeof chain[1] === "number") {
    const num = chain[0] * clipped;
    const den = chain[1] * unclipped;
    if (Number.isSafeInteger(den)) return [num, den]; // num ≤ den, so num is safe too
  }
  return [BigInt(chain[0]) * BigInt(clipped), BigInt(chain[1]) * BigInt(unclipped)];
}

/** floor(10^6 · num / den), exact. */
function ratioToPpm(chain: Ratio): number {
  if (chain === null) return SCALE_PPM_ONE;
  return Number((BigInt(chain[0]) * SCALE_PPM_ONE_BIG) / BigInt(chain[1]));
}

function limitFor(level: DensityLevelConfig, key: number, value: number, unclipped: Map<number, number>): number {
  // limit ≥ min(max, target) = target, so a value at or below target is never clipped, and when
  // target ≥ max the limit is max whatever n is: skip the disk lookup in both cases.
  if (value <= level.target) return value;
  if (level.target >= level.max) return level.max;
  let occupied = 0;
  for (const neighbour of h3.gridDisk(keyToCell(key, level.resolution), 1)) {
    if ((unclipped.get(cellKey(neighbour, level.resolution)) ?? 0) >= level.target) occupied++;
  }
  return densityLimit(level, occupied);
}

/** A hotspot as density scaling sees it. */
export interface DensityHotspot {
  /** Unique key, e.g. the base58 device key. */
  readonly key: string;
  /** Asserted location, a res-12 cell. */
  readonly location: Cell;
}

/**
 * Scale in ppm per hotspot key. Same result for any order of `hotspots`.
 * @throws DuplicateHotspotError, InvalidCellError, WrongResolutionError, InvalidDensityConfigError
 */
export function hexDensityScalesPpm(
  hotspots: readonly DensityHotspot[],
  config: DensityConfig = DEFAULT_DENSITY_CONFIG,
): Map<string, number> {
  const seen = new Set<string>();
  for (const hotspot of hotspots) {
    if (seen.has(hotspot.key)) throw new DuplicateHotspotError(hotspot.key);
    seen.add(hotspot.key);
  }
  const density = computeHexDensity(
    hotspots.map((hotspot) => hotspot.location),
    config,
  );
  const out = new Map<string, number>();
  for (const hotspot of hotspots) out.set(hotspot.key, density.scalePpmForLocation(hotspot.location));
  return out;
}
