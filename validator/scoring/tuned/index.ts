/**
 * The performance-tuned epoch scorer (issue 7 item 4) and its building blocks. Bit-identical to
 * the reference scorer; see docs/SCORING.md.
 */
export { BYTES32, type ColumnCapacities, ColumnsCapacityError, columnsFromInput, type EpochColumns, EpochColumnsBuilder, REVEAL_NONCE_BYTES, REVEAL_PAYLOAD_SLOT } from "./columns.js";
export { CERTIFY_EPSILON, CERTIFY_MAX_DISTANCE_M, certifiedDistanceM, certifiedFsplCentiDb, floatDistanceMm } from "./geometry.js";
export type { KernelStats } from "./kernels.js";
export { defaultPoolSize, ScoringWorkerError } from "./pool.js";
export { type ScoreColumnsParams, TunedScorer, type TunedScoreReport, type TunedScorerOptions, type TunedStats } from "./scorer.js";
export { merkleRoot, settleEpochFast } from "./settle.js";
export { SHA256_SMALL_MAX_INPUT, SmallSha256 } from "./sha256.js";
export { WasmSha256 } from "./sha256-wasm.js";
