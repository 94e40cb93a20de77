use crate::entrypoint::AccountInfo;
use crate::error::Error;
use crate::instructions::{require_pda, require_program, require_signer, require_uninitialized, require_writable};
use crate::keys::{key_eq, ASSOCIATED_TOKEN_PROGRAM_ID, HOTSPOT_SEED, SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID};
use crate::state::{load, Config};
use crate::syscalls::find_program_address;
use crate::Pubkey;

/// Accounts of `register_hotspot`.
pub struct RegisterHotspotAccounts<'a> {
    /// 0. `[signer, writable]` owner; pays for the Hotspot account.
    pub owner: &'a AccountInfo,
    /// 1. `[signer]` device: the hotspot's ed25519 device key.
    pub device: &'a AccountInfo,
    /// 2. `[writable]` hotspot, PDA `["hotspot", device]`, not yet created.
    pub hotspot: &'a AccountInfo,
    /// 3. `[]` config (read: the reward mint).
    pub config: &'a AccountInfo,
    /// 4. `[]` System program.
    pub system_program: &'a AccountInfo,
    /// Bump of the hotspot PDA.
    pub bump: u8,
    /// The owner's associated token account for the reward mint (derived, need not exist yet).
    pub reward_account: Pubkey,
}

impl<'a> RegisterHotspotAccounts<'a> {
    pub fn load(program_id: &Pubkey, accounts: &'a [AccountInfo]) -> Result<Self, Error> {
        if accounts.len() < 5 {
            return Err(Error::NotEnoughAccounts);
        }
        let (owner, device, hotspot, config, system_program) = (&accounts[0], &accounts[1], &accounts[2], &accounts[3], &accounts[4]);
        // 1. signers and writability
        require_signer(owner)?;
        require_writable(owner)?;
        require_signer(device)?;
        require_writable(hotspot)?;
        // 2. programs
        require_program(system_program, &SYSTEM_PROGRAM_ID)?;
        // 3. PDA, still free
        let mut bump = 0u8;
        require_pda(hotspot, &[HOTSPOT_SEED, device.key()], program_id, &mut bump)?;
        require_uninitialized(hotspot)?;
        if key_eq(hotspot.key(), config.key()) {
            return Err(Error::InvalidPda);
        }
        // 4. the config, for the mint of the owner's reward account
        // SAFETY: read-only view; the hotspot (checked distinct above) is the only other account
        // whose data this instruction touches.
        let cfg = unsafe { load::<Config>(config, program_id)? };
        let mut reward_account = [0u8; 32];
        let mut ata_bump = 0u8;
        find_program_address(&[owner.key(), &TOKEN_PROGRAM_ID, &cfg.mint], &ASSOCIATED_TOKEN_PROGRAM_ID, &mut reward_account, &mut ata_bump)?;
        Ok(RegisterHotspotAccounts { owner, device, hotspot, config, system_program, bump, reward_account })
    }
}
