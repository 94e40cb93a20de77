import "../../protocol/polyfills.js";
import { createHash } from "node:crypto";
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { bootstrap } from "@libp2p/bootstrap";
import { privateKeyFromRaw } from "@libp2p/crypto/keys";
import { type GossipSub, gossipsub } from "@libp2p/gossipsub";
import { identify } from "@libp2p/identify";
import type { Libp2p, PeerId } from "@libp2p/interface";
import { type KadDHT, kadDHT, passthroughMapper } from "@libp2p/kad-dht";
import { type Ping, ping } from "@libp2p/ping";
import { tcp } from "@libp2p/tcp";
import { createLibp2p } from "libp2p";
import { type Ed25519Keypair, Topics } from "../../protocol/index.js";
import { GOSSIP_TOPIC_SCORE_PARAMS, GOSSIP_SCORE_THRESHOLDS } from "./scoring.js";

/** Kademlia protocol id: our own network, so our DHT never mixes with the public IPFS one. */
export const HEXCOVER_DHT_PROTOCOL = "/hexcover/kad/1.0.0";

/**
 * Largest inbound gossipsub RPC (one length-prefixed frame) we read; a larger one aborts the
 * peer's stream. Our messages are under 200 bytes, but control traffic is not: a heartbeat's
 * gossip to a peer carries, per topic, IHAVE ids for up to GossipsubMaxIHaveLength (5,000)
 * messages of the last 3 heartbeats, 34 bytes each (32-byte id + framing): 170 KB per topic,
 * 680 KB for our 4 topics. 64 KiB (the earlier value) already overflowed at ~630 messages/s
 * (1,900 ids in the window): the flood test (tests/load) saw honest peers' streams aborted and
 * their messages lost. 1 MiB covers the worst legitimate RPC and still bounds what one stream
 * can make us buffer (gossipsub's own default is 4 MiB).
 */
export const GOSSIP_MAX_RPC_BYTES = 1024 * 1024;

/** Inbound connections per second accepted from one IP when every peer shares loopback. */
export const LOCAL_INBOUND_CONNECTIONS_PER_SECOND = 1_000;

/**
 * A peer whose gossipsub score is below this is disconnected and refused for GOSSIP_BAN_MS.
 * Gossipsub alone only graylists (reads and drops the peer's RPCs) and prunes it from the mesh;
 * the connection, its buffers and the RPC decoding stay. Equal to the graylist threshold: only
 * about ten invalid messages within seconds get there (see scoring.ts), which an honest peer,
 * forwarding only what its own validators accepted, does not send.
 */
export const GOSSIP_DISCONNECT_THRESHOLD = GOSSIP_SCORE_THRESHOLDS.graylistThreshold ?? -800;
/**
 * Ban length: about the time P4 (decay 0.99/s, scoring.ts) takes to bring a flood's penalty
 * back above the graylist threshold (300 invalid messages: ln(8.9 / 300) / ln(0.99) ≈ 350 s).
 * Gossipsub keeps a disconnected peer's score for an hour, so a peer coming back sooner than
 * its score recovered is graylisted again anyway.
 */
export const GOSSIP_BAN_MS = 6 * 60_000;
/** Heartbeats (1 s each) after a disconnect during which a peer's score is still checked for a ban. */
const SWEEPS_AFTER_DISCONNECT = 3;
/** Banned peer ids remembered at once; the oldest ban is forgotten first. */
export const MAX_BANNED_PEERS = 10_000;

/** Peers this host disconnected for their gossip score, until when (ms since epoch). */
export class PeerBans {
  readonly #until = new Map<string, number>();
  readonly #now: () => number;
  /** Disconnections for score, in total. */
  disconnected = 0;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  ban(peer: string, durationMs = GOSSIP_BAN_MS): void {
    this.#until.delete(peer);
    if (this.#until.size >= MAX_BANNED_PEERS) {
      const oldest = this.#until.keys().next().value;
      if (oldest !== undefined) this.#until.delete(oldest);
    }
    this.#until.set(peer, this.#now() + durationMs);
  }

  isBanned(peer: string): boolean {
    const until = this.#until.get(peer);
    if (until === undefined) return false;
    if (until > this.#now()) return true;
    this.#until.delete(peer);
    return false;
  }

  get size(): number {
    return this.#until.size;
  }
}

/** Per-host bans, kept outside the libp2p object (its type is libp2p's). */
const BANS = new WeakMap<object, PeerBans>();

/** The score bans of a host created by createHexcoverHost. */
export function peerBans(host: HexcoverHost): PeerBans {
  let bans = BANS.get(host);
  if (bans === undefined) {
    bans = new PeerBans();
    BANS.set(host, bans);
  }
  return bans;
}

export interface HostServices extends Record<string, unknown> {
  identify: unknown;
  ping: Ping;
  pubsub: GossipSub;
  dht: KadDHT;
}
export type HexcoverHost = Libp2p<HostServices>;

export interface HostOptions {
  /** The device (or validator) key; the libp2p peer id derives from it. */
  readonly keypair: Ed25519Keypair;
  /** Multiaddrs to listen on, default an ephemeral TCP port on 127.0.0.1. */
  readonly listen?: readonly string[];
  /** Multiaddrs with /p2p/<peer id> to dial at start. */
  readonly bootstrap?: readonly string[];
  /**
   * Local, private and loopback networks: keep addresses the DHT would otherwise filter out as
   * not publicly dialable. Default true, since Hexcover's own test and local networks are on loopback.
   */
  readonly allowPrivateAddresses?: boolean;
  /**
   * Peers to refuse besides those banned for their gossip score: no dial to them, no connection
   * from them. Asked at every check, so the answer may change (an operator's deny list, or a
   * network partition in tests/faults).
   */
  readonly denyPeer?: (peerId: string) => boolean;
  /**
   * libp2p's connection monitor pings every connection every 10 s and, by default, aborts one
   * whose ping fails. A host whose event loop is starved for longer (many nodes sharing one
   * process in bench/gossip) would tear down healthy connections; false keeps them.
   */
  readonly abortConnectionOnPingFailure?: boolean;
}

/** Gossip message ids hash the full bytes, signature included (see docs/NODE.md: why not our id). */
function gossipMessageId(message: { data: Uint8Array }): Uint8Array {
  return new Uint8Array(createHash("sha256").update(message.data).digest());
}

/** The libp2p stack every Hexcover peer runs: TCP + Noise + Yamux, identify, ping, Kademlia, gossipsub. */
export async function createHexcoverHost(options: HostOptions): Promise<HexcoverHost> {
  const privateKey = privateKeyFromRaw(options.keypair.secretKey);
  const bootstrapList = [...(options.bootstrap ?? [])];
  const allowPrivate = options.allowPrivateAddresses ?? true;
  const bans = new PeerBans();
  const denyPeer = options.denyPeer;
  const banned = (peerId: PeerId) => {
    const id = peerId.toString();
    return bans.isBanned(id) || (denyPeer?.(id) ?? false);
  };
  const host = (await createLibp2p({
    privateKey,
    addresses: { listen: [...(options.listen ?? ["/ip4/127.0.0.1/tcp/0"])] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery: bootstrapList.length > 0 ? [bootstrap({ list: bootstrapList, timeout: 100 })] : [],
    connectionMonitor: { abortConnectionOnPingFailure: options.abortConnectionOnPingFailure ?? true },
    // A local network puts every peer on one IP; libp2p's per-IP inbound rate limit (5/s by
    // default) would refuse most of a 60-hotspot network starting at once.
    connectionManager: allowPrivate
      ? { maxConnections: 300, maxIncomingPendingConnections: 100, inboundConnectionThreshold: LOCAL_INBOUND_CONNECTIONS_PER_SECOND }
      : { maxConnections: 300 },
    connectionGater: {
      ...(allowPrivate ? { denyDialMultiaddr: () => false } : {}),
      denyDialPeer: banned,
      denyInboundEncryptedConnection: banned,
      denyOutboundEncryptedConnection: banned,
    },
    services: {
      identify: identify(),
      ping: ping(),
      dht: kadDHT({
        protocol: HEXCOVER_DHT_PROTOCOL,
        clientMode: false,
        ...(allowPrivate ? { peerInfoMapper: passthroughMapper } : {}),
      }),
      pubsub: gossipsub({
        // Every Hexcover message carries its own ed25519 signature by its author; libp2p envelope
        // signatures would only sign the forwarder, so messages go unsigned at the pubsub layer.
        globalSignaturePolicy: "StrictNoSign",
        msgIdFn: gossipMessageId,
        allowPublishToZeroTopicPeers: true,
        ignoreDuplicatePublishError: true,
        emitSelf: false,
        scoreParams: {
          topics: Object.fromEntries(Object.values(Topics).map((topic) => [topic, GOSSIP_TOPIC_SCORE_PARAMS])),
          // P6 (IP colocation) punishes more than 10 peers behind one IP: on a local network every
          // peer is 127.0.0.1, and with 60 hotspots the penalty graylists everyone. Public
          // networks keep gossipsub's default (weight −5 above 10 peers per IP).
          ...(allowPrivate ? { IPColocationFactorWeight: 0 } : {}),
        },
        scoreThresholds: GOSSIP_SCORE_THRESHOLDS,
        maxInboundDataLength: GOSSIP_MAX_RPC_BYTES,
        // Subscriptions to and messages on other topics are dropped before any cache or
        // validator sees them: gossipsub's subscription and message caches are not bounded
        // by topic count, and no validator would judge such messages.
        allowedTopics: Object.values(Topics),
      }),
    },
  })) as HexcoverHost;
  BANS.set(host, bans);
  // Scores are refreshed on the heartbeat (1 s): disconnect and ban peers below the threshold.
  const pubsub = host.services.pubsub;
  // Peers that left recently: one that disconnects before a sweep saw its score fall is banned
  // all the same (gossipsub keeps disconnected peers' scores), on one of the next sweeps.
  const gone = new Map<string, number>();
  const sweep = () => {
    for (const peer of pubsub.getPeers()) {
      const id = peer.toString();
      if (bans.isBanned(id) || gossipPeerScore(host, id) >= GOSSIP_DISCONNECT_THRESHOLD) continue;
      bans.ban(id);
      bans.disconnected++;
      host.hangUp(peer).catch(() => {});
    }
    for (const [id, sweepsLeft] of gone) {
      if (!bans.isBanned(id) && gossipPeerScore(host, id) < GOSSIP_DISCONNECT_THRESHOLD) bans.ban(id);
      if (sweepsLeft <= 1) gone.delete(id);
      else gone.set(id, sweepsLeft - 1);
    }
  };
  pubsub.addEventListener("gossipsub:heartbeat", sweep);
  host.addEventListener("peer:disconnect", (event) => {
    const id = event.detail.toString();
    if (bans.isBanned(id)) return;
    if (gone.size >= MAX_BANNED_PEERS) gone.delete(gone.keys().next().value!);
    gone.set(id, SWEEPS_AFTER_DISCONNECT);
  });
  return host;
}

export function peerIdString(peerId: PeerId): string {
  return peerId.toString();
}

/**
 * A peer's gossipsub score as this host sees it. The implementation exposes getScore, but the
 * published GossipSub interface does not declare it.
 */
export function gossipPeerScore(host: HexcoverHost, peerId: PeerId | string): number {
  const pubsub = host.services.pubsub as unknown as { getScore(id: string): number };
  return pubsub.getScore(peerId.toString());
}
