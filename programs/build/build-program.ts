#!/usr/bin/env -S npx tsx
/**
 * Builds a Solana program crate into an SBPFv0 .so (see docs/BUILD-PROGRAM.md).
 *
 *   tsx programs/build/build-program.ts [<crate dir> <out.so>]     build
 *   tsx programs/build/build-program.ts --check [<crate dir> <.so>] rebuild to a temp file and
 *                                                                   fail if it differs
 * Without paths: programs/coverage-rewards -> target/deploy/coverage_rewards.so.
 * Exit status: 0 ok, 1 build failed or not reproducible, 2 bad usage.
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { checkProgram } from "./check.js";
import { BuildError } from "./errors.js";
import { type BuildResult, buildProgram } from "./pipeline.js";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The program `npm run build:program` builds, and where the committed .so lives. */
const DEFAULT_CRATE = join(REPO_ROOT, "programs", "coverage-rewards");
const DEFAULT_OUT = join(REPO_ROOT, "target", "deploy", "coverage_rewards.so");
const USAGE = "usage: build-program.ts [--check] [<crate dir> <out.so>]";

function summary(result: BuildResult): string {
  const total = result.timings.reduce((sum, t) => sum + t.ms, 0);
  const steps = result.timings.map((t) => `${t.step} ${t.ms} ms`).join(", ");
  return `${result.bytes.length} bytes in ${total} ms (${steps})`;
}

async function main(argv: readonly string[]): Promise<number> {
  const check = argv.includes("--check");
  const positional = argv.filter((a) => a !== "--check");
  if (positional.some((a) => a.startsWith("-")) || (positional.length !== 0 && positional.length !== 2)) {
    console.error(USAGE);
    return 2;
  }
  const crateDir = resolve(positional[0] ?? DEFAULT_CRATE);
  const outPath = resolve(positional[1] ?? DEFAULT_OUT);
  const log = (line: string) => console.error(line);
  try {
    if (check) {
      const result = await checkProgram({ crateDir, committedPath: outPath, repoRoot: REPO_ROOT, log });
      console.log(`reproducible: ${outPath} matches the rebuild, ${summary(result)}`);
    } else {
      const result = await buildProgram({ crateDir, outPath, repoRoot: REPO_ROOT, log });
      console.log(`built ${outPath}: ${summary(result)}`);
    }
    return 0;
  } catch (error) {
    if (error instanceof BuildError || (error instanceof Error && "code" in error)) {
      console.error(`build-program: ${(error as Error).name}: ${(error as Error).message}`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
