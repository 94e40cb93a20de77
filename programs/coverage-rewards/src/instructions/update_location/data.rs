//! Arguments: the same 14 bytes as register_hotspot, see [`crate::instructions::HotspotParams`].

pub use crate::instructions::HotspotParams as UpdateLocationArgs;
