/**
 * The Hexcover SBF build pipeline: a zero-dependency no_std Rust crate -> SBPFv0 .so with
 * Debian's rustc 1.63 + rust-src, LLVM 22 and our own linker (../sbpf-linker). CLI:
 * build-program.ts; docs: docs/BUILD-PROGRAM.md.
 */
export { type CheckOptions, checkProgram, firstDifference } from "./check.js";
export { type CrateInfo, readCrate } from "./crate.js";
export {
  BuildError,
  CrateNotFoundError,
  NotReproducibleError,
  ToolchainMissingError,
  ToolFailedError,
  UnsupportedIrError,
} from "./errors.js";
export { INLINE_MEM_LIMIT_BYTES, type IrRewriteCounts, type IrRewriteResult, rewriteIr } from "./ir-rewrite.js";
export { type BuildOptions, type BuildResult, buildProgram, ENTRY_SYMBOL, LLC_FLAGS } from "./pipeline.js";
export { BPF_TARGET, ensureSysroot, type Sysroot, sysrootKey } from "./sysroot.js";
export {
  checkToolchain,
  DEBIAN_PACKAGES,
  DEFAULT_LLVM_BIN,
  DEFAULT_RUST_SRC,
  DEFAULT_RUSTC,
  defaultToolchain,
  type Toolchain,
} from "./toolchain.js";
