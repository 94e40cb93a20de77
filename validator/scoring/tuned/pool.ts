/**
 * A fixed pool of worker threads running the scorer's kernels (Lodestar's shape: typed arrays in,
 * `{code: "success", result} | {code: "error", error}` out, pool size max(cores − 1, 1) by
 * default). Work is a list of ranges handed out from one queue, so a slow worker takes fewer.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { addKernelStats, emptyKernelStats, type KernelContext, type KernelName, type KernelStats, type RecordsContext } from "./kernels.js";

export type PoolRequest =
  | { readonly type: "ping"; readonly id: number }
  | { readonly type: "context"; readonly ctx: KernelContext }
  | { readonly type: "records"; readonly records: RecordsContext }
  | { readonly type: "release" }
  | {
      readonly type: "run";
      readonly id: number;
      readonly kernel: KernelName;
      readonly from: number;
      readonly to: number;
    };

export type PoolReply =
  | { readonly id: number; readonly code: "success"; readonly stats: KernelStats }
  | { readonly id: number; readonly code: "error"; readonly error: { name: string; message: string; code?: string | undefined } };

/** A kernel failed inside a worker; carries the worker-side error's name and code. */
export class ScoringWorkerError extends Error {
  readonly code = "ERR_SCORING_WORKER";
  readonly causeName: string;
  readonly causeCode: string | undefined;
  constructor(error: { name: string; message: string; code?: string | undefined }) {
    super(`scoring worker failed: ${error.name}: ${error.message}`);
    this.name = "ScoringWorkerError";
    this.causeName = error.name;
    this.causeCode = error.code;
  }
}

/** Lodestar's rule: leave one core to the main thread. */
export function defaultPoolSize(): number {
  return Math.max(availableParallelism() - 1, 1);
}

/**
 * Starts the worker module next to this one. Compiled (.js) it is loaded directly. Under tsx
 * (tests, benches) `execArgv: ["--import", "tsx"]` is not enough when the parent runs under
 * mocha's loader (the worker's entry is resolved before tsx's hooks exist: "Unknown file extension
 * .ts"), so worker-bootstrap.mjs registers tsx's ESM hooks first, then imports worker.ts.
 */
function startWorker(): Worker {
  const compiled = !import.meta.url.endsWith(".ts");
  return new Worker(new URL(compiled ? "./worker.js" : "./worker-bootstrap.mjs", import.meta.url));
}

export class KernelPool {
  readonly size: number;
  readonly #workers: Worker[];
  #nextId = 0;
  /** Runs in flight: workers are ref'ed (keep the process alive) only while this is > 0. */
  #active = 0;

  constructor(size: number) {
    this.size = size;
    this.#workers = Array.from({ length: size }, () => {
      const worker = startWorker();
      worker.unref(); // an idle pool must not keep the process alive
      return worker;
    });
  }

  /** Resolves once every worker has loaded its modules and answered. */
  async ready(): Promise<void> {
    if (this.#active++ === 0) for (const worker of this.#workers) worker.ref();
    try {
      await Promise.all(
        this.#workers.map(
          (worker) =>
            new Promise<void>((resolve, reject) => {
              const id = this.#nextId++;
              const onMessage = (message: PoolReply): void => {
                if (message.id !== id) return;
                worker.off("message", onMessage);
                worker.off("error", onError);
                resolve();
              };
              const onError = (err: Error): void => reject(new ScoringWorkerError({ name: err.name, message: err.message }));
              worker.on("message", onMessage);
              worker.once("error", onError);
              worker.postMessage({ type: "ping", id } satisfies PoolRequest);
            }),
        ),
      );
    } finally {
      if (--this.#active === 0) for (const worker of this.#workers) worker.unref();
    }
  }

  setContext(ctx: KernelContext): void {
    for (const worker of this.#workers) worker.postMessage({ type: "context", ctx } satisfies PoolRequest);
  }

  /** Drops the workers' references to the epoch's shared arrays so they can be freed. */
  release(): void {
    for (const worker of this.#workers) worker.postMessage({ type: "release" } satisfies PoolRequest);
  }

  setRecords(records: RecordsContext): void {
    for (const worker of this.#workers) worker.postMessage({ type: "records", records } satisfies PoolRequest);
  }

  /** Runs every range of `kernel` across the pool; resolves with the summed stats. */
  run(kernel: KernelName, ranges: ReadonlyArray<readonly [number, number]>): Promise<KernelStats> {
    const total = emptyKernelStats();
    if (ranges.length === 0) return Promise.resolve(total);
    let next = 0;
    let done = 0;
    if (this.#active++ === 0) for (const worker of this.#workers) worker.ref();
    return new Promise((resolve, reject) => {
      let failed = false;
      const feed = (worker: Worker): void => {
        if (failed || next >= ranges.length) return;
        const [from, to] = ranges[next++]!;
        const id = this.#nextId++;
        const onMessage = (message: PoolReply): void => {
          if (message.id !== id) return;
          worker.off("message", onMessage);
          worker.off("error", onError);
          if (message.code === "error") {
            failed = true;
            reject(new ScoringWorkerError(message.error));
            return;
          }
          addKernelStats(total, message.stats);
          if (++done === ranges.length) resolve(total);
          else feed(worker);
        };
        const onError = (err: Error): void => {
          failed = true;
          reject(new ScoringWorkerError({ name: err.name, message: err.message }));
        };
        worker.on("message", onMessage);
        worker.once("error", onError);
        worker.postMessage({ type: "run", id, kernel, from, to } satisfies PoolRequest);
      };
      for (const worker of this.#workers) feed(worker);
    }).finally(() => {
      if (--this.#active === 0) for (const worker of this.#workers) worker.unref();
    }) as Promise<KernelStats>;
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
  }
}

/** Splits [0, count) into about `parts` ranges of at least `minimum` rows. */
export function splitRange(count: number, parts: number, minimum: number): Array<[number, number]> {
  const size = Math.max(minimum, Math.ceil(count / Math.max(parts, 1)));
  const ranges: Array<[number, number]> = [];
  for (let from = 0; from < count; from += size) ranges.push([from, Math.min(count, from + size)]);
  return ranges;
}
