//! `Config`, PDA `["config"]`: the single global account.
//!
//! | offset | size | field | type |
//! |---:|---:|---|---|
//! | 0 | 8 | discriminator = sha256("account:Config")[..8] | [u8; 8] |
//! | 8 | 1 | version (1) | u8 |
//! | 9 | 1 | bump of `["config"]` | u8 |
//! | 10 | 1 | mint_authority_bump of `["mint_authority"]` | u8 |
//! | 11 | 32 | admin | pubkey |
//! | 43 | 32 | mint (reward token) | pubkey |
//! | 75 | 32 | mint_authority (the PDA) | pubkey |
//! | 107 | 8 | epoch_length_seconds | u64 |
//! | 115 | 8 | genesis_unix_time (start of epoch 0) | i64 |
//! | 123 | 8 | emission_per_epoch | u64 |
//! | 131 | 1 | quorum | u8 |
//! | 132 | 1 | validator_count | u8 |
//! | 133 | 4 | validators_version (bumped by set_validators) | u32 |
//! | 137 | 512 | validators (first validator_count used, rest zero) | [pubkey; 16] |
//! | 649 | 8 | next_epoch (epochs 0..next_epoch are finalized) | u64 |
//! | 657 | 8 | total_minted | u64 |
//! | 665 | 8 | finalized_cumulative_total | u64 |
//!
//! Size 673 bytes.

use super::{le_field, Layout};
use crate::keys::key_eq;
use crate::Pubkey;

/// Maximum number of validators (DESIGN.md §7).
pub const MAX_VALIDATORS: usize = 16;

#[repr(C)]
pub struct Config {
    pub discriminator: [u8; 8],
    pub version: u8,
    pub bump: u8,
    pub mint_authority_bump: u8,
    pub admin: Pubkey,
    pub mint: Pubkey,
    pub mint_authority: Pubkey,
    epoch_length_seconds: [u8; 8],
    genesis_unix_time: [u8; 8],
    emission_per_epoch: [u8; 8],
    pub quorum: u8,
    pub validator_count: u8,
    validators_version: [u8; 4],
    pub validators: [Pubkey; MAX_VALIDATORS],
    next_epoch: [u8; 8],
    total_minted: [u8; 8],
    finalized_cumulative_total: [u8; 8],
}

// SAFETY: repr(C), byte fields only, discriminator first.
unsafe impl Layout for Config {
    const DISCRIMINATOR: [u8; 8] = [155, 12, 170, 224, 30, 250, 204, 130];
    const SIZE: usize = 673;
    const VERSION: u8 = 1;
}

impl Config {
    le_field!(epoch_length_seconds, set_epoch_length_seconds, u64);
    le_field!(genesis_unix_time, set_genesis_unix_time, i64);
    le_field!(emission_per_epoch, set_emission_per_epoch, u64);
    le_field!(validators_version, set_validators_version, u32);
    le_field!(next_epoch, set_next_epoch, u64);
    le_field!(total_minted, set_total_minted, u64);
    le_field!(finalized_cumulative_total, set_finalized_cumulative_total, u64);

    /// Index of `key` in the active validator set. Inlined: a non-inlined BPF function cannot
    /// return the `{i8, i8}` of an `Option<u8>`.
    #[inline(always)]
    pub fn validator_index(&self, key: &Pubkey) -> Option<u8> {
        let n = self.validator_count as usize;
        let mut i = 0;
        while i < n && i < MAX_VALIDATORS {
            if key_eq(&self.validators[i], key) {
                return Some(i as u8);
            }
            i += 1;
        }
        None
    }
}

/// Default quorum for `n` validators: ⌈2n/3⌉ (DESIGN.md §6), computed as (2n + 2) / 3.
#[inline]
pub fn default_quorum(n: u8) -> u8 {
    ((2 * n as u32 + 2) / 3) as u8
}

#[cfg(test)]
mod tests {
    use super::super::{init, offset_of, view};
    use super::*;
    use crate::error::Error;

    #[test]
    fn size_and_offsets_match_the_documented_layout() {
        assert_eq!(core::mem::size_of::<Config>(), Config::SIZE);
        assert_eq!(core::mem::align_of::<Config>(), 1);
        assert_eq!(offset_of!(Config, version), 8);
        assert_eq!(offset_of!(Config, bump), 9);
        assert_eq!(offset_of!(Config, mint_authority_bump), 10);
        assert_eq!(offset_of!(Config, admin), 11);
        assert_eq!(offset_of!(Config, mint), 43);
        assert_eq!(offset_of!(Config, mint_authority), 75);
        assert_eq!(offset_of!(Config, epoch_length_seconds), 107);
        assert_eq!(offset_of!(Config, genesis_unix_time), 115);
        assert_eq!(offset_of!(Config, emission_per_epoch), 123);
        assert_eq!(offset_of!(Config, quorum), 131);
        assert_eq!(offset_of!(Config, validator_count), 132);
        assert_eq!(offset_of!(Config, validators_version), 133);
        assert_eq!(offset_of!(Config, validators), 137);
        assert_eq!(offset_of!(Config, next_epoch), 649);
        assert_eq!(offset_of!(Config, total_minted), 657);
        assert_eq!(offset_of!(Config, finalized_cumulative_total), 665);
    }

    #[test]
    fn fields_round_trip_through_the_bytes() {
        let mut data = vec![0u8; Config::SIZE];
        {
            let c = init::<Config>(&mut data).unwrap();
            c.admin = [1; 32];
            c.set_epoch_length_seconds(3600);
            c.set_genesis_unix_time(-5);
            c.set_emission_per_epoch(u64::MAX);
            c.validators[15] = [9; 32];
            c.set_validators_version(0x01020304);
            c.set_finalized_cumulative_total(77);
        }
        assert_eq!(&data[107..115], &3600u64.to_le_bytes());
        assert_eq!(&data[115..123], &(-5i64).to_le_bytes());
        assert_eq!(&data[133..137], &[4, 3, 2, 1]);
        assert_eq!(&data[137 + 15 * 32..137 + 16 * 32], &[9; 32]);
        let c = view::<Config>(&mut data).unwrap();
        assert_eq!(c.admin, [1; 32]);
        assert_eq!(c.epoch_length_seconds(), 3600);
        assert_eq!(c.genesis_unix_time(), -5);
        assert_eq!(c.emission_per_epoch(), u64::MAX);
        assert_eq!(c.finalized_cumulative_total(), 77);
    }

    #[test]
    fn view_rejects_wrong_size_discriminator_and_version() {
        let mut data = vec![0u8; Config::SIZE];
        init::<Config>(&mut data).unwrap();
        let mut short = data[..Config::SIZE - 1].to_vec();
        assert_eq!(view::<Config>(&mut short).err(), Some(Error::InvalidAccountData));
        let mut bad_disc = data.clone();
        bad_disc[0] ^= 1;
        assert_eq!(view::<Config>(&mut bad_disc).err(), Some(Error::InvalidAccountData));
        let mut bad_version = data.clone();
        bad_version[8] = 2;
        assert_eq!(view::<Config>(&mut bad_version).err(), Some(Error::InvalidAccountData));
    }

    #[test]
    fn default_quorum_is_ceil_two_thirds() {
        let expect = [(1u8, 1u8), (2, 2), (3, 2), (4, 3), (5, 4), (6, 4), (7, 5), (9, 6), (10, 7), (16, 11)];
        for &(n, q) in &expect {
            assert_eq!(default_quorum(n), q, "n={}", n);
            // Reference: smallest q with 3q >= 2n.
            assert!(3 * q as u32 >= 2 * n as u32 && 3 * (q as u32 - 1) < 2 * n as u32);
        }
    }

    #[test]
    fn finds_validators_only_among_the_active_ones() {
        let mut data = vec![0u8; Config::SIZE];
        let c = init::<Config>(&mut data).unwrap();
        c.validators[0] = [1; 32];
        c.validators[1] = [2; 32];
        c.validators[2] = [3; 32];
        c.validator_count = 2;
        assert_eq!(c.validator_index(&[2; 32]), Some(1));
        assert_eq!(c.validator_index(&[3; 32]), None, "slot 2 is beyond validator_count");
    }
}
