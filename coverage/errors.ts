/**
 * Typed errors of the coverage index and its HTTP API. One class per failure, `name` = class name,
 * a stable `code`; the HTTP layer maps each to a status (`status`) and answers
 * `{ "error": { "code", "message" } }`. Tests match on `code`.
 */
export abstract class CoverageError extends Error {
  abstract readonly code: string;
  /** HTTP status the API answers with when this error reaches it. */
  abstract readonly status: number;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** An EpochCoverageFeed that does not match the documented shape (coverage/feed.ts). */
export class InvalidFeedError extends CoverageError {
  readonly code = "ERR_INVALID_FEED";
  readonly status = 400;
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`invalid coverage feed at ${field}: ${detail}`);
  }
}

/** A beacon or witness names a hotspot that is not in the feed's `hotspots` list. */
export class UnknownFeedHotspotError extends CoverageError {
  readonly code = "ERR_UNKNOWN_FEED_HOTSPOT";
  readonly status = 400;
  constructor(
    readonly field: string,
    readonly hotspot: string,
  ) {
    super(`invalid coverage feed at ${field}: hotspot ${hotspot} is not listed in hotspots`);
  }
}

/** The same hotspot key twice in a feed's `hotspots` list. */
export class DuplicateFeedHotspotError extends CoverageError {
  readonly code = "ERR_DUPLICATE_FEED_HOTSPOT";
  readonly status = 400;
  constructor(readonly hotspot: string) {
    super(`invalid coverage feed: hotspot ${hotspot} is listed twice`);
  }
}

/** Epochs are indexed in increasing order; this one is not newer than the latest indexed. */
export class EpochOutOfOrderError extends CoverageError {
  readonly code = "ERR_EPOCH_OUT_OF_ORDER";
  readonly status = 409;
  constructor(
    readonly epoch: number,
    readonly latest: number,
  ) {
    super(`epoch ${epoch} is not newer than the latest indexed epoch ${latest}`);
  }
}

/** Index options out of range (retention, window, resolutions). */
export class InvalidIndexOptionsError extends CoverageError {
  readonly code = "ERR_INVALID_INDEX_OPTIONS";
  readonly status = 500;
  constructor(detail: string) {
    super(`invalid coverage index options: ${detail}`);
  }
}

/** The validator answered with an HTTP error, invalid JSON, or did not answer. */
export class ValidatorFetchError extends CoverageError {
  readonly code = "ERR_VALIDATOR_FETCH";
  readonly status = 502;
  constructor(
    readonly url: string,
    detail: string,
  ) {
    super(`fetching ${url} failed: ${detail}`);
  }
}

/** A path parameter that should be an H3 cell is not one, or is at a resolution the index lacks. */
export class InvalidCellParamError extends CoverageError {
  readonly code = "ERR_INVALID_CELL";
  readonly status = 400;
  constructor(detail: string) {
    super(detail);
  }
}

/** A `res` query parameter outside the indexed resolutions or inconsistent with the cell. */
export class InvalidResolutionParamError extends CoverageError {
  readonly code = "ERR_INVALID_RESOLUTION";
  readonly status = 400;
  constructor(detail: string) {
    super(detail);
  }
}

/** A `bbox` that is not four finite numbers minLng,minLat,maxLng,maxLat in range and in order. */
export class InvalidBboxError extends CoverageError {
  readonly code = "ERR_INVALID_BBOX";
  readonly status = 400;
  constructor(detail: string) {
    super(`invalid bbox: ${detail}`);
  }
}

/** A bbox that holds too many cells of the requested resolution for one query. */
export class BboxTooLargeError extends CoverageError {
  readonly code = "ERR_BBOX_TOO_LARGE";
  readonly status = 400;
  constructor(
    readonly estimatedCells: number,
    readonly maxCells: number,
    readonly resolution: number,
    readonly suggestedResolution: number | null,
  ) {
    super(
      `bbox covers about ${estimatedCells} cells at resolution ${resolution}, more than the limit of ${maxCells}: ` +
        (suggestedResolution === null ? "use a smaller bbox" : `use a smaller bbox or res=${suggestedResolution} or coarser`),
    );
  }
}

/** An `epoch` query parameter that is neither "latest" nor a non-negative integer. */
export class InvalidEpochParamError extends CoverageError {
  readonly code = "ERR_INVALID_EPOCH";
  readonly status = 400;
  constructor(readonly input: string) {
    super(`invalid epoch ${JSON.stringify(input.slice(0, 40))}: expected "latest" or an integer in 0..4294967295`);
  }
}

/** `limit` not an integer in 1..MAX_PAGE_LIMIT. */
export class InvalidLimitError extends CoverageError {
  readonly code = "ERR_INVALID_LIMIT";
  readonly status = 400;
  constructor(input: string, max: number) {
    super(`invalid limit ${JSON.stringify(input.slice(0, 40))}: expected an integer in 1..${max}`);
  }
}

/** `cursor` that is not a cell of the query's resolution (it must come from a previous page). */
export class InvalidCursorError extends CoverageError {
  readonly code = "ERR_INVALID_CURSOR";
  readonly status = 400;
  constructor(input: string) {
    super(`invalid cursor ${JSON.stringify(input.slice(0, 40))}: pass the "next" value of the previous page unchanged`);
  }
}

/** A hotspot key that is not a base58 ed25519 public key. */
export class InvalidHotspotKeyParamError extends CoverageError {
  readonly code = "ERR_INVALID_HOTSPOT_KEY";
  readonly status = 400;
  constructor(input: string) {
    super(`invalid hotspot key ${JSON.stringify(input.slice(0, 64))}: expected a base58 ed25519 public key (32 bytes)`);
  }
}

/** A query parameter the endpoint does not know (typos should not be silently ignored). */
export class UnknownParamError extends CoverageError {
  readonly code = "ERR_UNKNOWN_PARAMETER";
  readonly status = 400;
  constructor(name: string, allowed: readonly string[]) {
    super(`unknown query parameter ${JSON.stringify(name.slice(0, 40))}; allowed: ${allowed.length === 0 ? "none" : allowed.join(", ")}`);
  }
}

/** A malformed request line: bad percent-encoding, URL too long, repeated parameter. */
export class BadRequestError extends CoverageError {
  readonly code = "ERR_BAD_REQUEST";
  readonly status = 400;
  constructor(detail: string) {
    super(detail);
  }
}

/** No snapshot for the requested epoch (never indexed, or older than the retention). */
export class EpochNotFoundError extends CoverageError {
  readonly code = "ERR_EPOCH_NOT_FOUND";
  readonly status = 404;
  constructor(
    readonly epoch: number | "latest",
    available: readonly number[],
  ) {
    super(
      epoch === "latest"
        ? "no epoch has been indexed yet"
        : `epoch ${epoch} is not available; retained epochs: ${available.length === 0 ? "none" : `${available[0]}..${available[available.length - 1]}`}`,
    );
  }
}

/** A valid cell with no coverage data in the snapshot. */
export class CellNotFoundError extends CoverageError {
  readonly code = "ERR_CELL_NOT_FOUND";
  readonly status = 404;
  constructor(
    readonly cell: string,
    readonly epoch: number,
  ) {
    super(`no coverage data for cell ${cell} in epoch ${epoch}`);
  }
}

/** A valid hotspot key the index has never seen. */
export class HotspotNotFoundError extends CoverageError {
  readonly code = "ERR_HOTSPOT_NOT_FOUND";
  readonly status = 404;
  constructor(readonly key: string) {
    super(`hotspot ${key} is not in the coverage index`);
  }
}

/** No route for the path. */
export class RouteNotFoundError extends CoverageError {
  readonly code = "ERR_NOT_FOUND";
  readonly status = 404;
  constructor(path: string) {
    super(`no such endpoint: ${path.slice(0, 100)}`);
  }
}

/** Only GET, HEAD and OPTIONS are served. */
export class MethodNotAllowedError extends CoverageError {
  readonly code = "ERR_METHOD_NOT_ALLOWED";
  readonly status = 405;
  constructor(method: string) {
    super(`method ${method.slice(0, 20)} not allowed; the API is read-only (GET, HEAD, OPTIONS)`);
  }
}
