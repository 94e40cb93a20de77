/**
 * Runnable shared sim medium, so hotspot daemons in separate processes hear each other:
 *
 *   npx tsx node/radio/sim-broker-main.ts [--host 127.0.0.1] [--port 7710] [--seed hexcover]
 *
 * --seed picks the shadowing field of geo/'s propagation model (same seed, same world).
 *
 * Prints one JSON line {"event":"listening","host":...,"port":...} when ready, one line per
 * relayed transmission and per dropped frame, and exits cleanly on SIGINT/SIGTERM.
 */
import { parseArgs } from "node:util";
import { SIM_DEFAULT_PORT } from "./constants.js";
import { defaultPropagation } from "./propagation.js";
import { SimMediumBroker } from "./sim-broker.js";

function line(record: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ time: Date.now(), ...record })}\n`);
}

const { values } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: String(SIM_DEFAULT_PORT) },
    seed: { type: "string" },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  process.stderr.write(`--port must be an integer in 0..65535, got ${JSON.stringify(values.port)}\n`);
  process.exit(2);
}

const broker = new SimMediumBroker({
  host: values.host,
  port,
  propagation: defaultPropagation(values.seed),
  onDrop: (error) => line({ event: "drop", code: (error as { code?: string }).code, message: error.message }),
  onTransmission: (event) =>
    line({ event: "transmission", from: event.from, frequencyHz: event.frequencyHz, dataRate: event.dataRate, deliveredTo: event.deliveredTo }),
});
await broker.start();
line({ event: "listening", host: values.host, port: broker.port });

const shutdown = async (): Promise<void> => {
  await broker.stop();
  line({ event: "stopped", stats: broker.stats() });
  process.exit(0);
};
process.once("SIGINT", () => void shutdown());
process.once("SIGTERM", () => void shutdown());
