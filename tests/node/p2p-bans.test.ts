import { multiaddr } from "@multiformats/multiaddr";
import { expect } from "chai";
import {
  createHexcoverHost,
  GOSSIP_DISCONNECT_THRESHOLD,
  GOSSIP_SCORE_THRESHOLDS,
  gossipPeerScore,
  type HexcoverHost,
  HexcoverGossip,
  PeerBans,
  peerBans,
} from "../../node/index.js";
import { Ed25519Keypair, signMessage, Topics } from "../../protocol/index.js";
import { waitFor } from "../support/wait.js";

/** Bad messages well past the graylist threshold: P4 is −10 × count² (scoring.ts). */
const INVALID_MESSAGES = 15;

describe("node/p2p: peers scored below the graylist threshold are disconnected and banned", function () {
  this.timeout(60_000);
  const hosts: HexcoverHost[] = [];
  const gossips: HexcoverGossip[] = [];
  afterEach(async () => {
    for (const g of gossips.splice(0)) g.stop();
    await Promise.all(hosts.splice(0).map((h) => h.stop()));
  });

  async function host(): Promise<HexcoverHost> {
    const h = await createHexcoverHost({ keypair: Ed25519Keypair.generate() });
    hosts.push(h);
    return h;
  }

  it("disconnects and bans a peer that sends invalid messages, refuses it back, and keeps an honest peer", async () => {
    const node = await host();
    const gossip = new HexcoverGossip(node);
    gossip.start();
    gossips.push(gossip);
    const address = multiaddr(node.getMultiaddrs()[0]!.toString());
    const attacker = await host();
    const honest = await host();
    const honestGossip = new HexcoverGossip(honest);
    honestGossip.start();
    gossips.push(honestGossip);
    for (const h of [attacker, honest]) await h.dial(address);
    await waitFor(() => attacker.services.pubsub.getSubscribers(Topics.entropy).some((p) => p.equals(node.peerId)), "the attacker to see the node's topics");
    await waitFor(() => honestGossip.topicPeers("entropy") >= 1 && gossip.topicPeers("entropy") >= 1, "the node and the honest peer to see each other's topics");

    const validator = Ed25519Keypair.generate();
    for (let seq = 0; seq < INVALID_MESSAGES; seq++) {
      const good = signMessage({ kind: "entropy", validator: validator.publicKey, seq, timestampMs: Date.now(), value: new Uint8Array(32) }, validator);
      const forged = Uint8Array.from(good.bytes);
      forged[forged.length - 1]! ^= 1;
      await attacker.services.pubsub.publish(Topics.entropy, forged);
    }
    honestGossip.publish(signMessage({ kind: "entropy", validator: validator.publicKey, seq: 99, timestampMs: Date.now(), value: new Uint8Array(32) }, validator));

    await waitFor(() => node.getConnections(attacker.peerId).length === 0, "the attacker to be disconnected", 20_000);
    expect(gossipPeerScore(node, attacker.peerId)).to.be.below(GOSSIP_SCORE_THRESHOLDS.graylistThreshold!);
    expect(peerBans(node).isBanned(attacker.peerId.toString())).to.equal(true);
    expect(peerBans(node).disconnected).to.equal(1);
    // Banned: it cannot connect again (once its side has seen the hang-up).
    await waitFor(() => attacker.getConnections(node.peerId).length === 0, "the attacker to see the hang-up");
    // The dial may complete on the attacker's side before the node's gater refuses the
    // encrypted connection; either way the connection does not survive.
    await attacker.dial(address).catch(() => {});
    await waitFor(() => attacker.getConnections(node.peerId).length === 0 && node.getConnections(attacker.peerId).length === 0, "the redial to be refused");
    await new Promise((r) => setTimeout(r, 1_000));
    expect(node.getConnections(attacker.peerId), "connections to the banned peer").to.have.length(0);
    // The honest peer is untouched.
    await waitFor(() => gossip.counters.accepted === 1, "the honest message to be accepted");
    expect(node.getConnections(honest.peerId)).to.not.have.length(0);
    expect(gossipPeerScore(node, honest.peerId)).to.be.at.least(0);
    expect(GOSSIP_DISCONNECT_THRESHOLD).to.equal(GOSSIP_SCORE_THRESHOLDS.graylistThreshold);
  });

  it("forgets a ban when it expires and keeps at most its limit of bans", () => {
    let now = 1_000;
    const bans = new PeerBans(() => now);
    bans.ban("a", 500);
    expect(bans.isBanned("a")).to.equal(true);
    now += 499;
    expect(bans.isBanned("a")).to.equal(true);
    now += 1;
    expect(bans.isBanned("a")).to.equal(false);
    expect(bans.size).to.equal(0);
    for (let i = 0; i < 10_001; i++) bans.ban(`p${i}`);
    expect(bans.size).to.equal(10_000);
    expect(bans.isBanned("p0")).to.equal(false);
    expect(bans.isBanned("p10000")).to.equal(true);
  });
});
