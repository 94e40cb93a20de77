import { seededRandom } from "../../geo/index.js";
/**
 * Synthetic, seeded, clustered coverage feeds for the load benchmark: hotspots in cities with
 * Zipf-like sizes and Gaussian scatter (the placement model of bench/geo-bench.ts), one beacon per
 * hotspot, each heard by 0-6 hotspots of the same res-6 neighbourhood with log-distance RSSI.
 */
import { createHash } from "node:crypto";
import * as h3 from "h3-js";
import type { EpochCoverageFeed, FeedBeacon, FeedHotspot, FeedWitness } from "../../coverage/index.js";
import { encodeAddress } from "../../protocol/index.js";

/** Number of synthetic cities; city sizes follow a 1/rank weight like real deployments. */
export const CITIES = 60;
/** Continental-US-sized box for city centres. */
const BOX = { minLat: 30, maxLat: 48, minLng: -122, maxLng: -72 };
/** Scatter around a city centre: σ between 2 and 25 km; ~111.2 km per degree of latitude. */
const MIN_SIGMA_KM = 2;
const MAX_SIGMA_KM = 25;
const KM_PER_DEGREE = 111.2;
/** Helium rewarded at most 14 witnesses per beacon; typical beacons had a handful. */
const MAX_WITNESSES = 6;
/** Witnesses are drawn from the beaconer's res-6 cell (36 km², a few km of LoRa range). */
const NEIGHBOURHOOD_RES = 6;

/** Seeded PRNG for reproducible data (geo/random.ts). */
export const prng = seededRandom;

export interface City {
  readonly lat: number;
  readonly lng: number;
  readonly sigmaKm: number;
  readonly weight: number;
}

export interface SyntheticNetwork {
  readonly cities: readonly City[];
  readonly feed: EpochCoverageFeed;
}

/** Builds one epoch's feed for `count` hotspots. Deterministic for a given (count, seed, epoch). */
export function syntheticNetwork(count: number, seed: number, epoch = 1): SyntheticNetwork {
  const random = prng(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const cities: City[] = Array.from({ length: CITIES }, (_, rank) => ({
    lat: BOX.minLat + random() * (BOX.maxLat - BOX.minLat),
    lng: BOX.minLng + random() * (BOX.maxLng - BOX.minLng),
    sigmaKm: MIN_SIGMA_KM + random() * (MAX_SIGMA_KM - MIN_SIGMA_KM),
    weight: 1 / (rank + 1),
  }));
  const totalWeight = cities.reduce((sum, c) => sum + c.weight, 0);
  const hotspots: FeedHotspot[] = [];
  const points: Array<{ lat: number; lng: number }> = [];
  for (let i = 0; i < count; i++) {
    let pick = random() * totalWeight;
    let city = cities[0]!;
    for (const c of cities) {
      pick -= c.weight;
      city = c;
      if (pick <= 0) break;
    }
    const sigmaDeg = city.sigmaKm / KM_PER_DEGREE;
    const lat = Math.max(-85, Math.min(85, city.lat + gaussian() * sigmaDeg));
    const lng = city.lng + (gaussian() * sigmaDeg) / Math.cos((city.lat * Math.PI) / 180);
    const key = encodeAddress(createHash("sha256").update(`bench-${seed}-${i}`).digest());
    hotspots.push({ key, location: h3.latLngToCell(lat, lng, 12), gainDeciDbi: 20 + Math.floor(random() * 70) });
    points.push({ lat, lng });
  }
  const neighbourhoods = new Map<string, number[]>();
  hotspots.forEach((h, i) => {
    const n = h3.cellToParent(h.location, NEIGHBOURHOOD_RES);
    const list = neighbourhoods.get(n);
    if (list === undefined) neighbourhoods.set(n, [i]);
    else list.push(i);
  });
  const beacons: FeedBeacon[] = [];
  const witnesses: FeedWitness[] = [];
  hotspots.forEach((h, i) => {
    const near = neighbourhoods.get(h3.cellToParent(h.location, NEIGHBOURHOOD_RES))!;
    const wanted = Math.min(near.length - 1, Math.floor(random() * (MAX_WITNESSES + 1)));
    const chosen = new Set<number>();
    for (let tries = 0; chosen.size < wanted && tries < wanted * 4; tries++) {
      const j = near[Math.floor(random() * near.length)]!;
      if (j !== i) chosen.add(j);
    }
    beacons.push({ beaconer: h.key, validWitnesses: chosen.size });
    for (const j of chosen) {
      const d = Math.max(1, Math.round(h3.greatCircleDistance([points[i]!.lat, points[i]!.lng], [points[j]!.lat, points[j]!.lng], h3.UNITS.m)));
      // Log-distance: -5 dBm at 1 m, exponent 2.8, ±6 dB shadowing.
      const rssi = -5 - 28 * Math.log10(d) + (random() - 0.5) * 12;
      witnesses.push({
        beaconer: h.key,
        witness: hotspots[j]!.key,
        rssiDeciDbm: Math.round(rssi * 10),
        snrDeciDb: Math.round((rssi + 120) * 10),
        distanceM: d,
      });
    }
  });
  return { cities, feed: { epoch, finalizedAt: Date.UTC(2026, 0, 1) + epoch * 86_400_000, hotspots, beacons, witnesses } };
}
