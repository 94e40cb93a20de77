/**
 * Worker-thread entry of the tuned scorer's pool (pool.ts). Messages are plain data: the kernel
 * context (typed arrays on SharedArrayBuffers, so nothing is copied but the cell list and config)
 * once per epoch, then ranges to run. Replies are `{code: "success"} | {code: "error"}` objects.
 */
import { parentPort } from "node:worker_threads";
import { emptyKernelStats, type KernelContext, type KernelName, KernelRunner } from "./kernels.js";
import type { PoolReply, PoolRequest } from "./pool.js";

let runner: KernelRunner | null = null;

function reply(message: PoolReply): void {
  parentPort!.postMessage(message);
}

parentPort!.on("message", (request: PoolRequest) => {
  if (request.type === "ping") {
    reply({ id: request.id, code: "success", stats: emptyKernelStats() });
    return;
  }
  if (request.type === "context") {
    runner = new KernelRunner(request.ctx as KernelContext);
    return;
  }
  if (request.type === "release") {
    runner = null;
    return;
  }
  if (request.type === "records") {
    runner?.setRecords(request.records);
    return;
  }
  try {
    if (runner === null) throw new Error("kernel run before the context was sent");
    const stats = emptyKernelStats();
    runner.run(request.kernel as KernelName, request.from, request.to, stats);
    reply({ id: request.id, code: "success", stats });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    reply({ id: request.id, code: "error", error: { name: e.name, message: e.message, code: (e as { code?: string }).code } });
  }
});
