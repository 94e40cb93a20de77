export * from "./config.js";
export { isTooClose, ReferenceScorer, scoreEpochReference, witnessSelectionKey } from "./reference.js";
export * from "./settlement.js";
export * from "./types.js";
export * from "./tuned/index.js";
