import { expect } from "chai";
import { decodeMessage, Ed25519Keypair, type EntropyMessage, type SignedMessage } from "../../../protocol/index.js";
import { EntropyPublisher, EpochStore, Ingest, InlineVerifier } from "../../../validator/index.js";
import { waitFor } from "../../support/wait.js";
import { EPOCH_MS, EPOCH_SECONDS, GENESIS_MS, GENESIS_SECONDS, TempDirs } from "../store/helpers.js";

const NOW_MS = GENESIS_MS + 4 * EPOCH_MS + 1234;

describe("validator/entropy: signed entropy publishing", function () {
  this.timeout(30_000);
  const dirs = new TempDirs();
  const keypair = Ed25519Keypair.generate();
  afterEach(async () => {
    await dirs.cleanup();
  });

  function open(path: string): EpochStore {
    return EpochStore.open({ path, genesisSeconds: GENESIS_SECONDS, epochSeconds: EPOCH_SECONDS });
  }

  it("publishes signed entropy with strictly increasing seq, 32 random bytes, stored in its own store", async () => {
    const store = open(await dirs.make());
    const sent: SignedMessage[] = [];
    const publisher = new EntropyPublisher({ keypair, store, publish: (s) => sent.push(s), now: () => NOW_MS });
    for (let i = 0; i < 3; i++) await publisher.publishOnce();
    expect(sent.map((s) => (s.message as EntropyMessage).seq)).to.deep.equal([1, 2, 3]);
    for (const signed of sent) {
      // Valid on the wire: decodes and verifies as any receiver would.
      const decoded = decodeMessage(signed.bytes, { expectKind: "entropy" });
      expect(decoded.message.validator).to.deep.equal(keypair.publicKey);
      expect(decoded.message.value).to.have.length(32);
      expect(store.has(4, signed.id)).to.equal(true);
    }
    expect(new Set(sent.map((s) => Buffer.from((s.message as EntropyMessage).value).toString("hex"))).size).to.equal(3);
    await store.close();
  });

  it("continues the sequence after a restart instead of reusing numbers", async () => {
    const path = await dirs.make();
    let store = open(path);
    const seqs: number[] = [];
    const record = (s: SignedMessage) => seqs.push((s.message as EntropyMessage).seq);
    let publisher = new EntropyPublisher({ keypair, store, publish: record, now: () => NOW_MS });
    await publisher.publishOnce();
    await publisher.publishOnce();
    await store.close();
    store = open(path);
    publisher = new EntropyPublisher({ keypair, store, publish: record, now: () => NOW_MS + 60_000 });
    expect(publisher.lastSeq).to.equal(2);
    await publisher.publishOnce();
    expect(seqs).to.deep.equal([1, 2, 3]);
    await store.close();
  });

  it("publishes on its interval once started, and serializes concurrent rounds", async () => {
    const store = open(await dirs.make());
    const ingest = new Ingest(null, { store, verifier: new InlineVerifier(), validators: [keypair.publicKey], now: () => NOW_MS });
    const seqs: number[] = [];
    const publisher = new EntropyPublisher({
      keypair,
      store,
      admit: (s) => ingest.admit(s, "local"),
      publish: (s) => seqs.push((s.message as EntropyMessage).seq),
      intervalMs: 20,
      now: () => NOW_MS,
    });
    await Promise.all([publisher.publishOnce(), publisher.publishOnce()]);
    publisher.start();
    await waitFor(() => seqs.length >= 5, "five entropy rounds");
    publisher.stop();
    expect(seqs.slice(0, 5)).to.deep.equal([1, 2, 3, 4, 5]);
    expect(ingest.counters().accepted.entropy).to.be.at.least(5);
    await waitFor(async () => {
      // Let an in-flight round finish before closing the store.
      const before = seqs.length;
      await new Promise((r) => setTimeout(r, 50));
      return seqs.length === before;
    }, "rounds to stop");
    await store.close();
  });

  it("refuses a non-positive interval with a typed error", async () => {
    const store = open(await dirs.make());
    expect(() => new EntropyPublisher({ keypair, store, publish: () => {}, intervalMs: 0 })).to.throw().with.property("code", "ERR_INVALID_ENTROPY_OPTIONS");
    await store.close();
  });
});
