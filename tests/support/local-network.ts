import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Keypair } from "@solana/web3.js";
import pino from "pino";
import { CoverageRewardsClient, ensureRewardAccount } from "../../chain/client/index.js";
import { cellToU64, latLngToCell } from "../../geo/index.js";
import {
  createHexcoverHost,
  type HexcoverHost,
  HexcoverGossip,
  HOTSPOT_GOSSIP_KINDS,
  HotspotDaemon,
  SimMediumBroker,
  SimRadio,
} from "../../node/index.js";
import { Ed25519Keypair } from "../../protocol/index.js";
import { ValidatorNode } from "../../validator/node.js";
import type { ScoringConfig } from "../../validator/scoring/index.js";
import { loadProgramEnv, type ProgramEnv } from "./program-env.js";

/** Round timing short enough for tests: every window fits a 15-second epoch (validateScoringConfig). */
export const FAST_ROUNDS = {
  epochSeconds: 15,
  graceSeconds: 3,
  witnessWindowMs: 3_000,
  revealGraceMs: 3_000,
  entropyMaxAgeMs: 6_000,
  entropyIntervalMs: 2_000,
} as const;

export const FAST_SCORING: Partial<ScoringConfig> = {
  witnessWindowMs: FAST_ROUNDS.witnessWindowMs,
  revealGraceMs: FAST_ROUNDS.revealGraceMs,
  entropyMaxAgeMs: FAST_ROUNDS.entropyMaxAgeMs,
};

export interface TestHotspot {
  keypair: Ed25519Keypair;
  owner: Keypair;
  host: HexcoverHost;
  gossip: HexcoverGossip;
  daemon: HotspotDaemon;
}

/**
 * An in-process network on the real program in litesvm whose Clock follows wall time: the chain,
 * a sim-radio broker, N validators (real libp2p, LMDB, worker pools) and M hotspots.
 */
export class LocalTestNetwork {
  env!: ProgramEnv;
  broker = new SimMediumBroker();
  validatorKeys: Ed25519Keypair[] = [];
  validators: Array<ValidatorNode | undefined> = [];
  hotspots: TestHotspot[] = [];
  genesis = 0n;
  #clock: NodeJS.Timeout | undefined;
  #dirs: string[] = [];

  async startChain(validatorCount: number, quorum: number, emission = 1_000_000n): Promise<void> {
    this.env = await loadProgramEnv();
    const syncClock = () => this.env.provider.setUnixTime(BigInt(Math.floor(Date.now() / 1000)));
    syncClock();
    this.#clock = setInterval(syncClock, 250);
    this.genesis = BigInt(Math.floor(Date.now() / 1000) + 2);
    await this.env.client.initialize(this.env.admin, this.env.mint, { epochLengthSeconds: BigInt(FAST_ROUNDS.epochSeconds), genesisUnixTime: this.genesis, emissionPerEpoch: emission });
    this.validatorKeys = Array.from({ length: validatorCount }, () => Ed25519Keypair.generate());
    for (const v of this.validatorKeys) this.env.provider.airdrop(Keypair.fromSecretKey(v.secretKey).publicKey, 10_000_000_000n);
    await this.env.client.setValidators(this.env.admin, this.validatorKeys.map((v) => Keypair.fromSecretKey(v.secretKey).publicKey), quorum);
    await this.broker.start();
  }

  async startValidator(i: number, dataDir?: string): Promise<ValidatorNode> {
    const dir = dataDir ?? (await mkdtemp(join(tmpdir(), `hexcover-validator-${i}-`)));
    this.#dirs[i] = dir;
    const bootstrap = this.validators.filter((v): v is ValidatorNode => v !== undefined).map((v) => v.host.getMultiaddrs()[0]!.toString());
    const node = new ValidatorNode({
      keypair: this.validatorKeys[i]!,
      dataDir: dir,
      client: new CoverageRewardsClient(this.env.provider),
      bootstrap,
      scoring: FAST_SCORING,
      graceSeconds: FAST_ROUNDS.graceSeconds,
      syncDeadlineMs: 4_000,
      entropyIntervalMs: FAST_ROUNDS.entropyIntervalMs,
      // HEXCOVER_TEST_LOG=1 shows the validators' logs when a network test needs debugging.
      ...(process.env.HEXCOVER_TEST_LOG ? { log: pino({ name: `validator-${i}` }, pino.destination(2)) } : {}),
    });
    await node.start();
    this.validators[i] = node;
    return node;
  }

  dataDir(i: number): string {
    return this.#dirs[i]!;
  }

  async stopValidator(i: number): Promise<void> {
    await this.validators[i]?.stop();
    this.validators[i] = undefined;
  }

  /** `makeGossip` lets a test give the hotspot its own gossip (e.g. one that drops some kinds). */
  async addHotspot(lat: number, lng: number, makeGossip: (host: HexcoverHost) => HexcoverGossip = (host) => new HexcoverGossip(host)): Promise<TestHotspot> {
    const keypair = Ed25519Keypair.generate();
    const owner = Keypair.generate();
    this.env.provider.airdrop(owner.publicKey, 1_000_000_000n);
    await this.env.client.registerHotspot(owner, Keypair.fromSecretKey(keypair.secretKey), { location: cellToU64(latLngToCell(lat, lng, 12)), gainDeciDbi: 30, elevationM: 10 });
    await ensureRewardAccount(this.env.provider, owner.publicKey, this.env.mint);
    const bootstrap = this.validators.filter((v): v is ValidatorNode => v !== undefined).map((v) => v.host.getMultiaddrs()[0]!.toString());
    const host = await createHexcoverHost({ keypair, bootstrap });
    const gossip = makeGossip(host);
    // As `hexcover hotspot run` does: witness reports are published to the validators, not relayed.
    gossip.start(HOTSPOT_GOSSIP_KINDS);
    const radio = new SimRadio({ brokerPort: this.broker.port, name: keypair.address, site: { position: { lat, lng }, antennaGainDbi: 3, elevationM: 10 } });
    const daemon = new HotspotDaemon({
      keypair,
      radio,
      gossip,
      beaconIntervalMs: FAST_ROUNDS.epochSeconds * 1000,
      beaconJitterMs: 5_000,
      witnessWindowMs: FAST_ROUNDS.witnessWindowMs,
      entropyMaxAgeMs: FAST_ROUNDS.entropyMaxAgeMs,
      trustedValidators: this.validatorKeys.map((v) => v.publicKey),
    });
    await daemon.start();
    const hotspot = { keypair, owner, host, gossip, daemon };
    this.hotspots.push(hotspot);
    return hotspot;
  }

  async stop(): Promise<void> {
    for (const h of this.hotspots) {
      await h.daemon.stop();
      h.gossip.stop();
      await h.host.stop();
    }
    for (let i = 0; i < this.validators.length; i++) await this.stopValidator(i);
    await this.broker.stop();
    if (this.#clock) clearInterval(this.#clock);
  }
}
