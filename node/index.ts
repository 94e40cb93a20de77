/**
 * node/: the hotspot and witness daemon that hotspot owners run. Public API.
 */
import "../protocol/polyfills.js";

export * from "./hotspot/index.js";
export * from "./p2p/index.js";
export * from "./radio/index.js";
