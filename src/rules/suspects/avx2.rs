//! The AVX2 scan: 32 bytes at once, two coarse questions per block, candidates
//! gathered per few blocks and then tested one by one.

use super::{Avx2Tables, SuspectScan};
use std::arch::x86_64::*;

/// [`SuspectScan::next`] over whole 32-byte blocks from `i`: `Ok` with the
/// first wanted character, or `Err` with where the blocks ended.
///
/// # Safety
/// The CPU must have AVX2, BMI1 and POPCNT.
#[target_feature(enable = "avx2,bmi1,popcnt")]
pub unsafe fn next(
    scan: &SuspectScan,
    t: &Avx2Tables,
    b: &[u8],
    mut i: usize,
) -> Result<usize, usize> {
    let r = Registers::new(t);
    // Candidates' offsets from `i`, a chunk of blocks at a time, in
    // order: each block writes its first two whatever it has, so that
    // there is no branch per block, and they are tested after.
    let mut at = [0u32; CHUNK * 32 + 2];
    while i + BLOCK <= b.len() {
        let blocks = ((b.len() - i - (BLOCK - 32)) / 32).min(CHUNK);
        let mut n = 0;
        for j in 0..blocks {
            let off = 32 * j;
            let mut cand = r.candidates(&b[i + off..i + off + BLOCK]);
            let count = cand.count_ones() as usize;
            at[n] = (off + cand.trailing_zeros() as usize) as u32;
            cand &= cand.wrapping_sub(1);
            at[n + 1] = (off + cand.trailing_zeros() as usize) as u32;
            if count > 2 {
                let mut k = n + 2;
                cand &= cand - 1;
                while cand != 0 {
                    at[k] = (off + cand.trailing_zeros() as usize) as u32;
                    cand &= cand - 1;
                    k += 1;
                }
            }
            n += count;
        }
        for &a in &at[..n] {
            let p = i + a as usize;
            if scan.wanted(b, p) {
                return Ok(p);
            }
        }
        i += 32 * blocks;
    }
    Err(i)
}

/// Blocks whose candidates are gathered before they are tested.
const CHUNK: usize = 8;

/// By a continuation byte's high nibble (8–B): its bit (bits 4–5 of the
/// byte) in both nibbles of a table byte.
const HIGH: [u8; 16] = [0, 0, 0, 0, 0, 0, 0, 0, 0x11, 0x22, 0x44, 0x88, 0, 0, 0, 0];

/// By a byte's high nibble: two- and four-byte leads (C, D, F).
const ALWAYS: [u8; 16] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0xFF];

/// 32 bytes, and two to look ahead: the rest of a character.
const BLOCK: usize = 34;

struct Registers {
    rows: [__m256i; 3],
    cols: [__m256i; 3],
    nibbles: [__m256i; 3],
    high: __m256i,
    always: __m256i,
}

impl Registers {
    #[target_feature(enable = "avx2,bmi1,popcnt")]
    fn new(t: &Avx2Tables) -> Self {
        // SAFETY: each table is 16 bytes.
        let load = |x: &[u8; 16]| unsafe {
            _mm256_broadcastsi128_si256(_mm_loadu_si128(x.as_ptr().cast()))
        };
        Registers {
            rows: t.rows.each_ref().map(load),
            cols: t.cols.each_ref().map(load),
            nibbles: t.nibbles.each_ref().map(load),
            high: load(&HIGH),
            always: load(&ALWAYS),
        }
    }

    /// Each lane's group's bits of `t`, by the low nibble of `x`, under
    /// `masks` ([`Avx2Tables::nibbles`]).
    #[target_feature(enable = "avx2,bmi1,popcnt")]
    #[inline]
    fn lookup(&self, t: &[__m256i; 3], x: __m256i, masks: &[__m256i; 3]) -> __m256i {
        let idx = _mm256_and_si256(x, _mm256_set1_epi8(0x0F));
        let part = |k: usize| _mm256_and_si256(_mm256_shuffle_epi8(t[k], idx), masks[k]);
        _mm256_or_si256(_mm256_or_si256(part(0), part(1)), part(2))
    }

    /// Bit `k` set: byte `k` of `block` leads a two- or four-byte
    /// character, or a three-byte one whose group has a member with its
    /// second byte and a member with its third.
    #[target_feature(enable = "avx2,bmi1,popcnt")]
    #[inline]
    fn candidates(&self, block: &[u8]) -> u32 {
        assert!(block.len() >= BLOCK);
        let p = block.as_ptr();
        // SAFETY: BLOCK bytes are readable from `p`.
        let b0 = unsafe { _mm256_loadu_si256(p.cast()) };
        if _mm256_movemask_epi8(b0) == 0 {
            return 0;
        }
        // SAFETY: as above.
        let (b1, b2) = unsafe {
            (
                _mm256_loadu_si256(p.add(1).cast()),
                _mm256_loadu_si256(p.add(2).cast()),
            )
        };
        let lo = _mm256_set1_epi8(0x0F);
        let high_nibble = |x: __m256i| _mm256_and_si256(_mm256_srli_epi16::<4>(x), lo);
        // By the lead's low nibble, and only for E0–EF: other bytes
        // come out of the XOR at 10 or more, and past 7F once 70 is added,
        // where the shuffle gives zero.
        let l0 = _mm256_adds_epu8(
            _mm256_xor_si256(b0, _mm256_set1_epi8(0xE0u8 as i8)),
            _mm256_set1_epi8(0x70),
        );
        let masks = self.nibbles.map(|t| _mm256_shuffle_epi8(t, l0));
        let row = self.lookup(&self.rows, b1, &masks);
        let col = self.lookup(&self.cols, b2, &masks);
        let zero = _mm256_setzero_si256();
        let miss = _mm256_or_si256(
            _mm256_cmpeq_epi8(
                _mm256_and_si256(row, _mm256_shuffle_epi8(self.high, high_nibble(b1))),
                zero,
            ),
            _mm256_cmpeq_epi8(
                _mm256_and_si256(col, _mm256_shuffle_epi8(self.high, high_nibble(b2))),
                zero,
            ),
        );
        let always = _mm256_shuffle_epi8(self.always, high_nibble(b0));
        !(_mm256_movemask_epi8(miss) as u32) | _mm256_movemask_epi8(always) as u32
    }
}
