// Entry of the scoring worker threads when the sources run under tsx (tests, benches): registers
// tsx's ESM hooks in this thread, then loads the TypeScript worker. See pool.ts startWorker().
import { register } from "tsx/esm/api";

register();
await import(new URL("./worker.ts", import.meta.url).href);
