/**
 * Test support: writes small ET_REL BPF objects by hand (the same shape llc produces: SHT_REL
 * relocations with implicit addends, a .symtab with locals first) and encodes the handful of
 * eBPF instructions the linker tests need. Lets the linker be tested without LLVM installed.
 */
import { elfConstants as C } from "../../../programs/sbpf-linker/index.js";

export interface SectionSpec {
  readonly name: string;
  readonly type?: number;
  readonly flags: bigint;
  readonly data?: Uint8Array;
  /** For SHT_NOBITS. */
  readonly size?: number;
  readonly align?: number;
}

export interface SymbolSpec {
  readonly name: string;
  /** Section name, or undefined for an undefined symbol. */
  readonly section?: string;
  readonly value?: number;
  readonly size?: number;
  readonly type?: "func" | "object" | "notype" | "section";
  readonly bind?: "local" | "global";
}

export interface RelocationSpec {
  readonly section: string;
  readonly offset: number;
  readonly type: number;
  /** Symbol name; section symbols are named after their section. */
  readonly symbol: string;
}

export interface ObjectSpec {
  readonly machine?: number;
  readonly elfType?: number;
  readonly sections: readonly SectionSpec[];
  readonly symbols: readonly SymbolSpec[];
  readonly relocations?: readonly RelocationSpec[];
}

export const TEXT_FLAGS = C.SHF_ALLOC | C.SHF_EXECINSTR;
export const RODATA_FLAGS = C.SHF_ALLOC;
export const DATA_FLAGS = C.SHF_ALLOC | C.SHF_WRITE;

class StringTable {
  private readonly parts: Uint8Array[] = [new Uint8Array(1)];
  private size = 1;
  add(text: string): number {
    if (text === "") return 0;
    const bytes = new TextEncoder().encode(text);
    const at = this.size;
    this.parts.push(bytes, new Uint8Array(1));
    this.size += bytes.length + 1;
    return at;
  }
  bytes(): Uint8Array {
    return concat(this.parts);
  }
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function buildObject(spec: ObjectSpec): Uint8Array {
  // Section order: null, user sections, .rel.* (one per relocated section), .symtab, .strtab, .shstrtab.
  const relocated = [...new Set((spec.relocations ?? []).map((r) => r.section))];
  const names = [
    "",
    ...spec.sections.map((s) => s.name),
    ...relocated.map((s) => `.rel${s}`),
    ".symtab",
    ".strtab",
    ".shstrtab",
  ];
  const sectionIndex = (name: string): number => {
    const i = spec.sections.findIndex((s) => s.name === name);
    if (i < 0) throw new Error(`test object: no section ${name}`);
    return i + 1;
  };
  const symtabIndex = names.length - 3;
  const strtabIndex = names.length - 2;

  const strtab = new StringTable();
  const ordered = [...spec.symbols].sort((a, b) => (a.bind === "global" ? 1 : 0) - (b.bind === "global" ? 1 : 0));
  const firstGlobal = 1 + ordered.filter((s) => s.bind !== "global").length;
  const symtab = new Uint8Array((ordered.length + 1) * C.ELF64_SYM_SIZE);
  const symView = new DataView(symtab.buffer);
  ordered.forEach((s, i) => {
    const at = (i + 1) * C.ELF64_SYM_SIZE;
    const type = { func: C.STT_FUNC, object: C.STT_OBJECT, notype: C.STT_NOTYPE, section: C.STT_SECTION }[
      s.type ?? "notype"
    ];
    symView.setUint32(at, s.type === "section" ? 0 : strtab.add(s.name), true);
    symtab[at + 4] = ((s.bind === "global" ? C.STB_GLOBAL : C.STB_LOCAL) << 4) | type;
    symView.setUint16(at + 6, s.section === undefined ? C.SHN_UNDEF : sectionIndex(s.section), true);
    symView.setBigUint64(at + 8, BigInt(s.value ?? 0), true);
    symView.setBigUint64(at + 16, BigInt(s.size ?? 0), true);
  });
  const symbolIndex = (name: string): number => {
    const i = ordered.findIndex((s) => s.name === name);
    if (i < 0) throw new Error(`test object: no symbol ${name}`);
    return i + 1;
  };
  const relBodies = relocated.map((section) => {
    const rels = (spec.relocations ?? []).filter((r) => r.section === section);
    const body = new Uint8Array(rels.length * C.ELF64_REL_SIZE);
    const view = new DataView(body.buffer);
    rels.forEach((r, i) => {
      view.setBigUint64(i * 16, BigInt(r.offset), true);
      view.setBigUint64(i * 16 + 8, (BigInt(symbolIndex(r.symbol)) << 32n) | BigInt(r.type), true);
    });
    return body;
  });
  const shstrtab = new StringTable();
  const nameOffsets = names.map((n) => shstrtab.add(n));
  const shstrBytes = shstrtab.bytes();
  const strBytes = strtab.bytes();

  const bodies: Uint8Array[] = [
    new Uint8Array(0),
    ...spec.sections.map((s) => (s.type === C.SHT_NOBITS ? new Uint8Array(0) : (s.data ?? new Uint8Array(0)))),
    ...relBodies,
    symtab,
    strBytes,
    shstrBytes,
  ];
  const offsets: number[] = [];
  let at = C.ELF64_HEADER_SIZE;
  for (const body of bodies) {
    at = Math.ceil(at / 8) * 8;
    offsets.push(at);
    at += body.length;
  }
  const shoff = Math.ceil(at / 8) * 8;
  const out = new Uint8Array(shoff + names.length * C.ELF64_SHDR_SIZE);
  const view = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, C.ELFCLASS64, C.ELFDATA2LSB, C.EV_CURRENT], 0);
  view.setUint16(16, spec.elfType ?? C.ET_REL, true);
  view.setUint16(18, spec.machine ?? C.EM_BPF, true);
  view.setUint32(20, C.EV_CURRENT, true);
  view.setBigUint64(40, BigInt(shoff), true);
  view.setUint16(52, C.ELF64_HEADER_SIZE, true);
  view.setUint16(58, C.ELF64_SHDR_SIZE, true);
  view.setUint16(60, names.length, true);
  view.setUint16(62, names.length - 1, true);
  bodies.forEach((body, i) => {
    out.set(body, offsets[i]!);
  });

  const header = (i: number, type: number, flags: bigint, size: number, link: number, info: number, align: number, entsize: number) => {
    const h = shoff + i * C.ELF64_SHDR_SIZE;
    view.setUint32(h, nameOffsets[i]!, true);
    view.setUint32(h + 4, type, true);
    view.setBigUint64(h + 8, flags, true);
    view.setBigUint64(h + 24, BigInt(offsets[i]!), true);
    view.setBigUint64(h + 32, BigInt(size), true);
    view.setUint32(h + 40, link, true);
    view.setUint32(h + 44, info, true);
    view.setBigUint64(h + 48, BigInt(align), true);
    view.setBigUint64(h + 56, BigInt(entsize), true);
  };
  spec.sections.forEach((s, i) => {
    const type = s.type ?? C.SHT_PROGBITS;
    const size = type === C.SHT_NOBITS ? (s.size ?? 0) : (s.data?.length ?? 0);
    header(i + 1, type, s.flags, size, 0, 0, s.align ?? 8, 0);
  });
  relocated.forEach((section, i) => {
    header(1 + spec.sections.length + i, C.SHT_REL, 0n, relBodies[i]!.length, symtabIndex, sectionIndex(section), 8, 16);
  });
  header(symtabIndex, C.SHT_SYMTAB, 0n, symtab.length, strtabIndex, firstGlobal, 8, C.ELF64_SYM_SIZE);
  header(strtabIndex, C.SHT_STRTAB, 0n, strBytes.length, 0, 0, 1, 0);
  header(names.length - 1, C.SHT_STRTAB, 0n, shstrBytes.length, 0, 0, 1, 0);
  return out;
}

// --- eBPF instruction encoding -------------------------------------------------------------

export function insn(opcode: number, dst = 0, src = 0, offset = 0, imm = 0): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  out[0] = opcode;
  out[1] = (src << 4) | dst;
  view.setInt16(2, offset, true);
  view.setInt32(4, imm, true);
  return out;
}

export const asm = {
  lddw: (dst: number, value: number) => concat([insn(0x18, dst, 0, 0, value), insn(0, 0, 0, 0, 0)]),
  mov64: (dst: number, imm: number) => insn(0xb7, dst, 0, 0, imm),
  ldxdw: (dst: number, src: number, offset: number) => insn(0x79, dst, src, offset),
  call: (imm: number) => insn(0x85, 0, 0, 0, imm),
  /** LLVM 22's encoding: register in dst, imm 0. */
  callxLlvm: (reg: number) => insn(0x8d, reg, 0, 0, 0),
  exit: () => insn(0x95),
  /** JMP32 `jeq32 dst, imm, +off`: valid eBPF, not SBPFv0. */
  jeq32: (dst: number, imm: number, offset: number) => insn(0x16, dst, 0, offset, imm),
};

export function ascii(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
