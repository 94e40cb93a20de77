import { type HexcoverMessage, messageTimestampMs } from "../../protocol/index.js";
import { BeforeGenesisError, EpochOutOfRangeError, InvalidEpochConfigError } from "./errors.js";

/**
 * Default grace after an epoch ends before it freezes. It must exceed the clock skew we allow
 * (protocol DEFAULT_MAX_CLOCK_SKEW_MS = 30 s) plus gossip propagation (seconds on a healthy mesh),
 * so a message stamped just before the boundary still arrives before the freeze.
 */
export const DEFAULT_GRACE_SECONDS = 60;

/** Epoch numbers are stored as big-endian u32 in store keys (sortable, 4 bytes). */
export const MAX_EPOCH = 0xffff_ffff;

/** Where epochs come from: config today, the on-chain program later (DESIGN.md §6). */
export interface EpochScheduleConfig {
  /** Unix seconds at which epoch 0 begins. */
  readonly genesisSeconds: number;
  /** Epoch length L in seconds. */
  readonly epochSeconds: number;
  /** Seconds after an epoch's end at which it is reconciled and frozen (default 60). */
  readonly graceSeconds?: number;
}

/**
 * The epoch rule: a message belongs to epoch floor((timestampMs / 1000 - G) / L), computed from
 * its OWN timestamp (entropy timestampMs, commit txTimeMs, witness rxTimeMs, reveal
 * revealTimeMs), never from when a validator received it, so every validator files a message
 * under the same epoch. All arithmetic is on safe integers of milliseconds.
 */
export class EpochSchedule {
  readonly genesisMs: number;
  readonly epochMs: number;
  readonly graceMs: number;

  constructor(config: EpochScheduleConfig) {
    const grace = config.graceSeconds ?? DEFAULT_GRACE_SECONDS;
    if (!Number.isSafeInteger(config.genesisSeconds) || config.genesisSeconds < 0) {
      throw new InvalidEpochConfigError("genesisSeconds must be a non-negative integer");
    }
    if (!Number.isSafeInteger(config.epochSeconds) || config.epochSeconds < 1) {
      throw new InvalidEpochConfigError("epochSeconds must be a positive integer");
    }
    if (!Number.isSafeInteger(grace) || grace < 0) throw new InvalidEpochConfigError("graceSeconds must be a non-negative integer");
    this.genesisMs = config.genesisSeconds * 1000;
    this.epochMs = config.epochSeconds * 1000;
    this.graceMs = grace * 1000;
  }

  /** The epoch containing the instant `timestampMs`. */
  epochOf(timestampMs: number): number {
    if (timestampMs < this.genesisMs) throw new BeforeGenesisError(timestampMs, this.genesisMs);
    const epoch = Math.floor((timestampMs - this.genesisMs) / this.epochMs);
    if (epoch > MAX_EPOCH) throw new EpochOutOfRangeError(epoch);
    return epoch;
  }

  /** The epoch a message belongs to, by its own timestamp. */
  epochOfMessage(message: HexcoverMessage): number {
    return this.epochOf(messageTimestampMs(message));
  }

  startMs(epoch: number): number {
    checkEpoch(epoch);
    const start = this.genesisMs + epoch * this.epochMs;
    // Epochs whose end + grace would not be an exact JS number can never contain a message.
    if (!Number.isSafeInteger(start + this.epochMs + this.graceMs)) throw new EpochOutOfRangeError(epoch);
    return start;
  }

  /** First millisecond after the epoch (exclusive end). */
  endMs(epoch: number): number {
    return this.startMs(epoch) + this.epochMs;
  }

  /** When the epoch is reconciled and frozen: end + grace. */
  freezeAtMs(epoch: number): number {
    return this.endMs(epoch) + this.graceMs;
  }
}

export function checkEpoch(epoch: number): void {
  if (!Number.isSafeInteger(epoch) || epoch < 0 || epoch > MAX_EPOCH) throw new EpochOutOfRangeError(epoch);
}
