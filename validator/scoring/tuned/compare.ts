/** Byte comparisons over 32-byte values packed in typed arrays. */
import { BYTES32 } from "./columns.js";

export function equalBytes(a: Uint8Array, aAt: number, b: Uint8Array, bAt: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (a[aAt + i] !== b[bAt + i]) return false;
  return true;
}

/** Byte-wise comparison of two 32-byte values (the order of Buffer.compare). */
export function compareAt(a: Uint8Array, aAt: number, b: Uint8Array, bAt: number): number {
  for (let i = 0; i < BYTES32; i++) {
    const d = a[aAt + i]! - b[bAt + i]!;
    if (d !== 0) return d;
  }
  return 0;
}
