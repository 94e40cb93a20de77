#!/usr/bin/env node
/**
 * `npm test`: runs each top-level folder of tests/ in its own mocha process, one after another,
 * and prints the summed "N passed, N failed" line last (CI reads it).
 *
 * Why separate processes: the suites start real validators, ledgers, libp2p nodes and HTTP
 * servers in-process, and in a single process of ~550 tests the heap reached V8's 4 GB limit
 * (each file alone stays far below it; the fuzz files assert their own heap bounds). Separate
 * processes keep one suite's leftovers from failing another and give each a fresh heap.
 *
 * Usage: node tests/support/run-suites.mjs [folder ...]   (default: every folder but support/)
 */
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const ROOT = new URL("../..", import.meta.url).pathname;
const TESTS = join(ROOT, "tests");
const SUMMARY = /^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$/;

/**
 * Folders whose files run one process each. tests/fuzz: the files are heavy (10,000 cases per
 * property), and a fresh heap per file keeps one file's leftovers out of another's heap check.
 * (The 4 GB crashes once blamed on running them together were a mutator growing values shared
 * between cases; tests/fuzz/support.test.ts now guards that.)
 */
const ONE_PROCESS_PER_FILE = new Set(["fuzz"]);

const requested = process.argv.slice(2);
const folders = (requested.length > 0 ? requested : readdirSync(TESTS).sort())
  .filter((name) => name !== "support" && statSync(join(TESTS, name)).isDirectory());
/** Mocha spec globs, one per process. */
const units = folders.flatMap((folder) =>
  ONE_PROCESS_PER_FILE.has(folder)
    ? readdirSync(join(TESTS, folder)).filter((f) => f.endsWith(".test.ts")).sort().map((f) => `tests/${folder}/${f}`)
    : [`tests/${folder}/**/*.test.ts`],
);

/** Runs mocha on one spec glob, echoing its output; resolves with its summary line's counts. */
function runFolder(spec) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, "node_modules/mocha/bin/mocha.js"), spec], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let last = null;
    let pending = "";
    child.stdout.on("data", (chunk) => {
      process.stdout.write(chunk);
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        const m = SUMMARY.exec(line);
        if (m !== null) last = { passed: Number(m[1]), failed: Number(m[2]), skipped: Number(m[3] ?? 0) };
      }
    });
    child.on("close", (code, signal) => resolve({ counts: last, code, signal }));
  });
}

const total = { passed: 0, failed: 0, skipped: 0 };
const crashed = [];
for (const spec of units) {
  process.stdout.write(`\n=== ${spec} ===\n`);
  const { counts, code, signal } = await runFolder(spec);
  if (counts !== null) {
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.skipped += counts.skipped;
  }
  // A process that died (or exited non-zero without failures counted) is a failure too.
  if (counts === null || (code !== 0 && counts.failed === 0)) {
    crashed.push(`${spec} (exit ${code ?? signal})`);
    total.failed += 1;
  }
}
if (crashed.length > 0) process.stdout.write(`\ncrashed: ${crashed.join(", ")}\n`);
process.stdout.write(`\n${total.passed} passed, ${total.failed} failed${total.skipped > 0 ? `, ${total.skipped} skipped` : ""}\n`);
process.exitCode = total.failed > 0 ? 1 : 0;
