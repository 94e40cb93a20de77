import { LORA_MAX_PAYLOAD_BYTES } from "../../protocol/index.js";

/** LoRa frames carry up to 51 bytes at SF12 (LoRaWAN regional parameters, via protocol/). */
export const LORA_PAYLOAD_MAX_BYTES = LORA_MAX_PAYLOAD_BYTES;

// ---- sim medium -------------------------------------------------------------------------------

/** Version byte of the sim-medium frame format; bump on any layout change. */
export const SIM_FRAME_VERSION = 1;
/**
 * Largest frame body (after the 2-byte length prefix). The biggest frame is HELLO with a 64-byte
 * name (~90 bytes) or a DELIVER with a 51-byte payload (~70 bytes); 512 leaves room for growth
 * while bounding what a misbehaving client can make the broker buffer.
 */
export const SIM_MAX_FRAME_BYTES = 512;
/** Radio names are labels for logs and stats (e.g. a base58 public key, 44 chars). */
export const SIM_MAX_NAME_BYTES = 64;
/** Transmit requests unanswered after this long reject; the broker answers in microseconds on loopback. */
export const SIM_TRANSMIT_TIMEOUT_MS = 5_000;
/** Connecting to the broker fails after this long (loopback: it either listens or refuses at once). */
export const SIM_CONNECT_TIMEOUT_MS = 5_000;
/** Default broker port for the runnable (any free port works; radios are told the port). */
export const SIM_DEFAULT_PORT = 7_710;
/**
 * Largest transmissions per second the broker relays for one radio. A beacon is sent once per
 * several minutes; this bound keeps one runaway client from flooding every other radio.
 */
export const SIM_MAX_TX_PER_SECOND = 50;

// ---- Wi-Fi SSID beacons ---------------------------------------------------------------------------

/** IEEE 802.11 caps an SSID at 32 octets. */
export const WIFI_SSID_MAX_BYTES = 32;
/** Prefix that marks an SSID as a Hexcover beacon. */
export const WIFI_BEACON_PREFIX = "HXC";
/**
 * Payload bytes that fit: the 29 characters after the prefix hold floor(29 * 6 / 8) = 21 bytes
 * of base64url (21 bytes encode to exactly 28 characters). protocol/ accepts 16..32-byte beacon
 * payloads, so a Wi-Fi beacon uses 16..21 bytes.
 */
export const WIFI_BEACON_MAX_PAYLOAD_BYTES = 21;
/** protocol/ data-rate name for a 20 MHz Wi-Fi channel. */
export const WIFI_DATA_RATE = "WIFI20";
/** How often the Wi-Fi radio scans; NetworkManager itself rescans about every 10-30 s. */
export const WIFI_DEFAULT_SCAN_INTERVAL_MS = 10_000;
/**
 * A beacon SSID already reported is not reported again for this long. Longer than the default
 * 2-minute witness window (DESIGN.md §3) so one beacon yields one reception.
 */
export const WIFI_SEEN_TTL_MS = 10 * 60_000;
/** Bound on remembered (bssid, ssid) pairs, so a crowded scan cannot grow memory without limit. */
export const WIFI_SEEN_MAX_ENTRIES = 4_096;
/**
 * A scan reports no noise figure, so SNR is estimated against the thermal noise of a 20 MHz
 * channel: -174 dBm/Hz + 10*log10(20e6) = -101 dBm, plus a typical 6 dB receiver noise figure.
 */
export const WIFI_NOISE_FLOOR_DBM = -95;
/** Transmit command steps are killed after this long. */
export const WIFI_TX_COMMAND_TIMEOUT_MS = 10_000;
/** Scan command (nmcli) is killed after this long; a full rescan takes a few seconds. */
export const WIFI_SCAN_TIMEOUT_MS = 20_000;

// ---- Semtech UDP packet forwarder ------------------------------------------------------------------

/** Semtech packet-forwarder protocol version (PROTOCOL.TXT of lora_gateway/packet_forwarder, v2). */
export const SEMTECH_PROTOCOL_VERSION = 2;
/** Packet identifiers (byte 3 of every datagram). */
export const SemtechId = {
  PUSH_DATA: 0x00,
  PUSH_ACK: 0x01,
  PULL_DATA: 0x02,
  PULL_RESP: 0x03,
  PULL_ACK: 0x04,
  TX_ACK: 0x05,
} as const;
export type SemtechIdName = keyof typeof SemtechId;
/** version(1) + token(2) + id(1). */
export const SEMTECH_HEADER_BYTES = 4;
/** Gateway EUI-64 follows the header in PUSH_DATA, PULL_DATA and TX_ACK. */
export const SEMTECH_EUI_BYTES = 8;
/**
 * Largest datagram accepted. The reference forwarder's upstream buffer is 4096 bytes
 * (TX_BUFF_SIZE in lora_pkt_fwd.c: up to 8 rxpk at once); anything larger is not a forwarder.
 */
export const SEMTECH_MAX_DATAGRAM_BYTES = 4_096;
/** Default UDP port of the reference packet forwarder's serv_port_up/serv_port_down. */
export const SEMTECH_DEFAULT_PORT = 1_700;
/**
 * TX_ACK normally arrives within milliseconds of PULL_RESP (the forwarder answers as soon as
 * the JIT queue accepts or refuses the packet); 3 s covers a busy gateway over a mobile link.
 */
export const SEMTECH_TX_ACK_TIMEOUT_MS = 3_000;
/** Default RF chain for transmit (radio 0 is the TX-capable one on SX1301/SX1302 reference designs). */
export const SEMTECH_DEFAULT_RFCH = 0;
/** LoRa coding rate used by LoRaWAN and by Helium PoC beacons. */
export const SEMTECH_DEFAULT_CODR = "4/5";
/**
 * A gateway that has not sent PULL_DATA for this long is no longer a transmit target:
 * lora_pkt_fwd keeps alive every 5 s by default (DEFAULT_KEEPALIVE) and its shipped configs use
 * keepalive_interval 10 s, so this is three missed keepalives.
 */
export const SEMTECH_GATEWAY_STALE_MS = 30_000;

/**
 * Bytes the broker buffers for one client before disconnecting it as a slow consumer: about
 * 14 000 DELIVER frames, far beyond any backlog a live radio builds on loopback.
 */
export const SIM_MAX_BUFFERED_BYTES = 1 << 20;
