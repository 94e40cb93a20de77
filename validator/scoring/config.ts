import { type DensityConfig, HIP104_DENSITY_CONFIG, HIP15_REWARD_CONFIG, type RewardUnitConfig } from "../../geo/index.js";

/** A frequency band beacons may use, inclusive bounds in Hz. */
export interface FrequencyBand {
  readonly name: string;
  readonly minHz: number;
  readonly maxHz: number;
}

/**
 * ISM bands Hexcover radios transmit in: LoRa US915, EU868, AU915/AS923 overlap, EU433 and
 * 2.4 GHz Wi-Fi. A beacon outside every band is "invalid_frequency".
 */
export const DEFAULT_FREQUENCY_BANDS: readonly FrequencyBand[] = [
  { name: "US915", minHz: 902_000_000, maxHz: 928_000_000 },
  { name: "EU868", minHz: 863_000_000, maxHz: 870_000_000 },
  { name: "EU433", minHz: 433_050_000, maxHz: 434_790_000 },
  { name: "WIFI2G4", minHz: 2_400_000_000, maxHz: 2_500_000_000 },
];

/** Every rule's parameter, with Helium iot_verifier's values where it had one (DESIGN.md §4). */
export interface ScoringConfig {
  /** Unix ms at which epoch 0 starts. */
  readonly genesisMs: number;
  readonly epochLengthMs: number;
  /** Beaconers reveal after this window (DESIGN.md §3.4: 2 min). */
  readonly witnessWindowMs: number;
  /** A reveal later than window + grace does not count. */
  readonly revealGraceMs: number;
  /** Helium: entropy valid for 180 s. */
  readonly entropyMaxAgeMs: number;
  /** Helium allowed one beacon per 6 h; here a count per scoring epoch. */
  readonly maxBeaconsPerHotspotPerEpoch: number;
  /** Helium: a witness received > 4000 ms after the beacon is late. */
  readonly maxWitnessDelayMs: number;
  /** Hotspot clocks differ: a witness may claim reception this long before the beacon's tx time. */
  readonly maxWitnessEarlyMs: number;
  /** Helium: more than 100 kHz off the beacon's frequency is invalid. */
  readonly maxFrequencyDeltaHz: number;
  /** Helium: too close if fewer than 8 cells apart at resolution 11 (≈ 350 m). */
  readonly minWitnessGridDistance: number;
  readonly minWitnessDistanceResolution: number;
  /**
   * Near the 12 H3 pentagons grid distance can be undefined; then "too close" falls back to the
   * centre distance: 8 cells at resolution 11 (centre spacing ≈ 43.5 m) ≈ 350 m.
   */
  readonly minWitnessDistanceFallbackM: number;
  /**
   * Pairs at least this far apart are never "too close" without asking H3: 8 steps at resolution
   * 11 span at most ~8 × 2 × 38 m (longest res-11 edge ≈ 38 m) plus the two parent offsets, well
   * under 2 km. Written into the rule so both scorers skip the grid walk identically.
   */
  readonly tooCloseScreenM: number;
  /** Helium: too far beyond 100 km between asserted cell centres. */
  readonly maxWitnessDistanceM: number;
  /** Helium used 0: only "too strong" is rejected. */
  readonly rssiMarginDeciDb: number;
  /**
   * Beyond Helium: an SNR higher than RSSI minus the receiver's thermal noise floor (plus this
   * margin) is physically impossible. Noise floors per data rate are in NOISE_FLOOR_DECI_DBM.
   */
  readonly snrMarginDeciDb: number;
  /** Helium: at most 14 witnesses rewarded per beacon. */
  readonly maxWitnessesPerBeacon: number;
  readonly frequencyBands: readonly FrequencyBand[];
  /** Reward token base units minted per epoch. */
  readonly emissionPerEpoch: bigint;
  readonly density: DensityConfig;
  readonly rewardUnits: RewardUnitConfig;
}

export const DEFAULT_SCORING_CONFIG: ScoringConfig = {
  genesisMs: 0,
  epochLengthMs: 24 * 3_600_000,
  witnessWindowMs: 120_000,
  revealGraceMs: 60_000,
  entropyMaxAgeMs: 180_000,
  maxBeaconsPerHotspotPerEpoch: 4,
  maxWitnessDelayMs: 4_000,
  maxWitnessEarlyMs: 1_000,
  maxFrequencyDeltaHz: 100_000,
  minWitnessGridDistance: 8,
  minWitnessDistanceResolution: 11,
  minWitnessDistanceFallbackM: 350,
  tooCloseScreenM: 2_000,
  maxWitnessDistanceM: 100_000,
  rssiMarginDeciDb: 0,
  snrMarginDeciDb: 30,
  maxWitnessesPerBeacon: 14,
  frequencyBands: DEFAULT_FREQUENCY_BANDS,
  emissionPerEpoch: 1_000_000_000_000n,
  density: HIP104_DENSITY_CONFIG,
  rewardUnits: HIP15_REWARD_CONFIG,
};

/**
 * Thermal noise floor per data-rate bandwidth, deci-dBm: −174 dBm/Hz + 10·log10(BW) + 6 dB noise
 * figure (a typical LoRa gateway front end), rounded down so the SNR bound errs toward accepting.
 * 125 kHz: −117.0; 250 kHz: −114.0; 500 kHz: −111.0; 20 MHz Wi-Fi: −95.0.
 */
export const NOISE_FLOOR_DECI_DBM: ReadonlyMap<number, number> = new Map([
  [125_000, -1171],
  [250_000, -1141],
  [500_000, -1111],
  [20_000_000, -950],
]);

export function epochStartMs(config: ScoringConfig, epoch: number): number {
  return config.genesisMs + epoch * config.epochLengthMs;
}

/** The epoch a message belongs to by its own timestamp (docs/VALIDATOR.md). */
export function epochOfTimestamp(config: ScoringConfig, timestampMs: number): number {
  return Math.floor((timestampMs - config.genesisMs) / config.epochLengthMs);
}

/**
 * Epoch E scores the beacons whose reveal deadline (tx + witness window + reveal grace) falls in
 * E, so every message of such a round lies in the frozen sets of E−1 and E.
 */
export function beaconScoringEpoch(config: ScoringConfig, txTimeMs: number): number {
  return epochOfTimestamp(config, txTimeMs + config.witnessWindowMs + config.revealGraceMs);
}

export class ScoringConfigError extends Error {
  readonly code = "ERR_SCORING_CONFIG";
  constructor(message: string) {
    super(`invalid scoring config: ${message}`);
    this.name = "ScoringConfigError";
  }
}

export function validateScoringConfig(config: ScoringConfig): ScoringConfig {
  const positive: Array<keyof ScoringConfig> = ["epochLengthMs", "maxBeaconsPerHotspotPerEpoch", "maxWitnessesPerBeacon"];
  for (const key of positive) {
    const value = config[key] as number;
    if (!Number.isSafeInteger(value) || value <= 0) throw new ScoringConfigError(`${key} must be a positive integer`);
  }
  const nonNegative: Array<keyof ScoringConfig> = [
    "witnessWindowMs",
    "revealGraceMs",
    "entropyMaxAgeMs",
    "maxWitnessDelayMs",
    "maxWitnessEarlyMs",
    "maxFrequencyDeltaHz",
    "minWitnessGridDistance",
    "maxWitnessDistanceM",
    "minWitnessDistanceFallbackM",
    "tooCloseScreenM",
    "rssiMarginDeciDb",
    "snrMarginDeciDb",
    "genesisMs",
  ];
  for (const key of nonNegative) {
    const value = config[key] as number;
    if (!Number.isSafeInteger(value) || value < 0) throw new ScoringConfigError(`${key} must be a non-negative integer`);
  }
  // A round must fit in two epochs: its messages are read from the frozen sets of E−1 and E.
  if (config.witnessWindowMs + config.revealGraceMs + config.entropyMaxAgeMs + config.maxWitnessEarlyMs >= config.epochLengthMs) {
    throw new ScoringConfigError("witness window + reveal grace + entropy age must be shorter than an epoch");
  }
  if (config.emissionPerEpoch < 0n || config.emissionPerEpoch >= 1n << 64n) throw new ScoringConfigError("emissionPerEpoch must be a u64");
  return config;
}
