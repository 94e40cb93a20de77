/**
 * Named constants and defaults of the coverage index (issue 8). docs/COVERAGE.md explains the
 * choices; every option of {@link CoverageIndexOptions} and the HTTP server has its default here.
 */

/**
 * Base resolution of the index: H3 res 8 (average hexagon 0.737 km², edge ≈ 530 m).
 * - It is the finest resolution where HIP-17/104 density caps a cell at one hotspot (DESIGN.md §5,
 *   res 8-10: N=2, target 1, max 1), so one base cell ≈ the area one hotspot is meant to serve.
 * - A witnessed LoRa link proves reception over hundreds of metres to kilometres; finer cells
 *   (res 10: 0.015 km²) would claim a precision the evidence does not have and multiply storage by 49.
 * - 400k hotspots occupy ~135k res-8 cells (docs/BENCHMARKS.md ## geo), a city bbox ~500 of them:
 *   small enough for one HTTP response, fine enough for street-level maps.
 */
export const BASE_RESOLUTION = 8;

/** Coarsest indexed resolution (DESIGN.md, issue 8: "every coarser one up to resolution 4"). */
export const MIN_INDEX_RESOLUTION = 4;

/** Hotspots assert res-12 locations (DESIGN.md §2). */
export const LOCATION_RESOLUTION = 12;

/**
 * Snapshots kept for the epoch selector. With the validator's default 24 h epochs (validator
 * scoring config) this is two weeks of history; older snapshots are deleted on ingest.
 */
export const DEFAULT_RETAIN_EPOCHS = 14;

/**
 * Epochs merged into one snapshot. A hotspot beacons at most a few times per epoch and Helium's
 * PoC allowed one beacon per 6 h, so one epoch can miss a cell by chance; merging the last three
 * (72 h at 24 h epochs) keeps a cell on the map until it really went quiet. `lastSeenEpoch` tells
 * how fresh each cell is.
 */
export const DEFAULT_WINDOW_EPOCHS = 3;

/** Epoch numbers are stored as big-endian u32 key prefixes (like validator/store). */
export const MAX_EPOCH = 0xffff_ffff;

/**
 * Bounded per-cell lists. 16 is above HIP-15's witness redundancy (N = 4) and Helium's 14 rewarded
 * witnesses per beacon (DESIGN.md §4), so a base cell lists every witness of one beacon.
 */
export const MAX_COVERING_HOTSPOTS = 16;
/** Located hotspots listed per cell (the map draws these markers). */
export const MAX_LOCATED_HOTSPOTS = 16;
/** Base cells listed per hotspot record ("where did this hotspot prove coverage"). */
export const MAX_HOTSPOT_COVERED_CELLS = 16;

/**
 * RSSI histogram: 1 dB bins from -150 to 0 dBm. -150 dBm is below every LoRa sensitivity (SF12
 * 125 kHz ≈ -137 dBm, Semtech SX1276 datasheet); 0 dBm is above any plausible received power.
 * Samples outside are clamped into the end bins (they still count for the median).
 */
export const RSSI_HISTOGRAM_MIN_DBM = -150;
export const RSSI_HISTOGRAM_MAX_DBM = 0;
/** The feed carries RSSI in tenths of a dBm. */
export const DECI_PER_UNIT = 10;

/**
 * Coverage score (0..100, integer), see docs/COVERAGE.md "Coverage score":
 * presence + proven links + signal.
 */
export const SCORE_MAX = 100;
/** A hotspot located in the cell (self-asserted, so the weakest evidence). */
export const SCORE_PRESENCE_POINTS = 20;
/** Per distinct witness hotspot that heard a beacon from the cell (radio evidence). */
export const SCORE_POINTS_PER_WITNESS = 10;
/** Link points saturate at HIP-15's witness redundancy N = 4 (DESIGN.md §5): 4 × 10. */
export const SCORE_LINK_POINTS_MAX = 40;
/** Signal points for the median RSSI, linear between the floor and the ceiling. */
export const SCORE_SIGNAL_POINTS_MAX = 40;
/**
 * -130 dBm: about LoRa SF10/SF11 sensitivity at 125 kHz (SX1276 datasheet -132/-134.5 dBm) - a
 * median there means the cell is heard only at the edge of the link budget: 0 points.
 */
export const SCORE_RSSI_FLOOR_DBM = -130;
/** -70 dBm: a 60 dB margin over the floor, a strong link; medians at or above get all 40 points. */
export const SCORE_RSSI_CEIL_DBM = -70;

/** HTTP defaults. */
export const DEFAULT_HTTP_HOST = "127.0.0.1";
export const DEFAULT_HTTP_PORT = 8088;
/** Features per /v1/coverage page by default, and the most a client may ask for. */
export const DEFAULT_PAGE_LIMIT = 1000;
export const MAX_PAGE_LIMIT = 5000;
/**
 * Largest bbox, counted in average cells of the requested resolution. 350,000 lets the whole world
 * at res 4 (288,122 cells, h3 getNumCells(4)) through and keeps res 8 to ~258,000 km² (≈ 500 km
 * square); beyond that the client should use a coarser resolution.
 */
export const MAX_BBOX_CELLS = 350_000;
/**
 * A bbox is answered by range scans under covering cells this many resolutions coarser than the
 * requested one: 7^2 = 49 candidates per scan keeps the cells read outside the bbox few (a city
 * bbox at res 8 reads ~2× its answer) while a maximal bbox still needs only ~7,000 scans.
 */
export const BBOX_COVER_STEPS = 2;
/**
 * h3's polygon fill assumes edges shorter than 180° of longitude; bboxes are cut into strips of at
 * most this width first.
 */
export const BBOX_STRIP_MAX_LNG_DEG = 60;
/** Polygon vertices exactly at the poles are degenerate for h3; the cover uses ±89.999°. */
export const BBOX_POLE_CLAMP_DEG = 89.999;
/** Longest request URL accepted (a bbox, res, epoch, limit and cursor fit in a few hundred bytes). */
export const MAX_URL_LENGTH = 2048;

/** Poller: how often to ask the validator for newly finalized epochs. */
export const DEFAULT_POLL_INTERVAL_MS = 10_000;
/** A validator that does not answer within this time is tried again on the next tick. */
export const DEFAULT_FETCH_TIMEOUT_MS = 30_000;

