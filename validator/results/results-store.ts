import { open, type Database, type RootDatabase } from "lmdb";
import { type RewardLeaf, RewardMerkleTree } from "../../chain/merkle.js";
import { encodeAddress } from "../../protocol/index.js";
import type { BeaconOutcome, EpochScore, WitnessOutcome } from "../scoring/index.js";

/** How far the validator got with an epoch on chain. */
export type SubmissionStatus = "scored" | "submitted" | "finalized" | "disagreed";

/** What GET /epochs/:e serves; amounts as decimal strings (u64 does not fit a JSON number). */
export interface EpochSummary {
  readonly epoch: number;
  readonly status: SubmissionStatus;
  readonly root: string;
  readonly cumulativeTotal: string;
  readonly leafCount: number;
  readonly emitted: string;
  readonly beaconOutcomes: Record<BeaconOutcome, number>;
  readonly witnessOutcomes: Record<WitnessOutcome, number>;
  readonly scoredAtMs: number;
  readonly messageCount: number;
  readonly submission?: { readonly signature?: string; readonly finalizedRoot?: string; readonly error?: string };
}

/** One line of a hotspot's recent activity (GET /hotspots/:key). */
export interface HotspotActivity {
  readonly epoch: number;
  readonly role: "beaconer" | "witness";
  readonly messageId: string;
  readonly outcome: BeaconOutcome | WitnessOutcome;
  readonly timeMs: number;
  /** For a witness report, the beaconer it witnessed (base58). */
  readonly beaconer?: string;
}

/** Recent activity kept per hotspot per epoch; a hotspot beacons a few times and witnesses tens of beacons. */
export const MAX_ACTIVITY_PER_HOTSPOT_PER_EPOCH = 200;
const LEAF_RECORD_BYTES = 40;

export class ResultsStoreError extends Error {
  readonly code = "ERR_RESULTS_STORE";
  constructor(message: string) {
    super(message);
    this.name = "ResultsStoreError";
  }
}

/**
 * The validator's scored epochs, in LMDB next to the message store: summaries, the cumulative
 * reward leaves (binary, 40 bytes each: key ‖ amount u64 LE) from which proofs are built, per-
 * hotspot activity, and the coverage feed for map indexers.
 */
export class ResultsStore {
  readonly #root: RootDatabase;
  readonly #summaries: Database<EpochSummary, number>;
  readonly #leaves: Database<Uint8Array, number>;
  readonly #activity: Database<HotspotActivity[], string>;
  readonly #coverage: Database<unknown, number>;
  readonly #trees = new Map<number, RewardMerkleTree>();

  private constructor(root: RootDatabase) {
    this.#root = root;
    this.#summaries = root.openDB<EpochSummary, number>({ name: "summaries", keyEncoding: "uint32" });
    this.#leaves = root.openDB<Uint8Array, number>({ name: "leaves", keyEncoding: "uint32", encoding: "binary" });
    this.#activity = root.openDB<HotspotActivity[], string>({ name: "activity" });
    this.#coverage = root.openDB<unknown, number>({ name: "coverage", keyEncoding: "uint32" });
  }

  static open(path: string): ResultsStore {
    return new ResultsStore(open({ path, maxDbs: 8, noSync: false }));
  }

  async close(): Promise<void> {
    await this.#root.close();
  }

  /** Persists a scored epoch (replacing an earlier scoring of the same epoch). */
  async putScore(score: EpochScore, extra: { messageCount: number; activity: Map<string, HotspotActivity[]>; coverage: unknown }): Promise<EpochSummary> {
    const summary: EpochSummary = {
      epoch: score.epoch,
      status: "scored",
      root: Buffer.from(score.root).toString("hex"),
      cumulativeTotal: score.cumulativeTotal.toString(),
      leafCount: score.leafCount,
      emitted: score.emitted.toString(),
      beaconOutcomes: score.beaconOutcomes,
      witnessOutcomes: score.witnessOutcomes,
      scoredAtMs: Date.now(),
      messageCount: extra.messageCount,
    };
    const leaves = Buffer.alloc(score.cumulative.length * LEAF_RECORD_BYTES);
    score.cumulative.forEach((leaf, i) => {
      leaves.set(leaf.hotspot, i * LEAF_RECORD_BYTES);
      leaves.writeBigUInt64LE(leaf.cumulativeAmount, i * LEAF_RECORD_BYTES + 32);
    });
    await this.#root.transaction(() => {
      this.#summaries.put(score.epoch, summary);
      this.#leaves.put(score.epoch, leaves);
      this.#coverage.put(score.epoch, extra.coverage);
      for (const [hotspot, entries] of extra.activity) {
        this.#activity.put(`${hotspot}/${String(score.epoch).padStart(10, "0")}`, entries.slice(0, MAX_ACTIVITY_PER_HOTSPOT_PER_EPOCH));
      }
    });
    this.#trees.delete(score.epoch);
    return summary;
  }

  async setStatus(epoch: number, status: SubmissionStatus, submission: EpochSummary["submission"] = {}): Promise<void> {
    const summary = this.#summaries.get(epoch);
    if (summary === undefined) throw new ResultsStoreError(`epoch ${epoch} has not been scored`);
    await this.#summaries.put(epoch, { ...summary, status, submission: { ...summary.submission, ...submission } });
  }

  summary(epoch: number): EpochSummary | undefined {
    return this.#summaries.get(epoch);
  }

  /** Scored epochs in ascending order, optionally only those with the given status. */
  epochs(status?: SubmissionStatus): number[] {
    const out: number[] = [];
    for (const { key, value } of this.#summaries.getRange()) if (status === undefined || value.status === status) out.push(key);
    return out;
  }

  latestEpoch(): number | undefined {
    // Not getKeys({ reverse: true }): lmdb-js 3.5 returns nothing from a reverse scan over uint32
    // keys when the only key is 0. Epochs number a few hundred a day, so a forward scan is cheap.
    let latest: number | undefined;
    for (const key of this.#summaries.getKeys()) latest = key;
    return latest;
  }

  /** Cumulative leaves through `epoch` (sorted by device key); empty if never scored. */
  leaves(epoch: number): RewardLeaf[] {
    const bytes = this.#leaves.get(epoch);
    if (bytes === undefined) return [];
    const buffer = Buffer.from(bytes);
    const out: RewardLeaf[] = [];
    for (let offset = 0; offset < buffer.length; offset += LEAF_RECORD_BYTES) {
      out.push({ hotspot: Uint8Array.from(buffer.subarray(offset, offset + 32)), cumulativeAmount: buffer.readBigUInt64LE(offset + 32) });
    }
    return out;
  }

  tree(epoch: number): RewardMerkleTree | undefined {
    let tree = this.#trees.get(epoch);
    if (tree === undefined) {
      if (this.#leaves.get(epoch) === undefined) return undefined;
      tree = new RewardMerkleTree(this.leaves(epoch));
      // A few recent trees stay in memory: proofs for the latest epoch are the common request.
      if (this.#trees.size >= 4) this.#trees.delete(this.#trees.keys().next().value!);
      this.#trees.set(epoch, tree);
    }
    return tree;
  }

  coverage(epoch: number): unknown {
    return this.#coverage.get(epoch);
  }

  /** Recent activity of a hotspot (base58), newest epoch first. */
  activity(hotspot: string, maxEpochs = 10): HotspotActivity[] {
    const out: HotspotActivity[] = [];
    for (const { value } of this.#activity.getRange({ start: `${hotspot}/~`, end: `${hotspot}/`, reverse: true, limit: maxEpochs })) {
      out.push(...value);
    }
    return out;
  }
}

export function addressOf(key: Uint8Array): string {
  return encodeAddress(key);
}
