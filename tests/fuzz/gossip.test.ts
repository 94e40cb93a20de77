/**
 * Fuzzing of every gossip validator (inventory G1–G4 in tests/fuzz/decoders.test.ts): the topic
 * validators HexcoverGossip installs on a real libp2p host, called the way gossipsub calls them,
 * with random and mutated-valid frames on right, wrong and unknown topics. The only acceptable
 * verdicts for anything but a valid message on its own topic are REJECT and IGNORE; a validator
 * never throws and never rejects its promise. node/p2p is another helper's folder: failures here
 * are reported, not fixed.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TopicValidatorResult } from "@libp2p/gossipsub";
import type { PeerId } from "@libp2p/interface";
import { expect } from "chai";
import fc from "fast-check";
import { createHexcoverHost, type HexcoverHost, HexcoverGossip } from "../../node/index.js";
import {
  checkMessageTime,
  decodeMessage,
  Ed25519Keypair,
  type MessageKindName,
  ProtocolError,
  type SignedMessage,
  signingBytes,
  signMessage,
  Topics,
} from "../../protocol/index.js";
import { EpochStore, Ingest, IngestError, InlineVerifier, StoreError, WorkerPoolVerifier } from "../../validator/index.js";
import { allMessages, FIXED_NOW_MS, makeRound } from "../support/protocol-fixtures.js";
import { concat, fcParams, heapUsedAfterGc, hostileBytes, MAX_HEAP_GROWTH_BYTES, RUNS } from "./support.js";

type Validate = (from: PeerId, message: { type: "unsigned"; topic: string; data: Uint8Array }) => TopicValidatorResult | Promise<TopicValidatorResult>;

const TOPICS = Object.values(Topics);
const KIND_OF_TOPIC = new Map<string, MessageKindName>(Object.entries(Topics).map(([kind, topic]) => [topic, kind as MessageKindName]));
/** Epoch layout for the validator's store: genesis a day before the fixtures, one-hour epochs. */
const GENESIS_SECONDS = Math.floor(FIXED_NOW_MS / 1000) - 86_400;
const EPOCH_SECONDS = 3_600;
/** Receiver clock of every validator under test (see the fixture round below). */
const NOW_MS = FIXED_NOW_MS + 25_000;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

describe("fuzz: gossip validators (fast-check)", function () {
  this.timeout(600_000);
  const validatorKey = Ed25519Keypair.generate();
  const beaconer = Ed25519Keypair.generate();
  const witness = Ed25519Keypair.generate();
  const round = makeRound(validatorKey, beaconer, witness, new Uint8Array(32).fill(9));
  // The fixture reveals 120 s after the beacon; witness reports may be at most 60 s old
  // (DEFAULT_MAX_WITNESS_REPORT_AGE_MS): reveal at +30 s so that one receiver clock (NOW_MS)
  // accepts all four messages (entropy 26 s old, witness report 25 s old, reveal 5 s ahead).
  round.reveal = { ...round.reveal, revealTimeMs: FIXED_NOW_MS + 30_000 };
  const valid: SignedMessage[] = allMessages(round).map((m) =>
    signMessage(m, m.kind === "entropy" ? validatorKey : m.kind === "witnessReport" ? witness : beaconer),
  );
  const validBytes = valid.map((s) => s.bytes);

  const hosts: HexcoverHost[] = [];
  let dataDir = "";
  let store: EpochStore;
  let pool: WorkerPoolVerifier;
  let ingest: Ingest;
  let heapBefore = 0;
  const validators: Record<"G1" | "G2" | "G3", (topic: string) => Validate> = {} as never;

  function validatorsOf(host: HexcoverHost): (topic: string) => Validate {
    const installed = host.services.pubsub.topicValidators as unknown as Map<string, Validate>;
    // A validator installed for topic T sees only T's messages in gossipsub; for an unknown topic
    // the entropy validator is called, which exercises the "unknown topic" rule.
    return (topic) => installed.get(topic) ?? installed.get(Topics.entropy)!;
  }

  before(async () => {
    heapBefore = heapUsedAfterGc();
    const now = () => NOW_MS;
    for (let i = 0; i < 3; i++) hosts.push(await createHexcoverHost({ keypair: Ed25519Keypair.generate() }));
    const inline = new HexcoverGossip(hosts[0]!, { now });

    inline.start();
    validators.G1 = validatorsOf(hosts[0]!);
    pool = new WorkerPoolVerifier({ poolSize: 1 });
    const pooled = new HexcoverGossip(hosts[1]!, { now, signatureVerifier: pool });
    pooled.start();
    validators.G2 = validatorsOf(hosts[1]!);
    // Thousands of accepted re-signed messages are thousands of fsynced writes: on tmpfs they cost
    // microseconds instead of a disk flush each (the durability itself is tested in validator/store).
    dataDir = await mkdtemp(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "hexcover-fuzz-gossip-"));
    store = EpochStore.open({ path: dataDir, genesisSeconds: GENESIS_SECONDS, epochSeconds: EPOCH_SECONDS });
    ingest = new Ingest(hosts[2]!, { store, verifier: new InlineVerifier(), validators: [validatorKey.publicKey], now });
    ingest.start();
    validators.G3 = validatorsOf(hosts[2]!);
  });

  after(async () => {
    ingest?.stop();
    await pool?.close();
    for (const host of hosts) await host.stop();
    await store?.close();
    if (dataDir !== "") await rm(dataDir, { recursive: true, force: true });
  });

  /** A frame on a topic: mutated or random bytes on any topic, or a valid message on any topic. */
  const input = fc.oneof(
    { weight: 8, arbitrary: fc.tuple(fc.constantFrom(...TOPICS, "/hexcover/unknown/1", ""), hostileBytes(validBytes, 260)) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...TOPICS), fc.constantFrom(...validBytes)) },
  );

  for (const [name, label] of [
    ["G1", "node/p2p HexcoverGossip with inline signature checks (hotspots)"],
    ["G2", "node/p2p HexcoverGossip with a worker-pool SignatureVerifier"],
    ["G3", "the validator's gossip validator (Ingest: validator set, epoch window, durable store)"],
  ] as const) {
    it(`${name} ${label}: REJECT or IGNORE for every invalid frame, never a throw`, async () => {
      const from = hosts[0]!.peerId;
      const accepted = new Set<string>();
      await fc.assert(
        fc.asyncProperty(input, async ([topic, data]) => {
          let verdict: TopicValidatorResult;
          try {
            verdict = await validators[name](topic)(from, { type: "unsigned", topic, data });
          } catch (err) {
            throw new Error(`validator threw ${(err as Error)?.name}: ${(err as Error)?.message}`);
          }
          expect([TopicValidatorResult.Accept, TopicValidatorResult.Reject, TopicValidatorResult.Ignore]).to.include(verdict);
          const original = valid.find((s) => sameBytes(s.bytes, data));
          const onItsTopic = original !== undefined && KIND_OF_TOPIC.get(topic) === original.message.kind;
          if (!onItsTopic) {
            expect(verdict, `invalid frame on ${topic} (${data.length} bytes)`).to.not.equal(TopicValidatorResult.Accept);
            return;
          }
          // A valid message on its own topic: ACCEPT the first time, IGNORE its copies.
          const key = Buffer.from(data).toString("hex");
          expect(verdict).to.equal(accepted.has(key) ? TopicValidatorResult.Ignore : TopicValidatorResult.Accept);
          accepted.add(key);
        }),
        fcParams(RUNS),
      );
      // Positive control: each valid message was offered and accepted exactly once.
      expect(accepted.size).to.equal(valid.length);
    });
  }

  /**
   * Mutations of the body that keep a valid signature (re-signed by the body's own signer): a
   * hostile but keyed sender. The verdict must agree with the reference checks: ACCEPT only if
   * decodeMessage and checkMessageTime pass (and, for the validator, the entropy signer is in its
   * set and the epoch is not ahead of its clock); otherwise REJECT or IGNORE.
   */
  const keyOf = new Map(
    [validatorKey, beaconer, witness].map((k) => [Buffer.from(k.publicKey).toString("hex"), k] as const),
  );
  const resigned = fc
    .tuple(fc.nat({ max: valid.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }))
    .map(([which, edits]) => {
      const original = valid[which]!;
      const unsigned = Uint8Array.from(original.bytes.subarray(0, -64));
      // Bytes 2..33 are the signer's key (first body field): keep them so the signer can sign.
      for (const [at, mask] of edits) {
        const i = 34 + (at % (unsigned.length - 34));
        unsigned[i]! ^= mask;
      }
      const signer = keyOf.get(Buffer.from(original.signer).toString("hex"))!;
      const signature = signer.sign(signingBytes(original.message.kind, unsigned));
      return { topic: Topics[original.message.kind], data: concat(unsigned, signature) };
    });

  for (const name of ["G1", "G3"] as const) {
    it(`${name} re-signed mutations: ACCEPT only what the reference decoder and clock bounds accept`, async () => {
      const from = hosts[0]!.peerId;
      const now = NOW_MS;
      await fc.assert(
        fc.asyncProperty(resigned, async ({ topic, data }) => {
          const verdict = await validators[name](topic)(from, { type: "unsigned", topic, data });
          let referenceOk = true;
          try {
            const signed = decodeMessage(data, { expectKind: KIND_OF_TOPIC.get(topic)! });
            checkMessageTime(signed.message, now);
            if (name === "G3" && signed.message.kind === "entropy") {
              referenceOk = Buffer.from(signed.message.validator).equals(Buffer.from(validatorKey.publicKey));
            }
          } catch (err) {
            expect(err).to.be.instanceOf(ProtocolError);
            referenceOk = false;
          }
          if (!referenceOk) expect(verdict).to.not.equal(TopicValidatorResult.Accept);
          else expect([TopicValidatorResult.Accept, TopicValidatorResult.Ignore]).to.include(verdict);
        }),
        fcParams(RUNS),
      );
    });
  }

  it("G3 stored every message it accepted and nothing that fails the reference checks", () => {
    const epoch = Math.floor((FIXED_NOW_MS / 1000 - GENESIS_SECONDS) / EPOCH_SECONDS);
    const records = [epoch - 1, epoch, epoch + 1].flatMap((e) => [...store.rawMessages(e)].map((r) => r.bytes));
    expect(records.length).to.be.at.least(valid.length);
    for (const bytes of records) {
      const signed = decodeMessage(bytes);
      checkMessageTime(signed.message, NOW_MS);
    }
  });

  it("G4 Ingest.ingestBytes (the sync path): typed errors for every invalid frame, stores only valid ones", async () => {
    await fc.assert(
      fc.asyncProperty(hostileBytes(validBytes, 260), fc.option(fc.integer({ min: -1, max: 2 ** 32 }), { nil: undefined }), async (bytes, expectEpoch) => {
        try {
          await ingest.ingestBytes(bytes, "sync", expectEpoch);
        } catch (err) {
          const typed = err instanceof ProtocolError || err instanceof IngestError || err instanceof StoreError;
          expect(typed, `${(err as Error)?.name}: ${(err as Error)?.message}`).to.equal(true);
          expect((err as { code: string }).code).to.match(/^ERR_[A-Z0-9_]+$/);
          return;
        }
        expect(valid.some((s) => sameBytes(s.bytes, bytes)), "only a valid message may be stored").to.equal(true);
      }),
      fcParams(RUNS),
    );
  });

  it("keeps the heap bounded after the run", () => {
    const growth = heapUsedAfterGc() - heapBefore;
    console.log(`      gossip fuzz: heap growth ${(growth / 1048576).toFixed(1)} MiB (bound ${MAX_HEAP_GROWTH_BYTES / 1048576} MiB)`);
    expect(growth).to.be.below(MAX_HEAP_GROWTH_BYTES);
  });
});
