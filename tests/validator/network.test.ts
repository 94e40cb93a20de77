import { expect } from "chai";
import { LocalTestNetwork } from "../support/local-network.js";
import { waitFor } from "../support/wait.js";

/** Hotspots around San Francisco's Mission district, 400 m – 2 km apart. */
const SITES: Array<[number, number]> = [
  [37.7599, -122.4148], [37.7649, -122.4194], [37.7570, -122.4080], [37.7680, -122.4100],
  [37.7520, -122.4180], [37.7620, -122.4250], [37.7700, -122.4170], [37.7550, -122.4230],
  [37.7660, -122.4040], [37.7500, -122.4120], [37.7720, -122.4240], [37.7580, -122.4300],
];

describe("validator: 4 validators and 12 hotspots agree on chain", function () {
  this.timeout(240_000);
  const net = new LocalTestNetwork();

  before(async () => {
    await net.startChain(4, 3);
    for (let i = 0; i < 4; i++) await net.startValidator(i);
    for (const [lat, lng] of SITES) await net.addHotspot(lat, lng);
  });
  after(() => net.stop());

  it("finalizes epochs with 4/4 validators, all agreeing, with rewards for the hotspots", async () => {
    const client = net.env.client;
    await waitFor(async () => (await client.fetchConfig()).nextEpoch >= 2n, "epochs 0 and 1 finalized", 120_000, 500);
    for (const epoch of [0, 1]) {
      await waitFor(() => net.validators.every((v) => v!.results.summary(epoch)?.status === "finalized"), `all 4 agree on epoch ${epoch}`, 30_000, 250);
      const roots = new Set(net.validators.map((v) => v!.results.summary(epoch)!.root));
      expect(roots.size).to.equal(1);
    }
    const summary = net.validators[0]!.results.summary(1)!;
    expect(summary.beaconOutcomes.valid).to.be.greaterThan(0);
    expect(summary.witnessOutcomes.valid).to.be.greaterThan(0);
    expect(Number(summary.cumulativeTotal)).to.be.greaterThan(0);
  });

  it("keeps finalizing with one validator stopped (3/4)", async () => {
    const client = net.env.client;
    await net.stopValidator(3);
    const next = (await client.fetchConfig()).nextEpoch;
    await waitFor(async () => (await client.fetchConfig()).nextEpoch >= next + 1n, "one more epoch finalized by 3 validators", 90_000, 500);
    const epoch = Number(next);
    const onChain = (await client.fetchEpoch(epoch))!;
    expect(onChain.status).to.equal("finalized");
    expect(onChain.votes.length).to.be.at.most(3);
  });

  it("a validator that was down catches up through sync, scores the missed epochs and agrees", async () => {
    const client = net.env.client;
    const lastScoredBeforeRestart = net.validators[0]!.results.latestEpoch()!;
    // Validator 3 has been stopped since the previous test; its store missed everything since.
    const restarted = await net.startValidator(3, net.dataDir(3));
    const target = lastScoredBeforeRestart;
    await waitFor(() => restarted.results.summary(target)?.status === "finalized", `restarted validator agrees on epoch ${target}`, 90_000, 500);
    const onChain = (await client.fetchEpoch(target))!;
    expect(restarted.results.summary(target)!.root).to.equal(Buffer.from(onChain.finalizedRoot).toString("hex"));
    expect(restarted.sync.counters.fetched).to.be.greaterThan(0);
    expect(restarted.submitter.counters.disagreements).to.equal(0);
  });
});

