//! Account layouts. Every account is `discriminator (8) ‖ version (1) ‖ fields`, little-endian,
//! packed (no padding): byte for byte what Borsh produces for the same fields in the same
//! order, so Anchor's account coder reads them with the IDL's types.
//!
//! The structs are `#[repr(C)]` with only byte and byte-array fields (alignment 1), so an
//! account's data is viewed in place, without copying, after its owner, size, discriminator
//! and version are checked ([`load`]). Multi-byte integers are stored as `[u8; N]` behind
//! getters and setters.

pub mod config;
pub mod epoch;
pub mod hotspot;

pub use config::Config;
pub use epoch::{Epoch, EpochStatus, Vote};
pub use hotspot::Hotspot;

use crate::entrypoint::AccountInfo;
use crate::error::Error;
use crate::Pubkey;

/// A fixed-size account layout.
///
/// # Safety
/// Implementors must be `#[repr(C)]` with alignment 1, `SIZE == size_of::<Self>()`, every bit
/// pattern valid, and the discriminator as the first 8 bytes.
pub unsafe trait Layout: Sized {
    /// sha256("account:<Name>")[..8].
    const DISCRIMINATOR: [u8; 8];
    /// Exact data length.
    const SIZE: usize;
    /// Layout version, the byte after the discriminator. The program reads and writes only this
    /// version; a new layout gets a new number (and a migration once an older one is deployed).
    const VERSION: u8;
}

/// Reads the discriminator as one u64 (a single compare instead of a memcmp).
#[inline(always)]
pub fn discriminator_u64(d: &[u8; 8]) -> u64 {
    u64::from_le_bytes(*d)
}

/// Views a program-owned account as `T` after checking owner, exact size, discriminator and
/// version. The returned reference aliases the input buffer.
///
/// # Safety
/// The caller must not hold another reference to the same account's data (two different
/// layouts can never alias: their discriminators differ).
#[inline(always)]
#[allow(clippy::mut_from_ref)]
pub unsafe fn load<'a, T: Layout>(account: &'a AccountInfo, program_id: &Pubkey) -> Result<&'a mut T, Error> {
    if !account.is_owned_by(program_id) {
        return Err(Error::InvalidAccountOwner);
    }
    // SAFETY: the caller guarantees exclusivity.
    let data = unsafe { account.data_mut() };
    view::<T>(data)
}

/// Views `data` as `T` after checking size, discriminator and version (no owner check).
#[inline(always)]
pub fn view<T: Layout>(data: &mut [u8]) -> Result<&mut T, Error> {
    if data.len() != T::SIZE {
        return Err(Error::InvalidAccountData);
    }
    let mut d = [0u8; 8];
    d.copy_from_slice(&data[..8]);
    if discriminator_u64(&d) != discriminator_u64(&T::DISCRIMINATOR) || data[8] != T::VERSION {
        return Err(Error::InvalidAccountData);
    }
    // SAFETY: size checked; T has alignment 1 and accepts any bit pattern (Layout contract).
    Ok(unsafe { &mut *(data.as_mut_ptr() as *mut T) })
}

/// Writes discriminator and version into freshly allocated (zeroed) data and views it as `T`.
#[inline(always)]
pub fn init<T: Layout>(data: &mut [u8]) -> Result<&mut T, Error> {
    if data.len() != T::SIZE {
        return Err(Error::InvalidAccountData);
    }
    data[..8].copy_from_slice(&T::DISCRIMINATOR);
    data[8] = T::VERSION;
    view::<T>(data)
}

/// Getter/setter pair for a little-endian integer stored as a byte array.
macro_rules! le_field {
    ($field:ident, $set:ident, $t:ty) => {
        #[inline(always)]
        pub fn $field(&self) -> $t {
            <$t>::from_le_bytes(self.$field)
        }
        #[inline(always)]
        pub fn $set(&mut self, v: $t) {
            self.$field = v.to_le_bytes();
        }
    };
}
pub(crate) use le_field;

/// Byte offset of a field, for the layout tests (`offset_of!` is not stable in rustc 1.63).
#[cfg(test)]
macro_rules! offset_of {
    ($t:ty, $f:ident) => {{
        let u = core::mem::MaybeUninit::<$t>::uninit();
        let base = u.as_ptr();
        // SAFETY: addr_of! on a field of an uninitialised value computes an address without reading.
        let field = unsafe { core::ptr::addr_of!((*base).$f) };
        field as usize - base as usize
    }};
}
#[cfg(test)]
pub(crate) use offset_of;
