import {
  AddressLookupTableAccount,
  Keypair,
  MessageV0,
  type PublicKey,
  SystemProgram,
  Transaction,
  VersionedTransaction,
} from "@solana/web3.js";
import bs58 from "bs58";
import { expect } from "chai";
import fc from "fast-check";
import {
  isStaticKeyWritable,
  MalformedTransactionError,
  parseMessage,
  parseTransaction,
  stringifyJson,
} from "../../../chain/ledger/index.js";

const BLOCKHASH = bs58.encode(Buffer.alloc(32, 7));

function legacyTransfer(): { tx: Transaction; payer: Keypair; to: PublicKey } {
  const payer = Keypair.generate();
  const to = Keypair.generate().publicKey;
  const tx = new Transaction({ feePayer: payer.publicKey, recentBlockhash: BLOCKHASH }).add(
    SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports: 5 }),
  );
  tx.sign(payer);
  return { tx, payer, to };
}

function expectMalformed(bytes: Uint8Array): void {
  expect(() => parseTransaction(bytes)).to.throw(MalformedTransactionError);
}

describe("chain/ledger transaction wire format", () => {
  it("reads a legacy transaction as web3.js wrote it", () => {
    const { tx, payer, to } = legacyTransfer();
    const parsed = parseTransaction(tx.serialize());
    expect(parsed.signatures).to.deep.equal([bs58.encode(tx.signature!)]);
    expect(parsed.message.version).to.equal("legacy");
    expect(parsed.message.recentBlockhash).to.equal(BLOCKHASH);
    expect(parsed.message.accountKeys).to.deep.equal([payer.publicKey.toBase58(), to.toBase58(), SystemProgram.programId.toBase58()]);
    expect(isStaticKeyWritable(parsed.message, 0)).to.equal(true);
    expect(isStaticKeyWritable(parsed.message, 1)).to.equal(true);
    expect(isStaticKeyWritable(parsed.message, 2)).to.equal(false);
    expect(Buffer.from(parsed.messageBytes).equals(tx.serializeMessage())).to.equal(true);
  });

  it("reads a version 0 transaction with address table lookups", () => {
    const payer = Keypair.generate();
    const tableKey = Keypair.generate().publicKey;
    const looked = [Keypair.generate().publicKey, Keypair.generate().publicKey];
    const table = new AddressLookupTableAccount({
      key: tableKey,
      state: { deactivationSlot: 2n ** 64n - 1n, lastExtendedSlot: 0, lastExtendedSlotStartIndex: 0, addresses: looked },
    });
    const message = MessageV0.compile({
      payerKey: payer.publicKey,
      recentBlockhash: BLOCKHASH,
      instructions: [SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: looked[1]!, lamports: 1 })],
      addressLookupTableAccounts: [table],
    });
    const tx = new VersionedTransaction(message);
    tx.sign([payer]);
    const parsed = parseTransaction(tx.serialize());
    expect(parsed.message.version).to.equal(0);
    expect(parsed.message.addressTableLookups).to.deep.equal([
      { accountKey: tableKey.toBase58(), writableIndexes: [1], readonlyIndexes: [] },
    ]);
    expect(parseMessage(message.serialize()).addressTableLookups).to.have.length(1);
  });

  it("rejects truncated input, trailing bytes and a signature count that does not match the header", () => {
    const bytes = legacyTransfer().tx.serialize();
    expectMalformed(bytes.subarray(0, bytes.length - 1));
    expectMalformed(Buffer.concat([bytes, Buffer.from([0])]));
    expectMalformed(new Uint8Array(0));
    const twoSignatures = Buffer.from(bytes);
    twoSignatures[0] = 2;
    expectMalformed(twoSignatures);
  });

  it("rejects a non-canonical compact length", () => {
    // 0x80 0x00 encodes 0 in two bytes; Solana's short_vec refuses it.
    expectMalformed(Uint8Array.from([0x80, 0x00]));
  });

  it("either parses or throws MalformedTransactionError for arbitrary bytes (fuzz)", () => {
    const valid = legacyTransfer().tx.serialize();
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 1300 }),
          // Mutations of a valid transaction reach deeper into the parser than random bytes.
          fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })).map(([i, b]) => {
            const copy = Buffer.from(valid);
            copy[i] = b;
            return copy;
          }),
        ),
        (bytes) => {
          try {
            parseTransaction(bytes);
          } catch (err) {
            expect(err).to.be.instanceOf(MalformedTransactionError);
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("writes u64 values above 2^53 exactly in JSON output", () => {
    expect(stringifyJson({ rentEpoch: 18_446_744_073_709_551_615n, list: [1, "a", null], skip: undefined })).to.equal(
      '{"rentEpoch":18446744073709551615,"list":[1,"a",null]}',
    );
  });
});
