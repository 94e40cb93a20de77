/**
 * `hexcover coverage run`: the coverage index, its HTTP API and the web map in one process. It
 * polls a validator for finalized epochs (--validator-url) and/or indexes feed files given with
 * --feed (JSON EpochCoverageFeed, see docs/COVERAGE.md), then serves until SIGINT/SIGTERM.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import pino from "pino";
import {
  CoverageIndex,
  CoverageServer,
  DEFAULT_HTTP_HOST,
  DEFAULT_HTTP_PORT,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_RETAIN_EPOCHS,
  DEFAULT_WINDOW_EPOCHS,
  MAX_EPOCH,
  ValidatorPoller,
} from "../coverage/index.js";
import { listFlag, numberFlag, parseFlags, UsageError, untilSignal } from "./args.js";

export const DEFAULT_COVERAGE_DIR = ".data/coverage";
/** Ports are u16. */
const MAX_PORT = 65_535;

const USAGE = `usage: hexcover coverage run [options]

  run   index finalized epochs and serve the API (/v1) and the web map (/)

options:  --data-dir <path>          LMDB index folder (default ${DEFAULT_COVERAGE_DIR})
          --host <addr>              listen address (default ${DEFAULT_HTTP_HOST})
          --port <n>                 HTTP port (default ${DEFAULT_HTTP_PORT}, 0 = any free port)
          --validator-url <url>      poll this validator's GET /epochs?status=finalized and
                                     GET /epochs/:e/coverage (optional)
          --poll-interval-ms <n>     default ${DEFAULT_POLL_INTERVAL_MS}
          --retain-epochs <n>        snapshots kept for the epoch selector (default ${DEFAULT_RETAIN_EPOCHS})
          --window-epochs <n>        epochs merged into each snapshot (default ${DEFAULT_WINDOW_EPOCHS})
          --feed <file>[,...]        index these EpochCoverageFeed JSON files first (repeatable)`;

const FLAGS = {
  "data-dir": { type: "string" },
  host: { type: "string" },
  port: { type: "string" },
  "validator-url": { type: "string" },
  "poll-interval-ms": { type: "string" },
  "retain-epochs": { type: "string" },
  "window-epochs": { type: "string" },
  feed: { type: "string", multiple: true },
} as const;

export async function runCoverageCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseFlags(argv, FLAGS, USAGE);
  const [sub, ...extra] = positionals;
  if (values.help === true || sub === undefined) {
    console.log(USAGE);
    return;
  }
  if (sub !== "run") throw new UsageError(`unknown coverage subcommand ${JSON.stringify(sub)}\n\n${USAGE}`);
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(" ")}\n\n${USAGE}`);

  const port = numberFlag("port", values.port, DEFAULT_HTTP_PORT, 0, MAX_PORT);
  const pollIntervalMs = numberFlag("poll-interval-ms", values["poll-interval-ms"], DEFAULT_POLL_INTERVAL_MS, 1);
  const retainEpochs = numberFlag("retain-epochs", values["retain-epochs"], DEFAULT_RETAIN_EPOCHS, 1, MAX_EPOCH);
  const windowEpochs = numberFlag("window-epochs", values["window-epochs"], DEFAULT_WINDOW_EPOCHS, 1, MAX_EPOCH);
  for (const [name, v] of [["port", port], ["retain-epochs", retainEpochs], ["window-epochs", windowEpochs]] as const) {
    if (!Number.isInteger(v)) throw new UsageError(`--${name} must be an integer, got ${v}`);
  }
  const validatorUrl = values["validator-url"];
  if (validatorUrl !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(validatorUrl);
    } catch {
      throw new UsageError(`--validator-url is not a URL: ${JSON.stringify(validatorUrl)}`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new UsageError("--validator-url must be http(s)");
  }

  const log = pino({ name: "coverage" });
  const dataDir = resolve(values["data-dir"] ?? DEFAULT_COVERAGE_DIR);
  const index = CoverageIndex.open({ dataDir, retainEpochs, windowEpochs });
  const server = new CoverageServer({ index, host: values.host ?? DEFAULT_HTTP_HOST, port, onError: (err) => log.error({ err }, "http handler failed") });
  let poller: ValidatorPoller | null = null;
  try {
    for (const file of listFlag(values.feed)) {
      const text = await readFile(file, "utf8");
      let feed: unknown;
      try {
        feed = JSON.parse(text);
      } catch (err) {
        throw new UsageError(`--feed ${file} is not JSON: ${(err as Error).message}`);
      }
      const summary = await index.ingest(feed);
      log.info({ epoch: summary.epoch, cells: summary.cellsByResolution }, "indexed feed file");
    }
    const url = await server.start();
    if (validatorUrl !== undefined) {
      poller = new ValidatorPoller({
        index,
        validatorUrl,
        intervalMs: pollIntervalMs,
        onIndexed: (s) => log.info({ epoch: s.epoch, hotspots: s.hotspots, cells: s.cellsByResolution }, "indexed epoch"),
        onError: (err) => log.warn({ err: (err as Error).message }, "poll failed; retrying next tick"),
      });
      poller.start();
    }
    log.info({ dataDir, latestEpoch: index.latestEpoch(), validatorUrl: validatorUrl ?? null }, "coverage index open");
    // Plain line for people and for scripts waiting on startup.
    console.log(`coverage: map at ${url}/ · API at ${url}/v1/stats`);
    await untilSignal();
  } finally {
    await poller?.stop();
    await server.stop();
    await index.close();
  }
}
