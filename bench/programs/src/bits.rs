//! Mixed integer and bit-manipulation work on a stream of xorshift64*
//! words, in both 64- and 32-bit arithmetic. Per word:
//! - population count, leading and trailing zeros (i64 and i32);
//! - rotates by data-dependent amounts, shifts, byte swap;
//! - 32- and 64-bit bit reversal (shift-and-mask ladders on wasm);
//! - Morton interleaving of two 16-bit halves, Gray code, lowest-set-bit
//!   isolation and clearing;
//! - table-free CRC-32 (IEEE, reflected) of the word's low byte;
//! - a toggle and a test in a 256 Kibit bitset in static memory, whose
//!   population is counted at the end.

use crate::Buf;

const SET_WORDS: usize = 4096;

static SET: Buf<[u64; SET_WORDS]> = Buf::new([0; SET_WORDS]);

/// Table-free CRC-32 step over one byte (polynomial 0xEDB88320, reflected):
/// the branch-free mask form, as used where a 1 KiB table is too big.
#[inline(always)]
pub fn crc32_byte(mut crc: u32, byte: u8) -> u32 {
    crc ^= byte as u32;
    for _ in 0..8 {
        let mask = (crc & 1).wrapping_neg();
        crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
    }
    crc
}

/// Spreads the low 16 bits of `v` to the even bit positions.
#[inline(always)]
fn part1by1(v: u32) -> u32 {
    let mut x = v & 0x0000_ffff;
    x = (x | (x << 8)) & 0x00ff_00ff;
    x = (x | (x << 4)) & 0x0f0f_0f0f;
    x = (x | (x << 2)) & 0x3333_3333;
    x = (x | (x << 1)) & 0x5555_5555;
    x
}

/// Interleaves the low 16 bits of `x` (even bits) and `y` (odd bits).
#[inline(always)]
pub fn morton(x: u32, y: u32) -> u32 {
    part1by1(x) | (part1by1(y) << 1)
}

/// Processes `n` words; returns a mix of every accumulator.
pub fn run(n: u32) -> u64 {
    // SAFETY: single-threaded, no other reference to SET exists.
    let set = unsafe { SET.get() };
    set.fill(0);
    let mut s = 0x9E37_79B9_7F4A_7C15u64;
    let mut h = 0u64;
    let mut acc = 0x1234_5678u32;
    let mut crc = !0u32;
    let mut hits = 0u32;
    for i in 0..n {
        // xorshift64*
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        let x = s.wrapping_mul(0x2545_F491_4F6C_DD1D);
        let (lo, hi) = (x as u32, (x >> 32) as u32);

        // Counting instructions, 64- and 32-bit.
        let c = x.count_ones()
            + lo.leading_zeros()
            + hi.trailing_zeros()
            + (x | 1).trailing_zeros()
            + (lo >> 1).count_ones();

        // 64-bit: rotates by data-dependent amounts, reversal, shifts.
        h = (h ^ x)
            .rotate_left(c & 63)
            .wrapping_add(x.rotate_right(lo & 63));
        h ^= x.reverse_bits() >> (hi & 31);
        h = h.wrapping_add((x & x.wrapping_neg()) ^ (x & x.wrapping_sub(1)) ^ (x ^ (x >> 1)));

        // 32-bit: reversal, byte swap, Morton code, arithmetic shifts, a
        // division by a non-zero data value.
        acc = acc.rotate_left(5) ^ lo.reverse_bits() ^ hi.swap_bytes();
        acc = acc.wrapping_add(morton(lo, hi >> 16));
        acc ^= ((acc as i32) >> (lo & 31)) as u32;
        acc = acc.wrapping_add(hi / ((lo & 0xff) | 1));

        crc = crc32_byte(crc, lo as u8);

        // Bitset: toggle one bit, test another.
        let w = (hi >> 20) as usize; // 12 bits: 0..4096
        set[w] ^= 1u64 << (x & 63);
        hits += ((set[(lo >> 20) as usize] >> ((x >> 6) & 63)) & 1) as u32;

        h = h.wrapping_add(i as u64);
    }
    let pop: u32 = set.iter().map(|w| w.count_ones()).sum();
    h ^ ((crc as u64) << 32) ^ (acc as u64) ^ ((pop as u64) << 16) ^ ((hits as u64) << 40)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_check_value() {
        // The standard CRC-32 check value: CRC of "123456789".
        let crc = b"123456789".iter().fold(!0u32, |c, &b| crc32_byte(c, b));
        assert_eq!(!crc, 0xCBF4_3926);
    }

    #[test]
    fn morton_interleaves() {
        assert_eq!(morton(0xffff, 0), 0x5555_5555);
        assert_eq!(morton(0, 0xffff), 0xaaaa_aaaa);
        assert_eq!(morton(0b11, 0b01), 0b0111);
    }

    #[test]
    fn deterministic_and_size_dependent() {
        assert_eq!(run(1000), run(1000));
        assert_ne!(run(1000), run(1001));
    }
}
