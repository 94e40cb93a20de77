//! `set_validators(validators: Vec<Pubkey>, quorum: u8)`: the admin replaces the validator set
//! (1 to 16 distinct keys). `quorum` 0 selects the default ⌈2n/3⌉; otherwise it must be in
//! 1..=n. Each call bumps `validators_version`, which discards votes cast under the old set the
//! next time someone votes on that epoch (vote indexes would otherwise point at other keys).

pub mod accounts;
pub mod data;
pub mod processor;

pub use processor::process;
