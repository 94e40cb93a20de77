use super::accounts::InitializeAccounts;
use super::data::InitializeArgs;
use crate::cpi::{create_pda_account, seed, CreatePda};
use crate::entrypoint::AccountInfo;
use crate::error::ProgramResult;
use crate::events::{EventWriter, CONFIG_INITIALIZED};
use crate::keys::CONFIG_SEED;
use crate::state::{init, Config, Layout};
use crate::Pubkey;

pub fn process(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let args = InitializeArgs::parse(data)?;
    args.validate()?;
    let a = InitializeAccounts::load(program_id, accounts)?;

    let bump = [a.config_bump];
    let seeds = [seed(CONFIG_SEED), seed(&bump)];
    create_pda_account(&CreatePda { payer: a.admin, account: a.config, space: Config::SIZE as u64, owner: program_id, seeds: &seeds })?;

    // SAFETY: the account was just created for us; nothing else references its data.
    let config = init::<Config>(unsafe { a.config.data_mut() })?;
    config.bump = a.config_bump;
    config.mint_authority_bump = a.mint_authority_bump;
    config.admin = *a.admin.key();
    config.mint = *a.mint.key();
    config.mint_authority = *a.mint_authority.key();
    config.set_epoch_length_seconds(args.epoch_length_seconds);
    config.set_genesis_unix_time(args.genesis_unix_time);
    config.set_emission_per_epoch(args.emission_per_epoch);

    EventWriter::new(&CONFIG_INITIALIZED)
        .key(a.admin.key())
        .key(a.mint.key())
        .key(a.mint_authority.key())
        .u64(args.epoch_length_seconds)
        .i64(args.genesis_unix_time)
        .u64(args.emission_per_epoch)
        .emit();
    Ok(())
}
