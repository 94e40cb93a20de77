/**
 * sbpf-linker: turns llc's relocatable BPF object into an SBPFv0 shared object that the Solana
 * loader (solana-sbpf, as in Agave and litesvm) accepts. See docs/BUILD-PROGRAM.md.
 */
export * as elfConstants from "./constants.js";
export type { ElfFile, ElfHeader, ElfProgramHeader, ElfRel, ElfSection, ElfSymbol } from "./elf-reader.js";
export { parseElf, readRels, readString, readSymbols } from "./elf-reader.js";
export {
  BadCallTargetError,
  BadRelocationSiteError,
  MalformedObjectError,
  MissingEntrypointError,
  NotElfError,
  NotRelocatableError,
  SbpfLinkError,
  UndefinedSymbolError,
  UnknownSyscallError,
  UnsupportedInstructionError,
  UnsupportedRelocationError,
  UnsupportedSectionError,
  WritableDataError,
  WrongMachineError,
} from "./errors.js";
export type { LinkedFunction, LinkedProgram, LinkOptions } from "./link.js";
export { describeSharedObject, linkSbpf } from "./link.js";
export { SBPF_V0_OPCODES } from "./opcodes.js";
export { KNOWN_SYSCALLS, SYSCALL_ALIASES } from "./syscalls.js";
