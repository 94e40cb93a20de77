/**
 * Reproducibility check: rebuild into a temporary file and compare byte for byte with the
 * committed program. CI runs this (`build-program.ts --check`) so the committed .so always is
 * what the sources produce.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { NotReproducibleError } from "./errors.js";
import { type BuildOptions, type BuildResult, buildProgram } from "./pipeline.js";

/** First offset where two byte strings differ, or -1 when they are equal. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

export interface CheckOptions extends Omit<BuildOptions, "outPath"> {
  /** The committed program to compare against. */
  readonly committedPath: string;
}

export async function checkProgram(options: CheckOptions): Promise<BuildResult> {
  const tmp = join(tmpdir(), `hexcover-check-${process.pid}-${basename(options.committedPath)}`);
  try {
    const result = await buildProgram({ ...options, outPath: tmp });
    if (!existsSync(options.committedPath)) {
      throw new NotReproducibleError(options.committedPath, "the committed file does not exist");
    }
    const committed = readFileSync(options.committedPath);
    const at = firstDifference(result.bytes, committed);
    if (at >= 0) {
      throw new NotReproducibleError(
        options.committedPath,
        `rebuilt ${result.bytes.length} bytes, committed ${committed.length} bytes, first difference at byte 0x${at.toString(16)}`,
      );
    }
    return result;
  } finally {
    rmSync(tmp, { force: true });
  }
}
