//! `Epoch`, PDA `["epoch", epoch u64 LE]`: the votes for one reward epoch and, once a quorum
//! agrees, the finalized tuple. Created by the first vote (the voting validator pays rent).
//!
//! | offset | size | field | type |
//! |---:|---:|---|---|
//! | 0 | 8 | discriminator = sha256("account:Epoch")[..8] | [u8; 8] |
//! | 8 | 1 | version (1) | u8 |
//! | 9 | 1 | bump | u8 |
//! | 10 | 8 | epoch | u64 |
//! | 18 | 1 | status (0 Voting, 1 Finalized) | enum EpochStatus |
//! | 19 | 4 | validators_version the votes were cast under | u32 |
//! | 23 | 1 | vote_count | u8 |
//! | 24 | 784 | votes (16 × Vote, first vote_count used) | [Vote; 16] |
//! | 808 | 32 | finalized_root | [u8; 32] |
//! | 840 | 8 | finalized_cumulative_total | u64 |
//! | 848 | 8 | finalized_leaf_count | u64 |
//! | 856 | 8 | finalized_at (unix time) | i64 |
//!
//! `Vote` (49 bytes): validator_index u8 @0, root [u8; 32] @1, cumulative_total u64 @33,
//! leaf_count u64 @41. Size 864 bytes.

use super::config::MAX_VALIDATORS;
use super::{le_field, Layout};

/// Epoch status (a Borsh enum: one tag byte).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum EpochStatus {
    Voting = 0,
    Finalized = 1,
}

/// One validator's submission.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Vote {
    pub validator_index: u8,
    pub root: [u8; 32],
    cumulative_total: [u8; 8],
    leaf_count: [u8; 8],
}

impl Vote {
    le_field!(cumulative_total, set_cumulative_total, u64);
    le_field!(leaf_count, set_leaf_count, u64);

    /// True if this vote is for the tuple (root, total, leaf count).
    pub fn agrees_with(&self, root: &[u8; 32], cumulative_total: u64, leaf_count: u64) -> bool {
        crate::keys::key_eq(&self.root, root) && self.cumulative_total() == cumulative_total && self.leaf_count() == leaf_count
    }
}

#[repr(C)]
pub struct Epoch {
    pub discriminator: [u8; 8],
    pub version: u8,
    pub bump: u8,
    epoch: [u8; 8],
    status: u8,
    validators_version: [u8; 4],
    pub vote_count: u8,
    pub votes: [Vote; MAX_VALIDATORS],
    pub finalized_root: [u8; 32],
    finalized_cumulative_total: [u8; 8],
    finalized_leaf_count: [u8; 8],
    finalized_at: [u8; 8],
}

// SAFETY: repr(C), byte fields only, discriminator first.
unsafe impl Layout for Epoch {
    const DISCRIMINATOR: [u8; 8] = [93, 83, 120, 89, 151, 138, 152, 108];
    const SIZE: usize = 864;
    const VERSION: u8 = 1;
}

impl Epoch {
    le_field!(epoch, set_epoch, u64);
    le_field!(validators_version, set_validators_version, u32);
    le_field!(finalized_cumulative_total, set_finalized_cumulative_total, u64);
    le_field!(finalized_leaf_count, set_finalized_leaf_count, u64);
    le_field!(finalized_at, set_finalized_at, i64);

    pub fn status(&self) -> EpochStatus {
        if self.status == EpochStatus::Finalized as u8 {
            EpochStatus::Finalized
        } else {
            EpochStatus::Voting
        }
    }
    pub fn set_status(&mut self, s: EpochStatus) {
        self.status = s as u8;
    }

    /// True if the validator at `index` already voted.
    pub fn has_voted(&self, index: u8) -> bool {
        let n = self.vote_count as usize;
        let mut i = 0;
        while i < n && i < MAX_VALIDATORS {
            if self.votes[i].validator_index == index {
                return true;
            }
            i += 1;
        }
        false
    }

    /// Number of recorded votes for the tuple.
    pub fn count_agreeing(&self, root: &[u8; 32], cumulative_total: u64, leaf_count: u64) -> u8 {
        let n = self.vote_count as usize;
        let (mut i, mut count) = (0, 0u8);
        while i < n && i < MAX_VALIDATORS {
            if self.votes[i].agrees_with(root, cumulative_total, leaf_count) {
                count += 1;
            }
            i += 1;
        }
        count
    }

    /// Drops every vote (after the validator set changed, indexes mean other keys).
    pub fn clear_votes(&mut self) {
        self.vote_count = 0;
        for v in self.votes.iter_mut() {
            v.validator_index = 0;
            v.root = [0; 32];
            v.set_cumulative_total(0);
            v.set_leaf_count(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{init, offset_of, view};
    use super::*;

    #[test]
    fn size_and_offsets_match_the_documented_layout() {
        assert_eq!(core::mem::size_of::<Vote>(), 49);
        assert_eq!(offset_of!(Vote, root), 1);
        assert_eq!(offset_of!(Vote, cumulative_total), 33);
        assert_eq!(offset_of!(Vote, leaf_count), 41);
        assert_eq!(core::mem::size_of::<Epoch>(), Epoch::SIZE);
        assert_eq!(offset_of!(Epoch, bump), 9);
        assert_eq!(offset_of!(Epoch, epoch), 10);
        assert_eq!(offset_of!(Epoch, status), 18);
        assert_eq!(offset_of!(Epoch, validators_version), 19);
        assert_eq!(offset_of!(Epoch, vote_count), 23);
        assert_eq!(offset_of!(Epoch, votes), 24);
        assert_eq!(offset_of!(Epoch, finalized_root), 808);
        assert_eq!(offset_of!(Epoch, finalized_cumulative_total), 840);
        assert_eq!(offset_of!(Epoch, finalized_leaf_count), 848);
        assert_eq!(offset_of!(Epoch, finalized_at), 856);
    }

    #[test]
    fn votes_round_trip_and_count_only_identical_tuples() {
        let mut data = vec![0u8; Epoch::SIZE];
        {
            let e = init::<Epoch>(&mut data).unwrap();
            e.set_epoch(7);
            for (i, (root, total, leaves)) in [([1u8; 32], 10u64, 3u64), ([1; 32], 10, 3), ([1; 32], 11, 3), ([2; 32], 10, 3), ([1; 32], 10, 4)]
                .iter()
                .enumerate()
            {
                let v = &mut e.votes[i];
                v.validator_index = i as u8 + 5;
                v.root = *root;
                v.set_cumulative_total(*total);
                v.set_leaf_count(*leaves);
            }
            e.vote_count = 5;
        }
        // Second vote: validator 6, root [1;32], total 10 at 24 + 49 + 33.
        assert_eq!(data[24 + 49], 6);
        assert_eq!(&data[24 + 49 + 33..24 + 49 + 41], &10u64.to_le_bytes());
        let e = view::<Epoch>(&mut data).unwrap();
        assert_eq!(e.epoch(), 7);
        assert_eq!(e.count_agreeing(&[1; 32], 10, 3), 2);
        assert!(e.has_voted(9));
        assert!(!e.has_voted(10));
        e.clear_votes();
        assert_eq!(e.count_agreeing(&[1; 32], 10, 3), 0);
        assert!(!e.has_voted(5));
    }

    #[test]
    fn status_defaults_to_voting() {
        let mut data = vec![0u8; Epoch::SIZE];
        let e = init::<Epoch>(&mut data).unwrap();
        assert_eq!(e.status(), EpochStatus::Voting);
        e.set_status(EpochStatus::Finalized);
        assert_eq!(e.status(), EpochStatus::Finalized);
    }
}
