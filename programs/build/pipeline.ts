/**
 * The whole build of one program crate: rustc -> bitcode, llvm-link with core, opt, IR rewrite,
 * llvm-link with the runtime helpers, opt (inline), llc -> BPF object, sbpf-linker -> .so.
 * docs/BUILD-PROGRAM.md explains why each step exists.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { linkSbpf } from "../sbpf-linker/index.js";
import { readCrate } from "./crate.js";
import { type IrRewriteCounts, rewriteIr } from "./ir-rewrite.js";
import { BPF_TARGET, ensureSysroot } from "./sysroot.js";
import { checkToolchain, defaultToolchain, llvmTool, run, type Toolchain } from "./toolchain.js";

/** The one symbol kept public through internalize: the SBF entrypoint. */
export const ENTRY_SYMBOL = "entrypoint";
/**
 * llc flags. -mcpu=v2: SBPFv0 is eBPF without JMP32/ALU32 (v3 and llc's default emit JMP32,
 * which the loader rejects; +alu32 is wrong because SBPFv0 sign-extends 32-bit results).
 * Misaligned access is allowed by the SBPF VM and keeps copies compact. Solana stack frames
 * are 4 KiB, where llc assumes 512 bytes.
 */
export const LLC_FLAGS = [
  "-march=bpfel",
  "-mcpu=v2",
  "-mattr=+allows-misaligned-mem-access",
  "-bpf-stack-size=4096",
  "-O3",
  "-filetype=obj",
] as const;
/** Whole-program optimization: keep only `entrypoint` public, drop the rest of core unused. */
const OPT_PASSES = "internalize,globaldce,default<O3>,globaldce";
/** After the IR rewrite: inline the helpers, no instcombine (it would undo the rewrite). */
const FINAL_PASSES = "internalize,always-inline,globaldce";

export interface BuildOptions {
  readonly crateDir: string;
  readonly outPath: string;
  /** Repository root; target/sbf-sysroot and target/sbf-build live under it. */
  readonly repoRoot: string;
  /** Intermediate files (default target/sbf-build/<lib name>). */
  readonly workDir?: string;
  /** Sysroot cache (default target/sbf-sysroot); a fresh directory measures a cold build. */
  readonly sysrootCache?: string;
  readonly toolchain?: Toolchain;
  /** Progress and compiler warnings. */
  readonly log?: (line: string) => void;
}

export interface BuildResult {
  readonly outPath: string;
  readonly mapPath: string;
  readonly bytes: Uint8Array;
  readonly textSize: number;
  readonly rodataSize: number;
  readonly syscalls: readonly string[];
  readonly rewrites: IrRewriteCounts;
  /** Milliseconds per step, in order. */
  readonly timings: readonly { step: string; ms: number }[];
}

export async function buildProgram(options: BuildOptions): Promise<BuildResult> {
  const log = options.log ?? (() => {});
  const toolchain = options.toolchain ?? defaultToolchain();
  checkToolchain(toolchain);
  const crate = readCrate(resolve(options.crateDir));
  const work = resolve(options.workDir ?? join(options.repoRoot, "target", "sbf-build", crate.libName));
  mkdirSync(work, { recursive: true });
  const file = (name: string) => join(work, name);
  const timings: { step: string; ms: number }[] = [];
  const step = async <T>(name: string, action: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await action();
    timings.push({ step: name, ms: Math.round(performance.now() - started) });
    return result;
  };

  const sysroot = await step("sysroot", () =>
    ensureSysroot(toolchain, options.sysrootCache ?? join(options.repoRoot, "target", "sbf-sysroot")),
  );

  // rustc runs inside the crate with a relative source path, so panic locations read
  // "src/..." wherever the repository is checked out (a reproducibility requirement).
  const rustcArgs = [
    "--crate-type=lib",
    `--crate-name=${crate.libName}`,
    `--edition=${crate.edition}`,
    `--target=${BPF_TARGET}`,
    `--sysroot=${sysroot.dir}`,
    "-Copt-level=3",
    "-Cpanic=abort",
    "-Ccodegen-units=1",
    `-Coverflow-checks=${crate.overflowChecks ? "on" : "off"}`,
    "--emit=llvm-bc",
    crate.libPath,
    "-o",
    file("program.bc"),
  ];
  const compiled = await step("rustc", () => run(toolchain.rustc, rustcArgs, { cwd: crate.dir }));
  if (compiled.stderr.trim() !== "") log(compiled.stderr.trimEnd());

  const llvm = (tool: Parameters<typeof llvmTool>[1], args: string[]) => run(llvmTool(toolchain, tool), args);
  await step("llvm-link", () => llvm("llvm-link", [file("program.bc"), sysroot.coreBitcode, "-o", file("linked.bc")]));
  await step("opt", () =>
    llvm("opt", [
      `-passes=${OPT_PASSES}`,
      `-internalize-public-api-list=${ENTRY_SYMBOL}`,
      file("linked.bc"),
      "-o",
      file("opt.bc"),
    ]),
  );
  const rewrites = await step("ir-rewrite", async () => {
    await llvm("llvm-dis", [file("opt.bc"), "-o", file("opt.ll")]);
    const rewritten = rewriteIr(readFileSync(file("opt.ll"), "utf8"));
    writeFileSync(file("rewritten.ll"), rewritten.text);
    return rewritten.counts;
  });
  await step("runtime", async () => {
    await llvm("llvm-link", [file("rewritten.ll"), sysroot.runtimeBitcode, "-o", file("with-rt.bc")]);
    await llvm("opt", [
      `-passes=${FINAL_PASSES}`,
      `-internalize-public-api-list=${ENTRY_SYMBOL}`,
      file("with-rt.bc"),
      "-o",
      file("final.bc"),
    ]);
  });
  await step("llc", () => llvm("llc", [...LLC_FLAGS, file("final.bc"), "-o", file("program.o")]));
  const linked = await step("link", async () => linkSbpf(readFileSync(file("program.o")), { entrySymbol: ENTRY_SYMBOL }));

  const outPath = resolve(options.outPath);
  mkdirSync(dirname(outPath), { recursive: true });
  const tmpOut = `${outPath}.tmp-${process.pid}`;
  writeFileSync(tmpOut, linked.so);
  renameSync(tmpOut, outPath);
  writeFileSync(file("program.map"), linked.map);
  const rewritten = Object.entries(rewrites)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${kind} ${n}`);
  if (rewritten.length > 0) log(`IR rewrites: ${rewritten.join(", ")}`);
  log(
    `built ${outPath}: ${linked.so.length} bytes (.text ${linked.textSize}, .rodata ${linked.rodataSize}); ` +
      `map ${file("program.map")}`,
  );
  return {
    outPath,
    mapPath: file("program.map"),
    bytes: linked.so,
    textSize: linked.textSize,
    rodataSize: linked.rodataSize,
    syscalls: linked.syscalls,
    rewrites,
    timings,
  };
}
