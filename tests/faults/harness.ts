/**
 * The fault tests' network: every part is real. The chain is a `hexcover ledger` child process
 * with a data directory on fixed ports (so it can be killed with SIGKILL and restarted where the
 * validators expect it); three validators run in this process (real libp2p, LMDB, worker pools,
 * RPC clients) so tests can read their stores; a fourth is a `hexcover validator run` child
 * process, the one that gets killed; hotspots run in this process on the sim radio.
 *
 * Partitions use libp2p's own connection gater through HostOptions.denyPeer (see `Partition`).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { privateKeyFromRaw } from "@libp2p/crypto/keys";
import type { PeerId } from "@libp2p/interface";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { Connection, Keypair, LAMPORTS_PER_SOL, type PublicKey } from "@solana/web3.js";
import pino from "pino";
import { type CoverageRewardsClient, createRewardMint, ensureRewardAccount } from "../../chain/client/index.js";
import { clientFor } from "../../cli/cluster.js";
import { cellToU64, latLngToCell } from "../../geo/index.js";
import { createHexcoverHost, type HexcoverHost, HexcoverGossip, HotspotDaemon, SimMediumBroker, SimRadio } from "../../node/index.js";
import { Ed25519Keypair, saveKeypairFile } from "../../protocol/index.js";
import { ValidatorNode } from "../../validator/node.js";
import { type EpochScore, type EpochScorer, ReferenceScorer, type ScoringInput } from "../../validator/scoring/index.js";
import { FAST_ROUNDS, FAST_SCORING } from "../support/local-network.js";
import { type RunningProcess, spawnHexcover } from "../support/processes.js";
import { waitFor } from "../support/wait.js";

/**
 * Reconciliation may run this long before an epoch is frozen anyway: long enough that a
 * partition still in place at freeze time can heal inside it with a wide margin on a loaded
 * machine (the partition test heals ~6 s after the freeze time). It costs nothing elsewhere:
 * with one validator down or Byzantine the other three still make the quorum and stop early.
 */
export const FAULT_SYNC_DEADLINE_S = 40;

/** Emission per epoch (base units): small numbers keep failures readable. */
export const EMISSION = 1_000_000n;

/** Hotspots around San Francisco's Mission district, 400 m – 2 km apart (as tests/validator/network.test.ts). */
export const SITES: Array<[number, number]> = [
  [37.7599, -122.4148], [37.7649, -122.4194], [37.757, -122.408], [37.768, -122.41],
  [37.752, -122.418], [37.762, -122.425], [37.77, -122.417], [37.755, -122.423],
];

export function peerIdOf(keypair: Ed25519Keypair): PeerId {
  return peerIdFromPrivateKey(privateKeyFromRaw(keypair.secretKey));
}

/** A TCP port that was free a moment ago (the ledger and the process validator need fixed ports to restart on). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A network partition through libp2p's connection gater: once `cut`, every host created with
 * `denyFor(its key)` as HostOptions.denyPeer refuses to dial, or accept, a peer on the other
 * side (the score bans stay in force next to it), and the tracked hosts close the connections
 * that crossed the cut. Peers without a side (none here) are never blocked.
 */
export class Partition {
  readonly #side = new Map<string, "a" | "b">();
  readonly #hosts: HexcoverHost[] = [];
  #active = false;

  get active(): boolean {
    return this.#active;
  }

  assign(peer: PeerId | string, side: "a" | "b"): void {
    this.#side.set(peer.toString(), side);
  }

  blocks(a: string, b: string): boolean {
    if (!this.#active) return false;
    const sa = this.#side.get(a);
    const sb = this.#side.get(b);
    return sa !== undefined && sb !== undefined && sa !== sb;
  }

  /** HostOptions.denyPeer for the host of `keypair`: refuses peers on the other side while cut. */
  denyFor(keypair: Ed25519Keypair): (peer: string) => boolean {
    const self = peerIdOf(keypair).toString();
    return (peer) => this.blocks(self, peer);
  }

  /** Hosts whose open connections across the cut are closed when it happens. */
  track(host: HexcoverHost): void {
    this.#hosts.push(host);
  }

  async cut(): Promise<void> {
    this.#active = true;
    for (const host of this.#hosts) {
      if (host.status !== "started") continue;
      const self = host.peerId.toString();
      for (const connection of host.getConnections()) {
        if (this.blocks(self, connection.remotePeer.toString())) await connection.close().catch(() => connection.abort(new Error("partitioned")));
      }
    }
  }

  heal(): void {
    this.#active = false;
  }
}

/** Flips the root of every scored epoch while `on`: a validator that submits wrong roots. */
export class ByzantineScorer implements EpochScorer {
  on = false;
  readonly #inner = new ReferenceScorer();

  async score(input: ScoringInput): Promise<EpochScore> {
    const score = await this.#inner.score(input);
    // An epoch with no leaves must carry a zero root on chain; lying there would only be refused.
    if (!this.on || score.leafCount === 0) return score;
    const root = Uint8Array.from(score.root);
    root[0]! ^= 0xff;
    return { ...score, root };
  }
}

export interface FaultHotspot {
  index: number;
  keypair: Ed25519Keypair;
  owner: Keypair;
  site: [number, number];
  host: HexcoverHost;
  gossip: HexcoverGossip;
  daemon: HotspotDaemon;
  online: boolean;
}

export interface ProcessValidator {
  keypair: Ed25519Keypair;
  dir: string;
  port: number;
  proc: RunningProcess;
  api: string;
}

export class FaultNetwork {
  readonly partition = new Partition();
  readonly broker = new SimMediumBroker();
  readonly validatorKeys: Ed25519Keypair[] = [];
  readonly validators: Array<ValidatorNode | undefined> = [];
  readonly scorers: ByzantineScorer[] = [];
  readonly hotspots: FaultHotspot[] = [];
  /** Signatures the ledger acknowledged (returned to us), with what they were. */
  readonly acknowledged: Array<{ what: string; signature: string }> = [];
  ledger!: RunningProcess;
  rpcUrl = "";
  wsUrl = "";
  connection!: Connection;
  admin = Keypair.generate();
  client!: CoverageRewardsClient;
  mint!: PublicKey;
  processValidator: ProcessValidator | undefined;
  #root = "";
  #ledgerPort = 0;
  #wsPort = 0;

  get root(): string {
    return this.#root;
  }

  async startLedger(): Promise<void> {
    if (this.#root === "") {
      this.#root = await mkdtemp(join(tmpdir(), "hexcover-faults-"));
      this.#ledgerPort = await freePort();
      this.#wsPort = await freePort();
    }
    this.ledger = spawnHexcover(["ledger", "--port", String(this.#ledgerPort), "--ws-port", String(this.#wsPort), "--data-dir", join(this.#root, "ledger")]);
    this.rpcUrl = (await this.ledger.waitForLine(/JSON-RPC\s+http/, 60_000)).split(/\s+/).pop()!;
    this.wsUrl = (await this.ledger.waitForLine(/websocket\s+ws/, 60_000)).split(/\s+/).pop()!;
    this.connection = new Connection(this.rpcUrl, { commitment: "confirmed", wsEndpoint: this.wsUrl });
  }

  async killLedger(): Promise<void> {
    await this.ledger.stop("SIGKILL");
  }

  async airdrop(to: PublicKey, sol: number): Promise<void> {
    const signature = await this.connection.requestAirdrop(to, sol * LAMPORTS_PER_SOL);
    await this.connection.confirmTransaction({ signature, ...(await this.connection.getLatestBlockhash()) });
    this.acknowledged.push({ what: `airdrop to ${to.toBase58()}`, signature });
  }

  /** Creates the mint and Config (15-s epochs starting now) and sets `count` validators with `quorum`. */
  async initChain(count: number, quorum: number): Promise<void> {
    await this.airdrop(this.admin.publicKey, 100);
    this.client = clientFor(this.rpcUrl, this.admin, this.wsUrl);
    this.mint = await createRewardMint(this.client.provider, this.client.mintAuthority);
    const genesis = BigInt(Math.floor(Date.now() / 1000) + 2);
    this.acknowledged.push({
      what: "initialize",
      signature: await this.client.initialize(this.admin, this.mint, { epochLengthSeconds: BigInt(FAST_ROUNDS.epochSeconds), genesisUnixTime: genesis, emissionPerEpoch: EMISSION }),
    });
    for (let i = 0; i < count; i++) this.validatorKeys.push(Ed25519Keypair.generate());
    for (const key of this.validatorKeys) await this.airdrop(Keypair.fromSecretKey(key.secretKey).publicKey, 10);
    const keys = this.validatorKeys.map((v) => Keypair.fromSecretKey(v.secretKey).publicKey);
    this.acknowledged.push({ what: "set_validators", signature: await this.client.setValidators(this.admin, keys, quorum) });
    await this.broker.start();
  }

  /** Multiaddrs of the running validators (the process validator's is fixed). */
  validatorAddrs(): string[] {
    const out = this.validators.filter((v): v is ValidatorNode => v !== undefined).map((v) => v.host.getMultiaddrs()[0]!.toString());
    const pv = this.processValidator;
    if (pv !== undefined) out.push(`/ip4/127.0.0.1/tcp/${pv.port}/p2p/${peerIdOf(pv.keypair).toString()}`);
    return out;
  }

  async startValidator(i: number): Promise<ValidatorNode> {
    const scorer = this.scorers[i] ?? new ByzantineScorer();
    this.scorers[i] = scorer;
    const node = new ValidatorNode({
      keypair: this.validatorKeys[i]!,
      dataDir: join(this.#root, `validator-${i}`),
      client: clientFor(this.rpcUrl, this.validatorKeys[i]!, this.wsUrl),
      bootstrap: this.validatorAddrs(),
      scoring: FAST_SCORING,
      graceSeconds: FAST_ROUNDS.graceSeconds,
      syncDeadlineMs: FAULT_SYNC_DEADLINE_S * 1000,
      entropyIntervalMs: FAST_ROUNDS.entropyIntervalMs,
      scorer,
      denyPeer: this.partition.denyFor(this.validatorKeys[i]!),
      // HEXCOVER_TEST_LOG=1 shows the in-process validators' logs when a fault test needs debugging.
      ...(process.env.HEXCOVER_TEST_LOG ? { log: pino({ name: `validator-${i}` }, pino.destination(2)) } : {}),
    });
    await node.start();
    this.partition.track(node.host);
    this.validators[i] = node;
    return node;
  }

  /** Validator `i` as a `hexcover validator run` process; `env` may carry test hooks. */
  async startProcessValidator(i: number, env: NodeJS.ProcessEnv = {}): Promise<ProcessValidator> {
    const keypair = this.validatorKeys[i]!;
    let pv = this.processValidator;
    if (pv === undefined) {
      const dir = join(this.#root, `validator-${i}-process`);
      await saveKeypairFile(join(dir, "identity.json"), keypair);
      pv = { keypair, dir, port: await freePort(), proc: undefined as unknown as RunningProcess, api: "" };
      this.processValidator = pv;
    }
    const t = FAST_ROUNDS;
    const bootstrap = this.validatorAddrs().filter((a) => !a.endsWith(peerIdOf(keypair).toString()));
    pv.proc = spawnHexcover(
      [
        "validator", "run", "--dir", pv.dir, "--rpc", this.rpcUrl, "--ws", this.wsUrl,
        "--listen", `/ip4/127.0.0.1/tcp/${pv.port}`, "--api-port", "0",
        ...bootstrap.flatMap((b) => ["--bootstrap", b]),
        "--grace-s", String(t.graceSeconds), "--witness-window-s", String(t.witnessWindowMs / 1000),
        "--reveal-grace-s", String(t.revealGraceMs / 1000), "--entropy-max-age-s", String(t.entropyMaxAgeMs / 1000),
        "--entropy-interval-s", String(t.entropyIntervalMs / 1000), "--sync-deadline-s", String(FAULT_SYNC_DEADLINE_S),
      ],
      env,
    );
    const ready = JSON.parse(await pv.proc.waitForLine(/validator ready/, 90_000)) as { api: string };
    pv.api = ready.api;
    // The in-process validators reconcile with it by peer id: give them its address now.
    for (const v of this.validators) if (v !== undefined) await v.host.dial(peerIdOf(keypair)).catch(() => {});
    return pv;
  }

  async addHotspot(site: [number, number]): Promise<FaultHotspot> {
    const keypair = Ed25519Keypair.generate();
    const owner = Keypair.generate();
    await this.airdrop(owner.publicKey, 1);
    const ownerClient = clientFor(this.rpcUrl, owner, this.wsUrl);
    this.acknowledged.push({
      what: `register_hotspot ${keypair.address}`,
      signature: await ownerClient.registerHotspot(owner, Keypair.fromSecretKey(keypair.secretKey), { location: cellToU64(latLngToCell(site[0], site[1], 12)), gainDeciDbi: 30, elevationM: 10 }),
    });
    await ensureRewardAccount(ownerClient.provider, owner.publicKey, this.mint);
    const hotspot = { index: this.hotspots.length, keypair, owner, site } as FaultHotspot;
    this.hotspots.push(hotspot);
    await this.bringOnline(hotspot);
    return hotspot;
  }

  /** Starts (or restarts, same key and site) a hotspot's host, gossip and daemon. */
  async bringOnline(h: FaultHotspot): Promise<void> {
    h.host = await createHexcoverHost({ keypair: h.keypair, bootstrap: this.validatorAddrs(), denyPeer: this.partition.denyFor(h.keypair) });
    this.partition.track(h.host);
    h.gossip = new HexcoverGossip(h.host);
    h.gossip.start();
    const radio = new SimRadio({ brokerPort: this.broker.port, name: h.keypair.address, site: { position: { lat: h.site[0], lng: h.site[1] }, antennaGainDbi: 3, elevationM: 10 } });
    h.daemon = new HotspotDaemon({
      keypair: h.keypair,
      radio,
      gossip: h.gossip,
      beaconIntervalMs: FAST_ROUNDS.epochSeconds * 1000,
      beaconJitterMs: 5_000,
      witnessWindowMs: FAST_ROUNDS.witnessWindowMs,
      entropyMaxAgeMs: FAST_ROUNDS.entropyMaxAgeMs,
      trustedValidators: this.validatorKeys.map((v) => v.publicKey),
    });
    await h.daemon.start();
    h.online = true;
  }

  /** The hotspot's daemon stops (no more beacons, reveals or reports) and its host leaves the network. */
  async takeOffline(h: FaultHotspot): Promise<void> {
    if (!h.online) return;
    h.online = false;
    await h.daemon.stop();
    h.gossip.stop();
    await h.host.stop();
  }

  epochNow(): number {
    return Math.floor((Date.now() / 1000 - this.genesisSeconds()) / FAST_ROUNDS.epochSeconds);
  }

  genesisSeconds(): number {
    const v = this.validators.find((x) => x !== undefined)!;
    return v.config.genesisMs / 1000;
  }

  /** Unix ms at which epoch `e` ends. */
  endOf(e: number): number {
    return (this.genesisSeconds() + (e + 1) * FAST_ROUNDS.epochSeconds) * 1000;
  }

  /** Waits until the chain has finalized every epoch through `epoch`. */
  async finalizedThrough(epoch: number, timeoutMs: number): Promise<void> {
    await waitFor(async () => ((await this.client.fetchConfig().catch(() => undefined))?.nextEpoch ?? 0n) > BigInt(epoch), `epoch ${epoch} finalized on chain`, timeoutMs, 500);
  }

  /** GET on the process validator's API. */
  async processApi<T>(path: string): Promise<T> {
    const res = await fetch(`${this.processValidator!.api}${path}`);
    if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
    return (await res.json()) as T;
  }

  async stop(): Promise<void> {
    for (const h of this.hotspots) await this.takeOffline(h).catch(() => {});
    for (let i = 0; i < this.validators.length; i++) {
      await this.validators[i]?.stop().catch(() => {});
      this.validators[i] = undefined;
    }
    await this.processValidator?.proc.stop("SIGKILL").catch(() => {});
    await this.ledger?.stop("SIGKILL").catch(() => {});
    await this.broker.stop().catch(() => {});
    if (this.#root !== "") await rm(this.#root, { recursive: true, force: true });
  }
}
