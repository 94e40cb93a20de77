export * from "./submitter.js";
