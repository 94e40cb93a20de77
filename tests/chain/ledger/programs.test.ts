import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Keypair, PublicKey, sendAndConfirmTransaction, Transaction, TransactionInstruction } from "@solana/web3.js";
import { expect } from "chai";
import { LedgerOptionError, ProgramDeployError, startLedger } from "../../../chain/ledger/index.js";
import { connect, disconnect, startTestLedger } from "./support.js";

/** SPL Memo v3, which litesvm ships; its account holds the program's ELF (BPF loader 2). */
const MEMO_PROGRAM_ID = "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr";

describe("chain/ledger program deployment", () => {
  let dir: string;
  let soPath: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "hexcover-programs-"));
    // A real SBF program to deploy: the memo program's bytes, read through the RPC.
    const source = await startTestLedger();
    const connection = connect(source);
    try {
      const info = await connection.getAccountInfo(new PublicKey(MEMO_PROGRAM_ID));
      soPath = join(dir, "memo.so");
      writeFileSync(soPath, info!.data);
    } finally {
      disconnect(connection);
      await source.close();
    }
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("deploys a .so at a chosen program id and runs it", async () => {
    const programId = Keypair.generate().publicKey;
    const ledger = await startTestLedger({ programs: [{ programId: programId.toBase58(), soPath }] });
    const connection = connect(ledger);
    try {
      const payer = Keypair.generate();
      await ledger.airdrop(payer.publicKey.toBase58(), 1_000_000_000n);
      const account = await connection.getAccountInfo(programId);
      expect(account?.executable).to.equal(true);
      const ix = new TransactionInstruction({ programId, keys: [], data: Buffer.from("hexcover") });
      const signature = await sendAndConfirmTransaction(connection, new Transaction().add(ix), [payer]);
      const tx = await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0 });
      expect(tx?.meta?.logMessages).to.include("Program log: hexcover");
      expect(tx?.meta?.logMessages).to.include(`Program ${programId.toBase58()} success`);
    } finally {
      disconnect(connection);
      await ledger.close();
    }
  });

  it("rejects a program file that does not exist", async () => {
    let caught: unknown;
    try {
      await startLedger({ rpcPort: 0, wsPort: 0, programs: [{ programId: MEMO_PROGRAM_ID, soPath: join(dir, "missing.so") }] });
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(ProgramDeployError);
    expect((caught as ProgramDeployError).code).to.equal("ERR_PROGRAM_DEPLOY");
  });

  it("rejects a file that is not an SBF program", async () => {
    const junk = join(dir, "junk.so");
    writeFileSync(junk, Buffer.from("not an elf file"));
    let caught: unknown;
    try {
      await startLedger({ rpcPort: 0, wsPort: 0, programs: [{ programId: Keypair.generate().publicKey.toBase58(), soPath: junk }] });
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(ProgramDeployError);
  });

  it("rejects a program id that is not a public key", async () => {
    let caught: unknown;
    try {
      await startLedger({ rpcPort: 0, wsPort: 0, programs: [{ programId: "PENDING", soPath }] });
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(LedgerOptionError);
  });
});
