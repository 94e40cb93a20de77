/**
 * One error class per reason the linker refuses an object. Callers (the build driver, tests)
 * match on `code` or `name`; messages are for people.
 */
export abstract class SbpfLinkError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The input is not a little-endian ELF64 file (bad magic, class or byte order). */
export class NotElfError extends SbpfLinkError {
  readonly code = "ERR_NOT_ELF";
  constructor(detail: string) {
    super(`input is not a little-endian ELF64 object: ${detail}`);
  }
}

/** Headers, sections, symbols or relocations point outside the file or are inconsistent. */
export class MalformedObjectError extends SbpfLinkError {
  readonly code = "ERR_MALFORMED_OBJECT";
  constructor(detail: string) {
    super(`malformed object: ${detail}`);
  }
}

/** e_machine is not EM_BPF (e.g. an x86_64 object). */
export class WrongMachineError extends SbpfLinkError {
  readonly code = "ERR_WRONG_MACHINE";
  constructor(readonly machine: number) {
    super(`object is for ELF machine ${machine}, expected EM_BPF (247)`);
  }
}

/** e_type is not ET_REL: the linker takes llc's relocatable output, not a linked file. */
export class NotRelocatableError extends SbpfLinkError {
  readonly code = "ERR_NOT_RELOCATABLE";
  constructor(readonly elfType: number) {
    super(`object has e_type ${elfType}, expected ET_REL (1)`);
  }
}

/** Writable data (`.data`, `.bss`): the SBPF loader rejects read-write sections. */
export class WritableDataError extends SbpfLinkError {
  readonly code = "ERR_WRITABLE_DATA";
  constructor(
    readonly section: string,
    readonly symbols: readonly string[],
  ) {
    const names = symbols.length > 0 ? symbols.join(", ") : "(no named symbol)";
    super(
      `writable section ${section} defines ${names}; SBPF programs cannot have writable statics ` +
        "(use `static` without interior mutability, or keep state in accounts)",
    );
  }
}

/** An allocated section of a kind the SBPFv0 layout has no place for. */
export class UnsupportedSectionError extends SbpfLinkError {
  readonly code = "ERR_UNSUPPORTED_SECTION";
  constructor(
    readonly section: string,
    readonly sectionType: number,
  ) {
    super(`unsupported allocated section ${section} (type ${sectionType})`);
  }
}

/** A relocation type the linker does not know how to apply in that kind of section. */
export class UnsupportedRelocationError extends SbpfLinkError {
  readonly code = "ERR_UNSUPPORTED_RELOCATION";
  constructor(
    readonly relocationType: number,
    readonly section: string,
    readonly offset: number,
  ) {
    super(`unsupported relocation type ${relocationType} in ${section} at offset 0x${offset.toString(16)}`);
  }
}

/** A relocation sits on an instruction it cannot apply to (e.g. R_BPF_64_32 not on a `call`). */
export class BadRelocationSiteError extends SbpfLinkError {
  readonly code = "ERR_BAD_RELOCATION_SITE";
  constructor(
    readonly relocationType: number,
    readonly section: string,
    readonly offset: number,
    readonly opcode: number,
  ) {
    super(
      `relocation type ${relocationType} in ${section} at 0x${offset.toString(16)} ` +
        `is on opcode 0x${opcode.toString(16)}`,
    );
  }
}

/** A data or address reference to a symbol nobody defines. */
export class UndefinedSymbolError extends SbpfLinkError {
  readonly code = "ERR_UNDEFINED_SYMBOL";
  constructor(readonly symbol: string) {
    super(`undefined symbol ${symbol} (only calls to known syscalls may stay unresolved)`);
  }
}

/** A call to an undefined function that is not a Solana syscall: it would fail at deploy time. */
export class UnknownSyscallError extends SbpfLinkError {
  readonly code = "ERR_UNKNOWN_SYSCALL";
  constructor(readonly symbol: string) {
    super(`call to undefined function ${symbol}, which is not a known Solana syscall`);
  }
}

/** An internal call does not land on the start of a function in .text. */
export class BadCallTargetError extends SbpfLinkError {
  readonly code = "ERR_BAD_CALL_TARGET";
  constructor(
    readonly section: string,
    readonly offset: number,
    readonly detail: string,
  ) {
    super(`call in ${section} at 0x${offset.toString(16)}: ${detail}`);
  }
}

/** The entry symbol is missing or not a function in .text. */
export class MissingEntrypointError extends SbpfLinkError {
  readonly code = "ERR_MISSING_ENTRYPOINT";
  constructor(readonly symbol: string) {
    super(`entry symbol ${symbol} is not defined as a function in .text`);
  }
}

/** An instruction SBPFv0 does not have (e.g. JMP32 from llc's default CPU). */
export class UnsupportedInstructionError extends SbpfLinkError {
  readonly code = "ERR_UNSUPPORTED_INSTRUCTION";
  constructor(
    readonly opcode: number,
    readonly textOffset: number,
    readonly functionName: string,
  ) {
    super(
      `opcode 0x${opcode.toString(16).padStart(2, "0")} at .text+0x${textOffset.toString(16)} ` +
        `(in ${functionName}) is not an SBPFv0 instruction; compile with llc -mcpu=v2`,
    );
  }
}
