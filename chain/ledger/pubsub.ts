/**
 * The PubSub websocket endpoint with Agave's subscription methods and notification shapes:
 * account, program, signature, logs, slot and root subscriptions. Notifications are pushed from
 * bank events; a client that stops reading is disconnected once MAX_WS_BUFFERED_BYTES pile up.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { type AccountEncoding, type DataSlice, encodeAccount, type LedgerAccount } from "./accounts.js";
import type { Bank, TransactionRecord } from "./bank.js";
import {
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
  MAX_WS_BUFFERED_BYTES,
  MAX_WS_PAYLOAD_BYTES,
  SYSTEM_PROGRAM_ID,
} from "./constants.js";
import {
  RpcError,
  RpcInternalError,
  RpcInvalidParamsError,
  RpcInvalidRequestError,
  RpcMethodNotFoundError,
  RpcParseError,
} from "./errors.js";
import { stringifyJson } from "./json.js";
import { errorResponse, isResponse, validateRequest } from "./jsonrpc.js";
import {
  accountEncoding,
  arrayParam,
  configParam,
  dataSliceParam,
  isPubkey,
  optionalBoolean,
  type Params,
  positional,
  pubkeyParam,
  signatureParam,
} from "./params.js";
import { parseTransaction } from "./wire.js";

type Subscription =
  | { kind: "account"; id: number; conn: Connection; pubkey: string; encoding: AccountEncoding; dataSlice: DataSlice | undefined }
  | {
      kind: "program";
      id: number;
      conn: Connection;
      programId: string;
      encoding: AccountEncoding;
      dataSlice: DataSlice | undefined;
      filters: ((a: LedgerAccount) => boolean)[];
    }
  | { kind: "signature"; id: number; conn: Connection; signature: string; received: boolean }
  | { kind: "logs"; id: number; conn: Connection; mentions: string | null }
  | { kind: "slot"; id: number; conn: Connection }
  | { kind: "root"; id: number; conn: Connection };

interface Connection {
  socket: WebSocket;
  subscriptions: Map<number, Subscription>;
}

/** A Map, not an object literal: a method named "constructor" or "toString" must not resolve. */
const UNSUBSCRIBE_KIND: ReadonlyMap<string, Subscription["kind"]> = new Map([
  ["accountUnsubscribe", "account"],
  ["programUnsubscribe", "program"],
  ["signatureUnsubscribe", "signature"],
  ["logsUnsubscribe", "logs"],
  ["slotUnsubscribe", "slot"],
  ["rootUnsubscribe", "root"],
]);

const NOTIFICATION_METHOD: Readonly<Record<Subscription["kind"], string>> = {
  account: "accountNotification",
  program: "programNotification",
  signature: "signatureNotification",
  logs: "logsNotification",
  slot: "slotNotification",
  root: "rootNotification",
};

export class PubSubServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_PAYLOAD_BYTES });
  private readonly connections = new Set<Connection>();
  private readonly all = new Map<number, Subscription>();
  private nextId = 0;
  private readonly detach: () => void;

  constructor(
    private readonly bank: Bank,
    /** Program-account filters, shared with getProgramAccounts. */
    private readonly makeFilters: (value: unknown) => ((a: LedgerAccount) => boolean)[],
    private readonly onError: (err: unknown) => void,
  ) {
    this.detach = bank.addListener({
      slot: (slot, parent) => this.onSlot(slot, parent),
      received: (signature) => this.onReceived(signature),
      transaction: (record, changed) => this.onTransaction(record, changed),
    });
  }

  /** Takes over an HTTP upgrade request (from the ws port or the rpc port). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  get subscriptionCount(): number {
    return this.all.size;
  }

  private accept(socket: WebSocket): void {
    const conn: Connection = { socket, subscriptions: new Map() };
    this.connections.add(conn);
    socket.on("message", (data, isBinary) => {
      if (isBinary) {
        this.send(conn, errorResponse(new RpcParseError(), null));
        return;
      }
      this.onMessage(conn, data.toString());
    });
    socket.on("close", () => this.drop(conn));
    socket.on("error", () => this.drop(conn));
  }

  private drop(conn: Connection): void {
    for (const id of conn.subscriptions.keys()) this.all.delete(id);
    conn.subscriptions.clear();
    this.connections.delete(conn);
  }

  private send(conn: Connection, message: unknown): void {
    if (conn.socket.readyState !== conn.socket.OPEN) return;
    if (conn.socket.bufferedAmount > MAX_WS_BUFFERED_BYTES) {
      conn.socket.terminate();
      this.drop(conn);
      return;
    }
    conn.socket.send(stringifyJson(message));
  }

  private notify(sub: Subscription, result: unknown): void {
    this.send(sub.conn, {
      jsonrpc: "2.0",
      method: NOTIFICATION_METHOD[sub.kind],
      params: { result, subscription: sub.id },
    });
  }

  private onMessage(conn: Connection, text: string): void {
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      this.send(conn, errorResponse(new RpcParseError(), null));
      return;
    }
    const request = validateRequest(payload);
    if (isResponse(request)) {
      this.send(conn, request);
      return;
    }
    try {
      const { result, after } = this.dispatch(conn, request.method, positional(request.params));
      if (!request.notification) this.send(conn, { jsonrpc: "2.0", result, id: request.id });
      after?.();
    } catch (err) {
      if (request.notification) return;
      if (err instanceof RpcError) {
        this.send(conn, errorResponse(err, request.id));
      } else {
        this.onError(err);
        this.send(conn, errorResponse(new RpcInternalError("Internal error"), request.id));
      }
    }
  }

  private dispatch(conn: Connection, method: string, params: Params): { result: unknown; after?: () => void } {
    const unsubscribeKind = UNSUBSCRIBE_KIND.get(method);
    if (unsubscribeKind !== undefined) {
      const id = params[0];
      const sub = typeof id === "number" ? conn.subscriptions.get(id) : undefined;
      if (sub === undefined || sub.kind !== unsubscribeKind) throw new RpcInvalidParamsError("Invalid subscription id.");
      conn.subscriptions.delete(sub.id);
      this.all.delete(sub.id);
      return { result: true };
    }
    if (conn.subscriptions.size >= MAX_SUBSCRIPTIONS_PER_CONNECTION) {
      throw new RpcInvalidRequestError(`too many subscriptions on this connection (max ${MAX_SUBSCRIPTIONS_PER_CONNECTION})`);
    }
    const id = this.nextId++;
    let sub: Subscription;
    let after: (() => void) | undefined;
    switch (method) {
      case "accountSubscribe": {
        const pubkey = pubkeyParam(params, 0, "pubkey");
        const config = configParam(params, 1);
        sub = { kind: "account", id, conn, pubkey, encoding: accountEncoding(config, "binary"), dataSlice: dataSliceParam(config) };
        break;
      }
      case "programSubscribe": {
        const programId = pubkeyParam(params, 0, "program id");
        const config = configParam(params, 1);
        sub = {
          kind: "program",
          id,
          conn,
          programId,
          encoding: accountEncoding(config, "binary"),
          dataSlice: dataSliceParam(config),
          filters: this.makeFilters(config.filters),
        };
        break;
      }
      case "signatureSubscribe": {
        const signature = signatureParam(params[0], "signature");
        const config = configParam(params, 1);
        sub = { kind: "signature", id, conn, signature, received: optionalBoolean(config, "enableReceivedNotification", false) };
        // Already landed: answer at once (after the subscription id), then the subscription ends.
        const record = this.bank.getRecord(signature);
        if (record !== undefined) {
          const done = sub;
          after = () => this.finishSignature(done, record);
        }
        break;
      }
      case "logsSubscribe": {
        const filter = params[0];
        let mentions: string | null = null;
        if (filter === "all" || filter === "allWithVotes") mentions = null;
        else if (typeof filter === "object" && filter !== null && !Array.isArray(filter)) {
          const list = arrayParam([(filter as Record<string, unknown>).mentions], 0, "mentions", 1);
          if (list.length !== 1 || !isPubkey(list[0])) {
            throw new RpcInvalidParamsError("Invalid Request: Only 1 address supported");
          }
          mentions = list[0];
        } else throw new RpcInvalidParamsError('Invalid param: expected "all" or {mentions: [address]}');
        configParam(params, 1);
        sub = { kind: "logs", id, conn, mentions };
        break;
      }
      case "slotSubscribe":
        sub = { kind: "slot", id, conn };
        break;
      case "rootSubscribe":
        sub = { kind: "root", id, conn };
        break;
      case "getHealth":
        return { result: "ok" };
      default:
        throw new RpcMethodNotFoundError(method);
    }
    conn.subscriptions.set(id, sub);
    this.all.set(id, sub);
    return { result: id, ...(after === undefined ? {} : { after }) };
  }

  private finishSignature(sub: Subscription & { kind: "signature" }, record: TransactionRecord): void {
    if (!this.all.has(sub.id)) return;
    this.notify(sub, { context: { slot: record.slot }, value: { err: record.err } });
    sub.conn.subscriptions.delete(sub.id);
    this.all.delete(sub.id);
  }

  private onSlot(slot: bigint, parent: bigint): void {
    for (const sub of this.all.values()) {
      // No forks: every slot is rooted as soon as it is produced.
      if (sub.kind === "slot") this.notify(sub, { parent, root: slot, slot });
      else if (sub.kind === "root") this.notify(sub, slot);
    }
  }

  private onReceived(signature: string): void {
    for (const sub of this.all.values()) {
      if (sub.kind === "signature" && sub.received && sub.signature === signature) {
        this.notify(sub, { context: { slot: this.bank.slot }, value: "receivedSignature" });
      }
    }
  }

  private onTransaction(record: TransactionRecord, changed: string[]): void {
    if (this.all.size === 0) return;
    const changedSet = new Set(changed);
    let keys: string[] | null = null;
    const mintDecimals = (mint: string) => this.bank.mintDecimals(mint);
    const context = { slot: record.slot };
    for (const sub of [...this.all.values()]) {
      try {
        switch (sub.kind) {
          case "signature":
            if (sub.signature === record.signature) this.finishSignature(sub, record);
            break;
          case "account":
            if (changedSet.has(sub.pubkey)) {
              const account = this.bank.getAccount(sub.pubkey);
              // A closed account is reported as an empty system account, as Agave does.
              const value =
                account === null
                  ? { lamports: 0n, data: new Uint8Array(0), owner: SYSTEM_PROGRAM_ID, executable: false }
                  : account;
              this.notify(sub, { context, value: encodeAccount(value, sub.encoding, sub.dataSlice, mintDecimals) });
            }
            break;
          case "program":
            for (const key of changed) {
              const account = this.bank.getAccount(key);
              if (account === null || account.owner !== sub.programId || !sub.filters.every((f) => f(account))) continue;
              this.notify(sub, {
                context,
                value: { pubkey: key, account: encodeAccount(account, sub.encoding, sub.dataSlice, mintDecimals) },
              });
            }
            break;
          case "logs": {
            if (sub.mentions !== null) {
              keys ??= [
                ...parseTransaction(record.transaction).message.accountKeys,
                ...record.loadedAddresses.writable,
                ...record.loadedAddresses.readonly,
              ];
              if (!keys.includes(sub.mentions)) break;
            }
            this.notify(sub, { context, value: { signature: record.signature, err: record.err, logs: record.logs } });
            break;
          }
          default:
            break;
        }
      } catch (err) {
        // An encoding failure (e.g. base58 of a large account) must not stop other notifications.
        if (err instanceof RpcError) continue;
        this.onError(err);
      }
    }
  }

  /** Closes every client connection and stops listening to the bank. */
  close(): void {
    this.detach();
    for (const conn of this.connections) conn.socket.terminate();
    this.connections.clear();
    this.all.clear();
    this.wss.close();
  }
}
