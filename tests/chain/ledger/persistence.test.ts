import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAssociatedTokenAccount, createMint, getAccount, mintTo } from "@solana/spl-token";
import {
  AddressLookupTableProgram,
  type Connection,
  Keypair,
  LAMPORTS_PER_SOL,
  type PublicKey,
  SystemProgram,
  SYSVAR_SLOT_HASHES_PUBKEY,
  sendAndConfirmTransaction,
  Transaction,
} from "@solana/web3.js";
import { expect } from "chai";
import {
  JournalCorruptError,
  type Ledger,
  SnapshotCorruptError,
  startLedger,
} from "../../../chain/ledger/index.js";
import { connect, disconnect, rpc, startTestLedger } from "./support.js";

const REPO_ROOT = new URL("../../../", import.meta.url).pathname;
const CLI_FIXTURE = join(REPO_ROOT, "tests/chain/ledger/fixtures/run-ledger-cli.ts");
/** Longer than any test: state between snapshots must come from the journal. */
const NO_PERIODIC_SNAPSHOT_MS = 3_600_000;

function transfer(from: Keypair, to: PublicKey, lamports: number): Transaction {
  return new Transaction().add(SystemProgram.transfer({ fromPubkey: from.publicKey, toPubkey: to, lamports }));
}

async function withConnection<T>(ledger: Ledger, body: (c: Connection) => Promise<T>): Promise<T> {
  const connection = connect(ledger);
  try {
    return await body(connection);
  } finally {
    disconnect(connection);
  }
}

/** Starts `hexcover ledger` in a child process and resolves with its RPC URL once it is ready. */
function spawnLedger(dataDir: string): Promise<{ child: ChildProcess; rpcUrl: string; output: () => string }> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      CLI_FIXTURE,
      "--port",
      "0",
      "--ws-port",
      "0",
      "--data-dir",
      dataDir,
      "--slot-ms",
      "50",
      "--snapshot-interval-ms",
      String(NO_PERIODIC_SNAPSHOT_MS),
      "--anchor-toml",
      join(dataDir, "none.toml"),
    ],
    { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  return new Promise((resolve, reject) => {
    const check = () => {
      const url = /JSON-RPC\s+(http:\/\/\S+)/.exec(out);
      if (url !== null && out.includes("ledger: ready")) {
        child.stdout?.off("data", check);
        resolve({ child, rpcUrl: url[1]!, output: () => out });
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => reject(new Error(`ledger exited early (${code}): ${out}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
}

describe("chain/ledger persistence", () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "hexcover-ledger-"));
    dirs.push(dir);
    return dir;
  };

  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("keeps accounts, token state, transactions, genesis and slot across a clean restart", async () => {
    const dataDir = tempDir();
    const payer = Keypair.generate();
    const holder = Keypair.generate().publicKey;
    let first = await startTestLedger({ dataDir });
    const genesis = first.genesisHash;
    const { signature, mint, ata } = await withConnection(first, async (c) => {
      await first.airdrop(payer.publicKey.toBase58(), 10n * BigInt(LAMPORTS_PER_SOL));
      const signature = await sendAndConfirmTransaction(c, transfer(payer, holder, 2_000_000), [payer]);
      const mint = await createMint(c, payer, payer.publicKey, null, 3);
      const ata = await createAssociatedTokenAccount(c, payer, mint, holder);
      await mintTo(c, payer, mint, ata, payer, 500n);
      return { signature, mint, ata };
    });
    const slotBefore = first.slot();
    await first.close();

    first = await startTestLedger({ dataDir });
    try {
      expect(first.genesisHash).to.equal(genesis);
      expect(first.slot() >= slotBefore).to.equal(true);
      await withConnection(first, async (c) => {
        expect(await c.getBalance(holder)).to.equal(2_000_000);
        const tx = await c.getTransaction(signature, { maxSupportedTransactionVersion: 0 });
        expect(tx?.meta?.postBalances[1]).to.equal(2_000_000);
        // The restored VM still runs the token program.
        await mintTo(c, payer, mint, ata, payer, 250n);
        expect((await getAccount(c, ata)).amount).to.equal(750n);
      });
    } finally {
      await first.close();
    }
  });

  it("folds the journal into a periodic snapshot once transactions have landed", async () => {
    const dataDir = tempDir();
    const ledger = await startTestLedger({ dataDir, snapshotIntervalMs: 100 });
    try {
      const journal = join(dataDir, "journal.log");
      const snapshotFile = join(dataDir, "snapshot.bin");
      const before = statSync(snapshotFile).mtimeMs;
      await ledger.airdrop(Keypair.generate().publicKey.toBase58(), 1_000_000n);
      expect(readFileSync(journal, "utf8")).to.not.equal("");
      while (readFileSync(journal, "utf8") !== "") await new Promise((r) => setTimeout(r, 20));
      expect(statSync(snapshotFile).mtimeMs).to.be.greaterThan(before);
    } finally {
      await ledger.close();
    }
  });

  it("replays the journal after a kill -9, losing no confirmed transaction", async function () {
    this.timeout(60_000);
    const dataDir = tempDir();
    const payer = Keypair.generate();
    const receivers = [Keypair.generate().publicKey, Keypair.generate().publicKey];
    const { child, rpcUrl } = await spawnLedger(dataDir);
    try {
      const ledger = { rpcUrl } as Ledger;
      const airdrop = await rpc(ledger, "requestAirdrop", [payer.publicKey.toBase58(), 5 * LAMPORTS_PER_SOL]);
      expect(airdrop.error).to.equal(undefined);
      for (const [i, to] of receivers.entries()) {
        const tx = transfer(payer, to, (i + 1) * 1_000_000);
        const latest = (await rpc(ledger, "getLatestBlockhash")).result as { value: { blockhash: string } };
        tx.recentBlockhash = latest.value.blockhash;
        tx.sign(payer);
        const sent = await rpc(ledger, "sendTransaction", [tx.serialize().toString("base64"), { encoding: "base64" }]);
        expect(sent.error).to.equal(undefined);
      }
    } finally {
      child.kill("SIGKILL");
      await exited(child);
    }
    const journal = readFileSync(join(dataDir, "journal.log"), "utf8");
    expect(journal.trim().split("\n")).to.have.length(3);

    const restarted = await startTestLedger({ dataDir });
    try {
      await withConnection(restarted, async (c) => {
        expect(await c.getBalance(receivers[0]!)).to.equal(1_000_000);
        expect(await c.getBalance(receivers[1]!)).to.equal(2_000_000);
        expect(await c.getBalance(payer.publicKey)).to.equal(5 * LAMPORTS_PER_SOL - 3_000_000 - 10_000);
      });
    } finally {
      await restarted.close();
    }
  });

  it("writes a final snapshot and empties the journal when stopped with SIGTERM", async function () {
    this.timeout(60_000);
    const dataDir = tempDir();
    const who = Keypair.generate().publicKey.toBase58();
    const { child, rpcUrl, output } = await spawnLedger(dataDir);
    const reply = await rpc({ rpcUrl } as Ledger, "requestAirdrop", [who, 123_456_789]);
    expect(reply.error).to.equal(undefined);
    child.kill("SIGTERM");
    expect(await exited(child)).to.equal(0);
    expect(output()).to.contain("snapshot written");
    expect(readFileSync(join(dataDir, "journal.log"), "utf8")).to.equal("");
    const restarted = await startTestLedger({ dataDir });
    try {
      expect((await rpc(restarted, "getBalance", [who])).result).to.deep.include({ value: 123_456_789 });
    } finally {
      await restarted.close();
    }
  });

  it("replays a lookup-table creation, rebuilding the SlotHashes sysvar it depends on", async function () {
    this.timeout(30_000);
    const live = tempDir();
    const payer = Keypair.generate();
    const ledger = await startTestLedger({ dataDir: live, snapshotIntervalMs: NO_PERIODIC_SNAPSHOT_MS });
    const table = await withConnection(ledger, async (c) => {
      await ledger.airdrop(payer.publicKey.toBase58(), 1_000_000_000n);
      // Let a few blocks pass after the start-up snapshot so the recent slot is only in the journal's block list.
      const start = ledger.blockHeight();
      while (ledger.blockHeight() < start + 3n) await new Promise((r) => setTimeout(r, 20));
      const slotHashes = (await c.getAccountInfo(SYSVAR_SLOT_HASHES_PUBKEY))!.data;
      const [create, table] = AddressLookupTableProgram.createLookupTable({
        authority: payer.publicKey,
        payer: payer.publicKey,
        recentSlot: Number(slotHashes.readBigUInt64LE(8)),
      });
      await sendAndConfirmTransaction(c, new Transaction().add(create), [payer]);
      return table;
    });
    const crashImage = tempDir();
    cpSync(live, crashImage, { recursive: true });
    await ledger.close();
    const restarted = await startTestLedger({ dataDir: crashImage });
    try {
      await withConnection(restarted, async (c) => {
        expect((await c.getAddressLookupTable(table)).value).to.not.equal(null);
      });
    } finally {
      await restarted.close();
    }
  });

  it("accepts after a crash a transaction signed with a blockhash handed out before it", async () => {
    const live = tempDir();
    const payer = Keypair.generate();
    const to = Keypair.generate().publicKey;
    const ledger = await startTestLedger({ dataDir: live, snapshotIntervalMs: NO_PERIODIC_SNAPSHOT_MS });
    await ledger.airdrop(payer.publicKey.toBase58(), 1_000_000_000n);
    // Blocks produced after the last journal entry exist only in memory when the crash happens.
    const height = ledger.blockHeight();
    while (ledger.blockHeight() < height + 3n) await new Promise((r) => setTimeout(r, 20));
    const latest = (await rpc(ledger, "getLatestBlockhash")).result as { value: { blockhash: string } };
    const tx = transfer(payer, to, 5_000_000);
    tx.recentBlockhash = latest.value.blockhash;
    tx.sign(payer);
    const crashImage = tempDir();
    cpSync(live, crashImage, { recursive: true });
    await ledger.close();
    const restarted = await startTestLedger({ dataDir: crashImage });
    try {
      const sent = await rpc(restarted, "sendTransaction", [tx.serialize().toString("base64"), { encoding: "base64" }]);
      expect(sent.error, JSON.stringify(sent.error)).to.equal(undefined);
      expect((await rpc(restarted, "getBalance", [to.toBase58()])).result).to.deep.include({ value: 5_000_000 });
    } finally {
      await restarted.close();
    }
  });

  describe("damaged files", () => {
    /** A crash image: the data directory copied while the ledger runs (journal synced, no new snapshot). */
    let crashImage: string;
    const who = Keypair.generate().publicKey.toBase58();

    before(async () => {
      const live = tempDir();
      const ledger = await startLedger({ rpcPort: 0, wsPort: 0, dataDir: live, snapshotIntervalMs: NO_PERIODIC_SNAPSHOT_MS });
      await ledger.airdrop(who, 1_000_000_000n);
      await ledger.airdrop(who, 2_000_000_000n);
      crashImage = tempDir();
      cpSync(live, crashImage, { recursive: true });
      await ledger.close();
    });

    const copyImage = () => {
      const dir = tempDir();
      cpSync(crashImage, dir, { recursive: true });
      return dir;
    };

    it("discards a torn last journal line and keeps every complete one", async () => {
      const dir = copyImage();
      appendFileSync(join(dir, "journal.log"), '0badc0de {"seq":3,"tx":"AQ');
      const ledger = await startTestLedger({ dataDir: dir });
      try {
        expect((await rpc(ledger, "getBalance", [who])).result).to.deep.include({ value: 3_000_000_000 });
      } finally {
        await ledger.close();
      }
    });

    it("refuses to start from a journal damaged before its last line", async () => {
      const dir = copyImage();
      const path = join(dir, "journal.log");
      const lines = readFileSync(path, "utf8").split("\n");
      lines[0] = lines[0]!.replace('"seq":1', '"seq":9');
      writeFileSync(path, lines.join("\n"));
      let caught: unknown;
      try {
        await startTestLedger({ dataDir: dir });
      } catch (err) {
        caught = err;
      }
      expect(caught).to.be.instanceOf(JournalCorruptError);
      expect((caught as JournalCorruptError).code).to.equal("ERR_JOURNAL_CORRUPT");
    });

    it("refuses to start from a snapshot whose checksum does not match", async () => {
      const dir = copyImage();
      const path = join(dir, "snapshot.bin");
      const bytes = readFileSync(path);
      bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0xff;
      writeFileSync(path, bytes);
      let caught: unknown;
      try {
        await startTestLedger({ dataDir: dir });
      } catch (err) {
        caught = err;
      }
      expect(caught).to.be.instanceOf(SnapshotCorruptError);
      expect((caught as SnapshotCorruptError).code).to.equal("ERR_SNAPSHOT_CORRUPT");
    });
  });
});
