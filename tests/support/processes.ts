/**
 * Real `hexcover` child processes for tests: the same spawner `hexcover network` supervises its
 * roles with (cli/network/supervisor.ts), keeping every output line for assertions.
 */
import type { RunningProcess } from "../../cli/network/supervisor.js";
import { spawnHexcover as spawn } from "../../cli/network/supervisor.js";

export { HEXCOVER_BIN, type RunningProcess, runHexcover } from "../../cli/network/supervisor.js";

/** Spawns `hexcover <args>` with `env` added to this process's environment. */
export function spawnHexcover(args: string[], env: NodeJS.ProcessEnv = {}): RunningProcess {
  return spawn(args, { env });
}
