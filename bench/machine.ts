import { cpus, totalmem } from "node:os";

/** One line naming the machine a benchmark ran on, for docs/BENCHMARKS.md. */
export function machineLine(): string {
  const cpu = cpus();
  return `${cpu.length} cores, ${cpu[0]?.model ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}
