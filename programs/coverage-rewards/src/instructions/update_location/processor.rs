use super::accounts::UpdateLocationAccounts;
use super::data::UpdateLocationArgs;
use crate::entrypoint::AccountInfo;
use crate::error::{Error, ProgramResult};
use crate::events::{EventWriter, LOCATION_UPDATED};
use crate::keys::key_eq;
use crate::state::{load, Hotspot};
use crate::Pubkey;

pub fn process(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let args = UpdateLocationArgs::parse(data)?;
    args.validate()?;
    let a = UpdateLocationAccounts::load(accounts)?;
    // A program-owned account with the Hotspot discriminator can only have been created by
    // register_hotspot at its PDA, so owner + discriminator identify it without re-deriving.
    // SAFETY: the only reference to the hotspot's data in this instruction.
    let hotspot = unsafe { load::<Hotspot>(a.hotspot, program_id)? };
    if !key_eq(&hotspot.owner, a.owner.key()) {
        return Err(Error::NotHotspotOwner);
    }
    hotspot.set_location(args.location);
    hotspot.set_gain_dbi_x10(args.gain_dbi_x10);
    hotspot.set_elevation_m(args.elevation_m);

    EventWriter::new(&LOCATION_UPDATED)
        .key(&hotspot.device_key)
        .u64(args.location)
        .i16(args.gain_dbi_x10)
        .i32(args.elevation_m)
        .emit();
    Ok(())
}
