//! Read-only checks of SPL Token accounts (layouts from spl-token's `state.rs`).
//!
//! Mint (82 bytes): mint_authority COption<Pubkey> (u32 tag @0, key @4), supply u64 @36,
//! decimals u8 @44, is_initialized u8 @45, freeze_authority COption<Pubkey> @46.
//! Account (165 bytes): mint @0, owner @32, amount u64 @64, delegate COption @72,
//! state u8 @108 (0 uninitialized, 1 initialized, 2 frozen), ...

use crate::entrypoint::AccountInfo;
use crate::error::{Error, ProgramResult};
use crate::keys::{key_eq, TOKEN_PROGRAM_ID};
use crate::Pubkey;

pub const MINT_LEN: usize = 82;
const MINT_AUTHORITY_TAG: usize = 0;
const MINT_AUTHORITY_KEY: usize = 4;
const MINT_IS_INITIALIZED: usize = 45;
/// COption tag of `Some`.
const COPTION_SOME: u8 = 1;

pub const ACCOUNT_LEN: usize = 165;
const ACCOUNT_MINT: usize = 0;
const ACCOUNT_OWNER: usize = 32;
const ACCOUNT_STATE: usize = 108;
const ACCOUNT_STATE_INITIALIZED: u8 = 1;

#[inline(always)]
fn key_at(data: &[u8], off: usize) -> Pubkey {
    let mut k = [0u8; 32];
    k.copy_from_slice(&data[off..off + 32]);
    k
}

/// `mint` is an initialized SPL Token mint whose mint authority is `authority`.
pub fn check_mint(mint: &AccountInfo, authority: &Pubkey) -> ProgramResult {
    if !mint.is_owned_by(&TOKEN_PROGRAM_ID) {
        return Err(Error::InvalidMint);
    }
    // SAFETY: read-only look at an account no other reference points to.
    let data = unsafe { mint.data_mut() };
    if data.len() != MINT_LEN || data[MINT_IS_INITIALIZED] != 1 {
        return Err(Error::InvalidMint);
    }
    let tag = u32::from_le_bytes([data[MINT_AUTHORITY_TAG], data[1], data[2], data[3]]);
    if tag != COPTION_SOME as u32 || !key_eq(&key_at(data, MINT_AUTHORITY_KEY), authority) {
        return Err(Error::InvalidMintAuthority);
    }
    Ok(())
}

/// `account` is an initialized (not frozen) SPL Token account of `mint` owned by `owner`.
pub fn check_token_account(account: &AccountInfo, mint: &Pubkey, owner: &Pubkey) -> ProgramResult {
    if !account.is_owned_by(&TOKEN_PROGRAM_ID) {
        return Err(Error::InvalidTokenAccount);
    }
    // SAFETY: read-only look at an account no other reference points to.
    let data = unsafe { account.data_mut() };
    if data.len() != ACCOUNT_LEN || data[ACCOUNT_STATE] != ACCOUNT_STATE_INITIALIZED {
        return Err(Error::InvalidTokenAccount);
    }
    if !key_eq(&key_at(data, ACCOUNT_MINT), mint) {
        return Err(Error::TokenAccountMintMismatch);
    }
    if !key_eq(&key_at(data, ACCOUNT_OWNER), owner) {
        return Err(Error::TokenAccountOwnerMismatch);
    }
    Ok(())
}
