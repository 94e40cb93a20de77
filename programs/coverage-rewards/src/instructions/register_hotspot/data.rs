//! Arguments: Borsh `location u64, gain_dbi_x10 i16, elevation_m i32` (14 bytes), parsed and
//! validated by [`crate::instructions::HotspotParams`] (shared with update_location; its tests
//! cover lengths and ranges).

pub use crate::instructions::HotspotParams as RegisterHotspotArgs;
