/**
 * Micro-benchmark of geo/: latLngToCell, parent roll-up and HIP-17/HIP-104 density scaling over
 * 400,000 hotspots placed by a seeded, clustered synthetic model (cities with Gaussian scatter),
 * plus the per-witness validation helpers (integer distance, integer FSPL bound).
 *
 * Reproduce: npx tsx bench/geo-bench.ts [--hotspots 400000] [--seed 1]
 */
import os from "node:os";
import * as h3 from "h3-js";
import { parseArgs } from "node:util";
import {
  type Cell,
  cellCentreDistanceM,
  cellParent,
  computeHexDensity,
  latLngToCell,
  rssiWithinFreeSpaceBound,
} from "../geo/index.js";

const { values } = parseArgs({
  options: {
    hotspots: { type: "string", default: "400000" },
    seed: { type: "string", default: "1" },
  },
});
const HOTSPOTS = Number(values.hotspots);
const SEED = Number(values.seed);
/** Number of synthetic cities; city sizes follow a Zipf-like 1/rank weight like real deployments. */
const CITIES = 60;
/** Continental-US-sized box in which city centres are placed. */
const BOX = { minLat: 30, maxLat: 48, minLng: -122, maxLng: -72 };
/** Scatter of hotspots around a city centre: σ between 2 and 25 km, ~111 km per degree of latitude. */
const MIN_SIGMA_KM = 2;
const MAX_SIGMA_KM = 25;
const KM_PER_DEGREE = 111.2;

/** sfc32: small, fast, seedable PRNG (Chris Doty-Humphrey's PractRand suite); results in [0, 1). */
function sfc32(seed: number): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i++) next(); // discard the warm-up outputs
  return next;
}

function placeHotspots(count: number, seed: number): { lat: number; lng: number }[] {
  const random = sfc32(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const cities = Array.from({ length: CITIES }, (_, rank) => ({
    lat: BOX.minLat + random() * (BOX.maxLat - BOX.minLat),
    lng: BOX.minLng + random() * (BOX.maxLng - BOX.minLng),
    sigmaKm: MIN_SIGMA_KM + random() * (MAX_SIGMA_KM - MIN_SIGMA_KM),
    weight: 1 / (rank + 1),
  }));
  const totalWeight = cities.reduce((sum, city) => sum + city.weight, 0);
  const points: { lat: number; lng: number }[] = [];
  for (let i = 0; i < count; i++) {
    let pick = random() * totalWeight;
    let city = cities[0]!;
    for (const candidate of cities) {
      pick -= candidate.weight;
      city = candidate;
      if (pick <= 0) break;
    }
    const sigmaDeg = city.sigmaKm / KM_PER_DEGREE;
    const lat = Math.max(-89, Math.min(89, city.lat + gaussian() * sigmaDeg));
    const lng = city.lng + (gaussian() * sigmaDeg) / Math.cos((city.lat * Math.PI) / 180);
    points.push({ lat, lng });
  }
  return points;
}

function time<T>(label: string, operations: number, fn: () => T): T {
  const start = process.hrtime.bigint();
  const result = fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const perOpUs = (ms * 1000) / operations;
  const perSecond = operations / (ms / 1000);
  console.log(
    `${label.padEnd(44)} ${ms.toFixed(0).padStart(7)} ms  ${perOpUs.toFixed(2).padStart(8)} µs/op  ${Math.round(perSecond).toLocaleString("en-US").padStart(12)} ops/s`,
  );
  return result;
}

const cpus = os.cpus();
console.log("geo benchmark");
console.log(`machine: ${cpus.length} cores, ${cpus[0]?.model ?? "unknown CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, ${os.platform()}/${os.arch()}`);
console.log(`hotspots: ${HOTSPOTS.toLocaleString("en-US")}, seed ${SEED}, ${CITIES} clustered cities`);
console.log(`reproduce: npx tsx bench/geo-bench.ts --hotspots ${HOTSPOTS} --seed ${SEED}`);
console.log("");

const points = placeHotspots(HOTSPOTS, SEED);
// Warm-up so JIT compilation of h3-js is not billed to the first measurement.
for (let i = 0; i < 2000; i++) latLngToCell(points[i % points.length]!.lat, points[i % points.length]!.lng);

const locations: Cell[] = time("latLngToCell (res 12, validated)", HOTSPOTS, () =>
  points.map((p) => latLngToCell(p.lat, p.lng)),
);

// Roll-up through the public, validating API: every distinct cell of one resolution to its parent.
let parentCalls = 0;
let level = new Set<Cell>(locations);
const levelSizes: number[] = [];
for (let res = 11; res >= 4; res--) {
  parentCalls += level.size;
  const next = new Set<Cell>();
  for (const cell of level) next.add(h3.cellToParent(cell, res));
  levelSizes.push(next.size);
  level = next;
}
const rollup = time("cellParent roll-up 12 → 4 (distinct cells)", parentCalls, () => {
  let current: Cell[] = [...new Set(locations)];
  for (let res = 11; res >= 4; res--) current = [...new Set(current.map((cell) => cellParent(cell, res)))];
  return levelSizes;
});
console.log(`  distinct occupied cells at res 11..4: ${rollup.join(", ")}`);

const density = time("density scaling (HIP-104 defaults)", HOTSPOTS, () => computeHexDensity(locations));
const scales = locations.map((location) => density.scalePpmForLocation(location));
const sorted = [...scales].sort((a, b) => a - b);
const quantile = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
console.log(
  `  scale ppm: min ${sorted[0]}, p10 ${quantile(0.1)}, median ${quantile(0.5)}, p90 ${quantile(0.9)}, max ${sorted[sorted.length - 1]}; ` +
    `${scales.filter((s) => s === 1_000_000).length.toLocaleString("en-US")} hotspots unscaled`,
);

const PAIRS = 20_000;
const pairs = Array.from({ length: PAIRS }, (_, i) => [locations[i % HOTSPOTS]!, locations[(i * 7919 + 13) % HOTSPOTS]!] as const);
const distances = time("cellCentreDistanceM (integer, per witness)", PAIRS, () =>
  pairs.map(([a, b]) => cellCentreDistanceM(a, b)),
);
time("rssiWithinFreeSpaceBound (integer FSPL)", PAIRS, () =>
  distances.map((distanceM) =>
    rssiWithinFreeSpaceBound(-1100, {
      distanceM,
      frequencyHz: 903_900_000,
      txPowerDeciDbm: 270,
      txGainDeciDbi: 30,
      rxGainDeciDbi: 30,
    }),
  ),
);
