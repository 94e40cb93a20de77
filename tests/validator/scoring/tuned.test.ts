import { createHash } from "node:crypto";
import { expect } from "chai";
import fc from "fast-check";
import { cellCentreDistanceM, cellCentreE7, freeSpacePathLossCentiDb, latLngToCell, maxPlausibleRssiCentiDbm } from "../../../geo/index.js";
import { dataRateByCode, sha256, type SignedMessage } from "../../../protocol/index.js";
import { NOISE_FLOOR_DECI_DBM, type ScoringConfig, ScoringConfigError } from "../../../validator/scoring/config.js";
import { U64_MAX } from "../../../chain/merkle.js";
import { scoreEpochReference } from "../../../validator/scoring/reference.js";
import { RewardOverflowError, settleEpoch } from "../../../validator/scoring/settlement.js";
import {
  CERTIFY_EPSILON,
  certifiedDistanceM,
  certifiedFsplCentiDb,
  ColumnsCapacityError,
  columnsFromInput,
  EpochColumnsBuilder,
  floatDistanceMm,
  ScoringWorkerError,
  SHA256_SMALL_MAX_INPUT,
  SmallSha256,
  settleEpochFast,
  TunedScorer,
  WasmSha256,
} from "../../../validator/scoring/tuned/index.js";
import { BEACON_OUTCOMES, type EpochScore, type RegisteredHotspot, type ScoringInput, WITNESS_OUTCOMES } from "../../../validator/scoring/types.js";
import { scoringBenchSmoke } from "../../../bench/scoring/bench.js";
import { type BuiltBeacon, EpochBuilder, TEST_CONFIG } from "../../support/epoch-builder.js";

const EPOCH = 10;
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** sfc32: a small seeded PRNG so every random epoch is reproducible from its seed. */
function prng(seed: number): () => number {
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
    return (t >>> 0) / 4_294_967_296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** A point `distanceM` from (lat, lng) towards `bearing` (flat-earth step; exactness is not needed). */
function offset(lat: number, lng: number, distanceM: number, bearing: number): [number, number] {
  const dLat = (distanceM * Math.cos(bearing)) / 111_320;
  const dLng = (distanceM * Math.sin(bearing)) / (111_320 * Math.cos((lat * Math.PI) / 180));
  let lng2 = lng + dLng;
  if (lng2 > 180) lng2 -= 360;
  if (lng2 < -180) lng2 += 360;
  return [Math.max(-85, Math.min(85, lat + dLat)), lng2];
}

/**
 * A random adversarial epoch: clustered hotspots at distances around every threshold, beacons
 * that break each beacon rule, replays, reports that break each witness rule, values exactly at
 * and one past each boundary, and thresholds of the config set to distances that occur.
 */
function randomEpoch(seed: number): ScoringInput {
  const rnd = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const chance = (p: number) => rnd() < p;
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(0, 255));
  const b = new EpochBuilder(TEST_CONFIG, bytes);
  const cfg = b.config;

  // Hotspots: a cluster around a random centre (sometimes at the antimeridian), at distances that
  // straddle "too close" (≈ 350 m, grid 8), the 2 km screen and the 100 km maximum.
  const centre: [number, number] = chance(0.1) ? [int(-50, 50) + rnd(), pick([179.999, -179.999])] : [rnd() * 120 - 60, rnd() * 360 - 180];
  const distances = [() => rnd() * 400, () => 300 + rnd() * 100, () => 1_950 + rnd() * 100, () => 2_000 + rnd() * 25_000, () => 99_000 + rnd() * 2_000, () => 150_000 + rnd() * 100_000];
  const hotspots: RegisteredHotspot[] = [];
  const count = int(5, 40);
  for (let i = 0; i < count; i++) {
    const [lat, lng] = i === 0 ? centre : offset(centre[0], centre[1], pick(distances)(), rnd() * 2 * Math.PI);
    hotspots.push(b.hotspot(lat, lng, int(0, 90), !chance(0.06)));
  }
  for (const h of hotspots) if (chance(0.05)) b.denylist.add(hex(h.key));
  // A re-registration: the registry's last entry for a key wins.
  if (chance(0.1)) {
    const h = pick(hotspots);
    const [lat, lng] = offset(centre[0], centre[1], 1_000, rnd() * 7);
    b.hotspots.push({ ...h, location: latLngToCell(lat, lng, 12), gainDeciDbi: int(0, 90) });
  }

  const epochStart = cfg.genesisMs + EPOCH * cfg.epochLengthMs;
  // Scored in this epoch: tx + window + grace in [start, start + length).
  const roundSpan = cfg.witnessWindowMs + cfg.revealGraceMs;
  const txTime = () => {
    const r = rnd();
    if (r < 0.05) return epochStart - roundSpan - int(1, 3); // previous epoch's last round
    if (r < 0.1) return epochStart - roundSpan + int(0, 2); // this epoch's first round
    if (r < 0.15) return epochStart + cfg.epochLengthMs - roundSpan - int(1, 2); // the last one
    if (r < 0.18) return epochStart + cfg.epochLengthMs - roundSpan + int(0, 2); // the next epoch's
    return epochStart + int(300_000, cfg.epochLengthMs - roundSpan - 300_000);
  };
  const entropies: SignedMessage[] = [];
  const entropyFor = (tx: number): SignedMessage => {
    const r = rnd();
    if (entropies.length > 0 && r < 0.3) return pick(entropies);
    const age = r < 0.4 ? cfg.entropyMaxAgeMs : r < 0.45 ? cfg.entropyMaxAgeMs + 1 : r < 0.5 ? -1 : int(0, cfg.entropyMaxAgeMs);
    const e = b.entropy(tx - age);
    entropies.push(e);
    return e;
  };
  const frequencies = [904_300_000, 904_300_000, 904_300_000, 868_100_000, 902_000_000, 928_000_000, 928_000_001, 1_000_000_000, 2_412_000_000, 433_050_000];
  const dataRates = [1, 1, 1, 2, 3, 6, 7, 8, 32];
  const beacons: BuiltBeacon[] = [];
  for (const h of hotspots) {
    if (!chance(0.45)) continue;
    const n = chance(0.2) ? int(2, 6) : 1;
    for (let k = 0; k < n; k++) {
      const tx = txTime();
      const entropy = chance(0.03) ? { ...b.entropy(tx - 10), id: sha256(bytes(8)) } : entropyFor(tx);
      if (entropy !== entropies[entropies.length - 1] && !entropies.includes(entropy)) b.messages.pop(); // the unknown entropy is never published
      const beacon = b.beacon(h, entropy, tx, { frequencyHz: pick(frequencies), dataRate: pick(dataRates), txPowerDeciDbm: int(-300, 360) }, int(16, 32));
      beacons.push(beacon);
      const w = cfg.witnessWindowMs;
      const g = cfg.revealGraceMs;
      const reveal = rnd();
      if (reveal < 0.06) continue; // no reveal
      else if (reveal < 0.1) b.reveal(beacon, w - 1);
      else if (reveal < 0.13) b.reveal(beacon, w + g + 1);
      else if (reveal < 0.16) b.reveal(beacon, w, { nonce: bytes(8) });
      else if (reveal < 0.18) b.reveal(beacon, w, { hotspot: pick(hotspots).key });
      else if (reveal < 0.21) {
        b.reveal(beacon, w - 1);
        b.reveal(beacon, w + g);
      } else if (reveal < 0.24) {
        b.reveal(beacon, w + 5, { nonce: bytes(8) });
        b.reveal(beacon, w + g + int(0, 1));
      } else b.reveal(beacon, pick([w, w + g, w + int(0, g)]));
      if (chance(0.04)) b.add({ ...beacon.commit.message, txTimeMs: tx + int(-2, 2) }); // a replayed commit
    }
  }

  // Witness reports, with each rule broken now and then and boundaries hit exactly.
  const rssiBound = (beacon: BuiltBeacon, witness: RegisteredHotspot, config: ScoringConfig): number => {
    const c = beacon.commit.message;
    const registered = b.hotspots.filter((h) => hex(h.key) === hex(c.hotspot)).at(-1) ?? beacon.beaconer;
    const w = b.hotspots.filter((h) => hex(h.key) === hex(witness.key)).at(-1) ?? witness;
    const distanceM = cellCentreDistanceM(registered.location, w.location);
    const bound = maxPlausibleRssiCentiDbm({
      distanceM,
      frequencyHz: c.frequencyHz,
      txPowerDeciDbm: c.txPowerDeciDbm,
      txGainDeciDbi: registered.gainDeciDbi,
      rxGainDeciDbi: w.gainDeciDbi,
    });
    return Math.floor((bound + config.rssiMarginDeciDb * 10) / 10);
  };
  const config: ScoringConfig = {
    ...cfg,
    maxWitnessesPerBeacon: chance(0.5) ? int(1, 4) : cfg.maxWitnessesPerBeacon,
    maxBeaconsPerHotspotPerEpoch: chance(0.5) ? int(1, 3) : cfg.maxBeaconsPerHotspotPerEpoch,
    rssiMarginDeciDb: chance(0.3) ? int(0, 100) : 0,
    emissionPerEpoch: pick([0n, 1n, 7n, 1_000_000n, 999_999_999_989n]),
  };
  // Thresholds equal to (or one off) a distance that occurs in the epoch.
  if (hotspots.length > 1 && chance(0.3)) {
    const d = cellCentreDistanceM(hotspots[0]!.location, pick(hotspots.slice(1)).location);
    Object.assign(config, chance(0.5) ? { maxWitnessDistanceM: Math.max(0, d + int(-1, 1)) } : { tooCloseScreenM: Math.max(0, d + int(-1, 1)) });
  }
  for (const beacon of beacons) {
    const c = beacon.commit.message;
    const reports = int(0, 7);
    for (let k = 0; k < reports; k++) {
      const witness = chance(0.05) ? beacon.beaconer : pick(hotspots);
      const r = rnd();
      const overrides: Parameters<EpochBuilder["witness"]>[2] = {};
      if (r < 0.05) overrides.rxDelayMs = pick([config.maxWitnessDelayMs, config.maxWitnessDelayMs + 1, -config.maxWitnessEarlyMs, -config.maxWitnessEarlyMs - 1]);
      else if (r < 0.1) overrides.frequencyHz = c.frequencyHz + pick([-1, 1]) * (config.maxFrequencyDeltaHz + int(0, 1));
      else if (r < 0.13) overrides.dataRate = pick(dataRates);
      else if (r < 0.17) overrides.proof = sha256(beacon.payload, witness.key);
      else overrides.rxDelayMs = int(-config.maxWitnessEarlyMs, config.maxWitnessDelayMs);
      if (chance(0.3)) {
        const max = rssiBound(beacon, witness, config);
        overrides.rssiDeciDbm = Math.max(-2000, Math.min(300, max + int(-1, 1)));
      } else overrides.rssiDeciDbm = int(-1400, -400);
      const noise = NOISE_FLOOR_DECI_DBM.get(dataRateByCode(overrides.dataRate ?? c.dataRate)!.bandwidthHz)!;
      const snrMax = overrides.rssiDeciDbm - noise + config.snrMarginDeciDb;
      overrides.snrDeciDb = Math.max(-500, Math.min(500, chance(0.3) ? snrMax + int(0, 1) : int(-200, 100)));
      const report = b.witness(beacon, witness, overrides);
      if (chance(0.08)) b.witness(beacon, witness, { ...overrides, rxDelayMs: (overrides.rxDelayMs ?? 150) + int(0, 5) }); // duplicate
      if (chance(0.03)) b.add({ ...report.message, payloadHash: sha256(bytes(4)), rxTimeMs: pick([c.txTimeMs, epochStart - 1, epochStart]) });
    }
  }
  // Earlier epochs' cumulative leaves: some earners, some bystanders.
  for (const h of hotspots) if (chance(0.2)) b.previousCumulative.push({ hotspot: h.key, cumulativeAmount: BigInt(int(1, 1_000_000)) });
  if (chance(0.3)) b.previousCumulative.push({ hotspot: bytes(32), cumulativeAmount: BigInt(int(1, 1_000)) });
  const messages = [...b.messages];
  // Shuffle: scorers must not depend on arrival order; a few messages arrive twice.
  for (let i = messages.length - 1; i > 0; i--) {
    const j = int(0, i);
    [messages[i], messages[j]] = [messages[j]!, messages[i]!];
  }
  if (messages.length > 0 && chance(0.1)) messages.push(pick(messages));
  return { ...b.input(EPOCH), config, messages };
}

describe("validator: tuned scorer", function () {
  this.timeout(120_000);
  const inline = new TunedScorer({ workers: 0, detail: true });
  const one = new TunedScorer({ workers: 1, detail: true });
  const two = new TunedScorer({ workers: 2, detail: true });
  after(async () => {
    await Promise.all([inline.close(), one.close(), two.close()]);
  });

  for (const Hasher of [SmallSha256, WasmSha256]) {
    it(`${Hasher.name} hashes like node:crypto for every input length it accepts`, () => {
      const sha = new Hasher();
      const out = new Uint8Array(32);
      for (let length = 0; length <= SHA256_SMALL_MAX_INPUT; length++) {
        const input = Uint8Array.from({ length }, (_, i) => (i * 131 + length) & 0xff);
        sha.input.set(input);
        sha.digest(length, out, 0);
        expect(hex(out), `length ${length}`).to.equal(createHash("sha256").update(input).digest("hex"));
      }
      expect(() => sha.digest(SHA256_SMALL_MAX_INPUT + 1, out, 0)).to.throw(RangeError);
    });
  }

  it("certified float distance and FSPL equal geo's exact integers, or decline near a rounding boundary", () => {
    const rnd = prng(7);
    let declined = 0;
    for (let i = 0; i < 400; i++) {
      const lat = rnd() * 160 - 80;
      const lng = rnd() * 360 - 180;
      const a = latLngToCell(lat, lng, 12);
      const [lat2, lng2] = offset(lat, lng, rnd() ** 3 * 200_000, rnd() * 7);
      const bCell = latLngToCell(lat2, lng2, 12);
      const [pa, pb] = [cellCentreE7(a), cellCentreE7(bCell)];
      const mm = floatDistanceMm(pa.latE7, pa.lngE7, Math.cos((pa.latE7 * Math.PI) / 1.8e9), pb.latE7, pb.lngE7, Math.cos((pb.latE7 * Math.PI) / 1.8e9));
      const exact = cellCentreDistanceM(a, bCell);
      const fast = certifiedDistanceM(mm, false);
      if (fast === -1) declined++;
      else expect(fast, `${a} ${bCell}`).to.equal(exact);
      const f = 400_000_000 + Math.floor(rnd() * 2_200_000_000);
      const fspl = certifiedFsplCentiDb(exact, f);
      if (Number.isNaN(fspl)) declined++;
      else expect(fspl).to.equal(freeSpacePathLossCentiDb(exact, f));
    }
    expect(declined).to.be.lessThan(3);
    // Inputs within the epsilon of a boundary are declined (the scorer then asks geo).
    let found = 0;
    for (let d = 1; d < 200_000 && found < 3; d++) {
      for (const f of [868_100_000, 904_300_000]) {
        const v = 2000 * Math.log10(d * f) - 14_755.221677811664;
        if (Math.abs(v - Math.round(v)) < CERTIFY_EPSILON) {
          expect(certifiedFsplCentiDb(d, f)).to.be.NaN;
          found++;
        }
      }
    }
    expect(certifiedDistanceM(999_499.5, false)).to.equal(-1); // (e + 500.5) / 1000 = 1000 exactly
    expect(certifiedDistanceM(2e9, true)).to.equal(Number.POSITIVE_INFINITY);
    expect(certifiedDistanceM(2e9, false)).to.equal(-1);
  });

  it("gives every crafted rejection the reference's reason, with the same outcome list and rewards", async () => {
    // One report or beacon per rule, around a beacon with more valid witnesses than it rewards.
    const b = new EpochBuilder();
    const cfg = b.config;
    const tx = b.txTimeIn(EPOCH);
    const entropy = b.entropy(tx - 10_000);
    const beaconer = b.hotspot(37.7749, -122.4194);
    const around = Array.from({ length: 16 }, (_, i) => offset(37.7749, -122.4194, 3_000, (2 * Math.PI * i) / 16)).map(([la, ln]) => b.hotspot(la, ln));
    const main = b.beacon(beaconer, entropy, tx);
    b.reveal(main);
    for (const w of around) b.witness(main, w);
    b.witness(main, b.hotspot(37.8, -122.4, 30, false)); // unknown_witness
    const denied = b.hotspot(37.74, -122.45);
    b.denylist.add(hex(denied.key));
    b.witness(main, denied); // denylisted
    b.witness(main, beaconer); // self_witness
    const twice = b.hotspot(37.7, -122.42);
    b.witness(main, twice, { rxDelayMs: 100 });
    b.witness(main, twice, { rxDelayMs: 900 }); // duplicate
    b.witness(main, b.hotspot(37.79, -122.47), { rxDelayMs: cfg.maxWitnessDelayMs + 1 }); // outside_window
    b.witness(main, b.hotspot(37.81, -122.43), { frequencyHz: 904_500_000 }); // frequency_mismatch
    b.witness(main, b.hotspot(37.73, -122.41), { dataRate: 6 }); // data_rate_mismatch
    b.witness(main, b.hotspot(37.745, -122.38), { proof: sha256(main.payload) }); // bad_proof
    b.witness(main, b.hotspot(38.95, -121.3)); // too_far
    b.witness(main, b.hotspot(37.7752, -122.419)); // too_close
    b.witness(main, b.hotspot(37.72, -122.47), { rssiDeciDbm: -400 }); // rssi_too_strong
    b.witness(main, b.hotspot(37.78, -122.36), { rssiDeciDbm: -1150, snrDeciDb: 100 }); // snr_implausible
    b.add({ ...b.witness(main, around[0]!).message, payloadHash: sha256(new Uint8Array([1])) }); // unknown_beacon
    b.beacon(b.hotspot(37.6, -122.3, 30, false), entropy, tx + 1); // unknown_hotspot
    b.reveal(b.beacon(around[1]!, { ...entropy, id: sha256(new Uint8Array([9])) }, tx + 2)); // unknown_entropy
    b.reveal(b.beacon(around[2]!, b.entropy(tx - cfg.entropyMaxAgeMs - 1), tx + 3)); // stale_entropy
    b.reveal(b.beacon(around[3]!, entropy, tx + 4, { frequencyHz: 1_000_000_000 })); // invalid_frequency
    b.witness(b.beacon(around[4]!, entropy, tx + 5), around[5]!); // no_reveal, beacon_invalid
    b.reveal(b.beacon(around[5]!, entropy, tx + 6), undefined, { nonce: new Uint8Array(8) }); // reveal_mismatch
    b.reveal(b.beacon(around[6]!, entropy, tx + 7), cfg.witnessWindowMs - 1); // reveal_early
    b.reveal(b.beacon(around[7]!, entropy, tx + 8), cfg.witnessWindowMs + cfg.revealGraceMs + 1); // reveal_late
    b.add({ ...main.commit.message, txTimeMs: tx + 9 }); // duplicate_payload
    for (let i = 0; i <= cfg.maxBeaconsPerHotspotPerEpoch; i++) b.reveal(b.beacon(around[8]!, entropy, tx + 20 + i)); // too_frequent
    const input = b.input(EPOCH);
    const expected = scoreEpochReference(input);
    for (const reason of BEACON_OUTCOMES) expect(expected.beaconOutcomes[reason], reason).to.be.greaterThan(0);
    for (const reason of WITNESS_OUTCOMES) expect(expected.witnessOutcomes[reason], reason).to.be.greaterThan(0);
    expect(await inline.score(input)).to.deep.equal(expected);
    expect(await two.score(input)).to.deep.equal(expected);
  });

  it("is bit-identical to the reference on thousands of random adversarial epochs", async () => {
    const seenBeacon = new Set<string>();
    const seenWitness = new Set<string>();
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (seed) => {
        const input = randomEpoch(seed);
        const expected = scoreEpochReference(input);
        const actual = await inline.score(input);
        expect(actual, `seed ${seed}`).to.deep.equal(expected);
        for (const name of BEACON_OUTCOMES) if (expected.beaconOutcomes[name] > 0) seenBeacon.add(name);
        for (const name of WITNESS_OUTCOMES) if (expected.witnessOutcomes[name] > 0) seenWitness.add(name);
        runs++;
      }),
      { numRuns: 2_000, seed: 20_261_125 },
    );
    expect(runs).to.equal(2_000);
    // The generator is adversarial enough that every named outcome occurred.
    expect([...seenBeacon].sort()).to.deep.equal([...BEACON_OUTCOMES].sort());
    expect([...seenWitness].sort()).to.deep.equal([...WITNESS_OUTCOMES].sort());
  });

  it("settles rewards exactly like settleEpoch: ties, zero amounts, repeated and empty previous leaves", () => {
    const key = fc.uint8Array({ minLength: 32, maxLength: 32 });
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ hotspot: key, units: fc.oneof(fc.constant(1_000n), fc.bigInt({ min: 1n, max: 10n ** 13n })) }), {
          maxLength: 40,
          selector: (e) => hex(e.hotspot),
        }),
        fc.array(fc.record({ hotspot: key, cumulativeAmount: fc.bigInt({ min: 0n, max: 10n ** 15n }) }), { maxLength: 10 }),
        fc.oneof(fc.constant(0n), fc.constant(7n), fc.bigInt({ min: 0n, max: 10n ** 15n })),
        fc.boolean(),
        (earners, previous, emission, reusePreviousKeys) => {
          // Previous leaves for some earners' keys too, so cumulative amounts add up.
          const prev = reusePreviousKeys ? [...previous, ...earners.slice(0, 3).map((e) => ({ hotspot: e.hotspot, cumulativeAmount: 5n }))] : previous;
          const keyBytes = new Uint8Array(earners.length * 32);
          earners.forEach((e, i) => {
            keyBytes.set(e.hotspot, i * 32);
          });
          const fast = settleEpochFast(keyBytes, Int32Array.from(earners.keys()), (k) => earners[k]!.units, emission, prev);
          expect(fast).to.deep.equal(settleEpoch(earners, emission, prev));
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });

  it("raises the reference's overflow errors when a cumulative amount leaves u64", () => {
    const a = new Uint8Array(32).fill(1);
    const previous = [{ hotspot: a, cumulativeAmount: U64_MAX - 1n }];
    expect(() => settleEpochFast(a, Int32Array.of(0), () => 1n, 10n, previous)).to.throw(RewardOverflowError, "exceeds u64");
    expect(() => settleEpoch([{ hotspot: a, units: 1n }], 10n, previous)).to.throw(RewardOverflowError, "exceeds u64");
    const b = new Uint8Array(32).fill(2);
    const total = [{ hotspot: b, cumulativeAmount: U64_MAX }];
    expect(() => settleEpochFast(a, Int32Array.of(0), () => 1n, 10n, total)).to.throw(RewardOverflowError, "cumulative total");
  });

  it("gives the same result with 0, 1 and 2 worker threads", async () => {
    for (let seed = 100; seed < 110; seed++) {
      const input = randomEpoch(seed);
      const results: EpochScore[] = [await inline.score(input), await one.score(input), await two.score(input)];
      expect(results[1]).to.deep.equal(results[0]);
      expect(results[2]).to.deep.equal(results[0]);
    }
  });

  it("queues concurrent calls on one scorer instead of mixing their epochs", async () => {
    const inputs = [randomEpoch(11), randomEpoch(12), randomEpoch(13)];
    const concurrent = await Promise.all(inputs.map((input) => two.score(input)));
    for (const [i, score] of concurrent.entries()) expect(score, `epoch ${i}`).to.deep.equal(scoreEpochReference(inputs[i]!));
  });

  it("sorts records by id the same way on its radix path as on its small-bucket path, and hashes the same without SIMD", async () => {
    // Full-scale buckets (~100k records) take the radix path; force it on small epochs.
    const radix = new TunedScorer({ workers: 0, detail: true, radixMinBucket: 0, simd: false });
    for (let seed = 200; seed < 300; seed++) {
      const input = randomEpoch(seed);
      expect(await radix.score(input), `seed ${seed}`).to.deep.equal(scoreEpochReference(input));
    }
  });

  it("columns written directly score the same as the same messages", async () => {
    const input = randomEpoch(42);
    const viaMessages = columnsFromInput(input);
    // Re-write the same columns through the builder's claim-and-fill API, witnesses in reverse.
    const builder = new EpochColumnsBuilder({
      entropy: viaMessages.entropyCount,
      commits: viaMessages.commitCount,
      reveals: viaMessages.revealCount,
      witnesses: viaMessages.witnessCount,
    });
    const keyOf = (k: number) => builder.internKey(viaMessages.keyBytes, k * 32);
    for (let k = 0; k < viaMessages.keyCount; k++) {
      const key = keyOf(k);
      if (viaMessages.keyRegistered[k] === 1) builder.register(key, viaMessages.cells[viaMessages.keyCell[k]!]!, viaMessages.keyGainDeciDbi[k]!);
      if (viaMessages.keyDenylisted[k] === 1) builder.deny(key);
    }
    for (let i = 0; i < viaMessages.entropyCount; i++) {
      const e = builder.claimEntropy();
      builder.entropyId.set(viaMessages.entropyId.subarray(i * 32, i * 32 + 32), e * 32);
      builder.entropyTimeMs[e] = viaMessages.entropyTimeMs[i]!;
    }
    for (const m of input.messages) if (m.message.kind === "beaconCommit" || m.message.kind === "beaconReveal") builder.addMessage(m);
    for (let i = viaMessages.witnessCount - 1; i >= 0; i--) {
      const w = builder.claimWitness();
      builder.witnessId.set(viaMessages.witnessId.subarray(i * 32, i * 32 + 32), w * 32);
      builder.witnessKey[w] = keyOf(viaMessages.witnessKey[i]!);
      builder.setWitnessPayloadHash(w, viaMessages.payloadHashes, viaMessages.witnessPayload[i]! * 32);
      builder.witnessProof.set(viaMessages.witnessProof.subarray(i * 32, i * 32 + 32), w * 32);
      builder.witnessRssiDeciDbm[w] = viaMessages.witnessRssiDeciDbm[i]!;
      builder.witnessSnrDeciDb[w] = viaMessages.witnessSnrDeciDb[i]!;
      builder.witnessFrequencyHz[w] = viaMessages.witnessFrequencyHz[i]!;
      builder.witnessDataRate[w] = viaMessages.witnessDataRate[i]!;
      builder.witnessRxTimeMs[w] = viaMessages.witnessRxTimeMs[i]!;
    }
    const direct = await inline.scoreColumns(builder.build(), input);
    expect(direct.score).to.deep.equal(scoreEpochReference(input));
  });

  it("agrees with the reference on the benchmark generator's epoch (the bench smoke run)", async () => {
    const result = await scoringBenchSmoke(300, 3);
    expect(result.identical).to.equal(true);
    // The generated epoch exercises every rule, not just the happy path.
    const { beaconOutcomes, witnessOutcomes } = result.tuned.score;
    expect(Object.values(beaconOutcomes).filter((n) => n === 0)).to.have.length.lessThan(3);
    expect(witnessOutcomes.valid).to.be.greaterThan(0);
    expect(witnessOutcomes.bad_proof).to.be.greaterThan(0);
  });

  it("rejects an invalid config with the reference's typed error", async () => {
    const input = randomEpoch(3);
    const bad = { ...input, config: { ...input.config, maxWitnessesPerBeacon: 0 } };
    expect(() => scoreEpochReference(bad)).to.throw(ScoringConfigError);
    let caught: unknown;
    await inline.score(bad).catch((err) => {
      caught = err;
    });
    expect(caught).to.be.instanceOf(ScoringConfigError);
  });

  it("refuses more rows than a columns builder was sized for", () => {
    const builder = new EpochColumnsBuilder({ entropy: 0, commits: 1, reveals: 0, witnesses: 0 });
    builder.claimCommit();
    expect(() => builder.claimCommit()).to.throw(ColumnsCapacityError).with.property("code", "ERR_COLUMNS_CAPACITY");
    expect(() => builder.claimWitness()).to.throw(ColumnsCapacityError);
  });

  it("interns witness payload hashes: equal hashes share one entry, across table growth", () => {
    // Starts tiny so the table rehashes and the value store grows several times.
    const builder = new EpochColumnsBuilder({ entropy: 0, commits: 0, reveals: 0, witnesses: 5_000 });
    const distinct = Array.from({ length: 1_500 }, (_, i) => sha256(new TextEncoder().encode(`payload ${i}`)));
    const expected: number[] = [];
    for (let i = 0; i < 5_000; i++) {
      const w = builder.claimWitness();
      const pick = (i * 7919) % distinct.length;
      builder.setWitnessPayloadHash(w, distinct[pick]!, 0);
      expected.push(pick);
    }
    const cols = builder.build();
    expect(cols.payloadHashCount).to.equal(distinct.length);
    const entryOf = new Map<number, number>();
    for (let w = 0; w < 5_000; w++) {
      const entry = cols.witnessPayload[w]!;
      const stored = cols.payloadHashes.subarray(entry * 32, entry * 32 + 32);
      expect(Buffer.from(stored).equals(Buffer.from(distinct[expected[w]!]!))).to.equal(true);
      const seen = entryOf.get(expected[w]!);
      if (seen !== undefined) expect(entry).to.equal(seen);
      entryOf.set(expected[w]!, entry);
    }
  });

  it("reports a failure inside a worker as a typed ScoringWorkerError", async () => {
    const input = randomEpoch(5);
    // An asserted location that is not an H3 cell: the cell-centre kernel throws in the worker.
    const broken = { ...input, hotspots: input.hotspots.map((h, i) => (i === 0 ? { ...h, location: "8c2830828a2ffff".replace("8c", "zz") } : h)) };
    let caught: unknown;
    await two.score(broken).catch((err) => {
      caught = err;
    });
    expect(caught).to.be.instanceOf(ScoringWorkerError);
    expect((caught as ScoringWorkerError).causeName).to.equal("InvalidCellError");
  });
});
