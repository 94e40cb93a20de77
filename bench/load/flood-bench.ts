/**
 * Flood benchmark: the setup of tests/load/flood.test.ts (a real validator process, 3 honest
 * peers at the normal rate of 60 messages/s, Sybil attackers making up the rest with 5 of every 9
 * messages invalid) at several flood factors, printing what arrived, what the validator judged
 * per second, memory and how long it took to drain after the flood.
 *
 *   npx tsx bench/load/flood-bench.ts [--factors 10,20,40] [--seconds 20]
 *
 * Figures depend on the machine and its load; the load average is printed with each run.
 */
import os from "node:os";
import { parseArgs } from "node:util";
import { machineLine } from "../machine.js";
import { runFlood } from "../../tests/load/flood-harness.js";

/** The default local network's rate (tests/load/flood.test.ts derives and checks it). */
const NORMAL_RATE = 60;
const HONEST_PEERS = 3;
const ATTACKERS = 4;

const { values } = parseArgs({ options: { factors: { type: "string", default: "10,20,40" }, seconds: { type: "string", default: "20" } } });
const factors = values.factors.split(",").map(Number);
const seconds = Number(values.seconds);
const mb = (n: number) => (n / 1024 / 1024).toFixed(0);

console.log(`machine: ${machineLine()}, ${os.platform()} ${os.release()}`);
console.log(`command: npx tsx bench/load/flood-bench.ts --factors ${factors.join(",")} --seconds ${seconds}`);
console.log("| factor | published/s | arrived/s | judged/s | stored/s | honest lost | pending max | shed (overload) | attacker ids | RSS rest→max MB | heap max MB | drain s | load avg |");
console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const factor of factors) {
  let cleanup: (() => Promise<void>) | undefined;
  try {
    const load = os.loadavg()[0]!.toFixed(1);
    const run = await runFlood(
      { honestRate: NORMAL_RATE, honestPeers: HONEST_PEERS, attackerRate: NORMAL_RATE * (factor - 1), attackers: ATTACKERS, durationMs: seconds * 1000, epochSeconds: 3_600 },
      (started) => {
        cleanup = started.cleanup;
      },
    );
    const identities = run.attackers.flatMap((a) => a.identities);
    const honestSent = run.honest.reduce((n, h) => n + h.sent, 0);
    const published = honestSent + identities.reduce((n, i) => n + i.sent.length, 0);
    const arrived = honestSent + identities.reduce((n, i) => n + i.sent.filter((e) => e.toValidator !== false).length, 0);
    const judged = Object.values(run.records).reduce((n, list) => n + list.length, 0);
    const lost = [...run.honestIds].filter((id) => !run.storedIds.has(id)).length;
    const rssMax = Math.max(...run.rssSamples, run.final.memory.rssMax);
    const heapMax = Math.max(run.final.memory.heapUsedMax, ...run.during.map((s) => s.memory.heapUsedMax));
    const f = (n: number) => (n / run.floodSeconds).toFixed(0);
    console.log(
      `| ${factor}× | ${f(published)} | ${f(arrived)} | ${f(judged)} | ${f(run.storedIds.size)} | ${lost} | ${run.final.pendingHighWater} | ${run.final.ingest.ignored["ERR_OVERLOADED"] ?? 0} | ${identities.length} | ${mb(run.baseline.memory.rss)}→${mb(rssMax)} | ${mb(heapMax)} | ${run.drainSeconds.toFixed(1)} | ${load}→${os.loadavg()[0]!.toFixed(1)} |`,
    );
  } finally {
    await cleanup?.();
  }
}
// Stopped libp2p hosts can leave timers behind for a while; the figures are printed, so leave.
process.exit(0);
