import { expect } from "chai";
import { RoundObserver } from "../../node/index.js";
import { sha256 } from "../../protocol/index.js";
import { EpochBuilder } from "../support/epoch-builder.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("node: the round observer", () => {
  it("checks witness proofs at reveal time, whatever order gossip delivered the messages in", () => {
    const b = new EpochBuilder();
    const beaconer = b.hotspot(37.77, -122.42);
    const honest = b.hotspot(37.78, -122.41);
    const copier = b.hotspot(37.76, -122.43);
    const tx = b.txTimeIn(1);
    const beacon = b.beacon(beaconer, b.entropy(tx - 1000), tx);
    const reveal = b.reveal(beacon);
    const report = b.witness(beacon, honest);
    const copied = b.witness(beacon, copier, { proof: (report.message as { proof: Uint8Array }).proof });
    const observer = new RoundObserver();
    // Reveal first, then witnesses, then the commit last.
    for (const m of [reveal, copied, report, beacon.commit]) observer.observe(m);
    const round = observer.roundFor(beacon.commit.message.payloadHash)!;
    expect(round.revealCheck).to.equal("valid");
    expect(round.witnessChecks.get(hex(honest.key))).to.equal("valid");
    expect(round.witnessChecks.get(hex(copier.key))).to.equal("bad_proof");
    expect(observer.checks).to.include({ valid: 1, bad_proof: 1, reveal_valid: 1 });
  });

  it("flags a reveal whose nonce does not reproduce the committed payload", () => {
    const b = new EpochBuilder();
    const beaconer = b.hotspot(37.77, -122.42);
    const tx = b.txTimeIn(1);
    const beacon = b.beacon(beaconer, b.entropy(tx - 1000), tx);
    const observer = new RoundObserver();
    observer.observe(beacon.commit);
    observer.observe(b.reveal(beacon, undefined, { nonce: sha256(new Uint8Array([1])).subarray(0, 8) }));
    expect(observer.roundFor(beacon.commit.message.payloadHash)!.revealCheck).to.equal("payload_mismatch");
    expect(observer.checks.reveal_payload_mismatch).to.equal(1);
  });
});
