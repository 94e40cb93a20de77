/**
 * Parts of the flood test: the normal report rate of the default local network, message
 * factories for honest and hostile traffic, the validator child process, and publisher peers
 * (real libp2p hosts). Attackers publish raw bytes straight through gossipsub, bypassing
 * HexcoverGossip's outbound checks and pacing, so the validator's own validators see them.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { multiaddr } from "@multiformats/multiaddr";
import { roundTiming } from "../../cli/network.js";
import { cityByName } from "../../cli/network/cities.js";
import { placeHotspots } from "../../cli/network/placement.js";
import { createHexcoverHost, defaultPropagation, GOSSIP_DISCONNECT_THRESHOLD, type HexcoverHost, HexcoverGossip } from "../../node/index.js";
import { Ed25519Keypair, type HexcoverMessage, type MessageKindName, type SignedMessage, signMessage, Topics } from "../../protocol/index.js";
import { EpochStore } from "../../validator/index.js";
import { sleep, waitFor } from "../support/wait.js";
import type { LoadValidatorConfig } from "./validator-process.js";

/** cli/network.ts defaults: `hexcover network` with no flags. */
export const DEFAULT_NETWORK = { hotspots: 60, epochSeconds: 120, validators: 4, city: "san-francisco" } as const;
/** The hotspot daemon's radio defaults (docs/NODE.md): 27 dBm, 3 dBi (as `network` registers), SF7BW125, 903.9 MHz. */
const RADIO = { txPowerDbm: 27, antennaGainDbi: 3, elevationM: 10, frequencyHz: 903_900_000, dataRate: "SF7BW125" } as const;

export interface NormalRate {
  beaconsPerSecond: number;
  witnessesPerBeacon: number;
  entropyPerSecond: number;
  /** Gossip messages per second a validator ingests: commits + reveals + witness reports + entropy. */
  messagesPerSecond: number;
}

/**
 * The default local network's message rate, derived from its own parts: 60 hotspots placed in
 * San Francisco by cli/network/placement.ts, each beaconing once per `beaconIntervalS` of
 * roundTiming(120) (60 s), every beacon heard by the hotspots the sim medium's default
 * propagation model lets decode it (each sends one witness report), plus one reveal per beacon
 * and entropy from 4 validators every `entropyIntervalS` (10 s). Link shadowing is seeded by
 * radio name; names h0…h59 stand for the hotspot keys (another draw of the same distribution).
 */
export function normalReportRate(): NormalRate {
  const timing = roundTiming(DEFAULT_NETWORK.epochSeconds);
  const sites = placeHotspots(cityByName(DEFAULT_NETWORK.city)!, DEFAULT_NETWORK.hotspots);
  const propagate = defaultPropagation();
  let heard = 0;
  for (const [i, tx] of sites.entries()) {
    for (const [j, rx] of sites.entries()) {
      if (i === j) continue;
      const link = propagate(
        { id: `h${i}`, position: { lat: tx[0], lng: tx[1] }, antennaGainDbi: RADIO.antennaGainDbi, elevationM: RADIO.elevationM, txPowerDbm: RADIO.txPowerDbm, frequencyHz: RADIO.frequencyHz, dataRate: RADIO.dataRate },
        { id: `h${j}`, position: { lat: rx[0], lng: rx[1] }, antennaGainDbi: RADIO.antennaGainDbi, elevationM: RADIO.elevationM },
      );
      if (link.received) heard++;
    }
  }
  const beaconsPerSecond = sites.length / timing.beaconIntervalS;
  const witnessesPerBeacon = heard / sites.length;
  const entropyPerSecond = DEFAULT_NETWORK.validators / timing.entropyIntervalS;
  return {
    beaconsPerSecond,
    witnessesPerBeacon,
    entropyPerSecond,
    messagesPerSecond: beaconsPerSecond * (2 + witnessesPerBeacon) + entropyPerSecond,
  };
}

export const hashOf = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex").slice(0, 24);
export const hexOf = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
const random32 = () => new Uint8Array(randomBytes(32));

/** A fresh, valid message of `kind` signed by `key` (entropy: `key` must be a validator), stamped now. */
export function validMessage(kind: MessageKindName, key: Ed25519Keypair, seq = 0): SignedMessage {
  const t = Date.now();
  let message: HexcoverMessage;
  switch (kind) {
    case "entropy":
      message = { kind, validator: key.publicKey, seq, timestampMs: t, value: random32() };
      break;
    case "beaconCommit":
      message = { kind, hotspot: key.publicKey, entropyId: random32(), payloadHash: random32(), txTimeMs: t, frequencyHz: 904_300_000, dataRate: 1, txPowerDeciDbm: 270 };
      break;
    case "witnessReport":
      message = { kind, witness: key.publicKey, payloadHash: random32(), proof: random32(), rssiDeciDbm: -1000, snrDeciDb: 50, frequencyHz: 904_300_000, dataRate: 1, rxTimeMs: t };
      break;
    default:
      message = { kind: "beaconReveal", hotspot: key.publicKey, beaconId: random32(), nonce: new Uint8Array(randomBytes(8)), payload: random32().subarray(0, 24), revealTimeMs: t };
  }
  return signMessage(message, key);
}

/** The hostile kinds an attacker cycles through, each with the rejection code the validator must give. */
export const INVALID_KINDS = {
  badSignature: "ERR_INVALID_SIGNATURE",
  garbage: "ERR_UNSUPPORTED_VERSION",
  truncated: "ERR_MESSAGE_TRUNCATED",
  stale: "ERR_TIMESTAMP_TOO_OLD",
  future: "ERR_TIMESTAMP_IN_FUTURE",
  oversized: "ERR_MESSAGE_TOO_LARGE",
  wrongTopic: "ERR_WRONG_MESSAGE_KIND",
  unknownValidator: "ERR_UNKNOWN_VALIDATOR",
} as const;
export type InvalidKind = keyof typeof INVALID_KINDS;
/**
 * Kinds the validator IGNOREs (counted under ingest's `ignored`, no score penalty) instead of
 * rejecting: a stale copy may have aged in an honest relay's backlog (node/p2p/gossip.ts).
 */
export const IGNORED_INVALID_KINDS: ReadonlySet<InvalidKind> = new Set<InvalidKind>(["stale"]);
const INVALID_KIND_NAMES = Object.keys(INVALID_KINDS) as InvalidKind[];

/** An hour: well past gossip's 5-minute age bound and its 30 s future skew. */
const HOUR_MS = 3_600_000;
/** Larger than any Hexcover message (< 200 bytes), well inside gossipsub's 64 KiB RPC limit. */
const OVERSIZED_BYTES = 4_096;

export function invalidMessage(kind: InvalidKind, key: Ed25519Keypair): { topic: string; bytes: Uint8Array } {
  switch (kind) {
    case "badSignature": {
      const bytes = Uint8Array.from(validMessage("witnessReport", key).bytes);
      bytes[bytes.length - 1]! ^= 0x01;
      return { topic: Topics.witnessReport, bytes };
    }
    case "garbage": {
      const bytes = new Uint8Array(randomBytes(40 + Math.floor(Math.random() * 140)));
      bytes[0] = 0xee; // not protocol version 1
      return { topic: Topics.beaconCommit, bytes };
    }
    case "truncated":
      return { topic: Topics.beaconCommit, bytes: validMessage("beaconCommit", key).bytes.slice(0, 60) };
    case "stale": {
      const m = { kind: "witnessReport", witness: key.publicKey, payloadHash: random32(), proof: random32(), rssiDeciDbm: -1000, snrDeciDb: 50, frequencyHz: 904_300_000, dataRate: 1, rxTimeMs: Date.now() - HOUR_MS } as const;
      return { topic: Topics.witnessReport, bytes: signMessage(m, key).bytes };
    }
    case "future": {
      const m = { kind: "beaconCommit", hotspot: key.publicKey, entropyId: random32(), payloadHash: random32(), txTimeMs: Date.now() + HOUR_MS, frequencyHz: 904_300_000, dataRate: 1, txPowerDeciDbm: 270 } as const;
      return { topic: Topics.beaconCommit, bytes: signMessage(m, key).bytes };
    }
    case "oversized": {
      const bytes = new Uint8Array(OVERSIZED_BYTES);
      bytes.set(validMessage("witnessReport", key).bytes);
      return { topic: Topics.witnessReport, bytes };
    }
    case "wrongTopic":
      return { topic: Topics.beaconCommit, bytes: validMessage("witnessReport", key).bytes };
    case "unknownValidator":
      return { topic: Topics.entropy, bytes: validMessage("entropy", key).bytes };
  }
}

// ---------------------------------------------------------------------------------------------
// The validator process

export interface ValidatorProcess {
  child: ChildProcess;
  ready: { pid: number; peerId: string; addr: string; api: string; genesisMs: number };
  command<T = Record<string, unknown>>(name: "snapshot" | "records" | "gc" | "stop"): Promise<T>;
  /** Resident set size of the process from /proc (bytes). */
  rss(): number;
  output: string[];
}

const VALIDATOR_SCRIPT = fileURLToPath(new URL("./validator-process.ts", import.meta.url));

export async function startValidatorProcess(configPath: string): Promise<ValidatorProcess> {
  const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", VALIDATOR_SCRIPT, configPath], { stdio: ["pipe", "pipe", "pipe"] });
  const output: string[] = [];
  const waiting: Array<{ type: string; resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }> = [];
  let buffer = "";
  const onLine = (line: string) => {
    if (!line.startsWith("LOAD ")) {
      output.push(line);
      if (output.length > 200) output.shift();
      return;
    }
    const value = JSON.parse(line.slice(5)) as Record<string, unknown>;
    const index = waiting.findIndex((w) => w.type === value.type);
    if (index >= 0) waiting.splice(index, 1)[0]!.resolve(value);
  };
  child.stdout!.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    let nl = buffer.indexOf("\n");
    while (nl >= 0) {
      onLine(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf("\n");
    }
  });
  child.stderr!.on("data", (chunk: Buffer) => output.push(chunk.toString("utf8")));
  child.once("exit", (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`validator process exited (${code}) before answering ${w.type}:\n${output.join("\n")}`));
  });
  const expect = (type: string, timeoutMs: number) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} answer from the validator within ${timeoutMs} ms:\n${output.join("\n")}`)), timeoutMs);
      waiting.push({
        type,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  const ready = (await expect("ready", 120_000)) as unknown as ValidatorProcess["ready"];
  const answers = { snapshot: "snapshot", records: "records", gc: "gc", stop: "stopped" } as const;
  return {
    child,
    ready,
    output,
    async command<T>(name: keyof typeof answers) {
      const answer = expect(answers[name], 120_000);
      child.stdin!.write(`${name}\n`);
      return (await answer) as T;
    },
    rss() {
      try {
        const status = readFileSync(`/proc/${ready.pid}/status`, "utf8");
        const kb = /VmRSS:\s+(\d+) kB/.exec(status);
        return kb ? Number(kb[1]) * 1024 : 0;
      } catch {
        return 0;
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Attackers

/** What one attacker identity sent the validator, in order (only messages it was a recipient of). */
export interface SentEntry {
  hash: string;
  /** "valid" (fresh, signed), "replay" (an honest message's exact bytes) or an invalid kind. */
  kind: "valid" | "replay" | InvalidKind;
  /** Our message id (hex) of a fresh valid message. */
  id?: string;
  /** False when gossipsub did not list the validator among the publish's recipients. */
  toValidator?: boolean;
}

export interface AttackerIdentity {
  peerId: string;
  sent: SentEntry[];
}

/**
 * A hostile peer: publishes raw bytes through gossipsub at its rate, cycling 5 invalid messages
 * (one of INVALID_KINDS each, in turn), 3 fresh valid ones and 1 replay of an honest message.
 * When the validator disconnects it, it comes back under a fresh identity (Sybil), so hostile
 * traffic keeps reaching validation for the whole flood instead of stopping at the first ban.
 */
export class Attacker {
  readonly identities: AttackerIdentity[] = [];
  host: HexcoverHost | undefined;
  #current: AttackerIdentity | undefined;
  #counter = 0;
  #invalidCounter: number;
  #rotating = false;
  readonly #hotspot = Ed25519Keypair.generate();
  readonly #validatorAddr: string;
  readonly #validatorPeer: string;
  readonly #replays: () => { topic: string; bytes: Uint8Array } | undefined;

  constructor(validatorAddr: string, validatorPeer: string, offset: number, replays: () => { topic: string; bytes: Uint8Array } | undefined) {
    this.#validatorAddr = validatorAddr;
    this.#validatorPeer = validatorPeer;
    this.#invalidCounter = offset;
    this.#replays = replays;
  }

  /** Connects a fresh identity and waits until its gossipsub knows the validator's subscriptions. */
  async connect(): Promise<void> {
    this.#rotating = true;
    try {
      const old = this.host;
      this.host = undefined;
      this.#current = undefined;
      if (old !== undefined) await Promise.resolve(old.stop()).catch(() => {});
      const host = await createHexcoverHost({ keypair: Ed25519Keypair.generate() });
      // Subscribed like any peer, so the validator grafts it into its mesh (and must prune it).
      for (const topic of Object.values(Topics)) host.services.pubsub.subscribe(topic);
      await host.dial(multiaddr(this.#validatorAddr));
      await waitFor(
        () => Object.values(Topics).every((t) => host.services.pubsub.getSubscribers(t).some((p) => p.toString() === this.#validatorPeer)),
        "an attacker to see the validator's subscriptions",
        30_000,
        20,
      );
      this.host = host;
      this.#current = { peerId: host.peerId.toString(), sent: [] };
      this.identities.push(this.#current);
    } finally {
      this.#rotating = false;
    }
  }

  /** True while connected (or reconnecting); starts a new identity once the validator dropped us. */
  checkConnection(): void {
    if (this.#rotating || this.host === undefined) return;
    const connected = this.host.getConnections().some((c) => c.remotePeer.toString() === this.#validatorPeer);
    if (!connected) void this.connect().catch(() => {});
  }

  get connected(): boolean {
    return this.host !== undefined && this.#current !== undefined;
  }

  /** Publishes the next message of the cycle; returns false when no identity is connected. */
  sendNext(): boolean {
    const host = this.host;
    const identity = this.#current;
    if (host === undefined || identity === undefined) return false;
    const position = this.#counter++ % 9;
    let topic: string;
    let bytes: Uint8Array;
    let entry: Omit<SentEntry, "hash">;
    if (position < 5) {
      const kind = INVALID_KIND_NAMES[this.#invalidCounter++ % INVALID_KIND_NAMES.length]!;
      ({ topic, bytes } = invalidMessage(kind, this.#hotspot));
      entry = { kind };
    } else if (position < 8) {
      const kind = (["beaconCommit", "witnessReport", "beaconReveal"] as const)[position - 5]!;
      const signed = validMessage(kind, this.#hotspot);
      topic = Topics[kind];
      bytes = signed.bytes;
      entry = { kind: "valid", id: hexOf(signed.id) };
    } else {
      const replay = this.#replays();
      if (replay === undefined) return true;
      ({ topic, bytes } = replay);
      entry = { kind: "replay" };
    }
    const hash = hashOf(bytes);
    // Record in publish order (gossipsub writes in the same order); marked if not sent to the validator.
    const record: SentEntry = { hash, ...entry };
    const slot = identity.sent.length;
    identity.sent.push(record);
    host.services.pubsub.publish(topic, bytes).then(
      (result) => {
        if (!result.recipients.some((p) => p.toString() === this.#validatorPeer)) identity.sent[slot] = { ...record, toValidator: false };
      },
      () => {
        identity.sent[slot] = { ...record, toValidator: false };
      },
    );
    return true;
  }

  async stop(): Promise<void> {
    this.#rotating = true;
    if (this.host !== undefined) await Promise.resolve(this.host.stop()).catch(() => {});
    this.host = undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// The flood run, shared by tests/load/flood.test.ts and bench/load/flood-bench.ts

export interface PeerView {
  score: number;
  connected: boolean;
  /** Still a gossipsub peer (its stream was not dropped). */
  gossipPeer: boolean;
  inMesh: boolean;
  everInMesh: boolean;
  banned: boolean;
  pending: number;
  connectionsOpened: number;
}

export interface Snapshot {
  memory: { rss: number; heapUsed: number; rssMax: number; heapUsedMax: number; samples: number };
  pending: number;
  pendingHighWater: number;
  ingest: { accepted: Record<string, number>; rejected: Record<string, number>; ignoredDuplicates: number; ignored: Record<string, number> };
  stored: number;
  disconnectedForScore: number;
  peers: Record<string, PeerView>;
}

export interface HonestPeer {
  keypair: Ed25519Keypair;
  host: HexcoverHost;
  gossip: HexcoverGossip;
  sent: number;
}

export interface FloodPlan {
  /** Messages per second all honest peers publish together (all valid). */
  honestRate: number;
  honestPeers: number;
  /** Messages per second all attackers publish together (5 of 9 invalid). */
  attackerRate: number;
  attackers: number;
  durationMs: number;
  /** One long epoch, so nothing freezes during the run. */
  epochSeconds: number;
}

export interface FloodRun {
  dir: string;
  validator: ValidatorProcess;
  honest: HonestPeer[];
  attackers: Attacker[];
  honestIds: Set<string>;
  honestHashes: Set<string>;
  baseline: Snapshot;
  during: Snapshot[];
  final: Snapshot;
  afterGc: { heapUsed: number; rss: number };
  records: Record<string, Array<[string, string]>>;
  storedIds: Set<string>;
  rssSamples: number[];
  api: { ok: number; failed: string[] };
  floodSeconds: number;
  /** From the end of the flood until the validator had nothing pending and its store stopped growing. */
  drainSeconds: number;
  /** Stops every peer and the validator process (if still running) and removes the files. */
  cleanup(): Promise<void>;
}

/**
 * Starts a validator process, honest peers and attackers on 127.0.0.1, floods for
 * `durationMs` while sampling the validator's RSS, snapshots and HTTP API, waits until it has
 * settled, stops it and reads its LMDB store. On failure, call `cleanup` of the partial run via
 * the `started` callback.
 */
export async function runFlood(plan: FloodPlan, started: (run: Pick<FloodRun, "cleanup">) => void): Promise<FloodRun> {
  const dir = await mkdtemp(join(tmpdir(), "hexcover-load-"));
  const honest: HonestPeer[] = [];
  const attackers: Attacker[] = [];
  let validator: ValidatorProcess | undefined;
  const cleanup = async () => {
    for (const a of attackers) await a.stop();
    for (const h of honest) {
      h.gossip.stop();
      await Promise.resolve(h.host.stop()).catch(() => {});
    }
    if (validator !== undefined && validator.child.exitCode === null) validator.child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  };
  started({ cleanup });
  const entropyKeys = [Ed25519Keypair.generate(), Ed25519Keypair.generate(), Ed25519Keypair.generate()];
  const key = Ed25519Keypair.generate();
  const config: LoadValidatorConfig = {
    secretKey: [...key.secretKey],
    otherValidators: entropyKeys.map((k) => hexOf(k.publicKey)),
    dataDir: join(dir, "validator"),
    epochSeconds: plan.epochSeconds,
    sampleMs: 100,
  };
  await writeFile(join(dir, "config.json"), JSON.stringify(config));
  validator = await startValidatorProcess(join(dir, "config.json"));
  const v = validator;
  const { addr, peerId } = v.ready;
  for (let i = 0; i < plan.honestPeers; i++) {
    const keypair = Ed25519Keypair.generate();
    const host = await createHexcoverHost({ keypair });
    const gossip = new HexcoverGossip(host);
    gossip.start();
    await host.dial(multiaddr(addr));
    honest.push({ keypair, host, gossip, sent: 0 });
  }
  await waitFor(
    () => honest.every((h) => Object.values(Topics).every((t) => h.host.services.pubsub.getSubscribers(t).some((p) => p.toString() === peerId))),
    "honest peers to see the validator's subscriptions",
    60_000,
  );
  const recentHonest: Array<{ topic: string; bytes: Uint8Array }> = [];
  const replay = () => (recentHonest.length === 0 ? undefined : recentHonest[Math.floor(Math.random() * recentHonest.length)]);
  for (let i = 0; i < plan.attackers; i++) {
    const attacker = new Attacker(addr, peerId, i * 2, replay);
    await attacker.connect();
    attackers.push(attacker);
  }
  const baseline = await v.command<Snapshot>("snapshot");

  // The flood. Publishers send what is due at their rate every few ms; meanwhile the validator's
  // RSS is sampled, snapshots are taken and its HTTP API is called.
  const honestIds = new Set<string>();
  const honestHashes = new Set<string>();
  const rssSamples: number[] = [];
  const during: Snapshot[] = [];
  const api = { ok: 0, failed: [] as string[] };
  const apiCalls: Array<Promise<void>> = [];
  const callApi = (path: string) =>
    fetch(`${v.ready.api}${path}`, { signal: AbortSignal.timeout(60_000) }).then(
      async (r) => {
        await r.text();
        if (r.status === 200) api.ok++;
        else api.failed.push(`${path}: ${r.status}`);
      },
      (err: Error) => {
        api.failed.push(`${path}: ${err.message}`);
      },
    );
  const honestRateEach = plan.honestRate / plan.honestPeers;
  const start = Date.now();
  let attackerSends = 0;
  let lastSample = 0;
  let lastApi = 0;
  let lastSnapshot = 0;
  while (Date.now() - start < plan.durationMs) {
    const now = Date.now();
    const elapsed = (now - start) / 1000;
    for (const h of honest) {
      const due = Math.floor(honestRateEach * elapsed) - h.sent;
      for (let k = 0; k < due; k++) {
        // The normal mix, roughly: mostly witness reports; a commit, a reveal and entropy in 30.
        const position = h.sent % 30;
        const kind: MessageKindName = position === 0 ? "beaconCommit" : position === 1 ? "beaconReveal" : position === 2 ? "entropy" : "witnessReport";
        const signer = kind === "entropy" ? entropyKeys[h.sent % entropyKeys.length]! : h.keypair;
        const signed = validMessage(kind, signer, h.sent);
        h.gossip.publish(signed);
        h.sent++;
        honestIds.add(hexOf(signed.id));
        honestHashes.add(hashOf(signed.bytes));
        recentHonest.push({ topic: Topics[kind], bytes: signed.bytes });
        if (recentHonest.length > 200) recentHonest.shift();
      }
    }
    // Attackers together owe their rate; while one reconnects under a new identity the others
    // send its share (at most 400 per pass, so a long gap does not turn into one burst).
    const attackerDue = Math.min(Math.floor(plan.attackerRate * elapsed) - attackerSends, 400);
    let turn = 0;
    for (let k = 0; k < attackerDue; k++) {
      const ready = attackers.filter((a) => a.connected);
      if (ready.length === 0) break;
      ready[turn++ % ready.length]!.sendNext();
      attackerSends++;
    }
    for (const a of attackers) a.checkConnection();
    if (now - lastSample >= 250) {
      lastSample = now;
      rssSamples.push(v.rss());
    }
    if (now - lastApi >= 1_000) {
      lastApi = now;
      apiCalls.push(callApi("/status"), callApi("/metrics"));
    }
    if (now - lastSnapshot >= 5_000) {
      lastSnapshot = now;
      during.push(await v.command<Snapshot>("snapshot"));
    }
    await sleep(10);
  }
  const floodEnd = Date.now();
  const floodSeconds = (floodEnd - start) / 1000;
  for (const a of attackers) await a.stop();
  await Promise.all(apiCalls);
  // Drain: the honest publishers' paced queues, then the validator's pending validations.
  await waitFor(() => honest.every((h) => h.gossip.queuedForPublish === 0), "honest publish queues to drain", 60_000);
  let lastStored = -1;
  let settledAt = Date.now();
  await waitFor(
    async () => {
      const s = await v.command<Snapshot>("snapshot");
      rssSamples.push(v.rss());
      if (s.pending !== 0 || s.stored !== lastStored) settledAt = Date.now();
      const settled = s.pending === 0 && s.stored === lastStored;
      lastStored = s.stored;
      return settled;
    },
    "the validator to settle",
    120_000,
    500,
  );
  // The identities the test stopped at the end of the flood leave before a sweep may have seen
  // their score fall; the validator bans them on one of the 3 heartbeats after they left.
  await waitFor(
    async () => {
      const s = await v.command<Snapshot>("snapshot");
      return Object.values(s.peers).every((p) => p.banned || p.score >= GOSSIP_DISCONNECT_THRESHOLD);
    },
    "every peer below the disconnect threshold to be banned",
    30_000,
    500,
  );
  const final = await v.command<Snapshot>("snapshot");
  const records = (await v.command<{ records: Record<string, Array<[string, string]>> }>("records")).records;
  const afterGc = (await v.command<{ memory: { heapUsed: number; rss: number } }>("gc")).memory;
  await v.command("stop");
  const store = EpochStore.open({ path: join(dir, "validator", "messages"), genesisSeconds: v.ready.genesisMs / 1000, epochSeconds: plan.epochSeconds });
  let storedIds: Set<string>;
  try {
    storedIds = new Set(store.ids(0).map(hexOf));
  } finally {
    await store.close();
  }
  return {
    dir,
    validator: v,
    honest,
    attackers,
    honestIds,
    honestHashes,
    baseline,
    during,
    final,
    afterGc,
    records,
    storedIds,
    rssSamples,
    api,
    floodSeconds,
    drainSeconds: Math.max(0, (settledAt - floodEnd) / 1000),
    cleanup,
  };
}
