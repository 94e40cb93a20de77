/**
 * Typed errors for everything that can be wrong with bytes received from the network or disk.
 * Each failure has its own class with a stable `code`; callers (gossip validators, metrics,
 * tests) match on `code` or `name`, never on message text.
 */
export abstract class ProtocolError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input longer than the limit for its kind (or than any message kind allows). */
export class MessageTooLargeError extends ProtocolError {
  readonly code = "ERR_MESSAGE_TOO_LARGE";
  constructor(
    readonly sizeBytes: number,
    readonly maxBytes: number,
  ) {
    super(`message of ${sizeBytes} bytes exceeds the limit of ${maxBytes} bytes`);
  }
}

/** Input ends before the header, body or signature is complete. */
export class MessageTruncatedError extends ProtocolError {
  readonly code = "ERR_MESSAGE_TRUNCATED";
  constructor(detail: string) {
    super(`message truncated: ${detail}`);
  }
}

/** The version byte names a wire version this build does not speak. */
export class UnsupportedVersionError extends ProtocolError {
  readonly code = "ERR_UNSUPPORTED_VERSION";
  constructor(readonly version: number) {
    super(`unsupported protocol version ${version}`);
  }
}

/** The kind byte is not one of the defined message kinds. */
export class UnknownMessageKindError extends ProtocolError {
  readonly code = "ERR_UNKNOWN_MESSAGE_KIND";
  constructor(readonly kindByte: number) {
    super(`unknown message kind ${kindByte}`);
  }
}

/** A valid message of another kind arrived where a specific kind was expected (e.g. wrong topic). */
export class WrongMessageKindError extends ProtocolError {
  readonly code = "ERR_WRONG_MESSAGE_KIND";
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`expected a ${expected} message, got ${actual}`);
  }
}

/** The body does not parse, or is not in canonical form (trailing bytes, re-encoding differs). */
export class MalformedMessageError extends ProtocolError {
  readonly code = "ERR_MALFORMED_MESSAGE";
  constructor(detail: string) {
    super(`malformed message: ${detail}`);
  }
}

/** A field parsed but holds a value outside its allowed range. */
export class InvalidFieldError extends ProtocolError {
  readonly code = "ERR_INVALID_FIELD";
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`invalid field ${field}: ${detail}`);
  }
}

/** The signature is missing (all zero) or does not verify against the signer named in the body. */
export class InvalidSignatureError extends ProtocolError {
  readonly code = "ERR_INVALID_SIGNATURE";
  constructor(detail = "signature does not verify") {
    super(detail);
  }
}

/** A timestamp is older than the receiver accepts. */
export class TimestampTooOldError extends ProtocolError {
  readonly code = "ERR_TIMESTAMP_TOO_OLD";
  constructor(
    readonly timestampMs: number,
    readonly nowMs: number,
    readonly maxAgeMs: number,
  ) {
    super(`timestamp ${timestampMs} is ${nowMs - timestampMs} ms old (limit ${maxAgeMs} ms)`);
  }
}

/** A timestamp lies further in the future than the allowed clock skew. */
export class TimestampInFutureError extends ProtocolError {
  readonly code = "ERR_TIMESTAMP_IN_FUTURE";
  constructor(
    readonly timestampMs: number,
    readonly nowMs: number,
    readonly maxSkewMs: number,
  ) {
    super(`timestamp ${timestampMs} is ${timestampMs - nowMs} ms in the future (skew limit ${maxSkewMs} ms)`);
  }
}

/** A keypair file is unreadable, not a 64-byte JSON array, or its halves do not match. */
export class InvalidKeypairError extends ProtocolError {
  readonly code = "ERR_INVALID_KEYPAIR";
  constructor(detail: string) {
    super(`invalid keypair: ${detail}`);
  }
}

/** A base58 address does not decode to a 32-byte public key. */
export class InvalidAddressError extends ProtocolError {
  readonly code = "ERR_INVALID_ADDRESS";
  constructor(
    readonly address: string,
    detail = "not base58 of 32 bytes",
  ) {
    super(`invalid address ${JSON.stringify(address.slice(0, 64))}: ${detail}`);
  }
}

/** The signer given to the encoder is not the key named in the message. */
export class SignerMismatchError extends ProtocolError {
  readonly code = "ERR_SIGNER_MISMATCH";
  constructor(field: string) {
    super(`the signing key is not the message's ${field}`);
  }
}
