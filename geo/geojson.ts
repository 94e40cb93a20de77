/**
 * GeoJSON for cells (RFC 7946): positions are [longitude, latitude], polygon rings are closed
 * (first position repeated last) and exterior rings run counter-clockwise as h3 emits them in
 * GeoJSON mode. Coverage polygons are the union of cell polygons via @turf/union.
 */
import { featureCollection, polygon } from "@turf/helpers";
import { union } from "@turf/union";
import type { Feature, FeatureCollection, GeoJsonProperties, MultiPolygon, Polygon } from "geojson";
import * as h3 from "h3-js";
import { parseCell } from "./cells.js";
import type { Cell } from "./cells.js";

/** Properties every cell feature carries; callers add their own on top. */
export interface CellFeatureProperties {
  readonly cell: Cell;
  readonly resolution: number;
}

/**
 * A cell as a GeoJSON Polygon feature with `properties = { cell, resolution, ...extra }`.
 * @throws InvalidCellError
 */
export function cellToFeature<P extends GeoJsonProperties = Record<never, never>>(
  cell: Cell,
  extra?: P,
): Feature<Polygon, CellFeatureProperties & P> {
  const valid = parseCell(cell);
  const ring = h3.cellToBoundary(valid, true); // [lng, lat], closed
  const properties = { ...(extra ?? {}), cell: valid, resolution: h3.getResolution(valid) } as CellFeatureProperties & P;
  return polygon([ring], properties);
}

/** A cell and the properties to attach to its feature. */
export interface CellWithProperties<P extends GeoJsonProperties> {
  readonly cell: Cell;
  readonly properties?: P;
}

/**
 * A FeatureCollection with one polygon per cell, in input order.
 * @throws InvalidCellError
 */
export function cellsToFeatureCollection<P extends GeoJsonProperties = Record<never, never>>(
  cells: readonly (Cell | CellWithProperties<P>)[],
): FeatureCollection<Polygon, CellFeatureProperties & P> {
  return featureCollection(
    cells.map((entry) =>
      typeof entry === "string" ? cellToFeature<P>(entry) : cellToFeature<P>(entry.cell, entry.properties),
    ),
  );
}

/**
 * The area covered by a set of cells as one Polygon or MultiPolygon feature (holes where cells are
 * missing), or null for no cells: the union of the cell polygons via @turf/union. Duplicates are
 * ignored; mixed resolutions are fine. Cells are not compacted first, because an H3 parent does not
 * exactly tile its children (the outline would move by up to a child's width). Not meant for sets
 * that cross the antimeridian (h3 boundaries there span 360° of longitude).
 * @throws InvalidCellError
 */
export function coveragePolygon<P extends GeoJsonProperties = Record<never, never>>(
  cells: Iterable<Cell>,
  properties?: P,
): Feature<Polygon | MultiPolygon, P> | null {
  const unique = new Set<Cell>();
  for (const cell of cells) unique.add(parseCell(cell));
  if (unique.size === 0) return null;
  const polygons = [...unique].sort().map((cell) => polygon([h3.cellToBoundary(cell, true)]));
  if (polygons.length === 1) return { ...polygons[0]!, properties: (properties ?? {}) as P };
  return union(featureCollection<Polygon | MultiPolygon>(polygons), { properties: (properties ?? {}) as P });
}
