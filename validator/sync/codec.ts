import { MAX_ANY_MESSAGE_BYTES } from "../../protocol/index.js";
import { BUCKET_COUNT, checkEpoch, compareBytes, ID_BYTES } from "../store/index.js";
import { MAX_IDS_PER_RESPONSE, MAX_MESSAGES_PER_REQUEST } from "./constants.js";
import { SyncMalformedMessageError } from "./errors.js";

/**
 * /hexcover/sync/1 messages. Every frame body starts with a type byte; integers are big-endian;
 * every length is bounded and checked, and a body must be consumed exactly (no trailing bytes).
 *
 *   0x01 GetDigest    epoch u32
 *   0x02 GetIds       epoch u32, hasAfter u8, [after 32], n u16 (1..256), buckets u8[n] ascending
 *   0x03 GetMessages  epoch u32, n u16 (1..256), ids 32·n
 *   0x81 Digest       epoch u32, frozen u8, count u32, digest 32, bucket digests 32·256, bucket counts u32·256
 *   0x82 Ids          epoch u32, more u8, n u16 (0..1024), ids 32·n ascending
 *   0x83 Messages     epoch u32, n u16 (0..256), n × (length u16, bytes)
 *   0xEE Error        code u8
 */
export const SyncMessageType = {
  getDigest: 0x01,
  getIds: 0x02,
  getMessages: 0x03,
  digest: 0x81,
  ids: 0x82,
  messages: 0x83,
  error: 0xee,
} as const;

/** Error answers: the request was malformed, the stream is over its request limit, or the server failed. */
export const SyncErrorCode = { badRequest: 1, tooManyRequests: 2, internal: 3 } as const;

export type SyncRequest =
  | { readonly type: "getDigest"; readonly epoch: number }
  | { readonly type: "getIds"; readonly epoch: number; readonly buckets: readonly number[]; readonly after?: Uint8Array }
  | { readonly type: "getMessages"; readonly epoch: number; readonly ids: readonly Uint8Array[] };

export interface DigestResponse {
  readonly type: "digest";
  readonly epoch: number;
  readonly frozen: boolean;
  readonly count: number;
  readonly digest: Uint8Array;
  readonly bucketDigests: readonly Uint8Array[];
  readonly bucketCounts: readonly number[];
}
export interface IdsResponse {
  readonly type: "ids";
  readonly epoch: number;
  readonly more: boolean;
  readonly ids: readonly Uint8Array[];
}
export interface MessagesResponse {
  readonly type: "messages";
  readonly epoch: number;
  readonly messages: readonly Uint8Array[];
}
export interface ErrorResponse {
  readonly type: "error";
  readonly code: number;
}
export type SyncResponse = DigestResponse | IdsResponse | MessagesResponse | ErrorResponse;

class Writer {
  readonly #parts: Uint8Array[] = [];
  #length = 0;
  u8(v: number): this {
    return this.bytes(Uint8Array.of(v));
  }
  u16(v: number): this {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, v);
    return this.bytes(b);
  }
  u32(v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v);
    return this.bytes(b);
  }
  bytes(b: Uint8Array): this {
    this.#parts.push(b);
    this.#length += b.length;
    return this;
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let offset = 0;
    for (const part of this.#parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }
}

class Reader {
  #offset = 0;
  readonly #view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  #need(n: number): void {
    if (this.#offset + n > this.bytes.length) throw new SyncMalformedMessageError("truncated");
  }
  u8(): number {
    this.#need(1);
    return this.bytes[this.#offset++]!;
  }
  u16(): number {
    this.#need(2);
    const v = this.#view.getUint16(this.#offset);
    this.#offset += 2;
    return v;
  }
  u32(): number {
    this.#need(4);
    const v = this.#view.getUint32(this.#offset);
    this.#offset += 4;
    return v;
  }
  take(n: number): Uint8Array {
    this.#need(n);
    const out = this.bytes.slice(this.#offset, this.#offset + n);
    this.#offset += n;
    return out;
  }
  bool(): boolean {
    const v = this.u8();
    if (v > 1) throw new SyncMalformedMessageError(`flag byte ${v}`);
    return v === 1;
  }
  end(): void {
    if (this.#offset !== this.bytes.length) throw new SyncMalformedMessageError(`${this.bytes.length - this.#offset} trailing bytes`);
  }
}

function checkCount(what: string, n: number, min: number, max: number): void {
  if (n < min || n > max) throw new SyncMalformedMessageError(`${what} count ${n} outside ${min}..${max}`);
}

function checkIdsAscending(ids: readonly Uint8Array[]): void {
  for (let i = 1; i < ids.length; i++) {
    if (compareBytes(ids[i - 1]!, ids[i]!) >= 0) throw new SyncMalformedMessageError("ids not strictly ascending");
  }
}

export function encodeRequest(request: SyncRequest): Uint8Array {
  checkEpoch(request.epoch);
  const w = new Writer();
  switch (request.type) {
    case "getDigest":
      return w.u8(SyncMessageType.getDigest).u32(request.epoch).finish();
    case "getIds": {
      checkCount("bucket", request.buckets.length, 1, BUCKET_COUNT);
      w.u8(SyncMessageType.getIds).u32(request.epoch);
      if (request.after === undefined) w.u8(0);
      else w.u8(1).bytes(checkId(request.after));
      w.u16(request.buckets.length);
      for (const b of request.buckets) w.u8(b);
      return w.finish();
    }
    case "getMessages":
      checkCount("id", request.ids.length, 1, MAX_MESSAGES_PER_REQUEST);
      w.u8(SyncMessageType.getMessages).u32(request.epoch).u16(request.ids.length);
      for (const id of request.ids) w.bytes(checkId(id));
      return w.finish();
  }
}

export function decodeRequest(body: Uint8Array): SyncRequest {
  const r = new Reader(body);
  const type = r.u8();
  const epoch = r.u32();
  let request: SyncRequest;
  if (type === SyncMessageType.getDigest) {
    request = { type: "getDigest", epoch };
  } else if (type === SyncMessageType.getIds) {
    const after = r.bool() ? r.take(ID_BYTES) : undefined;
    const n = r.u16();
    checkCount("bucket", n, 1, BUCKET_COUNT);
    const buckets: number[] = [];
    for (let i = 0; i < n; i++) {
      const b = r.u8();
      if (i > 0 && b <= buckets[i - 1]!) throw new SyncMalformedMessageError("buckets not strictly ascending");
      buckets.push(b);
    }
    request = after === undefined ? { type: "getIds", epoch, buckets } : { type: "getIds", epoch, buckets, after };
  } else if (type === SyncMessageType.getMessages) {
    const n = r.u16();
    checkCount("id", n, 1, MAX_MESSAGES_PER_REQUEST);
    const ids: Uint8Array[] = [];
    for (let i = 0; i < n; i++) ids.push(r.take(ID_BYTES));
    request = { type: "getMessages", epoch, ids };
  } else {
    throw new SyncMalformedMessageError(`unknown request type ${type}`);
  }
  r.end();
  return request;
}

export function encodeResponse(response: SyncResponse): Uint8Array {
  const w = new Writer();
  switch (response.type) {
    case "digest": {
      if (response.bucketDigests.length !== BUCKET_COUNT || response.bucketCounts.length !== BUCKET_COUNT) {
        throw new SyncMalformedMessageError(`digest needs ${BUCKET_COUNT} buckets`);
      }
      w.u8(SyncMessageType.digest).u32(response.epoch).u8(response.frozen ? 1 : 0).u32(response.count).bytes(checkId(response.digest));
      for (const d of response.bucketDigests) w.bytes(checkId(d));
      for (const c of response.bucketCounts) w.u32(c);
      return w.finish();
    }
    case "ids":
      checkCount("id", response.ids.length, 0, MAX_IDS_PER_RESPONSE);
      w.u8(SyncMessageType.ids).u32(response.epoch).u8(response.more ? 1 : 0).u16(response.ids.length);
      for (const id of response.ids) w.bytes(checkId(id));
      return w.finish();
    case "messages":
      checkCount("message", response.messages.length, 0, MAX_MESSAGES_PER_REQUEST);
      w.u8(SyncMessageType.messages).u32(response.epoch).u16(response.messages.length);
      for (const m of response.messages) {
        if (m.length === 0 || m.length > MAX_ANY_MESSAGE_BYTES) throw new SyncMalformedMessageError(`message of ${m.length} bytes`);
        w.u16(m.length).bytes(m);
      }
      return w.finish();
    case "error":
      return w.u8(SyncMessageType.error).u8(response.code).finish();
  }
}

export function decodeResponse(body: Uint8Array): SyncResponse {
  const r = new Reader(body);
  const type = r.u8();
  if (type === SyncMessageType.error) {
    const code = r.u8();
    r.end();
    return { type: "error", code };
  }
  const epoch = r.u32();
  let response: SyncResponse;
  if (type === SyncMessageType.digest) {
    const frozen = r.bool();
    const count = r.u32();
    const digest = r.take(ID_BYTES);
    const bucketDigests: Uint8Array[] = [];
    for (let i = 0; i < BUCKET_COUNT; i++) bucketDigests.push(r.take(ID_BYTES));
    const bucketCounts: number[] = [];
    for (let i = 0; i < BUCKET_COUNT; i++) bucketCounts.push(r.u32());
    response = { type: "digest", epoch, frozen, count, digest, bucketDigests, bucketCounts };
  } else if (type === SyncMessageType.ids) {
    const more = r.bool();
    const n = r.u16();
    checkCount("id", n, 0, MAX_IDS_PER_RESPONSE);
    const ids: Uint8Array[] = [];
    for (let i = 0; i < n; i++) ids.push(r.take(ID_BYTES));
    checkIdsAscending(ids);
    response = { type: "ids", epoch, more, ids };
  } else if (type === SyncMessageType.messages) {
    const n = r.u16();
    checkCount("message", n, 0, MAX_MESSAGES_PER_REQUEST);
    const messages: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      const length = r.u16();
      if (length === 0 || length > MAX_ANY_MESSAGE_BYTES) throw new SyncMalformedMessageError(`message of ${length} bytes`);
      messages.push(r.take(length));
    }
    response = { type: "messages", epoch, messages };
  } else {
    throw new SyncMalformedMessageError(`unknown response type ${type}`);
  }
  r.end();
  return response;
}

function checkId(id: Uint8Array): Uint8Array {
  if (!(id instanceof Uint8Array) || id.length !== ID_BYTES) throw new SyncMalformedMessageError(`id of ${id?.length} bytes`);
  return id;
}
