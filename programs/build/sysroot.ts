/**
 * The `bpfel-unknown-none` sysroot: `core` (from Debian's rust-src) and a stub
 * `compiler_builtins`, plus core's bitcode and the pipeline's runtime helpers (rt/rt.rs) as
 * bitcode. Built once per toolchain and cached under target/sbf-sysroot/<key>/, where the key
 * hashes everything that affects the result (rustc and LLVM versions, flags, helper sources).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ToolFailedError } from "./errors.js";
import { coreSource, llvmTool, run, type Toolchain } from "./toolchain.js";

/** rustc's built-in target that matches eBPF; its "object" output is LLVM bitcode. */
export const BPF_TARGET = "bpfel-unknown-none";
const RT_DIR = join(dirname(fileURLToPath(import.meta.url)), "rt");

/**
 * RUSTC_BOOTSTRAP=1 lets the stable Debian rustc build `core` itself (it uses unstable
 * features); -Z force-unstable-if-unmarked is what the Rust build system passes for std crates.
 */
const BOOTSTRAP_ENV = { RUSTC_BOOTSTRAP: "1" };
const CORE_FLAGS = [
  "--crate-type=rlib",
  "--crate-name=core",
  "--edition=2021",
  `--target=${BPF_TARGET}`,
  "-Copt-level=3",
  "-Cpanic=abort",
  "-Ccodegen-units=1",
  "-Cembed-bitcode=yes",
  "-Zforce-unstable-if-unmarked",
] as const;
const RT_FLAGS = [`--target=${BPF_TARGET}`, "-Copt-level=3", "-Cpanic=abort", "-Ccodegen-units=1"] as const;

export interface Sysroot {
  /** Directory to pass as rustc --sysroot. */
  readonly dir: string;
  /** core as one bitcode module. */
  readonly coreBitcode: string;
  /** rt/rt.rs helpers as bitcode. */
  readonly runtimeBitcode: string;
  readonly key: string;
}

function sysrootPaths(dir: string, key: string): Sysroot & { libDir: string } {
  return {
    dir,
    key,
    libDir: join(dir, "lib", "rustlib", BPF_TARGET, "lib"),
    coreBitcode: join(dir, "core.bc"),
    runtimeBitcode: join(dir, "rt.bc"),
  };
}

/** The cache key: everything that changes the sysroot's bytes. */
export async function sysrootKey(toolchain: Toolchain): Promise<{ key: string; rustcRelease: string }> {
  const rustc = (await run(toolchain.rustc, ["-vV"])).stdout;
  const llvm = (await run(llvmTool(toolchain, "llvm-link"), ["--version"])).stdout;
  const hash = createHash("sha256");
  for (const part of [rustc, llvm, CORE_FLAGS.join(" "), RT_FLAGS.join(" "), coreSource(toolchain)]) {
    hash.update(part).update("\0");
  }
  for (const file of ["compiler_builtins.rs", "rt.rs"]) hash.update(readFileSync(join(RT_DIR, file)));
  const release = /^release: (.+)$/m.exec(rustc)?.[1]?.trim() ?? "unknown";
  return { key: hash.digest("hex").slice(0, 16), rustcRelease: release };
}

/** Returns the cached sysroot, building it first if needed (≈10-15 s, once per toolchain). */
export async function ensureSysroot(toolchain: Toolchain, cacheRoot: string): Promise<Sysroot> {
  const { key, rustcRelease } = await sysrootKey(toolchain);
  const finalDir = join(cacheRoot, `rustc-${rustcRelease}-${key}`);
  const done = sysrootPaths(finalDir, key);
  if (existsSync(done.runtimeBitcode)) return done;

  // Build in a private directory and rename: concurrent builds never see a half-made sysroot.
  const tmpDir = `${finalDir}.tmp-${process.pid}`;
  rmSync(tmpDir, { recursive: true, force: true });
  const tmp = sysrootPaths(tmpDir, key);
  mkdirSync(tmp.libDir, { recursive: true });
  const coreRlib = join(tmp.libDir, "libcore.rlib");
  await run(toolchain.rustc, [...CORE_FLAGS, coreSource(toolchain), "-o", coreRlib], { env: BOOTSTRAP_ENV });
  await run(
    toolchain.rustc,
    [
      "--crate-type=rlib",
      "--crate-name=compiler_builtins",
      "--edition=2021",
      ...RT_FLAGS,
      "-Zforce-unstable-if-unmarked",
      `--sysroot=${tmpDir}`,
      "compiler_builtins.rs",
      "-o",
      join(tmp.libDir, "libcompiler_builtins.rlib"),
    ],
    { cwd: RT_DIR, env: BOOTSTRAP_ENV },
  );
  // For this target the rlib's object members are bitcode; one module makes linking simpler.
  const extractDir = join(tmpDir, "core-members");
  mkdirSync(extractDir);
  await run(llvmTool(toolchain, "llvm-ar"), ["x", coreRlib], { cwd: extractDir });
  const members = readdirSync(extractDir)
    .filter((f) => f.endsWith(".o"))
    .sort()
    .map((f) => join(extractDir, f));
  await run(llvmTool(toolchain, "llvm-link"), [...members, "-o", tmp.coreBitcode]);
  rmSync(extractDir, { recursive: true });
  await run(
    toolchain.rustc,
    [
      "--crate-type=lib",
      "--crate-name=sbf_rt",
      "--edition=2021",
      ...RT_FLAGS,
      `--sysroot=${tmpDir}`,
      "--emit=llvm-bc",
      "rt.rs",
      "-o",
      tmp.runtimeBitcode,
    ],
    { cwd: RT_DIR },
  );
  // rt.bc is linked after the program was internalized: a reference to a core function would
  // stay undefined (and surface as an "unknown syscall" at link time). Refuse such helpers here.
  const rtIr = (await run(llvmTool(toolchain, "llvm-dis"), [tmp.runtimeBitcode, "-o", "-"])).stdout;
  const coreReference = /^declare [^\n]*@(_ZN[\w$.]+)\(/m.exec(rtIr);
  if (coreReference !== null) {
    throw new ToolFailedError("rt.rs", [], null, `runtime helpers must not call Rust functions, found ${coreReference[1]}`);
  }
  try {
    renameSync(tmpDir, finalDir);
  } catch (error) {
    // Another build finished first: keep its copy.
    rmSync(tmpDir, { recursive: true, force: true });
    if (!existsSync(done.runtimeBitcode)) throw error;
  }
  return done;
}
