/**
 * `hexcover validator init|run`: what a validator operator runs.
 * Key: <dir>/identity.json (libp2p identity and on-chain signer); config: <dir>/validator.json.
 */
import { access, mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import pino from "pino";
import { decodeAddress, Ed25519Keypair, loadKeypairFile, saveKeypairFile } from "../protocol/index.js";
import { DEFAULT_SCORING_CONFIG } from "../validator/scoring/index.js";
import { ValidatorNode } from "../validator/node.js";
import { configListSetting, configSetting, numberFlag, parseFlags, readJsonConfig, UsageError, untilSignal } from "./args.js";
import { clientFor, resolveRpcUrl } from "./cluster.js";

export const DEFAULT_VALIDATOR_DIR = ".data/validator";
export const DEFAULT_API_PORT = 8080;

const USAGE = `usage: hexcover validator <init|run> [options]

  init   create the validator identity key and a default validator.json in --dir
  run    ingest gossip, publish entropy, reconcile, score and submit epochs, serve the rewards API

options:  --dir <path>                 data directory (default ${DEFAULT_VALIDATOR_DIR})
          --rpc <url>                  Solana RPC (default: Anchor.toml's provider.cluster)
          --ws <url>                   its PubSub websocket (default: web3.js's rule, RPC port + 1)
          --listen <multiaddr>         libp2p listen address (default /ip4/0.0.0.0/tcp/0)
          --bootstrap <multiaddr>,...  peers to dial at start
          --api-port <n>               rewards API and /metrics (default ${DEFAULT_API_PORT}, 0 = any)
          --api-host <addr>            default 127.0.0.1
          --grace-s <n>                seconds after an epoch ends before it is frozen (default 60)
          --witness-window-s <n>       round parameters shared with hotspots (defaults: ${DEFAULT_SCORING_CONFIG.witnessWindowMs / 1000},
          --reveal-grace-s <n>           ${DEFAULT_SCORING_CONFIG.revealGraceMs / 1000}, ${DEFAULT_SCORING_CONFIG.entropyMaxAgeMs / 1000} s)
          --entropy-max-age-s <n>
          --entropy-interval-s <n>     how often to publish entropy (default 60)
          --sync-deadline-s <n>        how long an epoch is reconciled before it is frozen anyway (default 30)
          --denylist <address>,...     hotspots whose witness reports earn nothing
          --crank                      after each finalized epoch, claim for every rewarded hotspot
          --public                     public network: libp2p's per-IP limits and DHT filtering of private
                                       addresses (the default suits local and private networks)
Each option can also be set in <dir>/validator.json under its camelCase name.`;

const FLAGS = {
  dir: { type: "string" },
  rpc: { type: "string" },
  ws: { type: "string" },
  listen: { type: "string", multiple: true },
  bootstrap: { type: "string", multiple: true },
  "api-port": { type: "string" },
  "api-host": { type: "string" },
  "grace-s": { type: "string" },
  "witness-window-s": { type: "string" },
  "reveal-grace-s": { type: "string" },
  "entropy-max-age-s": { type: "string" },
  "entropy-interval-s": { type: "string" },
  "sync-deadline-s": { type: "string" },
  denylist: { type: "string", multiple: true },
  force: { type: "boolean" },
  crank: { type: "boolean" },
  public: { type: "boolean" },
} as const;
type Flags = ReturnType<typeof parseFlags<typeof FLAGS>>["values"];

function setting(flags: Flags, config: Record<string, unknown>, flag: keyof Flags): string | undefined {
  return configSetting(flags, config, flag);
}

function listSetting(flags: Flags, config: Record<string, unknown>, flag: keyof Flags): string[] {
  return configListSetting(flags, config, flag);
}

export function validatorPaths(dir: string) {
  const abs = resolve(dir);
  return { dir: abs, identity: join(abs, "identity.json"), config: join(abs, "validator.json"), data: join(abs, "data") };
}

async function init(flags: Flags): Promise<void> {
  const paths = validatorPaths(flags.dir ?? DEFAULT_VALIDATOR_DIR);
  await mkdir(paths.dir, { recursive: true });
  const exists = await access(paths.identity).then(() => true, () => false);
  if (!exists || flags.force) await saveKeypairFile(paths.identity, Ed25519Keypair.generate());
  const configExists = await access(paths.config).then(() => true, () => false);
  if (!configExists) {
    await writeFile(paths.config, `${JSON.stringify({ listen: ["/ip4/0.0.0.0/tcp/0"], bootstrap: [], apiPort: DEFAULT_API_PORT }, null, 2)}\n`);
  }
  const identity = await loadKeypairFile(paths.identity);
  console.log(`validator ${identity.address}\nkey ${paths.identity}${exists && !flags.force ? " (kept)" : ""}\nask the program admin to add this address with set_validators`);
}

async function run(flags: Flags): Promise<void> {
  const paths = validatorPaths(flags.dir ?? DEFAULT_VALIDATOR_DIR);
  const config = await readJsonConfig(paths.config);
  const keypair = await loadKeypairFile(paths.identity);
  const log = pino({ name: "validator", base: { validator: keypair.address } });
  const rpcUrl = await resolveRpcUrl(flags.rpc ?? setting(flags, config, "rpc"));
  const seconds = (flag: keyof Flags, fallbackMs: number) => numberFlag(String(flag), setting(flags, config, flag), fallbackMs / 1000, 0) * 1000;
  const denylist = new Set(listSetting(flags, config, "denylist").map((a) => Buffer.from(decodeAddress(a)).toString("hex")));
  const graceS = setting(flags, config, "grace-s");
  const entropyS = setting(flags, config, "entropy-interval-s");
  const syncDeadlineS = setting(flags, config, "sync-deadline-s");
  // Test-only (tests/faults): holds each epoch's scoring step open so a test can kill -9 mid-scoring.
  const scoringHoldMs = process.env.HEXCOVER_TEST_SCORING_HOLD_MS;
  const node = new ValidatorNode({
    keypair,
    dataDir: paths.data,
    client: clientFor(rpcUrl, keypair, setting(flags, config, "ws")),
    listen: listSetting(flags, config, "listen").length > 0 ? listSetting(flags, config, "listen") : ["/ip4/0.0.0.0/tcp/0"],
    bootstrap: listSetting(flags, config, "bootstrap"),
    apiPort: numberFlag("api-port", setting(flags, config, "api-port"), DEFAULT_API_PORT, 0, 65535),
    apiHost: setting(flags, config, "api-host") ?? "127.0.0.1",
    scoring: {
      witnessWindowMs: seconds("witness-window-s", DEFAULT_SCORING_CONFIG.witnessWindowMs),
      revealGraceMs: seconds("reveal-grace-s", DEFAULT_SCORING_CONFIG.revealGraceMs),
      entropyMaxAgeMs: seconds("entropy-max-age-s", DEFAULT_SCORING_CONFIG.entropyMaxAgeMs),
    },
    ...(graceS !== undefined ? { graceSeconds: numberFlag("grace-s", graceS, 60, 0) } : {}),
    ...(entropyS !== undefined ? { entropyIntervalMs: numberFlag("entropy-interval-s", entropyS, 60, 1) * 1000 } : {}),
    ...(syncDeadlineS !== undefined ? { syncDeadlineMs: numberFlag("sync-deadline-s", syncDeadlineS, 30, 1) * 1000 } : {}),
    ...(scoringHoldMs !== undefined ? { scoringHoldMs: numberFlag("HEXCOVER_TEST_SCORING_HOLD_MS", scoringHoldMs, 0, 0, 600_000) } : {}),
    denylist,
    crank: flags.crank === true || config.crank === true,
    publicNetwork: flags.public === true || config.public === true,
    log,
  });
  await node.start();
  log.info({ rpcUrl, api: node.apiUrl, metrics: `${node.apiUrl}/metrics` }, "validator ready");
  const signal = await untilSignal();
  log.info({ signal }, "stopping");
  await node.stop();
}

export async function runValidatorCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseFlags(argv, FLAGS, USAGE);
  const sub = positionals[0];
  if (values.help || sub === undefined) {
    console.log(USAGE);
    return;
  }
  if (sub === "init") return init(values);
  if (sub === "run") return run(values);
  throw new UsageError(`unknown validator command ${JSON.stringify(sub)}\n\n${USAGE}`);
}
