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
 * Gossipsub's default limit is 1 MiB; our largest message is under 200 bytes. A small limit
 * bounds what a hostile peer can make us buffer (RPCs carry many messages, so keep headroom).
 */
export const GOSSIP_MAX_RPC_BYTES = 64 * 1024;

/** Inbound connections per second accepted from one IP when every peer shares loopback. */
export const LOCAL_INBOUND_CONNECTIONS_PER_SECOND = 1_000;

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
  return createLibp2p({
    privateKey,
    addresses: { listen: [...(options.listen ?? ["/ip4/127.0.0.1/tcp/0"])] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery: bootstrapList.length > 0 ? [bootstrap({ list: bootstrapList, timeout: 100 })] : [],
    // A local network puts every peer on one IP; libp2p's per-IP inbound rate limit (5/s by
    // default) would refuse most of a 60-hotspot network starting at once.
    connectionManager: allowPrivate
      ? { maxConnections: 300, maxIncomingPendingConnections: 100, inboundConnectionThreshold: LOCAL_INBOUND_CONNECTIONS_PER_SECOND }
      : { maxConnections: 300 },
    connectionGater: allowPrivate ? { denyDialMultiaddr: () => false } : {},
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
      }),
    },
  }) as Promise<HexcoverHost>;
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
