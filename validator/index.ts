/**
 * validator/: ingest, durable epoch store, signature verification, agreement and entropy
 * (docs/VALIDATOR-INGEST.md); scoring and submission are added alongside.
 */
import "../protocol/polyfills.js";

export * from "./entropy/index.js";
export * from "./ingest/index.js";
export * from "./store/index.js";
export * from "./sync/index.js";
export * from "./verify/index.js";
