//! Host tests of whole instructions through [`crate::entrypoint`]: input buffers serialized like
//! the runtime's, the host syscall emulation for PDAs, sysvars and the System / Token CPIs, and a
//! small ledger that keeps account state between instructions (and discards it on failure, as the
//! runtime does). The real VM is exercised from TypeScript with litesvm.

use crate::entrypoint::test_input::{serialize, Entry, TestAccount};
use crate::error::Error;
use crate::events;
use crate::instructions as ix;
use crate::keys::*;
use crate::merkle::tests::{build_levels, proof_for, root_of};
use crate::merkle::{leaf_hash, proof_len};
use crate::sha256_soft::hashv;
use crate::state::{view, Config, Epoch, EpochStatus, Hotspot, Layout};
use crate::syscalls::host;
use crate::Pubkey;
use std::collections::HashMap;

const PROGRAM: Pubkey = PROGRAM_ID;
const GENESIS: i64 = 1_700_000_000;
const EPOCH_LEN: u64 = 3_600;
const EMISSION: u64 = 1_000_000;
const CELL: u64 = 0x8c283082800b3ff;
const OTHER_CELL: u64 = 0x8cbe0e35c0521ff;

fn key(tag: u8) -> Pubkey {
    let mut k = [tag; 32];
    k[0] = 0xee; // away from the program / sysvar ids
    k
}

/// The host's PDA: the runtime's hash with bump 255 (the host emulation has no curve check, so
/// `find_program_address` always stops at 255).
fn pda(seeds: &[&[u8]], program: &Pubkey) -> Pubkey {
    let bump = [255u8];
    let mut with: Vec<&[u8]> = seeds.to_vec();
    with.push(&bump);
    let mut out = [0u8; 32];
    assert_eq!(host::create_program_address(&with, program, &mut out), 0);
    out
}

fn disc(ix: [u8; 8], args: &[u8]) -> Vec<u8> {
    let mut v = ix.to_vec();
    v.extend_from_slice(args);
    v
}

/// One account reference of an instruction: key, signer, writable.
#[derive(Clone, Copy)]
struct Meta(Pubkey, bool, bool);
fn w(k: Pubkey) -> Meta {
    Meta(k, false, true)
}
fn r(k: Pubkey) -> Meta {
    Meta(k, false, false)
}
fn sw(k: Pubkey) -> Meta {
    Meta(k, true, true)
}
fn s(k: Pubkey) -> Meta {
    Meta(k, true, false)
}

struct Ledger {
    accounts: HashMap<Pubkey, TestAccount>,
}

impl Ledger {
    fn new() -> Self {
        host::reset();
        host::set_unix_timestamp(GENESIS);
        let mut l = Ledger { accounts: HashMap::new() };
        l.put(TestAccount::new(SYSTEM_PROGRAM_ID, [0xff; 32], vec![]));
        l.put(TestAccount::new(TOKEN_PROGRAM_ID, [0xff; 32], vec![]));
        l
    }

    fn put(&mut self, a: TestAccount) {
        self.accounts.insert(a.key, a);
    }

    fn data(&self, k: &Pubkey) -> Vec<u8> {
        self.accounts.get(k).map(|a| a.data.clone()).unwrap_or_default()
    }

    /// Runs one instruction; keeps the changes only on success.
    fn exec(&mut self, metas: &[Meta], data: &[u8]) -> Result<(), u32> {
        let mut entries = Vec::new();
        let mut seen: Vec<Pubkey> = Vec::new();
        for m in metas {
            if let Some(i) = seen.iter().position(|k| *k == m.0) {
                entries.push(Entry::Dup(i as u8));
            } else {
                let mut a = self.accounts.get(&m.0).cloned().unwrap_or_else(|| TestAccount::new(m.0, SYSTEM_PROGRAM_ID, vec![]).lamports(0));
                a.is_signer = m.1;
                a.is_writable = m.2;
                entries.push(Entry::New(a));
            }
            seen.push(m.0);
        }
        let mut buf = serialize(&entries, data, &PROGRAM);
        // SAFETY: a runtime-shaped buffer.
        let rc = unsafe { crate::entrypoint(buf.ptr()) };
        if rc != 0 {
            return Err(rc as u32);
        }
        for (i, m) in metas.iter().enumerate() {
            let mut a = self.accounts.get(&m.0).cloned().unwrap_or_else(|| TestAccount::new(m.0, SYSTEM_PROGRAM_ID, vec![]));
            a.data = buf.account_data(i);
            a.owner = buf.account_owner(i);
            a.lamports = buf.account_lamports(i);
            a.is_signer = false;
            a.is_writable = false;
            self.accounts.insert(m.0, a);
        }
        Ok(())
    }
}

fn code(e: Error) -> Result<(), u32> {
    Err(e.code())
}

/// An initialized network: admin, mint (authority = our PDA), 4 validators (quorum 3),
/// three hotspots with their owners' associated token accounts.
struct World {
    l: Ledger,
    admin: Pubkey,
    mint: Pubkey,
    mint_authority: Pubkey,
    config: Pubkey,
    validators: Vec<Pubkey>,
    devices: Vec<Pubkey>,
    owners: Vec<Pubkey>,
}

fn mint_data(authority: &Pubkey) -> Vec<u8> {
    let mut d = vec![0u8; crate::token::MINT_LEN];
    d[0] = 1;
    d[4..36].copy_from_slice(authority);
    d[44] = 6;
    d[45] = 1;
    d
}

fn token_account_data(mint: &Pubkey, owner: &Pubkey) -> Vec<u8> {
    let mut d = vec![0u8; crate::token::ACCOUNT_LEN];
    d[..32].copy_from_slice(mint);
    d[32..64].copy_from_slice(owner);
    d[108] = 1;
    d
}

fn ata(owner: &Pubkey, mint: &Pubkey) -> Pubkey {
    pda(&[owner, &TOKEN_PROGRAM_ID, mint], &ASSOCIATED_TOKEN_PROGRAM_ID)
}

fn balance(l: &Ledger, account: &Pubkey) -> u64 {
    let d = l.data(account);
    u64::from_le_bytes(d[64..72].try_into().unwrap())
}

fn init_args(len: u64, genesis: i64, emission: u64) -> Vec<u8> {
    let mut v = len.to_le_bytes().to_vec();
    v.extend_from_slice(&genesis.to_le_bytes());
    v.extend_from_slice(&emission.to_le_bytes());
    disc(ix::INITIALIZE, &v)
}

fn validators_args(keys: &[Pubkey], quorum: u8) -> Vec<u8> {
    let mut v = (keys.len() as u32).to_le_bytes().to_vec();
    for k in keys {
        v.extend_from_slice(k);
    }
    v.push(quorum);
    disc(ix::SET_VALIDATORS, &v)
}

fn hotspot_args(which: [u8; 8], location: u64, gain: i16, elevation: i32) -> Vec<u8> {
    let mut v = location.to_le_bytes().to_vec();
    v.extend_from_slice(&gain.to_le_bytes());
    v.extend_from_slice(&elevation.to_le_bytes());
    disc(which, &v)
}

fn submit_args(epoch: u64, root: &[u8; 32], total: u64, leaves: u64) -> Vec<u8> {
    let mut v = epoch.to_le_bytes().to_vec();
    v.extend_from_slice(root);
    v.extend_from_slice(&total.to_le_bytes());
    v.extend_from_slice(&leaves.to_le_bytes());
    disc(ix::SUBMIT_EPOCH, &v)
}

fn claim_args(epoch: u64, amount: u64, index: u64, proof: &[u8]) -> Vec<u8> {
    let mut v = epoch.to_le_bytes().to_vec();
    v.extend_from_slice(&amount.to_le_bytes());
    v.extend_from_slice(&index.to_le_bytes());
    v.extend_from_slice(&((proof.len() / 32) as u32).to_le_bytes());
    v.extend_from_slice(proof);
    disc(ix::CLAIM, &v)
}

fn epoch_pda(e: u64) -> Pubkey {
    pda(&[EPOCH_SEED, &e.to_le_bytes()], &PROGRAM)
}

impl World {
    fn new() -> World {
        let mut l = Ledger::new();
        let admin = key(1);
        let mint = key(2);
        let mint_authority = pda(&[MINT_AUTHORITY_SEED], &PROGRAM);
        let config = pda(&[CONFIG_SEED], &PROGRAM);
        l.put(TestAccount::new(admin, SYSTEM_PROGRAM_ID, vec![]));
        l.put(TestAccount::new(mint, TOKEN_PROGRAM_ID, mint_data(&mint_authority)));
        let validators: Vec<Pubkey> = (10..14).map(key).collect();
        for v in &validators {
            l.put(TestAccount::new(*v, SYSTEM_PROGRAM_ID, vec![]));
        }
        let mut devices: Vec<Pubkey> = (20..23).map(key).collect();
        devices.sort();
        let owners: Vec<Pubkey> = (30..33).map(key).collect();
        for o in &owners {
            l.put(TestAccount::new(*o, SYSTEM_PROGRAM_ID, vec![]));
            l.put(TestAccount::new(ata(o, &mint), TOKEN_PROGRAM_ID, token_account_data(&mint, o)));
        }
        let mut wd = World { l, admin, mint, mint_authority, config, validators, devices, owners };
        wd.initialize().unwrap();
        let vs = wd.validators.clone();
        wd.l.exec(&[s(admin), w(config)], &validators_args(&vs, 0)).unwrap();
        for i in 0..3 {
            wd.register(i, CELL).unwrap();
        }
        wd
    }

    fn initialize(&mut self) -> Result<(), u32> {
        let m = [sw(self.admin), w(self.config), r(self.mint), r(self.mint_authority), r(SYSTEM_PROGRAM_ID)];
        self.l.exec(&m, &init_args(EPOCH_LEN, GENESIS, EMISSION))
    }

    fn register(&mut self, i: usize, cell: u64) -> Result<(), u32> {
        let (o, d) = (self.owners[i], self.devices[i]);
        let hotspot = pda(&[HOTSPOT_SEED, &d], &PROGRAM);
        self.l.exec(&[sw(o), s(d), w(hotspot), r(self.config), r(SYSTEM_PROGRAM_ID)], &hotspot_args(ix::REGISTER_HOTSPOT, cell, 55, 12))
    }

    fn hotspot(&self, i: usize) -> Pubkey {
        pda(&[HOTSPOT_SEED, &self.devices[i]], &PROGRAM)
    }

    fn submit(&mut self, v: usize, epoch: u64, root: &[u8; 32], total: u64, leaves: u64) -> Result<(), u32> {
        let m = [sw(self.validators[v]), w(self.config), w(epoch_pda(epoch)), r(SYSTEM_PROGRAM_ID)];
        self.l.exec(&m, &submit_args(epoch, root, total, leaves))
    }

    fn claim_metas(&self, i: usize, epoch: u64) -> Vec<Meta> {
        vec![
            w(self.config),
            w(self.hotspot(i)),
            r(epoch_pda(epoch)),
            w(self.mint),
            w(ata(&self.owners[i], &self.mint)),
            r(self.mint_authority),
            r(TOKEN_PROGRAM_ID),
        ]
    }

    fn claim(&mut self, i: usize, epoch: u64, amount: u64, index: u64, proof: &[u8]) -> Result<(), u32> {
        let m = self.claim_metas(i, epoch);
        self.l.exec(&m, &claim_args(epoch, amount, index, proof))
    }

    fn config(&self) -> Vec<u8> {
        self.l.data(&self.config)
    }

    /// Finalizes `epoch` with 3 of 4 votes on the tree of `amounts` (per device, sorted order).
    fn finalize(&mut self, epoch: u64, amounts: &[u64]) -> (Vec<Vec<[u8; 32]>>, [u8; 32]) {
        let leaves: Vec<[u8; 32]> = self
            .devices
            .iter()
            .zip(amounts)
            .map(|(d, a)| {
                let mut h = [0u8; 32];
                leaf_hash(d, *a, &mut h);
                h
            })
            .collect();
        let levels = build_levels(&leaves);
        let root = root_of(&levels);
        let total: u64 = amounts.iter().sum();
        host::set_unix_timestamp(GENESIS + ((epoch + 1) * EPOCH_LEN) as i64);
        for v in 0..3 {
            self.submit(v, epoch, &root, total, leaves.len() as u64).unwrap();
        }
        (levels, root)
    }
}

#[test]
fn discriminators_are_sha256_prefixes() {
    let pre = |s: &str| -> [u8; 8] { hashv(&[s.as_bytes()])[..8].try_into().unwrap() };
    assert_eq!(ix::INITIALIZE, pre("global:initialize"));
    assert_eq!(ix::SET_VALIDATORS, pre("global:set_validators"));
    assert_eq!(ix::REGISTER_HOTSPOT, pre("global:register_hotspot"));
    assert_eq!(ix::UPDATE_LOCATION, pre("global:update_location"));
    assert_eq!(ix::SUBMIT_EPOCH, pre("global:submit_epoch"));
    assert_eq!(ix::CLAIM, pre("global:claim"));
    assert_eq!(Config::DISCRIMINATOR, pre("account:Config"));
    assert_eq!(Hotspot::DISCRIMINATOR, pre("account:Hotspot"));
    assert_eq!(Epoch::DISCRIMINATOR, pre("account:Epoch"));
    assert_eq!(events::CONFIG_INITIALIZED, pre("event:ConfigInitialized"));
    assert_eq!(events::VALIDATORS_SET, pre("event:ValidatorsSet"));
    assert_eq!(events::HOTSPOT_REGISTERED, pre("event:HotspotRegistered"));
    assert_eq!(events::LOCATION_UPDATED, pre("event:LocationUpdated"));
    assert_eq!(events::VOTE_RECORDED, pre("event:VoteRecorded"));
    assert_eq!(events::EPOCH_FINALIZED, pre("event:EpochFinalized"));
    assert_eq!(events::REWARDS_CLAIMED, pre("event:RewardsClaimed"));
    // Known vector, independent of our sha256: Anchor's well-known `initialize` discriminator.
    assert_eq!(ix::INITIALIZE, [175, 175, 109, 31, 13, 152, 155, 237]);
}

#[test]
fn initialize_writes_the_config_and_logs_an_event() {
    let wd = World::new();
    let mut data = wd.config();
    let c = view::<Config>(&mut data).unwrap();
    assert_eq!(c.admin, wd.admin);
    assert_eq!(c.mint, wd.mint);
    assert_eq!(c.mint_authority, wd.mint_authority);
    assert_eq!(c.mint_authority_bump, 255);
    assert_eq!((c.epoch_length_seconds(), c.genesis_unix_time(), c.emission_per_epoch()), (EPOCH_LEN, GENESIS, EMISSION));
    assert_eq!((c.validator_count, c.quorum, c.validators_version()), (4, 3, 1));
    assert_eq!(wd.l.accounts[&wd.config].owner, PROGRAM);
    // Rent-exempt: (128 + 673) * 3480 * 2.
    assert_eq!(wd.l.accounts[&wd.config].lamports, (128 + 673) * 3480 * 2);
}

#[test]
fn initialize_rejects_a_second_call_a_foreign_mint_authority_and_missing_signature() {
    let mut wd = World::new();
    assert_eq!(wd.initialize(), code(Error::AccountAlreadyInitialized));

    let mut l = Ledger::new();
    let (admin, mint) = (key(1), key(2));
    l.put(TestAccount::new(admin, SYSTEM_PROGRAM_ID, vec![]));
    l.put(TestAccount::new(mint, TOKEN_PROGRAM_ID, mint_data(&key(99))));
    let (config, auth) = (pda(&[CONFIG_SEED], &PROGRAM), pda(&[MINT_AUTHORITY_SEED], &PROGRAM));
    let m = [sw(admin), w(config), r(mint), r(auth), r(SYSTEM_PROGRAM_ID)];
    assert_eq!(l.exec(&m, &init_args(60, 0, 1)), code(Error::InvalidMintAuthority));
    l.put(TestAccount::new(mint, SYSTEM_PROGRAM_ID, mint_data(&auth)));
    assert_eq!(l.exec(&m, &init_args(60, 0, 1)), code(Error::InvalidMint));
    l.put(TestAccount::new(mint, TOKEN_PROGRAM_ID, mint_data(&auth)));
    let unsigned = [w(admin), w(config), r(mint), r(auth), r(SYSTEM_PROGRAM_ID)];
    assert_eq!(l.exec(&unsigned, &init_args(60, 0, 1)), code(Error::MissingSigner));
    let wrong_pda = [sw(admin), w(key(50)), r(mint), r(auth), r(SYSTEM_PROGRAM_ID)];
    assert_eq!(l.exec(&wrong_pda, &init_args(60, 0, 1)), code(Error::InvalidPda));
    let wrong_system = [sw(admin), w(config), r(mint), r(auth), r(key(51))];
    assert_eq!(l.exec(&wrong_system, &init_args(60, 0, 1)), code(Error::InvalidProgramAccount));
    assert_eq!(l.exec(&m, &init_args(0, 0, 1)), code(Error::InvalidEpochLength));
    assert_eq!(l.exec(&m[..4], &init_args(60, 0, 1)), code(Error::NotEnoughAccounts));
    assert_eq!(l.exec(&m, &init_args(60, 0, 1)), Ok(()));
}

#[test]
fn initialize_succeeds_when_the_config_address_was_prefunded() {
    let mut l = Ledger::new();
    let (admin, mint) = (key(1), key(2));
    let (config, auth) = (pda(&[CONFIG_SEED], &PROGRAM), pda(&[MINT_AUTHORITY_SEED], &PROGRAM));
    l.put(TestAccount::new(admin, SYSTEM_PROGRAM_ID, vec![]));
    l.put(TestAccount::new(mint, TOKEN_PROGRAM_ID, mint_data(&auth)));
    l.put(TestAccount::new(config, SYSTEM_PROGRAM_ID, vec![]).lamports(1_000));
    let m = [sw(admin), w(config), r(mint), r(auth), r(SYSTEM_PROGRAM_ID)];
    assert_eq!(l.exec(&m, &init_args(60, 0, 1)), Ok(()));
    assert_eq!(l.accounts[&config].lamports, (128 + 673) * 3480 * 2);
    assert_eq!(l.accounts[&config].owner, PROGRAM);
    let kinds: Vec<u8> = host::take_cpis().iter().map(|c| c.data[0]).collect();
    assert_eq!(kinds, vec![2, 8, 1], "transfer, allocate, assign");
}

#[test]
fn set_validators_requires_the_admin_and_a_sane_set() {
    let mut wd = World::new();
    let (a, c) = (wd.admin, wd.config);
    let vs = wd.validators.clone();
    assert_eq!(wd.l.exec(&[s(key(77)), w(c)], &validators_args(&vs, 0)), code(Error::Unauthorized));
    assert_eq!(wd.l.exec(&[r(a), w(c)], &validators_args(&vs, 0)), code(Error::MissingSigner));
    assert_eq!(wd.l.exec(&[s(a), r(c)], &validators_args(&vs, 0)), code(Error::AccountNotWritable));
    assert_eq!(wd.l.exec(&[s(a), w(c)], &validators_args(&vs, 5)), code(Error::InvalidQuorum));
    assert_eq!(wd.l.exec(&[s(a), w(c)], &validators_args(&[vs[0], vs[0]], 0)), code(Error::DuplicateValidator));
    let many: Vec<Pubkey> = (100..117).map(key).collect();
    assert_eq!(wd.l.exec(&[s(a), w(c)], &validators_args(&many, 0)), code(Error::InvalidValidatorCount));
    assert_eq!(wd.l.exec(&[s(a), w(c)], &validators_args(&vs[..2], 1)), Ok(()));
    let mut data = wd.config();
    let cfg = view::<Config>(&mut data).unwrap();
    assert_eq!((cfg.validator_count, cfg.quorum, cfg.validators_version()), (2, 1, 2));
    assert_eq!(cfg.validators[2], [0; 32]);
}

#[test]
fn a_config_not_owned_by_the_program_is_rejected() {
    let mut wd = World::new();
    let fake = key(60);
    let mut t = TestAccount::new(fake, SYSTEM_PROGRAM_ID, wd.config());
    t.owner = key(61);
    wd.l.put(t);
    let vs = wd.validators.clone();
    assert_eq!(wd.l.exec(&[s(wd.admin), w(fake)], &validators_args(&vs, 0)), code(Error::InvalidAccountOwner));
    let m = [sw(vs[0]), w(fake), w(epoch_pda(0)), r(SYSTEM_PROGRAM_ID)];
    host::set_unix_timestamp(GENESIS + EPOCH_LEN as i64);
    assert_eq!(wd.l.exec(&m, &submit_args(0, &[0; 32], 0, 0)), code(Error::InvalidAccountOwner));
}

#[test]
fn register_hotspot_needs_both_signatures_a_res12_cell_and_a_free_pda() {
    let mut wd = World::new();
    let (o, d) = (wd.owners[0], key(40));
    let hotspot = pda(&[HOTSPOT_SEED, &d], &PROGRAM);
    let args = hotspot_args(ix::REGISTER_HOTSPOT, CELL, 55, 12);
    assert_eq!(wd.l.exec(&[sw(o), r(d), w(hotspot), r(wd.config), r(SYSTEM_PROGRAM_ID)], &args), code(Error::MissingSigner));
    assert_eq!(wd.l.exec(&[w(o), s(d), w(hotspot), r(wd.config), r(SYSTEM_PROGRAM_ID)], &args), code(Error::MissingSigner));
    assert_eq!(wd.l.exec(&[sw(o), s(d), w(key(41)), r(wd.config), r(SYSTEM_PROGRAM_ID)], &args), code(Error::InvalidPda));
    let res11 = hotspot_args(ix::REGISTER_HOTSPOT, 0x8b283082800bfff, 55, 12);
    assert_eq!(wd.l.exec(&[sw(o), s(d), w(hotspot), r(wd.config), r(SYSTEM_PROGRAM_ID)], &res11), code(Error::InvalidLocation));
    let gain = hotspot_args(ix::REGISTER_HOTSPOT, CELL, 301, 12);
    assert_eq!(wd.l.exec(&[sw(o), s(d), w(hotspot), r(wd.config), r(SYSTEM_PROGRAM_ID)], &gain), code(Error::InvalidGain));
    assert_eq!(wd.l.exec(&[sw(o), s(d), w(hotspot), r(wd.config), r(SYSTEM_PROGRAM_ID)], &args), Ok(()));
    let mut data = wd.l.data(&hotspot);
    let h = view::<Hotspot>(&mut data).unwrap();
    assert_eq!((h.owner, h.device_key, h.location(), h.gain_dbi_x10(), h.elevation_m(), h.claimed()), (o, d, CELL, 55, 12, 0));
    assert_eq!(h.reward_account, ata(&o, &wd.mint));
    assert_eq!(wd.l.exec(&[sw(o), s(d), w(hotspot), r(wd.config), r(SYSTEM_PROGRAM_ID)], &args), code(Error::AccountAlreadyInitialized));
    let ev = host::take_events();
    assert_eq!(&ev.last().unwrap()[..8], &events::HOTSPOT_REGISTERED);
}

#[test]
fn update_location_is_for_the_owner_only() {
    let mut wd = World::new();
    let (h, cfg) = (wd.hotspot(0), wd.config);
    host::set_unix_timestamp(GENESIS + 2 * EPOCH_LEN as i64);
    let args = hotspot_args(ix::UPDATE_LOCATION, OTHER_CELL, -20, 300);
    assert_eq!(wd.l.exec(&[s(wd.owners[1]), w(h), r(cfg)], &args), code(Error::NotHotspotOwner));
    assert_eq!(wd.l.exec(&[r(wd.owners[0]), w(h), r(cfg)], &args), code(Error::MissingSigner));
    assert_eq!(wd.l.exec(&[s(wd.owners[0]), w(h)], &args), code(Error::NotEnoughAccounts));
    let bad = hotspot_args(ix::UPDATE_LOCATION, OTHER_CELL, -20, 10_001);
    assert_eq!(wd.l.exec(&[s(wd.owners[0]), w(h), r(cfg)], &bad), code(Error::InvalidElevation));
    // The config must be the program's Config: a Hotspot in its place has the wrong discriminator.
    assert_eq!(wd.l.exec(&[s(wd.owners[0]), w(h), r(wd.hotspot(1))], &args), code(Error::InvalidAccountData));
    assert_eq!(wd.l.exec(&[s(wd.owners[0]), w(h), r(cfg)], &args), Ok(()));
    let mut data = wd.l.data(&h);
    let hs = view::<Hotspot>(&mut data).unwrap();
    assert_eq!((hs.location(), hs.gain_dbi_x10(), hs.elevation_m()), (OTHER_CELL, -20, 300));
}

#[test]
fn register_hotspot_records_the_time_and_the_initial_values_as_previous() {
    let wd = World::new();
    let mut data = wd.l.data(&wd.hotspot(0));
    assert_eq!(data.len(), Hotspot::SIZE);
    assert_eq!(data[8], 2, "layout version 2");
    let h = view::<Hotspot>(&mut data).unwrap();
    assert_eq!((h.registered_at(), h.location_updated_at()), (GENESIS, GENESIS));
    assert_eq!((h.previous_location(), h.previous_gain_dbi_x10(), h.previous_elevation_m()), (CELL, 55, 12));
}

#[test]
fn update_location_waits_two_epochs_and_keeps_the_replaced_values() {
    let mut wd = World::new();
    let (h, cfg, o) = (wd.hotspot(0), wd.config, wd.owners[0]);
    let two_epochs = 2 * EPOCH_LEN as i64;
    let first = hotspot_args(ix::UPDATE_LOCATION, OTHER_CELL, -20, 300);
    // Registered at GENESIS: one second short of two epochs is too soon.
    host::set_unix_timestamp(GENESIS + two_epochs - 1);
    assert_eq!(wd.l.exec(&[s(o), w(h), r(cfg)], &first), code(Error::LocationUpdateTooSoon));
    host::set_unix_timestamp(GENESIS + two_epochs);
    assert_eq!(wd.l.exec(&[s(o), w(h), r(cfg)], &first), Ok(()));
    let mut data = wd.l.data(&h);
    let hs = view::<Hotspot>(&mut data).unwrap();
    assert_eq!((hs.location(), hs.gain_dbi_x10(), hs.elevation_m()), (OTHER_CELL, -20, 300));
    assert_eq!((hs.previous_location(), hs.previous_gain_dbi_x10(), hs.previous_elevation_m()), (CELL, 55, 12));
    assert_eq!((hs.registered_at(), hs.location_updated_at()), (GENESIS, GENESIS + two_epochs));
    // The next update counts from this one, and moves these values to previous.
    let second = hotspot_args(ix::UPDATE_LOCATION, CELL, 40, 5);
    host::set_unix_timestamp(GENESIS + 2 * two_epochs - 1);
    assert_eq!(wd.l.exec(&[s(o), w(h), r(cfg)], &second), code(Error::LocationUpdateTooSoon));
    host::set_unix_timestamp(GENESIS + 2 * two_epochs);
    assert_eq!(wd.l.exec(&[s(o), w(h), r(cfg)], &second), Ok(()));
    let mut data = wd.l.data(&h);
    let hs = view::<Hotspot>(&mut data).unwrap();
    assert_eq!((hs.location(), hs.previous_location(), hs.previous_gain_dbi_x10(), hs.previous_elevation_m()), (CELL, OTHER_CELL, -20, 300));
    assert_eq!(hs.location_updated_at(), GENESIS + 2 * two_epochs);
    let ev = host::take_events();
    assert_eq!(&ev.last().unwrap()[..8], &events::LOCATION_UPDATED);
}

#[test]
fn full_happy_path_three_of_four_finalize_and_claims_pay_differences() {
    let mut wd = World::new();
    let amounts = [100u64, 250, 50];
    let (levels, root) = wd.finalize(0, &amounts);
    let mut e = wd.l.data(&epoch_pda(0));
    let ep = view::<Epoch>(&mut e).unwrap();
    assert_eq!(ep.status(), EpochStatus::Finalized);
    assert_eq!(ep.finalized_root, root);
    assert_eq!((ep.finalized_cumulative_total(), ep.finalized_leaf_count(), ep.vote_count), (400, 3, 3));
    let mut c = wd.config();
    assert_eq!(view::<Config>(&mut c).unwrap().next_epoch(), 1);
    let evs = host::take_events();
    assert_eq!(&evs.last().unwrap()[..8], &events::EPOCH_FINALIZED);

    for i in 0..3 {
        let proof = proof_for(&levels, i);
        assert_eq!(proof.len() / 32, proof_len(i as u64, 3));
        wd.claim(i, 0, amounts[i], i as u64, &proof).unwrap();
        assert_eq!(balance(&wd.l, &ata(&wd.owners[i], &wd.mint)), amounts[i]);
    }
    let mut c = wd.config();
    assert_eq!(view::<Config>(&mut c).unwrap().total_minted(), 400);
    let ev = host::take_events().pop().unwrap();
    assert_eq!(&ev[..8], &events::REWARDS_CLAIMED);
    assert_eq!(u64::from_le_bytes(ev[80..88].try_into().unwrap()), 50, "amount field");

    // Epoch 1: cumulative amounts grow; a claim pays only the difference.
    let amounts1 = [180u64, 250, 75];
    let (levels1, _) = wd.finalize(1, &amounts1);
    wd.claim(0, 1, 180, 0, &proof_for(&levels1, 0)).unwrap();
    assert_eq!(balance(&wd.l, &ata(&wd.owners[0], &wd.mint)), 180);
    // Hotspot 1 earned nothing new.
    assert_eq!(wd.claim(1, 1, 250, 1, &proof_for(&levels1, 1)), code(Error::NothingToClaim));
    // A stale proof from epoch 0 for hotspot 2 is valid but pays nothing more.
    assert_eq!(wd.claim(2, 0, 50, 2, &proof_for(&levels, 2)), code(Error::NothingToClaim));
    wd.claim(2, 1, 75, 2, &proof_for(&levels1, 2)).unwrap();
    let mut c = wd.config();
    let cfg = view::<Config>(&mut c).unwrap();
    assert_eq!((cfg.total_minted(), cfg.finalized_cumulative_total()), (180 + 250 + 75, 505));
    // The MintTo CPI: token program, mint/destination writable, authority signing.
    let cpi = host::take_cpis().pop().unwrap();
    assert_eq!(cpi.program_id, TOKEN_PROGRAM_ID);
    assert_eq!(cpi.data, [&[7u8][..], &25u64.to_le_bytes()].concat());
    assert_eq!(cpi.metas[2], (wd.mint_authority, false, true));
}

#[test]
fn submit_epoch_enforces_membership_order_time_and_single_votes() {
    let mut wd = World::new();
    let root = [5u8; 32];
    // Not ended: still inside epoch 0.
    host::set_unix_timestamp(GENESIS + EPOCH_LEN as i64 - 1);
    assert_eq!(wd.submit(0, 0, &root, 10, 3), code(Error::EpochNotEnded));
    host::set_unix_timestamp(GENESIS + 5 * EPOCH_LEN as i64);
    // Not a validator.
    let stranger = key(90);
    let m = [sw(stranger), w(wd.config), w(epoch_pda(0)), r(SYSTEM_PROGRAM_ID)];
    assert_eq!(wd.l.exec(&m, &submit_args(0, &root, 10, 3)), code(Error::NotAValidator));
    // Out of order: epoch 1 before epoch 0 is final.
    assert_eq!(wd.submit(0, 1, &root, 10, 3), code(Error::EpochOutOfOrder));
    // Emission cap and empty-tree rule.
    assert_eq!(wd.submit(0, 0, &root, EMISSION + 1, 3), code(Error::EmissionExceeded));
    assert_eq!(wd.submit(0, 0, &root, 0, 0), code(Error::InvalidEpochSummary));
    // Wrong epoch PDA.
    let m = [sw(wd.validators[0]), w(wd.config), w(epoch_pda(1)), r(SYSTEM_PROGRAM_ID)];
    assert_eq!(wd.l.exec(&m, &submit_args(0, &root, 10, 3)), code(Error::InvalidPda));
    // Votes: 1 and a disagreeing minority do not finalize; double vote is refused.
    wd.submit(0, 0, &root, 10, 3).unwrap();
    assert_eq!(wd.submit(0, 0, &root, 10, 3), code(Error::DoubleVote));
    wd.submit(1, 0, &[6; 32], 10, 3).unwrap();
    wd.submit(2, 0, &root, 10, 3).unwrap();
    let mut e = wd.l.data(&epoch_pda(0));
    assert_eq!(view::<Epoch>(&mut e).unwrap().status(), EpochStatus::Voting, "2 of 3 needed agree");
    wd.submit(3, 0, &root, 10, 3).unwrap();
    let mut e = wd.l.data(&epoch_pda(0));
    let ep = view::<Epoch>(&mut e).unwrap();
    assert_eq!(ep.status(), EpochStatus::Finalized);
    assert_eq!(ep.finalized_root, root, "the minority root lost");
    // Finalized: further votes refused, and totals may not shrink afterwards.
    assert_eq!(wd.submit(1, 0, &root, 10, 3), code(Error::EpochAlreadyFinalized));
    assert_eq!(wd.submit(0, 1, &root, 9, 3), code(Error::CumulativeTotalDecreased));
    assert_eq!(wd.submit(0, 1, &root, 10 + EMISSION + 1, 3), code(Error::EmissionExceeded));
}

#[test]
fn changing_the_validator_set_discards_votes_cast_under_the_old_one() {
    let mut wd = World::new();
    host::set_unix_timestamp(GENESIS + EPOCH_LEN as i64);
    let root = [5u8; 32];
    wd.submit(0, 0, &root, 10, 3).unwrap();
    wd.submit(1, 0, &root, 10, 3).unwrap();
    // Same keys, new version: the two votes are dropped on the next vote.
    let vs = wd.validators.clone();
    wd.l.exec(&[s(wd.admin), w(wd.config)], &validators_args(&vs, 0)).unwrap();
    wd.submit(2, 0, &root, 10, 3).unwrap();
    let mut e = wd.l.data(&epoch_pda(0));
    let ep = view::<Epoch>(&mut e).unwrap();
    assert_eq!((ep.vote_count, ep.status()), (1, EpochStatus::Voting));
    // Validator 0 may vote again under the new set.
    wd.submit(0, 0, &root, 10, 3).unwrap();
}

#[test]
fn claim_rejects_bad_proofs_accounts_and_amounts() {
    let mut wd = World::new();
    let amounts = [100u64, 250, 50];
    let (levels, _) = wd.finalize(0, &amounts);
    let proof = proof_for(&levels, 1);
    // Wrong leaf amount, wrong index, tampered proof.
    assert_eq!(wd.claim(1, 0, 251, 1, &proof), code(Error::InvalidProof));
    assert_eq!(wd.claim(1, 0, 250, 0, &proof), code(Error::InvalidProof));
    let mut bad = proof.clone();
    bad[0] ^= 1;
    assert_eq!(wd.claim(1, 0, 250, 1, &bad), code(Error::InvalidProof));
    assert_eq!(wd.claim(1, 0, 250, 3, &proof), code(Error::LeafIndexOutOfRange));
    // Another hotspot's proof for this hotspot.
    assert_eq!(wd.claim(0, 0, 250, 1, &proof), code(Error::InvalidProof));
    // Epoch not finalized (epoch 1 has one vote).
    host::set_unix_timestamp(GENESIS + 2 * EPOCH_LEN as i64);
    wd.submit(0, 1, &[1; 32], 400, 3).unwrap();
    assert_eq!(wd.claim(1, 1, 250, 1, &proof), code(Error::EpochNotFinalized));
    // Epoch account of another epoch.
    let mut m = wd.claim_metas(1, 0);
    assert_eq!(wd.l.exec(&m, &claim_args(1, 250, 1, &proof)), code(Error::EpochMismatch));
    // Someone else's token account (a valid ATA of owner 0).
    m[4] = w(ata(&wd.owners[0], &wd.mint));
    assert_eq!(wd.l.exec(&m, &claim_args(0, 250, 1, &proof)), code(Error::TokenAccountOwnerMismatch));
    // A token account of the owner that is not the ATA.
    let side = key(70);
    wd.l.put(TestAccount::new(side, TOKEN_PROGRAM_ID, token_account_data(&wd.mint, &wd.owners[1])));
    m[4] = w(side);
    assert_eq!(wd.l.exec(&m, &claim_args(0, 250, 1, &proof)), code(Error::NotAssociatedTokenAccount));
    // A token account of another mint.
    let other_mint_acc = key(71);
    wd.l.put(TestAccount::new(other_mint_acc, TOKEN_PROGRAM_ID, token_account_data(&key(72), &wd.owners[1])));
    m[4] = w(other_mint_acc);
    assert_eq!(wd.l.exec(&m, &claim_args(0, 250, 1, &proof)), code(Error::TokenAccountMintMismatch));
    // Wrong mint.
    let mut m = wd.claim_metas(1, 0);
    m[3] = w(key(72));
    assert_eq!(wd.l.exec(&m, &claim_args(0, 250, 1, &proof)), code(Error::InvalidMint));
    // Wrong mint authority, wrong token program.
    let mut m = wd.claim_metas(1, 0);
    m[5] = r(key(73));
    assert_eq!(wd.l.exec(&m, &claim_args(0, 250, 1, &proof)), code(Error::InvalidMintAuthority));
    let mut m = wd.claim_metas(1, 0);
    m[6] = r(key(74));
    assert_eq!(wd.l.exec(&m, &claim_args(0, 250, 1, &proof)), code(Error::InvalidProgramAccount));
    // Read-only destination.
    let mut m = wd.claim_metas(1, 0);
    m[4] = r(ata(&wd.owners[1], &wd.mint));
    assert_eq!(wd.l.exec(&m, &claim_args(0, 250, 1, &proof)), code(Error::AccountNotWritable));
    // A fake hotspot account (right bytes, wrong owner).
    let fake = key(75);
    let mut t = TestAccount::new(fake, key(76), wd.l.data(&wd.hotspot(1)));
    t.owner = key(76);
    wd.l.put(t);
    let mut m = wd.claim_metas(1, 0);
    m[1] = w(fake);
    assert_eq!(wd.l.exec(&m, &claim_args(0, 250, 1, &proof)), code(Error::InvalidAccountOwner));
    // The config passed as the hotspot: right owner, wrong discriminator.
    let mut m = wd.claim_metas(1, 0);
    m[1] = w(wd.config);
    assert_eq!(wd.l.exec(&m, &claim_args(0, 250, 1, &proof)), code(Error::InvalidAccountData));
    // Finally the good claim, then its replay.
    assert_eq!(wd.claim(1, 0, 250, 1, &proof), Ok(()));
    assert_eq!(wd.claim(1, 0, 250, 1, &proof), code(Error::NothingToClaim));
    assert_eq!(balance(&wd.l, &ata(&wd.owners[1], &wd.mint)), 250);
}

#[test]
fn total_minted_never_exceeds_the_finalized_total() {
    // A (faulty) quorum finalizes a tree whose leaves sum to more than the declared total.
    let mut wd = World::new();
    let leaves: Vec<[u8; 32]> = wd
        .devices
        .iter()
        .zip([300u64, 300, 300])
        .map(|(d, a)| {
            let mut h = [0u8; 32];
            leaf_hash(d, a, &mut h);
            h
        })
        .collect();
    let levels = build_levels(&leaves);
    let root = root_of(&levels);
    host::set_unix_timestamp(GENESIS + EPOCH_LEN as i64);
    for v in 0..3 {
        wd.submit(v, 0, &root, 500, 3).unwrap();
    }
    wd.claim(0, 0, 300, 0, &proof_for(&levels, 0)).unwrap();
    assert_eq!(wd.claim(1, 0, 300, 1, &proof_for(&levels, 1)), code(Error::MintCapExceeded));
}

#[test]
fn unknown_or_short_instruction_data_is_rejected() {
    let mut wd = World::new();
    let c = wd.config;
    assert_eq!(wd.l.exec(&[w(c)], &[1, 2, 3]), code(Error::InvalidInstructionData));
    assert_eq!(wd.l.exec(&[w(c)], &[0; 8]), code(Error::InvalidInstructionData));
    let mut args = submit_args(0, &[1; 32], 1, 1);
    args.pop();
    let m = [sw(wd.validators[0]), w(c), w(epoch_pda(0)), r(SYSTEM_PROGRAM_ID)];
    assert_eq!(wd.l.exec(&m, &args), code(Error::InvalidInstructionData));
}

#[test]
fn errors_are_logged_in_anchor_format() {
    let mut wd = World::new();
    host::take_logs();
    let _ = wd.l.exec(&[w(wd.config)], &[0; 8]);
    let logs = host::take_logs();
    assert_eq!(
        logs.last().unwrap(),
        "AnchorError occurred. Error Code: InvalidInstructionData. Error Number: 6000. Error Message: Instruction data is malformed."
    );
}

/// The IDL is hand-maintained; these checks keep it in step with the program.
mod idl {
    use super::*;

    const IDL: &str = include_str!("../idl/coverage_rewards.json");

    fn compact(s: &str) -> String {
        s.chars().filter(|c| !c.is_whitespace()).collect()
    }

    fn arr(d: &[u8; 8]) -> String {
        format!("[{}]", d.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(","))
    }

    #[test]
    fn lists_every_error_with_its_code_name_and_message() {
        let idl = compact(IDL);
        for e in Error::ALL {
            let needle = compact(&format!("\"code\": {}, \"name\": \"{}\", \"msg\": \"{}\"", e.code(), e.name(), e.message()));
            assert!(idl.contains(&needle), "IDL lacks error {}", e.name());
        }
        assert_eq!(idl.matches("\"code\":").count(), Error::ALL.len(), "IDL has extra errors");
    }

    #[test]
    fn carries_the_program_discriminators() {
        let idl = compact(IDL);
        for (name, d) in [("Config", Config::DISCRIMINATOR), ("Hotspot", Hotspot::DISCRIMINATOR), ("Epoch", Epoch::DISCRIMINATOR)] {
            assert!(idl.contains(&format!("\"name\":\"{}\",\"discriminator\":{}", name, arr(&d))), "account {}", name);
        }
        for (name, d) in [
            ("ConfigInitialized", events::CONFIG_INITIALIZED),
            ("ValidatorsSet", events::VALIDATORS_SET),
            ("HotspotRegistered", events::HOTSPOT_REGISTERED),
            ("LocationUpdated", events::LOCATION_UPDATED),
            ("VoteRecorded", events::VOTE_RECORDED),
            ("EpochFinalized", events::EPOCH_FINALIZED),
            ("RewardsClaimed", events::REWARDS_CLAIMED),
        ] {
            assert!(idl.contains(&format!("\"name\":\"{}\",\"discriminator\":{}", name, arr(&d))), "event {}", name);
        }
        for d in [ix::INITIALIZE, ix::SET_VALIDATORS, ix::REGISTER_HOTSPOT, ix::UPDATE_LOCATION, ix::SUBMIT_EPOCH, ix::CLAIM] {
            assert!(idl.contains(&format!("\"discriminator\":{}", arr(&d))), "instruction {:?}", d);
        }
        assert!(idl.contains("\"address\":\"HPbnip2Vy7NGH73cHkrbwwABAW72h7cWxvZsPLXZaH5n\""));
    }
}

#[test]
fn epoch_end_overflow_surfaces_as_arithmetic_overflow() {
    // A genesis near i64::MAX makes genesis + (epoch + 1) * length overflow.
    let mut l = Ledger::new();
    let (admin, mint) = (key(1), key(2));
    let (config, auth) = (pda(&[CONFIG_SEED], &PROGRAM), pda(&[MINT_AUTHORITY_SEED], &PROGRAM));
    l.put(TestAccount::new(admin, SYSTEM_PROGRAM_ID, vec![]));
    l.put(TestAccount::new(mint, TOKEN_PROGRAM_ID, mint_data(&auth)));
    let m = [sw(admin), w(config), r(mint), r(auth), r(SYSTEM_PROGRAM_ID)];
    l.exec(&m, &init_args(EPOCH_LEN, i64::MAX - 10, EMISSION)).unwrap();
    let v = key(10);
    l.put(TestAccount::new(v, SYSTEM_PROGRAM_ID, vec![]));
    l.exec(&[s(admin), w(config)], &validators_args(&[v], 0)).unwrap();
    let m = [sw(v), w(config), w(epoch_pda(0)), r(SYSTEM_PROGRAM_ID)];
    assert_eq!(l.exec(&m, &submit_args(0, &[1; 32], 1, 1)), code(Error::ArithmeticOverflow));
}

#[test]
fn emission_overflow_surfaces_as_arithmetic_overflow() {
    // With emission u64::MAX, finalized total + emission overflows once the total is non-zero.
    let mut l = Ledger::new();
    let (admin, mint) = (key(1), key(2));
    let (config, auth) = (pda(&[CONFIG_SEED], &PROGRAM), pda(&[MINT_AUTHORITY_SEED], &PROGRAM));
    l.put(TestAccount::new(admin, SYSTEM_PROGRAM_ID, vec![]));
    l.put(TestAccount::new(mint, TOKEN_PROGRAM_ID, mint_data(&auth)));
    let m = [sw(admin), w(config), r(mint), r(auth), r(SYSTEM_PROGRAM_ID)];
    l.exec(&m, &init_args(EPOCH_LEN, GENESIS, u64::MAX)).unwrap();
    let v = key(10);
    l.put(TestAccount::new(v, SYSTEM_PROGRAM_ID, vec![]));
    l.exec(&[s(admin), w(config)], &validators_args(&[v], 0)).unwrap();
    host::set_unix_timestamp(GENESIS + 2 * EPOCH_LEN as i64);
    let m0 = [sw(v), w(config), w(epoch_pda(0)), r(SYSTEM_PROGRAM_ID)];
    l.exec(&m0, &submit_args(0, &[1; 32], 5, 1)).unwrap();
    let m1 = [sw(v), w(config), w(epoch_pda(1)), r(SYSTEM_PROGRAM_ID)];
    assert_eq!(l.exec(&m1, &submit_args(1, &[1; 32], 6, 1)), code(Error::ArithmeticOverflow));
}

/// The PDA search computed from sha256 + the curve test: the highest bump whose hash is off the
/// curve, the runtime's hash for that bump, `InvalidPda` when every bump is on the curve. The
/// real curve is exercised on litesvm (tests/programs), where random keys hit bumps below 255.
#[test]
fn find_program_address_returns_the_highest_bump_off_the_curve() {
    use crate::syscalls::find_program_address_with;
    let seeds: [&[u8]; 2] = [EPOCH_SEED, &7u64.to_le_bytes()];
    let with = |b: u8| {
        let bump = [b];
        let mut out = [0u8; 32];
        assert_eq!(host::create_program_address(&[seeds[0], seeds[1], &bump], &PROGRAM, &mut out), 0);
        out
    };
    let (h255, h254, h253) = (with(255), with(254), with(253));
    let (mut out, mut bump) = ([0u8; 32], 0u8);
    // Pretend 255 and 254 land on the curve.
    let fake_curve = |p: &Pubkey| *p == h255 || *p == h254;
    assert_eq!(find_program_address_with(&seeds, &PROGRAM, &mut out, &mut bump, fake_curve), Ok(()));
    assert_eq!((out, bump), (h253, 253));
    assert_eq!(find_program_address_with(&seeds, &PROGRAM, &mut out, &mut bump, |_| false), Ok(()));
    assert_eq!((out, bump), (h255, 255));
    assert_eq!(find_program_address_with(&seeds, &PROGRAM, &mut out, &mut bump, |_| true), Err(Error::InvalidPda));
    // The ATA's three keys fit; a seed over 32 bytes or a fourth key does not.
    let ata_seeds: [&[u8]; 3] = [&[1; 32], &TOKEN_PROGRAM_ID, &[2; 32]];
    assert_eq!(find_program_address_with(&ata_seeds, &ASSOCIATED_TOKEN_PROGRAM_ID, &mut out, &mut bump, |_| false), Ok(()));
    assert_eq!(out, pda(&ata_seeds, &ASSOCIATED_TOKEN_PROGRAM_ID));
    let long: [&[u8]; 1] = [&[7; 33]];
    assert_eq!(find_program_address_with(&long, &PROGRAM, &mut out, &mut bump, |_| false), Err(Error::InvalidPda));
    let four: [&[u8]; 4] = [&[1; 32], &[2; 32], &[3; 32], b"x"];
    assert_eq!(find_program_address_with(&four, &PROGRAM, &mut out, &mut bump, |_| false), Err(Error::InvalidPda));
}
