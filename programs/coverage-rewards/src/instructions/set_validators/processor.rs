use super::accounts::SetValidatorsAccounts;
use super::data::SetValidatorsArgs;
use crate::entrypoint::AccountInfo;
use crate::error::{Error, ProgramResult};
use crate::events::{EventWriter, VALIDATORS_SET};
use crate::keys::key_eq;
use crate::state::config::MAX_VALIDATORS;
use crate::state::{load, Config};
use crate::Pubkey;

pub fn process(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let args = SetValidatorsArgs::parse(data)?;
    let a = SetValidatorsAccounts::load(accounts)?;
    // SAFETY: the only reference to the config's data in this instruction.
    let config = unsafe { load::<Config>(a.config, program_id)? };
    if !key_eq(&config.admin, a.admin.key()) {
        return Err(Error::Unauthorized);
    }
    let mut quorum = 0u8;
    args.validate(&mut quorum)?;

    let n = args.count();
    for i in 0..MAX_VALIDATORS {
        if i < n {
            args.validator(i, &mut config.validators[i]);
        } else {
            config.validators[i] = [0; 32];
        }
    }
    config.validator_count = n as u8;
    config.quorum = quorum;
    // Only compared for equality, so wrapping after 2^32 changes is harmless.
    let version = config.validators_version().wrapping_add(1);
    config.set_validators_version(version);

    EventWriter::new(&VALIDATORS_SET).u32(version).u8(n as u8).u8(quorum).emit();
    Ok(())
}
