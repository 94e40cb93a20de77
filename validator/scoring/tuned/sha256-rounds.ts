/**
 * The 64 rounds of SHA-256 compression as WebAssembly instructions, for both generated
 * modules: sha256-wasm.ts (one message, i32 locals) and sha256x4.ts (four messages, i32x4
 * locals). The round structure is written once here; each module supplies its opcodes.
 */
import { SHA256_K as K } from "./sha256.js";

/** Emitters for the operations the rounds need, on the module's word type. */
export interface Sha256RoundOps {
  get(local: number): void;
  set(local: number): void;
  /** Pushes K[i] as a word. */
  constant(value: number): void;
  add(): void;
  xor(): void;
  and(): void;
  or(): void;
  /** Pushes local rotated right by `bits`. */
  rotr(local: number, bits: number): void;
  /** Pushes local shifted right (logical) by `bits`. */
  shr(local: number, bits: number): void;
}

/**
 * Emits the message schedule (in place in the 16 locals `w`, which hold the block's words) and
 * the 64 rounds over the working variables in `v` (a..h), with scratch locals t1 and t2. The
 * state rotation is done by renaming locals; returns the locals that hold a..h at the end.
 */
export function emitSha256Rounds(o: Sha256RoundOps, v: readonly number[], w: readonly number[], t1: number, t2: number): number[] {
  // σ/Σ: rotr(x, r1) ^ rotr(x, r2) ^ (x >>> third, or rotr(x, third)).
  const sigma = (l: number, r1: number, r2: number, third: number, thirdIsShift: boolean) => {
    o.rotr(l, r1);
    o.rotr(l, r2);
    o.xor();
    if (thirdIsShift) o.shr(l, third);
    else o.rotr(l, third);
    o.xor();
  };
  let [a, b, c, d, e, f, g, h] = v as [number, number, number, number, number, number, number, number];
  for (let i = 0; i < 64; i++) {
    const wi = w[i % 16]!;
    if (i >= 16) {
      o.get(wi);
      sigma(w[(i - 15) % 16]!, 7, 18, 3, true);
      o.add();
      o.get(w[(i - 7) % 16]!);
      o.add();
      sigma(w[(i - 2) % 16]!, 17, 19, 10, true);
      o.add();
      o.set(wi);
    }
    // t1 = h + Σ1(e) + Ch(e, f, g) + K[i] + W[i]; Ch = g ^ (e & (f ^ g))
    o.get(h);
    sigma(e, 6, 11, 25, false);
    o.add();
    o.get(g);
    o.get(e);
    o.get(f);
    o.get(g);
    o.xor();
    o.and();
    o.xor();
    o.add();
    o.constant(K[i]! | 0);
    o.add();
    o.get(wi);
    o.add();
    o.set(t1);
    // t2 = Σ0(a) + Maj(a, b, c); Maj = (a & b) | (c & (a | b))
    sigma(a, 2, 13, 22, false);
    o.get(a);
    o.get(b);
    o.and();
    o.get(c);
    o.get(a);
    o.get(b);
    o.or();
    o.and();
    o.or();
    o.add();
    o.set(t2);
    // d += t1 becomes the new e; h = t1 + t2 becomes the new a.
    o.get(d);
    o.get(t1);
    o.add();
    o.set(d);
    o.get(t1);
    o.get(t2);
    o.add();
    o.set(h);
    [a, b, c, d, e, f, g, h] = [h, a, b, c, d, e, f, g];
  }
  return [a, b, c, d, e, f, g, h];
}
