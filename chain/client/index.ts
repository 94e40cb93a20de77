export * from "./client.js";
export * from "./constants.js";
export * from "./errors.js";
export * from "./pdas.js";
export * from "./registry.js";
export * from "./litesvm-provider.js";
export * from "./setup.js";
