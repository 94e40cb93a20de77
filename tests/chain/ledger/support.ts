/**
 * Shared pieces of the ledger tests: a ledger on ephemeral ports, web3.js connections to it, and
 * raw JSON-RPC over HTTP and websocket for the cases client libraries cannot produce.
 */
import { Connection } from "@solana/web3.js";
import WebSocket from "ws";
import { type Ledger, type LedgerOptions, startLedger } from "../../../chain/ledger/index.js";

/** Fast slots keep the tests short; the time model is the same at any slot length. */
export const TEST_SLOT_MS = 50;

export function startTestLedger(options: LedgerOptions = {}): Promise<Ledger> {
  return startLedger({ rpcPort: 0, wsPort: 0, slotMs: TEST_SLOT_MS, fsync: false, ...options });
}

export function connect(ledger: Ledger): Connection {
  return new Connection(ledger.rpcUrl, { wsEndpoint: ledger.wsUrl, commitment: "confirmed" });
}

/**
 * web3.js keeps reconnecting its websocket forever once the server goes away; an explicit close
 * (code 1000) stops that. There is no public API for it.
 */
export function disconnect(connection: Connection): void {
  const internal = connection as unknown as { _rpcWebSocket: { close(): void; setAutoReconnect(on: boolean): void } };
  internal._rpcWebSocket.setAutoReconnect(false);
  try {
    internal._rpcWebSocket.close();
  } catch {
    // never connected
  }
}

export interface RawResponse {
  status: number;
  text: string;
  json: unknown;
}

export async function postRaw(url: string, body: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, text, json };
}

export interface RpcReply {
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
  id?: unknown;
}

export async function rpc(ledger: Ledger, method: string, params?: unknown[]): Promise<RpcReply> {
  const res = await postRaw(ledger.rpcUrl, JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }));
  return res.json as RpcReply;
}

/** A websocket client that collects every message it receives. */
export class WsClient {
  readonly messages: Record<string, unknown>[] = [];
  private waiters: (() => void)[] = [];
  private constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => {
      this.messages.push(JSON.parse(data.toString()) as Record<string, unknown>);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static open(url: string): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once("open", () => resolve(new WsClient(socket)));
      socket.once("error", reject);
    });
  }

  send(message: unknown): void {
    this.socket.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** Waits for a message matching `predicate` (already received or future). */
  async waitFor(predicate: (m: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    for (;;) {
      const found = this.messages.find(predicate);
      if (found !== undefined) return found;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  close(): void {
    this.socket.close();
  }
}

/** Polls `read` until `done` holds for its value (no timing assumptions; mocha's timeout bounds it). */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, pauseMs = 20): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, pauseMs));
  }
}
