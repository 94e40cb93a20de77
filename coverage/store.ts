/**
 * CoverageIndex: the LMDB-backed coverage index (issue 8). One environment, four databases:
 * - `cells`:    epoch (u32 BE) ‖ cell (u64 BE) → CellRecord. Big-endian keys sort like the numbers,
 *               so all descendants of a cell at one resolution in one snapshot are one contiguous
 *               key range (geo's cellChildRange), and a bbox is a handful of range scans.
 * - `features`: same keys → centre ‖ GeoJSON feature bytes (coverage/features.ts), what bbox
 *               queries read: no decoding per candidate.
 * - `epochs`:   epoch → EpochSummary. Written last in the snapshot's transaction: a snapshot is
 *               visible to readers only once complete.
 * - `feeds`:    epoch → EpochCoverageFeed, kept while inside the window of a future snapshot
 *               (none with windowEpochs = 1).
 * - `hotspots`: base58 key → HotspotRecord as of the newest snapshot that listed the hotspot.
 * Readers use synchronous LMDB reads (memory-mapped, no copies into a cache of our own).
 */
import { mkdirSync } from "node:fs";
import * as h3 from "h3-js";
import { type Database, type RootDatabase, open } from "lmdb";
import {
  BASE_RESOLUTION,
  DEFAULT_RETAIN_EPOCHS,
  DEFAULT_WINDOW_EPOCHS,
  MAX_EPOCH,
  MIN_INDEX_RESOLUTION,
} from "./constants.js";
import { EpochNotFoundError, EpochOutOfOrderError, InvalidIndexOptionsError } from "./errors.js";
import { type EpochCoverageFeed, parseEpochCoverageFeed } from "./feed.js";
import { type CellRecord, type HotspotRecord, buildSnapshot } from "./snapshot.js";
import { meanScore } from "./score.js";
import { encodeFeature } from "./features.js";

export interface CoverageIndexOptions {
  /** Folder of the LMDB environment (created if missing). */
  readonly dataDir: string;
  /** Snapshots kept for the epoch selector (default {@link DEFAULT_RETAIN_EPOCHS}). */
  readonly retainEpochs?: number;
  /** Epochs merged into each snapshot (default {@link DEFAULT_WINDOW_EPOCHS}); ≤ retainEpochs is not required. */
  readonly windowEpochs?: number;
}

/** Per-epoch summary: what GET /v1/epochs lists. */
export interface EpochSummary {
  readonly epoch: number;
  readonly finalizedAt: number;
  /** First epoch merged into this snapshot (see windowEpochs). */
  readonly windowFromEpoch: number;
  readonly indexedAt: number;
  /** Totals over the window: hotspots listed by its feeds, those active, and the evidence. */
  readonly hotspots: number;
  readonly activeHotspots: number;
  readonly validBeacons: number;
  readonly validWitnesses: number;
  /** Indexed cells per resolution, e.g. {"4": 12, ..., "8": 530}. */
  readonly cellsByResolution: Readonly<Record<string, number>>;
  /** Mean score of the indexed base cells (integer, floor). */
  readonly meanBaseScore: number;
  /** [minLng, minLat, maxLng, maxLat] of the base cells' centres, null when empty (the map's initial view). */
  readonly extent: readonly [number, number, number, number] | null;
}

const EPOCH_BYTES = 4;
const CELL_BYTES = 8;
export const CELL_KEY_BYTES = EPOCH_BYTES + CELL_BYTES;

/** Key of `cell` (as u64) in snapshot `epoch`. */
export function cellKeyBytes(epoch: number, cellU64: bigint): Buffer {
  const key = Buffer.allocUnsafe(CELL_KEY_BYTES);
  key.writeUInt32BE(epoch, 0);
  key.writeBigUInt64BE(cellU64, EPOCH_BYTES);
  return key;
}

function checkCount(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < 1 || v > MAX_EPOCH) throw new InvalidIndexOptionsError(`${name} must be a positive integer, got ${v}`);
  return v;
}

export class CoverageIndex {
  readonly retainEpochs: number;
  readonly windowEpochs: number;
  readonly baseResolution = BASE_RESOLUTION;
  readonly minResolution = MIN_INDEX_RESOLUTION;
  readonly #root: RootDatabase;
  readonly #cells: Database<CellRecord, Buffer>;
  readonly #features: Database<Buffer, Buffer>;
  readonly #epochs: Database<EpochSummary, number>;
  readonly #feeds: Database<EpochCoverageFeed, number>;
  readonly #hotspots: Database<HotspotRecord, string>;
  /** Ascending retained epochs, mirrored from `epochs` (the source of truth). */
  #retained: EpochSummary[] = [];
  /** Ingests run one at a time, in call order. */
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(root: RootDatabase, retainEpochs: number, windowEpochs: number) {
    this.#root = root;
    this.retainEpochs = retainEpochs;
    this.windowEpochs = windowEpochs;
    this.#cells = root.openDB<CellRecord, Buffer>({ name: "cells", keyEncoding: "binary" });
    this.#features = root.openDB<Buffer, Buffer>({ name: "features", keyEncoding: "binary", encoding: "binary" });
    this.#epochs = root.openDB<EpochSummary, number>({ name: "epochs", keyEncoding: "uint32" });
    this.#feeds = root.openDB<EpochCoverageFeed, number>({ name: "feeds", keyEncoding: "uint32" });
    this.#hotspots = root.openDB<HotspotRecord, string>({ name: "hotspots" });
    this.#reloadEpochs();
  }

  /** Opens (or creates) the index in `options.dataDir`. @throws InvalidIndexOptionsError */
  static open(options: CoverageIndexOptions): CoverageIndex {
    const retain = checkCount("retainEpochs", options.retainEpochs, DEFAULT_RETAIN_EPOCHS);
    const window = checkCount("windowEpochs", options.windowEpochs, DEFAULT_WINDOW_EPOCHS);
    mkdirSync(options.dataDir, { recursive: true });
    // A derived index: losing the last commit on power loss only means re-polling one epoch, so
    // the default overlapping sync (commit visible before fsync) is enough.
    const root = open({ path: options.dataDir, maxDbs: 8 });
    return new CoverageIndex(root, retain, window);
  }

  #reloadEpochs(): void {
    this.#retained = [...this.#epochs.getRange()].map(({ value }) => value);
  }

  /** Newest indexed epoch, or null before the first ingest. */
  latestEpoch(): number | null {
    return this.#retained.length === 0 ? null : this.#retained[this.#retained.length - 1]!.epoch;
  }

  /** Retained snapshots, ascending. */
  epochs(): readonly EpochSummary[] {
    return this.#retained;
  }

  /** The summary of a retained epoch ("latest" = newest). @throws EpochNotFoundError */
  resolveEpoch(selector: number | "latest"): EpochSummary {
    if (selector === "latest") {
      const last = this.#retained[this.#retained.length - 1];
      if (last === undefined) throw new EpochNotFoundError("latest", []);
      return last;
    }
    // Few retained epochs (default 14): a linear search is the simplest correct lookup.
    const found = this.#retained.find((s) => s.epoch === selector);
    if (found === undefined) throw new EpochNotFoundError(selector, this.#retained.map((s) => s.epoch));
    return found;
  }

  /**
   * Validates and indexes one finalized epoch: stores the feed, builds the snapshot over the
   * window, writes it and drops snapshots beyond the retention, all in one transaction.
   * @throws InvalidFeedError (and the other feed errors), EpochOutOfOrderError
   */
  ingest(input: unknown): Promise<EpochSummary> {
    const run = this.#queue.then(() => this.#ingest(input));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #ingest(input: unknown): Promise<EpochSummary> {
    const feed = parseEpochCoverageFeed(input);
    const latest = this.latestEpoch();
    if (latest !== null && feed.epoch <= latest) throw new EpochOutOfOrderError(feed.epoch, latest);
    const fromEpoch = Math.max(0, feed.epoch - this.windowEpochs + 1);
    const previous = [...this.#feeds.getRange({ start: fromEpoch, end: feed.epoch })].map(({ value }) => value);
    const snapshot = buildSnapshot([...previous, feed]);

    const cellsByResolution: Record<string, number> = {};
    for (const [res, records] of snapshot.cells) cellsByResolution[String(res)] = records.length;
    const base = snapshot.cells.get(BASE_RESOLUTION) ?? [];
    let scoreSum = 0;
    let extent: [number, number, number, number] | null = null;
    for (const r of base) {
      scoreSum += r.score;
      const [lat, lng] = h3.cellToLatLng(r.cell);
      if (extent === null) extent = [lng, lat, lng, lat];
      else extent = [Math.min(extent[0], lng), Math.min(extent[1], lat), Math.max(extent[2], lng), Math.max(extent[3], lat)];
    }
    const summary: EpochSummary = {
      epoch: feed.epoch,
      finalizedAt: feed.finalizedAt,
      windowFromEpoch: previous[0]?.epoch ?? feed.epoch,
      indexedAt: Date.now(),
      hotspots: snapshot.totals.hotspots,
      activeHotspots: snapshot.totals.activeHotspots,
      validBeacons: snapshot.totals.validBeacons,
      validWitnesses: snapshot.totals.validWitnesses,
      cellsByResolution,
      meanBaseScore: meanScore(scoreSum, base.length),
      extent,
    };
    const dropBefore = feed.epoch - this.retainEpochs + 1;

    await this.#root.transaction(() => {
      // Later snapshots need this feed only while it is inside their window.
      if (this.windowEpochs > 1) this.#feeds.put(feed.epoch, feed);
      // Keys are collected before removing: no writes while a cursor over the same db is open.
      for (const key of [...this.#feeds.getKeys({ end: fromEpoch })]) this.#feeds.remove(key);
      for (const records of snapshot.cells.values()) {
        for (const record of records) {
          const key = cellKeyBytes(feed.epoch, BigInt(`0x${record.cell}`));
          this.#cells.put(key, record);
          this.#features.put(key, encodeFeature(record));
        }
      }
      for (const h of snapshot.hotspots) {
        // A hotspot silent for the whole window keeps the last activity an older snapshot saw.
        const lastActiveEpoch = h.lastActiveEpoch ?? this.#hotspots.get(h.key)?.lastActiveEpoch ?? null;
        this.#hotspots.put(h.key, lastActiveEpoch === h.lastActiveEpoch ? h : { ...h, lastActiveEpoch });
      }
      if (dropBefore > 0) {
        for (const old of [...this.#epochs.getKeys({ end: dropBefore })]) {
          const range = { start: cellKeyBytes(old, 0n), end: cellKeyBytes(old + 1, 0n) };
          for (const key of [...this.#cells.getKeys(range)]) this.#cells.remove(key);
          for (const key of [...this.#features.getKeys(range)]) this.#features.remove(key);
          this.#epochs.remove(old);
        }
      }
      this.#epochs.put(feed.epoch, summary);
    });
    this.#reloadEpochs();
    return summary;
  }

  /** One cell of a snapshot, or undefined when the cell has no data there. */
  getCell(epoch: number, cellU64: bigint): CellRecord | undefined {
    return this.#cells.get(cellKeyBytes(epoch, cellU64));
  }

  /**
   * Records of snapshot `epoch` whose cell u64 lies in [firstU64, lastU64], ascending, starting
   * after `afterU64` when given. Lazily read: stop iterating to stop reading.
   */
  *scan(epoch: number, firstU64: bigint, lastU64: bigint, afterU64?: bigint): Generator<CellRecord> {
    let start = firstU64;
    if (afterU64 !== undefined && afterU64 >= start) start = afterU64 + 1n;
    if (start > lastU64) return;
    for (const { value } of this.#cells.getRange({ start: cellKeyBytes(epoch, start), end: cellKeyBytes(epoch, lastU64 + 1n) })) {
      yield value;
    }
  }

  /**
   * Like {@link scan} over the precomputed features: yields each entry's key (epoch ‖ cell u64 BE)
   * and value (centre ‖ feature JSON, coverage/features.ts) as raw bytes.
   */
  *scanFeatures(epoch: number, firstU64: bigint, lastU64: bigint, afterU64?: bigint): Generator<{ key: Buffer; value: Buffer }> {
    let start = firstU64;
    if (afterU64 !== undefined && afterU64 >= start) start = afterU64 + 1n;
    if (start > lastU64) return;
    yield* this.#features.getRange({ start: cellKeyBytes(epoch, start), end: cellKeyBytes(epoch, lastU64 + 1n) });
  }

  /** The newest record of a hotspot, or undefined. */
  getHotspot(key: string): HotspotRecord | undefined {
    return this.#hotspots.get(key);
  }

  /** Number of hotspots the index has ever seen (records are kept after they go quiet). */
  hotspotCount(): number {
    return this.#hotspots.getKeysCount();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue;
    await this.#root.close();
  }
}
