//! The AVX-512 (VBMI, BITALG) scan: 64 bytes at once, a table per lead byte.

use super::{SuspectScan, Tables, GROUPS};
use std::arch::x86_64::*;

/// [`SuspectScan::next`] over whole 64-byte blocks from `i`: `Ok` with the
/// first wanted character, or `Err` with where the blocks ended.
///
/// # Safety
/// The CPU must have AVX-512 F, BW, VBMI and BITALG.
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi,avx512bitalg")]
pub unsafe fn next(scan: &SuspectScan, b: &[u8], mut i: usize) -> Result<usize, usize> {
    loop {
        let (at, mut cand) = Registers::new(&scan.tables).find(b, i)?;
        while cand != 0 {
            let p = at + cand.trailing_zeros() as usize;
            if scan.wanted(b, p) {
                return Ok(p);
            }
            cand &= cand - 1;
        }
        i = at + 64;
    }
}

/// 64 bytes, and three to look ahead: the rest of a character and the
/// lead of the next.
const BLOCK: usize = 67;

/// [`Tables`] in registers. The loop that uses them calls nothing, so
/// that they stay there.
struct Registers {
    lead_group: __m512i,
    groups: [__m512i; GROUPS],
    bucket_bits: [__m512i; 2],
    always: __m512i,
    grouped: __m512i,
    grouped_lead_only: __m512i,
    not_next: __m512i,
}

impl Registers {
    #[target_feature(enable = "avx512f")]
    fn new(t: &Tables) -> Self {
        // SAFETY: each table is 64 bytes.
        let load = |x: &[u8; 64]| unsafe { _mm512_loadu_si512(x.as_ptr().cast()) };
        let bits = |x: u64| _mm512_set1_epi64(x as i64);
        Registers {
            lead_group: load(&t.lead_group),
            groups: t.groups.each_ref().map(load),
            bucket_bits: t.bucket_bits.each_ref().map(load),
            always: bits(t.always),
            grouped: bits(t.grouped),
            grouped_lead_only: bits(t.grouped_lead_only),
            not_next: bits(!t.next_ok),
        }
    }

    /// The first block from `i` with a candidate: where it starts, and
    /// its [`Self::candidates`]; or `Err` with where the blocks ended.
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi,avx512bitalg")]
    fn find(&self, b: &[u8], mut i: usize) -> Result<(usize, u64), usize> {
        while i + BLOCK <= b.len() {
            let cand = self.candidates(&b[i..i + BLOCK]);
            if cand != 0 {
                return Ok((i, cand));
            }
            i += 64;
        }
        Err(i)
    }

    /// Bit `k` set: byte `k` of `block` leads a two- or four-byte
    /// character, or a three-byte one whose bucket in its group's table
    /// holds a member (for a group of lead-only members, one followed by a
    /// lead of `next_ok`), or whose lead has no group.
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi,avx512bitalg")]
    #[inline]
    fn candidates(&self, block: &[u8]) -> u64 {
        assert!(block.len() >= BLOCK);
        let p = block.as_ptr();
        // SAFETY: BLOCK bytes are readable from `p`.
        let b0 = unsafe { _mm512_loadu_si512(p.cast()) };
        let lead = _mm512_cmpge_epu8_mask(b0, _mm512_set1_epi8(0xC0u8 as i8));
        if lead == 0 {
            return 0;
        }
        // SAFETY: as above.
        let (b1, b2, b3) = unsafe {
            (
                _mm512_loadu_si512(p.add(1).cast()),
                _mm512_loadu_si512(p.add(2).cast()),
                _mm512_loadu_si512(p.add(3).cast()),
            )
        };
        let low6 = _mm512_set1_epi8(0x3F);
        // the low six bits of the second byte, under the group's high bits
        let g = _mm512_permutexvar_epi8(b0, self.lead_group);
        let idx = _mm512_ternarylogic_epi32::<0xCA>(low6, b1, g);
        // Three two-table lookups, each merged into what the last left
        // (the index, where none has written): groups 2–3 (index bit 7),
        // 4–5 (bit 5 of `g`), then 0–1 in the lanes left.
        let (in23, in45) = (
            _mm512_movepi8_mask(idx),
            _mm512_test_epi8_mask(g, _mm512_set1_epi8(0x20)),
        );
        let t = &self.groups;
        let x = _mm512_mask2_permutex2var_epi8(t[2], idx, in23, t[3]);
        let x = _mm512_mask2_permutex2var_epi8(t[4], x, in45, t[5]);
        let bytes = _mm512_mask2_permutex2var_epi8(t[0], x, !(in23 | in45), t[1]);
        // the bucket bit of the third byte, by the fold of the group's parity
        let bucket_idx = _mm512_ternarylogic_epi32::<0xCA>(low6, b2, idx);
        let bucket = _mm512_permutex2var_epi8(self.bucket_bits[0], bucket_idx, self.bucket_bits[1]);
        // lanes whose lead has a group, less those of a lead-only group
        // whose next lead is not in `next_ok`
        let grouped = _mm512_mask_bitshuffle_epi64_mask(lead, self.grouped, b0);
        let lead_only = _mm512_bitshuffle_epi64_mask(self.grouped_lead_only, b0);
        let not_next = _mm512_mask_bitshuffle_epi64_mask(lead_only, self.not_next, b3);
        let hit = _mm512_mask_test_epi8_mask(grouped & !not_next, bytes, bucket);
        _mm512_mask_bitshuffle_epi64_mask(lead, self.always, b0) | hit
    }
}
