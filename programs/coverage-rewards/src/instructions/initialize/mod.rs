//! `initialize(epoch_length_seconds: u64, genesis_unix_time: i64, emission_per_epoch: u64)`:
//! creates the Config. The admin signs and pays; the reward mint must already exist with the
//! program's mint-authority PDA as its mint authority.

pub mod accounts;
pub mod data;
pub mod processor;

pub use processor::process;
