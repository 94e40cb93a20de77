//! The runtime services the program uses, with one API on every target.
//!
//! On BPF (`target_arch = "bpf"`: Debian rustc's `bpfel-unknown-none`; `target_os = "solana"`: the
//! official `cargo build-sbf`) these are the Solana syscalls, resolved by the loader through the
//! murmur3 hash of their names. On the host they are small emulations (see [`host`]) so the pure
//! logic and the processors can be unit-tested with `cargo test`.
//!
//! BPF constraints honoured here: no function takes more than 5 argument registers (a slice
//! counts as 2) and none returns more than 64 bits.

use crate::error::{Error, ProgramResult};
use crate::Pubkey;

/// `SolSignerSeed` / `SolBytes`: a pointer and a length, the C layout of a Rust `&[u8]`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct SolBytes {
    pub addr: *const u8,
    pub len: u64,
}

/// `SolSignerSeeds`: the seeds of one PDA signer.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct SolSignerSeeds {
    pub addr: *const SolBytes,
    pub len: u64,
}

/// `SolAccountMeta`. Note the order: writable before signer.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct SolAccountMeta {
    pub pubkey: *const Pubkey,
    pub is_writable: bool,
    pub is_signer: bool,
}

/// `SolInstruction`.
#[repr(C)]
pub struct SolInstruction {
    pub program_id: *const Pubkey,
    pub accounts: *const SolAccountMeta,
    pub account_len: u64,
    pub data: *const u8,
    pub data_len: u64,
}

/// `SolAccountInfo`; every pointer points into the program's input buffer.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct SolAccountInfo {
    pub key: *const Pubkey,
    pub lamports: *mut u64,
    pub data_len: u64,
    pub data: *mut u8,
    pub owner: *const Pubkey,
    pub rent_epoch: u64,
    pub is_signer: bool,
    pub is_writable: bool,
    pub executable: bool,
}

/// The Rent sysvar. `exemption_threshold` is an f64 in the runtime; it is read as its raw bits
/// because the BPF backend has no floating point (see `math::rent_exempt_minimum`).
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct Rent {
    pub lamports_per_byte_year: u64,
    pub exemption_threshold_bits: u64,
    pub burn_percent: u8,
}

/// The Clock sysvar (40 bytes).
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct Clock {
    pub slot: u64,
    pub epoch_start_timestamp: i64,
    pub epoch: u64,
    pub leader_schedule_epoch: u64,
    pub unix_timestamp: i64,
}

#[cfg(any(target_arch = "bpf", target_os = "solana"))]
mod sys {
    use super::*;
    extern "C" {
        pub fn sol_log_(message: *const u8, len: u64);
        pub fn sol_log_data(data: *const SolBytes, data_len: u64);
        pub fn sol_sha256(vals: *const SolBytes, val_len: u64, hash_result: *mut u8) -> u64;
        pub fn sol_create_program_address(
            seeds: *const SolBytes,
            seeds_len: u64,
            program_id: *const Pubkey,
            address: *mut Pubkey,
        ) -> u64;
        pub fn sol_invoke_signed_c(
            instruction: *const SolInstruction,
            account_infos: *const SolAccountInfo,
            account_infos_len: u64,
            signers_seeds: *const SolSignerSeeds,
            signers_seeds_len: u64,
        ) -> u64;
        pub fn sol_get_clock_sysvar(addr: *mut Clock) -> u64;
        pub fn sol_get_rent_sysvar(addr: *mut Rent) -> u64;
        pub fn sol_memcpy_(dst: *mut u8, src: *const u8, n: u64);
        pub fn sol_curve_validate_point(curve_id: u64, point: *const u8, result: *mut u8) -> u64;
    }
}

/// Logs a message ("Program log: ...").
#[inline]
pub fn log(message: &str) {
    log_bytes(message.as_bytes());
}

/// Logs UTF-8 bytes without validating them (the runtime replaces invalid sequences).
#[inline]
pub fn log_bytes(message: &[u8]) {
    #[cfg(any(target_arch = "bpf", target_os = "solana"))]
    // SAFETY: the pointer and length come from a valid slice.
    unsafe {
        sys::sol_log_(message.as_ptr(), message.len() as u64)
    };
    #[cfg(not(any(target_arch = "bpf", target_os = "solana")))]
    host::log(&String::from_utf8_lossy(message));
}

/// Logs one field of binary data ("Program data: <base64>"), the channel Anchor events use.
/// The event must be a single slice: the runtime base64-encodes each slice separately.
#[inline]
pub fn log_data(data: &[u8]) {
    let bytes = SolBytes { addr: data.as_ptr(), len: data.len() as u64 };
    #[cfg(any(target_arch = "bpf", target_os = "solana"))]
    // SAFETY: one valid SolBytes describing `data`.
    unsafe {
        sys::sol_log_data(&bytes, 1)
    };
    #[cfg(not(any(target_arch = "bpf", target_os = "solana")))]
    {
        let _ = bytes;
        host::log_data(data);
    }
}

/// SHA-256 of the concatenation of `parts`, written to `out`.
#[inline]
pub fn hashv(parts: &[&[u8]], out: &mut [u8; 32]) {
    #[cfg(any(target_arch = "bpf", target_os = "solana"))]
    // SAFETY: `&[u8]` has the (pointer, length) layout of SolBytes on BPF; the Solana SDK relies on
    // the same fact. `out` is 32 writable bytes. sol_sha256 only fails on bad memory.
    unsafe {
        sys::sol_sha256(parts.as_ptr() as *const SolBytes, parts.len() as u64, out.as_mut_ptr());
    }
    #[cfg(not(any(target_arch = "bpf", target_os = "solana")))]
    {
        *out = crate::sha256_soft::hashv(parts);
    }
}

/// `create_program_address`: `out` = PDA of `seeds` (the bump is the last seed) under
/// `program_id`. Fails if the result is on the ed25519 curve.
#[inline]
pub fn create_program_address(seeds: &[&[u8]], program_id: &Pubkey, out: &mut Pubkey) -> ProgramResult {
    #[cfg(any(target_arch = "bpf", target_os = "solana"))]
    // SAFETY: seeds have SolBytes layout; program_id and out are 32-byte buffers.
    let rc = unsafe {
        sys::sol_create_program_address(seeds.as_ptr() as *const SolBytes, seeds.len() as u64, program_id, out)
    };
    #[cfg(not(any(target_arch = "bpf", target_os = "solana")))]
    let rc = host::create_program_address(seeds, program_id, out);
    if rc == 0 {
        Ok(())
    } else {
        Err(Error::InvalidPda)
    }
}

/// Appended by the runtime to the seeds of every PDA hash (`PDA_MARKER` in solana-pubkey).
pub const PDA_MARKER: &[u8] = b"ProgramDerivedAddress";
/// Most seed bytes (without the bump) any derivation of this program uses: the associated token
/// account's `[owner, token program, mint]`, three keys.
pub const MAX_PDA_SEED_BYTES: usize = 3 * 32;
/// The runtime's limit on one seed (`MAX_SEED_LEN`).
pub const MAX_SEED_LEN: usize = 32;
/// `curve_id` of Edwards25519 for `sol_curve_validate_point` (`CURVE25519_EDWARDS` in the
/// runtime's curve25519 syscalls).
#[cfg(any(target_arch = "bpf", target_os = "solana"))]
const CURVE25519_EDWARDS: u64 = 0;

/// True if `point` is a valid compressed Edwards25519 point, i.e. could be an ed25519 public
/// key. A PDA is a seed hash that is *not* on the curve, so nobody holds a private key for it.
///
/// On chain this is `sol_curve_validate_point` (159 CU), the same decompression test as the
/// runtime's `is_on_curve`; it needs the runtime's curve25519 syscalls (feature
/// `curve25519_syscall_enabled`, on in litesvm). The host has no ed25519, so there every hash counts as off the curve
/// (and every host derivation stops at bump 255); the search itself is tested with
/// [`find_program_address_with`] and a fake curve, and the real one on litesvm.
#[inline(always)]
pub fn is_on_curve(point: &Pubkey) -> bool {
    #[cfg(any(target_arch = "bpf", target_os = "solana"))]
    {
        let mut unused = 0u8;
        // SAFETY: `point` is 32 readable bytes; validation writes nothing.
        unsafe { sys::sol_curve_validate_point(CURVE25519_EDWARDS, point.as_ptr(), &mut unused) == 0 }
    }
    #[cfg(not(any(target_arch = "bpf", target_os = "solana")))]
    {
        let _ = point;
        false
    }
}

/// `find_program_address`: the PDA with the highest bump whose hash is off the curve, exactly
/// as the runtime's `sol_try_find_program_address` computes it.
///
/// Computed here from `sol_sha256` and `sol_curve_validate_point`: ≈ 300 CU per bump tried
/// (303 measured for the epoch seeds) instead of the syscall's flat 1,500 CU per bump. The address is the
/// same function of the seeds, so every PDA check keeps its meaning (docs/PROGRAM.md,
/// "Compute units").
#[inline]
pub fn find_program_address(seeds: &[&[u8]], program_id: &Pubkey, out: &mut Pubkey, bump: &mut u8) -> ProgramResult {
    find_program_address_with(seeds, program_id, out, bump, is_on_curve)
}

/// [`find_program_address`] with the curve test as a parameter (host tests pass a fake one).
///
/// Tries bumps 255 down to 0: `out = sha256(seeds ‖ [bump] ‖ program_id ‖ PDA_MARKER)` until
/// `out` is off the curve; fails with `InvalidPda` if no bump is (as the runtime's search does).
/// The preimage is laid out once in one buffer and only the bump byte changes per try: one
/// slice costs `sol_sha256` 85 + len/2 CU, while separate slices cost at least 10 CU each.
#[inline(always)]
pub fn find_program_address_with<F: Fn(&Pubkey) -> bool>(
    seeds: &[&[u8]],
    program_id: &Pubkey,
    out: &mut Pubkey,
    bump: &mut u8,
    on_curve: F,
) -> ProgramResult {
    let mut preimage = [0u8; MAX_PDA_SEED_BYTES + 1 + 32 + PDA_MARKER.len()];
    let mut len = 0usize;
    for seed in seeds {
        if seed.len() > MAX_SEED_LEN || len + seed.len() > MAX_PDA_SEED_BYTES {
            return Err(Error::InvalidPda);
        }
        copy(&mut preimage[len..], seed)?;
        len += seed.len();
    }
    let bump_at = len;
    let program_id_at = bump_at + 1;
    let marker_at = program_id_at + program_id.len();
    copy(&mut preimage[program_id_at..], program_id)?;
    copy(&mut preimage[marker_at..], PDA_MARKER)?;
    let total = marker_at + PDA_MARKER.len();
    let mut candidate: u32 = 256;
    while candidate > 0 {
        candidate -= 1;
        preimage[bump_at] = candidate as u8;
        hashv(&[&preimage[..total]], out);
        if !on_curve(out) {
            *bump = candidate as u8;
            return Ok(());
        }
    }
    Err(Error::InvalidPda)
}

/// Cross-program invocation. The runtime aborts the whole transaction if the callee fails, so
/// a non-zero return only means the call itself was malformed.
///
/// # Safety
/// Every pointer in `instruction` and `infos` must point into the program's input buffer or to
/// live memory for the duration of the call.
#[inline]
pub unsafe fn invoke_signed(instruction: &SolInstruction, infos: &[SolAccountInfo], signers: &[SolSignerSeeds]) -> ProgramResult {
    #[cfg(any(target_arch = "bpf", target_os = "solana"))]
    // SAFETY: forwarded from the caller's contract.
    let rc = unsafe {
        sys::sol_invoke_signed_c(instruction, infos.as_ptr(), infos.len() as u64, signers.as_ptr(), signers.len() as u64)
    };
    #[cfg(not(any(target_arch = "bpf", target_os = "solana")))]
    // SAFETY: forwarded from the caller's contract.
    let rc = unsafe { host::invoke_signed(instruction, infos, signers) };
    if rc == 0 {
        Ok(())
    } else {
        Err(Error::SyscallFailed)
    }
}

/// Reads the Clock sysvar (no account needed).
#[inline]
pub fn clock(out: &mut Clock) -> ProgramResult {
    #[cfg(any(target_arch = "bpf", target_os = "solana"))]
    // SAFETY: `out` is a writable Clock.
    let rc = unsafe { sys::sol_get_clock_sysvar(out) };
    #[cfg(not(any(target_arch = "bpf", target_os = "solana")))]
    let rc = host::clock(out);
    if rc == 0 {
        Ok(())
    } else {
        Err(Error::SyscallFailed)
    }
}

/// Reads the Rent sysvar (no account needed).
#[inline]
pub fn rent(out: &mut Rent) -> ProgramResult {
    #[cfg(any(target_arch = "bpf", target_os = "solana"))]
    // SAFETY: `out` is a writable Rent.
    let rc = unsafe { sys::sol_get_rent_sysvar(out) };
    #[cfg(not(any(target_arch = "bpf", target_os = "solana")))]
    let rc = host::rent(out);
    if rc == 0 {
        Ok(())
    } else {
        Err(Error::SyscallFailed)
    }
}

/// Copies `src` into the start of `dst` (`src.len() <= dst.len()`, checked). On BPF a
/// variable-length copy must be the `sol_memcpy_` syscall: the backend refuses memcpy libcalls.
#[inline]
pub fn copy(dst: &mut [u8], src: &[u8]) -> ProgramResult {
    if src.len() > dst.len() {
        return Err(Error::InvalidInstructionData);
    }
    #[cfg(any(target_arch = "bpf", target_os = "solana"))]
    // SAFETY: both ranges are valid for src.len() bytes and do not overlap (distinct borrows).
    unsafe {
        sys::sol_memcpy_(dst.as_mut_ptr(), src.as_ptr(), src.len() as u64)
    };
    #[cfg(not(any(target_arch = "bpf", target_os = "solana")))]
    dst[..src.len()].copy_from_slice(src);
    Ok(())
}

/// Host emulation of the runtime: logs, events, sysvars and the two CPIs the program makes
/// (System program account creation and SPL Token `MintTo`). Good enough to exercise the
/// processors on x86_64; the real runtime is exercised through litesvm by the TypeScript tests.
#[cfg(not(any(target_arch = "bpf", target_os = "solana")))]
pub mod host {
    use super::*;
    use crate::keys::{SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID};
    use std::cell::RefCell;

    /// One CPI as seen by the emulated runtime.
    #[derive(Clone, Debug)]
    pub struct CpiRecord {
        pub program_id: Pubkey,
        pub metas: Vec<(Pubkey, bool, bool)>,
        pub data: Vec<u8>,
    }

    #[derive(Default)]
    struct State {
        logs: Vec<String>,
        events: Vec<Vec<u8>>,
        cpis: Vec<CpiRecord>,
        clock: Clock,
        program_id: Pubkey,
    }

    thread_local! {
        static STATE: RefCell<State> = RefCell::new(State::default());
    }

    /// Default Rent: 3,480 lamports per byte-year, threshold 2.0 (the runtime's defaults).
    pub const DEFAULT_LAMPORTS_PER_BYTE_YEAR: u64 = 3480;
    /// IEEE-754 bits of 2.0.
    pub const THRESHOLD_TWO_BITS: u64 = 0x4000_0000_0000_0000;

    pub fn reset() {
        STATE.with(|s| *s.borrow_mut() = State::default());
    }
    pub fn set_unix_timestamp(t: i64) {
        STATE.with(|s| s.borrow_mut().clock.unix_timestamp = t);
    }
    pub fn set_program_id(id: &Pubkey) {
        STATE.with(|s| s.borrow_mut().program_id = *id);
    }
    pub fn take_logs() -> Vec<String> {
        STATE.with(|s| core::mem::take(&mut s.borrow_mut().logs))
    }
    pub fn take_events() -> Vec<Vec<u8>> {
        STATE.with(|s| core::mem::take(&mut s.borrow_mut().events))
    }
    pub fn take_cpis() -> Vec<CpiRecord> {
        STATE.with(|s| core::mem::take(&mut s.borrow_mut().cpis))
    }

    pub(super) fn log(m: &str) {
        STATE.with(|s| s.borrow_mut().logs.push(m.to_string()));
    }
    pub(super) fn log_data(d: &[u8]) {
        STATE.with(|s| s.borrow_mut().events.push(d.to_vec()));
    }
    pub(super) fn clock(out: &mut Clock) -> u64 {
        *out = STATE.with(|s| s.borrow().clock);
        0
    }
    pub(super) fn rent(out: &mut Rent) -> u64 {
        *out = Rent {
            lamports_per_byte_year: DEFAULT_LAMPORTS_PER_BYTE_YEAR,
            exemption_threshold_bits: THRESHOLD_TWO_BITS,
            burn_percent: 50,
        };
        0
    }

    /// The runtime's PDA hash, without the off-curve test (no ed25519 here), so every bump is
    /// accepted (and `find_program_address` returns 255). The real derivation is checked from
    /// TypeScript.
    pub fn create_program_address(seeds: &[&[u8]], program_id: &Pubkey, out: &mut Pubkey) -> u64 {
        let mut parts: Vec<&[u8]> = seeds.to_vec();
        parts.push(program_id);
        parts.push(b"ProgramDerivedAddress");
        *out = crate::sha256_soft::hashv(&parts);
        0
    }
    fn read_u64(d: &[u8], at: usize) -> u64 {
        let mut b = [0u8; 8];
        b.copy_from_slice(&d[at..at + 8]);
        u64::from_le_bytes(b)
    }

    /// Emulates the runtime's CPI: privilege checks (a signer meta must be a signer in the
    /// caller or a PDA of the given seeds), then System CreateAccount/Transfer/Allocate/Assign and
    /// Token MintTo on the caller's serialized accounts.
    ///
    /// # Safety
    /// Pointers in `ix` and `infos` must be valid, as on chain.
    pub(super) unsafe fn invoke_signed(ix: &SolInstruction, infos: &[SolAccountInfo], signers: &[SolSignerSeeds]) -> u64 {
        // SAFETY: guaranteed by the caller.
        let (pid, metas, data) = unsafe {
            (
                *ix.program_id,
                std::slice::from_raw_parts(ix.accounts, ix.account_len as usize),
                std::slice::from_raw_parts(ix.data, ix.data_len as usize).to_vec(),
            )
        };
        let caller = STATE.with(|s| s.borrow().program_id);
        let mut pdas: Vec<Pubkey> = Vec::new();
        for sg in signers {
            // SAFETY: seeds valid per caller contract.
            let seeds: Vec<&[u8]> = unsafe {
                std::slice::from_raw_parts(sg.addr, sg.len as usize)
                    .iter()
                    .map(|b| std::slice::from_raw_parts(b.addr, b.len as usize))
                    .collect()
            };
            let mut k = [0u8; 32];
            create_program_address(&seeds, &caller, &mut k);
            pdas.push(k);
        }
        let find = |key: &Pubkey| -> Option<&SolAccountInfo> {
            // SAFETY: info keys point into the input buffer.
            infos.iter().find(|i| unsafe { *i.key } == *key)
        };
        let mut rec = CpiRecord { program_id: pid, metas: Vec::new(), data: data.clone() };
        for m in metas {
            // SAFETY: meta keys are valid pointers.
            let key = unsafe { *m.pubkey };
            rec.metas.push((key, m.is_writable, m.is_signer));
            let info = match find(&key) {
                Some(i) => i,
                None => return 1,
            };
            if m.is_signer && !info.is_signer && !pdas.contains(&key) {
                return 2; // privilege escalation
            }
            if m.is_writable && !info.is_writable {
                return 3;
            }
        }
        STATE.with(|s| s.borrow_mut().cpis.push(rec));
        // SAFETY: every info points into the caller's serialized input, which has 10 KiB of
        // headroom after each account's data (the runtime's MAX_PERMITTED_DATA_INCREASE).
        unsafe {
            let info_at = |i: usize| find(&*metas[i].pubkey).unwrap();
            let set_len = |info: &SolAccountInfo, len: u64| {
                *(info.data.sub(8) as *mut u64) = len;
                let p = info as *const SolAccountInfo as *mut SolAccountInfo;
                (*p).data_len = len;
            };
            if pid == SYSTEM_PROGRAM_ID {
                let tag = u32::from_le_bytes([data[0], data[1], data[2], data[3]]);
                match tag {
                    0 => {
                        let (from, to) = (info_at(0), info_at(1));
                        if *to.lamports != 0 || *to.owner != SYSTEM_PROGRAM_ID {
                            return 4;
                        }
                        let lamports = read_u64(&data, 4);
                        *from.lamports -= lamports;
                        *to.lamports += lamports;
                        set_len(to, read_u64(&data, 12));
                        let mut owner = [0u8; 32];
                        owner.copy_from_slice(&data[20..52]);
                        *(to.owner as *mut Pubkey) = owner;
                    }
                    1 => {
                        let mut owner = [0u8; 32];
                        owner.copy_from_slice(&data[4..36]);
                        *(info_at(0).owner as *mut Pubkey) = owner;
                    }
                    2 => {
                        let lamports = read_u64(&data, 4);
                        *info_at(0).lamports -= lamports;
                        *info_at(1).lamports += lamports;
                    }
                    8 => set_len(info_at(0), read_u64(&data, 4)),
                    _ => return 5,
                }
            } else if pid == TOKEN_PROGRAM_ID && data.first() == Some(&7) {
                let (mint, dest, auth) = (info_at(0), info_at(1), info_at(2));
                let mint_data = std::slice::from_raw_parts_mut(mint.data, mint.data_len as usize);
                if mint_data[4..36] != (&*auth.key)[..] {
                    return 6;
                }
                let amount = read_u64(&data, 1);
                let supply = read_u64(mint_data, 36) + amount;
                mint_data[36..44].copy_from_slice(&supply.to_le_bytes());
                let dest_data = std::slice::from_raw_parts_mut(dest.data, dest.data_len as usize);
                let bal = read_u64(dest_data, 64) + amount;
                dest_data[64..72].copy_from_slice(&bal.to_le_bytes());
            } else {
                return 7;
            }
        }
        0
    }
}
