export * from "./daemon.js";
export * from "./round-observer.js";
export * from "./status-server.js";
