/**
 * Validation of JSON-RPC params. Every reader either returns a well-typed value or throws
 * RpcInvalidParamsError (-32602) naming the parameter, so handlers never see malformed input.
 */
import bs58 from "bs58";
import { ACCOUNT_ENCODINGS, type AccountEncoding, type DataSlice } from "./accounts.js";
import { MAX_BASE58_KEY_CHARS } from "./constants.js";
import { RpcInvalidParamsError } from "./errors.js";

const PUBKEY_BYTES = 32;
const SIGNATURE_BYTES = 64;
/** Commitments Agave accepts, including the deprecated aliases older clients still send. */
const COMMITMENTS = new Set(["processed", "confirmed", "finalized", "recent", "single", "singleGossip", "root", "max"]);

export type Params = readonly unknown[];

/**
 * Names a client-supplied value in an error message without serializing it: JSON.stringify of
 * a deeply nested value (a 10 KiB body can nest 5,000 levels) overflows the stack, which would
 * turn a bad parameter into an internal error.
 */
export function describeParam(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
  if (typeof value === "number" || typeof value === "boolean" || value === null || value === undefined) return String(value);
  return Array.isArray(value) ? `an array of ${value.length}` : `a value of type ${typeof value}`;
}

/** Solana methods take positional params; absent params mean an empty list. */
export function positional(params: unknown): Params {
  if (params === undefined || params === null) return [];
  if (Array.isArray(params)) return params;
  throw new RpcInvalidParamsError("Invalid params: expected an array of positional parameters");
}

function decodeBase58(value: string, bytes: number): Uint8Array | null {
  // Guard against huge strings before decoding.
  if (value.length === 0 || value.length > MAX_BASE58_KEY_CHARS) return null;
  try {
    const decoded = bs58.decode(value);
    return decoded.length === bytes ? decoded : null;
  } catch {
    return null;
  }
}

export function isPubkey(value: unknown): value is string {
  return typeof value === "string" && decodeBase58(value, PUBKEY_BYTES) !== null;
}

export function pubkeyParam(params: Params, index: number, name: string): string {
  const value = params[index];
  if (!isPubkey(value)) throw new RpcInvalidParamsError(`Invalid param: ${name} is not a valid public key`);
  return value;
}

export function signatureParam(value: unknown, name: string): string {
  if (typeof value !== "string" || decodeBase58(value, SIGNATURE_BYTES) === null) {
    throw new RpcInvalidParamsError(`Invalid param: ${name} is not a valid signature`);
  }
  return value;
}

export function stringParam(params: Params, index: number, name: string): string {
  const value = params[index];
  if (typeof value !== "string") throw new RpcInvalidParamsError(`Invalid param: ${name} must be a string`);
  return value;
}

/** A non-negative safe integer (u64 values above 2^53 cannot arrive exactly through JSON.parse anyway). */
export function u64Param(value: unknown, name: string): bigint {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new RpcInvalidParamsError(`Invalid param: ${name} must be a non-negative integer`);
  }
  return BigInt(value);
}

export function usizeParam(value: unknown, name: string, max: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new RpcInvalidParamsError(`Invalid param: ${name} must be an integer between 0 and ${max}`);
  }
  return value;
}

export type Config = Readonly<Record<string, unknown>>;

/** The optional config object at `index`; also validates the fields every method shares. */
export function configParam(params: Params, index: number): Config {
  const value = params[index];
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new RpcInvalidParamsError(`Invalid param: expected a configuration object at position ${index}`);
  }
  const config = value as Config;
  for (const key of ["commitment", "preflightCommitment"]) {
    const commitment = config[key];
    if (commitment !== undefined && (typeof commitment !== "string" || !COMMITMENTS.has(commitment))) {
      throw new RpcInvalidParamsError(`Invalid param: unknown ${key} ${describeParam(commitment)}`);
    }
  }
  const minContextSlot = config.minContextSlot;
  if (minContextSlot !== undefined && minContextSlot !== null) u64Param(minContextSlot, "minContextSlot");
  return config;
}

export function optionalBoolean(config: Config, key: string, fallback: boolean): boolean {
  const value = config[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "boolean") throw new RpcInvalidParamsError(`Invalid param: ${key} must be a boolean`);
  return value;
}

export function accountEncoding(config: Config, fallback: AccountEncoding): AccountEncoding {
  const value = config.encoding;
  if (value === undefined || value === null) return fallback;
  if (value === "base64+zstd") {
    throw new RpcInvalidParamsError("Invalid param: base64+zstd encoding is not supported by this ledger; use base64");
  }
  if (typeof value !== "string" || !(ACCOUNT_ENCODINGS as readonly string[]).includes(value)) {
    throw new RpcInvalidParamsError(`Invalid param: unknown encoding ${describeParam(value)}`);
  }
  return value as AccountEncoding;
}

export function dataSliceParam(config: Config): DataSlice | undefined {
  const value = config.dataSlice;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) throw new RpcInvalidParamsError("Invalid param: dataSlice");
  const slice = value as Config;
  return {
    offset: usizeParam(slice.offset, "dataSlice.offset", Number.MAX_SAFE_INTEGER),
    length: usizeParam(slice.length, "dataSlice.length", Number.MAX_SAFE_INTEGER),
  };
}

export function arrayParam(params: Params, index: number, name: string, max: number): readonly unknown[] {
  const value = params[index];
  if (!Array.isArray(value)) throw new RpcInvalidParamsError(`Invalid param: ${name} must be an array`);
  if (value.length > max) throw new RpcInvalidParamsError(`Too many inputs provided; max ${max}`);
  return value;
}
