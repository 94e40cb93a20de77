/**
 * coverage/: the coverage index, its HTTP API and the offline web coverage map (issue 8).
 *
 * Finalized epochs arrive as {@link EpochCoverageFeed}s (in-process via CoverageIndex.ingest, or
 * polled from a validator by {@link ValidatorPoller}); each becomes a snapshot of per-cell
 * statistics at H3 resolutions 8 (base) to 4 in LMDB, keyed epoch ‖ cell u64 big-endian.
 * {@link CoverageServer} serves /v1 (docs/API.md, docs/openapi.yaml) and the map at /.
 * docs/COVERAGE.md explains attribution, the score formula and the storage layout.
 */
export * from "./constants.js";
export * from "./errors.js";
export { type EpochCoverageFeed, type FeedBeacon, type FeedHotspot, type FeedWitness, parseEpochCoverageFeed } from "./feed.js";
export { type RssiHistogram, type ScoreInput, coverageScore, histogramMedianDbm, meanScore, rssiBinDbm } from "./score.js";
export { type CellRecord, type CoveringHotspot, type HotspotRecord, type LocatedHotspot, type Snapshot, buildSnapshot } from "./snapshot.js";
export { type CoverageIndexOptions, type EpochSummary, CoverageIndex } from "./store.js";
export { type Bbox, bboxAreaKm2, parseBbox } from "./query.js";
export { type CoverageServerOptions, CoverageServer } from "./http.js";
export { type ValidatorPollerOptions, ValidatorPoller } from "./poller.js";
