/**
 * Fuzzing of every HTTP route (inventory H1–H2 in tests/fuzz/decoders.test.ts) over real servers
 * on 127.0.0.1 with keep-alive connections and concurrent requests: mutated valid requests
 * (segments replaced, dropped or repeated, parameters repeated, unknown, huge or of the wrong
 * type, other methods, bodies) and random request targets. Every answer must be 2xx or a 4xx with
 * a JSON error body carrying a stable code — never a 5xx, never a dropped connection — and the
 * server must still answer a valid request correctly afterwards.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import fc from "fast-check";
import * as h3 from "h3-js";
import { Registry } from "prom-client";
import { CoverageIndex, CoverageServer, MAX_URL_LENGTH } from "../../coverage/index.js";
import { startStatusServer } from "../../node/index.js";
import { encodeAddress } from "../../protocol/index.js";
import { createRewardsApi, listen } from "../../validator/api/index.js";
import { ResultsStore, summarizeEpoch } from "../../validator/results/index.js";
import { scoreEpochReference } from "../../validator/scoring/index.js";
import { cityFeed, SF } from "../coverage/fixtures.js";
import { EpochBuilder } from "../support/epoch-builder.js";
import {
  FuzzHttpClient,
  fcParams,
  type HttpAnswer,
  heapUsedAfterGc,
  hostileJsonValue,
  MAX_HEAP_GROWTH_BYTES,
  PATH_SEGMENT,
  RUNS,
  toJsonText,
} from "./support.js";

/** Requests per fast-check case, sent concurrently over the keep-alive pool. */
const BATCH = 25;
const ERROR_CODE = /^ERR_[A-Z0-9_]+$/;

interface FuzzRequest {
  method: string;
  path: string;
  body?: string;
}

const METHODS = fc.oneof(
  { weight: 6, arbitrary: fc.constant("GET") },
  fc.constantFrom("HEAD", "OPTIONS", "POST", "PUT", "DELETE", "PATCH", "TRACE", "PROPFIND", "M-SEARCH"),
);

const QUERY_VALUE = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }).map(encodeURIComponent) },
  fc.constantFrom("", "latest", "0", "-1", "4", "8", "9", "15", "1e309", "NaN", "0x10", "4294967296", "99999999999999999999", "1.5", "%201", "%", "%zz", "a&b=c"),
  fc.constantFrom("-180,-90,180,90", "-122.52,37.70,-122.32,37.85", "1,2,3,4,5", "10,10,10,10", "181,0,182,1", "-1e400,0,1,1", ",,,"),
  fc.integer({ min: 1, max: 3_000 }).map((n) => "9".repeat(n)),
);

function splitRequest(path: string): { segments: string[]; query: Array<[string, string]> } {
  const q = path.indexOf("?");
  const segments = (q === -1 ? path : path.slice(0, q)).split("/").slice(1);
  const query = q === -1 ? [] : path.slice(q + 1).split("&").filter((p) => p !== "").map((p) => p.split("=", 2) as [string, string]);
  return { segments, query: query.map(([k, v]) => [k, v ?? ""]) };
}

function joinRequest(segments: string[], query: Array<[string, string]>): string {
  const search = query.map(([k, v]) => `${k}=${v}`).join("&");
  return `/${segments.join("/")}${query.length > 0 ? `?${search}` : ""}`;
}

type Edit =
  | { op: "segment"; at: number; value: string }
  | { op: "dropSegment"; at: number }
  | { op: "addSegment"; value: string }
  | { op: "param"; at: number; value: string }
  | { op: "repeatParam"; at: number }
  | { op: "addParam"; name: string; value: string }
  | { op: "dropParam"; at: number };

const PARAM_NAMES = fc.oneof(fc.constantFrom("bbox", "res", "epoch", "limit", "cursor", "status", "x", "__proto__", "constructor", ""), fc.string({ maxLength: 6 }).map(encodeURIComponent));

const EDIT: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant("segment" as const), at: fc.nat(), value: PATH_SEGMENT }) },
  fc.record({ op: fc.constant("dropSegment" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("addSegment" as const), value: PATH_SEGMENT }),
  { weight: 3, arbitrary: fc.record({ op: fc.constant("param" as const), at: fc.nat(), value: QUERY_VALUE }) },
  fc.record({ op: fc.constant("repeatParam" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("addParam" as const), name: PARAM_NAMES, value: QUERY_VALUE }),
  fc.record({ op: fc.constant("dropParam" as const), at: fc.nat() }),
);

function applyEdit(path: string, edit: Edit): string {
  const { segments, query } = splitRequest(path);
  const seg = (i: number) => i % Math.max(segments.length, 1);
  const par = (i: number) => i % Math.max(query.length, 1);
  switch (edit.op) {
    case "segment":
      segments[seg(edit.at)] = edit.value;
      break;
    case "dropSegment":
      segments.splice(seg(edit.at), 1);
      break;
    case "addSegment":
      segments.push(edit.value);
      break;
    case "param":
      if (query.length > 0) query[par(edit.at)]![1] = edit.value;
      else query.push(["epoch", edit.value]);
      break;
    case "repeatParam":
      if (query.length > 0) query.push([...query[par(edit.at)]!]);
      break;
    case "addParam":
      query.push([edit.name, edit.value]);
      break;
    case "dropParam":
      query.splice(par(edit.at), 1);
      break;
  }
  return joinRequest(segments, query);
}

/** Mutated valid requests (any method, 1..4 edits, sometimes a body) and random request targets. */
function requests(validPaths: readonly string[]): fc.Arbitrary<FuzzRequest> {
  const mutated = fc
    .record({
      method: METHODS,
      which: fc.nat({ max: validPaths.length - 1 }),
      edits: fc.array(EDIT, { minLength: 0, maxLength: 4 }),
      body: fc.option(hostileJsonValue.map(toJsonText), { nil: undefined, freq: 8 }),
    })
    .map(({ method, which, edits, body }) => ({ method, path: edits.reduce(applyEdit, validPaths[which]!), ...(body === undefined ? {} : { body }) }));
  const random = fc
    .record({ method: METHODS, segments: fc.array(PATH_SEGMENT, { maxLength: 6 }), query: fc.array(fc.tuple(PARAM_NAMES, QUERY_VALUE), { maxLength: 5 }) })
    .map(({ method, segments, query }) => ({ method, path: joinRequest(segments, query) }));
  return fc.oneof({ weight: 3, arbitrary: mutated }, random);
}

/** The answer contract shared by both servers. `errorCodeOf` reads the code from a 4xx body. */
function checkAnswer(req: FuzzRequest, answer: HttpAnswer, errorCodeOf: (body: unknown) => unknown): void {
  const what = `${req.method} ${req.path.slice(0, 300)} → ${answer.status} ${answer.body.slice(0, 200)}`;
  expect(answer.status, what).to.be.below(500);
  expect(answer.status, what).to.be.at.least(200);
  if (answer.status >= 400 && req.method !== "HEAD") {
    let body: unknown;
    expect(() => {
      body = JSON.parse(answer.body);
    }, `${what}: error body is not JSON`).not.to.throw();
    expect(errorCodeOf(body), what).to.match(ERROR_CODE);
  }
}

async function runBatches(client: FuzzHttpClient, arb: fc.Arbitrary<FuzzRequest>, errorCodeOf: (body: unknown) => unknown): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.array(arb, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
      const answers = await Promise.all(batch.map((r) => client.send(r.path, { method: r.method, ...(r.body === undefined ? {} : { body: r.body }) })));
      for (const [i, answer] of answers.entries()) checkAnswer(batch[i]!, answer, errorCodeOf);
    }),
    fcParams(Math.ceil(RUNS / BATCH)),
  );
}

/** Sends raw bytes on a fresh socket and returns everything the server answered before closing. */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (c) => chunks.push(c));
    socket.on("end", () => resolve(Buffer.concat(chunks).toString("latin1")));
    socket.on("error", reject);
    socket.end(bytes);
  });
}

describe("fuzz: HTTP endpoints over real servers (fast-check)", function () {
  this.timeout(600_000);
  let heapBefore = 0;
  const dirs: string[] = [];
  const tmpBase = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();

  before(() => {
    heapBefore = heapUsedAfterGc();
  });
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    // Runs after the nested suites closed their servers: what is left is what they leaked.
    const growth = heapUsedAfterGc() - heapBefore;
    console.log(`      http fuzz: heap growth ${(growth / 1048576).toFixed(1)} MiB (bound ${MAX_HEAP_GROWTH_BYTES / 1048576} MiB)`);
    expect(growth).to.be.below(MAX_HEAP_GROWTH_BYTES);
  });

  describe("H1 coverage API and static routes (coverage/http.ts)", () => {
    let index: CoverageIndex;
    let server: CoverageServer;
    let client: FuzzHttpClient;
    const unexpected: unknown[] = [];
    const feed = cityFeed({ epoch: 3, centre: SF, hotspots: 30, spreadDeg: 0.08, seed: 5, prefix: "fuzz" });
    const cell8 = h3.cellToParent(feed.hotspots[0]!.location, 8);
    const cell6 = h3.cellToParent(cell8, 6);
    const key = feed.hotspots[0]!.key;
    const validPaths = [
      `/v1/cells/${cell8}`,
      `/v1/cells/${cell8}?epoch=3`,
      `/v1/cells/${cell6}/children?res=8&epoch=latest`,
      "/v1/coverage?bbox=-122.52,37.70,-122.32,37.85&res=8&limit=5",
      `/v1/coverage?bbox=-122.52,37.70,-122.32,37.85&res=7&epoch=3&limit=2&cursor=${h3.cellToParent(cell8, 7)}`,
      "/v1/hotspots?bbox=-122.52,37.70,-122.32,37.85&limit=3",
      `/v1/hotspots/${key}`,
      "/v1/stats",
      "/v1/epochs",
      "/",
      "/app.js",
      "/style.css",
      "/v1/openapi.yaml",
      "/vendor/leaflet/leaflet.css",
      "/basemap/countries-110m.json",
    ];
    const errorCodeOf = (body: unknown) => (body as { error?: { code?: unknown } })?.error?.code;

    before(async () => {
      const dir = await mkdtemp(join(tmpBase, "hexcover-fuzz-coverage-"));
      dirs.push(dir);
      index = CoverageIndex.open({ dataDir: dir, windowEpochs: 1 });
      await index.ingest(feed);
      server = new CoverageServer({ index, port: 0, onError: (err) => unexpected.push(err) });
      client = new FuzzHttpClient(await server.start());
    });
    after(async () => {
      client?.close();
      await server?.stop();
      await index?.close();
    });
    afterEach(() => {
      expect(unexpected, "no request may reach the 500 path").to.deep.equal([]);
    });

    it("answers every valid request with 200 (positive control)", async () => {
      for (const path of validPaths) expect((await client.send(path)).status, path).to.equal(200);
    });

    it("answers mutated and random requests with 2xx or a 4xx JSON error, never 5xx or a dropped connection", async () => {
      await runBatches(client, requests(validPaths), errorCodeOf);
      const after = await client.send(`/v1/cells/${cell8}`);
      expect(after.status).to.equal(200);
      expect(JSON.parse(after.body).cell).to.equal(cell8);
    });

    it("refuses a URL over MAX_URL_LENGTH with 400 and malformed HTTP or oversized headers with a JSON 4xx", async () => {
      const long = await client.send(`/v1/stats?x=${"a".repeat(MAX_URL_LENGTH)}`);
      expect(long.status).to.equal(400);
      expect(errorCodeOf(JSON.parse(long.body))).to.equal("ERR_BAD_REQUEST");
      const port = Number(new URL(server.url).port);
      for (const raw of [
        "GARBAGE\r\n\r\n",
        `GET /v1/stats HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(20_000)}\r\n\r\n`,
        "GET /v1/stats HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
      ]) {
        const answer = await rawExchange(port, raw);
        expect(answer, raw.slice(0, 40)).to.match(/^HTTP\/1\.1 4\d\d /);
        const body = answer.slice(answer.indexOf("\r\n\r\n") + 4);
        expect(errorCodeOf(JSON.parse(body)), raw.slice(0, 40)).to.match(ERROR_CODE);
      }
      expect((await client.send("/v1/stats")).status).to.equal(200);
    });
  });

  describe("H3 hotspot status server (node/hotspot/status-server.ts)", () => {
    let status: Awaited<ReturnType<typeof startStatusServer>>;
    let client: FuzzHttpClient;
    before(async () => {
      status = await startStatusServer(0, new Registry(), () => ({ address: "fuzz", peers: 0 }));
      client = new FuzzHttpClient(status.url);
    });
    after(async () => {
      client?.close();
      status?.server.closeAllConnections();
      await status?.close();
    });

    it("answers mutated and random requests with 2xx or 4xx, never 5xx or a dropped connection", async () => {
      // Its 404/405 bodies carry no stable code (node/ is another helper's folder: reported), so
      // only the status and the connection are checked here.
      await fc.assert(
        fc.asyncProperty(fc.array(requests(["/status", "/metrics", "/status?x=1"]), { minLength: BATCH, maxLength: BATCH }), async (batch) => {
          const answers = await Promise.all(batch.map((r) => client.send(r.path, { method: r.method, ...(r.body === undefined ? {} : { body: r.body }) })));
          for (const [i, answer] of answers.entries()) {
            const what = `${batch[i]!.method} ${batch[i]!.path.slice(0, 200)} → ${answer.status}`;
            expect(answer.status, what).to.be.within(200, 499);
          }
        }),
        fcParams(Math.ceil(RUNS / BATCH)),
      );
      expect(JSON.parse((await client.send("/status")).body).address).to.equal("fuzz");
    });
  });

  describe("H2 validator rewards API (validator/api)", () => {
    let results: ResultsStore;
    let server: Server;
    let client: FuzzHttpClient;
    const EPOCH = 10;
    let rewarded = "";
    const errorCodeOf = (body: unknown) => (body as { code?: unknown })?.code;
    let validPaths: string[] = [];

    before(async () => {
      const dir = await mkdtemp(join(tmpBase, "hexcover-fuzz-results-"));
      dirs.push(dir);
      results = ResultsStore.open(dir);
      const builder = new EpochBuilder();
      const beaconer = builder.hotspot(37.7749, -122.4194, 30, true);
      const witnesses = [builder.hotspot(37.79, -122.4, 30, true), builder.hotspot(37.76, -122.44, 30, true)];
      const tx = builder.txTimeIn(EPOCH);
      const beacon = builder.beacon(beaconer, builder.entropy(tx - 1000), tx);
      builder.reveal(beacon);
      for (const w of witnesses) builder.witness(beacon, w);
      const input = { ...builder.input(EPOCH), epoch: EPOCH };
      const score = scoreEpochReference(input);
      const details = summarizeEpoch(input, score, Date.now());
      await results.putScore(score, { messageCount: input.messages.length, activity: details.activity, coverage: details.coverage });
      rewarded = encodeAddress(score.cumulative[0]!.hotspot);
      const registry = new Registry();
      server = createRewardsApi({ results, metrics: registry, status: () => ({ ok: true }) });
      client = new FuzzHttpClient(await listen(server, 0));
      validPaths = [
        "/health",
        "/status",
        "/epochs",
        "/epochs?status=scored",
        `/epochs/${EPOCH}`,
        `/epochs/${EPOCH}/coverage`,
        `/epochs/${EPOCH}/rewards/${rewarded}`,
        `/hotspots/${rewarded}`,
        "/metrics",
      ];
    });
    after(async () => {
      client?.close();
      await new Promise<void>((resolve) => {
        server?.close(() => resolve());
        server?.closeAllConnections();
      });
      await results?.close();
    });

    it("answers every valid request with 200 (positive control)", async () => {
      for (const path of validPaths) expect((await client.send(path)).status, path).to.equal(200);
    });

    it("answers mutated and random requests with 2xx or a 4xx JSON error, never 5xx or a dropped connection", async () => {
      await runBatches(client, requests(validPaths), errorCodeOf);
      const after = await client.send(`/epochs/${EPOCH}/rewards/${rewarded}`);
      expect(after.status).to.equal(200);
      expect(JSON.parse(after.body).hotspot).to.equal(rewarded);
    });

    it("answers request targets that are not parseable URLs with 400, not 500", async () => {
      for (const target of ["//[", "//%zz/epochs", "http://[::1/epochs", "//a:b@c:99999/x"]) {
        const answer = await client.send(target);
        expect(answer.status, target).to.equal(400);
        expect(errorCodeOf(JSON.parse(answer.body)), target).to.equal("ERR_BAD_REQUEST");
      }
    });

    it("refuses a URL over the API's limit with 414, malformed HTTP and oversized headers with a JSON 4xx", async () => {
      const answer = await client.send(`/hotspots/${"2".repeat(5_000)}`);
      expect(answer.status).to.equal(414);
      expect(errorCodeOf(JSON.parse(answer.body))).to.equal("ERR_URL_TOO_LONG");
      const port = Number(new URL(client.baseUrl).port);
      for (const raw of [
        "GARBAGE\r\n\r\n",
        `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(20_000)}\r\n\r\n`,
        `GET /${"h".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      ]) {
        const reply = await rawExchange(port, raw);
        expect(reply, raw.slice(0, 40)).to.match(/^HTTP\/1\.1 4\d\d /);
        expect(errorCodeOf(JSON.parse(reply.slice(reply.indexOf("\r\n\r\n") + 4))), raw.slice(0, 40)).to.match(ERROR_CODE);
      }
      expect((await client.send("/health")).status).to.equal(200);
    });
  });

});
