import { request } from "node:http";
import { Keypair } from "@solana/web3.js";
import { expect } from "chai";
import fc from "fast-check";
import type { Ledger } from "../../../chain/ledger/index.js";
import { postRaw, type RpcReply, rpc, startTestLedger, WsClient } from "./support.js";

/** Every method the ledger serves, so the fuzzer reaches the handlers and not just -32601. */
const METHODS = [
  "getAccountInfo",
  "getBalance",
  "getBlockHeight",
  "getBlockTime",
  "getEpochInfo",
  "getFeeForMessage",
  "getGenesisHash",
  "getHealth",
  "getLatestBlockhash",
  "getMinimumBalanceForRentExemption",
  "getMultipleAccounts",
  "getProgramAccounts",
  "getRecentPrioritizationFees",
  "getSignatureStatuses",
  "getSignaturesForAddress",
  "getSlot",
  "getTokenAccountBalance",
  "getTokenAccountsByOwner",
  "getTokenSupply",
  "getTransaction",
  "getVersion",
  "isBlockhashValid",
  "requestAirdrop",
  "sendTransaction",
  "simulateTransaction",
  "noSuchMethod",
];

const KNOWN_CODES = new Set([-32700, -32600, -32601, -32602, -32603, -32002, -32003, -32015, -32016]);

function expectError(reply: RpcReply, code: number): void {
  expect(reply.error, JSON.stringify(reply)).to.not.equal(undefined);
  expect(reply.error!.code).to.equal(code);
}

describe("chain/ledger JSON-RPC error handling", () => {
  let ledger: Ledger;
  const someKey = Keypair.generate().publicKey.toBase58();

  before(async () => {
    ledger = await startTestLedger();
  });

  after(async () => {
    await ledger.close();
  });

  it("answers malformed JSON with -32700 and id null", async () => {
    const res = await postRaw(ledger.rpcUrl, '{"jsonrpc":"2.0","id":1,"method":');
    expect(res.status).to.equal(200);
    expect(res.json).to.deep.include({ id: null });
    expectError(res.json as RpcReply, -32700);
  });

  it("answers requests that are not JSON-RPC 2.0 objects with -32600", async () => {
    for (const body of ["42", '"getSlot"', "null", '{"id":1,"method":"getSlot"}', '{"jsonrpc":"2.0","id":1,"method":7}']) {
      const res = await postRaw(ledger.rpcUrl, body);
      expectError(res.json as RpcReply, -32600);
    }
    const params = await postRaw(ledger.rpcUrl, '{"jsonrpc":"2.0","id":3,"method":"getSlot","params":"x"}');
    expectError(params.json as RpcReply, -32600);
    expect((params.json as RpcReply).id).to.equal(3);
  });

  it("answers unknown methods with -32601", async () => {
    expectError(await rpc(ledger, "getEverything"), -32601);
  });

  it("answers bad params with -32602", async () => {
    expectError(await rpc(ledger, "getBalance", ["not-a-key"]), -32602);
    expectError(await rpc(ledger, "getBalance", []), -32602);
    expectError(await rpc(ledger, "getBalance", [someKey, { commitment: "eventually" }]), -32602);
    const named = await postRaw(ledger.rpcUrl, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "getBalance", params: { pubkey: someKey } }));
    expectError(named.json as RpcReply, -32602);
    expectError(await rpc(ledger, "getMultipleAccounts", [Array(101).fill(someKey)]), -32602);
    const filters = Array(5).fill({ dataSize: 1 });
    expectError(await rpc(ledger, "getProgramAccounts", [someKey, { filters }]), -32602);
    expectError(await rpc(ledger, "getProgramAccounts", [someKey, { filters: [{ memcmp: { offset: -1, bytes: "1" } }] }]), -32602);
    expectError(await rpc(ledger, "requestAirdrop", [someKey, 0]), -32602);
    expectError(await rpc(ledger, "requestAirdrop", [someKey, 1.5]), -32602);
    expectError(await rpc(ledger, "sendTransaction", ["AAAA", { encoding: "base64" }]), -32602);
    expectError(await rpc(ledger, "sendTransaction", ["!!!", { encoding: "base64" }]), -32602);
    expectError(await rpc(ledger, "sendTransaction", ["A".repeat(2000), { encoding: "base64" }]), -32602);
    expectError(await rpc(ledger, "sendTransaction", ["AAAA", { encoding: "hex" }]), -32602);
    expectError(await rpc(ledger, "simulateTransaction", ["AAAA", { sigVerify: true, replaceRecentBlockhash: true }]), -32602);
    expectError(await rpc(ledger, "getSignatureStatuses", [["nope"]]), -32602);
    expectError(await rpc(ledger, "getTransaction", ["nope"]), -32602);
    expectError(await rpc(ledger, "getAccountInfo", [someKey, { encoding: "base64+zstd" }]), -32602);
  });

  it("refuses base58 for account data above 128 bytes, as Agave does", async () => {
    // The SlotHashes sysvar is far larger than 128 bytes.
    const reply = await rpc(ledger, "getAccountInfo", ["SysvarS1otHashes111111111111111111111111111", { encoding: "base58" }]);
    expectError(reply, -32600);
  });

  it("answers a minContextSlot in the future with -32016", async () => {
    expectError(await rpc(ledger, "getBalance", [someKey, { minContextSlot: 1e12 }]), -32016);
  });

  it("returns null for unknown transactions and statuses", async () => {
    const sig = "1".repeat(64);
    expect((await rpc(ledger, "getTransaction", [sig])).result).to.equal(null);
    expect((await rpc(ledger, "getSignatureStatuses", [[sig]])).result).to.deep.include({ value: [null] });
  });

  it("answers batches request by request and rejects an empty batch", async () => {
    const res = await postRaw(
      ledger.rpcUrl,
      JSON.stringify([
        { jsonrpc: "2.0", id: "a", method: "getHealth" },
        { jsonrpc: "2.0", id: "b", method: "nope" },
        { jsonrpc: "2.0", method: "getSlot" },
        17,
      ]),
    );
    const replies = res.json as RpcReply[];
    expect(replies).to.have.length(3);
    expect(replies[0]).to.deep.include({ id: "a", result: "ok" });
    expect(replies[1]!.error?.code).to.equal(-32601);
    expect(replies[2]!.error?.code).to.equal(-32600);
    const empty = await postRaw(ledger.rpcUrl, "[]");
    expectError(empty.json as RpcReply, -32600);
    const tooMany = await postRaw(ledger.rpcUrl, JSON.stringify(Array(101).fill({ jsonrpc: "2.0", id: 1, method: "getSlot" })));
    expectError(tooMany.json as RpcReply, -32602);
  });

  it("sends nothing back for notifications", async () => {
    const res = await postRaw(ledger.rpcUrl, JSON.stringify({ jsonrpc: "2.0", method: "getSlot" }));
    expect(res.status).to.equal(204);
    expect(res.text).to.equal("");
  });

  it("rejects bodies above the size limit with 413 and keeps serving", async () => {
    const res = await postRaw(ledger.rpcUrl, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "getSlot", pad: "x".repeat(60_000) }));
    expect(res.status).to.equal(413);
    expect((await rpc(ledger, "getHealth")).result).to.equal("ok");
  });

  it("rejects a chunked body without content-length once it passes the limit", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(ledger.rpcUrl, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      // Keep writing until the server answers; it must not wait for the end of the body.
      const chunk = "x".repeat(16 * 1024);
      for (let i = 0; i < 8; i++) req.write(chunk);
    });
    expect(status).to.equal(413);
    expect((await rpc(ledger, "getHealth")).result).to.equal("ok");
  });

  it("answers deeply nested JSON without crashing", async () => {
    const deep = `${"[".repeat(20_000)}${"]".repeat(20_000)}`;
    const res = await postRaw(ledger.rpcUrl, deep);
    expect(res.status).to.equal(200);
    expect((await rpc(ledger, "getHealth")).result).to.equal("ok");
  });

  it("serves GET /health and refuses other HTTP methods", async () => {
    const health = await fetch(`${ledger.rpcUrl}/health`);
    expect(await health.text()).to.equal("ok");
    const get = await fetch(`${ledger.rpcUrl}/`);
    expect(get.status).to.equal(405);
  });

  it("survives random request bodies and keeps answering (fuzz)", async () => {
    const request = fc.record(
      {
        jsonrpc: fc.oneof(fc.constant("2.0"), fc.jsonValue()),
        id: fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.jsonValue()),
        method: fc.oneof(fc.constantFrom(...METHODS), fc.jsonValue()),
        params: fc.oneof(fc.array(fc.jsonValue(), { maxLength: 4 }), fc.jsonValue()),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      request.map((r) => JSON.stringify(r)),
      fc.array(request, { maxLength: 4 }).map((r) => JSON.stringify(r)),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 200 }),
    );
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const res = await postRaw(ledger.rpcUrl, text);
        expect([200, 204]).to.include(res.status);
        if (res.status === 204) return;
        const replies = (Array.isArray(res.json) ? res.json : [res.json]) as RpcReply[];
        for (const reply of replies) {
          expect(reply).to.have.property("jsonrpc", "2.0");
          if (reply.error !== undefined) expect(KNOWN_CODES.has(reply.error.code), JSON.stringify(reply)).to.equal(true);
          // An internal error would mean a handler threw something unexpected.
          expect(reply.error?.code, JSON.stringify(reply)).to.not.equal(-32603);
        }
      }),
      { numRuns: 300 },
    );
    expect((await rpc(ledger, "getHealth")).result).to.equal("ok");
  });
});

describe("chain/ledger websocket error handling", () => {
  let ledger: Ledger;
  let client: WsClient;

  before(async () => {
    ledger = await startTestLedger();
    client = await WsClient.open(ledger.wsUrl);
  });

  after(async () => {
    client.close();
    await ledger.close();
  });

  it("answers malformed, unknown and ill-formed subscription requests with their error codes", async () => {
    client.send("{not json");
    const parse = await client.waitFor((m) => (m.error as { code?: number } | undefined)?.code === -32700);
    expect(parse.id).to.equal(null);
    client.send({ jsonrpc: "2.0", id: 11, method: "blockSubscribeEverything" });
    expect(((await client.waitFor((m) => m.id === 11)).error as { code: number }).code).to.equal(-32601);
    client.send({ jsonrpc: "2.0", id: 12, method: "signatureSubscribe", params: ["bad"] });
    expect(((await client.waitFor((m) => m.id === 12)).error as { code: number }).code).to.equal(-32602);
    client.send({ jsonrpc: "2.0", id: 13, method: "accountUnsubscribe", params: [987654] });
    expect(((await client.waitFor((m) => m.id === 13)).error as { code: number }).code).to.equal(-32602);
  });

  it("subscribes and unsubscribes accounts", async () => {
    const key = Keypair.generate().publicKey.toBase58();
    client.send({ jsonrpc: "2.0", id: 21, method: "accountSubscribe", params: [key, { encoding: "base64" }] });
    const id = (await client.waitFor((m) => m.id === 21)).result;
    expect(id).to.be.a("number");
    await ledger.airdrop(key, 5_000_000n);
    const note = await client.waitFor((m) => m.method === "accountNotification");
    const params = note.params as { subscription: number; result: { value: { lamports: number } } };
    expect(params.subscription).to.equal(id);
    expect(params.result.value.lamports).to.equal(5_000_000);
    client.send({ jsonrpc: "2.0", id: 22, method: "accountUnsubscribe", params: [id] });
    expect((await client.waitFor((m) => m.id === 22)).result).to.equal(true);
  });

  it("keeps the connection usable after random messages (fuzz)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 100 }), fc.jsonValue().map((v) => JSON.stringify(v))), async (text) => {
        client.send(text);
      }),
      { numRuns: 200 },
    );
    client.send({ jsonrpc: "2.0", id: 99, method: "slotSubscribe" });
    expect((await client.waitFor((m) => m.id === 99)).result).to.be.a("number");
  });
});
