import { createMint, createAssociatedTokenAccount, mintTo } from "@solana/spl-token";
import { getTransferSolInstruction } from "@solana-program/system";
import {
  address,
  appendTransactionMessageInstruction,
  assertIsTransactionWithBlockhashLifetime,
  createSolanaRpc,
  createSolanaRpcSubscriptions,
  createTransactionMessage,
  generateKeyPairSigner,
  pipe,
  sendAndConfirmTransactionFactory,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  signature as toSignature,
} from "@solana/kit";
import { type Connection, Keypair, LAMPORTS_PER_SOL, SystemProgram, sendAndConfirmTransaction, Transaction } from "@solana/web3.js";
import { expect } from "chai";
import type { Ledger } from "../../../chain/ledger/index.js";
import { connect, disconnect, startTestLedger } from "./support.js";

describe("chain/ledger read by an independent client (@solana/kit)", () => {
  let ledger: Ledger;
  let connection: Connection;
  const payer = Keypair.generate();

  before(async () => {
    ledger = await startTestLedger();
    connection = connect(ledger);
    await ledger.airdrop(payer.publicKey.toBase58(), 10n * BigInt(LAMPORTS_PER_SOL));
  });

  after(async () => {
    disconnect(connection);
    await ledger.close();
  });

  it("sees the balances, token state and transaction statuses written through web3.js", async () => {
    const to = Keypair.generate().publicKey;
    const sig = await sendAndConfirmTransaction(
      connection,
      new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports: 3_000_000 })),
      [payer],
    );
    const mint = await createMint(connection, payer, payer.publicKey, null, 2);
    const ata = await createAssociatedTokenAccount(connection, payer, mint, to);
    await mintTo(connection, payer, mint, ata, payer, 12_345n);

    const rpc = createSolanaRpc(ledger.rpcUrl);
    const balance = await rpc.getBalance(address(to.toBase58())).send();
    expect(balance.value).to.equal(3_000_000n);
    const statuses = await rpc.getSignatureStatuses([toSignature(sig)]).send();
    expect(statuses.value[0]?.err).to.equal(null);
    expect(statuses.value[0]?.confirmationStatus).to.equal("finalized");
    const token = await rpc.getTokenAccountBalance(address(ata.toBase58())).send();
    expect(token.value.amount).to.equal("12345");
    expect(token.value.uiAmountString).to.equal("123.45");
    const info = await rpc.getAccountInfo(address(ata.toBase58()), { encoding: "base64" }).send();
    expect(info.value?.owner).to.equal("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
    expect(Buffer.from(info.value!.data[0], "base64").length).to.equal(165);
    expect(info.value?.space).to.equal(165n);
    // u64 fields arrive exactly (rentEpoch is u64::MAX; kit's types leave the field out).
    expect((info.value as unknown as { rentEpoch: bigint }).rentEpoch).to.equal(18_446_744_073_709_551_615n);
    const latest = await rpc.getLatestBlockhash().send();
    const valid = await rpc.isBlockhashValid(latest.value.blockhash).send();
    expect(valid.value).to.equal(true);
    const tx = await rpc.getTransaction(toSignature(sig), { maxSupportedTransactionVersion: 0, encoding: "json" }).send();
    expect(tx?.meta?.fee).to.equal(5_000n);
    expect(await rpc.getGenesisHash().send()).to.equal(ledger.genesisHash);
  });

  it("sends and confirms a transfer with kit's own signer, transaction builder and confirmation", async () => {
    const rpc = createSolanaRpc(ledger.rpcUrl);
    const rpcSubscriptions = createSolanaRpcSubscriptions(ledger.wsUrl);
    const signer = await generateKeyPairSigner();
    await ledger.airdrop(signer.address, 2_000_000_000n);
    const recipient = Keypair.generate().publicKey;
    const { value: latest } = await rpc.getLatestBlockhash().send();
    const message = pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(signer, m),
      (m) => setTransactionMessageLifetimeUsingBlockhash(latest, m),
      (m) =>
        appendTransactionMessageInstruction(
          getTransferSolInstruction({ source: signer, destination: address(recipient.toBase58()), amount: 4_000_000n }),
          m,
        ),
    );
    const signed = await signTransactionMessageWithSigners(message);
    assertIsTransactionWithBlockhashLifetime(signed);
    const abort = new AbortController();
    try {
      await sendAndConfirmTransactionFactory({ rpc, rpcSubscriptions })(signed, {
        commitment: "confirmed",
        abortSignal: abort.signal,
      });
    } finally {
      abort.abort();
    }
    expect(await connection.getBalance(recipient)).to.equal(4_000_000);
  });

  it("receives slot notifications through kit's websocket subscriptions", async () => {
    const subscriptions = createSolanaRpcSubscriptions(ledger.wsUrl);
    const abort = new AbortController();
    try {
      const notifications = await subscriptions.slotNotifications().subscribe({ abortSignal: abort.signal });
      const seen: bigint[] = [];
      for await (const n of notifications) {
        seen.push(n.slot);
        if (seen.length === 2) break;
      }
      expect(seen[1]! > seen[0]!).to.equal(true);
    } finally {
      abort.abort();
    }
  });
});
