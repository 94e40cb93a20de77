import { expect } from "chai";
import { createHexcoverHost, type HexcoverHost, HexcoverGossip } from "../../../node/index.js";
import { Ed25519Keypair, type SignedMessage, signMessage, Topics } from "../../../protocol/index.js";
import { EpochStore, Ingest, InlineVerifier, WorkerPoolVerifier } from "../../../validator/index.js";
import { waitFor } from "../../support/wait.js";
import { EPOCH_MS, EPOCH_SECONDS, GENESIS_MS, GENESIS_SECONDS, hex, makeMessages, TempDirs } from "../store/helpers.js";
import { startValidators, stopValidators, type TestValidator } from "../sync/network.js";

const EPOCH = 11;
const EPOCH_START_MS = GENESIS_MS + EPOCH * EPOCH_MS;
/** Mid-epoch: gossip's clock bounds accept messages stamped a few seconds earlier. */
const NOW_MS = EPOCH_START_MS + EPOCH_MS / 2;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => "stored",
    (err: Error & { code?: string }) => err.code ?? err.name,
  );
}

describe("validator/ingest: verify, check the epoch, persist, then accept", function () {
  this.timeout(90_000);
  const dirs = new TempDirs();

  afterEach(async () => {
    await dirs.cleanup();
  });

  describe("without a network", () => {
    let store: EpochStore;
    let ingest: Ingest;
    const validator = Ed25519Keypair.generate();

    beforeEach(async () => {
      store = EpochStore.open({ path: await dirs.make(), genesisSeconds: GENESIS_SECONDS, epochSeconds: EPOCH_SECONDS });
      ingest = new Ingest(null, { store, verifier: new InlineVerifier(), validators: [validator.publicKey], now: () => NOW_MS });
    });
    afterEach(async () => {
      await store.close();
    });

    it("stores verified messages of every kind and counts them by kind", async () => {
      const messages = makeMessages(8, NOW_MS - 5000, validator);
      for (const m of messages) await ingest.ingestBytes(m.bytes, "local");
      expect(ingest.counters().accepted).to.deep.equal({ entropy: 2, beaconCommit: 2, witnessReport: 2, beaconReveal: 2 });
      expect(store.counts(EPOCH).total).to.equal(8);
    });

    it("rejects each bad input with its own counted code and stores nothing for it", async () => {
      const stranger = Ed25519Keypair.generate();
      const [good] = makeMessages(1, NOW_MS - 1000, validator);
      const forged = Uint8Array.from(good!.bytes);
      forged[forged.length - 2]! ^= 1;
      const entropyFrom = (key: Ed25519Keypair, timestampMs: number) =>
        signMessage({ kind: "entropy", validator: key.publicKey, seq: 1, timestampMs, value: new Uint8Array(32) }, key).bytes;
      const cases: Array<[Uint8Array, string]> = [
        [Uint8Array.of(1, 2, 3), "ERR_MESSAGE_TRUNCATED"],
        [Uint8Array.of(9, 1, ...new Uint8Array(150)), "ERR_UNSUPPORTED_VERSION"],
        [forged, "ERR_INVALID_SIGNATURE"],
        [entropyFrom(stranger, NOW_MS), "ERR_UNKNOWN_VALIDATOR"],
        [entropyFrom(validator, GENESIS_MS - 1), "ERR_BEFORE_GENESIS"],
        // Next epoch, beyond what clock skew explains.
        [entropyFrom(validator, EPOCH_START_MS + EPOCH_MS + 1), "ERR_EPOCH_TOO_FAR_AHEAD"],
      ];
      for (const [bytes, code] of cases) expect(await codeOf(ingest.ingestBytes(bytes, "gossip")), code).to.equal(code);
      expect(await codeOf(ingest.ingestBytes(good!.bytes, "sync", EPOCH + 1))).to.equal("ERR_WRONG_EPOCH");
      expect(await codeOf(ingest.ingestBytes(good!.bytes, "sync", EPOCH))).to.equal("stored");
      expect(await codeOf(ingest.ingestBytes(good!.bytes, "sync"))).to.equal("ERR_DUPLICATE");
      await store.freeze(EPOCH);
      const [late] = makeMessages(1, NOW_MS - 2000, validator);
      expect(await codeOf(ingest.ingestBytes(late!.bytes, "gossip"))).to.equal("ERR_LATE_EPOCH");
      const rejected = ingest.counters().rejected;
      for (const code of [...cases.map(([, c]) => c), "ERR_WRONG_EPOCH", "ERR_DUPLICATE", "ERR_LATE_EPOCH"]) expect(rejected[code], code).to.equal(1);
      expect(store.counts(EPOCH).total).to.equal(1);
    });

    it("follows validator set changes for entropy", async () => {
      const newcomer = Ed25519Keypair.generate();
      const entropy = signMessage({ kind: "entropy", validator: newcomer.publicKey, seq: 1, timestampMs: NOW_MS, value: new Uint8Array(32) }, newcomer);
      expect(await codeOf(ingest.admit(entropy, "gossip"))).to.equal("ERR_UNKNOWN_VALIDATOR");
      ingest.setValidators([validator.publicKey, newcomer.publicKey]);
      expect(await codeOf(ingest.admit(entropy, "gossip"))).to.equal("stored");
    });

    it("counts a failing store as a rejection instead of throwing past the counters", async () => {
      const [message] = makeMessages(1, NOW_MS, validator);
      await store.close();
      expect(await codeOf(ingest.ingestBytes(message!.bytes, "gossip"))).to.equal("ERR_STORE_CLOSED");
      expect(ingest.counters().rejected["ERR_STORE_CLOSED"]).to.equal(1);
    });
  });

  describe("over gossip with three validators", () => {
    let verifier: WorkerPoolVerifier;
    let validators: TestValidator[] = [];
    let hotspotHost: HexcoverHost | undefined;
    let hotspotGossip: HexcoverGossip | undefined;

    before(() => {
      verifier = new WorkerPoolVerifier({ poolSize: 1 });
    });
    after(async () => {
      await verifier.close();
    });
    afterEach(async () => {
      hotspotGossip?.stop();
      await hotspotHost?.stop();
      await stopValidators(validators);
      validators = [];
    });

    it("persists before ACCEPT, rejects bad and foreign messages, and a validator that missed the flow catches up by sync", async () => {
      // A and B ingest gossip; C is connected but not subscribed: it misses everything.
      validators = await startValidators({ count: 3, dirs, verifier, now: () => NOW_MS, gossip: [0, 1] });
      const [a, b, c] = validators as [TestValidator, TestValidator, TestValidator];
      hotspotHost = await createHexcoverHost({ keypair: Ed25519Keypair.generate(), bootstrap: [a.host.getMultiaddrs()[0]!.toString(), b.host.getMultiaddrs()[0]!.toString()] });
      hotspotGossip = new HexcoverGossip(hotspotHost);
      hotspotGossip.start();
      await waitFor(() => Object.keys(Topics).every((k) => hotspotGossip!.topicPeers(k as keyof typeof Topics) >= 2), "the hotspot to see A and B on every topic");

      let storedBeforeAccept = true;
      for (const v of [a, b]) {
        v.ingest.gossip!.on("message", (signed: SignedMessage) => {
          if (!v.store.has(EPOCH, signed.id)) storedBeforeAccept = false;
        });
      }
      const messages = makeMessages(120, NOW_MS - 20_000, a.keypair);
      for (const m of messages) hotspotGossip.publish(m);
      // Junk the validators must refuse: entropy from outside the set, and a forged signature.
      const stranger = Ed25519Keypair.generate();
      hotspotGossip.publish(signMessage({ kind: "entropy", validator: stranger.publicKey, seq: 1, timestampMs: NOW_MS, value: new Uint8Array(32) }, stranger));
      const forged = Uint8Array.from(makeMessages(2, NOW_MS - 1000, a.keypair)[1]!.bytes);
      forged[forged.length - 1]! ^= 1;
      await hotspotHost.services.pubsub.publish(Topics.beaconCommit, forged);

      // Accepted counts move once a put is flushed; store counts already at commit, so wait on both.
      const acceptedTotal = (v: TestValidator) => Object.values(v.ingest.counters().accepted).reduce((x, y) => x + y, 0);
      await waitFor(() => [a, b].every((v) => acceptedTotal(v) === 120 && v.store.counts(EPOCH).total === 120), "A and B to store all 120 messages");
      await waitFor(
        () => [a, b].every((v) => v.ingest.counters().rejected["ERR_UNKNOWN_VALIDATOR"] === 1 && v.ingest.counters().rejected["ERR_INVALID_SIGNATURE"] === 1),
        "A and B to reject the stranger's entropy and the forgery",
      );
      expect(storedBeforeAccept).to.equal(true);
      expect(a.ingest.counters().accepted).to.deep.equal({ entropy: 30, beaconCommit: 30, witnessReport: 30, beaconReveal: 30 });
      expect(c.store.counts(EPOCH).total).to.equal(0);

      const deadline = Date.now() + 30_000;
      const peersOf = (v: TestValidator) => validators.filter((o) => o !== v).map((o) => o.host.peerId);
      const reports = await Promise.all(validators.map((v) => v.sync.reconcile(EPOCH, peersOf(v), deadline)));
      expect(reports.every((r) => r.converged)).to.equal(true);
      expect(new Set(reports.map((r) => hex(r.digest))).size).to.equal(1);
      expect(c.store.counts(EPOCH).total).to.equal(120);

      // The epoch is frozen everywhere: a message for it now arrives late.
      const [late] = makeMessages(1, NOW_MS - 3000, a.keypair);
      hotspotGossip.publish(late!);
      await waitFor(() => a.ingest.counters().rejected["ERR_LATE_EPOCH"] === 1, "A to reject the late message");
      expect(a.store.counts(EPOCH).total).to.equal(120);
    });
  });
});
