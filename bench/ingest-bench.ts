/**
 * Ingest throughput: messages decoded + signature-verified + durably stored per second, with the
 * inline verifier and with the worker pool, next to raw node:crypto ed25519 verification of the
 * same messages on the main thread (the ceiling one core can reach), all in one run.
 *
 * Each figure is the best of --repeats runs: on a shared machine the best run is the one least
 * disturbed by other processes (the load average is printed before and after).
 *
 * Reproduce: npx tsx bench/ingest-bench.ts [--messages 20000] [--concurrency 512] [--repeats 3]
 */
import "../protocol/polyfills.js";
import { createPublicKey, randomBytes, verify } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { decodeMessage, Ed25519Keypair, type SignedMessage, signingBytes, signMessage } from "../protocol/index.js";
import { EpochStore, Ingest, InlineVerifier, WorkerPoolVerifier, defaultPoolSize } from "../validator/index.js";
import type { SignatureVerifier } from "../node/index.js";

const { values } = parseArgs({
  options: {
    messages: { type: "string", default: "20000" },
    concurrency: { type: "string", default: "512" },
    repeats: { type: "string", default: "3" },
  },
});
const MESSAGES = Number(values.messages);
/** In-flight ingests: enough to fill pool batches (DEFAULT_MAX_BATCH = 128) several times over. */
const CONCURRENCY = Number(values.concurrency);
const REPEATS = Number(values.repeats);
/** 2026-01-01T00:00:00Z genesis, 1-hour epochs: every generated message lands in epoch 0. */
const GENESIS_SECONDS = 1_767_225_600;
const EPOCH_SECONDS = 3600;
const T0 = GENESIS_SECONDS * 1000;
/** Hotspot keys signing the messages: a realistic mix of repeated signers. */
const SIGNERS = 200;

function generate(count: number): SignedMessage[] {
  const hotspots = Array.from({ length: SIGNERS }, () => Ed25519Keypair.generate());
  const out: SignedMessage[] = [];
  for (let i = 0; i < count; i++) {
    const h = hotspots[i % SIGNERS]!;
    const r = () => new Uint8Array(randomBytes(32));
    const t = T0 + (i % 3_000_000);
    out.push(
      i % 2 === 0
        ? signMessage({ kind: "beaconCommit", hotspot: h.publicKey, entropyId: r(), payloadHash: r(), txTimeMs: t, frequencyHz: 904_300_000, dataRate: 1, txPowerDeciDbm: 270 }, h)
        : signMessage(
            { kind: "witnessReport", witness: h.publicKey, payloadHash: r(), proof: r(), rssiDeciDbm: -1000, snrDeciDb: 50, frequencyHz: 904_300_000, dataRate: 1, rxTimeMs: t },
            h,
          ),
    );
  }
  return out;
}

function rawVerify(messages: readonly SignedMessage[]): number {
  const prefix = Buffer.from("302a300506032b6570032100", "hex");
  const keys = new Map<string, ReturnType<typeof createPublicKey>>();
  const inputs = messages.map((m) => ({
    key: m.signer,
    data: signingBytes(m.message.kind, m.bytes.subarray(0, m.bytes.length - 64)),
    sig: m.signature,
  }));
  const start = performance.now();
  let ok = 0;
  for (const { key, data, sig } of inputs) {
    const k = Buffer.from(key).toString("latin1");
    let obj = keys.get(k);
    if (obj === undefined) {
      obj = createPublicKey({ key: Buffer.concat([prefix, key]), format: "der", type: "spki" });
      keys.set(k, obj);
    }
    if (verify(null, data, obj, sig)) ok++;
  }
  const seconds = (performance.now() - start) / 1000;
  if (ok !== messages.length) throw new Error("raw verification failed");
  return messages.length / seconds;
}

/** Event-loop utilization of the last ingest run: near 1 means the main thread is the bottleneck. */
let lastMainThreadBusy = 0;

async function ingestRun(messages: readonly SignedMessage[], verifier: SignatureVerifier): Promise<number> {
  const dir = await mkdtemp(join(os.tmpdir(), "hexcover-ingest-bench-"));
  const store = EpochStore.open({ path: dir, genesisSeconds: GENESIS_SECONDS, epochSeconds: EPOCH_SECONDS });
  const ingest = new Ingest(null, { store, verifier, validators: [], now: () => T0 + EPOCH_SECONDS * 1000 });
  const wire = messages.map((m) => m.bytes);
  let next = 0;
  const elu = performance.eventLoopUtilization();
  const start = performance.now();
  const lane = async () => {
    while (next < wire.length) await ingest.ingestBytes(wire[next++]!, "gossip");
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  const seconds = (performance.now() - start) / 1000;
  lastMainThreadBusy = performance.eventLoopUtilization(elu).utilization;
  if (store.counts(0).total !== messages.length) throw new Error("not every message was stored");
  await store.close();
  await rm(dir, { recursive: true, force: true });
  return messages.length / seconds;
}

/**
 * Raw verification on `threads` worker threads at once: each thread gets an equal share of the
 * messages up front and times only its crypto.verify loop. The ceiling for the pool's workers.
 */
async function rawVerifyParallel(messages: readonly SignedMessage[], threads: number): Promise<number> {
  const source = `
    const { parentPort } = require("node:worker_threads");
    const { createPublicKey, verify } = require("node:crypto");
    const prefix = Buffer.from("302a300506032b6570032100", "hex");
    parentPort.once("message", ({ keys, datas, sigs }) => {
      const objects = new Map();
      const start = performance.now();
      for (let i = 0; i < keys.length; i++) {
        const k = Buffer.from(keys[i]).toString("latin1");
        let o = objects.get(k);
        if (o === undefined) { o = createPublicKey({ key: Buffer.concat([prefix, keys[i]]), format: "der", type: "spki" }); objects.set(k, o); }
        if (!verify(null, datas[i], o, sigs[i])) throw new Error("bad signature");
      }
      parentPort.postMessage(performance.now() - start);
    });`;
  const share = Math.ceil(messages.length / threads);
  const elapsed = await Promise.all(
    Array.from({ length: threads }, (_, t) => {
      const part = messages.slice(t * share, (t + 1) * share);
      const worker = new Worker(source, { eval: true, execArgv: [] });
      const done = new Promise<number>((resolve, reject) => {
        worker.once("message", resolve);
        worker.once("error", reject);
      });
      worker.postMessage({
        keys: part.map((m) => m.signer),
        datas: part.map((m) => signingBytes(m.message.kind, m.bytes.subarray(0, m.bytes.length - 64))),
        sigs: part.map((m) => m.signature),
      });
      return done.finally(() => worker.terminate());
    }),
  );
  return messages.length / (Math.max(...elapsed) / 1000);
}

function decodeOnly(messages: readonly SignedMessage[]): number {
  const start = performance.now();
  for (const m of messages) decodeMessage(m.bytes, { verifySignature: false });
  return messages.length / ((performance.now() - start) / 1000);
}

const cpus = os.cpus();
console.log(`machine: ${cpus.length} cores (availableParallelism ${os.availableParallelism()}), ${cpus[0]?.model ?? "unknown CPU"}, node ${process.version}, ${os.platform()} ${os.release()}`);
console.log(`reproduce: npx tsx bench/ingest-bench.ts --messages ${MESSAGES} --concurrency ${CONCURRENCY} --repeats ${REPEATS}`);
console.log(`load average before: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
console.log(`generating ${MESSAGES} signed messages from ${SIGNERS} signers...`);
const messages = generate(MESSAGES);

// Warm-up: JIT, KeyObject caches, worker start-up are not what we measure.
rawVerify(messages.slice(0, 2000));
decodeOnly(messages.slice(0, 2000));

const busy = new Map<string, number>();
async function best(run: () => number | Promise<number>, label?: string): Promise<number> {
  let top = 0;
  for (let i = 0; i < REPEATS; i++) {
    const rate = await run();
    if (rate > top && label !== undefined) busy.set(label, lastMainThreadBusy);
    top = Math.max(top, rate);
  }
  return top;
}

const raw = await best(() => rawVerify(messages));
const rawThreads = os.availableParallelism();
const rawParallel = await best(() => rawVerifyParallel(messages, rawThreads));
const decode = await best(() => decodeOnly(messages));
const inline = await best(() => ingestRun(messages, new InlineVerifier()), "ingest, inline verifier");
const results: Array<[string, number]> = [
  ["raw crypto.verify, main thread (1 core)", raw],
  [`raw crypto.verify, ${rawThreads} worker threads (all cores)`, rawParallel],
  ["decode only (no verify, no store)", decode],
  ["ingest, inline verifier", inline],
];
for (const size of [...new Set([defaultPoolSize(), os.availableParallelism()])]) {
  const pool = new WorkerPoolVerifier({ poolSize: size });
  await ingestRun(messages.slice(0, 2000), pool); // warm the workers
  const label = `ingest, worker pool of ${size}${size === defaultPoolSize() ? " (default)" : ""}`;
  const rate = await best(() => ingestRun(messages, pool), label);
  // The pool alone, fed everything at once: its own overhead, without decode or store.
  const verifyOnly = await best(async () => {
    const start = performance.now();
    const verdicts = await pool.verifyMany(messages);
    if (!verdicts.every((v) => v)) throw new Error("pool rejected a valid signature");
    return messages.length / ((performance.now() - start) / 1000);
  });
  await pool.close();
  results.push([label, rate]);
  results.push([`verify only, worker pool of ${size} (no decode, no store)`, verifyOnly]);
}
console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
console.log("");
console.log("| path | messages/s | vs raw verify | main thread busy |");
console.log("|---|---:|---:|---:|");
for (const [name, rate] of results) {
  const b = busy.get(name);
  console.log(`| ${name} | ${Math.round(rate).toLocaleString("en-US")} | ${((100 * rate) / raw).toFixed(0)}% | ${b === undefined ? "" : `${(100 * b).toFixed(0)}%`} |`);
}
