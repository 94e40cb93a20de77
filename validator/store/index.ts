/**
 * validator/store: the durable per-epoch message store and the epoch rule. See docs/VALIDATOR-INGEST.md.
 */
export * from "./epoch.js";
export * from "./epoch-store.js";
export * from "./errors.js";
