//! `update_location(location: u64, gain_dbi_x10: i16, elevation_m: i32)`: the hotspot's owner
//! re-asserts its location, antenna gain and elevation.

pub mod accounts;
pub mod data;
pub mod processor;

pub use processor::process;
