import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { privateKeyFromRaw } from "@libp2p/crypto/keys";
import { expect } from "chai";
import { createHexcoverHost, gossipPeerScore, HOTSPOT_GOSSIP_KINDS, type HexcoverHost, HexcoverGossip } from "../../node/index.js";
import { Ed25519Keypair, type SignedMessage, signMessage, Topics } from "../../protocol/index.js";
import { waitFor } from "../support/wait.js";

function addrOf(host: HexcoverHost): string {
  return host.getMultiaddrs()[0]!.toString();
}

function report(witness: Ed25519Keypair, seed: number): SignedMessage {
  return signMessage(
    {
      kind: "witnessReport",
      witness: witness.publicKey,
      payloadHash: new Uint8Array(32).fill(seed),
      proof: new Uint8Array(32).fill(seed + 1),
      rssiDeciDbm: -1000,
      snrDeciDb: 50,
      frequencyHz: 903_900_000,
      dataRate: 1,
      rxTimeMs: Date.now(),
    },
    witness,
  );
}

function entropy(validator: Ed25519Keypair, seq: number, timestampMs = Date.now()): SignedMessage {
  return signMessage(
    { kind: "entropy", validator: validator.publicKey, seq, timestampMs, value: new Uint8Array(32).fill(seq & 0xff) },
    validator,
  );
}

describe("node: libp2p host and gossip", function () {
  this.timeout(60_000);
  const hosts: HexcoverHost[] = [];
  const gossips: HexcoverGossip[] = [];

  async function start(
    keypair = Ed25519Keypair.generate(),
    bootstrap: string[] = [],
    options: { kinds?: typeof HOTSPOT_GOSSIP_KINDS; holdForSubscribersMs?: number; denyPeer?: (peer: string) => boolean } = {},
  ) {
    const host = await createHexcoverHost({ keypair, bootstrap, ...(options.denyPeer === undefined ? {} : { denyPeer: options.denyPeer }) });
    hosts.push(host);
    const gossip = new HexcoverGossip(host, options.holdForSubscribersMs === undefined ? {} : { holdForSubscribersMs: options.holdForSubscribersMs });
    gossip.start(options.kinds);
    gossips.push(gossip);
    return { host, gossip, keypair };
  }

  afterEach(async () => {
    for (const gossip of gossips.splice(0)) gossip.stop();
    await Promise.all(hosts.splice(0).map((h) => h.stop()));
  });

  it("derives the peer id from the device key, stable across restarts", async () => {
    const keypair = Ed25519Keypair.generate();
    const first = await start(keypair);
    const id = first.host.peerId.toString();
    await first.host.stop();
    const second = await start(keypair);
    expect(second.host.peerId.toString()).to.equal(id);
    expect(peerIdFromPrivateKey(privateKeyFromRaw(keypair.secretKey)).toString()).to.equal(id);
  });

  it("delivers valid messages to every subscriber and ignores re-deliveries", async () => {
    const a = await start();
    const b = await start(undefined, [addrOf(a.host)]);
    const c = await start(undefined, [addrOf(a.host)]);
    await waitFor(() => a.gossip.topicPeers("entropy") >= 2 && b.gossip.topicPeers("entropy") >= 1, "topic peers");
    const received = { b: [] as SignedMessage[], c: [] as SignedMessage[] };
    b.gossip.on("message", (m) => received.b.push(m));
    c.gossip.on("message", (m) => received.c.push(m));
    const validator = Ed25519Keypair.generate();
    const message = entropy(validator, 1);
    a.gossip.publish(message);
    await waitFor(() => received.b.length === 1 && received.c.length === 1, "delivery to b and c");
    expect(received.b[0]!.id).to.deep.equal(message.id);
    // The same message published again by another node is a duplicate everywhere.
    b.gossip.publish(message);
    a.host.services.pubsub.publish(Topics.entropy, message.bytes).catch(() => {});
    await new Promise((r) => setTimeout(r, 1500));
    expect(received.c).to.have.length(1);
  });

  it("rejects malformed, wrongly signed, wrong-topic and future messages, ignores stale ones, and scores their sender down", async () => {
    const honest = await start();
    // The attacker runs the same stack but publishes raw bytes, bypassing validation.
    const attackerHost = await createHexcoverHost({ keypair: Ed25519Keypair.generate(), bootstrap: [addrOf(honest.host)] });
    hosts.push(attackerHost);
    attackerHost.services.pubsub.subscribe(Topics.entropy);
    attackerHost.services.pubsub.subscribe(Topics.witnessReport);
    await waitFor(() => honest.gossip.topicPeers("entropy") >= 1, "attacker subscribed");
    const validator = Ed25519Keypair.generate();
    const good = entropy(validator, 7);
    const badSignature = Uint8Array.from(good.bytes);
    badSignature[badSignature.length - 1]! ^= 1;
    const stale = entropy(validator, 8, Date.now() - 3_600_000);
    const future = entropy(validator, 9, Date.now() + 3_600_000);
    const sends: Array<[string, Uint8Array]> = [
      [Topics.entropy, new Uint8Array([1, 1, 3])],
      // A second one: the stale message below costs no penalty, and the score check needs five.
      [Topics.entropy, new Uint8Array([1, 1, 4])],
      [Topics.entropy, badSignature],
      [Topics.witnessReport, good.bytes],
      [Topics.entropy, stale.bytes],
      [Topics.entropy, future.bytes],
    ];
    for (const [topic, bytes] of sends) await attackerHost.services.pubsub.publish(topic, bytes);
    const attacker = attackerHost.peerId.toString();
    await waitFor(() => Object.values(honest.gossip.counters.rejected).reduce((a, b) => a + b, 0) === 5, "five rejections");
    await waitFor(() => honest.gossip.counters.ignored.ERR_TIMESTAMP_TOO_OLD === 1, "the stale message ignored");
    expect(honest.gossip.counters.rejected).to.deep.equal({
      ERR_MESSAGE_TRUNCATED: 2,
      ERR_INVALID_SIGNATURE: 1,
      ERR_WRONG_MESSAGE_KIND: 1,
      ERR_TIMESTAMP_IN_FUTURE: 1,
    });
    // A stale copy may have aged in a backlog after an honest relay accepted it: IGNORE, no penalty.
    expect(honest.gossip.counters.ignored).to.deep.equal({ ERR_TIMESTAMP_TOO_OLD: 1 });
    expect(honest.gossip.counters.accepted).to.equal(0);
    // Scores are recomputed on gossipsub's heartbeat (1 s): wait for the penalty to show.
    await waitFor(() => gossipPeerScore(honest.host, attacker) < -100, "attacker score below -100", 10_000);
    expect(gossipPeerScore(honest.host, attacker)).to.be.lessThan(-100);
  });

  it("a hotspot publishes its witness reports to the validators it is connected to, and relays none", async () => {
    // A second hotspot reachable only through the first: the validator refuses it (the DHT would
    // otherwise connect them within a second or two) until the test lets it in.
    const behindKey = Ed25519Keypair.generate();
    const behindId = peerIdFromPrivateKey(privateKeyFromRaw(behindKey.secretKey)).toString();
    let refuseBehind = true;
    const validator = await start(undefined, [], { denyPeer: (peer) => refuseBehind && peer === behindId });
    const hotspot = await start(undefined, [addrOf(validator.host)], { kinds: HOTSPOT_GOSSIP_KINDS });
    const behind = await start(behindKey, [addrOf(hotspot.host)], { kinds: HOTSPOT_GOSSIP_KINDS });
    await waitFor(() => hotspot.gossip.topicPeers("witnessReport") === 1 && behind.gossip.topicPeers("beaconCommit") >= 1, "subscriptions exchanged");
    expect(hotspot.host.services.pubsub.getTopics()).to.not.include(Topics.witnessReport);
    const atValidator: SignedMessage[] = [];
    const atHotspot: SignedMessage[] = [];
    validator.gossip.on("message", (m) => atValidator.push(m));
    hotspot.gossip.on("message", (m) => atHotspot.push(m));
    const own = report(hotspot.keypair, 1);
    hotspot.gossip.publish(own);
    await waitFor(() => atValidator.length === 1, "the report at the validator");
    expect(atValidator[0]!.id).to.deep.equal(own.id);
    // The second hotspot's report waits for a subscriber instead of going through the first one.
    expect(behind.gossip.topicPeers("witnessReport"), "no validator known yet").to.equal(0);
    behind.gossip.publish(report(behind.keypair, 3));
    expect(behind.gossip.heldForSubscribers).to.equal(1);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(atValidator, "nothing reached the validator through the first hotspot").to.have.length(1);
    expect(behind.gossip.heldForSubscribers).to.equal(1);
    // Once it reaches a validator, the held report goes out.
    refuseBehind = false;
    await behind.host.dial(validator.host.getMultiaddrs()[0]!);
    await waitFor(() => atValidator.length === 2, "the held report at the validator", 10_000);
    expect(behind.gossip.heldForSubscribers).to.equal(0);
    // Relayed by nobody: the first hotspot never accepted (so never forwarded) either report.
    expect(atHotspot, "a hotspot accepts no witness report").to.have.length(0);
    expect(hotspot.gossip.counters.accepted).to.equal(0);
    expect(behind.gossip.counters.publishExpired).to.equal(0);
  });

  it("drops a held message that found no subscribed peer in time, and counts it", async () => {
    const lonely = await start(undefined, [], { kinds: HOTSPOT_GOSSIP_KINDS, holdForSubscribersMs: 700 });
    lonely.gossip.publish(report(lonely.keypair, 5));
    expect(lonely.gossip.heldForSubscribers).to.equal(1);
    await waitFor(() => lonely.gossip.counters.publishExpired === 1, "the held report to expire", 5_000);
    expect(lonely.gossip.heldForSubscribers).to.equal(0);
  });

  it("refuses the peers HostOptions.denyPeer names, both ways, for as long as it names them", async () => {
    const outsider = Ed25519Keypair.generate();
    const outsiderId = peerIdFromPrivateKey(privateKeyFromRaw(outsider.secretKey)).toString();
    let deny = true;
    const guarded = await start(undefined, [], { denyPeer: (peer) => deny && peer === outsiderId });
    const other = await start(outsider);
    const friend = await start();
    let dialOut: unknown;
    await guarded.host.dial(other.host.getMultiaddrs()[0]!).catch((err: unknown) => (dialOut = err));
    expect(dialOut, "dialling a denied peer").to.be.instanceOf(Error);
    await other.host.dial(guarded.host.getMultiaddrs()[0]!).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    expect(guarded.host.getPeers().map(String), "no connection from a denied peer").to.not.include(outsiderId);
    await guarded.host.dial(friend.host.getMultiaddrs()[0]!);
    expect(guarded.host.getPeers().map(String)).to.include(friend.host.peerId.toString());
    deny = false;
    await guarded.host.dial(other.host.getMultiaddrs()[0]!);
    expect(guarded.host.getPeers().map(String)).to.include(outsiderId);
  });

  it("discovers peers beyond its bootstrap list through the DHT", async () => {
    const seed = await start();
    const b = await start(undefined, [addrOf(seed.host)]);
    const c = await start(undefined, [addrOf(seed.host)]);
    await waitFor(() => seed.host.getPeers().length >= 2, "seed sees both");
    // c looks b up by peer id: only the DHT (through the seed) can tell it b's address.
    const info = await c.host.peerRouting.findPeer(b.host.peerId);
    expect(info.multiaddrs.map(String)).to.include(b.host.getMultiaddrs()[0]!.decapsulateCode(421).toString());
    await c.host.dial(b.host.peerId);
    expect(c.host.getPeers().map(String)).to.include(b.host.peerId.toString());
  });
});
