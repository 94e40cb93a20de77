/**
 * EpochCoverageFeed: what a validator hands the coverage index for one finalized epoch. The
 * validator serves exactly this JSON at `GET /epochs/:e/coverage`; the coverage index takes it
 * in-process ({@link CoverageIndex.ingest}) or polls it ({@link ValidatorPoller}).
 * docs/COVERAGE.md "Feed" documents every field; this file is the single definition.
 */
import { MAX_EPOCH } from "./constants.js";
import { DuplicateFeedHotspotError, InvalidFeedError, UnknownFeedHotspotError } from "./errors.js";
import { type Cell, parseAssertedLocation } from "../geo/index.js";
import { decodeAddress } from "../protocol/index.js";

/**
 * A hotspot as registered on chain for the epoch. Validators list every registered hotspot (at
 * least each one a beacon or witness names); the index counts as active only those with a valid
 * beacon or witness report.
 */
export interface FeedHotspot {
  /** Base58 ed25519 device key (the on-chain hotspot key). */
  readonly key: string;
  /** Asserted location: an H3 res-12 cell, canonical 15-char lowercase hex. */
  readonly location: Cell;
  /** Antenna gain, dBi × 10 (as on chain). */
  readonly gainDeciDbi: number;
}

/** One valid beacon of the epoch. */
export interface FeedBeacon {
  /** Base58 key of the beaconing hotspot; must be listed in `hotspots`. */
  readonly beaconer: string;
  /** Valid witnesses of this beacon before selection (≥ the number of selected reports). */
  readonly validWitnesses: number;
}

/** One valid witness report that was selected for rewards (DESIGN.md §4). */
export interface FeedWitness {
  /** Base58 key of the hotspot whose beacon was heard; listed in `hotspots`. */
  readonly beaconer: string;
  /** Base58 key of the hotspot that heard it; listed in `hotspots`, never the beaconer. */
  readonly witness: string;
  /** Received signal strength, dBm × 10. */
  readonly rssiDeciDbm: number;
  /** Signal-to-noise ratio, dB × 10. */
  readonly snrDeciDb: number;
  /** Distance between the asserted cell centres, whole metres. */
  readonly distanceM: number;
}

export interface EpochCoverageFeed {
  /** Finalized epoch number (u32). */
  readonly epoch: number;
  /** When the epoch was finalized on chain, Unix milliseconds. */
  readonly finalizedAt: number;
  readonly hotspots: readonly FeedHotspot[];
  readonly beacons: readonly FeedBeacon[];
  /** Valid, selected witness reports only. */
  readonly witnesses: readonly FeedWitness[];
}

/** Deci-unit radio fields and the gain are i16 on the wire and on chain. */
const I16_MIN = -32_768;
const I16_MAX = 32_767;
/** No two points on Earth are farther apart than half its circumference, ~20,037 km. */
const MAX_DISTANCE_M = 20_037_509;
/** Keys of the top-level object; anything else is rejected so typos surface. */
const FEED_FIELDS = ["epoch", "finalizedAt", "hotspots", "beacons", "witnesses"] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A short description of an offending value for error messages. Never serializes the value
 * itself: a deeply nested value overflows JSON.stringify's recursion, a huge one bloats the error.
 */
function describeValue(value: unknown): string {
  if (typeof value === "string") return value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}… (${value.length} chars)` : JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return `a value of type ${typeof value}`;
}

function integerIn(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidFeedError(field, `expected an integer in ${min}..${max}, got ${describeValue(value)}`);
  }
  return value;
}

function arrayAt(value: unknown, field: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new InvalidFeedError(field, "expected an array");
  return value;
}

function addressAt(value: unknown, field: string): string {
  if (typeof value !== "string") throw new InvalidFeedError(field, "expected a base58 address string");
  try {
    decodeAddress(value);
  } catch {
    throw new InvalidFeedError(field, `not a base58 ed25519 public key: ${JSON.stringify(value.slice(0, 64))}`);
  }
  return value;
}

/**
 * Validates an untrusted value (parsed JSON) as an {@link EpochCoverageFeed} and returns a copy
 * holding only the documented fields. Every rule has a typed error naming the offending field.
 * @throws InvalidFeedError, DuplicateFeedHotspotError, UnknownFeedHotspotError
 */
export function parseEpochCoverageFeed(input: unknown): EpochCoverageFeed {
  if (!isObject(input)) throw new InvalidFeedError("$", "expected an object");
  for (const name of Object.keys(input)) {
    if (!(FEED_FIELDS as readonly string[]).includes(name)) throw new InvalidFeedError(name, "unknown field");
  }
  const epoch = integerIn(input.epoch, "epoch", 0, MAX_EPOCH);
  const finalizedAt = integerIn(input.finalizedAt, "finalizedAt", 0, Number.MAX_SAFE_INTEGER);

  const hotspots: FeedHotspot[] = [];
  const known = new Set<string>();
  arrayAt(input.hotspots, "hotspots").forEach((entry, i) => {
    const at = `hotspots[${i}]`;
    if (!isObject(entry)) throw new InvalidFeedError(at, "expected an object");
    const key = addressAt(entry.key, `${at}.key`);
    if (typeof entry.location !== "string") throw new InvalidFeedError(`${at}.location`, "expected a res-12 H3 cell string");
    let location: Cell;
    try {
      location = parseAssertedLocation(entry.location);
    } catch (err) {
      throw new InvalidFeedError(`${at}.location`, (err as Error).message);
    }
    const gainDeciDbi = integerIn(entry.gainDeciDbi, `${at}.gainDeciDbi`, I16_MIN, I16_MAX);
    if (known.has(key)) throw new DuplicateFeedHotspotError(key);
    known.add(key);
    hotspots.push({ key, location, gainDeciDbi });
  });

  const member = (value: unknown, field: string): string => {
    if (typeof value !== "string") throw new InvalidFeedError(field, "expected a base58 address string");
    if (!known.has(value)) {
      addressAt(value, field);
      throw new UnknownFeedHotspotError(field, value);
    }
    return value;
  };

  const beacons: FeedBeacon[] = [];
  arrayAt(input.beacons, "beacons").forEach((entry, i) => {
    const at = `beacons[${i}]`;
    if (!isObject(entry)) throw new InvalidFeedError(at, "expected an object");
    beacons.push({
      beaconer: member(entry.beaconer, `${at}.beaconer`),
      validWitnesses: integerIn(entry.validWitnesses, `${at}.validWitnesses`, 0, Number.MAX_SAFE_INTEGER),
    });
  });

  const witnesses: FeedWitness[] = [];
  arrayAt(input.witnesses, "witnesses").forEach((entry, i) => {
    const at = `witnesses[${i}]`;
    if (!isObject(entry)) throw new InvalidFeedError(at, "expected an object");
    const beaconer = member(entry.beaconer, `${at}.beaconer`);
    const witness = member(entry.witness, `${at}.witness`);
    if (beaconer === witness) throw new InvalidFeedError(`${at}.witness`, "a hotspot cannot witness its own beacon");
    witnesses.push({
      beaconer,
      witness,
      rssiDeciDbm: integerIn(entry.rssiDeciDbm, `${at}.rssiDeciDbm`, I16_MIN, I16_MAX),
      snrDeciDb: integerIn(entry.snrDeciDb, `${at}.snrDeciDb`, I16_MIN, I16_MAX),
      distanceM: integerIn(entry.distanceM, `${at}.distanceM`, 0, MAX_DISTANCE_M),
    });
  });

  return { epoch, finalizedAt, hotspots, beacons, witnesses };
}
