/**
 * Four SHA-256 hashes at once with WebAssembly SIMD (i32x4 lanes): the same round function as
 * sha256-wasm.ts on 128-bit vectors, so four messages cost about as much as one or two. The
 * scoring kernel batches the witness proofs and selection keys of a beacon four at a time.
 *
 * Messages of one batch share their length; each lane's message is `prefix ‖ tail`, where the
 * prefix (tag ‖ payload) is the same for the four lanes and only the 32-byte tail (the witness
 * key) differs. Module: one memory page; compress4(ptr) folds the four interleaved blocks at
 * ptr (word i of lane j at ptr + 16·i + 4·j, already big-endian-decoded) into the four
 * interleaved states at offset 0.
 */
import { SHA256_IV as IV } from "./sha256.js";
import { emitSha256Rounds } from "./sha256-rounds.js";
import { name, section, sleb, uleb, vec } from "./wasm-encoding.js";
import { sha256Blocks } from "./sha256-wasm.js";

declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { readonly exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
};
interface WasmModule {
  readonly __wasmModule?: never;
}
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

export const LANES = 4;
const BLOCK_BYTES = 64;
const MAX_BLOCKS = 3;
const WORDS_PER_BLOCK = 16;
/** Memory layout: 8 interleaved state vectors at 0 (128 bytes), blocks from 128 (256 bytes each). */
const STATE_AT = 0;
const BLOCKS_AT = 128;
const VECTOR_BYTES = 16;

// Opcodes: WebAssembly Core Specification 2.0 §5.4 (0xfd-prefixed: the SIMD proposal, in V8 since 9.1).
const SIMD = 0xfd;
const OP = { end: 0x0b, localGet: 0x20, localSet: 0x21, i32Const: 0x41 } as const;
const V = { load: 0x00, store: 0x0b, splat: 0x11, and: 0x4e, andnot: 0x4f, or: 0x50, xor: 0x51, shl: 171, shrU: 173, add: 174 } as const;
const I32 = 0x7f;
const V128 = 0x7b;


function compress4Body(): number[] {
  const code: number[] = [];
  const ptr = 0;
  const v = [1, 2, 3, 4, 5, 6, 7, 8];
  const w = Array.from({ length: 16 }, (_, i) => 9 + i);
  const t1 = 25;
  const t2 = 26;
  const get = (l: number) => code.push(OP.localGet, ...uleb(l));
  const set = (l: number) => code.push(OP.localSet, ...uleb(l));
  const simd = (op: number) => code.push(SIMD, ...uleb(op));
  const iconst = (x: number) => code.push(OP.i32Const, ...sleb(x));
  const splat = (x: number) => {
    iconst(x | 0);
    simd(V.splat);
  };
  // rotr(x, n) = (x >>> n) | (x << (32 − n))
  const rotr = (l: number, n: number) => {
    get(l);
    iconst(n);
    simd(V.shrU);
    get(l);
    iconst(32 - n);
    simd(V.shl);
    simd(V.or);
  };
  for (let i = 0; i < 16; i++) {
    get(ptr);
    code.push(SIMD, ...uleb(V.load), 4, ...uleb(i * VECTOR_BYTES));
    set(w[i]!);
  }
  for (let k = 0; k < 8; k++) {
    iconst(STATE_AT);
    code.push(SIMD, ...uleb(V.load), 4, ...uleb(k * VECTOR_BYTES));
    set(v[k]!);
  }
  const finalVars = emitSha256Rounds(
    {
      get,
      set,
      constant: splat,
      add: () => simd(V.add),
      xor: () => simd(V.xor),
      and: () => simd(V.and),
      or: () => simd(V.or),
      rotr,
      shr: (l, n) => {
        get(l);
        iconst(n);
        simd(V.shrU);
      },
    },
    v,
    w,
    t1,
    t2,
  );
  for (let k = 0; k < 8; k++) {
    iconst(STATE_AT);
    iconst(STATE_AT);
    code.push(SIMD, ...uleb(V.load), 4, ...uleb(k * VECTOR_BYTES));
    get(finalVars[k]!);
    simd(V.add);
    code.push(SIMD, ...uleb(V.store), 4, ...uleb(k * VECTOR_BYTES));
  }
  code.push(OP.end);
  const locals = vec([[...uleb(26), V128]]);
  return [...uleb(locals.length + code.length), ...locals, ...code];
}

function moduleBytes(): Uint8Array {
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec([[I32]]), ...vec([])]])),
    ...section(3, vec([uleb(0)])),
    ...section(5, vec([[0x00, ...uleb(1)]])),
    ...section(7, vec([[...name("compress4"), 0x00, ...uleb(0)], [...name("memory"), 0x02, ...uleb(0)]])),
    ...section(10, vec([compress4Body()])),
  ]);
}

let compiled: WasmModule | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is unavailable. */
function simdModule(): WasmModule | null {
  if (compiled === undefined) {
    const bytes = moduleBytes();
    compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  return compiled;
}

export function simdAvailable(): boolean {
  return simdModule() !== null;
}

/**
 * Hashes batches of four messages `prefix ‖ tail_j`. Usage: setPrefix(prefix bytes, tail
 * length) once, then per batch setTail(lane, bytes, at) for the lanes in use, hash(), and read
 * the results with equals(lane, ...) or writeDigest(lane, ...).
 */
export class Sha256x4 {
  readonly #words: Int32Array;
  readonly #state: Int32Array;
  readonly #compress4: (ptr: number) => void;
  /** One padded message per lane, as bytes. */
  readonly #template = Array.from({ length: LANES }, () => new Uint8Array(MAX_BLOCKS * BLOCK_BYTES));
  #tailAt = 0;
  #tailLength = 0;
  #blocks = 0;
  /** Template words around an unaligned 32-byte tail, and the masks of their template bytes. */
  readonly #headWord = new Int32Array(LANES);
  readonly #tailWord = new Int32Array(LANES);
  #headMask = 0;
  #tailMask = 0;

  constructor() {
    const module = simdModule();
    if (module === null) throw new Error("WebAssembly SIMD is not available");
    const instance = new WebAssembly.Instance(module, {});
    const memory = instance.exports.memory as WasmMemory;
    this.#compress4 = instance.exports.compress4 as (ptr: number) => void;
    this.#state = new Int32Array(memory.buffer, STATE_AT, 8 * LANES);
    this.#words = new Int32Array(memory.buffer, BLOCKS_AT, MAX_BLOCKS * WORDS_PER_BLOCK * LANES);
  }

  /** Sets the shared prefix and the padding for messages of prefix.length + tailLength bytes. */
  setPrefix(prefix: Uint8Array, prefixLength: number, tailLength: number): void {
    const length = prefixLength + tailLength;
    this.#blocks = sha256Blocks(length);
    if (this.#blocks > MAX_BLOCKS) throw new RangeError(`Sha256x4 message of ${length} bytes`);
    const end = this.#blocks * BLOCK_BYTES;
    // One template, replicated to the four lanes (only the tails differ).
    const t = this.#template[0]!;
    t.fill(0, 0, end);
    t.set(prefix.subarray(0, prefixLength), 0);
    t[length] = 0x80;
    const bits = length * 8;
    t[end - 4] = bits >>> 24;
    t[end - 3] = bits >>> 16;
    t[end - 2] = bits >>> 8;
    t[end - 1] = bits;
    for (let lane = 1; lane < LANES; lane++) this.#template[lane]!.set(t.subarray(0, end));
    this.#tailAt = prefixLength;
    this.#tailLength = tailLength;
    const words = this.#words;
    for (let i = 0; i < end / 4; i++) {
      const j = i * 4;
      const word = (t[j]! << 24) | (t[j + 1]! << 16) | (t[j + 2]! << 8) | t[j + 3]!;
      const o = i * LANES;
      words[o] = word;
      words[o + 1] = word;
      words[o + 2] = word;
      words[o + 3] = word;
    }
    const shift = (prefixLength & 3) * 8;
    const first = prefixLength >> 2;
    for (let lane = 0; lane < LANES; lane++) {
      this.#headWord[lane] = words[first * LANES + lane]!;
      this.#tailWord[lane] = words[(first + 8) * LANES + lane] ?? 0;
    }
    this.#headMask = shift === 0 ? 0 : ~(-1 >>> shift); // the top `shift` bits: prefix bytes
    this.#tailMask = shift === 0 ? 0 : -1 >>> shift; // the bytes after the tail: padding
  }

  /** The tail of one lane's message: bytes[at, at + tailLength). */
  setTail(lane: number, bytes: Uint8Array, at: number): void {
    const t = this.#template[lane]!;
    const from = this.#tailAt;
    const n = this.#tailLength;
    for (let i = 0; i < n; i++) t[from + i] = bytes[at + i]!;
    this.#loadWords(lane, from >> 2, (from + n + 3) >> 2);
  }

  /**
   * The tail of one lane's message as 8 big-endian words (a 32-byte key): words[at, at + 8).
   * Writes the 8 or 9 message words the tail overlaps, shifting by the tail's byte alignment.
   */
  setTailWords(lane: number, words: Int32Array, at: number): void {
    const out = this.#words;
    const first = this.#tailAt >> 2;
    const shift = (this.#tailAt & 3) * 8;
    if (shift === 0) {
      for (let i = 0; i < 8; i++) out[(first + i) * LANES + lane] = words[at + i]!;
      return;
    }
    const back = 32 - shift;
    // The first and last words keep their template bytes outside the tail (prefix / padding).
    let previous = 0;
    for (let i = 0; i < 8; i++) {
      const word = words[at + i]!;
      const o = (first + i) * LANES + lane;
      out[o] = i === 0 ? (this.#headWord[lane]! & this.#headMask) | (word >>> shift) : (previous << back) | (word >>> shift);
      previous = word;
    }
    out[(first + 8) * LANES + lane] = (previous << back) | (this.#tailWord[lane]! & this.#tailMask);
  }

  /** Hashes the four current messages. */
  hash(): void {
    const state = this.#state;
    for (let i = 0; i < 8; i++) {
      const o = i * LANES;
      state[o] = IV[i]!;
      state[o + 1] = IV[i]!;
      state[o + 2] = IV[i]!;
      state[o + 3] = IV[i]!;
    }
    for (let b = 0; b < this.#blocks; b++) this.#compress4(BLOCKS_AT + b * WORDS_PER_BLOCK * LANES * 4);
  }

  /** Whether lane `lane`'s hash equals bytes[at, at + 32). */
  equals(lane: number, bytes: Uint8Array, at: number): boolean {
    const state = this.#state;
    for (let i = 0; i < 8; i++) {
      const o = at + i * 4;
      if (state[i * LANES + lane] !== ((bytes[o]! << 24) | (bytes[o + 1]! << 16) | (bytes[o + 2]! << 8) | bytes[o + 3]!)) return false;
    }
    return true;
  }

  /** Lane `lane`'s hash, big-endian, into out[at, at + 32). */
  writeDigest(lane: number, out: Uint8Array, at: number): void {
    const state = this.#state;
    for (let i = 0; i < 8; i++) {
      const value = state[i * LANES + lane]!;
      const o = at + i * 4;
      out[o] = value >>> 24;
      out[o + 1] = value >>> 16;
      out[o + 2] = value >>> 8;
      out[o + 3] = value;
    }
  }

  /** Big-endian words [fromWord, toWord) of a lane's template into the interleaved block area. */
  #loadWords(lane: number, fromWord: number, toWord: number): void {
    const t = this.#template[lane]!;
    const words = this.#words;
    for (let i = fromWord; i < toWord; i++) {
      const j = i * 4;
      words[i * LANES + lane] = (t[j]! << 24) | (t[j + 1]! << 16) | (t[j + 2]! << 8) | t[j + 3]!;
    }
  }
}
