/**
 * The reference scorer: DESIGN.md §4-§5 written out rule by rule, for clarity over speed. The
 * performance-tuned scorer must produce bit-identical results; a property test compares them.
 */
import { createHash } from "node:crypto";
import { compareBytes } from "../../chain/merkle.js";
import {
  type Cell,
  cellCentreDistanceM,
  GridDistanceUnavailableError,
  cellGridDistance,
  cellParent,
  hexDensityScalesPpm,
  rssiWithinFreeSpaceBound,
  scaledBeaconRewardUnits,
} from "../../geo/index.js";
import {
  type BeaconCommitMessage,
  type BeaconRevealMessage,
  beaconPayloadHash,
  bytesEqual,
  dataRateByCode,
  deriveBeaconPayload,
  type EntropyMessage,
  isWitnessProofValid,
  type SignedMessage,
  type WitnessReportMessage,
} from "../../protocol/index.js";
import { beaconScoringEpoch, epochOfTimestamp, NOISE_FLOOR_DECI_DBM, type ScoringConfig, validateScoringConfig } from "./config.js";
import { settleEpoch } from "./settlement.js";
import {
  BEACON_OUTCOMES,
  type BeaconOutcome,
  type EpochScore,
  type EpochScorer,
  emptyCounts,
  type RegisteredHotspot,
  type ScoringInput,
  WITNESS_OUTCOMES,
  type WitnessOutcome,
} from "./types.js";

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

/**
 * Witness selection order: the report's proof, H(proof tag ‖ payload ‖ witness key), ascending.
 * A valid report's proof has been checked to be exactly that hash, so it is as unpredictable
 * before the payload is known (and as impossible to grind) as a separately domain-tagged hash
 * would be, and every validator already has it: selecting needs no further hashing.
 */
export function witnessSelectionKey(report: WitnessReportMessage): Uint8Array {
  return report.proof;
}

/** Orders messages by (timestamp, id): the earliest claim wins, ties broken by id bytes. */
function byTimeThenId(timeOf: (m: SignedMessage) => number) {
  return (a: SignedMessage, b: SignedMessage): number => timeOf(a) - timeOf(b) || compareBytes(a.id, b.id);
}

interface ScoredBeacon {
  readonly commit: SignedMessage<BeaconCommitMessage>;
  /** An earlier commit has the same payload hash: this one judges none of its reports. */
  readonly replay: boolean;
  outcome: BeaconOutcome;
  payload?: Uint8Array;
}

export class ReferenceScorer implements EpochScorer {
  async score(input: ScoringInput): Promise<EpochScore> {
    return scoreEpochReference(input);
  }
}

export function scoreEpochReference(input: ScoringInput): EpochScore {
  const config = validateScoringConfig(input.config);
  const { epoch } = input;
  const registry = new Map<string, RegisteredHotspot>(input.hotspots.map((h) => [hex(h.key), h]));
  const beaconCounts = emptyCounts(BEACON_OUTCOMES);
  const witnessCounts = emptyCounts(WITNESS_OUTCOMES);
  const outcomes: Array<{ id: string; kind: "beacon" | "witness"; outcome: BeaconOutcome | WitnessOutcome }> = [];

  // Deduplicate by id: the sets of E−1 and E are disjoint, but a caller may pass overlaps.
  const messages = [...new Map(input.messages.map((m) => [hex(m.id), m])).values()];
  const entropyById = new Map<string, SignedMessage<EntropyMessage>>();
  const commits: SignedMessage<BeaconCommitMessage>[] = [];
  const reveals = new Map<string, SignedMessage<BeaconRevealMessage>[]>(); // by beacon id
  const witnessesByPayload = new Map<string, SignedMessage<WitnessReportMessage>[]>();
  for (const m of messages) {
    switch (m.message.kind) {
      case "entropy":
        entropyById.set(hex(m.id), m as SignedMessage<EntropyMessage>);
        break;
      case "beaconCommit":
        commits.push(m as SignedMessage<BeaconCommitMessage>);
        break;
      case "beaconReveal": {
        const key = hex(m.message.beaconId);
        reveals.set(key, [...(reveals.get(key) ?? []), m as SignedMessage<BeaconRevealMessage>]);
        break;
      }
      case "witnessReport": {
        const key = hex(m.message.payloadHash);
        witnessesByPayload.set(key, [...(witnessesByPayload.get(key) ?? []), m as SignedMessage<WitnessReportMessage>]);
        break;
      }
    }
  }

  // --- Beacons (DESIGN.md §4, first list) -----------------------------------------------------
  commits.sort(byTimeThenId((m) => (m.message as BeaconCommitMessage).txTimeMs));
  const seenPayloadHashes = new Set<string>();
  const scored: ScoredBeacon[] = [];
  for (const commit of commits) {
    const c = commit.message;
    const inThisEpoch = beaconScoringEpoch(config, c.txTimeMs) === epoch;
    // A payload hash committed twice is a replay: only its first commit can ever be valid.
    const payloadKey = hex(c.payloadHash);
    const replay = seenPayloadHashes.has(payloadKey);
    seenPayloadHashes.add(payloadKey);
    if (!inThisEpoch) continue;
    const beacon: ScoredBeacon = { commit, replay, outcome: "valid" };
    scored.push(beacon);
    const entropy = entropyById.get(hex(c.entropyId));
    if (!registry.has(hex(c.hotspot))) beacon.outcome = "unknown_hotspot";
    else if (replay) beacon.outcome = "duplicate_payload";
    else if (entropy === undefined) beacon.outcome = "unknown_entropy";
    else if (c.txTimeMs < entropy.message.timestampMs || c.txTimeMs - entropy.message.timestampMs > config.entropyMaxAgeMs) {
      beacon.outcome = "stale_entropy";
    } else if (!config.frequencyBands.some((band) => c.frequencyHz >= band.minHz && c.frequencyHz <= band.maxHz)) {
      beacon.outcome = "invalid_frequency";
    } else {
      beacon.outcome = checkReveal(config, commit, reveals.get(hex(commit.id)) ?? [], beacon);
    }
  }
  // Rate limit: only the first K otherwise-valid beacons of a hotspot count, in (tx time, id) order.
  const validPerHotspot = new Map<string, number>();
  for (const beacon of scored) {
    if (beacon.outcome !== "valid") continue;
    const key = hex(beacon.commit.message.hotspot);
    const count = (validPerHotspot.get(key) ?? 0) + 1;
    validPerHotspot.set(key, count);
    if (count > config.maxBeaconsPerHotspotPerEpoch) beacon.outcome = "too_frequent";
  }

  // --- Witnesses (DESIGN.md §4, second list) --------------------------------------------------
  const selectedByBeacon = new Map<ScoredBeacon, SignedMessage<WitnessReportMessage>[]>();
  const attributed = new Set<string>();
  for (const beacon of scored) {
    // A replayed commit judges no reports: they belong to the payload's first commit.
    if (beacon.replay) continue;
    const reports = [...(witnessesByPayload.get(hex(beacon.commit.message.payloadHash)) ?? [])].sort(
      byTimeThenId((m) => (m.message as WitnessReportMessage).rxTimeMs),
    );
    const seenWitnesses = new Set<string>();
    const valid: SignedMessage<WitnessReportMessage>[] = [];
    for (const report of reports) {
      attributed.add(hex(report.id));
      const outcome = checkWitness(config, input.denylist, registry, beacon, report, seenWitnesses);
      if (outcome === "valid") valid.push(report);
      else record(witnessCounts, outcomes, report, "witness", outcome);
    }
    // Select at most N witnesses by proof = H(proof tag ‖ payload ‖ witness key), ascending.
    valid.sort((a, b) => compareBytes(witnessSelectionKey(a.message), witnessSelectionKey(b.message)));
    const selected = valid.slice(0, config.maxWitnessesPerBeacon);
    for (const report of selected) record(witnessCounts, outcomes, report, "witness", "valid");
    for (const report of valid.slice(config.maxWitnessesPerBeacon)) record(witnessCounts, outcomes, report, "witness", "not_selected");
    if (beacon.outcome === "valid") selectedByBeacon.set(beacon, selected);
  }
  // Reports of this epoch that match no beacon scored here or in a neighbouring epoch.
  const knownPayloads = seenPayloadHashes;
  for (const reports of witnessesByPayload.values()) {
    for (const report of reports) {
      if (attributed.has(hex(report.id))) continue;
      if (epochOfTimestamp(config, report.message.rxTimeMs) !== epoch) continue;
      if (knownPayloads.has(hex(report.message.payloadHash))) continue; // scored in another epoch
      record(witnessCounts, outcomes, report, "witness", "unknown_beacon");
    }
  }
  for (const beacon of scored) record(beaconCounts, outcomes, beacon.commit, "beacon", beacon.outcome);

  // --- Reward units with hex density scaling (DESIGN.md §5) -----------------------------------
  // Active = beaconed with at least one selected witness, or was a selected witness. A beacon
  // nobody validly heard earns nothing and must not count either: otherwise a squatter at an
  // honest hotspot's cell could dilute that hotspot's density scale for free.
  const active = new Map<string, RegisteredHotspot>();
  for (const [beacon, selected] of selectedByBeacon) {
    if (selected.length === 0) continue;
    active.set(hex(beacon.commit.message.hotspot), registry.get(hex(beacon.commit.message.hotspot))!);
    for (const w of selected) active.set(hex(w.message.witness), registry.get(hex(w.message.witness))!);
  }
  const scales = hexDensityScalesPpm([...active.values()].map((h) => ({ key: hex(h.key), location: h.location })), config.density);
  const units = new Map<string, { hotspot: Uint8Array; units: bigint }>();
  const addUnits = (key: Uint8Array, amount: bigint) => {
    const entry = units.get(hex(key)) ?? { hotspot: key, units: 0n };
    entry.units += amount;
    units.set(hex(key), entry);
  };
  for (const [beacon, selected] of selectedByBeacon) {
    if (selected.length === 0) continue; // zero units (HIP-15 with w = 0), and not active above
    const beaconer = beacon.commit.message.hotspot;
    const perBeacon = scaledBeaconRewardUnits(selected.length, scales.get(hex(beaconer))!, config.rewardUnits);
    addUnits(beaconer, perBeacon.beaconer);
    for (const w of selected) addUnits(w.message.witness, perBeacon.perWitness);
  }

  const settlement = settleEpoch([...units.values()], config.emissionPerEpoch, input.previousCumulative);
  outcomes.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const digest = createHash("sha256");
  for (const o of outcomes) {
    const code = o.kind === "beacon" ? BEACON_OUTCOMES.indexOf(o.outcome as BeaconOutcome) : WITNESS_OUTCOMES.indexOf(o.outcome as WitnessOutcome);
    digest.update(Buffer.from(o.id, "hex")).update(Uint8Array.of(o.kind === "beacon" ? 0 : 1, code));
  }
  return {
    epoch,
    beaconOutcomes: beaconCounts,
    witnessOutcomes: witnessCounts,
    outcomes,
    outcomeDigest: new Uint8Array(digest.digest()),
    rewards: settlement.rewards,
    emitted: settlement.emitted,
    cumulative: settlement.cumulative,
    cumulativeTotal: settlement.cumulativeTotal,
    root: settlement.root,
    leafCount: settlement.leafCount,
  };
}

/** Fewer than N grid steps apart at the configured resolution (centre distance where undefined). */
export function isTooClose(config: ScoringConfig, a: Cell, b: Cell, distanceM: number): boolean {
  if (distanceM >= config.tooCloseScreenM) return false;
  const res = config.minWitnessDistanceResolution;
  try {
    return cellGridDistance(cellParent(a, res), cellParent(b, res)) < config.minWitnessGridDistance;
  } catch (err) {
    if (!(err instanceof GridDistanceUnavailableError)) throw err;
    return distanceM < config.minWitnessDistanceFallbackM;
  }
}

function record<T extends string>(
  counts: Record<T, number>,
  outcomes: Array<{ id: string; kind: "beacon" | "witness"; outcome: BeaconOutcome | WitnessOutcome }>,
  message: SignedMessage,
  kind: "beacon" | "witness",
  outcome: T,
): void {
  counts[outcome]++;
  outcomes.push({ id: hex(message.id), kind, outcome: outcome as unknown as BeaconOutcome | WitnessOutcome });
}

/** DESIGN.md §3.4: the reveal must match the commit and come after the witness window closed. */
function checkReveal(
  config: ScoringConfig,
  commit: SignedMessage<BeaconCommitMessage>,
  candidates: readonly SignedMessage<BeaconRevealMessage>[],
  beacon: ScoredBeacon,
): BeaconOutcome {
  const c = commit.message;
  const windowEnd = c.txTimeMs + config.witnessWindowMs;
  const deadline = windowEnd + config.revealGraceMs;
  // A reveal for this commit signed by the beaconer; if several, the earliest that matches.
  const own = [...candidates]
    .filter((r) => bytesEqual(r.message.hotspot, c.hotspot))
    .sort(byTimeThenId((m) => (m.message as BeaconRevealMessage).revealTimeMs));
  if (own.length === 0) return "no_reveal";
  let sawEarly = false;
  let sawLate = false;
  for (const reveal of own) {
    const r = reveal.message;
    const expected = deriveBeaconPayload(c.entropyId, c.hotspot, r.nonce, r.payload.length);
    if (!bytesEqual(expected, r.payload) || !bytesEqual(beaconPayloadHash(r.payload), c.payloadHash)) continue;
    // A payload public before the window closed lets anyone forge witness proofs.
    if (r.revealTimeMs < windowEnd) sawEarly = true;
    else if (r.revealTimeMs > deadline) sawLate = true;
    else {
      beacon.payload = r.payload;
      return sawEarly ? "reveal_early" : "valid";
    }
  }
  return sawEarly ? "reveal_early" : sawLate ? "reveal_late" : "reveal_mismatch";
}

function checkWitness(
  config: ScoringConfig,
  denylist: ReadonlySet<string>,
  registry: ReadonlyMap<string, RegisteredHotspot>,
  beacon: ScoredBeacon,
  report: SignedMessage<WitnessReportMessage>,
  seenWitnesses: Set<string>,
): WitnessOutcome {
  const w = report.message;
  const c = beacon.commit.message;
  const witnessKey = hex(w.witness);
  if (beacon.outcome !== "valid") return "beacon_invalid";
  const witness = registry.get(witnessKey);
  if (witness === undefined) return "unknown_witness";
  if (denylist.has(witnessKey)) return "denylisted";
  if (bytesEqual(w.witness, c.hotspot)) return "self_witness";
  // One report per witness per beacon: the earliest (rx time, id) is the one judged.
  if (seenWitnesses.has(witnessKey)) return "duplicate";
  seenWitnesses.add(witnessKey);
  const delay = w.rxTimeMs - c.txTimeMs;
  if (delay > config.maxWitnessDelayMs || delay < -config.maxWitnessEarlyMs) return "outside_window";
  if (Math.abs(w.frequencyHz - c.frequencyHz) > config.maxFrequencyDeltaHz) return "frequency_mismatch";
  if (w.dataRate !== c.dataRate) return "data_rate_mismatch";
  if (!isWitnessProofValid(beacon.payload!, w.witness, w.proof)) return "bad_proof";
  const beaconer = registry.get(hex(c.hotspot))!;
  const distanceM = cellCentreDistanceM(beaconer.location, witness.location);
  if (distanceM > config.maxWitnessDistanceM) return "too_far";
  if (isTooClose(config, beaconer.location, witness.location, distanceM)) return "too_close";
  const bound = {
    distanceM,
    frequencyHz: c.frequencyHz,
    txPowerDeciDbm: c.txPowerDeciDbm,
    txGainDeciDbi: beaconer.gainDeciDbi,
    rxGainDeciDbi: witness.gainDeciDbi,
  };
  if (!rssiWithinFreeSpaceBound(w.rssiDeciDbm, bound, config.rssiMarginDeciDb)) return "rssi_too_strong";
  const noiseFloor = NOISE_FLOOR_DECI_DBM.get(dataRateByCode(w.dataRate)!.bandwidthHz)!;
  if (w.snrDeciDb > w.rssiDeciDbm - noiseFloor + config.snrMarginDeciDb) return "snr_implausible";
  return "valid";
}
