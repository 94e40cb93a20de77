//! `update_location(location: u64, gain_dbi_x10: i16, elevation_m: i32)`: the hotspot's owner
//! re-asserts its location, antenna gain and elevation.
//!
//! The replaced values move to the Hotspot's `previous_*` fields and `location_updated_at`
//! becomes the Clock's unix time. An update is refused (`LocationUpdateTooSoon`) until
//! `2 × config.epoch_length_seconds` have passed since the last one (or since registration):
//! with at most one update per two epochs, anyone reading the account before `T + 2 epochs`
//! can tell the location in force at time `T` (docs/PROGRAM.md, "Registry as of time T"), so
//! validators reading the registry at slightly different times score the same snapshot.

pub mod accounts;
pub mod data;
pub mod processor;

pub use processor::process;
