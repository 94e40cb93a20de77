import { connect } from "node:net";
import { expect } from "chai";
import fc from "fast-check";
import * as h3 from "h3-js";
import { CoverageIndex, CoverageServer, MAX_PAGE_LIMIT } from "../../coverage/index.js";
import { SF, cityFeed, keyOf, tempDir } from "./fixtures.js";

/** Two cities, so bbox queries have something outside the box to leave out. */
const SF_FEED_1 = cityFeed({ epoch: 1, centre: SF, hotspots: 40, spreadDeg: 0.1, seed: 3, prefix: "sf" });
const NYC = { lat: 40.7128, lng: -74.006 };
const FEED_2 = (() => {
  const sf = cityFeed({ epoch: 2, centre: SF, hotspots: 40, spreadDeg: 0.1, seed: 3, prefix: "sf" });
  const ny = cityFeed({ epoch: 2, centre: NYC, hotspots: 20, spreadDeg: 0.05, seed: 4, prefix: "ny" });
  return { ...sf, hotspots: [...sf.hotspots, ...ny.hotspots], beacons: [...sf.beacons, ...ny.beacons], witnesses: [...sf.witnesses, ...ny.witnesses] };
})();
const SF_BBOX = "-122.52,37.70,-122.32,37.85";
const SF_CELL_8 = h3.cellToParent(SF_FEED_1.hotspots[0]!.location, 8);

interface Got {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: parsed JSON of many shapes; the assertions check it
  body: any;
}

describe("coverage HTTP API over a real server", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let index: CoverageIndex;
  let server: CoverageServer;
  let base: string;
  const unexpected: unknown[] = [];

  async function get(path: string, init?: RequestInit): Promise<Got> {
    const response = await fetch(base + path, init);
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text.length > 0 && init?.method !== "HEAD" ? JSON.parse(text) : null };
  }

  async function expectError(path: string, status: number, code: string, messagePart?: string): Promise<void> {
    const got = await get(path);
    expect(got.status, `${path}: ${JSON.stringify(got.body)}`).to.equal(status);
    expect(got.body.error.code).to.equal(code);
    if (messagePart !== undefined) expect(got.body.error.message).to.contain(messagePart);
    expect(got.headers.get("access-control-allow-origin")).to.equal("*");
  }

  before(async () => {
    dir = await tempDir();
    index = CoverageIndex.open({ dataDir: dir.path, windowEpochs: 1 });
    await index.ingest(SF_FEED_1);
    await index.ingest(FEED_2);
    server = new CoverageServer({ index, port: 0, onError: (err) => unexpected.push(err) });
    base = await server.start();
  });
  after(async () => {
    await server?.stop();
    await index?.close();
    await dir?.remove();
  });
  afterEach(() => {
    expect(unexpected, "no request may hit an unexpected error").to.deep.equal([]);
  });

  it("listens on 127.0.0.1", () => {
    expect(base).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  describe("GET /v1/cells/:cell", () => {
    it("returns the cell's statistics in the latest snapshot with CORS and a JSON content type", async () => {
      const got = await get(`/v1/cells/${SF_CELL_8}`);
      expect(got.status).to.equal(200);
      expect(got.headers.get("content-type")).to.contain("application/json");
      expect(got.headers.get("access-control-allow-origin")).to.equal("*");
      expect(got.body.cell).to.equal(SF_CELL_8);
      expect(got.body.resolution).to.equal(8);
      expect(got.body.epoch).to.equal(2);
      expect(got.body.activeHotspots).to.be.greaterThan(0);
      expect(got.body.score).to.be.within(0, 100);
      expect(got.body.rssiHistogram).to.be.an("array");
      expect(got.body).to.not.have.property("scoreSum");
    });

    it("serves an older epoch when asked and 404s for an epoch it does not hold", async () => {
      expect((await get(`/v1/cells/${SF_CELL_8}?epoch=1`)).body.epoch).to.equal(1);
      await expectError(`/v1/cells/${SF_CELL_8}?epoch=99`, 404, "ERR_EPOCH_NOT_FOUND", "1..2");
    });

    it("answers 400 for malformed cells and cells outside resolutions 4..8, naming the res-8 parent", async () => {
      await expectError("/v1/cells/zzz", 400, "ERR_INVALID_CELL");
      await expectError("/v1/cells/8828308281FFFFF", 400, "ERR_INVALID_CELL", "lowercase");
      await expectError("/v1/cells/%E0%A4%A", 400, "ERR_BAD_REQUEST");
      const res12 = SF_FEED_1.hotspots[0]!.location;
      await expectError(`/v1/cells/${res12}`, 400, "ERR_INVALID_CELL", SF_CELL_8);
      await expectError(`/v1/cells/${h3.cellToParent(res12, 2)}`, 400, "ERR_INVALID_CELL", "4..8");
      await expectError(`/v1/cells/${SF_CELL_8}?epoch=-1`, 400, "ERR_INVALID_EPOCH");
      await expectError(`/v1/cells/${SF_CELL_8}?epoch=1e3`, 400, "ERR_INVALID_EPOCH");
      await expectError(`/v1/cells/${SF_CELL_8}?epcoh=1`, 400, "ERR_UNKNOWN_PARAMETER", "epoch");
      await expectError(`/v1/cells/${SF_CELL_8}?epoch=1&epoch=2`, 400, "ERR_BAD_REQUEST");
    });

    it("answers 404 for a valid cell without coverage", async () => {
      await expectError(`/v1/cells/${h3.latLngToCell(-33.86, 151.2, 8)}`, 404, "ERR_CELL_NOT_FOUND");
    });
  });

  describe("GET /v1/cells/:cell/children", () => {
    it("lists the indexed children at the next resolution by default, and at a finer one on request", async () => {
      const parent = h3.cellToParent(SF_CELL_8, 6);
      const next = await get(`/v1/cells/${parent}/children`);
      expect(next.status).to.equal(200);
      expect(next.body.resolution).to.equal(7);
      for (const c of next.body.children) expect(h3.cellToParent(c.cell, 6)).to.equal(parent);
      const deep = await get(`/v1/cells/${parent}/children?res=8`);
      expect(deep.body.children.map((c: { cell: string }) => c.cell)).to.include(SF_CELL_8);
      expect(deep.body.count).to.equal(deep.body.children.length);
      // The parent's counts are the sum of its indexed children's.
      const parentRecord = (await get(`/v1/cells/${parent}`)).body;
      expect(deep.body.children.reduce((n: number, c: { validWitnesses: number }) => n + c.validWitnesses, 0)).to.equal(parentRecord.validWitnesses);
    });

    it("answers 400 for a child resolution that is not finer than the cell or beyond the base", async () => {
      const parent = h3.cellToParent(SF_CELL_8, 6);
      await expectError(`/v1/cells/${parent}/children?res=6`, 400, "ERR_INVALID_RESOLUTION", "7..8");
      await expectError(`/v1/cells/${parent}/children?res=9`, 400, "ERR_INVALID_RESOLUTION");
      await expectError(`/v1/cells/${parent}/children?res=seven`, 400, "ERR_INVALID_RESOLUTION");
      await expectError(`/v1/cells/${SF_CELL_8}/children`, 400, "ERR_INVALID_RESOLUTION", "base resolution");
    });
  });

  describe("GET /v1/coverage", () => {
    it("returns a GeoJSON FeatureCollection of the cells whose centre lies in the bbox, only from that area", async () => {
      const got = await get(`/v1/coverage?bbox=${SF_BBOX}&res=8`);
      expect(got.status).to.equal(200);
      expect(got.headers.get("content-type")).to.contain("application/geo+json");
      expect(got.body.type).to.equal("FeatureCollection");
      expect(got.body.features.length).to.be.greaterThan(10);
      for (const f of got.body.features) {
        expect(f.type).to.equal("Feature");
        expect(f.geometry.type).to.equal("Polygon");
        const ring = f.geometry.coordinates[0];
        expect(ring[0]).to.deep.equal(ring[ring.length - 1]);
        const [lat, lng] = h3.cellToLatLng(f.properties.cell);
        expect(lng).to.be.within(-122.52, -122.32);
        expect(lat).to.be.within(37.7, 37.85);
        expect(f.properties.resolution).to.equal(8);
      }
      const cells = got.body.features.map((f: { properties: { cell: string } }) => f.properties.cell);
      expect(cells).to.include(SF_CELL_8);
      // Every indexed SF base cell is in there and nothing from New York.
      const all = index.epochs().at(-1)!.cellsByResolution["8"]!;
      expect(cells.length).to.be.lessThan(all);
    });

    it("pages with limit and cursor through the same cells in ascending order without gaps or repeats", async () => {
      const whole = (await get(`/v1/coverage?bbox=${SF_BBOX}&res=8&limit=${MAX_PAGE_LIMIT}`)).body;
      expect(whole.next).to.equal(null);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Got["body"] = (await get(`/v1/coverage?bbox=${SF_BBOX}&res=8&limit=7${cursor === null ? "" : `&cursor=${cursor}`}`)).body;
        expect(page.features.length).to.be.at.most(7);
        seen.push(...page.features.map((f: { properties: { cell: string } }) => f.properties.cell));
        cursor = page.next;
        pages++;
      } while (cursor !== null && pages < 100);
      expect(seen).to.deep.equal(whole.features.map((f: { properties: { cell: string } }) => f.properties.cell));
      const asU64 = seen.map((c) => BigInt(`0x${c}`));
      for (let i = 1; i < asU64.length; i++) expect(asU64[i]! > asU64[i - 1]!).to.equal(true);
    });

    it("answers at coarser resolutions and for the whole world at resolution 4", async () => {
      const coarse = (await get(`/v1/coverage?bbox=${SF_BBOX}&res=6`)).body;
      expect(coarse.features.length).to.be.greaterThan(0);
      for (const f of coarse.features) expect(f.properties.resolution).to.equal(6);
      const world = (await get("/v1/coverage?bbox=-180,-90,180,90&res=4")).body;
      const cells = world.features.map((f: { properties: { cell: string } }) => f.properties.cell);
      expect(cells).to.include(h3.latLngToCell(SF.lat, SF.lng, 4));
      expect(cells).to.include(h3.latLngToCell(40.7128, -74.006, 4));
    });

    it("serves the epoch selector: epoch=1 has no New York cells", async () => {
      const nyBbox = "-74.1,40.6,-73.9,40.8";
      expect((await get(`/v1/coverage?bbox=${nyBbox}&res=8&epoch=2`)).body.features.length).to.be.greaterThan(0);
      expect((await get(`/v1/coverage?bbox=${nyBbox}&res=8&epoch=1`)).body.features.length).to.equal(0);
    });

    it("answers 400 for invalid bboxes, resolutions, limits and cursors with a message saying what is wrong", async () => {
      await expectError("/v1/coverage?res=8", 400, "ERR_INVALID_BBOX", "missing");
      await expectError("/v1/coverage?bbox=1,2,3&res=8", 400, "ERR_INVALID_BBOX", "4 comma-separated");
      await expectError("/v1/coverage?bbox=a,2,3,4&res=8", 400, "ERR_INVALID_BBOX", "minLng");
      await expectError("/v1/coverage?bbox=0x1,2,3,4&res=8", 400, "ERR_INVALID_BBOX");
      await expectError("/v1/coverage?bbox=-122,37,-122.5,37.5&res=8", 400, "ERR_INVALID_BBOX", "antimeridian");
      await expectError("/v1/coverage?bbox=-122,38,-121,37&res=8", 400, "ERR_INVALID_BBOX", "minLat");
      await expectError("/v1/coverage?bbox=-200,37,-121,38&res=8", 400, "ERR_INVALID_BBOX", "-180..180");
      await expectError("/v1/coverage?bbox=-122,37,-121,95&res=8", 400, "ERR_INVALID_BBOX", "-90..90");
      await expectError(`/v1/coverage?bbox=${SF_BBOX}&res=9`, 400, "ERR_INVALID_RESOLUTION", "4..8");
      await expectError(`/v1/coverage?bbox=${SF_BBOX}&res=3`, 400, "ERR_INVALID_RESOLUTION");
      await expectError(`/v1/coverage?bbox=${SF_BBOX}&res=8.5`, 400, "ERR_INVALID_RESOLUTION");
      await expectError(`/v1/coverage?bbox=${SF_BBOX}&limit=0`, 400, "ERR_INVALID_LIMIT");
      await expectError(`/v1/coverage?bbox=${SF_BBOX}&limit=${MAX_PAGE_LIMIT + 1}`, 400, "ERR_INVALID_LIMIT");
      await expectError(`/v1/coverage?bbox=${SF_BBOX}&res=8&cursor=${h3.cellToParent(SF_CELL_8, 6)}`, 400, "ERR_INVALID_CURSOR");
      await expectError(`/v1/coverage?bbox=${SF_BBOX}&res=8&cursor=nope`, 400, "ERR_INVALID_CURSOR");
      await expectError(`/v1/coverage?bbox=${SF_BBOX}&res=8&epoch=latest2`, 400, "ERR_INVALID_EPOCH");
    });

    it("answers 400 for an area too large for the resolution and suggests a coarser one", async () => {
      await expectError("/v1/coverage?bbox=-125,25,-65,50&res=8", 400, "ERR_BBOX_TOO_LARGE", "res=5");
      await expectError("/v1/coverage?bbox=-180,-90,180,90&res=5", 400, "ERR_BBOX_TOO_LARGE", "res=4");
    });
  });

  describe("GET /v1/hotspots", () => {
    it("returns a hotspot's record by base58 key", async () => {
      const h = SF_FEED_1.hotspots[0]!;
      const got = await get(`/v1/hotspots/${h.key}`);
      expect(got.status).to.equal(200);
      expect(got.body.key).to.equal(h.key);
      expect(got.body.location).to.equal(h.location);
      expect(got.body.cell).to.equal(SF_CELL_8);
      expect(got.body.validBeacons).to.equal(1);
      expect(got.body.active).to.equal(true);
      expect(got.body.lastActiveEpoch).to.equal(2);
    });

    it("answers 400 for a key that is not base58 of 32 bytes and 404 for an unknown one", async () => {
      await expectError("/v1/hotspots/not-a-key", 400, "ERR_INVALID_HOTSPOT_KEY");
      await expectError("/v1/hotspots/3yZe7d", 400, "ERR_INVALID_HOTSPOT_KEY");
      await expectError(`/v1/hotspots/${keyOf("nobody")}`, 404, "ERR_HOTSPOT_NOT_FOUND");
    });

    it("returns hotspot markers in a bbox as GeoJSON points", async () => {
      const got = await get(`/v1/hotspots?bbox=${SF_BBOX}`);
      expect(got.status).to.equal(200);
      expect(got.body.type).to.equal("FeatureCollection");
      const keys = got.body.features.map((f: { properties: { key: string } }) => f.properties.key);
      expect(keys).to.include(SF_FEED_1.hotspots[0]!.key);
      for (const f of got.body.features) expect(f.geometry.type).to.equal("Point");
      await expectError("/v1/hotspots?bbox=-125,25,-65,50", 400, "ERR_BBOX_TOO_LARGE");
    });
  });

  describe("GET /v1/stats and /v1/epochs", () => {
    it("report the retained epochs, the latest summary and the index configuration", async () => {
      const stats = (await get("/v1/stats")).body;
      expect(stats.latestEpoch).to.equal(2);
      expect(stats.retainedEpochs).to.deep.equal([1, 2]);
      expect(stats.baseResolution).to.equal(8);
      expect(stats.minResolution).to.equal(4);
      expect(stats.hotspotsKnown).to.equal(60);
      expect(stats.latest.hotspots).to.equal(60);
      const epochs = (await get("/v1/epochs")).body;
      expect(epochs.latest).to.equal(2);
      expect(epochs.epochs.map((e: { epoch: number }) => e.epoch)).to.deep.equal([2, 1]);
      expect(epochs.epochs[0].extent).to.have.length(4);
    });

    it("reject unknown query parameters", async () => {
      await expectError("/v1/stats?verbose=1", 400, "ERR_UNKNOWN_PARAMETER");
    });
  });

  describe("HTTP behaviour", () => {
    it("answers CORS preflights and HEAD, rejects writes with 405 and unknown paths with 404", async () => {
      const preflight = await fetch(`${base}/v1/coverage`, { method: "OPTIONS", headers: { origin: "http://example.test", "access-control-request-method": "GET" } });
      expect(preflight.status).to.equal(204);
      expect(preflight.headers.get("access-control-allow-origin")).to.equal("*");
      expect(preflight.headers.get("access-control-allow-methods")).to.contain("GET");
      const head = await get("/v1/stats", { method: "HEAD" });
      expect(head.status).to.equal(200);
      const post = await fetch(`${base}/v1/stats`, { method: "POST", body: "{}" });
      expect(post.status).to.equal(405);
      expect(((await post.json()) as { error: { code: string } }).error.code).to.equal("ERR_METHOD_NOT_ALLOWED");
      await expectError("/v2/stats", 404, "ERR_NOT_FOUND");
      await expectError("/v1/cells", 404, "ERR_NOT_FOUND");
      await expectError(`/v1/cells/${SF_CELL_8}/parents`, 404, "ERR_NOT_FOUND");
      await expectError(`/v1/coverage?bbox=${"1".repeat(3000)}`, 400, "ERR_BAD_REQUEST");
    });

    it("answers a malformed HTTP request with 400 and keeps serving", async () => {
      const url = new URL(base);
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(url.port), url.hostname, () => socket.write("NOT HTTP AT ALL\r\n\r\n"));
        let data = "";
        socket.on("data", (chunk) => (data += chunk.toString("latin1")));
        socket.on("close", () => resolve(data));
        socket.on("error", reject);
      });
      expect(answer).to.match(/^HTTP\/1\.1 400/);
      expect((await get("/v1/stats")).status).to.equal(200);
    });

    it("serves the web map and its vendored assets from the same origin with a self-only CSP", async () => {
      const page = await fetch(`${base}/`);
      expect(page.status).to.equal(200);
      expect(page.headers.get("content-security-policy")).to.contain("default-src 'self'");
      const html = await page.text();
      expect(html).to.contain("/vendor/leaflet/leaflet.js");
      expect(html).to.not.match(/https?:\/\//);
      for (const asset of ["/app.js", "/vendor/leaflet/leaflet.js", "/vendor/leaflet/leaflet.css", "/vendor/topojson-client.min.js", "/basemap/countries-50m.json"]) {
        const r = await fetch(base + asset);
        expect(r.status, asset).to.equal(200);
        await r.arrayBuffer();
      }
    });

    it("publishes an OpenAPI document that lists every endpoint", async () => {
      const r = await fetch(`${base}/v1/openapi.yaml`);
      expect(r.status).to.equal(200);
      const yaml = await r.text();
      expect(yaml).to.match(/^openapi: 3\./);
      for (const route of ["/v1/cells/{cell}:", "/v1/cells/{cell}/children:", "/v1/coverage:", "/v1/hotspots:", "/v1/hotspots/{key}:", "/v1/stats:", "/v1/epochs:"]) {
        expect(yaml).to.contain(`\n  ${route}\n`);
      }
    });

    it("never crashes or answers 500 for arbitrary paths and query strings (fast-check)", async () => {
      const segment = fc.oneof(
        fc.constantFrom("v1", "cells", "coverage", "hotspots", "stats", "epochs", "children", SF_CELL_8, "8f28308280f18f1", "%", "%zz", "..", "ffffffffffffffff"),
        fc.string({ maxLength: 20 }).map(encodeURIComponent),
      );
      const param = fc.tuple(
        fc.constantFrom("bbox", "res", "epoch", "limit", "cursor", "x"),
        fc.oneof(
          fc.constantFrom("", "latest", "8", "4", "-1", "1e309", "NaN", SF_BBOX, "-180,-90,180,90", "1,2,3,4,5", SF_CELL_8, "%", "99999999999"),
          fc.string({ maxLength: 30 }).map(encodeURIComponent),
        ),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(segment, { maxLength: 5 }), fc.array(param, { maxLength: 4 }), async (segments, params) => {
          const path = `/${segments.join("/")}${params.length > 0 ? `?${params.map(([k, v]) => `${k}=${v}`).join("&")}` : ""}`;
          const response = await fetch(base + path);
          const text = await response.text();
          expect([200, 400, 404], path).to.include(response.status);
          if (response.status !== 200) expect(JSON.parse(text).error.code, path).to.be.a("string");
        }),
        { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
      );
      expect((await get("/v1/stats")).status).to.equal(200);
    });
  });
});

describe("coverage HTTP API when the index fails underneath", () => {
  it("answers 500 ERR_INTERNAL, reports the error, and keeps serving", async () => {
    const dir = await tempDir();
    const index = CoverageIndex.open({ dataDir: dir.path });
    await index.ingest(SF_FEED_1);
    const reported: unknown[] = [];
    const server = new CoverageServer({ index, port: 0, onError: (err) => reported.push(err) });
    const base = await server.start();
    try {
      await index.close(); // every LMDB read now throws
      const broken = await fetch(`${base}/v1/cells/${SF_CELL_8}`);
      expect(broken.status).to.equal(500);
      expect(((await broken.json()) as { error: { code: string } }).error.code).to.equal("ERR_INTERNAL");
      expect(reported).to.have.length(1);
      const page = await fetch(`${base}/`);
      expect(page.status).to.equal(200);
      await page.arrayBuffer();
      expect((await fetch(`${base}/v1/cells/nope`)).status).to.equal(400);
    } finally {
      await server.stop();
      await dir.remove();
    }
  });
});
