/**
 * Builds one coverage snapshot from the feeds of a window of epochs: pure and deterministic (same
 * feeds → same records, whatever the order of entries inside a feed). The attribution rules are in
 * docs/COVERAGE.md "What is attributed where":
 * - a hotspot is active when it has a valid beacon or a valid witness report in the window; an
 *   active hotspot counts in the cell of its latest asserted location (and its parents). Feeds may
 *   list every registered hotspot: silent ones get a record but no presence anywhere;
 * - a valid beacon counts in the beaconer's cell;
 * - a valid witness report proves coverage at the BEACONER's cell: it adds one valid witness, one
 *   RSSI sample and the witness to the cell's covering hotspots there;
 * - the witness's own cell only records `witnessReportsMade` (activity, not coverage: a beacon
 *   heard at W proves that B's transmitter reaches W, not that a device at W reaches anyone).
 */
import * as h3 from "h3-js";
import {
  BASE_RESOLUTION,
  MAX_COVERING_HOTSPOTS,
  MAX_HOTSPOT_COVERED_CELLS,
  MAX_LOCATED_HOTSPOTS,
  MIN_INDEX_RESOLUTION,
} from "./constants.js";
import type { EpochCoverageFeed } from "./feed.js";
import {
  HistogramBuilder,
  type RssiHistogram,
  coverageScore,
  histogramMedianDbm,
  histogramSamples,
  meanScore,
  rssiBinDbm,
} from "./score.js";

/** A hotspot whose beacons this cell's witness reports came from, or a witness that heard the cell. */
export interface CoveringHotspot {
  readonly key: string;
  /** Valid witness reports by this hotspot of beacons sent from the cell. */
  readonly reports: number;
  /** Strongest of those reports, dBm × 10. */
  readonly bestRssiDeciDbm: number;
}

/** An active hotspot located in the cell (latest asserted location within the window). */
export interface LocatedHotspot {
  readonly key: string;
  readonly location: string;
}

/** Everything the index stores about one cell in one snapshot (the API's cell object). */
export interface CellRecord {
  readonly cell: string;
  readonly resolution: number;
  /** Hotspots located in the cell with a valid beacon or witness report in the window. */
  readonly activeHotspots: number;
  /** Valid beacons sent from the cell. */
  readonly validBeacons: number;
  /** Valid, selected witness reports of beacons sent from the cell. */
  readonly validWitnesses: number;
  /** Valid witness reports made by hotspots located in the cell (about other cells). */
  readonly witnessReportsMade: number;
  /** Strongest RSSI of those witness reports, dBm × 10; null without reports. */
  readonly bestRssiDeciDbm: number | null;
  /** Lower median of the RSSI histogram, whole dBm; null without reports. */
  readonly medianRssiDbm: number | null;
  readonly rssiSamples: number;
  /** Sparse 1 dB histogram `[dbm, count, ...]`, ascending. */
  readonly rssiHistogram: RssiHistogram;
  /** Newest epoch in which anything was attributed to the cell. */
  readonly lastSeenEpoch: number;
  /** 0..100, docs/COVERAGE.md "Coverage score". */
  readonly score: number;
  /** Indexed base cells at or under this cell (1 at the base resolution). */
  readonly baseCells: number;
  /** Sum of their scores (the coarse score is the floor of the mean). */
  readonly scoreSum: number;
  /**
   * Distinct hotspots that proved coverage here. Exact at the base resolution; at coarser ones the
   * distinct count over the children's bounded lists (a lower bound).
   */
  readonly coveringHotspotCount: number;
  /** Top covering hotspots: best RSSI first, then most reports, then key. */
  readonly coveringHotspots: readonly CoveringHotspot[];
  /** Located hotspots (at most MAX_LOCATED_HOTSPOTS, by key); `activeHotspots` is the full count. */
  readonly locatedHotspots: readonly LocatedHotspot[];
}

/** The index's view of one hotspot as of a snapshot. */
export interface HotspotRecord {
  readonly key: string;
  readonly location: string;
  /** Its base-resolution cell. */
  readonly cell: string;
  readonly gainDeciDbi: number;
  /** A valid beacon or witness report in this snapshot's window. */
  readonly active: boolean;
  /**
   * Newest epoch with a valid beacon or witness report, null if none is known. The index carries
   * it over from older records when the window has none (coverage/store.ts).
   */
  readonly lastActiveEpoch: number | null;
  /** Snapshot (epoch) this record was computed in, and its window. */
  readonly snapshotEpoch: number;
  readonly windowFromEpoch: number;
  /** Valid beacons in the window. */
  readonly validBeacons: number;
  /** Sum of `validWitnesses` over those beacons. */
  readonly witnessesOfBeacons: number;
  /** Valid, selected witness reports it made in the window. */
  readonly witnessReportsMade: number;
  /** Base cells where its reports proved coverage, most reports first (bounded). */
  readonly coveredCells: readonly { readonly cell: string; readonly reports: number }[];
}

export interface Snapshot {
  readonly epoch: number;
  readonly windowFromEpoch: number;
  /** Records per resolution, from BASE_RESOLUTION down to MIN_INDEX_RESOLUTION. */
  readonly cells: ReadonlyMap<number, readonly CellRecord[]>;
  readonly hotspots: readonly HotspotRecord[];
  /** Hotspots listed by the window's feeds, those of them active, and the window's evidence. */
  readonly totals: { readonly hotspots: number; readonly activeHotspots: number; readonly validBeacons: number; readonly validWitnesses: number };
}

interface CellAcc {
  activeHotspots: number;
  validBeacons: number;
  validWitnesses: number;
  witnessReportsMade: number;
  best: number | null;
  histogram: HistogramBuilder;
  lastSeenEpoch: number;
  covering: Map<string, { reports: number; best: number }>;
  located: LocatedHotspot[];
  scoreSum: number;
  baseCells: number;
}

function newAcc(): CellAcc {
  return {
    activeHotspots: 0,
    validBeacons: 0,
    validWitnesses: 0,
    witnessReportsMade: 0,
    best: null,
    histogram: new HistogramBuilder(),
    lastSeenEpoch: -1,
    covering: new Map(),
    located: [],
    scoreSum: 0,
    baseCells: 0,
  };
}

function accAt(map: Map<string, CellAcc>, cell: string): CellAcc {
  let acc = map.get(cell);
  if (acc === undefined) {
    acc = newAcc();
    map.set(cell, acc);
  }
  return acc;
}

interface HotspotAcc {
  location: string;
  cell: string;
  gainDeciDbi: number;
  lastActiveEpoch: number | null;
  validBeacons: number;
  witnessesOfBeacons: number;
  witnessReportsMade: number;
  covered: Map<string, number>;
}

/** A hotspot as listed by one epoch's feed. */
interface EpochEntry {
  readonly hotspot: HotspotAcc;
  /** Its base cell in that epoch. */
  readonly cell: string;
  cellAcc: CellAcc | null;
}

const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

function coveringOrder(a: CoveringHotspot, b: CoveringHotspot): number {
  return b.bestRssiDeciDbm - a.bestRssiDeciDbm || b.reports - a.reports || byKey(a, b);
}

function finishCovering(covering: Map<string, { reports: number; best: number }>): CoveringHotspot[] {
  const all: CoveringHotspot[] = [];
  for (const [key, v] of covering) all.push({ key, reports: v.reports, bestRssiDeciDbm: v.best });
  return all.sort(coveringOrder).slice(0, MAX_COVERING_HOTSPOTS);
}

function toRecord(cell: string, resolution: number, acc: CellAcc, score: number): CellRecord {
  const rssiHistogram = acc.histogram.toSparse();
  return {
    cell,
    resolution,
    activeHotspots: acc.activeHotspots,
    validBeacons: acc.validBeacons,
    validWitnesses: acc.validWitnesses,
    witnessReportsMade: acc.witnessReportsMade,
    bestRssiDeciDbm: acc.best,
    medianRssiDbm: histogramMedianDbm(rssiHistogram),
    rssiSamples: histogramSamples(rssiHistogram),
    rssiHistogram,
    lastSeenEpoch: acc.lastSeenEpoch,
    score,
    baseCells: acc.baseCells,
    scoreSum: acc.scoreSum,
    coveringHotspotCount: acc.covering.size,
    coveringHotspots: finishCovering(acc.covering),
    locatedHotspots: [...acc.located].sort(byKey).slice(0, MAX_LOCATED_HOTSPOTS),
  };
}

function compareCells(a: CellRecord, b: CellRecord): number {
  // Same resolution → same length and numeric order equals string order for equal-length hex.
  return a.cell < b.cell ? -1 : a.cell > b.cell ? 1 : 0;
}

/**
 * Builds the snapshot for the newest feed in `feeds` over all of `feeds` (the caller passes the
 * window, ascending by epoch, already validated by parseEpochCoverageFeed).
 */
export function buildSnapshot(feeds: readonly EpochCoverageFeed[]): Snapshot {
  if (feeds.length === 0) throw new RangeError("buildSnapshot needs at least one feed");
  const epoch = feeds[feeds.length - 1]!.epoch;
  const windowFromEpoch = feeds[0]!.epoch;
  const base = new Map<string, CellAcc>();
  const hotspots = new Map<string, HotspotAcc>();
  const baseCellOf = new Map<string, string>(); // location → base cell, memoized (h3 call)
  const toBase = (location: string): string => {
    let cell = baseCellOf.get(location);
    if (cell === undefined) {
      cell = h3.cellToParent(location, BASE_RESOLUTION);
      baseCellOf.set(location, cell);
    }
    return cell;
  };
  let totalBeacons = 0;
  let totalWitnesses = 0;

  for (const feed of feeds) {
    // Locations as of this epoch: what was proven then is attributed to where the hotspot was then.
    // One lookup per key and report: the entry carries the hotspot and, once needed, its cell.
    const listed = new Map<string, EpochEntry>();
    for (const h of feed.hotspots) {
      const cell = toBase(h.location);
      let acc = hotspots.get(h.key);
      if (acc === undefined) {
        acc = {
          location: h.location,
          cell,
          gainDeciDbi: h.gainDeciDbi,
          lastActiveEpoch: null,
          validBeacons: 0,
          witnessesOfBeacons: 0,
          witnessReportsMade: 0,
          covered: new Map(),
        };
        hotspots.set(h.key, acc);
      } else {
        acc.location = h.location;
        acc.cell = cell;
        acc.gainDeciDbi = h.gainDeciDbi;
      }
      listed.set(h.key, { hotspot: acc, cell, cellAcc: null });
    }
    const cellAccOf = (entry: EpochEntry): CellAcc => {
      if (entry.cellAcc === null) entry.cellAcc = accAt(base, entry.cell);
      return entry.cellAcc;
    };
    for (const b of feed.beacons) {
      const entry = listed.get(b.beaconer)!;
      const acc = cellAccOf(entry);
      acc.validBeacons += 1;
      acc.lastSeenEpoch = Math.max(acc.lastSeenEpoch, feed.epoch);
      const h = entry.hotspot;
      h.validBeacons += 1;
      h.witnessesOfBeacons += b.validWitnesses;
      h.lastActiveEpoch = feed.epoch;
      totalBeacons += 1;
    }
    for (const w of feed.witnesses) {
      const beaconer = listed.get(w.beaconer)!;
      const at = cellAccOf(beaconer);
      at.validWitnesses += 1;
      at.histogram.add(rssiBinDbm(w.rssiDeciDbm));
      at.best = at.best === null ? w.rssiDeciDbm : Math.max(at.best, w.rssiDeciDbm);
      at.lastSeenEpoch = Math.max(at.lastSeenEpoch, feed.epoch);
      const c = at.covering.get(w.witness);
      if (c === undefined) at.covering.set(w.witness, { reports: 1, best: w.rssiDeciDbm });
      else {
        c.reports += 1;
        c.best = Math.max(c.best, w.rssiDeciDbm);
      }
      const witness = listed.get(w.witness)!;
      const own = cellAccOf(witness);
      own.witnessReportsMade += 1;
      own.lastSeenEpoch = Math.max(own.lastSeenEpoch, feed.epoch);
      const h = witness.hotspot;
      h.witnessReportsMade += 1;
      h.lastActiveEpoch = feed.epoch;
      h.covered.set(beaconer.cell, (h.covered.get(beaconer.cell) ?? 0) + 1);
      totalWitnesses += 1;
    }
  }
  let active = 0;
  for (const [key, h] of hotspots) {
    if (h.lastActiveEpoch === null) continue;
    active += 1;
    const acc = accAt(base, h.cell);
    acc.activeHotspots += 1;
    acc.located.push({ key, location: h.location });
    acc.lastSeenEpoch = Math.max(acc.lastSeenEpoch, h.lastActiveEpoch);
  }

  const cells = new Map<number, CellRecord[]>();
  const baseRecords: CellRecord[] = [];
  for (const [cell, acc] of base) {
    const histogram = acc.histogram.toSparse();
    const score = coverageScore({
      activeHotspots: acc.activeHotspots,
      distinctWitnesses: acc.covering.size,
      medianRssiDbm: histogramMedianDbm(histogram),
    });
    acc.scoreSum = score;
    acc.baseCells = 1;
    baseRecords.push(toRecord(cell, BASE_RESOLUTION, acc, score));
  }
  baseRecords.sort(compareCells);
  cells.set(BASE_RESOLUTION, baseRecords);

  let children = baseRecords;
  for (let res = BASE_RESOLUTION - 1; res >= MIN_INDEX_RESOLUTION; res--) {
    const parents = new Map<string, CellAcc>();
    for (const child of children) {
      const acc = accAt(parents, h3.cellToParent(child.cell, res));
      acc.activeHotspots += child.activeHotspots;
      acc.validBeacons += child.validBeacons;
      acc.validWitnesses += child.validWitnesses;
      acc.witnessReportsMade += child.witnessReportsMade;
      if (child.bestRssiDeciDbm !== null) acc.best = acc.best === null ? child.bestRssiDeciDbm : Math.max(acc.best, child.bestRssiDeciDbm);
      acc.histogram.addAll(child.rssiHistogram);
      acc.lastSeenEpoch = Math.max(acc.lastSeenEpoch, child.lastSeenEpoch);
      for (const c of child.coveringHotspots) {
        const prev = acc.covering.get(c.key);
        if (prev === undefined) acc.covering.set(c.key, { reports: c.reports, best: c.bestRssiDeciDbm });
        else {
          prev.reports += c.reports;
          prev.best = Math.max(prev.best, c.bestRssiDeciDbm);
        }
      }
      acc.located.push(...child.locatedHotspots);
      acc.scoreSum += child.scoreSum;
      acc.baseCells += child.baseCells;
    }
    const records: CellRecord[] = [];
    for (const [cell, acc] of parents) records.push(toRecord(cell, res, acc, meanScore(acc.scoreSum, acc.baseCells)));
    records.sort(compareCells);
    cells.set(res, records);
    children = records;
  }

  const hotspotRecords: HotspotRecord[] = [];
  for (const [key, h] of hotspots) {
    const coveredCells = [...h.covered]
      .map(([cell, reports]) => ({ cell, reports }))
      .sort((a, b) => b.reports - a.reports || (a.cell < b.cell ? -1 : a.cell > b.cell ? 1 : 0))
      .slice(0, MAX_HOTSPOT_COVERED_CELLS);
    hotspotRecords.push({
      key,
      location: h.location,
      cell: h.cell,
      gainDeciDbi: h.gainDeciDbi,
      active: h.lastActiveEpoch !== null,
      lastActiveEpoch: h.lastActiveEpoch,
      snapshotEpoch: epoch,
      windowFromEpoch,
      validBeacons: h.validBeacons,
      witnessesOfBeacons: h.witnessesOfBeacons,
      witnessReportsMade: h.witnessReportsMade,
      coveredCells,
    });
  }
  hotspotRecords.sort(byKey);

  return {
    epoch,
    windowFromEpoch,
    cells,
    hotspots: hotspotRecords,
    totals: { hotspots: hotspots.size, activeHotspots: active, validBeacons: totalBeacons, validWitnesses: totalWitnesses },
  };
}
