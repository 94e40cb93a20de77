/**
 * geo/: the single owner of geospatial and radio conventions in Hexcover (issue 3, DESIGN.md §4-§5).
 *
 * - H3 cells: canonical 15-char lowercase hex off chain, u64 on chain (LE in seeds/leaves, BE in
 *   index keys); validation with typed errors; parents, children, child ranges, distances.
 * - Radio math: float FSPL / link budget / log-distance + seeded shadowing for the simulator
 *   ({@link PropagationModel}); integer FSPL and the RSSI plausibility bound for validators.
 * - HIP-17/HIP-104 hex density scaling and HIP-15 reward units, integer/fixed point.
 * - GeoJSON features and coverage polygons.
 *
 * See docs/GEO.md for formulas, defaults and the fixed-point rules.
 */
export * from "./constants.js";
export * from "./errors.js";
export {
  type Cell,
  type CellChildRange,
  type LatLng,
  MAX_CHILDREN_RESOLUTION_STEPS,
  cellChildRange,
  cellChildren,
  cellDisk,
  cellDistanceMFloat,
  cellFromBeBytes,
  cellFromLeBytes,
  cellFromU64,
  cellGridDistance,
  cellParent,
  cellResolution,
  cellToBeBytes,
  cellToLatLng,
  cellToLeBytes,
  cellToU64,
  checkLatLng,
  isCell,
  latLngDistanceMFloat,
  latLngToCell,
  parseAssertedLocation,
  parseCell,
  parseCellAtResolution,
} from "./cells.js";
export { type LatLngE7, COORDINATE_E7_SCALE, cellCentreDistanceM, cellCentreE7, distanceMmE7 } from "./distance.js";
export {
  type LinkBudgetInput,
  type RadioDataRate,
  type RadioProfile,
  FSPL_CONSTANT_DB,
  LORA_DEMOD_SNR_DB,
  LORA_GATEWAY_NOISE_FIGURE_DB,
  LORA_US915_PROFILE,
  MIN_PATH_DISTANCE_M,
  WIFI_2G4_PROFILE,
  WIFI_BEACON_SENSITIVITY_DBM,
  WIFI_NOISE_FIGURE_DB,
  freeSpacePathLossDb,
  logDistancePathLossDb,
  maxPlausibleRssiDbm,
  noiseFloorDbm,
  receiveSensitivityDbm,
  requiredSnrDb,
  snrDb,
} from "./radio.js";
export {
  type FreeSpaceBoundInput,
  freeSpacePathLossCentiDb,
  maxPlausibleRssiCentiDbm,
  rssiWithinFreeSpaceBound,
} from "./radio-bound.js";
export {
  type LinkReceiver,
  type LinkResult,
  type LinkTransmitter,
  type LogDistanceModelOptions,
  type PropagationModel,
  type RadioLocation,
  LogDistancePropagationModel,
  linkShadowingNormal,
} from "./propagation.js";
export {
  type CellDensity,
  type DensityConfig,
  type DensityHotspot,
  type DensityLevelConfig,
  type HexDensity,
  DEFAULT_DENSITY_CONFIG,
  HIP104_DENSITY_CONFIG,
  SCALE_PPM_ONE,
  computeHexDensity,
  densityLimit,
  hexDensityScalesPpm,
  validateDensityConfig,
} from "./density.js";
export {
  type BeaconRewardUnits,
  type RewardUnitConfig,
  HIP15_REWARD_CONFIG,
  UNIT,
  beaconRewardUnits,
  scaleRewardUnits,
  scaledBeaconRewardUnits,
  validateRewardConfig,
} from "./rewards.js";
export {
  type CellFeatureProperties,
  type CellWithProperties,
  cellToFeature,
  cellsToFeatureCollection,
  coveragePolygon,
} from "./geojson.js";
export { seededRandom, seedFromText } from "./random.js";
