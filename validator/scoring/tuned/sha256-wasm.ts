/**
 * SHA-256 compression as a WebAssembly function, assembled here from a few dozen lines of
 * generator code (no toolchain, no binary blob to trust): V8 compiles the straight-line i32
 * code to native instructions, ~2× faster than the JavaScript version in sha256.ts, which remains
 * the fallback and the readable specification. Same interface as SmallSha256; both are checked
 * against node:crypto in tests/validator/scoring/tuned.test.ts.
 *
 * Module: one exported memory page and `compress(ptr)`, which folds the 64-byte big-endian block
 * at `ptr` into the eight state words at offset 0. Padding, the initial value and the output
 * byte order are handled in JavaScript (a handful of operations per hash).
 */
import { SHA256_IV as IV, SHA256_SMALL_MAX_INPUT } from "./sha256.js";
import { emitSha256Rounds } from "./sha256-rounds.js";
import { name, section, sleb, uleb, vec } from "./wasm-encoding.js";

/**
 * The slice of the WebAssembly JS API used here. Node has the global at runtime, but this
 * project's TypeScript libs (ES2023, no DOM) do not declare it.
 */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { readonly exports: Record<string, unknown> };
};
interface WasmModule {
  readonly __wasmModule?: never;
}
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

const BLOCK_BYTES = 64;
const PADDING_OVERHEAD = 9;
/** Memory layout: state words at 0, the message (up to three blocks) at 64. */
const STATE_AT = 0;
const INPUT_AT = 64;

// WebAssembly opcodes used (WebAssembly Core Specification 1.0, §5.4).
const OP = {
  end: 0x0b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i32Store: 0x36,
  i32Const: 0x41,
  i32Add: 0x6a,
  i32And: 0x71,
  i32Or: 0x72,
  i32Xor: 0x73,
  i32ShrU: 0x76,
  i32Rotl: 0x77,
  i32Rotr: 0x78,
} as const;
const I32 = 0x7f;


/** The body of compress(ptr): fully unrolled, state rotation done by renaming locals. */
function compressBody(): number[] {
  const code: number[] = [];
  const ptr = 0;
  const v = [1, 2, 3, 4, 5, 6, 7, 8]; // a..h
  const w = Array.from({ length: 16 }, (_, i) => 9 + i);
  const t1 = 25;
  const t2 = 26;
  const get = (l: number) => code.push(OP.localGet, ...uleb(l));
  const set = (l: number) => code.push(OP.localSet, ...uleb(l));
  const tee = (l: number) => code.push(OP.localTee, ...uleb(l));
  const konst = (x: number) => code.push(OP.i32Const, ...sleb(x));
  const op = (o: number) => code.push(o);
  const rotr = (l: number, n: number) => {
    get(l);
    konst(n);
    op(OP.i32Rotr);
  };
  // Message words, big-endian: bswap(x) = rotl(x & 0xff00ff00, 8) | rotr(x & 0x00ff00ff, 8).
  for (let i = 0; i < 16; i++) {
    get(ptr);
    code.push(OP.i32Load, 2, ...uleb(i * 4));
    tee(t1);
    konst(0xff00ff00 | 0);
    op(OP.i32And);
    konst(8);
    op(OP.i32Rotl);
    get(t1);
    konst(0x00ff00ff);
    op(OP.i32And);
    konst(8);
    op(OP.i32Rotr);
    op(OP.i32Or);
    set(w[i]!);
  }
  for (let k = 0; k < 8; k++) {
    konst(STATE_AT);
    code.push(OP.i32Load, 2, ...uleb(k * 4));
    set(v[k]!);
  }
  const finalVars = emitSha256Rounds(
    {
      get,
      set,
      constant: konst,
      add: () => op(OP.i32Add),
      xor: () => op(OP.i32Xor),
      and: () => op(OP.i32And),
      or: () => op(OP.i32Or),
      rotr,
      shr: (l, n) => {
        get(l);
        konst(n);
        op(OP.i32ShrU);
      },
    },
    v,
    w,
    t1,
    t2,
  );
  for (let k = 0; k < 8; k++) {
    konst(STATE_AT);
    konst(STATE_AT);
    code.push(OP.i32Load, 2, ...uleb(k * 4));
    get(finalVars[k]!);
    op(OP.i32Add);
    code.push(OP.i32Store, 2, ...uleb(k * 4));
  }
  code.push(OP.end);
  const locals = vec([[...uleb(26), I32]]);
  return [...uleb(locals.length + code.length), ...locals, ...code];
}

function moduleBytes(): Uint8Array {
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
    ...section(1, vec([[0x60, ...vec([[I32]]), ...vec([])]])), // type 0: (i32) -> ()
    ...section(3, vec([uleb(0)])), // function 0 has type 0
    ...section(5, vec([[0x00, ...uleb(1)]])), // one memory, min 1 page
    ...section(7, vec([[...name("compress"), 0x00, ...uleb(0)], [...name("memory"), 0x02, ...uleb(0)]])),
    ...section(10, vec([compressBody()])),
  ];
  return Uint8Array.from(bytes);
}

let compiled: WasmModule | null = null;

/** Blocks of a padded message of `length` bytes. */
export function sha256Blocks(length: number): number {
  return Math.ceil((length + PADDING_OVERHEAD) / BLOCK_BYTES);
}

/** SHA-256 of small inputs through the WebAssembly compression function. Not re-entrant. */
export class WasmSha256 {
  /** The message buffer (a view into the module's memory); bytes past `length` are overwritten. */
  readonly input: Uint8Array;
  readonly #state: Int32Array;
  readonly #compress: (ptr: number) => void;

  constructor() {
    compiled ??= new WebAssembly.Module(moduleBytes());
    const instance = new WebAssembly.Instance(compiled, {});
    const memory = instance.exports.memory as WasmMemory;
    this.#compress = instance.exports.compress as (ptr: number) => void;
    this.input = new Uint8Array(memory.buffer, INPUT_AT, 3 * BLOCK_BYTES);
    this.#state = new Int32Array(memory.buffer, STATE_AT, 8);
  }

  /** Hash of input[0, length) written to out[outOffset, outOffset + 32). */
  digest(length: number, out: Uint8Array, outOffset: number): void {
    this.hashPadded(this.pad(length));
    this.writeDigest(out, outOffset);
  }

  /**
   * Writes the padding of a `length`-byte message and returns its block count. Messages of one
   * length share their padding: a caller hashing many of them pads once, then rewrites only the
   * bytes that change and calls hashPadded.
   */
  pad(length: number): number {
    if (length > SHA256_SMALL_MAX_INPUT || length < 0) throw new RangeError(`WasmSha256 input of ${length} bytes`);
    const block = this.input;
    const end = Math.ceil((length + PADDING_OVERHEAD) / BLOCK_BYTES) * BLOCK_BYTES;
    block.fill(0, length, end);
    block[length] = 0x80;
    const bits = length * 8;
    block[end - 4] = bits >>> 24;
    block[end - 3] = bits >>> 16;
    block[end - 2] = bits >>> 8;
    block[end - 1] = bits;
    return end / BLOCK_BYTES;
  }

  /** Hashes the already padded input of `blocks` blocks; the result stays in the state. */
  hashPadded(blocks: number): void {
    this.#state.set(IV);
    for (let b = 0; b < blocks; b++) this.#compress(INPUT_AT + b * BLOCK_BYTES);
  }

  /** The last hash, big-endian, into out[at, at + 32). */
  writeDigest(out: Uint8Array, at: number): void {
    const state = this.#state;
    for (let i = 0; i < 8; i++) {
      const value = state[i]!;
      const o = at + i * 4;
      out[o] = value >>> 24;
      out[o + 1] = value >>> 16;
      out[o + 2] = value >>> 8;
      out[o + 3] = value;
    }
  }

  /** Whether the last hash equals bytes[at, at + 32). */
  equals(bytes: Uint8Array, at: number): boolean {
    const state = this.#state;
    for (let i = 0; i < 8; i++) {
      const o = at + i * 4;
      if ((state[i]! | 0) !== ((bytes[o]! << 24) | (bytes[o + 1]! << 16) | (bytes[o + 2]! << 8) | bytes[o + 3]!)) return false;
    }
    return true;
  }
}
