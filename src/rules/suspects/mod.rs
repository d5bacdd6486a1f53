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
mod avx512;

#[cfg(target_arch = "x86_64")]
mod avx2;

#[cfg(test)]
mod tests;
