import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { Ed25519Keypair, type SignedMessage, signMessage } from "../../../protocol/index.js";
import { BUCKET_COUNT, EpochSchedule, EpochStore } from "../../../validator/store/index.js";
import { EPOCH_MS, EPOCH_SECONDS, GENESIS_MS, GENESIS_SECONDS, hex, makeMessages, TempDirs } from "./helpers.js";

const CRASH_WRITER = fileURLToPath(new URL("./crash-writer.ts", import.meta.url));

function sortedIds(messages: readonly SignedMessage[]): Uint8Array[] {
  return messages.map((m) => m.id).sort((a, b) => Buffer.compare(a, b));
}

function sha256Of(ids: readonly Uint8Array[]): Uint8Array {
  const hash = createHash("sha256");
  for (const id of ids) hash.update(id);
  return new Uint8Array(hash.digest());
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => "resolved",
    (err: Error & { code?: string }) => err.code ?? err.name,
  );
}

describe("validator/store: durable epoch store", function () {
  this.timeout(60_000);
  const dirs = new TempDirs();
  const stores: EpochStore[] = [];
  const validator = Ed25519Keypair.generate();

  async function openStore(path?: string): Promise<EpochStore> {
    const store = EpochStore.open({ path: path ?? (await dirs.make()), genesisSeconds: GENESIS_SECONDS, epochSeconds: EPOCH_SECONDS });
    stores.push(store);
    return store;
  }

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await dirs.cleanup();
  });

  it("files each message under the epoch of its own timestamp, boundaries included", () => {
    const schedule = new EpochSchedule({ genesisSeconds: GENESIS_SECONDS, epochSeconds: EPOCH_SECONDS });
    expect(schedule.epochOf(GENESIS_MS)).to.equal(0);
    expect(schedule.epochOf(GENESIS_MS + EPOCH_MS - 1)).to.equal(0);
    expect(schedule.epochOf(GENESIS_MS + EPOCH_MS)).to.equal(1);
    expect(schedule.epochOf(GENESIS_MS + 5 * EPOCH_MS + 17)).to.equal(5);
    expect(schedule.freezeAtMs(2)).to.equal(GENESIS_MS + 3 * EPOCH_MS + 60_000);
    expect(() => schedule.epochOf(GENESIS_MS - 1)).to.throw().with.property("code", "ERR_BEFORE_GENESIS");
    const [commit] = makeMessages(2, GENESIS_MS + 3 * EPOCH_MS - 2, validator).slice(1);
    expect(schedule.epochOfMessage(commit!.message)).to.equal(2);
  });

  it("refuses an epoch configuration that defines no schedule", () => {
    for (const config of [
      { genesisSeconds: -1, epochSeconds: 60 },
      { genesisSeconds: 0, epochSeconds: 0 },
      { genesisSeconds: 0, epochSeconds: 1.5 },
      { genesisSeconds: 0, epochSeconds: 60, graceSeconds: -1 },
    ]) {
      expect(() => new EpochSchedule(config)).to.throw().with.property("code", "ERR_INVALID_EPOCH_CONFIG");
    }
  });

  it("stores messages durably, lists ids ascending with their raw bytes, and counts by kind", async () => {
    const path = await dirs.make();
    let store = await openStore(path);
    const epoch1 = makeMessages(40, GENESIS_MS + EPOCH_MS + 1000, validator);
    const epoch2 = makeMessages(8, GENESIS_MS + 2 * EPOCH_MS, validator);
    const results = await Promise.all([...epoch1, ...epoch2].map((m) => store.put(m)));
    expect(results.filter((r) => r.status === "stored")).to.have.length(48);
    expect(new Set(results.map((r) => r.epoch))).to.deep.equal(new Set([1, 2]));
    await store.close();

    store = await openStore(path);
    expect(store.ids(1).map(hex)).to.deep.equal(sortedIds(epoch1).map(hex));
    expect(store.ids(2)).to.have.length(8);
    expect(store.ids(0)).to.have.length(0);
    const byId = new Map(epoch1.map((m) => [hex(m.id), m]));
    for (const { id, bytes } of store.rawMessages(1)) expect(hex(bytes)).to.equal(hex(byId.get(hex(id))!.bytes));
    const decoded = store.messages(1);
    expect(decoded.map((m) => hex(m.id))).to.deep.equal(sortedIds(epoch1).map(hex));
    expect(decoded.every((m) => byId.get(hex(m.id))!.message.kind === m.message.kind)).to.equal(true);
    expect(store.counts(1)).to.deep.equal({ entropy: 10, beaconCommit: 10, witnessReport: 10, beaconReveal: 10, total: 40 });
    expect(store.get(1, epoch1[3]!.id)).to.deep.equal(epoch1[3]!.bytes);
    expect(store.get(2, epoch1[3]!.id)).to.equal(undefined);
  });

  it("deduplicates by message id, also across a reopen", async () => {
    const path = await dirs.make();
    let store = await openStore(path);
    const [message] = makeMessages(1, GENESIS_MS, validator);
    const twice = await Promise.all([store.put(message!), store.put(message!)]);
    expect(twice.map((r) => r.status).sort()).to.deep.equal(["duplicate", "stored"]);
    await store.close();
    store = await openStore(path);
    expect((await store.put(message!)).status).to.equal("duplicate");
    expect(store.counts(0).total).to.equal(1);
  });

  it("digests the sorted id set: sha256 over sorted ids, 256 bucket digests by first id byte, independent of insertion order", async () => {
    const messages = makeMessages(300, GENESIS_MS, validator);
    const a = await openStore();
    const b = await openStore();
    for (const m of messages) await a.put(m);
    await Promise.all([...messages].reverse().map((m) => b.put(m)));
    const digestA = a.digest(0);
    const ids = sortedIds(messages);
    expect(hex(digestA.digest)).to.equal(hex(sha256Of(ids)));
    expect(digestA.count).to.equal(300);
    expect(digestA.bucketDigests).to.have.length(BUCKET_COUNT);
    for (let bucket = 0; bucket < BUCKET_COUNT; bucket++) {
      const inBucket = ids.filter((id) => id[0] === bucket);
      expect(hex(digestA.bucketDigests[bucket]!)).to.equal(hex(sha256Of(inBucket)));
      expect(digestA.bucketCounts[bucket]).to.equal(inBucket.length);
    }
    expect(hex(b.digest(0).digest)).to.equal(hex(digestA.digest));
    // One more message changes the digest and exactly one bucket.
    const [extra] = makeMessages(1, GENESIS_MS + 5000, validator);
    await a.put(extra!);
    const after = a.digest(0);
    expect(hex(after.digest)).to.not.equal(hex(digestA.digest));
    const changed = after.bucketDigests.filter((d, i) => hex(d) !== hex(digestA.bucketDigests[i]!));
    expect(changed).to.have.length(1);
    expect(after.bucketCounts[extra!.id[0]!]).to.equal(digestA.bucketCounts[extra!.id[0]!]! + 1);
  });

  it("pages the ids of chosen buckets in ascending order, each exactly once", async () => {
    const store = await openStore();
    const messages = makeMessages(400, GENESIS_MS, validator);
    await Promise.all(messages.map((m) => store.put(m)));
    const buckets = [3, 200, 0, 77, 255, 128, 129, 130];
    const expected = sortedIds(messages).filter((id) => buckets.includes(id[0]!));
    const pages: Uint8Array[] = [];
    let after: Uint8Array | undefined;
    for (let guard = 0; guard < 100; guard++) {
      const page = store.idsInBuckets(0, buckets, after, 2);
      expect(page.ids.length).to.be.at.most(2);
      pages.push(...page.ids);
      if (!page.more) break;
      after = page.ids.at(-1);
    }
    expect(pages.map(hex)).to.deep.equal(expected.map(hex));
  });

  it("freezes an epoch: later puts fail as late, the frozen digest survives a reopen, freezing twice changes nothing", async () => {
    const path = await dirs.make();
    let store = await openStore(path);
    const messages = makeMessages(20, GENESIS_MS + EPOCH_MS, validator);
    await Promise.all(messages.slice(0, 10).map((m) => store.put(m)));
    const frozen = await store.freeze(1);
    expect(frozen.count).to.equal(10);
    expect(hex(frozen.digest)).to.equal(hex(sha256Of(sortedIds(messages.slice(0, 10)))));
    expect(await codeOf(store.put(messages[15]!))).to.equal("ERR_LATE_EPOCH");
    // Other epochs are unaffected.
    const [other] = makeMessages(1, GENESIS_MS + 2 * EPOCH_MS, validator);
    expect((await store.put(other!)).status).to.equal("stored");
    await store.close();
    store = await openStore(path);
    expect(store.isFrozen(1)).to.equal(true);
    expect(store.isFrozen(2)).to.equal(false);
    expect(store.digest(1).frozen).to.equal(true);
    expect(hex(store.frozenEpoch(1)!.digest)).to.equal(hex(frozen.digest));
    expect(hex((await store.freeze(1)).digest)).to.equal(hex(frozen.digest));
    expect(await codeOf(store.put(messages[16]!))).to.equal("ERR_LATE_EPOCH");
    expect(store.ids(1)).to.have.length(10);
  });

  it("never lets a put land in an epoch after it froze, even with puts racing the freeze", async () => {
    const store = await openStore();
    const messages = makeMessages(600, GENESIS_MS, validator);
    const puts: Array<Promise<string> | string> = await Promise.all(messages.slice(0, 100).map((m) => codeOf(store.put(m))));
    puts.push(...messages.slice(100, 300).map((m) => codeOf(store.put(m))));
    const frozen = store.freeze(0);
    puts.push(...messages.slice(300).map((m) => codeOf(store.put(m))));
    const outcomes = await Promise.all(puts);
    const { digest, count } = await frozen;
    expect(count).to.be.at.least(100);
    const stored = outcomes.filter((o) => o === "resolved").length;
    expect(outcomes.filter((o) => o !== "resolved" && o !== "ERR_LATE_EPOCH")).to.deep.equal([]);
    expect(outcomes.filter((o) => o === "ERR_LATE_EPOCH").length).to.be.greaterThan(0);
    expect(count).to.equal(stored);
    expect(store.ids(0)).to.have.length(stored);
    expect(hex(store.digest(0).digest)).to.equal(hex(digest));
  });

  it("rejects messages from before genesis and use after close with typed errors", async () => {
    const store = await openStore();
    const early = signMessage({ kind: "entropy", validator: validator.publicKey, seq: 1, timestampMs: GENESIS_MS - 1, value: new Uint8Array(32) }, validator);
    expect(await codeOf(store.put(early))).to.equal("ERR_BEFORE_GENESIS");
    expect(() => store.digest(-1)).to.throw().with.property("code", "ERR_EPOCH_OUT_OF_RANGE");
    expect(() => store.digest(2 ** 32)).to.throw().with.property("code", "ERR_EPOCH_OUT_OF_RANGE");
    await store.close();
    expect(() => store.ids(0)).to.throw().with.property("code", "ERR_STORE_CLOSED");
    expect(await codeOf(store.put(early))).to.equal("ERR_STORE_CLOSED");
  });

  it("keeps named counters across reopen and refuses bad names and values", async () => {
    const path = await dirs.make();
    let store = await openStore(path);
    expect(store.getNumber("entropy-seq")).to.equal(undefined);
    await store.putNumber("entropy-seq", 41);
    await store.putNumber("entropy-seq", 42);
    await store.close();
    store = await openStore(path);
    expect(store.getNumber("entropy-seq")).to.equal(42);
    expect(await codeOf(store.putNumber("", 1))).to.equal("ERR_INVALID_META");
    expect(await codeOf(store.putNumber("x".repeat(300), 1))).to.equal("ERR_INVALID_META");
    expect(await codeOf(store.putNumber("n", -1))).to.equal("ERR_INVALID_META");
    expect(await codeOf(store.putNumber("n", 2 ** 60))).to.equal("ERR_INVALID_META");
  });

  it("loses no resolved put when the writing process is killed with SIGKILL mid-stream", async () => {
    const path = await dirs.make();
    const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", CRASH_WRITER, path, String(GENESIS_SECONDS), String(EPOCH_SECONDS)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const acknowledged: string[] = [];
    let stderr = "";
    let partial = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const enough = new Promise<void>((resolve, reject) => {
      child.stdout!.on("data", (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split("\n");
        partial = lines.pop()!;
        for (const line of lines) if (line.startsWith("stored ")) acknowledged.push(line.slice(7));
        if (acknowledged.length >= 500) resolve();
      });
      child.once("exit", (code) => reject(new Error(`writer exited early (${code}): ${stderr}`)));
    });
    await enough;
    // Still writing: the kill lands with puts in flight.
    child.kill("SIGKILL");
    await once(child, "exit");
    expect(child.signalCode).to.equal("SIGKILL");

    const store = await openStore(path);
    const stored = new Set(store.ids(0).map(hex));
    const missing = acknowledged.filter((id) => !stored.has(id));
    expect(missing, "acknowledged puts missing after the crash").to.deep.equal([]);
    expect(stored.size).to.be.at.least(acknowledged.length);
    // Every record still decodes and hashes to its key.
    expect(store.messages(0)).to.have.length(stored.size);
  });
});
