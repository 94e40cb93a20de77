/**
 * ELF and SBPF numbers the linker reads and writes. Sources: the System V gABI (ELF64 layout),
 * LLVM's `llvm/BinaryFormat/ELFRelocs/BPF.def` (relocation types), and solana-sbpf
 * (`elf.rs`, `ebpf.rs`: memory map, loader checks, dynamic relocation types).
 */

/** `\x7fELF`, EI_CLASS = ELFCLASS64, EI_DATA = ELFDATA2LSB, EI_VERSION = EV_CURRENT. */
export const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46] as const;
export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;
export const EV_CURRENT = 1;
export const ELFOSABI_NONE = 0;

export const ET_REL = 1;
export const ET_DYN = 3;
/** EM_BPF from the gABI machine registry; the SBPF loader accepts it for SBPFv0. */
export const EM_BPF = 247;
/** solana-sbpf reads the SBPF version from e_flags; 0 selects SBPFv0 (the lenient parser). */
export const SBPF_V0_FLAGS = 0;

export const ELF64_HEADER_SIZE = 64;
export const ELF64_PHDR_SIZE = 56;
export const ELF64_SHDR_SIZE = 64;
export const ELF64_SYM_SIZE = 24;
export const ELF64_REL_SIZE = 16;
export const ELF64_RELA_SIZE = 24;
export const ELF64_DYN_SIZE = 16;

// Section types (gABI, plus LLVM's address-significance table).
export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_DYNAMIC = 6;
export const SHT_NOTE = 7;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHT_DYNSYM = 11;
export const SHT_LLVM_ADDRSIG = 0x6fff4c03;

// Section flags.
export const SHF_WRITE = 0x1n;
export const SHF_ALLOC = 0x2n;
export const SHF_EXECINSTR = 0x4n;

// Symbol table.
export const SHN_UNDEF = 0;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;

// Program headers.
export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;
/** Page alignment of the PT_LOAD segments; vaddr == offset, so any power of two is consistent. */
export const SEGMENT_ALIGN = 0x1000n;

// Dynamic section tags (gABI; DT_RELCOUNT is the GNU extension lld and the SBPF loader use).
export const DT_NULL = 0n;
export const DT_STRTAB = 5n;
export const DT_SYMTAB = 6n;
export const DT_STRSZ = 10n;
export const DT_SYMENT = 11n;
export const DT_REL = 17n;
export const DT_RELSZ = 18n;
export const DT_RELENT = 19n;
export const DT_RELCOUNT = 0x6ffffffan;

// BPF relocation types (LLVM BPF.def; solana-sbpf `BpfRelocationType`).
export const R_BPF_NONE = 0;
/** `lddw` of a symbol address (implicit addend in the low immediate). */
export const R_BPF_64_64 = 1;
/** 64-bit absolute address in data (implicit addend in place). */
export const R_BPF_64_ABS64 = 2;
export const R_BPF_64_ABS32 = 3;
export const R_BPF_64_NODYLD32 = 4;
/** Dynamic: loader adds the program region base to an `lddw` immediate. */
export const R_BPF_64_RELATIVE = 8;
/** `call` to a symbol; against an undefined dynamic symbol the loader writes murmur3(name). */
export const R_BPF_64_32 = 10;

/** Virtual address where solana-sbpf maps the program (text + rodata): `MM_PROGRAM_START`. */
export const MM_PROGRAM_START = 0x1_0000_0000n;

/** eBPF instruction slot size; `lddw` takes two slots. */
export const INSN_SIZE = 8;
/** Offset of the 32-bit immediate inside an instruction slot. */
export const IMM_OFFSET = 4;
/** The `lddw` second slot's immediate holds the high half of the 64-bit constant. */
export const LDDW_HIGH_IMM_OFFSET = INSN_SIZE + IMM_OFFSET;

export const OP_LDDW = 0x18;
export const OP_CALL = 0x85;
export const OP_CALLX = 0x8d;
/** Immediate of a syscall `call` before the loader resolves it (solana-sbpf convention). */
export const SYSCALL_CALL_IMM = -1;

/** Alignment of the output sections that hold 64-bit data (instructions, tables, pointers). */
export const OUTPUT_ALIGN = 8;

/** Symbol the loader starts at unless told otherwise (the SBF entrypoint convention). */
export const DEFAULT_ENTRY_SYMBOL = "entrypoint";
