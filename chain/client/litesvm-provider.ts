import type { Provider, Wallet } from "@coral-xyz/anchor";
import { type Address, getTransactionDecoder, lamports } from "@solana/kit";
import {
  type AccountInfo,
  type Commitment,
  type Connection,
  type GetProgramAccountsConfig,
  Keypair,
  PublicKey,
  type Signer,
  type Transaction,
  type TransactionSignature,
  VersionedTransaction,
} from "@solana/web3.js";
import bs58 from "bs58";
import { Clock, FailedTransactionMetadata, LiteSVM, type TransactionMetadata } from "litesvm";

/** A failed transaction, shaped like web3.js's SendTransactionError (message + logs). */
export class LiteSvmTransactionError extends Error {
  constructor(
    message: string,
    readonly logs: string[],
  ) {
    super(message);
    this.name = "LiteSvmTransactionError";
  }
}

/** What tests read after a transaction: its logs and compute units. */
export interface ExecutedTransaction {
  readonly signature: string;
  readonly logs: string[];
  readonly computeUnits: bigint;
}

/**
 * An Anchor Provider whose "cluster" is an in-process litesvm: the real Solana VM running our
 * compiled program. Only the Connection methods Anchor's Program uses are implemented
 * (account fetches, getProgramAccounts with memcmp/dataSize filters, blockhash, rent). For an
 * RPC endpoint, use `hexcover ledger` with a plain AnchorProvider instead.
 */
export class LiteSvmProvider implements Provider {
  readonly svm: LiteSVM;
  readonly payer: Keypair;
  readonly wallet: Wallet;
  readonly connection: Connection;
  /** The last executed transaction, for log and compute-unit assertions. */
  lastTransaction: ExecutedTransaction | undefined;
  readonly #decoder = getTransactionDecoder();

  constructor(svm: LiteSVM = new LiteSVM(), payer: Keypair = Keypair.generate()) {
    this.svm = svm;
    this.payer = payer;
    this.svm.airdrop(payer.publicKey.toBase58() as Address, lamports(1_000_000_000_000n));
    this.wallet = {
      publicKey: payer.publicKey,
      payer,
      signTransaction: async <T extends Transaction | VersionedTransaction>(tx: T): Promise<T> => {
        if (tx instanceof VersionedTransaction) tx.sign([payer]);
        else tx.partialSign(payer);
        return tx;
      },
      signAllTransactions: async <T extends Transaction | VersionedTransaction>(txs: T[]): Promise<T[]> => {
        for (const tx of txs) await this.wallet.signTransaction(tx);
        return txs;
      },
    };
    this.connection = this.#connection();
  }

  get publicKey(): PublicKey {
    return this.payer.publicKey;
  }

  airdrop(to: PublicKey, amount: bigint): void {
    this.svm.airdrop(to.toBase58() as Address, lamports(amount));
  }

  /** Sets the Clock sysvar's unix time (and advances the slot so blockhashes stay fresh). */
  setUnixTime(unixSeconds: bigint): void {
    const clock = this.svm.getClock();
    this.svm.setClock(new Clock(clock.slot + 1n, clock.epochStartTimestamp, clock.epoch, clock.leaderScheduleEpoch, unixSeconds));
  }

  async sendAndConfirm(tx: Transaction | VersionedTransaction, signers: Signer[] = []): Promise<TransactionSignature> {
    return this.execute(tx, signers).signature;
  }

  async send(tx: Transaction | VersionedTransaction, signers: Signer[] = []): Promise<TransactionSignature> {
    return this.execute(tx, signers).signature;
  }

  /** Signs (payer first), executes and returns logs and CU; throws LiteSvmTransactionError on failure. */
  execute(tx: Transaction | VersionedTransaction, signers: Signer[] = []): ExecutedTransaction {
    // A fresh blockhash per transaction: identical transactions must not collide as duplicates.
    this.svm.expireBlockhash();
    let bytes: Uint8Array;
    if (tx instanceof VersionedTransaction) {
      tx.message.recentBlockhash = this.svm.latestBlockhash();
      tx.sign([this.payer, ...signers.filter((s) => !s.publicKey.equals(this.payer.publicKey))]);
      bytes = tx.serialize();
    } else {
      tx.feePayer ??= this.payer.publicKey;
      tx.recentBlockhash = this.svm.latestBlockhash();
      const all = [this.payer, ...signers].filter((s, i, list) => list.findIndex((o) => o.publicKey.equals(s.publicKey)) === i);
      const message = tx.compileMessage();
      const required = message.accountKeys.slice(0, message.header.numRequiredSignatures);
      tx.sign(...all.filter((s) => required.some((key) => key.equals(s.publicKey))));
      bytes = tx.serialize();
    }
    const result = this.svm.sendTransaction(this.#decoder.decode(bytes));
    if (result instanceof FailedTransactionMetadata) {
      const logs = result.meta().logs();
      this.lastTransaction = { signature: bs58.encode(result.meta().signature()), logs, computeUnits: result.meta().computeUnitsConsumed() };
      throw new LiteSvmTransactionError(`transaction failed: ${result.err().toString()}\n${logs.join("\n")}`, logs);
    }
    const meta = result as TransactionMetadata;
    this.lastTransaction = { signature: bs58.encode(meta.signature()), logs: meta.logs(), computeUnits: meta.computeUnitsConsumed() };
    return this.lastTransaction;
  }

  #accountInfo(address: PublicKey): AccountInfo<Buffer> | null {
    const account = this.svm.getAccount(address.toBase58() as Address);
    if (!account.exists) return null;
    return {
      data: Buffer.from(account.data),
      executable: account.executable,
      lamports: Number(account.lamports),
      owner: new PublicKey(account.programAddress),
      rentEpoch: 0,
    };
  }

  #connection(): Connection {
    const slot = () => Number(this.svm.getClock().slot);
    const connection = {
      commitment: "confirmed" as Commitment,
      rpcEndpoint: "litesvm://in-process",
      getAccountInfo: async (address: PublicKey) => this.#accountInfo(address),
      getAccountInfoAndContext: async (address: PublicKey) => ({ context: { slot: slot() }, value: this.#accountInfo(address) }),
      getMultipleAccountsInfo: async (addresses: PublicKey[]) => addresses.map((a) => this.#accountInfo(a)),
      getMultipleAccountsInfoAndContext: async (addresses: PublicKey[]) => ({
        context: { slot: slot() },
        value: addresses.map((a) => this.#accountInfo(a)),
      }),
      getProgramAccounts: async (programId: PublicKey, config?: GetProgramAccountsConfig) => {
        const filters = config?.filters ?? [];
        return this.svm
          .getProgramAccounts(programId.toBase58() as Address)
          .filter((account) => {
            const data = Buffer.from(account.data);
            return filters.every((f) => {
              if ("dataSize" in f) return data.length === f.dataSize;
              const wanted = Buffer.from(bs58.decode(f.memcmp.bytes as string));
              return data.subarray(f.memcmp.offset, f.memcmp.offset + wanted.length).equals(wanted);
            });
          })
          .map((account) => ({ pubkey: new PublicKey(account.address), account: this.#accountInfo(new PublicKey(account.address))! }));
      },
      getLatestBlockhash: async () => ({ blockhash: this.svm.latestBlockhash(), lastValidBlockHeight: slot() + 150 }),
      getMinimumBalanceForRentExemption: async (size: number) => Number(this.svm.minimumBalanceForRentExemption(BigInt(size))),
      getSlot: async () => slot(),
    };
    return connection as unknown as Connection;
  }
}
