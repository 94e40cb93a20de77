/**
 * Propagation model for the simulated radio medium (node/ calls it for every tx/rx pair). Floats are
 * fine here: the simulation only decides which packets arrive and what RSSI/SNR a witness reports;
 * validation re-checks those reports with the integer rules in radio-bound.ts.
 */
import { createHash } from "node:crypto";
import { cellToLatLng, checkLatLng, latLngDistanceMFloat } from "./cells.js";
import type { Cell, LatLng } from "./cells.js";
import { InvalidRadioParameterError } from "./errors.js";
import {
  LORA_US915_PROFILE,
  WIFI_2G4_PROFILE,
  logDistancePathLossDb,
  noiseFloorDbm,
  receiveSensitivityDbm,
  requireFinite,
  requirePositive,
} from "./radio.js";
import type { RadioDataRate, RadioProfile } from "./radio.js";

/** Where a radio is: an H3 cell (its centre is used) or a point. */
export type RadioLocation = { readonly cell: Cell } | LatLng;

/** The transmitting side of a link. */
export interface LinkTransmitter {
  /** Stable identity (e.g. the hotspot's public key); keys the shadowing of the link. */
  readonly id: string;
  readonly location: RadioLocation;
  readonly txPowerDbm: number;
  readonly gainDbi: number;
  readonly frequencyHz: number;
  readonly dataRate: RadioDataRate;
}

/** The receiving side of a link. */
export interface LinkReceiver {
  readonly id: string;
  readonly location: RadioLocation;
  readonly gainDbi: number;
  /** Overrides the profile's noise figure for this receiver. */
  readonly noiseFigureDb?: number;
}

/** What the receiver observes. */
export interface LinkResult {
  readonly rssiDbm: number;
  readonly snrDb: number;
  /** True when the signal is at or above the receive sensitivity of the data rate. */
  readonly received: boolean;
  readonly distanceM: number;
  /** Total path loss including shadowing, dB. */
  readonly pathLossDb: number;
  /** The shadowing term alone (zero-mean normal, dB). */
  readonly shadowingDb: number;
}

/** The contract between geo/ and the simulated radio medium. Implementations must be pure and deterministic. */
export interface PropagationModel {
  evaluate(tx: LinkTransmitter, rx: LinkReceiver): LinkResult;
}

/** Options of {@link LogDistancePropagationModel}; all optional. */
export interface LogDistanceModelOptions {
  /** Seed of the shadowing field; the same seed gives the same world. Default "hexcover". */
  readonly seed?: string;
  /** Profile per modulation (exponent, σ, d0, noise figure). Defaults: LoRa US915 and Wi-Fi 2.4 GHz. */
  readonly profiles?: Partial<Record<RadioDataRate["modulation"], RadioProfile>>;
}

/** Domain tag of the shadowing hash, versioned so a change of the derivation is explicit. */
const SHADOWING_DOMAIN = "hexcover/geo/shadowing/v1";
/** Uniforms are built from 52 random bits: exactly representable doubles in (0, 1]. */
const UNIFORM_BITS = 52;
const TWO_POW_52 = 2 ** UNIFORM_BITS;

/**
 * A standard normal deviate determined by (seed, the unordered pair of link ids): SHA-256 of the
 * domain tag, seed and both ids sorted, two 52-bit uniforms, Box-Muller. Sorting the ids makes
 * the shadowing reciprocal (A→B equals B→A), as it is for a physical path.
 */
export function linkShadowingNormal(seed: string, idA: string, idB: string): number {
  const [first, second] = idA <= idB ? [idA, idB] : [idB, idA];
  const hash = createHash("sha256");
  for (const part of [SHADOWING_DOMAIN, seed, first, second]) {
    const bytes = Buffer.from(part, "utf8");
    const length = Buffer.alloc(4);
    length.writeUInt32LE(bytes.length);
    hash.update(length).update(bytes); // length-prefixed so ("ab","c") and ("a","bc") differ
  }
  const digest = hash.digest();
  const u1 = (Number(digest.readBigUInt64LE(0) >> 12n) + 1) / TWO_POW_52; // (0, 1]
  const u2 = Number(digest.readBigUInt64LE(8) >> 12n) / TWO_POW_52; // [0, 1)
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

function locate(location: RadioLocation): LatLng {
  if ("cell" in location) return cellToLatLng(location.cell);
  checkLatLng(location.lat, location.lng);
  return location;
}

/**
 * Log-distance path loss with seeded log-normal shadowing:
 * RSSI = P_tx + G_tx + G_rx − [FSPL(d0, f) + 10·n·log10(d/d0) + σ·X], X ~ N(0,1) per link;
 * SNR = RSSI − (−174 + 10·log10(BW) + NF); received ⇔ RSSI ≥ sensitivity(data rate).
 */
export class LogDistancePropagationModel implements PropagationModel {
  private readonly seed: string;
  private readonly profiles: Record<RadioDataRate["modulation"], RadioProfile>;

  constructor(options: LogDistanceModelOptions = {}) {
    this.seed = options.seed ?? "hexcover";
    this.profiles = {
      lora: options.profiles?.lora ?? LORA_US915_PROFILE,
      wifi: options.profiles?.wifi ?? WIFI_2G4_PROFILE,
    };
  }

  /** The profile used for a modulation. */
  profile(modulation: RadioDataRate["modulation"]): RadioProfile {
    const profile = this.profiles[modulation];
    if (profile === undefined) throw new InvalidRadioParameterError("modulation", modulation, "unknown modulation");
    return profile;
  }

  evaluate(tx: LinkTransmitter, rx: LinkReceiver): LinkResult {
    for (const [name, id] of [["tx.id", tx.id], ["rx.id", rx.id]] as const) {
      if (typeof id !== "string") throw new InvalidRadioParameterError(name, id, "must be a string");
    }
    requireFinite("txPowerDbm", tx.txPowerDbm);
    requireFinite("tx.gainDbi", tx.gainDbi);
    requireFinite("rx.gainDbi", rx.gainDbi);
    requirePositive("frequencyHz", tx.frequencyHz);
    const profile = this.profile(tx.dataRate.modulation);
    const noiseFigureDb = rx.noiseFigureDb ?? profile.noiseFigureDb;
    const distanceM = latLngDistanceMFloat(locate(tx.location), locate(rx.location));
    const shadowingDb = profile.shadowingSigmaDb * linkShadowingNormal(this.seed, tx.id, rx.id);
    const pathLossDb =
      logDistancePathLossDb(distanceM, tx.frequencyHz, profile.pathLossExponent, profile.referenceDistanceM) +
      shadowingDb;
    const rssiDbm = tx.txPowerDbm + tx.gainDbi + rx.gainDbi - pathLossDb;
    const snrDb = rssiDbm - noiseFloorDbm(tx.dataRate.bandwidthHz, noiseFigureDb);
    const received = rssiDbm >= receiveSensitivityDbm(tx.dataRate, noiseFigureDb);
    return { rssiDbm, snrDb, received, distanceM, pathLossDb, shadowingDb };
  }
}
