/** Typed errors of signature verification. They cross threads as {name, code, message}. */
export abstract class VerifyError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** verify() after close(), or jobs still pending when the pool closed. */
export class VerifierClosedError extends VerifyError {
  readonly code = "ERR_VERIFIER_CLOSED";
  constructor() {
    super("the signature verifier is closed");
  }
}

/** A job's worker died more often than the retry limit allows (a job that crashes workers). */
export class WorkerCrashedError extends VerifyError {
  readonly code = "ERR_VERIFY_WORKER_CRASHED";
  constructor(readonly attempts: number) {
    super(`verification job lost ${attempts} workers`);
  }
}

/** Workers keep dying without finishing any job (e.g. the worker script cannot load). */
export class PoolBrokenError extends VerifyError {
  readonly code = "ERR_VERIFY_POOL_BROKEN";
  constructor(readonly consecutiveCrashes: number) {
    super(`verification pool is broken: ${consecutiveCrashes} workers died in a row without finishing a job`);
  }
}

/** A worker answered with {code: "error"}; the worker's own error code is kept. */
export class VerifyWorkerError extends VerifyError {
  readonly code = "ERR_VERIFY_WORKER";
  constructor(
    readonly workerCode: string,
    detail: string,
  ) {
    super(`verify worker failed (${workerCode}): ${detail}`);
  }
}

/** Pool options out of range. */
export class InvalidVerifierOptionsError extends VerifyError {
  readonly code = "ERR_INVALID_VERIFIER_OPTIONS";
  constructor(detail: string) {
    super(`invalid verifier options: ${detail}`);
  }
}
