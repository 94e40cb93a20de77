//! `coverage_rewards`: Hexcover's on-chain program (DESIGN.md §7).
//!
//! Zero crate dependencies and `no_std` on BPF, Anchor-compatible on the wire: instructions are
//! dispatched by `sha256("global:<name>")[..8]`, accounts start with `sha256("account:<Name>")[..8]`
//! and a version byte, arguments and accounts are Borsh, errors are numbered from 6000 and
//! logged in Anchor's format, and events are `sol_log_data` of `sha256("event:<Name>")[..8] ‖ borsh`.
//! `idl/coverage_rewards.json` describes all of it for `@coral-xyz/anchor`'s `Program`.
//!
//! Layout: [`entrypoint`] parses the loader's input buffer, [`process_instruction`] dispatches to
//! one module per instruction under [`instructions`], account layouts live in [`state`].
//! See docs/PROGRAM.md for the full reference.

#![cfg_attr(any(target_arch = "bpf", target_os = "solana"), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]

pub mod cpi;
pub mod entrypoint;
pub mod error;
pub mod events;
pub mod h3;
pub mod instructions;
pub mod keys;
pub mod math;
pub mod merkle;
#[cfg(not(any(target_arch = "bpf", target_os = "solana")))]
pub mod sha256_soft;
pub mod state;
pub mod syscalls;
pub mod token;

#[cfg(test)]
mod tests;

use entrypoint::{deserialize, AccountInfo, Input, MAX_ACCOUNTS};
use error::{Error, ProgramResult};

/// A 32-byte public key.
pub type Pubkey = [u8; 32];

const INITIALIZE: u64 = u64::from_le_bytes(instructions::INITIALIZE);
const SET_VALIDATORS: u64 = u64::from_le_bytes(instructions::SET_VALIDATORS);
const REGISTER_HOTSPOT: u64 = u64::from_le_bytes(instructions::REGISTER_HOTSPOT);
const UPDATE_LOCATION: u64 = u64::from_le_bytes(instructions::UPDATE_LOCATION);
const SUBMIT_EPOCH: u64 = u64::from_le_bytes(instructions::SUBMIT_EPOCH);
const CLAIM: u64 = u64::from_le_bytes(instructions::CLAIM);

/// Dispatches on the 8-byte instruction discriminator.
pub fn process_instruction(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    if data.len() < 8 {
        return Err(Error::InvalidInstructionData);
    }
    let mut d = [0u8; 8];
    d.copy_from_slice(&data[..8]);
    let args = &data[8..];
    match u64::from_le_bytes(d) {
        INITIALIZE => instructions::initialize::process(program_id, accounts, args),
        SET_VALIDATORS => instructions::set_validators::process(program_id, accounts, args),
        REGISTER_HOTSPOT => instructions::register_hotspot::process(program_id, accounts, args),
        UPDATE_LOCATION => instructions::update_location::process(program_id, accounts, args),
        SUBMIT_EPOCH => instructions::submit_epoch::process(program_id, accounts, args),
        CLAIM => instructions::claim::process(program_id, accounts, args),
        _ => Err(Error::InvalidInstructionData),
    }
}

/// The program's entrypoint, called by the BPF loader with the serialized input.
/// Returns 0 on success or the custom error code (6000 + n), which the runtime reports as
/// `Custom(code)`.
///
/// # Safety
/// `input` must be the loader's aligned input serialization (see [`entrypoint`]).
#[no_mangle]
pub unsafe extern "C" fn entrypoint(input: *mut u8) -> u64 {
    // SAFETY: a null record pointer is only a placeholder; accounts beyond `account_count` are
    // never read.
    let placeholder = unsafe { AccountInfo::from_raw(core::ptr::null_mut()) };
    let mut parsed =
        Input { accounts: [placeholder; MAX_ACCOUNTS], account_count: 0, data: core::ptr::null(), data_len: 0, program_id: core::ptr::null() };
    // SAFETY: forwarded from our caller's contract.
    unsafe { deserialize(input, &mut parsed) };
    let accounts = &parsed.accounts[..parsed.account_count];
    // SAFETY: deserialize pointed these into the input buffer with their serialized lengths.
    let (data, program_id) = unsafe { (core::slice::from_raw_parts(parsed.data, parsed.data_len), &*parsed.program_id) };
    #[cfg(not(any(target_arch = "bpf", target_os = "solana")))]
    syscalls::host::set_program_id(program_id);
    match process_instruction(program_id, accounts, data) {
        Ok(()) => 0,
        Err(e) => {
            log_error(e);
            e.code() as u64
        }
    }
}

/// Logs `AnchorError occurred. Error Code: <Name>. Error Number: <n>. Error Message: <msg>.`,
/// the line `@coral-xyz/anchor`'s `AnchorError.parse` recognises. Built by hand: core::fmt
/// would add kilobytes of code.
fn log_error(e: Error) {
    let mut buf = [0u8; 256];
    let mut len = 0usize;
    let parts: [&[u8]; 3] = [b"AnchorError occurred. Error Code: ", e.name().as_bytes(), b". Error Number: "];
    for p in parts.iter() {
        if syscalls::copy(&mut buf[len..], p).is_err() {
            return;
        }
        len += p.len();
    }
    let mut digits = [0u8; 10];
    let mut n = e.code();
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let tail: [&[u8]; 4] = [&digits[i..], b". Error Message: ", e.message().as_bytes(), b"."];
    for p in tail.iter() {
        if syscalls::copy(&mut buf[len..], p).is_err() {
            return;
        }
        len += p.len();
    }
    syscalls::log_bytes(&buf[..len]);
}

#[cfg(any(target_arch = "bpf", target_os = "solana"))]
extern "C" {
    fn sol_panic_(file: *const u8, len: u64, line: u64, column: u64) -> !;
}

/// Panics (only reachable through a failed bounds check, i.e. a bug) end the program with
/// the runtime's `ProgramFailedToComplete` and the source location in the log.
#[cfg(all(any(target_arch = "bpf", target_os = "solana"), not(test)))]
#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    let (file, line, column) = match info.location() {
        Some(l) => (l.file(), l.line(), l.column()),
        None => ("?", 0, 0),
    };
    // SAFETY: sol_panic_ reads `len` bytes of the file name and never returns.
    unsafe { sol_panic_(file.as_ptr(), file.len() as u64, line as u64, column as u64) }
}
