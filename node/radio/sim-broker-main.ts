/**
 * Runnable shared sim medium (the same as `hexcover sim-medium`):
 *
 *   npx tsx node/radio/sim-broker-main.ts [--host 127.0.0.1] [--port 7710] [--seed hexcover] [--quiet]
 */
import { runSimBrokerCommand } from "./sim-broker-cli.js";

await runSimBrokerCommand(process.argv.slice(2));
process.exit(process.exitCode ?? 0);
