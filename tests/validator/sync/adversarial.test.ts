import { createHash, randomBytes } from "node:crypto";
import type { Stream } from "@libp2p/interface";
import { expect } from "chai";
import { createHexcoverHost, type HexcoverHost } from "../../../node/index.js";
import { Ed25519Keypair, SYNC_PROTOCOL, type SignedMessage } from "../../../protocol/index.js";
import {
  BUCKET_COUNT,
  type DigestResponse,
  decodeRequest,
  encodeFrame,
  encodeResponse,
  FrameReader,
  InlineVerifier,
  MAX_FRAME_BYTES,
  type SyncRequest,
  SyncSession,
  type SyncResponse,
  sendFrame,
} from "../../../validator/index.js";
import { EPOCH_MS, GENESIS_MS, hex, makeMessages, TempDirs } from "../store/helpers.js";
import { waitFor } from "../../support/wait.js";
import { startValidators, stopValidators, type TestValidator } from "./network.js";

const EPOCH = 3;
const EPOCH_START_MS = GENESIS_MS + EPOCH * EPOCH_MS;
const NOW_MS = EPOCH_START_MS + EPOCH_MS + 61_000;

/** A digest claiming every bucket differs, so the victim asks for ids in all of them. */
function fakeDigest(epoch: number): SyncResponse {
  return {
    type: "digest",
    epoch,
    frozen: false,
    count: 1,
    digest: new Uint8Array(randomBytes(32)),
    bucketDigests: Array.from({ length: BUCKET_COUNT }, () => new Uint8Array(randomBytes(32))),
    bucketCounts: new Array<number>(BUCKET_COUNT).fill(1),
  };
}

/** Runs `answer` as this host's sync server: the raw response body for each decoded request. */
async function serveLies(host: HexcoverHost, answer: (request: SyncRequest) => Uint8Array): Promise<void> {
  await host.handle(SYNC_PROTOCOL, async (stream: Stream) => {
    const reader = new FrameReader(stream);
    try {
      for (;;) {
        const body = await reader.next();
        if (body === null) break;
        await sendFrame(stream, answer(decodeRequest(body)));
      }
      await stream.close();
    } catch (err) {
      stream.abort(err as Error);
    }
  });
}

describe("validator/sync: hostile peers are counted and dropped, never trusted", function () {
  this.timeout(60_000);
  const dirs = new TempDirs();
  const verifier = new InlineVerifier();
  let validators: TestValidator[] = [];
  const extraHosts: HexcoverHost[] = [];

  afterEach(async () => {
    await stopValidators(validators);
    validators = [];
    await Promise.all(extraHosts.splice(0).map((h) => h.stop()));
    await dirs.cleanup();
  });

  async function victimAndLiar(answer: (request: SyncRequest) => Uint8Array): Promise<{ victim: TestValidator; liar: HexcoverHost }> {
    validators = await startValidators({ count: 1, dirs, verifier, now: () => NOW_MS });
    const liar = await createHexcoverHost({ keypair: Ed25519Keypair.generate() });
    extraHosts.push(liar);
    await serveLies(liar, answer);
    await validators[0]!.host.dial(liar.getMultiaddrs()[0]!);
    return { victim: validators[0]!, liar };
  }

  /** A liar that lists `listed` as its ids and serves `served` for any GetMessages. */
  function lyingServer(listed: Uint8Array[], served: Uint8Array[]): (request: SyncRequest) => Uint8Array {
    return (request) => {
      if (request.type === "getDigest") return encodeResponse(fakeDigest(request.epoch));
      if (request.type === "getIds") {
        const ids = [...listed].sort((x, y) => Buffer.compare(x, y));
        return encodeResponse({ type: "ids", epoch: request.epoch, more: false, ids });
      }
      return encodeResponse({ type: "messages", epoch: request.epoch, messages: served });
    };
  }

  async function reconcileAgainst(victim: TestValidator, liar: HexcoverHost) {
    return victim.sync.reconcile(EPOCH, [liar.peerId], Date.now() + 20_000);
  }

  it("drops a peer whose served bytes do not hash to the ids it listed", async () => {
    const [real, other] = makeMessages(3, EPOCH_START_MS, Ed25519Keypair.generate()).slice(1) as [SignedMessage, SignedMessage];
    const { victim, liar } = await victimAndLiar(lyingServer([real.id], [other.bytes]));
    const report = await reconcileAgainst(victim, liar);
    expect(report.dropped).to.deep.equal([{ peer: liar.peerId.toString(), code: "ERR_SYNC_ID_MISMATCH" }]);
    expect(victim.store.counts(EPOCH).total).to.equal(0);
    expect(victim.sync.counters.peerFaults["ERR_SYNC_ID_MISMATCH"]).to.equal(1);
  });

  it("drops a peer that serves a message of another epoch under this epoch", async () => {
    const [, wrongEpoch] = makeMessages(2, EPOCH_START_MS + EPOCH_MS, Ed25519Keypair.generate()) as [SignedMessage, SignedMessage];
    const { victim, liar } = await victimAndLiar(lyingServer([wrongEpoch.id], [wrongEpoch.bytes]));
    const report = await reconcileAgainst(victim, liar);
    expect(report.dropped.map((d) => d.code)).to.deep.equal(["ERR_SYNC_INVALID_MESSAGE"]);
    expect(victim.store.counts(EPOCH + 1).total).to.equal(0);
    expect(victim.ingest.counters().rejected["ERR_WRONG_EPOCH"]).to.equal(1);
  });

  it("drops a peer that serves a message whose signature does not verify (same id, forged signature)", async () => {
    const [, good] = makeMessages(2, EPOCH_START_MS, Ed25519Keypair.generate()) as [SignedMessage, SignedMessage];
    const forged = Uint8Array.from(good.bytes);
    forged[forged.length - 1]! ^= 0x40;
    const { victim, liar } = await victimAndLiar(lyingServer([good.id], [forged]));
    const report = await reconcileAgainst(victim, liar);
    expect(report.dropped.map((d) => d.code)).to.deep.equal(["ERR_SYNC_INVALID_MESSAGE"]);
    expect(victim.store.counts(EPOCH).total).to.equal(0);
    expect(victim.ingest.counters().rejected["ERR_INVALID_SIGNATURE"]).to.equal(1);
  });

  it("drops a frozen peer whose id listing does not hash to the bucket digests it announced", async () => {
    const [listed] = makeMessages(1, EPOCH_START_MS, Ed25519Keypair.generate());
    const frozenLiar = (r: SyncRequest) =>
      r.type === "getDigest"
        ? encodeResponse({ ...(fakeDigest(r.epoch) as DigestResponse), frozen: true })
        : lyingServer([listed!.id], [listed!.bytes])(r);
    const { victim, liar } = await victimAndLiar(frozenLiar);
    const report = await reconcileAgainst(victim, liar);
    expect(report.dropped.map((d) => d.code)).to.deep.equal(["ERR_SYNC_DIGEST_MISMATCH"]);
    // It is dropped before anything it serves is fetched.
    expect(victim.store.counts(EPOCH).total).to.equal(0);
  });

  it("accepts a frozen honest peer's listing and converges with it", async () => {
    validators = await startValidators({ count: 2, dirs, verifier, now: () => NOW_MS });
    const [a, b] = validators as [TestValidator, TestValidator];
    await Promise.all(makeMessages(300, EPOCH_START_MS, a.keypair).map((m) => a.ingest.ingestBytes(m.bytes, "local")));
    await a.store.freeze(EPOCH);
    const report = await b.sync.reconcile(EPOCH, [a.host.peerId], Date.now() + 10_000);
    expect(report.converged).to.equal(true);
    expect(report.count).to.equal(300);
    expect(hex(report.digest)).to.equal(hex(a.store.frozenEpoch(EPOCH)!.digest));
  });

  it("drops a peer that answers with garbage, with ids out of order or in buckets nobody asked for", async () => {
    const cases: Array<[string, (request: SyncRequest) => Uint8Array, string]> = [
      ["garbage", () => new Uint8Array(randomBytes(100)), "ERR_SYNC_MALFORMED_MESSAGE"],
      ["wrong answer type", (r) => encodeResponse({ type: "ids", epoch: r.epoch, more: false, ids: [] }), "ERR_SYNC_UNEXPECTED_RESPONSE"],
      [
        "digest of another epoch",
        (r) => encodeResponse(fakeDigest(r.epoch + 1)),
        "ERR_SYNC_UNEXPECTED_RESPONSE",
      ],
    ];
    for (const [what, answer, code] of cases) {
      const { victim, liar } = await victimAndLiar(answer);
      const report = await reconcileAgainst(victim, liar);
      expect(report.dropped.map((d) => d.code), what).to.deep.equal([code]);
      await stopValidators(validators);
      validators = [];
    }
    // Only bucket 5 differs from the victim's (empty) set, but the liar lists an id in bucket 9.
    const empty = new Uint8Array(createHash("sha256").digest());
    const onlyBucket5 = (r: SyncRequest) => {
      if (r.type === "getDigest") {
        const bucketDigests = Array.from({ length: BUCKET_COUNT }, (_, i) => (i === 5 ? new Uint8Array(32).fill(5) : empty));
        return encodeResponse({ ...(fakeDigest(r.epoch) as DigestResponse), bucketDigests });
      }
      return encodeResponse({ type: "ids", epoch: r.epoch, more: false, ids: [new Uint8Array(32).fill(9)] });
    };
    {
      const { victim, liar } = await victimAndLiar(onlyBucket5);
      expect((await reconcileAgainst(victim, liar)).dropped.map((d) => d.code)).to.deep.equal(["ERR_SYNC_UNEXPECTED_RESPONSE"]);
      await stopValidators(validators);
      validators = [];
    }
    // Unsorted ids: built by hand, since the encoder happily writes any order.
    const a = new Uint8Array(32).fill(9);
    const b = new Uint8Array(32).fill(8);
    const unsorted = (r: SyncRequest) =>
      r.type === "getDigest" ? encodeResponse(fakeDigest(r.epoch)) : encodeResponse({ type: "ids", epoch: r.epoch, more: false, ids: [a, b] });
    const { victim, liar } = await victimAndLiar(unsorted);
    expect((await reconcileAgainst(victim, liar)).dropped.map((d) => d.code)).to.deep.equal(["ERR_SYNC_MALFORMED_MESSAGE"]);
  });

  it("treats a peer that never answers as unreachable (timed out), not as a liar", async () => {
    validators = await startValidators({ count: 1, dirs, verifier, now: () => NOW_MS, requestTimeoutMs: 300 });
    const victim = validators[0]!;
    const silent = await createHexcoverHost({ keypair: Ed25519Keypair.generate() });
    extraHosts.push(silent);
    // Reads requests, never answers.
    await silent.handle(SYNC_PROTOCOL, async (stream: Stream) => {
      const reader = new FrameReader(stream);
      while ((await reader.next().catch(() => null)) !== null) {}
    });
    await victim.host.dial(silent.getMultiaddrs()[0]!);
    const report = await victim.sync.reconcile(EPOCH, [silent.peerId], Date.now() + 1200);
    expect(report.converged).to.equal(false);
    expect(report.dropped).to.deep.equal([]);
    expect(report.unreachable).to.deep.equal([silent.peerId.toString()]);
    expect(victim.store.isFrozen(EPOCH)).to.equal(true);
  });

  it("keeps agreeing with honest peers while a liar is dropped", async () => {
    validators = await startValidators({ count: 2, dirs, verifier, now: () => NOW_MS });
    const [a, b] = validators as [TestValidator, TestValidator];
    const messages = makeMessages(50, EPOCH_START_MS, a.keypair);
    await Promise.all(messages.map((m) => a.ingest.ingestBytes(m.bytes, "local")));
    const liar = await createHexcoverHost({ keypair: Ed25519Keypair.generate() });
    extraHosts.push(liar);
    await serveLies(liar, () => new Uint8Array([0xee]));
    await b.host.dial(liar.getMultiaddrs()[0]!);
    const report = await b.sync.reconcile(EPOCH, [liar.peerId, a.host.peerId], Date.now() + 10_000);
    expect(report.converged).to.equal(true);
    expect(report.agreedWith).to.deep.equal([a.host.peerId.toString()]);
    expect(report.dropped).to.have.length(1);
    expect(report.count).to.equal(50);
  });

  it("aborts inbound streams carrying garbage, oversized or non-minimal frames, counts them and keeps serving", async () => {
    validators = await startValidators({ count: 1, dirs, verifier, now: () => NOW_MS });
    const server = validators[0]!;
    await Promise.all(makeMessages(5, EPOCH_START_MS, server.keypair).map((m) => server.ingest.ingestBytes(m.bytes, "local")));
    const client = await createHexcoverHost({ keypair: Ed25519Keypair.generate() });
    extraHosts.push(client);
    await client.dial(server.host.getMultiaddrs()[0]!);

    const attacks: Array<[Uint8Array, string]> = [
      [encodeFrame(new Uint8Array(randomBytes(64))), "ERR_SYNC_MALFORMED_MESSAGE"],
      // Length prefix announcing 1 MiB: refused from the prefix alone, nothing buffered.
      [Uint8Array.of(0x80, 0x80, 0x40, 1, 2, 3), "ERR_SYNC_FRAME_TOO_LARGE"],
      // MAX_FRAME_BYTES + 1 in a valid 3-byte prefix.
      [encodeLength(MAX_FRAME_BYTES + 1), "ERR_SYNC_FRAME_TOO_LARGE"],
      [Uint8Array.of(0x85, 0x00, 1, 2, 3, 4, 5), "ERR_SYNC_MALFORMED_FRAME"],
    ];
    for (const [bytes, code] of attacks) {
      const stream = await client.dialProtocol(server.host.peerId, SYNC_PROTOCOL);
      stream.send(bytes);
      await waitFor(() => (server.sync.counters.peerFaults[code] ?? 0) >= 1, `server to count ${code}`);
      await waitFor(() => stream.status !== "open", "the server to abort the stream");
    }
    // A well-behaved session on the same connection still gets answers.
    const clientSession = new SyncSession(await client.dialProtocol(server.host.peerId, SYNC_PROTOCOL));
    const digest = await clientSession.getDigest(EPOCH);
    expect(digest.count).to.equal(5);
    await clientSession.close();
  });
});

function encodeLength(n: number): Uint8Array {
  return Uint8Array.of((n & 0x7f) | 0x80, ((n >> 7) & 0x7f) | 0x80, n >> 14);
}
