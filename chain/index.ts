/**
 * chain/: everything Solana. The coverage_rewards client (Anchor Program over the IDL, PDAs,
 * an in-process litesvm provider), the cumulative-rewards Merkle tree, and the local ledger
 * (litesvm behind the standard JSON-RPC and PubSub interfaces).
 */
export * from "./client/index.js";
export * from "./ledger/index.js";
export * from "./merkle.js";
