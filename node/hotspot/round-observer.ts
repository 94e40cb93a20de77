import {
  type BeaconCommitMessage,
  type BeaconRevealMessage,
  beaconPayloadHash,
  bytesEqual,
  deriveBeaconPayload,
  isWitnessProofValid,
  type SignedMessage,
  type WitnessReportMessage,
} from "../../protocol/index.js";

/** Outcome of one witness report once its beacon is revealed. */
export type WitnessCheck = "valid" | "bad_proof" | "no_reveal";
export type RevealCheck = "valid" | "unknown_beacon" | "wrong_hotspot" | "payload_mismatch";

export interface ObservedRound {
  readonly commit: SignedMessage<BeaconCommitMessage>;
  readonly witnesses: Map<string, SignedMessage<WitnessReportMessage>>;
  reveal?: SignedMessage<BeaconRevealMessage>;
  revealCheck?: RevealCheck;
  readonly witnessChecks: Map<string, WitnessCheck>;
}

/** Rounds kept in memory; older ones are dropped first (a hotspot only shows recent activity). */
export const DEFAULT_OBSERVED_ROUNDS_LIMIT = 10_000;

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

/**
 * Follows commit → witness → reveal rounds seen on gossip and checks each witness proof once the
 * payload is revealed. A report copied from another witness carries a proof for the other key,
 * so it fails here (and in every validator) with "bad_proof". Hotspots use this for status and
 * metrics; validators run the full rule set of DESIGN.md §4.
 */
export class RoundObserver {
  readonly #rounds = new Map<string, ObservedRound>(); // by payload hash
  readonly #limit: number;
  readonly checks: Record<WitnessCheck | `reveal_${RevealCheck}`, number> = {
    valid: 0,
    bad_proof: 0,
    no_reveal: 0,
    reveal_valid: 0,
    reveal_unknown_beacon: 0,
    reveal_wrong_hotspot: 0,
    reveal_payload_mismatch: 0,
  };
  /** Witness reports that arrived before their commit, by payload hash. */
  readonly #early = new Map<string, SignedMessage<WitnessReportMessage>[]>();
  /** Reveals that arrived before their commit (gossip does not preserve order), by payload hash. */
  readonly #earlyReveals = new Map<string, SignedMessage<BeaconRevealMessage>>();

  constructor(limit = DEFAULT_OBSERVED_ROUNDS_LIMIT) {
    this.#limit = limit;
  }

  get rounds(): ReadonlyMap<string, ObservedRound> {
    return this.#rounds;
  }

  roundFor(payloadHash: Uint8Array): ObservedRound | undefined {
    return this.#rounds.get(hex(payloadHash));
  }

  observe(signed: SignedMessage): void {
    const m = signed.message;
    if (m.kind === "beaconCommit") this.#onCommit(signed as SignedMessage<BeaconCommitMessage>);
    else if (m.kind === "witnessReport") this.#onWitness(signed as SignedMessage<WitnessReportMessage>);
    else if (m.kind === "beaconReveal") this.#onReveal(signed as SignedMessage<BeaconRevealMessage>);
  }

  #onCommit(commit: SignedMessage<BeaconCommitMessage>): void {
    const key = hex(commit.message.payloadHash);
    if (this.#rounds.has(key)) return;
    if (this.#rounds.size >= this.#limit) this.#rounds.delete(this.#rounds.keys().next().value!);
    const round: ObservedRound = { commit, witnesses: new Map(), witnessChecks: new Map() };
    this.#rounds.set(key, round);
    for (const early of this.#early.get(key) ?? []) this.#onWitness(early);
    this.#early.delete(key);
    const reveal = this.#earlyReveals.get(key);
    if (reveal !== undefined) {
      this.#earlyReveals.delete(key);
      this.#onReveal(reveal);
    }
  }

  #onWitness(report: SignedMessage<WitnessReportMessage>): void {
    const key = hex(report.message.payloadHash);
    const round = this.#rounds.get(key);
    if (round === undefined) {
      if (this.#early.size < this.#limit) this.#early.set(key, [...(this.#early.get(key) ?? []), report]);
      return;
    }
    const witnessKey = hex(report.message.witness);
    if (round.witnesses.has(witnessKey)) return;
    round.witnesses.set(witnessKey, report);
    if (round.reveal !== undefined && round.revealCheck === "valid") this.#check(round, witnessKey, report, round.reveal.message.payload);
  }

  #onReveal(reveal: SignedMessage<BeaconRevealMessage>): void {
    const payloadHash = beaconPayloadHash(reveal.message.payload);
    const round = this.#rounds.get(hex(payloadHash));
    if (round === undefined && this.#earlyReveals.size < this.#limit) {
      // Its commit may still be on its way: judge the reveal when the commit arrives.
      this.#earlyReveals.set(hex(payloadHash), reveal);
      return;
    }
    let check: RevealCheck;
    if (round === undefined || !bytesEqual(round.commit.id, reveal.message.beaconId)) check = "unknown_beacon";
    else if (!bytesEqual(round.commit.message.hotspot, reveal.message.hotspot)) check = "wrong_hotspot";
    else {
      const expected = deriveBeaconPayload(
        round.commit.message.entropyId,
        reveal.message.hotspot,
        reveal.message.nonce,
        reveal.message.payload.length,
      );
      check = bytesEqual(expected, reveal.message.payload) ? "valid" : "payload_mismatch";
    }
    this.checks[`reveal_${check}`]++;
    if (round === undefined || round.reveal !== undefined) return;
    round.reveal = reveal;
    round.revealCheck = check;
    if (check !== "valid") return;
    for (const [witnessKey, report] of round.witnesses) this.#check(round, witnessKey, report, reveal.message.payload);
  }

  #check(round: ObservedRound, witnessKey: string, report: SignedMessage<WitnessReportMessage>, payload: Uint8Array): void {
    if (round.witnessChecks.has(witnessKey)) return;
    const result: WitnessCheck = isWitnessProofValid(payload, report.message.witness, report.message.proof) ? "valid" : "bad_proof";
    round.witnessChecks.set(witnessKey, result);
    this.checks[result]++;
  }
}
