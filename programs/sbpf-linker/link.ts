/**
 * Links one relocatable BPF object (llc's output for the whole program) into an SBPFv0 shared
 * object that solana-sbpf's loader accepts: ET_DYN, EM_BPF, e_flags 0, one `.text`, one merged
 * `.rodata`, `sh_addr == sh_offset` everywhere that is loaded, and `.dynamic`/`.dynsym`/
 * `.dynstr`/`.rel.dyn` describing the relocations the loader applies itself.
 *
 * Why each rewrite exists is written next to it; ../../docs/BUILD-PROGRAM.md has the overview.
 */
import {
  DEFAULT_ENTRY_SYMBOL,
  DT_NULL,
  DT_REL,
  DT_RELCOUNT,
  DT_RELENT,
  DT_RELSZ,
  DT_STRSZ,
  DT_STRTAB,
  DT_SYMENT,
  DT_SYMTAB,
  ELF_MAGIC,
  ELF64_DYN_SIZE,
  ELF64_HEADER_SIZE,
  ELF64_PHDR_SIZE,
  ELF64_REL_SIZE,
  ELF64_SHDR_SIZE,
  ELF64_SYM_SIZE,
  ELFCLASS64,
  ELFDATA2LSB,
  ELFOSABI_NONE,
  EM_BPF,
  ET_DYN,
  ET_REL,
  EV_CURRENT,
  IMM_OFFSET,
  INSN_SIZE,
  LDDW_HIGH_IMM_OFFSET,
  MM_PROGRAM_START,
  OP_CALL,
  OP_CALLX,
  OP_LDDW,
  OUTPUT_ALIGN,
  PF_R,
  PF_X,
  PT_DYNAMIC,
  PT_LOAD,
  R_BPF_64_32,
  R_BPF_64_64,
  R_BPF_64_ABS64,
  R_BPF_64_RELATIVE,
  R_BPF_NONE,
  SBPF_V0_FLAGS,
  SEGMENT_ALIGN,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_WRITE,
  SHN_ABS,
  SHN_COMMON,
  SHN_UNDEF,
  SHT_DYNAMIC,
  SHT_DYNSYM,
  SHT_NOBITS,
  SHT_NOTE,
  SHT_PROGBITS,
  SHT_REL,
  SHT_RELA,
  SHT_STRTAB,
  SHT_SYMTAB,
  STB_GLOBAL,
  STT_FUNC,
  STT_NOTYPE,
  STT_SECTION,
  SYSCALL_CALL_IMM,
} from "./constants.js";
import { type ElfFile, type ElfRel, type ElfSection, type ElfSymbol, parseElf, readRels, readSymbols } from "./elf-reader.js";
import {
  BadCallTargetError,
  BadRelocationSiteError,
  MalformedObjectError,
  MissingEntrypointError,
  NotRelocatableError,
  UndefinedSymbolError,
  UnknownSyscallError,
  UnsupportedInstructionError,
  UnsupportedRelocationError,
  UnsupportedSectionError,
  WritableDataError,
  WrongMachineError,
} from "./errors.js";
import { SBPF_V0_OPCODES } from "./opcodes.js";
import { KNOWN_SYSCALLS, SYSCALL_ALIASES } from "./syscalls.js";

export interface LinkOptions {
  /** Function whose address becomes e_entry (default `entrypoint`). */
  readonly entrySymbol?: string;
}

export interface LinkedFunction {
  readonly name: string;
  /** Offset in the file, which is also the address relative to MM_PROGRAM_START. */
  readonly address: number;
  readonly size: number;
}

export interface LinkedProgram {
  /** The SBPFv0 shared object. */
  readonly so: Uint8Array;
  /** Human-readable layout: sections, functions, syscalls. Deterministic like `so`. */
  readonly map: string;
  readonly textSize: number;
  readonly rodataSize: number;
  /** Syscall names in `.dynsym` order. */
  readonly syscalls: readonly string[];
  readonly functions: readonly LinkedFunction[];
  /** Count of dynamic relocations of each kind in `.rel.dyn`. */
  readonly relativeRelocations: number;
  readonly syscallRelocations: number;
  /** `callx` instructions whose register was moved from dst to imm. */
  readonly callxPatched: number;
}

/** Output sections, fixed order; index = section header index. */
const OUT = { null: 0, text: 1, rodata: 2, dynamic: 3, dynsym: 4, dynstr: 5, relDyn: 6, shstrtab: 7 } as const;
const SHSTRTAB_NAMES = ["", ".text", ".rodata", ".dynamic", ".dynsym", ".dynstr", ".rel.dyn", ".shstrtab"];
const PROGRAM_HEADER_COUNT = 3;
const DYNAMIC_ENTRY_COUNT = 9;

interface Placed {
  readonly section: ElfSection;
  /** Output address (== file offset) of the section's first byte. */
  readonly address: number;
  readonly kind: "text" | "rodata";
}

interface DynamicRelocation {
  readonly offset: number;
  readonly type: number;
  readonly symbol: number;
}

const alignUp = (value: number, align: number): number => (align <= 1 ? value : Math.ceil(value / align) * align);

function isRodataName(name: string): boolean {
  // `.data.rel.ro*` is flagged writable by llc but only holds relocated constants (vtables,
  // panic Locations, fn-pointer tables); with absolute addresses written here it is read-only.
  return name.startsWith(".rodata") || name.startsWith(".data.rel.ro");
}

function symbolsIn(symbols: readonly ElfSymbol[], section: ElfSection): string[] {
  return symbols.filter((s) => s.shndx === section.index && s.type !== STT_SECTION && s.name !== "").map((s) => s.name);
}

export function linkSbpf(object: Uint8Array, options: LinkOptions = {}): LinkedProgram {
  const entrySymbol = options.entrySymbol ?? DEFAULT_ENTRY_SYMBOL;
  const elf = parseElf(object);
  if (elf.header.machine !== EM_BPF) throw new WrongMachineError(elf.header.machine);
  if (elf.header.type !== ET_REL) throw new NotRelocatableError(elf.header.type);

  const symtab = elf.sections.find((s) => s.type === SHT_SYMTAB);
  const symbols = symtab === undefined ? [] : readSymbols(elf, symtab);

  // 1. Classify input sections.
  const textInputs: ElfSection[] = [];
  const rodataInputs: ElfSection[] = [];
  const relocationsFor = new Map<number, ElfSection[]>();
  for (const section of elf.sections) {
    if (section.type === SHT_REL) {
      relocationsFor.set(section.info, [...(relocationsFor.get(section.info) ?? []), section]);
      continue;
    }
    if (section.type === SHT_RELA) {
      const target = elf.sections[section.info];
      if (target !== undefined && (target.flags & SHF_ALLOC) !== 0n) {
        throw new UnsupportedSectionError(section.name, section.type);
      }
      continue;
    }
    if ((section.flags & SHF_ALLOC) === 0n || section.type === SHT_NOTE) continue;
    if (section.type === SHT_NOBITS) {
      if (section.size > 0) throw new WritableDataError(section.name, symbolsIn(symbols, section));
      continue;
    }
    if (section.type !== SHT_PROGBITS) {
      if (section.size > 0) throw new UnsupportedSectionError(section.name, section.type);
      continue;
    }
    if ((section.flags & SHF_EXECINSTR) !== 0n) {
      textInputs.push(section);
    } else if (isRodataName(section.name) || (section.flags & SHF_WRITE) === 0n) {
      rodataInputs.push(section);
    } else if (section.size > 0) {
      throw new WritableDataError(section.name, symbolsIn(symbols, section));
    }
  }
  for (const symbol of symbols) {
    if (symbol.shndx === SHN_COMMON) throw new WritableDataError("COMMON", [symbol.name]);
  }
  // `.text` first, then `.text.unlikely.` etc. in file order: the loader wants exactly one .text.
  textInputs.sort((a, b) => (a.name === ".text" ? -1 : b.name === ".text" ? 1 : a.index - b.index));

  // 2. Layout of the loaded part: headers, .text, .rodata. sh_addr == sh_offset for each.
  const placed = new Map<number, Placed>();
  const textStart = alignUp(ELF64_HEADER_SIZE + PROGRAM_HEADER_COUNT * ELF64_PHDR_SIZE, OUTPUT_ALIGN);
  let cursor = textStart;
  for (const section of textInputs) {
    cursor = alignUp(cursor, Math.max(section.addralign, INSN_SIZE));
    placed.set(section.index, { section, address: cursor, kind: "text" });
    cursor += section.size;
  }
  const textEnd = cursor;
  const rodataStart = alignUp(textEnd, OUTPUT_ALIGN);
  cursor = rodataStart;
  for (const section of rodataInputs) {
    cursor = alignUp(cursor, Math.max(section.addralign, 1));
    placed.set(section.index, { section, address: cursor, kind: "rodata" });
    cursor += section.size;
  }
  const rodataEnd = cursor;

  const text = new Uint8Array(textEnd - textStart);
  const rodata = new Uint8Array(rodataEnd - rodataStart);
  for (const p of placed.values()) {
    const target = p.kind === "text" ? text : rodata;
    const base = p.kind === "text" ? textStart : rodataStart;
    target.set(elf.bytes.subarray(p.section.offset, p.section.offset + p.section.size), p.address - base);
  }
  const textView = new DataView(text.buffer);
  const rodataView = new DataView(rodata.buffer);

  // Function starts (for call checks, error messages and the map).
  const functions: LinkedFunction[] = [];
  for (const symbol of symbols) {
    const p = placed.get(symbol.shndx);
    if (symbol.type !== STT_FUNC || p === undefined || p.kind !== "text") continue;
    functions.push({ name: symbol.name, address: p.address + Number(symbol.value), size: Number(symbol.size) });
  }
  // Code-unit order, not localeCompare: the map must not depend on the machine's locale.
  functions.sort((a, b) => a.address - b.address || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const functionStarts = new Set(functions.map((f) => f.address));
  const functionAt = (address: number): string =>
    functions.filter((f) => f.address <= address).at(-1)?.name ?? "(no function symbol)";

  const symbolAddress = (symbol: ElfSymbol): number | undefined => {
    if (symbol.shndx === SHN_UNDEF) return undefined;
    if (symbol.shndx === SHN_ABS) return Number(symbol.value);
    const p = placed.get(symbol.shndx);
    if (p === undefined) {
      throw new MalformedObjectError(`symbol ${symbol.name || "(section)"} is in a section that is not loaded`);
    }
    return p.address + Number(symbol.value);
  };
  const symbolAt = (rel: ElfRel, where: string): ElfSymbol => {
    const symbol = symbols[rel.symbol];
    if (symbol === undefined) throw new MalformedObjectError(`relocation in ${where} names symbol ${rel.symbol}`);
    return symbol;
  };

  // 3. Relocations.
  const dynamic: DynamicRelocation[] = [];
  const syscallNames = new Set<string>();
  const syscallRelocations: { offset: number; name: string }[] = [];
  for (const p of placed.values()) {
    const name = p.section.name;
    const rels = (relocationsFor.get(p.section.index) ?? []).flatMap((r) => readRels(elf, r));
    for (const rel of rels) {
      if (rel.type === R_BPF_NONE) continue;
      const symbol = symbolAt(rel, name);
      const address = p.address + rel.offset;
      if (p.kind === "text") {
        const at = address - textStart;
        if (rel.offset + INSN_SIZE > p.section.size || rel.offset % INSN_SIZE !== 0) {
          throw new MalformedObjectError(`relocation at ${name}+0x${rel.offset.toString(16)} is not on an instruction`);
        }
        const opcode = text[at]!;
        if (rel.type === R_BPF_64_64) {
          // `lddw rX, symbol`: write the address relative to the program region and let the
          // loader add MM_PROGRAM_START through a dynamic R_BPF_64_RELATIVE.
          if (opcode !== OP_LDDW || rel.offset + 2 * INSN_SIZE > p.section.size) {
            throw new BadRelocationSiteError(rel.type, name, rel.offset, opcode);
          }
          const target = symbolAddress(symbol);
          if (target === undefined) throw new UndefinedSymbolError(symbol.name);
          const addend =
            BigInt(textView.getUint32(at + IMM_OFFSET, true)) |
            (BigInt(textView.getUint32(at + LDDW_HIGH_IMM_OFFSET, true)) << 32n);
          const value = BigInt(target) + addend;
          textView.setUint32(at + IMM_OFFSET, Number(value & 0xffff_ffffn), true);
          textView.setUint32(at + LDDW_HIGH_IMM_OFFSET, Number(value >> 32n), true);
          dynamic.push({ offset: address, type: R_BPF_64_RELATIVE, symbol: 0 });
        } else if (rel.type === R_BPF_64_32) {
          if (opcode !== OP_CALL) throw new BadRelocationSiteError(rel.type, name, rel.offset, opcode);
          const target = symbolAddress(symbol);
          if (target === undefined) {
            // Syscall: keep `call -1`; the loader writes murmur3(name) through a dynamic reloc.
            const syscall = SYSCALL_ALIASES.get(symbol.name) ?? symbol.name;
            if (!KNOWN_SYSCALLS.has(syscall)) throw new UnknownSyscallError(symbol.name);
            textView.setInt32(at + IMM_OFFSET, SYSCALL_CALL_IMM, true);
            syscallNames.add(syscall);
            syscallRelocations.push({ offset: address, name: syscall });
          } else {
            // Internal call: BPF calls are pc-relative in instructions; llc encodes the target
            // as symbol + (imm + 1) * 8 (imm = -1 for a function symbol, offset/8 - 1 for a
            // section symbol). The loader registers every `call imm != -1` as a function.
            const imm = textView.getInt32(at + IMM_OFFSET, true);
            const destination = target + (imm + 1) * INSN_SIZE;
            if (destination < textStart || destination >= textEnd || !functionStarts.has(destination)) {
              throw new BadCallTargetError(
                name,
                rel.offset,
                `target 0x${destination.toString(16)} is not the start of a function in .text`,
              );
            }
            textView.setInt32(at + IMM_OFFSET, (destination - (address + INSN_SIZE)) / INSN_SIZE, true);
          }
        } else {
          throw new UnsupportedRelocationError(rel.type, name, rel.offset);
        }
      } else {
        if (rel.type !== R_BPF_64_ABS64) throw new UnsupportedRelocationError(rel.type, name, rel.offset);
        if (rel.offset + 8 > p.section.size) {
          throw new MalformedObjectError(`relocation at ${name}+0x${rel.offset.toString(16)} runs past the section`);
        }
        // Pointers in read-only data (vtables, fn tables, panic Locations) get their final VM
        // address here. A dynamic RELATIVE in data would hit the SBPFv0 loader's legacy quirk
        // (it reads only 32 bits at r_offset+4) and corrupt 64-bit pointers.
        const target = symbolAddress(symbol);
        if (target === undefined) throw new UndefinedSymbolError(symbol.name);
        const at = address - rodataStart;
        const addend = rodataView.getBigUint64(at, true);
        const base = symbol.shndx === SHN_ABS ? 0n : MM_PROGRAM_START;
        rodataView.setBigUint64(at, BigInt.asUintN(64, base + BigInt(target) + addend), true);
      }
    }
  }

  // 4. Instruction pass: SBPFv0 opcode check and the callx encoding fix. LLVM 22 puts the
  // callx register in dst; SBPFv0 reads it from imm.
  let callxPatched = 0;
  for (let at = 0; at < text.length; at += INSN_SIZE) {
    const opcode = text[at]!;
    if (!SBPF_V0_OPCODES.has(opcode)) {
      throw new UnsupportedInstructionError(opcode, at, functionAt(textStart + at));
    }
    if (opcode === OP_LDDW) {
      if (at + 2 * INSN_SIZE > text.length || text[at + INSN_SIZE] !== 0) {
        throw new MalformedObjectError(`lddw at .text+0x${at.toString(16)} has no valid second slot`);
      }
      at += INSN_SIZE;
    } else if (opcode === OP_CALLX) {
      const dst = text[at + 1]! & 0x0f;
      if (textView.getInt32(at + IMM_OFFSET, true) === 0 && dst !== 0) {
        textView.setInt32(at + IMM_OFFSET, dst, true);
        callxPatched++;
      }
    }
  }

  // 5. Entry point.
  const entry = symbols.find(
    (s) => s.name === entrySymbol && s.bind === STB_GLOBAL && placed.get(s.shndx)?.kind === "text",
  );
  if (entry === undefined) throw new MissingEntrypointError(entrySymbol);
  const entryAddress = symbolAddress(entry)!;

  // 6. Dynamic symbols (sorted by name: stable output) and relocations.
  const dynsymNames = [...syscallNames].sort();
  const dynsymIndex = new Map(dynsymNames.map((n, i) => [n, i + 1]));
  for (const r of syscallRelocations) {
    dynamic.push({ offset: r.offset, type: R_BPF_64_32, symbol: dynsymIndex.get(r.name)! });
  }
  // RELATIVE first (DT_RELCOUNT counts the leading relative entries), each group by offset.
  dynamic.sort((a, b) =>
    a.type === b.type ? a.offset - b.offset : a.type === R_BPF_64_RELATIVE ? -1 : b.type === R_BPF_64_RELATIVE ? 1 : 0,
  );
  const relativeCount = dynamic.filter((d) => d.type === R_BPF_64_RELATIVE).length;

  const encoder = new TextEncoder();
  const dynstrParts: Uint8Array[] = [new Uint8Array(1)];
  const dynstrOffsets: number[] = [];
  let dynstrSize = 1;
  for (const n of dynsymNames) {
    dynstrOffsets.push(dynstrSize);
    const bytes = encoder.encode(n);
    dynstrParts.push(bytes, new Uint8Array(1));
    dynstrSize += bytes.length + 1;
  }
  const shstrOffsets: number[] = [];
  let shstrSize = 0;
  for (const n of SHSTRTAB_NAMES) {
    shstrOffsets.push(shstrSize);
    shstrSize += encoder.encode(n).length + 1;
  }

  // 7. Layout of the rest: .dynamic, .dynsym, .dynstr, .rel.dyn, .shstrtab, section headers.
  const dynamicOff = alignUp(rodataEnd, OUTPUT_ALIGN);
  const dynamicSize = DYNAMIC_ENTRY_COUNT * ELF64_DYN_SIZE;
  const dynsymOff = alignUp(dynamicOff + dynamicSize, OUTPUT_ALIGN);
  const dynsymSize = (dynsymNames.length + 1) * ELF64_SYM_SIZE;
  const dynstrOff = dynsymOff + dynsymSize;
  const relDynOff = alignUp(dynstrOff + dynstrSize, OUTPUT_ALIGN);
  const relDynSize = dynamic.length * ELF64_REL_SIZE;
  const shstrOff = relDynOff + relDynSize;
  const shOff = alignUp(shstrOff + shstrSize, OUTPUT_ALIGN);
  const shnum = SHSTRTAB_NAMES.length;
  const total = shOff + shnum * ELF64_SHDR_SIZE;

  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  const u64 = (at: number, v: number | bigint) => view.setBigUint64(at, BigInt(v), true);

  // ELF header.
  out.set(ELF_MAGIC, 0);
  out[4] = ELFCLASS64;
  out[5] = ELFDATA2LSB;
  out[6] = EV_CURRENT;
  out[7] = ELFOSABI_NONE;
  view.setUint16(16, ET_DYN, true);
  view.setUint16(18, EM_BPF, true);
  view.setUint32(20, EV_CURRENT, true);
  u64(24, entryAddress);
  u64(32, ELF64_HEADER_SIZE);
  u64(40, shOff);
  view.setUint32(48, SBPF_V0_FLAGS, true);
  view.setUint16(52, ELF64_HEADER_SIZE, true);
  view.setUint16(54, ELF64_PHDR_SIZE, true);
  view.setUint16(56, PROGRAM_HEADER_COUNT, true);
  view.setUint16(58, ELF64_SHDR_SIZE, true);
  view.setUint16(60, shnum, true);
  view.setUint16(62, OUT.shstrtab, true);

  // Program headers: text (R+X), read-only data through the dynamic tables (R), PT_DYNAMIC.
  const phdr = (i: number, type: number, flags: number, offset: number, size: number, align: bigint) => {
    const at = ELF64_HEADER_SIZE + i * ELF64_PHDR_SIZE;
    view.setUint32(at, type, true);
    view.setUint32(at + 4, flags, true);
    u64(at + 8, offset);
    u64(at + 16, offset);
    u64(at + 24, offset);
    u64(at + 32, size);
    u64(at + 40, size);
    u64(at + 48, align);
  };
  phdr(0, PT_LOAD, PF_R | PF_X, textStart, textEnd - textStart, SEGMENT_ALIGN);
  phdr(1, PT_LOAD, PF_R, rodataStart, relDynOff + relDynSize - rodataStart, SEGMENT_ALIGN);
  phdr(2, PT_DYNAMIC, PF_R, dynamicOff, dynamicSize, BigInt(OUTPUT_ALIGN));

  out.set(text, textStart);
  out.set(rodata, rodataStart);

  const dynEntries: [bigint, number][] = [
    [DT_SYMTAB, dynsymOff],
    [DT_STRTAB, dynstrOff],
    [DT_STRSZ, dynstrSize],
    [DT_SYMENT, ELF64_SYM_SIZE],
    [DT_REL, relDynOff],
    [DT_RELSZ, relDynSize],
    [DT_RELENT, ELF64_REL_SIZE],
    [DT_RELCOUNT, relativeCount],
    [DT_NULL, 0],
  ];
  dynEntries.forEach(([tag, value], i) => {
    u64(dynamicOff + i * ELF64_DYN_SIZE, tag);
    u64(dynamicOff + i * ELF64_DYN_SIZE + 8, value);
  });

  dynsymNames.forEach((_, i) => {
    const at = dynsymOff + (i + 1) * ELF64_SYM_SIZE;
    view.setUint32(at, dynstrOffsets[i]!, true);
    out[at + 4] = (STB_GLOBAL << 4) | STT_NOTYPE;
  });
  let at = dynstrOff;
  for (const part of dynstrParts) {
    out.set(part, at);
    at += part.length;
  }
  dynamic.forEach((d, i) => {
    u64(relDynOff + i * ELF64_REL_SIZE, d.offset);
    u64(relDynOff + i * ELF64_REL_SIZE + 8, (BigInt(d.symbol) << 32n) | BigInt(d.type));
  });
  SHSTRTAB_NAMES.forEach((n, i) => {
    out.set(encoder.encode(n), shstrOff + shstrOffsets[i]!);
  });

  const shdr = (
    i: number,
    type: number,
    flags: bigint,
    offset: number,
    size: number,
    link: number,
    info: number,
    align: number,
    entsize: number,
    loaded: boolean,
  ) => {
    const h = shOff + i * ELF64_SHDR_SIZE;
    view.setUint32(h, shstrOffsets[i]!, true);
    view.setUint32(h + 4, type, true);
    u64(h + 8, flags);
    u64(h + 16, loaded ? offset : 0);
    u64(h + 24, offset);
    u64(h + 32, size);
    view.setUint32(h + 40, link, true);
    view.setUint32(h + 44, info, true);
    u64(h + 48, align);
    u64(h + 56, entsize);
  };
  shdr(OUT.text, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, textStart, textEnd - textStart, 0, 0, OUTPUT_ALIGN, 0, true);
  shdr(OUT.rodata, SHT_PROGBITS, SHF_ALLOC, rodataStart, rodataEnd - rodataStart, 0, 0, OUTPUT_ALIGN, 0, true);
  shdr(OUT.dynamic, SHT_DYNAMIC, SHF_ALLOC, dynamicOff, dynamicSize, OUT.dynstr, 0, 8, ELF64_DYN_SIZE, true);
  shdr(OUT.dynsym, SHT_DYNSYM, SHF_ALLOC, dynsymOff, dynsymSize, OUT.dynstr, 1, 8, ELF64_SYM_SIZE, true);
  shdr(OUT.dynstr, SHT_STRTAB, SHF_ALLOC, dynstrOff, dynstrSize, 0, 0, 1, 0, true);
  shdr(OUT.relDyn, SHT_REL, SHF_ALLOC, relDynOff, relDynSize, OUT.dynsym, 0, 8, ELF64_REL_SIZE, true);
  shdr(OUT.shstrtab, SHT_STRTAB, 0n, shstrOff, shstrSize, 0, 0, 1, 0, false);

  const hex = (n: number) => `0x${n.toString(16).padStart(6, "0")}`;
  const map = [
    "# SBPFv0 link map (addresses are file offsets; VM address = 0x100000000 + offset)",
    `entry ${hex(entryAddress)} ${entrySymbol}`,
    `.text   ${hex(textStart)} ${textEnd - textStart} bytes`,
    `.rodata ${hex(rodataStart)} ${rodataEnd - rodataStart} bytes`,
    `.rel.dyn ${relativeCount} relative, ${syscallRelocations.length} syscall`,
    `syscalls ${dynsymNames.join(" ")}`,
    "# functions",
    ...functions.map((f) => `${hex(f.address)} ${String(f.size).padStart(6)} ${f.name}`),
    "",
  ].join("\n");

  return {
    so: out,
    map,
    textSize: textEnd - textStart,
    rodataSize: rodataEnd - rodataStart,
    syscalls: dynsymNames,
    functions,
    relativeRelocations: relativeCount,
    syscallRelocations: syscallRelocations.length,
    callxPatched,
  };
}

/** Reads back a linked program's basic facts (for tests and tooling). */
export function describeSharedObject(so: Uint8Array): { elf: ElfFile; dynsym: ElfSymbol[]; relDyn: ElfRel[] } {
  const elf = parseElf(so);
  const dynsymSection = elf.sections.find((s) => s.type === SHT_DYNSYM);
  const relSection = elf.sections.find((s) => s.type === SHT_REL);
  return {
    elf,
    dynsym: dynsymSection === undefined ? [] : readSymbols(elf, dynsymSection),
    relDyn: relSection === undefined ? [] : readRels(elf, relSection),
  };
}
