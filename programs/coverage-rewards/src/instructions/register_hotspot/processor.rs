use super::accounts::RegisterHotspotAccounts;
use super::data::RegisterHotspotArgs;
use crate::cpi::{create_pda_account, seed, CreatePda};
use crate::entrypoint::AccountInfo;
use crate::error::ProgramResult;
use crate::events::{EventWriter, HOTSPOT_REGISTERED};
use crate::keys::HOTSPOT_SEED;
use crate::state::{init, Hotspot, Layout};
use crate::syscalls::{clock, Clock};
use crate::Pubkey;

pub fn process(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let args = RegisterHotspotArgs::parse(data)?;
    args.validate()?;
    let a = RegisterHotspotAccounts::load(program_id, accounts)?;
    let mut now = Clock::default();
    clock(&mut now)?;

    let bump = [a.bump];
    let seeds = [seed(HOTSPOT_SEED), seed(a.device.key()), seed(&bump)];
    create_pda_account(&CreatePda { payer: a.owner, account: a.hotspot, space: Hotspot::SIZE as u64, owner: program_id, seeds: &seeds })?;

    // SAFETY: the account was just created for us; nothing else references its data.
    let hotspot = init::<Hotspot>(unsafe { a.hotspot.data_mut() })?;
    hotspot.bump = a.bump;
    hotspot.owner = *a.owner.key();
    hotspot.device_key = *a.device.key();
    hotspot.set_location(args.location);
    hotspot.set_gain_dbi_x10(args.gain_dbi_x10);
    hotspot.set_elevation_m(args.elevation_m);
    hotspot.reward_account = a.reward_account;
    // The registry as of time T (docs/PROGRAM.md): registered at `now`, with the initial values
    // also as the "previous" ones, in force since `now`.
    hotspot.set_registered_at(now.unix_timestamp);
    hotspot.set_location_updated_at(now.unix_timestamp);
    hotspot.set_previous_location(args.location);
    hotspot.set_previous_gain_dbi_x10(args.gain_dbi_x10);
    hotspot.set_previous_elevation_m(args.elevation_m);

    EventWriter::new(&HOTSPOT_REGISTERED)
        .key(a.device.key())
        .key(a.owner.key())
        .u64(args.location)
        .i16(args.gain_dbi_x10)
        .i32(args.elevation_m)
        .emit();
    Ok(())
}
