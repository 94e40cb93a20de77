import { Keypair } from "@solana/web3.js";
import { expect } from "chai";
import {
  LedgerClosedError,
  LedgerListenError,
  LedgerOptionError,
  type LedgerOptions,
  startLedger,
} from "../../../chain/ledger/index.js";
import { startTestLedger, WsClient } from "./support.js";

async function startError(options: LedgerOptions): Promise<unknown> {
  try {
    const ledger = await startLedger(options);
    await ledger.close();
  } catch (err) {
    return err;
  }
  return null;
}

describe("chain/ledger options and lifecycle", () => {
  it("rejects ports, slot lengths and snapshot intervals out of range", async () => {
    for (const options of [
      { rpcPort: -1 },
      { rpcPort: 70_000 },
      { wsPort: 1.5 },
      { rpcPort: 0, wsPort: 0, slotMs: 5 },
      { rpcPort: 0, wsPort: 0, snapshotIntervalMs: 10 },
    ]) {
      const err = await startError(options);
      expect(err, JSON.stringify(options)).to.be.instanceOf(LedgerOptionError);
      expect((err as LedgerOptionError).code).to.equal("ERR_LEDGER_OPTION");
    }
  });

  it("reports a port already in use as LedgerListenError", async () => {
    const first = await startTestLedger();
    try {
      const err = await startError({ rpcPort: first.rpcPort, wsPort: 0 });
      expect(err).to.be.instanceOf(LedgerListenError);
      expect((err as LedgerListenError).code).to.equal("ERR_LEDGER_LISTEN");
    } finally {
      await first.close();
    }
  });

  it("also accepts websocket subscriptions on the JSON-RPC port", async () => {
    const ledger = await startTestLedger();
    const client = await WsClient.open(ledger.rpcUrl.replace("http://", "ws://"));
    try {
      client.send({ jsonrpc: "2.0", id: 1, method: "slotSubscribe" });
      const sub = (await client.waitFor((m) => m.id === 1)).result;
      const note = await client.waitFor((m) => m.method === "slotNotification");
      expect((note.params as { subscription: unknown }).subscription).to.equal(sub);
    } finally {
      client.close();
      await ledger.close();
    }
  });

  it("refuses airdrops to invalid keys, of zero lamports, and after close", async () => {
    const ledger = await startTestLedger();
    const key = Keypair.generate().publicKey.toBase58();
    let caught: unknown = null;
    await ledger.airdrop("not-a-key", 1n).catch((err: unknown) => {
      caught = err;
    });
    expect(caught).to.be.instanceOf(LedgerOptionError);
    caught = null;
    await ledger.airdrop(key, 0n).catch((err: unknown) => {
      caught = err;
    });
    expect(caught).to.be.instanceOf(LedgerOptionError);
    await ledger.close();
    await ledger.close();
    caught = null;
    await ledger.airdrop(key, 1n).catch((err: unknown) => {
      caught = err;
    });
    expect(caught).to.be.instanceOf(LedgerClosedError);
  });
});
