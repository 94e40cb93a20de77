/**
 * Hexcover wire protocol: message types, canonical encoding, signatures, keys and the
 * proof-of-coverage hashes shared by hotspots and validators. See docs/PROTOCOL.md.
 */
import "./polyfills.js";

export * from "./constants.js";
export * from "./data-rates.js";
export * from "./errors.js";
export { domainTag, sha256 } from "./hash.js";
export * from "./keys.js";
export * from "./messages.js";
export * from "./poc.js";
