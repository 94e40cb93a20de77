/**
 * The few facts the pipeline needs from a crate's Cargo.toml: library name, source path,
 * edition and the release profile's overflow checks. A line-based reader of the TOML subset
 * Cargo.toml files use for these keys (`key = "value"` / `key = true` under a [table]).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CrateNotFoundError } from "./errors.js";

export interface CrateInfo {
  readonly dir: string;
  /** Rust crate name of the library target (`[lib] name`, else the package name with `_`). */
  readonly libName: string;
  /** Library source relative to `dir` (rustc runs in `dir`, so panic paths stay relative). */
  readonly libPath: string;
  readonly edition: string;
  /** `[profile.release] overflow-checks`, which `cargo build-sbf` would honour too. */
  readonly overflowChecks: boolean;
}

/** Editions rustc 1.63 knows. */
const EDITIONS = new Set(["2015", "2018", "2021"]);

function parseTables(text: string): Map<string, Map<string, string>> {
  const tables = new Map<string, Map<string, string>>();
  let current = new Map<string, string>();
  tables.set("", current);
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\s+#.*$/, "").trim();
    if (line === "" || line.startsWith("#")) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header !== null) {
      current = tables.get(header[1]!.trim()) ?? new Map<string, string>();
      tables.set(header[1]!.trim(), current);
      continue;
    }
    const pair = /^([\w-]+)\s*=\s*(.+)$/.exec(line);
    if (pair !== null) current.set(pair[1]!, pair[2]!.replace(/^"(.*)"$/, "$1"));
  }
  return tables;
}

export function readCrate(dir: string): CrateInfo {
  const manifest = join(dir, "Cargo.toml");
  if (!existsSync(manifest)) throw new CrateNotFoundError(dir, "no Cargo.toml");
  const tables = parseTables(readFileSync(manifest, "utf8"));
  const pkg = tables.get("package");
  const lib = tables.get("lib");
  const packageName = pkg?.get("name");
  const libName = lib?.get("name") ?? packageName?.replaceAll("-", "_");
  if (libName === undefined) throw new CrateNotFoundError(dir, "Cargo.toml names no package or lib");
  const libPath = lib?.get("path") ?? "src/lib.rs";
  if (!existsSync(join(dir, libPath))) throw new CrateNotFoundError(dir, `library source ${libPath} is missing`);
  const edition = pkg?.get("edition") ?? "2015";
  if (!EDITIONS.has(edition)) throw new CrateNotFoundError(dir, `edition ${edition} is newer than rustc 1.63 knows`);
  const overflowChecks = tables.get("profile.release")?.get("overflow-checks") === "true";
  return { dir, libName, libPath, edition, overflowChecks };
}
