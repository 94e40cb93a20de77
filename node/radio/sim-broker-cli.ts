/**
 * The shared sim medium as a command (`hexcover sim-medium`), so hotspot daemons in separate
 * processes hear each other: [--host 127.0.0.1] [--port 7710] [--seed hexcover].
 *
 * --seed picks the shadowing field of geo/'s propagation model (same seed, same world).
 * Prints one JSON line {"event":"listening","host":...,"port":...} when ready, one line per
 * relayed transmission (unless --quiet) and per dropped frame, and stops cleanly on SIGINT/SIGTERM.
 */
import { parseArgs } from "node:util";
import { SIM_DEFAULT_PORT } from "./constants.js";
import { defaultPropagation } from "./propagation.js";
import { SimMediumBroker } from "./sim-broker.js";

function line(record: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ time: Date.now(), ...record })}\n`);
}

export async function runSimBrokerCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: String(SIM_DEFAULT_PORT) },
      seed: { type: "string" },
      quiet: { type: "boolean", default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write(`--port must be an integer in 0..65535, got ${JSON.stringify(values.port)}\n`);
    process.exitCode = 2;
    return;
  }
  const broker = new SimMediumBroker({
    host: values.host,
    port,
    propagation: defaultPropagation(values.seed),
    onDrop: (error) => line({ event: "drop", code: (error as { code?: string }).code, message: error.message }),
    onTransmission: (event) => {
      if (!values.quiet) {
        line({ event: "transmission", from: event.from, frequencyHz: event.frequencyHz, dataRate: event.dataRate, deliveredTo: event.deliveredTo });
      }
    },
  });
  await broker.start();
  line({ event: "listening", host: values.host, port: broker.port });
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  await broker.stop();
  line({ event: "stopped", stats: broker.stats() });
}
