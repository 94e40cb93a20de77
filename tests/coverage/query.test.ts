import { expect } from "chai";
import fc from "fast-check";
import * as h3 from "h3-js";
import { CoverageIndex } from "../../coverage/index.js";
import { type Bbox, queryBbox, queryBboxFeatures } from "../../coverage/query.js";
import { SF, cityFeed, tempDir } from "./fixtures.js";

describe("coverage bbox search", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let index: CoverageIndex;
  before(async () => {
    dir = await tempDir();
    index = CoverageIndex.open({ dataDir: dir.path });
    await index.ingest(cityFeed({ epoch: 1, centre: SF, hotspots: 150, spreadDeg: 0.5, seed: 8, rangeM: 8000 }));
  });
  after(async () => {
    await index.close();
    await dir.remove();
  });

  /** The definition: every indexed cell of the resolution whose centre lies in the bbox, ascending. */
  function bruteForce(bbox: Bbox, res: number): string[] {
    return [...index.scan(1, 0n, (1n << 63n) - 1n)]
      .filter((r) => r.resolution === res)
      .filter((r) => {
        const [lat, lng] = h3.cellToLatLng(r.cell);
        return lat >= bbox.minLat && lat <= bbox.maxLat && lng >= bbox.minLng && lng <= bbox.maxLng;
      })
      .map((r) => r.cell);
  }

  it("finds exactly the indexed cells whose centre lies in any bbox, at every resolution, including cells at the bbox edge", () => {
    const coordinate = (centre: number, span: number) => fc.double({ min: centre - span, max: centre + span, noNaN: true });
    fc.assert(
      fc.property(
        coordinate(SF.lng, 0.35),
        coordinate(SF.lat, 0.3),
        fc.double({ min: 0.005, max: 0.5, noNaN: true }),
        fc.double({ min: 0.005, max: 0.5, noNaN: true }),
        fc.integer({ min: 4, max: 8 }),
        (lng, lat, w, h, res) => {
          const bbox = { minLng: lng, minLat: lat, maxLng: lng + w, maxLat: lat + h };
          const expected = bruteForce(bbox, res);
          const features = queryBboxFeatures(index, 1, bbox, res, 5000).features.map((f) => JSON.parse(f.toString()).properties.cell);
          expect(features).to.deep.equal(expected);
          expect(queryBbox(index, 1, bbox, res, 5000).records.map((r) => r.cell)).to.deep.equal(expected);
        },
      ),
      { numRuns: 60 },
    );
  });
});
