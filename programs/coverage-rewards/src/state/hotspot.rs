//! `Hotspot`, PDA `["hotspot", device key]`: one per onboarded hotspot. Layout version 2.
//!
//! | offset | size | field | type |
//! |---:|---:|---|---|
//! | 0 | 8 | discriminator = sha256("account:Hotspot")[..8] | [u8; 8] |
//! | 8 | 1 | version (2) | u8 |
//! | 9 | 1 | bump | u8 |
//! | 10 | 32 | owner (wallet that receives rewards) | pubkey |
//! | 42 | 32 | device_key (ed25519 key of the hotspot) | pubkey |
//! | 74 | 8 | location (H3 cell, resolution 12) | u64 |
//! | 82 | 2 | gain_dbi_x10 (antenna gain, dBi × 10) | i16 |
//! | 84 | 4 | elevation_m (antenna height above ground, m) | i32 |
//! | 88 | 8 | claimed (cumulative amount already minted) | u64 |
//! | 96 | 32 | reward_account: the owner's associated token account for the reward mint | pubkey |
//! | 128 | 8 | registered_at (Clock unix time of register_hotspot) | i64 |
//! | 136 | 8 | location_updated_at (unix time of the last update_location; registered_at before) | i64 |
//! | 144 | 8 | previous_location (in force until location_updated_at) | u64 |
//! | 152 | 2 | previous_gain_dbi_x10 | i16 |
//! | 154 | 4 | previous_elevation_m | i32 |
//!
//! Size 158 bytes. `reward_account` is derived on chain once, by register_hotspot, so that
//! claim compares one key instead of re-deriving the ATA on every claim.
//!
//! Version 2 added the last five fields so that the registry as of a past time T can be read
//! from the current accounts (docs/PROGRAM.md, "Registry as of time T"): update_location keeps
//! the values it replaces and may run at most once per two epochs. The v2 fields are appended,
//! so the offsets of v1's fields are unchanged. Only version 2 is accepted (no v1 was deployed).

use super::{le_field, Layout};
use crate::Pubkey;

#[repr(C)]
pub struct Hotspot {
    pub discriminator: [u8; 8],
    pub version: u8,
    pub bump: u8,
    pub owner: Pubkey,
    pub device_key: Pubkey,
    location: [u8; 8],
    gain_dbi_x10: [u8; 2],
    elevation_m: [u8; 4],
    claimed: [u8; 8],
    pub reward_account: Pubkey,
    registered_at: [u8; 8],
    location_updated_at: [u8; 8],
    previous_location: [u8; 8],
    previous_gain_dbi_x10: [u8; 2],
    previous_elevation_m: [u8; 4],
}

// SAFETY: repr(C), byte fields only, discriminator first.
unsafe impl Layout for Hotspot {
    const DISCRIMINATOR: [u8; 8] = [127, 196, 5, 68, 132, 17, 192, 225];
    const SIZE: usize = 158;
    const VERSION: u8 = 2;
}

impl Hotspot {
    le_field!(location, set_location, u64);
    le_field!(gain_dbi_x10, set_gain_dbi_x10, i16);
    le_field!(elevation_m, set_elevation_m, i32);
    le_field!(claimed, set_claimed, u64);
    le_field!(registered_at, set_registered_at, i64);
    le_field!(location_updated_at, set_location_updated_at, i64);
    le_field!(previous_location, set_previous_location, u64);
    le_field!(previous_gain_dbi_x10, set_previous_gain_dbi_x10, i16);
    le_field!(previous_elevation_m, set_previous_elevation_m, i32);

    /// Moves the current location, gain and elevation to the `previous_*` fields, writes the new
    /// ones and records `now` as the time they took effect.
    #[inline(always)]
    pub fn replace_location(&mut self, location: u64, gain_dbi_x10: i16, elevation_m: i32, now: i64) {
        self.previous_location = self.location;
        self.previous_gain_dbi_x10 = self.gain_dbi_x10;
        self.previous_elevation_m = self.elevation_m;
        self.set_location(location);
        self.set_gain_dbi_x10(gain_dbi_x10);
        self.set_elevation_m(elevation_m);
        self.set_location_updated_at(now);
    }
}

#[cfg(test)]
mod tests {
    use super::super::{init, offset_of, view};
    use super::*;

    #[test]
    fn size_and_offsets_match_the_documented_layout() {
        assert_eq!(core::mem::size_of::<Hotspot>(), Hotspot::SIZE);
        assert_eq!(offset_of!(Hotspot, bump), 9);
        assert_eq!(offset_of!(Hotspot, owner), 10);
        assert_eq!(offset_of!(Hotspot, device_key), 42);
        assert_eq!(offset_of!(Hotspot, location), 74);
        assert_eq!(offset_of!(Hotspot, gain_dbi_x10), 82);
        assert_eq!(offset_of!(Hotspot, elevation_m), 84);
        assert_eq!(offset_of!(Hotspot, claimed), 88);
        assert_eq!(offset_of!(Hotspot, reward_account), 96);
        assert_eq!(offset_of!(Hotspot, registered_at), 128);
        assert_eq!(offset_of!(Hotspot, location_updated_at), 136);
        assert_eq!(offset_of!(Hotspot, previous_location), 144);
        assert_eq!(offset_of!(Hotspot, previous_gain_dbi_x10), 152);
        assert_eq!(offset_of!(Hotspot, previous_elevation_m), 154);
        assert_eq!(Hotspot::VERSION, 2);
    }

    #[test]
    fn replace_location_keeps_the_replaced_values_and_the_time() {
        let mut data = vec![0u8; Hotspot::SIZE];
        let h = init::<Hotspot>(&mut data).unwrap();
        h.set_location(0x8c283082800b3ff);
        h.set_gain_dbi_x10(30);
        h.set_elevation_m(10);
        h.set_registered_at(1_000);
        h.set_location_updated_at(1_000);
        h.replace_location(0x8cbe0e35c0521ff, -20, 300, 9_000);
        assert_eq!((h.location(), h.gain_dbi_x10(), h.elevation_m()), (0x8cbe0e35c0521ff, -20, 300));
        assert_eq!((h.previous_location(), h.previous_gain_dbi_x10(), h.previous_elevation_m()), (0x8c283082800b3ff, 30, 10));
        assert_eq!((h.registered_at(), h.location_updated_at()), (1_000, 9_000));
        assert_eq!(&data[136..144], &9_000i64.to_le_bytes());
        assert_eq!(&data[152..154], &30i16.to_le_bytes());
    }

    #[test]
    fn only_version_2_is_accepted() {
        let mut data = vec![0u8; Hotspot::SIZE];
        init::<Hotspot>(&mut data).unwrap();
        assert_eq!(data[8], 2);
        let mut v1 = data.clone();
        v1[8] = 1;
        assert_eq!(view::<Hotspot>(&mut v1).err(), Some(crate::error::Error::InvalidAccountData));
        let mut old_size = data[..128].to_vec();
        assert_eq!(view::<Hotspot>(&mut old_size).err(), Some(crate::error::Error::InvalidAccountData));
    }

    #[test]
    fn fields_round_trip_through_the_bytes() {
        let mut data = vec![0u8; Hotspot::SIZE];
        {
            let h = init::<Hotspot>(&mut data).unwrap();
            h.owner = [3; 32];
            h.device_key = [4; 32];
            h.set_location(0x8c283082800b3ff);
            h.set_gain_dbi_x10(-25);
            h.set_elevation_m(-430);
            h.set_claimed(123_456);
        }
        assert_eq!(&data[74..82], &0x8c283082800b3ffu64.to_le_bytes());
        assert_eq!(&data[82..84], &(-25i16).to_le_bytes());
        let h = view::<Hotspot>(&mut data).unwrap();
        assert_eq!(h.owner, [3; 32]);
        assert_eq!(h.device_key, [4; 32]);
        assert_eq!(h.location(), 0x8c283082800b3ff);
        assert_eq!(h.gain_dbi_x10(), -25);
        assert_eq!(h.elevation_m(), -430);
        assert_eq!(h.claimed(), 123_456);
    }
}
