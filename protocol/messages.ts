import { deserialize, type Schema, serialize } from "borsh";
import {
  DEFAULT_MAX_CLOCK_SKEW_MS,
  DEFAULT_MAX_MESSAGE_AGE_MS,
  DEFAULT_MAX_WITNESS_REPORT_AGE_MS,
  HEADER_BYTES,
  MAX_FREQUENCY_HZ,
  MAX_PAYLOAD_BYTES,
  MAX_RSSI_DECI_DBM,
  MAX_SNR_DECI_DB,
  MAX_TIMESTAMP_MS,
  MAX_TX_POWER_DECI_DBM,
  MessageKind,
  type MessageKindName,
  MIN_FREQUENCY_HZ,
  MIN_PAYLOAD_BYTES,
  MIN_RSSI_DECI_DBM,
  MIN_SNR_DECI_DB,
  MIN_TIMESTAMP_MS,
  MIN_TX_POWER_DECI_DBM,
  PROTOCOL_VERSION,
} from "./constants.js";
import { dataRateByCode } from "./data-rates.js";
import {
  InvalidFieldError,
  InvalidSignatureError,
  MalformedMessageError,
  MessageTooLargeError,
  MessageTruncatedError,
  ProtocolError,
  SignerMismatchError,
  TimestampInFutureError,
  TimestampTooOldError,
  UnknownMessageKindError,
  UnsupportedVersionError,
  WrongMessageKindError,
} from "./errors.js";
import { domainTag, sha256 } from "./hash.js";
import { type Ed25519Keypair, PUBLIC_KEY_BYTES, SIGNATURE_BYTES, bytesEqual, verifyEd25519 } from "./keys.js";
import { NONCE_BYTES } from "./poc.js";

const HASH_BYTES = 32;

/** Validator-signed randomness that beacons must reference (DESIGN.md §3.1). */
export interface EntropyMessage {
  readonly kind: "entropy";
  /** Validator public key; the signer. */
  readonly validator: Uint8Array;
  /** Per-validator sequence number, strictly increasing. */
  readonly seq: number;
  readonly timestampMs: number;
  /** 32 random bytes. */
  readonly value: Uint8Array;
}

/** A hotspot's commitment to the beacon it is about to transmit (DESIGN.md §3.2). */
export interface BeaconCommitMessage {
  readonly kind: "beaconCommit";
  /** Device key of the beaconing hotspot; the signer. */
  readonly hotspot: Uint8Array;
  /** Message id of the Entropy the payload was derived from. */
  readonly entropyId: Uint8Array;
  /** beaconPayloadHash(payload). */
  readonly payloadHash: Uint8Array;
  readonly txTimeMs: number;
  readonly frequencyHz: number;
  /** DataRate code (see data-rates.ts). */
  readonly dataRate: number;
  readonly txPowerDeciDbm: number;
}

/** A hotspot's report that it received a beacon packet (DESIGN.md §3.3). */
export interface WitnessReportMessage {
  readonly kind: "witnessReport";
  /** Device key of the witnessing hotspot; the signer. */
  readonly witness: Uint8Array;
  readonly payloadHash: Uint8Array;
  /** witnessProof(payload, witness). */
  readonly proof: Uint8Array;
  readonly rssiDeciDbm: number;
  readonly snrDeciDb: number;
  readonly frequencyHz: number;
  readonly dataRate: number;
  readonly rxTimeMs: number;
}

/** The beaconer's disclosure of the payload once the witness window closed (DESIGN.md §3.4). */
export interface BeaconRevealMessage {
  readonly kind: "beaconReveal";
  /** Device key of the beaconing hotspot; the signer. */
  readonly hotspot: Uint8Array;
  /** Message id of the BeaconCommit being revealed. */
  readonly beaconId: Uint8Array;
  /** The nonce the payload was derived with (NONCE_BYTES bytes). */
  readonly nonce: Uint8Array;
  readonly payload: Uint8Array;
  readonly revealTimeMs: number;
}

export type HexcoverMessage = EntropyMessage | BeaconCommitMessage | WitnessReportMessage | BeaconRevealMessage;
type MessageOf<K extends MessageKindName> = Extract<HexcoverMessage, { kind: K }>;

/** A message as it travels: the decoded fields plus its signature, id and exact bytes. */
export interface SignedMessage<M extends HexcoverMessage = HexcoverMessage> {
  readonly message: M;
  /** The public key that signed (the message's own signer field). */
  readonly signer: Uint8Array;
  readonly signature: Uint8Array;
  /** sha256(header ‖ body): stable, independent of the signature, used for dedup and replays. */
  readonly id: Uint8Array;
  /** The full wire bytes: header ‖ body ‖ signature. */
  readonly bytes: Uint8Array;
}

const bytes32: Schema = { array: { type: "u8", len: HASH_BYTES } };

interface KindCodec<M extends HexcoverMessage> {
  readonly byte: number;
  readonly schema: Schema;
  /** Body size bounds in bytes (equal for fixed-size kinds). */
  readonly minBodyBytes: number;
  readonly maxBodyBytes: number;
  readonly signerField: string;
  signerOf(message: M): Uint8Array;
  toBorsh(message: M): Record<string, unknown>;
  fromBorsh(raw: Record<string, unknown>): M;
  validate(message: M): void;
}

// Borsh gives u8 arrays back as number[] and u64 as bigint; these convert and range-check.
function toBytes(value: unknown): Uint8Array {
  return Uint8Array.from(value as number[]);
}
function toSafeNumber(field: string, value: unknown): number {
  const big = value as bigint;
  if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new InvalidFieldError(field, "exceeds 2^53 - 1");
  return Number(big);
}

function checkLength(field: string, value: Uint8Array, length: number): void {
  if (!(value instanceof Uint8Array) || value.length !== length) {
    throw new InvalidFieldError(field, `must be ${length} bytes`);
  }
}
function checkRange(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidFieldError(field, `must be an integer in [${min}, ${max}], got ${value}`);
  }
}
function checkTimestamp(field: string, value: number): void {
  checkRange(field, value, MIN_TIMESTAMP_MS, MAX_TIMESTAMP_MS);
}
function checkDataRate(value: number): void {
  checkRange("dataRate", value, 0, 255);
  if (dataRateByCode(value) === undefined) throw new InvalidFieldError("dataRate", `unknown data rate code ${value}`);
}

const entropyCodec: KindCodec<EntropyMessage> = {
  byte: MessageKind.entropy,
  schema: { struct: { validator: bytes32, seq: "u64", timestampMs: "u64", value: bytes32 } },
  minBodyBytes: 32 + 8 + 8 + 32,
  maxBodyBytes: 32 + 8 + 8 + 32,
  signerField: "validator",
  signerOf: (m) => m.validator,
  toBorsh: (m) => ({ validator: m.validator, seq: m.seq, timestampMs: m.timestampMs, value: m.value }),
  fromBorsh: (r) => ({
    kind: "entropy",
    validator: toBytes(r.validator),
    seq: toSafeNumber("seq", r.seq),
    timestampMs: toSafeNumber("timestampMs", r.timestampMs),
    value: toBytes(r.value),
  }),
  validate: (m) => {
    checkLength("validator", m.validator, PUBLIC_KEY_BYTES);
    checkRange("seq", m.seq, 0, Number.MAX_SAFE_INTEGER);
    checkTimestamp("timestampMs", m.timestampMs);
    checkLength("value", m.value, HASH_BYTES);
  },
};

const beaconCommitCodec: KindCodec<BeaconCommitMessage> = {
  byte: MessageKind.beaconCommit,
  schema: {
    struct: {
      hotspot: bytes32,
      entropyId: bytes32,
      payloadHash: bytes32,
      txTimeMs: "u64",
      frequencyHz: "u64",
      dataRate: "u8",
      txPowerDeciDbm: "i16",
    },
  },
  minBodyBytes: 32 * 3 + 8 + 8 + 1 + 2,
  maxBodyBytes: 32 * 3 + 8 + 8 + 1 + 2,
  signerField: "hotspot",
  signerOf: (m) => m.hotspot,
  toBorsh: (m) => ({
    hotspot: m.hotspot,
    entropyId: m.entropyId,
    payloadHash: m.payloadHash,
    txTimeMs: m.txTimeMs,
    frequencyHz: m.frequencyHz,
    dataRate: m.dataRate,
    txPowerDeciDbm: m.txPowerDeciDbm,
  }),
  fromBorsh: (r) => ({
    kind: "beaconCommit",
    hotspot: toBytes(r.hotspot),
    entropyId: toBytes(r.entropyId),
    payloadHash: toBytes(r.payloadHash),
    txTimeMs: toSafeNumber("txTimeMs", r.txTimeMs),
    frequencyHz: toSafeNumber("frequencyHz", r.frequencyHz),
    dataRate: r.dataRate as number,
    txPowerDeciDbm: r.txPowerDeciDbm as number,
  }),
  validate: (m) => {
    checkLength("hotspot", m.hotspot, PUBLIC_KEY_BYTES);
    checkLength("entropyId", m.entropyId, HASH_BYTES);
    checkLength("payloadHash", m.payloadHash, HASH_BYTES);
    checkTimestamp("txTimeMs", m.txTimeMs);
    checkRange("frequencyHz", m.frequencyHz, MIN_FREQUENCY_HZ, MAX_FREQUENCY_HZ);
    checkDataRate(m.dataRate);
    checkRange("txPowerDeciDbm", m.txPowerDeciDbm, MIN_TX_POWER_DECI_DBM, MAX_TX_POWER_DECI_DBM);
  },
};

const witnessReportCodec: KindCodec<WitnessReportMessage> = {
  byte: MessageKind.witnessReport,
  schema: {
    struct: {
      witness: bytes32,
      payloadHash: bytes32,
      proof: bytes32,
      rssiDeciDbm: "i16",
      snrDeciDb: "i16",
      frequencyHz: "u64",
      dataRate: "u8",
      rxTimeMs: "u64",
    },
  },
  minBodyBytes: 32 * 3 + 2 + 2 + 8 + 1 + 8,
  maxBodyBytes: 32 * 3 + 2 + 2 + 8 + 1 + 8,
  signerField: "witness",
  signerOf: (m) => m.witness,
  toBorsh: (m) => ({
    witness: m.witness,
    payloadHash: m.payloadHash,
    proof: m.proof,
    rssiDeciDbm: m.rssiDeciDbm,
    snrDeciDb: m.snrDeciDb,
    frequencyHz: m.frequencyHz,
    dataRate: m.dataRate,
    rxTimeMs: m.rxTimeMs,
  }),
  fromBorsh: (r) => ({
    kind: "witnessReport",
    witness: toBytes(r.witness),
    payloadHash: toBytes(r.payloadHash),
    proof: toBytes(r.proof),
    rssiDeciDbm: r.rssiDeciDbm as number,
    snrDeciDb: r.snrDeciDb as number,
    frequencyHz: toSafeNumber("frequencyHz", r.frequencyHz),
    dataRate: r.dataRate as number,
    rxTimeMs: toSafeNumber("rxTimeMs", r.rxTimeMs),
  }),
  validate: (m) => {
    checkLength("witness", m.witness, PUBLIC_KEY_BYTES);
    checkLength("payloadHash", m.payloadHash, HASH_BYTES);
    checkLength("proof", m.proof, HASH_BYTES);
    checkRange("rssiDeciDbm", m.rssiDeciDbm, MIN_RSSI_DECI_DBM, MAX_RSSI_DECI_DBM);
    checkRange("snrDeciDb", m.snrDeciDb, MIN_SNR_DECI_DB, MAX_SNR_DECI_DB);
    checkRange("frequencyHz", m.frequencyHz, MIN_FREQUENCY_HZ, MAX_FREQUENCY_HZ);
    checkDataRate(m.dataRate);
    checkTimestamp("rxTimeMs", m.rxTimeMs);
  },
};

// Reveal body: hotspot 32, beaconId 32, nonce 8, payload (u32 length prefix + bytes), revealTimeMs 8.
const REVEAL_FIXED_BODY_BYTES = 32 + 32 + NONCE_BYTES + 4 + 8;
const beaconRevealCodec: KindCodec<BeaconRevealMessage> = {
  byte: MessageKind.beaconReveal,
  schema: {
    struct: {
      hotspot: bytes32,
      beaconId: bytes32,
      nonce: { array: { type: "u8", len: NONCE_BYTES } },
      payload: { array: { type: "u8" } },
      revealTimeMs: "u64",
    },
  },
  minBodyBytes: REVEAL_FIXED_BODY_BYTES + MIN_PAYLOAD_BYTES,
  maxBodyBytes: REVEAL_FIXED_BODY_BYTES + MAX_PAYLOAD_BYTES,
  signerField: "hotspot",
  signerOf: (m) => m.hotspot,
  toBorsh: (m) => ({
    hotspot: m.hotspot,
    beaconId: m.beaconId,
    nonce: m.nonce,
    payload: m.payload,
    revealTimeMs: m.revealTimeMs,
  }),
  fromBorsh: (r) => ({
    kind: "beaconReveal",
    hotspot: toBytes(r.hotspot),
    beaconId: toBytes(r.beaconId),
    nonce: toBytes(r.nonce),
    payload: toBytes(r.payload),
    revealTimeMs: toSafeNumber("revealTimeMs", r.revealTimeMs),
  }),
  validate: (m) => {
    checkLength("hotspot", m.hotspot, PUBLIC_KEY_BYTES);
    checkLength("beaconId", m.beaconId, HASH_BYTES);
    checkLength("nonce", m.nonce, NONCE_BYTES);
    if (!(m.payload instanceof Uint8Array) || m.payload.length < MIN_PAYLOAD_BYTES || m.payload.length > MAX_PAYLOAD_BYTES) {
      throw new InvalidFieldError("payload", `must be ${MIN_PAYLOAD_BYTES}..${MAX_PAYLOAD_BYTES} bytes`);
    }
    checkTimestamp("revealTimeMs", m.revealTimeMs);
  },
};

const CODECS: { [K in MessageKindName]: KindCodec<MessageOf<K>> } = {
  entropy: entropyCodec,
  beaconCommit: beaconCommitCodec,
  witnessReport: witnessReportCodec,
  beaconReveal: beaconRevealCodec,
};
const KIND_BY_BYTE = new Map<number, MessageKindName>(
  (Object.keys(CODECS) as MessageKindName[]).map((name) => [CODECS[name].byte, name]),
);

/** Largest wire size of each kind: header + largest body + signature. */
export const MAX_MESSAGE_BYTES: { readonly [K in MessageKindName]: number } = {
  entropy: HEADER_BYTES + entropyCodec.maxBodyBytes + SIGNATURE_BYTES,
  beaconCommit: HEADER_BYTES + beaconCommitCodec.maxBodyBytes + SIGNATURE_BYTES,
  witnessReport: HEADER_BYTES + witnessReportCodec.maxBodyBytes + SIGNATURE_BYTES,
  beaconReveal: HEADER_BYTES + beaconRevealCodec.maxBodyBytes + SIGNATURE_BYTES,
};
/** No message of any kind is larger; decoders reject longer input before parsing anything. */
export const MAX_ANY_MESSAGE_BYTES = Math.max(...Object.values(MAX_MESSAGE_BYTES));

/** Signatures are over tag ‖ header ‖ body; the tag names the version and kind. */
const SIGNATURE_DOMAINS = new Map<MessageKindName, Uint8Array>(
  (Object.keys(CODECS) as MessageKindName[]).map((name) => [name, domainTag(`hexcover/v${PROTOCOL_VERSION}/sig/${name}`)]),
);

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The bytes an ed25519 signature covers for a frame whose unsigned part is `headerAndBody`. */
export function signingBytes(kind: MessageKindName, headerAndBody: Uint8Array): Uint8Array {
  return concat(SIGNATURE_DOMAINS.get(kind)!, headerAndBody);
}

function encodeUnsigned<M extends HexcoverMessage>(message: M): Uint8Array {
  const codec = CODECS[message.kind] as unknown as KindCodec<M>;
  codec.validate(message);
  const body = serialize(codec.schema, codec.toBorsh(message));
  return concat(Uint8Array.of(PROTOCOL_VERSION, codec.byte), body);
}

/** Validates, encodes and signs a message. The keypair must be the message's signer field. */
export function signMessage<M extends HexcoverMessage>(message: M, keypair: Ed25519Keypair): SignedMessage<M> {
  const codec = CODECS[message.kind] as unknown as KindCodec<M>;
  const signer = codec.signerOf(message);
  if (!bytesEqual(signer, keypair.publicKey)) throw new SignerMismatchError(codec.signerField);
  const unsigned = encodeUnsigned(message);
  const signature = keypair.sign(signingBytes(message.kind, unsigned));
  return { message, signer, signature, id: sha256(unsigned), bytes: concat(unsigned, signature) };
}

/** The id a message will have on the wire (sha256 of header ‖ body), without signing it. */
export function messageId(message: HexcoverMessage): Uint8Array {
  return sha256(encodeUnsigned(message));
}

export interface DecodeOptions<K extends MessageKindName = MessageKindName> {
  /** Reject any other kind with WrongMessageKindError (e.g. a message on the wrong topic). */
  readonly expectKind?: K;
  /** Verify the signature (default true). The validator verifies in a worker pool instead. */
  readonly verifySignature?: boolean;
}

/**
 * Decodes wire bytes. Throws only ProtocolError subclasses: size limits are checked before
 * parsing, the body must be canonical Borsh with no trailing bytes, every field must be in
 * range, and (unless disabled) the signature must verify against the message's signer.
 */
export function decodeMessage<K extends MessageKindName = MessageKindName>(
  bytes: Uint8Array,
  options: DecodeOptions<K> = {},
): SignedMessage<MessageOf<K>> {
  if (!(bytes instanceof Uint8Array)) throw new MalformedMessageError("input is not a byte array");
  if (bytes.length > MAX_ANY_MESSAGE_BYTES) throw new MessageTooLargeError(bytes.length, MAX_ANY_MESSAGE_BYTES);
  if (bytes.length < HEADER_BYTES) throw new MessageTruncatedError(`${bytes.length} bytes, no header`);
  const version = bytes[0]!;
  if (version !== PROTOCOL_VERSION) throw new UnsupportedVersionError(version);
  const kind = KIND_BY_BYTE.get(bytes[1]!);
  if (kind === undefined) throw new UnknownMessageKindError(bytes[1]!);
  if (options.expectKind !== undefined && options.expectKind !== kind) {
    throw new WrongMessageKindError(options.expectKind, kind);
  }
  const codec = CODECS[kind] as unknown as KindCodec<MessageOf<K>>;
  const maxBytes = HEADER_BYTES + codec.maxBodyBytes + SIGNATURE_BYTES;
  const minBytes = HEADER_BYTES + codec.minBodyBytes + SIGNATURE_BYTES;
  if (bytes.length > maxBytes) throw new MessageTooLargeError(bytes.length, maxBytes);
  if (bytes.length < minBytes) throw new MessageTruncatedError(`${kind} needs at least ${minBytes} bytes, got ${bytes.length}`);

  const unsigned = bytes.subarray(0, bytes.length - SIGNATURE_BYTES);
  const body = unsigned.subarray(HEADER_BYTES);
  let message: MessageOf<K>;
  try {
    message = codec.fromBorsh(deserialize(codec.schema, body) as Record<string, unknown>);
  } catch (err) {
    if (err instanceof ProtocolError) throw err;
    throw new MalformedMessageError(`${kind} body does not parse: ${(err as Error).message}`);
  }
  codec.validate(message);
  // Borsh ignores trailing bytes and a length prefix may disagree with the frame: requiring the
  // re-encoding to equal the body makes the encoding canonical (one byte string per message).
  if (!bytesEqual(serialize(codec.schema, codec.toBorsh(message)), body)) {
    throw new MalformedMessageError(`${kind} body is not canonical (trailing or inconsistent bytes)`);
  }

  const signature = bytes.slice(bytes.length - SIGNATURE_BYTES);
  const signer = codec.signerOf(message);
  const signed: SignedMessage<MessageOf<K>> = {
    message,
    signer,
    signature,
    id: sha256(unsigned),
    bytes: Uint8Array.from(bytes),
  };
  if (options.verifySignature !== false) verifyMessageSignature(signed);
  return signed;
}

/** Throws InvalidSignatureError unless the signature is the signer's over this message. */
export function verifyMessageSignature(signed: SignedMessage): void {
  if (signed.signature.every((b) => b === 0)) throw new InvalidSignatureError("message is unsigned (zero signature)");
  const unsigned = signed.bytes.subarray(0, signed.bytes.length - SIGNATURE_BYTES);
  if (!verifyEd25519(signed.signer, signingBytes(signed.message.kind, unsigned), signed.signature)) {
    throw new InvalidSignatureError(`${signed.message.kind} signature does not verify for its signer`);
  }
}

export interface ClockBounds {
  /** Oldest accepted timestamp, as an age, for every kind but witness reports. */
  readonly maxAgeMs?: number;
  /** Oldest accepted witness report rxTime, as an age (DEFAULT_MAX_WITNESS_REPORT_AGE_MS). */
  readonly maxWitnessReportAgeMs?: number;
  readonly maxSkewMs?: number;
}

/** The timestamp a message carries: when it was created, sent or received by its signer. */
export function messageTimestampMs(message: HexcoverMessage): number {
  switch (message.kind) {
    case "entropy":
      return message.timestampMs;
    case "beaconCommit":
      return message.txTimeMs;
    case "witnessReport":
      return message.rxTimeMs;
    case "beaconReveal":
      return message.revealTimeMs;
  }
}

/** Rejects a message whose own timestamp is too old or too far ahead of the receiver's clock. */
export function checkMessageTime(message: HexcoverMessage, nowMs: number, bounds: ClockBounds = {}): void {
  const maxAgeMs =
    message.kind === "witnessReport" ? (bounds.maxWitnessReportAgeMs ?? DEFAULT_MAX_WITNESS_REPORT_AGE_MS) : (bounds.maxAgeMs ?? DEFAULT_MAX_MESSAGE_AGE_MS);
  const maxSkewMs = bounds.maxSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS;
  const timestampMs = messageTimestampMs(message);
  if (timestampMs > nowMs + maxSkewMs) throw new TimestampInFutureError(timestampMs, nowMs, maxSkewMs);
  if (timestampMs < nowMs - maxAgeMs) throw new TimestampTooOldError(timestampMs, nowMs, maxAgeMs);
}
