/**
 * Issue 11 item 2: every gaming attempt of DESIGN.md §3-§5 is refused with its named reason (a
 * scoring outcome from validator/scoring/types.ts or an ingest/gossip error code) and earns
 * nothing: the attacker's reward is 0 and its leaf is absent or unchanged, and every honest
 * hotspot is paid exactly what it is paid when the attack is left out of the same epoch.
 *
 * Scoring-level attempts run through both scorers (reference and tuned, one worker thread) and
 * require bit-identical results. Ingest- and gossip-level attempts go through the real Ingest
 * with LMDB and, for clock bounds, real libp2p gossip validators. Real rejections that do not
 * happen yet would be `it.skip` tests marked FINDING (the two this suite found are fixed).
 */
import { expect } from "chai";
import { cellCentreDistanceM, maxPlausibleRssiCentiDbm } from "../../geo/index.js";
import { createHexcoverHost, type HexcoverHost, HexcoverGossip } from "../../node/index.js";
import { DEFAULT_MAX_CLOCK_SKEW_MS, Ed25519Keypair, type SignedMessage, sha256, signingBytes, Topics, witnessProof } from "../../protocol/index.js";
import { EpochStore, Ingest, InlineVerifier } from "../../validator/index.js";
import { type EpochScore, epochStartMs, type RegisteredHotspot, type ScoringInput } from "../../validator/scoring/index.js";
import type { BuiltBeacon } from "../support/epoch-builder.js";
import { waitFor } from "../support/wait.js";
import { EPOCH_MS, EPOCH_SECONDS, GENESIS_MS, GENESIS_SECONDS, TempDirs } from "../validator/store/helpers.js";
import { startValidators, stopValidators, type TestValidator } from "../validator/sync/network.js";
import { addressOf } from "../../validator/results/index.js";
import { LocalTestNetwork, type TestHotspot } from "../support/local-network.js";
import { FilteringGossip } from "./network.js";
import { amountOf, amounts, BothScorers, expectEarnsNothing, hex, leafOf, outcomeOf, ring, SignedEpochBuilder } from "./helpers.js";

const EPOCH = 10;
/** Two clusters 130 km apart (San Francisco, Sacramento): neither witnesses the other's beacons. */
const SF: [number, number] = [37.7749, -122.4194];
const SACRAMENTO: [number, number] = [38.5816, -121.4944];

interface Cluster {
  beaconer: RegisteredHotspot;
  witnesses: RegisteredHotspot[];
  beacon: BuiltBeacon;
  reports: SignedMessage[];
}

/** A beaconer and three witnesses 1.5 km around it; one revealed beacon, every witness reports. */
function cluster(b: SignedEpochBuilder, centre: [number, number], entropy: SignedMessage, txTimeMs: number): Cluster {
  const beaconer = b.keyed(centre[0], centre[1]);
  const witnesses = ring(3, 1.5, centre).map(([lat, lng]) => b.keyed(lat, lng));
  const beacon = b.beacon(beaconer, entropy, txTimeMs);
  b.reveal(beacon);
  const reports = witnesses.map((w) => b.witness(beacon, w));
  return { beaconer, witnesses, beacon, reports };
}

/** The honest epoch every attack is added to: two independent clusters with one round each. */
function honestEpoch() {
  const b = new SignedEpochBuilder();
  const tx = b.txTimeIn(EPOCH);
  const entropy = b.validatorEntropy(tx - 10_000);
  const sf = cluster(b, SF, entropy, tx);
  const sac = cluster(b, SACRAMENTO, entropy, tx + 2_000);
  return { b, tx, entropy, sf, sac };
}

/** A registered hotspot 2.5 km north-east of the SF beaconer: a plausible witness position. */
function nearSf(b: SignedEpochBuilder): RegisteredHotspot {
  return b.keyed(SF[0] + 0.016, SF[1] + 0.02);
}

function expectSameRewards(attacked: EpochScore, baseline: EpochScore): void {
  expect(amounts(attacked)).to.deep.equal(amounts(baseline));
  expect(hex(attacked.root)).to.equal(hex(baseline.root));
}

describe("security: gaming attempts are refused with their named reason and earn nothing", function () {
  this.timeout(120_000);
  const scorers = new BothScorers();
  after(() => scorers.close());

  /** Scores the honest epoch as it stands (the counterfactual), then `attack` adds to it. */
  async function withAttack(setup: ReturnType<typeof honestEpoch>, attack: () => void): Promise<{ baseline: EpochScore; attacked: EpochScore }> {
    const baseline = await scorers.score(setup.b.snapshot(EPOCH));
    expect(baseline.rewards.length, "the honest epoch pays someone").to.be.greaterThan(0);
    attack();
    const attacked = await scorers.score(setup.b.input(EPOCH));
    return { baseline, attacked };
  }

  describe("1. a witness that did not hear the packet", () => {
    it("copying another witness's report: re-signed under its own key the copied proof is bad_proof, a verbatim copy stays the original's", async () => {
      // Existing: tests/validator/scoring/reference.test.ts checks the bad_proof outcome; this adds the payouts.
      const setup = honestEpoch();
      const copier = nearSf(setup.b);
      const original = setup.sf.reports[0]!;
      let copy!: SignedMessage;
      const { baseline, attacked } = await withAttack(setup, () => {
        copy = setup.b.add({ ...original.message, witness: copier.key });
        setup.b.messages.push(original); // the verbatim copy: same bytes, same id, the original's signer
      });
      expect(outcomeOf(attacked, copy)).to.equal("bad_proof");
      expect(attacked.witnessOutcomes.bad_proof).to.equal(1);
      expect(attacked.outcomes!.filter((o) => o.id === hex(original.id))).to.have.length(1);
      expect(outcomeOf(attacked, original)).to.equal("valid");
      expectEarnsNothing(attacked, baseline, [copier]);
    });

    it("forging a proof from what gossip shows (the payload hash), at random, or with another key is bad_proof", async () => {
      const setup = honestEpoch();
      const forgers = [nearSf(setup.b), setup.b.keyed(SF[0] - 0.016, SF[1] + 0.02), setup.b.keyed(SF[0] - 0.016, SF[1] - 0.02)];
      const beacon = setup.sf.beacon;
      const forged: SignedMessage[] = [];
      const { baseline, attacked } = await withAttack(setup, () => {
        const publicHash = beacon.commit.message.payloadHash;
        forged.push(setup.b.witness(beacon, forgers[0]!, { proof: witnessProof(publicHash, forgers[0]!.key) }));
        forged.push(setup.b.witness(beacon, forgers[1]!, { proof: sha256(Uint8Array.of(1, 2, 3)) }));
        forged.push(setup.b.witness(beacon, forgers[2]!, { proof: witnessProof(beacon.payload, setup.sf.witnesses[0]!.key) }));
      });
      for (const f of forged) expect(outcomeOf(attacked, f)).to.equal("bad_proof");
      expectEarnsNothing(attacked, baseline, forgers);
    });

    it("a beaconer revealing early (which would let non-hearing witnesses compute proofs) is reveal_early: it and every report on its beacon earn nothing", async () => {
      const setup = honestEpoch();
      const b = setup.b;
      const leaker = b.keyed(SF[0] + 0.3, SF[1] + 0.3); // its own cluster, 40 km from SF
      const friends = ring(3, 1.5, [SF[0] + 0.3, SF[1] + 0.3]).map(([lat, lng]) => b.keyed(lat, lng));
      let beacon!: BuiltBeacon;
      let reports: SignedMessage[] = [];
      const { baseline, attacked } = await withAttack(setup, () => {
        beacon = b.beacon(leaker, setup.entropy, setup.tx + 5_000);
        b.reveal(beacon, 10_000); // public 10 s after transmitting, while the window is open
        reports = friends.map((f) => b.witness(beacon, f)); // proofs computed from the leaked payload
      });
      expect(outcomeOf(attacked, beacon.commit)).to.equal("reveal_early");
      for (const r of reports) expect(outcomeOf(attacked, r)).to.equal("beacon_invalid");
      expectEarnsNothing(attacked, baseline, [leaker, ...friends]);
    });
  });

  describe("2. replayed messages", () => {
    it("a round already scored in epoch E−1 is not scored or paid again in E, though E reads E−1's set", async () => {
      const b = new SignedEpochBuilder();
      const previousTx = b.txTimeIn(EPOCH - 1);
      const old = cluster(b, SF, b.validatorEntropy(previousTx - 10_000), previousTx);
      const oldMessages = new Set(b.messages);
      const first = await scorers.score(b.input(EPOCH - 1));
      expect(amountOf(first, old.beaconer) > 0n, "paid").to.equal(true);
      // Epoch E: the Sacramento round is new; E−1's round is in the input again (sets of E−1 and E).
      const tx = b.txTimeIn(EPOCH);
      b.previousCumulative = [...first.cumulative];
      const fresh = cluster(b, SACRAMENTO, b.validatorEntropy(tx - 10_000), tx);
      const attacked = await scorers.score(b.input(EPOCH));
      for (const m of [old.beacon.commit, ...old.reports]) expect(outcomeOf(attacked, m), "an E−1 message has no verdict in E").to.equal(undefined);
      for (const h of [old.beaconer, ...old.witnesses]) {
        expect(amountOf(attacked, h)).to.equal(0n);
        expect(leafOf(attacked, h)).to.equal(leafOf(first, h));
      }
      // Counterfactual: E scored without E−1's messages pays the same.
      const withoutReplay = await scorers.score({ ...b.input(EPOCH), messages: b.messages.filter((m) => !oldMessages.has(m)) });
      expect(amounts(attacked)).to.deep.equal(amounts(withoutReplay));
      expect(amountOf(attacked, fresh.beaconer) > 0n, "paid").to.equal(true);
    });

    it("a replayed commit of a used payload is duplicate_payload; re-sent reports for it add nothing", async () => {
      // Existing: reference.test.ts checks the duplicate_payload outcome; this adds the payouts.
      const setup = honestEpoch();
      const b = setup.b;
      const original = setup.sf.beacon;
      let replay!: SignedMessage;
      const resent: SignedMessage[] = [];
      const { baseline, attacked } = await withAttack(setup, () => {
        const replayTx = original.commit.message.txTimeMs + 30_000;
        replay = b.add({ ...original.commit.message, txTimeMs: replayTx });
        b.add({ kind: "beaconReveal", hotspot: original.beaconer.key, beaconId: replay.id, nonce: original.nonce, payload: original.payload, revealTimeMs: replayTx + b.config.witnessWindowMs + 1_000 });
        for (const r of setup.sf.reports) {
          if (r.message.kind !== "witnessReport") continue;
          resent.push(b.add({ ...r.message, rxTimeMs: replayTx + 150 }));
        }
      });
      expect(outcomeOf(attacked, replay)).to.equal("duplicate_payload");
      expect(outcomeOf(attacked, original.commit)).to.equal("valid");
      // The re-sent reports are each witness's second report on the payload's first commit.
      for (const r of resent) expect(outcomeOf(attacked, r)).to.equal("duplicate");
      expectSameRewards(attacked, baseline);
    });

    it("re-committing an earlier epoch's beacon (its payload is bound to entropy frozen into that epoch) is unknown_entropy", async () => {
      const setup = honestEpoch();
      const b = setup.b;
      const replayer = b.keyed(SF[0] + 0.3, SF[1] + 0.3);
      const friends = ring(3, 1.5, [SF[0] + 0.3, SF[1] + 0.3]).map(([lat, lng]) => b.keyed(lat, lng));
      let replayed!: BuiltBeacon;
      let reports: SignedMessage[] = [];
      const { baseline, attacked } = await withAttack(setup, () => {
        // A round of epoch E−3: its messages sit in E−3's frozen set, not in the E−1/E sets scored
        // now (a replay of the old entropy itself is ERR_LATE_EPOCH at ingest, tested below).
        const oldTx = b.txTimeIn(EPOCH - 3);
        const before = b.messages.length;
        const oldBeacon = b.beacon(replayer, b.validatorEntropy(oldTx - 10_000), oldTx);
        b.reveal(oldBeacon);
        b.messages.splice(before);
        // The beaconer re-stamps the old commit into E and reveals it; friends report with valid proofs.
        const commit = b.add({ ...oldBeacon.commit.message, txTimeMs: setup.tx + 7_000 });
        replayed = { ...oldBeacon, commit };
        b.reveal(replayed);
        reports = friends.map((f) => b.witness(replayed, f));
      });
      expect(outcomeOf(attacked, replayed.commit)).to.equal("unknown_entropy");
      for (const r of reports) expect(outcomeOf(attacked, r)).to.equal("beacon_invalid");
      expectEarnsNothing(attacked, baseline, [replayer, ...friends]);
    });
  });

  describe("3. a hotspot claiming another's location", () => {
    it("a squatter asserting an existing hotspot's cell and witnessing it is too_close and earns nothing", async () => {
      const setup = honestEpoch();
      const victim = setup.sf.beaconer;
      const squatter = setup.b.keyed(SF[0], SF[1]);
      expect(squatter.location).to.equal(victim.location);
      let report!: SignedMessage;
      const { baseline, attacked } = await withAttack(setup, () => {
        report = setup.b.witness(setup.sf.beacon, squatter, { rssiDeciDbm: -300 });
      });
      expect(outcomeOf(attacked, report)).to.equal("too_close");
      expectEarnsNothing(attacked, baseline, [squatter]);
    });

    // Found by this suite: a beacon with zero selected witnesses used to make its beaconer "active"
    // for hex density scaling, so a squatter at an honest hotspot's cell (witnessed only by its
    // victim: too_close) earned nothing itself but halved the victim's density scale. Now only a
    // beacon with at least one selected witness counts (reference.ts, tuned/scorer.ts).
    it("a squatter beaconing at an existing hotspot's cell, witnessed by it, earns nothing and changes no honest reward", async () => {
      const setup = honestEpoch();
      const victim = setup.sf.beaconer;
      const squatter = setup.b.keyed(SF[0], SF[1]);
      let beacon!: BuiltBeacon;
      let victimReport!: SignedMessage;
      const { baseline, attacked } = await withAttack(setup, () => {
        beacon = setup.b.beacon(squatter, setup.entropy, setup.tx + 5_000);
        setup.b.reveal(beacon);
        victimReport = setup.b.witness(beacon, victim, { rssiDeciDbm: -300 });
      });
      expect(outcomeOf(attacked, victimReport)).to.equal("too_close");
      expectEarnsNothing(attacked, baseline, [squatter]);
    });
  });

  describe("4. impossible RSSI for the distance", () => {
    it("an RSSI above the free-space bound for the distance is rssi_too_strong; one unit less strong is valid", async () => {
      // Existing: reference.test.ts checks rssi_too_strong with a far-off value; this pins the bound.
      const setup = honestEpoch();
      const b = setup.b;
      const liar = nearSf(b);
      const honestNeighbour = b.keyed(SF[0] - 0.016, SF[1] - 0.02);
      const c = setup.sf.beacon.commit.message;
      const boundOf = (w: RegisteredHotspot) =>
        Math.floor(
          maxPlausibleRssiCentiDbm({
            distanceM: cellCentreDistanceM(setup.sf.beaconer.location, w.location),
            frequencyHz: c.frequencyHz,
            txPowerDeciDbm: c.txPowerDeciDbm,
            txGainDeciDbi: setup.sf.beaconer.gainDeciDbi,
            rxGainDeciDbi: w.gainDeciDbi,
          }) / 10,
        );
      const baseline = await scorers.score(b.snapshot(EPOCH));
      // The control: the same witness position at exactly the bound is valid and paid.
      const atBound = b.witness(setup.sf.beacon, honestNeighbour, { rssiDeciDbm: boundOf(honestNeighbour) });
      const withHonest = await scorers.score(b.snapshot(EPOCH));
      expect(outcomeOf(withHonest, atBound)).to.equal("valid");
      expect(amountOf(withHonest, honestNeighbour) > 0n, "paid").to.equal(true);
      const tooStrong = b.witness(setup.sf.beacon, liar, { rssiDeciDbm: boundOf(liar) + 1 });
      const attacked = await scorers.score(b.input(EPOCH));
      expect(outcomeOf(attacked, tooStrong)).to.equal("rssi_too_strong");
      expectEarnsNothing(attacked, withHonest, [liar]);
      expect(amountOf(baseline, liar)).to.equal(0n);
    });
  });

  describe("5. witnesses too close", () => {
    it("a witness closer than 8 resolution-11 cells to the beaconer is too_close and earns nothing", async () => {
      // Existing: reference.test.ts checks the too_close outcome; this adds the payouts.
      const setup = honestEpoch();
      const neighbour = setup.b.keyed(SF[0] + 0.0015, SF[1]); // ≈ 170 m north
      let report!: SignedMessage;
      const { baseline, attacked } = await withAttack(setup, () => {
        report = setup.b.witness(setup.sf.beacon, neighbour, { rssiDeciDbm: -500 });
      });
      expect(outcomeOf(attacked, report)).to.equal("too_close");
      expectEarnsNothing(attacked, baseline, [neighbour]);
    });
  });

  describe("6. self-witnessing through a second key", () => {
    it("self-witnessing: the same key is self_witness, a second key of the same owner at the same cell is too_close; the owner gains nothing", async () => {
      const setup = honestEpoch();
      // Existing: reference.test.ts checks self_witness and too_close. The scoring input has no owner
      // field: a second key is only caught by its asserted location (see the FINDING in section 3
      // for the same key beaconing).
      const own = setup.sf.beaconer;
      const secondKey = setup.b.keyed(SF[0], SF[1]); // same owner, second device key, same cell
      expect(secondKey.location).to.equal(own.location);
      let self!: SignedMessage;
      let second!: SignedMessage;
      const { baseline, attacked } = await withAttack(setup, () => {
        self = setup.b.witness(setup.sf.beacon, own, { rssiDeciDbm: -300 });
        second = setup.b.witness(setup.sf.beacon, secondKey, { rssiDeciDbm: -300 });
      });
      expect(outcomeOf(attacked, self)).to.equal("self_witness");
      expect(outcomeOf(attacked, second)).to.equal("too_close");
      // The first key is an honest beaconer here: it keeps exactly its baseline pay, no more.
      expectEarnsNothing(attacked, baseline, [secondKey]);
      expect(amountOf(attacked, own)).to.equal(amountOf(baseline, own));
    });
  });

  describe("7. a beaconer that never reveals", () => {
    it("a beaconer that never reveals is no_reveal (a reveal signed by anyone else does not count): it and its witnesses earn nothing", async () => {
      // Existing: reference.test.ts checks no_reveal and beacon_invalid; this adds the payouts.
      const setup = honestEpoch();
      const b = setup.b;
      const centre: [number, number] = [SF[0] + 0.3, SF[1] + 0.3];
      const silent = b.keyed(centre[0], centre[1]);
      const neighbours = ring(3, 1.5, centre).map(([lat, lng]) => b.keyed(lat, lng));
      let beacon!: BuiltBeacon;
      let reports: SignedMessage[] = [];
      const { baseline, attacked } = await withAttack(setup, () => {
        beacon = b.beacon(silent, setup.entropy, setup.tx + 5_000);
        reports = neighbours.map((n) => b.witness(beacon, n));
        b.reveal(beacon, undefined, { hotspot: neighbours[0]!.key }); // a witness "revealing" for it
      });
      expect(outcomeOf(attacked, beacon.commit)).to.equal("no_reveal");
      for (const r of reports) expect(outcomeOf(attacked, r)).to.equal("beacon_invalid");
      expectEarnsNothing(attacked, baseline, [silent, ...neighbours]);
    });
  });

  describe("8. a beaconer flooding beacons", () => {
    it("a beaconer flooding beacons: beyond the per-epoch limit they are too_frequent and pay exactly what the allowed ones pay", async () => {
      // Existing: reference.test.ts checks the too_frequent outcome; this adds the payouts.
      const setup = honestEpoch();
      const b = setup.b;
      const limit = b.config.maxBeaconsPerHotspotPerEpoch;
      const flooder = setup.sf.beaconer;
      const send = (i: number) => {
        const beacon = b.beacon(flooder, setup.entropy, setup.tx + 10_000 + i * 1_000);
        b.reveal(beacon);
        const reports = setup.sf.witnesses.map((w) => b.witness(beacon, w));
        return { beacon, reports };
      };
      // Allowed: the honest beacon plus limit − 1 more.
      for (let i = 1; i < limit; i++) send(i);
      const baseline = await scorers.score(b.snapshot(EPOCH));
      const extra = Array.from({ length: 3 }, (_, i) => send(limit + i));
      const attacked = await scorers.score(b.input(EPOCH));
      expect(attacked.beaconOutcomes.too_frequent).to.equal(3);
      for (const { beacon, reports } of extra) {
        expect(outcomeOf(attacked, beacon.commit)).to.equal("too_frequent");
        for (const r of reports) expect(outcomeOf(attacked, r)).to.equal("beacon_invalid");
      }
      expect(attacked.beaconOutcomes.valid).to.equal(baseline.beaconOutcomes.valid);
      expectSameRewards(attacked, baseline);
    });
  });

  describe("9. stale entropy", () => {
    it("stale entropy: older than its lifetime, newer than the beacon, or minted by a hotspot: stale_entropy / unknown_entropy, earning nothing", async () => {
      // Existing: reference.test.ts checks stale_entropy and unknown_entropy; this adds the payouts.
      const setup = honestEpoch();
      const b = setup.b;
      const centres: Array<[number, number]> = [[SF[0] + 0.3, SF[1] + 0.3], [SF[0] - 0.3, SF[1] + 0.3], [SF[0] + 0.3, SF[1] - 0.3]];
      const groups = centres.map((c) => ({ beaconer: b.keyed(c[0], c[1]), friends: ring(3, 1.5, c).map(([lat, lng]) => b.keyed(lat, lng)) }));
      const beacons: BuiltBeacon[] = [];
      const reports: SignedMessage[] = [];
      const { baseline, attacked } = await withAttack(setup, () => {
        const tx = setup.tx + 20_000;
        const old = b.validatorEntropy(tx - b.config.entropyMaxAgeMs - 1);
        const future = b.validatorEntropy(tx + 60_000);
        // Entropy a hotspot signed itself: ingest refuses it (ERR_UNKNOWN_VALIDATOR, tested below), so
        // the scorer never has it.
        const minted = b.entropy(tx - 1_000, groups[2]!.beaconer.key);
        b.messages.pop();
        for (const [i, entropy] of [old, future, minted].entries()) {
          const beacon = b.beacon(groups[i]!.beaconer, entropy, tx + i);
          b.reveal(beacon);
          beacons.push(beacon);
          reports.push(...groups[i]!.friends.map((f) => b.witness(beacon, f)));
        }
      });
      expect(beacons.map((x) => outcomeOf(attacked, x.commit))).to.deep.equal(["stale_entropy", "stale_entropy", "unknown_entropy"]);
      for (const r of reports) expect(outcomeOf(attacked, r)).to.equal("beacon_invalid");
      expectEarnsNothing(attacked, baseline, groups.flatMap((g) => [g.beaconer, ...g.friends]));
    });
  });

  describe("10. timestamps far in the future", () => {
    it("timestamps far in the future at scoring: a report received long after the beacon is outside_window, a reveal far ahead is reveal_late", async () => {
      const setup = honestEpoch();
      const b = setup.b;
      const late = nearSf(b);
      const centre: [number, number] = [SF[0] + 0.3, SF[1] + 0.3];
      const laggard = b.keyed(centre[0], centre[1]);
      const friends = ring(3, 1.5, centre).map(([lat, lng]) => b.keyed(lat, lng));
      let report!: SignedMessage;
      let beacon!: BuiltBeacon;
      const { baseline, attacked } = await withAttack(setup, () => {
        report = b.witness(setup.sf.beacon, late, { rxDelayMs: 20 * 60_000 });
        beacon = b.beacon(laggard, setup.entropy, setup.tx + 5_000);
        b.reveal(beacon, 20 * 60_000);
        for (const f of friends) b.witness(beacon, f);
      });
      expect(outcomeOf(attacked, report)).to.equal("outside_window");
      expect(outcomeOf(attacked, beacon.commit)).to.equal("reveal_late");
      expectEarnsNothing(attacked, baseline, [late, laggard, ...friends]);
    });
  });
});


/** Real signed copies of every message of a builder, in order. */
function signAll(b: SignedEpochBuilder, messages: readonly SignedMessage[] = b.messages): SignedMessage[] {
  return messages.map((m) => b.sign(m));
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => "stored",
    (err: Error & { code?: string }) => err.code ?? err.name,
  );
}

/** What the validator scores for `epoch`: the frozen sets of E−1 and E read back from LMDB. */
function inputFromStore(store: EpochStore, b: SignedEpochBuilder, epoch: number): ScoringInput {
  return { ...b.input(epoch), messages: [...store.messages(epoch - 1), ...store.messages(epoch)] };
}

describe("security: gaming attempts refused at ingest (real Ingest on LMDB) earn nothing", function () {
  this.timeout(60_000);
  const dirs = new TempDirs();
  const scorers = new BothScorers();
  let store: EpochStore;
  let ingest: Ingest;
  let setup: ReturnType<typeof honestEpoch>;
  let clock = 0;

  beforeEach(async () => {
    store = EpochStore.open({ path: await dirs.make(), genesisSeconds: GENESIS_SECONDS, epochSeconds: EPOCH_SECONDS });
    setup = honestEpoch();
    expect(setup.b.config.genesisMs).to.equal(GENESIS_MS);
    expect(setup.b.config.epochLengthMs).to.equal(EPOCH_MS);
    clock = setup.tx + 10 * 60_000;
    ingest = new Ingest(null, { store, verifier: new InlineVerifier(), validators: [setup.b.validator.publicKey], now: () => clock });
  });
  afterEach(async () => {
    await store.close();
    await dirs.cleanup();
  });
  after(() => scorers.close());

  it("replays: the same bytes again are ERR_DUPLICATE, an earlier epoch's message ERR_LATE_EPOCH or ERR_WRONG_EPOCH; store and rewards unchanged", async () => {
    // Existing: tests/validator/ingest/ingest.test.ts checks these codes on generic messages; this
    // replays a real round and checks the scores read back from the store.
    const b = setup.b;
    // A round of epoch E−2, ingested while it was current, then frozen by the epoch loop.
    clock = b.txTimeIn(EPOCH - 2) + 10 * 60_000;
    const before = b.messages.length;
    const oldTx = b.txTimeIn(EPOCH - 2);
    cluster(b, [SF[0] + 0.3, SF[1] + 0.3], b.validatorEntropy(oldTx - 10_000), oldTx);
    const oldRound = signAll(b, b.messages.splice(before));
    for (const m of oldRound) expect(await codeOf(ingest.ingestBytes(m.bytes, "gossip"))).to.equal("stored");
    await store.freeze(EPOCH - 2);

    clock = setup.tx + 10 * 60_000;
    const round = signAll(b);
    for (const m of round) expect(await codeOf(ingest.ingestBytes(m.bytes, "gossip"))).to.equal("stored");
    const baseline = await scorers.score(inputFromStore(store, b, EPOCH));
    expect(baseline.beaconOutcomes.valid).to.equal(2);
    const stored = store.counts(EPOCH).total;

    for (const m of round) expect(await codeOf(ingest.ingestBytes(m.bytes, "gossip"))).to.equal("ERR_DUPLICATE");
    for (const m of oldRound) expect(await codeOf(ingest.ingestBytes(m.bytes, "gossip"))).to.equal("ERR_LATE_EPOCH");
    // A peer serving the old round when asked for epoch E.
    for (const m of oldRound) expect(await codeOf(ingest.ingestBytes(m.bytes, "sync", EPOCH))).to.equal("ERR_WRONG_EPOCH");
    const rejected = ingest.counters().rejected;
    expect(rejected["ERR_DUPLICATE"]).to.equal(round.length);
    expect(rejected["ERR_LATE_EPOCH"]).to.equal(oldRound.length);
    expect(rejected["ERR_WRONG_EPOCH"]).to.equal(oldRound.length);
    expect(store.counts(EPOCH).total).to.equal(stored);
    expect(store.counts(EPOCH - 1).total).to.equal(0);
    await store.freeze(EPOCH);
    expectSameRewards(await scorers.score(inputFromStore(store, b, EPOCH)), baseline);
  });

  it("a copied report under another signature, or a message in another hotspot's name, is ERR_INVALID_SIGNATURE and never stored", async () => {
    const b = setup.b;
    const copier = nearSf(b);
    const copierKey = b.keys.get(hex(copier.key))!;
    const original = b.sign(setup.sf.reports[0]!);
    // The copier's key in the witness field, the original witness's signature kept.
    const relabelled = b.sign({ ...original.message, witness: copier.key });
    const withOriginalSignature = Uint8Array.from(relabelled.bytes);
    withOriginalSignature.set(original.signature, withOriginalSignature.length - 64);
    // The original witness's name kept, signed with the copier's key.
    const impersonation = Uint8Array.from(original.bytes);
    const unsigned = impersonation.subarray(0, impersonation.length - 64);
    impersonation.set(copierKey.sign(signingBytes("witnessReport", unsigned)), impersonation.length - 64);
    // A beacon commit in the SF beaconer's name, signed by the copier.
    const commit = b.sign(setup.sf.beacon.commit);
    const fakeCommit = Uint8Array.from(commit.bytes);
    fakeCommit.set(copierKey.sign(signingBytes("beaconCommit", fakeCommit.subarray(0, fakeCommit.length - 64))), fakeCommit.length - 64);
    for (const bytes of [withOriginalSignature, impersonation, fakeCommit]) {
      expect(await codeOf(ingest.ingestBytes(bytes, "gossip"))).to.equal("ERR_INVALID_SIGNATURE");
    }
    expect(ingest.counters().rejected["ERR_INVALID_SIGNATURE"]).to.equal(3);
    expect(store.counts(EPOCH).total).to.equal(0);
  });

  it("entropy a hotspot signs itself is ERR_UNKNOWN_VALIDATOR, so its beacon scores unknown_entropy from the store and earns nothing", async () => {
    // Existing: ingest.test.ts checks ERR_UNKNOWN_VALIDATOR on its own; this follows it to the payouts.
    const b = setup.b;
    for (const m of signAll(b)) await ingest.ingestBytes(m.bytes, "gossip");
    const baseline = await scorers.score(inputFromStore(store, b, EPOCH));
    const centre: [number, number] = [SF[0] + 0.3, SF[1] + 0.3];
    const minter = b.keyed(centre[0], centre[1]);
    const friends = ring(3, 1.5, centre).map(([lat, lng]) => b.keyed(lat, lng));
    const start = b.messages.length;
    const minted = b.entropy(setup.tx, minter.key);
    const beacon = b.beacon(minter, minted, setup.tx + 5_000);
    b.reveal(beacon);
    for (const f of friends) b.witness(beacon, f);
    const attack = signAll(b, b.messages.slice(start));
    const codes = [];
    for (const m of attack) codes.push(await codeOf(ingest.ingestBytes(m.bytes, "gossip")));
    expect(codes).to.deep.equal(["ERR_UNKNOWN_VALIDATOR", ...attack.slice(1).map(() => "stored")]);
    await store.freeze(EPOCH);
    const attacked = await scorers.score(inputFromStore(store, b, EPOCH));
    expect(outcomeOf(attacked, beacon.commit)).to.equal("unknown_entropy");
    expectEarnsNothing(attacked, baseline, [minter, ...friends]);
  });

  it("timestamps in a later epoch than the clock allows are ERR_EPOCH_TOO_FAR_AHEAD for every kind, also from a sync peer", async () => {
    // Existing: ingest.test.ts checks this code for entropy; here every kind, both sources.
    const b = setup.b;
    clock = b.txTimeIn(EPOCH) + 10 * 60_000;
    const tx = epochStartMs(b.config, EPOCH + 1) + 60_000; // next epoch, 50 minutes ahead
    const start = b.messages.length;
    const beacon = b.beacon(setup.sf.beaconer, b.validatorEntropy(tx - 1_000), tx);
    b.reveal(beacon);
    b.witness(beacon, setup.sf.witnesses[0]!);
    const ahead = signAll(b, b.messages.slice(start));
    expect(new Set(ahead.map((m) => m.message.kind)).size).to.equal(4);
    for (const source of ["gossip", "sync"] as const) {
      for (const m of ahead) expect(await codeOf(ingest.ingestBytes(m.bytes, source)), m.message.kind).to.equal("ERR_EPOCH_TOO_FAR_AHEAD");
    }
    expect(store.counts(EPOCH + 1).total).to.equal(0);
  });
});

describe("security: gaming attempts refused by the gossip validators (real libp2p)", function () {
  this.timeout(90_000);
  const dirs = new TempDirs();
  const scorers = new BothScorers();
  let verifier: InlineVerifier;
  let validators: TestValidator[] = [];
  let attackerHost: HexcoverHost;
  let attacker: HexcoverGossip;
  let v: TestValidator;
  let setup: ReturnType<typeof honestEpoch>;
  let clock = 0;

  before(async () => {
    setup = honestEpoch();
    clock = setup.tx;
    verifier = new InlineVerifier();
    validators = await startValidators({ count: 1, dirs, verifier, now: () => clock, gossip: [0] });
    v = validators[0]!;
    v.ingest.setValidators([setup.b.validator.publicKey]);
    attackerHost = await createHexcoverHost({ keypair: Ed25519Keypair.generate(), bootstrap: [v.host.getMultiaddrs()[0]!.toString()] });
    attacker = new HexcoverGossip(attackerHost);
    attacker.start();
    await waitFor(() => Object.keys(Topics).every((k) => attacker.topicPeers(k as keyof typeof Topics) >= 1), "the attacker to see the validator on every topic");
  });
  after(async () => {
    attacker?.stop();
    await attackerHost?.stop();
    await stopValidators(validators);
    await dirs.cleanup();
    await scorers.close();
  });

  const rejected = (code: string) => v.ingest.counters().rejected[code] ?? 0;
  const ignored = (code: string) => v.ingest.counters().ignored[code] ?? 0;

  it("timestamps beyond the allowed clock skew are ERR_TIMESTAMP_IN_FUTURE for every kind; nothing is stored", async () => {
    // Existing: tests/node/p2p.test.ts checks the code on a bare gossip node; here on a validator's
    // ingest, for every kind, with the store checked.
    const b = setup.b;
    const skew = DEFAULT_MAX_CLOCK_SKEW_MS;
    const tx = clock + skew + 60_000;
    const start = b.messages.length;
    const beacon = b.beacon(setup.sf.beaconer, b.validatorEntropy(tx - 1_000), tx);
    b.reveal(beacon, 1); // stamped just after its commit: also ahead of the clock
    b.witness(beacon, setup.sf.witnesses[0]!);
    const ahead = signAll(b, b.messages.splice(start));
    const before = rejected("ERR_TIMESTAMP_IN_FUTURE");
    const storedBefore = store().counts(EPOCH).total;
    for (const m of ahead) attacker.publish(m);
    await waitFor(() => rejected("ERR_TIMESTAMP_IN_FUTURE") === before + 4, "the validator to refuse all four");
    expect(store().counts(EPOCH).total).to.equal(storedBefore);
  });

  it("a replay of an earlier epoch's messages is ERR_TIMESTAMP_TOO_OLD (IGNOREd: a stale copy is no proof of malice); nothing is stored", async () => {
    // Existing: tests/node/p2p.test.ts checks the code for one stale message on a bare gossip node.
    const b = setup.b;
    const oldTx = b.txTimeIn(EPOCH - 1);
    const start = b.messages.length;
    cluster(b, [SF[0] + 0.3, SF[1] + 0.3], b.validatorEntropy(oldTx - 10_000), oldTx);
    const old = signAll(b, b.messages.splice(start));
    const before = ignored("ERR_TIMESTAMP_TOO_OLD");
    const rejectedBefore = rejected("ERR_TIMESTAMP_TOO_OLD");
    for (const m of old) attacker.publish(m);
    await waitFor(() => ignored("ERR_TIMESTAMP_TOO_OLD") === before + old.length, "the validator to refuse the old round");
    expect(rejected("ERR_TIMESTAMP_TOO_OLD"), "stale copies are not rejections").to.equal(rejectedBefore);
    expect(store().counts(EPOCH - 1).total).to.equal(0);
  });

  // Found by this suite: gossip used to accept witness reports up to 5 minutes old, longer than
  // the witness window, so a hotspot that never heard the packet could wait for the reveal,
  // compute H(payload ‖ its key) and publish a report back-dated to just after the beacon. Reports
  // now live DEFAULT_MAX_WITNESS_REPORT_AGE_MS (60 s, below the window minus the clock skew).
  // Sync has no age bound (a validator catching up needs old messages): a faulty validator could
  // still relay such a report, a residual risk in docs/SECURITY.md.
  it("a report forged from the revealed payload after the window closed is refused and earns nothing", async () => {
    const b = setup.b;
    const forger = nearSf(b);
    const round = signAll(b);
    const reveals = round.filter((m) => m.message.kind === "beaconReveal");
    // In time: entropy, commits and honest reports while the window is open.
    clock = setup.tx + 3_000;
    for (const m of round) if (m.message.kind !== "beaconReveal") attacker.publish(m);
    await waitFor(() => store().counts(EPOCH).total === round.length - reveals.length, "the open-window messages to be stored");
    // The window closes, the beaconers reveal.
    clock = setup.tx + b.config.witnessWindowMs + 5_000;
    for (const m of reveals) attacker.publish(m);
    await waitFor(() => store().counts(EPOCH).total === round.length, "the reveals to be stored");
    const baseline = await scorers.score(inputFromStore(store(), b, EPOCH));
    // The forger read the reveal and back-dates its report to 150 ms after the beacon.
    const forged = b.sign(b.witness(setup.sf.beacon, forger, { proof: witnessProof(setup.sf.beacon.payload, forger.key) }));
    const refused = () => {
      const c = v.ingest.counters();
      return [c.rejected, c.ignored].flatMap((r) => Object.values(r)).reduce((x, y) => x + y, 0);
    };
    const refusedBefore = refused();
    attacker.publish(forged);
    await waitFor(
      () => store().has(EPOCH, forged.id) || refused() > refusedBefore,
      "the validator to decide on the forged report",
    );
    const attacked = await scorers.score(inputFromStore(store(), b, EPOCH));
    expect(outcomeOf(attacked, forged), "the late forged report's verdict").to.not.equal("valid");
    expectEarnsNothing(attacked, baseline, [forger]);
    expect(store().has(EPOCH, forged.id), "the late forged report is stored").to.equal(false);
  });

  function store(): EpochStore {
    return v.store;
  }
});

describe("security: end to end on a local network, a hotspot that never reveals earns nothing while its neighbours are paid", function () {
  this.timeout(240_000);
  /** Four sites in San Francisco's Mission district, 400 m – 1.5 km apart (tests/validator/network.test.ts). */
  const SITES: Array<[number, number]> = [
    [37.7599, -122.4148],
    [37.7649, -122.4194],
    [37.757, -122.408],
    [37.768, -122.41],
  ];
  const net = new LocalTestNetwork();
  let silent: TestHotspot;
  const honest: TestHotspot[] = [];

  before(async () => {
    await net.startChain(1, 1);
    await net.startValidator(0);
    // The daemon beacons, transmits and tries to reveal and witness as usual; only its commits get out.
    silent = await net.addHotspot(SITES[0]![0], SITES[0]![1], (host) => new FilteringGossip(host, new Set(["beaconCommit"])));
    for (const [lat, lng] of SITES.slice(1)) honest.push(await net.addHotspot(lat, lng));
  });
  after(() => net.stop());

  it("scores its beacons no_reveal and the reports on them beacon_invalid, gives it no leaf, and pays the honest hotspots", async () => {
    const v = net.validators[0]!;
    const silentAddress = addressOf(silent.keypair.publicKey);
    const silentBeaconScored = () => v.results.activity(silentAddress, 1_000).some((a) => a.role === "beaconer");
    let epoch = -1;
    await waitFor(
      () => {
        for (const e of v.results.epochs("finalized")) {
          const s = v.results.summary(e)!;
          if (s.beaconOutcomes.no_reveal > 0 && s.beaconOutcomes.valid > 0 && silentBeaconScored()) epoch = e;
        }
        return epoch >= 0;
      },
      "a finalized epoch with the silent hotspot's beacon and an honest valid beacon",
      200_000,
      500,
    );
    expect((silent.gossip as FilteringGossip).dropped["beaconReveal"] ?? 0, "the daemon tried to reveal").to.be.greaterThan(0);
    const activity = v.results.activity(silentAddress, 1_000);
    const asBeaconer = activity.filter((a) => a.role === "beaconer");
    expect(asBeaconer.length).to.be.greaterThan(0);
    for (const a of asBeaconer) expect(a.outcome, `beacon ${a.messageId.slice(0, 8)}`).to.equal("no_reveal");
    expect(activity.filter((a) => a.role === "witness")).to.deep.equal([]);
    // Reports on its beacons (the honest neighbours heard them) are beacon_invalid.
    const onSilentBeacons = honest.flatMap((h) => v.results.activity(addressOf(h.keypair.publicKey), 1_000)).filter((a) => a.role === "witness" && a.beaconer === silentAddress);
    expect(onSilentBeacons.length, "honest reports on the silent hotspot's beacons").to.be.greaterThan(0);
    for (const a of onSilentBeacons) expect(a.outcome).to.equal("beacon_invalid");
    // Through every finalized epoch: no leaf for it, and paid honest hotspots.
    const tree = v.results.tree(epoch)!;
    expect(tree.indexOf(silent.keypair.publicKey)).to.equal(undefined);
    const paid = v.results.leaves(epoch).filter((l) => honest.some((h) => hex(h.keypair.publicKey) === hex(l.hotspot)) && l.cumulativeAmount > 0n);
    expect(paid.length, "honest hotspots with a positive cumulative amount").to.be.greaterThan(0);
    // What the chain finalized is this tree.
    const onChain = (await net.env.client.fetchEpoch(epoch))!;
    expect(onChain.status).to.equal("finalized");
    expect(hex(onChain.finalizedRoot)).to.equal(hex(tree.root));
  });
});
