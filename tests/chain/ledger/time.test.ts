import {
  type Connection,
  Keypair,
  LAMPORTS_PER_SOL,
  SendTransactionError,
  SystemProgram,
  Transaction,
} from "@solana/web3.js";
import { expect } from "chai";
import { type Ledger, MAX_PROCESSING_AGE } from "../../../chain/ledger/index.js";
import { connect, disconnect, rpc, startTestLedger, until } from "./support.js";

/** Very short slots so 150 blocks pass quickly; expiry is counted in blocks, not milliseconds. */
const FAST_SLOT_MS = 10;

describe("chain/ledger time model", () => {
  let ledger: Ledger;
  let connection: Connection;
  const payer = Keypair.generate();

  before(async () => {
    ledger = await startTestLedger({ slotMs: FAST_SLOT_MS });
    connection = connect(ledger);
    await ledger.airdrop(payer.publicKey.toBase58(), BigInt(LAMPORTS_PER_SOL));
  });

  after(async () => {
    disconnect(connection);
    await ledger.close();
  });

  it("advances slots and block height with wall-clock time", async () => {
    const slot = await connection.getSlot();
    const height = await connection.getBlockHeight();
    await until(() => connection.getBlockHeight(), (h) => h >= height + 3);
    expect(await connection.getSlot()).to.be.greaterThan(slot);
    const epoch = await connection.getEpochInfo();
    expect(epoch.slotsInEpoch).to.equal(432_000);
    expect(epoch.absoluteSlot).to.equal(epoch.epoch * 432_000 + epoch.slotIndex);
  });

  it("announces lastValidBlockHeight as the current height plus 150 blocks", async () => {
    const height = await connection.getBlockHeight();
    const { lastValidBlockHeight } = await connection.getLatestBlockhash();
    expect(lastValidBlockHeight - height).to.be.within(MAX_PROCESSING_AGE - 1, MAX_PROCESSING_AGE + 1);
  });

  it("expires a blockhash after 150 blocks: preflight says so and a skipped preflight never lands", async function () {
    this.timeout(60_000);
    const latest = await connection.getLatestBlockhash();
    const tx = new Transaction({ feePayer: payer.publicKey, ...latest }).add(
      SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: Keypair.generate().publicKey, lamports: 1_000_000 }),
    );
    tx.sign(payer);
    expect((await connection.isBlockhashValid(latest.blockhash)).value).to.equal(true);
    await until(() => connection.getBlockHeight(), (h) => h > latest.lastValidBlockHeight, 50);
    expect((await connection.isBlockhashValid(latest.blockhash)).value).to.equal(false);

    let caught: unknown;
    try {
      await connection.sendRawTransaction(tx.serialize());
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(SendTransactionError);
    expect((caught as Error).message).to.match(/Blockhash not found/);

    const signature = await connection.sendRawTransaction(tx.serialize(), { skipPreflight: true });
    const status = await connection.getSignatureStatus(signature);
    expect(status.value).to.equal(null);
    const balance = await connection.getBalance(payer.publicKey);
    expect(balance).to.equal(LAMPORTS_PER_SOL);
  });

  it("treats a blockhash it never issued as invalid", async () => {
    const reply = await rpc(ledger, "isBlockhashValid", ["11111111111111111111111111111111"]);
    expect(reply.result).to.deep.include({ value: false });
  });
});
