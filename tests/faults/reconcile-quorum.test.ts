import { expect } from "chai";
import { InlineVerifier } from "../../validator/index.js";
import { EPOCH_MS, GENESIS_MS, makeMessages, TempDirs } from "../validator/store/helpers.js";
import { startValidators, stopValidators, type TestValidator } from "../validator/sync/network.js";

const EPOCH = 3;
const EPOCH_START_MS = GENESIS_MS + EPOCH * EPOCH_MS;
const NOW_MS = EPOCH_START_MS + EPOCH_MS + 61_000;

/**
 * The rule the partition fault exposed (tests/faults/network-faults.test.ts): a validator may stop
 * reconciling early only when, with itself, a quorum holds the same set. Peers cut off by a
 * partition are unreachable, not disagreeing, so without the rule each half of a 2|2 split
 * agreed with itself, froze different sets and the epoch could never reach a quorum.
 */
describe("faults: reconcile stops early only when a quorum holds the set", function () {
  this.timeout(60_000);
  const dirs = new TempDirs();
  let validators: TestValidator[] = [];

  beforeEach(async () => {
    validators = await startValidators({ count: 3, dirs, verifier: new InlineVerifier(), now: () => NOW_MS });
    const [a, b] = validators as [TestValidator, TestValidator];
    for (const m of makeMessages(20, EPOCH_START_MS, a.keypair)) {
      await a.ingest.ingestBytes(m.bytes, "local");
      await b.ingest.ingestBytes(m.bytes, "local");
    }
    // The third validator is cut off: its host is gone, so dials to it fail (unreachable).
    await validators[2]!.host.stop();
  });
  afterEach(async () => {
    await stopValidators(validators.filter((_, i) => i !== 2));
    await validators[2]!.store.close();
    await dirs.cleanup();
  });

  it("keeps reconciling until the deadline when the reachable peers that agree, plus itself, are below the quorum", async () => {
    const [a, b, c] = validators as [TestValidator, TestValidator, TestValidator];
    const report = await a.sync.reconcile(EPOCH, [b.host.peerId, c.host.peerId], Date.now() + 1_500, { quorum: 3 });
    expect(report.converged).to.equal(false);
    expect(report.rounds).to.be.greaterThan(1);
    expect(report.agreedWith).to.deep.equal([b.host.peerId.toString()]);
    expect(report.unreachable).to.deep.equal([c.host.peerId.toString()]);
    // It still freezes at the deadline (votes decide from there).
    expect(a.store.isFrozen(EPOCH)).to.equal(true);
  });

  it("stops at once when itself and the agreeing peers reach the quorum, an unreachable one notwithstanding", async () => {
    const [a, b, c] = validators as [TestValidator, TestValidator, TestValidator];
    const report = await a.sync.reconcile(EPOCH, [b.host.peerId, c.host.peerId], Date.now() + 20_000, { quorum: 2 });
    expect(report.converged).to.equal(true);
    expect(report.rounds).to.equal(1);
    expect(report.count).to.equal(20);
  });

  it("refuses a quorum that is not a positive integer with a typed error", async () => {
    const [a, b] = validators as [TestValidator, TestValidator];
    for (const quorum of [0, -1, 1.5, Number.NaN]) {
      const code = await a.sync.reconcile(EPOCH, [b.host.peerId], Date.now() + 1_000, { quorum }).then(
        () => "resolved",
        (err: Error & { code?: string }) => `${err.name}/${err.code}`,
      );
      expect(code, `quorum ${quorum}`).to.equal("InvalidReconcileError/ERR_INVALID_RECONCILE");
    }
    expect(a.store.isFrozen(EPOCH)).to.equal(false);
  });
});
