/**
 * Typed errors of the local ledger. Two families:
 * - `LedgerError`: failures of the ledger itself (bad options, unreadable snapshot or journal,
 *   malformed transaction bytes). Callers match on `code` or `name`.
 * - `RpcError`: failures answered to a JSON-RPC client; `rpcCode` is the number on the wire
 *   (the JSON-RPC 2.0 codes and Agave's server error codes), `data` goes into `error.data`.
 */
export abstract class LedgerError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** An option passed to startLedger or the CLI is out of range or malformed. */
export class LedgerOptionError extends LedgerError {
  readonly code = "ERR_LEDGER_OPTION";
  constructor(
    readonly option: string,
    detail: string,
  ) {
    super(`invalid ledger option ${option}: ${detail}`);
  }
}

/** A program to deploy could not be read or loaded by the VM. */
export class ProgramDeployError extends LedgerError {
  readonly code = "ERR_PROGRAM_DEPLOY";
  constructor(
    readonly programId: string,
    readonly soPath: string,
    detail: string,
  ) {
    super(`cannot deploy program ${programId} from ${soPath}: ${detail}`);
  }
}

/** The snapshot file exists but is not a snapshot this build wrote (bad magic, checksum, version). */
export class SnapshotCorruptError extends LedgerError {
  readonly code = "ERR_SNAPSHOT_CORRUPT";
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`ledger snapshot ${path} is unusable: ${detail}`);
  }
}

/** A journal record before the last one is damaged: replaying past it would fork the state. */
export class JournalCorruptError extends LedgerError {
  readonly code = "ERR_JOURNAL_CORRUPT";
  constructor(
    readonly path: string,
    readonly line: number,
    detail: string,
  ) {
    super(`ledger journal ${path} line ${line} is damaged: ${detail}`);
  }
}

/** A replayed journal record produced a different outcome than when it was first executed. */
export class JournalReplayMismatchError extends LedgerError {
  readonly code = "ERR_JOURNAL_REPLAY_MISMATCH";
  constructor(
    readonly signature: string,
    detail: string,
  ) {
    super(`replaying transaction ${signature} diverged: ${detail}`);
  }
}

/** Transaction bytes do not follow the Solana wire format. */
export class MalformedTransactionError extends LedgerError {
  readonly code = "ERR_MALFORMED_TRANSACTION";
  constructor(detail: string) {
    super(`malformed transaction: ${detail}`);
  }
}

/** The ledger was used after close(). */
export class LedgerClosedError extends LedgerError {
  readonly code = "ERR_LEDGER_CLOSED";
  constructor() {
    super("the ledger is closed");
  }
}

/** Base of errors sent back to JSON-RPC clients. */
export abstract class RpcError extends Error {
  abstract readonly code: string;
  abstract readonly rpcCode: number;
  readonly data: unknown;
  constructor(message: string, data?: unknown) {
    super(message);
    this.name = new.target.name;
    this.data = data;
  }
}

/** -32700: the body is not JSON. */
export class RpcParseError extends RpcError {
  readonly code = "ERR_RPC_PARSE";
  readonly rpcCode = -32700;
  constructor() {
    super("Parse error");
  }
}

/** -32600: JSON, but not a JSON-RPC 2.0 request object. */
export class RpcInvalidRequestError extends RpcError {
  readonly code = "ERR_RPC_INVALID_REQUEST";
  readonly rpcCode = -32600;
  constructor(detail?: string) {
    super(detail === undefined ? "Invalid request" : `Invalid request: ${detail}`);
  }
}

/** -32601: no such method. */
export class RpcMethodNotFoundError extends RpcError {
  readonly code = "ERR_RPC_METHOD_NOT_FOUND";
  readonly rpcCode = -32601;
  constructor(readonly method: string) {
    super("Method not found");
  }
}

/** -32602: the method exists but its params are wrong. */
export class RpcInvalidParamsError extends RpcError {
  readonly code = "ERR_RPC_INVALID_PARAMS";
  readonly rpcCode = -32602;
}

/** -32603: a bug or VM failure; the request may be retried. */
export class RpcInternalError extends RpcError {
  readonly code = "ERR_RPC_INTERNAL";
  readonly rpcCode = -32603;
}

/** -32002 (Agave JSON_RPC_SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE): preflight failed. */
export class RpcPreflightFailureError extends RpcError {
  readonly code = "ERR_RPC_PREFLIGHT_FAILURE";
  readonly rpcCode = -32002;
}

/** -32003 (Agave ..._TRANSACTION_SIGNATURE_VERIFICATION_FAILURE). */
export class RpcSignatureVerificationError extends RpcError {
  readonly code = "ERR_RPC_SIGNATURE_VERIFICATION";
  readonly rpcCode = -32003;
  constructor() {
    super("Transaction signature verification failure");
  }
}

/** -32015 (Agave ..._UNSUPPORTED_TRANSACTION_VERSION): the client did not allow version 0. */
export class RpcUnsupportedTransactionVersionError extends RpcError {
  readonly code = "ERR_RPC_UNSUPPORTED_TRANSACTION_VERSION";
  readonly rpcCode = -32015;
  constructor(readonly version: number) {
    super(
      `Transaction version (${version}) is not supported by the requesting client. ` +
        "Please try the request again with the following configuration parameter: " +
        '"maxSupportedTransactionVersion": 0',
    );
  }
}

/** -32016 (Agave ..._MIN_CONTEXT_SLOT_NOT_REACHED). */
export class RpcMinContextSlotError extends RpcError {
  readonly code = "ERR_RPC_MIN_CONTEXT_SLOT";
  readonly rpcCode = -32016;
  constructor(contextSlot: bigint) {
    super("Minimum context slot has not been reached", { contextSlot });
  }
}

/** A server socket could not be opened (port in use, address not available). */
export class LedgerListenError extends LedgerError {
  readonly code = "ERR_LEDGER_LISTEN";
  constructor(
    readonly endpoint: string,
    detail: string,
  ) {
    super(`cannot listen on ${endpoint}: ${detail}`);
  }
}
