import { multiaddr } from "@multiformats/multiaddr";
import { expect } from "chai";
import { createHexcoverHost, GossipIgnoreCode, gossipPeerScore, type HexcoverHost } from "../../../node/index.js";
import { Ed25519Keypair, type SignedMessage, signMessage, Topics } from "../../../protocol/index.js";
import { EpochStore, Ingest, WorkerPoolVerifier } from "../../../validator/index.js";
import { sleep, waitFor } from "../../support/wait.js";
import { EPOCH_MS, EPOCH_SECONDS, GENESIS_MS, GENESIS_SECONDS, makeMessages, TempDirs } from "../store/helpers.js";

const EPOCH = 11;
const NOW_MS = GENESIS_MS + EPOCH * EPOCH_MS + EPOCH_MS / 2;

/**
 * Which gossip outcome each ingest failure gives the peer that delivered the message: REJECT
 * (gossipsub's P4 penalty) only when the sender is at fault; IGNORE when an honest relay could
 * have sent it (late epoch, entropy from outside the validator set) or the fault is ours
 * (closed store, failed verifier).
 */
describe("validator/ingest: gossip outcomes, REJECT only for the sender's fault", function () {
  this.timeout(60_000);
  const dirs = new TempDirs();
  const hosts: HexcoverHost[] = [];
  let store: EpochStore;
  let ingest: Ingest;
  let verifier: WorkerPoolVerifier;
  let sender: HexcoverHost;
  let receiver: HexcoverHost;
  const validatorKey = Ed25519Keypair.generate();

  beforeEach(async () => {
    verifier = new WorkerPoolVerifier({ poolSize: 1 });
    store = EpochStore.open({ path: await dirs.make(), genesisSeconds: GENESIS_SECONDS, epochSeconds: EPOCH_SECONDS });
    receiver = await createHexcoverHost({ keypair: Ed25519Keypair.generate() });
    sender = await createHexcoverHost({ keypair: Ed25519Keypair.generate() });
    hosts.push(receiver, sender);
    ingest = new Ingest(receiver, { store, verifier, validators: [validatorKey.publicKey], now: () => NOW_MS });
    ingest.start();
    await sender.dial(multiaddr(receiver.getMultiaddrs()[0]!.toString()));
    await waitFor(() => Object.values(Topics).every((t) => sender.services.pubsub.getSubscribers(t).some((p) => p.equals(receiver.peerId))), "the sender to see the receiver's topics");
  });
  afterEach(async () => {
    ingest.stop();
    await Promise.all(hosts.splice(0).map((h) => h.stop()));
    await verifier.close();
    await store.close().catch(() => {});
    await dirs.cleanup();
  });

  const send = (m: SignedMessage) => sender.services.pubsub.publish(Topics[m.message.kind], m.bytes);
  const declined = () => ingest.counters().ignored[GossipIgnoreCode.declined] ?? 0;
  /** Gossipsub refreshes scores on its 1 s heartbeat; wait for two so a penalty would show. */
  const settleScore = async () => {
    await sleep(2_200);
    return gossipPeerScore(receiver, sender.peerId);
  };

  it("IGNOREs messages for a frozen epoch without penalty, and counts them as ERR_LATE_EPOCH", async () => {
    await store.freeze(EPOCH);
    for (const m of makeMessages(12, NOW_MS - 5_000, validatorKey)) await send(m);
    await waitFor(() => declined() === 12, "12 late messages to be declined");
    expect(ingest.counters().rejected["ERR_LATE_EPOCH"]).to.equal(12);
    expect(await settleScore()).to.be.at.least(0);
  });

  it("IGNOREs entropy signed outside the validator set (a relay cannot tell), without penalty", async () => {
    const stranger = Ed25519Keypair.generate();
    for (let seq = 0; seq < 12; seq++) {
      await send(signMessage({ kind: "entropy", validator: stranger.publicKey, seq, timestampMs: NOW_MS - 1_000, value: new Uint8Array(32).fill(seq) }, stranger));
    }
    await waitFor(() => declined() === 12, "12 foreign entropy messages to be declined");
    expect(ingest.counters().rejected["ERR_UNKNOWN_VALIDATOR"]).to.equal(12);
    expect(await settleScore()).to.be.at.least(0);
  });

  it("IGNOREs what its own closed store or verifier cannot handle, without penalty", async () => {
    await store.close();
    const messages = makeMessages(24, NOW_MS - 5_000, validatorKey);
    for (const m of messages.slice(0, 12)) await send(m);
    await waitFor(() => declined() === 12, "12 messages declined by the closed store");
    expect(ingest.counters().rejected["ERR_STORE_CLOSED"]).to.equal(12);
    await verifier.close();
    for (const m of messages.slice(12)) await send(m);
    await waitFor(() => (ingest.counters().ignored[GossipIgnoreCode.verifierFailed] ?? 0) === 12, "12 messages ignored by the closed verifier");
    expect(await settleScore()).to.be.at.least(0);
  });

  it("still REJECTs the sender's own faults: a bad signature costs it score", async () => {
    for (const m of makeMessages(12, NOW_MS - 5_000, validatorKey)) {
      const forged = Uint8Array.from(m.bytes);
      forged[forged.length - 1]! ^= 1;
      await sender.services.pubsub.publish(Topics[m.message.kind], forged);
    }
    await waitFor(() => ingest.counters().rejected["ERR_INVALID_SIGNATURE"] === 12, "12 forgeries to be rejected");
    expect(await settleScore()).to.be.below(0);
  });
});
