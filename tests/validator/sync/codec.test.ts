import { expect } from "chai";
import fc from "fast-check";
import {
  BUCKET_COUNT,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  MAX_IDS_PER_RESPONSE,
  MAX_MESSAGES_PER_REQUEST,
  SyncError,
  type SyncRequest,
  type SyncResponse,
} from "../../../validator/index.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 500);
const id = fc.uint8Array({ minLength: 32, maxLength: 32 });
const epoch = fc.integer({ min: 0, max: 0xffff_ffff });
const sortedIds = (max: number) =>
  fc.uniqueArray(id, { maxLength: max, selector: (b) => Buffer.from(b).toString("hex") }).map((ids) => ids.sort((a, b) => Buffer.compare(a, b)));

const request: fc.Arbitrary<SyncRequest> = fc.oneof(
  epoch.map((e) => ({ type: "getDigest" as const, epoch: e })),
  fc
    .record({
      epoch,
      buckets: fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: BUCKET_COUNT }).map((b) => b.sort((x, y) => x - y)),
      after: fc.option(id, { nil: undefined }),
    })
    .map(({ epoch, buckets, after }) => (after === undefined ? { type: "getIds" as const, epoch, buckets } : { type: "getIds" as const, epoch, buckets, after })),
  fc.record({ epoch, ids: fc.array(id, { minLength: 1, maxLength: MAX_MESSAGES_PER_REQUEST }) }).map((r) => ({ type: "getMessages" as const, ...r })),
);

const response: fc.Arbitrary<SyncResponse> = fc.oneof(
  fc.record({
    type: fc.constant("digest" as const),
    epoch,
    frozen: fc.boolean(),
    count: fc.integer({ min: 0, max: 0xffff_ffff }),
    digest: id,
    bucketDigests: fc.array(id, { minLength: BUCKET_COUNT, maxLength: BUCKET_COUNT }),
    bucketCounts: fc.array(fc.integer({ min: 0, max: 0xffff_ffff }), { minLength: BUCKET_COUNT, maxLength: BUCKET_COUNT }),
  }),
  fc.record({ type: fc.constant("ids" as const), epoch, more: fc.boolean(), ids: sortedIds(MAX_IDS_PER_RESPONSE) }),
  fc.record({
    type: fc.constant("messages" as const),
    epoch,
    messages: fc.array(fc.uint8Array({ minLength: 1, maxLength: 182 }), { maxLength: MAX_MESSAGES_PER_REQUEST }),
  }),
  fc.record({ type: fc.constant("error" as const), code: fc.integer({ min: 0, max: 255 }) }),
);

describe("validator/sync: wire codec", function () {
  this.timeout(60_000);

  it("round-trips every well-formed request and response exactly", () => {
    fc.assert(fc.property(request, (r) => {
        expect(decodeRequest(encodeRequest(r))).to.deep.equal(r);
      }), { numRuns: RUNS });
    fc.assert(fc.property(response, (r) => {
        expect(decodeResponse(encodeResponse(r))).to.deep.equal(r);
      }), { numRuns: RUNS / 5 });
  });

  it("answers arbitrary bytes with a typed SyncError, never anything else", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        for (const decode of [decodeRequest, decodeResponse]) {
          try {
            decode(bytes);
          } catch (err) {
            expect(err).to.be.instanceOf(SyncError);
          }
        }
      }),
      { numRuns: RUNS * 4 },
    );
  });

  it("rejects trailing bytes, bucket lists out of order and over-long lists", () => {
    const digest = encodeRequest({ type: "getDigest", epoch: 1 });
    const withTrailer = Uint8Array.from([...digest, 0]);
    expect(() => decodeRequest(withTrailer)).to.throw().with.property("code", "ERR_SYNC_MALFORMED_MESSAGE");
    const unordered = Uint8Array.of(0x02, 0, 0, 0, 1, 0, 0, 2, 9, 3);
    expect(() => decodeRequest(unordered)).to.throw().with.property("code", "ERR_SYNC_MALFORMED_MESSAGE");
    const tooMany = Uint8Array.of(0x03, 0, 0, 0, 1, 0x01, 0x01);
    expect(() => decodeRequest(tooMany)).to.throw().with.property("code", "ERR_SYNC_MALFORMED_MESSAGE");
    expect(() => encodeRequest({ type: "getMessages", epoch: 1, ids: [] })).to.throw().with.property("code", "ERR_SYNC_MALFORMED_MESSAGE");
    expect(() => encodeRequest({ type: "getDigest", epoch: -1 })).to.throw().with.property("code", "ERR_EPOCH_OUT_OF_RANGE");
  });
});
