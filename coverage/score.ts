/**
 * Deterministic integer statistics per cell: the RSSI histogram (1 dB bins), its median, and the
 * coverage score. docs/COVERAGE.md "Coverage score" is the prose version of {@link coverageScore}.
 */
import {
  DECI_PER_UNIT,
  RSSI_HISTOGRAM_MAX_DBM,
  RSSI_HISTOGRAM_MIN_DBM,
  SCORE_LINK_POINTS_MAX,
  SCORE_MAX,
  SCORE_POINTS_PER_WITNESS,
  SCORE_PRESENCE_POINTS,
  SCORE_RSSI_CEIL_DBM,
  SCORE_RSSI_FLOOR_DBM,
  SCORE_SIGNAL_POINTS_MAX,
} from "./constants.js";

/**
 * A sparse RSSI histogram: a flat array `[dbm0, count0, dbm1, count1, ...]` with strictly
 * increasing bins and positive counts. Flat numbers keep the stored record small (most cells have
 * a handful of bins out of 151).
 */
export type RssiHistogram = number[];

/** The 1 dB bin of a deci-dBm reading: floor to whole dBm, clamped into the histogram range. */
export function rssiBinDbm(rssiDeciDbm: number): number {
  const dbm = Math.floor(rssiDeciDbm / DECI_PER_UNIT);
  return Math.min(RSSI_HISTOGRAM_MAX_DBM, Math.max(RSSI_HISTOGRAM_MIN_DBM, dbm));
}

/** Dense accumulator used while building; one slot per bin. */
export class HistogramBuilder {
  readonly #counts = new Map<number, number>();
  add(binDbm: number, count = 1): void {
    this.#counts.set(binDbm, (this.#counts.get(binDbm) ?? 0) + count);
  }
  addAll(histogram: RssiHistogram): void {
    for (let i = 0; i + 1 < histogram.length; i += 2) this.add(histogram[i]!, histogram[i + 1]!);
  }
  toSparse(): RssiHistogram {
    const bins = [...this.#counts.keys()].sort((a, b) => a - b);
    const out: RssiHistogram = [];
    for (const bin of bins) out.push(bin, this.#counts.get(bin)!);
    return out;
  }
}

/** Number of samples in a histogram. */
export function histogramSamples(histogram: RssiHistogram): number {
  let n = 0;
  for (let i = 1; i < histogram.length; i += 2) n += histogram[i]!;
  return n;
}

/**
 * Lower median in whole dBm: the bin holding the ceil(n/2)-th smallest sample, or null for no
 * samples. Bins are 1 dB wide, so this is the true lower median rounded down to a whole dBm,
 * whatever order the samples arrived in.
 */
export function histogramMedianDbm(histogram: RssiHistogram): number | null {
  const n = histogramSamples(histogram);
  if (n === 0) return null;
  const rank = Math.ceil(n / 2);
  let seen = 0;
  for (let i = 0; i + 1 < histogram.length; i += 2) {
    seen += histogram[i + 1]!;
    if (seen >= rank) return histogram[i]!;
  }
  return histogram[histogram.length - 2]!; // unreachable: seen reaches n ≥ rank
}

/** The three inputs of the score at the base resolution. */
export interface ScoreInput {
  readonly activeHotspots: number;
  /** Distinct hotspots that validly witnessed a beacon sent from the cell. */
  readonly distinctWitnesses: number;
  readonly medianRssiDbm: number | null;
}

/**
 * Coverage score of a base-resolution cell, an integer in 0..100:
 *   presence = 20 if a hotspot is located in the cell, else 0
 *   links    = min(40, 10 × distinct witness hotspots that heard a beacon from the cell)
 *   signal   = 0 without samples, else clamp(floor((median − (−130)) × 40 / 60), 0, 40)
 *   score    = min(100, presence + links + signal)
 * Integer arithmetic only, so every index computes the same score from the same feeds.
 */
export function coverageScore(input: ScoreInput): number {
  const presence = input.activeHotspots > 0 ? SCORE_PRESENCE_POINTS : 0;
  const links = Math.min(SCORE_LINK_POINTS_MAX, SCORE_POINTS_PER_WITNESS * input.distinctWitnesses);
  let signal = 0;
  if (input.medianRssiDbm !== null) {
    const span = SCORE_RSSI_CEIL_DBM - SCORE_RSSI_FLOOR_DBM;
    const raw = Math.floor(((input.medianRssiDbm - SCORE_RSSI_FLOOR_DBM) * SCORE_SIGNAL_POINTS_MAX) / span);
    signal = Math.min(SCORE_SIGNAL_POINTS_MAX, Math.max(0, raw));
  }
  return Math.min(SCORE_MAX, presence + links + signal);
}

/** Coarser cells: the integer mean of the scores of their indexed base cells (floor). */
export function meanScore(scoreSum: number, baseCells: number): number {
  return baseCells === 0 ? 0 : Math.floor(scoreSum / baseCells);
}
