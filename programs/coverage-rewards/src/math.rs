//! Checked u64 arithmetic the BPF backend can compile. `u64::checked_mul` lowers to
//! `llvm.umul.with.overflow.i64`, which becomes a `__multi3` libcall that upstream LLVM's BPF
//! backend refuses; [`mul`] uses a wrapping multiply and one unsigned division instead.

use crate::error::Error;

/// `a * b`, or `ArithmeticOverflow`.
///
/// Schoolbook multiplication on 32-bit halves. The obvious `p / a != b` overflow test is not
/// usable: LLVM recognises it and turns it back into `umul.with.overflow` (→ `__multi3`).
#[inline(always)]
pub fn mul(a: u64, b: u64) -> Result<u64, Error> {
    const LOW: u64 = 0xffff_ffff;
    let (ah, al, bh, bl) = (a >> 32, a & LOW, b >> 32, b & LOW);
    if ah != 0 && bh != 0 {
        return Err(Error::ArithmeticOverflow);
    }
    // At most one of ah, bh is non-zero, so `cross` is one product of two 32-bit values.
    let cross = ah * bl + al * bh;
    if cross >> 32 != 0 {
        return Err(Error::ArithmeticOverflow);
    }
    (al * bl).checked_add(cross << 32).ok_or(Error::ArithmeticOverflow)
}

/// `a + b`, or `ArithmeticOverflow`.
#[inline(always)]
pub fn add(a: u64, b: u64) -> Result<u64, Error> {
    a.checked_add(b).ok_or(Error::ArithmeticOverflow)
}

/// `a - b`, or `ArithmeticOverflow`.
#[inline(always)]
pub fn sub(a: u64, b: u64) -> Result<u64, Error> {
    a.checked_sub(b).ok_or(Error::ArithmeticOverflow)
}

/// Bytes the runtime charges rent for on top of the data (`ACCOUNT_STORAGE_OVERHEAD`).
pub const ACCOUNT_STORAGE_OVERHEAD: u64 = 128;

/// Width of an f64's fraction field.
const F64_FRACTION_BITS: u32 = 52;
/// f64 exponent bias (1023) plus the fraction width: value = mantissa * 2^(exp - 1075).
const F64_EXPONENT_OFFSET: i64 = 1075;

/// Rent-exempt minimum balance for `space` data bytes, like the SDK's
/// `Rent::minimum_balance`: `((128 + space) * lamports_per_byte_year) as f64 * threshold` truncated.
///
/// The threshold is an f64 and BPF has no floating point, so it is decoded from its bits into
/// `mantissa * 2^exp` with the mantissa's trailing zeros stripped (2.0 = 1·2¹, 1.0 = 1·2⁰,
/// 1.5 = 3·2⁻¹); the product is then exact integer math. Thresholds whose product overflows
/// u64 fail with `ArithmeticOverflow`; negative, NaN or infinite ones with `UnsupportedRent`.
pub fn rent_exempt_minimum(lamports_per_byte_year: u64, threshold_bits: u64, space: u64, out: &mut u64) -> Result<(), Error> {
    let base = mul(add(ACCOUNT_STORAGE_OVERHEAD, space)?, lamports_per_byte_year)?;
    let sign = threshold_bits >> 63;
    let exp_field = ((threshold_bits >> F64_FRACTION_BITS) & 0x7ff) as i64;
    let fraction = threshold_bits & ((1u64 << F64_FRACTION_BITS) - 1);
    if sign != 0 || exp_field == 0x7ff {
        return Err(Error::UnsupportedRent);
    }
    if exp_field == 0 {
        // Zero (or a subnormal, which truncates to zero for any u64 base).
        *out = 0;
        return Ok(());
    }
    let mut mantissa = fraction | (1u64 << F64_FRACTION_BITS);
    let mut exp = exp_field - F64_EXPONENT_OFFSET;
    // Strip the trailing zeros in six halving steps (32, 16, ..., 1): the mantissa is non-zero
    // and has at most 52 of them. A bit-at-a-time loop cost ≈ 900 CU for the usual threshold
    // 2.0 (52 zeros), and `trailing_zeros` has no BPF instruction either.
    let mut step = 32u32;
    while step > 0 {
        if mantissa & ((1u64 << step) - 1) == 0 {
            mantissa >>= step;
            exp += step as i64;
        }
        step >>= 1;
    }
    let product = mul(base, mantissa)?;
    *out = if exp >= 0 {
        // `product << exp` keeps every bit iff product ≤ u64::MAX >> exp.
        if exp >= 64 || product > (u64::MAX >> exp) {
            return Err(Error::ArithmeticOverflow);
        }
        product << exp
    } else if exp <= -64 {
        0
    } else {
        product >> ((0 - exp) as u32)
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mul_matches_u128_reference_and_reports_overflow() {
        let samples = [0u64, 1, 2, 3, 255, 1 << 31, (1 << 32) - 1, 1 << 32, 1 << 33, u64::MAX / 3, u64::MAX - 1, u64::MAX];
        for &a in &samples {
            for &b in &samples {
                let wide = a as u128 * b as u128;
                match mul(a, b) {
                    Ok(p) => assert_eq!(p as u128, wide, "{} * {}", a, b),
                    Err(e) => {
                        assert_eq!(e, Error::ArithmeticOverflow);
                        assert!(wide > u64::MAX as u128, "{} * {} wrongly overflowed", a, b);
                    }
                }
            }
        }
    }

    #[test]
    fn add_and_sub_report_overflow() {
        assert_eq!(add(u64::MAX, 1), Err(Error::ArithmeticOverflow));
        assert_eq!(add(u64::MAX - 1, 1), Ok(u64::MAX));
        assert_eq!(sub(0, 1), Err(Error::ArithmeticOverflow));
        assert_eq!(sub(5, 5), Ok(0));
    }

    fn rent(lpby: u64, threshold: f64, space: u64) -> Result<u64, Error> {
        let mut out = 0;
        rent_exempt_minimum(lpby, threshold.to_bits(), space, &mut out).map(|_| out)
    }

    #[test]
    fn rent_matches_the_sdk_formula() {
        // The SDK: (((128 + space) * lpby) as f64 * threshold) as u64.
        for &(lpby, thr) in &[(3480u64, 2.0f64), (6960, 1.0), (3480, 1.5), (1000, 0.5), (3, 0.75), (3480, 2.25)] {
            for &space in &[0u64, 1, 96, 673, 864, 10_240] {
                let expect = (((128 + space) * lpby) as f64 * thr) as u64;
                assert_eq!(rent(lpby, thr, space), Ok(expect), "lpby {} thr {} space {}", lpby, thr, space);
            }
        }
        // Known value: a 0-byte account costs 890,880 lamports on mainnet.
        assert_eq!(rent(3480, 2.0, 0), Ok(890_880));
    }

    #[test]
    fn rent_rejects_unrepresentable_thresholds() {
        assert_eq!(rent(3480, -1.0, 0), Err(Error::UnsupportedRent));
        assert_eq!(rent(3480, f64::NAN, 0), Err(Error::UnsupportedRent));
        assert_eq!(rent(3480, f64::INFINITY, 0), Err(Error::UnsupportedRent));
        assert_eq!(rent(3480, 0.0, 0), Ok(0));
        assert_eq!(rent(u64::MAX, 2.0, 0), Err(Error::ArithmeticOverflow));
        assert_eq!(rent(1 << 40, 1e6, 0), Err(Error::ArithmeticOverflow));
    }
}
