/**
 * `hexcover <role> ...`: one entry point for every role an operator runs. Each role's command
 * lives in its own module and receives the remaining arguments.
 */
import "../protocol/polyfills.js";

import { runAdminCommand } from "./admin.js";
import { UsageError } from "./args.js";
import { runHotspotCommand } from "./hotspot.js";
import { runCoverageCommand } from "./coverage.js";
import { runLedgerCommand } from "./ledger.js";
import { runNetworkCommand } from "./network.js";
import { runValidatorCommand } from "./validator.js";
import { runSimBrokerCommand } from "../node/index.js";

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

const COMMANDS: Record<string, Command> = {
  admin: runAdminCommand,
  "sim-medium": runSimBrokerCommand,
  network: runNetworkCommand,
  ledger: runLedgerCommand,
  hotspot: runHotspotCommand,
  validator: runValidatorCommand,
  coverage: runCoverageCommand,
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
  await command(rest);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`hexcover: ${err instanceof Error ? err.message : String(err)}`);
  const usage = err instanceof UsageError || (err instanceof Error && err.name === "LedgerOptionError");
  process.exitCode = usage ? 2 : 1;
});
