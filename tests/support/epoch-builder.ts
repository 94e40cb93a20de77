import { randomBytes } from "node:crypto";
import { latLngToCell } from "../../geo/index.js";
import {
  type BeaconCommitMessage,
  beaconPayloadHash,
  deriveBeaconPayload,
  type HexcoverMessage,
  messageId,
  NONCE_BYTES,
  type SignedMessage,
  witnessProof,
} from "../../protocol/index.js";
import type { RewardLeaf } from "../../chain/merkle.js";
import { DEFAULT_SCORING_CONFIG, epochStartMs, type ScoringConfig } from "../../validator/scoring/config.js";
import type { RegisteredHotspot, ScoringInput } from "../../validator/scoring/types.js";

/**
 * Builds epochs of proof-of-coverage messages for scorer tests. Messages carry their real id
 * and encoding; signatures are zero because scorers take pre-verified sets (ingest verifies).
 */
export function presigned<M extends HexcoverMessage>(message: M): SignedMessage<M> {
  const signer = message.kind === "entropy" ? message.validator : message.kind === "witnessReport" ? message.witness : message.hotspot;
  return { message, signer, signature: new Uint8Array(64), id: messageId(message), bytes: new Uint8Array(0) };
}

export interface BuiltBeacon {
  commit: SignedMessage<BeaconCommitMessage>;
  payload: Uint8Array;
  nonce: Uint8Array;
  beaconer: RegisteredHotspot;
}

/** 2026-01-01T00:00:00Z, and one-hour epochs so fixtures stay readable. */
export const TEST_GENESIS_MS = 1_767_225_600_000;
export const TEST_CONFIG: ScoringConfig = {
  ...DEFAULT_SCORING_CONFIG,
  genesisMs: TEST_GENESIS_MS,
  epochLengthMs: 3_600_000,
  emissionPerEpoch: 1_000_000n,
};

export class EpochBuilder {
  readonly config: ScoringConfig;
  readonly hotspots: RegisteredHotspot[] = [];
  readonly messages: SignedMessage[] = [];
  readonly denylist = new Set<string>();
  previousCumulative: RewardLeaf[] = [];
  readonly #random: () => Uint8Array;

  constructor(config: ScoringConfig = TEST_CONFIG, random: (n: number) => Uint8Array = (n) => new Uint8Array(randomBytes(n))) {
    this.config = config;
    this.#random = () => random(32);
    this.#nonce = () => random(NONCE_BYTES);
  }
  readonly #nonce: () => Uint8Array;

  /** A registered hotspot at lat/lng (asserted at resolution 12). */
  hotspot(lat: number, lng: number, gainDeciDbi = 30, register = true, key: Uint8Array = this.#random()): RegisteredHotspot {
    const hotspot = { key, location: latLngToCell(lat, lng, 12), gainDeciDbi, elevationM: 10 };
    if (register) this.hotspots.push(hotspot);
    return hotspot;
  }

  entropy(timestampMs: number, validator: Uint8Array = this.#random()): SignedMessage {
    return this.add({ kind: "entropy", validator, seq: 0, timestampMs, value: this.#random() });
  }

  beacon(
    beaconer: RegisteredHotspot,
    entropy: SignedMessage,
    txTimeMs: number,
    overrides: Partial<Pick<BeaconCommitMessage, "frequencyHz" | "dataRate" | "txPowerDeciDbm">> = {},
    payloadBytes = 32,
  ): BuiltBeacon {
    const nonce = this.#nonce();
    const payload = deriveBeaconPayload(entropy.id, beaconer.key, nonce, payloadBytes);
    const commit = this.add({
      kind: "beaconCommit",
      hotspot: beaconer.key,
      entropyId: entropy.id,
      payloadHash: beaconPayloadHash(payload),
      txTimeMs,
      frequencyHz: 904_300_000,
      dataRate: 1,
      txPowerDeciDbm: 270,
      ...overrides,
    });
    return { commit, payload, nonce, beaconer };
  }

  reveal(beacon: BuiltBeacon, delayMs = this.config.witnessWindowMs + 1_000, overrides: { payload?: Uint8Array; nonce?: Uint8Array; hotspot?: Uint8Array } = {}): SignedMessage {
    return this.add({
      kind: "beaconReveal",
      hotspot: overrides.hotspot ?? beacon.beaconer.key,
      beaconId: beacon.commit.id,
      nonce: overrides.nonce ?? beacon.nonce,
      payload: overrides.payload ?? beacon.payload,
      revealTimeMs: beacon.commit.message.txTimeMs + delayMs,
    });
  }

  witness(
    beacon: BuiltBeacon,
    witness: RegisteredHotspot | Uint8Array,
    overrides: { rxDelayMs?: number; rssiDeciDbm?: number; snrDeciDb?: number; frequencyHz?: number; dataRate?: number; proof?: Uint8Array } = {},
  ): SignedMessage {
    const key = witness instanceof Uint8Array ? witness : witness.key;
    return this.add({
      kind: "witnessReport",
      witness: key,
      payloadHash: beacon.commit.message.payloadHash,
      proof: overrides.proof ?? witnessProof(beacon.payload, key),
      rssiDeciDbm: overrides.rssiDeciDbm ?? -1100,
      snrDeciDb: overrides.snrDeciDb ?? 0,
      frequencyHz: overrides.frequencyHz ?? beacon.commit.message.frequencyHz,
      dataRate: overrides.dataRate ?? beacon.commit.message.dataRate,
      rxTimeMs: beacon.commit.message.txTimeMs + (overrides.rxDelayMs ?? 150),
    });
  }

  add<M extends HexcoverMessage>(message: M): SignedMessage<M> {
    const signed = presigned(message);
    this.messages.push(signed);
    return signed;
  }

  /** A time inside epoch `epoch` whose beacons are scored in that same epoch. */
  txTimeIn(epoch: number, offsetMs = 600_000): number {
    return epochStartMs(this.config, epoch) + offsetMs;
  }

  input(epoch: number): ScoringInput {
    return {
      epoch,
      config: this.config,
      hotspots: this.hotspots,
      denylist: this.denylist,
      messages: this.messages,
      previousCumulative: this.previousCumulative,
    };
  }
}
