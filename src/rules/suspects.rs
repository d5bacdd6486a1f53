//! The fast scan behind the mojibake gate: the first character that could
//! start mojibake. Clean Chinese text is nearly all three-byte characters
//! (Han, CJK punctuation), and only a few hundred of them can start a match,
//! so the scan tests each three-byte character against a 64 Ki-bit set.
//!
//! With AVX-512 VBMI the test runs on 64 bytes at once: a table lookup by a
//! character's first two bytes and the bucket of its third ([`BUCKET`]) finds
//! the characters whose bucket holds a member (about one Han character in
//! eighty), and only those are tested one by one. Elsewhere a portable loop
//! tests two characters per step. Both give the same answer (a test checks).

use crate::charclass::BmpSet;

const HI: u64 = 0x8080_8080_8080_8080;

/// The bucket (0–7) of a three-byte character by the low six bits of its last
/// byte. Neighbouring code points (bits 3–5) would put a rare mojibake starter
/// beside common characters: 5.5 % of the Han characters in Chinese text
/// would be tested one by one. This fold, fitted to general character
/// frequencies (`scripts/bucket_map.py`, jieba's word list), leaves about
/// 1.2 % of them (measured on the seed dump and the eval corpus too).
const BUCKET: [u8; 64] = [
    0, 6, 6, 7, 0, 0, 7, 7, 1, 1, 0, 6, 1, 7, 0, 3, //
    5, 7, 3, 2, 5, 0, 0, 4, 3, 7, 3, 5, 7, 3, 3, 3, //
    5, 4, 4, 4, 4, 6, 4, 7, 4, 1, 7, 5, 6, 2, 5, 5, //
    2, 1, 4, 1, 2, 0, 5, 0, 6, 1, 0, 2, 7, 7, 2, 7, //
];

pub struct SuspectScan {
    /// Three-byte characters that can start a match.
    set: BmpSet,
    /// Those of them that start one only before a character of `after_lead`
    /// or a space: the lead characters of single-byte code pages, such as
    /// MacRoman's `“` `”` `—`, everyday punctuation in Chinese.
    lead_only: BmpSet,
    /// What may follow a lead character in a match (continuation characters,
    /// never Han or CJK punctuation: `”，` is everyday Chinese).
    after_lead: BmpSet,
    /// By lead byte's low nibble, then first continuation's low six bits: bit
    /// `g` says whether a member's third byte falls in bucket `g` ([`BUCKET`]).
    groups: Box<[[u8; 64]; 16]>,
    /// `1 << BUCKET[k]`, a table for the SIMD lookup.
    bucket_bits: [u8; 64],
    simd: bool,
}

impl SuspectScan {
    pub fn new(set: BmpSet, lead_only: BmpSet, after_lead: BmpSet) -> Self {
        let mut groups = Box::new([[0u8; 64]; 16]);
        for nibble in 0..16u16 {
            for first in 0..64u16 {
                for third in 0..64u16 {
                    if set.contains_bmp((nibble << 12) | (first << 6) | third) {
                        let n = nibble as usize;
                        groups[n][first as usize] |= 1 << BUCKET[third as usize];
                    }
                }
            }
        }
        SuspectScan {
            set,
            lead_only,
            after_lead,
            groups,
            bucket_bits: BUCKET.map(|g| 1 << g),
            simd: simd_available(),
        }
    }

    /// The same scan without SIMD (to test one against the other).
    #[cfg(test)]
    pub fn set_portable(&mut self) {
        self.simd = false;
    }

    /// The first lead byte at or after `i` of a character that can start a
    /// match: any two- or four-byte character, and the three-byte characters in
    /// the set (those in `lead_only` only where the next character lets them).
    /// `b` is valid UTF-8; `i` may fall inside a character.
    pub fn next(&self, b: &[u8], mut i: usize) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        if self.simd {
            // SAFETY: `simd` is only set when the CPU has these features.
            match unsafe { avx512::next(self, b, i) } {
                Ok(p) => return Some(p),
                Err(rest) => i = rest,
            }
        }
        self.next_portable(b, i)
    }

    /// Is the character at lead byte `p`, a candidate of the SIMD scan, one?
    #[inline]
    fn wanted(&self, b: &[u8], p: usize) -> bool {
        b[p] & 0xF0 != 0xE0 || self.member(b, p) && self.confirm(b, p)
    }

    /// Is the three-byte character at `p` in the set?
    #[inline]
    fn member(&self, b: &[u8], p: usize) -> bool {
        self.set.contains_bmp(code3(b, p))
    }

    /// Can the member at `p` start a match, given the character after it?
    #[inline]
    fn confirm(&self, b: &[u8], p: usize) -> bool {
        if !self.lead_only.contains_bmp(code3(b, p)) {
            return true;
        }
        let q = p + 3;
        match b.get(q) {
            None => false,
            Some(&c) if c < 0x80 => c == b' ',
            Some(&c) if c < 0xE0 => {
                let u = (u16::from(c & 0x1F) << 6) | u16::from(b[q + 1] & 0x3F);
                self.after_lead.contains_bmp(u)
            }
            Some(&c) if c < 0xF0 => self.after_lead.contains_bmp(code3(b, q)),
            // no code page maps a character beyond the BMP
            Some(_) => false,
        }
    }

    /// ASCII eight bytes at a time, three-byte characters two at a time, each
    /// with one bit test and no data-dependent branch.
    fn next_portable(&self, b: &[u8], mut i: usize) -> Option<usize> {
        let n = b.len();
        // the bit of the three-byte character at bit `s` of `w`
        let test = |w: u64, s: u32| -> u64 {
            let word = (((w >> s) & 0x0F) << 6) | ((w >> (s + 8)) & 0x3F);
            (self.set.word(word as usize) >> ((w >> (s + 16)) & 0x3F)) & 1
        };
        while i + 8 <= n {
            let w = u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
            if w & HI == 0 {
                i += 8;
                continue;
            }
            match b[i] {
                0x00..=0xBF => i += 1,
                0xE0..=0xEF if w & 0xF000_00F0 == 0xE000_00E0 => {
                    if test(w, 0) | test(w, 24) == 0 {
                        i += 6;
                        continue;
                    }
                    if test(w, 0) != 0 && self.confirm(b, i) {
                        return Some(i);
                    }
                    i += 3;
                }
                0xE0..=0xEF => {
                    if test(w, 0) != 0 && self.confirm(b, i) {
                        return Some(i);
                    }
                    i += 3;
                }
                // two- and four-byte characters: rare in Chinese text
                _ => return Some(i),
            }
        }
        while i < n {
            match b[i] {
                0x00..=0xBF => i += 1,
                0xE0..=0xEF => {
                    if self.member(b, i) && self.confirm(b, i) {
                        return Some(i);
                    }
                    i += 3;
                }
                _ => return Some(i),
            }
        }
        None
    }
}

/// The code point of the three-byte character at `p`.
#[inline]
fn code3(b: &[u8], p: usize) -> u16 {
    (u16::from(b[p] & 0x0F) << 12) | (u16::from(b[p + 1] & 0x3F) << 6) | u16::from(b[p + 2] & 0x3F)
}

fn simd_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        is_x86_feature_detected!("avx512f")
            && is_x86_feature_detected!("avx512bw")
            && is_x86_feature_detected!("avx512vbmi")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::SuspectScan;
    use std::arch::x86_64::*;

    /// [`SuspectScan::next`] over whole 64-byte blocks from `i`: `Ok` with the
    /// first wanted character, or `Err` with where the blocks ended.
    ///
    /// # Safety
    /// The CPU must have AVX-512 F, BW and VBMI.
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    pub unsafe fn next(scan: &SuspectScan, b: &[u8], mut i: usize) -> Result<usize, usize> {
        while i + 66 <= b.len() {
            // SAFETY: the caller vouches for the CPU.
            let mut cand = unsafe { candidates(&b[i..i + 66], &scan.groups, &scan.bucket_bits) };
            while cand != 0 {
                let p = i + cand.trailing_zeros() as usize;
                if scan.wanted(b, p) {
                    return Ok(p);
                }
                cand &= cand - 1;
            }
            i += 64;
        }
        Err(i)
    }

    /// Lead bytes E2–E9 and EE–EF, by pairs (bits 1–3 of the lead): CJK
    /// punctuation, Han, fullwidth forms. Three-byte characters with other
    /// leads are rare in Chinese text and are all tested one by one.
    const PAIRS: [usize; 5] = [1, 2, 3, 4, 7];

    /// Bit `k` set: byte `k` of `block` (66 bytes: 64 and two to look ahead)
    /// leads a two- or four-byte character, or a three-byte one whose bucket
    /// in `groups` holds a member (or whose lead is not in [`PAIRS`]).
    ///
    /// # Safety
    /// The CPU must have AVX-512 F, BW and VBMI.
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    #[inline]
    unsafe fn candidates(block: &[u8], groups: &[[u8; 64]; 16], bucket_bits: &[u8; 64]) -> u64 {
        assert!(block.len() >= 66);
        let p = block.as_ptr();
        // SAFETY: 66 bytes are readable from `p`.
        let (b0, b1, b2) = unsafe {
            (
                _mm512_loadu_si512(p.cast()),
                _mm512_loadu_si512(p.add(1).cast()),
                _mm512_loadu_si512(p.add(2).cast()),
            )
        };
        let lead = _mm512_cmpge_epu8_mask(b0, _mm512_set1_epi8(0xC0u8 as i8));
        if lead == 0 {
            return 0;
        }
        let three = _mm512_cmpeq_epi8_mask(
            _mm512_and_si512(b0, _mm512_set1_epi8(0xF0u8 as i8)),
            _mm512_set1_epi8(0xE0u8 as i8),
        );
        // table index: the lead's lowest bit picks one of a pair of tables,
        // then the first continuation's low six bits
        let idx = _mm512_or_si512(
            _mm512_and_si512(b1, _mm512_set1_epi8(0x3F)),
            _mm512_and_si512(_mm512_slli_epi16::<6>(b0), _mm512_set1_epi8(0x40)),
        );
        // the lead's other three low bits pick the pair
        let pair = _mm512_and_si512(b0, _mm512_set1_epi8(0x0E));
        let mut bytes = _mm512_setzero_si512();
        let mut covered = 0u64;
        for k in PAIRS {
            let mine = _mm512_cmpeq_epi8_mask(pair, _mm512_set1_epi8(2 * k as i8));
            // SAFETY: each table is 64 bytes.
            let (even, odd) = unsafe {
                (
                    _mm512_loadu_si512(groups[2 * k].as_ptr().cast()),
                    _mm512_loadu_si512(groups[2 * k + 1].as_ptr().cast()),
                )
            };
            bytes = _mm512_mask_mov_epi8(bytes, mine, _mm512_permutex2var_epi8(even, idx, odd));
            covered |= mine;
        }
        // the bit: the bucket of the third byte's low six bits (the lookup
        // reads only the low six bits of each index byte)
        // SAFETY: the table is 64 bytes.
        let buckets = unsafe { _mm512_loadu_si512(bucket_bits.as_ptr().cast()) };
        let hit = _mm512_test_epi8_mask(bytes, _mm512_permutexvar_epi8(b2, buckets));
        (three & (hit | !covered)) | (lead & !three)
    }
}
