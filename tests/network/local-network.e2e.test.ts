import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getAccount } from "@solana/spl-token";
import { Connection, Keypair } from "@solana/web3.js";
import { expect } from "chai";
import { type CoverageRewardsClient, RewardMerkleTree } from "../../chain/index.js";
import { clientFor } from "../../cli/cluster.js";
import { spawnHexcover, type RunningProcess } from "../support/processes.js";
import { waitFor } from "../support/wait.js";

/**
 * The main job end to end: `hexcover network` (what `npm start` runs) with a small network, every
 * role its own process. Two epochs must finalize by quorum, validly active hotspots earn, the
 * crank's claims mint exactly the proven amounts, and the map API shows covered cells.
 */
describe("network: hexcover network end to end (npm start)", function () {
  this.timeout(420_000);
  // Ports far from the defaults so a developer's running network is not disturbed.
  const offset = 30_000 + Math.floor(Math.random() * 5_000);
  const rpcUrl = `http://127.0.0.1:${8899 + offset}`;
  const wsUrl = `ws://127.0.0.1:${8900 + offset}`;
  const validatorApi = `http://127.0.0.1:${8080 + offset}`;
  const mapUrl = `http://127.0.0.1:${3000 + offset}`;
  let network: RunningProcess;
  let client: CoverageRewardsClient;

  before(async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "hexcover-network-"));
    network = spawnHexcover(["network", "--hotspots", "6", "--epoch-seconds", "20", "--data-dir", dataDir, "--port-offset", String(offset), "--no-status"]);
    await network.waitForLine(/hotspots running on the sim radio/, 240_000);
    client = clientFor(rpcUrl, Keypair.generate(), wsUrl);
  });

  after(async () => {
    if (network) expect(await network.stop("SIGINT")).to.equal(0);
  });

  it("finalizes two epochs with rewards by a quorum of validators", async () => {
    await network.waitForLine(/epoch \d+ finalized on chain: .* [1-9]\d* valid beacons/, 240_000);
    const first = Number(/epoch (\d+) finalized on chain: .* [1-9]\d* valid beacons/.exec(network.lines.join("\n"))![1]);
    await waitFor(async () => (await client.fetchConfig()).nextEpoch > BigInt(first + 1), "a second epoch finalized", 120_000, 1_000);
    const config = await client.fetchConfig();
    for (const epoch of [first, first + 1]) {
      const account = (await client.fetchEpoch(epoch))!;
      expect(account.status).to.equal("finalized");
      const agreeing = account.votes.filter((v) => Buffer.compare(Buffer.from(v.root), Buffer.from(account.finalizedRoot)) === 0);
      expect(agreeing.length).to.be.at.least(config.quorum);
    }
  });

  it("gives every validly active hotspot a claimable amount, and the crank's claims mint exactly it", async () => {
    const epoch = Number((await client.fetchConfig()).nextEpoch) - 1;
    const hotspots = await client.allHotspots();
    expect(hotspots).to.have.length(6);
    // Earners up to the finalized epoch: a valid (so selected) witness, and the beaconer it
    // witnessed. A valid beacon nobody validly witnessed earns nothing (HIP-15, w = 0), and the
    // validator may already have scored a later, not yet finalized epoch.
    const active = new Set<string>();
    for (const h of hotspots) {
      const activity = (await (await fetch(`${validatorApi}/hotspots/${h.deviceKey.toBase58()}`)).json()) as {
        activity: Array<{ epoch: number; role: string; outcome: string; beaconer?: string }>;
      };
      for (const a of activity.activity) {
        if (a.epoch > epoch || a.role !== "witness" || a.outcome !== "valid") continue;
        active.add(h.deviceKey.toBase58());
        if (a.beaconer !== undefined) active.add(a.beaconer);
      }
    }
    expect(active.size).to.be.greaterThan(0);
    const finalized = (await client.fetchEpoch(epoch))!;
    const leaves: Array<{ hotspot: Uint8Array; cumulativeAmount: bigint }> = [];
    for (const h of hotspots) {
      const res = await fetch(`${validatorApi}/epochs/${epoch}/rewards/${h.deviceKey.toBase58()}`);
      if (active.has(h.deviceKey.toBase58())) expect(res.status, `claimable amount for active ${h.deviceKey.toBase58()}`).to.equal(200);
      if (res.ok) {
        const body = (await res.json()) as { cumulativeAmount: string; root: string };
        expect(body.root).to.equal(Buffer.from(finalized.finalizedRoot).toString("hex"));
        expect(BigInt(body.cumulativeAmount) > 0n, "cumulative amount is positive").to.equal(true);
        leaves.push({ hotspot: h.deviceKey.toBytes(), cumulativeAmount: BigInt(body.cumulativeAmount) });
      }
    }
    // The served amounts are exactly the finalized tree's leaves.
    expect(Buffer.from(new RewardMerkleTree(leaves).root).toString("hex")).to.equal(Buffer.from(finalized.finalizedRoot).toString("hex"));
    const connection = new Connection(rpcUrl, "confirmed");
    await waitFor(
      async () => {
        for (const leaf of leaves) {
          const h = hotspots.find((x) => Buffer.compare(x.deviceKey.toBytes(), Buffer.from(leaf.hotspot)) === 0)!;
          const balance = (await getAccount(connection, h.rewardAccount)).amount;
          if (balance < leaf.cumulativeAmount) return false;
        }
        return true;
      },
      "the crank to pay the latest finalized epoch",
      90_000,
      1_000,
    );
    const refreshed = await client.allHotspots();
    for (const leaf of leaves) {
      const h = refreshed.find((x) => Buffer.compare(x.deviceKey.toBytes(), Buffer.from(leaf.hotspot)) === 0)!;
      const balance = (await getAccount(connection, h.rewardAccount)).amount;
      // Exactly the cumulative amount claimed so far: never more than proven.
      expect(balance).to.equal(h.claimed);
      expect(h.claimed >= leaf.cumulativeAmount, "claimed at least the proven amount").to.equal(true);
    }
    const totals = await client.fetchConfig();
    expect(totals.totalMinted <= totals.finalizedCumulativeTotal, "minted never exceeds the finalized total").to.equal(true);
  });

  it("shows the covered cells on the map API", async () => {
    await waitFor(async () => {
      const stats = (await (await fetch(`${mapUrl}/v1/stats`)).json()) as { latest?: { validWitnesses: number } };
      return (stats.latest?.validWitnesses ?? 0) > 0;
    }, "the coverage index to hold a finalized epoch with witnesses", 90_000, 1_000);
    const stats = (await (await fetch(`${mapUrl}/v1/stats`)).json()) as { latest: { extent: [number, number, number, number] } };
    const [minLng, minLat, maxLng, maxLat] = stats.latest.extent;
    const coverage = (await (await fetch(`${mapUrl}/v1/coverage?bbox=${minLng},${minLat},${maxLng},${maxLat}&res=8`)).json()) as { type: string; features: unknown[] };
    expect(coverage.type).to.equal("FeatureCollection");
    expect(coverage.features.length).to.be.greaterThan(0);
    const page = await fetch(`${mapUrl}/`);
    expect(page.status).to.equal(200);
  });
});
