//! The two cross-program invocations: creating a PDA account through the System program and
//! minting through SPL Token with the mint-authority PDA as signer.
//!
//! Instruction encodings (from the System program and SPL Token sources):
//! * System `CreateAccount` = u32 0 ‖ lamports u64 ‖ space u64 ‖ owner (32), metas payer (w,s), new (w,s)
//! * System `Assign` = u32 1 ‖ owner (32), metas account (w,s)
//! * System `Transfer` = u32 2 ‖ lamports u64, metas from (w,s), to (w)
//! * System `Allocate` = u32 8 ‖ space u64, metas account (w,s)
//! * Token `MintTo` = u8 7 ‖ amount u64, metas mint (w), destination (w), authority (s)

use crate::entrypoint::AccountInfo;
use crate::error::{Error, ProgramResult};
use crate::keys::{SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID};
use crate::math::{rent_exempt_minimum, sub};
use crate::syscalls::{self, invoke_signed, SolAccountInfo, SolAccountMeta, SolBytes, SolInstruction, SolSignerSeeds};
use crate::Pubkey;

const SYSTEM_CREATE_ACCOUNT: u32 = 0;
const SYSTEM_ASSIGN: u32 = 1;
const SYSTEM_TRANSFER: u32 = 2;
const SYSTEM_ALLOCATE: u32 = 8;
const TOKEN_MINT_TO: u8 = 7;

/// The C view of an account for `sol_invoke_signed_c`; all pointers point into the input buffer.
#[inline(always)]
pub fn sol_account_info(a: &AccountInfo) -> SolAccountInfo {
    SolAccountInfo {
        key: a.key(),
        lamports: a.lamports_ptr(),
        data_len: a.data_len() as u64,
        data: a.data_ptr(),
        owner: a.owner_ptr(),
        rent_epoch: a.rent_epoch(),
        is_signer: a.is_signer(),
        is_writable: a.is_writable(),
        executable: a.executable(),
    }
}

#[inline(always)]
fn meta(key: &Pubkey, is_writable: bool, is_signer: bool) -> SolAccountMeta {
    SolAccountMeta { pubkey: key, is_writable, is_signer }
}

/// Arguments of [`create_pda_account`] (bundled: BPF calls take at most 5 registers).
pub struct CreatePda<'a> {
    /// Pays the rent; must sign and be writable.
    pub payer: &'a AccountInfo,
    /// The PDA to create (checked by the caller to be uninitialized and at the seeds' address).
    pub account: &'a AccountInfo,
    /// Data length.
    pub space: u64,
    /// New owner: this program.
    pub owner: &'a Pubkey,
    /// The PDA's seeds including the bump.
    pub seeds: &'a [SolBytes],
}

/// Creates a rent-exempt PDA account of `space` bytes owned by `owner`.
///
/// If the address already holds lamports (anyone can send lamports to a PDA before it exists,
/// which would make `CreateAccount` fail and could block an epoch forever), it tops up to the
/// rent-exempt minimum and uses `Allocate` + `Assign` instead.
pub fn create_pda_account(c: &CreatePda) -> ProgramResult {
    let mut rent = syscalls::Rent::default();
    syscalls::rent(&mut rent)?;
    let mut required = 0u64;
    rent_exempt_minimum(rent.lamports_per_byte_year, rent.exemption_threshold_bits, c.space, &mut required)?;
    let signer = SolSignerSeeds { addr: c.seeds.as_ptr(), len: c.seeds.len() as u64 };
    let infos = [sol_account_info(c.payer), sol_account_info(c.account)];
    let current = c.account.lamports();
    if current == 0 {
        let mut data = [0u8; 52];
        data[..4].copy_from_slice(&SYSTEM_CREATE_ACCOUNT.to_le_bytes());
        data[4..12].copy_from_slice(&required.to_le_bytes());
        data[12..20].copy_from_slice(&c.space.to_le_bytes());
        data[20..52].copy_from_slice(c.owner);
        let metas = [meta(c.payer.key(), true, true), meta(c.account.key(), true, true)];
        return invoke_system(&metas, &data, &infos, &signer);
    }
    if required > current {
        let mut data = [0u8; 12];
        data[..4].copy_from_slice(&SYSTEM_TRANSFER.to_le_bytes());
        data[4..12].copy_from_slice(&sub(required, current)?.to_le_bytes());
        let metas = [meta(c.payer.key(), true, true), meta(c.account.key(), true, false)];
        invoke_system(&metas, &data, &infos, &signer)?;
    }
    let mut data = [0u8; 12];
    data[..4].copy_from_slice(&SYSTEM_ALLOCATE.to_le_bytes());
    data[4..12].copy_from_slice(&c.space.to_le_bytes());
    let metas = [meta(c.account.key(), true, true)];
    invoke_system(&metas, &data, &infos[1..], &signer)?;
    let mut data = [0u8; 36];
    data[..4].copy_from_slice(&SYSTEM_ASSIGN.to_le_bytes());
    data[4..36].copy_from_slice(c.owner);
    invoke_system(&metas, &data, &infos[1..], &signer)
}

#[inline(always)]
fn invoke_system(metas: &[SolAccountMeta], data: &[u8], infos: &[SolAccountInfo], signer: &SolSignerSeeds) -> ProgramResult {
    let ix = SolInstruction {
        program_id: &SYSTEM_PROGRAM_ID,
        accounts: metas.as_ptr(),
        account_len: metas.len() as u64,
        data: data.as_ptr(),
        data_len: data.len() as u64,
    };
    // SAFETY: metas, data, infos and seeds live on this frame or in the input buffer for the
    // whole call.
    unsafe { invoke_signed(&ix, infos, core::slice::from_ref(signer)) }
}

/// Arguments of [`mint_to`].
pub struct MintTo<'a> {
    pub mint: &'a AccountInfo,
    pub destination: &'a AccountInfo,
    /// The mint-authority PDA (checked by the caller against the Config).
    pub authority: &'a AccountInfo,
    pub amount: u64,
    /// Bump of `["mint_authority"]`, stored in the Config.
    pub bump: u8,
}

/// SPL Token `MintTo`, signed by the mint-authority PDA.
pub fn mint_to(m: &MintTo) -> ProgramResult {
    if m.amount == 0 {
        return Err(Error::NothingToClaim);
    }
    let mut data = [0u8; 9];
    data[0] = TOKEN_MINT_TO;
    data[1..9].copy_from_slice(&m.amount.to_le_bytes());
    let metas = [meta(m.mint.key(), true, false), meta(m.destination.key(), true, false), meta(m.authority.key(), false, true)];
    let infos = [sol_account_info(m.mint), sol_account_info(m.destination), sol_account_info(m.authority)];
    let bump = [m.bump];
    let seeds = [
        SolBytes { addr: crate::keys::MINT_AUTHORITY_SEED.as_ptr(), len: crate::keys::MINT_AUTHORITY_SEED.len() as u64 },
        SolBytes { addr: bump.as_ptr(), len: 1 },
    ];
    let signer = SolSignerSeeds { addr: seeds.as_ptr(), len: seeds.len() as u64 };
    let ix = SolInstruction {
        program_id: &TOKEN_PROGRAM_ID,
        accounts: metas.as_ptr(),
        account_len: metas.len() as u64,
        data: data.as_ptr(),
        data_len: data.len() as u64,
    };
    // SAFETY: everything referenced lives on this frame or in the input buffer.
    unsafe { invoke_signed(&ix, &infos, core::slice::from_ref(&signer)) }
}

/// Seeds as the `SolBytes` the CPI needs.
#[inline(always)]
pub fn seed(s: &[u8]) -> SolBytes {
    SolBytes { addr: s.as_ptr(), len: s.len() as u64 }
}
