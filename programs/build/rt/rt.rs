//! Runtime helpers the Hexcover SBF pipeline links into every program (after `opt -O3`, before
//! `llc`). They stand in for compiler-rt / libc routines that upstream LLVM's BPF backend cannot
//! call (it rejects every libcall), see programs/build/ir-rewrite.ts and docs/BUILD-PROGRAM.md.
//!
//! Compiled with `#![no_builtins]` so that rustc's own LLVM does not turn these bodies back into
//! the very intrinsics they replace.
#![no_std]
#![no_builtins]

extern "C" {
    fn sol_memcmp_(a: *const u8, b: *const u8, n: u64, result: *mut i32);
}

/// `core` calls `memcmp` as an ordinary function (slice comparison); serve it with the syscall.
///
/// # Safety
/// `a` and `b` must be readable for `n` bytes.
#[no_mangle]
pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    let mut result = 0i32;
    sol_memcmp_(a, b, n as u64, &mut result);
    result
}

/// LLVM turns `memcmp(..) == 0` into `bcmp`; only zero / non-zero matters.
///
/// # Safety
/// `a` and `b` must be readable for `n` bytes.
#[no_mangle]
pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    memcmp(a, b, n)
}

const LOW_32: u64 = 0xffff_ffff;

/// Overflow flag of `a * b` in u64, without a 128-bit multiply (BPF has no mul-high, and
/// `llvm.umul.with.overflow.i64` lowers to the `__multi3` libcall). Split into 32-bit halves:
/// if both high halves are set the product overflows; otherwise one cross term is zero and the
/// other must fit in 32 bits before it is shifted up and added to the low product.
#[no_mangle]
#[inline(always)]
pub extern "C" fn __sbf_umulo64(a: u64, b: u64) -> bool {
    let (a_hi, a_lo) = (a >> 32, a & LOW_32);
    let (b_hi, b_lo) = (b >> 32, b & LOW_32);
    if a_hi != 0 && b_hi != 0 {
        return true;
    }
    let cross = a_hi * b_lo + a_lo * b_hi;
    if cross > LOW_32 {
        return true;
    }
    (cross << 32).overflowing_add(a_lo * b_lo).1
}

/// Overflow flag of `a * b` in i64 (for `i64::checked_mul`): multiply the magnitudes unsigned,
/// then compare with the largest magnitude the result's sign allows.
#[no_mangle]
#[inline(always)]
pub extern "C" fn __sbf_smulo64(a: i64, b: i64) -> bool {
    let negative = (a < 0) != (b < 0);
    let (ua, ub) = (a.unsigned_abs(), b.unsigned_abs());
    if __sbf_umulo64(ua, ub) {
        return true;
    }
    let magnitude = ua.wrapping_mul(ub);
    let limit = if negative { 1u64 << 63 } else { (1u64 << 63) - 1 };
    magnitude > limit
}

/// Signed division: SBPFv0 (and LLVM's BPF v1-v3) only divides unsigned. Division by zero and
/// `MIN / -1` never reach here: rustc checks both and panics before dividing.
///
/// Helpers must not call into `core` (no panicking operators): this module is linked after the
/// program was internalized, so a reference to a core function would stay undefined. Hence
/// `checked_div`/`checked_rem` with a dead fallback instead of `/` and `%`.
#[no_mangle]
#[inline(always)]
pub extern "C" fn __sbf_sdiv64(a: i64, b: i64) -> i64 {
    let quotient = match a.unsigned_abs().checked_div(b.unsigned_abs()) {
        Some(q) => q,
        None => 0,
    };
    if (a < 0) != (b < 0) {
        quotient.wrapping_neg() as i64
    } else {
        quotient as i64
    }
}

/// Signed remainder, sign of the dividend (Rust's `%`).
#[no_mangle]
#[inline(always)]
pub extern "C" fn __sbf_srem64(a: i64, b: i64) -> i64 {
    let remainder = match a.unsigned_abs().checked_rem(b.unsigned_abs()) {
        Some(r) => r,
        None => 0,
    };
    if a < 0 {
        remainder.wrapping_neg() as i64
    } else {
        remainder as i64
    }
}
