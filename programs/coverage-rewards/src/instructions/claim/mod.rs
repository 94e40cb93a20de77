//! `claim(epoch: u64, cumulative_amount: u64, leaf_index: u64, proof: Vec<[u8; 32]>)`: anyone
//! may send it (a crank can claim for every hotspot); the tokens always go to the hotspot
//! owner's associated token account.
//!
//! The proof is checked against the root of the given **finalized** epoch (not only the latest:
//! a claim built just before the next epoch finalizes stays valid). Amounts are cumulative, so
//! the program mints `cumulative_amount − hotspot.claimed` and stores the new cumulative amount;
//! a proof from an older epoch can at most pay nothing (`NothingToClaim`). Independently,
//! `config.total_minted` may never exceed `config.finalized_cumulative_total` (`MintCapExceeded`).

pub mod accounts;
pub mod data;
pub mod processor;

pub use processor::process;
