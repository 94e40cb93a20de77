//! Validation of H3 cell indexes (the hotspot's asserted location), following the bit layout of
//! the H3 v4 index and the rules of its `isValidCell`:
//!
//! ```text
//! bit 63      reserved, 0
//! bits 59-62  mode, 1 = cell
//! bits 56-58  mode-dependent reserved bits, 0 for a cell
//! bits 52-55  resolution (0-15)
//! bits 45-51  base cell (0-121)
//! bits 0-44   15 digits of 3 bits, resolution 1 in bits 42-44 ... resolution 15 in bits 0-2;
//!             digits up to the resolution are 0-6, the unused ones are 7
//! ```
//! A pentagon base cell has no "1" (K axis) sub-sequence: its first non-zero digit must not be 1.

/// The resolution hotspots assert their location at (DESIGN.md §2: ≈ 300 m² hexagons).
pub const HOTSPOT_RESOLUTION: u64 = 12;

const MODE_OFFSET: u32 = 59;
const H3_CELL_MODE: u64 = 1;
const RESERVED_OFFSET: u32 = 56;
const RES_OFFSET: u32 = 52;
const BASE_CELL_OFFSET: u32 = 45;
/// H3 has 122 base cells.
const NUM_BASE_CELLS: u64 = 122;
const MAX_RES: u64 = 15;
const DIGIT_BITS: u64 = 3;
/// Digit value of an unused resolution.
const INVALID_DIGIT: u64 = 7;
/// The deleted K-axis direction of pentagons.
const K_AXES_DIGIT: u64 = 1;
/// Base cells that are pentagons (H3's `baseCellData[].isPentagon`).
const PENTAGON_BASE_CELLS: [u64; 12] = [4, 14, 24, 38, 49, 58, 63, 72, 83, 97, 107, 117];

/// Resolution of an index (bits 52-55), whether or not it is valid.
#[inline]
pub fn resolution(h: u64) -> u64 {
    (h >> RES_OFFSET) & 0xf
}

#[inline]
fn digit(h: u64, res: u64) -> u64 {
    (h >> ((MAX_RES - res) * DIGIT_BITS)) & 7
}

/// True if `h` is a valid H3 cell index (any resolution).
pub fn is_valid_cell(h: u64) -> bool {
    if h >> 63 != 0 || (h >> MODE_OFFSET) & 0xf != H3_CELL_MODE || (h >> RESERVED_OFFSET) & 7 != 0 {
        return false;
    }
    let base_cell = (h >> BASE_CELL_OFFSET) & 0x7f;
    if base_cell >= NUM_BASE_CELLS {
        return false;
    }
    let res = resolution(h);
    let pentagon = PENTAGON_BASE_CELLS.contains(&base_cell);
    let mut seen_non_zero = false;
    let mut r = 1;
    while r <= res {
        let d = digit(h, r);
        if d == INVALID_DIGIT {
            return false;
        }
        if !seen_non_zero && d != 0 {
            seen_non_zero = true;
            if pentagon && d == K_AXES_DIGIT {
                return false;
            }
        }
        r += 1;
    }
    while r <= MAX_RES {
        if digit(h, r) != INVALID_DIGIT {
            return false;
        }
        r += 1;
    }
    true
}

/// True if `h` is a valid H3 cell at the hotspot resolution (12).
#[inline]
pub fn is_valid_hotspot_cell(h: u64) -> bool {
    resolution(h) == HOTSPOT_RESOLUTION && is_valid_cell(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Produced with h3-js 4 (`latLngToCell`, `getPentagons(12)`, `isValidCell`).
    const VALID_RES12: [u64; 4] = [0x8c283082800b3ff, 0x8cbe0e35c0521ff, 0x8c08000000001ff, 0x8c74000000001ff];
    const RES11: u64 = 0x8b283082800bfff;
    // Single-bit mutations of VALID_RES12 with h3-js's isValidCell verdict.
    const MUTATIONS: [(u64, bool); 40] = [
        (0x8c283082810b3ff, true), (0x8cbe0e35c0d21ff, true), (0x8c08040000001ff, true), (0x28c74000000001ff, false),
        (0x8c283082800b2ff, false), (0x84be0e35c0521ff, false), (0xcc08000000001ff, false), (0x8c74000000001fd, false),
        (0x18c283082800b3ff, false), (0x8cbe0e3540521ff, true), (0x8c08000000041ff, true), (0x8c74000000001df, false),
        (0x8c383082800b3ff, true), (0x88cbe0e35c0521ff, false), (0x8c08004000001ff, true), (0x8c74000000003ff, false),
        (0x8c283182800b3ff, true), (0x8cbe0eb5c0521ff, true), (0x8808000000001ff, false), (0x8c74000000021ff, true),
        (0x8c283082900b3ff, true), (0x8cbe0e35c05217f, false), (0x8c08000000005ff, true), (0x8c74000000201ff, true),
        (0x8c283082800a3ff, true), (0x8cbe8e35c0521ff, true), (0x8c08000400001ff, false), (0x8c74000002001ff, false),
        (0x8c283082800b3fe, false), (0x8cbe0e35c05a1ff, true), (0x8c48000000001ff, true), (0x8c74000020001ff, true),
        (0x8d283082800b3ff, false), (0x8c3e0e35c0521ff, true), (0x8c08000000001bf, false), (0x8c74000200001ff, true),
        (0x8c282082800b3ff, true), (0x8cbe0e35c8521ff, true), (0x8c08000040001ff, true), (0x8c74002000001ff, false),
    ];

    #[test]
    fn accepts_resolution_12_cells_including_pentagons() {
        for &c in &VALID_RES12 {
            assert!(is_valid_hotspot_cell(c), "{:x}", c);
        }
    }

    #[test]
    fn rejects_other_resolutions_and_non_cells() {
        assert!(is_valid_cell(RES11));
        assert!(!is_valid_hotspot_cell(RES11));
        assert!(!is_valid_hotspot_cell(0));
        assert!(!is_valid_hotspot_cell(u64::MAX));
        // Mode 2 (directed edge) with otherwise identical bits.
        assert!(!is_valid_hotspot_cell((VALID_RES12[0] & !(0xf << 59)) | (2 << 59)));
        // Base cell 122 does not exist.
        assert!(!is_valid_hotspot_cell((VALID_RES12[0] & !(0x7f << 45)) | (122 << 45)));
    }

    #[test]
    fn agrees_with_h3js_on_mutated_indexes() {
        for &(h, valid) in &MUTATIONS {
            assert_eq!(is_valid_cell(h), valid, "{:x}", h);
        }
    }

    #[test]
    fn pentagon_k_axis_children_are_invalid() {
        // 0x8c08000400001ff: pentagon base cell 4 whose first non-zero digit is 1.
        assert!(!is_valid_hotspot_cell(0x8c08000400001ff));
    }
}
