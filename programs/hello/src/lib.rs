//! `hello`: the test program of the Hexcover SBF build pipeline.
//!
//! It is deliberately tiny but touches every part of the pipeline that can go wrong:
//! * syscalls by name (`sol_log_`, `sol_log_64_`, `sol_log_pubkey`, `sol_sha256`,
//!   `sol_try_find_program_address`, `sol_invoke_signed_c`, `sol_set_return_data`, `sol_panic_`),
//! * read-only data reached through `lddw` (the hex table, log strings),
//! * a table of function pointers in `.data.rel.ro` (absolute relocations, `callx`),
//! * a large by-value return (a `memcpy` the pipeline turns into `sol_memcpy_`),
//! * a bounds-check panic whose `Location` lives in read-only data,
//! * a PDA-signed SPL Token `MintTo` CPI.
//!
//! Instruction data: one mode byte, then the mode's payload.
//! * 0: log a greeting.
//! * 1: sha256 of the payload, logged as hex and set as return data.
//! * 2: find the mint-authority PDA (`["mint_auth"]`), log it and its bump.
//! * 3: mint `u64 LE` tokens. Accounts: 0. [writable] mint, 1. [writable] token account,
//!   2. [] mint authority PDA, 3. [] SPL Token program.
//! * 4: log the payload byte at the index given by the first payload byte (panics when out of range).
//! * 5: signed/unsigned checked multiply and signed division of two `i64 LE` (the IR rewrites and
//!   the rt.rs helpers of the pipeline), logged with `sol_log_64_`.
#![no_std]

use core::panic::PanicInfo;

/// Accounts this program accepts in one instruction; enough for mode 3.
const MAX_ACCOUNTS: usize = 8;
/// Room the runtime leaves after each account's data for in-place reallocation
/// (`MAX_PERMITTED_DATA_INCREASE` in the Solana runtime).
const MAX_PERMITTED_DATA_INCREASE: usize = 10 * 1024;
/// Dup marker of an account serialized in full (any other value is the index of a duplicate).
const NON_DUP_MARKER: u8 = 0xff;
/// Builtin program errors are `code << 32` (solana-program `ProgramError` to u64).
const INVALID_INSTRUCTION_DATA: u64 = 3 << 32;
const NOT_ENOUGH_ACCOUNT_KEYS: u64 = 11 << 32;
/// Custom errors of this program.
const ERR_TOO_MANY_ACCOUNTS: u64 = 1;
const ERR_WRONG_AUTHORITY: u64 = 2;
const ERR_NO_PDA: u64 = 3;
/// SPL Token instruction index of `MintTo`.
const SPL_TOKEN_MINT_TO: u8 = 7;
/// Seed of the mint-authority PDA.
const MINT_AUTH_SEED: &[u8] = b"mint_auth";
const HEX: &[u8; 16] = b"0123456789abcdef";

#[repr(C)]
struct SolBytes {
    addr: *const u8,
    len: u64,
}

#[repr(C)]
struct SolAccountMeta {
    pubkey: *const u8,
    is_writable: bool,
    is_signer: bool,
}

#[repr(C)]
struct SolInstruction {
    program_id: *const u8,
    accounts: *const SolAccountMeta,
    account_len: u64,
    data: *const u8,
    data_len: u64,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct SolAccountInfo {
    key: *const u8,
    lamports: *mut u64,
    data_len: u64,
    data: *mut u8,
    owner: *const u8,
    rent_epoch: u64,
    is_signer: bool,
    is_writable: bool,
    executable: bool,
}

#[repr(C)]
struct SolSignerSeeds {
    addr: *const SolBytes,
    len: u64,
}

extern "C" {
    fn sol_log_(message: *const u8, len: u64);
    fn sol_log_64_(a: u64, b: u64, c: u64, d: u64, e: u64);
    fn sol_log_pubkey(key: *const u8);
    fn sol_sha256(values: *const SolBytes, count: u64, out: *mut u8) -> u64;
    fn sol_try_find_program_address(
        seeds: *const SolBytes,
        count: u64,
        program_id: *const u8,
        out: *mut u8,
        bump: *mut u8,
    ) -> u64;
    fn sol_invoke_signed_c(
        instruction: *const SolInstruction,
        infos: *const SolAccountInfo,
        info_count: u64,
        signers: *const SolSignerSeeds,
        signer_count: u64,
    ) -> u64;
    fn sol_set_return_data(data: *const u8, len: u64);
    fn sol_panic_(file: *const u8, len: u64, line: u64, column: u64) -> !;
}

const EMPTY_ACCOUNT: SolAccountInfo = SolAccountInfo {
    key: core::ptr::null(),
    lamports: core::ptr::null_mut(),
    data_len: 0,
    data: core::ptr::null_mut(),
    owner: core::ptr::null(),
    rent_epoch: 0,
    is_signer: false,
    is_writable: false,
    executable: false,
};

struct Input {
    accounts: [SolAccountInfo; MAX_ACCOUNTS],
    count: usize,
    data: &'static [u8],
    program_id: *const u8,
}

fn log(message: &[u8]) {
    // SAFETY: the pointer and length come from a live slice.
    unsafe { sol_log_(message.as_ptr(), message.len() as u64) }
}

/// Parses the runtime's aligned input serialization (BPF loader 2 / upgradeable).
///
/// SAFETY: `input` must be the buffer the runtime passes to `entrypoint`.
unsafe fn deserialize(input: *mut u8) -> Result<Input, u64> {
    let count = *(input as *const u64) as usize;
    if count > MAX_ACCOUNTS {
        return Err(ERR_TOO_MANY_ACCOUNTS);
    }
    let mut accounts = [EMPTY_ACCOUNT; MAX_ACCOUNTS];
    let mut p = input.add(8);
    let mut i = 0;
    while i < count {
        let marker = *p;
        if marker != NON_DUP_MARKER {
            accounts[i] = accounts[marker as usize];
            p = p.add(8);
        } else {
            let data_len = *(p.add(80) as *const u64);
            let data_end = 88 + data_len as usize + MAX_PERMITTED_DATA_INCREASE;
            let rent_epoch_at = (data_end + 7) & !7;
            accounts[i] = SolAccountInfo {
                key: p.add(8),
                lamports: p.add(72) as *mut u64,
                data_len,
                data: p.add(88),
                owner: p.add(40),
                rent_epoch: *(p.add(rent_epoch_at) as *const u64),
                is_signer: *p.add(1) != 0,
                is_writable: *p.add(2) != 0,
                executable: *p.add(3) != 0,
            };
            p = p.add(rent_epoch_at + 8);
        }
        i += 1;
    }
    let data_len = *(p as *const u64) as usize;
    let data = core::slice::from_raw_parts(p.add(8), data_len);
    Ok(Input { accounts, count, data, program_id: p.add(8 + data_len) })
}

type Step = fn(&Input) -> u64;

/// Dispatch through a table of function pointers on purpose: it is the `callx` and
/// absolute-relocation test of the linker.
static STEPS: [Step; 6] = [step_log, step_sha256, step_find_pda, step_mint_to, step_index, step_math];

fn step_log(_input: &Input) -> u64 {
    log(b"hello from hexcover");
    0
}

fn step_sha256(input: &Input) -> u64 {
    let payload = &input.data[1..];
    let values = [SolBytes { addr: payload.as_ptr(), len: payload.len() as u64 }];
    let mut hash = [0u8; 32];
    // SAFETY: one SolBytes over a live slice; `hash` has the 32 bytes sol_sha256 writes.
    unsafe {
        sol_sha256(values.as_ptr(), 1, hash.as_mut_ptr());
        sol_set_return_data(hash.as_ptr(), 32);
    }
    let mut line = *b"sha256 0000000000000000000000000000000000000000000000000000000000000000";
    for (i, byte) in hash.iter().enumerate() {
        line[7 + 2 * i] = HEX[(byte >> 4) as usize];
        line[8 + 2 * i] = HEX[(byte & 15) as usize];
    }
    log(&line);
    0
}

fn find_mint_authority(program_id: *const u8) -> Option<([u8; 32], u8)> {
    let seeds = [SolBytes { addr: MINT_AUTH_SEED.as_ptr(), len: MINT_AUTH_SEED.len() as u64 }];
    let mut key = [0u8; 32];
    let mut bump = 0u8;
    // SAFETY: seeds are live; `key` has 32 bytes and `bump` one, as the syscall writes.
    let status = unsafe {
        sol_try_find_program_address(seeds.as_ptr(), 1, program_id, key.as_mut_ptr(), &mut bump)
    };
    if status == 0 {
        Some((key, bump))
    } else {
        None
    }
}

fn step_find_pda(input: &Input) -> u64 {
    match find_mint_authority(input.program_id) {
        Some((key, bump)) => {
            // SAFETY: `key` is 32 bytes.
            unsafe {
                sol_log_pubkey(key.as_ptr());
                sol_log_64_(bump as u64, 0, 0, 0, 0);
            }
            0
        }
        None => ERR_NO_PDA,
    }
}

fn step_mint_to(input: &Input) -> u64 {
    if input.count < 4 {
        return NOT_ENOUGH_ACCOUNT_KEYS;
    }
    let amount: [u8; 8] = match input.data.get(1..9) {
        Some(bytes) => match bytes.try_into() {
            Ok(array) => array,
            Err(_) => return INVALID_INSTRUCTION_DATA,
        },
        None => return INVALID_INSTRUCTION_DATA,
    };
    let (authority, bump) = match find_mint_authority(input.program_id) {
        Some(found) => found,
        None => return ERR_NO_PDA,
    };
    let accounts = &input.accounts;
    // SAFETY: account keys point at 32 bytes inside the input buffer.
    if unsafe { *(accounts[2].key as *const [u8; 32]) } != authority {
        return ERR_WRONG_AUTHORITY;
    }
    let mut data = [0u8; 9];
    data[0] = SPL_TOKEN_MINT_TO;
    data[1..].copy_from_slice(&amount);
    let metas = [
        SolAccountMeta { pubkey: accounts[0].key, is_writable: true, is_signer: false },
        SolAccountMeta { pubkey: accounts[1].key, is_writable: true, is_signer: false },
        SolAccountMeta { pubkey: accounts[2].key, is_writable: false, is_signer: true },
    ];
    let instruction = SolInstruction {
        program_id: accounts[3].key,
        accounts: metas.as_ptr(),
        account_len: metas.len() as u64,
        data: data.as_ptr(),
        data_len: data.len() as u64,
    };
    let bump_seed = [bump];
    let seeds = [
        SolBytes { addr: MINT_AUTH_SEED.as_ptr(), len: MINT_AUTH_SEED.len() as u64 },
        SolBytes { addr: bump_seed.as_ptr(), len: 1 },
    ];
    let signer = SolSignerSeeds { addr: seeds.as_ptr(), len: seeds.len() as u64 };
    // SAFETY: every pointer refers to a live local or into the input buffer.
    unsafe { sol_invoke_signed_c(&instruction, accounts.as_ptr(), input.count as u64, &signer, 1) }
}

fn step_index(input: &Input) -> u64 {
    let payload = &input.data[1..];
    let index = payload[0] as usize;
    // Out of range on purpose when asked: the bounds-check panic path is part of the test.
    let value = payload[index];
    // SAFETY: plain syscall with integer arguments.
    unsafe { sol_log_64_(index as u64, value as u64, 0, 0, 0) };
    0
}

fn read_i64(data: &[u8], at: usize) -> Option<i64> {
    let bytes: [u8; 8] = data.get(at..at + 8)?.try_into().ok()?;
    Some(i64::from_le_bytes(bytes))
}

fn step_math(input: &Input) -> u64 {
    let (a, b) = match (read_i64(input.data, 1), read_i64(input.data, 9)) {
        (Some(a), Some(b)) => (a, b),
        _ => return INVALID_INSTRUCTION_DATA,
    };
    // u64::checked_mul / i64::checked_mul lower to llvm.{u,s}mul.with.overflow.i64 (a libcall for
    // the BPF backend); the pipeline rewrites them to mul + __sbf_{u,s}mulo64.
    let unsigned = (a as u64).checked_mul(b as u64);
    let signed = a.checked_mul(b);
    // sdiv/srem: SBPFv0 has no signed division; rewritten to __sbf_sdiv64/__sbf_srem64.
    let (quotient, remainder) = if b == 0 { (0, 0) } else { (a.wrapping_div(b), a.wrapping_rem(b)) };
    let (a32, b32) = (a as i32, b as i32);
    let quotient32 = if b32 == 0 { 0 } else { a32.wrapping_div(b32) };
    // SAFETY: plain syscalls with integer arguments.
    unsafe {
        sol_log_64_(unsigned.is_some() as u64, unsigned.unwrap_or(0), signed.is_some() as u64, signed.unwrap_or(0) as u64, 0);
        sol_log_64_(quotient as u64, remainder as u64, quotient32 as i64 as u64, 0, 0);
    }
    0
}

/// Program entrypoint (the symbol the linker puts in `e_entry`).
///
/// # Safety
/// Called by the runtime with its serialized input buffer.
#[no_mangle]
pub unsafe extern "C" fn entrypoint(input: *mut u8) -> u64 {
    let input = match deserialize(input) {
        Ok(input) => input,
        Err(code) => return code,
    };
    let mode = match input.data.first() {
        Some(mode) => *mode as usize,
        None => return INVALID_INSTRUCTION_DATA,
    };
    match STEPS.get(mode) {
        Some(step) => step(&input),
        None => INVALID_INSTRUCTION_DATA,
    }
}

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    let (file, line, column) = match info.location() {
        Some(location) => (location.file(), location.line(), location.column()),
        None => ("", 0, 0),
    };
    // SAFETY: `file` is a live &str; sol_panic_ does not return.
    unsafe { sol_panic_(file.as_ptr(), file.len() as u64, line as u64, column as u64) }
}
