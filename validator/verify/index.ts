/**
 * validator/verify: signature verification behind node's SignatureVerifier interface, inline or
 * on a worker pool. See docs/VALIDATOR-INGEST.md.
 */
export * from "./errors.js";
export * from "./inline.js";
export * from "./pool.js";
