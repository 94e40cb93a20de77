export * from "./gossip.js";
export * from "./host.js";
export * from "./scoring.js";
