import { expect } from "chai";
import { Ed25519Keypair, type SignedMessage, signMessage } from "../../../protocol/index.js";
import { InlineVerifier, WorkerPoolVerifier } from "../../../validator/verify/index.js";
import { FIXED_NOW_MS } from "../../support/protocol-fixtures.js";
import { waitFor } from "../../support/wait.js";

const CRASHING_WORKER = new URL("./crashing-worker.mjs", import.meta.url);

function entropy(keypair: Ed25519Keypair, seq: number): SignedMessage {
  return signMessage({ kind: "entropy", validator: keypair.publicKey, seq, timestampMs: FIXED_NOW_MS, value: new Uint8Array(32).fill(seq & 0xff) }, keypair);
}

/** A crash budget shared by every worker of a pool (see crashing-worker.mjs). */
function crashBudget(crashes: number): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(4);
  new Int32Array(buffer)[0] = crashes;
  return buffer;
}

/**
 * `count` messages from a few signers, every third one broken in a different way, with the
 * verdict each must get.
 */
function mixedMessages(count: number): { messages: SignedMessage[]; expected: boolean[] } {
  const keys = [Ed25519Keypair.generate(), Ed25519Keypair.generate(), Ed25519Keypair.generate()];
  const other = Ed25519Keypair.generate();
  const messages: SignedMessage[] = [];
  const expected: boolean[] = [];
  for (let i = 0; i < count; i++) {
    const good = entropy(keys[i % keys.length]!, i);
    if (i % 3 !== 0) {
      messages.push(good);
      expected.push(true);
      continue;
    }
    const breakage = (i / 3) % 4;
    if (breakage === 0) {
      const signature = Uint8Array.from(good.signature);
      signature[i % 64]! ^= 0x01;
      messages.push({ ...good, signature, bytes: withSignature(good.bytes, signature) });
    } else if (breakage === 1) {
      // Signed by another key than the signer the message names.
      const forged = entropy(other, i);
      messages.push({ ...good, signature: forged.signature, bytes: withSignature(good.bytes, forged.signature) });
    } else if (breakage === 2) {
      const signature = new Uint8Array(64);
      messages.push({ ...good, signature, bytes: withSignature(good.bytes, signature) });
    } else {
      // A signer that is not a valid curve point: the worker must answer false, not fail.
      messages.push({ ...good, signer: new Uint8Array(32).fill(0xff) });
    }
    expected.push(false);
  }
  return { messages, expected };
}

function withSignature(bytes: Uint8Array, signature: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  out.set(signature, out.length - 64);
  return out;
}

describe("validator/verify: signature verifiers", function () {
  this.timeout(30_000);
  const pools: WorkerPoolVerifier[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.close()));
  });

  function pool(options: ConstructorParameters<typeof WorkerPoolVerifier>[0] = {}): WorkerPoolVerifier {
    const p = new WorkerPoolVerifier(options);
    pools.push(p);
    return p;
  }

  it("gives every message of a valid/invalid mix exactly its verdict, across several batches and workers", async () => {
    const { messages, expected } = mixedMessages(300);
    const verifier = pool({ poolSize: 2, maxBatch: 16 });
    const verdicts = await verifier.verifyMany(messages);
    expect(verdicts).to.deep.equal(expected);
    expect(verifier.stats.signaturesVerified).to.be.greaterThan(16);
    expect(verifier.stats.jobsCompleted).to.be.at.least(300 / 16 - 100 / 16);
  });

  it("agrees with the inline verifier message for message", async () => {
    const { messages, expected } = mixedMessages(60);
    const inline = new InlineVerifier();
    expect(await inline.verifyMany(messages)).to.deep.equal(expected);
    expect(await pool({ poolSize: 1 }).verifyMany(messages)).to.deep.equal(expected);
  });

  it("defaults to max(cores - 1, 1) workers", () => {
    const verifier = pool();
    expect(verifier.poolSize).to.be.at.least(1);
    expect(verifier.stats.workers).to.equal(verifier.poolSize);
  });

  it("replaces a worker that dies mid-batch and retries its jobs, so every verdict still arrives", async () => {
    const { messages, expected } = mixedMessages(120);
    const verifier = pool({ poolSize: 2, maxBatch: 10, workerUrl: CRASHING_WORKER, workerData: { crashes: crashBudget(1) } });
    expect(await verifier.verifyMany(messages)).to.deep.equal(expected);
    expect(verifier.stats.workerCrashes).to.equal(1);
    expect(verifier.stats.jobsRetried).to.be.at.least(1);
    expect(verifier.stats.workers).to.equal(2);
    // The replacement keeps working.
    expect(await verifier.verifyMany(messages.slice(0, 30))).to.deep.equal(expected.slice(0, 30));
  });

  it("fails a job that keeps killing workers with WorkerCrashedError instead of retrying forever", async () => {
    const { messages } = mixedMessages(5);
    const verifier = pool({ poolSize: 1, maxJobRetries: 1, workerUrl: CRASHING_WORKER, workerData: { crashes: crashBudget(2) } });
    const outcome = await verifier.verify(messages[1]!).then(
      () => "resolved",
      (err: Error & { code?: string }) => err.code,
    );
    expect(outcome).to.equal("ERR_VERIFY_WORKER_CRASHED");
    // The budget is spent; the replacement worker verifies normally.
    expect(await verifier.verify(messages[1]!)).to.equal(true);
  });

  it("declares itself broken when workers cannot even start", async () => {
    const verifier = pool({ poolSize: 1, workerUrl: new URL("./no-such-worker.mjs", import.meta.url) });
    await waitFor(() => verifier.broken !== undefined, "the pool to give up on its workers");
    const { messages } = mixedMessages(2);
    const outcome = await verifier.verify(messages[1]!).then(
      () => "resolved",
      (err: Error & { code?: string }) => err.code,
    );
    expect(outcome).to.equal("ERR_VERIFY_POOL_BROKEN");
    expect(verifier.stats.workerCrashes).to.be.greaterThan(5);
    expect(verifier.stats.lastWorkerError).to.match(/no-such-worker/);
  });

  it("rejects pending and later work with VerifierClosedError after close()", async () => {
    const { messages } = mixedMessages(40);
    const verifier = pool({ poolSize: 1 });
    const pending = verifier.verifyMany(messages).then(
      () => "resolved",
      (err: Error & { code?: string }) => err.code,
    );
    await verifier.close();
    expect(await pending).to.equal("ERR_VERIFIER_CLOSED");
    const later = await verifier.verify(messages[1]!).then(
      () => "resolved",
      (err: Error & { code?: string }) => err.code,
    );
    expect(later).to.equal("ERR_VERIFIER_CLOSED");
  });

  it("refuses impossible options with a typed error", () => {
    for (const options of [{ poolSize: 0 }, { maxBatch: 0 }, { maxJobRetries: -1 }, { poolSize: 1.5 }, { jobsInFlightPerWorker: 0 }]) {
      expect(() => new WorkerPoolVerifier(options)).to.throw().with.property("code", "ERR_INVALID_VERIFIER_OPTIONS");
    }
  });
});
