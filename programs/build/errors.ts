/** Typed failures of the SBF build pipeline; `code` is stable, messages say what to do. */
export abstract class BuildError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A compiler or LLVM tool is not installed where the pipeline looks for it. */
export class ToolchainMissingError extends BuildError {
  readonly code = "ERR_TOOLCHAIN_MISSING";
  constructor(
    readonly path: string,
    readonly what: string,
  ) {
    super(
      `${what} not found at ${path}. Install the Debian packages: ` +
        "apt-get install -y rustc cargo rust-src llvm-22 clang-22 (see docs/BUILD-PROGRAM.md)",
    );
  }
}

/** A tool exited non-zero; `stderr` holds its own explanation. */
export class ToolFailedError extends BuildError {
  readonly code = "ERR_TOOL_FAILED";
  constructor(
    readonly tool: string,
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`${tool} failed (exit ${exitCode}): ${tool} ${args.join(" ")}\n${stderr.trim()}`);
  }
}

/** The crate directory has no Cargo.toml / library source the pipeline can compile. */
export class CrateNotFoundError extends BuildError {
  readonly code = "ERR_CRATE_NOT_FOUND";
  constructor(
    readonly crateDir: string,
    detail: string,
  ) {
    super(`cannot build crate at ${crateDir}: ${detail}`);
  }
}

/** Optimized IR uses something the BPF backend cannot compile and the pipeline cannot rewrite. */
export class UnsupportedIrError extends BuildError {
  readonly code = "ERR_UNSUPPORTED_IR";
  constructor(
    readonly feature: string,
    readonly functionName: string,
    readonly instruction: string,
  ) {
    super(
      `${feature} is not supported on SBPFv0 (in ${functionName}): ${instruction}\n` +
        "Use u64 arithmetic (see docs/BUILD-PROGRAM.md, 'What the BPF backend refuses').",
    );
  }
}

/** `--check`: the rebuilt program differs from the committed one. */
export class NotReproducibleError extends BuildError {
  readonly code = "ERR_NOT_REPRODUCIBLE";
  constructor(
    readonly committedPath: string,
    readonly detail: string,
  ) {
    super(
      `rebuilt program differs from ${committedPath}: ${detail}. ` +
        "Run `npm run build:program` and commit the result (or find the non-determinism).",
    );
  }
}
