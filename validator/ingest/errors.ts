/** Typed rejections of the ingest path; `code` is what the counters and metrics record. */
export abstract class IngestError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Entropy signed by a key outside the configured (later: on-chain) validator set. */
export class UnknownValidatorError extends IngestError {
  readonly code = "ERR_UNKNOWN_VALIDATOR";
  constructor(readonly validatorHex: string) {
    super(`entropy from ${validatorHex.slice(0, 16)}…, which is not in the validator set`);
  }
}

/** The message's epoch starts further ahead of our clock than the allowed skew explains. */
export class EpochTooFarAheadError extends IngestError {
  readonly code = "ERR_EPOCH_TOO_FAR_AHEAD";
  constructor(
    readonly epoch: number,
    readonly currentEpoch: number,
  ) {
    super(`message for epoch ${epoch} while the clock is in epoch ${currentEpoch}`);
  }
}

/** A message fetched for one epoch (sync) belongs to another. */
export class WrongEpochError extends IngestError {
  readonly code = "ERR_WRONG_EPOCH";
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`expected a message of epoch ${expected}, got epoch ${actual}`);
  }
}

/** The signature does not verify (checked on the verifier, possibly a worker). */
export class IngestSignatureError extends IngestError {
  readonly code = "ERR_INVALID_SIGNATURE";
  constructor() {
    super("signature does not verify for its signer");
  }
}

/** The verifier itself failed (pool closed or broken); the message is neither accepted nor blamed. */
export class VerifierUnavailableError extends IngestError {
  readonly code = "ERR_VERIFIER_FAILED";
  constructor(detail: string) {
    super(`signature verifier unavailable: ${detail}`);
  }
}
