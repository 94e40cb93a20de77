/**
 * Hexcover fuzz suite (issue 11 item 1): property-based fuzzing with fast-check of every decoder,
 * gossip validator, HTTP endpoint and ledger RPC method, with random and mutated-valid inputs.
 * Cases per property: RUNS (10,000 in CI; HEXCOVER_FUZZ_RUNS=<n> for a long run; docs/DEVELOPING.md
 * "Fuzzing"). Acceptable outcomes: typed errors with a stable code (decoders), REJECT/IGNORE
 * (gossip validators), 4xx with a JSON error body (HTTP), JSON-RPC error objects with standard
 * codes and unchanged state (ledger); heap growth after a run stays under MAX_HEAP_GROWTH_BYTES.
 *
 * INVENTORY (each item → the property that covers it)
 *
 * Decoders (this file unless noted)
 *  D1  protocol decodeMessage, every kind, with and without expectKind/verifySignature
 *      → tests/protocol/fuzz.test.ts (random bytes, random bodies, XOR mutations) and here
 *        "decodeMessage: structural mutations per topic kind" + "canonical on success"
 *  D2  protocol decodeAddress (base58 keys in CLI, feeds, HTTP paths) → "decodeAddress"
 *  D3  protocol Ed25519Keypair.fromJson / fromSecretKey (keypair files) → "keypair files"
 *  D4  protocol checkMessageTime (receiver clock bounds) → "checkMessageTime"
 *  D5  validator/sync decodeRequest, decodeResponse (codec.ts) → "sync codec"
 *      (round trips and random bytes also in tests/validator/sync/codec.test.ts)
 *  D6  validator/sync FrameReader (frames.ts, LEB128 length prefix, buffer bound) → "sync frames"
 *  D7  coverage parseEpochCoverageFeed (feed.ts) → "coverage feed"
 *  D8  coverage query parameters (parseBbox & co.) → through HTTP, tests/fuzz/http.test.ts H1
 *  D9  validator API inputs (epoch, hotspot key, status) → through HTTP, tests/fuzz/http.test.ts H2
 *  D10 chain/ledger parseTransaction / parseMessage (wire.ts) → "ledger transaction wire format"
 *      (single-byte mutations also in tests/chain/ledger/wire.test.ts)
 *  D11 chain/ledger params (params.ts) and the JSON-RPC envelope (jsonrpc.ts) → through RPC,
 *      tests/fuzz/ledger.test.ts L1–L3
 *  D12 node/radio decodeSemtechPacket (Semtech UDP forwarder protocol v2) → "Semtech datagrams"
 *  D13 node/radio parseRxpk (rxpk JSON of PUSH_DATA) → "Semtech rxpk"
 *  D14 node/radio decodeSimFrame + SimFrameReader (sim medium) → "sim medium frames"
 *  D15 node/radio decodeBeaconSsid (Wi-Fi beacon SSIDs) → "Wi-Fi beacon SSIDs"
 *  D16 node/radio parseNmcliScan / splitNmcliTerseLine (nmcli terse output) → "nmcli scans"
 *
 * Gossip validators (tests/fuzz/gossip.test.ts)
 *  G1  node/p2p HexcoverGossip topic validators, all four topics, inline verification
 *  G2  the same with a SignatureVerifier (worker-pool path) → G2 in gossip.test.ts
 *  G3  the validator's gossip validator: HexcoverGossip inside validator/ingest Ingest
 *      (accept hook: validator set, epoch window, durable store) → G3 in gossip.test.ts
 *  G4  Ingest.ingestBytes (the sync path, same checks without the age bound) → G4
 *
 * HTTP routes (tests/fuzz/http.test.ts; every route gets random and mutated-valid requests)
 *  H1  coverage CoverageServer: GET /v1/cells/:cell, /v1/cells/:cell/children, /v1/coverage,
 *      /v1/hotspots, /v1/hotspots/:key, /v1/stats, /v1/epochs, static routes (/, /app.js,
 *      /style.css, /vendor/…, /basemap/…, /v1/openapi.yaml), OPTIONS, other methods, bodies
 *  H2  validator/api createRewardsApi: /health, /status, /epochs[?status], /epochs/:e,
 *      /epochs/:e/coverage, /epochs/:e/rewards/:hotspot, /hotspots/:key, /metrics, methods
 *  H3  node/hotspot startStatusServer: GET /status, /metrics → status and connection only (its
 *      404/405 bodies carry no stable code; node/ is another helper's folder, reported)
 *
 * Ledger (tests/fuzz/ledger.test.ts)
 *  L1  every JSON-RPC method of chain/ledger/rpc.ts (36 methods, one valid template each in
 *      ledger.test.ts) with random and mutated-valid params, batched
 *  L2  the envelope: random bodies, batches, notifications, oversized bodies (413), deep nesting
 *  L3  sendTransaction / simulateTransaction with mutated valid transactions: errors only and
 *      the ledger state (transaction count, balances) unchanged; the valid original still lands
 *  L4  PubSub websocket: accountSubscribe, programSubscribe, signatureSubscribe, logsSubscribe,
 *      slotSubscribe, rootSubscribe and every …Unsubscribe, random frames, oversized frames
 *  (also: tests/chain/ledger/rpc-errors.test.ts covers a chunked body without content-length
 *   refused once past 50 KiB, and tests/validator/sync/adversarial.test.ts hostile sync peers
 *   over real libp2p streams)
 *
 * Memory: every file ends with a heap check (forced GC; see support.ts MAX_HEAP_GROWTH_BYTES).
 * Size limits checked: protocol 183 bytes (D1), sync frame MAX_FRAME_BYTES and buffer (D6),
 * Semtech 4096 bytes (D12), sim frame 512 bytes (D14), coverage URL 2048 chars (H1), validator
 * API URL (H2), ledger body 50 KiB / batch 100 / ws frame 64 KiB (L2, L4).
 */
import { expect } from "chai";
import fc from "fast-check";
import { Keypair, SystemProgram, Transaction, TransactionMessage, VersionedTransaction, AddressLookupTableAccount } from "@solana/web3.js";
import bs58 from "bs58";
import { MalformedTransactionError, parseTransaction } from "../../chain/ledger/index.js";
import { CoverageError, parseEpochCoverageFeed } from "../../coverage/index.js";
import {
  decodeBeaconSsid,
  decodeSemtechPacket,
  decodeSimFrame,
  encodeBeaconSsid,
  encodeSemtechPacket,
  encodeSimFrame,
  parseNmcliScan,
  parseRxpk,
  RadioError,
  SEMTECH_MAX_DATAGRAM_BYTES,
  SIM_MAX_FRAME_BYTES,
  type SimFrame,
  SimFrameReader,
  SimFrameTooLargeError,
} from "../../node/radio/index.js";
import {
  checkMessageTime,
  decodeAddress,
  decodeMessage,
  Ed25519Keypair,
  InvalidAddressError,
  MAX_ANY_MESSAGE_BYTES,
  MAX_ADDRESS_CHARS,
  MessageKind,
  type MessageKindName,
  messageId,
  sha256,
  ProtocolError,
  signMessage,
  type SignedMessage,
} from "../../protocol/index.js";
import {
  decodeRequest,
  decodeResponse,
  encodeFrame,
  encodeRequest,
  encodeResponse,
  FrameReader,
  MAX_BUFFERED_BYTES,
  MAX_FRAME_BYTES,
  SyncError,
  SyncFrameTooLargeError,
  type SyncRequest,
  type SyncResponse,
} from "../../validator/sync/index.js";
import { cityFeed, SF } from "../coverage/fixtures.js";
import { allMessages, FIXED_NOW_MS, makeRound } from "../support/protocol-fixtures.js";
import {
  fcParams,
  heapUsedAfterGc,
  hostileBytes,
  hostileJsonValue,
  MAX_HEAP_GROWTH_BYTES,
  mutatedBytes,
  mutatedJson,
  RUNS,
  toJsonText,
} from "./support.js";

const STABLE_CODE = /^ERR_[A-Z0-9_]+$/;

/** Runs `fn`; a throw must be an instance of `errorClass` with a stable code. */
function typedOnly<T>(errorClass: abstract new (...args: never[]) => Error & { code: string }, fn: () => T): { ok: true; value: T } | { ok: false; code: string } {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    if (!(err instanceof errorClass)) throw new Error(`expected a ${errorClass.name}, got ${(err as Error)?.name}: ${(err as Error)?.message}`, { cause: err });
    expect(err.code).to.match(STABLE_CODE);
    expect(err.name).to.equal(err.constructor.name);
    return { ok: false, code: err.code };
  }
}

function signedFixtures(): SignedMessage[] {
  const validator = Ed25519Keypair.generate();
  const beaconer = Ed25519Keypair.generate();
  const witness = Ed25519Keypair.generate();
  const round = makeRound(validator, beaconer, witness, new Uint8Array(32).fill(9));
  return allMessages(round).map((m) => signMessage(m, m.kind === "entropy" ? validator : m.kind === "witnessReport" ? witness : beaconer));
}

describe("fuzz: decoders (fast-check)", function () {
  this.timeout(600_000);
  let heapBefore = 0;
  before(() => {
    heapBefore = heapUsedAfterGc();
  });

  describe("protocol (D1–D4)", () => {
    const valid = signedFixtures();
    const kinds = Object.keys(MessageKind) as MessageKindName[];

    it("decodeMessage: structural mutations of valid messages fail with a ProtocolError on every topic kind", () => {
      fc.assert(
        fc.property(mutatedBytes(valid.map((s) => s.bytes)), fc.constantFrom(...kinds), (bytes, expectKind) => {
          const outcome = typedOnly(ProtocolError, () => decodeMessage(bytes, { expectKind }));
          expect(outcome.ok, "a mutated message must never verify").to.equal(false);
        }),
        fcParams(RUNS),
      );
    });

    it("decodeMessage without signature check: accepts only canonical encodings of in-range messages", () => {
      fc.assert(
        fc.property(hostileBytes(valid.map((s) => s.bytes), MAX_ANY_MESSAGE_BYTES + 32), (bytes) => {
          const outcome = typedOnly(ProtocolError, () => decodeMessage(bytes, { verifySignature: false }));
          if (!outcome.ok) return;
          // A body that decodes must be the exact re-encoding of what it decoded to: the id of the
          // decoded message (hash of its encoding) equals the hash of the bytes received.
          expect(Buffer.from(messageId(outcome.value.message)).equals(Buffer.from(sha256(bytes.subarray(0, -64))))).to.equal(true);
          expect(bytes.length).to.be.at.most(MAX_ANY_MESSAGE_BYTES);
        }),
        fcParams(RUNS),
      );
    });

    it("decodeMessage without signature check: random inputs give ProtocolErrors only", () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
          typedOnly(ProtocolError, () => decodeMessage(bytes, { verifySignature: false }));
        }),
        fcParams(RUNS),
      );
    });

    it("decodeAddress: returns 32 bytes that re-encode to the input, or InvalidAddressError", () => {
      const addresses = Array.from({ length: 4 }, () => Ed25519Keypair.generate().address);
      const text = fc.oneof(
        fc.string({ maxLength: 80 }),
        fc.stringMatching(/^[1-9A-HJ-NP-Za-km-z]{0,60}$/),
        fc.constantFrom(...addresses).chain((a) =>
          fc.oneof(
            fc.nat({ max: a.length - 1 }).map((i) => a.slice(0, i) + a.slice(i + 1)),
            fc.tuple(fc.nat({ max: a.length }), fc.constantFrom("1", "z", "0", "O", "l", "I", "+", "\u0000")).map(([i, c]) => a.slice(0, i) + c + a.slice(i)),
            fc.integer({ min: 1, max: 20_000 }).map((n) => a + "2".repeat(n)),
            fc.constant(` ${a}`),
          ),
        ),
      );
      fc.assert(
        fc.property(text, (s) => {
          const outcome = typedOnly(InvalidAddressError, () => decodeAddress(s));
          if (outcome.ok) expect(bs58.encode(outcome.value)).to.equal(s);
        }),
        fcParams(RUNS),
      );
    });

    it("decodeAddress refuses an address longer than any 32-byte key before decoding it", () => {
      const long = "2".repeat(MAX_ADDRESS_CHARS + 1);
      expect(() => decodeAddress(long)).to.throw(InvalidAddressError, /longer than 44 characters/);
      // 16 KiB (a maximal HTTP request line) used to cost ~150 ms of base58 decoding per request.
      expect(() => decodeAddress("2".repeat(16_384))).to.throw(InvalidAddressError, /longer than 44 characters/);
      expect(MAX_ADDRESS_CHARS).to.equal(bs58.encode(new Uint8Array(32).fill(255)).length);
    });

    it("keypair files: fromJson yields the keypair it was given or InvalidKeypairError", () => {
      const good = Ed25519Keypair.generate();
      const validArray = JSON.parse(good.toJson()) as number[];
      fc.assert(
        fc.property(fc.oneof(mutatedJson([validArray]), hostileJsonValue), fc.boolean(), (value, asText) => {
          const text = asText && typeof value === "string" ? value : toJsonText(value);
          const outcome = typedOnly(ProtocolError, () => Ed25519Keypair.fromJson(text));
          if (outcome.ok) expect(JSON.parse(outcome.value.toJson())).to.deep.equal(JSON.parse(text));
        }),
        fcParams(RUNS),
      );
    });

    it("checkMessageTime: throws only timestamp errors, for any clock and bounds", () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...valid),
          fc.oneof(fc.integer({ min: -1e15, max: 1e16 }), fc.constantFrom(FIXED_NOW_MS, Number.MAX_SAFE_INTEGER, 0, Number.NaN)),
          fc.record({ maxAgeMs: fc.option(fc.nat(), { nil: undefined }), maxSkewMs: fc.option(fc.nat(), { nil: undefined }) }),
          (signed, now, bounds) => {
            typedOnly(ProtocolError, () => checkMessageTime(signed.message, now, bounds));
          },
        ),
        fcParams(RUNS),
      );
    });
  });

  describe("validator/sync (D5–D6)", () => {
    const id = (b: number) => new Uint8Array(32).fill(b);
    const requests: SyncRequest[] = [
      { type: "getDigest", epoch: 7 },
      { type: "getIds", epoch: 7, buckets: [0, 3, 255] },
      { type: "getIds", epoch: 7, buckets: [9], after: id(4) },
      { type: "getMessages", epoch: 7, ids: [id(1), id(2)] },
    ];
    const responses: SyncResponse[] = [
      { type: "digest", epoch: 7, frozen: true, count: 3, digest: id(5), bucketDigests: Array.from({ length: 256 }, (_, i) => id(i)), bucketCounts: Array.from({ length: 256 }, (_, i) => i) },
      { type: "ids", epoch: 7, more: false, ids: [id(1), id(2), id(3)] },
      { type: "messages", epoch: 7, messages: signedFixtures().map((s) => s.bytes) },
      { type: "error", code: 1 },
    ];
    const validRequests = requests.map(encodeRequest);
    const validResponses = responses.map(encodeResponse);

    it("sync codec: decodeRequest and decodeResponse give a SyncError or a value that re-encodes to the input", () => {
      fc.assert(
        fc.property(hostileBytes([...validRequests, ...validResponses], 600), (bytes) => {
          const request = typedOnly(SyncError, () => decodeRequest(bytes));
          if (request.ok) expect(Buffer.from(encodeRequest(request.value)).equals(Buffer.from(bytes))).to.equal(true);
          const response = typedOnly(SyncError, () => decodeResponse(bytes));
          if (response.ok) expect(Buffer.from(encodeResponse(response.value)).equals(Buffer.from(bytes))).to.equal(true);
        }),
        fcParams(RUNS),
      );
    });

    /** A libp2p MessageStream as far as FrameReader uses it: message, end and close events. */
    class ChunkStream extends EventTarget {
      readonly readableEnded = false;
      readonly status = "open";
      push(chunk: Uint8Array): void {
        const event = new Event("message") as Event & { data: { subarray(): Uint8Array } };
        event.data = { subarray: () => chunk };
        this.dispatchEvent(event);
      }
      end(): void {
        this.dispatchEvent(new Event("end"));
      }
    }

    it("sync frames: FrameReader yields bounded frames or a SyncError for any byte stream, chunked anyhow", async () => {
      const validStream = [...validRequests, ...validResponses].map(encodeFrame);
      const stream = fc.tuple(
        fc.array(hostileBytes(validStream, 64), { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 8 }),
      );
      await fc.assert(
        fc.asyncProperty(stream, async ([pieces, cuts]) => {
          const all = Buffer.concat(pieces);
          const s = new ChunkStream();
          const reader = new FrameReader(s as never);
          for (let offset = 0, i = 0; offset < all.length; i++) {
            const size = cuts[i % cuts.length]!;
            s.push(all.subarray(offset, offset + size));
            offset += size;
          }
          s.end();
          for (let frames = 0; ; frames++) {
            let body: Uint8Array | null;
            try {
              body = await reader.next();
            } catch (err) {
              expect(err).to.be.instanceOf(SyncError);
              return;
            }
            if (body === null) return;
            expect(body.length).to.be.at.most(MAX_FRAME_BYTES);
            expect(frames).to.be.below(all.length + 1);
          }
        }),
        fcParams(RUNS),
      );
    });

    it("sync frames: a length prefix above MAX_FRAME_BYTES is refused before any body byte, and the buffer stays bounded", async () => {
      const s = new ChunkStream();
      const reader = new FrameReader(s as never);
      const prefix = encodeFrame(new Uint8Array(MAX_FRAME_BYTES)).subarray(0, 3);
      prefix[0]! |= 0x7f; // announce more than the limit
      s.push(prefix);
      const err = await reader.next().catch((e: unknown) => e);
      expect(err).to.be.instanceOf(SyncFrameTooLargeError);

      const flood = new ChunkStream();
      const floodReader = new FrameReader(flood as never);
      // Valid prefixes but more pipelined bytes than two frames: refused, not buffered.
      for (let sent = 0; sent <= MAX_BUFFERED_BYTES; sent += 8192) flood.push(new Uint8Array(8192).fill(0x05));
      const floodErr = await (async () => {
        try {
          for (;;) if ((await floodReader.next()) === null) return null;
        } catch (e) {
          return e;
        }
      })();
      expect(floodErr === null || floodErr instanceof SyncError).to.equal(true);
    });
  });

  describe("coverage feed (D7)", () => {
    const feed = cityFeed({ epoch: 3, centre: SF, hotspots: 6, spreadDeg: 0.02, seed: 11, prefix: "fz" });
    const validFeed = JSON.parse(JSON.stringify(feed)) as unknown;

    it("accepts the fixture (positive control)", () => {
      expect(parseEpochCoverageFeed(validFeed)).to.deep.equal(validFeed);
    });

    it("parseEpochCoverageFeed: mutated feeds and random JSON give a CoverageError or a feed that parses to itself", () => {
      fc.assert(
        fc.property(fc.oneof({ weight: 4, arbitrary: mutatedJson([validFeed]) }, hostileJsonValue), (value) => {
          const outcome = typedOnly(CoverageError, () => parseEpochCoverageFeed(value));
          if (outcome.ok) expect(parseEpochCoverageFeed(outcome.value)).to.deep.equal(outcome.value);
        }),
        fcParams(RUNS),
      );
    });

    it("names an offending value without serializing all of it (deep nesting, huge strings)", () => {
      let deep: unknown = 1;
      for (let i = 0; i < 100_000; i++) deep = [deep];
      for (const bad of [deep, "x".repeat(1_000_000)]) {
        const err = (() => {
          try {
            parseEpochCoverageFeed({ ...(validFeed as object), epoch: bad });
          } catch (e) {
            return e as Error;
          }
        })();
        expect(err).to.be.instanceOf(CoverageError);
        expect(err!.message.length).to.be.below(400);
      }
    });
  });

  describe("chain/ledger wire format (D10)", () => {
    const payer = Keypair.generate();
    const to = Keypair.generate().publicKey;
    const blockhash = bs58.encode(Buffer.alloc(32, 7));
    const legacy = new Transaction({ feePayer: payer.publicKey, recentBlockhash: blockhash }).add(
      SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports: 5 }),
    );
    legacy.sign(payer);
    const table = new AddressLookupTableAccount({
      key: Keypair.generate().publicKey,
      state: { deactivationSlot: 2n ** 64n - 1n, lastExtendedSlot: 0, lastExtendedSlotStartIndex: 0, addresses: [to, Keypair.generate().publicKey] },
    });
    const v0 = new VersionedTransaction(
      new TransactionMessage({
        payerKey: payer.publicKey,
        recentBlockhash: blockhash,
        instructions: [SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports: 5 })],
      }).compileToV0Message([table]),
    );
    v0.sign([payer]);
    const valid = [new Uint8Array(legacy.serialize()), v0.serialize()];

    it("parseTransaction: mutated transactions parse consistently or throw MalformedTransactionError", () => {
      fc.assert(
        fc.property(hostileBytes(valid, 1300), (bytes) => {
          const outcome = typedOnly(MalformedTransactionError, () => parseTransaction(bytes));
          if (outcome.ok) expect(outcome.value.signatures.length).to.be.at.least(1);
        }),
        fcParams(RUNS),
      );
    });
  });

  describe("node/radio (D12–D16)", () => {
    const EUI = "AA555A0000000101";
    const rxpk = { tmst: 1, freq: 904.3, chan: 0, rfch: 0, stat: 1, modu: "LORA", datr: "SF9BW125", codr: "4/5", rssi: -87, lsnr: 7.5, size: 4, data: "AQIDBA==" };
    const rxpkSx1302 = { ...rxpk, rssi: undefined, lsnr: undefined, rsig: [{ ant: 0, chan: 0, rssic: -90, lsnr: 3 }] };
    const datagrams = [
      encodeSemtechPacket({ id: "PUSH_DATA", token: 1, eui: EUI, json: { rxpk: [rxpk] } }),
      encodeSemtechPacket({ id: "PULL_DATA", token: 2, eui: EUI }),
      encodeSemtechPacket({ id: "TX_ACK", token: 3, eui: EUI, json: { txpk_ack: { error: "NONE" } } }),
      encodeSemtechPacket({ id: "PULL_RESP", token: 4, json: { txpk: { imme: true, freq: 904.3, rfch: 0, powe: 27, modu: "LORA", datr: "SF9BW125", codr: "4/5", ipol: false, size: 4, data: "AQIDBA==" } } }),
      encodeSemtechPacket({ id: "PUSH_ACK", token: 5 }),
      encodeSemtechPacket({ id: "PULL_ACK", token: 6 }),
    ];

    it("Semtech datagrams: decodeSemtechPacket gives a RadioError or a packet that re-encodes (≤ 4096 bytes)", () => {
      fc.assert(
        fc.property(fc.oneof(hostileBytes(datagrams, 200), fc.integer({ min: SEMTECH_MAX_DATAGRAM_BYTES - 2, max: SEMTECH_MAX_DATAGRAM_BYTES + 2 }).map((n) => new Uint8Array(n).fill(2))), (bytes) => {
          const outcome = typedOnly(RadioError, () => decodeSemtechPacket(bytes));
          if (outcome.ok) {
            expect(bytes.length).to.be.at.most(SEMTECH_MAX_DATAGRAM_BYTES);
            expect(() => encodeSemtechPacket(outcome.value)).not.to.throw();
          }
        }),
        fcParams(RUNS),
      );
    });

    it("Semtech rxpk: parseRxpk gives a RadioError, undefined (FSK) or a packet with finite in-range fields", () => {
      fc.assert(
        fc.property(fc.oneof({ weight: 4, arbitrary: mutatedJson([rxpk, JSON.parse(JSON.stringify(rxpkSx1302))]) }, hostileJsonValue), (value) => {
          const outcome = typedOnly(RadioError, () => parseRxpk(value, FIXED_NOW_MS));
          if (outcome.ok && outcome.value !== undefined) {
            const p = outcome.value;
            expect(p.payload.length).to.be.at.least(1);
            expect(Number.isSafeInteger(p.frequencyHz)).to.equal(true);
            expect(Number.isFinite(p.rssiDbm) && Number.isFinite(p.snrDb)).to.equal(true);
          }
        }),
        fcParams(RUNS),
      );
    });

    it("parseRxpk names a deeply nested or huge field value without serializing it", () => {
      let deep: unknown = 1;
      for (let i = 0; i < 100_000; i++) deep = [deep];
      for (const field of ["modu", "datr", "size"]) {
        for (const bad of [deep, "x".repeat(1_000_000)]) {
          const value = field === "modu" ? { ...rxpk, modu: bad } : { ...rxpk, [field]: bad };
          const err = (() => {
            try {
              parseRxpk(value, FIXED_NOW_MS);
            } catch (e) {
              return e as Error;
            }
          })();
          expect(err, field).to.be.instanceOf(RadioError);
          expect(err!.message.length).to.be.below(300);
        }
      }
    });

    const simFrames: SimFrame[] = [
      { type: "hello", name: "fz-hotspot", latMicrodeg: -33_868_820, lngMicrodeg: 151_209_296, antennaGainDeciDbi: -15, elevationM: 120 },
      { type: "welcome", radioId: 4_000_000_000 },
      { type: "transmit", seq: 7, frequencyHz: 5_825_000_000, dataRateCode: 32, txPowerDeciDbm: -35, payload: new Uint8Array(21).fill(9) },
      { type: "ack", seq: 0xffff_ffff },
      { type: "deliver", frequencyHz: 868_100_000, dataRateCode: 6, rssiDeciDbm: -1375, snrDeciDb: -201, payload: new Uint8Array(51).fill(1) },
      { type: "error", seq: 3, code: "ERR_SIM_RATE_LIMITED" },
    ];
    const simStreams = simFrames.map(encodeSimFrame);

    it("sim medium frames: the reader and decodeSimFrame give RadioErrors or frames that re-encode (≤ 512 bytes)", () => {
      fc.assert(
        fc.property(fc.array(hostileBytes(simStreams, 80), { minLength: 1, maxLength: 3 }), (chunks) => {
          const reader = new SimFrameReader();
          for (const chunk of chunks) {
            const bodies = typedOnly(RadioError, () => reader.push(chunk));
            if (!bodies.ok) {
              expect(bodies.code).to.equal(new SimFrameTooLargeError(0, 0).code);
              return;
            }
            for (const body of bodies.value) {
              expect(body.length).to.be.at.most(SIM_MAX_FRAME_BYTES);
              const frame = typedOnly(RadioError, () => decodeSimFrame(body));
              if (frame.ok) expect(Buffer.from(encodeSimFrame(frame.value).subarray(2)).equals(Buffer.from(body))).to.equal(true);
            }
          }
        }),
        fcParams(RUNS),
      );
    });

    it("Wi-Fi beacon SSIDs: decodeBeaconSsid accepts only canonical encodings of 1..21 bytes", () => {
      const ssids = [encodeBeaconSsid(new Uint8Array(21).fill(7)), encodeBeaconSsid(Uint8Array.of(1)), encodeBeaconSsid(new Uint8Array(16).fill(200))];
      const text = fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.stringMatching(/^HXC[A-Za-z0-9_=+/-]{0,32}$/),
        fc.tuple(fc.constantFrom(...ssids), fc.nat(), fc.constantFrom("A", "_", "-", "=", "é", "\u0000", "")).map(([s, i, c]) => {
          const at = i % (s.length + 1);
          return s.slice(0, at) + c + s.slice(at + (i % 2));
        }),
      );
      fc.assert(
        fc.property(text, (ssid) => {
          const outcome = typedOnly(RadioError, () => decodeBeaconSsid(ssid));
          if (outcome.ok) expect(encodeBeaconSsid(outcome.value)).to.equal(ssid);
        }),
        fcParams(RUNS),
      );
    });

    it("nmcli scans: parseNmcliScan never throws; entries have a BSSID, a channel and a signal in 0..100", () => {
      const good = "*:HXCAQIDBAUGBwgJCgsMDQ4PEBESExQV:AA\\:BB\\:CC\\:DD\\:EE\\:FF:Infra:6:2437 MHz:70:WPA2";
      const line = fc.oneof(
        fc.string({ maxLength: 120 }),
        fc.tuple(fc.nat(), fc.constantFrom(":", "\\", "\\:", "\n", "\r", "x", "999", "")).map(([i, c]) => good.slice(0, i % good.length) + c + good.slice(i % good.length)),
        fc.constant(good),
      );
      fc.assert(
        fc.property(fc.array(line, { maxLength: 6 }), (lines) => {
          const { entries, errors } = parseNmcliScan(lines.join("\n"));
          for (const e of errors) expect(e).to.be.instanceOf(RadioError);
          for (const e of entries) {
            expect(e.bssid).to.match(/^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/);
            expect(Number.isSafeInteger(e.channel)).to.equal(true);
            expect(e.signalPercent).to.be.within(0, 100);
          }
        }),
        fcParams(RUNS),
      );
    });
  });

  after(() => {
    const growth = heapUsedAfterGc() - heapBefore;
    console.log(`      decoders fuzz: heap growth ${(growth / 1048576).toFixed(1)} MiB after the run (bound ${MAX_HEAP_GROWTH_BYTES / 1048576} MiB)`);
    expect(growth).to.be.below(MAX_HEAP_GROWTH_BYTES);
  });
});
