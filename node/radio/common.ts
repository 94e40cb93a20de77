import {
  type DataRate,
  dataRateByName,
  MAX_FREQUENCY_HZ,
  MAX_TX_POWER_DECI_DBM,
  MIN_FREQUENCY_HZ,
  MIN_TX_POWER_DECI_DBM,
} from "../../protocol/index.js";
import {
  InvalidTransmitParameterError,
  PayloadSizeError,
  type RadioError,
  ReceiveHandlerError,
  UnsupportedDataRateError,
} from "./errors.js";
import type { DropHandler, RadioKind, RadioPacket, ReceivedPacket, ReceiveHandler } from "./types.js";

/** Checks a packet against protocol/'s ranges and the radio's limits; returns its data rate. */
export function validatePacket(
  packet: RadioPacket,
  kind: RadioKind,
  maxPayloadBytes: number,
  modulations: readonly DataRate["modulation"][],
): DataRate {
  if (!(packet.payload instanceof Uint8Array) || packet.payload.length === 0 || packet.payload.length > maxPayloadBytes) {
    throw new PayloadSizeError(packet.payload instanceof Uint8Array ? packet.payload.length : 0, maxPayloadBytes);
  }
  if (!Number.isSafeInteger(packet.frequencyHz) || packet.frequencyHz < MIN_FREQUENCY_HZ || packet.frequencyHz > MAX_FREQUENCY_HZ) {
    throw new InvalidTransmitParameterError(
      "frequencyHz",
      `${packet.frequencyHz} is not an integer in ${MIN_FREQUENCY_HZ}..${MAX_FREQUENCY_HZ}`,
    );
  }
  const rate = typeof packet.dataRate === "string" ? dataRateByName(packet.dataRate) : undefined;
  if (rate === undefined || !modulations.includes(rate.modulation)) {
    throw new UnsupportedDataRateError(String(packet.dataRate), kind);
  }
  return rate;
}

/** Transmit power is carried in deci-dBm on the wire; this checks the dBm value fits protocol/'s range. */
export function validateTxPower(txPowerDbm: number): void {
  const deci = txPowerDbm * 10;
  if (!Number.isFinite(deci) || deci < MIN_TX_POWER_DECI_DBM || deci > MAX_TX_POWER_DECI_DBM) {
    throw new InvalidTransmitParameterError(
      "txPowerDbm",
      `${txPowerDbm} is outside ${MIN_TX_POWER_DECI_DBM / 10}..${MAX_TX_POWER_DECI_DBM / 10} dBm`,
    );
  }
}

/**
 * Receive handlers plus drop accounting shared by every adapter. A handler that throws is
 * reported as a drop, so a bug in the daemon cannot take the radio down.
 */
export class RadioEvents {
  private readonly handlers = new Set<ReceiveHandler>();
  private readonly dropped = new Map<string, number>();
  private receivedCount = 0;

  constructor(private readonly onDrop: DropHandler | undefined) {}

  onReceive(handler: ReceiveHandler): () => void {
    // Wrap so the same function registered twice is two registrations, removed one at a time.
    const entry: ReceiveHandler = (packet) => handler(packet);
    this.handlers.add(entry);
    return () => {
      this.handlers.delete(entry);
    };
  }

  emit(packet: ReceivedPacket): void {
    this.receivedCount += 1;
    for (const handler of this.handlers) {
      try {
        handler(packet);
      } catch (error) {
        this.drop(new ReceiveHandlerError(error));
      }
    }
  }

  drop(error: RadioError): void {
    this.dropped.set(error.code, (this.dropped.get(error.code) ?? 0) + 1);
    try {
      this.onDrop?.(error);
    } catch {
      // A throwing drop hook must not turn a dropped frame into a crash.
    }
  }

  /** Received packets delivered to handlers, and drops by error code. */
  stats(): { received: number; dropped: Record<string, number> } {
    return { received: this.receivedCount, dropped: Object.fromEntries(this.dropped) };
  }
}
