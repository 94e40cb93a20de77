/**
 * A small bounds-checked ELF64 little-endian reader: headers, sections, symbols and REL
 * entries. Used on llc's relocatable objects and, in tests, on the linker's own output.
 */
import {
  ELF_MAGIC,
  ELF64_HEADER_SIZE,
  ELF64_PHDR_SIZE,
  ELF64_REL_SIZE,
  ELF64_SHDR_SIZE,
  ELF64_SYM_SIZE,
  ELFCLASS64,
  ELFDATA2LSB,
  SHT_NOBITS,
} from "./constants.js";
import { MalformedObjectError, NotElfError } from "./errors.js";

export interface ElfHeader {
  readonly type: number;
  readonly machine: number;
  readonly entry: bigint;
  readonly phoff: number;
  readonly shoff: number;
  readonly flags: number;
  readonly phnum: number;
  readonly shnum: number;
  readonly shstrndx: number;
}

export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: bigint;
  readonly addr: bigint;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: number;
  readonly entsize: number;
}

export interface ElfProgramHeader {
  readonly type: number;
  readonly flags: number;
  readonly offset: number;
  readonly vaddr: bigint;
  readonly filesz: number;
  readonly memsz: number;
}

export interface ElfSymbol {
  readonly index: number;
  readonly name: string;
  readonly bind: number;
  readonly type: number;
  readonly shndx: number;
  readonly value: bigint;
  readonly size: bigint;
}

export interface ElfRel {
  readonly offset: number;
  readonly type: number;
  readonly symbol: number;
}

export interface ElfFile {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly header: ElfHeader;
  readonly sections: readonly ElfSection[];
  readonly programHeaders: readonly ElfProgramHeader[];
}

function toSafe(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new MalformedObjectError(`${what} too large`);
  return Number(value);
}

function checkRange(bytes: Uint8Array, offset: number, size: number, what: string): void {
  if (offset < 0 || size < 0 || offset + size > bytes.length) {
    throw new MalformedObjectError(`${what} (0x${offset.toString(16)}+${size}) lies outside the file`);
  }
}

/** Reads a NUL-terminated string from a string table section. */
export function readString(file: ElfFile, table: ElfSection | undefined, offset: number): string {
  if (table === undefined) throw new MalformedObjectError("missing string table");
  if (offset >= table.size && !(offset === 0 && table.size === 0)) {
    throw new MalformedObjectError(`string offset ${offset} outside ${table.name || "string table"}`);
  }
  const start = table.offset + offset;
  const end = table.offset + table.size;
  let i = start;
  while (i < end && file.bytes[i] !== 0) i++;
  if (i === end && table.size > 0) throw new MalformedObjectError("unterminated string in string table");
  return new TextDecoder().decode(file.bytes.subarray(start, i));
}

export function parseElf(input: Uint8Array): ElfFile {
  const bytes = input;
  if (bytes.length < ELF64_HEADER_SIZE) throw new NotElfError(`only ${bytes.length} bytes`);
  for (let i = 0; i < ELF_MAGIC.length; i++) {
    if (bytes[i] !== ELF_MAGIC[i]) throw new NotElfError("bad magic");
  }
  if (bytes[4] !== ELFCLASS64) throw new NotElfError(`EI_CLASS ${bytes[4]} is not ELFCLASS64`);
  if (bytes[5] !== ELFDATA2LSB) throw new NotElfError(`EI_DATA ${bytes[5]} is not little-endian`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header: ElfHeader = {
    type: view.getUint16(16, true),
    machine: view.getUint16(18, true),
    entry: view.getBigUint64(24, true),
    phoff: toSafe(view.getBigUint64(32, true), "e_phoff"),
    shoff: toSafe(view.getBigUint64(40, true), "e_shoff"),
    flags: view.getUint32(48, true),
    phnum: view.getUint16(56, true),
    shnum: view.getUint16(60, true),
    shstrndx: view.getUint16(62, true),
  };
  if (header.shnum > 0 && view.getUint16(58, true) !== ELF64_SHDR_SIZE) {
    throw new MalformedObjectError("e_shentsize is not 64");
  }
  checkRange(bytes, header.shoff, header.shnum * ELF64_SHDR_SIZE, "section header table");
  checkRange(bytes, header.phoff, header.phnum * ELF64_PHDR_SIZE, "program header table");

  const raw: Omit<ElfSection, "name">[] = [];
  const nameOffsets: number[] = [];
  for (let i = 0; i < header.shnum; i++) {
    const at = header.shoff + i * ELF64_SHDR_SIZE;
    const type = view.getUint32(at + 4, true);
    const offset = toSafe(view.getBigUint64(at + 24, true), "sh_offset");
    const size = toSafe(view.getBigUint64(at + 32, true), "sh_size");
    if (type !== SHT_NOBITS) checkRange(bytes, offset, size, `section ${i}`);
    nameOffsets.push(view.getUint32(at, true));
    raw.push({
      index: i,
      type,
      flags: view.getBigUint64(at + 8, true),
      addr: view.getBigUint64(at + 16, true),
      offset,
      size,
      link: view.getUint32(at + 40, true),
      info: view.getUint32(at + 44, true),
      addralign: toSafe(view.getBigUint64(at + 48, true), "sh_addralign"),
      entsize: toSafe(view.getBigUint64(at + 56, true), "sh_entsize"),
    });
  }
  const programHeaders: ElfProgramHeader[] = [];
  for (let i = 0; i < header.phnum; i++) {
    const at = header.phoff + i * ELF64_PHDR_SIZE;
    programHeaders.push({
      type: view.getUint32(at, true),
      flags: view.getUint32(at + 4, true),
      offset: toSafe(view.getBigUint64(at + 8, true), "p_offset"),
      vaddr: view.getBigUint64(at + 16, true),
      filesz: toSafe(view.getBigUint64(at + 32, true), "p_filesz"),
      memsz: toSafe(view.getBigUint64(at + 40, true), "p_memsz"),
    });
  }
  const partial: ElfFile = { bytes, view, header, sections: [], programHeaders };
  const shstrtab = header.shstrndx < raw.length ? { ...raw[header.shstrndx]!, name: "" } : undefined;
  const sections = raw.map((section, i) => ({
    ...section,
    name: shstrtab === undefined ? "" : readString(partial, shstrtab, nameOffsets[i]!),
  }));
  return { bytes, view, header, sections, programHeaders };
}

/** The symbols of a SYMTAB or DYNSYM section, names resolved through its sh_link. */
export function readSymbols(file: ElfFile, table: ElfSection): ElfSymbol[] {
  if (table.size % ELF64_SYM_SIZE !== 0) throw new MalformedObjectError(`${table.name} size not a multiple of 24`);
  const strings = file.sections[table.link];
  const symbols: ElfSymbol[] = [];
  for (let i = 0; i < table.size / ELF64_SYM_SIZE; i++) {
    const at = table.offset + i * ELF64_SYM_SIZE;
    const info = file.view.getUint8(at + 4);
    symbols.push({
      index: i,
      name: readString(file, strings, file.view.getUint32(at, true)),
      bind: info >> 4,
      type: info & 0xf,
      shndx: file.view.getUint16(at + 6, true),
      value: file.view.getBigUint64(at + 8, true),
      size: file.view.getBigUint64(at + 16, true),
    });
  }
  return symbols;
}

/** The entries of a SHT_REL section (BPF objects carry implicit addends). */
export function readRels(file: ElfFile, section: ElfSection): ElfRel[] {
  if (section.size % ELF64_REL_SIZE !== 0) throw new MalformedObjectError(`${section.name} size not a multiple of 16`);
  const rels: ElfRel[] = [];
  for (let i = 0; i < section.size / ELF64_REL_SIZE; i++) {
    const at = section.offset + i * ELF64_REL_SIZE;
    const info = file.view.getBigUint64(at + 8, true);
    rels.push({
      offset: toSafe(file.view.getBigUint64(at, true), "r_offset"),
      type: Number(info & 0xffff_ffffn),
      symbol: Number(info >> 32n),
    });
  }
  return rels;
}
