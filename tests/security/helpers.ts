import { expect } from "chai";
import { Ed25519Keypair, type HexcoverMessage, type SignedMessage, signMessage } from "../../protocol/index.js";
import { type EpochScore, type RegisteredHotspot, type ScoringInput, scoreEpochReference, TunedScorer } from "../../validator/scoring/index.js";
import { EpochBuilder } from "../support/epoch-builder.js";

export const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/**
 * Points on a ring around San Francisco's Civic Center: 1.5-4 km rings keep every pair more than
 * 350 m apart ("too close") and far under 100 km ("too far"), like tests/validator/scoring.
 */
export function ring(count: number, radiusKm: number, centre: [number, number] = [37.7749, -122.4194]): Array<[number, number]> {
  return Array.from({ length: count }, (_, i) => {
    const angle = (2 * Math.PI * i) / count;
    return [centre[0] + (radiusKm / 111) * Math.cos(angle), centre[1] + (radiusKm / 88) * Math.sin(angle)];
  });
}

/**
 * An EpochBuilder whose hotspots and entropy signers have real ed25519 keys, so the same rounds
 * can be signed and pushed through the real ingest path as well as handed to the scorers.
 */
export class SignedEpochBuilder extends EpochBuilder {
  readonly keys = new Map<string, Ed25519Keypair>();
  readonly validator = Ed25519Keypair.generate();

  constructor() {
    super();
    this.keys.set(hex(this.validator.publicKey), this.validator);
  }

  /** A hotspot with a real device key (registered unless `register` is false). */
  keyed(lat: number, lng: number, register = true, gainDeciDbi = 30): RegisteredHotspot {
    const keypair = Ed25519Keypair.generate();
    this.keys.set(hex(keypair.publicKey), keypair);
    return this.hotspot(lat, lng, gainDeciDbi, register, keypair.publicKey);
  }

  /** Entropy signed by this builder's validator. */
  validatorEntropy(timestampMs: number): SignedMessage {
    return this.entropy(timestampMs, this.validator.publicKey);
  }

  /** The real signed wire form of a builder message (same id: ids do not cover the signature). */
  sign<M extends HexcoverMessage>(message: SignedMessage<M> | M): SignedMessage<M> {
    const m = "message" in message ? message.message : message;
    const signed = signMessage(m, this.keypairOf(m));
    if ("id" in message) expect(hex(signed.id)).to.equal(hex(message.id));
    return signed;
  }

  keypairOf(m: HexcoverMessage): Ed25519Keypair {
    const signer = m.kind === "entropy" ? m.validator : m.kind === "witnessReport" ? m.witness : m.hotspot;
    const keypair = this.keys.get(hex(signer));
    if (keypair === undefined) throw new Error(`no key for signer ${hex(signer).slice(0, 8)}`);
    return keypair;
  }

  /**
   * A copy of the scoring input as it stands now: later attack messages and registrations do
   * not leak into it, so it is the "without the attack" counterfactual.
   */
  snapshot(epoch: number): ScoringInput {
    const input = this.input(epoch);
    return { ...input, hotspots: [...input.hotspots], messages: [...input.messages], denylist: new Set(input.denylist), previousCumulative: [...input.previousCumulative] };
  }
}

/** The fields both scorers must produce identically (docs/SCORING.md). */
function comparable(score: EpochScore) {
  return {
    epoch: score.epoch,
    beaconOutcomes: score.beaconOutcomes,
    witnessOutcomes: score.witnessOutcomes,
    outcomes: score.outcomes,
    outcomeDigest: hex(score.outcomeDigest),
    rewards: score.rewards.map((r) => ({ hotspot: hex(r.hotspot), units: r.units, amount: r.amount })),
    emitted: score.emitted,
    cumulative: score.cumulative.map((l) => ({ hotspot: hex(l.hotspot), amount: l.cumulativeAmount })),
    cumulativeTotal: score.cumulativeTotal,
    root: hex(score.root),
    leafCount: score.leafCount,
  };
}

/**
 * Scores with the reference and the tuned scorer (one worker thread, so the worker kernels run)
 * and requires bit-identical results. Returns the reference score.
 */
export class BothScorers {
  readonly tuned = new TunedScorer({ workers: 1, detail: true });

  async score(input: ScoringInput): Promise<EpochScore> {
    const reference = scoreEpochReference(input);
    const tuned = await this.tuned.score(input);
    expect(comparable(tuned), "tuned scorer agrees with the reference").to.deep.equal(comparable(reference));
    return reference;
  }

  close(): Promise<void> {
    return this.tuned.close();
  }
}

export function outcomeOf(score: EpochScore, message: SignedMessage | Uint8Array): string | undefined {
  const id = hex(message instanceof Uint8Array ? message : message.id);
  return score.outcomes!.find((o) => o.id === id)?.outcome;
}

/** Tokens a hotspot earned this epoch (0 when it earned nothing). */
export function amountOf(score: EpochScore, hotspot: RegisteredHotspot | Uint8Array): bigint {
  const key = hex(hotspot instanceof Uint8Array ? hotspot : hotspot.key);
  return score.rewards.find((r) => hex(r.hotspot) === key)?.amount ?? 0n;
}

/** A hotspot's cumulative leaf amount, or undefined when it has no leaf. */
export function leafOf(score: EpochScore, hotspot: RegisteredHotspot | Uint8Array): bigint | undefined {
  const key = hex(hotspot instanceof Uint8Array ? hotspot : hotspot.key);
  return score.cumulative.find((l) => hex(l.hotspot) === key)?.cumulativeAmount;
}

/** Every hotspot's amount, by hex key. */
export function amounts(score: EpochScore): Map<string, bigint> {
  return new Map(score.rewards.map((r) => [hex(r.hotspot), r.amount]));
}

/**
 * "Earns nothing": the attacker has no reward this epoch and its leaf is unchanged (absent when it
 * had none), and every honest hotspot is paid exactly what it is paid without the attack.
 */
export function expectEarnsNothing(attacked: EpochScore, baseline: EpochScore, attackers: ReadonlyArray<RegisteredHotspot | Uint8Array>, previous: ReadonlyMap<string, bigint> = new Map()): void {
  const attackerKeys = new Set(attackers.map((a) => hex(a instanceof Uint8Array ? a : a.key)));
  for (const key of attackerKeys) {
    expect(amountOf(attacked, Buffer.from(key, "hex")), `attacker ${key.slice(0, 8)} reward`).to.equal(0n);
    expect(leafOf(attacked, Buffer.from(key, "hex")), `attacker ${key.slice(0, 8)} leaf`).to.equal(previous.get(key));
  }
  const honest = (s: EpochScore) => new Map([...amounts(s)].filter(([k]) => !attackerKeys.has(k)));
  expect(honest(attacked), "honest rewards are those without the attack").to.deep.equal(honest(baseline));
  expect(attacked.emitted).to.equal(baseline.emitted);
}
