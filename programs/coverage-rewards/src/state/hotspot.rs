//! `Hotspot`, PDA `["hotspot", device key]`: one per onboarded hotspot.
//!
//! | offset | size | field | type |
//! |---:|---:|---|---|
//! | 0 | 8 | discriminator = sha256("account:Hotspot")[..8] | [u8; 8] |
//! | 8 | 1 | version (1) | u8 |
//! | 9 | 1 | bump | u8 |
//! | 10 | 32 | owner (wallet that receives rewards) | pubkey |
//! | 42 | 32 | device_key (ed25519 key of the hotspot) | pubkey |
//! | 74 | 8 | location (H3 cell, resolution 12) | u64 |
//! | 82 | 2 | gain_dbi_x10 (antenna gain, dBi × 10) | i16 |
//! | 84 | 4 | elevation_m (antenna height above ground, m) | i32 |
//! | 88 | 8 | claimed (cumulative amount already minted) | u64 |
//! | 96 | 32 | reward_account: the owner's associated token account for the reward mint | pubkey |
//!
//! Size 128 bytes. `reward_account` is derived on chain once, by register_hotspot, so that
//! claim compares one key instead of re-deriving the ATA (1,500 CU per bump tried, unbounded in
//! the worst case) on every claim.

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
}

// SAFETY: repr(C), byte fields only, discriminator first.
unsafe impl Layout for Hotspot {
    const DISCRIMINATOR: [u8; 8] = [127, 196, 5, 68, 132, 17, 192, 225];
    const SIZE: usize = 128;
}

impl Hotspot {
    le_field!(location, set_location, u64);
    le_field!(gain_dbi_x10, set_gain_dbi_x10, i16);
    le_field!(elevation_m, set_elevation_m, i32);
    le_field!(claimed, set_claimed, u64);
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
