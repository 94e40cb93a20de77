import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

export const HEXCOVER_BIN = fileURLToPath(new URL("../../bin/hexcover.js", import.meta.url));

export interface RunningProcess {
  child: ChildProcess;
  lines: string[];
  /** Resolves with the first stdout/stderr line matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Spawns `hexcover <args>` as a real separate process, collecting its output lines. */
export function spawnHexcover(args: string[], env: NodeJS.ProcessEnv = {}): RunningProcess {
  const child = spawn(process.execPath, [HEXCOVER_BIN, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (line.length === 0) continue;
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.pattern.test(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  return {
    child,
    lines,
    waitForLine(pattern, timeoutMs = 30_000) {
      const existing = lines.find((l) => pattern.test(l));
      if (existing !== undefined) return Promise.resolve(existing);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; output:\n${lines.join("\n")}`)), timeoutMs);
        waiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
        child.once("exit", (code) => {
          clearTimeout(timer);
          reject(new Error(`process exited (${code}) before printing ${pattern}; output:\n${lines.join("\n")}`));
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
  const [code] = await once(proc.child, "exit");
  return { code: code as number | null, output: proc.lines.join("\n") };
}
