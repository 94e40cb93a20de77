/**
 * The columnar form of a scoring input: one typed array per field, 32-byte values packed in one
 * Uint8Array per field, hotspot keys interned to indices and asserted cells to ids. Every array
 * lives on a SharedArrayBuffer so worker threads read the same memory without copies.
 *
 * Two ways in: {@link columnsFromInput} from a ScoringInput (SignedMessage objects; used by
 * TunedScorer.score and the property test), and {@link EpochColumnsBuilder} for writers that
 * produce columns directly (the benchmark generator: 24 M SignedMessage objects would not fit in
 * memory at Helium scale).
 */
import type { Cell } from "../../../geo/index.js";
import { MAX_PAYLOAD_BYTES, NONCE_BYTES, type SignedMessage } from "../../../protocol/index.js";
import type { ScoringInput } from "../types.js";
import { Bytes32Interner } from "./table.js";

/** Every hash, id and key in the protocol is 32 bytes. */
export const BYTES32 = 32;
/** Reveal nonces are protocol/poc.ts NONCE_BYTES long. */
export const REVEAL_NONCE_BYTES = NONCE_BYTES;
/** Revealed payloads are stored in fixed slots of protocol MAX_PAYLOAD_BYTES plus a length. */
export const REVEAL_PAYLOAD_SLOT = MAX_PAYLOAD_BYTES;

/**
 * Rows of one kind must carry distinct ids (messages are deduplicated by id before they become
 * columns; columnsFromInput does it, a direct writer must). Keys, cells and tables index rows.
 */
export interface EpochColumns {
  /** Interned hotspot keys (registered or not): index -> 32 bytes at index × 32. */
  readonly keyCount: number;
  readonly keyBytes: Uint8Array;
  /** 1 when the key is in the registry (ScoringInput.hotspots). */
  readonly keyRegistered: Uint8Array;
  /** 1 when the key is on the denylist. */
  readonly keyDenylisted: Uint8Array;
  /** Cell id of a registered key's asserted location, -1 otherwise. */
  readonly keyCell: Int32Array;
  readonly keyGainDeciDbi: Int32Array;
  /** Cell id -> asserted res-12 cell. */
  readonly cells: readonly Cell[];

  readonly entropyCount: number;
  readonly entropyId: Uint8Array;
  readonly entropyTimeMs: Float64Array;

  readonly commitCount: number;
  readonly commitId: Uint8Array;
  readonly commitHotspot: Int32Array;
  readonly commitEntropyId: Uint8Array;
  readonly commitPayloadHash: Uint8Array;
  readonly commitTxTimeMs: Float64Array;
  readonly commitFrequencyHz: Float64Array;
  readonly commitDataRate: Uint8Array;
  readonly commitTxPowerDeciDbm: Int32Array;

  readonly revealCount: number;
  readonly revealId: Uint8Array;
  readonly revealHotspot: Int32Array;
  readonly revealBeaconId: Uint8Array;
  readonly revealNonce: Uint8Array;
  /** 32-byte slots; the payload is the first revealPayloadLength[i] bytes. */
  readonly revealPayload: Uint8Array;
  readonly revealPayloadLength: Uint8Array;
  readonly revealTimeMs: Float64Array;

  readonly witnessCount: number;
  readonly witnessId: Uint8Array;
  readonly witnessKey: Int32Array;
  /** Index of the report's payload hash in `payloadHashes` (interned: ~15 reports share one). */
  readonly witnessPayload: Int32Array;
  readonly witnessProof: Uint8Array;
  readonly witnessRssiDeciDbm: Int16Array;
  readonly witnessSnrDeciDb: Int16Array;
  readonly witnessFrequencyHz: Float64Array;
  readonly witnessDataRate: Uint8Array;
  readonly witnessRxTimeMs: Float64Array;
  /** The distinct payload hashes named by witness reports, entry i at i × 32. */
  readonly payloadHashCount: number;
  readonly payloadHashes: Uint8Array;
}

export interface ColumnCapacities {
  readonly entropy: number;
  readonly commits: number;
  readonly reveals: number;
  readonly witnesses: number;
}

export class ColumnsCapacityError extends Error {
  readonly code = "ERR_COLUMNS_CAPACITY";
  constructor(kind: string, capacity: number) {
    super(`more ${kind} than the builder's capacity of ${capacity}`);
    this.name = "ColumnsCapacityError";
  }
}

function shared<T extends Uint8Array | Int16Array | Int32Array | Float64Array>(
  Kind: { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number },
  length: number,
): T {
  return new Kind(new SharedArrayBuffer(Math.max(length, 1) * Kind.BYTES_PER_ELEMENT));
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");

/**
 * Writes columns directly. Fixed capacities per message kind (known up front by both callers);
 * hotspot keys grow as they are interned. Writers either call the add* methods or claim a row
 * (`claimWitness()`, ...) and fill the public arrays themselves.
 */
export class EpochColumnsBuilder {
  readonly capacities: ColumnCapacities;
  readonly entropyId: Uint8Array;
  readonly entropyTimeMs: Float64Array;
  readonly commitId: Uint8Array;
  readonly commitHotspot: Int32Array;
  readonly commitEntropyId: Uint8Array;
  readonly commitPayloadHash: Uint8Array;
  readonly commitTxTimeMs: Float64Array;
  readonly commitFrequencyHz: Float64Array;
  readonly commitDataRate: Uint8Array;
  readonly commitTxPowerDeciDbm: Int32Array;
  readonly revealId: Uint8Array;
  readonly revealHotspot: Int32Array;
  readonly revealBeaconId: Uint8Array;
  readonly revealNonce: Uint8Array;
  readonly revealPayload: Uint8Array;
  readonly revealPayloadLength: Uint8Array;
  readonly revealTimeMs: Float64Array;
  readonly witnessId: Uint8Array;
  readonly witnessKey: Int32Array;
  /** Write through setWitnessPayloadHash (it interns). */
  readonly witnessPayload: Int32Array;
  readonly witnessProof: Uint8Array;
  readonly witnessRssiDeciDbm: Int16Array;
  readonly witnessSnrDeciDb: Int16Array;
  readonly witnessFrequencyHz: Float64Array;
  readonly witnessDataRate: Uint8Array;
  readonly witnessRxTimeMs: Float64Array;

  #entropyCount = 0;
  #commitCount = 0;
  #revealCount = 0;
  #witnessCount = 0;
  #keyBytes = new Uint8Array(BYTES32 * 1024);
  #keyCount = 0;
  readonly #payloadHashes: Bytes32Interner;
  readonly #keyIndex = new Map<string, number>();
  #registered: number[] = [];
  #denylisted: number[] = [];
  #keyCell: number[] = [];
  #keyGain: number[] = [];
  readonly #cellIds = new Map<Cell, number>();
  readonly #cells: Cell[] = [];

  constructor(capacities: ColumnCapacities) {
    this.capacities = capacities;
    const { entropy, commits, reveals, witnesses } = capacities;
    this.entropyId = shared(Uint8Array, entropy * BYTES32);
    this.entropyTimeMs = shared(Float64Array, entropy);
    this.commitId = shared(Uint8Array, commits * BYTES32);
    this.commitHotspot = shared(Int32Array, commits);
    this.commitEntropyId = shared(Uint8Array, commits * BYTES32);
    this.commitPayloadHash = shared(Uint8Array, commits * BYTES32);
    this.commitTxTimeMs = shared(Float64Array, commits);
    this.commitFrequencyHz = shared(Float64Array, commits);
    this.commitDataRate = shared(Uint8Array, commits);
    this.commitTxPowerDeciDbm = shared(Int32Array, commits);
    this.revealId = shared(Uint8Array, reveals * BYTES32);
    this.revealHotspot = shared(Int32Array, reveals);
    this.revealBeaconId = shared(Uint8Array, reveals * BYTES32);
    this.revealNonce = shared(Uint8Array, reveals * REVEAL_NONCE_BYTES);
    this.revealPayload = shared(Uint8Array, reveals * REVEAL_PAYLOAD_SLOT);
    this.revealPayloadLength = shared(Uint8Array, reveals);
    this.revealTimeMs = shared(Float64Array, reveals);
    this.witnessId = shared(Uint8Array, witnesses * BYTES32);
    this.witnessKey = shared(Int32Array, witnesses);
    this.witnessPayload = shared(Int32Array, witnesses);
    // Typically ~15 reports per payload hash; the interner grows if there are more distinct ones.
    this.#payloadHashes = new Bytes32Interner(Math.ceil(witnesses / 8));
    this.witnessProof = shared(Uint8Array, witnesses * BYTES32);
    this.witnessRssiDeciDbm = shared(Int16Array, witnesses);
    this.witnessSnrDeciDb = shared(Int16Array, witnesses);
    this.witnessFrequencyHz = shared(Float64Array, witnesses);
    this.witnessDataRate = shared(Uint8Array, witnesses);
    this.witnessRxTimeMs = shared(Float64Array, witnesses);
  }

  /** Index of a 32-byte key (interned on first sight). */
  internKey(bytes: Uint8Array, offset = 0): number {
    const key = hex(bytes.subarray(offset, offset + BYTES32));
    const known = this.#keyIndex.get(key);
    if (known !== undefined) return known;
    const index = this.#keyCount++;
    if (this.#keyCount * BYTES32 > this.#keyBytes.length) {
      const grown = new Uint8Array(this.#keyBytes.length * 2);
      grown.set(this.#keyBytes);
      this.#keyBytes = grown;
    }
    this.#keyBytes.set(bytes.subarray(offset, offset + BYTES32), index * BYTES32);
    this.#keyIndex.set(key, index);
    this.#registered.push(0);
    this.#denylisted.push(0);
    this.#keyCell.push(-1);
    this.#keyGain.push(0);
    return index;
  }

  /** Index of an already interned key, or undefined. */
  keyIndexOf(bytes: Uint8Array): number | undefined {
    return this.#keyIndex.get(hex(bytes));
  }

  /** Registers (or re-registers: the last registration wins, as in a Map) a hotspot. */
  register(key: number, location: Cell, gainDeciDbi: number): void {
    let cell = this.#cellIds.get(location);
    if (cell === undefined) {
      cell = this.#cells.length;
      this.#cells.push(location);
      this.#cellIds.set(location, cell);
    }
    this.#registered[key] = 1;
    this.#keyCell[key] = cell;
    this.#keyGain[key] = gainDeciDbi;
  }

  deny(key: number): void {
    this.#denylisted[key] = 1;
  }

  get keyCount(): number {
    return this.#keyCount;
  }

  claimEntropy(): number {
    if (this.#entropyCount >= this.capacities.entropy) throw new ColumnsCapacityError("entropy", this.capacities.entropy);
    return this.#entropyCount++;
  }
  claimCommit(): number {
    if (this.#commitCount >= this.capacities.commits) throw new ColumnsCapacityError("commits", this.capacities.commits);
    return this.#commitCount++;
  }
  claimReveal(): number {
    if (this.#revealCount >= this.capacities.reveals) throw new ColumnsCapacityError("reveals", this.capacities.reveals);
    return this.#revealCount++;
  }
  claimWitness(): number {
    if (this.#witnessCount >= this.capacities.witnesses) throw new ColumnsCapacityError("witnesses", this.capacities.witnesses);
    return this.#witnessCount++;
  }

  /** Sets witness row `w`'s payload hash to bytes[offset, offset + 32). */
  setWitnessPayloadHash(w: number, bytes: Uint8Array, offset: number): void {
    this.witnessPayload[w] = this.#payloadHashes.intern(bytes, offset);
  }

  /** Adds one pre-verified message (keys are interned on the way). */
  addMessage(signed: SignedMessage): void {
    const m = signed.message;
    switch (m.kind) {
      case "entropy": {
        const i = this.claimEntropy();
        this.entropyId.set(signed.id, i * BYTES32);
        this.entropyTimeMs[i] = m.timestampMs;
        break;
      }
      case "beaconCommit": {
        const i = this.claimCommit();
        this.commitId.set(signed.id, i * BYTES32);
        this.commitHotspot[i] = this.internKey(m.hotspot);
        this.commitEntropyId.set(m.entropyId, i * BYTES32);
        this.commitPayloadHash.set(m.payloadHash, i * BYTES32);
        this.commitTxTimeMs[i] = m.txTimeMs;
        this.commitFrequencyHz[i] = m.frequencyHz;
        this.commitDataRate[i] = m.dataRate;
        this.commitTxPowerDeciDbm[i] = m.txPowerDeciDbm;
        break;
      }
      case "beaconReveal": {
        const i = this.claimReveal();
        this.revealId.set(signed.id, i * BYTES32);
        this.revealHotspot[i] = this.internKey(m.hotspot);
        this.revealBeaconId.set(m.beaconId, i * BYTES32);
        this.revealNonce.set(m.nonce.subarray(0, REVEAL_NONCE_BYTES), i * REVEAL_NONCE_BYTES);
        this.revealPayload.set(m.payload.subarray(0, REVEAL_PAYLOAD_SLOT), i * REVEAL_PAYLOAD_SLOT);
        this.revealPayloadLength[i] = Math.min(m.payload.length, REVEAL_PAYLOAD_SLOT);
        this.revealTimeMs[i] = m.revealTimeMs;
        break;
      }
      case "witnessReport": {
        const i = this.claimWitness();
        this.witnessId.set(signed.id, i * BYTES32);
        this.witnessKey[i] = this.internKey(m.witness);
        this.setWitnessPayloadHash(i, m.payloadHash, 0);
        this.witnessProof.set(m.proof, i * BYTES32);
        this.witnessRssiDeciDbm[i] = m.rssiDeciDbm;
        this.witnessSnrDeciDb[i] = m.snrDeciDb;
        this.witnessFrequencyHz[i] = m.frequencyHz;
        this.witnessDataRate[i] = m.dataRate;
        this.witnessRxTimeMs[i] = m.rxTimeMs;
        break;
      }
    }
  }

  /** The columns written so far (views of the same shared memory, trimmed to the row counts). */
  build(): EpochColumns {
    const keyCount = this.#keyCount;
    const keyBytes = shared(Uint8Array, keyCount * BYTES32);
    keyBytes.set(this.#keyBytes.subarray(0, keyCount * BYTES32));
    const fill = <T extends Uint8Array | Int32Array>(array: T, values: number[]): T => {
      array.set(values);
      return array;
    };
    const e = this.#entropyCount;
    const c = this.#commitCount;
    const r = this.#revealCount;
    const w = this.#witnessCount;
    const payloadHashCount = this.#payloadHashes.count;
    const payloadHashes = shared(Uint8Array, payloadHashCount * BYTES32);
    payloadHashes.set(this.#payloadHashes.values);
    return {
      keyCount,
      keyBytes: keyBytes.subarray(0, keyCount * BYTES32),
      keyRegistered: fill(shared(Uint8Array, keyCount), this.#registered),
      keyDenylisted: fill(shared(Uint8Array, keyCount), this.#denylisted),
      keyCell: fill(shared(Int32Array, keyCount), this.#keyCell),
      keyGainDeciDbi: fill(shared(Int32Array, keyCount), this.#keyGain),
      cells: [...this.#cells],
      entropyCount: e,
      entropyId: this.entropyId.subarray(0, e * BYTES32),
      entropyTimeMs: this.entropyTimeMs.subarray(0, e),
      commitCount: c,
      commitId: this.commitId.subarray(0, c * BYTES32),
      commitHotspot: this.commitHotspot.subarray(0, c),
      commitEntropyId: this.commitEntropyId.subarray(0, c * BYTES32),
      commitPayloadHash: this.commitPayloadHash.subarray(0, c * BYTES32),
      commitTxTimeMs: this.commitTxTimeMs.subarray(0, c),
      commitFrequencyHz: this.commitFrequencyHz.subarray(0, c),
      commitDataRate: this.commitDataRate.subarray(0, c),
      commitTxPowerDeciDbm: this.commitTxPowerDeciDbm.subarray(0, c),
      revealCount: r,
      revealId: this.revealId.subarray(0, r * BYTES32),
      revealHotspot: this.revealHotspot.subarray(0, r),
      revealBeaconId: this.revealBeaconId.subarray(0, r * BYTES32),
      revealNonce: this.revealNonce.subarray(0, r * REVEAL_NONCE_BYTES),
      revealPayload: this.revealPayload.subarray(0, r * REVEAL_PAYLOAD_SLOT),
      revealPayloadLength: this.revealPayloadLength.subarray(0, r),
      revealTimeMs: this.revealTimeMs.subarray(0, r),
      witnessCount: w,
      witnessId: this.witnessId.subarray(0, w * BYTES32),
      witnessKey: this.witnessKey.subarray(0, w),
      witnessPayload: this.witnessPayload.subarray(0, w),
      witnessProof: this.witnessProof.subarray(0, w * BYTES32),
      witnessRssiDeciDbm: this.witnessRssiDeciDbm.subarray(0, w),
      witnessSnrDeciDb: this.witnessSnrDeciDb.subarray(0, w),
      witnessFrequencyHz: this.witnessFrequencyHz.subarray(0, w),
      witnessDataRate: this.witnessDataRate.subarray(0, w),
      witnessRxTimeMs: this.witnessRxTimeMs.subarray(0, w),
      payloadHashCount,
      payloadHashes: payloadHashes.subarray(0, payloadHashCount * BYTES32),
    };
  }
}

/**
 * Columns of a ScoringInput's registry and messages. Messages with the same id collapse to the
 * last one, as the reference's `new Map(messages by id)` does.
 */
export function columnsFromInput(input: Pick<ScoringInput, "hotspots" | "denylist" | "messages">): EpochColumns {
  const byId = new Map<string, SignedMessage>();
  for (const m of input.messages) byId.set(hex(m.id), m);
  const counts = { entropy: 0, commits: 0, reveals: 0, witnesses: 0 };
  for (const m of byId.values()) {
    if (m.message.kind === "entropy") counts.entropy++;
    else if (m.message.kind === "beaconCommit") counts.commits++;
    else if (m.message.kind === "beaconReveal") counts.reveals++;
    else counts.witnesses++;
  }
  const builder = new EpochColumnsBuilder(counts);
  for (const h of input.hotspots) builder.register(builder.internKey(h.key), h.location, h.gainDeciDbi);
  for (const m of byId.values()) builder.addMessage(m);
  for (const key of input.denylist) {
    if (!/^[0-9a-f]{64}$/.test(key)) continue; // not a hex device key: matches no hotspot
    const index = builder.keyIndexOf(Buffer.from(key, "hex"));
    if (index !== undefined) builder.deny(index);
  }
  return builder.build();
}
