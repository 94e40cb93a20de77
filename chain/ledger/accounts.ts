/**
 * Account encodings as the Solana RPC returns them ("base58", "base64", "jsonParsed") and the
 * SPL Token layouts needed for jsonParsed, token balances and getTokenAccountsByOwner.
 */
import bs58 from "bs58";
import { RpcInvalidRequestError } from "./errors.js";
import {
  MAX_BASE58_BYTES,
  TOKEN_2022_PROGRAM_ID,
  TOKEN_ACCOUNT_SIZE,
  TOKEN_MINT_SIZE,
  TOKEN_PROGRAM_ID,
} from "./constants.js";

/** An account as the ledger hands it around. */
export interface LedgerAccount {
  lamports: bigint;
  data: Uint8Array;
  /** Owner program, base58. */
  owner: string;
  executable: boolean;
}

export type AccountEncoding = "base58" | "base64" | "jsonParsed" | "binary";
export const ACCOUNT_ENCODINGS: readonly AccountEncoding[] = ["base58", "base64", "jsonParsed", "binary"];

export interface DataSlice {
  offset: number;
  length: number;
}

/**
 * rentEpoch of every account: rent collection is gone from Solana (SIMD-0183/0194), accounts
 * carry u64::MAX, which Agave reports as is.
 */
export const RENT_EPOCH_EXEMPT = 18_446_744_073_709_551_615n;

/** Token-2022 stores the account type right after the 165-byte base (AccountType::Mint = 1, Account = 2). */
const TOKEN_2022_ACCOUNT_TYPE_OFFSET = 165;
const ACCOUNT_TYPE_MINT = 1;
const ACCOUNT_TYPE_ACCOUNT = 2;

export function isTokenProgram(owner: string): boolean {
  return owner === TOKEN_PROGRAM_ID || owner === TOKEN_2022_PROGRAM_ID;
}

export interface TokenAccountState {
  mint: string;
  owner: string;
  amount: bigint;
  delegate: string | null;
  /** 0 uninitialized, 1 initialized, 2 frozen. */
  state: number;
  /** Rent-exempt reserve of a wrapped-SOL account, null for other mints. */
  isNative: bigint | null;
  delegatedAmount: bigint;
  closeAuthority: string | null;
}

export interface MintState {
  mintAuthority: string | null;
  supply: bigint;
  decimals: number;
  isInitialized: boolean;
  freezeAuthority: string | null;
}

function view(data: Uint8Array): DataView {
  return new DataView(data.buffer, data.byteOffset, data.byteLength);
}

/** COption<Pubkey>: u32 tag (0 none, 1 some) followed by 32 bytes. */
function optionalKey(data: Uint8Array, offset: number): string | null {
  const tag = view(data).getUint32(offset, true);
  return tag === 1 ? bs58.encode(data.subarray(offset + 4, offset + 36)) : null;
}

function tokenKind(account: LedgerAccount): "account" | "mint" | null {
  if (!isTokenProgram(account.owner)) return null;
  const size = account.data.length;
  if (size === TOKEN_ACCOUNT_SIZE) return "account";
  if (size === TOKEN_MINT_SIZE) return "mint";
  if (account.owner === TOKEN_2022_PROGRAM_ID && size > TOKEN_2022_ACCOUNT_TYPE_OFFSET) {
    const type = account.data[TOKEN_2022_ACCOUNT_TYPE_OFFSET];
    if (type === ACCOUNT_TYPE_ACCOUNT) return "account";
    if (type === ACCOUNT_TYPE_MINT) return "mint";
  }
  return null;
}

/*
 * SPL Token layouts (little-endian; COption = u32 tag + value):
 * Account (165 bytes): mint 0..32, owner 32..64, amount u64 @64, delegate COption<Pubkey> @72,
 *   state u8 @108, is_native COption<u64> @109, delegated_amount u64 @121,
 *   close_authority COption<Pubkey> @129.
 * Mint (82 bytes): mint_authority COption<Pubkey> @0, supply u64 @36, decimals u8 @44,
 *   is_initialized u8 @45, freeze_authority COption<Pubkey> @46.
 */

/** Decodes an SPL Token (or Token-2022 base) account; null if it is not an initialized token account. */
export function parseTokenAccount(account: LedgerAccount): TokenAccountState | null {
  if (tokenKind(account) !== "account") return null;
  const data = account.data;
  const dv = view(data);
  const state = data[108] ?? 0;
  if (state === 0) return null;
  const nativeTag = dv.getUint32(109, true);
  return {
    mint: bs58.encode(data.subarray(0, 32)),
    owner: bs58.encode(data.subarray(32, 64)),
    amount: dv.getBigUint64(64, true),
    delegate: optionalKey(data, 72),
    state,
    isNative: nativeTag === 1 ? dv.getBigUint64(113, true) : null,
    delegatedAmount: dv.getBigUint64(121, true),
    closeAuthority: optionalKey(data, 129),
  };
}

/** Decodes an SPL Token (or Token-2022 base) mint; null if it is not an initialized mint. */
export function parseMint(account: LedgerAccount): MintState | null {
  if (tokenKind(account) !== "mint") return null;
  const data = account.data;
  const isInitialized = data[45] === 1;
  if (!isInitialized) return null;
  return {
    mintAuthority: optionalKey(data, 0),
    supply: view(data).getBigUint64(36, true),
    decimals: data[44] ?? 0,
    isInitialized,
    freezeAuthority: optionalKey(data, 46),
  };
}

export interface UiTokenAmount {
  amount: string;
  decimals: number;
  uiAmount: number;
  uiAmountString: string;
}

/** Agave's UiTokenAmount: exact string plus the (lossy) float clients display. */
export function uiTokenAmount(amount: bigint, decimals: number): UiTokenAmount {
  const digits = amount.toString().padStart(decimals + 1, "0");
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, "");
  const uiAmountString = fraction.length > 0 ? `${whole}.${fraction}` : whole;
  return { amount: amount.toString(), decimals, uiAmount: Number(uiAmountString), uiAmountString };
}

const TOKEN_STATE_NAMES = ["uninitialized", "initialized", "frozen"] as const;

/** The "parsed" object of jsonParsed, or null when the account has no parser (then base64 is used). */
function parsedAccountData(
  account: LedgerAccount,
  mintDecimals: (mint: string) => number | null,
): Record<string, unknown> | null {
  const program = account.owner === TOKEN_2022_PROGRAM_ID ? "spl-token-2022" : "spl-token";
  const token = parseTokenAccount(account);
  if (token !== null) {
    const decimals = mintDecimals(token.mint);
    if (decimals === null) return null;
    const info: Record<string, unknown> = {
      isNative: token.isNative !== null,
      mint: token.mint,
      owner: token.owner,
      state: TOKEN_STATE_NAMES[token.state] ?? "uninitialized",
      tokenAmount: uiTokenAmount(token.amount, decimals),
    };
    if (token.delegate !== null) {
      info.delegate = token.delegate;
      info.delegatedAmount = uiTokenAmount(token.delegatedAmount, decimals);
    }
    if (token.isNative !== null) info.rentExemptReserve = uiTokenAmount(token.isNative, decimals);
    if (token.closeAuthority !== null) info.closeAuthority = token.closeAuthority;
    return { program, parsed: { info, type: "account" }, space: account.data.length };
  }
  const mint = parseMint(account);
  if (mint !== null) {
    return {
      program,
      parsed: {
        info: {
          decimals: mint.decimals,
          freezeAuthority: mint.freezeAuthority,
          isInitialized: mint.isInitialized,
          mintAuthority: mint.mintAuthority,
          supply: mint.supply.toString(),
        },
        type: "mint",
      },
      space: account.data.length,
    };
  }
  return null;
}

/** Encodes an account the way getAccountInfo / accountNotification return it. */
export function encodeAccount(
  account: LedgerAccount,
  encoding: AccountEncoding,
  dataSlice: DataSlice | undefined,
  mintDecimals: (mint: string) => number | null,
): Record<string, unknown> {
  const base = {
    executable: account.executable,
    lamports: account.lamports,
    owner: account.owner,
    rentEpoch: RENT_EPOCH_EXEMPT,
    space: account.data.length,
  };
  if (encoding === "jsonParsed") {
    const parsed = parsedAccountData(account, mintDecimals);
    if (parsed !== null) return { data: parsed, ...base };
  }
  const sliced =
    dataSlice === undefined ? account.data : account.data.subarray(dataSlice.offset, dataSlice.offset + dataSlice.length);
  if (encoding === "base58" || encoding === "binary") {
    if (sliced.length > MAX_BASE58_BYTES) {
      throw new RpcInvalidRequestError(
        `Encoded binary (base 58) data should be less than ${MAX_BASE58_BYTES} bytes, please use Base64 encoding.`,
      );
    }
    const text = bs58.encode(sliced);
    return { data: encoding === "binary" ? text : [text, "base58"], ...base };
  }
  return { data: [Buffer.from(sliced).toString("base64"), "base64"], ...base };
}
