/**
 * Fuzzing of the local ledger (inventory L1–L4 in tests/fuzz/decoders.test.ts) over a real
 * ledger on 127.0.0.1: every JSON-RPC method with random and mutated-valid params (batched, so
 * 10,000 cases per method cost a few hundred HTTP requests), the JSON-RPC envelope, mutated valid
 * transactions (state must not change), and every PubSub subscribe/unsubscribe method over the
 * websocket. Acceptable answers: a result, or a JSON-RPC error object with one of the standard
 * codes below. -32603 (internal error) is a failure, and so is any "internal error" log line.
 */
import { createAccount, createMint, mintTo, TOKEN_PROGRAM_ID } from "@solana/spl-token";
import { Connection, Keypair, LAMPORTS_PER_SOL, type PublicKey, sendAndConfirmTransaction, SystemProgram, Transaction } from "@solana/web3.js";
import bs58 from "bs58";
import { expect } from "chai";
import fc from "fast-check";
import WebSocket from "ws";
import { type Ledger, startLedger } from "../../chain/ledger/index.js";
import {
  FuzzHttpClient,
  fcParams,
  heapUsedAfterGc,
  hostileJsonValue,
  inParallel,
  MAX_HEAP_GROWTH_BYTES,
  mutatedBytes,
  mutatedJson,
  RUNS,
  toJsonText,
} from "./support.js";

/** JSON-RPC 2.0 codes and the Agave server codes the ledger documents (docs/LEDGER.md "Errors"). */
const ALLOWED_CODES = new Set([-32700, -32600, -32601, -32602, -32002, -32003, -32015, -32016]);
/** The ledger's limits (chain/ledger/constants.ts; Agave's values). */
const MAX_BODY_BYTES = 50 * 1024;
const MAX_BATCH = 100;
const MAX_WS_PAYLOAD_BYTES = 64 * 1024;
/** Requests per generated case group: one fast-check case is a batch of this many requests. */
const CASES_PER_RUN = 100;
/** Internal-error log lines are kept to this length (enough to name the method and error). */
const LOG_LINE_CHARS = 2_000;
/** Slots of 50 ms keep airdrops (one identical request per block) from waiting long. */
const SLOT_MS = 50;

interface RpcAnswer {
  jsonrpc?: unknown;
  id?: unknown;
  result?: unknown;
  error?: { code?: unknown; message?: unknown };
}

function checkAnswer(answer: RpcAnswer, what: string): void {
  expect(answer.jsonrpc, what).to.equal("2.0");
  if ("error" in answer && answer.error !== undefined) {
    expect(ALLOWED_CODES.has(answer.error.code as number), `${what}: error ${JSON.stringify(answer.error).slice(0, 300)}`).to.equal(true);
    expect(answer.error.message, what).to.be.a("string");
  } else {
    expect(answer, what).to.have.property("result");
  }
}

/** Packs request texts into bodies under the size and batch limits. */
function pack(texts: readonly string[]): string[][] {
  const bodies: string[][] = [];
  let current: string[] = [];
  let size = 2;
  for (const text of texts) {
    if (current.length > 0 && (size + text.length + 1 > MAX_BODY_BYTES || current.length >= MAX_BATCH)) {
      bodies.push(current);
      current = [];
      size = 2;
    }
    current.push(text);
    size += text.length + 1;
  }
  if (current.length > 0) bodies.push(current);
  return bodies;
}

describe("fuzz: ledger JSON-RPC and PubSub (fast-check)", function () {
  this.timeout(900_000);
  let ledger: Ledger;
  let client: FuzzHttpClient;
  let connection: Connection;
  const logs: string[] = [];
  const payer = Keypair.generate();
  const recipient = Keypair.generate().publicKey;
  let mint: PublicKey;
  let tokenAccount: PublicKey;
  let landed = "";
  let heapBefore = 0;
  const templates = new Map<string, unknown[][]>();

  async function rpc(method: string, params: unknown[] = []): Promise<RpcAnswer> {
    const answer = await client.send("/", { method: "POST", body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
    return JSON.parse(answer.body) as RpcAnswer;
  }

  function freshTransfer(blockhash: string, lamports = 1_000): Transaction {
    const tx = new Transaction({ feePayer: payer.publicKey, recentBlockhash: blockhash }).add(
      SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: recipient, lamports }),
    );
    tx.sign(payer);
    return tx;
  }

  async function blockhash(): Promise<string> {
    return ((await rpc("getLatestBlockhash")).result as { value: { blockhash: string } }).value.blockhash;
  }

  before(async () => {
    heapBefore = heapUsedAfterGc();
    // Keep only what the internal-error check reads, shortened: the ledger logs hostile requests
    // (70 KB strings included) and keeping every line held gigabytes over a CI run.
    ledger = await startLedger({
      rpcPort: 0,
      wsPort: 0,
      slotMs: SLOT_MS,
      fsync: false,
      log: (line) => {
        if (/internal error/i.test(line)) logs.push(line.slice(0, LOG_LINE_CHARS));
      },
    });
    client = new FuzzHttpClient(ledger.rpcUrl);
    connection = new Connection(ledger.rpcUrl, { commitment: "confirmed", wsEndpoint: ledger.wsUrl });
    await ledger.airdrop(payer.publicKey.toBase58(), 100n * BigInt(LAMPORTS_PER_SOL));
    landed = await sendAndConfirmTransaction(connection, freshTransfer(await blockhash(), LAMPORTS_PER_SOL), [payer]);
    mint = await createMint(connection, payer, payer.publicKey, null, 6);
    tokenAccount = await createAccount(connection, payer, mint, payer.publicKey);
    await mintTo(connection, payer, mint, tokenAccount, payer, 1_000_000n);

    const p = payer.publicKey.toBase58();
    const m = mint.toBase58();
    const t = tokenAccount.toBase58();
    const token = TOKEN_PROGRAM_ID.toBase58();
    const hash = await blockhash();
    const tx = freshTransfer(hash, 7);
    const txBase64 = tx.serialize().toString("base64");
    const messageBase64 = tx.serializeMessage().toString("base64");
    const commitment = { commitment: "confirmed" };
    const none: unknown[][] = [[], [commitment]];
    for (const name of [
      "getHealth",
      "getVersion",
      "getGenesisHash",
      "getIdentity",
      "getSlotLeader",
      "getClusterNodes",
      "getTransactionCount",
      "getFirstAvailableBlock",
      "minimumLedgerSlot",
      "getMaxRetransmitSlot",
      "getMaxShredInsertSlot",
      "getEpochSchedule",
    ]) {
      templates.set(name, none);
    }
    templates.set("getSlot", [[{ commitment: "finalized", minContextSlot: 0 }]]);
    templates.set("getBlockHeight", [[{ commitment: "processed", minContextSlot: 1 }]]);
    templates.set("getEpochInfo", [[commitment]]);
    templates.set("getBlockTime", [[1], [0]]);
    templates.set("getLatestBlockhash", [[{ commitment: "confirmed", minContextSlot: 0 }]]);
    templates.set("isBlockhashValid", [[hash, { commitment: "processed" }]]);
    templates.set("getFeeForMessage", [[messageBase64, commitment]]);
    templates.set("getRecentPrioritizationFees", [[[p, m]], []]);
    templates.set("getMinimumBalanceForRentExemption", [[165], [0, commitment]]);
    templates.set("getBalance", [[p, commitment]]);
    templates.set("getAccountInfo", [
      [p, { encoding: "base64", dataSlice: { offset: 0, length: 8 } }],
      [m, { encoding: "jsonParsed" }],
      [t, { encoding: "base58" }],
    ]);
    templates.set("getMultipleAccounts", [[[p, m, t], { encoding: "base64" }]]);
    templates.set("getProgramAccounts", [
      [token, { encoding: "base64", filters: [{ dataSize: 165 }, { memcmp: { offset: 0, bytes: m } }], withContext: true }],
      [token, { encoding: "jsonParsed", filters: [{ tokenAccountState: "initialized" }] }],
    ]);
    templates.set("getTokenAccountBalance", [[t, commitment]]);
    templates.set("getTokenSupply", [[m]]);
    templates.set("getTokenAccountsByOwner", [
      [p, { mint: m }, { encoding: "jsonParsed" }],
      [p, { programId: token }, { encoding: "base64" }],
    ]);
    templates.set("getTokenAccountsByDelegate", [[p, { programId: token }]]);
    templates.set("getTokenLargestAccounts", [[m, commitment]]);
    templates.set("getSignatureStatuses", [[[landed], { searchTransactionHistory: true }]]);
    templates.set("getTransaction", [
      [landed, { encoding: "json", maxSupportedTransactionVersion: 0 }],
      [landed, "base64"],
      [landed, { encoding: "jsonParsed" }],
    ]);
    templates.set("getSignaturesForAddress", [[p, { limit: 10 }], [p, { before: landed, limit: 1 }]]);
    templates.set("simulateTransaction", [
      [txBase64, { encoding: "base64", sigVerify: true }],
      [txBase64, { encoding: "base64", replaceRecentBlockhash: true, accounts: { addresses: [p], encoding: "base64" }, innerInstructions: true }],
    ]);
    templates.set("sendTransaction", [[txBase64, { encoding: "base64", skipPreflight: false }], [bs58.encode(tx.serialize()), {}]]);
    // Many recipients and amounts, so mutations that keep a request valid rarely repeat one (an
    // identical airdrop waits for the next block).
    templates.set(
      "requestAirdrop",
      Array.from({ length: 64 }, (_, i) => [Keypair.generate().publicKey.toBase58(), 1_000 + i, commitment]),
    );
  });

  after(async () => {
    client?.close();
    await ledger?.close();
    const growth = heapUsedAfterGc() - heapBefore;
    console.log(`      ledger fuzz: heap growth ${(growth / 1048576).toFixed(1)} MiB (bound ${MAX_HEAP_GROWTH_BYTES / 1048576} MiB)`);
    expect(growth).to.be.below(MAX_HEAP_GROWTH_BYTES);
  });

  afterEach(() => {
    const internal = logs.filter((l) => /internal error/i.test(l));
    expect(internal, internal.join("\n").slice(0, 2_000)).to.deep.equal([]);
  });

  it("has a valid template for each of the 36 methods the ledger serves", async () => {
    expect(templates.size).to.equal(36);
    for (const [method, list] of templates) {
      const answer = await rpc(method, list[0]);
      expect(answer.error?.code, `${method}: ${JSON.stringify(answer.error)}`).to.not.equal(-32601);
    }
  });

  /** Params a method gets: mutated templates, random arrays, non-array params. */
  function paramsFor(method: string): fc.Arbitrary<unknown> {
    return fc.oneof(
      { weight: 6, arbitrary: mutatedJson(templates.get(method)!) },
      { weight: 2, arbitrary: fc.array(hostileJsonValue, { maxLength: 4 }) },
      { weight: 1, arbitrary: hostileJsonValue },
      { weight: 1, arbitrary: fc.constantFrom(...templates.get(method)!) },
    );
  }

  /** Sends `requests` (already serialized, ids 0..n−1) in packed batches and checks each answer. */
  async function sendAll(method: string, texts: string[], params: unknown[]): Promise<void> {
    const bodies = pack(texts);
    let offset = 0;
    const starts = bodies.map((b) => {
      const start = offset;
      offset += b.length;
      return start;
    });
    await inParallel(bodies, 4, async (body, i) => {
      const text = `[${body.join(",")}]`;
      const answer = await client.send("/", { method: "POST", body: text });
      if (text.length > MAX_BODY_BYTES) {
        expect(answer.status, `${method}: oversized body`).to.equal(413);
        return;
      }
      expect(answer.status, `${method}: ${answer.body.slice(0, 200)}`).to.equal(200);
      const answers = JSON.parse(answer.body) as RpcAnswer[];
      expect(answers).to.be.an("array").with.length(body.length);
      answers.forEach((a, j) => {
        const id = starts[i]! + j;
        expect(a.id, method).to.equal(id);
        checkAnswer(a, `${method}(${toJsonText(params[id]).slice(0, 300)})`);
      });
    });
  }

  describe("L1 every method with random and mutated-valid params", () => {
    for (const method of [
      "getHealth", "getVersion", "getGenesisHash", "getIdentity", "getSlotLeader", "getClusterNodes", "getSlot", "getBlockHeight",
      "getTransactionCount", "getFirstAvailableBlock", "minimumLedgerSlot", "getMaxRetransmitSlot", "getMaxShredInsertSlot",
      "getEpochInfo", "getEpochSchedule", "getBlockTime", "getLatestBlockhash", "isBlockhashValid", "getFeeForMessage",
      "getRecentPrioritizationFees", "getMinimumBalanceForRentExemption", "getBalance", "getAccountInfo", "getMultipleAccounts",
      "getProgramAccounts", "getTokenAccountBalance", "getTokenSupply", "getTokenAccountsByOwner", "getTokenAccountsByDelegate",
      "getTokenLargestAccounts", "getSignatureStatuses", "getTransaction", "getSignaturesForAddress", "simulateTransaction",
      "sendTransaction", "requestAirdrop",
    ]) {
      it(`${method}: a result or a standard JSON-RPC error for ${RUNS} params`, async () => {
        await fc.assert(
          fc.asyncProperty(fc.array(paramsFor(method), { minLength: CASES_PER_RUN, maxLength: CASES_PER_RUN }), async (params) => {
            const texts = params.map((p, id) => `{"jsonrpc":"2.0","id":${id},"method":${JSON.stringify(method)},"params":${toJsonText(p)}}`);
            await sendAll(method, texts, params);
          }),
          fcParams(Math.ceil(RUNS / CASES_PER_RUN)),
        );
      });
    }
  });

  it("answers deeply nested commitment and encoding params with -32602, not an internal error", async () => {
    let deep: unknown = "processed";
    for (let i = 0; i < 20_000; i++) deep = [deep];
    const p = payer.publicKey.toBase58();
    const cases: Array<[string, unknown[]]> = [
      ["getSlot", [{ commitment: deep }]],
      ["getBalance", [p, { preflightCommitment: deep }]],
      ["getAccountInfo", [p, { encoding: deep }]],
      ["getTransaction", [landed, { encoding: deep }]],
      ["sendTransaction", ["AA==", { encoding: deep }]],
    ];
    for (const [method, params] of cases) {
      const answer = await client.send("/", { method: "POST", body: `{"jsonrpc":"2.0","id":1,"method":"${method}","params":${toJsonText(params)}}` });
      const reply = JSON.parse(answer.body) as RpcAnswer;
      expect(reply.error?.code, `${method}: ${answer.body.slice(0, 200)}`).to.equal(-32602);
      expect(String(reply.error?.message)).to.match(/an array of 1/);
    }
  });

  it("refuses an airdrop below a new account's rent-exempt minimum with -32602, not an internal error", async () => {
    const fresh = Keypair.generate().publicKey.toBase58();
    const answer = await rpc("requestAirdrop", [fresh, 1_000]);
    expect(answer.error?.code).to.equal(-32602);
    expect(answer.error?.message).to.match(/rent/);
    expect((await rpc("requestAirdrop", [fresh, LAMPORTS_PER_SOL])).result).to.be.a("string");
  });

  describe("L2 the JSON-RPC envelope", () => {
    const METHOD_NAMES = [...Array.from({ length: 3 }, () => "getSlot"), "getBalance", "constructor", "__proto__", "toString", "hasOwnProperty", "", "accountSubscribe"];
    const request = fc.record(
      {
        jsonrpc: fc.oneof({ weight: 4, arbitrary: fc.constant("2.0") }, hostileJsonValue),
        id: fc.oneof(fc.integer(), fc.string({ maxLength: 10 }), fc.constant(null), hostileJsonValue),
        method: fc.oneof(fc.constantFrom(...METHOD_NAMES), hostileJsonValue),
        params: fc.oneof(fc.array(hostileJsonValue, { maxLength: 3 }), hostileJsonValue),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      { weight: 3, arbitrary: request.map(toJsonText) },
      fc.array(request, { minLength: 0, maxLength: 8 }).map(toJsonText),
      fc.integer({ min: MAX_BATCH + 1, max: MAX_BATCH + 20 }).map((n) => toJsonText(Array.from({ length: n }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "getSlot" })))),
      hostileJsonValue.map(toJsonText),
      fc.string({ maxLength: 200 }),
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString("latin1")),
      fc.integer({ min: 1, max: 30_000 }).map((d) => "[".repeat(d)),
      fc.integer({ min: MAX_BODY_BYTES - 10, max: MAX_BODY_BYTES + 10 }).map((n) => `"${"a".repeat(n)}"`),
    );

    it(`answers ${RUNS} hostile bodies with JSON-RPC errors, 204 or 413, never 5xx, and keeps serving`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(body, { minLength: 10, maxLength: 10 }), async (texts) => {
          await Promise.all(
            texts.map(async (text) => {
              const answer = await client.send("/", { method: "POST", body: text });
              const what = `${text.slice(0, 200)} → ${answer.status} ${answer.body.slice(0, 200)}`;
              if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
                expect(answer.status, what).to.equal(413);
                return;
              }
              expect([200, 204], what).to.include(answer.status);
              if (answer.status === 204) return;
              const parsed = JSON.parse(answer.body) as RpcAnswer | RpcAnswer[];
              for (const a of Array.isArray(parsed) ? parsed : [parsed]) checkAnswer(a, what);
            }),
          );
        }),
        fcParams(Math.ceil(RUNS / 10)),
      );
      expect((await rpc("getHealth")).result).to.equal("ok");
    });

    it("answers reserved JavaScript names as methods with -32601 over HTTP and websocket", async () => {
      for (const method of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"]) {
        expect((await rpc(method, [0])).error?.code, method).to.equal(-32601);
      }
      const ws = await WsFuzzClient.open(ledger.wsUrl);
      try {
        const id = (await ws.request("slotSubscribe", [])).result as number;
        for (const method of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"]) {
          expect((await ws.request(method, [id])).error?.code, method).to.equal(-32601);
        }
      } finally {
        ws.close();
      }
    });
  });

  describe("L3 mutated valid transactions leave the ledger unchanged", () => {
    async function state(): Promise<string> {
      const count = (await rpc("getTransactionCount")).result;
      const balances = await Promise.all([payer.publicKey.toBase58(), recipient.toBase58()].map(async (k) => ((await rpc("getBalance", [k])).result as { value: number }).value));
      return JSON.stringify({ count, balances });
    }

    for (const method of ["sendTransaction", "simulateTransaction"] as const) {
      it(`${method}: every mutation of a freshly signed transaction is refused and changes nothing`, async () => {
        const before = await state();
        let landedCount = 0;
        await fc.assert(
          fc.asyncProperty(
            fc.integer({ min: 1, max: 1_000_000 }),
            fc.array(fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()), { minLength: CASES_PER_RUN, maxLength: CASES_PER_RUN }),
            fc.infiniteStream(fc.nat()),
            async (lamports, options, seeds) => {
              // A fresh transaction per group: its blockhash is valid, so only the mutation can make it fail.
              const valid = new Uint8Array(freshTransfer(await blockhash(), lamports).serialize());
              const mutations = fc.sample(mutatedBytes([valid]), { numRuns: CASES_PER_RUN, seed: seeds.next().value as number });
              const texts = mutations.map((bytes, id) => {
                const [base58, skipPreflight, sigVerify] = options[id]!;
                const encoded = base58 ? bs58.encode(bytes) : Buffer.from(bytes).toString("base64");
                const config = { encoding: base58 ? "base58" : "base64", skipPreflight, sigVerify };
                return JSON.stringify({ jsonrpc: "2.0", id, method, params: [encoded, config] });
              });
              const answer = await client.send("/", { method: "POST", body: `[${texts.join(",")}]` });
              const answers = JSON.parse(answer.body) as RpcAnswer[];
              answers.forEach((a, id) => {
                checkAnswer(a, `${method} mutation ${id}`);
                // skipPreflight may return a signature for a transaction that is then dropped.
                if (method === "sendTransaction" && a.result !== undefined && !options[id]![1]) landedCount++;
              });
            },
          ),
          fcParams(Math.ceil(RUNS / CASES_PER_RUN)),
        );
        expect(landedCount, "no mutated transaction may pass preflight").to.equal(0);
        expect(await state(), "transaction count and balances unchanged").to.equal(before);
        // Positive control: the unmutated transaction lands and changes the state.
        const good = freshTransfer(await blockhash(), 4_242);
        const sent = await rpc("sendTransaction", [good.serialize().toString("base64"), { encoding: "base64" }]);
        expect(sent.result).to.be.a("string");
        expect(await state()).to.not.equal(before);
      });
    }
  });

  describe("L4 PubSub over the websocket", () => {
    const SUBSCRIBE: Record<string, string> = {
      accountSubscribe: "accountUnsubscribe",
      programSubscribe: "programUnsubscribe",
      signatureSubscribe: "signatureUnsubscribe",
      logsSubscribe: "logsUnsubscribe",
      slotSubscribe: "slotUnsubscribe",
      rootSubscribe: "rootUnsubscribe",
    };
    let wsTemplates: Record<string, unknown[][]>;
    before(() => {
      const p = payer.publicKey.toBase58();
      wsTemplates = {
        accountSubscribe: [[p, { encoding: "base64", commitment: "confirmed" }], [mint.toBase58(), { encoding: "jsonParsed" }]],
        programSubscribe: [[TOKEN_PROGRAM_ID.toBase58(), { encoding: "base64", filters: [{ dataSize: 165 }] }]],
        signatureSubscribe: [[landed, { commitment: "confirmed", enableReceivedNotification: true }]],
        logsSubscribe: [["all"], [{ mentions: [p] }, { commitment: "confirmed" }]],
        slotSubscribe: [[]],
        rootSubscribe: [[]],
      };
    });

    for (const [subscribe, unsubscribe] of Object.entries(SUBSCRIBE)) {
      it(`${subscribe} and ${unsubscribe}: a result or a standard error for ${RUNS} requests each`, async () => {
        const ws = await WsFuzzClient.open(ledger.wsUrl);
        try {
          await fc.assert(
            fc.asyncProperty(
              fc.array(fc.oneof({ weight: 4, arbitrary: mutatedJson(wsTemplates[subscribe]!) }, fc.array(hostileJsonValue, { maxLength: 3 }), hostileJsonValue), {
                minLength: CASES_PER_RUN,
                maxLength: CASES_PER_RUN,
              }),
              fc.array(fc.oneof(fc.integer(), hostileJsonValue), { minLength: CASES_PER_RUN, maxLength: CASES_PER_RUN }),
              async (params, unsubscribeIds) => {
                const answers = await ws.requestMany(params.map((p) => [subscribe, p]));
                const unsubscribeParams: unknown[] = [];
                answers.forEach((a, i) => {
                  const text = toJsonText(params[i]);
                  if (text.length + 60 > MAX_WS_PAYLOAD_BYTES) return; // checked below: the frame is refused
                  checkAnswer(a, `${subscribe}(${text.slice(0, 200)})`);
                  // Unsubscribe the real ones (keeps the connection under its limit) and fuzz the rest.
                  unsubscribeParams.push(typeof a.result === "number" ? [a.result] : [unsubscribeIds[i]]);
                });
                for (const a of await ws.requestMany(unsubscribeParams.map((p) => [unsubscribe, p]))) checkAnswer(a, unsubscribe);
              },
            ),
            fcParams(Math.ceil(RUNS / CASES_PER_RUN)),
          );
          expect((await ws.request("getHealth", [])).result).to.equal("ok");
        } finally {
          ws.close();
        }
      });
    }

    it(`answers ${RUNS} random frames with errors and closes only connections sending frames over 64 KiB`, async () => {
      const ws = await WsFuzzClient.open(ledger.wsUrl);
      try {
        const frame = fc.oneof(
          fc.string({ maxLength: 100 }),
          hostileJsonValue.map(toJsonText).filter((t) => t.length < MAX_WS_PAYLOAD_BYTES),
          fc.array(fc.record({ jsonrpc: fc.constant("2.0"), id: fc.nat(), method: fc.constantFrom("slotSubscribe", "x") }), { maxLength: 3 }).map(toJsonText),
        );
        await fc.assert(
          fc.asyncProperty(fc.array(frame, { minLength: CASES_PER_RUN, maxLength: CASES_PER_RUN }), async (frames) => {
            for (const text of frames) ws.socket.send(text);
            ws.socket.send(Buffer.from([1, 2, 3]), { binary: true });
            // A request after the junk is answered: the connection survived all of it.
            expect((await ws.request("getHealth", [])).result).to.equal("ok");
          }),
          fcParams(Math.ceil(RUNS / CASES_PER_RUN)),
        );
        for (const m of ws.received) {
          if ("method" in m) continue; // a notification of a subscription the junk created
          if (m.error !== undefined) expect(ALLOWED_CODES.has(m.error.code as number), JSON.stringify(m.error)).to.equal(true);
        }
      } finally {
        ws.close();
      }
      const big = await WsFuzzClient.open(ledger.wsUrl);
      const closed = new Promise<number>((resolve) => big.socket.once("close", (code) => resolve(code)));
      big.socket.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "getHealth", params: ["x".repeat(MAX_WS_PAYLOAD_BYTES)] }));
      expect(await closed).to.equal(1009); // ws: message too big
      const again = await WsFuzzClient.open(ledger.wsUrl);
      expect((await again.request("getHealth", [])).result).to.equal("ok");
      again.close();
    });
  });
});

/** A websocket JSON-RPC client that matches answers to requests by id and ignores notifications. */
class WsFuzzClient {
  readonly received: RpcAnswer[] = [];
  #nextId = 1_000_000;
  readonly #pending = new Map<number, (answer: RpcAnswer) => void>();
  private constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => {
      const parsed = JSON.parse(data.toString()) as RpcAnswer | RpcAnswer[];
      for (const m of Array.isArray(parsed) ? parsed : [parsed]) {
        if (this.received.length < 10_000) this.received.push(m);
        const resolve = typeof m.id === "number" ? this.#pending.get(m.id) : undefined;
        if (resolve !== undefined) {
          this.#pending.delete(m.id as number);
          resolve(m);
        }
      }
    });
  }

  static open(url: string): Promise<WsFuzzClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { maxPayload: 64 * 1024 * 1024 });
      socket.once("open", () => resolve(new WsFuzzClient(socket)));
      socket.once("error", reject);
    });
  }

  request(method: string, params: unknown): Promise<RpcAnswer> {
    return this.requestMany([[method, params]]).then((a) => a[0]!);
  }

  /** Sends requests whose frame fits the server's limit and waits for all their answers. */
  requestMany(calls: ReadonlyArray<readonly [string, unknown]>): Promise<RpcAnswer[]> {
    return Promise.all(
      calls.map(([method, params]) => {
        const id = this.#nextId++;
        const text = `{"jsonrpc":"2.0","id":${id},"method":${JSON.stringify(method)},"params":${toJsonText(params)}}`;
        if (text.length > 60 * 1024) return Promise.resolve({ jsonrpc: "2.0", result: "skipped: frame over the limit" } as RpcAnswer);
        return new Promise<RpcAnswer>((resolve, reject) => {
          this.#pending.set(id, resolve);
          this.socket.send(text, (err) => {
            if (err) reject(err);
          });
        });
      }),
    );
  }

  close(): void {
    this.socket.close();
  }
}
