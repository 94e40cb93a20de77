/**
 * ValidatorPoller: follows a validator's finalized epochs over HTTP and feeds them to the index.
 * Contract (the validator serves it; docs/COVERAGE.md "Feed"):
 *   GET {url}/epochs?status=finalized  → finalized epochs: a JSON array of epoch numbers, or
 *                                        {"epochs": [{"epoch": n, "status": "finalized"}, …]}
 *                                        (validator/api's shape; entries may also be numbers)
 *   GET {url}/epochs/:e/coverage       → EpochCoverageFeed JSON
 * Each tick indexes, in ascending order, every finalized epoch newer than the index's latest. A
 * failing tick is reported and retried on the next one; a feed that fails validation stops the
 * tick at that epoch (it would fail again, and skipping it would hide the validator's bug).
 */
import { DEFAULT_FETCH_TIMEOUT_MS, DEFAULT_POLL_INTERVAL_MS, MAX_EPOCH } from "./constants.js";
import { ValidatorFetchError } from "./errors.js";
import type { CoverageIndex, EpochSummary } from "./store.js";

export interface ValidatorPollerOptions {
  readonly index: CoverageIndex;
  /** Base URL of the validator's HTTP API, e.g. http://127.0.0.1:8899 (no trailing path). */
  readonly validatorUrl: string;
  readonly intervalMs?: number;
  readonly fetchTimeoutMs?: number;
  /** Called after each indexed epoch. */
  readonly onIndexed?: (summary: EpochSummary) => void;
  /** Called when a tick fails (network, HTTP status, invalid JSON or feed). */
  readonly onError?: (err: unknown) => void;
}

export class ValidatorPoller {
  readonly #index: CoverageIndex;
  readonly #base: string;
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  readonly #onIndexed: (summary: EpochSummary) => void;
  readonly #onError: (err: unknown) => void;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<unknown> | null = null;
  #stopped = true;
  #stopRequested = false;

  constructor(options: ValidatorPollerOptions) {
    this.#index = options.index;
    this.#base = options.validatorUrl.replace(/\/+$/, "");
    this.#intervalMs = options.intervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.#timeoutMs = options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
    this.#onIndexed = options.onIndexed ?? (() => {});
    this.#onError = options.onError ?? (() => {});
  }

  /** Polls now and then every intervalMs until stop(). */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#stopRequested = false;
    const tick = () => {
      this.#running = this.pollOnce()
        .catch((err: unknown) => this.#onError(err))
        .finally(() => {
          this.#running = null;
          if (!this.#stopped) this.#timer = setTimeout(tick, this.#intervalMs);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopRequested = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  /**
   * One poll: indexes every newly finalized epoch in ascending order and returns their summaries.
   * @throws ValidatorFetchError, the feed validation errors
   */
  async pollOnce(): Promise<EpochSummary[]> {
    const listUrl = `${this.#base}/epochs?status=finalized`;
    const listed = finalizedEpochs(await this.#getJson(listUrl));
    if (listed === null) {
      throw new ValidatorFetchError(listUrl, 'expected a JSON array of epoch numbers or {"epochs": [{"epoch": n, "status": "finalized"}]}');
    }
    const latest = this.#index.latestEpoch();
    // An index that starts late (or fell far behind) skips epochs whose snapshots would be dropped
    // at once: only the last retainEpochs snapshots are kept, and each needs its window's feeds.
    const newest = listed.reduce((max, e) => Math.max(max, e), -1);
    const oldestUseful = newest - this.#index.retainEpochs - this.#index.windowEpochs + 2;
    const pending = [...new Set(listed)].filter((e) => (latest === null || e > latest) && e >= oldestUseful).sort((a, b) => a - b);
    const indexed: EpochSummary[] = [];
    for (const epoch of pending) {
      if (this.#stopRequested) break; // stop() waits for the epoch in hand, not for the backlog
      const feed = await this.#getJson(`${this.#base}/epochs/${epoch}/coverage`);
      const summary = await this.#index.ingest(feed);
      indexed.push(summary);
      this.#onIndexed(summary);
    }
    return indexed;
  }

  async #getJson(url: string): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(this.#timeoutMs), headers: { accept: "application/json" } });
    } catch (err) {
      throw new ValidatorFetchError(url, (err as Error).message);
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new ValidatorFetchError(url, `HTTP ${response.status}`);
    }
    try {
      return await response.json();
    } catch (err) {
      throw new ValidatorFetchError(url, `invalid JSON: ${(err as Error).message}`);
    }
  }
}

function isEpoch(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 && value <= MAX_EPOCH;
}

/**
 * The finalized epoch numbers of a `/epochs?status=finalized` answer, or null for any other shape.
 * Entries whose `status` says anything but "finalized" are left out (only finalized epochs are
 * indexed, whatever a validator returns).
 */
export function finalizedEpochs(body: unknown): number[] | null {
  const list = Array.isArray(body) ? body : typeof body === "object" && body !== null ? (body as { epochs?: unknown }).epochs : undefined;
  if (!Array.isArray(list)) return null;
  const epochs: number[] = [];
  for (const entry of list) {
    if (isEpoch(entry)) epochs.push(entry);
    else if (typeof entry === "object" && entry !== null && isEpoch((entry as { epoch?: unknown }).epoch)) {
      const { epoch, status } = entry as { epoch: number; status?: unknown };
      if (status === undefined || status === "finalized") epochs.push(epoch);
    } else return null;
  }
  return epochs;
}
