import { MAX_PAYLOAD_BYTES, MIN_PAYLOAD_BYTES } from "./constants.js";
import { InvalidFieldError } from "./errors.js";
import { domainTag, sha256 } from "./hash.js";

/**
 * The proof-of-coverage hashes of DESIGN.md §3. Each has its own domain tag so that a value
 * computed for one purpose can never be presented as another.
 */
const PAYLOAD_DOMAIN = domainTag("hexcover/v1/beacon-payload");
const PAYLOAD_HASH_DOMAIN = domainTag("hexcover/v1/payload-hash");
const WITNESS_PROOF_DOMAIN = domainTag("hexcover/v1/witness-proof");

/** Random per-beacon nonce length. */
export const NONCE_BYTES = 8;

/**
 * payload = SHA-256(tag ‖ entropy id ‖ device key ‖ nonce), truncated to `lengthBytes`.
 * Depends on fresh entropy, so beacons cannot be computed before the entropy was published.
 */
export function deriveBeaconPayload(
  entropyId: Uint8Array,
  deviceKey: Uint8Array,
  nonce: Uint8Array,
  lengthBytes: number = MAX_PAYLOAD_BYTES,
): Uint8Array {
  if (!Number.isInteger(lengthBytes) || lengthBytes < MIN_PAYLOAD_BYTES || lengthBytes > MAX_PAYLOAD_BYTES) {
    throw new InvalidFieldError("payload", `length must be ${MIN_PAYLOAD_BYTES}..${MAX_PAYLOAD_BYTES} bytes`);
  }
  if (nonce.length !== NONCE_BYTES) throw new InvalidFieldError("nonce", `must be ${NONCE_BYTES} bytes`);
  return sha256(PAYLOAD_DOMAIN, entropyId, deviceKey, nonce).subarray(0, lengthBytes);
}

/** H(payload): what a BeaconCommit and a WitnessReport publish instead of the payload itself. */
export function beaconPayloadHash(payload: Uint8Array): Uint8Array {
  return sha256(PAYLOAD_HASH_DOMAIN, payload);
}

/** proof = H(payload ‖ witness key): computable only by someone who received the packet. */
export function witnessProof(payload: Uint8Array, witnessKey: Uint8Array): Uint8Array {
  return sha256(WITNESS_PROOF_DOMAIN, payload, witnessKey);
}

/** True when `proof` is the witness's proof for `payload` (checked once the payload is revealed). */
export function isWitnessProofValid(payload: Uint8Array, witnessKey: Uint8Array, proof: Uint8Array): boolean {
  const expected = witnessProof(payload, witnessKey);
  if (proof.length !== expected.length) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected[i]! ^ proof[i]!;
  return diff === 0;
}
