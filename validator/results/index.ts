export * from "./results-store.js";
export * from "./summarize.js";
