/**
 * `hexcover network` (`npm start`): a complete local Hexcover network on this machine, every
 * role its own process started with the same `hexcover` commands an operator runs: a ledger
 * with the program, the program admin's bootstrap, 4 validators, the sim radio medium, N hotspots
 * placed in a real city, and the coverage map. State lives in --data-dir; a second run resumes.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { privateKeyFromRaw } from "@libp2p/crypto/keys";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { Connection, Keypair, LAMPORTS_PER_SOL, PublicKey } from "@solana/web3.js";
import type { CoverageRewardsClient } from "../chain/client/index.js";
import { Ed25519Keypair, loadKeypairFile, saveKeypairFile } from "../protocol/index.js";
import { numberFlag, parseFlags, UsageError, untilSignal } from "./args.js";
import { clientFor } from "./cluster.js";
import { CITIES, cityByName } from "./network/cities.js";
import { placeHotspots } from "./network/placement.js";
import { Supervisor } from "./network/supervisor.js";

const USAGE = `usage: hexcover network [options]     (npm start -- [options])

  --hotspots <n>        simulated hotspots (default 60)
  --epoch-seconds <s>   epoch length (default 120; at least 20)
  --city <name>         ${CITIES.map((c) => c.name).join(", ")} (default san-francisco)
  --validators <n>      validators (default 4, quorum ceil(2n/3))
  --data-dir <path>     state for every role (default .data/network); a second run resumes it
  --port-offset <n>     added to every fixed port (ledger 8899/8900, validators 4001+/8080+,
                        hotspot metrics 9100+, map 3000, radio medium 7710); default 0
  --no-status           print progress as log lines instead of a live status line`;

const FLAGS = {
  hotspots: { type: "string" },
  "epoch-seconds": { type: "string" },
  city: { type: "string" },
  validators: { type: "string" },
  "data-dir": { type: "string" },
  "port-offset": { type: "string" },
  "no-status": { type: "boolean" },
} as const;

/** 1,000 reward tokens (6 decimals) minted per epoch across all hotspots. */
const EMISSION_PER_EPOCH = 1_000_000_000n;
const MIN_EPOCH_SECONDS = 20;
/** Processes started at once: each costs ~1 s of CPU to boot on a 2-core machine. */
const START_CONCURRENCY = 4;
/** Seconds the epoch report waits for the crank's claims to land before printing balances. */
const CRANK_WAIT_ATTEMPTS = 15;

interface NetworkState {
  city: string;
  hotspots: Array<{ lat: number; lng: number }>;
  validators: number;
  epochSeconds: number;
  initialized: boolean;
  registered: number;
}

/** Round timing derived from the epoch length so every window fits (validateScoringConfig). */
export function roundTiming(epochSeconds: number) {
  return {
    witnessWindowS: Math.max(5, Math.round(epochSeconds / 6)),
    revealGraceS: Math.max(3, Math.round(epochSeconds / 12)),
    entropyMaxAgeS: Math.max(10, Math.round(epochSeconds / 3)),
    entropyIntervalS: Math.max(2, Math.round(epochSeconds / 12)),
    graceS: Math.max(3, Math.round(epochSeconds / 12)),
    beaconIntervalS: Math.max(10, Math.round(epochSeconds / 2)),
    beaconJitterS: Math.max(2, Math.round(epochSeconds / 4)),
  };
}

function bar(seconds: number): string {
  const m = Math.floor(seconds / 60);
  return `${m}:${String(Math.max(0, Math.floor(seconds % 60))).padStart(2, "0")}`;
}

/** Runs fn over items with at most `limit` calls in flight. */
export async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

export async function runNetworkCommand(argv: string[]): Promise<void> {
  const { values } = parseFlags(argv, FLAGS, USAGE);
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const dataDir = resolve(values["data-dir"] ?? ".data/network");
  const offset = numberFlag("port-offset", values["port-offset"], 0, 0, 50_000);
  const statePath = join(dataDir, "network.json");
  await mkdir(join(dataDir, "logs"), { recursive: true });
  let state: NetworkState;
  if (existsSync(statePath)) {
    state = JSON.parse(await readFile(statePath, "utf8")) as NetworkState;
    if (values.hotspots || values["epoch-seconds"] || values.city || values.validators) {
      console.log(`note: resuming the network in ${dataDir}; its settings win over flags (delete the folder to start over)`);
    }
  } else {
    const city = cityByName(values.city ?? "san-francisco");
    if (city === undefined) throw new UsageError(`unknown --city ${JSON.stringify(values.city)} (${CITIES.map((c) => c.name).join(", ")})`);
    const count = numberFlag("hotspots", values.hotspots, 60, 1, 500);
    const epochSeconds = numberFlag("epoch-seconds", values["epoch-seconds"], 120, MIN_EPOCH_SECONDS, 86_400);
    const validators = numberFlag("validators", values.validators, 4, 1, 16);
    state = {
      city: city.name,
      hotspots: placeHotspots(city, count).map(([lat, lng]) => ({ lat, lng })),
      validators,
      epochSeconds,
      initialized: false,
      registered: 0,
    };
    await writeFile(statePath, `${JSON.stringify(state, null, 2)}\n`);
  }
  const city = cityByName(state.city)!;
  const timing = roundTiming(state.epochSeconds);
  const ports = {
    rpc: 8899 + offset,
    ws: 8900 + offset,
    medium: 7710 + offset,
    map: 3000 + offset,
    validatorP2p: (i: number) => 4001 + offset + i,
    validatorApi: (i: number) => 8080 + offset + i,
    hotspotMetrics: (i: number) => 9100 + offset + i,
  };
  const rpcUrl = `http://127.0.0.1:${ports.rpc}`;
  const wsUrl = `ws://127.0.0.1:${ports.ws}`;
  const chainFlags = ["--rpc", rpcUrl, "--ws", wsUrl];
  const status = values["no-status"] ? undefined : process.stdout.isTTY ? process.stdout : undefined;
  const say = (line: string) => {
    if (status) status.write("\r\x1b[2K");
    console.log(line);
  };

  let failed: string | undefined;
  const supervisor = new Supervisor(join(dataDir, "logs"), (name, code) => {
    failed = `${name} exited unexpectedly (code ${code}); see ${join(dataDir, "logs", `${name}.log`)}`;
    say(`error: ${failed}`);
  });
  const stop = async (signal: string) => {
    say(`\nstopping (${signal}) ...`);
    await supervisor.stopAll();
    say("all roles stopped; state kept in " + dataDir);
  };

  // Listen for Ctrl-C from the start, so an interrupt during setup still stops every role.
  const interrupted = untilSignal();
  let interruptedBy: string | undefined;
  void interrupted.then((signal) => {
    interruptedBy = signal;
  });
  const checkInterrupt = () => {
    if (interruptedBy !== undefined) throw new Error(`interrupted by ${interruptedBy} during setup`);
  };
  try {
    // Keys: Solana CLI keypair files, as `hexcover * init` writes them.
    const adminPath = join(dataDir, "admin.json");
    if (!existsSync(adminPath)) await saveKeypairFile(adminPath, Ed25519Keypair.generate());
    const validatorDirs = Array.from({ length: state.validators }, (_, i) => join(dataDir, "validators", `v${i}`));
    const validatorKeys: Ed25519Keypair[] = [];
    for (const dir of validatorDirs) {
      const path = join(dir, "identity.json");
      if (!existsSync(path)) await saveKeypairFile(path, Ed25519Keypair.generate());
      validatorKeys.push(await loadKeypairFile(path));
    }
    const hotspotDirs = state.hotspots.map((_, i) => join(dataDir, "hotspots", `h${String(i).padStart(3, "0")}`));
    for (const dir of hotspotDirs) {
      for (const name of ["device.json", "owner.json"]) {
        if (!existsSync(join(dir, name))) await saveKeypairFile(join(dir, name), Ed25519Keypair.generate());
      }
    }
    const validatorAddrs = validatorKeys.map(
      (k, i) => `/ip4/127.0.0.1/tcp/${ports.validatorP2p(i)}/p2p/${peerIdFromPrivateKey(privateKeyFromRaw(k.secretKey)).toString()}`,
    );

    say(`Hexcover local network: ${state.hotspots.length} hotspots in ${city.label}, ${state.validators} validators, ${state.epochSeconds}-second epochs`);
    say(`state and logs: ${dataDir}`);
    const ledger = supervisor.start("ledger", ["ledger", "--port", String(ports.rpc), "--ws-port", String(ports.ws), "--data-dir", join(dataDir, "ledger")]);
    await ledger.waitFor(/JSON-RPC\s+http/);
    say(`ledger: ${rpcUrl} (program deployed from target/deploy/coverage_rewards.so)`);
    const connection = new Connection(rpcUrl, { commitment: "confirmed", wsEndpoint: wsUrl });
    const airdrop = async (key: PublicKey, sol: number) => {
      if ((await connection.getBalance(key)) >= (sol * LAMPORTS_PER_SOL) / 2) return;
      const signature = await connection.requestAirdrop(key, sol * LAMPORTS_PER_SOL);
      await connection.confirmTransaction({ signature, ...(await connection.getLatestBlockhash()) });
    };

    if (!state.initialized) {
      const admin = await loadKeypairFile(adminPath);
      await airdrop(new PublicKey(admin.address), 100);
      const genesis = Math.floor(Date.now() / 1000) + 5;
      await supervisor.run("admin", ["admin", "init", "--admin", adminPath, ...chainFlags, "--epoch-seconds", String(state.epochSeconds), "--emission", EMISSION_PER_EPOCH.toString(), "--genesis", String(genesis)]);
      await supervisor.run("admin", ["admin", "set-validators", "--admin", adminPath, ...chainFlags, "--validators", validatorKeys.map((k) => k.address).join(",")]);
      state.initialized = true;
      await writeFile(statePath, `${JSON.stringify(state, null, 2)}\n`);
      say(`program initialized: ${state.validators} validators, quorum ${Math.ceil((2 * state.validators) / 3)}, ${EMISSION_PER_EPOCH / 1_000_000n} tokens per epoch`);
    }
    for (const key of validatorKeys) await airdrop(new PublicKey(key.address), 10);

    // Hotspot owners register their hotspots (owner + device key sign), as `hexcover hotspot register`.
    if (state.registered < state.hotspots.length) {
      say(`registering ${state.hotspots.length - state.registered} hotspots on chain ...`);
      await mapLimit(state.hotspots.slice(state.registered), START_CONCURRENCY, async (site, j) => {
        checkInterrupt();
        const i = state.registered + j;
        const owner = await loadKeypairFile(join(hotspotDirs[i]!, "owner.json"));
        await airdrop(new PublicKey(owner.address), 1);
        await supervisor.run(`register-h${i}`, ["hotspot", "register", "--dir", hotspotDirs[i]!, ...chainFlags, "--lat", String(site.lat), "--lng", String(site.lng), "--gain-dbi", "3"]);
      });
      state.registered = state.hotspots.length;
      await writeFile(statePath, `${JSON.stringify(state, null, 2)}\n`);
    }

    checkInterrupt();
    const medium = supervisor.start("radio-medium", ["sim-medium", "--port", String(ports.medium), "--quiet"]);
    await medium.waitFor(/"listening"/);

    const validatorNodes = await Promise.all(
      validatorDirs.map(async (dir, i) => {
        await writeFile(
          join(dir, "validator.json"),
          `${JSON.stringify(
            {
              rpc: rpcUrl,
              ws: wsUrl,
              listen: [`/ip4/127.0.0.1/tcp/${ports.validatorP2p(i)}`],
              bootstrap: validatorAddrs.filter((_, j) => j !== i),
              apiPort: ports.validatorApi(i),
              graceS: timing.graceS,
              witnessWindowS: timing.witnessWindowS,
              revealGraceS: timing.revealGraceS,
              entropyMaxAgeS: timing.entropyMaxAgeS,
              entropyIntervalS: timing.entropyIntervalS,
              crank: i === 0,
            },
            null,
            2,
          )}\n`,
        );
        const role = supervisor.start(`validator-${i}`, ["validator", "run", "--dir", dir]);
        await role.waitFor(/validator ready/);
        return `http://127.0.0.1:${ports.validatorApi(i)}`;
      }),
    );
    say(`validators: ${validatorNodes.join(" ")}`);

    checkInterrupt();
    const coverage = supervisor.start("coverage", ["coverage", "run", "--port", String(ports.map), "--data-dir", join(dataDir, "coverage"), "--validator-url", validatorNodes[0]!]);
    await coverage.waitFor(/listening|running|http:\/\//i);
    const mapUrl = `http://127.0.0.1:${ports.map}/`;

    await mapLimit(hotspotDirs, START_CONCURRENCY, async (dir, i) => {
      checkInterrupt();
      const site = state.hotspots[i]!;
      await writeFile(
        join(dir, "hotspot.json"),
        `${JSON.stringify(
          {
            radio: "sim",
            simBroker: `127.0.0.1:${ports.medium}`,
            lat: site.lat,
            lng: site.lng,
            gainDbi: 3,
            elevationM: 10,
            listen: ["/ip4/127.0.0.1/tcp/0"],
            bootstrap: validatorAddrs,
            validators: validatorKeys.map((k) => k.address),
            metricsPort: ports.hotspotMetrics(i),
            beaconIntervalS: timing.beaconIntervalS,
            beaconJitterS: timing.beaconJitterS,
            witnessWindowS: timing.witnessWindowS,
            entropyMaxAgeS: timing.entropyMaxAgeS,
          },
          null,
          2,
        )}\n`,
      );
      const role = supervisor.start(`hotspot-${String(i).padStart(3, "0")}`, ["hotspot", "run", "--dir", dir]);
      await role.waitFor(/hotspot running/);
    });
    say(`${hotspotDirs.length} hotspots running on the sim radio`);
    say(`\ncoverage map: ${mapUrl}\nrewards API:  ${validatorNodes[0]}/epochs\nCtrl-C stops every role; run again to resume.\n`);

    const client: CoverageRewardsClient = clientFor(rpcUrl, Keypair.generate(), wsUrl);
    const config = await client.fetchConfig();
    const owners = new Map<string, { owner: string; rewardAccount: PublicKey }>();
    for (const h of await client.allHotspots()) owners.set(h.deviceKey.toBase58(), { owner: h.owner.toBase58(), rewardAccount: h.rewardAccount });
    let reported = Number(config.nextEpoch);
    let stopping = false;
    const genesisMs = Number(config.genesisUnixTime) * 1000;
    const epochMs = Number(config.epochLengthSeconds) * 1000;

    const progress = setInterval(() => {
      void (async () => {
        try {
          const [chain, validator] = await Promise.all([
            client.fetchConfig(),
            fetch(`${validatorNodes[0]}/status`).then((r) => r.json() as Promise<{ peers: number; ingest: { accepted: Record<string, number> } }>),
          ]);
          const now = Date.now();
          const epoch = Math.floor((now - genesisMs) / epochMs);
          const line = `epoch ${epoch} ends in ${bar((genesisMs + (epoch + 1) * epochMs - now) / 1000)} | finalized ${chain.nextEpoch} | peers ${validator.peers} | beacons ${validator.ingest.accepted.beaconCommit ?? 0} | witness reports ${validator.ingest.accepted.witnessReport ?? 0} | minted ${(Number(chain.totalMinted) / 1e6).toFixed(2)} tokens`;
          if (status) status.write(`\r\x1b[2K${line}`);
          else if (Math.floor(now / 1000) % 10 === 0) console.log(line);
          // One report at a time: a report waits for the crank, longer than this 1 s tick.
          if (!reporting) {
            reporting = true;
            try {
              while (!stopping && reported < Number(chain.nextEpoch)) {
                await reportEpoch(reported);
                reported++;
              }
            } finally {
              reporting = false;
            }
          }
        } catch {
          // A role restarting or the ledger busy: the next tick tries again.
        }
      })();
    }, 1_000);

    /** After each finalized epoch: its top hotspots and what they hold on chain. */
    let reporting = false;
    async function reportEpoch(epoch: number): Promise<void> {
      const response = await fetch(`${validatorNodes[0]}/epochs/${epoch}`);
      // Epochs with nothing to pay (e.g. the ones a resumed network catches up on) get no report.
      if (!response.ok) return;
      const summary = (await response.json()) as { root?: string; emitted?: string; beaconOutcomes?: { valid: number }; witnessOutcomes?: { valid: number } };
      if (summary.emitted === undefined || summary.emitted === "0") return;
      const rows: Array<{ hotspot: string; earned: bigint; cumulative: bigint; onChain: bigint }> = [];
      for (const hotspot of owners.keys()) {
        const reward = await fetch(`${validatorNodes[0]}/epochs/${epoch}/rewards/${hotspot}`);
        if (!reward.ok) continue;
        const cumulative = BigInt(((await reward.json()) as { cumulativeAmount: string }).cumulativeAmount);
        const before = epoch > 0 ? await fetch(`${validatorNodes[0]}/epochs/${epoch - 1}/rewards/${hotspot}`) : undefined;
        const previous = before?.ok ? BigInt(((await before.json()) as { cumulativeAmount: string }).cumulativeAmount) : 0n;
        rows.push({ hotspot, earned: cumulative - previous, cumulative, onChain: 0n });
      }
      rows.sort((a, b) => (b.earned > a.earned ? 1 : b.earned < a.earned ? -1 : 0));
      // Validator 0 runs the crank: give it a few seconds to pay before reading balances.
      const top = rows.slice(0, 5);
      for (let attempt = 0; attempt < CRANK_WAIT_ATTEMPTS; attempt++) {
        for (const row of top) {
          row.onChain = await connection.getTokenAccountBalance(owners.get(row.hotspot)!.rewardAccount).then((b) => BigInt(b.value.amount), () => 0n);
        }
        if (top.every((row) => row.onChain >= row.cumulative) || stopping) break;
        await new Promise((r) => setTimeout(r, 1_000));
      }
      say(`epoch ${epoch} finalized on chain: root ${summary.root?.slice(0, 16)}…, ${summary.beaconOutcomes?.valid ?? 0} valid beacons, ${summary.witnessOutcomes?.valid ?? 0} valid witness reports, ${(Number(summary.emitted ?? 0) / 1e6).toFixed(2)} tokens`);
      for (const row of top) {
        say(`  ${row.hotspot.slice(0, 12)}…  +${(Number(row.earned) / 1e6).toFixed(3)} this epoch, ${(Number(row.cumulative) / 1e6).toFixed(3)} total, ${(Number(row.onChain) / 1e6).toFixed(3)} in the owner's token account`);
      }
    }

    let failureCheck: NodeJS.Timeout | undefined;
    const signal = await Promise.race([
      interrupted,
      new Promise<string>((resolveFailure) => {
        failureCheck = setInterval(() => failed && resolveFailure("a role failed"), 500);
      }),
    ]);
    stopping = true;
    clearInterval(failureCheck);
    clearInterval(progress);
    await stop(signal);
    if (failed) process.exitCode = 1;
  } catch (err) {
    say(`error: ${(err as Error).message}`);
    await supervisor.stopAll();
    process.exitCode = 1;
  }
  // web3.js keeps its PubSub websocket open after use; every role has stopped, so exit now.
  process.exit(process.exitCode ?? 0);
}
