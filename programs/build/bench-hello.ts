/**
 * Measures the build pipeline and the hello program: cold build (fresh sysroot cache), warm
 * build, .so sizes of hello and coverage-rewards (when it compiles), and the compute units of
 * each hello mode in litesvm. Prints figures only; nothing here is asserted.
 *
 *   npx tsx programs/build/bench-hello.ts            (cold + warm, ≈15-30 s)
 *   npx tsx programs/build/bench-hello.ts --warm     (skip the cold sysroot build)
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  AccountRole,
  type Address,
  address,
  appendTransactionMessageInstruction,
  createTransactionMessage,
  generateKeyPairSigner,
  getProgramDerivedAddress,
  type KeyPairSigner,
  lamports,
  pipe,
  setTransactionMessageFeePayerSigner,
  signTransactionMessageWithSigners,
} from "@solana/kit";
import { AccountState, getMintEncoder, getTokenEncoder, TOKEN_PROGRAM_ADDRESS } from "@solana-program/token";
import { LiteSVM } from "litesvm";
import { type BuildResult, buildProgram } from "./index.js";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const PROGRAM_ID = address("He11o11111111111111111111111111111111111111");
const scratch = mkdtempSync(join(tmpdir(), "hexcover-bench-"));

async function computeUnits(
  svm: LiteSVM,
  payer: KeyPairSigner,
  data: Uint8Array,
  accounts: { address: Address; role: AccountRole }[],
): Promise<string> {
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(payer, m),
    (m) => svm.setTransactionMessageLifetimeUsingLatestBlockhash(m),
    (m) => appendTransactionMessageInstruction({ programAddress: PROGRAM_ID, accounts, data }, m),
  );
  const result = svm.sendTransaction(await signTransactionMessageWithSigners(message));
  svm.expireBlockhash();
  return "err" in result
    ? `${result.meta().computeUnitsConsumed()} CU (fails, as intended)`
    : `${result.computeUnitsConsumed()} CU`;
}

function line(label: string, result: BuildResult): string {
  const total = result.timings.reduce((sum, t) => sum + t.ms, 0);
  return `${label}: ${total} ms total (${result.timings.map((t) => `${t.step} ${t.ms}`).join(", ")})`;
}

try {
  const cpu = cpus();
  console.log(`machine: ${cpu.length} cores, ${cpu[0]?.model ?? "unknown CPU"}`);
  console.log("command: npx tsx programs/build/bench-hello.ts");
  const hello = join(REPO_ROOT, "programs", "hello");
  if (!process.argv.includes("--warm")) {
    const cold = await buildProgram({
      crateDir: hello,
      outPath: join(scratch, "hello.so"),
      repoRoot: REPO_ROOT,
      workDir: join(scratch, "work-cold"),
      sysrootCache: join(scratch, "sysroot"),
    });
    console.log(line("hello, cold (sysroot built)", cold));
  }
  const warm = await buildProgram({
    crateDir: hello,
    outPath: join(scratch, "hello.so"),
    repoRoot: REPO_ROOT,
    workDir: join(scratch, "work-warm"),
  });
  console.log(line("hello, warm", warm));
  console.log(`hello.so: ${warm.bytes.length} bytes, .text ${warm.textSize}, .rodata ${warm.rodataSize}`);

  const coverage = join(REPO_ROOT, "programs", "coverage-rewards");
  if (existsSync(join(coverage, "src", "lib.rs"))) {
    try {
      const built = await buildProgram({
        crateDir: coverage,
        outPath: join(scratch, "coverage_rewards.so"),
        repoRoot: REPO_ROOT,
        workDir: join(scratch, "work-coverage"),
      });
      console.log(line("coverage_rewards, warm", built));
      console.log(
        `coverage_rewards.so: ${built.bytes.length} bytes, .text ${built.textSize}, .rodata ${built.rodataSize}`,
      );
    } catch (error) {
      console.log(`coverage_rewards: does not build yet: ${(error as Error).message.split("\n")[0]}`);
    }
  }

  const svm = new LiteSVM();
  const payer = await generateKeyPairSigner();
  svm.airdrop(payer.address, lamports(10_000_000_000n));
  svm.addProgram(PROGRAM_ID, warm.bytes);
  const [authority, bump] = await getProgramDerivedAddress({ programAddress: PROGRAM_ID, seeds: ["mint_auth"] });
  const mint = (await generateKeyPairSigner()).address;
  const tokenAccount = (await generateKeyPairSigner()).address;
  svm.setAccount({
    address: mint,
    data: new Uint8Array(
      getMintEncoder().encode({ mintAuthority: authority, supply: 0n, decimals: 0, isInitialized: true, freezeAuthority: null }),
    ),
    executable: false,
    lamports: lamports(1_000_000_000n),
    programAddress: TOKEN_PROGRAM_ADDRESS,
    space: 82n,
  });
  svm.setAccount({
    address: tokenAccount,
    data: new Uint8Array(
      getTokenEncoder().encode({
        mint,
        owner: payer.address,
        amount: 0n,
        delegate: null,
        state: AccountState.Initialized,
        isNative: null,
        delegatedAmount: 0n,
        closeAuthority: null,
      }),
    ),
    executable: false,
    lamports: lamports(1_000_000_000n),
    programAddress: TOKEN_PROGRAM_ADDRESS,
    space: 165n,
  });
  const mintAccounts = [
    { address: mint, role: AccountRole.WRITABLE },
    { address: tokenAccount, role: AccountRole.WRITABLE },
    { address: authority, role: AccountRole.READONLY },
    { address: TOKEN_PROGRAM_ADDRESS, role: AccountRole.READONLY },
  ];
  const amount = new Uint8Array(8);
  amount[0] = 100;
  const math = new Uint8Array(16);
  new DataView(math.buffer).setBigInt64(0, -100_000_000_007n, true);
  new DataView(math.buffer).setBigInt64(8, 3n, true);
  const modes: [string, Uint8Array, { address: Address; role: AccountRole }[]][] = [
    ["0 log", new Uint8Array([0]), []],
    ["1 sha256 (32-byte payload) + hex log + return data", new Uint8Array([1, ...new Uint8Array(32)]), []],
    [`2 find PDA (bump ${bump}) + 2 logs`, new Uint8Array([2]), []],
    ["3 find PDA + SPL Token mint_to CPI (4 accounts)", new Uint8Array([3, ...amount]), mintAccounts],
    ["4 index (bounds-checked)", new Uint8Array([4, 1, 7]), []],
    ["4 index out of range -> sol_panic_", new Uint8Array([4, 9]), []],
    ["5 checked mul + signed div helpers + 2 logs", new Uint8Array([5, ...math]), []],
  ];
  console.log("hello compute units (litesvm 1.5, includes input deserialization):");
  for (const [label, data, accounts] of modes) {
    console.log(`  ${label}: ${await computeUnits(svm, payer, data, accounts)}`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
