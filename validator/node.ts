import { mkdir } from "node:fs/promises";
import type { Server } from "node:http";
import { join } from "node:path";
import { publicKeyFromRaw } from "@libp2p/crypto/keys";
import type { PeerId } from "@libp2p/interface";
import { peerIdFromPublicKey } from "@libp2p/peer-id";
import { Keypair, PublicKey } from "@solana/web3.js";
import type { Logger } from "pino";
import { Counter, Gauge, Registry } from "prom-client";
import { type CoverageRewardsClient, hotspotAsOf } from "../chain/client/index.js";
import { cellFromU64 } from "../geo/index.js";
import { createHexcoverHost, type HexcoverHost } from "../node/index.js";
import type { Ed25519Keypair } from "../protocol/index.js";
import { createRewardsApi, listen } from "./api/index.js";
import { EntropyPublisher } from "./entropy/index.js";
import { Ingest } from "./ingest/index.js";
import { ResultsStore, summarizeEpoch } from "./results/index.js";
import { DEFAULT_SCORING_CONFIG, type EpochScorer, ReferenceScorer, type RegisteredHotspot, type ScoringConfig, type ScoringInput } from "./scoring/index.js";
import { EpochStore } from "./store/index.js";
import { EpochSubmitter } from "./submit/index.js";
import { SyncService } from "./sync/index.js";
import type { SignatureVerifier } from "../node/index.js";
import { WorkerPoolVerifier } from "./verify/index.js";

/**
 * Reconciliation gets this long, from when it starts, before the epoch is frozen anyway. Freezing
 * unconverged sets makes validators score different inputs, and votes cannot be changed, so the
 * window is generous: a busy validator that starts late still gets the full time.
 */
export const DEFAULT_SYNC_DEADLINE_MS = 30_000;
/** How often the epoch loop looks for work (freeze, score, submit, retry). */
export const EPOCH_LOOP_INTERVAL_MS = 1_000;

export interface ValidatorNodeOptions {
  /** The validator's key: libp2p identity and on-chain signer. */
  readonly keypair: Ed25519Keypair;
  readonly dataDir: string;
  readonly client: CoverageRewardsClient;
  readonly listen?: readonly string[];
  /** A public network: libp2p's defaults for per-IP limits and DHT address filtering (see node/p2p/host.ts). */
  readonly publicNetwork?: boolean;
  readonly bootstrap?: readonly string[];
  /** API port on 127.0.0.1 (0 = any). */
  readonly apiPort?: number;
  readonly apiHost?: string;
  /** Round parameters shared with the hotspots (witness window, entropy age...); timing comes from chain. */
  readonly scoring?: Partial<Omit<ScoringConfig, "genesisMs" | "epochLengthMs" | "emissionPerEpoch">>;
  /** Seconds after an epoch's end before it is reconciled and frozen (default 60). */
  readonly graceSeconds?: number;
  readonly syncDeadlineMs?: number;
  readonly entropyIntervalMs?: number;
  readonly denylist?: ReadonlySet<string>;
  readonly scorer?: EpochScorer;
  /** Claim for every rewarded hotspot after each finalized epoch (anyone may; this validator pays the fees). */
  readonly crank?: boolean;
  readonly verifier?: SignatureVerifier;
  readonly log?: Logger;
  /**
   * Test hook for fault tests only (tests/faults): after an epoch's scoring input is read and
   * "scoring epoch" is logged, keep the scoring step open this many ms, so a test can kill the
   * process while it is scoring. `hexcover validator run` sets it from HEXCOVER_TEST_SCORING_HOLD_MS.
   */
  readonly scoringHoldMs?: number;
  /** Peers the libp2p host refuses besides score bans (HostOptions.denyPeer). */
  readonly denyPeer?: (peerId: string) => boolean;
}

export interface ValidatorCounters {
  epochsScored: number;
  lastScoringSeconds: number;
  syncRounds: number;
  crankClaims: number;
  crankFailures: number;
}

/**
 * One validator (DESIGN.md §6): ingests and persists every gossip message, publishes entropy,
 * and for each epoch after its freeze time reconciles the report set with the other
 * validators, freezes it, scores it, serves the result and submits it on chain.
 */
export class ValidatorNode {
  readonly counters: ValidatorCounters = { epochsScored: 0, lastScoringSeconds: 0, syncRounds: 0, crankClaims: 0, crankFailures: 0 };
  #crankedThrough = -1;
  host!: HexcoverHost;
  store!: EpochStore;
  results!: ResultsStore;
  ingest!: Ingest;
  sync!: SyncService;
  submitter!: EpochSubmitter;
  entropy!: EntropyPublisher;
  config!: ScoringConfig;
  apiUrl = "";
  readonly metrics = new Registry();
  readonly #o: ValidatorNodeOptions;
  readonly #scorer: EpochScorer;
  #verifier!: SignatureVerifier;
  #server: Server | undefined;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  #validatorPeers: PeerId[] = [];
  #firstEpoch = 0;
  #quorum = 1;
  #stopped = false;

  constructor(options: ValidatorNodeOptions) {
    this.#o = options;
    this.#scorer = options.scorer ?? new ReferenceScorer();
  }

  get log(): Logger | undefined {
    return this.#o.log;
  }

  async start(): Promise<void> {
    const o = this.#o;
    const chain = await o.client.fetchConfig();
    this.config = {
      ...DEFAULT_SCORING_CONFIG,
      ...o.scoring,
      genesisMs: Number(chain.genesisUnixTime) * 1000,
      epochLengthMs: Number(chain.epochLengthSeconds) * 1000,
      emissionPerEpoch: chain.emissionPerEpoch,
    };
    const validatorKeys = chain.validators.map((v) => v.toBytes());
    this.#validatorPeers = validatorKeys.map((key) => peerIdFromPublicKey(publicKeyFromRaw(key)));
    this.#quorum = chain.quorum;
    await mkdir(o.dataDir, { recursive: true });
    this.store = EpochStore.open({
      path: join(o.dataDir, "messages"),
      genesisSeconds: Number(chain.genesisUnixTime),
      epochSeconds: Number(chain.epochLengthSeconds),
      ...(o.graceSeconds !== undefined ? { graceSeconds: o.graceSeconds } : {}),
    });
    this.results = ResultsStore.open(join(o.dataDir, "results"));
    // Start at the first epoch the chain has not finalized: epochs finalize in order, so every
    // validator must score from there (messages it missed come from its peers through sync).
    const first = this.store.getNumber("first-epoch");
    this.#firstEpoch = first ?? Number(chain.nextEpoch);
    if (first === undefined && chain.nextEpoch > 0n) {
      o.log?.warn(
        { firstEpoch: this.#firstEpoch },
        "joining after epochs were finalized: cumulative rewards before this epoch are not known here, so this validator's roots will only match once it holds the previous finalized leaves (docs/VALIDATOR.md)",
      );
    }
    if (first === undefined) await this.store.putNumber("first-epoch", this.#firstEpoch);

    this.host = await createHexcoverHost({
      keypair: o.keypair,
      listen: o.listen ?? ["/ip4/127.0.0.1/tcp/0"],
      bootstrap: o.bootstrap ?? [],
      allowPrivateAddresses: o.publicNetwork !== true,
      ...(o.denyPeer === undefined ? {} : { denyPeer: o.denyPeer }),
    });
    this.#verifier = o.verifier ?? new WorkerPoolVerifier();
    this.ingest = new Ingest(this.host, { store: this.store, verifier: this.#verifier, validators: validatorKeys });
    this.ingest.start();
    this.sync = new SyncService(this.host, { store: this.store, ingest: this.ingest });
    await this.sync.start();
    const gossip = this.ingest.gossip!;
    this.entropy = new EntropyPublisher({
      keypair: o.keypair,
      store: this.store,
      admit: (signed) => this.ingest.admit(signed, "local"),
      publish: (signed) => gossip.publish(signed),
      ...(o.entropyIntervalMs !== undefined ? { intervalMs: o.entropyIntervalMs } : {}),
      onError: (err) => o.log?.warn({ err: err.message }, "entropy round failed"),
    });
    this.entropy.start();
    this.submitter = new EpochSubmitter(o.client, toWeb3(o.keypair), this.results, o.log);
    this.#registerMetrics();
    this.#server = createRewardsApi({ results: this.results, metrics: this.metrics, status: () => this.status() });
    this.apiUrl = await listen(this.#server, o.apiPort ?? 0, o.apiHost ?? "127.0.0.1");
    this.#timer = setInterval(() => void this.tick(), EPOCH_LOOP_INTERVAL_MS);
    o.log?.info({ peerId: this.host.peerId.toString(), listen: this.host.getMultiaddrs().map(String), api: this.apiUrl, firstEpoch: this.#firstEpoch }, "validator running");
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    while (this.#busy) await new Promise((r) => setTimeout(r, 50));
    this.entropy?.stop();
    this.ingest?.stop();
    await this.sync?.stop();
    await this.host?.stop();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
    await (this.#verifier as { close?: () => Promise<void> } | undefined)?.close?.();
    await this.store?.close();
    await this.results?.close();
  }

  status(): unknown {
    return {
      validator: this.#o.keypair.address,
      peerId: this.host.peerId.toString(),
      peers: this.host.getPeers().length,
      currentEpoch: this.#currentEpoch(),
      latestScored: this.results.latestEpoch() ?? null,
      ingest: this.ingest.counters(),
      submitter: this.submitter.counters,
      counters: this.counters,
    };
  }

  #currentEpoch(): number {
    return Math.floor((Date.now() - this.config.genesisMs) / this.config.epochLengthMs);
  }

  /** One pass of the epoch loop; never overlaps itself. */
  async tick(): Promise<void> {
    if (this.#busy || this.#stopped) return;
    this.#busy = true;
    try {
      const next = (this.results.latestEpoch() ?? this.#firstEpoch - 1) + 1;
      if (Date.now() >= this.store.schedule.freezeAtMs(next)) await this.#finishEpoch(next);
      for (const epoch of [...this.results.epochs("scored"), ...this.results.epochs("submitted")]) {
        if (this.#stopped) break;
        await this.submitter.advance(epoch).catch((err: Error) => this.#o.log?.warn({ epoch, err: err.message }, "submission failed; will retry"));
      }
      if (this.#o.crank) await this.#crank();
    } catch (err) {
      this.#o.log?.error({ err: (err as Error).message }, "epoch loop failed; will retry");
    } finally {
      this.#busy = false;
    }
  }

  async #finishEpoch(epoch: number): Promise<void> {
    const log = this.#o.log;
    if (!this.store.isFrozen(epoch)) {
      const deadline = Date.now() + (this.#o.syncDeadlineMs ?? DEFAULT_SYNC_DEADLINE_MS);
      const report = await this.sync.reconcile(epoch, this.#validatorPeers, deadline, { quorum: this.#quorum });
      this.counters.syncRounds += report.rounds;
      const fields = { epoch, converged: report.converged, rounds: report.rounds, fetched: report.fetched, count: report.count, unreachable: report.unreachable.length };
      if (report.converged) log?.info(fields, "epoch reconciled and frozen");
      else log?.warn(fields, "epoch frozen WITHOUT agreement with every validator: its score may differ from theirs");
    }
    const started = process.hrtime.bigint();
    const input = await this.scoringInput(epoch);
    log?.info({ epoch, messages: input.messages.length }, "scoring epoch");
    if (this.#o.scoringHoldMs !== undefined && this.#o.scoringHoldMs > 0) await new Promise((r) => setTimeout(r, this.#o.scoringHoldMs));
    const score = await this.#scorer.score(input);
    this.counters.lastScoringSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.counters.epochsScored++;
    const details = summarizeEpoch(input, score, Date.now());
    await this.results.putScore(score, { messageCount: input.messages.length, activity: details.activity, coverage: details.coverage });
    log?.info(
      { epoch, root: Buffer.from(score.root).toString("hex"), emitted: score.emitted.toString(), leaves: score.leafCount, beacons: score.beaconOutcomes, witnesses: score.witnessOutcomes },
      "epoch scored",
    );
    await this.submitter.advance(epoch).catch((err: Error) => log?.warn({ epoch, err: err.message }, "submission failed; will retry"));
  }

  /**
   * Claims, for every hotspot in the latest finalized epoch this validator agrees with, the
   * difference between its cumulative amount and what it has claimed (DESIGN.md §6 crank).
   */
  async #crank(): Promise<void> {
    const finalized = this.results.epochs("finalized");
    const epoch = finalized[finalized.length - 1];
    if (epoch === undefined || epoch <= this.#crankedThrough) return;
    const claimed = new Map((await this.#o.client.allHotspots()).map((h) => [h.deviceKey.toBase58(), h.claimed]));
    const tree = this.results.tree(epoch)!;
    const payer = toWeb3(this.#o.keypair);
    let failures = 0;
    for (const [index, leaf] of tree.leaves.entries()) {
      if (this.#stopped) return;
      const deviceKey = new PublicKey(leaf.hotspot);
      const already = claimed.get(deviceKey.toBase58());
      if (already === undefined || already >= leaf.cumulativeAmount) continue; // unregistered, or paid
      try {
        await this.#o.client.claim(payer, { epoch: BigInt(epoch), deviceKey, cumulativeAmount: leaf.cumulativeAmount, leafIndex: BigInt(index), proof: tree.proof(index) });
        this.counters.crankClaims++;
      } catch (err) {
        failures++;
        this.counters.crankFailures++;
        this.#o.log?.warn({ epoch, hotspot: deviceKey.toBase58(), err: (err as Error).message }, "crank claim failed");
      }
    }
    if (failures === 0) this.#crankedThrough = epoch;
    this.#o.log?.info({ epoch, claims: this.counters.crankClaims }, "crank paid the finalized epoch");
  }

  /** The frozen sets of E−1 and E, the registry and the cumulative rewards through E−1. */
  async scoringInput(epoch: number): Promise<ScoringInput> {
    const messages = [...(epoch > 0 ? this.store.messages(epoch - 1) : []), ...this.store.messages(epoch)];
    // The registry as it stood when the epoch ended: every validator reads the accounts at a
    // slightly different time, but the program keeps enough history (docs/PROGRAM.md, "Registry
    // as of time T") for all of them to reconstruct the same snapshot.
    const asOf = BigInt(Math.floor((this.config.genesisMs + (epoch + 1) * this.config.epochLengthMs) / 1000));
    const hotspots: RegisteredHotspot[] = [];
    for (const account of await this.#o.client.allHotspots()) {
      const snapshot = hotspotAsOf(account, asOf);
      if (snapshot === null) continue;
      hotspots.push({ key: account.deviceKey.toBytes(), location: cellFromU64(snapshot.location), gainDeciDbi: snapshot.gainDeciDbi, elevationM: snapshot.elevationM });
    }
    return {
      epoch,
      config: this.config,
      hotspots,
      denylist: this.#o.denylist ?? new Set(),
      messages,
      previousCumulative: epoch > this.#firstEpoch ? this.results.leaves(epoch - 1) : [],
    };
  }

  #registerMetrics(): void {
    const registers = [this.metrics];
    const ingest = () => this.ingest.counters();
    new Counter({
      name: "hexcover_validator_reports_ingested_total",
      help: "Messages stored, by kind",
      labelNames: ["kind"],
      registers,
      collect() {
        this.reset();
        for (const [kind, n] of Object.entries(ingest().accepted)) this.inc({ kind }, n);
      },
    });
    new Counter({
      name: "hexcover_validator_reports_rejected_total",
      help: "Messages rejected at ingest, by reason code",
      labelNames: ["reason"],
      registers,
      collect() {
        this.reset();
        for (const [reason, n] of Object.entries(ingest().rejected)) this.inc({ reason }, n);
      },
    });
    new Counter({
      name: "hexcover_validator_reports_ignored_total",
      help: "Gossip messages ignored without penalizing the sender (overload shedding, late epoch, local failures), by reason code",
      labelNames: ["reason"],
      registers,
      collect() {
        this.reset();
        for (const [reason, n] of Object.entries(ingest().ignored)) this.inc({ reason }, n);
      },
    });
    const gossip = () => this.ingest.gossip;
    new Gauge({
      name: "hexcover_validator_pending_validations",
      help: "Gossip messages received and not yet accepted, rejected or ignored (bounded)",
      registers,
      collect() {
        this.set(gossip()?.pendingValidations ?? 0);
      },
    });
    const counters = this.counters;
    const submitter = () => this.submitter.counters;
    new Gauge({ name: "hexcover_validator_epoch_scoring_seconds", help: "Wall time of the last epoch's scoring", registers, collect() { this.set(counters.lastScoringSeconds); } });
    new Counter({ name: "hexcover_validator_sync_rounds_total", help: "Reconciliation rounds run", registers, collect() { this.reset(); this.inc(counters.syncRounds); } });
    new Counter({ name: "hexcover_validator_epochs_scored_total", help: "Epochs scored", registers, collect() { this.reset(); this.inc(counters.epochsScored); } });
    new Counter({ name: "hexcover_validator_submissions_total", help: "submit_epoch transactions sent", registers, collect() { this.reset(); this.inc(submitter().submitted); } });
    new Counter({
      name: "hexcover_validator_disagreements_total",
      help: "Finalized epochs whose tuple differs from this validator's",
      registers,
      collect() {
        this.reset();
        this.inc(submitter().disagreements);
      },
    });
    const verifier = () => this.#verifier as { stats?: { signaturesVerified: number } };
    new Counter({
      name: "hexcover_validator_signatures_verified_total",
      help: "Signatures verified by the worker pool (rate = verify throughput)",
      registers,
      collect() {
        this.reset();
        this.inc(verifier().stats?.signaturesVerified ?? 0);
      },
    });
  }
}

function toWeb3(keypair: Ed25519Keypair): Keypair {
  return Keypair.fromSecretKey(keypair.secretKey);
}
