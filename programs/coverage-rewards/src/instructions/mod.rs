//! One module per instruction: `accounts.rs` (the account list and every check on it),
//! `data.rs` (length-checked argument parsing) and `processor.rs` (rules, then state change).
//! Arguments are Borsh, after the 8-byte discriminator sha256("global:<name>")[..8].

pub mod claim;
pub mod initialize;
pub mod register_hotspot;
pub mod set_validators;
pub mod submit_epoch;
pub mod update_location;

use crate::entrypoint::AccountInfo;
use crate::error::{Error, ProgramResult};
use crate::keys::key_eq;
use crate::Pubkey;

/// sha256("global:initialize")[..8]
pub const INITIALIZE: [u8; 8] = [175, 175, 109, 31, 13, 152, 155, 237];
/// sha256("global:set_validators")[..8]
pub const SET_VALIDATORS: [u8; 8] = [159, 87, 25, 94, 40, 172, 118, 3];
/// sha256("global:register_hotspot")[..8]
pub const REGISTER_HOTSPOT: [u8; 8] = [139, 215, 148, 137, 182, 97, 76, 141];
/// sha256("global:update_location")[..8]
pub const UPDATE_LOCATION: [u8; 8] = [136, 21, 137, 105, 147, 171, 2, 210];
/// sha256("global:submit_epoch")[..8]
pub const SUBMIT_EPOCH: [u8; 8] = [187, 41, 72, 23, 8, 171, 160, 103];
/// sha256("global:claim")[..8]
pub const CLAIM: [u8; 8] = [62, 198, 214, 193, 213, 159, 108, 210];

/// Borsh reader over instruction arguments. Every read is bounds checked and [`Reader::finish`]
/// rejects trailing bytes, so each instruction accepts exactly one encoding.
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0 }
    }

    #[inline(always)]
    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        if self.data.len() - self.pos < n {
            return Err(Error::InvalidInstructionData);
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    #[inline(always)]
    pub fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.take(1)?[0])
    }
    #[inline(always)]
    pub fn u16(&mut self) -> Result<u16, Error> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    #[inline(always)]
    pub fn u32(&mut self) -> Result<u32, Error> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    #[inline(always)]
    pub fn u64(&mut self) -> Result<u64, Error> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
    #[inline(always)]
    pub fn i16(&mut self) -> Result<i16, Error> {
        Ok(self.u16()? as i16)
    }
    #[inline(always)]
    pub fn i32(&mut self) -> Result<i32, Error> {
        Ok(self.u32()? as i32)
    }
    #[inline(always)]
    pub fn i64(&mut self) -> Result<i64, Error> {
        Ok(self.u64()? as i64)
    }
    #[inline(always)]
    pub fn bytes32(&mut self, out: &mut [u8; 32]) -> ProgramResult {
        out.copy_from_slice(self.take(32)?);
        Ok(())
    }
    /// A Borsh `Vec<[u8; 32]>` with at most `max` elements: returns the raw concatenation.
    #[inline(always)]
    pub fn vec32(&mut self, max: usize, too_long: Error) -> Result<&'a [u8], Error> {
        let n = self.u32()? as usize;
        if n > max {
            return Err(too_long);
        }
        self.take(n * 32)
    }
    /// Fails unless every byte was consumed.
    #[inline(always)]
    pub fn finish(&self) -> ProgramResult {
        if self.pos == self.data.len() {
            Ok(())
        } else {
            Err(Error::InvalidInstructionData)
        }
    }
}

/// `account` must have signed.
#[inline(always)]
pub fn require_signer(account: &AccountInfo) -> ProgramResult {
    if account.is_signer() {
        Ok(())
    } else {
        Err(Error::MissingSigner)
    }
}

/// `account` must be writable.
#[inline(always)]
pub fn require_writable(account: &AccountInfo) -> ProgramResult {
    if account.is_writable() {
        Ok(())
    } else {
        Err(Error::AccountNotWritable)
    }
}

/// `account` must be the program `id` (System, SPL Token).
#[inline(always)]
pub fn require_program(account: &AccountInfo, id: &Pubkey) -> ProgramResult {
    if key_eq(account.key(), id) {
        Ok(())
    } else {
        Err(Error::InvalidProgramAccount)
    }
}

/// `account` must be a fresh system account (no data, owned by the System program), the state
/// of a PDA before the program creates it.
#[inline(always)]
pub fn require_uninitialized(account: &AccountInfo) -> ProgramResult {
    if account.data_len() == 0 && account.is_owned_by(&crate::keys::SYSTEM_PROGRAM_ID) {
        Ok(())
    } else {
        Err(Error::AccountAlreadyInitialized)
    }
}

/// Derives the PDA of `seeds` (without bump) with `find_program_address`, checks that `account`
/// is it and returns the bump through `bump`.
#[inline(always)]
pub fn require_pda(account: &AccountInfo, seeds: &[&[u8]], program_id: &Pubkey, bump: &mut u8) -> ProgramResult {
    let mut expected = [0u8; 32];
    crate::syscalls::find_program_address(seeds, program_id, &mut expected, bump)?;
    if key_eq(account.key(), &expected) {
        Ok(())
    } else {
        Err(Error::InvalidPda)
    }
}

/// Hotspot parameters shared by register_hotspot and update_location.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HotspotParams {
    /// H3 cell index at resolution 12.
    pub location: u64,
    /// Antenna gain in tenths of dBi.
    pub gain_dbi_x10: i16,
    /// Antenna elevation above ground in metres.
    pub elevation_m: i32,
}

/// Accepted antenna gain: -10.0 to 30.0 dBi. Below -10 dBi an antenna is broken; above 30 dBi
/// it is a dish, not a coverage antenna (Helium's onboarding accepted 0.1-15 dBi).
pub const MIN_GAIN_DBI_X10: i16 = -100;
pub const MAX_GAIN_DBI_X10: i16 = 300;
/// Accepted elevation above ground: -500 m (below-ground sites such as mines or the Dead Sea
/// shore, which lies ≈430 m below sea level) to 10,000 m (above Everest plus any mast).
pub const MIN_ELEVATION_M: i32 = -500;
pub const MAX_ELEVATION_M: i32 = 10_000;

impl HotspotParams {
    /// Borsh: location u64, gain_dbi_x10 i16, elevation_m i32 (14 bytes).
    pub fn parse(data: &[u8]) -> Result<HotspotParams, Error> {
        let mut r = Reader::new(data);
        let p = HotspotParams { location: r.u64()?, gain_dbi_x10: r.i16()?, elevation_m: r.i32()? };
        r.finish()?;
        Ok(p)
    }

    /// Location must be a valid resolution-12 H3 cell; gain and elevation within range.
    pub fn validate(&self) -> ProgramResult {
        if !crate::h3::is_valid_hotspot_cell(self.location) {
            return Err(Error::InvalidLocation);
        }
        if self.gain_dbi_x10 < MIN_GAIN_DBI_X10 || self.gain_dbi_x10 > MAX_GAIN_DBI_X10 {
            return Err(Error::InvalidGain);
        }
        if self.elevation_m < MIN_ELEVATION_M || self.elevation_m > MAX_ELEVATION_M {
            return Err(Error::InvalidElevation);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params_bytes(location: u64, gain: i16, elevation: i32) -> Vec<u8> {
        let mut v = location.to_le_bytes().to_vec();
        v.extend_from_slice(&gain.to_le_bytes());
        v.extend_from_slice(&elevation.to_le_bytes());
        v
    }

    #[test]
    fn reader_rejects_short_input_and_trailing_bytes() {
        let data = [1u8, 0, 0, 0, 0, 0, 0, 0, 9];
        let mut r = Reader::new(&data);
        assert_eq!(r.u64(), Ok(1));
        assert_eq!(r.finish(), Err(Error::InvalidInstructionData));
        assert_eq!(r.u8(), Ok(9));
        assert_eq!(r.finish(), Ok(()));
        assert_eq!(r.u8(), Err(Error::InvalidInstructionData));
        assert_eq!(Reader::new(&[1, 2, 3]).u32(), Err(Error::InvalidInstructionData));
    }

    #[test]
    fn reader_limits_vector_length_before_reading() {
        let mut data = 3u32.to_le_bytes().to_vec();
        data.extend_from_slice(&[7; 96]);
        assert_eq!(Reader::new(&data).vec32(3, Error::ProofTooLong).map(|s| s.len()), Ok(96));
        assert_eq!(Reader::new(&data).vec32(2, Error::ProofTooLong), Err(Error::ProofTooLong));
        assert_eq!(Reader::new(&data[..90]).vec32(3, Error::ProofTooLong), Err(Error::InvalidInstructionData));
        // A huge declared length must fail cleanly, not overflow.
        let huge = u32::MAX.to_le_bytes();
        assert_eq!(Reader::new(&huge).vec32(usize::MAX / 64, Error::ProofTooLong), Err(Error::InvalidInstructionData));
    }

    #[test]
    fn hotspot_params_parse_exactly_14_bytes() {
        let b = params_bytes(0x8c283082800b3ff, 55, -20);
        assert_eq!(
            HotspotParams::parse(&b),
            Ok(HotspotParams { location: 0x8c283082800b3ff, gain_dbi_x10: 55, elevation_m: -20 })
        );
        assert_eq!(HotspotParams::parse(&b[..13]), Err(Error::InvalidInstructionData));
        let mut long = b.clone();
        long.push(0);
        assert_eq!(HotspotParams::parse(&long), Err(Error::InvalidInstructionData));
    }

    #[test]
    fn hotspot_params_validate_location_gain_and_elevation() {
        let ok = HotspotParams { location: 0x8c283082800b3ff, gain_dbi_x10: 55, elevation_m: 10 };
        assert_eq!(ok.validate(), Ok(()));
        assert_eq!(HotspotParams { location: 0x8b283082800bfff, ..ok }.validate(), Err(Error::InvalidLocation));
        assert_eq!(HotspotParams { gain_dbi_x10: MAX_GAIN_DBI_X10 + 1, ..ok }.validate(), Err(Error::InvalidGain));
        assert_eq!(HotspotParams { gain_dbi_x10: MIN_GAIN_DBI_X10 - 1, ..ok }.validate(), Err(Error::InvalidGain));
        assert_eq!(HotspotParams { gain_dbi_x10: MIN_GAIN_DBI_X10, ..ok }.validate(), Ok(()));
        assert_eq!(HotspotParams { elevation_m: MAX_ELEVATION_M + 1, ..ok }.validate(), Err(Error::InvalidElevation));
        assert_eq!(HotspotParams { elevation_m: MIN_ELEVATION_M - 1, ..ok }.validate(), Err(Error::InvalidElevation));
    }
}
