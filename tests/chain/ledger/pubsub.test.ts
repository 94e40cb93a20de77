import { createAssociatedTokenAccount, createMint, mintTo, TOKEN_PROGRAM_ID } from "@solana/spl-token";
import { type Connection, Keypair, SystemProgram, Transaction } from "@solana/web3.js";
import bs58 from "bs58";
import { expect } from "chai";
import type { Ledger } from "../../../chain/ledger/index.js";
import { connect, disconnect, rpc, startTestLedger, WsClient } from "./support.js";

interface Notification {
  method: string;
  params: { subscription: number; result: { context?: { slot: number }; value?: unknown } & Record<string, unknown> };
}

describe("chain/ledger PubSub notifications", () => {
  let ledger: Ledger;
  let connection: Connection;
  let client: WsClient;
  const payer = Keypair.generate();
  let nextId = 100;

  async function subscribe(method: string, params: unknown[]): Promise<number> {
    const id = nextId++;
    client.send({ jsonrpc: "2.0", id, method, params });
    const reply = await client.waitFor((m) => m.id === id);
    expect(reply.error, JSON.stringify(reply.error)).to.equal(undefined);
    return reply.result as number;
  }

  function notificationFor(subscription: number, method: string): Promise<Notification> {
    return client.waitFor(
      (m) => m.method === method && (m.params as Notification["params"]).subscription === subscription,
    ) as Promise<unknown> as Promise<Notification>;
  }

  async function signedTransfer(lamports: number): Promise<{ base64: string; signature: string }> {
    const { blockhash } = await connection.getLatestBlockhash();
    const tx = new Transaction({ feePayer: payer.publicKey, recentBlockhash: blockhash }).add(
      SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: Keypair.generate().publicKey, lamports }),
    );
    tx.sign(payer);
    return { base64: tx.serialize().toString("base64"), signature: bs58.encode(tx.signature!) };
  }

  before(async () => {
    ledger = await startTestLedger();
    connection = connect(ledger);
    client = await WsClient.open(ledger.wsUrl);
    await ledger.airdrop(payer.publicKey.toBase58(), 50_000_000_000n);
  });

  after(async () => {
    client.close();
    disconnect(connection);
    await ledger.close();
  });

  it("sends receivedSignature and then the result when asked for both", async () => {
    const { base64, signature } = await signedTransfer(1_000_000);
    const sub = await subscribe("signatureSubscribe", [signature, { commitment: "confirmed", enableReceivedNotification: true }]);
    const sent = await rpc(ledger, "sendTransaction", [base64, { encoding: "base64" }]);
    expect(sent.result).to.equal(signature);
    const received = await notificationFor(sub, "signatureNotification");
    expect(received.params.result.value).to.equal("receivedSignature");
    const landed = await client.waitFor(
      (m) =>
        m.method === "signatureNotification" &&
        (m.params as Notification["params"]).subscription === sub &&
        typeof (m.params as Notification["params"]).result.value === "object",
    );
    expect((landed.params as Notification["params"]).result.value).to.deep.equal({ err: null });
  });

  it("answers a signature subscription at once when the transaction already landed, then ends it", async () => {
    const { base64, signature } = await signedTransfer(2_000_000);
    await rpc(ledger, "sendTransaction", [base64, { encoding: "base64" }]);
    const sub = await subscribe("signatureSubscribe", [signature]);
    const note = await notificationFor(sub, "signatureNotification");
    expect(note.params.result.value).to.deep.equal({ err: null });
    const id = nextId++;
    client.send({ jsonrpc: "2.0", id, method: "signatureUnsubscribe", params: [sub] });
    // The subscription ended with its notification, so it is no longer known.
    expect(((await client.waitFor((m) => m.id === id)).error as { code: number }).code).to.equal(-32602);
  });

  it("notifies program subscribers of changed accounts that pass the filters, jsonParsed when asked", async () => {
    const sub = await subscribe("programSubscribe", [
      TOKEN_PROGRAM_ID.toBase58(),
      { encoding: "jsonParsed", filters: [{ dataSize: 165 }] },
    ]);
    const owner = Keypair.generate().publicKey;
    const mint = await createMint(connection, payer, payer.publicKey, null, 0);
    const ata = await createAssociatedTokenAccount(connection, payer, mint, owner);
    await mintTo(connection, payer, mint, ata, payer, 42n);
    const note = await client.waitFor((m) => {
      if (m.method !== "programNotification") return false;
      const value = (m.params as Notification["params"]).result.value as {
        pubkey: string;
        account: { data: { parsed: { info: { tokenAmount: { amount: string } } } } };
      };
      return value.pubkey === ata.toBase58() && value.account.data.parsed.info.tokenAmount.amount === "42";
    });
    expect((note.params as Notification["params"]).subscription).to.equal(sub);
    // The 82-byte mint never matches the dataSize filter.
    const mintNotes = client.messages.filter(
      (m) => m.method === "programNotification" && ((m.params as Notification["params"]).result.value as { pubkey: string }).pubkey === mint.toBase58(),
    );
    expect(mintNotes).to.have.length(0);
  });

  it("notifies logs subscribers of transactions that mention their address only", async () => {
    const watched = Keypair.generate().publicKey;
    const sub = await subscribe("logsSubscribe", [{ mentions: [watched.toBase58()] }]);
    await rpc(ledger, "sendTransaction", [(await signedTransfer(3_000_000)).base64, { encoding: "base64" }]);
    await ledger.airdrop(watched.toBase58(), 5_000_000n);
    const note = await notificationFor(sub, "logsNotification");
    const value = note.params.result.value as { signature: string; logs: string[]; err: unknown };
    expect(value.err).to.equal(null);
    const tx = await connection.getTransaction(value.signature, { maxSupportedTransactionVersion: 0 });
    expect(tx?.transaction.message.staticAccountKeys.map((k) => k.toBase58())).to.include(watched.toBase58());
    expect(client.messages.filter((m) => m.method === "logsNotification" && (m.params as Notification["params"]).subscription === sub)).to.have.length(1);
  });

  it("reports slots and roots as they are produced", async () => {
    const slotSub = await subscribe("slotSubscribe", []);
    const rootSub = await subscribe("rootSubscribe", []);
    const slot = await notificationFor(slotSub, "slotNotification");
    const { parent, root, slot: number } = slot.params.result as unknown as { parent: number; root: number; slot: number };
    expect(parent).to.equal(number - 1);
    expect(root).to.equal(number);
    const rootNote = await notificationFor(rootSub, "rootNotification");
    expect(rootNote.params.result).to.be.a("number");
  });
});
