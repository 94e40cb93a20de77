import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import {
  checkToolchain,
  defaultToolchain,
  INLINE_MEM_LIMIT_BYTES,
  LLC_FLAGS,
  rewriteIr,
  ToolFailedError,
  UnsupportedIrError,
} from "../../../programs/build/index.js";
import { run } from "../../../programs/build/toolchain.js";

/** A module in LLVM 22's textual form with every construct the rewrite handles. */
const MODULE = `target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
target triple = "bpfel"

define i64 @entrypoint(ptr %input) {
start:
  %n = load i64, ptr %input, align 8
  %dst = getelementptr inbounds i8, ptr %input, i64 64
  %src = getelementptr inbounds i8, ptr %input, i64 8
  call void @llvm.memcpy.p0.p0.i64(ptr noundef nonnull align 1 dereferenceable(8) %dst, ptr align 1 %src, i64 %n, i1 false)
  tail call void @llvm.memset.p0.i64(ptr noundef nonnull align 8 %dst, i8 0, i64 ${INLINE_MEM_LIMIT_BYTES + 8}, i1 false) #0
  call void @llvm.memmove.p0.p0.i64(ptr %dst, ptr %src, i64 16, i1 false)
  %m = tail call { i64, i1 } @llvm.umul.with.overflow.i64(i64 %n, i64 1000)
  %p = extractvalue { i64, i1 } %m, 0
  %o = extractvalue { i64, i1 } %m, 1
  %sm = call { i64, i1 } @llvm.smul.with.overflow.i64(i64 noundef %p, i64 -3)
  %sp = extractvalue { i64, i1 } %sm, 0
  %q = sdiv i64 %sp, %n
  %s32 = trunc i64 %q to i32
  %r32 = srem i32 %s32, 7
  %r = sext i32 %r32 to i64
  %sum = add i64 %q, %r
  %res = select i1 %o, i64 1, i64 %sum
  ret i64 %res
}

declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)
declare void @llvm.memset.p0.i64(ptr, i8, i64, i1)
declare void @llvm.memmove.p0.p0.i64(ptr, ptr, i64, i1)
declare { i64, i1 } @llvm.umul.with.overflow.i64(i64, i64)
declare { i64, i1 } @llvm.smul.with.overflow.i64(i64, i64)

attributes #0 = { nounwind }
`;

/** Functions the BPF calling convention cannot call: 6 parameters, a 128-bit struct return. */
const WIDE_MODULE = `target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
target triple = "bpfel"

define i64 @entrypoint(ptr %input) {
start:
  %a = load i64, ptr %input, align 8
  %x = call fastcc i64 @six(i64 %a, i64 1, i64 2, i64 3, i64 4, i64 5)
  %y = call fastcc i64 @six(i64 %x, i64 %a, i64 2, i64 3, i64 4, i64 5)
  %p = call { i64, i64 } @pair(i64 %y)
  %z = extractvalue { i64, i64 } %p, 1
  %f = call i64 @five(i64 %z, i64 1, i64 2, i64 3, i64 4)
  ret i64 %f
}

define internal fastcc i64 @six(i64 %a, i64 %b, i64 %c, i64 %d, i64 %e, i64 %f) unnamed_addr #0 {
  %1 = mul i64 %a, %b
  %2 = add i64 %1, %c
  %3 = xor i64 %2, %d
  %4 = add i64 %3, %e
  %5 = mul i64 %4, %f
  ret i64 %5
}

define internal { i64, i64 } @pair(i64 %a) #0 {
  %1 = insertvalue { i64, i64 } poison, i64 %a, 0
  %2 = insertvalue { i64, i64 } %1, i64 %a, 1
  ret { i64, i64 } %2
}

define internal noundef range(i64 0, 9) i64 @five(i64 %a, i64 %b, i64 %c, i64 %d, i64 %e) #0 {
  %1 = add i64 %a, %e
  %2 = urem i64 %1, 9
  ret i64 %2
}

attributes #0 = { noinline nounwind }
attributes #1 = { nounwind }
`;

describe("build pipeline: IR rewrite for the BPF backend", () => {
  const { text, counts } = rewriteIr(MODULE);

  it("turns variable-length and large memcpy/memset into the sol_ syscalls, keeping small ones", () => {
    expect(text).to.contain(
      "call void @sol_memcpy_(ptr noundef nonnull align 1 dereferenceable(8) %dst, ptr align 1 %src, i64 %n)",
    );
    expect(text).to.contain(`call void @sol_memset_(ptr noundef nonnull align 8 %dst, i8 0, i64 ${INLINE_MEM_LIMIT_BYTES + 8})`);
    expect(text).to.contain("call void @llvm.memmove.p0.p0.i64(ptr %dst, ptr %src, i64 16, i1 false)");
    expect(text).to.contain("declare void @sol_memcpy_(ptr, ptr, i64)");
    expect(text).to.contain("declare void @sol_memset_(ptr, i8, i64)");
    expect(text).not.to.contain("declare void @sol_memmove_");
    expect(counts).to.include({ memcpy: 1, memset: 1, memmove: 0 });
  });

  it("splits checked multiplies into mul plus an overflow helper", () => {
    expect(text).to.match(/%sbf\.0\.product = mul i64 %n, 1000/);
    expect(text).to.match(/%sbf\.0\.overflow = call zeroext i1 @__sbf_umulo64\(i64 %n, i64 1000\)/);
    expect(text).to.match(/%m = insertvalue \{ i64, i1 \} %sbf\.0\.pair, i1 %sbf\.0\.overflow, 1/);
    expect(text).to.match(/@__sbf_smulo64\(i64 %p, i64 -3\)/);
    expect(text).not.to.match(/call \{ i64, i1 \} @llvm\.[us]mul\.with\.overflow/);
    expect(counts).to.include({ umulo: 1, smulo: 1 });
  });

  it("replaces signed division with helpers, widening narrower types", () => {
    expect(text).to.contain("%q = call i64 @__sbf_sdiv64(i64 %sp, i64 %n)");
    expect(text).to.match(/%sbf\.\d+\.a = sext i32 %s32 to i64/);
    expect(text).to.match(/%r32 = trunc i64 %sbf\.\d+\.r to i32/);
    expect(counts).to.include({ sdiv: 1, srem: 1 });
  });

  it("leaves IR without such constructs unchanged", () => {
    const plain = "define i64 @f(i64 %a) {\n  %b = udiv i64 %a, 3\n  ret i64 %b\n}\n";
    expect(rewriteIr(plain).text).to.equal(plain);
  });

  it("reports 128-bit multiply/divide with the function name instead of llc's libcall error", () => {
    const ir = 'define internal void @"_ZN4prog4math17h0123E"(ptr %p) {\n  %x = load i128, ptr %p\n  %y = mul nuw i128 %x, %x\n  ret void\n}\n';
    expect(() => rewriteIr(ir))
      .to.throw(UnsupportedIrError, /128-bit multiply/)
      .with.property("functionName", '"_ZN4prog4math17h0123E"');
    expect(() => rewriteIr("define void @g(i128 %a, i128 %b) {\n  %c = udiv i128 %a, %b\n  ret void\n}\n")).to.throw(
      UnsupportedIrError,
    );
  });

  it("reports variable 128-bit shifts and floating point", () => {
    expect(() => rewriteIr("define void @s(i128 %a, i128 %n) {\n  %c = shl i128 %a, %n\n  ret void\n}\n")).to.throw(
      UnsupportedIrError,
      /shift/,
    );
    expect(() => rewriteIr("define void @s(i128 %a) {\n  %c = shl i128 %a, 3\n  ret void\n}\n")).not.to.throw();
    expect(() => rewriteIr("define void @f(double %a) {\n  %c = fmul double %a, %a\n  ret void\n}\n")).to.throw(
      UnsupportedIrError,
      /floating point/,
    );
  });

  it("marks functions with more than 5 parameters or a wide return alwaysinline, dropping noinline", () => {
    const { text: out, counts: c } = rewriteIr(WIDE_MODULE);
    expect(out).to.match(/define internal fastcc i64 @six\(.*\) unnamed_addr #2 alwaysinline \{/);
    expect(out).to.match(/define internal \{ i64, i64 \} @pair\(i64 %a\) #2 alwaysinline \{/);
    expect(out).to.match(/define internal noundef range\(i64 0, 9\) i64 @five\([^)]*\) #0 \{/);
    expect(out).to.contain("attributes #2 = { nounwind }");
    expect(out).to.contain("attributes #0 = { noinline nounwind }");
    expect(c.forcedInline).to.equal(2);
  });

  describe("with LLVM 22 (toolchain required)", function () {
    this.timeout(60_000);
    let scratch = "";
    before(() => {
      checkToolchain(defaultToolchain());
      scratch = mkdtempSync(join(tmpdir(), "hexcover-ir-"));
    });
    after(() => {
      if (scratch !== "") rmSync(scratch, { recursive: true, force: true });
    });

    const llc = async (ir: string, name: string) => {
      const toolchain = defaultToolchain();
      writeFileSync(join(scratch, `${name}.ll`), ir);
      await run(join(toolchain.llvmBin, "llc"), [...LLC_FLAGS, join(scratch, `${name}.ll`), "-o", join(scratch, `${name}.o`)]);
    };

    it("llc refuses the original module (libcalls) but compiles the rewritten one", async () => {
      let refused: unknown;
      try {
        await llc(MODULE, "original");
      } catch (error) {
        refused = error;
      }
      expect(refused).to.be.instanceOf(ToolFailedError);
      expect((refused as ToolFailedError).stderr).to.match(/built-in function|signed division/);
      // Declarations of the helpers stand in for rt.rs here; the pipeline links the real ones.
      await llc(text, "rewritten");
    });

    it("llc refuses calls with 6 arguments or wide returns, which the forced inlining removes", async () => {
      let refused: unknown;
      try {
        await llc(WIDE_MODULE, "wide");
      } catch (error) {
        refused = error;
      }
      expect(refused).to.be.instanceOf(ToolFailedError);
      const toolchain = defaultToolchain();
      writeFileSync(join(scratch, "wide-rewritten.ll"), rewriteIr(WIDE_MODULE).text);
      await run(join(toolchain.llvmBin, "opt"), [
        "-passes=always-inline,globaldce",
        join(scratch, "wide-rewritten.ll"),
        "-S",
        "-o",
        join(scratch, "wide-inlined.ll"),
      ]);
      await llc(readFileSync(join(scratch, "wide-inlined.ll"), "utf8"), "wide-inlined");
    });
  });
});
