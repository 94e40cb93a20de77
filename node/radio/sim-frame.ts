/**
 * Wire format between sim radios and the SimMediumBroker (TCP on loopback):
 *
 *   frame = length:u16be  body            (length = body bytes, 2..SIM_MAX_FRAME_BYTES)
 *   body  = version:u8 (=1)  type:u8  fields
 *
 * All integers big-endian. Positions are fixed-point microdegrees, powers deci-dB(m), so a
 * frame round-trips exactly. Every decode either returns a typed frame or throws a RadioError;
 * only SimFrameTooLargeError is fatal for a stream (the length prefix cannot be trusted, so the
 * reader cannot find the next frame). See docs/RADIO.md "Sim medium wire format".
 */
import { dataRateByCode } from "../../protocol/index.js";
import { LORA_PAYLOAD_MAX_BYTES, SIM_FRAME_VERSION, SIM_MAX_FRAME_BYTES, SIM_MAX_NAME_BYTES } from "./constants.js";
import {
  SimFrameFieldError,
  SimFrameLengthError,
  SimFrameTooLargeError,
  SimFrameTypeError,
  SimFrameVersionError,
} from "./errors.js";

/** Frame types; values are ABI. */
export const SimFrameType = {
  hello: 1,
  welcome: 2,
  transmit: 3,
  ack: 4,
  deliver: 5,
  error: 6,
} as const;

/** Fixed-point scale of positions: 1e-6 degree is ~0.11 m, finer than any asserted location. */
export const MICRODEGREES_PER_DEGREE = 1_000_000;

/** Radio -> broker: who I am and where my antenna is (sent again to move). */
export interface HelloFrame {
  readonly type: "hello";
  readonly name: string;
  readonly latMicrodeg: number;
  readonly lngMicrodeg: number;
  readonly antennaGainDeciDbi: number;
  readonly elevationM: number;
}
/** Broker -> radio: registration accepted. */
export interface WelcomeFrame {
  readonly type: "welcome";
  readonly radioId: number;
}
/** Radio -> broker: put this on the air. */
export interface TransmitFrame {
  readonly type: "transmit";
  readonly seq: number;
  readonly frequencyHz: number;
  readonly dataRateCode: number;
  readonly txPowerDeciDbm: number;
  readonly payload: Uint8Array;
}
/** Broker -> radio: the transmit with this seq has been delivered to every radio in range. */
export interface AckFrame {
  readonly type: "ack";
  readonly seq: number;
}
/** Broker -> radio: you heard this. */
export interface DeliverFrame {
  readonly type: "deliver";
  readonly frequencyHz: number;
  readonly dataRateCode: number;
  readonly rssiDeciDbm: number;
  readonly snrDeciDb: number;
  readonly payload: Uint8Array;
}
/** Broker -> radio: a frame was refused (seq 0 when not tied to a transmit). */
export interface ErrorFrame {
  readonly type: "error";
  readonly seq: number;
  readonly code: string;
}

export type SimFrame = HelloFrame | WelcomeFrame | TransmitFrame | AckFrame | DeliverFrame | ErrorFrame;
export type ClientFrame = HelloFrame | TransmitFrame;
export type BrokerFrame = WelcomeFrame | AckFrame | DeliverFrame | ErrorFrame;

const LENGTH_PREFIX_BYTES = 2;
const MAX_ERROR_CODE_BYTES = 64;
const MAX_LAT_MICRODEG = 90 * MICRODEGREES_PER_DEGREE;
const MAX_LNG_MICRODEG = 180 * MICRODEGREES_PER_DEGREE;
const U32_MAX = 0xffff_ffff;

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder("utf-8", { fatal: true });

class Writer {
  private readonly bytes = new Uint8Array(SIM_MAX_FRAME_BYTES + LENGTH_PREFIX_BYTES);
  private readonly view = new DataView(this.bytes.buffer);
  private offset = LENGTH_PREFIX_BYTES;

  u8(value: number): this {
    this.view.setUint8(this.offset, value);
    this.offset += 1;
    return this;
  }
  i16(value: number): this {
    // DataView wraps out-of-range values silently; a wrapped power or position would be a lie.
    if (!Number.isInteger(value) || value < -0x8000 || value > 0x7fff) {
      throw new SimFrameFieldError("int16", `${value} does not fit a signed 16-bit field`);
    }
    this.view.setInt16(this.offset, value);
    this.offset += 2;
    return this;
  }
  u32(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > U32_MAX) {
      throw new SimFrameFieldError("uint32", `${value} does not fit an unsigned 32-bit field`);
    }
    this.view.setUint32(this.offset, value);
    this.offset += 4;
    return this;
  }
  i32(value: number): this {
    this.view.setInt32(this.offset, value);
    this.offset += 4;
    return this;
  }
  u64(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new SimFrameFieldError("uint64", `${value} is not a non-negative safe integer`);
    }
    this.view.setBigUint64(this.offset, BigInt(value));
    this.offset += 8;
    return this;
  }
  /** u8 length then the bytes. */
  bytes8(value: Uint8Array): this {
    this.u8(value.length);
    this.bytes.set(value, this.offset);
    this.offset += value.length;
    return this;
  }
  finish(): Uint8Array {
    this.view.setUint16(0, this.offset - LENGTH_PREFIX_BYTES);
    return this.bytes.slice(0, this.offset);
  }
}

class Reader {
  private offset = 2; // version and type were read by decodeSimFrame
  private readonly view: DataView;
  constructor(private readonly body: Uint8Array) {
    this.view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  }
  private need(count: number, field: string): void {
    if (this.offset + count > this.body.length) {
      throw new SimFrameLengthError(`body ends inside ${field}`);
    }
  }
  u8(field: string): number {
    this.need(1, field);
    const value = this.view.getUint8(this.offset);
    this.offset += 1;
    return value;
  }
  i16(field: string): number {
    this.need(2, field);
    const value = this.view.getInt16(this.offset);
    this.offset += 2;
    return value;
  }
  u32(field: string): number {
    this.need(4, field);
    const value = this.view.getUint32(this.offset);
    this.offset += 4;
    return value;
  }
  i32(field: string): number {
    this.need(4, field);
    const value = this.view.getInt32(this.offset);
    this.offset += 4;
    return value;
  }
  u64(field: string): number {
    this.need(8, field);
    const value = this.view.getBigUint64(this.offset);
    this.offset += 8;
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new SimFrameFieldError(field, "above 2^53");
    return Number(value);
  }
  bytes8(field: string): Uint8Array {
    const length = this.u8(field);
    this.need(length, field);
    const value = this.body.slice(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
  end(): void {
    if (this.offset !== this.body.length) {
      throw new SimFrameLengthError(`${this.body.length - this.offset} trailing bytes`);
    }
  }
}

function checkPayload(payload: Uint8Array): void {
  if (payload.length === 0 || payload.length > LORA_PAYLOAD_MAX_BYTES) {
    throw new SimFrameFieldError("payload", `${payload.length} bytes is outside 1..${LORA_PAYLOAD_MAX_BYTES}`);
  }
}

function checkDataRate(code: number): void {
  if (dataRateByCode(code) === undefined) throw new SimFrameFieldError("dataRate", `unknown code ${code}`);
}

function checkFrequency(hz: number): void {
  if (hz === 0) throw new SimFrameFieldError("frequencyHz", "zero");
}

/** Encodes one frame including its length prefix. Throws SimFrameFieldError on values that do not fit. */
export function encodeSimFrame(frame: SimFrame): Uint8Array {
  const w = new Writer().u8(SIM_FRAME_VERSION).u8(SimFrameType[frame.type]);
  switch (frame.type) {
    case "hello": {
      const name = utf8.encode(frame.name);
      if (name.length > SIM_MAX_NAME_BYTES) throw new SimFrameFieldError("name", `longer than ${SIM_MAX_NAME_BYTES} bytes`);
      checkPosition(frame.latMicrodeg, frame.lngMicrodeg);
      return w
        .bytes8(name)
        .i32(frame.latMicrodeg)
        .i32(frame.lngMicrodeg)
        .i16(frame.antennaGainDeciDbi)
        .i16(frame.elevationM)
        .finish();
    }
    case "welcome":
      return w.u32(frame.radioId).finish();
    case "transmit":
      checkPayload(frame.payload);
      return w
        .u32(frame.seq)
        .u64(frame.frequencyHz)
        .u8(frame.dataRateCode)
        .i16(frame.txPowerDeciDbm)
        .bytes8(frame.payload)
        .finish();
    case "ack":
      return w.u32(frame.seq).finish();
    case "deliver":
      checkPayload(frame.payload);
      return w
        .u64(frame.frequencyHz)
        .u8(frame.dataRateCode)
        .i16(frame.rssiDeciDbm)
        .i16(frame.snrDeciDb)
        .bytes8(frame.payload)
        .finish();
    case "error": {
      const code = utf8.encode(frame.code.slice(0, MAX_ERROR_CODE_BYTES));
      return w.u32(frame.seq).bytes8(code).finish();
    }
  }
}

function checkPosition(lat: number, lng: number): void {
  if (!Number.isSafeInteger(lat) || Math.abs(lat) > MAX_LAT_MICRODEG) {
    throw new SimFrameFieldError("lat", `${lat} µ° is outside ±90°`);
  }
  if (!Number.isSafeInteger(lng) || Math.abs(lng) > MAX_LNG_MICRODEG) {
    throw new SimFrameFieldError("lng", `${lng} µ° is outside ±180°`);
  }
}

/** Decodes one frame body (without its length prefix). Throws a RadioError on any defect. */
export function decodeSimFrame(body: Uint8Array): SimFrame {
  if (body.length < 2) throw new SimFrameLengthError(`body of ${body.length} bytes has no version and type`);
  const version = body[0]!;
  if (version !== SIM_FRAME_VERSION) throw new SimFrameVersionError(version);
  const typeByte = body[1]!;
  const r = new Reader(body);
  let frame: SimFrame;
  switch (typeByte) {
    case SimFrameType.hello: {
      const nameBytes = r.bytes8("name");
      if (nameBytes.length > SIM_MAX_NAME_BYTES) throw new SimFrameFieldError("name", `longer than ${SIM_MAX_NAME_BYTES} bytes`);
      let name: string;
      try {
        name = utf8Strict.decode(nameBytes);
      } catch {
        throw new SimFrameFieldError("name", "not UTF-8");
      }
      const latMicrodeg = r.i32("lat");
      const lngMicrodeg = r.i32("lng");
      checkPosition(latMicrodeg, lngMicrodeg);
      frame = {
        type: "hello",
        name,
        latMicrodeg,
        lngMicrodeg,
        antennaGainDeciDbi: r.i16("antennaGain"),
        elevationM: r.i16("elevation"),
      };
      break;
    }
    case SimFrameType.welcome:
      frame = { type: "welcome", radioId: r.u32("radioId") };
      break;
    case SimFrameType.transmit: {
      const seq = r.u32("seq");
      const frequencyHz = r.u64("frequencyHz");
      checkFrequency(frequencyHz);
      const dataRateCode = r.u8("dataRate");
      checkDataRate(dataRateCode);
      const txPowerDeciDbm = r.i16("txPower");
      const payload = r.bytes8("payload");
      checkPayload(payload);
      frame = { type: "transmit", seq, frequencyHz, dataRateCode, txPowerDeciDbm, payload };
      break;
    }
    case SimFrameType.ack:
      frame = { type: "ack", seq: r.u32("seq") };
      break;
    case SimFrameType.deliver: {
      const frequencyHz = r.u64("frequencyHz");
      checkFrequency(frequencyHz);
      const dataRateCode = r.u8("dataRate");
      checkDataRate(dataRateCode);
      const rssiDeciDbm = r.i16("rssi");
      const snrDeciDb = r.i16("snr");
      const payload = r.bytes8("payload");
      checkPayload(payload);
      frame = { type: "deliver", frequencyHz, dataRateCode, rssiDeciDbm, snrDeciDb, payload };
      break;
    }
    case SimFrameType.error: {
      const seq = r.u32("seq");
      const codeBytes = r.bytes8("code");
      let code: string;
      try {
        code = utf8Strict.decode(codeBytes);
      } catch {
        throw new SimFrameFieldError("code", "not UTF-8");
      }
      frame = { type: "error", seq, code };
      break;
    }
    default:
      throw new SimFrameTypeError(typeByte);
  }
  r.end();
  return frame;
}

/**
 * Splits a byte stream into frame bodies. `push` returns the complete bodies received so far;
 * it throws SimFrameTooLargeError, which is fatal: the stream must be closed. A zero-length
 * frame is returned as an empty body and rejected by decodeSimFrame (the stream stays in sync).
 */
export class SimFrameReader {
  private buffer: Uint8Array = new Uint8Array(0);

  push(chunk: Uint8Array): Uint8Array[] {
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer, 0);
    joined.set(chunk, this.buffer.length);
    const bodies: Uint8Array[] = [];
    let offset = 0;
    while (joined.length - offset >= LENGTH_PREFIX_BYTES) {
      const length = (joined[offset]! << 8) | joined[offset + 1]!;
      if (length > SIM_MAX_FRAME_BYTES) {
        this.buffer = new Uint8Array(0);
        throw new SimFrameTooLargeError(length, SIM_MAX_FRAME_BYTES);
      }
      if (joined.length - offset - LENGTH_PREFIX_BYTES < length) break;
      bodies.push(joined.slice(offset + LENGTH_PREFIX_BYTES, offset + LENGTH_PREFIX_BYTES + length));
      offset += LENGTH_PREFIX_BYTES + length;
    }
    this.buffer = joined.slice(offset);
    return bodies;
  }
}

export { U32_MAX as SIM_MAX_SEQ };
