import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { SignatureVerifier } from "../../node/index.js";
import { SIGNATURE_BYTES, type SignedMessage, signingBytes } from "../../protocol/index.js";
import { InvalidVerifierOptionsError, PoolBrokenError, VerifierClosedError, VerifyWorkerError, WorkerCrashedError } from "./errors.js";

const PUBLIC_KEY_BYTES = 32;

/**
 * Largest batch sent to a worker in one postMessage. A round trip to a worker costs tens of
 * microseconds, about one ed25519 verification (~50-60 us with OpenSSL on a laptop core); 128
 * signatures per message make that overhead < 1% while one batch still finishes within ~8 ms,
 * so a lone gossip message never waits behind a long batch. See bench/ingest-bench.ts.
 */
export const DEFAULT_MAX_BATCH = 128;
/**
 * Batches a worker holds at once. Two means the next batch is already in the worker's port when
 * it finishes one, so it never idles during the main thread's round trip; more only adds latency.
 */
export const MAX_JOBS_IN_FLIGHT_PER_WORKER = 2;
/** A job whose worker died is retried on a fresh worker this many times before it fails. */
export const DEFAULT_MAX_JOB_RETRIES = 2;
/** Workers dying this many times in a row without finishing a job means the pool cannot work. */
export const MAX_CONSECUTIVE_WORKER_CRASHES = 5;

/** The worker: plain JS on node:crypto only, so it starts without the TypeScript loader. */
export const DEFAULT_VERIFY_WORKER_URL = new URL("./verify-worker.mjs", import.meta.url);

/** Lodestar's default: leave one core to the main thread (gossip, decoding, LMDB commits). */
export function defaultPoolSize(): number {
  return Math.max(availableParallelism() - 1, 1);
}

export interface WorkerPoolOptions {
  /** Worker threads (default max(cores - 1, 1)). */
  readonly poolSize?: number;
  readonly maxBatch?: number;
  readonly maxJobRetries?: number;
  /** Batches queued per worker at once (default MAX_JOBS_IN_FLIGHT_PER_WORKER). */
  readonly jobsInFlightPerWorker?: number;
  /** Worker script; tests substitute one that crashes. */
  readonly workerUrl?: URL;
  /** Passed to the worker as workerData. */
  readonly workerData?: unknown;
}

/** Results as in Lodestar: one verdict array per job, or the worker's serialized error. */
export type WorkResult = { code: "success"; verdicts: Uint8Array } | { code: "error"; error: { name: string; code: string; message: string } };

interface Item {
  readonly publicKey: Uint8Array;
  readonly data: Uint8Array;
  readonly signature: Uint8Array;
  readonly resolve: (valid: boolean) => void;
  readonly reject: (err: Error) => void;
}

interface Job {
  readonly id: number;
  readonly items: Item[];
  attempts: number;
}

interface Slot {
  worker: Worker;
  readonly inFlight: Map<number, Job>;
}

export interface PoolStats {
  workers: number;
  jobsCompleted: number;
  signaturesVerified: number;
  workerCrashes: number;
  jobsRetried: number;
  /** Message of the last uncaught error in a worker (diagnostics for crashes). */
  lastWorkerError: string | undefined;
}

/**
 * Verifies ed25519 signatures on worker threads. verify() calls made in the same event-loop turn
 * (gossipsub validates a whole RPC's messages in one turn) are collected and sent as batches of
 * plain typed arrays (keys, signatures, signed bytes) transferred without copying. A worker that
 * dies is replaced and its batches retried on the new one.
 */
export class WorkerPoolVerifier implements SignatureVerifier {
  readonly stats: PoolStats = { workers: 0, jobsCompleted: 0, signaturesVerified: 0, workerCrashes: 0, jobsRetried: 0, lastWorkerError: undefined };
  readonly #slots: Slot[] = [];
  readonly #queue: Item[] = [];
  readonly #retry: Job[] = [];
  readonly #maxBatch: number;
  readonly #maxRetries: number;
  readonly #jobsInFlight: number;
  readonly #workerUrl: URL;
  readonly #workerData: unknown;
  #nextJobId = 1;
  #flushScheduled = false;
  #consecutiveCrashes = 0;
  #closed = false;
  #broken: PoolBrokenError | undefined;

  constructor(options: WorkerPoolOptions = {}) {
    const size = options.poolSize ?? defaultPoolSize();
    this.#maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    this.#maxRetries = options.maxJobRetries ?? DEFAULT_MAX_JOB_RETRIES;
    this.#jobsInFlight = options.jobsInFlightPerWorker ?? MAX_JOBS_IN_FLIGHT_PER_WORKER;
    if (!Number.isInteger(this.#jobsInFlight) || this.#jobsInFlight < 1 || this.#jobsInFlight > 64) {
      throw new InvalidVerifierOptionsError("jobsInFlightPerWorker must be 1..64");
    }
    if (!Number.isInteger(size) || size < 1 || size > 256) throw new InvalidVerifierOptionsError("poolSize must be 1..256");
    if (!Number.isInteger(this.#maxBatch) || this.#maxBatch < 1 || this.#maxBatch > 65_536) {
      throw new InvalidVerifierOptionsError("maxBatch must be 1..65536");
    }
    if (!Number.isInteger(this.#maxRetries) || this.#maxRetries < 0) throw new InvalidVerifierOptionsError("maxJobRetries must be >= 0");
    this.#workerUrl = options.workerUrl ?? DEFAULT_VERIFY_WORKER_URL;
    this.#workerData = options.workerData;
    for (let i = 0; i < size; i++) this.#slots.push(this.#spawn());
    this.stats.workers = size;
  }

  /** Set once workers kept dying without finishing a job; every call then rejects with it. */
  get broken(): PoolBrokenError | undefined {
    return this.#broken;
  }

  get poolSize(): number {
    return this.#slots.length;
  }

  verify(signed: SignedMessage): Promise<boolean> {
    if (this.#broken !== undefined) return Promise.reject(this.#broken);
    if (this.#closed) return Promise.reject(new VerifierClosedError());
    const bytes = signed.bytes;
    const signature = signed.signature;
    // An all-zero signature is "unsigned" (protocol rule); no need to ship it to a worker.
    if (signature.length !== SIGNATURE_BYTES || signed.signer.length !== PUBLIC_KEY_BYTES || signature.every((b) => b === 0)) {
      return Promise.resolve(false);
    }
    const data = signingBytes(signed.message.kind, bytes.subarray(0, bytes.length - SIGNATURE_BYTES));
    return new Promise<boolean>((resolve, reject) => {
      this.#queue.push({ publicKey: signed.signer, data, signature, resolve, reject });
      if (this.#queue.length >= this.#maxBatch) this.#dispatch();
      else this.#scheduleFlush();
    });
  }

  verifyMany(messages: readonly SignedMessage[]): Promise<boolean[]> {
    return Promise.all(messages.map((m) => this.verify(m)));
  }

  /** Terminates the workers; anything still pending rejects with VerifierClosedError. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closed = new VerifierClosedError();
    for (const item of this.#queue.splice(0)) item.reject(closed);
    for (const job of this.#retry.splice(0)) for (const item of job.items) item.reject(closed);
    const slots = this.#slots.splice(0);
    for (const slot of slots) for (const job of slot.inFlight.values()) for (const item of job.items) item.reject(closed);
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
    this.stats.workers = 0;
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      this.#dispatch();
    });
  }

  #dispatch(): void {
    while (!this.#closed && (this.#retry.length > 0 || this.#queue.length > 0)) {
      const slot = this.#leastBusy();
      if (slot === undefined) return; // every worker is full; completions call #dispatch again
      const job = this.#retry.shift() ?? { id: this.#nextJobId++, items: this.#queue.splice(0, this.#maxBatch), attempts: 0 };
      this.#send(slot, job);
    }
  }

  #leastBusy(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.#slots) {
      if (slot.inFlight.size >= this.#jobsInFlight) continue;
      if (best === undefined || slot.inFlight.size < best.inFlight.size) best = slot;
    }
    return best;
  }

  /** Packs a job into four typed arrays whose buffers are transferred, not copied. */
  #send(slot: Slot, job: Job): void {
    const n = job.items.length;
    const publicKeys = new Uint8Array(n * PUBLIC_KEY_BYTES);
    const signatures = new Uint8Array(n * SIGNATURE_BYTES);
    const offsets = new Uint32Array(n + 1);
    let total = 0;
    for (let i = 0; i < n; i++) {
      total += job.items[i]!.data.length;
      offsets[i + 1] = total;
    }
    const data = new Uint8Array(total);
    for (let i = 0; i < n; i++) {
      const item = job.items[i]!;
      publicKeys.set(item.publicKey, i * PUBLIC_KEY_BYTES);
      signatures.set(item.signature, i * SIGNATURE_BYTES);
      data.set(item.data, offsets[i]!);
    }
    slot.inFlight.set(job.id, job);
    slot.worker.postMessage({ jobId: job.id, count: n, publicKeys, signatures, offsets, data }, [
      publicKeys.buffer,
      signatures.buffer,
      offsets.buffer,
      data.buffer,
    ]);
  }

  #spawn(): Slot {
    // execArgv: [] keeps the parent's `--import tsx` out of the worker: it only needs node:crypto.
    const worker = new Worker(this.#workerUrl, { execArgv: [], workerData: this.#workerData });
    const slot: Slot = { worker, inFlight: new Map() };
    worker.on("message", (response: { jobId: number; result: WorkResult }) => this.#onResult(slot, response));
    // An uncaught error in the worker is followed by 'exit', where the slot is replaced.
    worker.on("error", (err: Error) => {
      this.stats.lastWorkerError = err.message;
    });
    worker.on("exit", () => this.#onExit(slot));
    return slot;
  }

  #onResult(slot: Slot, response: { jobId: number; result: WorkResult }): void {
    const job = slot.inFlight.get(response?.jobId);
    if (job === undefined) return;
    slot.inFlight.delete(job.id);
    this.#consecutiveCrashes = 0;
    const result = response.result;
    if (result?.code === "success" && result.verdicts instanceof Uint8Array && result.verdicts.length === job.items.length) {
      this.stats.jobsCompleted++;
      this.stats.signaturesVerified += job.items.length;
      for (let i = 0; i < job.items.length; i++) job.items[i]!.resolve(result.verdicts[i] === 1);
    } else {
      const error =
        result?.code === "error"
          ? new VerifyWorkerError(result.error.code, result.error.message)
          : new VerifyWorkerError("ERR_BAD_RESPONSE", "worker returned a malformed result");
      for (const item of job.items) item.reject(error);
    }
    this.#dispatch();
  }

  #onExit(slot: Slot): void {
    if (this.#closed) return;
    const index = this.#slots.indexOf(slot);
    if (index === -1) return;
    this.stats.workerCrashes++;
    this.#consecutiveCrashes++;
    const lost = [...slot.inFlight.values()];
    slot.inFlight.clear();
    if (this.#consecutiveCrashes > MAX_CONSECUTIVE_WORKER_CRASHES) {
      this.#breakPool(lost);
      return;
    }
    for (const job of lost) {
      job.attempts++;
      if (job.attempts > this.#maxRetries) {
        const error = new WorkerCrashedError(job.attempts);
        for (const item of job.items) item.reject(error);
      } else {
        this.stats.jobsRetried++;
        this.#retry.push(job);
      }
    }
    this.#slots[index] = this.#spawn();
    this.#dispatch();
  }

  #breakPool(lost: Job[]): void {
    this.#broken = new PoolBrokenError(this.#consecutiveCrashes);
    const pending = [...lost, ...this.#retry.splice(0)];
    for (const job of pending) for (const item of job.items) item.reject(this.#broken);
    for (const item of this.#queue.splice(0)) item.reject(this.#broken);
    for (const slot of this.#slots) {
      for (const job of slot.inFlight.values()) for (const item of job.items) item.reject(this.#broken);
      slot.inFlight.clear();
    }
    // Stop the survivors too; close() still terminates and clears.
    this.#closed = true;
    const slots = this.#slots.splice(0);
    this.stats.workers = 0;
    for (const slot of slots) void slot.worker.terminate();
  }
}
