import { address } from "@solana/kit";
import { expect } from "chai";
import {
  BadCallTargetError,
  BadRelocationSiteError,
  describeSharedObject,
  elfConstants as C,
  type LinkedProgram,
  linkSbpf,
  MalformedObjectError,
  MissingEntrypointError,
  NotElfError,
  NotRelocatableError,
  readString,
  UndefinedSymbolError,
  UnknownSyscallError,
  UnsupportedInstructionError,
  UnsupportedRelocationError,
  WritableDataError,
  WrongMachineError,
} from "../../../programs/sbpf-linker/index.js";
import {
  ascii,
  asm,
  buildObject,
  concat,
  DATA_FLAGS,
  type ObjectSpec,
  RODATA_FLAGS,
  TEXT_FLAGS,
} from "./object-builder.js";
import { freshSvm, programLogs, runInstruction } from "./svm.js";

const MESSAGE_1 = "hello from a hand-made object";
const MESSAGE_2 = "helper reached";
/** MESSAGE_1 sits after 8 bytes of padding so the lddw addend is exercised. */
const MESSAGE_1_OFFSET = 8;
/** Offset of the fn-pointer table inside the merged .rodata (after 37 + 14 bytes, aligned to 8). */
const TABLE_OFFSET = 56;

/**
 * entrypoint: log MESSAGE_1 (lddw .rodata+8), load a function pointer from a table in
 * .data.rel.ro and callx it, call the helper directly through a section-symbol relocation.
 * helper (in .text.unlikely.): log MESSAGE_2 from .rodata.str1.1.
 */
function sampleSpec(): ObjectSpec {
  const entry = concat([
    asm.lddw(1, MESSAGE_1_OFFSET), // 0
    asm.mov64(2, MESSAGE_1.length), // 16
    asm.call(-1), // 24: sol_log_
    asm.lddw(6, 0), // 32: TABLE
    asm.ldxdw(2, 6, 0), // 48
    asm.callxLlvm(2), // 56
    asm.call(-1), // 64: .text.unlikely. + (imm + 1) * 8 = helper at 0
    asm.mov64(0, 0), // 72
    asm.exit(), // 80
  ]);
  const helper = concat([asm.lddw(1, 0), asm.mov64(2, MESSAGE_2.length), asm.call(-1), asm.exit()]);
  return {
    sections: [
      { name: ".text", flags: TEXT_FLAGS, data: entry },
      { name: ".text.unlikely.", flags: TEXT_FLAGS, data: helper },
      { name: ".rodata", flags: RODATA_FLAGS, data: concat([ascii("padding!"), ascii(MESSAGE_1)]), align: 1 },
      { name: ".rodata.str1.1", flags: RODATA_FLAGS, data: ascii(MESSAGE_2), align: 1 },
      { name: ".data.rel.ro", flags: DATA_FLAGS, data: new Uint8Array(8) },
    ],
    symbols: [
      { name: ".rodata", section: ".rodata", type: "section" },
      { name: ".rodata.str1.1", section: ".rodata.str1.1", type: "section" },
      { name: ".text.unlikely.", section: ".text.unlikely.", type: "section" },
      { name: "helper", section: ".text.unlikely.", type: "func", size: helper.length },
      { name: "TABLE", section: ".data.rel.ro", type: "object", size: 8 },
      { name: "entrypoint", section: ".text", type: "func", bind: "global", size: entry.length },
      { name: "sol_log_", bind: "global" },
    ],
    relocations: [
      { section: ".text", offset: 0, type: C.R_BPF_64_64, symbol: ".rodata" },
      { section: ".text", offset: 24, type: C.R_BPF_64_32, symbol: "sol_log_" },
      { section: ".text", offset: 32, type: C.R_BPF_64_64, symbol: "TABLE" },
      { section: ".text", offset: 64, type: C.R_BPF_64_32, symbol: ".text.unlikely." },
      { section: ".text.unlikely.", offset: 0, type: C.R_BPF_64_64, symbol: ".rodata.str1.1" },
      { section: ".text.unlikely.", offset: 24, type: C.R_BPF_64_32, symbol: "sol_log_" },
      { section: ".data.rel.ro", offset: 0, type: C.R_BPF_64_ABS64, symbol: "helper" },
    ],
  };
}

function withChanges(change: (spec: ObjectSpec) => Partial<ObjectSpec>): Uint8Array {
  const spec = sampleSpec();
  return buildObject({ ...spec, ...change(spec) });
}

function section(linked: LinkedProgram, name: string) {
  const found = describeSharedObject(linked.so).elf.sections.find((s) => s.name === name);
  if (found === undefined) throw new Error(`no ${name}`);
  return found;
}

describe("sbpf-linker: output layout", () => {
  const linked = linkSbpf(buildObject(sampleSpec()));
  const { elf, dynsym, relDyn } = describeSharedObject(linked.so);
  const view = new DataView(linked.so.buffer, linked.so.byteOffset);
  const text = section(linked, ".text");
  const rodata = section(linked, ".rodata");

  it("writes an SBPFv0 shared object: ET_DYN, EM_BPF, e_flags 0, entry at entrypoint", () => {
    expect(elf.header.type).to.equal(C.ET_DYN);
    expect(elf.header.machine).to.equal(C.EM_BPF);
    expect(elf.header.flags).to.equal(0);
    expect(Number(elf.header.entry)).to.equal(text.offset);
    expect(linked.functions.find((f) => f.name === "entrypoint")?.address).to.equal(text.offset);
  });

  it("has exactly one .text, one merged .rodata and the dynamic tables, loaded at sh_addr == sh_offset", () => {
    expect(elf.sections.map((s) => s.name)).to.deep.equal([
      "",
      ".text",
      ".rodata",
      ".dynamic",
      ".dynsym",
      ".dynstr",
      ".rel.dyn",
      ".shstrtab",
    ]);
    for (const s of elf.sections.filter((x) => (x.flags & C.SHF_ALLOC) !== 0n)) {
      expect(Number(s.addr), s.name).to.equal(s.offset);
    }
    expect(text.size).to.equal(88 + 40);
    // .rodata 37 bytes + .rodata.str1.1 14 bytes = 51, the 8-aligned table at 56: 64 bytes.
    expect(rodata.size).to.equal(TABLE_OFFSET + 8);
    expect(elf.programHeaders.map((p) => p.type)).to.deep.equal([C.PT_LOAD, C.PT_LOAD, C.PT_DYNAMIC]);
  });

  it("turns lddw of rodata into the section-relative address plus a dynamic R_BPF_64_RELATIVE", () => {
    const lo = view.getUint32(text.offset + 4, true);
    const hi = view.getUint32(text.offset + 12, true);
    const message1At = rodata.offset + MESSAGE_1_OFFSET;
    expect(hi).to.equal(0);
    expect(lo).to.equal(message1At);
    expect(new TextDecoder().decode(linked.so.subarray(lo, lo + MESSAGE_1.length))).to.equal(MESSAGE_1);
    const relative = relDyn.filter((r) => r.type === C.R_BPF_64_RELATIVE).map((r) => r.offset);
    expect(relative).to.deep.equal([text.offset, text.offset + 32, text.offset + 88]);
  });

  it("leaves syscalls as call -1 with an R_BPF_64_32 against an undefined .dynsym entry", () => {
    expect(dynsym.map((s) => s.name)).to.deep.equal(["", "sol_log_"]);
    expect(dynsym[1]?.shndx).to.equal(C.SHN_UNDEF);
    const calls = relDyn.filter((r) => r.type === C.R_BPF_64_32);
    expect(calls.map((r) => [r.offset, r.symbol])).to.deep.equal([
      [text.offset + 24, 1],
      [text.offset + 88 + 24, 1],
    ]);
    for (const r of calls) expect(view.getInt32(r.offset + 4, true)).to.equal(-1);
    expect(linked.syscalls).to.deep.equal(["sol_log_"]);
  });

  it("resolves internal calls pc-relative and writes absolute VM addresses into read-only data", () => {
    // call at text+64 -> helper at text+88: (88 - 72) / 8 = 2.
    expect(view.getInt32(text.offset + 64 + 4, true)).to.equal(2);
    expect(view.getBigUint64(rodata.offset + TABLE_OFFSET, true)).to.equal(C.MM_PROGRAM_START + BigInt(text.offset + 88));
  });

  it("moves the callx register from dst to imm, where SBPFv0 reads it", () => {
    expect(linked.so[text.offset + 56]).to.equal(C.OP_CALLX);
    expect(view.getInt32(text.offset + 56 + 4, true)).to.equal(2);
    expect(linked.callxPatched).to.equal(1);
  });

  it("is deterministic: the same object links to the same bytes", () => {
    expect(Buffer.from(linkSbpf(buildObject(sampleSpec())).so).equals(Buffer.from(linked.so))).to.equal(true);
  });

  it("names the dynamic tables consistently (.dynsym links .dynstr, .rel.dyn links .dynsym)", () => {
    const dynsymSection = section(linked, ".dynsym");
    const relSection = section(linked, ".rel.dyn");
    expect(elf.sections[dynsymSection.link]?.name).to.equal(".dynstr");
    expect(elf.sections[relSection.link]?.name).to.equal(".dynsym");
    expect(readString(elf, elf.sections[dynsymSection.link], 1)).to.equal("sol_log_");
  });
});

describe("sbpf-linker: the output runs in litesvm", () => {
  it("logs through sol_log_, reaches the helper through callx and through call", async () => {
    const { svm, payer } = await freshSvm();
    const programId = address("Linker1111111111111111111111111111111111111");
    svm.addProgram(programId, linkSbpf(buildObject(sampleSpec())).so);
    const outcome = await runInstruction(svm, payer, programId, new Uint8Array([0]));
    expect(outcome.error).to.equal("");
    expect(programLogs(outcome)).to.deep.equal([MESSAGE_1, MESSAGE_2, MESSAGE_2]);
  });

  it("maps call aliases: __bpf_trap becomes the abort syscall", async () => {
    const object = withChanges((spec) => ({
      symbols: [...spec.symbols, { name: "__bpf_trap", bind: "global" }],
      relocations: [
        ...spec.relocations!.filter((r) => !(r.section === ".text" && r.offset === 24)),
        { section: ".text", offset: 24, type: C.R_BPF_64_32, symbol: "__bpf_trap" },
      ],
    }));
    const linked = linkSbpf(object);
    expect(linked.syscalls).to.deep.equal(["abort", "sol_log_"]);
    const { svm, payer } = await freshSvm();
    const programId = address("Linker2222222222222222222222222222222222222");
    svm.addProgram(programId, linked.so);
    const outcome = await runInstruction(svm, payer, programId, new Uint8Array([1]));
    expect(outcome.ok).to.equal(false);
    expect(outcome.logs.join("\n")).to.contain("SBF program panicked");
  });
});

describe("sbpf-linker: refuses what the loader would reject", () => {
  it("rejects input that is not ELF with NotElfError", () => {
    expect(() => linkSbpf(ascii("definitely not an ELF object, just text padding it out to 64+ bytes......"))).to.throw(
      NotElfError,
    );
    expect(() => linkSbpf(new Uint8Array(10))).to.throw(NotElfError);
  });

  it("rejects another machine's object with WrongMachineError", () => {
    const object = buildObject({ ...sampleSpec(), machine: 62 /* EM_X86_64 */ });
    expect(() => linkSbpf(object))
      .to.throw(WrongMachineError)
      .with.property("code", "ERR_WRONG_MACHINE");
    try {
      linkSbpf(object);
    } catch (error) {
      expect((error as WrongMachineError).machine).to.equal(62);
    }
  });

  it("rejects an already linked file with NotRelocatableError", () => {
    expect(() => linkSbpf(buildObject({ ...sampleSpec(), elfType: C.ET_DYN }))).to.throw(NotRelocatableError);
    expect(() => linkSbpf(linkSbpf(buildObject(sampleSpec())).so)).to.throw(NotRelocatableError);
  });

  it("rejects writable .data with WritableDataError naming the static", () => {
    const object = withChanges((spec) => ({
      sections: [...spec.sections, { name: ".data", flags: DATA_FLAGS, data: new Uint8Array(8) }],
      symbols: [...spec.symbols, { name: "COUNTER", section: ".data", type: "object", size: 8 }],
    }));
    expect(() => linkSbpf(object)).to.throw(WritableDataError, /COUNTER/);
    try {
      linkSbpf(object);
    } catch (error) {
      expect((error as WritableDataError).code).to.equal("ERR_WRITABLE_DATA");
      expect((error as WritableDataError).section).to.equal(".data");
      expect((error as WritableDataError).symbols).to.deep.equal(["COUNTER"]);
    }
  });

  it("rejects a non-empty .bss (static mut) with WritableDataError", () => {
    const object = withChanges((spec) => ({
      sections: [...spec.sections, { name: ".bss", type: C.SHT_NOBITS, flags: DATA_FLAGS, size: 16 }],
      symbols: [...spec.symbols, { name: "STATE", section: ".bss", type: "object", size: 16 }],
    }));
    expect(() => linkSbpf(object)).to.throw(WritableDataError, /\.bss defines STATE/);
  });

  it("accepts empty .data/.bss sections (nothing would be writable)", () => {
    const object = withChanges((spec) => ({
      sections: [
        ...spec.sections,
        { name: ".data", flags: DATA_FLAGS, data: new Uint8Array(0) },
        { name: ".bss", type: C.SHT_NOBITS, flags: DATA_FLAGS, size: 0 },
      ],
    }));
    expect(linkSbpf(object).textSize).to.equal(128);
  });

  it("rejects an unknown relocation type with UnsupportedRelocationError", () => {
    for (const type of [C.R_BPF_64_ABS32, 99]) {
      const object = withChanges((spec) => ({
        relocations: [...spec.relocations!, { section: ".text", offset: 72, type, symbol: "entrypoint" }],
      }));
      expect(() => linkSbpf(object))
        .to.throw(UnsupportedRelocationError)
        .with.property("relocationType", type);
    }
  });

  it("rejects R_BPF_64_64 on an instruction that is not lddw", () => {
    const object = withChanges((spec) => ({
      relocations: [...spec.relocations!, { section: ".text", offset: 16, type: C.R_BPF_64_64, symbol: ".rodata" }],
    }));
    expect(() => linkSbpf(object)).to.throw(BadRelocationSiteError);
  });

  it("rejects a call to an undefined function that is not a syscall", () => {
    const object = withChanges((spec) => ({
      symbols: [...spec.symbols, { name: "printf", bind: "global" }],
      relocations: [...spec.relocations!, { section: ".text", offset: 64 + 0, type: C.R_BPF_64_32, symbol: "printf" }],
    }));
    expect(() => linkSbpf(object))
      .to.throw(UnknownSyscallError)
      .with.property("symbol", "printf");
  });

  it("rejects an address of an undefined symbol", () => {
    const object = withChanges((spec) => ({
      symbols: [...spec.symbols, { name: "EXTERNAL_TABLE", bind: "global" }],
      relocations: [
        ...spec.relocations!.filter((r) => r.offset !== 32),
        { section: ".text", offset: 32, type: C.R_BPF_64_64, symbol: "EXTERNAL_TABLE" },
      ],
    }));
    expect(() => linkSbpf(object)).to.throw(UndefinedSymbolError, /EXTERNAL_TABLE/);
  });

  it("rejects an internal call that does not land on a function start", () => {
    const object = withChanges((spec) => {
      const sections = spec.sections.map((s) =>
        s.name === ".text"
          ? { ...s, data: concat([s.data!.subarray(0, 64), asm.call(0), s.data!.subarray(72)]) } // helper+8
          : s,
      );
      return { sections };
    });
    expect(() => linkSbpf(object)).to.throw(BadCallTargetError);
  });

  it("rejects an object without the entry symbol", () => {
    const object = withChanges((spec) => ({
      symbols: spec.symbols.map((s) => (s.name === "entrypoint" ? { ...s, name: "main" } : s)),
    }));
    expect(() => linkSbpf(object)).to.throw(MissingEntrypointError);
    expect(linkSbpf(object, { entrySymbol: "main" }).so.length).to.be.greaterThan(0);
  });

  it("rejects JMP32 instructions (llc's default CPU) with UnsupportedInstructionError", () => {
    const object = withChanges((spec) => ({
      sections: spec.sections.map((s) =>
        s.name === ".text" ? { ...s, data: concat([s.data!.subarray(0, 72), asm.jeq32(0, 0, 0), s.data!.subarray(80)]) } : s,
      ),
    }));
    expect(() => linkSbpf(object))
      .to.throw(UnsupportedInstructionError, /entrypoint/)
      .with.property("opcode", 0x16);
  });

  it("rejects a section that points past the end of the file", () => {
    const object = buildObject(sampleSpec());
    const view = new DataView(object.buffer);
    const shoff = Number(view.getBigUint64(40, true));
    view.setBigUint64(shoff + 64 + 32, 1_000_000n, true); // section 1 (.text) size
    expect(() => linkSbpf(object)).to.throw(MalformedObjectError);
  });
});
