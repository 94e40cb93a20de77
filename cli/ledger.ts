/**
 * `hexcover ledger`: runs the local Solana ledger until SIGINT/SIGTERM, then writes a final
 * snapshot. Programs come from --program flags, or else from Anchor.toml's [programs.localnet]
 * with their built .so in target/deploy/.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  DEFAULT_HOST,
  DEFAULT_RPC_PORT,
  DEFAULT_SLOT_MS,
  DEFAULT_SNAPSHOT_INTERVAL_MS,
  DEFAULT_WS_PORT,
  LAMPORTS_PER_SOL,
  type Ledger,
  LedgerOptionError,
  type ProgramToDeploy,
  startLedger,
} from "../chain/ledger/index.js";

const DEFAULT_DATA_DIR = ".data/ledger";
const DEFAULT_ANCHOR_TOML = "Anchor.toml";
/** SOL amounts have at most 9 decimals (1 lamport). */
const SOL_DECIMALS = 9;

const USAGE = `usage: hexcover ledger [options]

Runs a local Solana ledger (litesvm) behind JSON-RPC and websocket endpoints.

options:
  --host <addr>               listen address (default ${DEFAULT_HOST})
  --port <n>                  JSON-RPC port (default ${DEFAULT_RPC_PORT}; 0 = any free port)
  --ws-port <n>               websocket port (default ${DEFAULT_WS_PORT}; 0 = any free port)
  --data-dir <dir>            snapshot + journal directory (default ${DEFAULT_DATA_DIR})
  --in-memory                 keep no state on disk
  --program <id>=<so path>    deploy a program at an id (repeatable); without it, the programs
                              of Anchor.toml [programs.localnet] found in target/deploy/
  --anchor-toml <path>        Anchor.toml to read programs from (default ./${DEFAULT_ANCHOR_TOML})
  --airdrop <pubkey>=<sol>    fund an account at start (repeatable)
  --slot-ms <n>               milliseconds per slot (default ${DEFAULT_SLOT_MS})
  --snapshot-interval-ms <n>  milliseconds between snapshots (default ${DEFAULT_SNAPSHOT_INTERVAL_MS})
  --no-fsync                  do not fdatasync the journal after each transaction
  -h, --help                  show this help`;

export interface LedgerCommandOptions {
  /** Where lines go (default console.log). */
  print?: (line: string) => void;
  /** Resolves when the ledger should stop; default: the first SIGINT or SIGTERM. */
  stopSignal?: Promise<unknown>;
  /** Called once the ledger serves, e.g. for tests and the `network` command. */
  onStarted?: (ledger: Ledger) => void;
}

function integerFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new LedgerOptionError(name, `expected a non-negative integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** "1.5" SOL -> 1_500_000_000 lamports, exactly (no floating point). */
export function parseSol(text: string): bigint {
  const match = /^(\d+)(?:\.(\d{1,9}))?$/.exec(text);
  if (match === null) throw new LedgerOptionError("--airdrop", `invalid SOL amount ${JSON.stringify(text)}`);
  const whole = BigInt(match[1]!);
  const fraction = BigInt((match[2] ?? "").padEnd(SOL_DECIMALS, "0"));
  return whole * LAMPORTS_PER_SOL + fraction;
}

function splitPair(flag: string, value: string): [string, string] {
  const at = value.indexOf("=");
  if (at <= 0 || at === value.length - 1) throw new LedgerOptionError(flag, `expected <key>=<value>, got ${JSON.stringify(value)}`);
  return [value.slice(0, at), value.slice(at + 1)];
}

/**
 * Programs listed under [programs.localnet] in Anchor.toml whose .so exists in target/deploy/
 * next to it. Anchor names the file after the program with dashes as underscores.
 */
export function programsFromAnchorToml(path: string): ProgramToDeploy[] {
  if (!existsSync(path)) return [];
  const programs: ProgramToDeploy[] = [];
  let inSection = false;
  for (const raw of readFileSync(path, "utf8").split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (line.startsWith("[")) {
      inSection = line === "[programs.localnet]";
      continue;
    }
    const match = inSection ? /^([A-Za-z0-9_-]+)\s*=\s*"([^"]*)"$/.exec(line) : null;
    if (match === null) continue;
    const soPath = join(dirname(resolve(path)), "target", "deploy", `${match[1]!.replace(/-/g, "_")}.so`);
    // "PENDING" or a missing build: nothing to deploy yet.
    if (!/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(match[2]!) || !existsSync(soPath)) continue;
    programs.push({ programId: match[2]!, soPath });
  }
  return programs;
}

function waitForSignal(): Promise<string> {
  return new Promise((resolveSignal) => {
    const handler = (signal: string) => {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
      resolveSignal(signal);
    };
    process.on("SIGINT", handler);
    process.on("SIGTERM", handler);
  });
}

export async function runLedgerCommand(argv: string[], options: LedgerCommandOptions = {}): Promise<void> {
  const print = options.print ?? ((line: string) => console.log(line));
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (err) {
    throw new LedgerOptionError("argv", err instanceof Error ? err.message : String(err));
  }
  if (values.help === true) {
    print(USAGE);
    return;
  }
  const programs = (values.program ?? []).map((p) => {
    const [programId, soPath] = splitPair("--program", p);
    return { programId, soPath };
  });
  if (programs.length === 0) programs.push(...programsFromAnchorToml(values["anchor-toml"] ?? DEFAULT_ANCHOR_TOML));
  const airdrops = (values.airdrop ?? []).map((a) => {
    const [pubkey, sol] = splitPair("--airdrop", a);
    return { pubkey, sol, lamports: parseSol(sol) };
  });
  const dataDir = values["in-memory"] === true ? undefined : (values["data-dir"] ?? DEFAULT_DATA_DIR);

  const ledger = await startLedger({
    host: values.host ?? DEFAULT_HOST,
    rpcPort: integerFlag("--port", values.port, DEFAULT_RPC_PORT),
    wsPort: integerFlag("--ws-port", values["ws-port"], DEFAULT_WS_PORT),
    ...(dataDir === undefined ? {} : { dataDir }),
    programs,
    slotMs: integerFlag("--slot-ms", values["slot-ms"], DEFAULT_SLOT_MS),
    snapshotIntervalMs: integerFlag("--snapshot-interval-ms", values["snapshot-interval-ms"], DEFAULT_SNAPSHOT_INTERVAL_MS),
    fsync: values["no-fsync"] !== true,
    log: (line) => console.error(line),
  });
  // Registered only once the ledger serves, so a failed start leaves no handlers behind.
  const stop = options.stopSignal ?? waitForSignal();
  try {
    print(`ledger: JSON-RPC   ${ledger.rpcUrl}`);
    print(`ledger: websocket  ${ledger.wsUrl}`);
    print(`ledger: data       ${dataDir ?? "(in memory)"}`);
    print(`ledger: genesis    ${ledger.genesisHash}`);
    print(`ledger: faucet     ${ledger.faucet}`);
    for (const p of programs) print(`ledger: program    ${p.programId} <- ${p.soPath}`);
    for (const a of airdrops) {
      const signature = await ledger.airdrop(a.pubkey, a.lamports);
      print(`ledger: airdrop    ${a.sol} SOL to ${a.pubkey} (${signature})`);
    }
    print("ledger: ready");
    options.onStarted?.(ledger);
    await stop;
  } finally {
    await ledger.close();
    print(dataDir === undefined ? "ledger: stopped" : "ledger: stopped, snapshot written");
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      host: { type: "string" },
      port: { type: "string" },
      "ws-port": { type: "string" },
      "data-dir": { type: "string" },
      "in-memory": { type: "boolean" },
      program: { type: "string", multiple: true },
      "anchor-toml": { type: "string" },
      airdrop: { type: "string", multiple: true },
      "slot-ms": { type: "string" },
      "snapshot-interval-ms": { type: "string" },
      "no-fsync": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}
