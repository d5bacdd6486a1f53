//! Bytes lost or left between the wrong decoder and the text: a byte a GBK
//! decoder could not pair (U+FFFD, or `?` on consoles), inferred where one
//! character fits; C1 controls a Latin-1 decoder left, as Windows-1252
//! punctuation; and the bytes Windows-1252 has no character for (0x81, 0x8D,
//! 0x8F, 0x90, 0x9D), whose control characters a copy-paste drops. Of what
//! `â€` (E2 80) was with such a byte lost — U+2001, ZWJ, RLM, the hyphen
//! U+2010 or `”` (E2 80 9D) — only the closing quote ends a quotation: `â€`
//! becomes `”` where it closes a `“` on the same line, before the end, one
//! space and a word, or punctuation. Anything else stays as it is.

use crate::charclass::{common_simplified, is_cjk_punct};

type LineFix = fn(&str) -> Option<String>;

/// The repairs of lost and left bytes that run after the re-decoding, by the
/// name a repair's evidence gives.
pub(super) const AFTER: [(&str, LineFix); 2] = [
    ("C1 controls", fix_c1),
    ("windows-1252", restore_closing_quote),
];

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
pub(super) fn infer_lost_gbk(seq: &[u8], k: usize, next: Option<u8>) -> char {
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

/// The line with each `â€` that closes a quotation restored as `”`.
fn restore_closing_quote(line: &str) -> Option<String> {
    if !line.contains("â€") {
        return None;
    }
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut open = false;
    let mut changed = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == 'â' && chars.get(i + 1) == Some(&'€') && open && closes(&chars, i) {
            out.push('”');
            changed = true;
            open = false;
            i += 2;
            continue;
        }
        match c {
            '“' => open = true,
            '”' => open = false,
            _ => {}
        }
        out.push(c);
        i += 1;
    }
    changed.then_some(out)
}

/// Does `â€` at `i` stand where a closing quote does: after a word or
/// punctuation, before the end, one space and a word, or punctuation?
fn closes(chars: &[char], i: usize) -> bool {
    let before = i.checked_sub(1).map(|j| chars[j]);
    if before.is_none_or(char::is_whitespace) {
        return false;
    }
    match chars.get(i + 2) {
        None => true,
        Some(' ') => chars
            .get(i + 3)
            .is_none_or(|&n| n.is_alphanumeric() || n == '“' || n == '('),
        Some(&n) => matches!(n, '.' | ',' | ';' | ':' | '!' | '?' | ')' | ']'),
    }
}

#[cfg(test)]
mod tests {
    use super::restore_closing_quote as fix;

    #[test]
    fn closing_quote_whose_last_byte_was_dropped() {
        assert_eq!(
            fix("He said “yesâ€ and left.").unwrap(),
            "He said “yes” and left."
        );
        assert_eq!(fix("“Hello worldâ€").unwrap(), "“Hello world”");
        assert_eq!(
            fix("“Did he?â€, she asked").unwrap(),
            "“Did he?”, she asked"
        );
        // the `?` that follows may be a real question mark: kept
        assert_eq!(fix("Did he say “yesâ€?").unwrap(), "Did he say “yes”?");
    }

    #[test]
    fn no_open_quote_or_no_closing_place() {
        assert_eq!(fix("no quote hereâ€ at all"), None);
        assert_eq!(fix("“open â€ spaced"), None);
        // two spaces after it: a dagger (E2 80 A0) whose NBSP became a space
        assert_eq!(fix("“Smithâ€  and"), None);
        // before a letter: a hyphen or a joiner as likely
        assert_eq!(fix("“wellâ€known”"), None);
        assert_eq!(fix("plain “quoted” text"), None);
    }
}
