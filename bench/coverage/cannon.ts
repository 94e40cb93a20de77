/**
 * Load generator child process for bench/coverage/load.ts: runs autocannon's programmatic API
 * against the coverage server, cycling through a list of request paths, and prints one JSON line
 * with the result. Run by load.ts; on its own:
 *   node --import tsx bench/coverage/cannon.ts <config.json>
 * config: { url, paths: string[], connections, durationS, pipelining? }
 */
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

interface CannonConfig {
  readonly url: string;
  readonly paths: readonly string[];
  readonly connections: number;
  readonly durationS: number;
  readonly pipelining?: number;
}

const config = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as CannonConfig;
let next = 0;
const result = await autocannon({
  url: config.url,
  connections: config.connections,
  duration: config.durationS,
  pipelining: config.pipelining ?? 1,
  requests: [
    {
      setupRequest: (req: { path?: string }) => {
        req.path = config.paths[next++ % config.paths.length]!;
        return req;
      },
    },
  ],
});
const { requests, latency, throughput, errors, timeouts, non2xx } = result;
console.log(
  JSON.stringify({
    requestsPerSecond: requests.average,
    totalRequests: requests.total,
    latencyMs: { p50: latency.p50, p90: latency.p90, p99: latency.p99, max: latency.max, mean: latency.average },
    bytesPerSecond: throughput.average,
    errors,
    timeouts,
    non2xx,
  }),
);
