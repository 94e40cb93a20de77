/** Wire version carried in the first byte of every message. Bump on any layout change. */
export const PROTOCOL_VERSION = 1;

/** Message kinds: the second byte of every message. Values are ABI; never reuse one. */
export const MessageKind = {
  entropy: 1,
  beaconCommit: 2,
  witnessReport: 3,
  beaconReveal: 4,
} as const;
export type MessageKindName = keyof typeof MessageKind;

/** Gossipsub topics, one per message kind; the trailing number is the topic's own version. */
export const Topics = {
  entropy: "/hexcover/entropy/1",
  beaconCommit: "/hexcover/beacon/1",
  witnessReport: "/hexcover/witness/1",
  beaconReveal: "/hexcover/reveal/1",
} as const satisfies Record<MessageKindName, string>;

/** libp2p stream protocol validators use to reconcile epoch report sets (DESIGN.md §6). */
export const SYNC_PROTOCOL = "/hexcover/sync/1";

/** Header = version byte + kind byte. */
export const HEADER_BYTES = 2;

/**
 * Beacon payloads are a prefix of a SHA-256 digest. 16 bytes (128 bits) is the shortest prefix
 * we accept so a witness cannot guess a payload; 32 is the whole digest. LoRa frames carry up to
 * 51 bytes at SF12 (LoRaWAN regional parameters), Wi-Fi SSIDs 32 bytes of text, so radios pick
 * a length within these bounds that fits their medium.
 */
export const MIN_PAYLOAD_BYTES = 16;
export const MAX_PAYLOAD_BYTES = 32;
/** Largest frame a LoRa beacon may occupy (LoRaWAN DR0 in US915 / SF12 in EU868). */
export const LORA_MAX_PAYLOAD_BYTES = 51;

/**
 * Frequencies we accept, in Hz: from the lowest LoRa ISM band (EU433 starts at 433.05 MHz, with
 * margin down to 100 MHz) to the top of the 5 GHz Wi-Fi band (5.895 GHz, margin to 7.2 GHz for 6 GHz Wi-Fi).
 */
export const MIN_FREQUENCY_HZ = 100_000_000;
export const MAX_FREQUENCY_HZ = 7_200_000_000;

/** RSSI and SNR are carried in tenths (deci-dBm, deci-dB) so integer math is exact. */
export const MIN_RSSI_DECI_DBM = -2000; // -200 dBm: far below any receiver's sensitivity
export const MAX_RSSI_DECI_DBM = 300; // +30 dBm: above the strongest legal ISM transmitter at 0 m
export const MIN_SNR_DECI_DB = -500;
export const MAX_SNR_DECI_DB = 500;
/** Transmit power: -30..+36 dBm covers LoRa (max 30 dBm EIRP in US915) and Wi-Fi. */
export const MIN_TX_POWER_DECI_DBM = -300;
export const MAX_TX_POWER_DECI_DBM = 360;

/** Timestamps must be after 2020-01-01 and below 2^53 so they are exact JS numbers. */
export const MIN_TIMESTAMP_MS = 1_577_836_800_000;
export const MAX_TIMESTAMP_MS = Number.MAX_SAFE_INTEGER;

/**
 * Default clock-skew bounds a receiver applies to a message's own timestamp. Helium's
 * iot_verifier allowed entropy 180 s of validity; gossip should arrive within seconds, so a
 * message older than the entropy lifetime plus the 2-minute witness window is stale.
 */
export const DEFAULT_MAX_MESSAGE_AGE_MS = 5 * 60_000;
/**
 * Witness reports get a much shorter life. The proof in a report is only worth anything if the
 * witness sent it before the beacon's payload became public: the reveal comes after the 2-minute
 * witness window, at the earliest the clock skew (30 s) before its end, i.e. 90 s after the
 * beacon. A report arriving 60 s or more after its own receive time could have been computed
 * from the reveal (a witness that never heard the packet, back-dating rxTime), so gossip drops
 * it; honest witnesses publish within seconds of hearing the packet. Keep this below the witness
 * window minus DEFAULT_MAX_CLOCK_SKEW_MS.
 */
export const DEFAULT_MAX_WITNESS_REPORT_AGE_MS = 60_000;
export const DEFAULT_MAX_CLOCK_SKEW_MS = 30_000;
