//! Parsing of the input buffer the BPF loader (v2 and upgradeable) hands to `entrypoint`: the
//! "aligned" serialization. Offsets (bytes):
//!
//! ```text
//! 0       u64   number of accounts N
//! 8       N account records, each 8-aligned:
//!   +0    u8    duplicate marker: 0xFF = new account, otherwise the index of the earlier account
//!               (a duplicate record is 8 bytes: marker + 7 padding)
//!   +1    u8    is_signer
//!   +2    u8    is_writable
//!   +3    u8    executable
//!   +4    [4]   padding (original data length in newer runtimes)
//!   +8    [32]  key
//!   +40   [32]  owner
//!   +72   u64   lamports
//!   +80   u64   data length
//!   +88   data, then 10 KiB realloc headroom, then padding to 8
//!   ..    u64   rent epoch
//! then    u64   instruction data length, the data, then the 32-byte program id
//! ```
//!
//! Nothing is copied: an [`AccountInfo`] is a pointer to its record, and CPIs pass pointers into
//! this buffer, as the runtime requires.

use crate::Pubkey;

/// Accounts kept by the parser; later ones are skipped (no instruction uses more than 8).
pub const MAX_ACCOUNTS: usize = 12;
/// Duplicate marker value of a first occurrence.
const NON_DUP_MARKER: u8 = 0xff;
/// The runtime's MAX_PERMITTED_DATA_INCREASE: headroom after each account's data.
pub const MAX_PERMITTED_DATA_INCREASE: usize = 10 * 1024;
/// Alignment of records (BPF_ALIGN_OF_U128 in the runtime).
const ALIGN: usize = 8;
/// Offsets inside an account record.
pub const OFF_IS_SIGNER: usize = 1;
pub const OFF_IS_WRITABLE: usize = 2;
pub const OFF_EXECUTABLE: usize = 3;
pub const OFF_KEY: usize = 8;
pub const OFF_OWNER: usize = 40;
pub const OFF_LAMPORTS: usize = 72;
pub const OFF_DATA_LEN: usize = 80;
pub const OFF_DATA: usize = 88;

/// An account of the instruction: a pointer to its record in the input buffer.
///
/// Fields are read through the pointer on every access (never cached), because a CPI may change
/// owner, lamports and data length in place.
#[derive(Clone, Copy)]
pub struct AccountInfo {
    raw: *mut u8,
}

impl AccountInfo {
    /// # Safety
    /// `raw` must point to a serialized account record that outlives every use.
    pub unsafe fn from_raw(raw: *mut u8) -> Self {
        AccountInfo { raw }
    }

    #[inline(always)]
    fn byte(&self, off: usize) -> u8 {
        // SAFETY: the record is at least 88 bytes long (from_raw contract).
        unsafe { core::ptr::read_volatile(self.raw.add(off)) }
    }

    #[inline(always)]
    fn word(&self, off: usize) -> u64 {
        // SAFETY: in-record offset; records are 8-aligned and unaligned reads are allowed anyway.
        unsafe { core::ptr::read_volatile(self.raw.add(off) as *const u64) }
    }

    pub fn is_signer(&self) -> bool {
        self.byte(OFF_IS_SIGNER) != 0
    }
    pub fn is_writable(&self) -> bool {
        self.byte(OFF_IS_WRITABLE) != 0
    }
    pub fn executable(&self) -> bool {
        self.byte(OFF_EXECUTABLE) != 0
    }
    pub fn key(&self) -> &Pubkey {
        // SAFETY: 32 bytes at +8; the key never changes during the instruction.
        unsafe { &*(self.raw.add(OFF_KEY) as *const Pubkey) }
    }
    /// The owner, copied (it can change through a CPI, so no reference is handed out).
    pub fn owner(&self, out: &mut Pubkey) {
        let mut i = 0;
        while i < 4 {
            let w = self.word(OFF_OWNER + 8 * i);
            out[8 * i..8 * i + 8].copy_from_slice(&w.to_le_bytes());
            i += 1;
        }
    }
    /// True if the owner equals `program`.
    pub fn is_owned_by(&self, program: &Pubkey) -> bool {
        let mut owner = [0u8; 32];
        self.owner(&mut owner);
        crate::keys::key_eq(&owner, program)
    }
    pub fn lamports(&self) -> u64 {
        self.word(OFF_LAMPORTS)
    }
    pub fn data_len(&self) -> usize {
        self.word(OFF_DATA_LEN) as usize
    }
    pub fn lamports_ptr(&self) -> *mut u64 {
        // SAFETY: in-record offset.
        unsafe { self.raw.add(OFF_LAMPORTS) as *mut u64 }
    }
    pub fn owner_ptr(&self) -> *const Pubkey {
        // SAFETY: in-record offset.
        unsafe { self.raw.add(OFF_OWNER) as *const Pubkey }
    }
    pub fn data_ptr(&self) -> *mut u8 {
        // SAFETY: in-record offset.
        unsafe { self.raw.add(OFF_DATA) }
    }

    /// The account data.
    ///
    /// # Safety
    /// No other live reference to this account's data may exist (the processors check account
    /// discriminators, so two accounts of different types never alias), and the slice must not be
    /// held across a CPI that resizes the account.
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn data_mut(&self) -> &mut [u8] {
        // SAFETY: data_len bytes follow the header (caller upholds aliasing).
        unsafe { core::slice::from_raw_parts_mut(self.data_ptr(), self.data_len()) }
    }

    /// Rent epoch field, located after the data, the headroom and the alignment padding.
    pub fn rent_epoch(&self) -> u64 {
        let len = self.data_len();
        let off = align_up(OFF_DATA + len + MAX_PERMITTED_DATA_INCREASE);
        self.word(off)
    }
}

#[inline(always)]
fn align_up(x: usize) -> usize {
    (x + (ALIGN - 1)) & !(ALIGN - 1)
}

/// The parsed input: up to [`MAX_ACCOUNTS`] accounts (duplicates resolved to their first
/// occurrence), the instruction data and the program id.
pub struct Input {
    pub accounts: [AccountInfo; MAX_ACCOUNTS],
    pub account_count: usize,
    pub data: *const u8,
    pub data_len: usize,
    pub program_id: *const Pubkey,
}

/// Parses the input buffer into `out`.
///
/// # Safety
/// `input` must be the runtime's aligned serialization described above.
pub unsafe fn deserialize(input: *mut u8, out: &mut Input) {
    // Offsets use wrapping arithmetic on purpose: they index the runtime's own buffer, whose size
    // bounds them far below usize::MAX, and the release profile's overflow checks would add a
    // compare and branch to every step of this loop, which runs for every account of every
    // instruction (≈ 100 CU on a 4-account instruction).
    // SAFETY: the caller guarantees the layout; every offset below follows it.
    unsafe {
        let count = *(input as *const u64) as usize;
        let mut off = 8usize;
        let mut i = 0usize;
        while i < count {
            let record = input.add(off);
            let marker = *record as usize;
            if marker == NON_DUP_MARKER as usize {
                if i < MAX_ACCOUNTS {
                    out.accounts[i] = AccountInfo::from_raw(record);
                }
                let data_len = *(record.add(OFF_DATA_LEN) as *const u64) as usize;
                // align_up(off + OFF_DATA + data_len + MAX_PERMITTED_DATA_INCREASE) + 8 (rent epoch)
                off = (off.wrapping_add(OFF_DATA + MAX_PERMITTED_DATA_INCREASE + ALIGN - 1).wrapping_add(data_len) & !(ALIGN - 1)).wrapping_add(8);
            } else {
                // `marker < i` always holds for a duplicate, so the first occurrence is stored.
                if i < MAX_ACCOUNTS && marker < MAX_ACCOUNTS {
                    out.accounts[i] = out.accounts[marker];
                }
                off = off.wrapping_add(8);
            }
            i += 1;
        }
        out.account_count = if count < MAX_ACCOUNTS { count } else { MAX_ACCOUNTS };
        out.data_len = *(input.add(off) as *const u64) as usize;
        out.data = input.add(off.wrapping_add(8));
        out.program_id = input.add(off.wrapping_add(8).wrapping_add(out.data_len)) as *const Pubkey;
    }
}

/// Builds input buffers exactly like the runtime's aligned serializer, for host tests.
#[cfg(test)]
pub mod test_input {
    use super::*;

    /// One account to serialize.
    #[derive(Clone)]
    pub struct TestAccount {
        pub key: Pubkey,
        pub owner: Pubkey,
        pub lamports: u64,
        pub data: Vec<u8>,
        pub is_signer: bool,
        pub is_writable: bool,
        pub executable: bool,
        pub rent_epoch: u64,
    }

    impl TestAccount {
        pub fn new(key: Pubkey, owner: Pubkey, data: Vec<u8>) -> Self {
            TestAccount { key, owner, lamports: 1_000_000_000, data, is_signer: false, is_writable: false, executable: false, rent_epoch: u64::MAX }
        }
        pub fn signer(mut self) -> Self {
            self.is_signer = true;
            self
        }
        pub fn writable(mut self) -> Self {
            self.is_writable = true;
            self
        }
        pub fn lamports(mut self, l: u64) -> Self {
            self.lamports = l;
            self
        }
    }

    /// An entry of the account list: a new account, or a duplicate of an earlier index.
    pub enum Entry {
        New(TestAccount),
        Dup(u8),
    }

    /// The serialized buffer, kept in u64s so it is 8-aligned like the runtime's.
    pub struct Serialized {
        pub words: Vec<u64>,
        /// Byte offset of each account record.
        pub offsets: Vec<usize>,
    }

    impl Serialized {
        pub fn ptr(&mut self) -> *mut u8 {
            self.words.as_mut_ptr() as *mut u8
        }
        pub fn bytes(&self) -> &[u8] {
            // SAFETY: u64 storage viewed as bytes.
            unsafe { core::slice::from_raw_parts(self.words.as_ptr() as *const u8, self.words.len() * 8) }
        }
        /// Current data of the account at `index` (after the program ran).
        pub fn account_data(&self, index: usize) -> Vec<u8> {
            let b = self.bytes();
            let o = self.offsets[index];
            let len = u64::from_le_bytes(b[o + OFF_DATA_LEN..o + OFF_DATA_LEN + 8].try_into().unwrap()) as usize;
            b[o + OFF_DATA..o + OFF_DATA + len].to_vec()
        }
        pub fn account_owner(&self, index: usize) -> Pubkey {
            let b = self.bytes();
            let o = self.offsets[index];
            b[o + OFF_OWNER..o + OFF_OWNER + 32].try_into().unwrap()
        }
        pub fn account_lamports(&self, index: usize) -> u64 {
            let b = self.bytes();
            let o = self.offsets[index];
            u64::from_le_bytes(b[o + OFF_LAMPORTS..o + OFF_LAMPORTS + 8].try_into().unwrap())
        }
    }

    pub fn serialize(entries: &[Entry], data: &[u8], program_id: &Pubkey) -> Serialized {
        let mut b: Vec<u8> = Vec::new();
        let mut offsets = Vec::new();
        b.extend_from_slice(&(entries.len() as u64).to_le_bytes());
        for e in entries {
            offsets.push(b.len());
            match e {
                Entry::Dup(i) => {
                    b.push(*i);
                    b.extend_from_slice(&[0; 7]);
                    let first = offsets[*i as usize];
                    *offsets.last_mut().unwrap() = first;
                }
                Entry::New(a) => {
                    b.push(NON_DUP_MARKER);
                    b.push(a.is_signer as u8);
                    b.push(a.is_writable as u8);
                    b.push(a.executable as u8);
                    b.extend_from_slice(&[0; 4]);
                    b.extend_from_slice(&a.key);
                    b.extend_from_slice(&a.owner);
                    b.extend_from_slice(&a.lamports.to_le_bytes());
                    b.extend_from_slice(&(a.data.len() as u64).to_le_bytes());
                    b.extend_from_slice(&a.data);
                    b.extend(core::iter::repeat(0).take(MAX_PERMITTED_DATA_INCREASE));
                    while b.len() % ALIGN != 0 {
                        b.push(0);
                    }
                    b.extend_from_slice(&a.rent_epoch.to_le_bytes());
                }
            }
        }
        b.extend_from_slice(&(data.len() as u64).to_le_bytes());
        b.extend_from_slice(data);
        b.extend_from_slice(program_id);
        while b.len() % 8 != 0 {
            b.push(0);
        }
        let words = b.chunks(8).map(|c| u64::from_le_bytes(c.try_into().unwrap())).collect();
        Serialized { words, offsets }
    }
}

#[cfg(test)]
mod tests {
    use super::test_input::*;
    use super::*;

    fn parse(s: &mut Serialized) -> Input {
        let dummy = unsafe { AccountInfo::from_raw(core::ptr::null_mut()) };
        let mut input =
            Input { accounts: [dummy; MAX_ACCOUNTS], account_count: 0, data: core::ptr::null(), data_len: 0, program_id: core::ptr::null() };
        unsafe { deserialize(s.ptr(), &mut input) };
        input
    }

    #[test]
    fn reads_fields_data_and_program_id_at_runtime_offsets() {
        let a = TestAccount::new([1; 32], [2; 32], vec![9, 8, 7]).signer().lamports(42);
        let mut b = TestAccount::new([3; 32], [4; 32], vec![5; 13]).writable();
        b.rent_epoch = 77;
        let mut s = serialize(&[Entry::New(a), Entry::New(b), Entry::Dup(0)], &[0xaa, 0xbb], &[6; 32]);
        let input = parse(&mut s);
        assert_eq!(input.account_count, 3);
        let (a, b, c) = (input.accounts[0], input.accounts[1], input.accounts[2]);
        assert_eq!(a.key(), &[1; 32]);
        assert!(a.is_signer() && !a.is_writable());
        assert_eq!(a.lamports(), 42);
        assert_eq!(unsafe { a.data_mut() }, &[9, 8, 7]);
        assert!(b.is_writable() && !b.is_signer());
        assert!(b.is_owned_by(&[4; 32]));
        assert_eq!(b.data_len(), 13);
        assert_eq!(b.rent_epoch(), 77);
        assert_eq!(c.key(), &[1; 32], "duplicate resolves to the first occurrence");
        let data = unsafe { core::slice::from_raw_parts(input.data, input.data_len) };
        assert_eq!(data, &[0xaa, 0xbb]);
        assert_eq!(unsafe { *input.program_id }, [6; 32]);
    }

    #[test]
    fn keeps_walking_past_the_account_limit() {
        let entries: Vec<Entry> =
            (0..(MAX_ACCOUNTS as u8 + 3)).map(|i| Entry::New(TestAccount::new([i; 32], [0; 32], vec![i; i as usize]))).collect();
        let mut s = serialize(&entries, &[1, 2, 3, 4, 5], &[9; 32]);
        let input = parse(&mut s);
        assert_eq!(input.account_count, MAX_ACCOUNTS);
        assert_eq!(input.accounts[MAX_ACCOUNTS - 1].key(), &[MAX_ACCOUNTS as u8 - 1; 32]);
        assert_eq!(input.data_len, 5);
        assert_eq!(unsafe { *input.program_id }, [9; 32]);
    }
}
