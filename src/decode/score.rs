//! How plausible a decode reads. [`plausibility`] is script-blind (any
//! ordinary text scores high), for the UTF-16 lane; [`own_script`] judges a
//! legacy decode in the script its encoding is made for: Hangul for EUC-KR,
//! kana for Japanese, letters of one language for Latin and Cyrillic…

use super::alphabets::{Script, CYRILLIC, LATIN};
use crate::charclass::{common_han, is_cjk_punct, is_han};

/// Share of characters that are ordinary: ASCII text, common Han, CJK punctuation,
/// Latin letters. Mojibake and wrong-codepage decodes score low.
pub fn plausibility(text: &str) -> f64 {
    let common = common_han();
    let mut total = 0usize;
    let mut good = 0.0f64;
    for c in text.chars() {
        total += 1;
        if c.is_ascii() {
            if !c.is_ascii_control() || matches!(c, '\n' | '\r' | '\t') {
                good += 1.0;
            }
        } else if is_han(c) {
            if common.contains(c) {
                good += 1.0;
            } else {
                good += 0.2;
            }
        } else if is_cjk_punct(c) {
            good += 1.0;
        } else if is_junk(c) {
            // replacement, C1 controls, private use: never good
        } else if c.is_alphabetic() {
            good += 0.7;
        } else {
            good += 0.4;
        }
    }
    if total == 0 {
        1.0
    } else {
        good / total as f64
    }
}

/// What a lost byte (U+FFFD after decoding) costs: far more than any
/// character can earn, so a candidate that loses bytes rarely wins.
pub const LOST_BYTE: f64 = 3.0;

/// The plausibility of `text`, decoded from `high` bytes beyond ASCII in a
/// legacy encoding of `script`, `bad` of them lost: the mean weight of its
/// characters beyond ASCII (up to 1 for a character that belongs to the
/// script and, for alphabets, to one language; less for stray symbols; below
/// zero for controls and letters in the wrong place) times the bytes they
/// came from, less [`LOST_BYTE`] for each lost byte. Candidates of one
/// sample are compared on this sum.
pub fn own_script(text: &str, bad: usize, high: usize, script: Script) -> f64 {
    let language = match script {
        Script::Latin => best_language(text, LATIN, is_latin_letter),
        Script::Cyrillic => best_language(text, CYRILLIC, is_cyrillic),
        _ => "",
    };
    let mut sum = 0.0;
    let mut n = 0usize;
    let mut prev = ' ';
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied().unwrap_or(' ');
        if !c.is_ascii() && c != '\u{FFFD}' {
            sum += if script.single_byte() {
                alphabetic_weight(c, prev, next, script, language)
            } else {
                cjk_weight(c, prev, next, script)
            };
            n += 1;
        }
        prev = c;
    }
    let mean = if n == 0 { 0.0 } else { sum / n as f64 };
    mean * high.saturating_sub(bad) as f64 - LOST_BYTE * bad as f64
}

/// The language whose letters cover most of the text's letters beyond ASCII.
fn best_language(
    text: &str,
    languages: &'static [(&'static str, &'static str)],
    in_script: fn(char) -> bool,
) -> &'static str {
    let mut counts: Vec<(char, usize)> = Vec::new();
    for c in text.chars().filter(|&c| !c.is_ascii() && in_script(c)) {
        let c = lower(c);
        match counts.iter_mut().find(|(k, _)| *k == c) {
            Some((_, n)) => *n += 1,
            None => counts.push((c, 1)),
        }
    }
    let mut best = ("", 0usize);
    for &(_, letters) in languages {
        let covered: usize = counts
            .iter()
            .filter(|(c, _)| letters.contains(*c))
            .map(|(_, n)| n)
            .sum();
        if covered > best.1 {
            best = (letters, covered);
        }
    }
    best.0
}

fn lower(c: char) -> char {
    let mut it = c.to_lowercase();
    match (it.next(), it.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// Weight of a character beyond ASCII in a single-byte decode.
fn alphabetic_weight(c: char, prev: char, next: char, script: Script, language: &str) -> f64 {
    if is_junk(c) {
        return -1.0;
    }
    if ('\u{0300}'..='\u{036F}').contains(&c) {
        // combining accents: how windows-1258 writes Vietnamese tones
        return if is_letter(prev) { 0.8 } else { -0.5 };
    }
    let inside_word = is_letter(prev) && is_letter(next);
    if !is_letter(c) {
        if matches!(c, '’' | '·' | '\u{AD}' | '‐' | '‑') {
            return 0.8;
        }
        if is_currency(c) && (prev.is_ascii_digit() || next.is_ascii_digit()) {
            return 1.0;
        }
        if inside_word {
            return -0.5;
        }
        return if is_quote_or_dash(c) {
            0.8
        } else if is_typographic(c) {
            0.6
        } else {
            0.1
        };
    }
    let own = match script {
        Script::Latin | Script::Cyrillic => {
            let ours = if script == Script::Latin {
                is_latin_letter(c)
            } else {
                is_cyrillic(c)
            };
            if !ours {
                return -0.3;
            }
            // a non-Latin letter glued to an ASCII letter
            if script == Script::Cyrillic
                && (prev.is_ascii_alphabetic() || next.is_ascii_alphabetic())
            {
                return -0.3;
            }
            if language.contains(lower(c)) {
                1.0
            } else {
                0.25
            }
        }
        _ => {
            if !in_script(c, script) {
                return -0.3;
            }
            if prev.is_ascii_alphabetic() || next.is_ascii_alphabetic() {
                return -0.3;
            }
            1.0
        }
    };
    // a letter against a digit, with no letter beside it: a misread sign
    if !is_letter(prev) && !is_letter(next) && (prev.is_ascii_digit() || next.is_ascii_digit()) {
        return 0.2;
    }
    // case changing inside a word (`BlanchardÕs`, `ìThe`): mojibake's hallmark
    if (c.is_uppercase() && prev.is_lowercase()) || (c.is_lowercase() && next.is_uppercase()) {
        return own - 1.0;
    }
    // a lone letter beyond ASCII is rarely a word
    if !is_letter(prev) && !is_letter(next) {
        return own * 0.5;
    }
    own
}

/// Weight of a character beyond ASCII in a Chinese, Japanese or Korean decode.
fn cjk_weight(c: char, prev: char, next: char, script: Script) -> f64 {
    if is_junk(c) {
        return -1.0;
    }
    let ideographic = is_han(c) || is_kana(c) || is_hangul(c);
    // a double-byte character inside an ASCII word: Latin bytes misread
    if ideographic && prev.is_ascii_alphabetic() && next.is_ascii_alphabetic() {
        return -1.0;
    }
    let common = || common_han().contains(c);
    match script {
        Script::Chinese if is_han(c) => {
            if common() {
                1.0
            } else {
                0.4
            }
        }
        Script::Japanese if is_han(c) => {
            if common() {
                0.8
            } else {
                0.5
            }
        }
        Script::Korean if is_han(c) => 0.3,
        Script::Korean if ('\u{AC00}'..='\u{D7A3}').contains(&c) => 1.0,
        Script::Japanese if is_kana(c) => 1.0,
        Script::Japanese if ('\u{FF61}'..='\u{FF9F}').contains(&c) => 0.3,
        _ if is_cjk_punct(c) => 1.0,
        _ if ('\u{FF01}'..='\u{FF5E}').contains(&c) => 0.8,
        _ if is_kana(c) || is_hangul(c) => 0.2,
        _ if ('\u{2190}'..='\u{27BF}').contains(&c) || ('\u{2460}'..='\u{24FF}').contains(&c) => {
            0.5
        }
        _ => 0.1,
    }
}

/// Replacement, controls, private use: never part of a real text.
fn is_junk(c: char) -> bool {
    c == '\u{FFFD}'
        || c.is_control()
        || ('\u{E000}'..='\u{F8FF}').contains(&c)
        || ('\u{FDD0}'..='\u{FDEF}').contains(&c)
}

fn is_letter(c: char) -> bool {
    c.is_alphabetic() && c != 'µ' && c != 'ª' && c != 'º'
}

fn is_latin_letter(c: char) -> bool {
    is_letter(c) && (c < '\u{0250}' || ('\u{1E00}'..='\u{1EFF}').contains(&c))
}

fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{04FF}').contains(&c)
}

fn is_kana(c: char) -> bool {
    ('\u{3040}'..='\u{30FF}').contains(&c) || ('\u{31F0}'..='\u{31FF}').contains(&c)
}

fn is_hangul(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
        || ('\u{1100}'..='\u{11FF}').contains(&c)
        || ('\u{3130}'..='\u{318F}').contains(&c)
}

/// A letter or mark of a non-Latin alphabetic script.
fn in_script(c: char, script: Script) -> bool {
    let u = c as u32;
    match script {
        Script::Greek => (0x0370..=0x03FF).contains(&u) || (0x1F00..=0x1FFF).contains(&u),
        Script::Hebrew => (0x0590..=0x05FF).contains(&u) || (0xFB1D..=0xFB4F).contains(&u),
        Script::Arabic => {
            (0x0600..=0x06FF).contains(&u)
                || (0x0750..=0x077F).contains(&u)
                || (0xFB50..=0xFDFF).contains(&u)
                || (0xFE70..=0xFEFF).contains(&u)
        }
        Script::Thai => (0x0E00..=0x0E7F).contains(&u),
        _ => false,
    }
}

fn is_currency(c: char) -> bool {
    matches!(c, '€' | '£' | '¥' | '¢' | '¤')
}

fn is_quote_or_dash(c: char) -> bool {
    matches!(
        c,
        '‘' | '’' | '‚' | '“' | '”' | '„' | '–' | '—' | '…' | '«' | '»'
    )
}

/// Punctuation and signs that ordinary prose in any alphabet uses.
fn is_typographic(c: char) -> bool {
    matches!(
        c,
        '\u{A0}'
            | '‘'
            | '’'
            | '‚'
            | '“'
            | '”'
            | '„'
            | '–'
            | '—'
            | '…'
            | '•'
            | '·'
            | '«'
            | '»'
            | '‹'
            | '›'
            | '°'
            | '§'
            | '©'
            | '®'
            | '™'
            | '€'
            | '£'
            | '¥'
            | '¢'
            | '†'
            | '‡'
            | '‰'
            | '×'
            | '÷'
            | '±'
            | '¿'
            | '¡'
            | '№'
    ) || c.is_whitespace()
}
