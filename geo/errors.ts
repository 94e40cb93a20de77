/**
 * Typed errors for bad geospatial, radio, density or reward input. One class per failure, each
 * with a stable `code`; callers (validators, metrics, tests) match on `code` or `name`, never on
 * message text. All extend {@link GeoError} so a caller can catch everything from geo/ at once.
 */
export abstract class GeoError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Not an H3 cell: wrong type, not canonical 15-char lowercase hex, or fails H3 validation. */
export class InvalidCellError extends GeoError {
  readonly code = "ERR_INVALID_CELL";
  constructor(
    readonly input: string,
    detail: string,
  ) {
    super(`invalid H3 cell ${JSON.stringify(input)}: ${detail}`);
  }
}

/** A valid cell at a resolution other than the one required (e.g. an asserted location not at 12). */
export class WrongResolutionError extends GeoError {
  readonly code = "ERR_WRONG_RESOLUTION";
  constructor(
    readonly cell: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`cell ${cell} has resolution ${actual}, expected ${expected}`);
  }
}

/** A resolution argument outside 0..15, or finer/coarser than the operation allows. */
export class InvalidResolutionError extends GeoError {
  readonly code = "ERR_INVALID_RESOLUTION";
  constructor(
    readonly resolution: number,
    detail: string,
  ) {
    super(`invalid resolution ${resolution}: ${detail}`);
  }
}

/** A byte encoding of a cell with the wrong length. */
export class InvalidCellBytesError extends GeoError {
  readonly code = "ERR_INVALID_CELL_BYTES";
  constructor(readonly length: number) {
    super(`a cell is encoded in exactly 8 bytes, got ${length}`);
  }
}

/** Latitude outside [-90, 90], longitude outside [-180, 180], or not a finite number. */
export class InvalidLatLngError extends GeoError {
  readonly code = "ERR_INVALID_LAT_LNG";
  constructor(
    readonly lat: number,
    readonly lng: number,
  ) {
    super(`invalid coordinates lat=${lat} lng=${lng}`);
  }
}

/** H3 cannot compute a grid distance (cells too far apart or across pentagon distortion). */
export class GridDistanceUnavailableError extends GeoError {
  readonly code = "ERR_GRID_DISTANCE_UNAVAILABLE";
  constructor(
    readonly from: string,
    readonly to: string,
  ) {
    super(`grid distance between ${from} and ${to} is undefined in H3`);
  }
}

/** A radio quantity (distance, frequency, power, gain, bandwidth, ...) is missing, not finite or out of range. */
export class InvalidRadioParameterError extends GeoError {
  readonly code = "ERR_INVALID_RADIO_PARAMETER";
  constructor(
    readonly parameter: string,
    readonly value: unknown,
    detail: string,
  ) {
    super(`invalid radio parameter ${parameter}=${String(value)}: ${detail}`);
  }
}

/** A data rate this module has no receive sensitivity for (e.g. LoRa SF6, or an unknown bandwidth). */
export class UnsupportedDataRateError extends GeoError {
  readonly code = "ERR_UNSUPPORTED_DATA_RATE";
  constructor(readonly dataRate: string) {
    super(`no receive sensitivity known for data rate ${dataRate}`);
  }
}

/** Hex density configuration that is inconsistent (resolution order, N/target/max ranges). */
export class InvalidDensityConfigError extends GeoError {
  readonly code = "ERR_INVALID_DENSITY_CONFIG";
  constructor(detail: string) {
    super(`invalid hex density config: ${detail}`);
  }
}

/** The same hotspot key appears twice in a density input. */
export class DuplicateHotspotError extends GeoError {
  readonly code = "ERR_DUPLICATE_HOTSPOT";
  constructor(readonly hotspot: string) {
    super(`hotspot ${hotspot} appears more than once in the density input`);
  }
}

/** Reward-unit configuration out of range (witness redundancy N < 1, decay r outside [0, 1]). */
export class InvalidRewardConfigError extends GeoError {
  readonly code = "ERR_INVALID_REWARD_CONFIG";
  constructor(detail: string) {
    super(`invalid reward config: ${detail}`);
  }
}

/** A witness count that is negative, fractional or unsafe. */
export class InvalidWitnessCountError extends GeoError {
  readonly code = "ERR_INVALID_WITNESS_COUNT";
  constructor(readonly witnessCount: unknown) {
    super(`witness count must be a non-negative safe integer, got ${String(witnessCount)}`);
  }
}

/** A density scale outside [0, 1_000_000] parts per million. */
export class InvalidScaleError extends GeoError {
  readonly code = "ERR_INVALID_SCALE";
  constructor(readonly scalePpm: unknown) {
    super(`density scale must be an integer in [0, 1000000] ppm, got ${String(scalePpm)}`);
  }
}
