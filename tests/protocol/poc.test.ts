import { expect } from "chai";
import {
  beaconPayloadHash,
  deriveBeaconPayload,
  Ed25519Keypair,
  InvalidFieldError,
  LORA_MAX_PAYLOAD_BYTES,
  MAX_PAYLOAD_BYTES,
  MIN_PAYLOAD_BYTES,
  sha256,
  witnessProof,
} from "../../protocol/index.js";

describe("protocol: proof-of-coverage hashes", () => {
  const entropyId = sha256(new TextEncoder().encode("entropy"));
  const device = Ed25519Keypair.fromSeed(new Uint8Array(32).fill(1)).publicKey;
  const nonce = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);

  it("derives a payload that depends on entropy, device key and nonce", () => {
    const payload = deriveBeaconPayload(entropyId, device, nonce);
    expect(payload).to.have.length(MAX_PAYLOAD_BYTES);
    expect(MAX_PAYLOAD_BYTES).to.be.at.most(LORA_MAX_PAYLOAD_BYTES);
    const otherEntropy = deriveBeaconPayload(sha256(new TextEncoder().encode("other")), device, nonce);
    const otherNonce = deriveBeaconPayload(entropyId, device, new Uint8Array(8));
    const otherDevice = deriveBeaconPayload(entropyId, new Uint8Array(32), nonce);
    for (const other of [otherEntropy, otherNonce, otherDevice]) expect(other).not.to.deep.equal(payload);
    // A shorter payload is a prefix of the full one: radios choose a length that fits.
    expect(deriveBeaconPayload(entropyId, device, nonce, MIN_PAYLOAD_BYTES)).to.deep.equal(payload.subarray(0, MIN_PAYLOAD_BYTES));
  });

  it("binds witness proofs to both the payload and the witness key", () => {
    const payload = deriveBeaconPayload(entropyId, device, nonce);
    const witnessA = Ed25519Keypair.generate().publicKey;
    const witnessB = Ed25519Keypair.generate().publicKey;
    expect(witnessProof(payload, witnessA)).not.to.deep.equal(witnessProof(payload, witnessB));
    expect(witnessProof(payload, witnessA)).to.deep.equal(witnessProof(Uint8Array.from(payload), witnessA));
    // The published hash never equals the proof or the payload (different domains).
    expect(beaconPayloadHash(payload)).not.to.deep.equal(sha256(payload));
  });

  it("rejects payload lengths and nonces outside the protocol's bounds", () => {
    expect(() => deriveBeaconPayload(entropyId, device, nonce, MIN_PAYLOAD_BYTES - 1)).to.throw(InvalidFieldError);
    expect(() => deriveBeaconPayload(entropyId, device, nonce, MAX_PAYLOAD_BYTES + 1)).to.throw(InvalidFieldError);
    expect(() => deriveBeaconPayload(entropyId, device, new Uint8Array(7))).to.throw(InvalidFieldError);
  });
});
