/**
 * Deterministic coverage feeds for the tests: real base58 keys, real res-12 locations, a seeded
 * PRNG for placement, RSSI from a log-distance model. No randomness between runs.
 */
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EpochCoverageFeed, FeedBeacon, FeedHotspot, FeedWitness } from "../../coverage/index.js";
import { latLngDistanceMFloat, latLngToCell, seededRandom } from "../../geo/index.js";
import { encodeAddress } from "../../protocol/index.js";

/** A base58 hotspot key derived from a label (sha256 → 32 bytes). */
export function keyOf(label: string): string {
  return encodeAddress(createHash("sha256").update(label).digest());
}

export interface PlacedHotspot {
  readonly label: string;
  readonly lat: number;
  readonly lng: number;
}

export function hotspotOf(p: PlacedHotspot, gainDeciDbi = 30): FeedHotspot {
  return { key: keyOf(p.label), location: latLngToCell(p.lat, p.lng, 12), gainDeciDbi };
}

/** Seeded PRNG for reproducible data (geo/random.ts). */
export const prng = seededRandom;

/**
 * Log-distance RSSI in deci-dBm: −5 dBm at 1 m (27 dBm EIRP minus ~32 dB free-space loss at
 * 915 MHz), exponent 2.8 (urban): −89 dBm at 1 km, −106 dBm at 4 km.
 */
export function rssiDeciDbmAt(distanceM: number): number {
  return Math.round((-5 - 28 * Math.log10(Math.max(1, distanceM))) * 10);
}

export interface CityOptions {
  readonly epoch: number;
  readonly centre: { lat: number; lng: number };
  readonly hotspots: number;
  /** Scatter, degrees (uniform square). */
  readonly spreadDeg: number;
  readonly seed: number;
  /** Witnesses must be within this range (m); default 4000. */
  readonly rangeM?: number;
  /** Most witnesses per beacon; default 6. */
  readonly maxWitnesses?: number;
  /** Label prefix so two cities do not share keys. */
  readonly prefix?: string;
}

/**
 * A city: `hotspots` hotspots scattered around the centre; each beacons once and is heard by its
 * nearest neighbours within range (at most maxWitnesses, never itself).
 */
export function cityFeed(options: CityOptions, finalizedAt = 1_700_000_000_000 + options.epoch * 86_400_000): EpochCoverageFeed {
  const random = prng(options.seed);
  const range = options.rangeM ?? 4000;
  const maxWitnesses = options.maxWitnesses ?? 6;
  const placed: PlacedHotspot[] = [];
  for (let i = 0; i < options.hotspots; i++) {
    placed.push({
      label: `${options.prefix ?? "city"}-${i}`,
      lat: options.centre.lat + (random() - 0.5) * options.spreadDeg,
      lng: options.centre.lng + (random() - 0.5) * options.spreadDeg,
    });
  }
  const hotspots = placed.map((p) => hotspotOf(p));
  const beacons: FeedBeacon[] = [];
  const witnesses: FeedWitness[] = [];
  placed.forEach((b, i) => {
    const heard = placed
      .map((w, j) => ({ j, d: latLngDistanceMFloat(b, w) }))
      .filter(({ j, d }) => j !== i && d <= range)
      .sort((x, y) => x.d - y.d)
      .slice(0, maxWitnesses);
    beacons.push({ beaconer: hotspots[i]!.key, validWitnesses: heard.length });
    for (const { j, d } of heard) {
      witnesses.push({
        beaconer: hotspots[i]!.key,
        witness: hotspots[j]!.key,
        rssiDeciDbm: rssiDeciDbmAt(d),
        snrDeciDb: 50,
        distanceM: Math.round(d),
      });
    }
  });
  return { epoch: options.epoch, finalizedAt, hotspots, beacons, witnesses };
}

/** San Francisco downtown, the default city of the tests. */
export const SF = { lat: 37.7749, lng: -122.4194 };

/** A fresh temporary data directory and its cleanup. */
export async function tempDir(prefix = "hexcover-coverage-"): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
