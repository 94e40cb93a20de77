import { expect } from "chai";
import type { SignedMessage } from "../../../protocol/index.js";
import { WorkerPoolVerifier } from "../../../validator/index.js";
import { EPOCH_MS, GENESIS_MS, hex, makeMessages, TempDirs } from "../store/helpers.js";
import { startValidators, stopValidators, type TestValidator } from "./network.js";

const EPOCH = 7;
const EPOCH_START_MS = GENESIS_MS + EPOCH * EPOCH_MS;
/** Validators' clock: just past the epoch's end + grace, when reconciliation runs. */
const NOW_MS = EPOCH_START_MS + EPOCH_MS + 61_000;

describe("validator/sync: three validators reconcile an epoch over /hexcover/sync/1", function () {
  this.timeout(90_000);
  const dirs = new TempDirs();
  let verifier: WorkerPoolVerifier;
  let validators: TestValidator[] = [];

  before(() => {
    verifier = new WorkerPoolVerifier({ poolSize: 1 });
  });
  after(async () => {
    await verifier.close();
  });
  afterEach(async () => {
    await stopValidators(validators);
    validators = [];
    await dirs.cleanup();
  });

  async function give(v: TestValidator, messages: readonly SignedMessage[]): Promise<void> {
    await Promise.all(messages.map((m) => v.ingest.ingestBytes(m.bytes, "local")));
  }

  it("brings a validator that received only half of the messages to the identical digest, then freezes all three", async () => {
    validators = await startValidators({ count: 3, dirs, verifier, now: () => NOW_MS });
    const [a, b, c] = validators as [TestValidator, TestValidator, TestValidator];
    const messages = makeMessages(1200, EPOCH_START_MS + 1000, a.keypair);
    await give(a, messages);
    await give(b, messages.slice(0, 1100));
    await give(c, messages.filter((_, i) => i % 2 === 0));
    // A message only C has: the union must flow the other way too.
    const [onlyC] = makeMessages(1, EPOCH_START_MS + 99_000, c.keypair);
    await give(c, [onlyC!]);
    expect(hex(c.store.digest(EPOCH).digest)).to.not.equal(hex(a.store.digest(EPOCH).digest));

    const deadline = Date.now() + 30_000;
    const peersOf = (v: TestValidator) => validators.filter((o) => o !== v).map((o) => o.host.peerId);
    const reports = await Promise.all(validators.map((v) => v.sync.reconcile(EPOCH, peersOf(v), deadline)));

    for (const report of reports) {
      expect(report.converged).to.equal(true);
      expect(report.dropped).to.deep.equal([]);
      expect(report.count).to.equal(1201);
      expect(hex(report.digest)).to.equal(hex(reports[0]!.digest));
    }
    for (const v of validators) {
      expect(v.store.isFrozen(EPOCH)).to.equal(true);
      expect(v.store.counts(EPOCH).total).to.equal(1201);
    }
    expect(c.sync.counters.fetched).to.equal(600);
    expect(a.sync.counters.fetched).to.equal(1);
    expect(c.ingest.counters().accepted.entropy).to.equal(301);
    // After freezing, a message for the epoch is late everywhere.
    const [late] = makeMessages(1, EPOCH_START_MS + 5, a.keypair);
    const code = await b.ingest.ingestBytes(late!.bytes, "local").then(
      () => "stored",
      (err: Error & { code: string }) => err.code,
    );
    expect(code).to.equal("ERR_LATE_EPOCH");
  });

  it("gives up at the deadline when a peer is unreachable, and still freezes what it has", async () => {
    validators = await startValidators({ count: 2, dirs, verifier, now: () => NOW_MS });
    const [a, b] = validators as [TestValidator, TestValidator];
    await give(a, makeMessages(10, EPOCH_START_MS, a.keypair));
    await b.sync.stop();
    const report = await a.sync.reconcile(EPOCH, [b.host.peerId], Date.now() + 1500);
    expect(report.converged).to.equal(false);
    expect(report.unreachable).to.deep.equal([b.host.peerId.toString()]);
    expect(report.rounds).to.be.greaterThan(1);
    expect(report.count).to.equal(10);
    expect(a.store.isFrozen(EPOCH)).to.equal(true);
  });
});
