//! Anchor-style events: `sol_log_data` of one field, `sha256("event:<Name>")[..8] ‖ borsh(event)`,
//! which the runtime logs as `Program data: <base64>` and Anchor's `EventParser` decodes with the
//! IDL's `events` and `types`.

use crate::syscalls::log_data;
use crate::Pubkey;

/// Largest event (VoteRecorded: 8 + 8 + 32 + 32 + 8 + 8 + 1 = 97 bytes) rounded up.
const EVENT_BUFFER: usize = 128;

pub const CONFIG_INITIALIZED: [u8; 8] = [181, 49, 200, 156, 19, 167, 178, 91];
pub const VALIDATORS_SET: [u8; 8] = [218, 141, 37, 5, 124, 23, 172, 144];
pub const HOTSPOT_REGISTERED: [u8; 8] = [154, 137, 146, 206, 46, 118, 183, 11];
pub const LOCATION_UPDATED: [u8; 8] = [161, 48, 186, 7, 3, 198, 31, 67];
pub const VOTE_RECORDED: [u8; 8] = [72, 160, 49, 123, 215, 219, 68, 221];
pub const EPOCH_FINALIZED: [u8; 8] = [109, 54, 231, 81, 101, 249, 145, 107];
pub const REWARDS_CLAIMED: [u8; 8] = [75, 98, 88, 18, 219, 112, 88, 121];

/// Borsh writer into a fixed stack buffer. Every event fits by construction (sizes are
/// constant), so the bounds checks never fail.
pub struct EventWriter {
    buf: [u8; EVENT_BUFFER],
    len: usize,
}

impl EventWriter {
    #[inline(always)]
    pub fn new(discriminator: &[u8; 8]) -> Self {
        let mut w = EventWriter { buf: [0; EVENT_BUFFER], len: 8 };
        w.buf[..8].copy_from_slice(discriminator);
        w
    }
    #[inline(always)]
    pub fn key(&mut self, k: &Pubkey) -> &mut Self {
        self.buf[self.len..self.len + 32].copy_from_slice(k);
        self.len += 32;
        self
    }
    #[inline(always)]
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.buf[self.len..self.len + 8].copy_from_slice(&v.to_le_bytes());
        self.len += 8;
        self
    }
    #[inline(always)]
    pub fn i64(&mut self, v: i64) -> &mut Self {
        self.u64(v as u64)
    }
    #[inline(always)]
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.buf[self.len..self.len + 4].copy_from_slice(&v.to_le_bytes());
        self.len += 4;
        self
    }
    #[inline(always)]
    pub fn i32(&mut self, v: i32) -> &mut Self {
        self.u32(v as u32)
    }
    #[inline(always)]
    pub fn i16(&mut self, v: i16) -> &mut Self {
        self.buf[self.len..self.len + 2].copy_from_slice(&v.to_le_bytes());
        self.len += 2;
        self
    }
    #[inline(always)]
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.buf[self.len] = v;
        self.len += 1;
        self
    }
    /// The serialized event (discriminator included).
    pub fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
    /// Logs the event.
    pub fn emit(&self) {
        log_data(self.bytes());
    }
}
