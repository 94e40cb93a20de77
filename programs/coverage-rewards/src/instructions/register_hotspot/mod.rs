//! `register_hotspot(location: u64, gain_dbi_x10: i16, elevation_m: i32)`: onboards a hotspot.
//! Both the owner (who pays and later receives rewards) and the device key sign, so nobody can
//! register a device they do not hold, nor assign a device to an owner who did not agree. The owner's associated token account for
//! the reward mint is derived here, once, and stored as `reward_account`: every claim pays into it.
//! The Clock's unix time is stored as `registered_at` and `location_updated_at`, and the initial
//! location, gain and elevation also as the `previous_*` values (docs/PROGRAM.md, "Registry as of
//! time T").

pub mod accounts;
pub mod data;
pub mod processor;

pub use processor::process;
