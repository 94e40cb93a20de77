import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { leafHash, RewardMerkleTree, rootFromProof } from "../../../chain/merkle.js";
import { hexDensityScalesPpm, UNIT } from "../../../geo/index.js";
import { sha256 } from "../../../protocol/index.js";
import { scoreEpochReference } from "../../../validator/scoring/reference.js";
import { BEACON_OUTCOMES, type EpochScore, WITNESS_OUTCOMES } from "../../../validator/scoring/types.js";
import { EpochBuilder } from "../../support/epoch-builder.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const EPOCH = 10;

/** Points on a ring around San Francisco's Civic Center, far enough apart not to be "too close". */
function ring(count: number, radiusKm: number): Array<[number, number]> {
  return Array.from({ length: count }, (_, i) => {
    const angle = (2 * Math.PI * i) / count;
    return [37.7749 + (radiusKm / 111) * Math.cos(angle), -122.4194 + (radiusKm / 88) * Math.sin(angle)];
  });
}

function outcomeOf(score: EpochScore, id: Uint8Array): string | undefined {
  return score.outcomes!.find((o) => o.id === hex(id))?.outcome;
}

describe("validator: reference scorer", () => {
  it("scores a valid round: HIP-15 units, exact integer split with largest remainders, cumulative root", () => {
    const b = new EpochBuilder();
    const beaconer = b.hotspot(37.7749, -122.4194);
    const witnesses = ring(3, 1.5).map(([lat, lng]) => b.hotspot(lat, lng));
    const tx = b.txTimeIn(EPOCH);
    const entropy = b.entropy(tx - 30_000);
    const beacon = b.beacon(beaconer, entropy, tx);
    b.reveal(beacon);
    const reports = witnesses.map((w) => b.witness(beacon, w));
    // The layout is sparse: density scaling leaves everyone at 1.0 (geo/ tests the scaling itself).
    const scales = hexDensityScalesPpm([beaconer, ...witnesses].map((h) => ({ key: hex(h.key), location: h.location })));
    expect([...scales.values()]).to.deep.equal([1_000_000, 1_000_000, 1_000_000, 1_000_000]);

    const score = scoreEpochReference(b.input(EPOCH));
    expect(score.beaconOutcomes.valid).to.equal(1);
    expect(score.witnessOutcomes.valid).to.equal(3);
    for (const r of reports) expect(outcomeOf(score, r.id)).to.equal("valid");
    // w = 3 ≤ N = 4: beaconer 3/4 unit, each witness 1 unit; 3.75 units share 1,000,000 tokens.
    const byKey = new Map(score.rewards.map((r) => [hex(r.hotspot), r]));
    expect(byKey.get(hex(beaconer.key))!.units).to.equal((3n * UNIT) / 4n);
    expect(byKey.get(hex(beaconer.key))!.amount).to.equal(200_000n);
    const witnessAmounts = witnesses.map((w) => byKey.get(hex(w.key))!);
    for (const w of witnessAmounts) expect(w.units).to.equal(UNIT);
    // 800,000 / 3 = 266,666.67 each: two base units of remainder go to the two smallest keys.
    const sortedWitnessKeys = witnesses.map((w) => hex(w.key)).sort();
    expect(byKey.get(sortedWitnessKeys[0]!)!.amount).to.equal(266_667n);
    expect(byKey.get(sortedWitnessKeys[1]!)!.amount).to.equal(266_667n);
    expect(byKey.get(sortedWitnessKeys[2]!)!.amount).to.equal(266_666n);
    expect(score.emitted).to.equal(1_000_000n);
    expect(score.cumulativeTotal).to.equal(1_000_000n);
    expect(score.leafCount).to.equal(4);
    const tree = new RewardMerkleTree(score.cumulative);
    expect(tree.root).to.deep.equal(score.root);
    const i = tree.indexOf(beaconer.key)!;
    expect(rootFromProof(leafHash(beaconer.key, 200_000n), i, 4, tree.proof(i))).to.deep.equal(score.root);
  });

  it("adds this epoch's rewards to previous cumulative amounts", () => {
    const b = new EpochBuilder();
    const beaconer = b.hotspot(37.7749, -122.4194);
    const [w] = ring(1, 2).map(([lat, lng]) => b.hotspot(lat, lng));
    const bystander = new Uint8Array(randomBytes(32));
    b.previousCumulative = [
      { hotspot: beaconer.key, cumulativeAmount: 5n },
      { hotspot: bystander, cumulativeAmount: 7n },
    ];
    const tx = b.txTimeIn(EPOCH);
    const beacon = b.beacon(beaconer, b.entropy(tx - 1_000), tx);
    b.reveal(beacon);
    b.witness(beacon, w!);
    const score = scoreEpochReference(b.input(EPOCH));
    const cumulative = new Map(score.cumulative.map((l) => [hex(l.hotspot), l.cumulativeAmount]));
    // w = 1: beaconer 1/4 unit, witness 1 unit: 200,000 and 800,000.
    expect(cumulative.get(hex(beaconer.key))).to.equal(200_005n);
    expect(cumulative.get(hex(w!.key))).to.equal(800_000n);
    expect(cumulative.get(hex(bystander))).to.equal(7n);
    expect(score.cumulativeTotal).to.equal(1_000_012n);
    expect(score.leafCount).to.equal(3);
  });

  it("names every beacon and witness rule: each crafted report gets exactly its reason", () => {
    const b = new EpochBuilder();
    const cfg = b.config;
    const tx0 = b.txTimeIn(EPOCH);
    const entropy = b.entropy(tx0 - 10_000);
    const beaconer = b.hotspot(37.7749, -122.4194);
    const ringHotspots = ring(16, 3).map(([lat, lng]) => b.hotspot(lat, lng));
    const expected = new Map<string, string>();
    const expectOutcome = (id: Uint8Array, outcome: string) => expected.set(hex(id), outcome);

    // A valid beacon with 16 valid witnesses: 14 selected, 2 not selected.
    const main = b.beacon(beaconer, entropy, tx0);
    b.reveal(main);
    expectOutcome(main.commit.id, "valid");
    const mainReports = ringHotspots.map((w) => b.witness(main, w));

    // Witness rules, each on the main beacon.
    const unregistered = b.hotspot(37.80, -122.40, 30, false);
    expectOutcome(b.witness(main, unregistered).id, "unknown_witness");
    const denied = b.hotspot(37.74, -122.45);
    b.denylist.add(hex(denied.key));
    expectOutcome(b.witness(main, denied).id, "denylisted");
    expectOutcome(b.witness(main, beaconer).id, "self_witness");
    const dupWitness = b.hotspot(37.70, -122.42);
    expectOutcome(b.witness(main, dupWitness, { rxDelayMs: 100 }).id, "valid-or-not_selected");
    expectOutcome(b.witness(main, dupWitness, { rxDelayMs: 900 }).id, "duplicate");
    expectOutcome(b.witness(main, b.hotspot(37.79, -122.47), { rxDelayMs: cfg.maxWitnessDelayMs + 1 }).id, "outside_window");
    expectOutcome(b.witness(main, b.hotspot(37.76, -122.39), { rxDelayMs: -cfg.maxWitnessEarlyMs - 1 }).id, "outside_window");
    expectOutcome(b.witness(main, b.hotspot(37.81, -122.43), { frequencyHz: 904_300_000 + 200_000 }).id, "frequency_mismatch");
    expectOutcome(b.witness(main, b.hotspot(37.73, -122.41), { dataRate: 6 }).id, "data_rate_mismatch");
    const other = b.hotspot(37.75, -122.37);
    expectOutcome(b.witness(main, b.hotspot(37.745, -122.38), { proof: sha256(main.payload, other.key) }).id, "bad_proof");
    expectOutcome(b.witness(main, b.hotspot(38.95, -121.3)).id, "too_far");
    expectOutcome(b.witness(main, b.hotspot(37.7752, -122.4190)).id, "too_close");
    expectOutcome(b.witness(main, b.hotspot(37.72, -122.47), { rssiDeciDbm: -400 }).id, "rssi_too_strong");
    expectOutcome(b.witness(main, b.hotspot(37.78, -122.36), { rssiDeciDbm: -1150, snrDeciDb: 100 }).id, "snr_implausible");
    // A report for a beacon nobody committed.
    expectOutcome(
      b.add({ ...b.witness(main, ringHotspots[0]!).message, payloadHash: sha256(new Uint8Array([1])) }).id,
      "unknown_beacon",
    );
    b.messages.splice(b.messages.length - 2, 1); // drop the helper report used as a template

    // Beacon rules, each on its own beacon from the ring hotspots.
    const [h1, h2, h3, h4, h5, h6, h7, h8, h9] = ringHotspots;
    const ghost = b.hotspot(37.6, -122.3, 30, false);
    expectOutcome(b.beacon(ghost, entropy, tx0 + 1).commit.id, "unknown_hotspot");
    const unknownEntropy = b.beacon(h1!, { ...entropy, id: sha256(new Uint8Array([9])) }, tx0 + 2);
    b.reveal(unknownEntropy);
    expectOutcome(unknownEntropy.commit.id, "unknown_entropy");
    const stale = b.beacon(h2!, b.entropy(tx0 - cfg.entropyMaxAgeMs - 1), tx0 + 3);
    b.reveal(stale);
    expectOutcome(stale.commit.id, "stale_entropy");
    const fromFuture = b.beacon(h2!, b.entropy(tx0 + 60_000), tx0 + 4);
    b.reveal(fromFuture);
    expectOutcome(fromFuture.commit.id, "stale_entropy");
    const badFrequency = b.beacon(h3!, entropy, tx0 + 5, { frequencyHz: 1_000_000_000 });
    b.reveal(badFrequency);
    expectOutcome(badFrequency.commit.id, "invalid_frequency");
    const unrevealed = b.beacon(h4!, entropy, tx0 + 6);
    expectOutcome(unrevealed.commit.id, "no_reveal");
    expectOutcome(b.witness(unrevealed, h5!).id, "beacon_invalid");
    const mismatched = b.beacon(h5!, entropy, tx0 + 7);
    b.reveal(mismatched, undefined, { nonce: new Uint8Array(8) });
    expectOutcome(mismatched.commit.id, "reveal_mismatch");
    const early = b.beacon(h6!, entropy, tx0 + 8);
    b.reveal(early, cfg.witnessWindowMs - 1);
    expectOutcome(early.commit.id, "reveal_early");
    const late = b.beacon(h7!, entropy, tx0 + 9);
    b.reveal(late, cfg.witnessWindowMs + cfg.revealGraceMs + 1);
    expectOutcome(late.commit.id, "reveal_late");
    // The same payload committed again (a replayed commit with a new timestamp).
    const replay = b.add({ ...main.commit.message, txTimeMs: tx0 + 10 });
    expectOutcome(replay.id, "duplicate_payload");
    // Rate limit: h8 sends max + 1 valid beacons; the last one is too frequent.
    const h8Beacons = Array.from({ length: cfg.maxBeaconsPerHotspotPerEpoch + 1 }, (_, i) => {
      const beacon = b.beacon(h8!, entropy, tx0 + 20 + i);
      b.reveal(beacon);
      return beacon;
    });
    for (const [i, beacon] of h8Beacons.entries()) {
      expectOutcome(beacon.commit.id, i < cfg.maxBeaconsPerHotspotPerEpoch ? "valid" : "too_frequent");
    }
    // A beacon scored in the next epoch is not this epoch's business at all.
    const nextEpoch = b.beacon(h9!, b.entropy(b.txTimeIn(EPOCH + 1) - 1000), b.txTimeIn(EPOCH + 1));
    b.reveal(nextEpoch);

    const score = scoreEpochReference(b.input(EPOCH));
    for (const [id, want] of expected) {
      const got = score.outcomes!.find((o) => o.id === id)?.outcome;
      if (want === "valid-or-not_selected") expect(["valid", "not_selected"], id).to.include(got);
      else expect(got, `${want} for ${id.slice(0, 8)}`).to.equal(want);
    }
    expect(outcomeOf(score, nextEpoch.commit.id)).to.equal(undefined);
    const mainOutcomes = [...mainReports, ...b.messages.filter((m) => hex(m.signer) === hex(dupWitness.key)).slice(0, 1)].map((r) =>
      outcomeOf(score, r.id),
    );
    expect(mainOutcomes.filter((o) => o === "valid")).to.have.length(cfg.maxWitnessesPerBeacon);
    expect(mainOutcomes.filter((o) => o === "not_selected")).to.have.length(17 - cfg.maxWitnessesPerBeacon);
    // One verdict per message, even for the reports of a replayed (duplicate_payload) commit.
    expect(new Set(score.outcomes!.map((o) => o.id)).size).to.equal(score.outcomes!.length);
    // Every named reason occurred.
    for (const reason of BEACON_OUTCOMES) expect(score.beaconOutcomes[reason], reason).to.be.greaterThan(0);
    for (const reason of WITNESS_OUTCOMES) expect(score.witnessOutcomes[reason], reason).to.be.greaterThan(0);
    // Only the main beacon has witnesses: its beaconer and 14 selected witnesses earn.
    expect(score.rewards).to.have.length(15);
    expect(score.emitted).to.equal(b.config.emissionPerEpoch);
  });

  it("is deterministic and independent of message order", () => {
    const b = new EpochBuilder();
    const hotspots = ring(12, 4).map(([lat, lng]) => b.hotspot(lat, lng));
    const tx = b.txTimeIn(EPOCH);
    const entropy = b.entropy(tx - 5_000);
    hotspots.forEach((h, i) => {
      const beacon = b.beacon(h, entropy, tx + i * 1000);
      b.reveal(beacon);
      for (const w of hotspots) if (w !== h) b.witness(beacon, w, { rxDelayMs: 100 + i });
    });
    const first = scoreEpochReference(b.input(EPOCH));
    const shuffled = [...b.messages].sort(() => Math.random() - 0.5);
    const second = scoreEpochReference({ ...b.input(EPOCH), messages: shuffled, hotspots: [...b.hotspots].reverse() });
    expect(second).to.deep.equal(first);
    expect(first.emitted).to.equal(b.config.emissionPerEpoch);
  });
});
