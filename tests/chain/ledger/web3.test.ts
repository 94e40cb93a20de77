import { AnchorProvider, Wallet } from "@coral-xyz/anchor";
import {
  createAssociatedTokenAccount,
  createMint,
  getAccount,
  getAssociatedTokenAddressSync,
  mintTo,
  TOKEN_PROGRAM_ID,
} from "@solana/spl-token";
import {
  AddressLookupTableProgram,
  ComputeBudgetProgram,
  MessageV0,
  SYSVAR_SLOT_HASHES_PUBKEY,
  VersionedTransaction,
  type Connection,
  Keypair,
  LAMPORTS_PER_SOL,
  type PublicKey,
  SendTransactionError,
  SystemProgram,
  SYSVAR_CLOCK_PUBKEY,
  sendAndConfirmTransaction,
  Transaction,
} from "@solana/web3.js";
import bs58 from "bs58";
import { expect } from "chai";
import type { Ledger } from "../../../chain/ledger/index.js";
import { connect, disconnect, rpc, startTestLedger, until } from "./support.js";

async function fund(connection: Connection, to: PublicKey, sol: number): Promise<void> {
  const signature = await connection.requestAirdrop(to, sol * LAMPORTS_PER_SOL);
  const blockhash = await connection.getLatestBlockhash();
  const { value } = await connection.confirmTransaction({ signature, ...blockhash });
  expect(value.err).to.equal(null);
}

function transfer(from: Keypair, to: PublicKey, lamports: number): Transaction {
  return new Transaction().add(SystemProgram.transfer({ fromPubkey: from.publicKey, toPubkey: to, lamports }));
}

describe("chain/ledger with @solana/web3.js, spl-token and Anchor", () => {
  let ledger: Ledger;
  let connection: Connection;
  const payer = Keypair.generate();

  before(async () => {
    ledger = await startTestLedger();
    connection = connect(ledger);
    await fund(connection, payer.publicKey, 100);
  });

  after(async () => {
    disconnect(connection);
    await ledger.close();
  });

  it("credits an airdrop that confirmTransaction confirms", async () => {
    const who = Keypair.generate().publicKey;
    await fund(connection, who, 3);
    expect(await connection.getBalance(who)).to.equal(3 * LAMPORTS_PER_SOL);
  });

  it("repeats an identical airdrop in a later block instead of failing as a duplicate", async () => {
    const who = Keypair.generate().publicKey;
    const first = await connection.requestAirdrop(who, LAMPORTS_PER_SOL);
    const second = await connection.requestAirdrop(who, LAMPORTS_PER_SOL);
    expect(second).to.not.equal(first);
    expect(await connection.getBalance(who)).to.equal(2 * LAMPORTS_PER_SOL);
  });

  it("transfers SOL with sendAndConfirmTransaction and reports fee and balances in getTransaction", async () => {
    const to = Keypair.generate().publicKey;
    const before = await connection.getBalance(payer.publicKey);
    const signature = await sendAndConfirmTransaction(connection, transfer(payer, to, 1_234_567), [payer]);
    expect(await connection.getBalance(to)).to.equal(1_234_567);
    const tx = await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0 });
    expect(tx).to.not.equal(null);
    expect(tx!.meta!.err).to.equal(null);
    expect(tx!.meta!.fee).to.equal(5_000);
    expect(tx!.meta!.preBalances[0]).to.equal(before);
    expect(tx!.meta!.postBalances[0]).to.equal(before - 5_000 - 1_234_567);
    expect(tx!.meta!.postBalances[1]).to.equal(1_234_567);
    expect(tx!.meta!.logMessages).to.include("Program 11111111111111111111111111111111 success");
    expect(tx!.transaction.signatures[0]).to.equal(signature);
    expect(tx!.blockTime).to.be.a("number");
    const statuses = await connection.getSignatureStatuses([signature]);
    expect(statuses.value[0]?.confirmationStatus).to.equal("finalized");
    expect(await connection.getBlockTime(tx!.slot)).to.equal(tx!.blockTime);
    expect(await connection.getBlockTime((await connection.getSlot()) + 1_000_000)).to.equal(null);
  });

  it("charges the prioritization fee that getFeeForMessage and the transaction meta report", async () => {
    const to = Keypair.generate().publicKey;
    const tx = transfer(payer, to, 1_000_000)
      .add(ComputeBudgetProgram.setComputeUnitPrice({ microLamports: 2_000_000 }))
      .add(ComputeBudgetProgram.setComputeUnitLimit({ units: 10_000 }));
    const { blockhash } = await connection.getLatestBlockhash();
    tx.recentBlockhash = blockhash;
    tx.feePayer = payer.publicKey;
    const quoted = await connection.getFeeForMessage(tx.compileMessage());
    const before = await connection.getBalance(payer.publicKey);
    const signature = await sendAndConfirmTransaction(connection, tx, [payer]);
    const meta = (await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0 }))!.meta!;
    // 5000 per signature + ceil(2 lamports/CU x 10_000 CU).
    expect(quoted.value).to.equal(25_000);
    expect(meta.fee).to.equal(25_000);
    expect(before - (await connection.getBalance(payer.publicKey))).to.equal(25_000 + 1_000_000);
  });

  it("rejects a failing transaction in preflight with the program logs and charges nothing", async () => {
    const poor = Keypair.generate();
    await fund(connection, poor.publicKey, 1);
    const before = await connection.getBalance(poor.publicKey);
    let caught: unknown;
    try {
      await sendAndConfirmTransaction(connection, transfer(poor, payer.publicKey, 5 * LAMPORTS_PER_SOL), [poor]);
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(SendTransactionError);
    const logs = await (caught as SendTransactionError).getLogs(connection);
    expect(logs.join("\n")).to.match(/insufficient lamports/);
    expect((caught as Error).message).to.match(/custom program error: 0x1/);
    expect(await connection.getBalance(poor.publicKey)).to.equal(before);
  });

  it("lands a failing transaction sent with skipPreflight, with its error and only the fee charged", async () => {
    const poor = Keypair.generate();
    await fund(connection, poor.publicKey, 1);
    const tx = transfer(poor, payer.publicKey, 5 * LAMPORTS_PER_SOL);
    const latest = await connection.getLatestBlockhash();
    tx.recentBlockhash = latest.blockhash;
    tx.sign(poor);
    const signature = await connection.sendRawTransaction(tx.serialize(), { skipPreflight: true });
    const { value } = await connection.confirmTransaction({ signature, ...latest });
    expect(value.err).to.deep.equal({ InstructionError: [0, { Custom: 1 }] });
    const meta = (await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0 }))!.meta!;
    expect(meta.err).to.deep.equal({ InstructionError: [0, { Custom: 1 }] });
    expect(await connection.getBalance(poor.publicKey)).to.equal(LAMPORTS_PER_SOL - 5_000);
  });

  it("answers a transaction with a forged signature with -32003 even without preflight", async () => {
    const tx = transfer(payer, Keypair.generate().publicKey, 1);
    tx.recentBlockhash = (await connection.getLatestBlockhash()).blockhash;
    tx.sign(payer);
    const bytes = tx.serialize();
    bytes[10] = (bytes[10] ?? 0) ^ 0xff;
    const reply = await rpc(ledger, "sendTransaction", [
      Buffer.from(bytes).toString("base64"),
      { encoding: "base64", skipPreflight: true },
    ]);
    expect(reply.error?.code).to.equal(-32003);
  });

  it("answers a transaction missing its signature with -32003, with or without preflight", async () => {
    const tx = transfer(payer, Keypair.generate().publicKey, 1_000_000);
    tx.recentBlockhash = (await connection.getLatestBlockhash()).blockhash;
    tx.feePayer = payer.publicKey;
    const unsigned = tx.serialize({ requireAllSignatures: false, verifySignatures: false }).toString("base64");
    for (const skipPreflight of [false, true]) {
      const reply = await rpc(ledger, "sendTransaction", [unsigned, { encoding: "base64", skipPreflight }]);
      expect(reply.error?.code).to.equal(-32003);
    }
  });

  it("accepts base58-encoded transactions (the JSON-RPC default encoding)", async () => {
    const to = Keypair.generate().publicKey;
    const tx = transfer(payer, to, 1_000_777);
    tx.recentBlockhash = (await connection.getLatestBlockhash()).blockhash;
    tx.sign(payer);
    const reply = await rpc(ledger, "sendTransaction", [bs58.encode(tx.serialize())]);
    expect(reply.error).to.equal(undefined);
    expect(await connection.getBalance(to)).to.equal(1_000_777);
  });

  it("runs the SPL token flow and reports token balances", async () => {
    const owner = Keypair.generate();
    const mint = await createMint(connection, payer, payer.publicKey, null, 6);
    const ata = await createAssociatedTokenAccount(connection, payer, mint, owner.publicKey);
    expect(ata.toBase58()).to.equal(getAssociatedTokenAddressSync(mint, owner.publicKey).toBase58());
    const signature = await mintTo(connection, payer, mint, ata, payer, 2_500_000n);
    const account = await getAccount(connection, ata);
    expect(account.amount).to.equal(2_500_000n);
    expect(account.owner.toBase58()).to.equal(owner.publicKey.toBase58());
    const balance = await connection.getTokenAccountBalance(ata);
    expect(balance.value).to.deep.include({ amount: "2500000", decimals: 6, uiAmountString: "2.5" });
    const byOwner = await connection.getTokenAccountsByOwner(owner.publicKey, { mint });
    expect(byOwner.value.map((a) => a.pubkey.toBase58())).to.deep.equal([ata.toBase58()]);
    const parsed = await connection.getParsedAccountInfo(ata);
    const data = parsed.value?.data as { parsed: { type: string; info: { tokenAmount: { amount: string } } } };
    expect(data.parsed.type).to.equal("account");
    expect(data.parsed.info.tokenAmount.amount).to.equal("2500000");
    const meta = (await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0 }))!.meta!;
    expect(meta.preTokenBalances?.[0]?.uiTokenAmount.amount).to.equal("0");
    expect(meta.postTokenBalances?.[0]?.uiTokenAmount.amount).to.equal("2500000");
  });

  it("filters getProgramAccounts by dataSize and memcmp, with and without context", async () => {
    const mint = await createMint(connection, payer, payer.publicKey, null, 0);
    const holders = [Keypair.generate().publicKey, Keypair.generate().publicKey];
    const atas = [];
    for (const holder of holders) atas.push(await createAssociatedTokenAccount(connection, payer, mint, holder));
    const byMint = await connection.getProgramAccounts(TOKEN_PROGRAM_ID, {
      filters: [{ dataSize: 165 }, { memcmp: { offset: 0, bytes: mint.toBase58() } }],
    });
    expect(byMint.map((a) => a.pubkey.toBase58()).sort()).to.deep.equal(atas.map((a) => a.toBase58()).sort());
    const byOwner = await connection.getProgramAccounts(TOKEN_PROGRAM_ID, {
      filters: [{ memcmp: { offset: 32, bytes: holders[1]!.toBase58() } }],
    });
    expect(byOwner.map((a) => a.pubkey.toBase58())).to.deep.equal([atas[1]!.toBase58()]);
    const mints = await connection.getProgramAccounts(TOKEN_PROGRAM_ID, {
      filters: [{ dataSize: 82 }, { memcmp: { offset: 0, bytes: mint.toBase58() } }],
    });
    expect(mints).to.have.length(0);
    const withContext = await rpc(ledger, "getProgramAccounts", [
      TOKEN_PROGRAM_ID.toBase58(),
      { encoding: "base64", withContext: true, filters: [{ memcmp: { offset: 0, bytes: mint.toBase58() } }] },
    ]);
    const result = withContext.result as { context: { slot: number }; value: unknown[] };
    expect(result.context.slot).to.be.a("number");
    expect(result.value).to.have.length(2);
  });

  it("lists an address's signatures newest first", async () => {
    const who = Keypair.generate();
    await fund(connection, who.publicKey, 1);
    const sig = await sendAndConfirmTransaction(connection, transfer(who, payer.publicKey, 1000), [who]);
    const list = await connection.getSignaturesForAddress(who.publicKey);
    expect(list).to.have.length(2);
    expect(list[0]!.signature).to.equal(sig);
    const limited = await connection.getSignaturesForAddress(who.publicKey, { limit: 1, before: sig });
    expect(limited).to.have.length(1);
    expect(limited[0]!.signature).to.not.equal(sig);
  });

  it("pushes account, logs and slot notifications over the websocket", async () => {
    const watched = Keypair.generate().publicKey;
    const accountSeen = new Promise<number>((resolve) => {
      const id = connection.onAccountChange(watched, (info) => {
        void connection.removeAccountChangeListener(id);
        resolve(info.lamports);
      });
    });
    const logsSeen = new Promise<string[]>((resolve) => {
      const id = connection.onLogs(watched, (logs) => {
        void connection.removeOnLogsListener(id);
        resolve(logs.logs);
      });
    });
    // Kept until the end: removing it early would race with the wait for three live subscriptions.
    let slotListener = 0;
    const slotSeen = new Promise<number>((resolve) => {
      slotListener = connection.onSlotChange((info) => resolve(info.slot));
    });
    // Subscriptions are registered asynchronously; wait until the server holds them.
    await until(
      async () => (connection as unknown as { _subscriptionsByHash: Record<string, { state: string }> })._subscriptionsByHash,
      (subs) => Object.values(subs).filter((s) => s.state === "subscribed").length >= 3,
    );
    await sendAndConfirmTransaction(connection, transfer(payer, watched, 4_242_000), [payer]);
    expect(await accountSeen).to.equal(4_242_000);
    expect((await logsSeen).join("\n")).to.contain("Program 11111111111111111111111111111111 success");
    expect(await slotSeen).to.be.greaterThan(0);
    await connection.removeSlotChangeListener(slotListener);
  });

  it("simulates without committing and returns logs, compute units and post-simulation accounts", async () => {
    const to = Keypair.generate().publicKey;
    const latest = await connection.getLatestBlockhash();
    const message = MessageV0.compile({
      payerKey: payer.publicKey,
      recentBlockhash: latest.blockhash,
      instructions: [SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports: 7_000_000 })],
    });
    const tx = new VersionedTransaction(message);
    tx.sign([payer]);
    const sim = await connection.simulateTransaction(tx, { accounts: { encoding: "base64", addresses: [to.toBase58()] } });
    expect(sim.value.err).to.equal(null);
    expect(sim.value.logs).to.include("Program 11111111111111111111111111111111 success");
    expect(sim.value.unitsConsumed).to.be.greaterThan(0);
    expect(sim.value.accounts?.[0]?.lamports).to.equal(7_000_000);
    expect(await connection.getBalance(to)).to.equal(0);
    const unsigned = new Transaction({ feePayer: payer.publicKey, ...latest }).add(
      SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports: 1 }),
    );
    const legacy = await connection.simulateTransaction(unsigned);
    expect(legacy.value.err).to.deep.equal({ InsufficientFundsForRent: { account_index: 1 } });
  });

  it("returns jsonParsed transactions that getParsedTransaction accepts", async () => {
    const to = Keypair.generate().publicKey;
    const signature = await sendAndConfirmTransaction(connection, transfer(payer, to, 2_000_000), [payer]);
    const parsed = await connection.getParsedTransaction(signature, { maxSupportedTransactionVersion: 0 });
    const keys = parsed!.transaction.message.accountKeys;
    expect(keys[0]).to.deep.include({ signer: true, writable: true });
    expect(keys[0]!.pubkey.toBase58()).to.equal(payer.publicKey.toBase58());
    const ix = parsed!.transaction.message.instructions[0]!;
    expect(ix.programId.toBase58()).to.equal(SystemProgram.programId.toBase58());
  });

  it("lets AnchorProvider.sendAndConfirm land a transaction", async () => {
    const provider = new AnchorProvider(connection, new Wallet(payer), { commitment: "confirmed" });
    const to = Keypair.generate().publicKey;
    const signature = await provider.sendAndConfirm(transfer(payer, to, 9_999_999));
    expect(signature).to.be.a("string");
    expect(await connection.getBalance(to)).to.equal(9_999_999);
  });

  it("runs a version 0 transaction through an address lookup table created on the ledger", async () => {
    // createLookupTable needs a recent slot listed in the SlotHashes sysvar (u64 count, then slot/hash pairs).
    const slotHashes = (await connection.getAccountInfo(SYSVAR_SLOT_HASHES_PUBKEY))!.data;
    expect(slotHashes.readBigUInt64LE(0) > 0n).to.equal(true);
    const recentSlot = Number(slotHashes.readBigUInt64LE(8));
    const [create, table] = AddressLookupTableProgram.createLookupTable({
      authority: payer.publicKey,
      payer: payer.publicKey,
      recentSlot,
    });
    const recipient = Keypair.generate().publicKey;
    const extend = AddressLookupTableProgram.extendLookupTable({
      lookupTable: table,
      authority: payer.publicKey,
      payer: payer.publicKey,
      addresses: [recipient],
    });
    await sendAndConfirmTransaction(connection, new Transaction().add(create, extend), [payer]);
    // Addresses become usable in the slot after the one that added them.
    const extendedAt = await connection.getSlot();
    await until(() => connection.getSlot(), (slot) => slot > extendedAt);
    const lookup = (await connection.getAddressLookupTable(table)).value!;
    expect(lookup.state.addresses.map((a) => a.toBase58())).to.deep.equal([recipient.toBase58()]);
    const latest = await connection.getLatestBlockhash();
    const message = MessageV0.compile({
      payerKey: payer.publicKey,
      recentBlockhash: latest.blockhash,
      instructions: [SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: recipient, lamports: 3_000_000 })],
      addressLookupTableAccounts: [lookup],
    });
    const tx = new VersionedTransaction(message);
    tx.sign([payer]);
    const signature = await connection.sendTransaction(tx);
    expect((await connection.confirmTransaction({ signature, ...latest })).value.err).to.equal(null);
    expect(await connection.getBalance(recipient)).to.equal(3_000_000);
    const landed = await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0 });
    expect(landed?.version).to.equal(0);
    expect(landed?.meta?.loadedAddresses?.writable.map((k) => k.toBase58())).to.deep.equal([recipient.toBase58()]);
    const legacyOnly = await rpc(ledger, "getTransaction", [signature, { encoding: "json" }]);
    expect(legacyOnly.error?.code).to.equal(-32015);
  });

  it("keeps the Clock sysvar on wall time and the current slot", async () => {
    const startSlot = await connection.getSlot();
    await until(() => connection.getSlot(), (slot) => slot > startSlot + 2);
    const info = await connection.getAccountInfo(SYSVAR_CLOCK_PUBKEY);
    const data = info!.data;
    const clockSlot = data.readBigUInt64LE(0);
    const unixTimestamp = Number(data.readBigInt64LE(32));
    expect(clockSlot > BigInt(startSlot)).to.equal(true);
    expect(Math.abs(unixTimestamp - Date.now() / 1000)).to.be.lessThan(5);
  });
});
