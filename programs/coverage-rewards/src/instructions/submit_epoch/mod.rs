//! `submit_epoch(epoch: u64, root: [u8; 32], cumulative_total: u64, leaf_count: u64)`: a
//! validator's vote for an epoch's reward tree.
//!
//! Rules, checked in this order:
//! 1. the signer is in the validator set (`NotAValidator`);
//! 2. only `config.next_epoch` (the epoch after the last finalized one) accepts votes: an older
//!    epoch is `EpochAlreadyFinalized`, a later one `EpochOutOfOrder`. Votes for later epochs are
//!    *not* recorded: with one vote per validator per epoch, a quorum recorded early could never
//!    finalize once its turn came, so validators simply retry when the epoch is next;
//! 3. the epoch has ended: `genesis + (epoch + 1) × epoch_length ≤ Clock.unix_timestamp`
//!    (`EpochNotEnded`);
//! 4. `finalized_total ≤ cumulative_total ≤ finalized_total + emission_per_epoch`
//!    (`CumulativeTotalDecreased`, `EmissionExceeded`, `ArithmeticOverflow`);
//! 5. an empty tree (`leaf_count == 0`) has the zero root and a zero total (`InvalidEpochSummary`);
//! 6. one vote per validator per epoch (`DoubleVote`).
//!
//! The first vote creates the Epoch account (the validator pays its rent). When `quorum` votes
//! agree on the same `(root, cumulative_total, leaf_count)`, the epoch is finalized:
//! `config.next_epoch` advances and `config.finalized_cumulative_total` becomes the new total.
//! Events: `VoteRecorded` for every vote, `EpochFinalized` when it finalizes.

pub mod accounts;
pub mod data;
pub mod processor;

pub use processor::process;
