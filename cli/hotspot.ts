/**
 * `hexcover hotspot init|run|status|register`: what a hotspot owner runs.
 * Configuration: <dir>/hotspot.json, overridden by flags; keys: <dir>/device.json, <dir>/owner.json.
 */
import { access, mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import pino from "pino";
import {
  createHexcoverHost,
  DEFAULT_BEACON_INTERVAL_MS,
  DEFAULT_DATA_RATE,
  DEFAULT_ENTROPY_MAX_AGE_MS,
  DEFAULT_FREQUENCY_HZ,
  DEFAULT_TX_POWER_DBM,
  DEFAULT_WITNESS_WINDOW_MS,
  HexcoverGossip,
  HOTSPOT_GOSSIP_KINDS,
  HotspotDaemon,
  hotspotMetrics,
  hotspotStatus,
  createRadio,
  type Radio,
  SimRadio,
  SIM_DEFAULT_PORT,
  startStatusServer,
} from "../node/index.js";
import { ASSERTED_LOCATION_RESOLUTION, cellFromU64, cellToU64, latLngToCell } from "../geo/index.js";
import { decodeAddress, Ed25519Keypair, loadKeypairFile, saveKeypairFile } from "../protocol/index.js";
import { configListSetting, configSetting, listFlag, numberFlag, parseFlags, readJsonConfig, UsageError, untilSignal } from "./args.js";

export const DEFAULT_HOTSPOT_DIR = ".data/hotspot";
/** Prometheus' conventional exporter range starts at 9100. */
export const DEFAULT_METRICS_PORT = 9100;
export const DEFAULT_SIM_BROKER = `127.0.0.1:${SIM_DEFAULT_PORT}`;

const USAGE = `usage: hexcover hotspot <init|run|status|register> [options]

  init      create device and owner keys and a default hotspot.json in --dir
  run       start the daemon: libp2p host, gossip, radio, beacons and witnessing
  status    print a running daemon's status (GET /status on its metrics port)
  register  register the hotspot on chain (owner and device key sign)

common:   --dir <path>            data directory (default ${DEFAULT_HOTSPOT_DIR})
run:      --radio sim|wifi|semtech (default sim)
          --bootstrap <multiaddr>[,...]   peers to dial at start (repeatable)
          --listen <multiaddr>            default /ip4/0.0.0.0/tcp/0
          --metrics-port <n>              /metrics and /status (default ${DEFAULT_METRICS_PORT}, 0 = any)
          --validators <address>[,...]    accept entropy only from these validators
          --public                        public network: libp2p's per-IP limits and DHT address filtering
          --relay-witness-reports         also subscribe to (and relay) every witness report, not only publish ours
          --beacon-interval-s <n>         one beacon per window of n seconds (default ${DEFAULT_BEACON_INTERVAL_MS / 1000})
          --witness-window-s <n>          reveal delay (default ${DEFAULT_WITNESS_WINDOW_MS / 1000})
          --entropy-max-age-s <n>         beacon only with entropy this fresh (default ${DEFAULT_ENTROPY_MAX_AGE_MS / 1000})
          --frequency-hz <n> --data-rate <SF7BW125..> --tx-power-dbm <n>
  sim:    --sim-broker host:port (default ${DEFAULT_SIM_BROKER}) --lat --lng --gain-dbi --elevation-m
  wifi:   --wifi-iface <ifname>; transmit command "wifiTxCommand" in hotspot.json (docs/RADIO.md)
  semtech: --semtech-bind host:port (default 127.0.0.1:1700) --semtech-gateways <eui>[,...]
register: --lat --lng [--gain-dbi --elevation-m] [--rpc <url>] [--ws <url>]
Every run flag can also be set in <dir>/hotspot.json under its camelCase name (e.g. "beaconIntervalS").`;

const FLAGS = {
  dir: { type: "string" },
  radio: { type: "string" },
  bootstrap: { type: "string", multiple: true },
  listen: { type: "string", multiple: true },
  "metrics-port": { type: "string" },
  validators: { type: "string", multiple: true },
  "beacon-interval-s": { type: "string" },
  "beacon-jitter-s": { type: "string" },
  "witness-window-s": { type: "string" },
  "entropy-max-age-s": { type: "string" },
  "frequency-hz": { type: "string" },
  "data-rate": { type: "string" },
  "tx-power-dbm": { type: "string" },
  "sim-broker": { type: "string" },
  "wifi-iface": { type: "string" },
  "semtech-bind": { type: "string" },
  "semtech-gateways": { type: "string" },
  lat: { type: "string" },
  lng: { type: "string" },
  "gain-dbi": { type: "string" },
  "elevation-m": { type: "string" },
  url: { type: "string" },
  rpc: { type: "string" },
  ws: { type: "string" },
  force: { type: "boolean" },
  public: { type: "boolean" },
  "relay-witness-reports": { type: "boolean" },
} as const;

type Flags = ReturnType<typeof parseFlags<typeof FLAGS>>["values"];

export interface HotspotPaths {
  dir: string;
  device: string;
  owner: string;
  config: string;
}

export function hotspotPaths(dir: string): HotspotPaths {
  const abs = resolve(dir);
  return { dir: abs, device: join(abs, "device.json"), owner: join(abs, "owner.json"), config: join(abs, "hotspot.json") };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Flag, then config file, then default. Config keys are the flags in camelCase. */
function setting(flags: Flags, config: Record<string, unknown>, flag: keyof Flags): string | undefined {
  return configSetting(flags, config, flag);
}

function listSetting(flags: Flags, config: Record<string, unknown>, flag: keyof Flags): string[] {
  return configListSetting(flags, config, flag);
}

async function init(flags: Flags): Promise<void> {
  const paths = hotspotPaths(flags.dir ?? DEFAULT_HOTSPOT_DIR);
  await mkdir(paths.dir, { recursive: true });
  for (const [name, path] of [["device", paths.device], ["owner", paths.owner]] as const) {
    if ((await exists(path)) && !flags.force) {
      console.log(`${name} key exists, kept: ${path}`);
      continue;
    }
    await saveKeypairFile(path, Ed25519Keypair.generate());
    console.log(`${name} key written: ${path}`);
  }
  if (!(await exists(paths.config))) {
    const config = {
      radio: "sim",
      listen: ["/ip4/0.0.0.0/tcp/0"],
      bootstrap: [],
      metricsPort: DEFAULT_METRICS_PORT,
      beaconIntervalS: DEFAULT_BEACON_INTERVAL_MS / 1000,
      witnessWindowS: DEFAULT_WITNESS_WINDOW_MS / 1000,
      frequencyHz: DEFAULT_FREQUENCY_HZ,
      dataRate: DEFAULT_DATA_RATE,
      txPowerDbm: DEFAULT_TX_POWER_DBM,
    };
    await writeFile(paths.config, `${JSON.stringify(config, null, 2)}\n`);
    console.log(`config written: ${paths.config}`);
  }
  const device = await loadKeypairFile(paths.device);
  const owner = await loadKeypairFile(paths.owner);
  console.log(`hotspot ${device.address}\nowner   ${owner.address}`);
}

function parseHostPort(value: string, flag: string): { host: string; port: number } {
  const match = /^(.+):(\d{1,5})$/.exec(value);
  if (!match) throw new UsageError(`--${flag} must be host:port, got ${JSON.stringify(value)}`);
  return { host: match[1]!, port: Number(match[2]) };
}

function radioFromSettings(kind: string, name: string, flags: Flags, config: Record<string, unknown>): Radio {
  switch (kind) {
    case "sim": {
      const broker = parseHostPort(setting(flags, config, "sim-broker") ?? DEFAULT_SIM_BROKER, "sim-broker");
      const lat = setting(flags, config, "lat");
      const lng = setting(flags, config, "lng");
      if (lat === undefined || lng === undefined) throw new UsageError("the sim radio needs --lat and --lng (the antenna's position)");
      return new SimRadio({
        brokerHost: broker.host,
        brokerPort: broker.port,
        name,
        site: {
          position: { lat: numberFlag("lat", lat, 0, -90, 90), lng: numberFlag("lng", lng, 0, -180, 180) },
          antennaGainDbi: numberFlag("gain-dbi", setting(flags, config, "gain-dbi"), 3, -10, 30),
          elevationM: numberFlag("elevation-m", setting(flags, config, "elevation-m"), 10, 0, 10_000),
        },
      });
    }
    case "wifi": {
      // The transmit command is an argv template list in the config file (see docs/RADIO.md);
      // without one the hotspot only witnesses.
      const txCommand = config.wifiTxCommand;
      if (txCommand !== undefined && !(Array.isArray(txCommand) && txCommand.every((step) => Array.isArray(step) && step.every((a) => typeof a === "string")))) {
        throw new UsageError('"wifiTxCommand" in hotspot.json must be a list of argv lists, e.g. [["hostapd_cli","set","ssid","{ssid}"]]');
      }
      const iface = setting(flags, config, "wifi-iface");
      return createRadio({
        kind: "wifi",
        ...(txCommand !== undefined ? { txCommand: txCommand as string[][] } : {}),
        ...(iface !== undefined ? { iface } : {}),
      });
    }
    case "semtech": {
      const bind = setting(flags, config, "semtech-bind") ?? "127.0.0.1:1700";
      const { host, port } = parseHostPort(bind, "semtech-bind");
      const gateways = listFlag(setting(flags, config, "semtech-gateways"));
      return createRadio({ kind: "semtech", host, port, ...(gateways.length > 0 ? { gateways } : {}) });
    }
    default:
      throw new UsageError(`unknown --radio ${JSON.stringify(kind)} (sim, wifi or semtech)`);
  }
}

async function run(flags: Flags): Promise<void> {
  const paths = hotspotPaths(flags.dir ?? DEFAULT_HOTSPOT_DIR);
  const config = await readJsonConfig(paths.config);
  const keypair = await loadKeypairFile(paths.device);
  const log = pino({ name: "hotspot", base: { hotspot: keypair.address } });
  const radioKind = setting(flags, config, "radio") ?? "sim";
  const radio = radioFromSettings(radioKind, keypair.address, flags, config);
  const validators = listSetting(flags, config, "validators").map((address) => decodeAddress(address));
  const intervalMs = numberFlag("beacon-interval-s", setting(flags, config, "beacon-interval-s"), DEFAULT_BEACON_INTERVAL_MS / 1000, 1) * 1000;
  const jitterS = setting(flags, config, "beacon-jitter-s");

  const host = await createHexcoverHost({
    keypair,
    listen: listSetting(flags, config, "listen").length > 0 ? listSetting(flags, config, "listen") : ["/ip4/0.0.0.0/tcp/0"],
    bootstrap: listSetting(flags, config, "bootstrap"),
    allowPrivateAddresses: !(flags.public === true || config.public === true),
  });
  const gossip = new HexcoverGossip(host);
  const relayReports = flags["relay-witness-reports"] === true || config.relayWitnessReports === true;
  gossip.start(relayReports ? undefined : HOTSPOT_GOSSIP_KINDS);
  const daemon = new HotspotDaemon({
    keypair,
    radio,
    gossip,
    beaconIntervalMs: intervalMs,
    ...(jitterS !== undefined ? { beaconJitterMs: numberFlag("beacon-jitter-s", jitterS, 0, 0) * 1000 } : {}),
    witnessWindowMs: numberFlag("witness-window-s", setting(flags, config, "witness-window-s"), DEFAULT_WITNESS_WINDOW_MS / 1000, 0) * 1000,
    entropyMaxAgeMs: numberFlag("entropy-max-age-s", setting(flags, config, "entropy-max-age-s"), DEFAULT_ENTROPY_MAX_AGE_MS / 1000, 1) * 1000,
    frequencyHz: numberFlag("frequency-hz", setting(flags, config, "frequency-hz"), DEFAULT_FREQUENCY_HZ, 1),
    dataRate: setting(flags, config, "data-rate") ?? DEFAULT_DATA_RATE,
    txPowerDbm: numberFlag("tx-power-dbm", setting(flags, config, "tx-power-dbm"), DEFAULT_TX_POWER_DBM, -30, 36),
    trustedValidators: validators,
  });
  daemon.on("beacon", (commit) => log.info({ beacon: Buffer.from(commit.id).toString("hex") }, "beacon sent"));
  daemon.on("witness", (p) => log.debug({ rssiDbm: p.rssiDbm, snrDb: p.snrDb }, "beacon witnessed"));
  daemon.on("skip", (reason) => log.warn({ reason }, "beacon window skipped"));
  gossip.on("rejected", (code, from) => log.warn({ code, from: from.toString() }, "gossip message rejected"));
  await daemon.start();

  const metricsPort = numberFlag("metrics-port", setting(flags, config, "metrics-port"), DEFAULT_METRICS_PORT, 0, 65535);
  const server = await startStatusServer(metricsPort, hotspotMetrics(daemon, host, gossip), () => hotspotStatus(daemon, host, gossip, radioKind));
  log.info({ peerId: host.peerId.toString(), listen: host.getMultiaddrs().map(String), status: `${server.url}/status`, metrics: `${server.url}/metrics` }, "hotspot running");

  const signal = await untilSignal();
  log.info({ signal }, "stopping");
  await daemon.stop();
  gossip.stop();
  await host.stop();
  await server.close();
}

async function status(flags: Flags): Promise<void> {
  let url = flags.url;
  if (url === undefined) {
    const config = await readJsonConfig(hotspotPaths(flags.dir ?? DEFAULT_HOTSPOT_DIR).config);
    url = `http://127.0.0.1:${numberFlag("metrics-port", setting(flags, config, "metrics-port"), DEFAULT_METRICS_PORT, 1, 65535)}`;
  }
  let response: Response;
  try {
    response = await fetch(`${url.replace(/\/$/, "")}/status`);
  } catch (err) {
    throw new UsageError(`no hotspot daemon answers at ${url} (${(err as Error).message}); is "hexcover hotspot run" running?`);
  }
  console.log(JSON.stringify(await response.json(), null, 2));
}

/** Onboards the hotspot on chain: the owner pays and signs with the device key. */
async function register(flags: Flags): Promise<void> {
  const paths = hotspotPaths(flags.dir ?? DEFAULT_HOTSPOT_DIR);
  const config = await readJsonConfig(paths.config);
  const lat = setting(flags, config, "lat");
  const lng = setting(flags, config, "lng");
  if (lat === undefined || lng === undefined) throw new UsageError("register needs --lat and --lng (the hotspot's asserted location)");
  const location = latLngToCell(numberFlag("lat", lat, 0, -90, 90), numberFlag("lng", lng, 0, -180, 180), ASSERTED_LOCATION_RESOLUTION);
  const gainDeciDbi = Math.round(numberFlag("gain-dbi", setting(flags, config, "gain-dbi"), 3, -10, 30) * 10);
  const elevationM = Math.round(numberFlag("elevation-m", setting(flags, config, "elevation-m"), 10, 0, 10_000));
  const device = await loadKeypairFile(paths.device);
  const owner = await loadKeypairFile(paths.owner);
  // Loaded here, not at the top: the Solana client is only needed to register, not to run.
  const { clientFor, resolveRpcUrl, toWeb3Keypair } = await import("./cluster.js");
  const { ensureRewardAccount } = await import("../chain/client/index.js");
  const rpcUrl = await resolveRpcUrl(flags.rpc);
  const client = clientFor(rpcUrl, owner, flags.ws);
  const existing = await client.fetchHotspot(toWeb3Keypair(device).publicKey);
  if (existing !== null) {
    console.log(`hotspot ${device.address} is already registered at cell ${cellFromU64(existing.location)} (owner ${existing.owner.toBase58()})`);
    return;
  }
  const mint = (await client.fetchConfig()).mint;
  // Claims pay into the owner's associated token account, so it must exist.
  await ensureRewardAccount(client.provider, toWeb3Keypair(owner).publicKey, mint);
  const signature = await client.registerHotspot(toWeb3Keypair(owner), toWeb3Keypair(device), { location: cellToU64(location), gainDeciDbi, elevationM });
  console.log(JSON.stringify({ hotspot: device.address, owner: owner.address, location, gainDeciDbi, elevationM, rpcUrl, signature }));
}

export async function runHotspotCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseFlags(argv, FLAGS, USAGE);
  const sub = positionals[0];
  if (values.help || sub === undefined) {
    console.log(USAGE);
    return;
  }
  switch (sub) {
    case "init":
      return init(values);
    case "run":
      return run(values);
    case "status":
      return status(values);
    case "register":
      return register(values);
    default:
      throw new UsageError(`unknown hotspot command ${JSON.stringify(sub)}\n\n${USAGE}`);
  }
}
