//! Repair of UTF-8 read as GBK (`鍏氬憳` → `党员`): runs of characters whose
//! GBK bytes decode as UTF-8, kept when the result is far more common Chinese.

use super::bytes::{decode_at, to_bytes, ByteLine};
use super::codec::Codec;
use super::script::is_cjkish;
use crate::charclass::{common_simplified, is_cjk_punct};

/// One pass over a line with the GBK codec: the repaired line and the number
/// of runs fixed, if anything changed.
pub(super) fn repair_gbk(line: &str, codec: &Codec) -> Option<(String, usize)> {
    let chars: Vec<char> = line.chars().collect();
    let bl = to_bytes(&chars, codec);
    let mut out = String::with_capacity(line.len());
    let mut fixed = 0usize;
    let mut ci = 0; // current char index
    let mut copied = 0; // chars copied so far
    while ci < chars.len() {
        // A run of UTF-8 read as GBK starts with a character whose first byte
        // is a UTF-8 lead byte: try no other start.
        if bl.barrier[ci] || !codec.leads.contains(chars[ci]) {
            ci += 1;
            continue;
        }
        let Some(run) = longest_run(&chars, &bl, ci) else {
            ci += 1;
            continue;
        };
        if !run.multibyte {
            ci = run.end.max(ci + 1);
            continue;
        }
        let seg = &chars[ci..run.end];
        if seg.iter().collect::<String>() != run.text && accept_gbk(seg, &run.text) {
            out.extend(&chars[copied..ci]);
            out.push_str(&run.text);
            copied = run.end;
            fixed += 1;
            ci = run.end;
        } else {
            ci += 1;
        }
    }
    if fixed == 0 {
        return None;
    }
    out.extend(&chars[copied..]);
    Some((out, fixed))
}

/// Characters `start..end` of a line, decoded again from their bytes.
struct Run {
    end: usize,
    text: String,
    /// Some sequence of two bytes or more decoded (not only ASCII and losses).
    multibyte: bool,
}

/// Greedy decode from the start of character `ci`, up to the last point where
/// the decoded bytes end on a character boundary.
fn longest_run(chars: &[char], bl: &ByteLine, ci: usize) -> Option<Run> {
    let n_chars = chars.len();
    let mut j = bl.starts[ci];
    let mut decoded = String::new();
    let mut multibyte = false;
    let mut last_good: Option<(usize, usize, bool)> = None; // (char end, decoded len, multibyte)
    loop {
        let k = bl.starts.partition_point(|&st| st < j);
        if k > ci && k <= n_chars && bl.starts[k] == j {
            last_good = Some((k, decoded.len(), multibyte));
            if k == n_chars || bl.barrier[k] {
                break;
            }
        }
        if j >= bl.bytes.len() {
            break;
        }
        let Some((c, len, lost)) = decode_at(&bl.bytes, j, true) else {
            break;
        };
        // UTF-8 read as GBK decodes to CJK text: a stray Latin or symbol
        // character means the run has ended (real text follows).
        if !c.is_ascii() && c != '\u{FFFD}' && !is_cjkish(c) {
            break;
        }
        // never run across a character the codec cannot map
        let from = bl.char_of[j];
        let to = if j + len < bl.bytes.len() {
            bl.char_of[j + len]
        } else {
            n_chars
        };
        if (from..to).any(|x| bl.barrier[x]) {
            break;
        }
        multibyte |= len > 1 && c != '\u{FFFD}';
        let prev = decoded
            .chars()
            .next_back()
            .or_else(|| ci.checked_sub(1).map(|p| chars[p]));
        decoded.push(enumeration_comma(c, lost, prev));
        j += len;
    }
    let (end, dlen, multibyte) = last_good?;
    decoded.truncate(dlen);
    Some(Run {
        end,
        text: decoded,
        multibyte,
    })
}

/// A lost `、` after an enumerator (`一、`, `4、`) is not a `。`.
fn enumeration_comma(c: char, lost: bool, prev: Option<char>) -> char {
    let enumerator = |p: char| p.is_ascii_digit() || "一二三四五六七八九十".contains(p);
    if lost && c == '。' && prev.is_some_and(enumerator) {
        '、'
    } else {
        c
    }
}

/// Is a span re-decoded from GBK bytes clearly better than the original?
fn accept_gbk(orig: &[char], decoded: &str) -> bool {
    if decoded.chars().any(|c| c.is_control() && c != '\t') {
        return false;
    }
    let non_ascii: Vec<char> = decoded
        .chars()
        .filter(|c| !c.is_ascii() && *c != '\u{FFFD}')
        .collect();
    if non_ascii.is_empty() || orig.iter().filter(|c| !c.is_ascii()).count() < 2 {
        return false;
    }
    // A GBK trail byte can be an ASCII letter: a run of Chinese that ends in
    // a letter conjured out of its last character (`璧歸` → `赚w`, `澶淵` →
    // `夜Y`) was real text whose bytes happen to decode, not mojibake.
    let conjured = decoded
        .chars()
        .next_back()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && orig.last().is_some_and(|c| !c.is_ascii());
    if conjured {
        return false;
    }
    // UTF-8 read as GBK decodes back to CJK text…
    if non_ascii.iter().filter(|&&c| is_cjkish(c)).count() * 10 < non_ascii.len() * 9 {
        return false;
    }
    // …made of far more common characters than the mojibake was.
    let r_new = common_ratio(decoded.chars());
    let r_old = common_ratio(orig.iter().copied());
    r_new >= 0.6 && r_new > r_old + 0.3
}

/// The share of common simplified characters and CJK punctuation among the
/// non-ASCII characters.
fn common_ratio(cs: impl Iterator<Item = char>) -> f64 {
    let common = common_simplified();
    let (mut n, mut good) = (0usize, 0usize);
    for c in cs.filter(|&c| !c.is_ascii() && c != '\u{FFFD}') {
        n += 1;
        if common.contains(c) || is_cjk_punct(c) {
            good += 1;
        }
    }
    if n == 0 {
        0.0
    } else {
        good as f64 / n as f64
    }
}
