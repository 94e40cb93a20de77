/**
 * The performance-tuned epoch scorer (issue 7 item 4): the rules of reference.ts over columns
 * (columns.ts), with the per-report work in range kernels (kernels.ts) spread over worker threads
 * (pool.ts). Its output is bit-identical to the reference's; tests/validator/scoring/tuned.test.ts
 * checks that on thousands of random adversarial epochs. docs/SCORING.md explains each stage.
 */
import type { RewardLeaf } from "../../../chain/merkle.js";
import { beaconRewardUnits, type Cell, computeHexDensity } from "../../../geo/index.js";
import { dataRateByCode } from "../../../protocol/index.js";
import { beaconScoringEpoch, epochOfTimestamp, NOISE_FLOOR_DECI_DBM, type ScoringConfig, validateScoringConfig } from "../config.js";
import {
  BEACON_OUTCOMES,
  type BeaconOutcome,
  type EpochScore,
  type EpochScorer,
  type MessageOutcome,
  type ScoringInput,
  WITNESS_OUTCOMES,
  type WitnessOutcome,
} from "../types.js";
import { BYTES32, columnsFromInput, type EpochColumns } from "./columns.js";
import {
  addKernelStats,
  compareAt,
  emptyKernelStats,
  type KernelContext,
  type KernelName,
  KernelRunner,
  type KernelStats,
  KEY_FLAG_DENYLISTED,
  KEY_FLAG_REGISTERED,
  KEY_LINE_CELL,
  KEY_LINE_COS_F64,
  KEY_LINE_FLAGS,
  KEY_LINE_GAIN,
  KEY_LINE_INTS,
  KEY_LINE_LAT,
  KEY_LINE_LNG,
  KEY_WORDS,
  type RecordsContext,
  W_BEACON_INVALID,
  W_UNKNOWN_BEACON,
  W_VALID,
} from "./kernels.js";
import { defaultPoolSize, KernelPool, splitRange } from "./pool.js";
import { orderByTimeThenId, type RecordSpace, recordIdOffset, recordIdSource } from "./sort.js";
import { settleEpochFast } from "./settle.js";
import { Bytes32TableBuilder, tableFind } from "./table.js";

export interface TunedScorerOptions {
  /**
   * Worker threads; 0 runs every kernel on the calling thread. Default max(cores − 1, 1)
   * (Lodestar's rule); on a 2-core machine 2 measured faster, see docs/SCORING.md.
   */
  readonly workers?: number;
  /** Also return the per-message `outcomes` list (tens of millions of objects at full scale). */
  readonly detail?: boolean;
  /**
   * Id-sort buckets of at least this many records use LSD radix passes, smaller ones a native
   * sort (default 32,768: only epochs of millions of reports reach it). Tests set 0 to cover the
   * radix path on small epochs.
   */
  readonly radixMinBucket?: number;
  /** Hash four proofs at a time with WebAssembly SIMD where available (default true). */
  readonly simd?: boolean;
}

/** Everything but the messages: what scoreColumns needs besides the columns. */
export interface ScoreColumnsParams {
  readonly epoch: number;
  readonly config: ScoringConfig;
  readonly previousCumulative: readonly RewardLeaf[];
}

export interface TunedStats extends KernelStats {
  readonly workers: number;
  readonly records: number;
}

export interface TunedScoreReport {
  readonly score: EpochScore;
  readonly stats: TunedStats;
  /** Wall milliseconds per stage, in pipeline order. */
  readonly stageMs: Readonly<Record<string, number>>;
  /** CPU milliseconds per stage, all threads of the process (robust on a shared machine). */
  readonly stageCpuMs: Readonly<Record<string, number>>;
}

const beaconCode = (name: BeaconOutcome): number => BEACON_OUTCOMES.indexOf(name);
const B_VALID = beaconCode("valid");
const B_UNKNOWN_HOTSPOT = beaconCode("unknown_hotspot");
const B_DUPLICATE_PAYLOAD = beaconCode("duplicate_payload");
const B_UNKNOWN_ENTROPY = beaconCode("unknown_entropy");
const B_STALE_ENTROPY = beaconCode("stale_entropy");
const B_INVALID_FREQUENCY = beaconCode("invalid_frequency");
const B_NO_REVEAL = beaconCode("no_reveal");
const B_REVEAL_MISMATCH = beaconCode("reveal_mismatch");
const B_REVEAL_EARLY = beaconCode("reveal_early");
const B_REVEAL_LATE = beaconCode("reveal_late");
const B_TOO_FREQUENT = beaconCode("too_frequent");
/** Not scored in this epoch. */
const NOT_SCORED = 255;
/** geo's density scales are parts per million. */
const PPM = 1_000_000;
/** Kernel ranges per worker: enough to balance uneven ranges, few enough to keep messages cheap. */
const RANGES_PER_WORKER = 8;
/** Smallest range worth a message to a worker. */
const MIN_RANGE_ROWS = 256;
/** First-byte buckets of the id sort. */
const BUCKETS = 256;

const sab = <T>(Kind: { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number }, length: number): T =>
  new Kind(new SharedArrayBuffer(Math.max(length, 1) * Kind.BYTES_PER_ELEMENT));

export class TunedScorer implements EpochScorer {
  readonly workers: number;
  readonly detail: boolean;
  readonly radixMinBucket: number | undefined;
  readonly simd: boolean;
  #pool: KernelPool | null = null;
  /** The previous scoring call (settled), which the next one waits for. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: TunedScorerOptions = {}) {
    this.workers = options.workers ?? defaultPoolSize();
    this.detail = options.detail ?? false;
    this.radixMinBucket = options.radixMinBucket;
    this.simd = options.simd ?? true;
    if (!Number.isSafeInteger(this.workers) || this.workers < 0) throw new RangeError(`workers must be a non-negative integer, got ${this.workers}`);
  }

  async score(input: ScoringInput): Promise<EpochScore> {
    return (await this.scoreColumns(columnsFromInput(input), input)).score;
  }

  /**
   * Starts the worker threads and waits until they are ready (module loading takes ~0.5 s).
   * Optional: the first score() starts them otherwise. A validator calls it once at startup.
   */
  async start(): Promise<void> {
    if (this.workers === 0) return;
    this.#pool ??= new KernelPool(this.workers);
    await this.#pool.ready();
  }

  /** Stops the worker threads (they are unref'ed, so an idle pool never keeps a process alive). */
  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = null;
    await pool?.close();
  }

  /**
   * Scores columns. Calls on one scorer run one after another (the pool holds one epoch's
   * context at a time), so concurrent callers simply queue.
   */
  scoreColumns(cols: EpochColumns, params: ScoreColumnsParams): Promise<TunedScoreReport> {
    const result = this.#queue.then(() => this.#scoreColumns(cols, params));
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async #scoreColumns(cols: EpochColumns, params: ScoreColumnsParams): Promise<TunedScoreReport> {
    const config = validateScoringConfig(params.config);
    const { epoch } = params;
    const stageMs: Record<string, number> = {};
    const stageCpuMs: Record<string, number> = {};
    let mark = performance.now();
    let cpuMark = process.cpuUsage();
    const stage = (name: string): void => {
      const now = performance.now();
      const cpu = process.cpuUsage(cpuMark);
      stageMs[name] = now - mark;
      stageCpuMs[name] = (cpu.user + cpu.system) / 1000;
      mark = now;
      cpuMark = process.cpuUsage();
    };
    const C = cols.commitCount;
    const W = cols.witnessCount;
    const R = cols.revealCount;

    // --- Index: commit order, payload groups, entropy and commit-id tables --------------------
    const order = orderByTimeThenId(cols.commitTxTimeMs, cols.commitId, C);
    const groups = new Bytes32TableBuilder(C, cols.commitPayloadHash, true);
    const beaconGroup = sab(Int32Array, C);
    const replay = new Uint8Array(C);
    for (let k = 0; k < C; k++) {
      const c = order[k]!;
      const before = groups.count;
      const g = groups.insert(c);
      beaconGroup[c] = g;
      // A payload hash committed twice is a replay: only its first commit in (tx, id) order counts.
      replay[c] = g < before ? 1 : 0;
    }
    const G = groups.count;
    const commitIds = new Bytes32TableBuilder(C, cols.commitId);
    for (let c = 0; c < C; c++) commitIds.insert(c);
    const entropy = new Bytes32TableBuilder(cols.entropyCount, cols.entropyId);
    for (let e = 0; e < cols.entropyCount; e++) entropy.insert(e);
    const revealCommit = sab(Int32Array, R);
    for (let r = 0; r < R; r++) revealCommit[r] = tableFind(commitIds.table, cols.revealBeaconId, r * BYTES32);
    const noiseFloorByDataRate = new Float64Array(new SharedArrayBuffer(256 * 8)).fill(Number.NaN);
    for (let code = 0; code < 256; code++) {
      const rate = dataRateByCode(code);
      const floor = rate === undefined ? undefined : NOISE_FLOOR_DECI_DBM.get(rate.bandwidthHz);
      if (floor !== undefined) noiseFloorByDataRate[code] = floor;
    }
    const cellCount = cols.cells.length;
    const keyLines = keyLinesOf(cols);
    const ctx: KernelContext = {
      config,
      keyCount: cols.keyCount,
      keyBytes: cols.keyBytes,
      keyLines,
      keyLinesF64: new Float64Array(keyLines.buffer),
      keyCell: cols.keyCell,
      keyGainDeciDbi: cols.keyGainDeciDbi,
      cells: cols.cells,
      cellLatE7: sab(Int32Array, cellCount),
      cellLngE7: sab(Int32Array, cellCount),
      cellCosLat: sab(Float64Array, cellCount),
      commitHotspot: cols.commitHotspot,
      commitEntropyId: cols.commitEntropyId,
      commitPayloadHash: cols.commitPayloadHash,
      commitTxTimeMs: cols.commitTxTimeMs,
      commitFrequencyHz: cols.commitFrequencyHz,
      commitDataRate: cols.commitDataRate,
      commitTxPowerDeciDbm: cols.commitTxPowerDeciDbm,
      revealNonce: cols.revealNonce,
      revealPayload: cols.revealPayload,
      revealPayloadLength: cols.revealPayloadLength,
      revealCommit,
      revealOk: sab(Uint8Array, R),
      witnessId: cols.witnessId,
      witnessKey: cols.witnessKey,
      witnessPayload: cols.witnessPayload,
      payloadHashes: cols.payloadHashes,
      witnessProof: cols.witnessProof,
      witnessRssiDeciDbm: cols.witnessRssiDeciDbm,
      witnessSnrDeciDb: cols.witnessSnrDeciDb,
      witnessFrequencyHz: cols.witnessFrequencyHz,
      witnessDataRate: cols.witnessDataRate,
      witnessRxTimeMs: cols.witnessRxTimeMs,
      groupTable: groups.table,
      payloadGroup: sab(Int32Array, cols.payloadHashCount),
      groupStart: sab(Int32Array, G + 1),
      groupMembers: sab(Int32Array, W),
      validBeacons: sab(Int32Array, C),
      beaconGroup,
      beaconReveal: sab(Int32Array, C).fill(-1),
      witnessOutcome: sab(Uint8Array, W).fill(NOT_SCORED),
      selectedCount: sab(Int32Array, C),
      noiseFloorByDataRate,
      ...(this.radixMinBucket === undefined ? {} : { radixMinBucket: this.radixMinBucket }),
      simd: this.simd,
    };
    stage("index");

    const stats = emptyKernelStats();
    const run = await this.#runner(ctx);
    try {
      const parts = Math.max(run.size, 1) * RANGES_PER_WORKER;
      // Cell centres, reveal hashes and payload-hash lookups are independent: one parallel batch.
      const batch = await Promise.all([
        run.exec("cells", splitRange(cellCount, parts, MIN_RANGE_ROWS)),
        run.exec("reveals", splitRange(R, parts, MIN_RANGE_ROWS)),
        run.exec("groups", splitRange(cols.payloadHashCount, parts, MIN_RANGE_ROWS)),
      ]);
      for (const s of batch) addKernelStats(stats, s);
      fillKeyLineCentres(ctx);
      stage("parallel: cell centres, reveal hashes, payload lookups");

      // --- Beacons (DESIGN.md §4, first list), in (tx time, id) order -------------------------------
      const revealStart = new Int32Array(C + 1);
      for (let r = 0; r < R; r++) {
        const c = revealCommit[r]!;
        if (c >= 0 && cols.revealHotspot[r] === cols.commitHotspot[c]) revealStart[c + 1]!++;
      }
      for (let c = 0; c < C; c++) revealStart[c + 1]! += revealStart[c]!;
      const revealRows = new Int32Array(revealStart[C]!);
      const fillAt = revealStart.slice(0, C);
      for (let r = 0; r < R; r++) {
        const c = revealCommit[r]!;
        if (c >= 0 && cols.revealHotspot[r] === cols.commitHotspot[c]) revealRows[fillAt[c]!++] = r;
      }
      const beaconOutcome = sab(Uint8Array, C).fill(NOT_SCORED);
      const scored: number[] = [];
      const groupScored = new Int32Array(G);
      for (let k = 0; k < C; k++) {
        const c = order[k]!;
        const tx = cols.commitTxTimeMs[c]!;
        if (beaconScoringEpoch(config, tx) !== epoch) continue;
        scored.push(c);
        groupScored[beaconGroup[c]!]!++;
        let outcome: number;
        const e = cols.keyRegistered[cols.commitHotspot[c]!] === 1 ? tableFind(entropy.table, cols.commitEntropyId, c * BYTES32) : -1;
        if (cols.keyRegistered[cols.commitHotspot[c]!] !== 1) outcome = B_UNKNOWN_HOTSPOT;
        else if (replay[c] === 1) outcome = B_DUPLICATE_PAYLOAD;
        else if (e < 0) outcome = B_UNKNOWN_ENTROPY;
        else if (tx < cols.entropyTimeMs[e]! || tx - cols.entropyTimeMs[e]! > config.entropyMaxAgeMs) outcome = B_STALE_ENTROPY;
        else if (!inSomeBand(config, cols.commitFrequencyHz[c]!)) outcome = B_INVALID_FREQUENCY;
        else outcome = this.#checkReveal(config, cols, ctx, c, revealRows.subarray(revealStart[c]!, revealStart[c + 1]!));
        beaconOutcome[c] = outcome;
      }
      // Rate limit: the first K otherwise-valid beacons of a hotspot count, in (tx time, id) order.
      const validPerHotspot = new Int32Array(cols.keyCount);
      let validCount = 0;
      for (const c of scored) {
        if (beaconOutcome[c] !== B_VALID) continue;
        if (++validPerHotspot[cols.commitHotspot[c]!]! > config.maxBeaconsPerHotspotPerEpoch) beaconOutcome[c] = B_TOO_FREQUENT;
        else ctx.validBeacons[validCount++] = c;
      }
      stage("beacon rules");

      // --- Witness reports grouped per payload hash (counting sort into CSR) ----------------------
      const { groupStart, groupMembers, payloadGroup, witnessPayload } = ctx;
      for (let w = 0; w < W; w++) {
        const g = payloadGroup[witnessPayload[w]!]!;
        if (g >= 0) groupStart[g + 1]!++;
      }
      for (let g = 0; g < G; g++) groupStart[g + 1]! += groupStart[g]!;
      const cursor = groupStart.slice(0, G);
      for (let w = 0; w < W; w++) {
        const g = payloadGroup[witnessPayload[w]!]!;
        if (g >= 0) groupMembers[cursor[g]!++] = w;
      }
      stage("group witnesses (CSR)");

      // Ranges of valid beacons with about equal numbers of reports.
      const perRange = Math.max(MIN_RANGE_ROWS, Math.ceil(W / parts));
      const ranges: Array<[number, number]> = [];
      for (let from = 0, v = 0, load = 0; v < validCount; v++) {
        const g = beaconGroup[ctx.validBeacons[v]!]!;
        load += groupStart[g + 1]! - groupStart[g]! + 1;
        if (load >= perRange || v === validCount - 1) {
          ranges.push([from, v + 1]);
          from = v + 1;
          load = 0;
        }
      }
      addKernelStats(stats, await run.exec("witnesses", ranges));
      stage("parallel: witness rules and selection");

      // --- Records: every scored message's outcome, counted and digested in id order --------------
      const beaconCounts = new Array<number>(BEACON_OUTCOMES.length).fill(0);
      const witnessCounts = new Array<number>(WITNESS_OUTCOMES.length).fill(0);
      const groupHasValid = new Uint8Array(G);
      for (let v = 0; v < validCount; v++) groupHasValid[beaconGroup[ctx.validBeacons[v]!]!] = 1;
      const groupJudged = new Uint8Array(G);
      for (const c of scored) if (replay[c] !== 1) groupJudged[beaconGroup[c]!] = 1;
      const witnessOutcome = ctx.witnessOutcome;
      let recordCount = scored.length;
      for (let w = 0; w < W; w++) {
        const g = payloadGroup[witnessPayload[w]!]!;
        if (g < 0) {
          if (epochOfTimestamp(config, cols.witnessRxTimeMs[w]!) === epoch) {
            witnessOutcome[w] = W_UNKNOWN_BEACON;
            recordCount++;
          }
          continue;
        }
        // Judged once, by the payload's first commit, if that commit is scored in this epoch
        // (a replayed commit of the same payload judges nothing).
        if (groupJudged[g] === 0) continue;
        if (groupHasValid[g] === 0) witnessOutcome[w] = W_BEACON_INVALID;
        recordCount += 1;
      }
      const bucketStart = sab(Int32Array, BUCKETS + 1);
      // Records in a canonical order (reports by row, then beacons), visited twice: to size the
      // first-id-byte buckets, then to fill them. Every scored report is one record.
      const space: RecordSpace = { witnessId: cols.witnessId, commitId: cols.commitId, witnessCount: W };
      const forEachRecord = (visit: (rec: number, ids: Uint8Array, at: number) => void): void => {
        for (let w = 0; w < W; w++) {
          if (witnessOutcome[w] === NOT_SCORED) continue;
          visit(w, cols.witnessId, w * BYTES32);
        }
        for (const c of scored) visit(W + c, cols.commitId, c * BYTES32);
      };
      forEachRecord((rec, ids, at) => {
        if (rec < W) witnessCounts[witnessOutcome[rec]!]!++;
        else beaconCounts[beaconOutcome[rec - W]!]!++;
        bucketStart[ids[at]! + 1]!++;
      });
      for (let b = 0; b < BUCKETS; b++) bucketStart[b + 1]! += bucketStart[b]!;
      // MSD radix step on the first id byte (ids are uniform: 256 even buckets, sorted by workers).
      // The next four id bytes travel with each record so the bucket sort reads no ids.
      const recSorted = sab(Int32Array, recordCount).subarray(0, recordCount);
      const recKey = sab(Uint32Array, recordCount).subarray(0, recordCount);
      const bucketCursor = bucketStart.slice(0, BUCKETS);
      forEachRecord((rec, ids, at) => {
        const slot = bucketCursor[ids[at]!]!++;
        recSorted[slot] = rec;
        recKey[slot] = ((ids[at + 1]! << 24) | (ids[at + 2]! << 16) | (ids[at + 3]! << 8) | ids[at + 4]!) >>> 0;
      });
      const digestOut = sab(Uint8Array, BYTES32);
      run.setRecords({ space, recSorted, recKey, bucketStart, beaconOutcome, digestOut });
      stage("records: classify, count, partition");
      addKernelStats(stats, await run.exec("sortBuckets", splitRange(BUCKETS, parts, 1)));
      stage("parallel: records sorted by id");
      // SHA-256 is sequential: one worker digests while this thread does density, units, settlement.
      const digestDone = run.exec("digest", [[0, recordCount]]);
      digestDone.catch(() => undefined); // awaited below; this only keeps an early throw here from leaving it unhandled

      // --- Reward units with hex density scaling (DESIGN.md §5) -----------------------------------
      const active = new Uint8Array(cols.keyCount);
      for (let v = 0; v < validCount; v++) {
        const b = ctx.validBeacons[v]!;
        // A beacon without a selected witness makes nobody active (reference.ts explains why).
        if (ctx.selectedCount[b] === 0) continue;
        active[cols.commitHotspot[b]!] = 1;
        const g = beaconGroup[b]!;
        for (let i = groupStart[g]!; i < groupStart[g + 1]!; i++) {
          const w = groupMembers[i]!;
          if (witnessOutcome[w] === W_VALID) active[cols.witnessKey[w]!] = 1;
        }
      }
      const activeCells: Cell[] = [];
      for (let k = 0; k < cols.keyCount; k++) if (active[k] === 1) activeCells.push(cols.cells[cols.keyCell[k]!]!);
      const density = computeHexDensity(activeCells, config.density);
      // Scale per cell, looked up once per cell (-1: not yet).
      const scaleByCell = new Int32Array(cols.cells.length).fill(-1);
      const scaleOf = (key: number): number => {
        const cell = cols.keyCell[key]!;
        let scale = scaleByCell[cell]!;
        if (scale < 0) {
          scale = density.scalePpmForLocation(cols.cells[cell]!);
          scaleByCell[cell] = scale;
        }
        return scale;
      };
      stage("density");

      const maxSelected = config.maxWitnessesPerBeacon;
      // HIP-15 units per selected-witness count, as numbers (≤ 2·10^9, exact).
      const baseBeaconer = new Float64Array(maxSelected + 1);
      const baseWitness = new Float64Array(maxSelected + 1);
      for (let n = 0; n <= maxSelected; n++) {
        const u = beaconRewardUnits(n, config.rewardUnits);
        baseBeaconer[n] = Number(u.beaconer);
        baseWitness[n] = Number(u.perWitness);
      }
      const units = new UnitAccumulator(cols.keyCount);
      for (let v = 0; v < validCount; v++) {
        const b = ctx.validBeacons[v]!;
        const selected = ctx.selectedCount[b]!;
        if (selected === 0) continue; // zero units, and the beaconer may have no density scale
        const beaconer = cols.commitHotspot[b]!;
        const scale = scaleOf(beaconer);
        // floor(units × scale / 10^6): units ≤ 2·10^9 and scale ≤ 10^6, so the product is exact.
        units.add(beaconer, floorDivPpm(baseBeaconer[selected]! * scale));
        const perWitness = floorDivPpm(baseWitness[selected]! * scale);
        const g = beaconGroup[b]!;
        for (let i = groupStart[g]!; i < groupStart[g + 1]!; i++) {
          const w = groupMembers[i]!;
          if (witnessOutcome[w] === W_VALID) units.add(cols.witnessKey[w]!, perWitness);
        }
      }
      stage("reward units");

      const earnerList: number[] = [];
      for (let k = 0; k < cols.keyCount; k++) if (units.positive(k)) earnerList.push(k);
      const settlement = settleEpochFast(cols.keyBytes, Int32Array.from(earnerList), (k) => units.total(k), config.emissionPerEpoch, params.previousCumulative);
      stage("settlement and Merkle root");

      addKernelStats(stats, await digestDone);
      const outcomeDigest = digestOut.slice();
      const codeOf = (rec: number): number => (rec < W ? witnessOutcome[rec]! : beaconOutcome[rec - W]!);
      let outcomes: MessageOutcome[] | undefined;
      if (this.detail) {
        outcomes = Array.from(recSorted, (rec) => {
          const offset = recordIdOffset(space, rec);
          const beacon = rec >= W;
          return {
            id: Buffer.from(recordIdSource(space, rec).subarray(offset, offset + BYTES32)).toString("hex"),
            kind: beacon ? "beacon" : "witness",
            outcome: beacon ? BEACON_OUTCOMES[codeOf(rec)]! : WITNESS_OUTCOMES[codeOf(rec)]!,
          } satisfies MessageOutcome;
        });
      }
      stage("digest (overlapped with the three stages above)");

      const score: EpochScore = {
        epoch,
        beaconOutcomes: Object.fromEntries(BEACON_OUTCOMES.map((name, i) => [name, beaconCounts[i]!])) as Record<BeaconOutcome, number>,
        witnessOutcomes: Object.fromEntries(WITNESS_OUTCOMES.map((name, i) => [name, witnessCounts[i]!])) as Record<WitnessOutcome, number>,
        ...(outcomes === undefined ? {} : { outcomes }),
        outcomeDigest,
        rewards: settlement.rewards,
        emitted: settlement.emitted,
        cumulative: settlement.cumulative,
        cumulativeTotal: settlement.cumulativeTotal,
        root: settlement.root,
        leafCount: settlement.leafCount,
      };
      return { score, stats: { ...stats, workers: run.size, records: recordCount }, stageMs, stageCpuMs };
    } finally {
      // Workers keep no reference to this epoch's shared arrays once it is scored.
      run.release();
    }
  }

  /** DESIGN.md §3.4 over the commit's own reveals, pre-sorted here by (reveal time, id). */
  #checkReveal(config: ScoringConfig, cols: EpochColumns, ctx: KernelContext, c: number, own: Int32Array): number {
    if (own.length === 0) return B_NO_REVEAL;
    const rows = own.length === 1 ? [own[0]!] : Array.from(own).sort((x, y) => cols.revealTimeMs[x]! - cols.revealTimeMs[y]! || compareAt(cols.revealId, x * BYTES32, cols.revealId, y * BYTES32));
    const windowEnd = cols.commitTxTimeMs[c]! + config.witnessWindowMs;
    const deadline = windowEnd + config.revealGraceMs;
    let sawEarly = false;
    let sawLate = false;
    for (const r of rows) {
      if (ctx.revealOk[r] !== 1) continue;
      const t = cols.revealTimeMs[r]!;
      if (t < windowEnd) sawEarly = true;
      else if (t > deadline) sawLate = true;
      else {
        ctx.beaconReveal[c] = r;
        return sawEarly ? B_REVEAL_EARLY : B_VALID;
      }
    }
    return sawEarly ? B_REVEAL_EARLY : sawLate ? B_REVEAL_LATE : B_REVEAL_MISMATCH;
  }

  /** Runs kernels on the pool, or inline when workers = 0. */
  async #runner(ctx: KernelContext): Promise<KernelExecutor> {
    if (this.workers === 0) {
      const runner = new KernelRunner(ctx);
      return {
        size: 0,
        exec: async (kernel, ranges) => {
          const stats = emptyKernelStats();
          for (const [from, to] of ranges) runner.run(kernel, from, to, stats);
          return stats;
        },
        setRecords: (records) => runner.setRecords(records),
        release: () => undefined,
      };
    }
    this.#pool ??= new KernelPool(this.workers);
    const pool = this.#pool;
    pool.setContext(ctx);
    return {
      size: pool.size,
      exec: (kernel, ranges) => pool.run(kernel, ranges),
      setRecords: (records) => pool.setRecords(records),
      release: () => pool.release(),
    };
  }
}

/** Where kernels run: inline or on the pool. */
interface KernelExecutor {
  readonly size: number;
  exec(kernel: KernelName, ranges: Array<[number, number]>): Promise<KernelStats>;
  setRecords(records: RecordsContext): void;
  release(): void;
}

/** The key lines (kernels.ts KEY_LINE_INTS) without the cell centres: words, flags, gain, cell. */
function keyLinesOf(cols: EpochColumns): Int32Array {
  // At least one line, so the Float64 view over the same buffer always has whole elements.
  const lines = sab(Int32Array, Math.max(cols.keyCount, 1) * KEY_LINE_INTS);
  const bytes = cols.keyBytes;
  for (let k = 0; k < cols.keyCount; k++) {
    const line = k * KEY_LINE_INTS;
    for (let i = 0, j = k * BYTES32; i < KEY_WORDS; i++, j += 4) lines[line + i] = (bytes[j]! << 24) | (bytes[j + 1]! << 16) | (bytes[j + 2]! << 8) | bytes[j + 3]!;
    lines[line + KEY_LINE_FLAGS] = (cols.keyRegistered[k] === 1 ? KEY_FLAG_REGISTERED : 0) | (cols.keyDenylisted[k] === 1 ? KEY_FLAG_DENYLISTED : 0);
    lines[line + KEY_LINE_GAIN] = cols.keyGainDeciDbi[k]!;
    lines[line + KEY_LINE_CELL] = cols.keyCell[k]!;
  }
  return lines;
}

/** Copies each located key's cell centre (the "cells" kernel's output) into its key line. */
function fillKeyLineCentres(ctx: KernelContext): void {
  const { keyLines, keyLinesF64, cellLatE7, cellLngE7, cellCosLat } = ctx;
  for (let k = 0; k < ctx.keyCount; k++) {
    const line = k * KEY_LINE_INTS;
    const cell = keyLines[line + KEY_LINE_CELL]!;
    if (cell < 0) continue;
    keyLines[line + KEY_LINE_LAT] = cellLatE7[cell]!;
    keyLines[line + KEY_LINE_LNG] = cellLngE7[cell]!;
    keyLinesF64[k * (KEY_LINE_INTS / 2) + KEY_LINE_COS_F64] = cellCosLat[cell]!;
  }
}

function inSomeBand(config: ScoringConfig, frequencyHz: number): boolean {
  for (const band of config.frequencyBands) if (frequencyHz >= band.minHz && frequencyHz <= band.maxHz) return true;
  return false;
}

/** floor(x / 10^6) for a non-negative safe integer x, exact. */
function floorDivPpm(x: number): number {
  let q = Math.floor(x / PPM);
  if (q * PPM > x) q--;
  else if ((q + 1) * PPM <= x) q++;
  return q;
}

/** Per-hotspot unit sums as exact float64 integers, spilling to bigint before 2^53. */
class UnitAccumulator {
  readonly #small: Float64Array;
  readonly #spill = new Map<number, bigint>();

  constructor(size: number) {
    this.#small = new Float64Array(size);
  }

  add(key: number, amount: number): void {
    const sum = this.#small[key]! + amount;
    if (sum <= Number.MAX_SAFE_INTEGER) {
      this.#small[key] = sum;
      return;
    }
    this.#spill.set(key, (this.#spill.get(key) ?? 0n) + BigInt(this.#small[key]!) + BigInt(amount));
    this.#small[key] = 0;
  }

  positive(key: number): boolean {
    return this.#small[key]! > 0 || (this.#spill.get(key) ?? 0n) > 0n;
  }

  total(key: number): bigint {
    return BigInt(this.#small[key]!) + (this.#spill.get(key) ?? 0n);
  }
}
