//! Arguments: the same 14 bytes as register_hotspot, see [`crate::instructions::HotspotParams`].

use crate::error::{Error, ProgramResult};
use crate::math::mul;

pub use crate::instructions::HotspotParams as UpdateLocationArgs;

/// Updates are at least this many epochs apart: a reader within this many epochs after a time
/// T sees at most one update after T, so the account still holds the values in force at T.
pub const EPOCHS_BETWEEN_UPDATES: u64 = 2;

/// `LocationUpdateTooSoon` unless `now − last_update ≥ EPOCHS_BETWEEN_UPDATES × epoch_length`.
/// A clock earlier than `last_update` counts as too soon.
pub fn check_update_spacing(now: i64, last_update: i64, epoch_length: u64) -> ProgramResult {
    let required = mul(EPOCHS_BETWEEN_UPDATES, epoch_length)?;
    if now < last_update {
        return Err(Error::LocationUpdateTooSoon);
    }
    // now ≥ last_update, so the difference of the two's-complement bit patterns is exact in u64.
    let elapsed = (now as u64).wrapping_sub(last_update as u64);
    if elapsed < required {
        return Err(Error::LocationUpdateTooSoon);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates_are_two_epochs_apart() {
        assert_eq!(check_update_spacing(1_000 + 7_200, 1_000, 3_600), Ok(()));
        assert_eq!(check_update_spacing(1_000 + 7_199, 1_000, 3_600), Err(Error::LocationUpdateTooSoon));
        assert_eq!(check_update_spacing(1_000, 1_000, 3_600), Err(Error::LocationUpdateTooSoon));
        assert_eq!(check_update_spacing(999, 1_000, 1), Err(Error::LocationUpdateTooSoon), "clock behind the last update");
    }

    #[test]
    fn spacing_is_exact_across_the_whole_i64_range() {
        assert_eq!(check_update_spacing(i64::MAX, i64::MIN, i64::MAX as u64), Ok(()));
        assert_eq!(check_update_spacing(-5, -9, 2), Ok(()));
        assert_eq!(check_update_spacing(-6, -9, 2), Err(Error::LocationUpdateTooSoon));
        // 2 × an epoch length above u64::MAX / 2 overflows: no update can ever qualify.
        assert_eq!(check_update_spacing(0, 0, u64::MAX), Err(Error::ArithmeticOverflow));
    }
}
