import { multiaddr } from "@multiformats/multiaddr";
import { expect } from "chai";
import { createHexcoverHost, gossipPeerScore, GossipIgnoreCode, type HexcoverHost, HexcoverGossip, InvalidGossipOptionsError, peerBans } from "../../node/index.js";
import { Ed25519Keypair, type SignedMessage, Topics } from "../../protocol/index.js";
import { WorkerPoolVerifier } from "../../validator/index.js";
import { sleep, waitFor } from "../support/wait.js";
import { hexOf, validMessage } from "./flood-harness.js";

/** A small bound, so the test fills it with a few hundred messages. */
const MAX_PENDING = 64;
const FLOOD = 1_000;
const HONEST_EACH = 20;

/**
 * Backpressure: the validator's store stalls (its accept hook waits on a gate the test opens),
 * one peer floods valid messages, two honest peers send a few each. The bound holds, only the
 * flooder's excess is shed (IGNORE, ERR_OVERLOADED, no score penalty) and every honest message
 * — within its fair share — is accepted once the store moves again.
 */
describe("load: inbound backpressure under a stalled store", function () {
  this.timeout(120_000);
  const hosts: HexcoverHost[] = [];
  const gossips: HexcoverGossip[] = [];
  let verifier: WorkerPoolVerifier;

  before(() => {
    verifier = new WorkerPoolVerifier({ poolSize: 1 });
  });
  after(async () => {
    for (const g of gossips) g.stop();
    await Promise.all(hosts.map((h) => h.stop()));
    await verifier.close();
  });

  it("sheds only the flooder's excess as ERR_OVERLOADED, stays under twice the bound and accepts every honest message", async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const validatorHost = await createHexcoverHost({ keypair: Ed25519Keypair.generate() });
    hosts.push(validatorHost);
    const validator = new HexcoverGossip(validatorHost, {
      signatureVerifier: verifier,
      maxPendingValidations: MAX_PENDING,
      accept: async () => {
        await gate;
        return true;
      },
    });
    validator.start();
    gossips.push(validator);
    const accepted = new Set<string>();
    validator.on("message", (signed) => accepted.add(hexOf(signed.id)));
    const overloadedFrom = new Map<string, number>();
    validator.on("ignored", (code, from) => {
      if (code === GossipIgnoreCode.overloaded) overloadedFrom.set(from.toString(), (overloadedFrom.get(from.toString()) ?? 0) + 1);
    });

    const peer = async () => {
      const host = await createHexcoverHost({ keypair: Ed25519Keypair.generate() });
      hosts.push(host);
      await host.dial(multiaddr(validatorHost.getMultiaddrs()[0]!.toString()));
      await waitFor(() => host.services.pubsub.getSubscribers(Topics.witnessReport).some((p) => p.equals(validatorHost.peerId)), "a peer to see the validator's subscription");
      return host;
    };
    const flooder = await peer();
    const honest = [await peer(), await peer()];

    // The flooder publishes raw bytes straight through gossipsub, as fast as it can.
    const hotspot = Ed25519Keypair.generate();
    const flood: SignedMessage[] = Array.from({ length: FLOOD }, () => validMessage("witnessReport", hotspot));
    for (const m of flood) void flooder.services.pubsub.publish(Topics.witnessReport, m.bytes);
    await waitFor(() => validator.pendingValidations + (validator.counters.ignored[GossipIgnoreCode.overloaded] ?? 0) === FLOOD, "the flood to reach the validator", 60_000);
    expect(validator.pendingValidations).to.equal(MAX_PENDING);
    expect(validator.counters.ignored[GossipIgnoreCode.overloaded]).to.equal(FLOOD - MAX_PENDING);

    // Honest peers publish while the validator is full: each is under its fair share.
    const honestMessages = honest.map(() => Array.from({ length: HONEST_EACH }, () => validMessage("beaconCommit", Ed25519Keypair.generate())));
    for (const [i, host] of honest.entries()) for (const m of honestMessages[i]!) void host.services.pubsub.publish(Topics.beaconCommit, m.bytes);
    await waitFor(() => validator.pendingValidations === MAX_PENDING + honest.length * HONEST_EACH, "the honest messages to enter validation", 60_000);
    for (const host of honest) expect(overloadedFrom.get(host.peerId.toString()) ?? 0, "honest messages shed").to.equal(0);
    expect(validator.counters.pendingHighWater).to.be.at.most(2 * MAX_PENDING);

    // The store moves again: everything that was admitted is accepted, honest messages included.
    open();
    await waitFor(() => validator.pendingValidations === 0, "the pending validations to drain", 60_000);
    for (const m of honestMessages.flat()) expect(accepted.has(hexOf(m.id)), "honest message accepted").to.equal(true);
    expect(accepted.size).to.equal(MAX_PENDING + honest.length * HONEST_EACH);
    expect(overloadedFrom.get(flooder.peerId.toString())).to.equal(FLOOD - MAX_PENDING);

    // Shedding is not punishment: after a few heartbeats the flooder's score is still 0.
    await sleep(2_500);
    for (const host of [flooder, ...honest]) {
      expect(gossipPeerScore(validatorHost, host.peerId)).to.be.at.least(0);
      expect(peerBans(validatorHost).isBanned(host.peerId.toString())).to.equal(false);
      expect(validatorHost.getConnections(host.peerId)).to.not.have.length(0);
    }
    console.log(
      `      bound ${MAX_PENDING}: flooder sent ${FLOOD}, ${FLOOD - MAX_PENDING} shed as ${GossipIgnoreCode.overloaded}; honest ${honest.length}×${HONEST_EACH} all accepted; high-water ${validator.counters.pendingHighWater}`,
    );
  });

  it("refuses a bound that is not a positive integer", async () => {
    const host = await createHexcoverHost({ keypair: Ed25519Keypair.generate() });
    hosts.push(host);
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => new HexcoverGossip(host, { maxPendingValidations: bad })).to.throw(InvalidGossipOptionsError);
  });
});
