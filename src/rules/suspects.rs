//! The fast scan behind the mojibake gate: the first character that could
//! start mojibake. Clean Chinese text is nearly all three-byte characters
//! (Han, CJK punctuation), and only a few hundred of them can start a match,
//! so the scan tests each three-byte character against a 64 Ki-bit set.
//!
//! With AVX-512 (VBMI and BITALG) the test runs on 64 bytes at once. Each lead
//! byte under which the set has members gets a table of its own ([`Tables`]):
//! by a character's second byte, eight bits, one per bucket of its third byte
//! ([`BUCKETS`]). The characters whose bucket holds a member (about one Han
//! character in 170) are tested one by one.
//!
//! With AVX2 the shuffles look up 16 entries, not 64, and tables that size
//! would take some twenty of them per block. So the AVX2 scan asks two
//! coarser questions of 32 bytes at once ([`Avx2Tables`]): does a member of
//! the lead's group share the character's second byte, and does one share its
//! third? About one Han character in eleven passes both; the candidates of a
//! few blocks are gathered, then tested one by one, so that no branch waits
//! on each block. Elsewhere a portable loop tests two characters per step.
//! All give the same answer (tests check).

use crate::charclass::BmpSet;

const HI: u64 = 0x8080_8080_8080_8080;

/// How the SIMD scan folds the low six bits of a three-byte character's last
/// byte into eight buckets: one fold for the tables of even groups, one for
/// odd ([`Tables`]). Neighbouring code points (bits 3-5) would put a rare
/// mojibake starter beside common characters: 5.1 % of the Han characters in
/// Chinese text would be tested one by one. These folds, fitted to general
/// character frequencies (`scripts/bucket_map.py`, jieba's word list), leave
/// about 0.6 % of them (measured on the seed dump and the eval corpus too).
const BUCKETS: [[u8; 64]; 2] = [
    [
        4, 1, 1, 1, 0, 2, 0, 3, 3, 2, 3, 1, 5, 3, 1, 3, //
        7, 0, 2, 0, 7, 7, 0, 2, 6, 3, 6, 6, 3, 3, 2, 3, //
        2, 5, 3, 3, 4, 4, 4, 3, 5, 0, 5, 6, 2, 6, 6, 7, //
        6, 2, 2, 3, 5, 4, 2, 5, 0, 5, 2, 5, 0, 5, 6, 0, //
    ],
    [
        6, 5, 0, 7, 6, 0, 5, 3, 1, 2, 0, 2, 1, 1, 6, 7, //
        0, 4, 1, 3, 4, 2, 7, 2, 6, 0, 3, 7, 7, 5, 3, 0, //
        4, 7, 6, 4, 0, 7, 2, 4, 0, 2, 5, 4, 6, 7, 0, 7, //
        4, 5, 2, 1, 5, 0, 0, 6, 0, 0, 2, 7, 7, 5, 7, 7, //
    ],
];

/// Tables of the SIMD scan. Lead bytes are indexed by their low six bits,
/// which tell the leads (C0–F7) apart.
#[repr(C, align(64))]
struct Tables {
    /// Group `k`, by a character's second byte (low six bits): bit `b` says
    /// whether a member's third byte falls in bucket `b` (fold `k & 1`).
    groups: [[u8; 64]; GROUPS],
    /// `1 << BUCKETS[f][k]`.
    bucket_bits: [[u8; 64]; 2],
    /// By lead: the table index's high bits for its group `k` (bit 6: `k & 1`,
    /// bit 7: `k` in 2–3), and bit 5: `k` in 4–5.
    lead_group: [u8; 64],
    /// Leads whose characters are all candidates: two- and four-byte
    /// characters, and three-byte leads left without a group.
    always: u64,
    /// Leads with a group.
    grouped: u64,
    /// Those of them whose members are all `lead_only`: candidates only
    /// before a lead of `next_ok`.
    grouped_lead_only: u64,
    /// The lead bytes of `after_lead` characters, and the space.
    next_ok: u64,
}

/// Six tables: three two-table lookups. Group 5 holds the leads whose
/// members are all lead-only (`“ ”` and the like, E2); groups 0–4 the others
/// (Han, E5–E9), one lead each.
const GROUPS: usize = 6;
const LEAD_ONLY_GROUP: usize = 5;

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
    tables: Box<Tables>,
    /// The set for the AVX2 scan; `None` where it does not fit.
    avx2_tables: Option<Box<Avx2Tables>>,
    kernel: Kernel,
}

/// Which scan runs: the widest the CPU has and the tables allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// 64 bytes at a time, a bucket of the third byte per second byte.
    Avx512,
    /// 32 bytes at a time, the second and third bytes each on their own.
    Avx2,
    /// Two characters at a time.
    Portable,
}

impl SuspectScan {
    pub fn new(set: BmpSet, lead_only: BmpSet, after_lead: BmpSet) -> Self {
        let mut t = Box::new(Tables {
            groups: [[0; 64]; GROUPS],
            bucket_bits: BUCKETS.map(|f| f.map(|b| 1 << b)),
            lead_group: [0; 64],
            // two-byte leads C0–DF and four-byte leads F0–F7
            always: 0xFFFF_FFFF | 0xFF << 0x30,
            grouped: 0,
            grouped_lead_only: 0,
            next_ok: 1 << (b' ' & 63),
        });
        let mut n = Avx2Tables {
            rows: [[0; 16]; 3],
            cols: [[0; 16]; 3],
            nibbles: [[0; 16]; 3],
        };
        let mut next_group = 0;
        for lead in 0xE0u16..=0xEF {
            let base = (lead & 0x0F) << 12;
            let members: Vec<u16> = (base..=base | 0x0FFF)
                .filter(|&u| set.contains_bmp(u))
                .collect();
            if members.is_empty() {
                continue;
            }
            let bit = 1u64 << (lead & 63);
            let k = if members.iter().all(|&u| lead_only.contains_bmp(u)) {
                t.grouped_lead_only |= bit;
                LEAD_ONLY_GROUP
            } else if next_group < LEAD_ONLY_GROUP {
                next_group += 1;
                next_group - 1
            } else {
                t.always |= bit;
                continue;
            };
            t.grouped |= bit;
            t.lead_group[usize::from(lead & 63)] =
                ((k as u8 & 1) << 6) | (u8::from(k / 2 == 1) << 7) | (u8::from(k / 2 == 2) << 5);
            let l = usize::from(lead & 0x0F);
            n.nibbles[k / 2][l] = 0x0F << (4 * (k & 1));
            for u in members {
                // the low six bits of the second and third bytes
                let (b1, b2) = ((u >> 6) & 63, u & 63);
                t.groups[k][usize::from(b1)] |= 1 << BUCKETS[k & 1][usize::from(b2)];
                n.rows[k / 2][usize::from(b1 & 15)] |= 1 << (4 * (k & 1) + usize::from(b1 >> 4));
                n.cols[k / 2][usize::from(b2 & 15)] |= 1 << (4 * (k & 1) + usize::from(b2 >> 4));
            }
        }
        for c in (0x80..=0xFFFF).filter_map(char::from_u32) {
            if after_lead.contains(c) {
                let lead = c.encode_utf8(&mut [0; 4]).as_bytes()[0];
                t.next_ok |= 1 << (lead & 63);
            }
        }
        // The AVX2 scan runs only where every three-byte lead with members
        // has a group (as with the built-in rule); else it would have to
        // take all the characters of the others, as the AVX-512 scan does.
        let avx2_tables = (t.always >> 0x20 & 0xFFFF == 0).then(|| Box::new(n));
        let kernel = Kernel::best(avx2_tables.is_some());
        SuspectScan {
            set,
            lead_only,
            after_lead,
            tables: t,
            avx2_tables,
            kernel,
        }
    }

    /// Which scan runs.
    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// Run another scan, if this CPU has it (to test one against another,
    /// and measure each).
    pub fn set_kernel(&mut self, k: Kernel) -> bool {
        let ok = Kernel::available(self.avx2_tables.is_some()).contains(&k);
        if ok {
            self.kernel = k;
        }
        ok
    }

    /// The first lead byte at or after `i` of a character that can start a
    /// match: any two- or four-byte character, and the three-byte characters in
    /// the set (those in `lead_only` only where the next character lets them).
    /// `b` is valid UTF-8; `i` may fall inside a character.
    pub fn next(&self, b: &[u8], mut i: usize) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: `kernel` is only set to a scan the CPU has, and to
            // `Avx2` only with its tables.
            let r = match (self.kernel, &self.avx2_tables) {
                (Kernel::Avx512, _) => unsafe { avx512::next(self, b, i) },
                (Kernel::Avx2, Some(n)) => unsafe { avx2::next(self, n, b, i) },
                _ => Err(i),
            };
            match r {
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

impl Kernel {
    /// The scans this CPU has, widest first (AVX2 only where the set fits
    /// its tables).
    fn available(avx2_tables: bool) -> Vec<Kernel> {
        let mut v = Vec::new();
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx512f")
                && is_x86_feature_detected!("avx512bw")
                && is_x86_feature_detected!("avx512vbmi")
                && is_x86_feature_detected!("avx512bitalg")
            {
                v.push(Kernel::Avx512);
            }
            if avx2_tables
                && is_x86_feature_detected!("avx2")
                && is_x86_feature_detected!("bmi1")
                && is_x86_feature_detected!("popcnt")
            {
                v.push(Kernel::Avx2);
            }
        }
        let _ = avx2_tables;
        v.push(Kernel::Portable);
        v
    }

    /// The widest, unless `DOCCLEAN_SCAN` names a narrower one (`avx2`,
    /// `portable`): to measure each, or to step around a fault in one.
    fn best(avx2_tables: bool) -> Kernel {
        let asked = std::env::var("DOCCLEAN_SCAN").ok();
        Self::choose(&Self::available(avx2_tables), asked.as_deref())
    }

    /// The scan `asked` for where `have` holds it, else the first of `have`.
    fn choose(have: &[Kernel], asked: Option<&str>) -> Kernel {
        let asked = match asked {
            Some("avx2") => Some(Kernel::Avx2),
            Some("portable") => Some(Kernel::Portable),
            _ => None,
        };
        asked.filter(|k| have.contains(k)).unwrap_or(have[0])
    }
}

/// Tables of the AVX2 scan, with the groups of [`Tables`]. By the low nibble
/// of a character's second byte (`rows`) or third (`cols`): byte `k` holds
/// groups `2k` (low nibble) and `2k + 1` (high nibble), with a bit for each
/// value of that byte's bits 4–5 at which the group has a member.
struct Avx2Tables {
    rows: [[u8; 16]; 3],
    cols: [[u8; 16]; 3],
    /// By lead (low nibble), for each byte of `rows` and `cols`: its group's
    /// nibble, where the group is in that byte.
    nibbles: [[u8; 16]; 3],
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
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
            let bucket =
                _mm512_permutex2var_epi8(self.bucket_bits[0], bucket_idx, self.bucket_bits[1]);
            // lanes whose lead has a group, less those of a lead-only group
            // whose next lead is not in `next_ok`
            let grouped = _mm512_mask_bitshuffle_epi64_mask(lead, self.grouped, b0);
            let lead_only = _mm512_bitshuffle_epi64_mask(self.grouped_lead_only, b0);
            let not_next = _mm512_mask_bitshuffle_epi64_mask(lead_only, self.not_next, b3);
            let hit = _mm512_mask_test_epi8_mask(grouped & !not_next, bytes, bucket);
            _mm512_mask_bitshuffle_epi64_mask(lead, self.always, b0) | hit
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Members under the three-byte leads given, those under E2 and EF
    /// lead-only, and what may follow a lead.
    fn sets(leads: &[u32]) -> (BmpSet, BmpSet, BmpSet) {
        let (mut set, mut lead_only, mut after) =
            (BmpSet::empty(), BmpSet::empty(), BmpSet::empty());
        let mut x = 12345u32;
        let mut rand = move || {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            x >> 8
        };
        for &lead in leads {
            for _ in 0..40 {
                let u = ((lead & 0x0F) << 12) | (rand() & 0x0FFF);
                let c = char::from_u32(u).unwrap_or('\u{3000}');
                set.insert(c);
                if matches!(lead, 0xE2 | 0xEF) {
                    lead_only.insert(c);
                }
            }
        }
        for c in "éÃ©Ð¸\u{85}\u{a0}—…€\u{fffd}".chars() {
            after.insert(c);
        }
        (set, lead_only, after)
    }

    /// Every member, and characters beside members, at every alignment in a
    /// block, before each kind of character: each scan this CPU has finds
    /// what the portable one finds. Eight leads are more than the SIMD
    /// tables have room for (the AVX-512 scan takes the rest whole, the
    /// AVX2 scan does not run); seven fit both.
    #[test]
    fn simd_scans_agree_with_portable() {
        let eight = [0xE2, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEF];
        let seven = [0xE2, 0xE4, 0xE5, 0xE6, 0xE7, 0xE9, 0xEF];
        let mut tried = Vec::new();
        for leads in [&eight[..], &seven[..]] {
            let scan = || {
                let (set, lead_only, after) = sets(leads);
                SuspectScan::new(set, lead_only, after)
            };
            let mut portable = scan();
            assert!(portable.set_kernel(Kernel::Portable));
            for k in [Kernel::Avx512, Kernel::Avx2] {
                let mut simd = scan();
                if simd.set_kernel(k) {
                    tried.push((leads.len(), k));
                    agree(&simd, &portable);
                }
            }
        }
        eprintln!("scans tried (leads, kernel): {tried:?}");
        #[cfg(target_arch = "x86_64")]
        if is_x86_feature_detected!("avx2") {
            assert!(tried.contains(&(7, Kernel::Avx2)), "{tried:?}");
            assert!(!tried.contains(&(8, Kernel::Avx2)), "{tried:?}");
        }
    }

    #[test]
    fn docclean_scan_picks_a_narrower_scan_the_cpu_has() {
        use Kernel::*;
        let all = [Avx512, Avx2, Portable];
        assert_eq!(Kernel::choose(&all, None), Avx512);
        assert_eq!(Kernel::choose(&all, Some("avx2")), Avx2);
        assert_eq!(Kernel::choose(&all, Some("portable")), Portable);
        assert_eq!(
            Kernel::choose(&all, Some("AVX2")),
            Avx512,
            "values are exact"
        );
        assert_eq!(Kernel::choose(&[Avx2, Portable], Some("avx512")), Avx2);
        assert_eq!(Kernel::choose(&[Portable], Some("avx2")), Portable);
    }

    fn agree(simd: &SuspectScan, portable: &SuspectScan) {
        let mut probes: Vec<char> = Vec::new();
        for u in 0x800u32..0x10000 {
            let Some(c) = char::from_u32(u) else { continue };
            // members, and their neighbours (same row, other buckets)
            if (0..4).any(|d| simd.set.contains_bmp((u ^ d) as u16)) {
                probes.push(c);
            }
        }
        // two-byte leads C2–DF, a four-byte one, and common Chinese
        probes.extend("·éЖש😍党，".chars());
        let after_probe = [' ', 'a', 'é', '—', '\u{fffd}', '党', '，', '。'];
        let filler = "中华人民共和国国务院关于进一步加强安全生产工作的决定。".repeat(3);
        let mut n = 0;
        for (k, &c) in probes.iter().enumerate() {
            let next = after_probe[k % after_probe.len()];
            let pad = k % 67;
            let s = format!(
                "{}{}{c}{next}{filler}",
                "x".repeat(pad),
                &filler[..3 * (k % 5)]
            );
            for i in [0, 1, pad] {
                let i = (i..=s.len()).find(|&i| s.is_char_boundary(i)).unwrap();
                assert_eq!(
                    simd.next(s.as_bytes(), i),
                    portable.next(s.as_bytes(), i),
                    "{:?}: {s:?} from {i}",
                    simd.kernel()
                );
                n += 1;
            }
        }
        assert!(n > 1000, "only {n} probes");
    }
}
