/**
 * Typed errors of the epoch store. Callers (ingest counters, sync, tests) match on `code`.
 */
export abstract class StoreError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Epoch configuration that cannot define a schedule (non-integer, zero length, negative grace). */
export class InvalidEpochConfigError extends StoreError {
  readonly code = "ERR_INVALID_EPOCH_CONFIG";
  constructor(detail: string) {
    super(`invalid epoch configuration: ${detail}`);
  }
}

/** A message's own timestamp lies before the genesis of epoch 0. */
export class BeforeGenesisError extends StoreError {
  readonly code = "ERR_BEFORE_GENESIS";
  constructor(
    readonly timestampMs: number,
    readonly genesisMs: number,
  ) {
    super(`timestamp ${timestampMs} is before genesis ${genesisMs}`);
  }
}

/** An epoch number outside 0..MAX_EPOCH (keys store it as a big-endian u32). */
export class EpochOutOfRangeError extends StoreError {
  readonly code = "ERR_EPOCH_OUT_OF_RANGE";
  constructor(readonly epoch: number) {
    super(`epoch ${epoch} is out of range`);
  }
}

/** The message belongs to an epoch that is already frozen: it arrived too late to count. */
export class LateEpochError extends StoreError {
  readonly code = "ERR_LATE_EPOCH";
  constructor(readonly epoch: number) {
    super(`epoch ${epoch} is frozen; message arrived too late`);
  }
}

/** A value larger than any wire message; the store never holds anything else. */
export class StoreValueTooLargeError extends StoreError {
  readonly code = "ERR_STORE_VALUE_TOO_LARGE";
  constructor(
    readonly sizeBytes: number,
    readonly maxBytes: number,
  ) {
    super(`value of ${sizeBytes} bytes exceeds the store limit of ${maxBytes}`);
  }
}

/** The database write (or its flush to disk) failed; nothing was acknowledged. */
export class StoreWriteError extends StoreError {
  readonly code = "ERR_STORE_FAILED";
  constructor(detail: string) {
    super(`store write failed: ${detail}`);
  }
}

/** Used after close(). */
export class StoreClosedError extends StoreError {
  readonly code = "ERR_STORE_CLOSED";
  constructor() {
    super("the epoch store is closed");
  }
}

/** Bytes read back from disk no longer decode, or their key does not match their content. */
export class CorruptRecordError extends StoreError {
  readonly code = "ERR_CORRUPT_RECORD";
  constructor(detail: string) {
    super(`corrupt store record: ${detail}`);
  }
}

/** A metadata name or number the store cannot hold. */
export class InvalidMetaError extends StoreError {
  readonly code = "ERR_INVALID_META";
  constructor(detail: string) {
    super(`invalid metadata: ${detail}`);
  }
}
