/**
 * Radio link math in floating point, for the simulated radio medium and for display. Units are in
 * the names: dBm (power), dBi (antenna gain), dB (ratios), Hz, m. Anything that feeds validation or
 * scoring uses the integer functions in radio-bound.ts instead.
 */
import { SPEED_OF_LIGHT_M_PER_S, THERMAL_NOISE_DBM_PER_HZ } from "./constants.js";
import { InvalidRadioParameterError, UnsupportedDataRateError } from "./errors.js";

/**
 * The radio parameters of a data rate geo/ needs. Structurally compatible with protocol's
 * `DataRate` (geo/ does not import protocol/: both sit at the bottom of the dependency graph).
 */
export interface RadioDataRate {
  readonly modulation: "lora" | "wifi";
  /** LoRa spreading factor 7..12; 0 for Wi-Fi. */
  readonly spreadingFactor: number;
  readonly bandwidthHz: number;
  readonly name?: string;
}

/** 20·log10(4π/c) in dB: the frequency/distance-independent term of FSPL with d in m and f in Hz. */
export const FSPL_CONSTANT_DB = -147.55221677811664;

/**
 * Minimum distance used by path-loss formulas. FSPL is a far-field formula and diverges at 0 m;
 * clamping to 1 m keeps results finite (for co-located radios the validator's "too close" rule
 * applies anyway).
 */
export const MIN_PATH_DISTANCE_M = 1;

export function requireFinite(name: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new InvalidRadioParameterError(name, value, "must be a finite number");
  }
  return value;
}

export function requirePositive(name: string, value: number): number {
  requireFinite(name, value);
  if (value <= 0) throw new InvalidRadioParameterError(name, value, "must be positive");
  return value;
}

function requireNonNegative(name: string, value: number): number {
  requireFinite(name, value);
  if (value < 0) throw new InvalidRadioParameterError(name, value, "must not be negative");
  return value;
}

/**
 * Free-space path loss in dB: FSPL = 20·log10(4π·d·f / c) (Friis). Distances below
 * {@link MIN_PATH_DISTANCE_M} are clamped to it.
 * @throws InvalidRadioParameterError
 */
export function freeSpacePathLossDb(distanceM: number, frequencyHz: number): number {
  const d = Math.max(requireNonNegative("distanceM", distanceM), MIN_PATH_DISTANCE_M);
  requirePositive("frequencyHz", frequencyHz);
  return 20 * Math.log10((4 * Math.PI * d * frequencyHz) / SPEED_OF_LIGHT_M_PER_S);
}

/** Inputs of the free-space link budget. */
export interface LinkBudgetInput {
  readonly distanceM: number;
  readonly frequencyHz: number;
  readonly txPowerDbm: number;
  readonly txGainDbi: number;
  readonly rxGainDbi: number;
}

/**
 * The strongest RSSI physically plausible over `distanceM`: tx power + both antenna gains − FSPL
 * (DESIGN.md §4, Helium's iot_verifier "bad RSSI" rule). Float version; the validator's check is
 * {@link rssiWithinFreeSpaceBound}.
 * @throws InvalidRadioParameterError
 */
export function maxPlausibleRssiDbm(input: LinkBudgetInput): number {
  requireFinite("txPowerDbm", input.txPowerDbm);
  requireFinite("txGainDbi", input.txGainDbi);
  requireFinite("rxGainDbi", input.rxGainDbi);
  return input.txPowerDbm + input.txGainDbi + input.rxGainDbi - freeSpacePathLossDb(input.distanceM, input.frequencyHz);
}

/**
 * Log-distance path loss without shadowing: PL(d) = FSPL(d0, f) + 10·n·log10(d / d0) for d ≥ d0,
 * free space below d0 (Rappaport, "Wireless Communications", §4.9).
 * @throws InvalidRadioParameterError
 */
export function logDistancePathLossDb(
  distanceM: number,
  frequencyHz: number,
  pathLossExponent: number,
  referenceDistanceM: number,
): number {
  const d = Math.max(requireNonNegative("distanceM", distanceM), MIN_PATH_DISTANCE_M);
  requirePositive("pathLossExponent", pathLossExponent);
  requirePositive("referenceDistanceM", referenceDistanceM);
  if (d <= referenceDistanceM) return freeSpacePathLossDb(d, frequencyHz);
  return freeSpacePathLossDb(referenceDistanceM, frequencyHz) + 10 * pathLossExponent * Math.log10(d / referenceDistanceM);
}

/** Receiver noise floor: −174 dBm/Hz + 10·log10(bandwidth) + noise figure. @throws InvalidRadioParameterError */
export function noiseFloorDbm(bandwidthHz: number, noiseFigureDb: number): number {
  requirePositive("bandwidthHz", bandwidthHz);
  requireNonNegative("noiseFigureDb", noiseFigureDb);
  return THERMAL_NOISE_DBM_PER_HZ + 10 * Math.log10(bandwidthHz) + noiseFigureDb;
}

/** Signal-to-noise ratio in dB of a received signal over a noise floor. */
export function snrDb(rssiDbm: number, noiseFloorDbmValue: number): number {
  return requireFinite("rssiDbm", rssiDbm) - requireFinite("noiseFloorDbm", noiseFloorDbmValue);
}

/**
 * Lowest SNR at which the LoRa demodulator still decodes, per spreading factor: Semtech
 * SX1276/77/78/79 datasheet (rev. 7), §4.1.1.3 table "Range of Spreading Factors":
 * SF7 −7.5 dB, then −2.5 dB per SF step to SF12 −20 dB. The same values appear in Semtech AN1200.22.
 */
export const LORA_DEMOD_SNR_DB: Readonly<Record<number, number>> = {
  7: -7.5,
  8: -10,
  9: -12.5,
  10: -15,
  11: -17.5,
  12: -20,
};

/**
 * Noise figure of a LoRa gateway receiver: 6 dB, the value Semtech AN1200.22 ("LoRa Modulation
 * Basics") uses in its sensitivity example; SX1301/SX1302-class gateways are of that order.
 */
export const LORA_GATEWAY_NOISE_FIGURE_DB = 6;

/**
 * Noise figure of a commodity 2.4 GHz Wi-Fi receiver front end (typical datasheet values are 4-6 dB);
 * 5 dB puts the 20 MHz noise floor at −96 dBm.
 */
export const WIFI_NOISE_FIGURE_DB = 5;

/**
 * Receive sensitivity for Wi-Fi beacon frames, which are sent at the 1 Mb/s DSSS basic rate:
 * common 2.4 GHz chipset datasheets list −95 to −98 dBm at 1 Mb/s (IEEE 802.11 itself only requires
 * −80 dBm); we take the conservative −95 dBm.
 */
export const WIFI_BEACON_SENSITIVITY_DBM = -95;

/**
 * Receive sensitivity in dBm for a data rate. LoRa: noise floor + demodulator SNR limit,
 * −174 + 10·log10(BW) + NF + SNR(SF) (Semtech AN1200.22), e.g. at 125 kHz and NF 6 dB:
 * SF7 −124.5 … SF12 −137.0 dBm. Wi-Fi: {@link WIFI_BEACON_SENSITIVITY_DBM}.
 * @throws UnsupportedDataRateError (LoRa SF outside 7..12), InvalidRadioParameterError
 */
export function receiveSensitivityDbm(dataRate: RadioDataRate, noiseFigureDb = LORA_GATEWAY_NOISE_FIGURE_DB): number {
  if (dataRate.modulation === "wifi") return WIFI_BEACON_SENSITIVITY_DBM;
  if (dataRate.modulation !== "lora") throw new UnsupportedDataRateError(describe(dataRate));
  const demodSnr = LORA_DEMOD_SNR_DB[dataRate.spreadingFactor];
  if (demodSnr === undefined) throw new UnsupportedDataRateError(describe(dataRate));
  return noiseFloorDbm(dataRate.bandwidthHz, noiseFigureDb) + demodSnr;
}

/** Minimum SNR in dB needed to decode a data rate. @throws UnsupportedDataRateError */
export function requiredSnrDb(dataRate: RadioDataRate, noiseFigureDb: number): number {
  return receiveSensitivityDbm(dataRate, noiseFigureDb) - noiseFloorDbm(dataRate.bandwidthHz, noiseFigureDb);
}

function describe(dataRate: RadioDataRate): string {
  return dataRate.name ?? `${dataRate.modulation}/SF${dataRate.spreadingFactor}/${dataRate.bandwidthHz}Hz`;
}

/** Environment and hardware defaults of one radio technology, used by the propagation model. */
export interface RadioProfile {
  readonly name: string;
  readonly frequencyHz: number;
  readonly bandwidthHz: number;
  readonly txPowerDbm: number;
  readonly antennaGainDbi: number;
  readonly noiseFigureDb: number;
  /** Log-distance path-loss exponent n (2 = free space; 2.7-3.5 urban/suburban outdoors). */
  readonly pathLossExponent: number;
  /** Reference distance d0 of the log-distance model, m. */
  readonly referenceDistanceM: number;
  /** Standard deviation σ of log-normal shadowing, dB (4-12 dB outdoors per Rappaport §4.9.2). */
  readonly shadowingSigmaDb: number;
}

/**
 * LoRa in US915 (centre of the first 125 kHz uplink sub-band, 903.9 MHz): 27 dBm conducted power
 * (the 30 dBm US915 limit minus typical cable loss), 3 dBi antenna (common stock fibreglass
 * antenna), exponent 3.0 and σ = 6 dB (suburban outdoor).
 */
export const LORA_US915_PROFILE: RadioProfile = {
  name: "lora-us915",
  frequencyHz: 903_900_000,
  bandwidthHz: 125_000,
  txPowerDbm: 27,
  antennaGainDbi: 3,
  noiseFigureDb: LORA_GATEWAY_NOISE_FIGURE_DB,
  pathLossExponent: 3.0,
  referenceDistanceM: 1,
  shadowingSigmaDb: 6,
};

/**
 * Wi-Fi at 2.4 GHz, channel 6 (2437 MHz), 20 MHz: 20 dBm (the EU EIRP limit, within US limits),
 * 2 dBi dipole, exponent 3.0 and σ = 7 dB (urban outdoor at 2.4 GHz is lossier than sub-GHz).
 */
export const WIFI_2G4_PROFILE: RadioProfile = {
  name: "wifi-2g4",
  frequencyHz: 2_437_000_000,
  bandwidthHz: 20_000_000,
  txPowerDbm: 20,
  antennaGainDbi: 2,
  noiseFigureDb: WIFI_NOISE_FIGURE_DB,
  pathLossExponent: 3.0,
  referenceDistanceM: 1,
  shadowingSigmaDb: 7,
};
