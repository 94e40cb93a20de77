import { expect } from "chai";
import fc from "fast-check";
import {
  decodeMessage,
  Ed25519Keypair,
  HEADER_BYTES,
  MAX_ANY_MESSAGE_BYTES,
  MessageKind,
  PROTOCOL_VERSION,
  ProtocolError,
  signMessage,
  type SignedMessage,
} from "../../protocol/index.js";
import { allMessages, makeRound } from "../support/protocol-fixtures.js";

/** Cases per property; HEXCOVER_FUZZ_RUNS (as for tests/fuzz) raises it for a long local run. */
const RUNS = Number(process.env.HEXCOVER_FUZZ_RUNS ?? 10_000);

function decodeOnlyTypedErrors(bytes: Uint8Array): "ok" | "typed" {
  try {
    decodeMessage(bytes);
    return "ok";
  } catch (err) {
    if (err instanceof ProtocolError) return "typed";
    throw err;
  }
}

describe("protocol: decoder fuzzing (fast-check)", function () {
  this.timeout(120_000);
  const validator = Ed25519Keypair.generate();
  const beaconer = Ed25519Keypair.generate();
  const witness = Ed25519Keypair.generate();
  const round = makeRound(validator, beaconer, witness, new Uint8Array(32).fill(9));
  const valid: SignedMessage[] = allMessages(round).map((m) =>
    signMessage(m, m.kind === "entropy" ? validator : m.kind === "witnessReport" ? witness : beaconer),
  );

  it("throws only typed errors on random bytes of any length", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: MAX_ANY_MESSAGE_BYTES + 64 }), (bytes) => {
        decodeOnlyTypedErrors(bytes);
      }),
      { numRuns: RUNS },
    );
  });

  it("throws only typed errors on random bodies behind every valid header", () => {
    const header = fc.constantFrom(...Object.values(MessageKind)).map((kind) => [PROTOCOL_VERSION, kind]);
    fc.assert(
      fc.property(header, fc.uint8Array({ minLength: 0, maxLength: MAX_ANY_MESSAGE_BYTES }), (h, body) => {
        const bytes = new Uint8Array(HEADER_BYTES + body.length);
        bytes.set(h);
        bytes.set(body, HEADER_BYTES);
        // Random bodies essentially never carry a valid signature.
        expect(decodeOnlyTypedErrors(bytes)).to.equal("typed");
      }),
      { numRuns: RUNS },
    );
  });

  it("rejects every mutation of a valid message with a typed error", () => {
    const mutation = fc.record({
      which: fc.nat({ max: valid.length - 1 }),
      edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }),
      cut: fc.option(fc.nat(), { nil: undefined }),
    });
    fc.assert(
      fc.property(mutation, ({ which, edits, cut }) => {
        const original = valid[which]!.bytes;
        let bytes = Uint8Array.from(original);
        for (const [position, xor] of edits) bytes[position % bytes.length]! ^= xor;
        if (cut !== undefined) bytes = bytes.subarray(0, cut % bytes.length);
        expect(decodeOnlyTypedErrors(bytes)).to.equal("typed");
      }),
      { numRuns: RUNS },
    );
  });
});
