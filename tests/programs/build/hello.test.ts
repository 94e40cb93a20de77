/**
 * End to end: build programs/hello with the pipeline (Debian rustc 1.63 + LLVM 22 + our linker)
 * and run it in litesvm. Needs the toolchain; without it the `before` hook fails with a
 * ToolchainMissingError that names the missing piece and the apt-get command (never a skip).
 */
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  AccountRole,
  type Address,
  address,
  generateKeyPairSigner,
  getProgramDerivedAddress,
  lamports,
} from "@solana/kit";
import {
  AccountState,
  getMintDecoder,
  getMintEncoder,
  getTokenDecoder,
  getTokenEncoder,
  TOKEN_PROGRAM_ADDRESS,
} from "@solana-program/token";
import { expect } from "chai";
import type { LiteSVM } from "litesvm";
import { type BuildResult, buildProgram, checkToolchain, defaultToolchain } from "../../../programs/build/index.js";
import { freshSvm, programLogs, runInstruction } from "../linker/svm.js";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const HELLO_CRATE = join(REPO_ROOT, "programs", "hello");
const PROGRAM_ID = address("He11o11111111111111111111111111111111111111");
/** Cold builds compile `core` for BPF first (≈10-15 s on 2 cores); later builds take < 1 s. */
const BUILD_TIMEOUT_MS = 180_000;
const MODE = { log: 0, sha256: 1, pda: 2, mintTo: 3, index: 4, math: 5 } as const;
/** SPL Token account sizes (Mint 82 bytes, Account 165 bytes). */
const MINT_SIZE = 82n;
const TOKEN_ACCOUNT_SIZE = 165n;

function i64le(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, value, true);
  return out;
}

function u64le(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value, true);
  return out;
}

/** sol_log_64_ prints five values as "0x.., 0x.., ...". */
function parseLog64(line: string): bigint[] {
  return line.split(", ").map((v) => BigInt(v));
}

describe("build pipeline: programs/hello end to end in litesvm", function () {
  this.timeout(BUILD_TIMEOUT_MS);
  let scratch = "";
  let built: BuildResult;
  let svm: LiteSVM;
  let payer: Awaited<ReturnType<typeof freshSvm>>["payer"];

  before(async () => {
    checkToolchain(defaultToolchain());
    scratch = mkdtempSync(join(tmpdir(), "hexcover-hello-"));
    built = await buildProgram({
      crateDir: HELLO_CRATE,
      outPath: join(scratch, "hello.so"),
      repoRoot: REPO_ROOT,
      workDir: join(scratch, "work-1"),
    });
    ({ svm, payer } = await freshSvm());
    svm.addProgram(PROGRAM_ID, built.bytes);
  });

  after(() => {
    if (scratch !== "") rmSync(scratch, { recursive: true, force: true });
  });

  it("produces the same bytes when built twice, even from a copy of the crate elsewhere", async () => {
    // Panic locations and symbol hashes must not depend on where the checkout lives.
    const copy = join(scratch, "elsewhere", "hello");
    cpSync(HELLO_CRATE, copy, { recursive: true });
    const again = await buildProgram({
      crateDir: copy,
      outPath: join(scratch, "hello-again.so"),
      repoRoot: REPO_ROOT,
      workDir: join(scratch, "work-2"),
    });
    expect(Buffer.from(again.bytes).equals(Buffer.from(built.bytes))).to.equal(true);
    expect(readFileSync(join(scratch, "hello.so")).equals(Buffer.from(built.bytes))).to.equal(true);
  });

  it("uses the rewrites and the syscalls the program needs", () => {
    expect(built.syscalls).to.include.members([
      "sol_log_",
      "sol_sha256",
      "sol_try_find_program_address",
      "sol_invoke_signed_c",
      "sol_panic_",
      "sol_memcmp_",
    ]);
    expect(built.rewrites.umulo).to.be.greaterThan(0);
    expect(built.rewrites.smulo).to.be.greaterThan(0);
    expect(built.rewrites.sdiv).to.be.greaterThan(0);
  });

  it("logs through sol_log_", async () => {
    const outcome = await runInstruction(svm, payer, PROGRAM_ID, new Uint8Array([MODE.log]));
    expect(outcome.error).to.equal("");
    expect(programLogs(outcome)).to.deep.equal(["hello from hexcover"]);
  });

  it("hashes the payload with sol_sha256 (log and return data match node's sha256)", async () => {
    const payload = new TextEncoder().encode("proof of coverage");
    const expected = createHash("sha256").update(payload).digest();
    const outcome = await runInstruction(svm, payer, PROGRAM_ID, new Uint8Array([MODE.sha256, ...payload]));
    expect(outcome.error).to.equal("");
    expect(programLogs(outcome)).to.deep.equal([`sha256 ${expected.toString("hex")}`]);
    expect(Buffer.from(outcome.returnData).equals(expected)).to.equal(true);
  });

  it("finds the same mint-authority PDA and bump as @solana/kit", async () => {
    const [pda, bump] = await getProgramDerivedAddress({ programAddress: PROGRAM_ID, seeds: ["mint_auth"] });
    const outcome = await runInstruction(svm, payer, PROGRAM_ID, new Uint8Array([MODE.pda]));
    expect(outcome.error).to.equal("");
    const [key, numbers] = programLogs(outcome);
    expect(key).to.equal(pda);
    expect(parseLog64(numbers!)[0]).to.equal(BigInt(bump));
  });

  describe("SPL Token mint_to through a PDA-signed CPI", () => {
    let mint: Address;
    let tokenAccount: Address;
    let authority: Address;

    before(async () => {
      [authority] = await getProgramDerivedAddress({ programAddress: PROGRAM_ID, seeds: ["mint_auth"] });
      mint = (await generateKeyPairSigner()).address;
      tokenAccount = (await generateKeyPairSigner()).address;
      svm.setAccount({
        address: mint,
        data: new Uint8Array(
          getMintEncoder().encode({
            mintAuthority: authority,
            supply: 0n,
            decimals: 6,
            isInitialized: true,
            freezeAuthority: null,
          }),
        ),
        executable: false,
        lamports: lamports(svm.minimumBalanceForRentExemption(MINT_SIZE)),
        programAddress: TOKEN_PROGRAM_ADDRESS,
        space: MINT_SIZE,
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
        lamports: lamports(svm.minimumBalanceForRentExemption(TOKEN_ACCOUNT_SIZE)),
        programAddress: TOKEN_PROGRAM_ADDRESS,
        space: TOKEN_ACCOUNT_SIZE,
      });
    });

    const mintTo = (amount: bigint, authorityAccount: Address) =>
      runInstruction(svm, payer, PROGRAM_ID, new Uint8Array([MODE.mintTo, ...u64le(amount)]), [
        { address: mint, role: AccountRole.WRITABLE },
        { address: tokenAccount, role: AccountRole.WRITABLE },
        { address: authorityAccount, role: AccountRole.READONLY },
        { address: TOKEN_PROGRAM_ADDRESS, role: AccountRole.READONLY },
      ]);
    const balance = () => {
      const account = svm.getAccount(tokenAccount);
      if (!account.exists) throw new Error("token account vanished");
      return getTokenDecoder().decode(account.data).amount;
    };

    it("mints the requested amount into the token account", async () => {
      const first = await mintTo(123_456_789n, authority);
      expect(first.error).to.equal("");
      expect(first.logs.some((l) => l.startsWith(`Program ${TOKEN_PROGRAM_ADDRESS} invoke [2]`))).to.equal(true);
      expect(balance()).to.equal(123_456_789n);
      await mintTo(1n, authority);
      expect(balance()).to.equal(123_456_790n);
      const mintAccount = svm.getAccount(mint);
      expect(mintAccount.exists && getMintDecoder().decode(mintAccount.data).supply).to.equal(123_456_790n);
    });

    it("refuses an authority account that is not the PDA (custom error 2) and mints nothing", async () => {
      const before = balance();
      const outcome = await mintTo(5n, payer.address);
      expect(outcome.ok).to.equal(false);
      expect(outcome.error).to.match(/Custom.*\b2\b/);
      expect(balance()).to.equal(before);
    });
  });

  it("computes checked multiplies and signed divisions exactly like Rust on the host", async () => {
    const MIN = -(1n << 63n);
    const cases: [bigint, bigint][] = [
      [6n, 7n],
      [-7n, 2n],
      [7n, -2n],
      [1n << 40n, 1n << 30n],
      [-(1n << 62n), 2n],
      [-(1n << 62n), -2n],
      [MIN, -1n],
      [5n, 0n],
      [-100_000_000_007n, 3n],
      [(1n << 32n) - 1n, (1n << 32n) + 1n],
      [1n << 32n, 1n << 32n],
    ];
    const u64 = (v: bigint) => BigInt.asUintN(64, v);
    const i32 = (v: bigint) => BigInt.asIntN(32, v);
    /** Rust's wrapping division: truncating, MIN / -1 = MIN. */
    const div = (a: bigint, b: bigint, bits: number) => (b === 0n ? 0n : BigInt.asIntN(bits, a / b));
    for (const [a, b] of cases) {
      const outcome = await runInstruction(
        svm,
        payer,
        PROGRAM_ID,
        new Uint8Array([MODE.math, ...i64le(a), ...i64le(b)]),
      );
      expect(outcome.error, `${a} ${b}`).to.equal("");
      const [mul, divs] = programLogs(outcome).map(parseLog64);
      const unsignedProduct = u64(a) * u64(b);
      const unsignedOk = unsignedProduct < 1n << 64n;
      const signedProduct = a * b;
      const signedOk = signedProduct >= MIN && signedProduct < 1n << 63n;
      expect(mul, `mul ${a} ${b}`).to.deep.equal([
        unsignedOk ? 1n : 0n,
        unsignedOk ? unsignedProduct : 0n,
        signedOk ? 1n : 0n,
        signedOk ? u64(signedProduct) : 0n,
        0n,
      ]);
      const remainder = b === 0n ? 0n : a === MIN && b === -1n ? 0n : a % b;
      expect(divs, `div ${a} ${b}`).to.deep.equal([
        u64(div(a, b, 64)),
        u64(remainder),
        u64(div(i32(a), i32(b), 32)),
        0n,
        0n,
      ]);
    }
  });

  it("panics with the Rust source location on an out-of-range index", async () => {
    const inRange = await runInstruction(svm, payer, PROGRAM_ID, new Uint8Array([MODE.index, 1, 42]));
    expect(inRange.error).to.equal("");
    expect(parseLog64(programLogs(inRange)[0]!).slice(0, 2)).to.deep.equal([1n, 42n]);
    const outOfRange = await runInstruction(svm, payer, PROGRAM_ID, new Uint8Array([MODE.index, 9]));
    expect(outOfRange.ok).to.equal(false);
    expect(outOfRange.logs.join("\n")).to.match(/SBF program Panicked in src\/lib\.rs at \d+:\d+/);
  });

  it("rejects an unknown mode with InvalidInstructionData", async () => {
    const outcome = await runInstruction(svm, payer, PROGRAM_ID, new Uint8Array([200]));
    expect(outcome.ok).to.equal(false);
    expect(outcome.error).to.contain("InvalidInstructionData");
  });
});
