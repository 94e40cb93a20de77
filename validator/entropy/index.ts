/**
 * validator/entropy: the signed entropy every validator publishes (DESIGN.md §3.1).
 */
export * from "./publisher.js";
