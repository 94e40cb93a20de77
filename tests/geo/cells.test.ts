import { expect } from "chai";
import fc from "fast-check";
import * as h3 from "h3-js";
import {
  ASSERTED_LOCATION_RESOLUTION,
  cellChildRange,
  cellChildren,
  cellDisk,
  cellDistanceMFloat,
  cellFromBeBytes,
  cellFromLeBytes,
  cellFromU64,
  cellGridDistance,
  cellParent,
  cellResolution,
  cellToBeBytes,
  cellToLatLng,
  cellToLeBytes,
  cellToU64,
  isCell,
  latLngToCell,
  parseAssertedLocation,
  parseCell,
  parseCellAtResolution,
} from "../../geo/index.js";
import { cellKey, keyToCell, parentKey } from "../../geo/cell-key.js";
import { expectGeoError } from "./helpers.js";

// Helium's iot_verifier density test uses this res-12 cell (u64 631210990515536895).
const HELIUM_CELL_U64 = 631210990515536895n;
const HELIUM_CELL = "8c2830d340043ff";
// Central San Francisco, used as a fixed point in several tests.
const SF_LAT = 37.7749;
const SF_LNG = -122.4194;

const latArb = fc.double({ min: -85, max: 85, noNaN: true });
const lngArb = fc.double({ min: -179.9, max: 179.9, noNaN: true });

describe("geo cells: H3 conventions", () => {
  it("converts a cell between hex string, u64, little-endian and big-endian bytes", () => {
    expect(cellFromU64(HELIUM_CELL_U64)).to.equal(HELIUM_CELL);
    expect(cellToU64(HELIUM_CELL)).to.equal(HELIUM_CELL_U64);
    const le = cellToLeBytes(HELIUM_CELL);
    const be = cellToBeBytes(HELIUM_CELL);
    expect(Buffer.from(le).toString("hex")).to.equal("ff4300340d83c208");
    expect(Buffer.from(be).toString("hex")).to.equal("08c2830d340043ff");
    expect(cellFromLeBytes(le)).to.equal(HELIUM_CELL);
    expect(cellFromBeBytes(be)).to.equal(HELIUM_CELL);
  });

  it("little-endian bytes match Node's u64 LE writer (what Rust to_le_bytes gives)", () => {
    const buf = Buffer.alloc(8);
    buf.writeBigUInt64LE(HELIUM_CELL_U64);
    expect(Buffer.from(cellToLeBytes(HELIUM_CELL)).equals(buf)).to.equal(true);
  });

  it("round-trips every encoding for random points and resolutions", () => {
    fc.assert(
      fc.property(latArb, lngArb, fc.integer({ min: 0, max: 15 }), (lat, lng, res) => {
        const cell = latLngToCell(lat, lng, res);
        expect(cell).to.have.length(15);
        expect(isCell(cell)).to.equal(true);
        expect(cellFromU64(cellToU64(cell))).to.equal(cell);
        expect(cellFromLeBytes(cellToLeBytes(cell))).to.equal(cell);
        expect(cellFromBeBytes(cellToBeBytes(cell))).to.equal(cell);
        expect(cellResolution(cell)).to.equal(res);
      }),
      { numRuns: 200 },
    );
  });

  it("big-endian byte order equals numeric order", () => {
    fc.assert(
      fc.property(latArb, lngArb, latArb, lngArb, (lat1, lng1, lat2, lng2) => {
        const a = latLngToCell(lat1, lng1, 12);
        const b = latLngToCell(lat2, lng2, 12);
        const byBytes = Buffer.compare(Buffer.from(cellToBeBytes(a)), Buffer.from(cellToBeBytes(b)));
        const byValue = cellToU64(a) < cellToU64(b) ? -1 : cellToU64(a) > cellToU64(b) ? 1 : 0;
        expect(byBytes).to.equal(byValue);
      }),
      { numRuns: 200 },
    );
  });

  it("asserted locations are resolution 12", () => {
    expect(ASSERTED_LOCATION_RESOLUTION).to.equal(12);
    const cell = latLngToCell(SF_LAT, SF_LNG);
    expect(cellResolution(cell)).to.equal(12);
    expect(parseAssertedLocation(cell)).to.equal(cell);
    expect(parseAssertedLocation(cellToU64(cell))).to.equal(cell);
  });

  it("a parent is at the requested resolution and lists the cell among its children", () => {
    fc.assert(
      fc.property(latArb, lngArb, fc.integer({ min: 8, max: 12 }), (lat, lng, res) => {
        const cell = latLngToCell(lat, lng, 12);
        const parent = cellParent(cell, res);
        expect(cellResolution(parent)).to.equal(res);
        expect(cellChildren(parent, 12)).to.include(cell);
        expect(cellParent(cell, 12)).to.equal(cell);
      }),
      { numRuns: 50 },
    );
  });

  it("numeric cell keys round-trip and divide by 8 per resolution step like h3's parent (internal)", () => {
    fc.assert(
      fc.property(latArb, lngArb, fc.integer({ min: 1, max: 15 }), fc.integer({ min: 1, max: 15 }), (lat, lng, res, up) => {
        const cell = latLngToCell(lat, lng, res);
        const key = cellKey(cell, res);
        expect(Number.isSafeInteger(key)).to.equal(true);
        expect(keyToCell(key, res)).to.equal(cell);
        const levels = Math.min(up, res);
        expect(keyToCell(parentKey(key, levels), res - levels)).to.equal(cellParent(cell, res - levels));
      }),
      { numRuns: 300 },
    );
    const pentagon = h3.getPentagons(3)[1]!;
    for (const child of cellChildren(pentagon, 5)) expect(keyToCell(parentKey(cellKey(child, 5), 2), 3)).to.equal(pentagon);
  });

  it("children are sorted by value and each has the cell as parent", () => {
    const parent = latLngToCell(SF_LAT, SF_LNG, 9);
    const children = cellChildren(parent, 11);
    expect(children).to.have.length(49);
    for (const child of children) expect(cellParent(child, 9)).to.equal(parent);
    const values = children.map(cellToU64);
    for (let i = 1; i < values.length; i++) expect(values[i]! > values[i - 1]!).to.equal(true);
  });

  it("the child range brackets exactly the children (hexagon and pentagon)", () => {
    const pentagon = h3.getPentagons(5)[0]!;
    for (const [parent, res] of [
      [latLngToCell(SF_LAT, SF_LNG, 8), 11],
      [latLngToCell(-33.86, 151.21, 3), 5],
      [pentagon, 7],
      [latLngToCell(SF_LAT, SF_LNG, 12), 12],
    ] as const) {
      const children = cellChildren(parent, res);
      const range = cellChildRange(parent, res);
      expect(range.first).to.equal(children[0]);
      expect(range.last).to.equal(children[children.length - 1]);
      expect(cellToU64(range.first)).to.equal(range.firstU64);
      expect(cellToU64(range.last)).to.equal(range.lastU64);
    }
  });

  it("a res-12 cell lies inside a coarser cell's child range exactly when it descends from it", () => {
    fc.assert(
      fc.property(latArb, lngArb, fc.integer({ min: 1, max: 11 }), fc.double({ min: -0.02, max: 0.02, noNaN: true }), (lat, lng, res, delta) => {
        const ancestor = latLngToCell(lat, lng, res);
        const probe = latLngToCell(lat + delta, lng - delta, 12);
        const range = cellChildRange(ancestor, 12);
        const value = cellToU64(probe);
        const inRange = value >= range.firstU64 && value <= range.lastU64;
        expect(inRange).to.equal(cellParent(probe, res) === ancestor);
      }),
      { numRuns: 300 },
    );
  });

  it("grid distance counts steps between neighbours", () => {
    const origin = latLngToCell(SF_LAT, SF_LNG, 11);
    expect(cellGridDistance(origin, origin)).to.equal(0);
    const ring = cellDisk(origin, 2);
    expect(ring).to.have.length(19);
    for (const cell of ring) expect(cellGridDistance(origin, cell)).to.be.at.most(2);
    expect(ring.filter((cell) => cellGridDistance(origin, cell) === 2)).to.have.length(12);
  });

  it("neighbouring res-11 centres are about √3 × the mean res-11 edge (49.6 m) apart", () => {
    const origin = latLngToCell(SF_LAT, SF_LNG, 11);
    const neighbour = cellDisk(origin, 1).find((cell) => cell !== origin)!;
    // Adjacent hexagon centres are √3 × edge apart; h3's mean res-11 edge is 28.66 m, so ~49.6 m.
    const d = cellDistanceMFloat(origin, neighbour);
    expect(d).to.be.within(40, 60);
    const centre = cellToLatLng(origin);
    expect(centre.lat).to.be.closeTo(SF_LAT, 0.001);
  });

  describe("rejects bad input with typed errors", () => {
    it("rejects uppercase, padded, short, prefixed and non-cell strings", () => {
      for (const bad of [
        HELIUM_CELL.toUpperCase(),
        `0${HELIUM_CELL}`,
        HELIUM_CELL.slice(1),
        `0x${HELIUM_CELL.slice(2)}`,
        "zzzzzzzzzzzzzzz",
        "8c2830d340043ff".replace("8c", "fc"),
        "",
      ]) {
        expectGeoError(() => parseCell(bad), "InvalidCellError", "ERR_INVALID_CELL");
        expect(isCell(bad)).to.equal(false);
      }
      expectGeoError(() => parseCell(42 as unknown as string), "InvalidCellError", "ERR_INVALID_CELL");
    });

    it("rejects a u64 that is not a cell or not a u64", () => {
      expectGeoError(() => cellFromU64(0n), "InvalidCellError", "ERR_INVALID_CELL");
      expectGeoError(() => cellFromU64(-1n), "InvalidCellError", "ERR_INVALID_CELL");
      expectGeoError(() => cellFromU64(1n << 64n), "InvalidCellError", "ERR_INVALID_CELL");
      expectGeoError(() => cellFromLeBytes(new Uint8Array(8)), "InvalidCellError", "ERR_INVALID_CELL");
    });

    it("rejects byte encodings that are not 8 bytes", () => {
      expectGeoError(() => cellFromLeBytes(new Uint8Array(7)), "InvalidCellBytesError", "ERR_INVALID_CELL_BYTES");
      expectGeoError(() => cellFromBeBytes(new Uint8Array(9)), "InvalidCellBytesError", "ERR_INVALID_CELL_BYTES");
    });

    it("rejects an asserted location that is not resolution 12", () => {
      const err = expectGeoError(
        () => parseAssertedLocation(latLngToCell(SF_LAT, SF_LNG, 11)),
        "WrongResolutionError",
        "ERR_WRONG_RESOLUTION",
      );
      expect(err).to.include({ expected: 12, actual: 11 });
      expectGeoError(() => parseCellAtResolution(HELIUM_CELL, 8), "WrongResolutionError", "ERR_WRONG_RESOLUTION");
    });

    it("rejects grid distance between different resolutions", () => {
      expectGeoError(
        () => cellGridDistance(latLngToCell(0, 0, 5), latLngToCell(0, 0, 6)),
        "WrongResolutionError",
        "ERR_WRONG_RESOLUTION",
      );
    });

    it("reports an undefined grid distance across distant faces", () => {
      expectGeoError(
        () => cellGridDistance(latLngToCell(0, 0, 5), latLngToCell(40, 40, 5)),
        "GridDistanceUnavailableError",
        "ERR_GRID_DISTANCE_UNAVAILABLE",
      );
    });

    it("rejects out-of-range resolutions and wrong-direction parents/children", () => {
      const cell = latLngToCell(SF_LAT, SF_LNG, 9);
      expectGeoError(() => latLngToCell(0, 0, 16), "InvalidResolutionError", "ERR_INVALID_RESOLUTION");
      expectGeoError(() => latLngToCell(0, 0, 1.5), "InvalidResolutionError", "ERR_INVALID_RESOLUTION");
      expectGeoError(() => cellParent(cell, 10), "InvalidResolutionError", "ERR_INVALID_RESOLUTION");
      expectGeoError(() => cellChildren(cell, 8), "InvalidResolutionError", "ERR_INVALID_RESOLUTION");
      expectGeoError(() => cellChildren(latLngToCell(0, 0, 2), 9), "InvalidResolutionError", "ERR_INVALID_RESOLUTION");
      expectGeoError(() => cellChildRange(cell, -1), "InvalidResolutionError", "ERR_INVALID_RESOLUTION");
      expectGeoError(() => cellDisk(cell, -1), "InvalidResolutionError", "ERR_INVALID_RESOLUTION");
      expectGeoError(() => parseCellAtResolution(cell, 99), "InvalidResolutionError", "ERR_INVALID_RESOLUTION");
    });

    it("rejects impossible coordinates", () => {
      for (const [lat, lng] of [
        [91, 0],
        [-90.5, 0],
        [0, 181],
        [Number.NaN, 0],
        [0, Number.POSITIVE_INFINITY],
      ] as const) {
        expectGeoError(() => latLngToCell(lat, lng), "InvalidLatLngError", "ERR_INVALID_LAT_LNG");
      }
    });
  });
});
