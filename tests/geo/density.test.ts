import { expect } from "chai";
import fc from "fast-check";
import {
  type Cell,
  cellChildren,
  cellDisk,
  cellFromU64,
  cellParent,
  computeHexDensity,
  type DensityConfig,
  densityLimit,
  HIP104_DENSITY_CONFIG,
  hexDensityScalesPpm,
  latLngToCell,
  SCALE_PPM_ONE,
  validateDensityConfig,
} from "../../geo/index.js";
import { expectGeoError } from "./helpers.js";

/**
 * Helium's HIP-17 parameters before HIP-104, as used by helium/oracles iot_verifier's
 * `simple_scale_check` test (res: N, target, max): 4: 1,250,800 · 5: 1,100,400 · 6: 1,25,100 ·
 * 7: 2,5,20 · 8: 2,1,4 · 9: 2,1,2 · 10: 2,1,1.
 */
const HELIUM_2022_CONFIG: DensityConfig = {
  baseResolution: 11,
  levels: [
    { resolution: 10, neighbours: 2, target: 1, max: 1 },
    { resolution: 9, neighbours: 2, target: 1, max: 2 },
    { resolution: 8, neighbours: 2, target: 1, max: 4 },
    { resolution: 7, neighbours: 2, target: 5, max: 20 },
    { resolution: 6, neighbours: 1, target: 25, max: 100 },
    { resolution: 5, neighbours: 1, target: 100, max: 400 },
    { resolution: 4, neighbours: 1, target: 250, max: 800 },
  ],
};

/** Asserted locations (u64) of 36 hotspots in res-8 cell 882830d341fffff, live ledger 2022-10-14. */
const HELIUM_LOCATIONS: readonly bigint[] = [
  631210990515536895n, 631210990515536895n, 631210990515536895n, 631210990515537919n, 631210990515537919n,
  631210990515537919n, 631210990515538431n, 631210990515564031n, 631210990515589631n, 631210990515600383n,
  631210990515601919n, 631210990515606527n, 631210990515722239n, 631210990515722239n, 631210990515727359n,
  631210990515728895n, 631210990515739647n, 631210990515874303n, 631210990515924479n, 631210990516363775n,
  631210990515987455n, 631210990516590079n, 631210990516612607n, 631210990516613631n, 631210990516640767n,
  631210990516876799n, 631210990516885503n, 631210990516888063n, 631210990516907007n, 631210990516912639n,
  631210990516955647n, 631210990516996607n, 631210990517011455n, 631210990517016575n, 631210990517144063n,
  631210990517264895n,
];

/** The scales the iot_verifier test expects, rounded by Helium to 4 decimals. */
const HELIUM_EXPECTED: ReadonlyArray<readonly [bigint, number]> = [
  [631210990515538431n, 0.0065], [631210990515727359n, 0.0091], [631210990515924479n, 0.0606],
  [631210990515537919n, 0.0065], [631210990517011455n, 0.0152], [631210990516885503n, 0.0152],
  [631210990516888063n, 0.0152], [631210990516955647n, 0.0455], [631210990515728895n, 0.0091],
  [631210990517144063n, 0.0909], [631210990515739647n, 0.0091], [631210990516640767n, 0.0606],
  [631210990515601919n, 0.0114], [631210990516590079n, 0.0606], [631210990517264895n, 0.0909],
  [631210990515606527n, 0.0114], [631210990515874303n, 0.0606], [631210990516613631n, 0.0303],
  [631210990515589631n, 0.0114], [631210990515564031n, 0.0455], [631210990516612607n, 0.0303],
  [631210990516876799n, 0.0152], [631210990516363775n, 0.0909], [631210990516907007n, 0.0227],
  [631210990516912639n, 0.0227], [631210990515722239n, 0.0091], [631210990516996607n, 0.0152],
  [631210990515987455n, 0.0606], [631210990515600383n, 0.0114], [631210990517016575n, 0.0152],
  [631210990515536895n, 0.0065],
];

const SF = { lat: 37.7749, lng: -122.4194 };

/** `count` distinct res-12 cells inside `cell` (any coarser resolution ≥ 8). */
function locationsIn(cell: Cell, count: number): Cell[] {
  const out: Cell[] = [];
  for (const child of cellChildren(cell, 11)) {
    for (const leaf of cellChildren(child, 12)) {
      out.push(leaf);
      if (out.length === count) return out;
    }
  }
  throw new Error("not enough children");
}

/** Clustered random placement: a few centres, hotspots within a few km of them. */
const clusteredLocations = fc
  .array(
    fc.record({
      centre: fc.integer({ min: 0, max: 2 }),
      dLat: fc.double({ min: -0.03, max: 0.03, noNaN: true }),
      dLng: fc.double({ min: -0.03, max: 0.03, noNaN: true }),
    }),
    { minLength: 1, maxLength: 60 },
  )
  .map((points) =>
    points.map(({ centre, dLat, dLng }) => latLngToCell(SF.lat + centre * 0.05 + dLat * dLat * 30 * Math.sign(dLat), SF.lng + dLng, 12)),
  );

/** Small targets so that clipping and neighbour growth happen with few hotspots. */
const TIGHT_CONFIG: DensityConfig = {
  baseResolution: 11,
  levels: [
    { resolution: 10, neighbours: 2, target: 1, max: 2 },
    { resolution: 9, neighbours: 2, target: 2, max: 5 },
    { resolution: 8, neighbours: 3, target: 2, max: 8 },
    { resolution: 7, neighbours: 2, target: 3, max: 12 },
  ],
};

const CONFIGS: ReadonlyArray<readonly [string, DensityConfig]> = [
  ["HIP-104 defaults", HIP104_DENSITY_CONFIG],
  ["a tight test config", TIGHT_CONFIG],
];

function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe("geo density: HIP-17/HIP-104 hex density scaling", () => {
  it("reproduces Helium's iot_verifier worked example (2022 parameters) to its 4 decimals", () => {
    const density = computeHexDensity(HELIUM_LOCATIONS.map(cellFromU64), HELIUM_2022_CONFIG);
    for (const [location, expected] of HELIUM_EXPECTED) {
      const ppm = density.scalePpmForLocation(cellFromU64(location));
      expect(ppm / SCALE_PPM_ONE, `location ${location}`).to.be.closeTo(expected, 0.00005 + 1e-9);
    }
    // The densest corner: the res-11 cell holding 9 hotspots gets 6493 ppm (0.0065 in Helium's test).
    expect(density.scalePpmForLocation(cellFromU64(631210990515536895n))).to.equal(6493);
  });

  it("uses Helium's HIP-104 values as the default configuration", () => {
    expect(HIP104_DENSITY_CONFIG.baseResolution).to.equal(11);
    const table = HIP104_DENSITY_CONFIG.levels.map((l) => [l.resolution, l.neighbours, l.target, l.max]);
    expect(table).to.deep.equal([
      [10, 2, 1, 1],
      [9, 2, 1, 1],
      [8, 2, 1, 1],
      [7, 4, 5, 10],
      [6, 4, 25, 50],
      [5, 4, 100, 200],
      [4, 2, 500, 1000],
    ]);
  });

  it("a lone hotspot keeps its full scale", () => {
    const scales = hexDensityScalesPpm([{ key: "a", location: latLngToCell(SF.lat, SF.lng) }]);
    expect(scales.get("a")).to.equal(SCALE_PPM_ONE);
  });

  it("hotspots sharing a res-11 cell, a res-10 cell or a res-9 cell split one unit (by hand)", () => {
    const res11 = latLngToCell(SF.lat, SF.lng, 11);
    // Two in one res-11 cell: res-10 parent holds 2, clipped to max 1 → 1/2 each.
    const two = hexDensityScalesPpm(locationsIn(res11, 2).map((location, i) => ({ key: `k${i}`, location })));
    expect([...two.values()]).to.deep.equal([500_000, 500_000]);
    // Three → 1/3, floored to ppm.
    const three = hexDensityScalesPpm(locationsIn(res11, 3).map((location, i) => ({ key: `k${i}`, location })));
    expect([...three.values()]).to.deep.equal([333_333, 333_333, 333_333]);
    // Two different res-10 cells under one res-9 cell: each res-10 holds 1, the res-9 parent holds 2 → 1/2.
    const res9 = cellParent(res11, 9);
    const [a, b] = cellChildren(res9, 10);
    const split = hexDensityScalesPpm([
      { key: "a", location: locationsIn(a!, 1)[0]! },
      { key: "b", location: locationsIn(b!, 1)[0]! },
    ]);
    expect([...split.values()]).to.deep.equal([500_000, 500_000]);
  });

  it("seven occupied res-8 cells under one lone res-7 cell are clipped to the target 5 → 5/7 (by hand)", () => {
    // Res 7: N = 4, target 5, max 10; only the cell itself is occupied, so n = 1 and the limit is
    // min(10, 5·max(1 − 4 + 1, 1)) = 5. Res 8-10 clip each occupied cell to 1, res 6 and up see 5 ≤ target.
    const res7 = latLngToCell(SF.lat, SF.lng, 7);
    const locations = cellChildren(res7, 8).map((res8) => locationsIn(res8, 1)[0]!);
    const scales = hexDensityScalesPpm(locations.map((location, i) => ({ key: `h${i}`, location })));
    expect(new Set(scales.values())).to.deep.equal(new Set([714_285])); // floor(10^6 · 5/7)
    const density = computeHexDensity(locations);
    expect(density.cellDensity(res7)).to.deep.equal({ unclipped: 7, clipped: 5 });
    expect(density.cellDensity(cellParent(res7, 6))).to.deep.equal({ unclipped: 5, clipped: 5 });
    expect([...density.occupiedCells(8)]).to.have.length(7);
    expect([...density.baseCellScalesPpm()].map(([, ppm]) => ppm)).to.deep.equal(Array(7).fill(714_285));
    const baseCell = cellParent(locations[0]!, 11);
    expect(density.scalePpmForBaseCell(baseCell)).to.equal(714_285);
  });

  it("the limit grows with occupied neighbours up to max (single-level config, by hand)", () => {
    // Res 10 only: N = 2, target 2, max 6 → limit = min(6, 2·max(n − 1, 1)).
    const config: DensityConfig = { baseResolution: 11, levels: [{ resolution: 10, neighbours: 2, target: 2, max: 6 }] };
    const centre = latLngToCell(SF.lat, SF.lng, 10);
    const neighbours = cellDisk(centre, 1).filter((cell) => cell !== centre);
    const scaleOfCentre = (occupiedNeighbours: number) => {
      const locations = [...locationsIn(centre, 5)];
      for (const neighbour of neighbours.slice(0, occupiedNeighbours)) locations.push(...locationsIn(neighbour, 2));
      return computeHexDensity(locations, config).scalePpmForLocation(locations[0]!);
    };
    expect(scaleOfCentre(0)).to.equal(400_000); // n = 1 → limit 2 → 2/5
    expect(scaleOfCentre(1)).to.equal(400_000); // n = 2 → limit 2
    expect(scaleOfCentre(2)).to.equal(800_000); // n = 3 → limit 4 → 4/5
    expect(scaleOfCentre(3)).to.equal(1_000_000); // n = 4 → limit 6 ≥ 5
    expect(scaleOfCentre(6)).to.equal(1_000_000); // n = 7 → limit min(6, 12) = 6
    expect(densityLimit(config.levels[0]!, 7)).to.equal(6);
  });

  it("a location nobody was counted in gets the full scale and unoccupied cells have no values", () => {
    const density = computeHexDensity([latLngToCell(SF.lat, SF.lng)]);
    expect(density.scalePpmForLocation(latLngToCell(-33.86, 151.21))).to.equal(SCALE_PPM_ONE);
    expect(density.scalePpmForBaseCell(latLngToCell(-33.86, 151.21, 11))).to.equal(SCALE_PPM_ONE);
    expect(density.cellDensity(latLngToCell(-33.86, 151.21, 9))).to.equal(undefined);
    expect(density.cellDensity(latLngToCell(SF.lat, SF.lng, 9))).to.deep.equal({ unclipped: 1, clipped: 1 });
  });

  for (const [label, config] of CONFIGS) {
    describe(`properties with ${label}`, () => {
      it("every scale is an integer in [0, 10^6]", () => {
        fc.assert(
          fc.property(clusteredLocations, (locations) => {
            const density = computeHexDensity(locations, config);
            for (const location of locations) {
              const ppm = density.scalePpmForLocation(location);
              expect(Number.isInteger(ppm)).to.equal(true);
              expect(ppm).to.be.within(0, SCALE_PPM_ONE);
            }
          }),
          { numRuns: 40 },
        );
      });

      it("the result does not depend on input order", () => {
        fc.assert(
          fc.property(clusteredLocations, fc.integer(), (locations, seed) => {
            const hotspots = locations.map((location, i) => ({ key: `h${i}`, location }));
            const a = hexDensityScalesPpm(hotspots, config);
            const b = hexDensityScalesPpm(shuffle(hotspots, seed), config);
            expect([...b.entries()].sort()).to.deep.equal([...a.entries()].sort());
            const da = computeHexDensity(locations, config);
            const db = computeHexDensity(shuffle(locations, seed ^ 0x5bd1e995), config);
            expect([...db.baseCellScalesPpm()].sort()).to.deep.equal([...da.baseCellScalesPpm()].sort());
            for (const level of config.levels) {
              expect([...db.occupiedCells(level.resolution)].sort()).to.deep.equal([...da.occupiedCells(level.resolution)].sort());
            }
          }),
          { numRuns: 40 },
        );
      });

      it("adding a hotspot never raises the scale of the hotspots already in its res-11 cell", () => {
        fc.assert(
          fc.property(clusteredLocations, fc.nat(), (locations, pick) => {
            const target = locations[pick % locations.length]!;
            const sibling = cellChildren(cellParent(target, 11), 12)[pick % 7]!;
            const before = computeHexDensity(locations, config).scalePpmForLocation(target);
            const after = computeHexDensity([...locations, sibling], config).scalePpmForLocation(target);
            expect(after).to.be.at.most(before);
          }),
          { numRuns: 40 },
        );
      });

      it("the clipped value never exceeds the unclipped one or the level's max", () => {
        fc.assert(
          fc.property(clusteredLocations, (locations) => {
            const density = computeHexDensity(locations, config);
            for (const level of config.levels) {
              for (const [, value] of density.occupiedCells(level.resolution)) {
                expect(value.clipped).to.be.at.most(value.unclipped);
                expect(value.clipped).to.be.at.most(level.max);
                expect(value.clipped).to.be.at.least(Math.min(value.unclipped, level.target));
              }
            }
          }),
          { numRuns: 30 },
        );
      });
    });
  }

  describe("rejects bad input with typed errors", () => {
    const name = "InvalidDensityConfigError";
    const code = "ERR_INVALID_DENSITY_CONFIG";
    const level = { resolution: 10, neighbours: 2, target: 1, max: 1 };

    it("rejects inconsistent configurations", () => {
      expectGeoError(() => validateDensityConfig({ baseResolution: 13, levels: [level] }), name, code);
      expectGeoError(() => validateDensityConfig({ baseResolution: 0, levels: [] }), name, code);
      expectGeoError(() => validateDensityConfig({ baseResolution: 11, levels: [] }), name, code);
      expectGeoError(() => validateDensityConfig({ baseResolution: 11, levels: [{ ...level, resolution: 9 }] }), name, code);
      expectGeoError(() => validateDensityConfig({ baseResolution: 11, levels: [level, level] }), name, code);
      expectGeoError(() => validateDensityConfig({ baseResolution: 11, levels: [{ ...level, neighbours: 0 }] }), name, code);
      expectGeoError(() => validateDensityConfig({ baseResolution: 11, levels: [{ ...level, target: 1.5, max: 2 }] }), name, code);
      expectGeoError(() => validateDensityConfig({ baseResolution: 11, levels: [{ ...level, target: 3, max: 2 }] }), name, code);
      expectGeoError(() => computeHexDensity([], { baseResolution: 11, levels: [{ ...level, max: 0 }] }), name, code);
    });

    it("rejects a duplicate hotspot key", () => {
      const location = latLngToCell(SF.lat, SF.lng);
      expectGeoError(
        () => hexDensityScalesPpm([{ key: "a", location }, { key: "a", location }]),
        "DuplicateHotspotError",
        "ERR_DUPLICATE_HOTSPOT",
      );
    });

    it("rejects locations that are not res-12 cells", () => {
      expectGeoError(
        () => computeHexDensity([latLngToCell(SF.lat, SF.lng, 11)]),
        "WrongResolutionError",
        "ERR_WRONG_RESOLUTION",
      );
      expectGeoError(() => computeHexDensity(["not-a-cell"]), "InvalidCellError", "ERR_INVALID_CELL");
      expectGeoError(
        () => computeHexDensity([]).scalePpmForBaseCell(latLngToCell(SF.lat, SF.lng, 12)),
        "WrongResolutionError",
        "ERR_WRONG_RESOLUTION",
      );
      expectGeoError(
        () => computeHexDensity([latLngToCell(SF.lat, SF.lng)]).scalePpmForLocation("8c2830d340043fF"),
        "InvalidCellError",
        "ERR_INVALID_CELL",
      );
    });
  });
});
