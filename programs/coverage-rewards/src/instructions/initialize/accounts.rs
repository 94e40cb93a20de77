use crate::entrypoint::AccountInfo;
use crate::error::Error;
use crate::instructions::{require_pda, require_program, require_signer, require_uninitialized, require_writable};
use crate::keys::{CONFIG_SEED, MINT_AUTHORITY_SEED, SYSTEM_PROGRAM_ID};
use crate::token::check_mint;
use crate::Pubkey;

/// Accounts of `initialize`.
pub struct InitializeAccounts<'a> {
    /// 0. `[signer, writable]` admin; pays for the Config account.
    pub admin: &'a AccountInfo,
    /// 1. `[writable]` config, PDA `["config"]`, not yet created.
    pub config: &'a AccountInfo,
    /// 2. `[]` reward mint: an initialized SPL Token mint whose mint authority is account 3.
    pub mint: &'a AccountInfo,
    /// 3. `[]` mint authority, PDA `["mint_authority"]`.
    pub mint_authority: &'a AccountInfo,
    /// 4. `[]` System program.
    pub system_program: &'a AccountInfo,
    /// Bump of the config PDA.
    pub config_bump: u8,
    /// Bump of the mint-authority PDA.
    pub mint_authority_bump: u8,
}

impl<'a> InitializeAccounts<'a> {
    pub fn load(program_id: &Pubkey, accounts: &'a [AccountInfo]) -> Result<Self, Error> {
        if accounts.len() < 5 {
            return Err(Error::NotEnoughAccounts);
        }
        let (admin, config, mint, mint_authority, system_program) =
            (&accounts[0], &accounts[1], &accounts[2], &accounts[3], &accounts[4]);
        // 1. signers and writability
        require_signer(admin)?;
        require_writable(admin)?;
        require_writable(config)?;
        // 2. programs
        require_program(system_program, &SYSTEM_PROGRAM_ID)?;
        // 3. PDAs
        let mut config_bump = 0u8;
        require_pda(config, &[CONFIG_SEED], program_id, &mut config_bump)?;
        require_uninitialized(config)?;
        let mut mint_authority_bump = 0u8;
        require_pda(mint_authority, &[MINT_AUTHORITY_SEED], program_id, &mut mint_authority_bump)?;
        // 4. the mint is minted by our PDA
        check_mint(mint, mint_authority.key())?;
        Ok(InitializeAccounts { admin, config, mint, mint_authority, system_program, config_bump, mint_authority_bump })
    }
}
