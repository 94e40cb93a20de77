/**
 * Precomputed GeoJSON features. A bbox answer is a concatenation of per-cell features, so each
 * snapshot stores every cell's feature already serialized, prefixed by its centre (two f64 LE) for
 * the in-bbox test: a query then reads bytes and copies them, with no decoding, no h3 boundary
 * computation and no JSON.stringify per request (docs/BENCHMARKS.md ## coverage).
 */
import * as h3 from "h3-js";
import type { CellRecord } from "./snapshot.js";

/** Bytes before the feature JSON: centre latitude and longitude as float64 little-endian. */
export const FEATURE_CENTRE_BYTES = 16;

/** The summary properties a map needs to colour and label a hex (details: GET /v1/cells/:cell). */
export function cellFeature(record: CellRecord) {
  return {
    type: "Feature",
    geometry: { type: "Polygon", coordinates: [h3.cellToBoundary(record.cell, true)] },
    properties: {
      cell: record.cell,
      resolution: record.resolution,
      score: record.score,
      activeHotspots: record.activeHotspots,
      validBeacons: record.validBeacons,
      validWitnesses: record.validWitnesses,
      medianRssiDbm: record.medianRssiDbm,
      bestRssiDeciDbm: record.bestRssiDeciDbm,
      lastSeenEpoch: record.lastSeenEpoch,
      baseCells: record.baseCells,
    },
  };
}

/** centre (2 × f64 LE) ‖ UTF-8 JSON of {@link cellFeature}. */
export function encodeFeature(record: CellRecord): Buffer {
  const json = Buffer.from(JSON.stringify(cellFeature(record)));
  const out = Buffer.allocUnsafe(FEATURE_CENTRE_BYTES + json.length);
  const [lat, lng] = h3.cellToLatLng(record.cell);
  out.writeDoubleLE(lat, 0);
  out.writeDoubleLE(lng, 8);
  json.copy(out, FEATURE_CENTRE_BYTES);
  return out;
}
