use crate::entrypoint::AccountInfo;
use crate::error::Error;
use crate::instructions::{require_signer, require_writable};

/// Accounts of `update_location`.
pub struct UpdateLocationAccounts<'a> {
    /// 0. `[signer]` owner (must equal `hotspot.owner`, checked by the processor).
    pub owner: &'a AccountInfo,
    /// 1. `[writable]` hotspot, owned by this program.
    pub hotspot: &'a AccountInfo,
    /// 2. `[]` config (read: the epoch length that spaces updates).
    pub config: &'a AccountInfo,
}

impl<'a> UpdateLocationAccounts<'a> {
    pub fn load(accounts: &'a [AccountInfo]) -> Result<Self, Error> {
        if accounts.len() < 3 {
            return Err(Error::NotEnoughAccounts);
        }
        let (owner, hotspot, config) = (&accounts[0], &accounts[1], &accounts[2]);
        require_signer(owner)?;
        require_writable(hotspot)?;
        Ok(UpdateLocationAccounts { owner, hotspot, config })
    }
}
