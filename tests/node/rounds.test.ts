import { expect } from "chai";
import {
  createHexcoverHost,
  type HexcoverHost,
  HexcoverGossip,
  HotspotDaemon,
  SimMediumBroker,
  SimRadio,
} from "../../node/index.js";
import {
  type BeaconCommitMessage,
  Ed25519Keypair,
  encodeAddress,
  type SignedMessage,
  signMessage,
  type WitnessReportMessage,
} from "../../protocol/index.js";
import { waitFor } from "../support/wait.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

interface TestHotspot {
  name: string;
  keypair: Ed25519Keypair;
  host: HexcoverHost;
  gossip: HexcoverGossip;
  radio: SimRadio;
  daemon: HotspotDaemon;
}

/** San Francisco: 11 hotspots within ~1.5 km of each other, and one 150 km away in Sacramento's direction. */
const CLUSTER = [
  [37.7749, -122.4194],
  [37.7790, -122.4140],
  [37.7712, -122.4250],
  [37.7801, -122.4230],
  [37.7700, -122.4120],
  [37.7765, -122.4080],
  [37.7830, -122.4180],
  [37.7680, -122.4200],
  [37.7755, -122.4300],
  [37.7820, -122.4110],
  [37.7735, -122.4160],
] as const;
const FAR_AWAY = [38.58, -121.49] as const;

describe("node: beacon rounds over libp2p and the sim radio", function () {
  this.timeout(120_000);
  const validator = Ed25519Keypair.generate();
  let broker: SimMediumBroker;
  let seed: HexcoverHost;
  let seedGossip: HexcoverGossip;
  let entropyTimer: NodeJS.Timeout | undefined;
  const hotspots: TestHotspot[] = [];
  const seedSeen: SignedMessage[] = [];

  async function addHotspot(name: string, lat: number, lng: number): Promise<TestHotspot> {
    const keypair = Ed25519Keypair.generate();
    const host = await createHexcoverHost({ keypair, bootstrap: [seed.getMultiaddrs()[0]!.toString()] });
    const gossip = new HexcoverGossip(host);
    gossip.start();
    const radio = new SimRadio({
      brokerPort: broker.port,
      name: encodeAddress(keypair.publicKey),
      site: { position: { lat, lng }, antennaGainDbi: 3, elevationM: 10 },
    });
    const daemon = new HotspotDaemon({
      keypair,
      radio,
      gossip,
      beaconIntervalMs: 6_000,
      beaconJitterMs: 3_000,
      witnessWindowMs: 2_000,
      trustedValidators: [validator.publicKey],
    });
    const hotspot = { name, keypair, host, gossip, radio, daemon };
    hotspots.push(hotspot);
    return hotspot;
  }

  before(async () => {
    broker = new SimMediumBroker();
    await broker.start();
    seed = await createHexcoverHost({ keypair: validator });
    seedGossip = new HexcoverGossip(seed);
    seedGossip.start();
    seedGossip.on("message", (m) => seedSeen.push(m));
    for (const [i, [lat, lng]] of CLUSTER.entries()) await addHotspot(`city-${i}`, lat, lng);
    await addHotspot("far", FAR_AWAY[0], FAR_AWAY[1]);
    await waitFor(() => seedGossip.topicPeers("witnessReport") >= hotspots.length, "all hotspots subscribed");
    let seq = 0;
    const publishEntropy = () =>
      seedGossip.publish(
        signMessage(
          { kind: "entropy", validator: validator.publicKey, seq: seq++, timestampMs: Date.now(), value: new Uint8Array(32).fill(seq & 0xff) },
          validator,
        ),
      );
    publishEntropy();
    entropyTimer = setInterval(publishEntropy, 2_000);
    for (const h of hotspots) await h.daemon.start();
    await waitFor(() => hotspots.every((h) => h.daemon.latestEntropy !== undefined), "entropy at every hotspot");
  });

  after(async () => {
    if (entropyTimer) clearInterval(entropyTimer);
    for (const h of hotspots) {
      await h.daemon.stop();
      h.gossip.stop();
      await h.host.stop();
    }
    seedGossip.stop();
    await seed.stop();
    await broker.stop();
  });

  it("completes scheduled rounds: every in-range witness report reaches every node; the far node hears nothing", async () => {
    const cluster = hotspots.filter((h) => h.name !== "far");
    const far = hotspots.find((h) => h.name === "far")!;
    // Wait for one full round per hotspot: beacon, witnesses from the whole cluster, reveal.
    await waitFor(() => hotspots.every((h) => h.daemon.counters.revealsSent >= 1), "a revealed beacon from every hotspot", 60_000);
    const commits = seedSeen.filter((m): m is SignedMessage<BeaconCommitMessage> => m.message.kind === "beaconCommit");
    const clusterCommits = commits.filter((c) => cluster.some((h) => hex(h.keypair.publicKey) === hex(c.message.hotspot)));
    expect(clusterCommits.length).to.be.at.least(cluster.length);

    for (const commit of clusterCommits.slice(0, cluster.length)) {
      const payloadHash = commit.message.payloadHash;
      const witnesses = cluster.filter((h) => hex(h.keypair.publicKey) !== hex(commit.message.hotspot));
      // Every node (all hotspots and the validator-side seed) sees every cluster witness's report.
      await waitFor(
        () =>
          hotspots.every((node) => {
            const round = node.daemon.observer.roundFor(payloadHash);
            return round !== undefined && witnesses.every((w) => round.witnesses.has(hex(w.keypair.publicKey)));
          }),
        `reports for beacon ${hex(commit.id).slice(0, 8)} at every node`,
        30_000,
      );
      const round = far.daemon.observer.roundFor(payloadHash)!;
      expect(round.witnesses.has(hex(far.keypair.publicKey)), "far node witnessed a city beacon").to.equal(false);
      expect(round.witnesses.size).to.equal(witnesses.length);
    }
    // Once revealed, every proof checks out at every node.
    await waitFor(
      () => hotspots.every((n) => clusterCommits.slice(0, cluster.length).every((c) => n.daemon.observer.roundFor(c.message.payloadHash)?.revealCheck === "valid")),
      "reveals everywhere",
      30_000,
    );
    for (const node of hotspots) {
      expect(node.daemon.observer.checks.bad_proof, node.name).to.equal(0);
      expect(node.daemon.observer.checks.valid).to.be.at.least(cluster.length * (cluster.length - 1));
    }
    expect(far.daemon.counters.witnessesSent).to.equal(0);
    const farCommits = commits.filter((c) => hex(c.message.hotspot) === hex(far.keypair.publicKey));
    expect(farCommits.length).to.be.at.least(1);
    for (const c of farCommits) {
      expect(seedSeen.some((m) => m.message.kind === "witnessReport" && hex(m.message.payloadHash) === hex(c.message.payloadHash))).to.equal(false);
    }
  });

  it("rejects a copied witness report: the copier's proof does not match its key", async () => {
    // Mallory hears nothing on the radio (no SimRadio); it copies a victim's report off gossip.
    const mallory = Ed25519Keypair.generate();
    const malloryHost = await createHexcoverHost({ keypair: mallory, bootstrap: [seed.getMultiaddrs()[0]!.toString()] });
    const malloryGossip = new HexcoverGossip(malloryHost);
    malloryGossip.start();
    try {
      await waitFor(() => malloryGossip.topicPeers("witnessReport") >= 1, "mallory in the mesh");
      const victim = hotspots[0]!;
      const copied = new Promise<SignedMessage<WitnessReportMessage>>((resolve) => {
        const listener = (m: SignedMessage) => {
          if (m.message.kind === "witnessReport" && hex(m.message.witness) === hex(victim.keypair.publicKey)) {
            malloryGossip.off("message", listener);
            resolve(m as SignedMessage<WitnessReportMessage>);
          }
        };
        malloryGossip.on("message", listener);
      });
      const original = await copied;
      const stolen = signMessage({ ...original.message, witness: mallory.publicKey, rxTimeMs: Date.now() }, mallory);
      malloryGossip.publish(stolen);
      const observer = hotspots[1]!;
      const payloadHash = original.message.payloadHash;
      await waitFor(
        () => observer.daemon.observer.roundFor(payloadHash)?.witnessChecks.get(hex(mallory.publicKey)) !== undefined,
        "the copied report checked after the reveal",
        30_000,
      );
      const round = observer.daemon.observer.roundFor(payloadHash)!;
      expect(round.witnessChecks.get(hex(mallory.publicKey))).to.equal("bad_proof");
      expect(round.witnessChecks.get(hex(victim.keypair.publicKey))).to.equal("valid");
      expect(observer.daemon.observer.checks.bad_proof).to.be.at.least(1);
    } finally {
      malloryGossip.stop();
      await malloryHost.stop();
    }
  });
});
