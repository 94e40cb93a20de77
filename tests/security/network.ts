import { Keypair } from "@solana/web3.js";
import { ensureRewardAccount } from "../../chain/client/index.js";
import { cellToU64, latLngToCell } from "../../geo/index.js";
import { createHexcoverHost, type HexcoverHost, HexcoverGossip, HotspotDaemon, SimRadio } from "../../node/index.js";
import { Ed25519Keypair, type MessageKindName, type SignedMessage } from "../../protocol/index.js";
import type { ValidatorNode } from "../../validator/node.js";
import { FAST_ROUNDS, type LocalTestNetwork, type TestHotspot } from "../support/local-network.js";

/**
 * Gossip for a misbehaving hotspot: the daemon runs unchanged, but only the listed kinds of what
 * it publishes reach the network (a hotspot that never reveals publishes only its commits).
 */
export class FilteringGossip extends HexcoverGossip {
  readonly dropped: Record<string, number> = {};
  constructor(
    host: HexcoverHost,
    readonly sends: ReadonlySet<MessageKindName>,
  ) {
    super(host);
  }
  override publish(signed: SignedMessage): void {
    if (this.sends.has(signed.message.kind)) {
      super.publish(signed);
      return;
    }
    this.dropped[signed.message.kind] = (this.dropped[signed.message.kind] ?? 0) + 1;
  }
}

/**
 * LocalTestNetwork.addHotspot with the hotspot's gossip chosen by the caller (same registration,
 * radio and daemon settings). The hotspot joins `net.hotspots`, so `net.stop()` stops it.
 */
export async function addHotspotWithGossip(net: LocalTestNetwork, lat: number, lng: number, makeGossip: (host: HexcoverHost) => HexcoverGossip): Promise<TestHotspot> {
  const keypair = Ed25519Keypair.generate();
  const owner = Keypair.generate();
  net.env.provider.airdrop(owner.publicKey, 1_000_000_000n);
  await net.env.client.registerHotspot(owner, Keypair.fromSecretKey(keypair.secretKey), { location: cellToU64(latLngToCell(lat, lng, 12)), gainDeciDbi: 30, elevationM: 10 });
  await ensureRewardAccount(net.env.provider, owner.publicKey, net.env.mint);
  const bootstrap = net.validators.filter((v): v is ValidatorNode => v !== undefined).map((v) => v.host.getMultiaddrs()[0]!.toString());
  const host = await createHexcoverHost({ keypair, bootstrap });
  const gossip = makeGossip(host);
  gossip.start();
  const radio = new SimRadio({ brokerPort: net.broker.port, name: keypair.address, site: { position: { lat, lng }, antennaGainDbi: 3, elevationM: 10 } });
  const daemon = new HotspotDaemon({
    keypair,
    radio,
    gossip,
    beaconIntervalMs: FAST_ROUNDS.epochSeconds * 1000,
    beaconJitterMs: 5_000,
    witnessWindowMs: FAST_ROUNDS.witnessWindowMs,
    entropyMaxAgeMs: FAST_ROUNDS.entropyMaxAgeMs,
    trustedValidators: net.validatorKeys.map((v) => v.publicKey),
  });
  await daemon.start();
  const hotspot = { keypair, owner, host, gossip, daemon };
  net.hotspots.push(hotspot);
  return hotspot;
}
