import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { RewardMerkleTree } from "../../chain/merkle.js";
import { Ed25519Keypair, signMessage } from "../../protocol/index.js";
import { ResultsStore } from "../../validator/results/index.js";
import { EpochStore } from "../../validator/store/index.js";

const WRITER = fileURLToPath(new URL("./unclean-writer.ts", import.meta.url));
/** 2026-01-01T00:00:00Z and one-hour epochs (any fixed schedule works: the store never looks at the clock). */
const GENESIS_SECONDS = 1_767_225_600;
const EPOCH_SECONDS = 3600;

interface Acks {
  puts: Array<[number, string]>;
  frozen: Map<number, { digest: string; count: number }>;
  numbers: number[];
  scores: Map<number, string>;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/**
 * Runs the writer on the directories until `killWhen` says so, then SIGKILLs it (mid-write: it
 * never pauses) and returns what it had acknowledged.
 */
async function runAndKill(messages: string, results: string, firstEpoch: number, killWhen: (line: string, acks: Acks) => boolean): Promise<Acks> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", WRITER, messages, results, String(GENESIS_SECONDS), String(EPOCH_SECONDS), String(firstEpoch)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const acks: Acks = { puts: [], frozen: new Map(), numbers: [], scores: new Map() };
  let stderr = "";
  let partial = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    let done = false;
    child.stdout!.on("data", (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split("\n");
      partial = lines.pop()!;
      for (const line of lines) {
        const [kind, a, b, c] = line.split(" ");
        if (kind === "put") acks.puts.push([Number(a), b!]);
        else if (kind === "frozen") acks.frozen.set(Number(a), { digest: b!, count: Number(c) });
        else if (kind === "number") acks.numbers.push(Number(a));
        else if (kind === "score") acks.scores.set(Number(a), b!);
        if (!done && killWhen(line, acks)) {
          done = true;
          child.kill("SIGKILL");
          resolve();
        }
      }
    });
    child.once("exit", (code) => {
      if (!done) reject(new Error(`writer exited early (${code}): ${stderr}`));
    });
  });
  if (child.exitCode === null && child.signalCode === null) await once(child, "exit");
  expect(child.signalCode).to.equal("SIGKILL");
  return acks;
}

/** Everything acknowledged is on disk, every frozen epoch is consistent, nothing is torn. */
async function verifyReopened(messagesPath: string, resultsPath: string, acks: Acks): Promise<number> {
  const store = EpochStore.open({ path: messagesPath, genesisSeconds: GENESIS_SECONDS, epochSeconds: EPOCH_SECONDS });
  const results = ResultsStore.open(resultsPath);
  try {
    const missing = acks.puts.filter(([epoch, id]) => !store.has(epoch, Buffer.from(id, "hex")));
    expect(missing, "acknowledged puts missing after kill -9").to.deep.equal([]);
    const epochs = new Set(acks.puts.map(([e]) => e));
    const maxEpoch = Math.max(...epochs) + 1;
    for (let e = 0; e <= maxEpoch; e++) {
      // Every record decodes and hashes to its key (CorruptRecordError otherwise).
      const messages = store.messages(e);
      const frozen = store.frozenEpoch(e);
      const acked = acks.frozen.get(e);
      if (acked !== undefined) {
        expect(frozen, `acknowledged freeze of epoch ${e}`).to.not.equal(undefined);
        expect(hex(frozen!.digest)).to.equal(acked.digest);
        expect(frozen!.count).to.equal(acked.count);
      }
      if (frozen !== undefined) {
        // The frozen record matches the set on disk: nothing landed after the freeze, nothing vanished.
        const ids = store.ids(e).sort((x, y) => Buffer.compare(x, y));
        const digest = createHash("sha256");
        for (const id of ids) digest.update(id);
        expect(hex(digest.digest()), `frozen digest of epoch ${e} vs its ids on disk`).to.equal(hex(frozen.digest));
        expect(ids.length).to.equal(frozen.count);
        expect(messages).to.have.length(frozen.count);
      }
    }
    const lastNumber = acks.numbers.at(-1);
    if (lastNumber !== undefined) expect(store.getNumber("unclean-counter")!).to.be.at.least(lastNumber);
    for (const [epoch, root] of acks.scores) expect(results.summary(epoch)?.root, `acknowledged score of epoch ${epoch}`).to.equal(root);
    // No torn result: every persisted summary comes with exactly its leaves and coverage.
    for (const epoch of results.epochs()) {
      const summary = results.summary(epoch)!;
      const tree = new RewardMerkleTree(results.leaves(epoch));
      expect(hex(tree.root), `leaves of epoch ${epoch} vs its summary`).to.equal(summary.root);
      expect(tree.leaves.length).to.equal(summary.leafCount);
      expect(results.coverage(epoch)).to.deep.equal({ epoch });
    }
    // The reopened stores take writes: a new epoch accepts, a frozen one still refuses.
    const keypair = Ed25519Keypair.generate();
    const at = (e: number) => signMessage({ kind: "entropy", validator: keypair.publicKey, seq: 0, timestampMs: (GENESIS_SECONDS + e * EPOCH_SECONDS) * 1000 + 1, value: new Uint8Array(32) }, keypair);
    expect((await store.put(at(maxEpoch + 100))).status).to.equal("stored");
    const aFrozen = [...acks.frozen.keys()][0];
    if (aFrozen !== undefined) {
      const code = await store.put(at(aFrozen)).then(() => "stored", (err: { code?: string }) => err.code);
      expect(code).to.equal("ERR_LATE_EPOCH");
    }
    return maxEpoch;
  } finally {
    await store.close();
    await results.close();
  }
}

describe("faults: a validator's disk stores reopened after kill -9 mid-write", function () {
  this.timeout(120_000);
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "hexcover-unclean-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // tests/validator/store covers puts into one epoch killed mid-stream. These add freezes racing
  // puts, durable counters, scored results, and several crash points on the same directories.
  it("keeps every acknowledged put, freeze, counter and score, with no torn record, over three kills at different points", async () => {
    const messages = join(dir, "messages");
    const results = join(dir, "results");
    const all: Acks = { puts: [], frozen: new Map(), numbers: [], scores: new Map() };
    const merge = (a: Acks) => {
      all.puts.push(...a.puts);
      for (const [k, v] of a.frozen) all.frozen.set(k, v);
      all.numbers.push(...a.numbers);
      for (const [k, v] of a.scores) all.scores.set(k, v);
    };
    let first = 0;
    // 1. During a stream of puts, two epochs after the last scored one.
    const putsIn = (acks: Acks, epoch: number) => acks.puts.filter(([e]) => e === epoch).length;
    let acks = await runAndKill(messages, results, first, (line, a) => line.startsWith("put ") && a.scores.size >= 2 && putsIn(a, Math.max(...a.scores.keys()) + 1) >= 100);
    merge(acks);
    first = (await verifyReopened(messages, results, all)) + 1;
    // 2. Right after a freeze is acknowledged: the racing puts, the counter and the score are in flight.
    acks = await runAndKill(messages, results, first, (line, a) => line.startsWith("frozen ") && a.frozen.size >= 2);
    merge(acks);
    first = (await verifyReopened(messages, results, all)) + 1;
    // 3. Right after the counter: the scored result's transaction is in flight.
    acks = await runAndKill(messages, results, first, (line, a) => line.startsWith("number ") && a.numbers.length >= 2);
    merge(acks);
    await verifyReopened(messages, results, all);
    expect(all.frozen.size).to.be.at.least(5);
    expect(all.scores.size).to.be.at.least(3);
  });
});
