/**
 * One process of the gossip benchmark, started by bench.ts with an IPC channel:
 *
 *   hotspots  N hotspot daemons (libp2p host + HexcoverGossip + SimRadio + HotspotDaemon each),
 *             as tests/support/local-network.ts builds them, and the synthetic load generator
 *   entropy   a validator's entropy role: libp2p host, gossip, EpochStore and EntropyPublisher
 *   observer  a node subscribed to every topic that timestamps each message it accepts
 *
 * Usage (by bench.ts only): node --import tsx bench/gossip/child.ts <role>
 */
import { randomBytes, randomInt } from "node:crypto";
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { multiaddr } from "@multiformats/multiaddr";
import { mapLimit } from "../../cli/network.js";
import { createHexcoverHost, HOTSPOT_GOSSIP_KINDS, type HexcoverHost, HexcoverGossip, HotspotDaemon, PublishQueueFullError, SimRadio } from "../../node/index.js";
import {
  beaconPayloadHash,
  dataRateByName,
  deriveBeaconPayload,
  Ed25519Keypair,
  MAX_PAYLOAD_BYTES,
  NONCE_BYTES,
  type SignedMessage,
  signMessage,
  witnessProof,
} from "../../protocol/index.js";
import { EntropyPublisher, EpochStore } from "../../validator/index.js";
import { LOAD_FREQUENCY_HZ, type LatencySummary, serveRequests, type StepWindow, stepOf, summarize } from "./shared.js";

/** Load generator tick: at 1,600 msg/s per process this is 16 messages per tick. */
const LOAD_TICK_MS = 10;
/** Hosts started at once in one process: each start costs a few ms of CPU (keys, listeners). */
const START_CONCURRENCY = 5;
/** SF7BW125, the daemons' default data rate, for the synthetic load too. */
const LOAD_DATA_RATE = dataRateByName("SF7BW125")!.code;
/** Plausible mid-range link figures for synthetic reports (−100 dBm, +5 dB), in tenths. */
const LOAD_RSSI_DECI_DBM = -1000;
const LOAD_SNR_DECI_DB = 50;
/** 27 dBm (DEFAULT_TX_POWER_DBM) in tenths. */
const LOAD_TX_POWER_DECI_DBM = 270;

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

interface Node {
  keypair: Ed25519Keypair;
  host: HexcoverHost;
  gossip: HexcoverGossip;
  daemon?: HotspotDaemon;
}

const nodes: Node[] = [];
const steps: StepWindow[] = [];
let cleanup: Array<() => Promise<void>> = [];

/**
 * Set by the coordinator (--libp2p-ping-aborts keeps libp2p's behaviour). libp2p's connection
 * monitor pings every connection every 10 s over /ipfs/ping/1.0.0, whose handler allows one
 * outbound stream per connection; when a ping is still open 10 s later (a starved event loop on
 * an overloaded machine), the next one fails with TooManyOutboundProtocolStreamsError and the
 * monitor aborts the connection. On this shared 2-core machine that tore down a third of the mesh
 * within a minute, so by default the benchmark keeps the pings but not the aborts
 * (HostOptions.abortConnectionOnPingFailure).
 */
const keepPingAborts = process.env.HEXCOVER_BENCH_PING_ABORTS === "1";
/** --relay-reports: hotspots subscribe to every topic instead of HOTSPOT_GOSSIP_KINDS. */
const hotspotsRelayReports = process.env.HEXCOVER_BENCH_RELAY_REPORTS === "1";
/** This child's role (bench.ts passes it as the only argument). */
const role = process.argv[2];


async function newNode(bootstrap: readonly string[], keypair = Ed25519Keypair.generate()): Promise<Node> {
  const host = await createHexcoverHost({ keypair, bootstrap, abortConnectionOnPingFailure: keepPingAborts });
  const gossip = new HexcoverGossip(host);
  // The entropy (validator) and observer roles take every topic; hotspots as `hexcover hotspot run`.
  gossip.start(role === "hotspots" && !hotspotsRelayReports ? HOTSPOT_GOSSIP_KINDS : undefined);
  const node: Node = { keypair, host, gossip };
  nodes.push(node);
  return node;
}

/** Dials the given multiaddrs from node i (a random graph, as DHT discovery would give). */
async function dial(args: { targets: string[][] }): Promise<{ failed: number }> {
  let failed = 0;
  await Promise.all(
    args.targets.map((list, i) =>
      Promise.all(
        list.map((addr) =>
          nodes[i]!.host.dial(multiaddr(addr)).then(
            () => undefined,
            () => {
              failed++;
            },
          ),
        ),
      ),
    ),
  );
  return { failed };
}

function status() {
  return {
    nodes: nodes.length,
    minTopicPeers: Math.min(...nodes.map((n) => n.gossip.topicPeers("beaconCommit"))),
    minReportSubscribers: Math.min(...nodes.map((n) => n.gossip.topicPeers("witnessReport"))),
    minConnections: Math.min(...nodes.map((n) => n.host.getConnections().length)),
    topicPeers: nodes.map((n) => n.gossip.topicPeers("beaconCommit")),
    reportSubscribers: nodes.map((n) => n.gossip.topicPeers("witnessReport")),
    connections: nodes.map((n) => n.host.getConnections().length),
    withEntropy: nodes.filter((n) => n.daemon?.latestEntropy !== undefined).length,
    rejected: nodes.reduce<Record<string, number>>((acc, n) => {
      for (const [code, count] of Object.entries(n.gossip.counters.rejected)) acc[code] = (acc[code] ?? 0) + count;
      return acc;
    }, {}),
  };
}

function cpu() {
  const u = process.cpuUsage();
  return { cpuMs: (u.user + u.system) / 1000, at: Date.now() };
}

async function stopAll(): Promise<void> {
  for (const fn of cleanup) await fn().catch(() => {});
  cleanup = [];
  for (const n of nodes) {
    if (n.daemon !== undefined) await n.daemon.stop().catch(() => {});
    n.gossip.stop();
    await Promise.resolve(n.host.stop()).catch(() => {});
  }
}

/**
 * HEXCOVER_BENCH_CPU_PROF=<dir>: each child records a V8 CPU profile from start to stop and writes
 * it to <dir>/<role>-<pid>.cpuprofile (open in Chrome DevTools). For profile-guided work only.
 */
const profileDir = process.env.HEXCOVER_BENCH_CPU_PROF;
const profiler = profileDir === undefined ? undefined : new Session();
if (profiler !== undefined) {
  profiler.connect();
  profiler.post("Profiler.enable");
  profiler.post("Profiler.start");
}

async function writeProfile(): Promise<void> {
  if (profiler === undefined || profileDir === undefined) return;
  const { profile } = await new Promise<{ profile: object }>((resolve, reject) =>
    profiler.post("Profiler.stop", (err, result) => (err === null ? resolve(result) : reject(err))),
  );
  writeFileSync(join(profileDir, `${role}-${process.pid}.cpuprofile`), JSON.stringify(profile));
}

const common = {
  dial,
  status,
  cpu,
  async stop() {
    await writeProfile();
    await stopAll();
    setImmediate(() => process.exit(0));
    return {};
  },
};

// ---------------------------------------------------------------------------------------------
// hotspots

interface HotspotInit {
  sites: Array<{ lat: number; lng: number }>;
  brokerPort: number;
  bootstrap: string[];
  validatorKeyHex: string;
  beaconIntervalMs: number;
  beaconJitterMs: number;
  witnessWindowMs: number;
  entropyMaxAgeMs: number;
}

interface StepCounters {
  publishedReports: number;
  publishedCommits: number;
  queueFull: number;
  noEntropy: number;
  /** Load reports accepted by this process's hotspot nodes before the step's deadline. */
  meshAccepted: number;
  eventLoopP99Ms: number;
  maxQueued: number;
}

function hotspotRole(): void {
  const beaconTimes: number[] = [];
  const witnessTimes: number[] = [];
  const stepCounters = new Map<number, StepCounters>();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();

  const onLoadMessage = (signed: SignedMessage) => {
    const m = signed.message;
    if (m.kind !== "witnessReport" || m.frequencyHz !== LOAD_FREQUENCY_HZ) return;
    const step = stepOf(steps, m.rxTimeMs);
    if (step === undefined || Date.now() > step.deadline) return;
    stepCounters.get(step.index)!.meshAccepted++;
  };

  async function init(args: HotspotInit) {
    const validator = Buffer.from(args.validatorKeyHex, "hex");
    await mapLimit(args.sites, START_CONCURRENCY, async (site) => {
      const node = await newNode(args.bootstrap);
      const radio = new SimRadio({
        brokerPort: args.brokerPort,
        name: node.keypair.address,
        site: { position: { lat: site.lat, lng: site.lng }, antennaGainDbi: 3, elevationM: 10 },
      });
      const daemon = new HotspotDaemon({
        keypair: node.keypair,
        radio,
        gossip: node.gossip,
        beaconIntervalMs: args.beaconIntervalMs,
        beaconJitterMs: args.beaconJitterMs,
        witnessWindowMs: args.witnessWindowMs,
        entropyMaxAgeMs: args.entropyMaxAgeMs,
        trustedValidators: [new Uint8Array(validator)],
      });
      daemon.on("beacon", (commit) => beaconTimes.push(commit.message.txTimeMs));
      daemon.on("witness", (packet) => witnessTimes.push(Math.round(packet.rxTimeMs)));
      node.gossip.on("message", onLoadMessage);
      node.daemon = daemon;
    });
    return { addrs: nodes.map((n) => n.host.getMultiaddrs()[0]!.toString()) };
  }

  /** Daemons start (radio, entropy listener, beacon schedule) once the mesh is up. */
  async function startDaemons() {
    await Promise.all(nodes.map((n) => n.daemon!.start()));
    return {};
  }

  function realistic(args: { from: number; to: number }) {
    const inWindow = (t: number) => t >= args.from && t < args.to;
    return {
      commits: beaconTimes.filter(inWindow).length,
      witnesses: witnessTimes.filter(inWindow).length,
      skipped: nodes.reduce<Record<string, number>>((acc, n) => {
        for (const [reason, count] of Object.entries(n.daemon!.counters.beaconsSkipped)) acc[reason] = (acc[reason] ?? 0) + count;
        return acc;
      }, {}),
    };
  }

  /**
   * Publishes `rate × share` witness reports per second during the step window, spread evenly
   * over time. Each synthetic beacon is a commit from one local hotspot, derived from the entropy
   * its daemon holds (as HotspotDaemon.beacon derives it), followed by reports from up to
   * `witnessesPerBeacon` other local hotspots with real proofs, each published through the
   * witness's own gossip. Timestamps are the publish instant, so latency = receive − timestamp.
   */
  function step(args: { window: StepWindow; share: number; witnessesPerBeacon: number }) {
    const { window, share } = args;
    steps.push(window);
    const c: StepCounters = { publishedReports: 0, publishedCommits: 0, queueFull: 0, noEntropy: 0, meshAccepted: 0, eventLoopP99Ms: 0, maxQueued: 0 };
    stepCounters.set(window.index, c);
    const rate = window.ratePerSecond * share;
    const perBeacon = Math.max(1, Math.min(args.witnessesPerBeacon, nodes.length - 1));
    let beacon: { payload: Uint8Array; payloadHash: Uint8Array; witnesses: Node[]; next: number } | undefined;
    let sent = 0;
    let beaconer = randomInt(0, nodes.length);

    const publish = (node: Node, signed: SignedMessage): boolean => {
      try {
        node.gossip.publish(signed);
        return true;
      } catch (err) {
        if (err instanceof PublishQueueFullError) c.queueFull++;
        else throw err;
        return false;
      }
    };
    const newBeacon = (now: number): boolean => {
      const b = nodes[beaconer++ % nodes.length]!;
      const entropy = b.daemon!.latestEntropy;
      if (entropy === undefined) {
        c.noEntropy++;
        return false;
      }
      const payload = deriveBeaconPayload(entropy.id, b.keypair.publicKey, new Uint8Array(randomBytes(NONCE_BYTES)), MAX_PAYLOAD_BYTES);
      const payloadHash = beaconPayloadHash(payload);
      const commit = signMessage(
        {
          kind: "beaconCommit",
          hotspot: b.keypair.publicKey,
          entropyId: entropy.id,
          payloadHash,
          txTimeMs: now,
          frequencyHz: LOAD_FREQUENCY_HZ,
          dataRate: LOAD_DATA_RATE,
          txPowerDeciDbm: LOAD_TX_POWER_DECI_DBM,
        },
        b.keypair,
      );
      if (publish(b, commit)) c.publishedCommits++;
      const others = nodes.filter((n) => n !== b);
      // Partial Fisher-Yates: perBeacon distinct witnesses.
      for (let i = 0; i < perBeacon; i++) {
        const j = i + randomInt(0, others.length - i);
        [others[i], others[j]] = [others[j]!, others[i]!];
      }
      beacon = { payload, payloadHash, witnesses: others.slice(0, perBeacon), next: 0 };
      return true;
    };
    const publishReport = (now: number) => {
      if ((beacon === undefined || beacon.next >= beacon.witnesses.length) && !newBeacon(now)) return;
      const w = beacon!.witnesses[beacon!.next++]!;
      const report = signMessage(
        {
          kind: "witnessReport",
          witness: w.keypair.publicKey,
          payloadHash: beacon!.payloadHash,
          proof: witnessProof(beacon!.payload, w.keypair.publicKey),
          rssiDeciDbm: LOAD_RSSI_DECI_DBM - randomInt(0, 200),
          snrDeciDb: LOAD_SNR_DECI_DB - randomInt(0, 100),
          frequencyHz: LOAD_FREQUENCY_HZ,
          dataRate: LOAD_DATA_RATE,
          rxTimeMs: now,
        },
        w.keypair,
      );
      if (publish(w, report)) c.publishedReports++;
    };

    setTimeout(
      () => {
        loopDelay.reset();
        const timer = setInterval(() => {
          const now = Date.now();
          const due = Math.floor(((Math.min(now, window.endAt) - window.startAt) * rate) / 1000);
          while (sent < due) {
            publishReport(now);
            sent++;
          }
          c.maxQueued = Math.max(c.maxQueued, ...nodes.map((n) => n.gossip.queuedForPublish));
          if (now >= window.endAt) {
            clearInterval(timer);
            c.eventLoopP99Ms = loopDelay.percentile(99) / 1e6;
          }
        }, LOAD_TICK_MS);
        cleanup.push(async () => clearInterval(timer));
      },
      Math.max(0, window.startAt - Date.now()),
    );
    return {};
  }

  function stepResult(args: { index: number }): StepCounters {
    const c = stepCounters.get(args.index);
    if (c === undefined) throw new Error(`no step ${args.index}`);
    return c;
  }

  serveRequests({ ...common, init, startDaemons, realistic, step, stepResult });
}

// ---------------------------------------------------------------------------------------------
// entropy

function entropyRole(): void {
  let publisher: EntropyPublisher | undefined;
  async function init(args: { intervalMs: number }) {
    const keypair = Ed25519Keypair.generate();
    const node = await newNode([], keypair);
    const dir = await mkdtemp(join(tmpdir(), "hexcover-gossip-bench-entropy-"));
    const nowS = Math.floor(Date.now() / 1000);
    // Epoch numbering only matters for where the store files our entropy; one hour before now.
    const store = EpochStore.open({ path: dir, genesisSeconds: nowS - 3600, epochSeconds: 3600 });
    publisher = new EntropyPublisher({ keypair, store, publish: (signed) => node.gossip.publish(signed), intervalMs: args.intervalMs });
    cleanup.push(async () => {
      publisher?.stop();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    });
    return { addr: node.host.getMultiaddrs()[0]!.toString(), validatorKeyHex: hex(keypair.publicKey) };
  }
  function start() {
    publisher!.start();
    return {};
  }
  function published() {
    return { published: publisher?.published ?? 0 };
  }
  serveRequests({ ...common, init, start, published });
}

// ---------------------------------------------------------------------------------------------
// observer

function observerRole(): void {
  /** Real (daemon) traffic: commits by payload hash, reports in arrival order. */
  const commits = new Map<string, { txTimeMs: number; recvMs: number }>();
  const reports: Array<{ payloadHash: string; rxTimeMs: number; recvMs: number }> = [];
  const load = new Map<number, { reports: number[]; commits: number[]; lateReports: number; lateCommits: number }>();

  async function init(args: { bootstrap: string[] }) {
    const node = await newNode(args.bootstrap);
    node.gossip.on("message", (signed) => {
      const recvMs = Date.now();
      const m = signed.message;
      if (m.kind === "witnessReport") {
        if (m.frequencyHz !== LOAD_FREQUENCY_HZ) {
          reports.push({ payloadHash: hex(m.payloadHash), rxTimeMs: m.rxTimeMs, recvMs });
          return;
        }
        const step = stepOf(steps, m.rxTimeMs);
        if (step === undefined) return;
        const s = load.get(step.index)!;
        if (recvMs <= step.deadline) s.reports.push(recvMs - m.rxTimeMs);
        else s.lateReports++;
      } else if (m.kind === "beaconCommit") {
        if (m.frequencyHz !== LOAD_FREQUENCY_HZ) {
          commits.set(hex(m.payloadHash), { txTimeMs: m.txTimeMs, recvMs });
          return;
        }
        const step = stepOf(steps, m.txTimeMs);
        if (step === undefined) return;
        const s = load.get(step.index)!;
        if (recvMs <= step.deadline) s.commits.push(recvMs - m.txTimeMs);
        else s.lateCommits++;
      }
    });
    return { addr: node.host.getMultiaddrs()[0]!.toString() };
  }

  /**
   * Beacon-commit-to-witness-report latency for the daemons' own rounds: every report whose
   * rxTimeMs falls in [from, to), matched to its commit by payload hash.
   */
  function realistic(args: { from: number; to: number }) {
    const total: number[] = [];
    const radio: number[] = [];
    const gossip: number[] = [];
    const commitDelivery: number[] = [];
    let unmatched = 0;
    let received = 0;
    const perBeacon = new Map<string, number>();
    for (const r of reports) {
      if (r.rxTimeMs < args.from || r.rxTimeMs >= args.to) continue;
      received++;
      const commit = commits.get(r.payloadHash);
      if (commit === undefined) {
        unmatched++;
        continue;
      }
      total.push(r.recvMs - commit.txTimeMs);
      radio.push(r.rxTimeMs - commit.txTimeMs);
      gossip.push(r.recvMs - r.rxTimeMs);
      perBeacon.set(r.payloadHash, (perBeacon.get(r.payloadHash) ?? 0) + 1);
    }
    let commitsInWindow = 0;
    for (const c of commits.values()) {
      if (c.txTimeMs < args.from || c.txTimeMs >= args.to) continue;
      commitsInWindow++;
      commitDelivery.push(c.recvMs - c.txTimeMs);
    }
    const witnessCounts = [...perBeacon.values()];
    return {
      received,
      unmatched,
      commitsInWindow,
      beaconsWithReports: perBeacon.size,
      meanWitnesses: witnessCounts.length === 0 ? 0 : witnessCounts.reduce((a, b) => a + b, 0) / witnessCounts.length,
      total: summarize(total),
      radio: summarize(radio),
      gossip: summarize(gossip),
      commitDelivery: summarize(commitDelivery),
    };
  }

  function step(args: { window: StepWindow }) {
    steps.push(args.window);
    load.set(args.window.index, { reports: [], commits: [], lateReports: 0, lateCommits: 0 });
    return {};
  }

  function stepResult(args: { index: number }): { reports: LatencySummary; commits: LatencySummary; lateReports: number; lateCommits: number } {
    const s = load.get(args.index);
    if (s === undefined) throw new Error(`no step ${args.index}`);
    return { reports: summarize(s.reports), commits: summarize(s.commits), lateReports: s.lateReports, lateCommits: s.lateCommits };
  }

  serveRequests({ ...common, init, realistic, step, stepResult });
}

if (role === "hotspots") hotspotRole();
else if (role === "entropy") entropyRole();
else if (role === "observer") observerRole();
else {
  process.stderr.write(`unknown role ${role}\n`);
  process.exit(2);
}
process.send?.({ id: 0, ok: true, result: { ready: role } });
