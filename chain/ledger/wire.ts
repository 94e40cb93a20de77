/**
 * Parser for the Solana transaction wire format (legacy and version 0 messages). The VM parses
 * transactions itself; the ledger needs the fields too, for blockhash checks, fees, balances in
 * transaction metadata and getTransaction's "json" encoding. Every read is bounds-checked and
 * trailing bytes are rejected, so hostile input yields MalformedTransactionError, never a throw
 * from deep inside.
 */
import bs58 from "bs58";
import { MalformedTransactionError } from "./errors.js";

export type TransactionVersion = "legacy" | 0;

export interface CompiledInstruction {
  programIdIndex: number;
  accounts: number[];
  data: Uint8Array;
}

export interface AddressTableLookup {
  accountKey: string;
  writableIndexes: number[];
  readonlyIndexes: number[];
}

export interface MessageHeader {
  numRequiredSignatures: number;
  numReadonlySignedAccounts: number;
  numReadonlyUnsignedAccounts: number;
}

export interface ParsedMessage {
  version: TransactionVersion;
  header: MessageHeader;
  /** Static account keys, base58. */
  accountKeys: string[];
  recentBlockhash: string;
  instructions: CompiledInstruction[];
  addressTableLookups: AddressTableLookup[];
}

export interface ParsedTransaction {
  /** Signatures, base58, in order; the first one identifies the transaction. */
  signatures: string[];
  message: ParsedMessage;
  messageBytes: Uint8Array;
}

const SIGNATURE_BYTES = 64;
const PUBKEY_BYTES = 32;
/** The high bit of the first message byte marks a versioned message (Solana MESSAGE_VERSION_PREFIX). */
const VERSION_PREFIX_MASK = 0x80;

class Reader {
  offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  u8(what: string): number {
    const value = this.bytes[this.offset];
    if (value === undefined) throw new MalformedTransactionError(`truncated at ${what}`);
    this.offset += 1;
    return value;
  }

  take(length: number, what: string): Uint8Array {
    if (this.remaining < length) throw new MalformedTransactionError(`truncated at ${what}`);
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  /** Solana's compact-u16 ("short vec" length): 1-3 bytes, 7 bits each, canonical, < 2^16. */
  shortVec(what: string): number {
    let value = 0;
    for (let i = 0; i < 3; i++) {
      const byte = this.u8(what);
      value |= (byte & 0x7f) << (7 * i);
      if ((byte & 0x80) === 0) {
        if (i > 0 && byte === 0) throw new MalformedTransactionError(`non-canonical length at ${what}`);
        if (value > 0xffff) throw new MalformedTransactionError(`length overflow at ${what}`);
        return value;
      }
    }
    throw new MalformedTransactionError(`length too long at ${what}`);
  }

  byteArray(what: string): number[] {
    const length = this.shortVec(what);
    return Array.from(this.take(length, what));
  }
}

/** Parses a serialized transaction; throws MalformedTransactionError on any defect. */
export function parseTransaction(bytes: Uint8Array): ParsedTransaction {
  const reader = new Reader(bytes);
  const signatureCount = reader.shortVec("signature count");
  const signatures: string[] = [];
  for (let i = 0; i < signatureCount; i++) {
    signatures.push(bs58.encode(reader.take(SIGNATURE_BYTES, "signature")));
  }
  const messageStart = reader.offset;
  const message = parseMessageFrom(reader);
  if (reader.remaining !== 0) throw new MalformedTransactionError(`${reader.remaining} trailing bytes`);
  if (signatures.length === 0) throw new MalformedTransactionError("no signatures");
  if (signatures.length !== message.header.numRequiredSignatures) {
    throw new MalformedTransactionError(
      `${signatures.length} signatures for ${message.header.numRequiredSignatures} required signers`,
    );
  }
  return { signatures, message, messageBytes: bytes.subarray(messageStart) };
}

/** Parses a serialized message (as getFeeForMessage receives it). */
export function parseMessage(bytes: Uint8Array): ParsedMessage {
  const reader = new Reader(bytes);
  const message = parseMessageFrom(reader);
  if (reader.remaining !== 0) throw new MalformedTransactionError(`${reader.remaining} trailing bytes`);
  return message;
}

function parseMessageFrom(reader: Reader): ParsedMessage {
  let version: TransactionVersion = "legacy";
  let first = reader.u8("message header");
  if ((first & VERSION_PREFIX_MASK) !== 0) {
    const number = first & ~VERSION_PREFIX_MASK;
    if (number !== 0) throw new MalformedTransactionError(`unsupported message version ${number}`);
    version = 0;
    first = reader.u8("message header");
  }
  const header: MessageHeader = {
    numRequiredSignatures: first,
    numReadonlySignedAccounts: reader.u8("message header"),
    numReadonlyUnsignedAccounts: reader.u8("message header"),
  };
  const keyCount = reader.shortVec("account key count");
  const accountKeys: string[] = [];
  for (let i = 0; i < keyCount; i++) accountKeys.push(bs58.encode(reader.take(PUBKEY_BYTES, "account key")));
  const recentBlockhash = bs58.encode(reader.take(PUBKEY_BYTES, "recent blockhash"));
  const instructionCount = reader.shortVec("instruction count");
  const instructions: CompiledInstruction[] = [];
  for (let i = 0; i < instructionCount; i++) {
    const programIdIndex = reader.u8("program id index");
    const accounts = reader.byteArray("instruction accounts");
    const dataLength = reader.shortVec("instruction data length");
    const data = reader.take(dataLength, "instruction data");
    instructions.push({ programIdIndex, accounts, data });
  }
  const addressTableLookups: AddressTableLookup[] = [];
  if (version === 0) {
    const lookupCount = reader.shortVec("address table lookup count");
    for (let i = 0; i < lookupCount; i++) {
      const accountKey = bs58.encode(reader.take(PUBKEY_BYTES, "lookup table key"));
      const writableIndexes = reader.byteArray("lookup writable indexes");
      const readonlyIndexes = reader.byteArray("lookup readonly indexes");
      addressTableLookups.push({ accountKey, writableIndexes, readonlyIndexes });
    }
  }
  if (header.numRequiredSignatures > accountKeys.length) {
    throw new MalformedTransactionError("more required signers than account keys");
  }
  if (header.numReadonlySignedAccounts >= header.numRequiredSignatures && header.numRequiredSignatures > 0) {
    throw new MalformedTransactionError("the fee payer must be writable");
  }
  if (header.numReadonlyUnsignedAccounts > accountKeys.length - header.numRequiredSignatures) {
    throw new MalformedTransactionError("more readonly unsigned accounts than unsigned accounts");
  }
  for (const instruction of instructions) {
    if (instruction.programIdIndex >= accountKeys.length) {
      throw new MalformedTransactionError("program id index out of range");
    }
  }
  return { version, header, accountKeys, recentBlockhash, instructions, addressTableLookups };
}

/** Whether the static key at `index` is writable according to the message header. */
export function isStaticKeyWritable(message: ParsedMessage, index: number): boolean {
  const { numRequiredSignatures, numReadonlySignedAccounts, numReadonlyUnsignedAccounts } = message.header;
  if (index < numRequiredSignatures) return index < numRequiredSignatures - numReadonlySignedAccounts;
  return index < message.accountKeys.length - numReadonlyUnsignedAccounts;
}

/** Whether the static key at `index` signed the transaction. */
export function isStaticKeySigner(message: ParsedMessage, index: number): boolean {
  return index < message.header.numRequiredSignatures;
}
