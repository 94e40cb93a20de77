/**
 * Converts litesvm's transaction errors into the JSON shape Agave's RPC sends (serde's encoding
 * of `TransactionError`: a bare string for fieldless variants, `{"InstructionError":[0,{"Custom":6000}]}`
 * and so on), plus the human-readable text Agave puts into error messages.
 *
 * The name tables follow the order of litesvm 1.5's `TransactionErrorFieldless` and
 * `InstructionErrorFieldless` enums (dist/internal.d.ts); the enums are const enums and cannot be
 * read at runtime under isolated modules, hence the copies.
 */

/** JSON form of a transaction error as clients expect it. */
export type TransactionErrorJson = string | Record<string, unknown>;

const TRANSACTION_ERROR_NAMES = [
  "AccountInUse",
  "AccountLoadedTwice",
  "AccountNotFound",
  "ProgramAccountNotFound",
  "InsufficientFundsForFee",
  "InvalidAccountForFee",
  "AlreadyProcessed",
  "BlockhashNotFound",
  "CallChainTooDeep",
  "MissingSignatureForFee",
  "InvalidAccountIndex",
  "SignatureFailure",
  "InvalidProgramForExecution",
  "SanitizeFailure",
  "ClusterMaintenance",
  "AccountBorrowOutstanding",
  "WouldExceedMaxBlockCostLimit",
  "UnsupportedVersion",
  "InvalidWritableAccount",
  "WouldExceedMaxAccountCostLimit",
  "WouldExceedAccountDataBlockLimit",
  "TooManyAccountLocks",
  "AddressLookupTableNotFound",
  "InvalidAddressLookupTableOwner",
  "InvalidAddressLookupTableData",
  "InvalidAddressLookupTableIndex",
  "InvalidRentPayingAccount",
  "WouldExceedMaxVoteCostLimit",
  "WouldExceedAccountDataTotalLimit",
  "MaxLoadedAccountsDataSizeExceeded",
  "ResanitizationNeeded",
  "InvalidLoadedAccountsDataSizeLimit",
  "UnbalancedTransaction",
  "ProgramCacheHitMaxLimit",
  "CommitCancelled",
] as const;

const INSTRUCTION_ERROR_NAMES = [
  "GenericError",
  "InvalidArgument",
  "InvalidInstructionData",
  "InvalidAccountData",
  "AccountDataTooSmall",
  "InsufficientFunds",
  "IncorrectProgramId",
  "MissingRequiredSignature",
  "AccountAlreadyInitialized",
  "UninitializedAccount",
  "UnbalancedInstruction",
  "ModifiedProgramId",
  "ExternalAccountLamportSpend",
  "ExternalAccountDataModified",
  "ReadonlyLamportChange",
  "ReadonlyDataModified",
  "DuplicateAccountIndex",
  "ExecutableModified",
  "RentEpochModified",
  "NotEnoughAccountKeys",
  "AccountDataSizeChanged",
  "AccountNotExecutable",
  "AccountBorrowFailed",
  "AccountBorrowOutstanding",
  "DuplicateAccountOutOfSync",
  "InvalidError",
  "ExecutableDataModified",
  "ExecutableLamportChange",
  "ExecutableAccountNotRentExempt",
  "UnsupportedProgramId",
  "CallDepth",
  "MissingAccount",
  "ReentrancyNotAllowed",
  "MaxSeedLengthExceeded",
  "InvalidSeeds",
  "InvalidRealloc",
  "ComputationalBudgetExceeded",
  "PrivilegeEscalation",
  "ProgramEnvironmentSetupFailure",
  "ProgramFailedToComplete",
  "ProgramFailedToCompile",
  "Immutable",
  "IncorrectAuthority",
  "AccountNotRentExempt",
  "InvalidAccountOwner",
  "ArithmeticOverflow",
  "UnsupportedSysvar",
  "IllegalOwner",
  "MaxAccountsDataAllocationsExceeded",
  "MaxAccountsExceeded",
  "MaxInstructionTraceLengthExceeded",
  "BuiltinProgramsMustConsumeComputeUnits",
  "BorshIoError",
] as const;

/** Agave's Display text for the transaction errors clients meet most (others show their name). */
const TRANSACTION_ERROR_TEXT: Readonly<Record<string, string>> = {
  AccountInUse: "Account in use",
  AccountLoadedTwice: "Account loaded twice",
  AccountNotFound: "Attempt to debit an account but found no record of a prior credit.",
  ProgramAccountNotFound: "Attempt to load a program that does not exist",
  InsufficientFundsForFee: "Insufficient funds for fee",
  InvalidAccountForFee: "This account may not be used to pay transaction fees",
  AlreadyProcessed: "This transaction has already been processed",
  BlockhashNotFound: "Blockhash not found",
  SignatureFailure: "Transaction did not pass signature verification",
  SanitizeFailure: "Transaction failed to sanitize accounts offsets correctly",
  InvalidProgramForExecution: "Attempt to load a program that does not exist",
  UnsupportedVersion: "Transaction version is unsupported",
};

/** Agave's Display text for fieldless instruction errors that differ from their name. */
const INSTRUCTION_ERROR_TEXT: Readonly<Record<string, string>> = {
  GenericError: "generic instruction error",
  InvalidArgument: "invalid program argument",
  InvalidInstructionData: "invalid instruction data",
  InvalidAccountData: "invalid account data for instruction",
  AccountDataTooSmall: "account data too small for instruction",
  InsufficientFunds: "insufficient funds for instruction",
  IncorrectProgramId: "incorrect program id for instruction",
  MissingRequiredSignature: "missing required signature for instruction",
  AccountAlreadyInitialized: "instruction requires an uninitialized account",
  UninitializedAccount: "instruction requires an initialized account",
  NotEnoughAccountKeys: "insufficient account keys for instruction",
  ComputationalBudgetExceeded: "Computational budget exceeded",
  PrivilegeEscalation: "Cross-program invocation with unauthorized signer or writable account",
  ProgramFailedToComplete: "Program failed to complete",
  InvalidSeeds: "Provided seeds do not result in a valid address",
  IllegalOwner: "Provided owner is not allowed",
  AccountNotRentExempt: "An account does not have enough lamports to be rent-exempt",
  InvalidAccountOwner: "Invalid account owner",
  ArithmeticOverflow: "Program arithmetic overflowed",
};

/** A transaction error in both forms: JSON for `err` fields and text for messages. */
export interface DescribedError {
  json: TransactionErrorJson;
  text: string;
}

export function fieldlessTransactionError(name: (typeof TRANSACTION_ERROR_NAMES)[number]): DescribedError {
  return { json: name, text: TRANSACTION_ERROR_TEXT[name] ?? name };
}

/** Converts the value of litesvm's `FailedTransactionMetadata.err()`. */
export function describeTransactionError(err: unknown): DescribedError {
  if (typeof err === "number") {
    const name = TRANSACTION_ERROR_NAMES[err] ?? `UnknownTransactionError${err}`;
    return { json: name, text: TRANSACTION_ERROR_TEXT[name] ?? name };
  }
  const record = err as Record<string, unknown> | null;
  const kind = record?.constructor?.name ?? "";
  if (record !== null && kind === "TransactionErrorInstructionError" && typeof record.err === "function") {
    const index = Number(record.index);
    const inner = describeInstructionError((record.err as () => unknown).call(record));
    return {
      json: { InstructionError: [index, inner.json] },
      text: `Error processing Instruction ${index}: ${inner.text}`,
    };
  }
  if (record !== null && kind === "TransactionErrorDuplicateInstruction") {
    const index = Number(record.index);
    return { json: { DuplicateInstruction: index }, text: `Transaction contains a duplicate instruction (${index})` };
  }
  if (record !== null && kind === "TransactionErrorInsufficientFundsForRent") {
    const accountIndex = Number(record.accountIndex);
    return {
      json: { InsufficientFundsForRent: { account_index: accountIndex } },
      text: `Transaction results in an account (${accountIndex}) with insufficient funds for rent`,
    };
  }
  if (record !== null && kind === "TransactionErrorProgramExecutionTemporarilyRestricted") {
    const accountIndex = Number(record.accountIndex);
    return {
      json: { ProgramExecutionTemporarilyRestricted: { account_index: accountIndex } },
      text: `Execution of the program referenced by account at index ${accountIndex} is temporarily restricted.`,
    };
  }
  return { json: "UnknownTransactionError", text: `unknown transaction error ${String(err)}` };
}

function describeInstructionError(err: unknown): DescribedError {
  if (typeof err === "number") {
    const name = INSTRUCTION_ERROR_NAMES[err] ?? `UnknownInstructionError${err}`;
    return { json: name, text: INSTRUCTION_ERROR_TEXT[name] ?? name };
  }
  const record = err as Record<string, unknown> | null;
  const kind = record?.constructor?.name ?? "";
  if (record !== null && kind === "InstructionErrorCustom") {
    const code = Number(record.code);
    return { json: { Custom: code }, text: `custom program error: 0x${code.toString(16)}` };
  }
  if (record !== null && kind === "InstructionErrorBorshIo") {
    const msg = String(record.msg);
    return { json: { BorshIoError: msg }, text: `Failed to serialize or deserialize account data: ${msg}` };
  }
  return { json: "GenericError", text: `unknown instruction error ${String(err)}` };
}
