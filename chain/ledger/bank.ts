/**
 * The bank: one litesvm instance plus what a cluster adds around the VM — slots and block
 * heights that follow the wall clock, a blockhash queue with Agave's expiry rules, a status
 * cache / transaction history, fees and balances in transaction metadata, and a faucet.
 *
 * Everything here is synchronous and runs on the event loop thread, so requests are applied one
 * at a time in arrival order, like a single leader would.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Address, Transaction as KitTransaction } from "@solana/kit";
import { getTransactionDecoder } from "@solana/kit";
import { Keypair, PublicKey, SystemProgram, Transaction } from "@solana/web3.js";
import bs58 from "bs58";
import { Clock, EpochSchedule, FailedTransactionMetadata, LiteSVM } from "litesvm";
import type { TransactionMetadata } from "litesvm";
import { type LedgerAccount, parseMint, parseTokenAccount, type UiTokenAmount, uiTokenAmount } from "./accounts.js";
import {
  ADDRESS_LOOKUP_TABLE_PROGRAM_ID,
  BUILTIN_INSTRUCTION_COMPUTE_UNIT_LIMIT,
  BUILTIN_PROGRAM_IDS,
  COMPUTE_BUDGET_PROGRAM_ID,
  DEFAULT_INSTRUCTION_COMPUTE_UNIT_LIMIT,
  ED25519_PROGRAM_ID,
  FAUCET_GENESIS_LAMPORTS,
  LAMPORTS_PER_SIGNATURE,
  LEADER_SCHEDULE_SLOT_OFFSET,
  MAX_COMPUTE_UNIT_LIMIT,
  MAX_PROCESSING_AGE,
  MAX_RECENT_BLOCKHASHES,
  MICRO_LAMPORTS_PER_LAMPORT,
  SECP256K1_PROGRAM_ID,
  SECP256R1_PROGRAM_ID,
  SLOTS_PER_EPOCH,
  SYSTEM_PROGRAM_ID,
  TRANSACTION_HISTORY_LIMIT,
} from "./constants.js";
import { MalformedTransactionError, ProgramDeployError } from "./errors.js";
import {
  type DescribedError,
  describeTransactionError,
  fieldlessTransactionError,
  type TransactionErrorJson,
} from "./tx-error.js";
import { isStaticKeyWritable, type ParsedMessage, type ParsedTransaction, parseTransaction } from "./wire.js";

/** Agave's log collector limit (10 KB per transaction); longer logs end in "Log truncated". */
const LOG_BYTES_LIMIT = 10_000n;
/** Address lookup table accounts: 56-byte header (LOOKUP_TABLE_META_SIZE), then 32-byte keys. */
const LOOKUP_TABLE_META_SIZE = 56;
/** Agave's SlotHashes MAX_ENTRIES: the sysvar lists the hashes of the last 512 blocks. */
const SLOT_HASHES_MAX_ENTRIES = 512;
/** Base58 of 64 zero bytes: how a missing signature appears on the wire. */
const ALL_ZERO_SIGNATURE = "1".repeat(64);
/** Domain separation for the blockhash derivation (see blockhashAt). */
const BLOCKHASH_DOMAIN = "hexcover-ledger/blockhash/v1";

export interface TokenBalance {
  accountIndex: number;
  mint: string;
  owner: string;
  programId: string;
  uiTokenAmount: UiTokenAmount;
}

export interface InnerInstructionSet {
  index: number;
  instructions: { programIdIndex: number; accounts: number[]; data: string; stackHeight: number }[];
}

export interface ReturnData {
  programId: string;
  /** base64 */
  data: string;
}

/** A landed transaction with the metadata getTransaction returns. */
export interface TransactionRecord {
  signature: string;
  slot: bigint;
  blockTime: number;
  transaction: Uint8Array;
  err: TransactionErrorJson | null;
  fee: bigint;
  preBalances: bigint[];
  postBalances: bigint[];
  preTokenBalances: TokenBalance[];
  postTokenBalances: TokenBalance[];
  logs: string[];
  innerInstructions: InnerInstructionSet[];
  computeUnitsConsumed: bigint;
  returnData: ReturnData | null;
  loadedAddresses: { writable: string[]; readonly: string[] };
}

/** The clock sysvar's fields, as recorded with each journaled transaction. */
export interface ClockState {
  slot: bigint;
  epoch: bigint;
  epochStartTimestamp: bigint;
  leaderScheduleEpoch: bigint;
  unixTimestamp: bigint;
}

/** What the bank needs to persist besides the VM bytes. */
export interface BankMeta {
  genesisHash: string;
  faucetSecretKey: string;
  identitySecretKey: string;
  slot: bigint;
  blockHeight: bigint;
  /** Wall time (ms) at which `slot` began; slots after a restart count from here. */
  slotStartUnixMs: number;
  epochStartTimestamp: bigint;
  transactionCount: bigint;
}

/** A transaction as it goes to the journal: enough to re-execute it identically. */
export interface CommittedTransaction {
  bytes: Uint8Array;
  clock: ClockState;
  blockHeight: bigint;
  slotStartUnixMs: number;
  /** Whether it succeeded; replay checks the outcome is the same. */
  ok: boolean;
  /** Blocks produced since the previous entry as [slot, height]: replay rebuilds SlotHashes from them. */
  blocks: [bigint, bigint][];
}

export interface SimulationResult {
  err: DescribedError | null;
  logs: string[];
  unitsConsumed: bigint;
  returnData: ReturnData | null;
  innerInstructions: InnerInstructionSet[];
  /** Post-simulation state of the accounts asked for, in order (null: no such account). */
  accounts: (LedgerAccount | null)[] | null;
}

export type SubmitOutcome =
  | { kind: "landed"; record: TransactionRecord }
  | { kind: "dropped"; signature: string; error: DescribedError };

export interface BankListeners {
  slot?: (slot: bigint, parent: bigint) => void;
  received?: (signature: string) => void;
  transaction?: (record: TransactionRecord, writableKeys: string[]) => void;
  commit?: (entry: CommittedTransaction) => void;
}

interface ExecutionResult {
  outcome: TransactionMetadata | FailedTransactionMetadata;
  error: DescribedError | null;
}

/** Which kind of account list a transaction touches, resolved through lookup tables. */
interface ResolvedKeys {
  all: string[];
  writable: string[];
  loaded: { writable: string[]; readonly: string[] };
}

export class Bank {
  private readonly svm: LiteSVM;
  private readonly decoder = getTransactionDecoder();
  readonly genesisHash: string;
  readonly faucet: Keypair;
  readonly identity: Keypair;
  private slotValue: bigint;
  private height: bigint;
  private slotStartUnixMs: number;
  private epochStartTimestamp: bigint;
  private unixTimestamp: bigint;
  private transactionCountValue: bigint;
  /** blockhash -> block height at which it was produced (the last MAX_RECENT_BLOCKHASHES). */
  private readonly blockhashes = new Map<string, bigint>();
  /** Status cache and history; Map order is insertion order, so the oldest is first. */
  private readonly records = new Map<string, TransactionRecord>();
  private readonly blockWaiters: (() => void)[] = [];
  private readonly listeners: BankListeners[] = [];
  private sigverify = true;
  /** The SlotHashes sysvar, newest first, mirrored here so each block only prepends one entry. */
  private slotHashes: { slot: bigint; hash: string }[];
  /** Blocks produced since the last committed transaction (see CommittedTransaction.blocks). */
  private pendingBlocks: [bigint, bigint][] = [];

  private constructor(svm: LiteSVM, meta: BankMeta, records: TransactionRecord[], private readonly slotMs: number) {
    this.svm = svm;
    this.genesisHash = meta.genesisHash;
    this.faucet = Keypair.fromSecretKey(bs58.decode(meta.faucetSecretKey));
    this.identity = Keypair.fromSecretKey(bs58.decode(meta.identitySecretKey));
    this.slotValue = meta.slot;
    this.height = meta.blockHeight;
    this.slotStartUnixMs = meta.slotStartUnixMs;
    this.epochStartTimestamp = meta.epochStartTimestamp;
    this.unixTimestamp = BigInt(Math.floor(meta.slotStartUnixMs / 1000));
    this.transactionCountValue = meta.transactionCount;
    for (const record of records) this.remember(record);
    this.slotHashes = svm.getSlotHashes().map((h) => ({ slot: h.slot, hash: h.hash }));
    this.configure();
    this.rebuildBlockhashes();
    this.applyClock();
  }

  /** A new chain: SPL programs, native mints, a funded faucet, slot 0 now. */
  static genesis(slotMs: number, nowMs: number): Bank {
    const svm = new LiteSVM().withNativeMints();
    const faucet = Keypair.generate();
    const identity = Keypair.generate();
    // No warm-up epochs: epoch = slot / SLOTS_PER_EPOCH from slot 0, as on mainnet today.
    svm.setEpochSchedule(new EpochSchedule(SLOTS_PER_EPOCH, LEADER_SCHEDULE_SLOT_OFFSET, false, 0n, 0n));
    // Slot 0 has no ancestors; litesvm's placeholder entry would name a slot from the future.
    svm.setSlotHashes([]);
    svm.setAccount({
      address: faucet.publicKey.toBase58() as Address,
      lamports: FAUCET_GENESIS_LAMPORTS as never,
      programAddress: SYSTEM_PROGRAM_ID as Address,
      executable: false,
      data: new Uint8Array(0),
      space: 0n,
    });
    const meta: BankMeta = {
      genesisHash: bs58.encode(randomBytes(32)),
      faucetSecretKey: bs58.encode(faucet.secretKey),
      identitySecretKey: bs58.encode(identity.secretKey),
      slot: 0n,
      blockHeight: 0n,
      slotStartUnixMs: nowMs,
      epochStartTimestamp: BigInt(Math.floor(nowMs / 1000)),
      transactionCount: 0n,
    };
    return new Bank(svm, meta, [], slotMs);
  }

  /** Restores a bank from snapshot bytes and the metadata saved with them. */
  static restore(svmBytes: Uint8Array, meta: BankMeta, records: TransactionRecord[], slotMs: number): Bank {
    return new Bank(LiteSVM.fromBytes(svmBytes), meta, records, slotMs);
  }

  /** VM settings are re-applied after a restore rather than trusted to be in the snapshot. */
  private configure(): void {
    // The bank checks blockhash age itself (the VM only knows one blockhash) and keeps its own
    // status cache, so the VM's checks are off.
    this.svm.withBlockhashCheck(false).withTransactionHistory(0n).withSigverify(true).withLogBytesLimit(LOG_BYTES_LIMIT);
    this.sigverify = true;
  }

  addListener(listener: BankListeners): () => void {
    this.listeners.push(listener);
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index >= 0) this.listeners.splice(index, 1);
    };
  }

  // ---- state for persistence ----

  meta(): BankMeta {
    return {
      genesisHash: this.genesisHash,
      faucetSecretKey: bs58.encode(this.faucet.secretKey),
      identitySecretKey: bs58.encode(this.identity.secretKey),
      slot: this.slotValue,
      blockHeight: this.height,
      slotStartUnixMs: this.slotStartUnixMs,
      epochStartTimestamp: this.epochStartTimestamp,
      transactionCount: this.transactionCountValue,
    };
  }

  vmBytes(): Uint8Array {
    return this.svm.toBytes();
  }

  transactionRecords(): TransactionRecord[] {
    return [...this.records.values()];
  }

  // ---- time ----

  get slot(): bigint {
    return this.slotValue;
  }

  get blockHeight(): bigint {
    return this.height;
  }

  get transactionCount(): bigint {
    return this.transactionCountValue;
  }

  get epoch(): bigint {
    return this.slotValue / SLOTS_PER_EPOCH;
  }

  clock(): ClockState {
    const epoch = this.epoch;
    return {
      slot: this.slotValue,
      epoch,
      epochStartTimestamp: this.epochStartTimestamp,
      leaderScheduleEpoch: epoch + 1n,
      unixTimestamp: this.unixTimestamp,
    };
  }

  /**
   * Advances to the slot the wall clock says it is. Every slot has a block, so the block height
   * advances with the slot, also across slots that passed while the process was busy or stopped.
   * Blockhash age is therefore wall time (150 blocks = 60 s at 400 ms), and after a crash the
   * height is at least what it was before, so blockhashes handed out earlier stay valid.
   */
  tick(nowMs: number): boolean {
    const elapsed = Math.floor((nowMs - this.slotStartUnixMs) / this.slotMs);
    if (elapsed < 1) return false;
    const step = BigInt(elapsed);
    const parentSlot = this.slotValue;
    const parentHeight = this.height;
    const previousEpoch = this.epoch;
    this.slotValue += step;
    this.height += step;
    this.slotStartUnixMs += elapsed * this.slotMs;
    const now = BigInt(Math.floor(nowMs / 1000));
    // The Clock sysvar never runs backwards, even if the wall clock does.
    if (now > this.unixTimestamp) this.unixTimestamp = now;
    if (this.epoch !== previousEpoch) this.epochStartTimestamp = this.unixTimestamp;
    // Only the newest entries matter: the queue keeps MAX_RECENT_BLOCKHASHES, SlotHashes 512.
    const firstNew = maxBigint(1n, step - BigInt(MAX_RECENT_BLOCKHASHES) + 1n);
    for (let i = firstNew; i <= step; i++) this.addBlockhash(parentHeight + i);
    const firstFinished = maxBigint(0n, step - BigInt(SLOT_HASHES_MAX_ENTRIES));
    for (let i = firstFinished; i < step; i++) {
      this.pushSlotHash(parentSlot + i, parentHeight + i);
      this.pendingBlocks.push([parentSlot + i, parentHeight + i]);
    }
    if (this.pendingBlocks.length > SLOT_HASHES_MAX_ENTRIES) {
      this.pendingBlocks.splice(0, this.pendingBlocks.length - SLOT_HASHES_MAX_ENTRIES);
    }
    this.svm.setSlotHashes(this.slotHashes);
    this.applyClock();
    for (const listener of [...this.listeners]) listener.slot?.(this.slotValue, this.slotValue - 1n);
    for (const resolve of this.blockWaiters.splice(0)) resolve();
    return true;
  }

  /** Resolves at the next block (used by the faucet when a signature repeats within a block). */
  nextBlock(): Promise<void> {
    return new Promise((resolve) => this.blockWaiters.push(resolve));
  }

  /** Records a finished block for the SlotHashes sysvar (lookup tables read it); callers write the sysvar. */
  private pushSlotHash(slot: bigint, height: bigint): void {
    if (this.slotHashes.length > 0 && this.slotHashes[0]!.slot >= slot) return;
    this.slotHashes.unshift({ slot, hash: this.blockhashAt(height) });
    if (this.slotHashes.length > SLOT_HASHES_MAX_ENTRIES) this.slotHashes.length = SLOT_HASHES_MAX_ENTRIES;
  }

  private applyClock(): void {
    const c = this.clock();
    this.svm.setClock(new Clock(c.slot, c.epochStartTimestamp, c.epoch, c.leaderScheduleEpoch, c.unixTimestamp));
  }

  // ---- blockhashes ----

  /** Blockhashes are a function of genesis and height, so a restarted ledger re-issues the same ones. */
  private blockhashAt(height: bigint): string {
    const h = createHash("sha256").update(BLOCKHASH_DOMAIN).update(bs58.decode(this.genesisHash));
    const buf = Buffer.alloc(8);
    buf.writeBigUInt64LE(height);
    return bs58.encode(h.update(buf).digest());
  }

  private addBlockhash(height: bigint): void {
    this.blockhashes.set(this.blockhashAt(height), height);
    const oldest = height - BigInt(MAX_RECENT_BLOCKHASHES);
    for (const [hash, h] of this.blockhashes) {
      if (h > oldest) break;
      this.blockhashes.delete(hash);
    }
  }

  private rebuildBlockhashes(): void {
    this.blockhashes.clear();
    const start = this.height > BigInt(MAX_RECENT_BLOCKHASHES) ? this.height - BigInt(MAX_RECENT_BLOCKHASHES) + 1n : 0n;
    for (let h = start; h <= this.height; h++) this.addBlockhash(h);
  }

  latestBlockhash(): { blockhash: string; lastValidBlockHeight: bigint } {
    return { blockhash: this.blockhashAt(this.height), lastValidBlockHeight: this.height + BigInt(MAX_PROCESSING_AGE) };
  }

  /** Agave's check_age: produced at most MAX_PROCESSING_AGE blocks ago. */
  isBlockhashValid(blockhash: string): boolean {
    const h = this.blockhashes.get(blockhash);
    return h !== undefined && this.height - h <= BigInt(MAX_PROCESSING_AGE);
  }

  // ---- accounts ----

  getAccount(pubkey: string): LedgerAccount | null {
    const account = this.svm.getAccount(pubkey as Address);
    if (!account.exists) return null;
    return {
      lamports: BigInt(account.lamports),
      data: account.data,
      owner: account.programAddress,
      executable: account.executable,
    };
  }

  getBalance(pubkey: string): bigint {
    return this.svm.getBalance(pubkey as Address) ?? 0n;
  }

  getProgramAccounts(programId: string): { pubkey: string; account: LedgerAccount }[] {
    return this.svm.getProgramAccounts(programId as Address).map((a) => ({
      pubkey: a.address,
      account: { lamports: BigInt(a.lamports), data: a.data as Uint8Array, owner: a.programAddress, executable: a.executable },
    }));
  }

  mintDecimals(mint: string): number | null {
    const account = this.getAccount(mint);
    return account === null ? null : (parseMint(account)?.decimals ?? null);
  }

  minimumBalanceForRentExemption(dataLength: number): bigint {
    return this.svm.minimumBalanceForRentExemption(BigInt(dataLength));
  }

  /** Deploys (or replaces) a program from an .so file at the given id. */
  deployProgram(programId: string, soPath: string): void {
    try {
      this.svm.addProgramFromFile(programId as Address, soPath);
    } catch (err) {
      throw new ProgramDeployError(programId, soPath, err instanceof Error ? err.message : String(err));
    }
  }

  // ---- fees ----

  /**
   * The fee the VM charges: LAMPORTS_PER_SIGNATURE per transaction and precompile signature,
   * plus the prioritization fee ceil(compute-unit price x limit / 10^6), the limit defaulting
   * to 200k per instruction and 3k per builtin instruction (Agave's rules; checked against the
   * payer's balance change in the tests).
   */
  feeFor(message: ParsedMessage): bigint {
    let signatures = BigInt(message.header.numRequiredSignatures);
    let unitLimit: bigint | null = null;
    let unitPrice = 0n;
    let defaultLimit = 0n;
    for (const ix of message.instructions) {
      const program = message.accountKeys[ix.programIdIndex] ?? "";
      if (program === ED25519_PROGRAM_ID || program === SECP256K1_PROGRAM_ID || program === SECP256R1_PROGRAM_ID) {
        signatures += BigInt(ix.data[0] ?? 0);
      }
      defaultLimit += BUILTIN_PROGRAM_IDS.has(program)
        ? BUILTIN_INSTRUCTION_COMPUTE_UNIT_LIMIT
        : DEFAULT_INSTRUCTION_COMPUTE_UNIT_LIMIT;
      if (program === COMPUTE_BUDGET_PROGRAM_ID) {
        const dv = new DataView(ix.data.buffer, ix.data.byteOffset, ix.data.byteLength);
        // ComputeBudgetInstruction: 2 = SetComputeUnitLimit(u32), 3 = SetComputeUnitPrice(u64).
        if (ix.data[0] === 2 && ix.data.length === 5) unitLimit = BigInt(dv.getUint32(1, true));
        if (ix.data[0] === 3 && ix.data.length === 9) unitPrice = dv.getBigUint64(1, true);
      }
    }
    const limit = unitLimit ?? defaultLimit;
    const cappedLimit = minBigint(limit, MAX_COMPUTE_UNIT_LIMIT);
    const priority = (unitPrice * cappedLimit + MICRO_LAMPORTS_PER_LAMPORT - 1n) / MICRO_LAMPORTS_PER_LAMPORT;
    return signatures * LAMPORTS_PER_SIGNATURE + priority;
  }

  // ---- transactions ----

  /**
   * Unix time of a slot: the time recorded with a transaction in it, else estimated backwards
   * from the current slot at slotMs per slot (slots skipped while the ledger was down make older
   * estimates too recent). Null for future slots.
   */
  blockTime(slot: bigint): number | null {
    if (slot > this.slotValue) return null;
    for (const record of this.records.values()) if (record.slot === slot) return record.blockTime;
    const ageMs = Number(this.slotValue - slot) * this.slotMs;
    return Math.max(0, Number(this.unixTimestamp) - Math.floor(ageMs / 1000));
  }

  getRecord(signature: string): TransactionRecord | undefined {
    return this.records.get(signature);
  }

  /** Newest first. */
  recordsNewestFirst(): TransactionRecord[] {
    return [...this.records.values()].reverse();
  }

  private remember(record: TransactionRecord): void {
    this.records.set(record.signature, record);
    while (this.records.size > TRANSACTION_HISTORY_LIMIT) {
      const oldest = this.records.keys().next().value;
      if (oldest === undefined) break;
      this.records.delete(oldest);
    }
  }

  private toKit(bytes: Uint8Array): KitTransaction {
    try {
      return this.decoder.decode(bytes);
    } catch (err) {
      throw new MalformedTransactionError(err instanceof Error ? err.message : String(err));
    }
  }

  /** Static keys followed by keys loaded from lookup tables (writable first), as the VM orders them. */
  resolveKeys(message: ParsedMessage): ResolvedKeys | null {
    const loaded = { writable: [] as string[], readonly: [] as string[] };
    for (const lookup of message.addressTableLookups) {
      const table = this.getAccount(lookup.accountKey);
      if (table === null || table.owner !== ADDRESS_LOOKUP_TABLE_PROGRAM_ID) return null;
      const count = Math.floor((table.data.length - LOOKUP_TABLE_META_SIZE) / 32);
      const keyAt = (i: number): string | null =>
        i < count
          ? bs58.encode(table.data.subarray(LOOKUP_TABLE_META_SIZE + 32 * i, LOOKUP_TABLE_META_SIZE + 32 * (i + 1)))
          : null;
      for (const i of lookup.writableIndexes) {
        const key = keyAt(i);
        if (key === null) return null;
        loaded.writable.push(key);
      }
      for (const i of lookup.readonlyIndexes) {
        const key = keyAt(i);
        if (key === null) return null;
        loaded.readonly.push(key);
      }
    }
    const writable = message.accountKeys.filter((_, i) => isStaticKeyWritable(message, i)).concat(loaded.writable);
    return { all: [...message.accountKeys, ...loaded.writable, ...loaded.readonly], writable, loaded };
  }

  private tokenBalances(accounts: (LedgerAccount | null)[]): TokenBalance[] {
    const out: TokenBalance[] = [];
    accounts.forEach((account, accountIndex) => {
      if (account === null) return;
      const token = parseTokenAccount(account);
      if (token === null) return;
      const decimals = this.mintDecimals(token.mint);
      if (decimals === null) return;
      out.push({
        accountIndex,
        mint: token.mint,
        owner: token.owner,
        programId: account.owner,
        uiTokenAmount: uiTokenAmount(token.amount, decimals),
      });
    });
    return out;
  }

  /** Executes and commits in the VM. */
  private run(kit: KitTransaction): ExecutionResult {
    const outcome = this.svm.sendTransaction(kit);
    return { outcome, error: outcome instanceof FailedTransactionMetadata ? describeTransactionError(outcome.err()) : null };
  }

  /** Executes without committing; `post` holds the accounts the transaction would write. */
  private dryRun(kit: KitTransaction, sigverify: boolean): ExecutionResult & { post: Map<string, LedgerAccount> } {
    const post = new Map<string, LedgerAccount>();
    if (sigverify !== this.sigverify) this.svm.withSigverify(sigverify);
    try {
      const result = this.svm.simulateTransaction(kit);
      if (result instanceof FailedTransactionMetadata) {
        return { outcome: result, error: describeTransactionError(result.err()), post };
      }
      for (const a of result.postAccounts()) {
        post.set(a.address, {
          lamports: BigInt(a.lamports),
          data: a.data as Uint8Array,
          owner: a.programAddress,
          executable: a.executable,
        });
      }
      return { outcome: result.meta(), error: null, post };
    } finally {
      if (sigverify !== this.sigverify) this.svm.withSigverify(this.sigverify);
    }
  }

  /**
   * Runs a transaction without committing it. `checkBlockhash` false is RPC's
   * replaceRecentBlockhash (the VM ignores the blockhash; only the age check is skipped).
   */
  simulate(
    bytes: Uint8Array,
    options: { sigVerify: boolean; checkBlockhash: boolean; accounts?: string[]; checkDuplicate?: boolean },
  ): SimulationResult {
    const parsed = parseTransaction(bytes);
    const fail = (error: DescribedError): SimulationResult => ({
      err: error,
      logs: [],
      unitsConsumed: 0n,
      returnData: null,
      innerInstructions: [],
      accounts: null,
    });
    if (options.checkDuplicate === true && parsed.signatures[0] !== undefined && this.records.has(parsed.signatures[0])) {
      return fail(fieldlessTransactionError("AlreadyProcessed"));
    }
    if (options.checkBlockhash && !this.isBlockhashValid(parsed.message.recentBlockhash)) {
      return fail(fieldlessTransactionError("BlockhashNotFound"));
    }
    if (options.sigVerify && !isFullySigned(parsed)) return fail(fieldlessTransactionError("SignatureFailure"));
    const result = this.dryRun(this.toKit(bytes), options.sigVerify);
    const meta = result.outcome instanceof FailedTransactionMetadata ? result.outcome.meta() : result.outcome;
    const accounts =
      options.accounts === undefined ? null : options.accounts.map((key) => result.post.get(key) ?? this.getAccount(key));
    return {
      err: result.error,
      logs: meta.logs(),
      unitsConsumed: meta.computeUnitsConsumed(),
      returnData: returnDataOf(meta),
      innerInstructions: innerInstructionsOf(meta),
      accounts,
    };
  }

  /**
   * Executes a transaction. Landed transactions (success, or failure after the fee was charged)
   * are recorded, journaled through the `commit` listener and announced; transactions a cluster
   * would drop (bad signature, unknown blockhash, no funds for the fee) change nothing.
   */
  submit(bytes: Uint8Array): SubmitOutcome {
    const parsed = parseTransaction(bytes);
    const signature = parsed.signatures[0]!;
    for (const listener of [...this.listeners]) listener.received?.(signature);
    if (this.records.has(signature)) {
      return { kind: "dropped", signature, error: fieldlessTransactionError("AlreadyProcessed") };
    }
    if (!this.isBlockhashValid(parsed.message.recentBlockhash)) {
      return { kind: "dropped", signature, error: fieldlessTransactionError("BlockhashNotFound") };
    }
    return this.commit(parsed, bytes, this.clock(), this.height, this.slotStartUnixMs);
  }

  private commit(
    parsed: ParsedTransaction,
    bytes: Uint8Array,
    clock: ClockState,
    blockHeight: bigint,
    slotStartUnixMs: number,
  ): SubmitOutcome {
    const signature = parsed.signatures[0]!;
    const keys = this.resolveKeys(parsed.message);
    if (keys === null) {
      return { kind: "dropped", signature, error: fieldlessTransactionError("AddressLookupTableNotFound") };
    }
    if (!isFullySigned(parsed)) {
      return { kind: "dropped", signature, error: fieldlessTransactionError("SignatureFailure") };
    }
    const kit = this.toKit(bytes);
    const pre = keys.all.map((k) => this.getAccount(k));
    const preTokenBalances = this.tokenBalances(pre);
    const { outcome, error } = this.run(kit);
    const post = keys.all.map((k) => this.getAccount(k));
    const payerPre = pre[0]?.lamports ?? 0n;
    const payerPost = post[0]?.lamports ?? 0n;
    if (error !== null && payerPost >= payerPre) {
      // Nothing was charged, so nothing was committed: a cluster drops such a transaction.
      return { kind: "dropped", signature, error };
    }
    const meta = outcome instanceof FailedTransactionMetadata ? outcome.meta() : outcome;
    const record: TransactionRecord = {
      signature,
      slot: clock.slot,
      blockTime: Number(clock.unixTimestamp),
      transaction: Uint8Array.from(bytes),
      err: error?.json ?? null,
      fee: this.feeFor(parsed.message),
      preBalances: pre.map((a) => a?.lamports ?? 0n),
      postBalances: post.map((a) => a?.lamports ?? 0n),
      preTokenBalances,
      postTokenBalances: this.tokenBalances(post),
      logs: meta.logs(),
      innerInstructions: innerInstructionsOf(meta),
      computeUnitsConsumed: meta.computeUnitsConsumed(),
      returnData: returnDataOf(meta),
      loadedAddresses: keys.loaded,
    };
    this.remember(record);
    this.transactionCountValue += 1n;
    const entry: CommittedTransaction = {
      bytes: record.transaction,
      clock,
      blockHeight,
      slotStartUnixMs,
      ok: error === null,
      blocks: this.pendingBlocks.splice(0),
    };
    for (const listener of [...this.listeners]) listener.commit?.(entry);
    const changed = keys.writable.filter((key) => {
      const i = keys.all.indexOf(key);
      return !sameAccount(pre[i] ?? null, post[i] ?? null);
    });
    for (const listener of [...this.listeners]) listener.transaction?.(record, changed);
    return { kind: "landed", record };
  }

  /**
   * Re-executes a journaled transaction at the clock it first ran at. Returns whether the outcome
   * matched (a mismatch means the VM or a program changed under the journal).
   */
  replay(entry: CommittedTransaction): { signature: string; matched: boolean } {
    const parsed = parseTransaction(entry.bytes);
    for (const [slot, height] of entry.blocks) this.pushSlotHash(slot, height);
    this.svm.setSlotHashes(this.slotHashes);
    const c = entry.clock;
    this.svm.setClock(new Clock(c.slot, c.epochStartTimestamp, c.epoch, c.leaderScheduleEpoch, c.unixTimestamp));
    if (c.slot > this.slotValue || entry.blockHeight > this.height) {
      this.slotValue = maxBigint(c.slot, this.slotValue);
      this.height = maxBigint(entry.blockHeight, this.height);
      this.slotStartUnixMs = entry.slotStartUnixMs;
      this.epochStartTimestamp = c.epochStartTimestamp;
      if (c.unixTimestamp > this.unixTimestamp) this.unixTimestamp = c.unixTimestamp;
      this.rebuildBlockhashes();
    }
    const outcome = this.commit(parsed, entry.bytes, c, entry.blockHeight, entry.slotStartUnixMs);
    this.applyClock();
    const matched = outcome.kind === "landed" && (outcome.record.err === null) === entry.ok;
    return { signature: parsed.signatures[0]!, matched };
  }

  // ---- faucet ----

  /** A signed transfer from the faucet with the current blockhash. */
  faucetTransfer(to: string, lamports: bigint): Uint8Array {
    const tx = new Transaction({
      feePayer: this.faucet.publicKey,
      blockhash: this.latestBlockhash().blockhash,
      lastValidBlockHeight: Number(this.latestBlockhash().lastValidBlockHeight),
    }).add(SystemProgram.transfer({ fromPubkey: this.faucet.publicKey, toPubkey: new PublicKey(to), lamports }));
    tx.sign(this.faucet);
    return tx.serialize();
  }
}

/** An all-zero signature is a missing one (litesvm's wrapper would throw on it instead of failing). */
function isFullySigned(parsed: ParsedTransaction): boolean {
  return parsed.signatures.every((sig) => sig !== ALL_ZERO_SIGNATURE);
}

/** Math.min/max do not take bigints. */
function minBigint(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function maxBigint(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function sameAccount(a: LedgerAccount | null, b: LedgerAccount | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.lamports === b.lamports &&
    a.owner === b.owner &&
    a.executable === b.executable &&
    Buffer.compare(Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength), Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength)) === 0
  );
}

function returnDataOf(meta: TransactionMetadata): ReturnData | null {
  const rd = meta.returnData();
  const data = rd.data();
  if (data.length === 0) return null;
  return { programId: bs58.encode(rd.programId()), data: Buffer.from(data).toString("base64") };
}

function innerInstructionsOf(meta: TransactionMetadata): InnerInstructionSet[] {
  const out: InnerInstructionSet[] = [];
  meta.innerInstructions().forEach((list, index) => {
    if (list.length === 0) return;
    out.push({
      index,
      instructions: list.map((inner) => {
        const ix = inner.instruction();
        return {
          programIdIndex: ix.programIdIndex(),
          accounts: Array.from(ix.accounts()),
          data: bs58.encode(ix.data()),
          stackHeight: inner.stackHeight(),
        };
      }),
    });
  });
  return out;
}
