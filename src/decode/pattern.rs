//! A first glance at bytes that are not UTF-8: the double-byte pattern of
//! GBK or Big5 Chinese, when it is unmistakable, settles the encoding without
//! the statistical detector (which reads every byte through some thirty
//! models, the bulk of the cost of a small legacy file). One pass over a
//! bounded prefix, counting bytes; anything short of a clear pattern returns
//! `None` and the full detection decides.
//!
//! What makes a pattern clear:
//! - GBK Chinese is in the EUC form (lead and trail bytes both 0xA1–0xFE), as
//!   are EUC-KR and EUC-JP; Big5 puts about two trail bytes in five in
//!   0x40–0x7E. A share of such trails tells the two families apart.
//! - Among the EUC forms: Japanese writes kana (rows 0xA4/0xA5) in every
//!   sentence, Chinese almost never; Korean Hangul stops at row 0xC8 where the
//!   commonest Chinese characters go on to 0xD7 (pinyin `sh`–`z`), and Korean
//!   puts ASCII spaces between words.
//! - Chinese prose, in either encoding, uses its own full-width comma, full
//!   stop and enumeration comma, each encoding at its own codes.
//! - Not one byte out of place: a single-byte text (Cyrillic, Greek…) whose
//!   words of odd length leave a lead byte without a trail is never a match.

use encoding_rs::{Encoding, BIG5, GBK};

/// Double-byte characters a prefix needs before its pattern counts.
const MIN_PAIRS: usize = 64;

/// How much of the prefix is read: two thousand characters of Chinese are
/// plenty, and the decode that follows checks every byte of the file.
const LOOK: usize = 1024;

/// The counts one encoding's reading of the bytes yields.
#[derive(Default, Debug)]
struct Counts {
    /// Double-byte (and GB18030 four-byte) characters.
    pairs: usize,
    /// Lead bytes without a valid trail (counting stops at the first).
    invalid: usize,
    /// Trails below 0xA1 (outside the EUC form).
    low_trail: usize,
    /// Leads 0x81–0xA0 (GBK/3, Big5's HKSCS, Shift_JIS kana and kanji).
    low_lead: usize,
    /// Kana rows of the EUC forms (0xA4, 0xA5).
    kana: usize,
    /// Han rows 0xB0–0xF7, and of them 0xC9–0xF7.
    han: usize,
    han_late: usize,
    /// The encoding's full-width comma, full stop and enumeration comma.
    punct: usize,
    /// An ASCII space between two double-byte characters.
    spaced: usize,
}

/// The encoding the prefix's pattern names, if it is unmistakable. `whole`:
/// the prefix is all of the file (a character cut at its end is then a fault).
pub fn clear_pattern(prefix: &[u8], whole: bool) -> Option<&'static Encoding> {
    let whole = whole && prefix.len() <= LOOK;
    let prefix = &prefix[..prefix.len().min(LOOK)];
    // GBK gives up once more trails are low than a look could hold
    let gbk = count(prefix, whole, gbk_trail, GB_PUNCT, LOOK / 2 / 50);
    if is_gbk_chinese(&gbk) {
        return Some(GBK);
    }
    let big5 = count(prefix, whole, big5_trail, BIG5_PUNCT, usize::MAX);
    is_big5_chinese(&big5).then_some(BIG5)
}

fn is_gbk_chinese(c: &Counts) -> bool {
    c.pairs >= MIN_PAIRS
        && c.invalid == 0
        && c.low_trail * 50 <= c.pairs
        && c.kana * 100 <= c.pairs
        && c.han * 2 >= c.pairs
        && c.han_late * 5 >= c.han
        && c.spaced * 20 <= c.pairs
        && c.punct * 40 >= c.pairs
}

fn is_big5_chinese(c: &Counts) -> bool {
    c.pairs >= MIN_PAIRS
        && c.invalid == 0
        && c.low_trail * 100 >= c.pairs * 15
        && c.low_lead * 50 <= c.pairs
        && c.spaced * 20 <= c.pairs
        && c.punct * 40 >= c.pairs
}

/// GB's `，` `。` `、`.
const GB_PUNCT: [u16; 3] = [0xA3AC, 0xA1A3, 0xA1A2];
/// Big5's `，` `。` `、`.
const BIG5_PUNCT: [u16; 3] = [0xA141, 0xA143, 0xA142];

/// What follows a lead byte: a double-byte character, a GB18030 four-byte
/// one, or nothing valid.
enum Trail {
    Two,
    Four,
    Invalid,
}

fn gbk_trail(rest: &[u8]) -> Trail {
    match rest {
        [0x40..=0x7E | 0x80..=0xFE, ..] => Trail::Two,
        [t, l, d, ..] if t.is_ascii_digit() && matches!(l, 0x81..=0xFE) && d.is_ascii_digit() => {
            Trail::Four
        }
        _ => Trail::Invalid,
    }
}

fn big5_trail(rest: &[u8]) -> Trail {
    match rest {
        [0x40..=0x7E | 0xA1..=0xFE, ..] => Trail::Two,
        _ => Trail::Invalid,
    }
}

/// What a lead byte's row says, one class per lead (see [`Counts`]).
#[derive(Clone, Copy)]
#[repr(u8)]
enum Row {
    LowLead,
    Kana,
    Han,
    HanLate,
    Other,
}

const ROWS: [Row; 256] = {
    let mut rows = [Row::Other; 256];
    let mut b = 0x81;
    while b <= 0xFE {
        rows[b] = match b {
            0x81..=0xA0 => Row::LowLead,
            0xA4 | 0xA5 => Row::Kana,
            0xB0..=0xC8 => Row::Han,
            0xC9..=0xF7 => Row::HanLate,
            _ => Row::Other,
        };
        b += 1;
    }
    rows
};

/// Read the prefix as one double-byte encoding (its trails per `trail`) and
/// count, stopping early (the counts then fail) at an invalid byte or at more
/// than `max_low_trail` low trails.
fn count(
    bytes: &[u8],
    whole: bool,
    trail: impl Fn(&[u8]) -> Trail,
    punct: [u16; 3],
    max_low_trail: usize,
) -> Counts {
    let mut c = Counts::default();
    let mut rows = [0usize; 5];
    let mut i = 0;
    // the end of the last double-byte character, and whether an ASCII space
    // stands just after it
    let mut last_end = usize::MAX;
    let mut space_after_pair = false;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            space_after_pair = b == b' ' && i == last_end;
            i += 1;
            continue;
        }
        if !(0x81..=0xFE).contains(&b) {
            c.invalid += 1;
            break;
        }
        let rest = &bytes[i + 1..];
        let step = match trail(rest) {
            Trail::Two => 2,
            Trail::Four => 4,
            // a character cut by the end of a prefix is no fault
            Trail::Invalid if !whole && rest.len() < 3 => break,
            Trail::Invalid => {
                c.invalid += 1;
                break;
            }
        };
        c.pairs += 1;
        c.spaced += usize::from(space_after_pair);
        space_after_pair = false;
        if step == 2 {
            let t = rest[0];
            c.low_trail += usize::from(t < 0xA1);
            if c.low_trail > max_low_trail {
                break;
            }
            rows[ROWS[usize::from(b)] as usize] += 1;
            if b == 0xA1 || b == 0xA3 {
                c.punct += usize::from(punct.contains(&u16::from_be_bytes([b, t])));
            }
        }
        i += step;
        last_end = i;
    }
    c.low_lead = rows[Row::LowLead as usize];
    c.kana = rows[Row::Kana as usize];
    c.han_late = rows[Row::HanLate as usize];
    c.han = rows[Row::Han as usize] + c.han_late;
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(enc: &'static Encoding, text: &str) -> Vec<u8> {
        let (b, _, lossy) = enc.encode(text);
        assert!(!lossy, "{} cannot write the text", enc.name());
        b.into_owned()
    }

    const SIMPLIFIED: &str = "一年来，在区委、区政府的正确领导下，我们坚持以人民为中心的发展思想，\
        围绕中心工作，广泛开展文明实践活动，着力提高全社会文明程度。持续开展重污染天气应急减排工作，\
        完成燃煤锅炉超低排放改造，空气质量明显改善。受理劳动争议案件二百余件，调解率达到六成以上。\n";
    const TRADITIONAL: &str = "我們這個時代的年輕人，對於國家的未來有著不同的想法。\
        他們說，經濟發展與環境保護應該同時進行，政府也必須聽取民眾的聲音。\
        會議結束以後，大家都認為這是一次很有意義的討論，來年還要再辦。\n";

    #[test]
    fn chinese_prose_in_gbk_and_big5_is_clear() {
        let gbk = encode(GBK, &SIMPLIFIED.repeat(2));
        assert_eq!(clear_pattern(&gbk, true), Some(GBK));
        let big5 = encode(BIG5, &TRADITIONAL.repeat(2));
        assert_eq!(clear_pattern(&big5, true), Some(BIG5));
        // a prefix that cuts a character is no fault; the whole file cut so is
        let cut = &gbk[..gbk.len() - 2];
        assert_eq!(clear_pattern(&cut[..cut.len() - 1], false), Some(GBK));
    }

    #[test]
    fn too_little_or_one_byte_out_of_place_is_not_clear() {
        assert_eq!(clear_pattern(&encode(GBK, "一年来，区委。"), true), None);
        let mut gbk = encode(GBK, &SIMPLIFIED.repeat(2));
        gbk.insert(40, 0xC4);
        gbk.insert(41, b' ');
        assert_eq!(clear_pattern(&gbk, true), None);
    }

    #[test]
    fn korean_japanese_and_alphabets_are_left_to_the_detector() {
        let korean = "오늘 회의에서는 내년 예산과 새로운 교육 과정에 대해 논의했습니다. \
            참석자 대부분이 찬성했고, 다음 주에 다시 모이기로 했습니다. "
            .repeat(4);
        assert_eq!(
            clear_pattern(&encode(encoding_rs::EUC_KR, &korean), true),
            None
        );
        let japanese = "来年の予算について話し合いました。参加者の多くが賛成し、\
            来週もう一度集まることになりました。新しい教育課程も検討します。"
            .repeat(4);
        for enc in [encoding_rs::EUC_JP, encoding_rs::SHIFT_JIS] {
            assert_eq!(clear_pattern(&encode(enc, &japanese), true), None);
        }
        let russian = "Сегодня на собрании обсуждали бюджет следующего года и новую \
            учебную программу, большинство участников согласились. "
            .repeat(4);
        assert_eq!(
            clear_pattern(&encode(encoding_rs::WINDOWS_1251, &russian), true),
            None
        );
    }
}
