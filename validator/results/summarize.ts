import { cellCentreDistanceM } from "../../geo/index.js";
import { encodeAddress, type BeaconCommitMessage, type SignedMessage, type WitnessReportMessage } from "../../protocol/index.js";
import type { EpochScore, ScoringInput } from "../scoring/index.js";
import type { HotspotActivity } from "./results-store.js";

/**
 * What a finalized epoch tells a coverage map (coverage/feed.ts reads exactly this shape):
 * registered hotspots, valid beacons with their witness counts, and every valid witness report
 * with its signal and the distance between the two asserted locations.
 */
export interface EpochCoverageFeed {
  readonly epoch: number;
  readonly finalizedAt: number;
  readonly hotspots: Array<{ key: string; location: string; gainDeciDbi: number }>;
  readonly beacons: Array<{ beaconer: string; validWitnesses: number }>;
  readonly witnesses: Array<{ beaconer: string; witness: string; rssiDeciDbm: number; snrDeciDb: number; distanceM: number }>;
}

export interface EpochDetails {
  readonly activity: Map<string, HotspotActivity[]>;
  readonly coverage: EpochCoverageFeed;
}

/** Per-hotspot activity and the coverage feed, from the scored messages and their outcomes. */
export function summarizeEpoch(input: ScoringInput, score: EpochScore, finalizedAt: number): EpochDetails {
  const byId = new Map(input.messages.map((m) => [Buffer.from(m.id).toString("hex"), m]));
  const commitsByPayload = new Map<string, SignedMessage<BeaconCommitMessage>>();
  for (const m of input.messages) {
    if (m.message.kind === "beaconCommit") {
      const key = Buffer.from(m.message.payloadHash).toString("hex");
      if (!commitsByPayload.has(key)) commitsByPayload.set(key, m as SignedMessage<BeaconCommitMessage>);
    }
  }
  const registry = new Map(input.hotspots.map((h) => [Buffer.from(h.key).toString("hex"), h]));
  const activity = new Map<string, HotspotActivity[]>();
  const push = (key: Uint8Array, entry: HotspotActivity) => {
    const address = encodeAddress(key);
    const list = activity.get(address) ?? [];
    list.push(entry);
    activity.set(address, list);
  };
  const validWitnessCount = new Map<string, number>();
  const witnesses: EpochCoverageFeed["witnesses"] = [];
  for (const outcome of score.outcomes ?? []) {
    const signed = byId.get(outcome.id);
    if (signed === undefined) continue;
    const m = signed.message;
    if (m.kind === "beaconCommit") {
      push(m.hotspot, { epoch: score.epoch, role: "beaconer", messageId: outcome.id, outcome: outcome.outcome, timeMs: m.txTimeMs });
    } else if (m.kind === "witnessReport") {
      const commit = commitsByPayload.get(Buffer.from(m.payloadHash).toString("hex"));
      push(m.witness, {
        epoch: score.epoch,
        role: "witness",
        messageId: outcome.id,
        outcome: outcome.outcome,
        timeMs: m.rxTimeMs,
        ...(commit ? { beaconer: encodeAddress(commit.message.hotspot) } : {}),
      });
      if (outcome.outcome === "valid" && commit !== undefined) {
        const beaconKey = Buffer.from(commit.id).toString("hex");
        validWitnessCount.set(beaconKey, (validWitnessCount.get(beaconKey) ?? 0) + 1);
        const from = registry.get(Buffer.from(commit.message.hotspot).toString("hex"));
        const to = registry.get(Buffer.from(m.witness).toString("hex"));
        const report = m as WitnessReportMessage;
        witnesses.push({
          beaconer: encodeAddress(commit.message.hotspot),
          witness: encodeAddress(m.witness),
          rssiDeciDbm: report.rssiDeciDbm,
          snrDeciDb: report.snrDeciDb,
          distanceM: from && to ? cellCentreDistanceM(from.location, to.location) : 0,
        });
      }
    }
  }
  const beacons: EpochCoverageFeed["beacons"] = [];
  for (const outcome of score.outcomes ?? []) {
    if (outcome.kind !== "beacon" || outcome.outcome !== "valid") continue;
    const commit = byId.get(outcome.id);
    if (commit?.message.kind !== "beaconCommit") continue;
    beacons.push({ beaconer: encodeAddress(commit.message.hotspot), validWitnesses: validWitnessCount.get(outcome.id) ?? 0 });
  }
  return {
    activity,
    coverage: {
      epoch: score.epoch,
      finalizedAt,
      hotspots: input.hotspots.map((h) => ({ key: encodeAddress(h.key), location: h.location, gainDeciDbi: h.gainDeciDbi })),
      beacons,
      witnesses,
    },
  };
}
