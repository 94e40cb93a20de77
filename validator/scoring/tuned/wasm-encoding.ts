/**
 * The WebAssembly binary-format pieces both generated SHA-256 modules (sha256-wasm.ts, scalar,
 * and sha256x4.ts, SIMD) are written with: LEB128 integers, sections, vectors and names.
 */

/** Unsigned LEB128. */
export function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer (i32.const immediates). */
export function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

export const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
export const name = (text: string): number[] => [...uleb(text.length), ...Buffer.from(text, "ascii")];
