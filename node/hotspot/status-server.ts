import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, Gauge, Registry } from "prom-client";
import { encodeAddress } from "../../protocol/index.js";
import type { HexcoverGossip } from "../p2p/index.js";
import type { HexcoverHost } from "../p2p/index.js";
import type { HotspotDaemon } from "./daemon.js";

export interface HotspotStatus {
  readonly address: string;
  readonly peerId: string;
  readonly listen: string[];
  readonly radio: string;
  readonly peers: number;
  readonly latestEntropyAgeMs: number | null;
  readonly counters: HotspotDaemon["counters"];
  readonly gossip: HexcoverGossip["counters"];
  readonly rounds: { observed: number; witnessChecks: HotspotDaemon["observer"]["checks"] };
}

export function hotspotStatus(daemon: HotspotDaemon, host: HexcoverHost, gossip: HexcoverGossip, radioKind: string): HotspotStatus {
  const entropy = daemon.latestEntropy;
  return {
    address: encodeAddress(daemon.publicKey),
    peerId: host.peerId.toString(),
    listen: host.getMultiaddrs().map(String),
    radio: radioKind,
    peers: host.getPeers().length,
    latestEntropyAgeMs: entropy === undefined ? null : Date.now() - entropy.message.timestampMs,
    counters: daemon.counters,
    gossip: gossip.counters,
    rounds: { observed: daemon.observer.rounds.size, witnessChecks: daemon.observer.checks },
  };
}

/**
 * Prometheus metrics for one hotspot, in their own registry (several hotspots may share a
 * process in tests). Values are read from the daemon's counters at scrape time.
 */
export function hotspotMetrics(daemon: HotspotDaemon, host: HexcoverHost, gossip: HexcoverGossip): Registry {
  const registry = new Registry();
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  counter("hexcover_hotspot_beacons_sent_total", "Beacons committed and transmitted", () => daemon.counters.beaconsSent);
  counter("hexcover_hotspot_witnesses_sent_total", "Witness reports published", () => daemon.counters.witnessesSent);
  counter("hexcover_hotspot_reveals_sent_total", "Beacon reveals published", () => daemon.counters.revealsSent);
  new Counter({
    name: "hexcover_hotspot_beacons_skipped_total",
    help: "Beacon windows skipped, by reason",
    labelNames: ["reason"],
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, n] of Object.entries(daemon.counters.beaconsSkipped)) this.inc({ reason }, n);
    },
  });
  new Counter({
    name: "hexcover_gossip_rejected_total",
    help: "Gossip messages rejected by topic validators, by error code",
    labelNames: ["code"],
    registers: [registry],
    collect() {
      this.reset();
      for (const [code, n] of Object.entries(gossip.counters.rejected)) this.inc({ code }, n);
    },
  });
  new Counter({
    name: "hexcover_gossip_ignored_total",
    help: "Gossip messages ignored without penalizing the sender (stale, overloaded, ...), by code",
    labelNames: ["code"],
    registers: [registry],
    collect() {
      this.reset();
      for (const [code, n] of Object.entries(gossip.counters.ignored)) this.inc({ code }, n);
    },
  });
  counter("hexcover_gossip_accepted_total", "Gossip messages accepted", () => gossip.counters.accepted);
  // A hotspot's witness reports go to validators only: these show reports that found none.
  counter("hexcover_gossip_publish_expired_total", "Own messages dropped after waiting 60 s for a peer that takes their topic", () => gossip.counters.publishExpired);
  new Gauge({
    name: "hexcover_gossip_held_for_subscribers",
    help: "Own messages waiting for a peer that takes their topic (e.g. witness reports before a validator is connected)",
    registers: [registry],
    collect() {
      this.set(gossip.heldForSubscribers);
    },
  });
  new Gauge({
    name: "hexcover_peers",
    help: "Connected libp2p peers",
    registers: [registry],
    collect() {
      this.set(host.getPeers().length);
    },
  });
  return registry;
}

/** Serves GET /metrics (Prometheus text) and GET /status (JSON) on 127.0.0.1 by default. */
export async function startStatusServer(
  port: number,
  registry: Registry,
  status: () => unknown,
  host = "127.0.0.1",
): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET") {
      res.writeHead(405, { allow: "GET" }).end();
      return;
    }
    if (path === "/metrics") {
      registry
        .metrics()
        .then((text) => res.writeHead(200, { "content-type": registry.contentType }).end(text))
        .catch((err: Error) => res.writeHead(500).end(err.message));
      return;
    }
    if (path === "/status") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(status()));
      return;
    }
    res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "not found" }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    server,
    url: `http://${host}:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
