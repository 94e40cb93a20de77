import { expect } from "chai";
import {
  checkMessageTime,
  DEFAULT_MAX_CLOCK_SKEW_MS,
  DEFAULT_MAX_WITNESS_REPORT_AGE_MS,
  decodeMessage,
  Ed25519Keypair,
  type HexcoverMessage,
  HEADER_BYTES,
  MAX_ANY_MESSAGE_BYTES,
  MAX_MESSAGE_BYTES,
  messageId,
  ProtocolError,
  PROTOCOL_VERSION,
  SIGNATURE_BYTES,
  signMessage,
  signingBytes,
  sha256,
  type SignedMessage,
  TimestampTooOldError,
} from "../../protocol/index.js";
import { allMessages, FIXED_NOW_MS, makeRound } from "../support/protocol-fixtures.js";

function expectProtocolError(fn: () => unknown, code: string): ProtocolError {
  try {
    fn();
  } catch (err) {
    expect(err, `expected ${code}, got ${String(err)}`).to.be.instanceOf(ProtocolError);
    expect((err as ProtocolError).code).to.equal(code);
    return err as ProtocolError;
  }
  expect.fail(`expected ${code} but nothing was thrown`);
}

function signerFor(message: HexcoverMessage, keys: Record<string, Ed25519Keypair>): Ed25519Keypair {
  return message.kind === "entropy" ? keys.validator! : message.kind === "witnessReport" ? keys.witness! : keys.beaconer!;
}

describe("protocol: wire messages", () => {
  const keys = {
    validator: Ed25519Keypair.generate(),
    beaconer: Ed25519Keypair.generate(),
    witness: Ed25519Keypair.generate(),
  };
  const round = makeRound(keys.validator, keys.beaconer, keys.witness, new Uint8Array(32).fill(3));
  const signedAll: SignedMessage[] = allMessages(round).map((m) => signMessage(m, signerFor(m, keys)));

  it("round-trips every message kind with identical fields, id and bytes", () => {
    for (const signed of signedAll) {
      const decoded = decodeMessage(signed.bytes);
      expect(decoded.message).to.deep.equal(signed.message);
      expect(decoded.id).to.deep.equal(signed.id);
      expect(decoded.bytes).to.deep.equal(signed.bytes);
      expect(decoded.signer).to.deep.equal(signed.signer);
      expect(decoded.bytes[0]).to.equal(PROTOCOL_VERSION);
      expect(decoded.bytes.length).to.be.at.most(MAX_MESSAGE_BYTES[signed.message.kind]);
    }
  });

  it("derives the message id from header and body only, matching messageId()", () => {
    for (const signed of signedAll) {
      expect(messageId(signed.message)).to.deep.equal(signed.id);
      expect(sha256(signed.bytes.subarray(0, signed.bytes.length - SIGNATURE_BYTES))).to.deep.equal(signed.id);
    }
  });

  it("encodes deterministically: signing the same message twice gives the same bytes", () => {
    for (const signed of signedAll) {
      const again = signMessage(signed.message, signerFor(signed.message, keys));
      expect(again.bytes).to.deep.equal(signed.bytes);
    }
  });

  it("detects tampering with any single byte of header, body or signature", () => {
    for (const signed of signedAll) {
      for (let i = 0; i < signed.bytes.length; i++) {
        const tampered = Uint8Array.from(signed.bytes);
        tampered[i]! ^= 0x01;
        expect(() => decodeMessage(tampered), `${signed.message.kind} byte ${i}`).to.throw(ProtocolError);
      }
    }
  });

  it("rejects a re-signed field change under the original signature (every field is covered)", () => {
    for (const signed of signedAll) {
      const message = signed.message as unknown as Record<string, unknown>;
      for (const field of Object.keys(message)) {
        if (field === "kind") continue;
        const value = message[field];
        let changed: unknown;
        if (value instanceof Uint8Array) {
          changed = Uint8Array.from(value);
          (changed as Uint8Array)[0]! ^= 0x80;
        } else if (typeof value === "number") {
          changed = value + 1;
        } else continue;
        if (field === "hotspot" || field === "witness" || field === "validator") {
          // The signer field leads every body: patch it in place under the original signature.
          const bytes = Uint8Array.from(signed.bytes);
          bytes[HEADER_BYTES]! ^= 0x80;
          expect(() => decodeMessage(bytes)).to.throw(ProtocolError);
          continue;
        }
        const forged = signMessage({ ...message, [field]: changed } as unknown as HexcoverMessage, signerFor(signed.message, keys));
        // Splice the ORIGINAL signature onto the changed body.
        const bytes = Uint8Array.from(forged.bytes);
        bytes.set(signed.signature, bytes.length - SIGNATURE_BYTES);
        expectProtocolError(() => decodeMessage(bytes), "ERR_INVALID_SIGNATURE");
      }
    }
  });

  it("rejects a signature made by a different key", () => {
    const mallory = Ed25519Keypair.generate();
    const unsigned = signedAll[1]!.bytes.subarray(0, signedAll[1]!.bytes.length - SIGNATURE_BYTES);
    const forgedSignature = mallory.sign(signingBytes("beaconCommit", unsigned));
    const bytes = Uint8Array.from(signedAll[1]!.bytes);
    bytes.set(forgedSignature, bytes.length - SIGNATURE_BYTES);
    expectProtocolError(() => decodeMessage(bytes), "ERR_INVALID_SIGNATURE");
  });

  it("rejects a signature made for another message kind with the same bytes (domain separation)", () => {
    const signed = signedAll[2]!;
    const unsigned = signed.bytes.subarray(0, signed.bytes.length - SIGNATURE_BYTES);
    const crossSignature = keys.witness.sign(signingBytes("beaconCommit", unsigned));
    const bytes = Uint8Array.from(signed.bytes);
    bytes.set(crossSignature, bytes.length - SIGNATURE_BYTES);
    expectProtocolError(() => decodeMessage(bytes), "ERR_INVALID_SIGNATURE");
  });

  it("rejects unsigned messages (zero signature)", () => {
    const bytes = Uint8Array.from(signedAll[0]!.bytes);
    bytes.fill(0, bytes.length - SIGNATURE_BYTES);
    const err = expectProtocolError(() => decodeMessage(bytes), "ERR_INVALID_SIGNATURE");
    expect(err.message).to.match(/unsigned/);
  });

  it("can skip signature verification for batch verification elsewhere", () => {
    const bytes = Uint8Array.from(signedAll[0]!.bytes);
    bytes.fill(0, bytes.length - SIGNATURE_BYTES);
    expect(decodeMessage(bytes, { verifySignature: false }).message.kind).to.equal("entropy");
  });

  it("rejects truncated input at every length", () => {
    for (const signed of signedAll) {
      for (let len = 0; len < signed.bytes.length; len++) {
        expect(() => decodeMessage(signed.bytes.subarray(0, len))).to.throw(ProtocolError);
      }
      expectProtocolError(() => decodeMessage(signed.bytes.subarray(0, 1)), "ERR_MESSAGE_TRUNCATED");
      expectProtocolError(() => decodeMessage(signed.bytes.subarray(0, HEADER_BYTES + 10)), "ERR_MESSAGE_TRUNCATED");
    }
  });

  it("rejects oversized input before parsing", () => {
    expectProtocolError(() => decodeMessage(new Uint8Array(MAX_ANY_MESSAGE_BYTES + 1)), "ERR_MESSAGE_TOO_LARGE");
    expectProtocolError(() => decodeMessage(new Uint8Array(10 * 1024 * 1024)), "ERR_MESSAGE_TOO_LARGE");
    // Fixed-size kinds reject a frame one byte too long.
    const entropy = signedAll[0]!.bytes;
    const longer = new Uint8Array(entropy.length + 1);
    longer.set(entropy);
    expectProtocolError(() => decodeMessage(longer), "ERR_MESSAGE_TOO_LARGE");
  });

  it("rejects trailing bytes after a complete body (canonical encoding)", () => {
    const short = signMessage({ ...round.reveal, payload: round.payload.subarray(0, 16) }, keys.beaconer);
    const unsigned = short.bytes.subarray(0, short.bytes.length - SIGNATURE_BYTES);
    const padded = new Uint8Array(unsigned.length + 4);
    padded.set(unsigned);
    const bytes = new Uint8Array(padded.length + SIGNATURE_BYTES);
    bytes.set(padded);
    bytes.set(keys.beaconer.sign(signingBytes("beaconReveal", padded)), padded.length);
    expect(bytes.length).to.be.at.most(MAX_MESSAGE_BYTES.beaconReveal);
    const err = expectProtocolError(() => decodeMessage(bytes), "ERR_MALFORMED_MESSAGE");
    expect(err.message).to.match(/canonical/);
  });

  it("rejects a length prefix that disagrees with the frame", () => {
    const bytes = Uint8Array.from(signedAll[3]!.bytes);
    const lengthOffset = HEADER_BYTES + 32 + 32 + 8;
    expect(new DataView(bytes.buffer).getUint32(lengthOffset, true)).to.equal(24);
    new DataView(bytes.buffer).setUint32(lengthOffset, 0xffff_ffff, true);
    expectProtocolError(() => decodeMessage(bytes, { verifySignature: false }), "ERR_MALFORMED_MESSAGE");
  });

  it("rejects unknown versions and kinds, and the wrong kind for a topic", () => {
    const bytes = Uint8Array.from(signedAll[0]!.bytes);
    bytes[0] = 2;
    expectProtocolError(() => decodeMessage(bytes), "ERR_UNSUPPORTED_VERSION");
    const kind = Uint8Array.from(signedAll[0]!.bytes);
    kind[1] = 99;
    expectProtocolError(() => decodeMessage(kind), "ERR_UNKNOWN_MESSAGE_KIND");
    expectProtocolError(() => decodeMessage(signedAll[0]!.bytes, { expectKind: "witnessReport" }), "ERR_WRONG_MESSAGE_KIND");
  });

  it("refuses to encode out-of-range fields or sign with the wrong key", () => {
    const bad: Array<[HexcoverMessage, string]> = [
      [{ ...round.commit, frequencyHz: 10 }, "frequencyHz"],
      [{ ...round.commit, dataRate: 200 }, "dataRate"],
      [{ ...round.commit, txPowerDeciDbm: 1000 }, "txPowerDeciDbm"],
      [{ ...round.commit, entropyId: new Uint8Array(31) }, "entropyId"],
      [{ ...round.witness, rssiDeciDbm: 500 }, "rssiDeciDbm"],
      [{ ...round.witness, snrDeciDb: -900 }, "snrDeciDb"],
      [{ ...round.witness, rxTimeMs: 5 }, "rxTimeMs"],
      [{ ...round.reveal, payload: new Uint8Array(8) }, "payload"],
      [{ ...round.reveal, payload: new Uint8Array(33) }, "payload"],
      [{ ...round.reveal, nonce: new Uint8Array(4) }, "nonce"],
      [{ ...round.entropy, seq: -1 }, "seq"],
      [{ ...round.entropy, timestampMs: 1.5 }, "timestampMs"],
    ];
    for (const [message, field] of bad) {
      const err = expectProtocolError(() => signMessage(message, signerFor(message, keys)), "ERR_INVALID_FIELD");
      expect(err.message).to.contain(field);
    }
    expectProtocolError(() => signMessage(round.commit, keys.witness), "ERR_SIGNER_MISMATCH");
  });

  it("rejects field values out of range even when correctly signed on the wire", () => {
    // Build a commit with an unknown data rate by patching the body and re-signing by hand.
    const signed = signedAll[1]!;
    const unsigned = Uint8Array.from(signed.bytes.subarray(0, signed.bytes.length - SIGNATURE_BYTES));
    const dataRateOffset = HEADER_BYTES + 32 * 3 + 8 + 8;
    expect(unsigned[dataRateOffset]).to.equal(1);
    unsigned[dataRateOffset] = 99;
    const signature = keys.beaconer.sign(signingBytes("beaconCommit", unsigned));
    const bytes = new Uint8Array(unsigned.length + SIGNATURE_BYTES);
    bytes.set(unsigned);
    bytes.set(signature, unsigned.length);
    const err = expectProtocolError(() => decodeMessage(bytes), "ERR_INVALID_FIELD");
    expect(err.message).to.contain("dataRate");
  });

  it("checks message timestamps against the receiver's clock with bounded skew", () => {
    expect(() => checkMessageTime(round.commit, FIXED_NOW_MS)).not.to.throw();
    expectProtocolError(() => checkMessageTime(round.commit, FIXED_NOW_MS - 60_000), "ERR_TIMESTAMP_IN_FUTURE");
    expectProtocolError(() => checkMessageTime(round.commit, FIXED_NOW_MS + 3_600_000), "ERR_TIMESTAMP_TOO_OLD");
    expect(() => checkMessageTime(round.commit, FIXED_NOW_MS + 3_600_000, { maxAgeMs: 7_200_000 })).not.to.throw();
  });

  it("gives witness reports a shorter life than other messages: one computed from the reveal arrives too late", () => {
    // A report back-dated to just after the beacon but published after the reveal (≥ 90 s later)
    // is refused; a commit of the same age is still fine.
    const rx = round.witness.rxTimeMs;
    expect(() => checkMessageTime(round.witness, rx + DEFAULT_MAX_WITNESS_REPORT_AGE_MS)).not.to.throw();
    const err = expectProtocolError(() => checkMessageTime(round.witness, rx + DEFAULT_MAX_WITNESS_REPORT_AGE_MS + 1), "ERR_TIMESTAMP_TOO_OLD");
    expect(err).to.be.instanceOf(TimestampTooOldError);
    expectProtocolError(() => checkMessageTime(round.witness, rx + 90_000), "ERR_TIMESTAMP_TOO_OLD");
    const tx = round.commit.txTimeMs;
    expect(() => checkMessageTime(round.commit, tx + 90_000)).not.to.throw();
    expect(DEFAULT_MAX_WITNESS_REPORT_AGE_MS).to.be.below(2 * 60_000 - DEFAULT_MAX_CLOCK_SKEW_MS);
    expect(() => checkMessageTime(round.witness, rx + 90_000, { maxWitnessReportAgeMs: 120_000 })).not.to.throw();
  });
});
