/**
 * What the gossip benchmark's coordinator (bench.ts) and its child processes (child.ts) share:
 * the IPC request shapes, the load marker and the latency summary.
 */

/**
 * Synthetic load is sent on US915 sub-band 2 channel 9 (904.1 MHz), the real daemons beacon on
 * channel 8 (903.9 MHz, DEFAULT_FREQUENCY_HZ): the observer tells the two apart by this field
 * alone. Both are ordinary, validly signed messages to every gossip validator.
 */
export const LOAD_FREQUENCY_HZ = 904_100_000;

/** A request from the coordinator to a child, answered by a Reply with the same id. */
export interface Request {
  readonly id: number;
  readonly cmd: string;
  readonly args?: unknown;
}

export interface Reply {
  readonly id: number;
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: string;
}

/** One step of the load ramp: every process uses the same wall-clock window (one machine, one clock). */
export interface StepWindow {
  readonly index: number;
  /** Witness reports per second across the whole network. */
  readonly ratePerSecond: number;
  readonly startAt: number;
  readonly endAt: number;
  /** A message received after this instant counts as not delivered. */
  readonly deadline: number;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles of millisecond latencies (sorts `values` in place). */
export function summarize(values: number[]): LatencySummary {
  values.sort((a, b) => a - b);
  const rank = (q: number) => (values.length === 0 ? Number.NaN : values[Math.min(values.length - 1, Math.ceil(q * values.length) - 1)]!);
  return { count: values.length, p50: rank(0.5), p90: rank(0.9), p99: rank(0.99), max: values.length === 0 ? Number.NaN : values[values.length - 1]! };
}

/**
 * The step a load message belongs to, by its own timestamp. The window runs to the step's
 * deadline, not its end: a generator tick that the scheduler delays past `endAt` still stamps
 * (and counts) its messages for this step, and steps never overlap (the next starts after it).
 */
export function stepOf(steps: readonly StepWindow[], timestampMs: number): StepWindow | undefined {
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i]!;
    if (timestampMs >= s.startAt && timestampMs < s.deadline) return s;
    if (timestampMs >= s.deadline) return undefined;
  }
  return undefined;
}

/** Child side of the IPC: answers each Request with the handler's result or its error message. */
export function serveRequests(handlers: Record<string, (args: never) => unknown>): void {
  process.on("message", (raw) => {
    const request = raw as Request;
    const handler = handlers[request.cmd];
    const reply = (r: Omit<Reply, "id">) => process.send?.({ id: request.id, ...r });
    if (handler === undefined) {
      reply({ ok: false, error: `unknown command ${request.cmd}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(request.args as never))
      .then(
        (result) => reply({ ok: true, result }),
        (err: unknown) => reply({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      );
  });
  // The coordinator went away (crash, SIGKILL): nothing will ever stop us, so leave now.
  process.on("disconnect", () => process.exit(0));
}
