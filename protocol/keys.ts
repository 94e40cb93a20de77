import { createPrivateKey, createPublicKey, type KeyObject, randomBytes, sign, verify } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import bs58 from "bs58";
import { InvalidAddressError, InvalidKeypairError } from "./errors.js";

/** Ed25519 sizes (RFC 8032). */
export const PUBLIC_KEY_BYTES = 32;
/**
 * Longest base58 text of a 32-byte key (bs58 of 32 × 0xff). Checked before decoding: base58
 * decoding is quadratic in the input length, so a long string must not reach it.
 */
export const MAX_ADDRESS_CHARS = 44;
export const SEED_BYTES = 32;
export const SIGNATURE_BYTES = 64;
/** Solana CLI keypair files hold seed ‖ public key as a JSON array of 64 numbers. */
export const KEYPAIR_FILE_BYTES = SEED_BYTES + PUBLIC_KEY_BYTES;

// Node's crypto takes raw ed25519 keys only wrapped in DER; these are the fixed ASN.1 prefixes
// of PKCS#8 (private) and SPKI (public) for OID 1.3.101.112 (RFC 8410).
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** Verifying creates a KeyObject per public key; a bounded cache keeps hot signers cheap. */
const PUBLIC_KEY_CACHE_LIMIT = 4096;
const publicKeyCache = new Map<string, KeyObject>();

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  const cacheKey = Buffer.from(publicKey).toString("hex");
  let keyObject = publicKeyCache.get(cacheKey);
  if (keyObject === undefined) {
    keyObject = createPublicKey({
      key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]),
      format: "der",
      type: "spki",
    });
    if (publicKeyCache.size >= PUBLIC_KEY_CACHE_LIMIT) publicKeyCache.clear();
    publicKeyCache.set(cacheKey, keyObject);
  }
  return keyObject;
}

/** An ed25519 keypair: a hotspot's device key, a validator key or an owner wallet. */
export class Ed25519Keypair {
  readonly publicKey: Uint8Array;
  readonly #seed: Uint8Array;
  readonly #privateKey: KeyObject;

  private constructor(seed: Uint8Array) {
    this.#seed = Uint8Array.from(seed);
    this.#privateKey = createPrivateKey({
      key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
      format: "der",
      type: "pkcs8",
    });
    const spki = createPublicKey(this.#privateKey).export({ format: "der", type: "spki" });
    this.publicKey = new Uint8Array(spki.subarray(SPKI_ED25519_PREFIX.length));
  }

  static generate(): Ed25519Keypair {
    return new Ed25519Keypair(randomBytes(SEED_BYTES));
  }

  static fromSeed(seed: Uint8Array): Ed25519Keypair {
    if (seed.length !== SEED_BYTES) throw new InvalidKeypairError(`seed must be ${SEED_BYTES} bytes, got ${seed.length}`);
    return new Ed25519Keypair(seed);
  }

  /** From the 64-byte Solana secret key (seed ‖ public key); the halves must agree. */
  static fromSecretKey(secretKey: Uint8Array): Ed25519Keypair {
    if (secretKey.length !== KEYPAIR_FILE_BYTES) {
      throw new InvalidKeypairError(`secret key must be ${KEYPAIR_FILE_BYTES} bytes, got ${secretKey.length}`);
    }
    const keypair = new Ed25519Keypair(secretKey.subarray(0, SEED_BYTES));
    if (!bytesEqual(keypair.publicKey, secretKey.subarray(SEED_BYTES))) {
      throw new InvalidKeypairError("public key half does not match the seed");
    }
    return keypair;
  }

  /** Parses the text of a Solana CLI keypair file. */
  static fromJson(text: string): Ed25519Keypair {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new InvalidKeypairError("not JSON");
    }
    if (
      !Array.isArray(parsed) ||
      parsed.length !== KEYPAIR_FILE_BYTES ||
      !parsed.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)
    ) {
      throw new InvalidKeypairError(`expected a JSON array of ${KEYPAIR_FILE_BYTES} byte values`);
    }
    return Ed25519Keypair.fromSecretKey(Uint8Array.from(parsed as number[]));
  }

  /** 64-byte seed ‖ public key, the layout of Solana's `Keypair.secretKey` and libp2p's raw ed25519 key. */
  get secretKey(): Uint8Array {
    const out = new Uint8Array(KEYPAIR_FILE_BYTES);
    out.set(this.#seed, 0);
    out.set(this.publicKey, SEED_BYTES);
    return out;
  }

  /** The base58 address (a Solana public key string). */
  get address(): string {
    return encodeAddress(this.publicKey);
  }

  toJson(): string {
    return JSON.stringify(Array.from(this.secretKey));
  }

  sign(data: Uint8Array): Uint8Array {
    return new Uint8Array(sign(null, data, this.#privateKey));
  }
}

/** Verifies an ed25519 signature; malformed keys or signatures verify as false, never throw. */
export function verifyEd25519(publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== PUBLIC_KEY_BYTES || signature.length !== SIGNATURE_BYTES) return false;
  try {
    return verify(null, data, publicKeyObject(publicKey), signature);
  } catch {
    // Not every 32-byte string is a curve point; OpenSSL rejects those when importing the key.
    return false;
  }
}

export async function loadKeypairFile(path: string): Promise<Ed25519Keypair> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new InvalidKeypairError(`cannot read ${path}: ${(err as Error).message}`);
  }
  return Ed25519Keypair.fromJson(text);
}

/** Writes a Solana CLI compatible keypair file readable only by its owner. */
export async function saveKeypairFile(path: string, keypair: Ed25519Keypair): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, keypair.toJson(), { mode: 0o600 });
  await chmod(path, 0o600);
}

export function encodeAddress(publicKey: Uint8Array): string {
  return bs58.encode(publicKey);
}

export function decodeAddress(address: string): Uint8Array {
  if (typeof address !== "string") throw new InvalidAddressError(String(typeof address));
  if (address.length > MAX_ADDRESS_CHARS) throw new InvalidAddressError(address, `longer than ${MAX_ADDRESS_CHARS} characters`);
  let bytes: Uint8Array;
  try {
    bytes = bs58.decode(address);
  } catch {
    throw new InvalidAddressError(address);
  }
  if (bytes.length !== PUBLIC_KEY_BYTES) throw new InvalidAddressError(address);
  return bytes;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
