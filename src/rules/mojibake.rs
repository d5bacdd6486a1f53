//! `mojibake`: text that was decoded with the wrong encoding once (or twice) and
//! saved again. Each line with suspicious characters is mapped back to the bytes
//! the wrong decoder saw, and spans of those bytes that form valid UTF-8 are
//! decoded again — kept only when the result is clearly more plausible. GBK
//! mojibake that lost bytes (`锛�`) is repaired up to each lost byte.

use super::suspects::SuspectScan;
use super::{RuleError, RuleHits, RuleKind, RuleSource, RuleSpec};
use crate::charclass::{
    common_simplified, gbk_mojibake_leads, is_cjk_punct, is_han, BmpSet, CJK_UNIFIED,
};
use encoding_rs::Encoding;
use std::sync::OnceLock;

/// How one wrong decoder maps characters back to bytes.
struct Codec {
    name: &'static str,
    double_byte: bool,
    /// Per BMP code point: the bytes (0 = not encodable). Single-byte codecs use the low byte.
    table: Vec<u16>,
    /// Characters a UTF-8 lead byte turns into under this codec.
    leads: BmpSet,
    /// Characters a UTF-8 continuation byte turns into (single-byte codecs).
    conts: BmpSet,
}

impl Codec {
    /// Could this codec's mojibake be on the line? Single-byte codecs need a
    /// lead character followed by a continuation character (curly quotes alone,
    /// MacRoman lead bytes, are everyday Chinese punctuation). The pipeline
    /// asks all codecs at once ([`applicable`]); this is the reference.
    #[cfg(test)]
    fn may_apply(&self, line: &str) -> bool {
        if self.double_byte {
            return line.chars().any(|c| self.leads.contains(c));
        }
        let mut prev: Option<char> = None;
        for c in line.chars() {
            if let Some(p) = prev {
                if self.leads.contains(p)
                    && (self.conts.contains(c)
                        || c == '\u{FFFD}'
                        || (c == ' ' && self.name == "windows-1252"))
                {
                    return true;
                }
            }
            prev = Some(c);
        }
        false
    }
}

fn build_single(enc: &'static Encoding) -> Codec {
    build_from(enc.name(), |b| {
        let one = [b];
        let (s, bad) = enc.decode_without_bom_handling(&one);
        if bad {
            None
        } else {
            s.chars().next()
        }
    })
}

/// A single-byte codec from its decoding of the high bytes.
fn build_from(name: &'static str, high: impl Fn(u8) -> Option<char>) -> Codec {
    let mut table = vec![0u16; 0x10000];
    let mut leads = BmpSet::empty();
    let mut conts = BmpSet::empty();
    for b in 0x80u16..=0xFF {
        if let Some(c) = high(b as u8) {
            if (c as u32) < 0x10000 && c != '\u{FFFD}' {
                table[c as usize] = b;
                if (0xC2..=0xF4).contains(&b) {
                    leads.insert(c);
                }
                if (0x80..=0xBF).contains(&b) {
                    conts.insert(c);
                }
            }
        }
    }
    // Sloppy decoders (browsers, Latin-1) turn undefined bytes into C1 controls.
    for b in 0x80u16..=0x9F {
        if table[b as usize] == 0 {
            table[b as usize] = b;
            conts.insert(char::from_u32(b as u32).expect("C1 control"));
        }
    }
    Codec {
        name,
        double_byte: false,
        table,
        leads,
        conts,
    }
}

fn build_gbk() -> Codec {
    let mut table = vec![0u16; 0x10000];
    for lead in 0x81u16..=0xFE {
        for trail in (0x40u16..=0x7E).chain(0x80..=0xFE) {
            let pair = [lead as u8, trail as u8];
            let (s, bad) = encoding_rs::GBK.decode_without_bom_handling(&pair);
            if bad {
                continue;
            }
            let mut it = s.chars();
            if let (Some(c), None) = (it.next(), it.next()) {
                if (c as u32) < 0x10000 && table[c as usize] == 0 {
                    table[c as usize] = (lead << 8) | trail;
                }
            }
        }
    }
    // Windows' code page 936 reads a lone 0x80 as the euro sign.
    table['€' as usize] = 0x80;
    let mut leads = BmpSet::empty();
    leads.union_with(gbk_mojibake_leads());
    Codec {
        name: "GBK",
        double_byte: true,
        table,
        leads,
        conts: BmpSet::empty(),
    }
}

fn codecs() -> &'static [Codec] {
    static C: OnceLock<Vec<Codec>> = OnceLock::new();
    C.get_or_init(|| {
        vec![
            build_gbk(),
            build_single(encoding_rs::WINDOWS_1252),
            build_single(encoding_rs::WINDOWS_1250),
            build_single(encoding_rs::WINDOWS_1251),
            build_single(encoding_rs::WINDOWS_1253),
            build_single(encoding_rs::WINDOWS_1257),
            build_single(encoding_rs::MACINTOSH),
            // DOS consoles: oem_cp's table of code page 437.
            build_from("IBM437", |b| {
                Some(oem_cp::code_table::DECODING_TABLE_CP437[(b - 0x80) as usize])
            }),
        ]
    })
}

/// One byte as the wrong decoder saw it; `None` is a byte it lost (U+FFFD).
type Byte = Option<u8>;

/// A line seen as bytes: runs between characters the codec cannot encode.
struct ByteLine {
    bytes: Vec<Byte>,
    /// For each byte, the index of the character it came from.
    char_of: Vec<usize>,
    /// Byte index where each character starts (len = chars + 1).
    starts: Vec<usize>,
    /// Characters that the codec cannot map (barriers).
    barrier: Vec<bool>,
}

fn to_bytes(chars: &[char], codec: &Codec) -> ByteLine {
    let mut bl = ByteLine {
        bytes: Vec::with_capacity(chars.len() * 2),
        char_of: Vec::new(),
        starts: Vec::with_capacity(chars.len() + 1),
        barrier: Vec::new(),
    };
    for (ci, &c) in chars.iter().enumerate() {
        bl.starts.push(bl.bytes.len());
        let mut push = |b: Byte| {
            bl.bytes.push(b);
            bl.char_of.push(ci);
        };
        let mapped = if (c as u32) < 0x80 {
            push(Some(c as u8));
            true
        } else if c == '\u{FFFD}' {
            push(None);
            true
        } else if (c as u32) < 0x10000 && codec.table[c as usize] != 0 {
            let v = codec.table[c as usize];
            if v > 0xFF {
                push(Some((v >> 8) as u8));
                push(Some((v & 0xFF) as u8));
            } else {
                push(Some(v as u8));
            }
            true
        } else {
            false
        };
        bl.barrier.push(!mapped);
    }
    bl.starts.push(bl.bytes.len());
    bl
}

/// The character a GBK-mangled sequence most likely was when its last byte was
/// lost: the punctuation that ends such runs.
fn infer_lost(prefix: &[u8]) -> Option<char> {
    match prefix {
        [0xEF, 0xBC] => Some('，'),
        [0xE3, 0x80] => Some('。'),
        _ => None,
    }
}

/// The byte a GBK decoder lost at position `k` of a UTF-8 sequence, from the
/// byte that followed it. Decoders drop one byte where a pair is invalid: a
/// lead of 0x80, a lead of a user-defined row (0xAA–0xAF before 0xA1–0xFE,
/// 0xA1–0xA7 before 0x40–0xA0), or any byte before ASCII. Among the candidates
/// a character is taken only when it is the single common one; ASCII after the loss leaves only the
/// punctuation that ends such runs.
fn infer_lost_gbk(seq: &[u8], k: usize, next: Option<u8>) -> char {
    let common = common_simplified();
    let decode_with = |b: u8| {
        let mut s = [0u8; 4];
        s[..seq.len()].copy_from_slice(seq);
        s[k] = b;
        std::str::from_utf8(&s[..seq.len()])
            .ok()
            .and_then(|t| t.chars().next())
    };
    let good = |c: char| common.contains(c) || is_cjk_punct(c);
    match next {
        Some(y) if y >= 0x40 && y != 0x7F => {
            let mut candidates: Vec<u8> = vec![0x80];
            if y >= 0xA1 {
                candidates.extend(0xAA..=0xAF);
            } else {
                candidates.extend(0xA1..=0xA7);
            }
            // Only a single common candidate is confident; two (倦 or 学) are not.
            let found: Vec<char> = candidates
                .iter()
                .filter_map(|&b| decode_with(b))
                .filter(|&c| good(c))
                .collect();
            match found.as_slice() {
                [one] => *one,
                _ => '\u{FFFD}',
            }
        }
        _ if k == seq.len() - 1 => infer_lost(&seq[..k]).unwrap_or('\u{FFFD}'),
        _ => '\u{FFFD}',
    }
}

/// Decode one UTF-8 character at `bytes[i..]`, lost bytes as wildcards.
/// Returns the char, bytes consumed, and whether a byte was lost in it.
fn decode_at(bytes: &[Byte], i: usize, infer: bool) -> Option<(char, usize, bool)> {
    let first = bytes[i];
    let Some(b0) = first else {
        // A lost lead byte: its continuation bytes are orphans.
        let mut n = 1;
        while n < 4 && i + n < bytes.len() && matches!(bytes[i + n], Some(0x80..=0xBF)) {
            n += 1;
        }
        return Some(('\u{FFFD}', n, true));
    };
    let need = match b0 {
        0x00..=0x7F => return Some((b0 as char, 1, false)),
        0xC2..=0xDF => 1,
        0xE0..=0xEF => 2,
        0xF0..=0xF4 => 3,
        _ => return None,
    };
    if i + need >= bytes.len() {
        return None;
    }
    let mut buf = [b0, 0, 0, 0];
    let mut lost_at = None;
    let mut lost = 0;
    #[allow(clippy::needless_range_loop)] // `k` is also the lost byte's position
    for k in 1..=need {
        match bytes.get(i + k).copied().flatten() {
            Some(b @ 0x80..=0xBF) => buf[k] = b,
            Some(_) => return None,
            None => {
                lost += 1;
                lost_at = Some(k);
                buf[k] = 0x80;
            }
        }
    }
    if lost > 0 {
        let c = match lost_at {
            Some(k) if infer && lost == 1 => {
                // The following byte tells which bytes the decoder could have
                // lost, but only inside a run: at a run's end the text after it
                // was never part of the mangled bytes.
                let run_goes_on = bytes.len() > i + need + 1
                    && matches!(decode_at(bytes, i + need + 1, false), Some((n, len, false)) if len > 1 && is_cjkish(n));
                if run_goes_on || k == need {
                    let next = if run_goes_on {
                        bytes.get(i + k + 1).copied().flatten()
                    } else {
                        None
                    };
                    infer_lost_gbk(&buf[..=need], k, next)
                } else {
                    '\u{FFFD}'
                }
            }
            _ => '\u{FFFD}',
        };
        return Some((c, need + 1, true));
    }
    let s = std::str::from_utf8(&buf[..=need]).ok()?;
    Some((s.chars().next()?, need + 1, false))
}

fn is_cjkish(c: char) -> bool {
    is_han(c)
        || is_cjk_punct(c)
        || matches!(c as u32, 0x3040..=0x30FF | 0xAC00..=0xD7AF | 0xFF00..=0xFFEF)
}

/// Scripts whose letters a single-byte fix may produce.
fn allowed_single_byte_result(c: char) -> bool {
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

fn script(c: char) -> u8 {
    match c as u32 {
        0x0370..=0x03FF => 1,
        0x0400..=0x04FF => 2,
        0x0590..=0x05FF => 3,
        0x0600..=0x06FF => 4,
        0xAC00..=0xD7AF => 5,
        0x3400..=0x9FFF => 6,
        0x0E00..=0x0E7F => 7,
        0x0900..=0x097F => 8,
        _ => 0,
    }
}

/// Is a span re-decoded from GBK bytes clearly better than the original?
/// (Single-byte code pages are judged per sequence in `repair_single`.)
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
    // UTF-8 read as GBK decodes back to CJK text…
    if non_ascii.iter().filter(|&&c| is_cjkish(c)).count() * 10 < non_ascii.len() * 9 {
        return false;
    }
    // …made of far more common characters than the mojibake was.
    let common = common_simplified();
    let ratio = |cs: &mut dyn Iterator<Item = char>| {
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
    };
    let r_new = ratio(&mut decoded.chars());
    let r_old = ratio(&mut orig.iter().copied());
    r_new >= 0.6 && r_new > r_old + 0.3
}

/// One pass over a line with one codec: the repaired line, if anything changed.
fn repair_with(line: &str, codec: &Codec) -> Option<(String, usize)> {
    if !codec.double_byte {
        return repair_single(line, codec);
    }
    let chars: Vec<char> = line.chars().collect();
    let bl = to_bytes(&chars, codec);
    let n_chars = chars.len();
    let mut out = String::with_capacity(line.len());
    let mut fixed = 0usize;
    let mut ci = 0; // current char index
    let mut copied = 0; // chars copied so far
    while ci < n_chars {
        // A run of UTF-8 read as GBK starts with a character whose first byte
        // is a UTF-8 lead byte: try no other start.
        if bl.barrier[ci] || !codec.leads.contains(chars[ci]) {
            ci += 1;
            continue;
        }
        // Greedy decode from the start of char `ci`, remembering the last
        // point where decoded bytes end on a character boundary.
        let mut j = bl.starts[ci];
        let mut decoded = String::new();
        let mut multibyte = false;
        let mut last_good: Option<(usize, usize, bool, usize)> = None; // (char index end, decoded len, multibyte, seqs)
        loop {
            let k = bl.starts.partition_point(|&st| st < j);
            if k > ci && k <= n_chars && bl.starts[k] == j {
                last_good = Some((k, decoded.len(), multibyte, 0));
                if k == n_chars || bl.barrier[k] {
                    break;
                }
            }
            if j >= bl.bytes.len() {
                break;
            }
            match decode_at(&bl.bytes, j, codec.double_byte) {
                // UTF-8 read as GBK decodes to CJK text: a stray Latin or
                // symbol character means the run has ended (real text follows).
                Some((c, _, _))
                    if codec.double_byte && !c.is_ascii() && c != '\u{FFFD}' && !is_cjkish(c) =>
                {
                    break
                }
                Some((c, len, _lost)) => {
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
                    // A lost `、` after an enumerator (`一、`, `4、`) is not a `。`.
                    let prev = decoded
                        .chars()
                        .next_back()
                        .or_else(|| ci.checked_sub(1).map(|p| chars[p]));
                    let c = if _lost
                        && c == '。'
                        && prev.is_some_and(|p| {
                            p.is_ascii_digit() || "一二三四五六七八九十".contains(p)
                        }) {
                        '、'
                    } else {
                        c
                    };
                    decoded.push(c);
                    j += len;
                }
                None => break,
            }
        }
        let Some((end_ci, dlen, mb, _)) = last_good else {
            ci += 1;
            continue;
        };
        if !mb {
            ci = end_ci.max(ci + 1);
            continue;
        }
        let seg = &chars[ci..end_ci];
        let d = &decoded[..dlen];
        if seg.iter().collect::<String>() != d && accept_gbk(seg, d) {
            out.extend(&chars[copied..ci]);
            out.push_str(d);
            copied = end_ci;
            fixed += 1;
            ci = end_ci;
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

/// A candidate fix: characters `from..to` become `text`.
struct Cand {
    from: usize,
    to: usize,
    text: String,
    /// Strong evidence on its own (a clean multi-byte decode judged plausible).
    strong: bool,
    /// Kept only next to another kept candidate (an NBSP that became a space).
    needs_neighbour: bool,
}

/// Single-byte codecs: each character is one byte, so every UTF-8 sequence is
/// judged on its own, in the context of its neighbours (decoded where they are fixed too).
fn repair_single(line: &str, codec: &Codec) -> Option<(String, usize)> {
    let chars: Vec<char> = line.chars().collect();
    let n = chars.len();
    let byte_of = |c: char| -> Option<Byte> {
        if (c as u32) < 0x80 {
            Some(Some(c as u8))
        } else if c == '\u{FFFD}' {
            Some(None)
        } else if (c as u32) < 0x10000 && codec.table[c as usize] != 0 {
            Some(Some(codec.table[c as usize] as u8))
        } else {
            None
        }
    };
    let bytes: Vec<Option<Byte>> = chars.iter().map(|&c| byte_of(c)).collect();
    let mut cands: Vec<Cand> = Vec::new();
    let mut i = 0;
    while i < n {
        let Some(Some(b)) = bytes[i] else {
            i += 1;
            continue;
        };
        // `Ã` whose NBSP became a space: `voilÃ  le`, `Ã perturber`, `Ã s crianças`.
        // (The code page's character for 0xC3: `Ã` in Windows-1252, `Г` in Windows-1251.)
        if b == 0xC3 && chars.get(i + 1) == Some(&' ') {
            let prev_ok =
                i == 0 || matches!(chars[i - 1], ' ' | '\'' | '’') || chars[i - 1].is_lowercase();
            let next = chars.get(i + 2).copied();
            if prev_ok && next == Some(' ') {
                cands.push(Cand {
                    from: i,
                    to: i + 2,
                    text: "à".into(),
                    strong: true,
                    needs_neighbour: false,
                });
                i += 2;
                continue;
            }
            if prev_ok && next == Some('s') && matches!(chars.get(i + 3), Some(' ')) {
                cands.push(Cand {
                    from: i,
                    to: i + 3,
                    text: "às".into(),
                    strong: true,
                    needs_neighbour: false,
                });
                i += 3;
                continue;
            }
            if prev_ok && next.is_some_and(|c| c.is_lowercase()) {
                cands.push(Cand {
                    from: i,
                    to: i + 1,
                    text: "à".into(),
                    strong: true,
                    needs_neighbour: false,
                });
                i += 1;
                continue;
            }
        }
        if !(0xC2..=0xF4).contains(&b) {
            i += 1;
            continue;
        }
        // CESU-8: a surrogate pair written as two three-byte sequences (emoji).
        if b == 0xED && i + 6 <= n {
            let six: Vec<u8> = bytes[i..i + 6].iter().map_while(|x| x.flatten()).collect();
            if let [0xED, hi @ 0xA0..=0xAF, h2 @ 0x80..=0xBF, 0xED, lo @ 0xB0..=0xBF, l2 @ 0x80..=0xBF] =
                six[..]
            {
                let high = 0xD000 | ((hi as u32 & 0x3F) << 6) | (h2 as u32 & 0x3F);
                let low = 0xD000 | ((lo as u32 & 0x3F) << 6) | (l2 as u32 & 0x3F);
                if let Some(c) = char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                {
                    cands.push(Cand {
                        from: i,
                        to: i + 6,
                        text: c.to_string(),
                        strong: true,
                        needs_neighbour: false,
                    });
                    i += 6;
                    continue;
                }
            }
        }
        let window: Vec<Byte> = bytes[i..n.min(i + 4)].iter().map_while(|x| *x).collect();
        match decode_at(&window, 0, false) {
            Some((c, len, lost)) if len > 1 => {
                // A lost byte right after a lowercase letter (`SlovenÄ�ina`) is damage, not text.
                let strong = !lost || (i > 0 && chars[i - 1].is_lowercase());
                cands.push(Cand {
                    from: i,
                    to: i + len,
                    text: c.to_string(),
                    strong,
                    needs_neighbour: false,
                });
                i += len;
            }
            _ => {
                // An NBSP continuation byte that became a space (`Ð ÑƒÑ`, `à¸ à¸²`).
                let spaced: Vec<Byte> = window
                    .iter()
                    .enumerate()
                    .map(|(k, b)| {
                        if k > 0 && *b == Some(b' ') {
                            Some(0xA0)
                        } else {
                            *b
                        }
                    })
                    .collect();
                match decode_at(&spaced, 0, false) {
                    Some((c, len, false))
                        if len > 1 && spaced[..len] != window[..len.min(window.len())] =>
                    {
                        cands.push(Cand {
                            from: i,
                            to: i + len,
                            text: c.to_string(),
                            strong: false,
                            needs_neighbour: true,
                        });
                        i += len;
                    }
                    _ => i += 1,
                }
            }
        }
    }
    if cands.is_empty() {
        return None;
    }
    // Judge each candidate.
    let decoded_char = |k: usize| cands[k].text.chars().next().unwrap_or(' ');
    let mut keep = vec![false; cands.len()];
    let mut strong = 0usize;
    let cjk_cands = cands
        .iter()
        .filter(|q| q.strong && q.text.chars().next().is_some_and(is_cjkish))
        .count();
    for k in 0..cands.len() {
        let q = &cands[k];
        let x = decoded_char(k);
        if x == '\u{FFFD}' {
            // `ï¿½`: a replacement character itself, cleanly encoded, is a fix.
            if q.strong && q.to - q.from == 3 {
                keep[k] = true;
                strong += 1;
            }
            continue;
        }
        if !allowed_single_byte_result(x) {
            continue;
        }
        let before = if k > 0 && cands[k - 1].to == q.from {
            Some(cands[k - 1].text.chars().last().unwrap_or(' '))
        } else {
            q.from.checked_sub(1).map(|j| chars[j])
        };
        let after = if k + 1 < cands.len() && cands[k + 1].from == q.to {
            Some(decoded_char(k + 1))
        } else {
            chars.get(q.to).copied()
        };
        let orig = &chars[q.from..q.to];
        let caps = |c: Option<char>| c.is_some_and(|c| c.is_uppercase());
        let letter = |c: Option<char>| c.is_some_and(|c| c.is_alphabetic());
        let sc = script(x);
        // Chinese read as Windows-1252 yields many CJK candidates on one line.
        let han_line = sc == 6 && cjk_cands >= 2;
        // A lone lowercase Greek letter inside a Latin token (`IL2RγcKO`) is a symbol.
        let greek_symbol = sc == 1
            && x.is_lowercase()
            && before.is_some_and(|c| c.is_ascii_alphanumeric())
            && after.is_some_and(|c| c.is_ascii_alphanumeric());
        let same_script_near =
            before.is_some_and(|c| script(c) == sc) || after.is_some_and(|c| script(c) == sc);
        if sc != 0 && !han_line && !greek_symbol && !same_script_near {
            continue;
        }
        if x.is_lowercase()
            && (0x100..0x250).contains(&(x as u32))
            && caps(before)
            && (caps(after) || !letter(after))
        {
            continue;
        }
        // A lone Latin Extended letter standing as a word of its own (`10 Å—`),
        // unless it is part of a run of mojibake.
        // Combining marks only from Windows-1252 and on a character (`$Ì¶6` → `$̶6`).
        if (0x300..0x370).contains(&(x as u32))
            && (codec.name != "windows-1252" || before.is_none_or(char::is_whitespace))
        {
            continue;
        }
        let in_run = (k > 0 && cands[k - 1].to == q.from)
            || (k + 1 < cands.len() && cands[k + 1].from == q.to);
        if (0x100..0x250).contains(&(x as u32)) && !letter(before) && !letter(after) && !in_run {
            continue;
        }
        // NBSP read as a continuation byte of a two-byte sequence only after Ã/Â (à, NBSP).
        if orig.len() == 2 && orig.contains(&'\u{A0}') && !matches!(x as u32, 0xA0..=0xFF) {
            continue;
        }
        // Capitals of other code pages inside capitals (`HÅØYA`) are real letters.
        if codec.name != "windows-1252"
            && (x as u32) < 0x250
            && x.is_uppercase()
            && caps(before)
            && caps(after)
        {
            continue;
        }
        // MacRoman's √ is a math sign unless it sits inside a word (`wei√ü`).
        // Box drawing alone is line art, not code page 437 mojibake (`├┤a┼┐a`).
        if codec.name == "IBM437"
            && sc == 0
            && orig.iter().all(|&c| ('\u{2500}'..='\u{259F}').contains(&c))
        {
            continue;
        }
        if codec.name == "macintosh"
            && orig.first() == Some(&'√')
            && !letter(before)
            && !letter(after)
        {
            continue;
        }
        let weak = (x as u32) < 0x250
            && (orig.iter().any(|&c| matches!(c, '¢' | '£' | '¤' | '¥'))
                || (orig.iter().any(|&c| matches!(c, '‘' | '’' | '“' | '”')) && !caps(after)));
        keep[k] = true;
        if q.strong && !weak {
            strong += 1;
        }
    }
    // Lossy candidates go along with strong evidence on the same line.
    // Codecs other than Windows-1252 are fixed conservatively: two strong
    // candidates, or one of three bytes or more.
    let long = cands
        .iter()
        .zip(&keep)
        .any(|(q, &k)| k && q.strong && q.to - q.from >= 3);
    let needed = if codec.name == "windows-1252"
        || long
        || (codec.name == "macintosh" && chars.contains(&'√'))
    {
        1
    } else {
        2
    };
    if strong < needed {
        return None;
    }
    for (k, q) in cands.iter().enumerate() {
        if q.text == "\u{FFFD}" {
            keep[k] = true;
        }
    }
    for k in 0..cands.len() {
        if cands[k].needs_neighbour && keep[k] {
            let left = k > 0
                && keep[k - 1]
                && !cands[k - 1].needs_neighbour
                && cands[k - 1].to == cands[k].from;
            let right = k + 1 < cands.len()
                && keep[k + 1]
                && !cands[k + 1].needs_neighbour
                && cands[k + 1].from == cands[k].to;
            // `Å veices`: at a word start, before a lowercase letter, on a line with other fixes.
            let word_start = (cands[k].from == 0 || chars[cands[k].from - 1] == ' ')
                && chars.get(cands[k].to).is_some_and(|c| c.is_lowercase())
                && strong >= 1;
            keep[k] = left || right || word_start;
        }
    }
    let mut out = String::with_capacity(line.len());
    let mut copied = 0;
    let mut fixed = 0;
    for (q, &k) in cands.iter().zip(&keep) {
        if !k {
            continue;
        }
        out.extend(&chars[copied..q.from]);
        out.push_str(&q.text);
        copied = q.to;
        fixed += 1;
    }
    out.extend(&chars[copied..]);
    Some((out, fixed))
}

/// C1 control characters left in text are Windows-1252 punctuation read as Latin-1.
fn fix_c1(line: &str) -> Option<String> {
    // C1 controls are encoded C2 80 – C2 9F.
    let bytes = line.as_bytes();
    if !memchr::memchr_iter(0xC2, bytes)
        .any(|i| bytes.get(i + 1).is_some_and(|b| (0x80..=0x9F).contains(b)))
    {
        return None;
    }
    let mut changed = false;
    let out: String = line
        .chars()
        .map(|c| {
            if ('\u{80}'..='\u{9F}').contains(&c) {
                let one = [c as u8];
                let (s, bad) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&one);
                if let Some(d) = s
                    .chars()
                    .next()
                    .filter(|d| !bad && !('\u{80}'..='\u{9F}').contains(d))
                {
                    changed = true;
                    return d;
                }
            }
            c
        })
        .collect();
    changed.then_some(out)
}

/// Per BMP character, what it is to each codec of [`codecs`]: bit 0 a GBK
/// lead; bit `i` (1–7) a lead of single-byte codec `i`; bit `8 + i` a
/// continuation of it (U+FFFD, a lost byte, continues every one of them).
fn codec_flags() -> &'static [u16] {
    static F: OnceLock<Vec<u16>> = OnceLock::new();
    F.get_or_init(|| {
        let cs = codecs();
        assert!(cs.len() <= 8 && cs[0].double_byte && cs[1..].iter().all(|c| !c.double_byte));
        let mut f = vec![0u16; 0x10000];
        for (u, flags) in f.iter_mut().enumerate() {
            let Some(c) = char::from_u32(u as u32) else {
                continue;
            };
            if cs[0].leads.contains(c) {
                *flags |= 1;
            }
            for (i, codec) in cs.iter().enumerate().skip(1) {
                if codec.leads.contains(c) {
                    *flags |= 1 << i;
                }
                if codec.conts.contains(c)
                    || c == '\u{FFFD}'
                    || (c == ' ' && codec.name == "windows-1252")
                {
                    *flags |= 1 << (8 + i);
                }
            }
        }
        f
    })
}

/// The codecs whose mojibake could be on the line (bit `i`: `codecs()[i]`),
/// in one pass: [`Codec::may_apply`] for all of them.
fn applicable(line: &str) -> u16 {
    let flags = codec_flags();
    let (mut mask, mut prev_leads) = (0u16, 0u16);
    for c in line.chars() {
        let f = flags.get(c as usize).copied().unwrap_or(0);
        mask |= (f & 1) | (prev_leads & (f >> 8));
        prev_leads = f & 0xFE;
    }
    mask
}

/// Repair one line: the best codec each round, up to three rounds (double mojibake).
pub fn repair_line(line: &str, enabled: &[usize]) -> Option<String> {
    if line.is_ascii() {
        return None;
    }
    let cs = codecs();
    let mut cur = line.to_owned();
    let mut changed = false;
    for _round in 0..3 {
        // The codec that shortens the line most: the most bytes re-decoded.
        let len = cur.chars().count();
        let mut best: Option<(String, usize)> = None;
        let may = applicable(&cur);
        for &i in enabled {
            if may & (1 << i) == 0 {
                continue;
            }
            if let Some((s, _)) = repair_with(&cur, &cs[i]) {
                let gain = len - s.chars().count();
                if best.as_ref().is_none_or(|(_, g)| gain > *g) {
                    best = Some((s, gain));
                }
            }
        }
        match best {
            Some((s, _)) => {
                cur = s;
                changed = true;
            }
            None => break,
        }
    }
    if let Some(c1) = fix_c1(&cur) {
        cur = c1;
        changed = true;
    }
    changed.then_some(cur)
}

pub struct Mojibake {
    enabled: Vec<usize>,
    /// The exact check ([`Self::step`]), per BMP character: bit 16 = GBK lead
    /// or C1 control; bit `i` = lead character of single-byte codec
    /// `codecs()[i]`, bit `8 + i` = its continuation character (enabled
    /// codecs only; [`codec_flags`]).
    gate_flags: Box<[u32]>,
    /// For Han characters: which can open a GBK run (their GBK bytes are a
    /// UTF-8 lead and continuation).
    gate_han: BmpSet,
    /// The fast scan to the characters the exact check can start from:
    /// `gate_han`, and the others with a lead or GBK/C1 flag in `gate_flags`.
    suspects: SuspectScan,
    /// GBK codes by character (empty when GBK repair is off).
    gbk_table: &'static [u16],
}

impl Mojibake {
    pub fn compile(spec: &RuleSpec, src: &RuleSource) -> Result<Self, RuleError> {
        let cs = codecs();
        let enabled = match &spec.from {
            None => (0..cs.len()).collect(),
            Some(names) => {
                let mut v = Vec::new();
                for n in names {
                    // IBM437 is no WHATWG encoding: encoding_rs has no label for it
                    let name =
                        if ["ibm437", "cp437", "437"].contains(&n.to_ascii_lowercase().as_str()) {
                            "IBM437"
                        } else {
                            match Encoding::for_label(n.as_bytes()) {
                                Some(enc) if enc == encoding_rs::GB18030 => "GBK",
                                Some(enc) => enc.name(),
                                None => {
                                    return Err(src.error_at(
                                        spec.id.span(),
                                        format!("unknown encoding `{n}` in `from`"),
                                    ))
                                }
                            }
                        };
                    let i = cs.iter().position(|c| c.name == name).ok_or_else(|| {
                        src.error_at(
                            spec.id.span(),
                            format!(
                                "mojibake repair does not support `{n}`; supported: {}",
                                cs.iter().map(|c| c.name).collect::<Vec<_>>().join(", ")
                            ),
                        )
                    })?;
                    v.push(i);
                }
                v
            }
        };
        // The enabled codecs' bits of `codec_flags`: single-byte leads and
        // continuations as they are, a GBK lead (or a C1 control) as GATE_SINGLE.
        let single = enabled
            .iter()
            .filter(|&&i| !cs[i].double_byte)
            .fold(0u16, |m, &i| m | 1 << i);
        let gbk = enabled.iter().any(|&i| cs[i].double_byte);
        let gate_flags: Box<[u32]> = codec_flags()
            .iter()
            .enumerate()
            .map(|(u, &f)| {
                if u < 0x80 {
                    return 0; // ASCII is taken before the flags are read
                }
                let mut g = u32::from(f & (single | single << 8));
                if (gbk && f & 1 != 0) || (0x80..=0x9F).contains(&u) {
                    g |= GATE_SINGLE;
                }
                g
            })
            .collect();
        let gbk_table: &'static [u16] = enabled
            .iter()
            .map(|&i| &cs[i])
            .find(|c| c.double_byte)
            .map_or(&[], |c| c.table.as_slice());
        // A GBK run starts with a pair whose bytes are a UTF-8 lead and
        // continuation: the lead of a character of Chinese text (punctuation
        // E2 E3, Han E4–E9, fullwidth forms EF; not Hangul or private use,
        // which the repair would not accept as Chinese anyway).
        let mut gate_han = BmpSet::empty();
        if !gbk_table.is_empty() {
            for u in CJK_UNIFIED {
                let g = gbk_table[u as usize];
                if matches!(g >> 8, 0xE2..=0xE9 | 0xEF) && matches!(g & 0xFF, 0x80..=0xBF) {
                    gate_han.insert(char::from_u32(u).expect("Han"));
                }
            }
        }
        let (mut suspects, mut lead_only) = (BmpSet::empty(), BmpSet::empty());
        // What may follow a lead of a single-byte codec in a match: outside the
        // Han block, a continuation of some codec, or what matches on its own.
        let mut after_lead = BmpSet::empty();
        for u in 0x80u32..0x10000 {
            let Some(c) = char::from_u32(u) else {
                continue;
            };
            let f = gate_flags[u as usize];
            if !CJK_UNIFIED.contains(&u) && f & (GATE_SINGLE | 0xFF00) != 0 {
                after_lead.insert(c);
            }
            if u < 0x800 {
                continue;
            }
            if CJK_UNIFIED.contains(&u) {
                if gate_han.contains(c) {
                    suspects.insert(c);
                }
            } else if f & GATE_SINGLE != 0 {
                suspects.insert(c);
            } else if f & 0xFF != 0 {
                suspects.insert(c);
                lead_only.insert(c);
            }
        }
        Ok(Mojibake {
            enabled,
            gate_flags,
            gate_han,
            suspects: SuspectScan::new(suspects, lead_only, after_lead),
            gbk_table,
        })
    }
}

const GATE_SINGLE: u32 = 1 << 16;

/// The exact gate's state between characters: the lead bits of the previous
/// character (one per single-byte codec), and how far a GBK run has got.
#[derive(Default, Clone, Copy, PartialEq)]
struct GateState {
    prev_leads: u32,
    gbk: GbkRun,
}

/// A GBK run, by the UTF-8 bytes its characters' GBK codes give back.
#[derive(Default, Clone, Copy, PartialEq)]
enum GbkRun {
    #[default]
    None,
    /// a lead and a continuation byte (鍏 = E5 85)
    Lead,
    /// then a continuation and the next lead byte (氬 = 9A E5), which needs
    /// continuation bytes next: two (a three-byte lead) or at least one
    NeedsTwo,
    NeedsOne,
}

impl Mojibake {
    /// Where in `s`, from character boundary `i` on, mojibake could start: a
    /// fast scan skips to the characters that can start a match
    /// ([`SuspectScan::next`]); the exact per-character check runs from each
    /// of them until it is back at rest. Clean Chinese text has few such
    /// characters. The check never crosses a line end (ASCII resets it).
    fn first_match(&self, s: &str, mut i: usize) -> Option<usize> {
        while let Some(p) = self.suspects.next(s.as_bytes(), i) {
            match self.check_from(s, p) {
                None => return Some(p),
                Some(next) => i = next,
            }
        }
        None
    }

    /// The exact check from character boundary `p`, where the state is at rest:
    /// `None` when it finds a possible match, else where it came back to rest.
    fn check_from(&self, s: &str, p: usize) -> Option<usize> {
        let mut st = GateState::default();
        for (off, c) in s[p..].char_indices() {
            if off > 0 && st == GateState::default() {
                return Some(p + off);
            }
            st = self.step(st, c)?;
        }
        self.at_end(st)?;
        Some(s.len())
    }

    /// The end of the text in state `st` (`None`: a possible match, a GBK run
    /// cut short where its last bytes were dropped).
    fn at_end(&self, st: GateState) -> Option<()> {
        matches!(st.gbk, GbkRun::None | GbkRun::Lead).then_some(())
    }

    /// One character of the exact check (`None`: a possible match). A GBK run
    /// of at least three characters, or of two and a lost byte; a C1 control;
    /// or a lead followed by a continuation of the same single-byte codec (or
    /// by a space, an NBSP that became one).
    #[inline]
    fn step(&self, st: GateState, c: char) -> Option<GateState> {
        let u = c as u32;
        if u < 0x80 {
            // ASCII ends a run: a GBK run that needed more bytes lost them
            self.at_end(st)?;
            return (st.prev_leads == 0 || c != ' ').then_some(GateState::default());
        }
        if st.gbk != GbkRun::None {
            // GBK: the bytes of 鍏氬憳 are E5 85 | 9A E5 | 91 98
            let g = if u < 0x10000 {
                self.gbk_table[u as usize]
            } else {
                0
            };
            let (hi, lo) = (g >> 8, g & 0xFF);
            let cont = |b: u16| matches!(b, 0x80..=0xBF);
            if c == '\u{FFFD}' {
                return None;
            }
            let next = match st.gbk {
                GbkRun::Lead if cont(hi) && matches!(lo, 0xE0..=0xEF) => GbkRun::NeedsTwo,
                GbkRun::Lead if cont(hi) && matches!(lo, 0xC2..=0xDF | 0xF0..=0xF4) => {
                    GbkRun::NeedsOne
                }
                GbkRun::NeedsTwo if cont(hi) && cont(lo) => return None,
                GbkRun::NeedsOne if cont(hi) => return None,
                // the run ends here; the character is taken on its own below
                _ => GbkRun::None,
            };
            if next != GbkRun::None {
                return Some(GateState {
                    prev_leads: 0,
                    gbk: next,
                });
            }
        }
        if CJK_UNIFIED.contains(&u) {
            // No single-byte code page has Han characters.
            return Some(GateState {
                prev_leads: 0,
                gbk: if self.gate_han.contains(c) {
                    GbkRun::Lead
                } else {
                    GbkRun::None
                },
            });
        }
        let f = if u < 0x10000 {
            self.gate_flags[u as usize]
        } else {
            0
        };
        if f & GATE_SINGLE != 0 || (st.prev_leads & (f >> 8) & 0xFF) != 0 {
            return None;
        }
        Some(GateState {
            prev_leads: f & 0xFF,
            gbk: GbkRun::None,
        })
    }
}

impl RuleKind for Mojibake {
    fn apply(&self, text: &str, hits: &mut RuleHits) -> Option<String> {
        if text.is_ascii() {
            return None;
        }
        // One pass over the whole text: most documents stop at the first call.
        let mut edits = Vec::new();
        let mut from = 0;
        while let Some(p) = self.first_match(text, from) {
            let b = text.as_bytes();
            let start = memchr::memrchr2(b'\n', b'\r', &b[..p]).map_or(0, |k| k + 1);
            let end = memchr::memchr2(b'\n', b'\r', &b[p..]).map_or(b.len(), |k| p + k);
            if let Some(fixed) = repair_line(&text[start..end], &self.enabled) {
                edits.push((start, end, fixed));
            }
            from = end;
        }
        super::hits::splice(text, hits, edits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(s: &str) -> String {
        let all: Vec<usize> = (0..codecs().len()).collect();
        repair_line(s, &all).unwrap_or_else(|| s.to_owned())
    }

    #[test]
    fn gbk_mojibake_whole_and_span() {
        assert_eq!(fix("鍏氬憳"), "党员");
        assert_eq!(
            fix("锛堜竴锛夊潥鎸佷互楂樿川閲忕粺璁℃湇鍔￠珮璐ㄩ噺鍙戝睍"),
            "（一）坚持以高质量统计服务高质量发展"
        );
        assert_eq!(
            fix("1.2023骞村害閲嶇偣宸ヤ綔鎺ㄨ繘鎯呭喌"),
            "1.2023年度重点工作推进情况"
        );
        assert_eq!(fix("（二）业务能力与新形势新要求还不能适应。闅忕潃缁忔祹绀句細鐨勫彂灞曪紝新情况新问题明显增多"), "（二）业务能力与新形势新要求还不能适应。随着经济社会的发展，新情况新问题明显增多");
    }

    #[test]
    fn gbk_mojibake_with_lost_bytes() {
        // `，` and `。` lost their last byte to the wrong decoder.
        assert_eq!(fix("鍏氬憳锛�"), "党员，");
        assert_eq!(fix("鍏氬憳銆�"), "党员。");
    }

    #[test]
    fn windows_1252_mojibake() {
        assert_eq!(fix("å…šå‘˜"), "党员");
        assert_eq!(fix("ä¸ºè¾–åŒºå„¿ç«¥å…\u{8d}è´¹"), "为辖区儿童免费");
        assert_eq!(fix("HÃ´tel de Police"), "Hôtel de Police");
        // CESU-8: a surrogate pair as two three-byte sequences, read as Windows-1252
        assert_eq!(fix("Hi guys í\u{a0}½í¸\u{8d}"), "Hi guys 😍");
        // 素 = E7 B4 A0: an NBSP as the last byte of a three-byte sequence
        assert_eq!(fix("è¡¥å……ç»´ç”Ÿç´\u{a0}Dæ»´å‰‚ã€‚"), "补充维生素D滴剂。");
    }

    /// The rule compiled from its settings, with `extra` lines added.
    fn compile(extra: &str) -> Result<Mojibake, RuleError> {
        let text = format!(
            "id = \"m\"\nkind = \"mojibake\"\nstage = \"mojibake\"\ndescription = \"d\"\n{extra}"
        );
        let spec: RuleSpec = toml::from_str(&text).unwrap();
        let src = RuleSource {
            path: "test.toml".into(),
            text,
        };
        Mojibake::compile(&spec, &src)
    }

    /// `from` takes encoding labels, IBM437's included, and names what it
    /// cannot repair.
    #[test]
    fn from_takes_labels() {
        let with_from = |from: &str| compile(&format!("from = {from}\n"));
        let names = |from: &str| -> Vec<&str> {
            let m = with_from(from).unwrap_or_else(|e| panic!("{from}: {e}"));
            m.enabled.iter().map(|&i| codecs()[i].name).collect()
        };
        assert_eq!(
            names(r#"["cp437", "GB18030", "latin1"]"#),
            ["IBM437", "GBK", "windows-1252"]
        );
        assert_eq!(names(r#"["IBM437"]"#), ["IBM437"]);
        let err = with_from(r#"["big5"]"#)
            .err()
            .expect("Big5 is not repaired")
            .to_string();
        assert!(
            err.contains("does not support `big5`") && err.contains("IBM437"),
            "{err}"
        );
        let err = with_from(r#"["klingon"]"#)
            .err()
            .expect("no such encoding")
            .to_string();
        assert!(err.contains("unknown encoding `klingon`"), "{err}");
    }

    /// The fast gate, with each scan, says exactly what the per-character check
    /// over the whole string says, wherever the suspects fall against word boundaries.
    #[test]
    fn fast_gate_agrees_with_the_exact_check() {
        use crate::rules::suspects::Kernel;
        use proptest::prelude::*;
        use proptest::test_runner::{Config, TestRunner};
        let m = compile("").unwrap();
        // the same rule with each scan this CPU has
        let scans: Vec<Mojibake> = [Kernel::Avx512, Kernel::Avx2, Kernel::Portable]
            .into_iter()
            .filter_map(|k| {
                let mut r = compile("").unwrap();
                r.suspects.set_kernel(k).then_some(r)
            })
            .collect();
        #[cfg(target_arch = "x86_64")]
        if is_x86_feature_detected!("avx2") {
            let kernels: Vec<Kernel> = scans.iter().map(|r| r.suspects.kernel()).collect();
            assert!(kernels.contains(&Kernel::Avx2), "{kernels:?}");
        }
        let exact = |s: &str| {
            s.chars()
                .try_fold(GateState::default(), |st, c| m.step(st, c))
                .and_then(|st| m.at_end(st))
                .is_none()
        };
        // mostly clean text, so that long stretches go through the fast scan
        let clean: Vec<char> = "党员的二十大精神学习贯彻中国河，。、“”（）1a "
            .chars()
            .collect();
        let odd: Vec<char> = "\n鍏氬憳锛銆涓璞堜竴—…·×éÃ©Ð¸\u{85}\u{a0}\u{fffd}😍Ωπ┬"
            .chars()
            .collect();
        // and any Han character, two-byte character, punctuation or symbol
        // (E2), fullwidth or compatibility form (EF)
        let any = |r: std::ops::Range<u32>| r.prop_map(|u| char::from_u32(u).unwrap());
        let pick = prop_oneof![
            9 => (0..clean.len()).prop_map(|i| clean[i]),
            1 => (0..odd.len()).prop_map(|i| odd[i]),
            2 => any(0x4E00..0xA000),
            1 => any(0x80..0x800),
            1 => any(0x2000..0x2600),
            1 => any(0xF900..0xFFFE),
        ];
        let mut runner = TestRunner::new(Config::with_cases(3000));
        runner
            .run(&proptest::collection::vec(pick, 0..300), |chars| {
                let s: String = chars.into_iter().collect();
                let want = exact(&s);
                for r in &scans {
                    let k = r.suspects.kernel();
                    prop_assert_eq!(r.first_match(&s, 0).is_some(), want, "{:?} {:?}", k, s);
                }
                Ok(())
            })
            .unwrap();
    }

    /// The one-pass flags say, for every codec, what its own check says.
    #[test]
    fn applicable_agrees_with_each_codec() {
        use proptest::prelude::*;
        use proptest::test_runner::{Config, TestRunner};
        // characters that are leads or continuations of some codec, and others
        let pool: Vec<char> = "党员鍏氬憳锛銆涓—…·×éèÃÂÐÑ©¸“”‘’\u{85}\u{a0}\u{fffd}😍Ωπ┬╗ ÿ€a1，。"
            .chars()
            .collect();
        let mut runner = TestRunner::new(Config::with_cases(3000));
        runner
            .run(&proptest::collection::vec(0..pool.len(), 0..12), |idx| {
                let s: String = idx.into_iter().map(|i| pool[i]).collect();
                let mask = applicable(&s);
                for (i, c) in codecs().iter().enumerate() {
                    prop_assert_eq!(mask & (1 << i) != 0, c.may_apply(&s), "{} {:?}", c.name, s);
                }
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn clean_text_stays() {
        for s in [
            "涓涓细流",
            "鍏",
            "深入学习贯彻党的二十大精神",
            "Bremer/Mccoy – DrÃ¥ber",
            "Offering 5×£35 pin ups",
            "RETWEET SE VOCÊ…",
            "café",
        ] {
            assert_eq!(fix(s), s);
        }
    }
}
