/**
 * validator/sync: the /hexcover/sync/1 agreement protocol (DESIGN.md §6). See docs/VALIDATOR-INGEST.md.
 */
export * from "./codec.js";
export * from "./constants.js";
export * from "./errors.js";
export * from "./frames.js";
export * from "./service.js";
