#!/usr/bin/env -S npx tsx
/**
 * Writes idl/coverage_rewards.json, the Anchor IDL (spec 0.1.0, Anchor 0.30+ format) of the
 * hand-written coverage_rewards program. The object is typed as Anchor's `Idl`, so tsc checks it
 * is a valid IDL for @coral-xyz/anchor's Program; errors are read from src/error.rs and every
 * discriminator is computed here from its sha256 preimage. The crate's tests
 * (src/tests.rs, mod idl) check the JSON against the program's constants.
 *
 *   npx tsx programs/coverage-rewards/idl/generate.ts          regenerate
 *   npx tsx programs/coverage-rewards/idl/generate.ts --check  exit 1 if the committed file differs
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Idl } from "@coral-xyz/anchor";

// Anchor's package root exports only `Idl`; the parts are derived from it.
type IdlInstruction = Idl["instructions"][number];
type IdlField = IdlInstruction["args"][number];
type IdlType = IdlField["type"];
type IdlInstructionAccount = Exclude<IdlInstruction["accounts"][number], { accounts: unknown }>;
type IdlPda = NonNullable<IdlInstructionAccount["pda"]>;
type IdlTypeDef = NonNullable<Idl["types"]>[number];

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = join(HERE, "coverage_rewards.json");
const ERRORS_RS = join(HERE, "..", "src", "error.rs");
/** Public key of programs/coverage-rewards/program-keypair.json (also keys::PROGRAM_ID). */
const PROGRAM_ID = "HPbnip2Vy7NGH73cHkrbwwABAW72h7cWxvZsPLXZaH5n";
/** Discriminators are the first 8 bytes of sha256 of "<namespace>:<name>" (Anchor's rule). */
const DISCRIMINATOR_LEN = 8;

const d = (s: string): number[] => [...createHash("sha256").update(s).digest().subarray(0, DISCRIMINATOR_LEN)];
const bytes = (s: string): number[] => [...Buffer.from(s)];
/** SPL Token and System program ids (keys.rs). */
const TOKEN = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
const SYSTEM = "11111111111111111111111111111111";
/** sha256 output size: Merkle roots and proof nodes. */
const HASH_LEN = 32;
/** state/config.rs MAX_VALIDATORS: fixed-size validator and vote arrays. */
const MAX_VALIDATORS = 16;
const configPda: IdlPda = { seeds: [{ kind: "const", value: bytes("config") }] };
const mintAuthPda: IdlPda = { seeds: [{ kind: "const", value: bytes("mint_authority") }] };
const ix = (name: string, docs: string[], accounts: IdlInstructionAccount[], args: IdlField[]): IdlInstruction => ({
  name,
  docs,
  discriminator: d(`global:${name}`),
  accounts,
  args,
});
const f = (name: string, type: IdlType, docs?: string): IdlField => (docs ? { name, docs: [docs], type } : { name, type });
const hotspotArgs: IdlField[] = [
  f("location", "u64", "H3 cell index at resolution 12"),
  f("gain_dbi_x10", "i16", "Antenna gain in tenths of dBi (-100..=300)"),
  f("elevation_m", "i32", "Antenna elevation above ground in metres (-500..=10000)"),
];
const instructions: IdlInstruction[] = [
  ix("claim", ["Mints cumulative_amount - hotspot.claimed to the owner's associated token account after checking the Merkle proof against a finalized epoch's root. Anyone may send it."], [
    { name: "config", writable: true, pda: configPda },
    { name: "hotspot", writable: true, docs: ["Hotspot PDA [\"hotspot\", device key]"] },
    { name: "epoch_account", docs: ["A finalized Epoch, PDA [\"epoch\", epoch u64 LE]"], pda: { seeds: [{ kind: "const", value: bytes("epoch") }, { kind: "arg", path: "epoch" }] } },
    { name: "mint", writable: true, docs: ["The reward mint (config.mint)"] },
    { name: "destination", writable: true, docs: ["hotspot.reward_account: the owner's associated token account for the mint"] },
    { name: "mint_authority", pda: mintAuthPda },
    { name: "token_program", address: TOKEN },
  ], [f("epoch", "u64"), f("cumulative_amount", "u64"), f("leaf_index", "u64", "Position of the leaf; leaves are sorted by device key"), f("proof", { vec: { array: ["u8", HASH_LEN] } }, "Sibling hashes, leaf level first; levels where the node is promoted have none")]),
  ix("initialize", ["Creates the Config. The mint's mint authority must be the mint_authority PDA."], [
    { name: "admin", writable: true, signer: true },
    { name: "config", writable: true, pda: configPda },
    { name: "mint" },
    { name: "mint_authority", pda: mintAuthPda },
    { name: "system_program", address: SYSTEM },
  ], [f("epoch_length_seconds", "u64"), f("genesis_unix_time", "i64"), f("emission_per_epoch", "u64")]),
  ix("register_hotspot", ["Onboards a hotspot; owner and device key both sign. Stores the owner's associated token account as reward_account."], [
    { name: "owner", writable: true, signer: true },
    { name: "device", signer: true },
    { name: "hotspot", writable: true, pda: { seeds: [{ kind: "const", value: bytes("hotspot") }, { kind: "account", path: "device" }] } },
    { name: "config", pda: configPda },
    { name: "system_program", address: SYSTEM },
  ], hotspotArgs),
  ix("set_validators", ["Replaces the validator set (1-16 distinct keys). quorum 0 selects ceil(2n/3)."], [
    { name: "admin", signer: true },
    { name: "config", writable: true, pda: configPda },
  ], [f("validators", { vec: "pubkey" }), f("quorum", "u8")]),
  ix("submit_epoch", ["A validator's vote for the next epoch's reward tree; finalizes at quorum."], [
    { name: "validator", writable: true, signer: true },
    { name: "config", writable: true, pda: configPda },
    { name: "epoch_account", writable: true, pda: { seeds: [{ kind: "const", value: bytes("epoch") }, { kind: "arg", path: "epoch" }] } },
    { name: "system_program", address: SYSTEM },
  ], [f("epoch", "u64"), f("root", { array: ["u8", HASH_LEN] }), f("cumulative_total", "u64"), f("leaf_count", "u64")]),
  ix("update_location", ["The owner re-asserts location, gain and elevation; the replaced values become previous_*. At most once per 2 x epoch_length_seconds (since the last update or the registration)."], [
    { name: "owner", signer: true },
    { name: "hotspot", writable: true },
    { name: "config", pda: configPda },
  ], hotspotArgs),
];
const accounts = ["Config", "Epoch", "Hotspot"].map((name) => ({ name, discriminator: d(`account:${name}`) }));
const events = ["ConfigInitialized", "EpochFinalized", "HotspotRegistered", "LocationUpdated", "RewardsClaimed", "ValidatorsSet", "VoteRecorded"].map((name) => ({ name, discriminator: d(`event:${name}`) }));
// Errors straight from error.rs.
const src = readFileSync(ERRORS_RS, "utf8");
/** Anchor's ERROR_CODE_OFFSET, as in src/error.rs. */
const ERROR_CODE_OFFSET = 6000;
const errors = [...src.matchAll(/^\s+([A-Z][A-Za-z]+) = (\d+), "([^"]+)";/gm)].map((m) => ({
  code: ERROR_CODE_OFFSET + Number(m[2]),
  name: m[1] ?? "",
  msg: m[3] ?? "",
}));
const st = (name: string, fields: IdlField[], docs?: string[]): IdlTypeDef => ({
  name,
  ...(docs ? { docs } : {}),
  type: { kind: "struct", fields },
});
const pk: IdlType = "pubkey";
const types: IdlTypeDef[] = [
  st("Config", [f("version", "u8"), f("bump", "u8"), f("mint_authority_bump", "u8"), f("admin", pk), f("mint", pk), f("mint_authority", pk), f("epoch_length_seconds", "u64"), f("genesis_unix_time", "i64"), f("emission_per_epoch", "u64"), f("quorum", "u8"), f("validator_count", "u8"), f("validators_version", "u32"), f("validators", { array: [pk, MAX_VALIDATORS] }, "First validator_count entries are active"), f("next_epoch", "u64", "Epochs 0..next_epoch are finalized; votes go to next_epoch"), f("total_minted", "u64"), f("finalized_cumulative_total", "u64")], ["PDA [\"config\"], 673 bytes"]),
  st("ConfigInitialized", [f("admin", pk), f("mint", pk), f("mint_authority", pk), f("epoch_length_seconds", "u64"), f("genesis_unix_time", "i64"), f("emission_per_epoch", "u64")]),
  st("Epoch", [f("version", "u8"), f("bump", "u8"), f("epoch", "u64"), f("status", { defined: { name: "EpochStatus" } }), f("validators_version", "u32"), f("vote_count", "u8"), f("votes", { array: [{ defined: { name: "Vote" } }, MAX_VALIDATORS] }), f("finalized_root", { array: ["u8", HASH_LEN] }), f("finalized_cumulative_total", "u64"), f("finalized_leaf_count", "u64"), f("finalized_at", "i64")], ["PDA [\"epoch\", epoch u64 LE], 864 bytes"]),
  st("EpochFinalized", [f("epoch", "u64"), f("root", { array: ["u8", HASH_LEN] }), f("cumulative_total", "u64"), f("leaf_count", "u64"), f("finalized_at", "i64")]),
  { name: "EpochStatus", type: { kind: "enum", variants: [{ name: "Voting" }, { name: "Finalized" }] } },
  st("Hotspot", [f("version", "u8"), f("bump", "u8"), f("owner", pk), f("device_key", pk), f("location", "u64"), f("gain_dbi_x10", "i16"), f("elevation_m", "i32"), f("claimed", "u64"), f("reward_account", pk), f("registered_at", "i64", "Clock unix time of register_hotspot"), f("location_updated_at", "i64", "Unix time the current location took effect (registered_at until the first update)"), f("previous_location", "u64", "Location in force before location_updated_at"), f("previous_gain_dbi_x10", "i16"), f("previous_elevation_m", "i32")], ["PDA [\"hotspot\", device key], 158 bytes, layout version 2"]),
  st("HotspotRegistered", [f("device_key", pk), f("owner", pk), f("location", "u64"), f("gain_dbi_x10", "i16"), f("elevation_m", "i32")]),
  st("LocationUpdated", [f("device_key", pk), f("location", "u64"), f("gain_dbi_x10", "i16"), f("elevation_m", "i32")]),
  st("RewardsClaimed", [f("device_key", pk), f("owner", pk), f("epoch", "u64"), f("amount", "u64"), f("cumulative_amount", "u64")]),
  st("ValidatorsSet", [f("validators_version", "u32"), f("validator_count", "u8"), f("quorum", "u8")]),
  st("Vote", [f("validator_index", "u8"), f("root", { array: ["u8", HASH_LEN] }), f("cumulative_total", "u64"), f("leaf_count", "u64")]),
  st("VoteRecorded", [f("epoch", "u64"), f("validator", pk), f("root", { array: ["u8", HASH_LEN] }), f("cumulative_total", "u64"), f("leaf_count", "u64"), f("agreeing_votes", "u8")]),
];
const idl: Idl = {
  address: PROGRAM_ID,
  metadata: { name: "coverage_rewards", version: "0.1.0", spec: "0.1.0", description: "Hexcover coverage rewards: validator quorum on epoch reward roots, Merkle-proof claims (hand-written program, Anchor-compatible wire format)" },
  instructions, accounts, events, errors, types,
};
/** JSON with 2-space indentation, but number arrays and [type, length] pairs on one line. */
function render(value: Idl): string {
  let json = JSON.stringify(value, null, 2);
  json = json.replace(/\[\s+(-?\d+(?:,\s+-?\d+)*)\s+\]/g, (_m, inner: string) => `[${inner.split(/,\s+/).join(", ")}]`);
  json = json.replace(/\[\s+("[a-z0-9]+"|\{[^{}[\]]*\}),\s+(\d+)\s+\]/g, "[$1, $2]");
  return `${json}\n`;
}

const text = render(idl);
if (process.argv.includes("--check")) {
  if (readFileSync(OUT, "utf8") !== text) {
    console.error(`${OUT} is stale: run npx tsx programs/coverage-rewards/idl/generate.ts`);
    process.exitCode = 1;
  } else {
    console.log(`${OUT} is up to date (${errors.length} errors)`);
  }
} else {
  writeFileSync(OUT, text);
  console.log(`wrote ${OUT} (${instructions.length} instructions, ${errors.length} errors)`);
}
