import { readFile } from "node:fs/promises";
import { parseArgs, type ParseArgsConfig } from "node:util";

/** A user error in flags or config: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  readonly code = "ERR_USAGE";
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * node:util's parseArgs reads "--lng -122.4" as a flag missing its value; coordinates are
 * negative half the time, so "--flag -<number>" is joined into "--flag=-<number>" first.
 */
function joinNegativeNumbers(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (arg.startsWith("--") && !arg.includes("=") && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** parseArgs with our error type; unknown flags are errors, not silently ignored. */
export function parseFlags<T extends Options>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs({ args: joinNegativeNumbers(argv), options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${usage}`);
  }
}

export function numberFlag(name: string, value: string | undefined, fallback: number, min = -Infinity, max = Infinity): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number in [${min}, ${max}], got ${JSON.stringify(value)}`);
  return n;
}

/** Reads a JSON config file; a missing file is an empty config, a malformed one is an error. */
export async function readJsonConfig(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw err;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new UsageError(`config ${path} is not a JSON object: ${(err as Error).message}`);
  }
}

export function listFlag(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v.length > 0);
}

/** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handler = (signal: NodeJS.Signals) => {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
      resolve(signal);
    };
    process.on("SIGINT", handler);
    process.on("SIGTERM", handler);
  });
}

type FlagValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/**
 * A setting from, in order: the flag, the config file under the flag's camelCase name
 * ("--beacon-interval-s" → "beaconIntervalS"), or undefined for the caller's default.
 */
export function configSetting(flags: FlagValues, config: Record<string, unknown>, flag: string): string | undefined {
  const fromFlag = flags[flag];
  if (typeof fromFlag === "string") return fromFlag;
  const value = config[flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())];
  return value === undefined || value === null ? undefined : String(value);
}

/** A list setting: the (repeatable, comma-separated) flag, else the config file's array or string. */
export function configListSetting(flags: FlagValues, config: Record<string, unknown>, flag: string): string[] {
  const fromFlag = listFlag(flags[flag] as string[] | undefined);
  if (fromFlag.length > 0) return fromFlag;
  const value = config[flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())];
  return Array.isArray(value) ? value.map(String) : listFlag(typeof value === "string" ? value : undefined);
}
