/**
 * Open-addressing hash table over 32-byte values (message ids, payload hashes) that live in a
 * column: the table stores entry numbers, the bytes stay where they are. Replaces string-keyed
 * Maps (a hex string per lookup) in the hot paths.
 *
 * The inputs are SHA-256 outputs, so their first bytes are already uniform; we still mix 8 bytes
 * with a per-table random seed so that a hotspot grinding payloads for colliding prefixes cannot
 * predict which slots collide (the seed changes nothing but the layout: results never depend on
 * it). Linear probing, load factor <= 1/2.
 */
import { randomBytes } from "node:crypto";

const VALUE_BYTES = 32;
/** Multipliers from MurmurHash3's 32-bit finalizer: good avalanche for Math.imul mixing. */
const MIX_A = 0x85ebca6b;
const MIX_B = 0xc2b2ae35;

/** A built table; plain typed arrays so it can be handed to worker threads. */
export interface Bytes32Table {
  /** Slot -> entry + 1 (0 = empty); length is a power of two. */
  readonly slots: Int32Array;
  /** Entry -> position of its 32 bytes in `source` (in units of 32 bytes). */
  readonly entryRow: Int32Array;
  readonly source: Uint8Array;
  readonly seedA: number;
  readonly seedB: number;
}

function slotOf(table: Bytes32Table, bytes: Uint8Array, offset: number): number {
  return mixSlot(bytes, offset, table.seedA, table.seedB, table.slots.length - 1);
}

function mixSlot(bytes: Uint8Array, offset: number, seedA: number, seedB: number, mask: number): number {
  const w0 = (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) ^ seedA;
  const w1 = (bytes[offset + 4]! | (bytes[offset + 5]! << 8) | (bytes[offset + 6]! << 16) | (bytes[offset + 7]! << 24)) ^ seedB;
  let h = Math.imul(w0, MIX_A) ^ Math.imul(w1 ^ (w0 >>> 16), MIX_B);
  h ^= h >>> 15;
  return h & mask;
}

function equalAt(a: Uint8Array, aOffset: number, b: Uint8Array, bOffset: number): boolean {
  for (let i = 0; i < VALUE_BYTES; i++) if (a[aOffset + i] !== b[bOffset + i]) return false;
  return true;
}

/** Entry whose value equals bytes[offset, offset + 32), or -1. */
export function tableFind(table: Bytes32Table, bytes: Uint8Array, offset: number): number {
  const mask = table.slots.length - 1;
  const { slots, entryRow, source } = table;
  for (let slot = slotOf(table, bytes, offset); ; slot = (slot + 1) & mask) {
    const entry = slots[slot]! - 1;
    if (entry < 0) return -1;
    if (equalAt(source, entryRow[entry]! * VALUE_BYTES, bytes, offset)) return entry;
  }
}

/**
 * Builds a table while inserting: `insert(row)` adds the value at source row `row` unless an
 * equal value is present, and returns the entry number of the (first) equal value or the new one.
 */
export class Bytes32TableBuilder {
  readonly table: Bytes32Table;
  #count = 0;

  constructor(capacity: number, source: Uint8Array, shared = false) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    const seeds = randomBytes(8);
    const Buffer = shared ? SharedArrayBuffer : ArrayBuffer;
    this.table = {
      slots: new Int32Array(new Buffer(size * 4)),
      entryRow: new Int32Array(new Buffer(Math.max(capacity, 1) * 4)),
      source,
      seedA: seeds.readInt32LE(0),
      seedB: seeds.readInt32LE(4),
    };
  }

  get count(): number {
    return this.#count;
  }

  /** The entry of the value at `row`: an existing equal one, or a new one (then `count` grew). */
  insert(row: number): number {
    const { slots, entryRow, source } = this.table;
    const mask = slots.length - 1;
    const offset = row * VALUE_BYTES;
    for (let slot = slotOf(this.table, source, offset); ; slot = (slot + 1) & mask) {
      const entry = slots[slot]! - 1;
      if (entry < 0) {
        if (this.#count >= entryRow.length) throw new RangeError("Bytes32TableBuilder capacity exceeded");
        const created = this.#count++;
        entryRow[created] = row;
        slots[slot] = created + 1;
        return created;
      }
      if (equalAt(source, entryRow[entry]! * VALUE_BYTES, source, offset)) return entry;
    }
  }
}

/**
 * Interns 32-byte values as they arrive (the columns builder's witness payload hashes): equal
 * values get one index, and the values are stored once. About 15 witness reports share each
 * payload hash, so a report keeps a 4-byte index instead of 32 bytes (0.7 GiB less at Helium
 * scale), and the scorer looks up each distinct hash once instead of once per report.
 */
export class Bytes32Interner {
  #values: Uint8Array;
  #slots: Int32Array;
  #count = 0;
  readonly #seedA: number;
  readonly #seedB: number;

  constructor(expected = 1024) {
    const seeds = randomBytes(8);
    this.#seedA = seeds.readInt32LE(0);
    this.#seedB = seeds.readInt32LE(4);
    let size = 16;
    while (size < expected * 2) size *= 2;
    this.#slots = new Int32Array(size);
    this.#values = new Uint8Array(Math.max(expected, 16) * VALUE_BYTES);
  }

  get count(): number {
    return this.#count;
  }

  /** The distinct values interned so far, entry i at i × 32 (a view: copy before interning more). */
  get values(): Uint8Array {
    return this.#values.subarray(0, this.#count * VALUE_BYTES);
  }

  /** The entry of bytes[offset, offset + 32): an existing equal one or a new one. */
  intern(bytes: Uint8Array, offset: number): number {
    const mask = this.#slots.length - 1;
    for (let slot = this.#slotOf(bytes, offset, mask); ; slot = (slot + 1) & mask) {
      const entry = this.#slots[slot]! - 1;
      if (entry < 0) {
        const created = this.#count++;
        if (created * VALUE_BYTES >= this.#values.length) {
          const grown = new Uint8Array(this.#values.length * 2);
          grown.set(this.#values);
          this.#values = grown;
        }
        for (let i = 0; i < VALUE_BYTES; i++) this.#values[created * VALUE_BYTES + i] = bytes[offset + i]!;
        this.#slots[slot] = created + 1;
        // Load factor ≤ 1/2 keeps probe sequences short.
        if (this.#count * 2 > this.#slots.length) this.#rehash();
        return created;
      }
      if (equalAt(this.#values, entry * VALUE_BYTES, bytes, offset)) return entry;
    }
  }

  #slotOf(bytes: Uint8Array, offset: number, mask: number): number {
    return mixSlot(bytes, offset, this.#seedA, this.#seedB, mask);
  }

  #rehash(): void {
    this.#slots = new Int32Array(this.#slots.length * 2);
    const mask = this.#slots.length - 1;
    for (let entry = 0; entry < this.#count; entry++) {
      let slot = this.#slotOf(this.#values, entry * VALUE_BYTES, mask);
      while (this.#slots[slot] !== 0) slot = (slot + 1) & mask;
      this.#slots[slot] = entry + 1;
    }
  }
}
