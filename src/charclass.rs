//! Character classes shared by the stages: what counts as Han, as a Latin "word"
//! character, and which Han characters are common (GB2312 level 1, Big5 frequent).
//! Tables are built once from encoding_rs, so no hand-typed character lists.

use std::sync::OnceLock;

/// A 64 Ki-bit set over the Basic Multilingual Plane.
pub struct BmpSet {
    bits: Box<[u64; 1024]>,
}

impl BmpSet {
    pub fn empty() -> Self {
        BmpSet {
            bits: Box::new([0u64; 1024]),
        }
    }
    pub fn union_with(&mut self, other: &BmpSet) {
        for (a, b) in self.bits.iter_mut().zip(other.bits.iter()) {
            *a |= *b;
        }
    }
    pub fn insert(&mut self, c: char) {
        let u = c as u32;
        if u < 0x10000 {
            self.bits[(u >> 6) as usize] |= 1u64 << (u & 63);
        }
    }
    #[inline]
    pub fn contains(&self, c: char) -> bool {
        let u = c as u32;
        u < 0x10000 && self.contains_bmp(u as u16)
    }
    /// Word `k` of the set: code points `64k..64k+64`, lowest bit first.
    #[inline]
    pub fn word(&self, k: usize) -> u64 {
        self.bits[k]
    }
    /// Membership of a BMP code point given as a number (no `char` needed).
    #[inline]
    pub fn contains_bmp(&self, u: u16) -> bool {
        self.bits[(u >> 6) as usize] & (1u64 << (u & 63)) != 0
    }
}

fn decode_pairs(
    enc: &'static encoding_rs::Encoding,
    leads: std::ops::RangeInclusive<u8>,
    trails: &[std::ops::RangeInclusive<u8>],
    set: &mut BmpSet,
) {
    for lead in leads {
        for tr in trails {
            for trail in tr.clone() {
                let bytes = [lead, trail];
                let (s, had_errors) = enc.decode_without_bom_handling(&bytes);
                if !had_errors {
                    let mut it = s.chars();
                    if let (Some(c), None) = (it.next(), it.next()) {
                        set.insert(c);
                    }
                }
            }
        }
    }
}

/// Han characters in everyday use: GB2312 level 1 (simplified) and Big5's
/// frequently-used block (traditional).
pub fn common_han() -> &'static BmpSet {
    static SET: OnceLock<BmpSet> = OnceLock::new();
    SET.get_or_init(|| {
        let mut set = BmpSet::empty();
        decode_pairs(encoding_rs::GBK, 0xB0..=0xD7, &[0xA1..=0xFE], &mut set);
        decode_pairs(
            encoding_rs::BIG5,
            0xA4..=0xC6,
            &[0x40..=0x7E, 0xA1..=0xFE],
            &mut set,
        );
        set
    })
}

/// Simplified Han in everyday use (GB2312 level 1): the yardstick for GBK mojibake.
pub fn common_simplified() -> &'static BmpSet {
    static SET: OnceLock<BmpSet> = OnceLock::new();
    SET.get_or_init(|| {
        let mut set = BmpSet::empty();
        decode_pairs(encoding_rs::GBK, 0xB0..=0xD7, &[0xA1..=0xFE], &mut set);
        set
    })
}

/// Characters that UTF-8 text read as GBK produces first in a run: the GBK
/// characters whose lead byte is a UTF-8 lead byte of CJK text or punctuation
/// (0xE2–0xE9, 0xEF). Clean text rarely holds them; they gate the repair.
pub fn gbk_mojibake_leads() -> &'static BmpSet {
    static SET: OnceLock<BmpSet> = OnceLock::new();
    SET.get_or_init(|| {
        let mut set = BmpSet::empty();
        for lead in (0xE2u8..=0xE9).chain(std::iter::once(0xEF)) {
            decode_pairs(
                encoding_rs::GBK,
                lead..=lead,
                &[0x40..=0x7E, 0x80..=0xFE],
                &mut set,
            );
        }
        set
    })
}

/// CJK Unified Ideographs, the block everyday Chinese text is written in.
pub const CJK_UNIFIED: std::ops::RangeInclusive<u32> = 0x4E00..=0x9FFF;

#[inline]
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// CJK punctuation and full-width forms that Chinese prose uses.
#[inline]
pub fn is_cjk_punct(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65
        | 0x2014 | 0x2018 | 0x2019 | 0x201C | 0x201D | 0x2026 | 0x00B7 | 0x2022)
}

/// A letter or digit that belongs to an alphabetic word: ASCII, Latin with
/// diacritics, Greek, Cyrillic, full-width Latin. Han characters are not.
#[inline]
pub fn is_latin_wordish(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    let u = c as u32;
    if (0xFF10..=0xFF19).contains(&u)
        || (0xFF21..=0xFF3A).contains(&u)
        || (0xFF41..=0xFF5A).contains(&u)
    {
        return true;
    }
    u < 0x2E80 && c.is_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_hold_what_they_claim() {
        let common = common_simplified();
        for c in "的一是在不了有和人这中大为上个国我以要他党员年度重点工作".chars()
        {
            assert!(common.contains(c), "{c} should be common");
        }
        for c in "鍏氬憳骞閲嶇偣".chars() {
            assert!(!common.contains(c), "{c} should not be common simplified");
        }
        assert!(common_han().contains('國'));
        let leads = gbk_mojibake_leads();
        assert!(leads.contains('鍏') && leads.contains('锛') && leads.contains('涓'));
        assert!(!leads.contains('的'));
    }

    #[test]
    fn latin_wordish_excludes_han() {
        assert!(
            is_latin_wordish('E')
                && is_latin_wordish('Ä')
                && is_latin_wordish('ř')
                && is_latin_wordish('３')
        );
        assert!(!is_latin_wordish('党') && !is_latin_wordish('、') && !is_latin_wordish('（'));
    }
}
