import type { SignatureVerifier } from "../../node/index.js";
import { InvalidSignatureError, type SignedMessage, verifyMessageSignature } from "../../protocol/index.js";
import { VerifierClosedError } from "./errors.js";

/** Verifies on the calling (main) thread: the baseline and the choice for a 1-core machine. */
export class InlineVerifier implements SignatureVerifier {
  #closed = false;

  verify(signed: SignedMessage): Promise<boolean> {
    if (this.#closed) return Promise.reject(new VerifierClosedError());
    return Promise.resolve(verifyInline(signed));
  }

  verifyMany(messages: readonly SignedMessage[]): Promise<boolean[]> {
    if (this.#closed) return Promise.reject(new VerifierClosedError());
    return Promise.resolve(messages.map(verifyInline));
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}

function verifyInline(signed: SignedMessage): boolean {
  try {
    verifyMessageSignature(signed);
    return true;
  } catch (err) {
    if (err instanceof InvalidSignatureError) return false;
    throw err;
  }
}
