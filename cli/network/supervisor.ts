import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const HEXCOVER_BIN = fileURLToPath(new URL("../../bin/hexcover.js", import.meta.url));

/** A running `hexcover <command>` child process whose output is read line by line. */
export interface RunningProcess {
  readonly child: ChildProcess;
  /** Every output line so far (stdout and stderr), unless started with keepLines: false. */
  readonly lines: string[];
  /** Resolves with the first output line matching `pattern`; rejects on timeout or exit. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface SpawnOptions {
  /** Added to this process's environment. */
  readonly env?: NodeJS.ProcessEnv;
  /** Each raw output chunk, as it arrives (e.g. to a log file). */
  readonly onChunk?: (chunk: Buffer) => void;
  /** Keep every line in `lines` (tests read them); a long-lived role keeps none. Default true. */
  readonly keepLines?: boolean;
  /** Where to look for the output, named in timeout and exit errors; default the lines kept. */
  readonly outputHint?: string;
  readonly defaultTimeoutMs?: number;
}

/** Spawns `hexcover <args>` as a real separate process. */
export function spawnHexcover(args: string[], options: SpawnOptions = {}): RunningProcess {
  const child = spawn(process.execPath, [HEXCOVER_BIN, ...args], { env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
  const keepLines = options.keepLines ?? true;
  const lines: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const onLine = (line: string) => {
    if (line.length === 0) return;
    if (keepLines) lines.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  // One partial line per stream, so stdout and stderr chunks never splice into one line.
  for (const stream of [child.stdout!, child.stderr!]) {
    let partial = "";
    stream.on("data", (chunk: Buffer) => {
      options.onChunk?.(chunk);
      const parts = (partial + chunk.toString("utf8")).split("\n");
      partial = parts.pop() ?? "";
      for (const line of parts) onLine(line);
    });
    stream.on("end", () => onLine(partial));
  }
  const output = () => options.outputHint ?? `output:\n${lines.join("\n")}`;
  return {
    child,
    lines,
    waitForLine(pattern, timeoutMs = options.defaultTimeoutMs ?? 30_000) {
      const existing = lines.find((l) => pattern.test(l));
      if (existing !== undefined) return Promise.resolve(existing);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; ${output()}`)), timeoutMs);
        waiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
        child.once("exit", (code) => {
          clearTimeout(timer);
          reject(new Error(`process exited (${code}) before printing ${pattern}; ${output()}`));
        });
      });
    },
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const [code] = await once(child, "exit");
      return code as number | null;
    },
  };
}

/** Runs `hexcover <args>` to completion and returns its exit code and output. */
export async function runHexcover(args: string[]): Promise<{ code: number | null; output: string }> {
  const proc = spawnHexcover(args);
  // "close", not "exit": the output streams may still hold data when the process exits.
  const [code] = await once(proc.child, "close");
  return { code: code as number | null, output: proc.lines.join("\n") };
}

export interface Role {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves with the first output line matching the pattern. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

/**
 * Starts each role as its own `hexcover <command>` process (the same commands operators run),
 * keeps each one's output in <logDir>/<name>.log, and stops them in reverse start order.
 */
export class Supervisor {
  readonly roles: Role[] = [];
  #stopping = false;

  constructor(
    readonly logDir: string,
    readonly onExit: (name: string, code: number | null) => void = () => {},
  ) {}

  start(name: string, args: string[]): Role {
    const logFile = join(this.logDir, `${name}.log`);
    const log: WriteStream = createWriteStream(logFile, { flags: "a" });
    // The network runs for hours: its roles' output goes to their logs, not to memory.
    const proc = spawnHexcover(args, { onChunk: (chunk) => log.write(chunk), keepLines: false, outputHint: `see ${logFile}`, defaultTimeoutMs: 60_000 });
    proc.child.once("exit", (code) => {
      log.end();
      if (!this.#stopping) this.onExit(name, code);
    });
    const role: Role = { name, child: proc.child, waitFor: (pattern, timeoutMs) => proc.waitForLine(pattern, timeoutMs) };
    this.roles.push(role);
    return role;
  }

  /** Runs `hexcover <args>` to completion; rejects with its output if it fails. */
  async run(name: string, args: string[]): Promise<string> {
    const { code, output } = await runHexcover(args);
    if (code !== 0) throw new Error(`hexcover ${args.join(" ")} failed (${name}, exit ${code}):\n${output}`);
    return output;
  }

  /** SIGTERM to every role, newest first (hotspots before validators before the ledger). */
  async stopAll(timeoutMs = 15_000): Promise<void> {
    this.#stopping = true;
    for (const role of [...this.roles].reverse()) {
      if (role.child.exitCode !== null || role.child.signalCode !== null) continue;
      role.child.kill("SIGTERM");
      const exited = once(role.child, "exit");
      const timer = setTimeout(() => role.child.kill("SIGKILL"), timeoutMs);
      await exited;
      clearTimeout(timer);
    }
  }
}
