use super::accounts::SubmitEpochAccounts;
use super::data::{check_growth, epoch_end, SubmitEpochArgs};
use crate::cpi::{create_pda_account, seed, CreatePda};
use crate::entrypoint::AccountInfo;
use crate::error::{Error, ProgramResult};
use crate::events::{EventWriter, EPOCH_FINALIZED, VOTE_RECORDED};
use crate::instructions::{require_pda, require_uninitialized};
use crate::keys::EPOCH_SEED;
use crate::math::add;
use crate::state::config::MAX_VALIDATORS;
use crate::state::{init, load, Config, Epoch, EpochStatus, Layout};
use crate::syscalls::{clock, Clock};
use crate::Pubkey;

pub fn process(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let args = SubmitEpochArgs::parse(data)?;
    let a = SubmitEpochAccounts::load(accounts)?;
    // SAFETY: the only reference to the config's data in this instruction; the epoch account
    // cannot alias it (different discriminator, or uninitialized).
    let config = unsafe { load::<Config>(a.config, program_id)? };

    // Rule 1: a validator.
    let index = config.validator_index(a.validator.key()).ok_or(Error::NotAValidator)?;
    // Rule 2: in order.
    let next = config.next_epoch();
    if args.epoch < next {
        return Err(Error::EpochAlreadyFinalized);
    }
    if args.epoch > next {
        return Err(Error::EpochOutOfOrder);
    }
    // Rule 3: ended.
    let mut end = 0i64;
    epoch_end(config.genesis_unix_time(), config.epoch_length_seconds(), args.epoch, &mut end)?;
    let mut now = Clock::default();
    clock(&mut now)?;
    if now.unix_timestamp < end {
        return Err(Error::EpochNotEnded);
    }
    // Rules 4 and 5: totals.
    check_growth(config.finalized_cumulative_total(), config.emission_per_epoch(), args.cumulative_total)?;
    args.check_summary()?;

    // The Epoch account: created by the first vote, otherwise it must hold this epoch.
    let epoch_le = args.epoch.to_le_bytes();
    let fresh = a.epoch.data_len() == 0;
    if fresh {
        let mut bump = 0u8;
        require_pda(a.epoch, &[EPOCH_SEED, &epoch_le], program_id, &mut bump)?;
        require_uninitialized(a.epoch)?;
        let bump_seed = [bump];
        let seeds = [seed(EPOCH_SEED), seed(&epoch_le), seed(&bump_seed)];
        create_pda_account(&CreatePda { payer: a.validator, account: a.epoch, space: Epoch::SIZE as u64, owner: program_id, seeds: &seeds })?;
        // SAFETY: just created for us.
        let epoch = init::<Epoch>(unsafe { a.epoch.data_mut() })?;
        epoch.bump = bump;
        epoch.set_epoch(args.epoch);
        epoch.set_validators_version(config.validators_version());
    }
    // SAFETY: see the config above.
    let epoch = unsafe { load::<Epoch>(a.epoch, program_id)? };
    if epoch.epoch() != args.epoch {
        return Err(Error::EpochMismatch);
    }
    if epoch.status() == EpochStatus::Finalized {
        return Err(Error::EpochAlreadyFinalized);
    }
    if epoch.validators_version() != config.validators_version() {
        // The set changed since these votes were cast: their indexes name other keys now.
        epoch.clear_votes();
        epoch.set_validators_version(config.validators_version());
    }
    // Rule 6: one vote each.
    if epoch.has_voted(index) {
        return Err(Error::DoubleVote);
    }
    let slot = epoch.vote_count as usize;
    if slot >= MAX_VALIDATORS {
        // Unreachable: indexes are unique and below MAX_VALIDATORS.
        return Err(Error::DoubleVote);
    }
    {
        let vote = &mut epoch.votes[slot];
        vote.validator_index = index;
        vote.root = args.root;
        vote.set_cumulative_total(args.cumulative_total);
        vote.set_leaf_count(args.leaf_count);
    }
    epoch.vote_count += 1;
    let agreeing = epoch.count_agreeing(&args.root, args.cumulative_total, args.leaf_count);

    EventWriter::new(&VOTE_RECORDED)
        .u64(args.epoch)
        .key(a.validator.key())
        .key(&args.root)
        .u64(args.cumulative_total)
        .u64(args.leaf_count)
        .u8(agreeing)
        .emit();

    if agreeing >= config.quorum {
        epoch.set_status(EpochStatus::Finalized);
        epoch.finalized_root = args.root;
        epoch.set_finalized_cumulative_total(args.cumulative_total);
        epoch.set_finalized_leaf_count(args.leaf_count);
        epoch.set_finalized_at(now.unix_timestamp);
        config.set_next_epoch(add(args.epoch, 1)?);
        config.set_finalized_cumulative_total(args.cumulative_total);

        EventWriter::new(&EPOCH_FINALIZED)
            .u64(args.epoch)
            .key(&args.root)
            .u64(args.cumulative_total)
            .u64(args.leaf_count)
            .i64(now.unix_timestamp)
            .emit();
    }
    Ok(())
}
