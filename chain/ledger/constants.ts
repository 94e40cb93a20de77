/**
 * Defaults and limits of the local ledger. Values that mirror a real Solana cluster say which
 * Agave constant they copy, so clients see the same behaviour here as on devnet.
 */

/** Loopback only by default: the ledger has a faucet and no authentication. */
export const DEFAULT_HOST = "127.0.0.1";
/** Agave's default JSON-RPC port (`solana-test-validator --rpc-port`). */
export const DEFAULT_RPC_PORT = 8899;
/** Agave serves PubSub on rpc port + 1; web3.js derives the websocket URL the same way. */
export const DEFAULT_WS_PORT = 8900;
/** Agave's DEFAULT_MS_PER_SLOT (400 ms target slot time). */
export const DEFAULT_SLOT_MS = 400;
/** How often the full VM state is snapshotted; the journal covers the time in between. */
export const DEFAULT_SNAPSHOT_INTERVAL_MS = 10_000;

/** Agave MAX_PROCESSING_AGE: a blockhash is accepted for this many blocks after it was produced. */
export const MAX_PROCESSING_AGE = 150;
/** Agave MAX_RECENT_BLOCKHASHES: how many blockhashes the queue remembers (isBlockhashValid). */
export const MAX_RECENT_BLOCKHASHES = 300;
/** Mainnet/devnet DEFAULT_SLOTS_PER_EPOCH (2 days at 400 ms); no warm-up epochs here. */
export const SLOTS_PER_EPOCH = 432_000n;
/** Agave DEFAULT_LEADER_SCHEDULE_SLOT_OFFSET (= slots per epoch). */
export const LEADER_SCHEDULE_SLOT_OFFSET = 432_000n;

/** Solana's fee per signature (DEFAULT_TARGET_LAMPORTS_PER_SIGNATURE / 2), charged by litesvm too. */
export const LAMPORTS_PER_SIGNATURE = 5_000n;
/** Default compute-unit limit per non-builtin instruction (Agave DEFAULT_INSTRUCTION_COMPUTE_UNIT_LIMIT). */
export const DEFAULT_INSTRUCTION_COMPUTE_UNIT_LIMIT = 200_000n;
/** Default compute-unit limit per builtin instruction (Agave MAX_BUILTIN_ALLOCATION_COMPUTE_UNIT_LIMIT). */
export const BUILTIN_INSTRUCTION_COMPUTE_UNIT_LIMIT = 3_000n;
/** Agave MAX_COMPUTE_UNIT_LIMIT per transaction. */
export const MAX_COMPUTE_UNIT_LIMIT = 1_400_000n;
/** Compute-unit price is in micro-lamports (Agave MICRO_LAMPORTS_PER_LAMPORT). */
export const MICRO_LAMPORTS_PER_LAMPORT = 1_000_000n;
/** One SOL in lamports. */
export const LAMPORTS_PER_SOL = 1_000_000_000n;

/**
 * The faucet's balance at genesis: 8 million SOL keeps every balance below 2^53 lamports, so
 * clients that parse JSON numbers as doubles (web3.js) read exact values.
 */
export const FAUCET_GENESIS_LAMPORTS = 8_000_000n * LAMPORTS_PER_SOL;
/** Largest single airdrop (solana-test-validator has no cap; a cap keeps the faucet from draining in one call). */
export const FAUCET_MAX_REQUEST_LAMPORTS = 1_000_000n * LAMPORTS_PER_SOL;
/** An airdrop whose signature collides with an earlier one waits for the next block this many times. */
export const AIRDROP_MAX_ATTEMPTS = 3;

/** Agave MAX_REQUEST_BODY_SIZE (50 KiB) for JSON-RPC over HTTP. */
export const MAX_REQUEST_BODY_BYTES = 50 * 1024;
/** Largest JSON-RPC batch we answer; Agave has no fixed limit, this bounds work per request. */
export const MAX_BATCH_REQUESTS = 100;
/** Agave MAX_MULTIPLE_ACCOUNTS for getMultipleAccounts. */
export const MAX_MULTIPLE_ACCOUNTS = 100;
/** Agave MAX_GET_PROGRAM_ACCOUNT_FILTERS. */
export const MAX_PROGRAM_ACCOUNT_FILTERS = 4;
/** Agave MAX_GET_SIGNATURE_STATUSES_QUERY_ITEMS. */
export const MAX_SIGNATURE_STATUSES = 256;
/** Agave MAX_GET_CONFIRMED_SIGNATURES_FOR_ADDRESS2_LIMIT. */
export const MAX_SIGNATURES_FOR_ADDRESS = 1_000;
/** Agave MAX_BASE58_BYTES: larger account data must be requested as base64. */
export const MAX_BASE58_BYTES = 128;
/** Solana PACKET_DATA_SIZE: the largest serialized transaction. */
export const MAX_TRANSACTION_BYTES = 1_232;
/**
 * Base64 of a 1232-byte transaction is 1644 characters (Agave MAX_BASE64_SIZE); base58 needs
 * at most 1683 (Agave MAX_BASE58_SIZE).
 */
export const MAX_BASE64_TRANSACTION_CHARS = 1_644;
export const MAX_BASE58_TRANSACTION_CHARS = 1_683;

/** Largest websocket frame a client may send (subscriptions are tiny). */
export const MAX_WS_PAYLOAD_BYTES = 64 * 1024;
/** Subscriptions one websocket connection may hold at once. */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 10_000;
/** A client that lets this much outgoing data pile up is disconnected instead of growing memory. */
export const MAX_WS_BUFFERED_BYTES = 16 * 1024 * 1024;

/** Transactions kept for getTransaction / getSignatureStatuses / getSignaturesForAddress. */
export const TRANSACTION_HISTORY_LIMIT = 5_000;

/** Reported by getVersion: litesvm 1.5's native module embeds solana-program-runtime 4.3.0 (Agave 4.3). */
export const SOLANA_CORE_VERSION = "4.3.0";
/** Reported by getVersion as "feature-set" (Agave reports a hash of its feature set; ours is fixed). */
export const FEATURE_SET_ID = 0;

/** Well-known program ids. */
export const SYSTEM_PROGRAM_ID = "11111111111111111111111111111111";
export const TOKEN_PROGRAM_ID = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
export const TOKEN_2022_PROGRAM_ID = "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb";
export const COMPUTE_BUDGET_PROGRAM_ID = "ComputeBudget111111111111111111111111111111";
export const ADDRESS_LOOKUP_TABLE_PROGRAM_ID = "AddressLookupTab1e1111111111111111111111111";
export const ED25519_PROGRAM_ID = "Ed25519SigVerify111111111111111111111111111";
export const SECP256K1_PROGRAM_ID = "KeccakSecp256k11111111111111111111111111111";
export const SECP256R1_PROGRAM_ID = "Secp256r1SigVerify1111111111111111111111111";

/**
 * Programs whose instructions get the builtin default compute-unit allocation (Agave's
 * non-migrated builtins and precompiles).
 */
export const BUILTIN_PROGRAM_IDS: ReadonlySet<string> = new Set([
  SYSTEM_PROGRAM_ID,
  COMPUTE_BUDGET_PROGRAM_ID,
  ADDRESS_LOOKUP_TABLE_PROGRAM_ID,
  "Vote111111111111111111111111111111111111111",
  "Stake11111111111111111111111111111111111111",
  "Config1111111111111111111111111111111111111",
  "BPFLoader1111111111111111111111111111111111",
  "BPFLoader2111111111111111111111111111111111",
  "BPFLoaderUpgradeab1e11111111111111111111111",
  "LoaderV411111111111111111111111111111111111",
  "ZkE1Gama1Proof11111111111111111111111111111",
  ED25519_PROGRAM_ID,
  SECP256K1_PROGRAM_ID,
  SECP256R1_PROGRAM_ID,
]);

/** Size of an SPL Token account and mint (the base layout shared with Token-2022). */
export const TOKEN_ACCOUNT_SIZE = 165;
export const TOKEN_MINT_SIZE = 82;

/** Agave MAX_TX_ACCOUNT_LOCKS: getRecentPrioritizationFees accepts at most this many accounts. */
export const MAX_PRIORITIZATION_FEE_ACCOUNTS = 128;
/** Solana MAX_PERMITTED_DATA_LENGTH (10 MiB): the largest account getMinimumBalanceForRentExemption prices. */
export const MAX_ACCOUNT_DATA_BYTES = 10 * 1024 * 1024;
/** getTokenLargestAccounts returns this many holders (Agave NUM_LARGEST_ACCOUNTS). */
export const NUM_LARGEST_TOKEN_ACCOUNTS = 20;
/** sendTransaction's maxRetries is a usize in Agave; we accept any u32 and ignore it (nothing is retried). */
export const MAX_SEND_RETRIES = 2 ** 32 - 1;
/** Agave memcmp limits: at most 128 bytes compared, given as at most 175 base58 characters. */
export const MAX_MEMCMP_BYTES = 128;
export const MAX_MEMCMP_BASE58_CHARS = 175;
/** A request must arrive within this time (Node's requestTimeout), its headers sooner. */
export const HTTP_REQUEST_TIMEOUT_MS = 30_000;
export const HTTP_HEADERS_TIMEOUT_MS = 10_000;
/** Base58 of 64 bytes is at most 88 characters; longer strings are rejected before decoding. */
export const MAX_BASE58_KEY_CHARS = 88;
