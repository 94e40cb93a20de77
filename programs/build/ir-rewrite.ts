/**
 * Textual rewrite of optimized LLVM IR (llvm-dis output of LLVM 22) so that upstream LLVM's BPF
 * backend can compile it. That backend turns some IR into libcalls (memcpy, __multi3, ...) and
 * then refuses every libcall ("A call to built-in function 'X' is not supported"), so each such
 * construct is replaced by a syscall or by a helper from rt/rt.rs before llc runs:
 *
 * - `llvm.memcpy/memmove/memset` with a variable or large length -> `sol_memcpy_` / `sol_memmove_`
 *   / `sol_memset_` syscalls (same argument order; the volatile flag is dropped). Small constant
 *   lengths stay: llc expands them into plain loads and stores, cheaper than a syscall.
 * - `llvm.umul/smul.with.overflow.i64` (`u64::checked_mul`, `i64::checked_mul`) -> `mul` plus
 *   `__sbf_umulo64/__sbf_smulo64` for the flag (the intrinsic needs a 128-bit product).
 * - `sdiv`/`srem` on i8..i64 -> `__sbf_sdiv64/__sbf_srem64` (SBPFv0 divides unsigned only).
 *
 * - Functions the BPF calling convention cannot express (more than 5 parameters, or a return
 *   value wider than 64 bits such as a struct or i128) are marked `alwaysinline` (dropping a
 *   `noinline`), so the final `always-inline` pass removes the calls llc would refuse
 *   ("too many arguments", "only small returns supported").
 *
 * What has no rewrite (128-bit multiply/divide, variable 128-bit shifts, floating point) is
 * reported as an UnsupportedIrError naming the function, instead of llc's terse message.
 *
 * This runs after `opt -O3`; the pipeline deliberately runs no instcombine afterwards, which
 * would fold the helpers back into the intrinsics.
 */
import { UnsupportedIrError } from "./errors.js";

/**
 * Constant lengths up to this many bytes stay as LLVM intrinsics: llc's BPF backend expands
 * them inline (its limit is 128 stores, i.e. 1 KiB at 8 bytes per store with misaligned access
 * allowed; 256 leaves a wide margin and is the size the SBF recipe verified).
 */
export const INLINE_MEM_LIMIT_BYTES = 256;

export interface IrRewriteCounts {
  forcedInline: number;
  memcpy: number;
  memmove: number;
  memset: number;
  umulo: number;
  smulo: number;
  sdiv: number;
  srem: number;
}

export interface IrRewriteResult {
  readonly text: string;
  readonly counts: IrRewriteCounts;
}

const MEM_SYSCALL: Record<string, { name: string; declaration: string }> = {
  memcpy: { name: "sol_memcpy_", declaration: "declare void @sol_memcpy_(ptr, ptr, i64)" },
  memmove: { name: "sol_memmove_", declaration: "declare void @sol_memmove_(ptr, ptr, i64)" },
  memset: { name: "sol_memset_", declaration: "declare void @sol_memset_(ptr, i8, i64)" },
};
const HELPER_DECLARATIONS: Record<string, string> = {
  __sbf_umulo64: "declare zeroext i1 @__sbf_umulo64(i64, i64)",
  __sbf_smulo64: "declare zeroext i1 @__sbf_smulo64(i64, i64)",
  __sbf_sdiv64: "declare i64 @__sbf_sdiv64(i64, i64)",
  __sbf_srem64: "declare i64 @__sbf_srem64(i64, i64)",
};
const SIGNED_DIV_WIDTHS = new Set(["i8", "i16", "i32", "i64"]);
/** Parameter attributes that may sit between an operand's type and its value. */
const OPERAND_ATTRIBUTES = new Set(["noundef", "signext", "zeroext", "immarg"]);

/** Splits a call's argument list at top-level commas. */
export function splitArguments(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (c === "(" || c === "[" || c === "{" || c === "<") depth++;
    else if (c === ")" || c === "]" || c === "}" || c === ">") depth--;
    else if (c === "," && depth === 0) {
      out.push(list.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = list.slice(start).trim();
  if (last !== "") out.push(last);
  return out;
}

/** Index of the parenthesis closing the one at `open`. */
function closingParen(line: string, open: number): number {
  let depth = 0;
  for (let i = open; i < line.length; i++) {
    if (line[i] === "(") depth++;
    else if (line[i] === ")" && --depth === 0) return i;
  }
  return -1;
}

/** The value of a typed operand such as `i64 noundef %x` -> `%x`. */
function operandValue(operand: string): string {
  const tokens = operand.split(/\s+/).slice(1);
  while (tokens.length > 1 && OPERAND_ATTRIBUTES.has(tokens[0]!)) tokens.shift();
  return tokens.join(" ");
}

const DEFINE = /^define\b[^@]*@("[^"]+"|[\w.$-]+)\(/;
const MEM_CALL = /^(\s*)(?:(?:tail|musttail|notail) )?call void @llvm\.(memcpy|memmove|memset)\.[\w.]+\(/;
const MUL_OVERFLOW = /^(\s*)(%[\w.$-]+) = (?:(?:tail|musttail|notail) )?call \{ i64, i1 \} @llvm\.([us])mul\.with\.overflow\.i64\(/;
const SIGNED_DIV = /^(\s*)(%[\w.$-]+) = (sdiv|srem)(?: exact)? (i\d+) (.+), (.+)$/;
const UNSUPPORTED: readonly [RegExp, string][] = [
  [/= (?:mul|udiv|urem|sdiv|srem)(?: (?:nuw|nsw|exact))* i128 /, "128-bit multiply/divide"],
  [/@llvm\.[us]mul\.with\.overflow\.i128\(/, "128-bit checked multiply"],
  [/= (?:shl|lshr|ashr)(?: (?:nuw|nsw|exact))* i128 [^,]+, %/, "128-bit shift by a variable amount"],
  [/= (?:fadd|fsub|fmul|fdiv|frem|fptoui|fptosi|uitofp|sitofp) /, "floating point"],
  [/= (?:sdiv|srem)(?: exact)? </, "vector signed division"],
];

/** eBPF passes arguments in r1-r5 and returns one 64-bit value in r0 (no stack arguments). */
export const MAX_REGISTER_ARGUMENTS = 5;
const MAX_RETURN_BITS = 64;
const ATTRIBUTE_GROUP = /^attributes #(\d+) = \{ (.*) \}$/;
const DEFINE_PARTS = /^define\b(.*?)(@(?:"[^"]+"|[\w.$-]+))\(/;
/** Keywords before the return type in a `define` line (linkage, cconv, return attributes). */
const DEFINE_PREFIX_WORDS = new Set([
  "internal", "private", "linkonce_odr", "weak_odr", "dso_local", "hidden", "fastcc", "ccc", "coldcc",
  "noundef", "zeroext", "signext", "noalias", "nonnull", "inreg",
]);

function returnTypeTooWide(prefix: string): boolean {
  // Drop `range(...)`, `align N`, `dereferenceable(N)` and keywords; what remains is the type.
  const type = prefix
    .replace(/\b(?:range|dereferenceable|dereferenceable_or_null|nofpclass)\([^)]*\)/g, "")
    .replace(/\balign \d+/g, "")
    .split(/\s+/)
    .filter((w) => w !== "" && !DEFINE_PREFIX_WORDS.has(w))
    .join(" ");
  if (type === "void" || type === "ptr" || type.startsWith("ptr ")) return false;
  const integer = /^i(\d+)$/.exec(type);
  if (integer !== null) return Number(integer[1]) > MAX_RETURN_BITS;
  return type.startsWith("{") || type.startsWith("[") || type.startsWith("<") || type.startsWith("%");
}

/**
 * Marks, in place, the functions llc cannot call as `alwaysinline` (an attribute group with
 * `noinline` is replaced by a new copy without it) and returns how many were marked.
 */
function forceInline(lines: string[]): number {
  const groups = new Map<number, string>();
  for (const line of lines) {
    const group = ATTRIBUTE_GROUP.exec(line);
    if (group !== null) groups.set(Number(group[1]), group[2]!);
  }
  let nextGroup = Math.max(-1, ...groups.keys()) + 1;
  const copies = new Map<number, number>();
  const added: string[] = [];
  let marked = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const parts = DEFINE_PARTS.exec(line);
    if (parts === null) continue;
    const open = parts[0].length - 1;
    const close = closingParen(line, open);
    const params = splitArguments(line.slice(open + 1, close)).filter((p) => p !== "...");
    if (params.length <= MAX_REGISTER_ARGUMENTS && !returnTypeTooWide(parts[1]!)) continue;
    let tail = line.slice(close + 1);
    tail = tail.replace(/#(\d+)/, (whole, id: string) => {
      const attrs = groups.get(Number(id));
      if (attrs === undefined || !/\b(?:noinline|optnone)\b/.test(attrs)) return whole;
      let copy = copies.get(Number(id));
      if (copy === undefined) {
        copy = nextGroup++;
        copies.set(Number(id), copy);
        const kept = attrs.split(" ").filter((a) => a !== "noinline" && a !== "optnone");
        added.push(`attributes #${copy} = { ${kept.join(" ")} }`);
      }
      return `#${copy}`;
    });
    tail = tail.replace(/\s*\{\s*$/, " alwaysinline {");
    lines[i] = line.slice(0, close + 1) + tail;
    marked++;
  }
  lines.push(...added);
  return marked;
}

export function rewriteIr(ir: string): IrRewriteResult {
  const counts: IrRewriteCounts = { forcedInline: 0, memcpy: 0, memmove: 0, memset: 0, umulo: 0, smulo: 0, sdiv: 0, srem: 0 };
  const needed = new Set<string>();
  let fresh = 0;
  let currentFunction = "(global)";
  const out: string[] = [];

  for (const line of ir.split("\n")) {
    const define = DEFINE.exec(line);
    if (define !== null) currentFunction = define[1]!;
    if (line.startsWith("declare ")) {
      out.push(line);
      continue;
    }

    const mem = MEM_CALL.exec(line);
    if (mem !== null) {
      const open = mem[0].length - 1;
      const close = closingParen(line, open);
      const args = splitArguments(line.slice(open + 1, close));
      const kind = mem[2]!;
      const length = args[2] === undefined ? "" : operandValue(args[2]);
      const constant = /^\d+$/.test(length) ? Number(length) : undefined;
      if (args.length === 4 && (constant === undefined || constant > INLINE_MEM_LIMIT_BYTES)) {
        const syscall = MEM_SYSCALL[kind]!;
        out.push(`${mem[1]}call void @${syscall.name}(${args[0]}, ${args[1]}, ${args[2]})`);
        needed.add(kind);
        counts[kind as "memcpy" | "memmove" | "memset"]++;
        continue;
      }
      out.push(line);
      continue;
    }

    const mulo = MUL_OVERFLOW.exec(line);
    if (mulo !== null) {
      const [, indent, result, sign] = mulo;
      const open = mulo[0].length - 1;
      const args = splitArguments(line.slice(open + 1, closingParen(line, open)));
      const a = operandValue(args[0] ?? "");
      const b = operandValue(args[1] ?? "");
      const n = fresh++;
      const helper = sign === "u" ? "__sbf_umulo64" : "__sbf_smulo64";
      out.push(
        `${indent}%sbf.${n}.product = mul i64 ${a}, ${b}`,
        `${indent}%sbf.${n}.overflow = call zeroext i1 @${helper}(i64 ${a}, i64 ${b})`,
        `${indent}%sbf.${n}.pair = insertvalue { i64, i1 } poison, i64 %sbf.${n}.product, 0`,
        `${indent}${result} = insertvalue { i64, i1 } %sbf.${n}.pair, i1 %sbf.${n}.overflow, 1`,
      );
      needed.add(helper);
      counts[sign === "u" ? "umulo" : "smulo"]++;
      continue;
    }

    const div = SIGNED_DIV.exec(line);
    if (div !== null && SIGNED_DIV_WIDTHS.has(div[4]!)) {
      const [, indent, result, op, width, a, b] = div;
      const helper = op === "sdiv" ? "__sbf_sdiv64" : "__sbf_srem64";
      if (width === "i64") {
        out.push(`${indent}${result} = call i64 @${helper}(i64 ${a}, i64 ${b})`);
      } else {
        const n = fresh++;
        out.push(
          `${indent}%sbf.${n}.a = sext ${width} ${a} to i64`,
          `${indent}%sbf.${n}.b = sext ${width} ${b} to i64`,
          `${indent}%sbf.${n}.r = call i64 @${helper}(i64 %sbf.${n}.a, i64 %sbf.${n}.b)`,
          `${indent}${result} = trunc i64 %sbf.${n}.r to ${width}`,
        );
      }
      needed.add(helper);
      counts[op as "sdiv" | "srem"]++;
      continue;
    }

    for (const [pattern, what] of UNSUPPORTED) {
      if (pattern.test(line)) throw new UnsupportedIrError(what, currentFunction, line.trim());
    }
    out.push(line);
  }

  const declared = (name: string) => new RegExp(`^(?:declare|define)\\b[^\\n]*@${name}\\(`, "m").test(ir);
  for (const kind of ["memcpy", "memmove", "memset"]) {
    const syscall = MEM_SYSCALL[kind]!;
    if (needed.has(kind) && !declared(syscall.name)) out.push(syscall.declaration);
  }
  for (const [helper, declaration] of Object.entries(HELPER_DECLARATIONS)) {
    if (needed.has(helper) && !declared(helper)) out.push(declaration);
  }
  counts.forcedInline = forceInline(out);
  return { text: out.join("\n"), counts };
}
