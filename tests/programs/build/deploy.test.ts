/**
 * A real deployment through BPFLoaderUpgradeable (InitializeBuffer, Write, DeployWithMaxDataLen)
 * instead of litesvm's addProgram shortcut. The real deploy resolves every syscall name at
 * deploy time, which addProgram does not; this is where an unknown syscall would surface.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  AccountRole,
  type Address,
  address,
  generateKeyPairSigner,
  getAddressEncoder,
  getProgramDerivedAddress,
  type Instruction,
  type KeyPairSigner,
} from "@solana/kit";
import { getCreateAccountInstruction } from "@solana-program/system";
import { expect } from "chai";
import type { LiteSVM } from "litesvm";
import { buildProgram, checkToolchain, defaultToolchain } from "../../../programs/build/index.js";
import { freshSvm, programLogs, runInstruction, sendInstructions } from "../linker/svm.js";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const LOADER = address("BPFLoaderUpgradeab1e11111111111111111111111");
const SYSVAR_RENT = address("SysvarRent111111111111111111111111111111111");
const SYSVAR_CLOCK = address("SysvarC1ock11111111111111111111111111111111");
const SYSTEM_PROGRAM = address("11111111111111111111111111111111");
/** UpgradeableLoaderState sizes: buffer header 37 bytes, program account 36 bytes. */
const BUFFER_HEADER_SIZE = 37;
const PROGRAM_ACCOUNT_SIZE = 36n;
/** Bytes per Write instruction: keeps each transaction under the 1232-byte packet limit. */
const WRITE_CHUNK = 900;
/** UpgradeableLoaderInstruction tags (bincode u32). */
const INITIALIZE_BUFFER = 0;
const WRITE = 1;
const DEPLOY_WITH_MAX_DATA_LEN = 2;

function loaderData(tag: number, ...fields: (["u32", number] | ["u64", bigint] | ["bytes", Uint8Array])[]): Uint8Array {
  const parts: number[] = [];
  const push = (bytes: Uint8Array) => parts.push(...bytes);
  const u32 = (v: number) => new Uint8Array(new Uint32Array([v]).buffer);
  const u64 = (v: bigint) => new Uint8Array(new BigUint64Array([v]).buffer);
  push(u32(tag));
  for (const [kind, value] of fields) {
    if (kind === "u32") push(u32(value));
    else if (kind === "u64") push(u64(value));
    else {
      push(u64(BigInt(value.length)));
      push(value);
    }
  }
  return new Uint8Array(parts);
}

/** Deploys `so` as an upgradeable program; returns the deploy transaction's error ("" if none). */
async function deploy(svm: LiteSVM, payer: KeyPairSigner, so: Uint8Array): Promise<{ programId: Address; error: string; logs: readonly string[] }> {
  const buffer = await generateKeyPairSigner();
  const program = await generateKeyPairSigner();
  const bufferSize = BigInt(BUFFER_HEADER_SIZE + so.length);
  const setup = await sendInstructions(svm, payer, [
    getCreateAccountInstruction({
      payer,
      newAccount: buffer,
      lamports: svm.minimumBalanceForRentExemption(bufferSize),
      space: bufferSize,
      programAddress: LOADER,
    }),
    {
      programAddress: LOADER,
      accounts: [
        { address: buffer.address, role: AccountRole.WRITABLE },
        { address: payer.address, role: AccountRole.READONLY },
      ],
      data: loaderData(INITIALIZE_BUFFER),
    },
  ]);
  if (!setup.ok) throw new Error(`buffer setup failed: ${setup.error}`);
  for (let offset = 0; offset < so.length; offset += WRITE_CHUNK) {
    const write = await sendInstructions(svm, payer, [
      {
        programAddress: LOADER,
        accounts: [
          { address: buffer.address, role: AccountRole.WRITABLE },
          { address: payer.address, role: AccountRole.READONLY_SIGNER },
        ],
        data: loaderData(WRITE, ["u32", offset], ["bytes", so.subarray(offset, offset + WRITE_CHUNK)]),
      },
    ]);
    if (!write.ok) throw new Error(`write at ${offset} failed: ${write.error}`);
  }
  const [programData] = await getProgramDerivedAddress({
    programAddress: LOADER,
    seeds: [getAddressEncoder().encode(program.address)],
  });
  const deployInstruction: Instruction = {
    programAddress: LOADER,
    accounts: [
      { address: payer.address, role: AccountRole.WRITABLE_SIGNER },
      { address: programData, role: AccountRole.WRITABLE },
      { address: program.address, role: AccountRole.WRITABLE },
      { address: buffer.address, role: AccountRole.WRITABLE },
      { address: SYSVAR_RENT, role: AccountRole.READONLY },
      { address: SYSVAR_CLOCK, role: AccountRole.READONLY },
      { address: SYSTEM_PROGRAM, role: AccountRole.READONLY },
      { address: payer.address, role: AccountRole.READONLY_SIGNER },
    ],
    data: loaderData(DEPLOY_WITH_MAX_DATA_LEN, ["u64", BigInt(so.length * 2)]),
  };
  const deployed = await sendInstructions(svm, payer, [
    getCreateAccountInstruction({
      payer,
      newAccount: program,
      lamports: svm.minimumBalanceForRentExemption(PROGRAM_ACCOUNT_SIZE),
      space: PROGRAM_ACCOUNT_SIZE,
      programAddress: LOADER,
    }),
    deployInstruction,
  ]);
  // Deployments become visible from the next slot.
  svm.warpToSlot(svm.getClock().slot + 1n);
  return { programId: program.address, error: deployed.error, logs: deployed.logs };
}

describe("build pipeline: hello deploys through BPFLoaderUpgradeable", function () {
  this.timeout(180_000);
  let scratch = "";
  let so: Uint8Array;

  before(async () => {
    checkToolchain(defaultToolchain());
    scratch = mkdtempSync(join(tmpdir(), "hexcover-deploy-"));
    const built = await buildProgram({
      crateDir: join(REPO_ROOT, "programs", "hello"),
      outPath: join(scratch, "hello.so"),
      repoRoot: REPO_ROOT,
      workDir: join(scratch, "work"),
    });
    so = built.bytes;
  });
  after(() => {
    if (scratch !== "") rmSync(scratch, { recursive: true, force: true });
  });

  it("deploys with DeployWithMaxDataLen and then runs", async () => {
    const { svm, payer } = await freshSvm();
    const { programId, error, logs } = await deploy(svm, payer, so);
    expect(error, logs.join("\n")).to.equal("");
    expect(logs.some((l) => l.includes("Deployed program"))).to.equal(true);
    const outcome = await runInstruction(svm, payer, programId, new Uint8Array([0]));
    expect(outcome.error).to.equal("");
    expect(programLogs(outcome)).to.deep.equal(["hello from hexcover"]);
  });

  it("is refused at deploy time when a syscall name is unknown (what the linker guards against)", async () => {
    const broken = new Uint8Array(so);
    const name = new TextEncoder().encode("sol_log_\0");
    const at = Buffer.from(broken).indexOf(Buffer.from(name));
    expect(at).to.be.greaterThan(0);
    broken.set(new TextEncoder().encode("sol_lgg_"), at);
    const { svm, payer } = await freshSvm();
    const { error, logs } = await deploy(svm, payer, broken);
    expect(error).not.to.equal("");
    expect(logs.join("\n")).to.match(/Unresolved symbol \(sol_lgg_\)/);
  });
});
