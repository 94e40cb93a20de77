/**
 * Named constants for geo/: H3 conventions, physical constants and Helium-derived defaults.
 * Each says where it comes from; DESIGN.md §4-§5 and docs/GEO.md give the wider context.
 */

/** Hotspots assert their location as an H3 cell at resolution 12 (DESIGN.md §2; Helium's convention). */
export const ASSERTED_LOCATION_RESOLUTION = 12;

/** H3 defines resolutions 0 (coarsest, ~1100 km edges) to 15 (finest, ~0.5 m edges). */
export const MIN_H3_RESOLUTION = 0;
export const MAX_H3_RESOLUTION = 15;

/**
 * Every valid H3 cell index has mode 1 in bits 59-62 and the top bit clear, so its hex form is
 * always exactly 15 digits ("8" + 14 more). The canonical off-chain form is lowercase, unpadded.
 */
export const CELL_HEX_LENGTH = 15;

/** A cell on chain is a u64: 8 bytes (little-endian in PDA seeds and Merkle leaves, big-endian in index keys). */
export const CELL_BYTES = 8;

/** Speed of light in vacuum, m/s (exact by the SI definition of the metre). */
export const SPEED_OF_LIGHT_M_PER_S = 299_792_458;

/**
 * Thermal noise density kT at the IEEE reference temperature of 290 K is -173.98 dBm/Hz; -174 is
 * the value every LoRa/Wi-Fi link-budget text (and Semtech AN1200.22) uses.
 */
export const THERMAL_NOISE_DBM_PER_HZ = -174;

/**
 * Mean Earth radius H3 uses for its great-circle distances (h3lib `EARTH_RADIUS_KM` =
 * 6371.007180918475 km, the authalic radius), so our distances agree with h3's own.
 */
export const EARTH_RADIUS_M = 6_371_007.180918475;
/** The same radius in whole millimetres, for the integer distance (rounded half up). */
export const EARTH_RADIUS_MM = 6_371_007_181n;

/**
 * Helium's PoC witness limits (iot_verifier defaults, DESIGN.md §4), exported so the validator uses
 * one definition: a witness fewer than 8 res-11 cells from the beaconer is too close; more than
 * 100 km between asserted cell centres is too far.
 */
export const WITNESS_MIN_GRID_DISTANCE = 8;
export const WITNESS_MIN_DISTANCE_RESOLUTION = 11;
export const WITNESS_MAX_DISTANCE_M = 100_000;
