import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const HEXCOVER_BIN = fileURLToPath(new URL("../../bin/hexcover.js", import.meta.url));

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
    const child = spawn(process.execPath, [HEXCOVER_BIN, ...args], { stdio: ["ignore", "pipe", "pipe"], env: process.env });
    const log: WriteStream = createWriteStream(join(this.logDir, `${name}.log`), { flags: "a" });
    const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
    let buffered = "";
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      buffered += chunk.toString("utf8");
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
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
    child.once("exit", (code) => {
      log.end();
      if (!this.#stopping) this.onExit(name, code);
    });
    const role: Role = {
      name,
      child,
      waitFor: (pattern, timeoutMs = 60_000) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms (see ${join(this.logDir, `${name}.log`)})`)), timeoutMs);
          waiters.push({
            pattern,
            resolve: (line) => {
              clearTimeout(timer);
              resolve(line);
            },
          });
          child.once("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`${name} exited with ${code} (see ${join(this.logDir, `${name}.log`)})`));
          });
        }),
    };
    this.roles.push(role);
    return role;
  }

  /** Runs `hexcover <args>` to completion; rejects with its output if it fails. */
  async run(name: string, args: string[]): Promise<string> {
    const child = spawn(process.execPath, [HEXCOVER_BIN, ...args], { stdio: ["ignore", "pipe", "pipe"], env: process.env });
    let output = "";
    child.stdout!.on("data", (c: Buffer) => (output += c.toString("utf8")));
    child.stderr!.on("data", (c: Buffer) => (output += c.toString("utf8")));
    const [code] = await once(child, "exit");
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
