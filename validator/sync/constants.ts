import { MAX_ANY_MESSAGE_BYTES } from "../../protocol/index.js";
import { BUCKET_COUNT, ID_BYTES } from "../store/index.js";

/** Ids per GetIds answer: 1024 × 32 bytes = 32 KiB, a quarter of a frame. */
export const MAX_IDS_PER_RESPONSE = 1024;
/** Ids per GetMessages request (the brief's bound): 256 × (2 + ≤ 200 bytes) ≈ 52 KiB per answer. */
export const MAX_MESSAGES_PER_REQUEST = 256;
/** Digest answer: epoch, frozen, count, digest, 256 bucket digests and counts ≈ 9.3 KiB. */
export const DIGEST_RESPONSE_BYTES = 1 + 4 + 1 + 4 + ID_BYTES + BUCKET_COUNT * ID_BYTES + BUCKET_COUNT * 4;
/**
 * Largest frame either side accepts: the biggest legitimate body is a full GetMessages answer
 * (1 + 4 + 2 + 256 × (2 + MAX_ANY_MESSAGE_BYTES)). Anything larger is refused before buffering.
 */
export const MAX_FRAME_BYTES = 1 + 4 + 2 + MAX_MESSAGES_PER_REQUEST * (2 + MAX_ANY_MESSAGE_BYTES);
/** A frame length fits in 3 varint bytes (2^21 > MAX_FRAME_BYTES). */
export const MAX_VARINT_BYTES = 3;
/** Unread bytes a reader tolerates (pipelined requests): two full frames. */
export const MAX_BUFFERED_BYTES = 2 * (MAX_FRAME_BYTES + MAX_VARINT_BYTES);
/**
 * Requests per stream. A full reconcile of a 1M-message epoch from scratch is ~1000 GetIds plus
 * ~4000 GetMessages requests; 10 000 leaves room, and bounds what one stream can make us do.
 */
export const MAX_REQUESTS_PER_STREAM = 10_000;
/**
 * Ids one peer may list for one epoch. A hotspot sends a handful of messages per beacon window;
 * 4 million per epoch is far above any network we simulate and bounds memory per peer (128 MiB).
 */
export const MAX_IDS_PER_EPOCH = 4_000_000;
/** One request's answer must arrive within this (reads are local LMDB, so seconds are plenty). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/**
 * A server aborts a stream whose client sends nothing for this long between requests. Clients
 * send their next request as soon as the previous answer is processed (milliseconds), so 30 s
 * only catches stalled or hostile clients, well before libp2p's 120 s stream inactivity timeout.
 */
export const SERVER_IDLE_TIMEOUT_MS = 30_000;
/** Pause between reconcile rounds, giving peers time to fetch from each other. */
export const DEFAULT_ROUND_INTERVAL_MS = 500;
/** Concurrent inbound sync streams per connection (libp2p per-protocol limit). */
export const MAX_INBOUND_SYNC_STREAMS = 8;
/** Outbound sync streams per connection: reconcile uses one at a time per peer. */
export const MAX_OUTBOUND_SYNC_STREAMS = 4;
