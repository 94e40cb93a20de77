/**
 * A real validator (ValidatorNode: libp2p host, gossip, Ingest, worker-pool verifier, LMDB store,
 * HTTP API) in its own process, so the flood test can measure this process's memory alone.
 * The chain is the real coverage_rewards program in litesvm, initialized here with one long
 * epoch so nothing freezes during the flood.
 *
 * Usage: node --expose-gc --import tsx tests/load/validator-process.ts <config.json>
 * stdout: `LOAD {"type":"ready",...}` once running, then one `LOAD {...}` line per stdin command
 * (`snapshot`, `records`, `gc`, `stop`). Also records, for the test, every message that reached
 * a topic validator: the propagation peer, the sha256 of its bytes and the outcome.
 */
import "../../protocol/polyfills.js";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import type { Message, TopicValidatorResult } from "@libp2p/gossipsub";
import type { PeerId } from "@libp2p/interface";
import { PublicKey } from "@solana/web3.js";
import { CoverageRewardsClient } from "../../chain/client/index.js";
import { gossipPeerScore, peerBans } from "../../node/index.js";
import { Ed25519Keypair, Topics } from "../../protocol/index.js";
import { ValidatorNode } from "../../validator/node.js";
import { loadProgramEnv } from "../support/program-env.js";

export interface LoadValidatorConfig {
  /** Secret key (64 bytes) of this validator, as numbers. */
  secretKey: number[];
  /** Public keys of the rest of the validator set (hex): honest peers publish entropy for them. */
  otherValidators: string[];
  dataDir: string;
  epochSeconds: number;
  /** Memory sampling period in this process (ms). */
  sampleMs: number;
}

const out = (value: unknown) => process.stdout.write(`LOAD ${JSON.stringify(value)}\n`);

const config = JSON.parse(await readFile(process.argv[2]!, "utf8")) as LoadValidatorConfig;
const keypair = Ed25519Keypair.fromSecretKey(Uint8Array.from(config.secretKey));
const env = await loadProgramEnv();
const syncClock = () => env.provider.setUnixTime(BigInt(Math.floor(Date.now() / 1000)));
syncClock();
const clock = setInterval(syncClock, 250);
const genesis = BigInt(Math.floor(Date.now() / 1000) - 5);
await env.client.initialize(env.admin, env.mint, { epochLengthSeconds: BigInt(config.epochSeconds), genesisUnixTime: genesis, emissionPerEpoch: 1_000_000n });
const setKeys = [keypair.publicKey, ...config.otherValidators.map((h) => Uint8Array.from(Buffer.from(h, "hex")))];
await env.client.setValidators(env.admin, setKeys.map((k) => new PublicKey(k)), 1);

const node = new ValidatorNode({ keypair, dataDir: config.dataDir, client: new CoverageRewardsClient(env.provider) });
await node.start();
const pubsub = node.host.services.pubsub;
const gossip = node.ingest.gossip!;

// Spy on the topic validators ValidatorNode installed: record each call and its outcome.
const records = new Map<string, Array<[string, string]>>();
const everInMesh = new Set<string>();
for (const topic of Object.values(Topics)) {
  const original = pubsub.topicValidators.get(topic)!;
  pubsub.topicValidators.set(topic, (from: PeerId, message: Message) => {
    const hash = createHash("sha256").update(message.data).digest("hex").slice(0, 24);
    const list = records.get(from.toString()) ?? [];
    records.set(from.toString(), list);
    const entry: [string, string] = [hash, "pending"];
    list.push(entry);
    const settle = (r: TopicValidatorResult) => {
      entry[1] = String(r);
      return r;
    };
    const result = original(from, message);
    return result instanceof Promise ? result.then(settle) : settle(result);
  });
}
// Connections opened per peer: a second one (both sides dialing) replaces gossipsub's inbound
// stream, and RPCs still in the replaced stream are lost in transport.
const connectionsOpened = new Map<string, number>();
node.host.addEventListener("connection:open", (event) => {
  const id = event.detail.remotePeer.toString();
  connectionsOpened.set(id, (connectionsOpened.get(id) ?? 0) + 1);
});
const meshPeers = () => {
  const all = new Set<string>();
  for (const topic of Object.values(Topics)) for (const p of (pubsub as unknown as { getMeshPeers(t: string): string[] }).getMeshPeers(topic)) all.add(p);
  return all;
};
pubsub.addEventListener("gossipsub:heartbeat", () => {
  for (const p of meshPeers()) everInMesh.add(p);
});

// Memory: the highest RSS and heap seen, sampled on a timer (the test also reads /proc).
const memory = { rssMax: 0, heapUsedMax: 0, samples: 0 };
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  memory.rssMax = Math.max(memory.rssMax, m.rss);
  memory.heapUsedMax = Math.max(memory.heapUsedMax, m.heapUsed);
  memory.samples++;
}, config.sampleMs);

function snapshot() {
  const bans = peerBans(node.host);
  const connected = new Set(node.host.getConnections().map((c) => c.remotePeer.toString()));
  const mesh = meshPeers();
  const gossipPeers = new Set(pubsub.getPeers().map(String));
  const peers: Record<string, { score: number; connected: boolean; gossipPeer: boolean; inMesh: boolean; everInMesh: boolean; banned: boolean; pending: number; connectionsOpened: number }> = {};
  for (const id of new Set([...records.keys(), ...connected])) {
    peers[id] = {
      score: gossipPeerScore(node.host, id),
      connected: connected.has(id),
      gossipPeer: gossipPeers.has(id),
      inMesh: mesh.has(id),
      everInMesh: everInMesh.has(id),
      banned: bans.isBanned(id),
      pending: gossip.pendingFrom(id),
      connectionsOpened: connectionsOpened.get(id) ?? 0,
    };
  }
  return {
    type: "snapshot",
    memory: { ...process.memoryUsage(), ...memory },
    pending: gossip.pendingValidations,
    pendingHighWater: gossip.counters.pendingHighWater,
    ingest: node.ingest.counters(),
    stored: node.store.counts(0).total,
    disconnectedForScore: bans.disconnected,
    peers,
  };
}

const lines = createInterface({ input: process.stdin });
lines.on("line", async (line) => {
  const command = line.trim();
  if (command === "snapshot") out(snapshot());
  else if (command === "gc") {
    (globalThis as { gc?: () => void }).gc?.();
    out({ type: "gc", memory: process.memoryUsage() });
  } else if (command === "records") out({ type: "records", records: Object.fromEntries(records) });
  else if (command === "stop") {
    clearInterval(sampler);
    clearInterval(clock);
    await node.stop();
    out({ type: "stopped" });
    process.exit(0);
  }
});

out({
  type: "ready",
  pid: process.pid,
  peerId: node.host.peerId.toString(),
  addr: node.host.getMultiaddrs()[0]!.toString(),
  api: node.apiUrl,
  genesisMs: Number(genesis) * 1000,
});
