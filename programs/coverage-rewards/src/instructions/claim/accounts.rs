use crate::entrypoint::AccountInfo;
use crate::error::Error;
use crate::instructions::{require_program, require_writable};
use crate::keys::TOKEN_PROGRAM_ID;

/// Accounts of `claim`. No signer: the fee payer can be anyone.
pub struct ClaimAccounts<'a> {
    /// 0. `[writable]` config (total_minted).
    pub config: &'a AccountInfo,
    /// 1. `[writable]` hotspot (claimed).
    pub hotspot: &'a AccountInfo,
    /// 2. `[]` epoch_account, a finalized Epoch account (`["epoch", epoch u64 LE]`).
    pub epoch: &'a AccountInfo,
    /// 3. `[writable]` reward mint (must equal `config.mint`).
    pub mint: &'a AccountInfo,
    /// 4. `[writable]` destination: the associated token account of `hotspot.owner` for the mint.
    pub destination: &'a AccountInfo,
    /// 5. `[]` mint authority PDA `["mint_authority"]` (must equal `config.mint_authority`).
    pub mint_authority: &'a AccountInfo,
    /// 6. `[]` SPL Token program.
    pub token_program: &'a AccountInfo,
}

impl<'a> ClaimAccounts<'a> {
    pub fn load(accounts: &'a [AccountInfo]) -> Result<Self, Error> {
        if accounts.len() < 7 {
            return Err(Error::NotEnoughAccounts);
        }
        let a = ClaimAccounts {
            config: &accounts[0],
            hotspot: &accounts[1],
            epoch: &accounts[2],
            mint: &accounts[3],
            destination: &accounts[4],
            mint_authority: &accounts[5],
            token_program: &accounts[6],
        };
        require_writable(a.config)?;
        require_writable(a.hotspot)?;
        require_writable(a.mint)?;
        require_writable(a.destination)?;
        require_program(a.token_program, &TOKEN_PROGRAM_ID)?;
        Ok(a)
    }
}
