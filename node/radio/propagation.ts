/**
 * The propagation seam of the sim medium: the broker asks a PropagationFunction, for every
 * (transmitter, receiver) pair, what the receiver measures and whether it decodes the packet.
 * The default is geo/'s LogDistancePropagationModel (log-distance path loss with seeded,
 * reciprocal log-normal shadowing and LoRa sensitivity per data rate; docs/GEO.md).
 */
import { LogDistancePropagationModel, type PropagationModel } from "../../geo/index.js";
import { dataRateByName } from "../../protocol/index.js";
import type { Position } from "./types.js";

export interface PropagationEndpoint {
  /** Stable radio name (e.g. the hotspot's public key); geo/ seeds per-link shadowing with it. */
  readonly id: string;
  readonly position: Position;
  readonly antennaGainDbi: number;
  /** Antenna height in metres. Passed through; geo/'s current model does not use it. */
  readonly elevationM: number;
}

export interface PropagationTx extends PropagationEndpoint {
  readonly txPowerDbm: number;
  readonly frequencyHz: number;
  /** protocol/ data-rate name ("SF9BW125", "WIFI20"). */
  readonly dataRate: string;
}

export interface PropagationResult {
  readonly rssiDbm: number;
  readonly snrDb: number;
  /** True when the receiver decodes the packet (RSSI at or above its sensitivity). */
  readonly received: boolean;
}

export type PropagationFunction = (tx: PropagationTx, rx: PropagationEndpoint) => PropagationResult;

/** Adapts a geo/ PropagationModel to the broker's function seam. */
export function propagationFromModel(model: PropagationModel): PropagationFunction {
  return (tx, rx) => {
    const dataRate = dataRateByName(tx.dataRate);
    // protocol/'s DataRate carries the fields geo/'s RadioDataRate needs (modulation, SF, bandwidth, name).
    if (dataRate === undefined) return { rssiDbm: Number.NEGATIVE_INFINITY, snrDb: Number.NEGATIVE_INFINITY, received: false };
    const link = model.evaluate(
      {
        id: tx.id,
        location: tx.position,
        txPowerDbm: tx.txPowerDbm,
        gainDbi: tx.antennaGainDbi,
        frequencyHz: tx.frequencyHz,
        dataRate,
      },
      { id: rx.id, location: rx.position, gainDbi: rx.antennaGainDbi },
    );
    return { rssiDbm: link.rssiDbm, snrDb: link.snrDb, received: link.received };
  };
}

/** geo/'s log-distance model with shadowing seed `seed` (default geo/'s "hexcover"). */
export function defaultPropagation(seed?: string): PropagationFunction {
  return propagationFromModel(new LogDistancePropagationModel(seed === undefined ? {} : { seed }));
}
