/**
 * `hexcover <role> ...`: one entry point for every role an operator runs. Each role's command
 * lives in its own module and receives the remaining arguments.
 */
import "../protocol/polyfills.js";

import { UsageError } from "./args.js";

type Command = (argv: string[]) => Promise<void>;

const USAGE = `usage: hexcover <command> [options]

commands:
  network     start a complete local network (ledger, validators, hotspots, map)
  ledger      run the local Solana ledger (JSON-RPC + websocket)
  hotspot     init | register | run | status: the hotspot and witness daemon
  validator   init | run: ingest, agree, score and submit epochs
  coverage    run the coverage index, HTTP API and web map
  admin       init | set-validators | show: the program admin's network bootstrap
  sim-medium  the shared simulated radio medium that sim-radio hotspots connect to

Run "hexcover <command> --help" for a command's options.`;

/**
 * Each command's module is loaded only when that command runs: a hotspot process should not
 * load the ledger, the coverage index or the validator (a local network runs dozens of them).
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  admin: async () => (await import("./admin.js")).runAdminCommand,
  "sim-medium": async () => (await import("../node/radio/index.js")).runSimBrokerCommand,
  network: async () => (await import("./network.js")).runNetworkCommand,
  ledger: async () => (await import("./ledger.js")).runLedgerCommand,
  hotspot: async () => (await import("./hotspot.js")).runHotspotCommand,
  validator: async () => (await import("./validator.js")).runValidatorCommand,
  coverage: async () => (await import("./coverage.js")).runCoverageCommand,
};

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(USAGE);
    return;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    console.error(`hexcover: unknown command ${JSON.stringify(name)}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  await (await command())(rest);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`hexcover: ${err instanceof Error ? err.message : String(err)}`);
  const usage = err instanceof UsageError || (err instanceof Error && err.name === "LedgerOptionError");
  process.exitCode = usage ? 2 : 1;
});
