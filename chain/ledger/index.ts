/**
 * The local Solana ledger: litesvm behind the standard JSON-RPC and PubSub interfaces, so
 * @solana/web3.js, spl-token, Anchor and @solana/kit clients use it unchanged. See docs/LEDGER.md.
 */
export { type Ledger, type LedgerOptions, type ProgramToDeploy, startLedger } from "./ledger.js";
export {
  DEFAULT_HOST,
  DEFAULT_RPC_PORT,
  DEFAULT_SLOT_MS,
  DEFAULT_SNAPSHOT_INTERVAL_MS,
  DEFAULT_WS_PORT,
  FAUCET_MAX_REQUEST_LAMPORTS,
  LAMPORTS_PER_SOL,
  MAX_PROCESSING_AGE,
} from "./constants.js";
export {
  JournalCorruptError,
  JournalReplayMismatchError,
  LedgerClosedError,
  LedgerError,
  LedgerListenError,
  LedgerOptionError,
  MalformedTransactionError,
  ProgramDeployError,
  SnapshotCorruptError,
} from "./errors.js";
export { stringifyJson } from "./json.js";
export {
  type ParsedMessage,
  type ParsedTransaction,
  isStaticKeySigner,
  isStaticKeyWritable,
  parseMessage,
  parseTransaction,
} from "./wire.js";
