import area from "@turf/area";
import { expect } from "chai";
import * as h3 from "h3-js";
import { cellChildren, cellDisk, cellToFeature, cellsToFeatureCollection, coveragePolygon, latLngToCell } from "../../geo/index.js";
import { expectGeoError } from "./helpers.js";

const SF = { lat: 37.7749, lng: -122.4194 };

describe("geo GeoJSON", () => {
  it("a cell becomes a closed [lng, lat] polygon with its id and resolution as properties", () => {
    const cell = latLngToCell(SF.lat, SF.lng, 9);
    const feature = cellToFeature(cell, { hotspots: 3 });
    expect(feature.type).to.equal("Feature");
    expect(feature.geometry.type).to.equal("Polygon");
    expect(feature.properties).to.deep.equal({ hotspots: 3, cell, resolution: 9 });
    const ring = feature.geometry.coordinates[0]!;
    expect(ring).to.have.length(7); // 6 vertices + the closing repeat
    expect(ring[0]).to.deep.equal(ring[ring.length - 1]);
    // RFC 7946 right-hand rule: exterior rings counter-clockwise (shoelace sum negative).
    let shoelace = 0;
    for (let i = 0; i + 1 < ring.length; i++) shoelace += (ring[i + 1]![0]! - ring[i]![0]!) * (ring[i + 1]![1]! + ring[i]![1]!);
    expect(shoelace).to.be.lessThan(0);
    for (const [lng, lat] of ring as [number, number][]) {
      expect(lng).to.be.closeTo(SF.lng, 0.01);
      expect(lat).to.be.closeTo(SF.lat, 0.01);
    }
  });

  it("a pentagon becomes a closed 5-vertex ring", () => {
    const pentagon = h3.getPentagons(4)[0]!;
    const ring = cellToFeature(pentagon).geometry.coordinates[0]!;
    expect(ring).to.have.length(6);
  });

  it("a polygon's area matches h3's cell area", () => {
    const cell = latLngToCell(SF.lat, SF.lng, 8);
    expect(area(cellToFeature(cell))).to.be.closeTo(h3.cellArea(cell, h3.UNITS.m2), h3.cellArea(cell, h3.UNITS.m2) * 0.01);
  });

  it("a set of cells becomes a FeatureCollection in input order with per-cell properties", () => {
    const cells = cellDisk(latLngToCell(SF.lat, SF.lng, 10), 1);
    const collection = cellsToFeatureCollection(cells.map((cell, i) => ({ cell, properties: { rank: i } })));
    expect(collection.type).to.equal("FeatureCollection");
    expect(collection.features.map((f) => f.properties.cell)).to.deep.equal(cells);
    expect(collection.features.map((f) => f.properties.rank)).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
    expect(cellsToFeatureCollection(cells).features).to.have.length(7);
  });

  it("the coverage polygon of contiguous cells is one polygon with their total area", () => {
    const cells = cellDisk(latLngToCell(SF.lat, SF.lng, 10), 2);
    const coverage = coveragePolygon(cells, { name: "downtown" })!;
    expect(coverage.geometry.type).to.equal("Polygon");
    expect(coverage.properties).to.deep.equal({ name: "downtown" });
    const expected = cells.reduce((sum, cell) => sum + h3.cellArea(cell, h3.UNITS.m2), 0);
    expect(area(coverage)).to.be.closeTo(expected, expected * 0.01);
  });

  it("the children of a cell union to one polygon of their total area, and duplicates are ignored", () => {
    const parent = latLngToCell(SF.lat, SF.lng, 8);
    const children = cellChildren(parent, 10);
    const coverage = coveragePolygon([...children, ...children.slice(0, 5)])!;
    expect(coverage.geometry.type).to.equal("Polygon");
    const expected = children.reduce((sum, cell) => sum + h3.cellArea(cell, h3.UNITS.m2), 0);
    expect(area(coverage)).to.be.closeTo(expected, expected * 0.01);
  });

  it("separate clusters become a MultiPolygon, and an empty set gives null", () => {
    const a = latLngToCell(SF.lat, SF.lng, 9);
    const b = latLngToCell(SF.lat + 0.2, SF.lng, 9);
    expect(coveragePolygon([a, b])!.geometry.type).to.equal("MultiPolygon");
    expect(coveragePolygon([])).to.equal(null);
  });

  it("rejects invalid cells with a typed error", () => {
    expectGeoError(() => cellToFeature("xyz"), "InvalidCellError", "ERR_INVALID_CELL");
    expectGeoError(() => cellsToFeatureCollection(["8c2830d340043fF"]), "InvalidCellError", "ERR_INVALID_CELL");
    expectGeoError(() => coveragePolygon(["0"]), "InvalidCellError", "ERR_INVALID_CELL");
  });
});
