/**
 * The radio seam of the hotspot daemon: the proof-of-coverage round (DESIGN.md §3) only needs
 * to put a short payload on the air and to hear other hotspots' payloads with a signal
 * measurement. Each adapter (sim medium, Wi-Fi SSID beacons, Semtech packet forwarder) maps
 * that onto its medium. See docs/RADIO.md.
 */

export type RadioKind = "sim" | "wifi" | "semtech";

/** A packet as it exists on the air. */
export interface RadioPacket {
  /** Raw bytes on the air: at most the radio's `maxPayloadBytes` (LoRa 51, Wi-Fi SSID beacon 21). */
  readonly payload: Uint8Array;
  /** Centre frequency in Hz (integer). */
  readonly frequencyHz: number;
  /** A data-rate name from protocol/'s DATA_RATES: "SF7BW125" ... "SF12BW125", "WIFI20". */
  readonly dataRate: string;
}

/** What a hotspot asks its radio to send. */
export interface TransmitRequest extends RadioPacket {
  /** Conducted transmit power in dBm (antenna gain is added by the medium, not here). */
  readonly txPowerDbm: number;
}

/** A packet the radio heard, with the receiver's measurement of it. */
export interface ReceivedPacket extends RadioPacket {
  readonly rssiDbm: number;
  readonly snrDb: number;
  /** Receiver wall-clock time of reception, ms since the Unix epoch. */
  readonly rxTimeMs: number;
}

export type ReceiveHandler = (packet: ReceivedPacket) => void;

/** Called for every input an adapter drops (malformed frames, unknown ids, ...). */
export type DropHandler = (error: Error) => void;

export interface Radio {
  readonly kind: RadioKind;
  /** Largest payload this radio can put on the air; beacon payload length is chosen within it. */
  readonly maxPayloadBytes: number;
  /** Open sockets / start scanning. Idempotent. */
  start(): Promise<void>;
  /** Close everything start() opened; pending transmits reject. Idempotent. */
  stop(): Promise<void>;
  /** Resolves once the packet is on the air (as far as the adapter can know); rejects with a RadioError. */
  transmit(request: TransmitRequest): Promise<void>;
  /** Registers a handler for every received packet; returns the function that unregisters it. */
  onReceive(handler: ReceiveHandler): () => void;
}

/** Geographic position of an antenna. */
export interface Position {
  /** Degrees, WGS84. */
  readonly lat: number;
  readonly lng: number;
}

/** Where and how a sim radio's antenna is mounted. */
export interface AntennaSite {
  readonly position: Position;
  /** Antenna gain in dBi. */
  readonly antennaGainDbi: number;
  /** Antenna height above ground in metres. */
  readonly elevationM: number;
}
