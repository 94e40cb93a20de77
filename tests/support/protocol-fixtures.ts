import { randomBytes } from "node:crypto";
import {
  type BeaconCommitMessage,
  type BeaconRevealMessage,
  beaconPayloadHash,
  deriveBeaconPayload,
  type Ed25519Keypair,
  type EntropyMessage,
  type HexcoverMessage,
  NONCE_BYTES,
  type WitnessReportMessage,
  witnessProof,
} from "../../protocol/index.js";

/** 2026-11-25T12:00:00Z: a fixed clock so fixtures are stable. */
export const FIXED_NOW_MS = 1_795_953_600_000;

export interface RoundFixture {
  entropy: EntropyMessage;
  commit: BeaconCommitMessage;
  witness: WitnessReportMessage;
  reveal: BeaconRevealMessage;
  payload: Uint8Array;
}

/** A consistent entropy → commit → witness → reveal round between the given keys. */
export function makeRound(
  validator: Ed25519Keypair,
  beaconer: Ed25519Keypair,
  witness: Ed25519Keypair,
  entropyId: Uint8Array,
  beaconId: Uint8Array = new Uint8Array(32).fill(7),
): RoundFixture {
  const nonce = new Uint8Array(randomBytes(NONCE_BYTES));
  const payload = deriveBeaconPayload(entropyId, beaconer.publicKey, nonce, 24);
  const payloadHash = beaconPayloadHash(payload);
  return {
    payload,
    entropy: {
      kind: "entropy",
      validator: validator.publicKey,
      seq: 42,
      timestampMs: FIXED_NOW_MS - 1000,
      value: new Uint8Array(randomBytes(32)),
    },
    commit: {
      kind: "beaconCommit",
      hotspot: beaconer.publicKey,
      entropyId,
      payloadHash,
      txTimeMs: FIXED_NOW_MS,
      frequencyHz: 904_300_000,
      dataRate: 1,
      txPowerDeciDbm: 270,
    },
    witness: {
      kind: "witnessReport",
      witness: witness.publicKey,
      payloadHash,
      proof: witnessProof(payload, witness.publicKey),
      rssiDeciDbm: -1085,
      snrDeciDb: -75,
      frequencyHz: 904_300_000,
      dataRate: 1,
      rxTimeMs: FIXED_NOW_MS + 120,
    },
    reveal: {
      kind: "beaconReveal",
      hotspot: beaconer.publicKey,
      beaconId,
      nonce,
      payload,
      revealTimeMs: FIXED_NOW_MS + 120_000,
    },
  };
}

export function allMessages(round: RoundFixture): HexcoverMessage[] {
  return [round.entropy, round.commit, round.witness, round.reveal];
}
