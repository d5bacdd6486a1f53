//! Which script a repaired character belongs to, for judging a repair.

use crate::charclass::{is_cjk_punct, is_han};

/// The scripts a single-byte repair is judged by: a repaired letter of one
/// of them needs a neighbour of the same script (or, for Han, company).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Script {
    Greek,
    Cyrillic,
    Hebrew,
    Arabic,
    Hangul,
    Han,
    Thai,
    Devanagari,
    /// Latin, punctuation, symbols: judged by other checks.
    Other,
}

impl Script {
    pub fn of(c: char) -> Script {
        match c as u32 {
            0x0370..=0x03FF => Script::Greek,
            0x0400..=0x04FF => Script::Cyrillic,
            0x0590..=0x05FF => Script::Hebrew,
            0x0600..=0x06FF => Script::Arabic,
            0xAC00..=0xD7AF => Script::Hangul,
            0x3400..=0x9FFF => Script::Han,
            0x0E00..=0x0E7F => Script::Thai,
            0x0900..=0x097F => Script::Devanagari,
            _ => Script::Other,
        }
    }
}

/// Han, CJK punctuation, kana, Hangul or a fullwidth form: what UTF-8 read
/// as GBK decodes back to.
pub(super) fn is_cjkish(c: char) -> bool {
    is_han(c)
        || is_cjk_punct(c)
        || matches!(c as u32, 0x3040..=0x30FF | 0xAC00..=0xD7AF | 0xFF00..=0xFFEF)
}

/// Scripts whose letters a single-byte fix may produce.
pub(super) fn allowed_single_byte_result(c: char) -> bool {
    let u = c as u32;
    matches!(u,
        0x00A0..=0x00FF      // Latin-1
        | 0x0100..=0x017F    // Latin Extended-A
        | 0x0370..=0x03FF    // Greek
        | 0x0400..=0x045F    // Cyrillic
        | 0x05D0..=0x05EA    // Hebrew letters
        | 0x0621..=0x064A    // Arabic letters
        | 0x0900..=0x0DFF    // Indic
        | 0x0E00..=0x0E7F    // Thai
        | 0x1E00..=0x1EFF    // Latin Extended Additional (Vietnamese)
        | 0x2010..=0x205F    // punctuation
        | 0x20A0..=0x20CF    // currency
        | 0x2100..=0x2BFF    // symbols, arrows, math, dingbats
        | 0x02C6..=0x02DD    // spacing accents (˛ ˜ ˝)
        | 0x0300..=0x036F    // combining marks (strike-through, accents)
        | 0x3000..=0x9FFF | 0xAC00..=0xD7AF | 0xFF00..=0xFFEF
        | 0xFB00..=0xFB06    // Latin ligatures (ﬁ)
        | 0x1F000..=0x1FAFF)
}
