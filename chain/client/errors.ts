import { COVERAGE_REWARDS_IDL } from "./constants.js";

const ERRORS_BY_CODE = new Map<number, { name: string; msg: string }>(
  (COVERAGE_REWARDS_IDL.errors as Array<{ code: number; name: string; msg: string }>).map((e) => [e.code, { name: e.name, msg: e.msg }]),
);

/** A coverage_rewards program error (code from 6000, name as in the IDL), or a runtime failure. */
export class CoverageRewardsError extends Error {
  constructor(
    /** The program's error code, or undefined when the failure is not a custom program error. */
    readonly code: number | undefined,
    /** The IDL error name, e.g. "NotAValidator", or "Unknown". */
    readonly errorName: string,
    message: string,
    readonly logs: readonly string[] = [],
  ) {
    super(message);
    this.name = "CoverageRewardsError";
  }
}

/** Finds "custom program error: 0x…" in an error or its logs and names it from the IDL. */
export function toCoverageRewardsError(err: unknown): CoverageRewardsError {
  if (err instanceof CoverageRewardsError) return err;
  const anyErr = err as { code?: unknown; error?: { errorCode?: { number?: number } }; logs?: string[]; transactionLogs?: string[]; message?: string };
  const logs = anyErr?.logs ?? anyErr?.transactionLogs ?? [];
  let code: number | undefined;
  if (typeof anyErr?.code === "number") code = anyErr.code;
  else if (typeof anyErr?.error?.errorCode?.number === "number") code = anyErr.error.errorCode.number;
  if (code === undefined) {
    const text = [anyErr?.message ?? String(err), ...logs].join("\n");
    const match = /custom program error: 0x([0-9a-f]+)/i.exec(text);
    if (match) code = Number.parseInt(match[1]!, 16);
  }
  const known = code === undefined ? undefined : ERRORS_BY_CODE.get(code);
  const message = known ? `${known.name} (${code}): ${known.msg}` : (anyErr?.message ?? String(err));
  return new CoverageRewardsError(code, known?.name ?? "Unknown", message, logs);
}

export function errorCodeOf(name: string): number {
  for (const [code, e] of ERRORS_BY_CODE) if (e.name === name) return code;
  throw new Error(`no program error named ${name}`);
}
