use crate::entrypoint::AccountInfo;
use crate::error::Error;
use crate::instructions::{require_signer, require_writable};

/// Accounts of `set_validators`.
pub struct SetValidatorsAccounts<'a> {
    /// 0. `[signer]` admin (must equal `config.admin`, checked by the processor after loading).
    pub admin: &'a AccountInfo,
    /// 1. `[writable]` config.
    pub config: &'a AccountInfo,
}

impl<'a> SetValidatorsAccounts<'a> {
    pub fn load(accounts: &'a [AccountInfo]) -> Result<Self, Error> {
        if accounts.len() < 2 {
            return Err(Error::NotEnoughAccounts);
        }
        let (admin, config) = (&accounts[0], &accounts[1]);
        require_signer(admin)?;
        require_writable(config)?;
        Ok(SetValidatorsAccounts { admin, config })
    }
}
