/**
 * Typed errors of /hexcover/sync/1. `peerFault` marks what only a broken or lying peer can cause:
 * such a peer is counted and dropped from the reconciliation. Other errors (timeouts, refused
 * dials, the remote's error answers) make a peer unreachable for the round, not guilty.
 */
export abstract class SyncError extends Error {
  abstract readonly code: string;
  readonly peerFault: boolean = false;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

abstract class SyncPeerFaultError extends SyncError {
  override readonly peerFault = true;
}

/** A frame's length prefix exceeds the frame limit (or too much unread data piled up). */
export class SyncFrameTooLargeError extends SyncPeerFaultError {
  readonly code = "ERR_SYNC_FRAME_TOO_LARGE";
  constructor(
    readonly sizeBytes: number,
    readonly maxBytes: number,
  ) {
    super(`sync frame of ${sizeBytes} bytes exceeds the limit of ${maxBytes}`);
  }
}

/** A length prefix that is not a minimal varint, or a stream that ends inside a frame. */
export class SyncMalformedFrameError extends SyncPeerFaultError {
  readonly code = "ERR_SYNC_MALFORMED_FRAME";
  constructor(detail: string) {
    super(`malformed sync frame: ${detail}`);
  }
}

/** A frame whose body is not a well-formed request or response (type, lengths, ranges, order). */
export class SyncMalformedMessageError extends SyncPeerFaultError {
  readonly code = "ERR_SYNC_MALFORMED_MESSAGE";
  constructor(detail: string) {
    super(`malformed sync message: ${detail}`);
  }
}

/** A well-formed answer that does not answer the question (wrong type, epoch, buckets, order). */
export class SyncUnexpectedResponseError extends SyncPeerFaultError {
  readonly code = "ERR_SYNC_UNEXPECTED_RESPONSE";
  constructor(detail: string) {
    super(`unexpected sync response: ${detail}`);
  }
}

/** Served bytes that do not hash to an id we asked for (or the same id twice). */
export class SyncIdMismatchError extends SyncPeerFaultError {
  readonly code = "ERR_SYNC_ID_MISMATCH";
  constructor() {
    super("served message does not hash to a requested id");
  }
}

/** Served bytes that fail decoding, signature or epoch checks: an honest peer stores none. */
export class SyncInvalidMessageError extends SyncPeerFaultError {
  readonly code = "ERR_SYNC_INVALID_MESSAGE";
  constructor(readonly reason: string) {
    super(`peer served an invalid message (${reason})`);
  }
}

/** A frozen peer listed ids that do not hash to the bucket digest it announced. */
export class SyncDigestMismatchError extends SyncPeerFaultError {
  readonly code = "ERR_SYNC_DIGEST_MISMATCH";
  constructor(readonly bucket: number) {
    super(`frozen peer's ids in bucket ${bucket} do not match its announced digest`);
  }
}

/** A peer claims more ids for one epoch than any epoch can hold. */
export class SyncTooManyIdsError extends SyncPeerFaultError {
  readonly code = "ERR_SYNC_TOO_MANY_IDS";
  constructor(readonly limit: number) {
    super(`peer listed more than ${limit} ids for one epoch`);
  }
}

/** A stream carried more requests than one session may. */
export class SyncTooManyRequestsError extends SyncPeerFaultError {
  readonly code = "ERR_SYNC_TOO_MANY_REQUESTS";
  constructor(readonly limit: number) {
    super(`more than ${limit} requests on one sync stream`);
  }
}

/** No answer within the request timeout. */
export class SyncTimeoutError extends SyncError {
  readonly code = "ERR_SYNC_TIMEOUT";
  constructor(readonly timeoutMs: number) {
    super(`no sync response within ${timeoutMs} ms`);
  }
}

/** The stream ended or was reset before the answer. */
export class SyncStreamClosedError extends SyncError {
  readonly code = "ERR_SYNC_STREAM_CLOSED";
  constructor(detail: string) {
    super(`sync stream closed: ${detail}`);
  }
}

/** The remote answered with an error frame. */
export class SyncRemoteError extends SyncError {
  readonly code = "ERR_SYNC_REMOTE_ERROR";
  constructor(readonly remoteCode: number) {
    super(`peer answered with sync error ${remoteCode}`);
  }
}

/** Dialing the peer or negotiating the protocol failed. */
export class SyncDialError extends SyncError {
  readonly code = "ERR_SYNC_DIAL_FAILED";
  constructor(detail: string) {
    super(`cannot open a sync stream: ${detail}`);
  }
}

/** reconcile() arguments out of range. */
export class InvalidReconcileError extends SyncError {
  readonly code = "ERR_INVALID_RECONCILE";
  constructor(detail: string) {
    super(`invalid reconcile request: ${detail}`);
  }
}
