// Registers a 'message' listener that exits the worker thread while workerData.crashes > 0.
import { parentPort, workerData } from "node:worker_threads";

const budget = new Int32Array(workerData.crashes);
parentPort.on("message", () => {
  if (Atomics.sub(budget, 0, 1) > 0) process.exit(1);
});
