use super::accounts::ClaimAccounts;
use super::data::ClaimArgs;
use crate::cpi::{mint_to, MintTo};
use crate::entrypoint::AccountInfo;
use crate::error::{Error, ProgramResult};
use crate::events::{EventWriter, REWARDS_CLAIMED};
use crate::keys::key_eq;
use crate::math::{add, sub};
use crate::merkle::{compute_root, leaf_hash};
use crate::state::{load, Config, Epoch, EpochStatus, Hotspot};
use crate::token::check_token_account;
use crate::Pubkey;

pub fn process(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let args = ClaimArgs::parse(data)?;
    let a = ClaimAccounts::load(accounts)?;
    // Program-owned accounts with our discriminators can only have been created by this program
    // at their PDAs, so owner + discriminator (+ the stored epoch number) identify them.
    // SAFETY: three different discriminators, so the three views never alias.
    let (config, hotspot, epoch) = unsafe {
        (load::<Config>(a.config, program_id)?, load::<Hotspot>(a.hotspot, program_id)?, load::<Epoch>(a.epoch, program_id)?)
    };
    if !key_eq(a.mint.key(), &config.mint) {
        return Err(Error::InvalidMint);
    }
    if !key_eq(a.mint_authority.key(), &config.mint_authority) {
        return Err(Error::InvalidMintAuthority);
    }
    if epoch.epoch() != args.epoch {
        return Err(Error::EpochMismatch);
    }
    if epoch.status() != EpochStatus::Finalized {
        return Err(Error::EpochNotFinalized);
    }

    // The destination is the owner's associated token account for this mint: derived on chain
    // by register_hotspot and stored as `reward_account`; its data must agree.
    check_token_account(a.destination, &config.mint, &hotspot.owner)?;
    if !key_eq(a.destination.key(), &hotspot.reward_account) {
        return Err(Error::NotAssociatedTokenAccount);
    }

    // The proof.
    let mut node = [0u8; 32];
    leaf_hash(&hotspot.device_key, args.cumulative_amount, &mut node);
    compute_root(&mut node, args.leaf_index, epoch.finalized_leaf_count(), args.proof)?;
    if !key_eq(&node, &epoch.finalized_root) {
        return Err(Error::InvalidProof);
    }

    // Amounts.
    let claimed = hotspot.claimed();
    if args.cumulative_amount <= claimed {
        return Err(Error::NothingToClaim);
    }
    let amount = sub(args.cumulative_amount, claimed)?;
    let total_minted = add(config.total_minted(), amount)?;
    if total_minted > config.finalized_cumulative_total() {
        return Err(Error::MintCapExceeded);
    }

    // Effects, then the interaction.
    hotspot.set_claimed(args.cumulative_amount);
    config.set_total_minted(total_minted);
    mint_to(&MintTo { mint: a.mint, destination: a.destination, authority: a.mint_authority, amount, bump: config.mint_authority_bump })?;

    EventWriter::new(&REWARDS_CLAIMED)
        .key(&hotspot.device_key)
        .key(&hotspot.owner)
        .u64(args.epoch)
        .u64(amount)
        .u64(args.cumulative_amount)
        .emit();
    Ok(())
}
