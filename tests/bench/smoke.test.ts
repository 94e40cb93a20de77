/**
 * Smoke runs of every benchmark under bench/ at a tiny scale, so a change that breaks one fails
 * CI instead of being found at the next measurement. Nothing here looks at the figures (no
 * timing assertions): each run must exit 0 and print the machine and how to reproduce it.
 * The scoring benchmark's smoke run (tuned vs reference, outputs compared) is in
 * tests/validator/scoring/tuned.test.ts.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect } from "chai";

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Runs `tsx <script> <args>` from the repository root; returns its standard output. */
async function bench(script: string, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: "" },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 240_000,
  });
  return stdout;
}

describe("bench: every benchmark runs at a tiny scale (smoke)", function () {
  this.timeout(300_000);

  it("geo: placement, cells, density and radio math on 2,000 hotspots", async () => {
    const out = await bench("bench/geo-bench.ts", ["--hotspots", "2000", "--seed", "3"]);
    expect(out).to.match(/density scaling/);
    expect(out).to.match(/reproduce: npx tsx bench\/geo-bench\.ts --hotspots 2000 --seed 3/);
  });

  it("program: compute units per instruction and per claim up to 1,000 leaves", async () => {
    const out = await bench("bench/program-cu.ts", ["--max-leaves", "1000"]);
    expect(out).to.match(/\| claim/);
    expect(out).to.match(/\| 1,000 \|/);
    expect(out).to.match(/reproduce: npx tsx bench\/program-cu\.ts --max-leaves 1000/);
  });

  it("ingest: 400 messages through decode, verify and store, inline and pooled", async () => {
    const out = await bench("bench/ingest-bench.ts", ["--messages", "400", "--concurrency", "32", "--repeats", "1"]);
    expect(out).to.match(/raw crypto\.verify/);
    expect(out).to.match(/worker pool/);
    expect(out).to.match(/reproduce: npx tsx bench\/ingest-bench\.ts --messages 400/);
  });

  it("coverage: index 3,000 hotspots and load the HTTP API for a second", async () => {
    const out = await bench("bench/coverage/load.ts", ["--hotspots", "3000", "--seed", "2", "--duration", "1"]);
    expect(out).to.match(/\| query \| connections \| requests\/s/);
    expect(out).to.match(/reproduce: npx tsx bench\/coverage\/load\.ts --hotspots 3000 --seed 2 --duration 1/);
  });

  it("gossip: 8 hotspots in 2 processes, realistic rounds and a short load ramp", async () => {
    const out = await bench("bench/gossip/bench.ts", ["--smoke"]);
    expect(out).to.match(/p99/);
    expect(out).to.match(/npx tsx bench\/gossip\/bench\.ts/);
  });
});
