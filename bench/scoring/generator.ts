/**
 * Synthetic proof-of-coverage epochs for the scoring benchmark (issue 10 item 1). Seeded: the same
 * options give the same epoch, byte for byte.
 *
 * Model (all parameters are constants below, each with its reason):
 * - Placement: a continental-US-sized box. Most hotspots live in cities (centres uniform in the
 *   box, Zipf-like sizes, Gaussian scatter σ 2-25 km); the rest are spread uniformly
 *   ("countryside"). Locations are res-12 H3 cells, as asserted on chain.
 * - Beacons: 4 per hotspot per epoch (DESIGN.md's rate limit; ~1 % of hotspots send a 5th, which
 *   is "too_frequent"), tx times uniform over the epoch's scoring window, US915 channels, SF7BW125,
 *   27 dBm. Entropy is published every minute; a beacon uses the latest one.
 * - Witnesses: a cheap deterministic stand-in for geo's LogDistancePropagationModel with the same
 *   formula and LORA_US915_PROFILE's parameters (path-loss exponent 3.0, d0 = 1 m, σ = 6 dB),
 *   but the shadowing is drawn from this generator's PRNG instead of SHA-256 per link (24 M
 *   SHA-256 link hashes would dominate generation time). Candidates are up to 64 hotspots sampled
 *   from the 5 × 5 grid buckets (0.1°) around the beaconer; those above the SF7 sensitivity hear
 *   the beacon, and the strongest `t` report, t ≈ U(0.4, 1.6) × the target mean. RSSI is reported as
 *   modelled, SNR as RSSI over the noise floor (capped at +10 dB, LoRa's typical maximum).
 * - Invalid reports (~7 % of witness reports, ~5 % of beacons, every kind of DESIGN.md §4):
 *   unknown/denylisted/self witnesses, duplicates, early/late reception, frequency and data-rate
 *   mismatches, bad proofs, far witnesses, impossible RSSI and SNR, reports for unknown beacons;
 *   unknown hotspots, replayed payloads, unknown/stale entropy, bad frequencies, missing, wrong,
 *   early and late reveals. "Too close" happens by itself in dense cities.
 * - Message ids are uniformly random 32-byte values standing in for SHA-256 of each encoding
 *   (the scorers take pre-verified sets and never recompute ids). Payloads, payload hashes and
 *   witness proofs are real, so the validity rules are exercised for real.
 *
 * Columns are written directly (EpochColumnsBuilder), never as SignedMessage objects: at full
 * scale that is ~24 M reports. `toScoringInput()` materializes objects for the reference scorer at
 * small scales.
 */
import { latLngToCell } from "../../geo/index.js";
import { domainTag, type HexcoverMessage, type SignedMessage } from "../../protocol/index.js";
import type { RewardLeaf } from "../../chain/merkle.js";
import { DEFAULT_SCORING_CONFIG, type ScoringConfig } from "../../validator/scoring/config.js";
import type { RegisteredHotspot, ScoringInput } from "../../validator/scoring/types.js";
import {
  BYTES32,
  type EpochColumns,
  EpochColumnsBuilder,
  REVEAL_NONCE_BYTES,
  REVEAL_PAYLOAD_SLOT,
  type ScoreColumnsParams,
  WasmSha256,
} from "../../validator/scoring/tuned/index.js";

/** Helium's IoT network at its peak had about 400,000 hotspots (issue 10). */
export const FULL_SCALE_HOTSPOTS = 400_000;
/** 2026-01-01T00:00:00Z; the benchmark scores epoch 1 of one-day epochs. */
const GENESIS_MS = 1_767_225_600_000;
const EPOCH = 1;
/** Bounding box of the contiguous US (what geo's benchmark uses too). */
const BOX = { minLat: 25, maxLat: 49, minLng: -124, maxLng: -67 } as const;
/** One city per this many hotspots: ~270 cities at full scale, as many as US metro areas with hotspots. */
const HOTSPOTS_PER_CITY = 1_500;
const MIN_CITIES = 8;
/** Share of hotspots in cities; the rest are countryside. */
const CITY_SHARE = 0.85;
/** City scatter σ between 2 and 25 km (dense downtowns to sprawling metros). */
const CITY_SIGMA_KM = [2, 25] as const;
const KM_PER_DEGREE_LAT = 111.32;
/** Unregistered keys (0.5 %) beacon and witness: "unknown_hotspot" / "unknown_witness". */
const UNREGISTERED_SHARE = 0.005;
/** Denylisted hotspots (0.3 %). */
const DENYLISTED_SHARE = 0.003;
/** Antenna gains seen on Helium hotspots, deci-dBi (2, 3, 4, 5.8, 8 dBi). */
const GAINS_DECI_DBI = [20, 30, 30, 40, 58, 80] as const;
/** DESIGN.md: ~4 beacons per hotspot per epoch (= the default rate limit). */
const BEACONS_PER_HOTSPOT = 4;
/** Share of hotspots that beacon once more than allowed. */
const EXTRA_BEACON_SHARE = 0.01;
/** Mean witnesses per beacon the selection aims at (issue 10: ~15; calibrated so the mean reported is ≈ 15). */
const TARGET_WITNESSES = 17;
/** Grid bucket for neighbour search, degrees; candidates come from the 5 × 5 buckets around. */
const BUCKET_DEG = 0.1;
const MAX_CANDIDATES = 64;
/** LORA_US915_PROFILE: 27 dBm, exponent 3.0, d0 = 1 m, σ 6 dB; FSPL(1 m, 904.3 MHz) = 31.57 dB. */
const TX_POWER_DECI_DBM = 270;
const PATH_LOSS_EXPONENT = 3.0;
const FSPL_AT_1M_DB = 31.57;
const SHADOWING_SIGMA_DB = 6;
/** SF7BW125 sensitivity: noise floor −117 dBm (NF 6 dB) + demodulation SNR −7.5 dB. */
const SENSITIVITY_DBM = -124.5;
const NOISE_FLOOR_DBM = -117;
/** LoRa reports SNR up to about +10 dB. */
const MAX_SNR_DB = 10;
/** US915 uplink channels 902.3 + 0.2·k MHz, k < 64; data rate code 1 = SF7BW125. */
const US915_FIRST_HZ = 902_300_000;
const US915_STEP_HZ = 200_000;
const US915_CHANNELS = 64;
const DATA_RATE_SF7 = 1;
/** Reception delay a witness reports: up to 2 s of clock offset and forwarding. */
const MAX_RX_DELAY_MS = 2_000;
/** Share of invalid witness reports and beacons (issue 10 asks for 5-10 % of every kind). */
const INVALID_WITNESS_SHARE = 0.07;
const INVALID_BEACON_SHARE = 0.04;
const PAYLOAD_BYTES = 32;

const PAYLOAD_TAG = domainTag("hexcover/v1/beacon-payload");
const PAYLOAD_HASH_TAG = domainTag("hexcover/v1/payload-hash");
const WITNESS_PROOF_TAG = domainTag("hexcover/v1/witness-proof");

const WITNESS_FAULTS = [
  "unknown_witness",
  "denylisted",
  "self_witness",
  "duplicate",
  "outside_window",
  "frequency_mismatch",
  "data_rate_mismatch",
  "bad_proof",
  "too_far",
  "rssi_too_strong",
  "snr_implausible",
  "unknown_beacon",
] as const;
const BEACON_FAULTS = ["duplicate_payload", "unknown_entropy", "stale_entropy", "invalid_frequency", "no_reveal", "reveal_mismatch", "reveal_early", "reveal_late"] as const;

export interface GeneratorOptions {
  readonly hotspots: number;
  readonly seed?: number;
}

export interface SyntheticEpoch {
  readonly columns: EpochColumns;
  readonly params: ScoreColumnsParams;
  readonly counts: { hotspots: number; cities: number; entropy: number; commits: number; reveals: number; witnesses: number };
  /** The same epoch as SignedMessage objects, for the reference scorer (small scales only). */
  toScoringInput(): ScoringInput;
}

/** sfc32 (PractRand-tested, 128-bit state): fast and seedable. */
export function sfc32(seed: number): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed | 0;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 15; i++) next();
  return next;
}

export function generateEpoch(options: GeneratorOptions): SyntheticEpoch {
  const n = options.hotspots;
  if (!Number.isSafeInteger(n) || n < 2) throw new RangeError(`hotspots must be an integer >= 2, got ${n}`);
  const next = sfc32(options.seed ?? 1);
  const uniform = (): number => next() / 4_294_967_296;
  const int = (below: number): number => Math.floor(uniform() * below);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  const fillRandom = (target: Uint8Array, at: number, length: number): void => {
    for (let i = 0; i < length; i += 4) {
      const v = next();
      for (let j = 0; j < 4 && i + j < length; j++) target[at + i + j] = (v >>> (8 * j)) & 0xff;
    }
  };
  const config: ScoringConfig = { ...DEFAULT_SCORING_CONFIG, genesisMs: GENESIS_MS };
  const epochStart = GENESIS_MS + EPOCH * config.epochLengthMs;

  // --- Placement -------------------------------------------------------------------------------
  const cities = Math.max(MIN_CITIES, Math.round(n / HOTSPOTS_PER_CITY));
  const cityLat = new Float64Array(cities);
  const cityLng = new Float64Array(cities);
  const citySigmaKm = new Float64Array(cities);
  const cityCumulative = new Float64Array(cities);
  let weightSum = 0;
  for (let i = 0; i < cities; i++) {
    cityLat[i] = BOX.minLat + uniform() * (BOX.maxLat - BOX.minLat);
    cityLng[i] = BOX.minLng + uniform() * (BOX.maxLng - BOX.minLng);
    citySigmaKm[i] = CITY_SIGMA_KM[0] + uniform() * (CITY_SIGMA_KM[1] - CITY_SIGMA_KM[0]);
    weightSum += 1 / (i + 1); // Zipf: the i-th city has 1/(i+1) of the first one's hotspots
    cityCumulative[i] = weightSum;
  }
  const lat = new Float64Array(n);
  const lng = new Float64Array(n);
  for (let h = 0; h < n; h++) {
    if (uniform() < CITY_SHARE) {
      const pickW = uniform() * weightSum;
      let city = 0;
      while (cityCumulative[city]! < pickW) city++;
      const sigma = citySigmaKm[city]!;
      lat[h] = clamp(cityLat[city]! + (gaussian() * sigma) / KM_PER_DEGREE_LAT, BOX.minLat, BOX.maxLat);
      const kmPerDegLng = KM_PER_DEGREE_LAT * Math.cos((lat[h]! * Math.PI) / 180);
      lng[h] = clamp(cityLng[city]! + (gaussian() * sigma) / kmPerDegLng, BOX.minLng, BOX.maxLng);
    } else {
      lat[h] = BOX.minLat + uniform() * (BOX.maxLat - BOX.minLat);
      lng[h] = BOX.minLng + uniform() * (BOX.maxLng - BOX.minLng);
    }
  }
  const keyBytes = new Uint8Array(n * BYTES32);
  fillRandom(keyBytes, 0, keyBytes.length);
  const registered = new Uint8Array(n);
  const gain = new Int32Array(n);
  const denylisted: number[] = [];
  const unregistered: number[] = [];
  for (let h = 0; h < n; h++) {
    registered[h] = uniform() < UNREGISTERED_SHARE ? 0 : 1;
    if (registered[h] === 0) unregistered.push(h);
    else if (uniform() < DENYLISTED_SHARE) denylisted.push(h);
    gain[h] = GAINS_DECI_DBI[int(GAINS_DECI_DBI.length)]!;
  }
  if (unregistered.length === 0) {
    unregistered.push(n - 1);
    registered[n - 1] = 0;
  }
  if (denylisted.length === 0) denylisted.push(0);

  // --- Neighbours: grid buckets, up to MAX_CANDIDATES sampled from the 5 × 5 around -------------
  const bucketOf = (h: number): number => Math.floor(lat[h]! / BUCKET_DEG) * 10_000 + Math.floor(lng[h]! / BUCKET_DEG + 5_000);
  const buckets = new Map<number, number[]>();
  for (let h = 0; h < n; h++) {
    const key = bucketOf(h);
    const list = buckets.get(key);
    if (list === undefined) buckets.set(key, [h]);
    else list.push(h);
  }
  const candidatesOf = (h: number): number[] => {
    const around: number[][] = [];
    let total = 0;
    const home = bucketOf(h);
    for (let dy = -2; dy <= 2; dy++) {
      for (let dx = -2; dx <= 2; dx++) {
        const list = buckets.get(home + dy * 10_000 + dx);
        if (list !== undefined) {
          around.push(list);
          total += list.length;
        }
      }
    }
    const out: number[] = [];
    if (total - 1 <= MAX_CANDIDATES) {
      for (const list of around) for (const x of list) if (x !== h) out.push(x);
      return out;
    }
    // Sample without replacement (a hotspot reports a beacon once; repeats are the "duplicate" fault).
    const taken = new Set<number>([h]);
    for (let tries = 0; out.length < MAX_CANDIDATES && tries < 4 * MAX_CANDIDATES; tries++) {
      let pickAt = int(total);
      for (const list of around) {
        if (pickAt < list.length) {
          const x = list[pickAt]!;
          if (!taken.has(x)) {
            taken.add(x);
            out.push(x);
          }
          break;
        }
        pickAt -= list.length;
      }
    }
    return out;
  };
  const distanceKm = (a: number, b: number): number => {
    const dLat = (lat[b]! - lat[a]!) * KM_PER_DEGREE_LAT;
    const dLng = (lng[b]! - lng[a]!) * KM_PER_DEGREE_LAT * Math.cos(((lat[a]! + lat[b]!) * Math.PI) / 360);
    return Math.sqrt(dLat * dLat + dLng * dLng);
  };

  // --- Pass 1: beacons and who reports them (compact arrays) ------------------------------------
  // Typed arrays, not number[]: at full scale these hold 24 M entries while the columns fill.
  const beaconHotspot = new Growable(Int32Array);
  const beaconTx = new Growable(Float64Array);
  const beaconFault = new Growable(Int8Array); // -1 or index into BEACON_FAULTS
  const reportStart = new Growable(Int32Array);
  reportStart.push(0);
  const reportWitness = new Growable(Int32Array);
  const reportRssi = new Growable(Int16Array); // deci-dBm
  const reportFault = new Growable(Int8Array); // -1 or index into WITNESS_FAULTS
  const scoringWindowStart = epochStart - config.witnessWindowMs - config.revealGraceMs;
  for (let h = 0; h < n; h++) {
    const beacons = BEACONS_PER_HOTSPOT + (uniform() < EXTRA_BEACON_SHARE ? 1 : 0);
    const candidates = candidatesOf(h);
    const distances = candidates.map((x) => Math.max(distanceKm(h, x) * 1000, 1));
    for (let k = 0; k < beacons; k++) {
      beaconHotspot.push(h);
      beaconTx.push(scoringWindowStart + int(config.epochLengthMs));
      beaconFault.push(uniform() < INVALID_BEACON_SHARE ? int(BEACON_FAULTS.length) : -1);
      const heard: Array<[number, number]> = [];
      for (let i = 0; i < candidates.length; i++) {
        const x = candidates[i]!;
        const budget = TX_POWER_DECI_DBM / 10 + (gain[h]! + gain[x]!) / 10;
        const rssi = budget - (FSPL_AT_1M_DB + 10 * PATH_LOSS_EXPONENT * Math.log10(distances[i]!)) + SHADOWING_SIGMA_DB * gaussian();
        if (rssi >= SENSITIVITY_DBM) heard.push([x, rssi]);
      }
      heard.sort((p, q) => q[1] - p[1]);
      const t = Math.min(heard.length, Math.round(TARGET_WITNESSES * (0.4 + 1.2 * uniform())));
      for (let i = 0; i < t; i++) {
        reportWitness.push(heard[i]![0]);
        reportRssi.push(Math.max(-2000, Math.min(300, Math.round(heard[i]![1] * 10))));
        reportFault.push(uniform() < INVALID_WITNESS_SHARE ? int(WITNESS_FAULTS.length) : -1);
      }
      reportStart.push(reportWitness.length);
    }
  }
  const beaconCount = beaconHotspot.length;
  let witnessRows = reportWitness.length;
  for (let i = 0; i < reportFault.length; i++) if (reportFault.at(i) >= 0 && WITNESS_FAULTS[reportFault.at(i)] === "duplicate") witnessRows++;
  let revealRows = 0;
  for (let b = 0; b < beaconFault.length; b++) revealRows += beaconFault.at(b) >= 0 && BEACON_FAULTS[beaconFault.at(b)] === "no_reveal" ? 0 : 1;
  const entropyCount = Math.ceil((config.epochLengthMs + config.witnessWindowMs + config.revealGraceMs + config.entropyMaxAgeMs) / 60_000) + 1;

  // --- Pass 2: write columns ----------------------------------------------------------------------
  const builder = new EpochColumnsBuilder({ entropy: entropyCount, commits: beaconCount, reveals: revealRows, witnesses: witnessRows });
  for (let h = 0; h < n; h++) {
    const key = builder.internKey(keyBytes, h * BYTES32);
    // Hotspot h is key index h from here on (random 32-byte keys do not repeat).
    if (key !== h) throw new Error(`generator: key ${h} repeated`);
    if (registered[h] === 1) builder.register(key, latLngToCell(lat[h]!, lng[h]!, 12), gain[h]!);
  }
  for (const h of denylisted) builder.deny(h);
  // Entropy every minute, from before the first scored round to after the last.
  const entropyStart = scoringWindowStart - config.entropyMaxAgeMs - 60_000;
  for (let i = 0; i < entropyCount; i++) {
    const e = builder.claimEntropy();
    fillRandom(builder.entropyId, e * BYTES32, BYTES32);
    builder.entropyTimeMs[e] = entropyStart + i * 60_000;
  }
  const entropyAt = (tx: number): number => Math.min(entropyCount - 1, Math.floor((tx - entropyStart) / 60_000));
  const sha = new WasmSha256();
  const payload = new Uint8Array(PAYLOAD_BYTES);
  const scratch = new Uint8Array(BYTES32);
  for (let b = 0; b < beaconCount; b++) {
    const h = beaconHotspot.at(b);
    const tx = beaconTx.at(b);
    const fault = beaconFault.at(b) >= 0 ? BEACON_FAULTS[beaconFault.at(b)]! : null;
    const c = builder.claimCommit();
    fillRandom(builder.commitId, c * BYTES32, BYTES32);
    builder.commitHotspot[c] = h;
    let e = entropyAt(tx);
    if (fault === "stale_entropy") e = Math.max(0, e - 5);
    if (fault === "unknown_entropy") fillRandom(builder.commitEntropyId, c * BYTES32, BYTES32);
    else builder.commitEntropyId.set(builder.entropyId.subarray(e * BYTES32, e * BYTES32 + BYTES32), c * BYTES32);
    const nonce = new Uint8Array(REVEAL_NONCE_BYTES);
    fillRandom(nonce, 0, REVEAL_NONCE_BYTES);
    // payload = H(tag ‖ entropy id ‖ key ‖ nonce); commit carries H(tag ‖ payload).
    let at = 0;
    sha.input.set(PAYLOAD_TAG, at);
    at += PAYLOAD_TAG.length;
    sha.input.set(builder.commitEntropyId.subarray(c * BYTES32, c * BYTES32 + BYTES32), at);
    at += BYTES32;
    sha.input.set(keyBytes.subarray(h * BYTES32, h * BYTES32 + BYTES32), at);
    at += BYTES32;
    sha.input.set(nonce, at);
    sha.digest(at + REVEAL_NONCE_BYTES, payload, 0);
    if (fault === "duplicate_payload" && c > 0) {
      // Replays an earlier commit's payload hash (a copied commit with a new id and time).
      builder.commitPayloadHash.copyWithin(c * BYTES32, (c - 1) * BYTES32, c * BYTES32);
    } else {
      sha.input.set(PAYLOAD_HASH_TAG, 0);
      sha.input.set(payload, PAYLOAD_HASH_TAG.length);
      sha.digest(PAYLOAD_HASH_TAG.length + PAYLOAD_BYTES, builder.commitPayloadHash, c * BYTES32);
    }
    builder.commitTxTimeMs[c] = tx;
    const channel = int(US915_CHANNELS);
    const frequency = fault === "invalid_frequency" ? 1_000_000_000 : US915_FIRST_HZ + channel * US915_STEP_HZ;
    builder.commitFrequencyHz[c] = frequency;
    builder.commitDataRate[c] = DATA_RATE_SF7;
    builder.commitTxPowerDeciDbm[c] = TX_POWER_DECI_DBM;
    if (fault !== "no_reveal") {
      const r = builder.claimReveal();
      fillRandom(builder.revealId, r * BYTES32, BYTES32);
      builder.revealHotspot[r] = h;
      builder.revealBeaconId.set(builder.commitId.subarray(c * BYTES32, c * BYTES32 + BYTES32), r * BYTES32);
      builder.revealNonce.set(nonce, r * REVEAL_NONCE_BYTES);
      if (fault === "reveal_mismatch") builder.revealNonce[r * REVEAL_NONCE_BYTES]! ^= 1;
      builder.revealPayload.set(payload, r * REVEAL_PAYLOAD_SLOT);
      builder.revealPayloadLength[r] = PAYLOAD_BYTES;
      const windowEnd = tx + config.witnessWindowMs;
      builder.revealTimeMs[r] =
        fault === "reveal_early" ? windowEnd - 1 - int(30_000) : fault === "reveal_late" ? windowEnd + config.revealGraceMs + 1 + int(30_000) : windowEnd + int(config.revealGraceMs);
    }
    for (let i = reportStart.at(b); i < reportStart.at(b + 1); i++) {
      const fault = reportFault.at(i) >= 0 ? WITNESS_FAULTS[reportFault.at(i)]! : null;
      let x = reportWitness.at(i);
      if (fault === "unknown_witness") x = unregistered[int(unregistered.length)]!;
      else if (fault === "denylisted") x = denylisted[int(denylisted.length)]!;
      else if (fault === "self_witness") x = h;
      else if (fault === "too_far") x = int(n);
      const copies = fault === "duplicate" ? 2 : 1;
      for (let copy = 0; copy < copies; copy++) {
        const w = builder.claimWitness();
        fillRandom(builder.witnessId, w * BYTES32, BYTES32);
        builder.witnessKey[w] = x;
        if (fault === "unknown_beacon") {
          fillRandom(scratch, 0, BYTES32);
          builder.setWitnessPayloadHash(w, scratch, 0);
        } else builder.setWitnessPayloadHash(w, builder.commitPayloadHash, c * BYTES32);
        sha.input.set(WITNESS_PROOF_TAG, 0);
        sha.input.set(payload, WITNESS_PROOF_TAG.length);
        sha.input.set(keyBytes.subarray(x * BYTES32, x * BYTES32 + BYTES32), WITNESS_PROOF_TAG.length + PAYLOAD_BYTES);
        sha.digest(WITNESS_PROOF_TAG.length + PAYLOAD_BYTES + BYTES32, scratch, 0);
        if (fault === "bad_proof") scratch[int(BYTES32)]! ^= 1 << int(8);
        builder.witnessProof.set(scratch, w * BYTES32);
        const rssi = fault === "rssi_too_strong" ? 200 : reportRssi.at(i);
        builder.witnessRssiDeciDbm[w] = rssi;
        builder.witnessSnrDeciDb[w] = fault === "snr_implausible" ? 500 : Math.min(MAX_SNR_DB * 10, rssi - NOISE_FLOOR_DBM * 10 - int(30));
        builder.witnessFrequencyHz[w] = fault === "frequency_mismatch" ? frequency + 150_000 : frequency;
        builder.witnessDataRate[w] = fault === "data_rate_mismatch" ? DATA_RATE_SF7 + 1 : DATA_RATE_SF7;
        builder.witnessRxTimeMs[w] = tx + (fault === "outside_window" ? config.maxWitnessDelayMs + 1 + int(10_000) : int(MAX_RX_DELAY_MS)) + copy * 7;
      }
    }
  }
  const columns = builder.build();
  const previousCumulative: RewardLeaf[] = [];
  const params: ScoreColumnsParams = { epoch: EPOCH, config, previousCumulative };
  return {
    columns,
    params,
    counts: { hotspots: n, cities, entropy: columns.entropyCount, commits: columns.commitCount, reveals: columns.revealCount, witnesses: columns.witnessCount },
    toScoringInput: () => columnsToInput(columns, params),
  };
}

/** An append-only typed array that doubles its capacity. */
class Growable<T extends Int8Array | Int16Array | Int32Array | Float64Array> {
  #array: T;
  #length = 0;
  readonly #Kind: new (length: number) => T;

  constructor(Kind: new (length: number) => T) {
    this.#Kind = Kind;
    this.#array = new Kind(1024);
  }

  get length(): number {
    return this.#length;
  }

  push(value: number): void {
    if (this.#length === this.#array.length) {
      const grown = new this.#Kind(this.#array.length * 2);
      grown.set(this.#array);
      this.#array = grown;
    }
    this.#array[this.#length++] = value;
  }

  at(index: number): number {
    return this.#array[index]!;
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/** SignedMessage objects for columns (signature and wire bytes empty: the scorers do not read them). */
export function columnsToInput(cols: EpochColumns, params: ScoreColumnsParams): ScoringInput {
  const id = (bytes: Uint8Array, i: number) => bytes.slice(i * BYTES32, i * BYTES32 + BYTES32);
  const key = (k: number) => id(cols.keyBytes, k);
  const keys = Array.from({ length: cols.keyCount }, (_, k) => key(k));
  const signed = <M extends HexcoverMessage>(message: M, messageId: Uint8Array, signer: Uint8Array): SignedMessage<M> => ({
    message,
    signer,
    signature: new Uint8Array(64),
    id: messageId,
    bytes: new Uint8Array(0),
  });
  const hotspots: RegisteredHotspot[] = [];
  const denylist = new Set<string>();
  for (let k = 0; k < cols.keyCount; k++) {
    if (cols.keyRegistered[k] === 1) hotspots.push({ key: keys[k]!, location: cols.cells[cols.keyCell[k]!]!, gainDeciDbi: cols.keyGainDeciDbi[k]!, elevationM: 10 });
    if (cols.keyDenylisted[k] === 1) denylist.add(Buffer.from(keys[k]!).toString("hex"));
  }
  const messages: SignedMessage[] = [];
  const validator = new Uint8Array(32);
  for (let e = 0; e < cols.entropyCount; e++) {
    messages.push(signed({ kind: "entropy", validator, seq: e, timestampMs: cols.entropyTimeMs[e]!, value: new Uint8Array(32) }, id(cols.entropyId, e), validator));
  }
  for (let c = 0; c < cols.commitCount; c++) {
    const hotspot = keys[cols.commitHotspot[c]!]!;
    messages.push(
      signed(
        {
          kind: "beaconCommit",
          hotspot,
          entropyId: id(cols.commitEntropyId, c),
          payloadHash: id(cols.commitPayloadHash, c),
          txTimeMs: cols.commitTxTimeMs[c]!,
          frequencyHz: cols.commitFrequencyHz[c]!,
          dataRate: cols.commitDataRate[c]!,
          txPowerDeciDbm: cols.commitTxPowerDeciDbm[c]!,
        },
        id(cols.commitId, c),
        hotspot,
      ),
    );
  }
  for (let r = 0; r < cols.revealCount; r++) {
    const hotspot = keys[cols.revealHotspot[r]!]!;
    messages.push(
      signed(
        {
          kind: "beaconReveal",
          hotspot,
          beaconId: id(cols.revealBeaconId, r),
          nonce: cols.revealNonce.slice(r * REVEAL_NONCE_BYTES, (r + 1) * REVEAL_NONCE_BYTES),
          payload: cols.revealPayload.slice(r * REVEAL_PAYLOAD_SLOT, r * REVEAL_PAYLOAD_SLOT + cols.revealPayloadLength[r]!),
          revealTimeMs: cols.revealTimeMs[r]!,
        },
        id(cols.revealId, r),
        hotspot,
      ),
    );
  }
  for (let w = 0; w < cols.witnessCount; w++) {
    const witness = keys[cols.witnessKey[w]!]!;
    messages.push(
      signed(
        {
          kind: "witnessReport",
          witness,
          payloadHash: id(cols.payloadHashes, cols.witnessPayload[w]!),
          proof: id(cols.witnessProof, w),
          rssiDeciDbm: cols.witnessRssiDeciDbm[w]!,
          snrDeciDb: cols.witnessSnrDeciDb[w]!,
          frequencyHz: cols.witnessFrequencyHz[w]!,
          dataRate: cols.witnessDataRate[w]!,
          rxTimeMs: cols.witnessRxTimeMs[w]!,
        },
        id(cols.witnessId, w),
        witness,
      ),
    );
  }
  return { epoch: params.epoch, config: params.config, hotspots, denylist, messages, previousCumulative: params.previousCumulative };
}
