use crate::entrypoint::AccountInfo;
use crate::error::Error;
use crate::instructions::{require_program, require_signer, require_writable};
use crate::keys::SYSTEM_PROGRAM_ID;

/// Accounts of `submit_epoch`.
pub struct SubmitEpochAccounts<'a> {
    /// 0. `[signer, writable]` validator; pays for the Epoch account on the first vote.
    pub validator: &'a AccountInfo,
    /// 1. `[writable]` config.
    pub config: &'a AccountInfo,
    /// 2. `[writable]` epoch_account, PDA `["epoch", epoch u64 LE]` (created by the first vote).
    pub epoch: &'a AccountInfo,
    /// 3. `[]` System program.
    pub system_program: &'a AccountInfo,
}

impl<'a> SubmitEpochAccounts<'a> {
    pub fn load(accounts: &'a [AccountInfo]) -> Result<Self, Error> {
        if accounts.len() < 4 {
            return Err(Error::NotEnoughAccounts);
        }
        let (validator, config, epoch, system_program) = (&accounts[0], &accounts[1], &accounts[2], &accounts[3]);
        require_signer(validator)?;
        require_writable(validator)?;
        require_writable(config)?;
        require_writable(epoch)?;
        require_program(system_program, &SYSTEM_PROGRAM_ID)?;
        Ok(SubmitEpochAccounts { validator, config, epoch, system_program })
    }
}
