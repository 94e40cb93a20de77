/**
 * Load benchmark of the coverage HTTP API (issue 8): indexes 400,000 synthetic hotspots' worth of
 * cells (seeded, clustered; bench/coverage/synthetic.ts), serves them from this process on
 * 127.0.0.1, and drives it from a SEPARATE process (bench/coverage/cannon.ts, autocannon) with
 * (1) cell lookups GET /v1/cells/:cell over 20,000 distinct indexed cells and (2) city-sized bbox
 * queries GET /v1/coverage?bbox=…&res=8 (20 km × 20 km around the synthetic cities).
 * Goal: ≥ 5,000 cell lookups/s and p99 < 50 ms for the city bbox at res 8 on 2 cores.
 *
 * Reproduce: npx tsx bench/coverage/load.ts [--hotspots 400000] [--seed 1] [--duration 10]
 *            [--data-dir <dir> (keep and reuse the index between runs)]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { CoverageIndex, CoverageServer } from "../../coverage/index.js";
import { prng, syntheticNetwork } from "./synthetic.js";

const { values } = parseArgs({
  options: {
    hotspots: { type: "string", default: "400000" },
    seed: { type: "string", default: "1" },
    duration: { type: "string", default: "10" },
    "data-dir": { type: "string" },
  },
});
const HOTSPOTS = Number(values.hotspots);
const SEED = Number(values.seed);
const DURATION_S = Number(values.duration);
/** Distinct cells requested by the lookup run: more than any cache would hold, ~18 % of the index. */
const LOOKUP_CELLS = 20_000;
/** A city bbox: 20 km × 20 km (≈ San Francisco + Oakland, or Manhattan + Brooklyn). */
const CITY_SIDE_KM = 20;
const KM_PER_DEGREE_LAT = 111.2;
/** Distinct bboxes: jittered around the 40 largest synthetic cities. */
const CITY_BBOXES = 400;
const BIG_CITIES = 40;
/** A city bbox at res 8 holds ≤ ~540 cells, one page. */
const BBOX_LIMIT = 1000;

const cannonScript = fileURLToPath(new URL("./cannon.ts", import.meta.url));
const temp = mkdtempSync(join(os.tmpdir(), "hexcover-coverage-bench-"));
const dataDir = values["data-dir"] ?? join(temp, "index");

interface CannonResult {
  requestsPerSecond: number;
  totalRequests: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  bytesPerSecond: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}

function runCannon(url: string, paths: string[], connections: number): Promise<CannonResult> {
  const config = join(temp, `cannon-${Date.now()}.json`);
  writeFileSync(config, JSON.stringify({ url, paths, connections, durationS: DURATION_S }));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", cannonScript, config], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${code}`));
      else resolve(JSON.parse(out.trim().split("\n").at(-1)!) as CannonResult);
    });
  });
}

const t0 = performance.now();
const network = syntheticNetwork(HOTSPOTS, SEED);
const tGenerated = performance.now();
const index = CoverageIndex.open({ dataDir, windowEpochs: 1 });
let ingestMs = 0;
if (index.latestEpoch() !== network.feed.epoch) {
  const t = performance.now();
  await index.ingest(network.feed);
  ingestMs = performance.now() - t;
}
const summary = index.resolveEpoch("latest");

// Lookup targets: a seeded sample of the indexed cells, 80 % at the base resolution.
const random = prng(SEED + 1);
const cells: string[] = [];
for (const record of index.scan(summary.epoch, 0n, (1n << 63n) - 1n)) cells.push(record.cell);
const base = cells.filter((c) => c[1] === "8");
const coarse = cells.filter((c) => c[1] !== "8");
const lookupPaths: string[] = [];
for (let i = 0; i < LOOKUP_CELLS; i++) {
  const pool = i % 5 === 4 ? coarse : base;
  lookupPaths.push(`/v1/cells/${pool[Math.floor(random() * pool.length)]}`);
}
const bigCities = [...network.cities].sort((a, b) => b.weight - a.weight).slice(0, BIG_CITIES);
const bboxPaths: string[] = [];
for (let i = 0; i < CITY_BBOXES; i++) {
  const city = bigCities[i % bigCities.length]!;
  const halfLat = CITY_SIDE_KM / 2 / KM_PER_DEGREE_LAT;
  const halfLng = halfLat / Math.cos((city.lat * Math.PI) / 180);
  const lat = city.lat + (random() - 0.5) * city.sigmaKm / KM_PER_DEGREE_LAT;
  const lng = city.lng + (random() - 0.5) * city.sigmaKm / KM_PER_DEGREE_LAT;
  const bbox = [lng - halfLng, lat - halfLat, lng + halfLng, lat + halfLat].map((v) => v.toFixed(5)).join(",");
  bboxPaths.push(`/v1/coverage?bbox=${bbox}&res=8&limit=${BBOX_LIMIT}`);
}

const server = new CoverageServer({ index, port: 0, web: false });
const url = await server.start();
// Size of a typical bbox answer, for the record.
let features = 0;
for (const path of bboxPaths.slice(0, BIG_CITIES)) features += ((await (await fetch(url + path)).json()) as { features: unknown[] }).features.length;

const runs: Array<{ name: string; connections: number; result: CannonResult }> = [];
for (const [name, paths, connections] of [
  ["cell lookup", lookupPaths, 10],
  ["city bbox res 8", bboxPaths, 1],
  ["city bbox res 8", bboxPaths, 4],
] as const) {
  runs.push({ name, connections, result: await runCannon(url, [...paths], connections) });
}
await server.stop();
await index.close();
rmSync(temp, { recursive: true, force: true }); // the load configs, and the index unless --data-dir

const cpus = os.cpus();
console.log(`coverage load benchmark (bench/coverage/load.ts)`);
console.log(`machine: ${cpus.length} cores, ${cpus[0]?.model ?? "unknown CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()}/${os.arch()}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
console.log(`index: ${HOTSPOTS} hotspots, ${summary.validWitnesses} witness reports, cells by resolution ${JSON.stringify(summary.cellsByResolution)}`);
console.log(`generate ${((tGenerated - t0) / 1000).toFixed(1)} s, ingest ${ingestMs > 0 ? `${(ingestMs / 1000).toFixed(1)} s` : "(reused)"}; city bbox answers hold ${Math.round(features / BIG_CITIES)} features on average`);
console.log(`load from a separate process (autocannon), ${DURATION_S} s per run:`);
console.log("| query | connections | requests/s | p50 ms | p99 ms | max ms | errors + non-2xx |");
console.log("|---|---|---|---|---|---|---|");
for (const { name, connections, result: r } of runs) {
  console.log(`| ${name} | ${connections} | ${Math.round(r.requestsPerSecond)} | ${r.latencyMs.p50} | ${r.latencyMs.p99} | ${r.latencyMs.max} | ${r.errors + r.non2xx + r.timeouts} |`);
}
console.log(`reproduce: npx tsx bench/coverage/load.ts --hotspots ${HOTSPOTS} --seed ${SEED} --duration ${DURATION_S}`);
