use super::accounts::UpdateLocationAccounts;
use super::data::{check_update_spacing, UpdateLocationArgs};
use crate::entrypoint::AccountInfo;
use crate::error::{Error, ProgramResult};
use crate::events::{EventWriter, LOCATION_UPDATED};
use crate::keys::key_eq;
use crate::state::{load, Config, Hotspot};
use crate::syscalls::{clock, Clock};
use crate::Pubkey;

pub fn process(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let args = UpdateLocationArgs::parse(data)?;
    args.validate()?;
    let a = UpdateLocationAccounts::load(accounts)?;
    // A program-owned account with the Hotspot discriminator can only have been created by
    // register_hotspot at its PDA, so owner + discriminator identify it without re-deriving;
    // likewise the (single) Config.
    // SAFETY: the only reference to the hotspot's data in this instruction; the config has
    // another discriminator, so the two views cannot alias.
    let hotspot = unsafe { load::<Hotspot>(a.hotspot, program_id)? };
    // SAFETY: read-only view of another account (see above).
    let config = unsafe { load::<Config>(a.config, program_id)? };
    if !key_eq(&hotspot.owner, a.owner.key()) {
        return Err(Error::NotHotspotOwner);
    }
    let mut now = Clock::default();
    clock(&mut now)?;
    check_update_spacing(now.unix_timestamp, hotspot.location_updated_at(), config.epoch_length_seconds())?;
    hotspot.replace_location(args.location, args.gain_dbi_x10, args.elevation_m, now.unix_timestamp);

    EventWriter::new(&LOCATION_UPDATED)
        .key(&hotspot.device_key)
        .u64(args.location)
        .i16(args.gain_dbi_x10)
        .i32(args.elevation_m)
        .emit();
    Ok(())
}
