/**
 * validator/ingest: gossip → verify → epoch checks → durable store. See docs/VALIDATOR-INGEST.md.
 */
export * from "./errors.js";
export * from "./ingest.js";
