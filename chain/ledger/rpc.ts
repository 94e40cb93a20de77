/**
 * The JSON-RPC methods, with Agave's request and response shapes. Each handler validates its
 * params first (params.ts), then reads or changes the bank.
 *
 * Commitment: the ledger is a single node without forks and journals every transaction before
 * answering, so a landed transaction is immediately final; every commitment level sees the same
 * state and statuses report "finalized".
 */
import bs58 from "bs58";
import { encodeAccount, isTokenProgram, type LedgerAccount, parseMint, parseTokenAccount, uiTokenAmount } from "./accounts.js";
import type { Bank, InnerInstructionSet, TransactionRecord } from "./bank.js";
import {
  AIRDROP_MAX_ATTEMPTS,
  FAUCET_MAX_REQUEST_LAMPORTS,
  FEATURE_SET_ID,
  MAX_BASE58_TRANSACTION_CHARS,
  MAX_ACCOUNT_DATA_BYTES,
  MAX_BASE64_TRANSACTION_CHARS,
  MAX_MEMCMP_BASE58_CHARS,
  MAX_MEMCMP_BYTES,
  MAX_MULTIPLE_ACCOUNTS,
  MAX_PRIORITIZATION_FEE_ACCOUNTS,
  MAX_SEND_RETRIES,
  NUM_LARGEST_TOKEN_ACCOUNTS,
  MAX_PROGRAM_ACCOUNT_FILTERS,
  MAX_SIGNATURE_STATUSES,
  MAX_SIGNATURES_FOR_ADDRESS,
  MAX_TRANSACTION_BYTES,
  SLOTS_PER_EPOCH,
  LEADER_SCHEDULE_SLOT_OFFSET,
  SOLANA_CORE_VERSION,
  TOKEN_2022_PROGRAM_ID,
  TOKEN_ACCOUNT_SIZE,
  TOKEN_PROGRAM_ID,
} from "./constants.js";
import {
  MalformedTransactionError,
  RpcInternalError,
  RpcInvalidParamsError,
  RpcMinContextSlotError,
  RpcPreflightFailureError,
  RpcSignatureVerificationError,
  RpcUnsupportedTransactionVersionError,
} from "./errors.js";
import {
  type Config,
  type Params,
  accountEncoding,
  arrayParam,
  configParam,
  dataSliceParam,
  describeParam,
  isPubkey,
  optionalBoolean,
  pubkeyParam,
  signatureParam,
  stringParam,
  u64Param,
  usizeParam,
} from "./params.js";
import type { DescribedError } from "./tx-error.js";
import { isStaticKeySigner, isStaticKeyWritable, type ParsedMessage, parseMessage, parseTransaction } from "./wire.js";

export type RpcHandler = (params: Params) => unknown;

/** The endpoint this ledger advertises in getClusterNodes. */
export interface RpcEnvironment {
  bank: Bank;
  rpcAddress: () => string | null;
}

export function createRpcMethods(env: RpcEnvironment): Map<string, RpcHandler> {
  const { bank } = env;
  const context = () => ({ apiVersion: SOLANA_CORE_VERSION, slot: bank.slot });
  const withContext = (value: unknown) => ({ context: context(), value });

  const checkMinContextSlot = (config: Config) => {
    const min = config.minContextSlot;
    if (typeof min === "number" && BigInt(min) > bank.slot) throw new RpcMinContextSlotError(bank.slot);
  };
  const mintDecimals = (mint: string) => bank.mintDecimals(mint);
  // Agave's default account encoding is the legacy "binary" (a bare base58 string).
  const encode = (account: LedgerAccount, config: Config, fallback: "binary" | "base64" = "binary") =>
    encodeAccount(account, accountEncoding(config, fallback), dataSliceParam(config), mintDecimals);
  /** The account config of a request, validated before any account is looked at. */
  const accountConfig = (params: Params, index: number): Config => {
    const config = configParam(params, index);
    accountEncoding(config, "binary");
    dataSliceParam(config);
    checkMinContextSlot(config);
    return config;
  };

  const methods = new Map<string, RpcHandler>();
  const add = (name: string, handler: RpcHandler) => methods.set(name, handler);

  // ---- cluster and time ----

  add("getHealth", () => "ok");
  add("getVersion", () => ({ "solana-core": SOLANA_CORE_VERSION, "feature-set": FEATURE_SET_ID }));
  add("getGenesisHash", () => bank.genesisHash);
  add("getIdentity", () => ({ identity: bank.identity.publicKey.toBase58() }));
  add("getSlotLeader", () => bank.identity.publicKey.toBase58());
  add("getClusterNodes", () => [
    {
      pubkey: bank.identity.publicKey.toBase58(),
      gossip: null,
      tpu: null,
      rpc: env.rpcAddress(),
      version: SOLANA_CORE_VERSION,
      featureSet: FEATURE_SET_ID,
      shredVersion: 0,
    },
  ]);
  const slotLike = (read: () => bigint) => (params: Params) => {
    checkMinContextSlot(configParam(params, 0));
    return read();
  };
  add("getSlot", slotLike(() => bank.slot));
  add("getBlockHeight", slotLike(() => bank.blockHeight));
  add("getTransactionCount", slotLike(() => bank.transactionCount));
  // Everything is rooted at once: the first slot is 0 and nothing is purged.
  add("getFirstAvailableBlock", () => 0);
  add("minimumLedgerSlot", () => 0);
  add("getMaxRetransmitSlot", () => bank.slot);
  add("getMaxShredInsertSlot", () => bank.slot);
  add("getEpochInfo", (params) => {
    checkMinContextSlot(configParam(params, 0));
    return {
      absoluteSlot: bank.slot,
      blockHeight: bank.blockHeight,
      epoch: bank.epoch,
      slotIndex: bank.slot % SLOTS_PER_EPOCH,
      slotsInEpoch: SLOTS_PER_EPOCH,
      transactionCount: bank.transactionCount,
    };
  });
  add("getEpochSchedule", () => ({
    slotsPerEpoch: SLOTS_PER_EPOCH,
    leaderScheduleSlotOffset: LEADER_SCHEDULE_SLOT_OFFSET,
    warmup: false,
    firstNormalEpoch: 0,
    firstNormalSlot: 0,
  }));
  add("getBlockTime", (params) => {
    return bank.blockTime(u64Param(params[0], "slot"));
  });
  add("getLatestBlockhash", (params) => {
    checkMinContextSlot(configParam(params, 0));
    return withContext(bank.latestBlockhash());
  });
  add("isBlockhashValid", (params) => {
    const blockhash = stringParam(params, 0, "blockhash");
    checkMinContextSlot(configParam(params, 1));
    return withContext(bank.isBlockhashValid(blockhash));
  });
  add("getFeeForMessage", (params) => {
    const encoded = stringParam(params, 0, "message");
    checkMinContextSlot(configParam(params, 1));
    let message: ParsedMessage;
    try {
      message = parseMessage(decodeBase64Strict(encoded, "message"));
    } catch (err) {
      throw new RpcInvalidParamsError(`Invalid param: ${err instanceof Error ? err.message : String(err)}`);
    }
    return withContext(bank.isBlockhashValid(message.recentBlockhash) ? bank.feeFor(message) : null);
  });
  add("getRecentPrioritizationFees", (params) => {
    if (params[0] !== undefined && params[0] !== null) {
      const keys = arrayParam(params, 0, "accounts", MAX_PRIORITIZATION_FEE_ACCOUNTS);
      keys.forEach((k, i) => {
        if (!isPubkey(k)) throw new RpcInvalidParamsError(`Invalid param: accounts[${i}] is not a valid public key`);
      });
    }
    // No fee market on a single-user ledger: the minimum fee is always zero.
    return [{ slot: bank.slot, prioritizationFee: 0 }];
  });
  add("getMinimumBalanceForRentExemption", (params) => {
    const size = usizeParam(params[0], "data length", MAX_ACCOUNT_DATA_BYTES);
    configParam(params, 1);
    return bank.minimumBalanceForRentExemption(size);
  });

  // ---- accounts ----

  add("getBalance", (params) => {
    const pubkey = pubkeyParam(params, 0, "pubkey");
    checkMinContextSlot(configParam(params, 1));
    return withContext(bank.getBalance(pubkey));
  });
  add("getAccountInfo", (params) => {
    const pubkey = pubkeyParam(params, 0, "pubkey");
    const config = accountConfig(params, 1);
    const account = bank.getAccount(pubkey);
    return withContext(account === null ? null : encode(account, config));
  });
  add("getMultipleAccounts", (params) => {
    const keys = arrayParam(params, 0, "pubkeys", MAX_MULTIPLE_ACCOUNTS);
    const config = accountConfig(params, 1);
    const pubkeys = keys.map((k, i) => {
      if (!isPubkey(k)) throw new RpcInvalidParamsError(`Invalid param: pubkeys[${i}] is not a valid public key`);
      return k;
    });
    return withContext(
      pubkeys.map((k) => {
        const account = bank.getAccount(k);
        return account === null ? null : encode(account, config);
      }),
    );
  });
  add("getProgramAccounts", (params) => {
    const programId = pubkeyParam(params, 0, "program id");
    const config = accountConfig(params, 1);
    const filters = programAccountFilters(config.filters);
    const matched = bank
      .getProgramAccounts(programId)
      .filter(({ account }) => filters.every((f) => f(account)))
      .map(({ pubkey, account }) => ({ pubkey, account: encode(account, config) }));
    return optionalBoolean(config, "withContext", false) ? withContext(matched) : matched;
  });

  // ---- tokens ----

  add("getTokenAccountBalance", (params) => {
    const pubkey = pubkeyParam(params, 0, "token account");
    checkMinContextSlot(configParam(params, 1));
    const account = bank.getAccount(pubkey);
    const token = account === null ? null : parseTokenAccount(account);
    const decimals = token === null ? null : bank.mintDecimals(token.mint);
    if (token === null || decimals === null) throw new RpcInvalidParamsError("Invalid param: not a Token account");
    return withContext(uiTokenAmount(token.amount, decimals));
  });
  add("getTokenSupply", (params) => {
    const pubkey = pubkeyParam(params, 0, "mint");
    checkMinContextSlot(configParam(params, 1));
    const account = bank.getAccount(pubkey);
    const mint = account === null ? null : parseMint(account);
    if (mint === null) throw new RpcInvalidParamsError("Invalid param: not a Token mint");
    return withContext(uiTokenAmount(mint.supply, mint.decimals));
  });
  const tokenAccountsBy = (field: "owner" | "delegate") => (params: Params) => {
    const key = pubkeyParam(params, 0, field);
    const filter = params[1];
    if (typeof filter !== "object" || filter === null || Array.isArray(filter)) {
      throw new RpcInvalidParamsError("Invalid param: expected {mint} or {programId}");
    }
    const f = filter as Config;
    let programs: string[];
    let mint: string | null = null;
    if (f.mint !== undefined) {
      if (!isPubkey(f.mint)) throw new RpcInvalidParamsError("Invalid param: mint is not a valid public key");
      mint = f.mint;
      const mintAccount = bank.getAccount(mint);
      if (mintAccount === null || !isTokenProgram(mintAccount.owner)) {
        throw new RpcInvalidParamsError("Invalid param: could not find mint");
      }
      programs = [mintAccount.owner];
    } else if (f.programId !== undefined) {
      if (f.programId !== TOKEN_PROGRAM_ID && f.programId !== TOKEN_2022_PROGRAM_ID) {
        throw new RpcInvalidParamsError("Invalid param: unrecognized Token program id");
      }
      programs = [f.programId];
    } else {
      throw new RpcInvalidParamsError("Invalid param: expected {mint} or {programId}");
    }
    const config = accountConfig(params, 2);
    const out: { pubkey: string; account: Record<string, unknown> }[] = [];
    for (const program of programs) {
      for (const { pubkey, account } of bank.getProgramAccounts(program)) {
        const token = parseTokenAccount(account);
        if (token === null) continue;
        if ((field === "owner" ? token.owner : token.delegate) !== key) continue;
        if (mint !== null && token.mint !== mint) continue;
        out.push({ pubkey, account: encode(account, config, "base64") });
      }
    }
    return withContext(out);
  };
  add("getTokenAccountsByOwner", tokenAccountsBy("owner"));
  add("getTokenAccountsByDelegate", tokenAccountsBy("delegate"));
  add("getTokenLargestAccounts", (params) => {
    const mintKey = pubkeyParam(params, 0, "mint");
    checkMinContextSlot(configParam(params, 1));
    const mintAccount = bank.getAccount(mintKey);
    const mint = mintAccount === null ? null : parseMint(mintAccount);
    if (mint === null || mintAccount === null) throw new RpcInvalidParamsError("Invalid param: not a Token mint");
    const holders = bank
      .getProgramAccounts(mintAccount.owner)
      .map(({ pubkey, account }) => ({ pubkey, token: parseTokenAccount(account) }))
      .filter((h) => h.token !== null && h.token.mint === mintKey)
      .sort((a, b) => (a.token!.amount < b.token!.amount ? 1 : a.token!.amount > b.token!.amount ? -1 : 0))
      .slice(0, NUM_LARGEST_TOKEN_ACCOUNTS);
    return withContext(holders.map((h) => ({ address: h.pubkey, ...uiTokenAmount(h.token!.amount, mint.decimals) })));
  });

  // ---- transactions ----

  add("getSignatureStatuses", (params) => {
    const signatures = arrayParam(params, 0, "signatures", MAX_SIGNATURE_STATUSES).map((s, i) =>
      signatureParam(s, `signatures[${i}]`),
    );
    configParam(params, 1);
    return withContext(signatures.map((s) => statusOf(bank.getRecord(s))));
  });
  add("getTransaction", (params) => {
    const signature = signatureParam(params[0], "signature");
    const config = typeof params[1] === "string" ? { encoding: params[1] } : configParam(params, 1);
    const encoding = config.encoding ?? "json";
    if (encoding !== "json" && encoding !== "jsonParsed" && encoding !== "base64" && encoding !== "base58") {
      throw new RpcInvalidParamsError(`Invalid param: unknown encoding ${describeParam(encoding)}`);
    }
    const maxVersion = config.maxSupportedTransactionVersion;
    if (maxVersion !== undefined && maxVersion !== null && maxVersion !== 0) {
      throw new RpcInvalidParamsError("Invalid param: maxSupportedTransactionVersion must be 0");
    }
    const record = bank.getRecord(signature);
    if (record === undefined) return null;
    return encodeTransactionRecord(record, encoding, maxVersion === 0);
  });
  add("getSignaturesForAddress", (params) => {
    const address = pubkeyParam(params, 0, "address");
    const config = configParam(params, 1);
    checkMinContextSlot(config);
    const limit =
      config.limit === undefined || config.limit === null
        ? MAX_SIGNATURES_FOR_ADDRESS
        : usizeParam(config.limit, "limit", MAX_SIGNATURES_FOR_ADDRESS);
    const before = config.before === undefined || config.before === null ? null : signatureParam(config.before, "before");
    const until = config.until === undefined || config.until === null ? null : signatureParam(config.until, "until");
    const out: Record<string, unknown>[] = [];
    let started = before === null;
    for (const record of bank.recordsNewestFirst()) {
      if (out.length >= limit) break;
      if (!started) {
        if (record.signature === before) started = true;
        continue;
      }
      if (record.signature === until) break;
      if (!recordMentions(record, address)) continue;
      out.push({
        signature: record.signature,
        slot: record.slot,
        err: record.err,
        memo: null,
        blockTime: record.blockTime,
        confirmationStatus: "finalized",
      });
    }
    return out;
  });
  add("simulateTransaction", (params) => {
    const encoded = stringParam(params, 0, "transaction");
    const config = configParam(params, 1);
    checkMinContextSlot(config);
    const bytes = decodeTransactionParam(encoded, config);
    const sigVerify = optionalBoolean(config, "sigVerify", false);
    const replace = optionalBoolean(config, "replaceRecentBlockhash", false);
    if (sigVerify && replace) {
      throw new RpcInvalidParamsError("sigVerify may not be used with replaceRecentBlockhash");
    }
    const accountsConfig = config.accounts;
    let addresses: string[] | undefined;
    let accountsEncoding: Config = {};
    if (accountsConfig !== undefined && accountsConfig !== null) {
      if (typeof accountsConfig !== "object" || Array.isArray(accountsConfig)) {
        throw new RpcInvalidParamsError("Invalid param: accounts must be {addresses, encoding}");
      }
      const ac = accountsConfig as Config;
      addresses = arrayParam([ac.addresses], 0, "accounts.addresses", MAX_MULTIPLE_ACCOUNTS).map((k, i) => {
        if (!isPubkey(k)) throw new RpcInvalidParamsError(`Invalid param: accounts.addresses[${i}]`);
        return k;
      });
      accountsEncoding = { encoding: ac.encoding ?? "base64" };
      if (accountsEncoding.encoding === "base58" || accountsEncoding.encoding === "binary") {
        throw new RpcInvalidParamsError("Invalid param: base58 encoding not supported for simulation accounts");
      }
      accountEncoding(accountsEncoding, "base64");
    }
    const parsed = parseOrReject(bytes);
    const result = bank.simulate(bytes, {
      sigVerify,
      checkBlockhash: !replace,
      ...(addresses === undefined ? {} : { accounts: addresses }),
    });
    return withContext({
      err: result.err?.json ?? null,
      logs: result.logs,
      accounts:
        result.accounts === null ? null : result.accounts.map((a) => (a === null ? null : encode(a, accountsEncoding))),
      unitsConsumed: result.unitsConsumed,
      returnData: result.returnData === null ? null : { programId: result.returnData.programId, data: [result.returnData.data, "base64"] },
      innerInstructions: optionalBoolean(config, "innerInstructions", false)
        ? partiallyDecodedInner(result.innerInstructions, bank.resolveKeys(parsed.message)?.all ?? parsed.message.accountKeys)
        : null,
      replacementBlockhash: replace ? bank.latestBlockhash() : null,
    });
  });
  add("sendTransaction", (params) => {
    const encoded = stringParam(params, 0, "transaction");
    const config = configParam(params, 1);
    checkMinContextSlot(config);
    const bytes = decodeTransactionParam(encoded, config);
    if (config.maxRetries !== undefined && config.maxRetries !== null) usizeParam(config.maxRetries, "maxRetries", MAX_SEND_RETRIES);
    return sendTransaction(bank, bytes, optionalBoolean(config, "skipPreflight", false));
  });
  add("requestAirdrop", async (params) => {
    const pubkey = pubkeyParam(params, 0, "pubkey");
    const lamports = u64Param(params[1], "lamports");
    configParam(params, 2);
    if (lamports === 0n || lamports > FAUCET_MAX_REQUEST_LAMPORTS) {
      throw new RpcInvalidParamsError(`Invalid param: lamports must be between 1 and ${FAUCET_MAX_REQUEST_LAMPORTS}`);
    }
    return requestAirdrop(bank, pubkey, lamports);
  });

  return methods;
}

/** sendTransaction: preflight (unless skipped), then execution. Returns the signature. */
export function sendTransaction(bank: Bank, bytes: Uint8Array, skipPreflight: boolean): string {
  const parsed = parseOrReject(bytes);
  if (!skipPreflight) {
    const sim = bank.simulate(bytes, { sigVerify: true, checkBlockhash: true, checkDuplicate: true });
    if (sim.err !== null) {
      if (sim.err.json === "SignatureFailure") throw new RpcSignatureVerificationError();
      throw new RpcPreflightFailureError(`Transaction simulation failed: ${sim.err.text}`, {
        accounts: null,
        err: sim.err.json,
        innerInstructions: null,
        logs: sim.logs,
        replacementBlockhash: null,
        returnData:
          sim.returnData === null ? null : { programId: sim.returnData.programId, data: [sim.returnData.data, "base64"] },
        unitsConsumed: sim.unitsConsumed,
      });
    }
  }
  const outcome = bank.submit(bytes);
  if (outcome.kind === "dropped") rejectDropped(outcome.error);
  return parsed.signatures[0]!;
}

/** Agave verifies signatures and sanitizes even when preflight is skipped; other drops are silent. */
function rejectDropped(error: DescribedError): void {
  if (error.json === "SignatureFailure") throw new RpcSignatureVerificationError();
  if (error.json === "SanitizeFailure") throw new RpcInvalidParamsError(`invalid transaction: ${error.text}`);
}

/**
 * Sends SOL from the faucet. The transfer is signed with the current blockhash, so two equal
 * requests within one block would have the same signature; the second waits for the next block.
 */
export async function requestAirdrop(bank: Bank, pubkey: string, lamports: bigint): Promise<string> {
  for (let attempt = 0; attempt < AIRDROP_MAX_ATTEMPTS; attempt++) {
    const bytes = bank.faucetTransfer(pubkey, lamports);
    const signature = parseTransaction(bytes).signatures[0]!;
    if (bank.getRecord(signature) !== undefined) {
      await bank.nextBlock();
      continue;
    }
    const sim = bank.simulate(bytes, { sigVerify: true, checkBlockhash: true });
    // The faucet is funded for every allowed amount, so a failing transfer is the request's fault
    // (e.g. fewer lamports than a new account's rent-exempt minimum): invalid params, not -32603.
    if (sim.err !== null) throw new RpcInvalidParamsError(`Invalid param: airdrop of ${lamports} lamports to ${pubkey} would fail: ${sim.err.text}`);
    const outcome = bank.submit(bytes);
    if (outcome.kind === "dropped") throw new RpcInternalError(`airdrop request failed: ${outcome.error.text}`);
    return signature;
  }
  // Still colliding after AIRDROP_MAX_ATTEMPTS blocks: the client keeps sending this exact request
  // (found by fuzzing: a batch of identical airdrops answered -32603). Its fault, not ours.
  throw new RpcInvalidParamsError(`Invalid param: too many identical airdrop requests of ${lamports} lamports to ${pubkey} in flight; retry later or vary the amount`);
}

function parseOrReject(bytes: Uint8Array) {
  try {
    return parseTransaction(bytes);
  } catch (err) {
    if (err instanceof MalformedTransactionError) {
      throw new RpcInvalidParamsError(
        `failed to deserialize solana_transaction::versioned::VersionedTransaction: ${err.message}`,
      );
    }
    throw err;
  }
}

function decodeBase64Strict(text: string, name: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new RpcInvalidParamsError(`Invalid param: ${name} is not valid base64`);
  }
  return Buffer.from(text, "base64");
}

/** The transaction param of sendTransaction/simulateTransaction in its declared encoding (base58 by default). */
function decodeTransactionParam(encoded: string, config: Config): Uint8Array {
  const encoding = config.encoding ?? "base58";
  let bytes: Uint8Array;
  if (encoding === "base64") {
    if (encoded.length > MAX_BASE64_TRANSACTION_CHARS) {
      throw new RpcInvalidParamsError(
        `base64 encoded solana_transaction::versioned::VersionedTransaction too large: ${encoded.length} bytes (max: encoded/raw ${MAX_BASE64_TRANSACTION_CHARS}/${MAX_TRANSACTION_BYTES})`,
      );
    }
    bytes = decodeBase64Strict(encoded, "transaction");
  } else if (encoding === "base58") {
    if (encoded.length > MAX_BASE58_TRANSACTION_CHARS) {
      throw new RpcInvalidParamsError(
        `base58 encoded solana_transaction::versioned::VersionedTransaction too large: ${encoded.length} bytes (max: encoded/raw ${MAX_BASE58_TRANSACTION_CHARS}/${MAX_TRANSACTION_BYTES})`,
      );
    }
    try {
      bytes = bs58.decode(encoded);
    } catch {
      throw new RpcInvalidParamsError("Invalid param: transaction is not valid base58");
    }
  } else {
    throw new RpcInvalidParamsError(`Invalid param: unsupported encoding ${describeParam(encoding)}`);
  }
  if (bytes.length > MAX_TRANSACTION_BYTES) {
    throw new RpcInvalidParamsError(
      `decoded solana_transaction::versioned::VersionedTransaction too large: ${bytes.length} bytes (max: ${MAX_TRANSACTION_BYTES} bytes)`,
    );
  }
  return bytes;
}

type AccountFilter = (account: LedgerAccount) => boolean;

/** dataSize, memcmp (base58 or base64 bytes) and tokenAccountState filters, as Agave defines them. */
export function programAccountFilters(value: unknown): AccountFilter[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new RpcInvalidParamsError("Invalid param: filters must be an array");
  if (value.length > MAX_PROGRAM_ACCOUNT_FILTERS) {
    throw new RpcInvalidParamsError(`Too many filters provided; max ${MAX_PROGRAM_ACCOUNT_FILTERS}`);
  }
  return value.map((filter, i): AccountFilter => {
    if (typeof filter !== "object" || filter === null || Array.isArray(filter)) {
      throw new RpcInvalidParamsError(`Invalid param: filters[${i}]`);
    }
    const f = filter as Config;
    if (f.dataSize !== undefined) {
      const size = usizeParam(f.dataSize, `filters[${i}].dataSize`, Number.MAX_SAFE_INTEGER);
      return (account) => account.data.length === size;
    }
    if (f.memcmp !== undefined) {
      const m = f.memcmp as Config | null;
      if (typeof m !== "object" || m === null) throw new RpcInvalidParamsError(`Invalid param: filters[${i}].memcmp`);
      const offset = usizeParam(m.offset, `filters[${i}].memcmp.offset`, Number.MAX_SAFE_INTEGER);
      if (typeof m.bytes !== "string") throw new RpcInvalidParamsError(`Invalid param: filters[${i}].memcmp.bytes`);
      const encoding = m.encoding ?? "base58";
      let bytes: Uint8Array;
      if (encoding === "base58") {
        if (m.bytes.length > MAX_MEMCMP_BASE58_CHARS) {
          throw new RpcInvalidParamsError(`Encoded binary (base 58) data should be less than ${MAX_MEMCMP_BYTES} bytes`);
        }
        try {
          bytes = bs58.decode(m.bytes);
        } catch {
          throw new RpcInvalidParamsError(`Invalid param: filters[${i}].memcmp.bytes is not base58`);
        }
      } else if (encoding === "base64") {
        bytes = decodeBase64Strict(m.bytes, `filters[${i}].memcmp.bytes`);
      } else {
        throw new RpcInvalidParamsError(`Invalid param: filters[${i}].memcmp.encoding`);
      }
      if (bytes.length > MAX_MEMCMP_BYTES) throw new RpcInvalidParamsError(`memcmp data should be at most ${MAX_MEMCMP_BYTES} bytes`);
      const expected = Buffer.from(bytes);
      return (account) =>
        offset + expected.length <= account.data.length &&
        expected.equals(account.data.subarray(offset, offset + expected.length));
    }
    if (f.tokenAccountState !== undefined) {
      return (account) => isTokenProgram(account.owner) && account.data.length >= TOKEN_ACCOUNT_SIZE && parseTokenAccount(account) !== null;
    }
    throw new RpcInvalidParamsError(`Invalid param: filters[${i}] is not dataSize, memcmp or tokenAccountState`);
  });
}

function statusOf(record: TransactionRecord | undefined): Record<string, unknown> | null {
  if (record === undefined) return null;
  return {
    slot: record.slot,
    confirmations: null,
    err: record.err,
    status: record.err === null ? { Ok: null } : { Err: record.err },
    confirmationStatus: "finalized",
  };
}

function recordMentions(record: TransactionRecord, address: string): boolean {
  const parsed = parseTransaction(record.transaction);
  return (
    parsed.message.accountKeys.includes(address) ||
    record.loadedAddresses.writable.includes(address) ||
    record.loadedAddresses.readonly.includes(address)
  );
}

function partiallyDecodedInner(sets: InnerInstructionSet[], keys: string[]) {
  return sets.map((set) => ({
    index: set.index,
    instructions: set.instructions.map((ix) => ({
      programId: keys[ix.programIdIndex] ?? "",
      accounts: ix.accounts.map((a) => keys[a] ?? ""),
      data: ix.data,
      stackHeight: ix.stackHeight,
    })),
  }));
}

/** getTransaction's response for one record in the requested encoding. */
export function encodeTransactionRecord(
  record: TransactionRecord,
  encoding: unknown,
  allowVersioned: boolean,
): Record<string, unknown> {
  const parsed = parseTransaction(record.transaction);
  const { message } = parsed;
  if (message.version === 0 && !allowVersioned) throw new RpcUnsupportedTransactionVersionError(0);
  const allKeys = [...message.accountKeys, ...record.loadedAddresses.writable, ...record.loadedAddresses.readonly];
  let transaction: unknown;
  if (encoding === "base64") transaction = [Buffer.from(record.transaction).toString("base64"), "base64"];
  else if (encoding === "base58") transaction = [bs58.encode(record.transaction), "base58"];
  else if (encoding === "jsonParsed") {
    const writableLoaded = new Set(record.loadedAddresses.writable);
    transaction = {
      signatures: parsed.signatures,
      message: {
        accountKeys: allKeys.map((pubkey, i) => ({
          pubkey,
          signer: i < message.accountKeys.length && isStaticKeySigner(message, i),
          writable: i < message.accountKeys.length ? isStaticKeyWritable(message, i) : writableLoaded.has(pubkey),
          source: i < message.accountKeys.length ? "transaction" : "lookupTable",
        })),
        instructions: message.instructions.map((ix) => ({
          programId: allKeys[ix.programIdIndex] ?? "",
          accounts: ix.accounts.map((a) => allKeys[a] ?? ""),
          data: bs58.encode(ix.data),
          stackHeight: null,
        })),
        recentBlockhash: message.recentBlockhash,
        ...(message.version === 0 ? { addressTableLookups: message.addressTableLookups } : {}),
      },
    };
  } else {
    transaction = {
      signatures: parsed.signatures,
      message: {
        accountKeys: message.accountKeys,
        header: message.header,
        instructions: message.instructions.map((ix) => ({
          programIdIndex: ix.programIdIndex,
          accounts: ix.accounts,
          data: bs58.encode(ix.data),
          stackHeight: null,
        })),
        recentBlockhash: message.recentBlockhash,
        ...(message.version === 0 ? { addressTableLookups: message.addressTableLookups } : {}),
      },
    };
  }
  return {
    slot: record.slot,
    blockTime: record.blockTime,
    version: message.version,
    transaction,
    meta: {
      err: record.err,
      status: record.err === null ? { Ok: null } : { Err: record.err },
      fee: record.fee,
      preBalances: record.preBalances,
      postBalances: record.postBalances,
      innerInstructions:
        encoding === "jsonParsed" ? partiallyDecodedInner(record.innerInstructions, allKeys) : record.innerInstructions,
      logMessages: record.logs,
      preTokenBalances: record.preTokenBalances,
      postTokenBalances: record.postTokenBalances,
      rewards: [],
      loadedAddresses: record.loadedAddresses,
      computeUnitsConsumed: record.computeUnitsConsumed,
      ...(record.returnData === null
        ? {}
        : { returnData: { programId: record.returnData.programId, data: [record.returnData.data, "base64"] } }),
    },
  };
}
