/**
 * Mutation check of the on-chain security tests: builds copies of the program with one check
 * removed each, runs tests/programs/security against every copy (HEXCOVER_SECURITY_PROGRAM_SO)
 * and reports which tests fail. Every mutant must be killed; exit code 1 if one survives.
 *
 *   npx tsx tests/programs/security/mutants.ts            # needs the build toolchain (docs/BUILD-PROGRAM.md)
 *
 * Not part of CI (each mutant is a program build plus a test run, ≈ 1 minute on 2 cores).
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildProgram } from "../../../programs/build/pipeline.js";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const CRATE = join(REPO, "programs", "coverage-rewards");
/** Sequences for the model-based test per mutant (HEXCOVER_FUZZ_RUNS counts 100 per sequence). */
const FUZZ_RUNS = "3000";

interface Mutant {
  readonly name: string;
  readonly file: string;
  /** Exact source text removed from the file. */
  readonly remove: string;
}

const MUTANTS: readonly Mutant[] = [
  { name: "load() without the owner check", file: "src/state/mod.rs", remove: "    if !account.is_owned_by(program_id) {\n        return Err(Error::InvalidAccountOwner);\n    }\n" },
  { name: "claim without the ATA check", file: "src/instructions/claim/processor.rs", remove: "    if !key_eq(a.destination.key(), &hotspot.reward_account) {\n        return Err(Error::NotAssociatedTokenAccount);\n    }\n" },
  { name: "claim without the mint check", file: "src/instructions/claim/processor.rs", remove: "    if !key_eq(a.mint.key(), &config.mint) {\n        return Err(Error::InvalidMint);\n    }\n" },
  { name: "claim without the epoch match", file: "src/instructions/claim/processor.rs", remove: "    if epoch.epoch() != args.epoch {\n        return Err(Error::EpochMismatch);\n    }\n" },
  { name: "claim without the mint cap", file: "src/instructions/claim/processor.rs", remove: "    if total_minted > config.finalized_cumulative_total() {\n        return Err(Error::MintCapExceeded);\n    }\n" },
  { name: "submit_epoch without the signer check", file: "src/instructions/submit_epoch/accounts.rs", remove: "        require_signer(validator)?;\n" },
  { name: "submit_epoch without the double-vote check", file: "src/instructions/submit_epoch/processor.rs", remove: "    if epoch.has_voted(index) {\n        return Err(Error::DoubleVote);\n    }\n" },
  { name: "set_validators without the admin check", file: "src/instructions/set_validators/processor.rs", remove: "    if !key_eq(&config.admin, a.admin.key()) {\n        return Err(Error::Unauthorized);\n    }\n" },
  { name: "update_location without the owner check", file: "src/instructions/update_location/processor.rs", remove: "    if !key_eq(&hotspot.owner, a.owner.key()) {\n        return Err(Error::NotHotspotOwner);\n    }\n" },
];

const work = mkdtempSync(join(tmpdir(), "hexcover-mutants-"));
const survivors: string[] = [];
try {
  for (const [i, mutant] of MUTANTS.entries()) {
    const crate = join(work, `crate-${i}`);
    cpSync(CRATE, crate, { recursive: true, filter: (path) => !path.includes(`${CRATE}/target`) });
    const source = readFileSync(join(crate, mutant.file), "utf8");
    if (!source.includes(mutant.remove)) throw new Error(`${mutant.name}: the text to remove is no longer in ${mutant.file}`);
    writeFileSync(join(crate, mutant.file), source.replace(mutant.remove, ""));
    const so = join(work, `mutant-${i}.so`);
    await buildProgram({ crateDir: crate, outPath: so, repoRoot: REPO, workDir: join(work, `build-${i}`) });
    const run = spawnSync("npx", ["mocha", "tests/programs/security/*.test.ts"], {
      cwd: REPO,
      encoding: "utf8",
      env: { ...process.env, HEXCOVER_SECURITY_PROGRAM_SO: so, HEXCOVER_FUZZ_RUNS: FUZZ_RUNS },
    });
    const failing = [...run.stdout.matchAll(/^\s+\d+\) (.+)$/gm)].map((m) => m[1]!).filter((t, j, all) => all.indexOf(t) === j && !t.startsWith("programs/security"));
    const killed = run.status !== 0 && failing.length > 0;
    if (!killed) survivors.push(mutant.name);
    console.log(`${killed ? "killed  " : "SURVIVED"} ${mutant.name}${killed ? ` by: ${failing.join(" | ")}` : ""}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(survivors.length === 0 ? `all ${MUTANTS.length} mutants killed` : `${survivors.length} mutant(s) survived: ${survivors.join(", ")}`);
process.exitCode = survivors.length === 0 ? 0 : 1;
