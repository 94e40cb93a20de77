/**
 * Durable state of the ledger in `dataDir`:
 * - `snapshot.bin`: litesvm's own serialization of the whole VM (accounts, sysvars, programs)
 *   plus the bank's metadata and transaction history, written to a temporary file, fsynced and
 *   renamed over the previous one, so a crash leaves either the old or the new snapshot.
 * - `journal.log`: every transaction committed since that snapshot, one checksummed line each,
 *   appended and fdatasync'd before the client gets its answer. At start the journal is replayed
 *   on top of the snapshot; a torn last line (crash mid-write) is discarded.
 * So a kill -9 loses no acknowledged transaction (with `fsync` on); only idle slots since the
 * last snapshot are forgotten, and the clock resumes from wall time.
 */
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import type { BankMeta, ClockState, CommittedTransaction, TransactionRecord } from "./bank.js";
import { JournalCorruptError, SnapshotCorruptError } from "./errors.js";

/** Magic and format version at the start of snapshot.bin. */
const SNAPSHOT_MAGIC = Buffer.from("HXLSNAP1", "ascii");
const SNAPSHOT_FILE = "snapshot.bin";
const JOURNAL_FILE = "journal.log";

export interface StoredState {
  meta: BankMeta;
  records: TransactionRecord[];
  vm: Uint8Array;
  /** Sequence number of the last journal entry contained in the snapshot. */
  journalSeq: number;
}

export interface JournalEntry extends CommittedTransaction {
  seq: number;
}

// ---- JSON forms (bigints as decimal strings; bytes as base64) ----

const big = (value: unknown): bigint => {
  if (typeof value !== "string" || !/^-?\d+$/.test(value)) throw new TypeError(`not an integer string: ${String(value)}`);
  return BigInt(value);
};

function metaToJson(meta: BankMeta): Record<string, unknown> {
  return {
    genesisHash: meta.genesisHash,
    faucetSecretKey: meta.faucetSecretKey,
    identitySecretKey: meta.identitySecretKey,
    slot: meta.slot.toString(),
    blockHeight: meta.blockHeight.toString(),
    slotStartUnixMs: meta.slotStartUnixMs,
    epochStartTimestamp: meta.epochStartTimestamp.toString(),
    transactionCount: meta.transactionCount.toString(),
  };
}

function metaFromJson(json: Record<string, unknown>): BankMeta {
  return {
    genesisHash: String(json.genesisHash),
    faucetSecretKey: String(json.faucetSecretKey),
    identitySecretKey: String(json.identitySecretKey),
    slot: big(json.slot),
    blockHeight: big(json.blockHeight),
    slotStartUnixMs: Number(json.slotStartUnixMs),
    epochStartTimestamp: big(json.epochStartTimestamp),
    transactionCount: big(json.transactionCount),
  };
}

function recordToJson(r: TransactionRecord): Record<string, unknown> {
  return {
    ...r,
    slot: r.slot.toString(),
    transaction: Buffer.from(r.transaction).toString("base64"),
    fee: r.fee.toString(),
    preBalances: r.preBalances.map(String),
    postBalances: r.postBalances.map(String),
    computeUnitsConsumed: r.computeUnitsConsumed.toString(),
  };
}

function recordFromJson(json: Record<string, unknown>): TransactionRecord {
  return {
    ...(json as unknown as TransactionRecord),
    slot: big(json.slot),
    transaction: Buffer.from(String(json.transaction), "base64"),
    fee: big(json.fee),
    preBalances: (json.preBalances as unknown[]).map(big),
    postBalances: (json.postBalances as unknown[]).map(big),
    computeUnitsConsumed: big(json.computeUnitsConsumed),
  };
}

function clockToJson(c: ClockState): Record<string, string> {
  return {
    slot: c.slot.toString(),
    epoch: c.epoch.toString(),
    epochStartTimestamp: c.epochStartTimestamp.toString(),
    leaderScheduleEpoch: c.leaderScheduleEpoch.toString(),
    unixTimestamp: c.unixTimestamp.toString(),
  };
}

function clockFromJson(json: Record<string, unknown>): ClockState {
  return {
    slot: big(json.slot),
    epoch: big(json.epoch),
    epochStartTimestamp: big(json.epochStartTimestamp),
    leaderScheduleEpoch: big(json.leaderScheduleEpoch),
    unixTimestamp: big(json.unixTimestamp),
  };
}

/** writeSync may write less than asked; a short journal line would read back as a torn write. */
function writeAll(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

export class LedgerStore {
  readonly snapshotPath: string;
  readonly journalPath: string;
  private journalFd: number | null = null;
  private seq = 0;

  constructor(
    readonly dir: string,
    private readonly fsync: boolean,
  ) {
    mkdirSync(dir, { recursive: true });
    this.snapshotPath = join(dir, SNAPSHOT_FILE);
    this.journalPath = join(dir, JOURNAL_FILE);
  }

  /** The last snapshot, or null if there is none yet (a new chain). */
  readSnapshot(): StoredState | null {
    if (!existsSync(this.snapshotPath)) return null;
    const file = readFileSync(this.snapshotPath);
    const fail = (detail: string) => new SnapshotCorruptError(this.snapshotPath, detail);
    if (file.length < SNAPSHOT_MAGIC.length + 8) throw fail("file too short");
    if (!file.subarray(0, SNAPSHOT_MAGIC.length).equals(SNAPSHOT_MAGIC)) throw fail("not a ledger snapshot");
    const body = file.subarray(0, file.length - 4);
    if (crc32(body) !== file.readUInt32LE(file.length - 4)) throw fail("checksum mismatch");
    const metaLength = file.readUInt32LE(SNAPSHOT_MAGIC.length);
    const metaStart = SNAPSHOT_MAGIC.length + 4;
    if (metaStart + metaLength > body.length) throw fail("metadata length out of range");
    try {
      const json = JSON.parse(body.subarray(metaStart, metaStart + metaLength).toString("utf8")) as Record<string, unknown>;
      const state: StoredState = {
        meta: metaFromJson(json.meta as Record<string, unknown>),
        records: (json.records as Record<string, unknown>[]).map(recordFromJson),
        journalSeq: Number(json.journalSeq),
        vm: body.subarray(metaStart + metaLength),
      };
      this.seq = state.journalSeq;
      return state;
    } catch (err) {
      throw fail(err instanceof Error ? err.message : String(err));
    }
  }

  /** Atomically replaces the snapshot, then empties the journal it supersedes. */
  writeSnapshot(meta: BankMeta, records: TransactionRecord[], vm: Uint8Array): void {
    const json = Buffer.from(
      JSON.stringify({ meta: metaToJson(meta), records: records.map(recordToJson), journalSeq: this.seq }),
      "utf8",
    );
    const header = Buffer.alloc(4);
    header.writeUInt32LE(json.length);
    const body = Buffer.concat([SNAPSHOT_MAGIC, header, json, vm]);
    const trailer = Buffer.alloc(4);
    trailer.writeUInt32LE(crc32(body));
    const tmp = `${this.snapshotPath}.tmp`;
    const fd = openSync(tmp, "w");
    try {
      writeAll(fd, body);
      writeAll(fd, trailer);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.snapshotPath);
    this.syncDir();
    // Entries up to this.seq are in the snapshot; if we crash before the truncate, replay skips them.
    if (this.journalFd !== null) {
      ftruncateSync(this.journalFd, 0);
      if (this.fsync) fdatasyncSync(this.journalFd);
    } else {
      writeFileSync(this.journalPath, "");
    }
  }

  private syncDir(): void {
    // The rename is durable only once the directory entry is; not every platform allows it.
    try {
      const fd = openSync(this.dir, "r");
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch {
      // Directories cannot be opened for fsync on some platforms (Windows); the rename still happened.
    }
  }

  /**
   * Journal entries after the snapshot. A damaged last line is a write interrupted by a crash and
   * is cut off; damage before the last line is corruption and fails loudly.
   */
  readJournal(afterSeq: number): JournalEntry[] {
    if (!existsSync(this.journalPath)) return [];
    const text = readFileSync(this.journalPath, "utf8");
    const lines = text.split("\n");
    const entries: JournalEntry[] = [];
    let validLength = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const isLast = i === lines.length - 1;
      if (isLast) {
        // Text after the final newline is a torn write (or nothing).
        break;
      }
      const entry = this.parseLine(line);
      if (entry === null) {
        const trailingGarbage = lines.slice(i + 1).every((rest) => rest.length === 0);
        if (trailingGarbage) break;
        throw new JournalCorruptError(this.journalPath, i + 1, "checksum or syntax error");
      }
      validLength += Buffer.byteLength(line, "utf8") + 1;
      if (entry.seq > afterSeq) entries.push(entry);
      if (entry.seq > this.seq) this.seq = entry.seq;
    }
    if (validLength !== Buffer.byteLength(text, "utf8")) {
      const fd = openSync(this.journalPath, "r+");
      try {
        ftruncateSync(fd, validLength);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    return entries;
  }

  private parseLine(line: string): JournalEntry | null {
    const space = line.indexOf(" ");
    if (space !== 8) return null;
    const json = line.slice(space + 1);
    if (crc32(json).toString(16).padStart(8, "0") !== line.slice(0, space)) return null;
    try {
      const raw = JSON.parse(json) as Record<string, unknown>;
      return {
        seq: Number(raw.seq),
        bytes: Buffer.from(String(raw.tx), "base64"),
        clock: clockFromJson(raw.clock as Record<string, unknown>),
        blockHeight: big(raw.blockHeight),
        slotStartUnixMs: Number(raw.slotStartUnixMs),
        ok: raw.ok === true,
        blocks: (raw.blocks as unknown[][]).map(([slot, height]) => [big(slot), big(height)] as [bigint, bigint]),
      };
    } catch {
      return null;
    }
  }

  /** Appends one committed transaction; durable on return when fsync is on. */
  append(entry: CommittedTransaction): void {
    if (this.journalFd === null) this.journalFd = openSync(this.journalPath, "a");
    this.seq += 1;
    const json = JSON.stringify({
      seq: this.seq,
      tx: Buffer.from(entry.bytes).toString("base64"),
      clock: clockToJson(entry.clock),
      blockHeight: entry.blockHeight.toString(),
      slotStartUnixMs: entry.slotStartUnixMs,
      ok: entry.ok,
      blocks: entry.blocks.map(([slot, height]) => [slot.toString(), height.toString()]),
    });
    writeAll(this.journalFd, Buffer.from(`${crc32(json).toString(16).padStart(8, "0")} ${json}\n`, "utf8"));
    if (this.fsync) fdatasyncSync(this.journalFd);
  }

  /** Entries appended since the last snapshot (0 means the snapshot is current). */
  get sequence(): number {
    return this.seq;
  }

  close(): void {
    if (this.journalFd !== null) {
      closeSync(this.journalFd);
      this.journalFd = null;
    }
  }
}
