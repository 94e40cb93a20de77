import type { RewardLeaf } from "../../chain/merkle.js";
import type { Cell } from "../../geo/index.js";
import type { SignedMessage } from "../../protocol/index.js";
import type { ScoringConfig } from "./config.js";

/** A hotspot as registered on chain (DESIGN.md §2, §7). */
export interface RegisteredHotspot {
  /** 32-byte device key. */
  readonly key: Uint8Array;
  /** Asserted location, a resolution-12 cell. */
  readonly location: Cell;
  /** Antenna gain, dBi × 10. */
  readonly gainDeciDbi: number;
  readonly elevationM: number;
}

/** Outcome names are part of the API (metrics labels, GET /epochs/:e): never rename one. */
export const BEACON_OUTCOMES = [
  "valid",
  "unknown_hotspot",
  "duplicate_payload",
  "unknown_entropy",
  "stale_entropy",
  "invalid_frequency",
  "no_reveal",
  "reveal_mismatch",
  "reveal_early",
  "reveal_late",
  "too_frequent",
] as const;
export type BeaconOutcome = (typeof BEACON_OUTCOMES)[number];

export const WITNESS_OUTCOMES = [
  "valid",
  "not_selected",
  "unknown_beacon",
  "beacon_invalid",
  "unknown_witness",
  "denylisted",
  "self_witness",
  "duplicate",
  "outside_window",
  "frequency_mismatch",
  "data_rate_mismatch",
  "bad_proof",
  "too_far",
  "too_close",
  "rssi_too_strong",
  "snr_implausible",
] as const;
export type WitnessOutcome = (typeof WITNESS_OUTCOMES)[number];

export interface MessageOutcome {
  readonly id: string;
  readonly kind: "beacon" | "witness";
  readonly outcome: BeaconOutcome | WitnessOutcome;
}

/**
 * sha256 over every scored message in ascending id order: id (32 bytes) ‖ kind (0 beacon,
 * 1 witness) ‖ outcome index in BEACON_OUTCOMES / WITNESS_OUTCOMES.
 */
export const OUTCOME_DIGEST_RECORD_BYTES = 34;

export interface ScoringInput {
  readonly epoch: number;
  readonly config: ScoringConfig;
  /** The on-chain registry as of the epoch (see docs/VALIDATOR.md on registry snapshots). */
  readonly hotspots: readonly RegisteredHotspot[];
  /** Hex device keys whose witness reports earn nothing. */
  readonly denylist: ReadonlySet<string>;
  /** The frozen, pre-verified message sets of epochs E−1 and E, in any order. */
  readonly messages: readonly SignedMessage[];
  /** Cumulative rewards through epoch E−1. */
  readonly previousCumulative: readonly RewardLeaf[];
}

export interface HotspotReward {
  readonly hotspot: Uint8Array;
  /** Reward units earned this epoch, in geo's nano-units. */
  readonly units: bigint;
  /** Token base units earned this epoch. */
  readonly amount: bigint;
}

export interface EpochScore {
  readonly epoch: number;
  readonly beaconOutcomes: Record<BeaconOutcome, number>;
  readonly witnessOutcomes: Record<WitnessOutcome, number>;
  /**
   * Outcome of every scored message, sorted by message id (hex). Optional: at Helium scale it is
   * tens of millions of entries, so the tuned scorer returns it only when asked (`detail`).
   */
  readonly outcomes?: ReadonlyArray<MessageOutcome>;
  /** outcomeDigest(outcomes): always present, so scorers are compared on every verdict. */
  readonly outcomeDigest: Uint8Array;
  /** Hotspots that earned units this epoch, sorted by key. */
  readonly rewards: readonly HotspotReward[];
  readonly emitted: bigint;
  /** Leaves of the cumulative tree (every hotspot ever rewarded), sorted by key. */
  readonly cumulative: readonly RewardLeaf[];
  readonly cumulativeTotal: bigint;
  readonly root: Uint8Array;
  readonly leafCount: number;
}

/** Both scorers implement this; heavy work may happen in workers, hence async. */
export interface EpochScorer {
  score(input: ScoringInput): Promise<EpochScore>;
}

export function emptyCounts<T extends string>(names: readonly T[]): Record<T, number> {
  return Object.fromEntries(names.map((n) => [n, 0])) as Record<T, number>;
}
