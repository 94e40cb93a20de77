/**
 * startLedger: the bank behind a JSON-RPC HTTP endpoint and a PubSub websocket endpoint, with a
 * slot clock, periodic snapshots and a journal. See docs/LEDGER.md.
 */
import { existsSync } from "node:fs";
import type { Server } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Bank } from "./bank.js";
import {
  DEFAULT_HOST,
  DEFAULT_RPC_PORT,
  DEFAULT_SLOT_MS,
  DEFAULT_SNAPSHOT_INTERVAL_MS,
  DEFAULT_WS_PORT,
  FAUCET_MAX_REQUEST_LAMPORTS,
} from "./constants.js";
import { JournalReplayMismatchError, LedgerClosedError, LedgerListenError, LedgerOptionError, ProgramDeployError } from "./errors.js";
import { createRpcHttpServer } from "./http.js";
import { JsonRpcDispatcher } from "./jsonrpc.js";
import { isPubkey } from "./params.js";
import { PubSubServer } from "./pubsub.js";
import { createRpcMethods, programAccountFilters, requestAirdrop } from "./rpc.js";
import { LedgerStore } from "./store.js";

/** Fewest milliseconds per slot we accept: below this the tick timer cannot keep up. */
const MIN_SLOT_MS = 10;
/** Fewest milliseconds between snapshots (each one serializes the whole VM). */
const MIN_SNAPSHOT_INTERVAL_MS = 100;
/** The slot timer runs this many times per slot so slot starts are late by at most a quarter slot. */
const TICKS_PER_SLOT = 4;

export interface ProgramToDeploy {
  /** Program id, base58. */
  programId: string;
  /** Path to the compiled SBF shared object. */
  soPath: string;
}

export interface LedgerOptions {
  host?: string;
  /** JSON-RPC port; 0 picks a free port. */
  rpcPort?: number;
  /** PubSub websocket port; 0 picks a free port. The websocket is also served on the RPC port. */
  wsPort?: number;
  /** Where snapshot and journal live; without it the ledger is in memory only. */
  dataDir?: string;
  /** Programs deployed (or replaced) at every start. */
  programs?: ProgramToDeploy[];
  slotMs?: number;
  snapshotIntervalMs?: number;
  /** fdatasync the journal after every transaction (default true). */
  fsync?: boolean;
  /** Diagnostics (internal errors, snapshot failures); silent by default. */
  log?: (line: string) => void;
}

export interface Ledger {
  readonly rpcUrl: string;
  readonly wsUrl: string;
  readonly rpcPort: number;
  readonly wsPort: number;
  readonly genesisHash: string;
  /** The faucet that requestAirdrop pays from, base58. */
  readonly faucet: string;
  /** Current slot and block height. */
  slot(): bigint;
  blockHeight(): bigint;
  /** Same as the requestAirdrop RPC; resolves to the (already final) transaction signature. */
  airdrop(pubkey: string, lamports: bigint): Promise<string>;
  /** Writes a snapshot now (no-op without dataDir). */
  snapshot(): void;
  /** Stops serving, writes a final snapshot and releases the data directory. Idempotent. */
  close(): Promise<void>;
}

function checkPort(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    throw new LedgerOptionError(name, `must be an integer port between 0 and 65535, got ${value}`);
  }
  return value;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off("listening", onListening);
      reject(new LedgerListenError(`${host}:${port}`, err.message));
    };
    const onListening = () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, host);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

export async function startLedger(options: LedgerOptions = {}): Promise<Ledger> {
  const host = options.host ?? DEFAULT_HOST;
  const rpcPort = checkPort("rpcPort", options.rpcPort ?? DEFAULT_RPC_PORT);
  const wsPort = checkPort("wsPort", options.wsPort ?? DEFAULT_WS_PORT);
  const slotMs = options.slotMs ?? DEFAULT_SLOT_MS;
  if (!Number.isInteger(slotMs) || slotMs < MIN_SLOT_MS) {
    throw new LedgerOptionError("slotMs", `must be an integer of at least ${MIN_SLOT_MS} ms`);
  }
  const snapshotIntervalMs = options.snapshotIntervalMs ?? DEFAULT_SNAPSHOT_INTERVAL_MS;
  if (!Number.isInteger(snapshotIntervalMs) || snapshotIntervalMs < MIN_SNAPSHOT_INTERVAL_MS) {
    throw new LedgerOptionError("snapshotIntervalMs", `must be an integer of at least ${MIN_SNAPSHOT_INTERVAL_MS} ms`);
  }
  const programs = options.programs ?? [];
  for (const program of programs) {
    if (!isPubkey(program.programId)) throw new LedgerOptionError("programs", `${program.programId} is not a public key`);
    if (!existsSync(program.soPath)) throw new ProgramDeployError(program.programId, program.soPath, "file not found");
  }
  const log = options.log ?? (() => {});

  // State: snapshot + journal replay, or a new genesis.
  const store = options.dataDir === undefined ? null : new LedgerStore(options.dataDir, options.fsync ?? true);
  const stored = store?.readSnapshot() ?? null;
  const bank = stored === null ? Bank.genesis(slotMs, Date.now()) : Bank.restore(stored.vm, stored.meta, stored.records, slotMs);
  if (store !== null) {
    for (const entry of store.readJournal(stored?.journalSeq ?? 0)) {
      const { signature, matched } = bank.replay(entry);
      if (!matched) {
        store.close();
        throw new JournalReplayMismatchError(signature, `journal says ${entry.ok ? "success" : "failure"}`);
      }
    }
  }
  for (const program of programs) bank.deployProgram(program.programId, program.soPath);
  bank.tick(Date.now());
  let snapshotSeq = -1;
  const snapshot = () => {
    if (store === null) return;
    try {
      store.writeSnapshot(bank.meta(), bank.transactionRecords(), bank.vmBytes());
      snapshotSeq = store.sequence;
    } catch (err) {
      // The journal still has every transaction; the next snapshot retries.
      log(`ledger: snapshot failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  // A fresh baseline: replayed entries and newly deployed programs are in it, the journal restarts.
  snapshot();
  if (store !== null) bank.addListener({ commit: (entry) => store.append(entry) });

  // Servers.
  const onInternalError = (err: unknown, where: string) =>
    log(`ledger: internal error in ${where}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  let rpcAddress: string | null = null;
  const dispatcher = new JsonRpcDispatcher(
    createRpcMethods({ bank, rpcAddress: () => rpcAddress }),
    onInternalError,
  );
  const pubsub = new PubSubServer(bank, programAccountFilters, (err) => onInternalError(err, "pubsub"));
  const rpcServer = createRpcHttpServer(dispatcher, (err) => onInternalError(err, "http"));
  const shareWs = wsPort !== 0 && wsPort === rpcPort;
  const wsServer = shareWs
    ? null
    : createServer((_req, res) => {
        res.writeHead(426, { "content-type": "text/plain" });
        res.end("websocket endpoint: upgrade required");
      });
  for (const server of [rpcServer, wsServer]) {
    server?.on("upgrade", (req, socket, head) => pubsub.handleUpgrade(req, socket, head));
    server?.on("clientError", (_err, socket) => socket.destroy());
  }
  let actualRpcPort: number;
  let actualWsPort: number;
  try {
    actualRpcPort = await listen(rpcServer, rpcPort, host);
    actualWsPort = wsServer === null ? actualRpcPort : await listen(wsServer, wsPort, host);
  } catch (err) {
    pubsub.close();
    await closeServer(rpcServer);
    if (wsServer !== null) await closeServer(wsServer);
    store?.close();
    throw err;
  }
  rpcAddress = `${host}:${actualRpcPort}`;
  // Errors after start (e.g. out of file descriptors) are reported, never thrown from an emitter.
  for (const server of [rpcServer, wsServer]) server?.on("error", (err) => onInternalError(err, "server"));

  const slotTimer = setInterval(() => {
    try {
      bank.tick(Date.now());
    } catch (err) {
      // A throw here would be uncaught and end the process; the next tick retries.
      onInternalError(err, "slot clock");
    }
  }, Math.max(1, Math.floor(slotMs / TICKS_PER_SLOT)));
  // Periodic snapshots only when transactions landed since the last one: slot and height follow
  // wall time after a restart anyway, so an idle ledger has nothing new to save.
  const snapshotTimer =
    store === null
      ? null
      : setInterval(() => {
          if (store.sequence !== snapshotSeq) snapshot();
        }, snapshotIntervalMs);
  let closed = false;
  let closing: Promise<void> | null = null;

  return {
    rpcUrl: `http://${urlHost(host)}:${actualRpcPort}`,
    wsUrl: `ws://${urlHost(host)}:${actualWsPort}`,
    rpcPort: actualRpcPort,
    wsPort: actualWsPort,
    genesisHash: bank.genesisHash,
    faucet: bank.faucet.publicKey.toBase58(),
    slot: () => bank.slot,
    blockHeight: () => bank.blockHeight,
    airdrop: (pubkey, lamports) => {
      if (closed) return Promise.reject(new LedgerClosedError());
      if (!isPubkey(pubkey)) return Promise.reject(new LedgerOptionError("airdrop", `${pubkey} is not a public key`));
      if (lamports <= 0n || lamports > FAUCET_MAX_REQUEST_LAMPORTS) {
        return Promise.reject(
          new LedgerOptionError("airdrop", `lamports must be between 1 and ${FAUCET_MAX_REQUEST_LAMPORTS}`),
        );
      }
      return requestAirdrop(bank, pubkey, lamports);
    },
    snapshot,
    close: () => {
      closing ??= (async () => {
        closed = true;
        clearInterval(slotTimer);
        if (snapshotTimer !== null) clearInterval(snapshotTimer);
        pubsub.close();
        await closeServer(rpcServer);
        if (wsServer !== null) await closeServer(wsServer);
        snapshot();
        store?.close();
      })();
      return closing;
    },
  };
}
