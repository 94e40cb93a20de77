/**
 * Where the pipeline finds its tools (Debian packages: rustc, rust-src, llvm-22) and how it runs
 * them. Paths can be overridden with HEXCOVER_RUSTC, HEXCOVER_LLVM_BIN and HEXCOVER_RUST_SRC.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ToolchainMissingError, ToolFailedError } from "./errors.js";

/** Debian's rustc 1.63: the only rustc here that has rust-src, needed to build `core` for BPF. */
export const DEFAULT_RUSTC = "/usr/bin/rustc";
/** Debian's llvm-22 package: LLVM 22 reads rustc 1.63's bitcode and has the BPF backend. */
export const DEFAULT_LLVM_BIN = "/usr/lib/llvm-22/bin";
/** Debian's rust-src package. */
export const DEFAULT_RUST_SRC = "/usr/lib/rustlib/src/rust/library";
/** The Debian packages that provide the above (also what .ci/run installs). */
export const DEBIAN_PACKAGES = ["rustc", "cargo", "rust-src", "llvm-22", "clang-22"] as const;

export interface Toolchain {
  readonly rustc: string;
  readonly llvmBin: string;
  /** The `library` directory of rust-src (contains core/src/lib.rs). */
  readonly rustSrc: string;
}

export function defaultToolchain(env: NodeJS.ProcessEnv = process.env): Toolchain {
  return {
    rustc: env["HEXCOVER_RUSTC"] ?? DEFAULT_RUSTC,
    llvmBin: env["HEXCOVER_LLVM_BIN"] ?? DEFAULT_LLVM_BIN,
    rustSrc: env["HEXCOVER_RUST_SRC"] ?? DEFAULT_RUST_SRC,
  };
}

export const LLVM_TOOLS = ["llvm-link", "opt", "llc", "llvm-ar", "llvm-dis"] as const;
export type LlvmTool = (typeof LLVM_TOOLS)[number];

export function llvmTool(toolchain: Toolchain, tool: LlvmTool): string {
  return join(toolchain.llvmBin, tool);
}

export function coreSource(toolchain: Toolchain): string {
  return join(toolchain.rustSrc, "core", "src", "lib.rs");
}

/** Throws ToolchainMissingError for the first missing piece. */
export function checkToolchain(toolchain: Toolchain): void {
  if (!existsSync(toolchain.rustc)) throw new ToolchainMissingError(toolchain.rustc, "rustc");
  if (!existsSync(toolchain.llvmBin)) throw new ToolchainMissingError(toolchain.llvmBin, "LLVM 22");
  for (const tool of LLVM_TOOLS) {
    const path = llvmTool(toolchain, tool);
    if (!existsSync(path)) throw new ToolchainMissingError(path, tool);
  }
  const core = coreSource(toolchain);
  if (!existsSync(core)) throw new ToolchainMissingError(core, "rust-src (core sources)");
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a tool to completion; rejects with ToolFailedError on a non-zero exit. */
export function run(tool: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (error) => reject(new ToolFailedError(tool, args, null, error.message)));
    child.on("close", (code) => {
      const result = { stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() };
      if (code === 0) resolve(result);
      else reject(new ToolFailedError(tool, args, code, result.stderr || result.stdout));
    });
  });
}
