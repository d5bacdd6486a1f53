//! Repair of UTF-8 read with a single-byte code page (`å…šå‘˜` → `党员`,
//! `HÃ´tel` → `Hôtel`): each character is one byte, so every UTF-8 sequence is
//! a candidate judged on its own, in the context of its neighbours (decoded
//! where they are fixed too), by named rejection checks.

use super::bytes::{byte_of, decode_at, Byte};
use super::codec::{Codec, Page};
use super::script::{allowed_single_byte_result, is_cjkish, Script};

/// A candidate fix: characters `from..to` become `text`.
pub(super) struct Cand {
    pub(super) from: usize,
    pub(super) to: usize,
    pub(super) text: String,
    /// Strong evidence on its own (a clean multi-byte decode judged plausible).
    pub(super) strong: bool,
    /// Kept only next to another kept candidate (an NBSP that became a space).
    needs_neighbour: bool,
}

impl Cand {
    fn new(from: usize, to: usize, text: impl Into<String>, strong: bool) -> Cand {
        Cand {
            from,
            to,
            text: text.into(),
            strong,
            needs_neighbour: false,
        }
    }

    fn first(&self) -> char {
        self.text.chars().next().unwrap_or(' ')
    }
}

/// One pass over a line with a single-byte codec: the repaired line and the
/// number of fixes, if any candidate was kept.
pub(super) fn repair_single(line: &str, codec: &Codec) -> Option<(String, usize)> {
    let chars: Vec<char> = line.chars().collect();
    let bytes: Vec<Option<Byte>> = chars.iter().map(|&c| byte_of(c, codec)).collect();
    let cands = candidates(&chars, &bytes);
    if cands.is_empty() {
        return None;
    }
    let (mut keep, strong) = judge_all(&chars, &cands, codec);
    if strong < strong_needed(&chars, &cands, &keep, codec) {
        return None;
    }
    // Lossy candidates go along with strong evidence on the same line.
    for (k, q) in cands.iter().enumerate() {
        if q.text == "\u{FFFD}" {
            keep[k] = true;
        }
    }
    keep_neighbours(&chars, &cands, &mut keep, strong);
    Some(splice(&chars, &cands, &keep, line.len()))
}

/// Every UTF-8 sequence the line's bytes hold, left to right.
pub(super) fn candidates(chars: &[char], bytes: &[Option<Byte>]) -> Vec<Cand> {
    let mut cands = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let Some(Some(b)) = bytes[i] else {
            i += 1;
            continue;
        };
        let found = a_grave(chars, i, b)
            .or_else(|| {
                (0xC2..=0xF4)
                    .contains(&b)
                    .then(|| cesu8(bytes, i))
                    .flatten()
            })
            .or_else(|| {
                (0xC2..=0xF4)
                    .contains(&b)
                    .then(|| sequence(chars, bytes, i))
                    .flatten()
            });
        match found {
            Some(q) => {
                i = q.to;
                cands.push(q);
            }
            None => i += 1,
        }
    }
    cands
}

/// `Ã` whose NBSP became a space: `voilÃ  le`, `Ã perturber`, `Ã s crianças`.
/// (The code page's character for 0xC3: `Ã` in Windows-1252, `Г` in Windows-1251.)
fn a_grave(chars: &[char], i: usize, b: u8) -> Option<Cand> {
    if b != 0xC3 || chars.get(i + 1) != Some(&' ') {
        return None;
    }
    let prev_ok = i == 0 || matches!(chars[i - 1], ' ' | '\'' | '’') || chars[i - 1].is_lowercase();
    if !prev_ok {
        return None;
    }
    let next = chars.get(i + 2).copied();
    // Portuguese crasis: `Ã quele` is `àquele` (the space is the NBSP byte)
    let word: String = chars[i + 2..]
        .iter()
        .take_while(|c| c.is_alphabetic())
        .collect();
    let crasis = matches!(
        word.as_str(),
        "quele" | "quela" | "queles" | "quelas" | "quilo"
    );
    if crasis || next == Some(' ') {
        Some(Cand::new(i, i + 2, "à", true))
    } else if next == Some('s') && matches!(chars.get(i + 3), Some(' ')) {
        Some(Cand::new(i, i + 3, "às", true))
    } else if next.is_some_and(|c| c.is_lowercase()) {
        Some(Cand::new(i, i + 1, "à", true))
    } else {
        None
    }
}

/// CESU-8: a surrogate pair written as two three-byte sequences (emoji).
fn cesu8(bytes: &[Option<Byte>], i: usize) -> Option<Cand> {
    let six: Vec<u8> = bytes
        .get(i..i + 6)?
        .iter()
        .map_while(|x| x.flatten())
        .collect();
    let [0xED, hi @ 0xA0..=0xAF, h2 @ 0x80..=0xBF, 0xED, lo @ 0xB0..=0xBF, l2 @ 0x80..=0xBF] =
        six[..]
    else {
        return None;
    };
    let high = 0xD000 | ((hi as u32 & 0x3F) << 6) | (h2 as u32 & 0x3F);
    let low = 0xD000 | ((lo as u32 & 0x3F) << 6) | (l2 as u32 & 0x3F);
    let c = char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))?;
    Some(Cand::new(i, i + 6, c.to_string(), true))
}

/// A UTF-8 sequence of two bytes or more at character `i`, possibly with a
/// lost byte, or with an NBSP continuation byte that became a space.
fn sequence(chars: &[char], bytes: &[Option<Byte>], i: usize) -> Option<Cand> {
    let n = chars.len();
    let window: Vec<Byte> = bytes[i..n.min(i + 4)].iter().map_while(|x| *x).collect();
    if let Some((c, len, lost)) = decode_at(&window, 0, false) {
        if len > 1 {
            // A lost byte right after a lowercase letter (`SlovenÄ�ina`) is damage, not text.
            let strong = !lost || (i > 0 && chars[i - 1].is_lowercase());
            return Some(Cand::new(i, i + len, c.to_string(), strong));
        }
    }
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
        Some((c, len, false)) if len > 1 && spaced[..len] != window[..len.min(window.len())] => {
            Some(Cand {
                needs_neighbour: true,
                ..Cand::new(i, i + len, c.to_string(), false)
            })
        }
        _ => None,
    }
}

/// A candidate in its context, for the rejection checks.
pub(super) struct Seen<'a> {
    page: Page,
    /// The decoded character.
    x: char,
    script: Script,
    /// The characters it replaces.
    orig: &'a [char],
    /// Its neighbours, as decoded where they are candidates too.
    before: Option<char>,
    after: Option<char>,
    /// Next to another candidate.
    in_run: bool,
    /// Strong candidates on the line that decode to CJK.
    cjk_cands: usize,
}

impl Seen<'_> {
    fn caps(c: Option<char>) -> bool {
        c.is_some_and(|c| c.is_uppercase())
    }

    fn letter(c: Option<char>) -> bool {
        c.is_some_and(|c| c.is_alphabetic())
    }

    fn latin_extended(&self) -> bool {
        (0x100..0x250).contains(&(self.x as u32))
    }

    /// A letter of another script with no neighbour of its script. Chinese
    /// read as Windows-1252 yields many CJK candidates on one line, and a lone
    /// lowercase Greek letter inside a Latin token (`IL2RγcKO`) is a symbol.
    fn lone_script_letter(&self) -> bool {
        let han_line = self.script == Script::Han && self.cjk_cands >= 2;
        let greek_symbol = self.script == Script::Greek
            && self.x.is_lowercase()
            && self.before.is_some_and(|c| c.is_ascii_alphanumeric())
            && self.after.is_some_and(|c| c.is_ascii_alphanumeric());
        let same_script_near = self.before.is_some_and(|c| Script::of(c) == self.script)
            || self.after.is_some_and(|c| Script::of(c) == self.script);
        self.script != Script::Other && !han_line && !greek_symbol && !same_script_near
    }

    /// A lowercase Latin Extended letter among capitals.
    fn lowercase_in_capitals(&self) -> bool {
        self.x.is_lowercase()
            && self.latin_extended()
            && Self::caps(self.before)
            && (Self::caps(self.after) || !Self::letter(self.after))
    }

    /// Combining marks only from Windows-1252 and on a character (`$Ì¶6` → `$̶6`).
    fn stray_combining_mark(&self) -> bool {
        (0x300..0x370).contains(&(self.x as u32))
            && (self.page != Page::Windows1252 || self.before.is_none_or(char::is_whitespace))
    }

    /// A lone Latin Extended letter standing as a word of its own (`10 Å—`),
    /// unless it is part of a run of mojibake.
    fn lone_latin_extended(&self) -> bool {
        self.latin_extended()
            && !Self::letter(self.before)
            && !Self::letter(self.after)
            && !self.in_run
    }

    /// NBSP read as a continuation byte of a two-byte sequence only after Ã/Â (à, NBSP).
    fn nbsp_not_latin1(&self) -> bool {
        self.orig.len() == 2
            && self.orig.contains(&'\u{A0}')
            && !matches!(self.x as u32, 0xA0..=0xFF)
    }

    /// Capitals of other code pages inside capitals (`HÅØYA`) are real letters.
    fn capitals_of_other_page(&self) -> bool {
        self.page != Page::Windows1252
            && (self.x as u32) < 0x250
            && self.x.is_uppercase()
            && Self::caps(self.before)
            && Self::caps(self.after)
    }

    /// Box drawing alone is line art, not code page 437 mojibake (`├┤a┼┐a`).
    fn line_art(&self) -> bool {
        self.page == Page::Ibm437
            && self.script == Script::Other
            && self
                .orig
                .iter()
                .all(|&c| ('\u{2500}'..='\u{259F}').contains(&c))
    }

    /// Braille is never what a mangled text meant: it comes out of a letter,
    /// a no-break space and a dash (`в\u{A0}—` → `⠗`).
    fn braille(&self) -> bool {
        ('\u{2800}'..='\u{28FF}').contains(&self.x)
    }

    /// MacRoman's √ is a math sign unless it sits inside a word (`wei√ü`).
    fn math_root(&self) -> bool {
        self.page == Page::Macintosh
            && self.orig.first() == Some(&'√')
            && !Self::letter(self.before)
            && !Self::letter(self.after)
    }

    /// Kept, but no evidence on its own: currency signs and curly quotes that
    /// decode to Latin (`Â£`, `â€™` before lowercase).
    fn weak(&self) -> bool {
        (self.x as u32) < 0x250
            && (self
                .orig
                .iter()
                .any(|&c| matches!(c, '¢' | '£' | '¤' | '¥'))
                || (self
                    .orig
                    .iter()
                    .any(|&c| matches!(c, '‘' | '’' | '“' | '”'))
                    && !Self::caps(self.after)))
    }
}

/// A check that turns a candidate down.
type Check = fn(&Seen) -> bool;

/// The checks that turn a candidate down, by name.
const REJECT: [(&str, Check); 9] = [
    ("lone script letter", |s| s.lone_script_letter()),
    ("lowercase in capitals", |s| s.lowercase_in_capitals()),
    ("stray combining mark", |s| s.stray_combining_mark()),
    ("lone Latin Extended letter", |s| s.lone_latin_extended()),
    ("NBSP not after Ã/Â", |s| s.nbsp_not_latin1()),
    ("capitals of another page", |s| s.capitals_of_other_page()),
    ("line art", |s| s.line_art()),
    ("math root sign", |s| s.math_root()),
    ("Braille", |s| s.braille()),
];

/// Which candidates pass the checks, and how many of them are strong evidence.
pub(super) fn judge_all(chars: &[char], cands: &[Cand], codec: &Codec) -> (Vec<bool>, usize) {
    let mut keep = vec![false; cands.len()];
    let mut strong = 0usize;
    let cjk = cjk_cands(cands);
    for (k, q) in cands.iter().enumerate() {
        if q.first() == '\u{FFFD}' {
            // `ï¿½`: a replacement character itself, cleanly encoded, is a fix.
            if q.strong && q.to - q.from == 3 {
                keep[k] = true;
                strong += 1;
            }
            continue;
        }
        // `Â\u{9d}` after `â€`: a C1 control is the inner layer of double mojibake
        let x = q.first();
        if ('\u{80}'..='\u{9F}').contains(&x) && k > 0 && keep[k - 1] && cands[k - 1].to == q.from {
            keep[k] = true;
            continue;
        }
        let Some(seen) = seen_at(chars, cands, k, codec, cjk) else {
            continue;
        };
        if rejected_by(&seen).is_some() {
            continue;
        }
        keep[k] = true;
        if q.strong && !seen.weak() {
            strong += 1;
        }
    }
    (keep, strong)
}

/// Strong candidates on the line that decode to CJK.
pub(super) fn cjk_cands(cands: &[Cand]) -> usize {
    let cjk = |q: &&Cand| q.strong && q.text.chars().next().is_some_and(is_cjkish);
    cands.iter().filter(cjk).count()
}

/// Candidate `k` in its context, if its result may stand in text at all.
pub(super) fn seen_at<'a>(
    chars: &'a [char],
    cands: &[Cand],
    k: usize,
    codec: &Codec,
    cjk_cands: usize,
) -> Option<Seen<'a>> {
    let (q, x) = (&cands[k], cands[k].first());
    let joined_left = k > 0 && cands[k - 1].to == q.from;
    let joined_right = k + 1 < cands.len() && cands[k + 1].from == q.to;
    allowed_single_byte_result(x).then(|| Seen {
        page: codec.page,
        x,
        script: Script::of(x),
        orig: &chars[q.from..q.to],
        before: match joined_left {
            true => Some(cands[k - 1].text.chars().last().unwrap_or(' ')),
            false => q.from.checked_sub(1).map(|j| chars[j]),
        },
        after: match joined_right {
            true => Some(cands[k + 1].first()),
            false => chars.get(q.to).copied(),
        },
        in_run: joined_left || joined_right,
        cjk_cands,
    })
}

/// The name of the first check that turns a candidate down.
pub(super) fn rejected_by(seen: &Seen) -> Option<&'static str> {
    REJECT
        .iter()
        .find(|(_, rejects)| rejects(seen))
        .map(|(name, _)| *name)
}

/// Strong candidates a line needs before anything on it is fixed. Codecs
/// other than Windows-1252 are fixed conservatively: two strong candidates,
/// or one of three bytes or more.
pub(super) fn strong_needed(chars: &[char], cands: &[Cand], keep: &[bool], codec: &Codec) -> usize {
    let long = cands
        .iter()
        .zip(keep)
        .any(|(q, &k)| k && q.strong && q.to - q.from >= 3);
    if codec.page == Page::Windows1252
        || long
        || (codec.page == Page::Macintosh && chars.contains(&'√'))
    {
        1
    } else {
        2
    }
}

/// Candidates that need a neighbour keep it, stand at a word start (`Å veices`:
/// before a lowercase letter) or are an NBSP after a word, on a line with other fixes.
fn keep_neighbours(chars: &[char], cands: &[Cand], keep: &mut [bool], strong: usize) {
    for k in 0..cands.len() {
        if !(cands[k].needs_neighbour && keep[k]) {
            continue;
        }
        let left = k > 0
            && keep[k - 1]
            && !cands[k - 1].needs_neighbour
            && cands[k - 1].to == cands[k].from;
        let right = k + 1 < cands.len()
            && keep[k + 1]
            && !cands[k + 1].needs_neighbour
            && cands[k + 1].from == cands[k].to;
        let word_start = (cands[k].from == 0 || chars[cands[k].from - 1] == ' ')
            && chars.get(cands[k].to).is_some_and(|c| c.is_lowercase())
            && strong >= 1;
        // `20Â km`, `PrixÂ :`: an NBSP (`Â` and a space) right after a word
        let attached = cands[k].text == "\u{A0}"
            && (cands[k].from.checked_sub(1)).is_some_and(|j| chars[j].is_alphanumeric())
            && strong >= 1;
        keep[k] = left || right || word_start || attached;
    }
}

/// The line with the kept candidates in place, and how many there were.
fn splice(chars: &[char], cands: &[Cand], keep: &[bool], len: usize) -> (String, usize) {
    let mut out = String::with_capacity(len);
    let mut copied = 0;
    let mut fixed = 0;
    for (q, _) in cands.iter().zip(keep).filter(|(_, &k)| k) {
        out.extend(&chars[copied..q.from]);
        out.push_str(&q.text);
        copied = q.to;
        fixed += 1;
    }
    out.extend(&chars[copied..]);
    (out, fixed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `orig` decoded as `x` between `before` and `after`, alone on its line.
    fn seen<'a>(page: Page, orig: &'a [char], x: char, before: &str, after: &str) -> Seen<'a> {
        Seen {
            page,
            x,
            script: Script::of(x),
            orig,
            before: before.chars().next(),
            after: after.chars().next(),
            in_run: false,
            cjk_cands: 0,
        }
    }

    const W1252: Page = Page::Windows1252;

    #[test]
    fn lone_script_letter() {
        let orig = ['Ð', '¶'];
        // `ж` alone between Latin letters; next to Cyrillic it is a repair
        assert!(seen(W1252, &orig, 'ж', "a", "b").lone_script_letter());
        assert!(!seen(W1252, &orig, 'ж', "д", "b").lone_script_letter());
        // a lowercase Greek letter inside a Latin token is a symbol (`IL2RγcKO`)
        assert!(!seen(W1252, &orig, 'γ', "R", "c").lone_script_letter());
        // Han needs company on the line
        let mut han = seen(W1252, &orig, '党', "a", "b");
        assert!(han.lone_script_letter());
        han.cjk_cands = 2;
        assert!(!han.lone_script_letter());
    }

    #[test]
    fn lowercase_in_capitals() {
        let orig = ['Ä', '\u{8d}'];
        assert!(seen(W1252, &orig, 'č', "A", "B").lowercase_in_capitals());
        assert!(seen(W1252, &orig, 'č', "A", " ").lowercase_in_capitals());
        assert!(!seen(W1252, &orig, 'č', "a", "b").lowercase_in_capitals());
        assert!(!seen(W1252, &orig, 'é', "A", "B").lowercase_in_capitals());
    }

    #[test]
    fn stray_combining_mark() {
        let orig = ['Ì', '¶'];
        assert!(!seen(W1252, &orig, '\u{336}', "$", "6").stray_combining_mark());
        assert!(seen(W1252, &orig, '\u{336}', " ", "6").stray_combining_mark());
        assert!(seen(Page::Windows1250, &orig, '\u{336}', "$", "6").stray_combining_mark());
    }

    #[test]
    fn lone_latin_extended() {
        let orig = ['Å', '—'];
        assert!(seen(W1252, &orig, 'ŗ', " ", " ").lone_latin_extended());
        assert!(!seen(W1252, &orig, 'ŗ', "a", " ").lone_latin_extended());
        let mut in_run = seen(W1252, &orig, 'ŗ', " ", " ");
        in_run.in_run = true;
        assert!(!in_run.lone_latin_extended());
    }

    #[test]
    fn nbsp_not_latin1() {
        let orig = ['Ð', '\u{a0}'];
        assert!(seen(W1252, &orig, 'Р', " ", " ").nbsp_not_latin1());
        let orig = ['Ã', '\u{a0}'];
        assert!(!seen(W1252, &orig, 'à', " ", " ").nbsp_not_latin1());
    }

    #[test]
    fn capitals_of_other_page() {
        let orig = ['Ă', 'Ø'];
        assert!(seen(Page::Windows1250, &orig, 'Ø', "H", "Y").capitals_of_other_page());
        assert!(!seen(W1252, &orig, 'Ø', "H", "Y").capitals_of_other_page());
        assert!(!seen(Page::Windows1250, &orig, 'Ø', "h", "y").capitals_of_other_page());
    }

    #[test]
    fn line_art() {
        let orig = ['├', '┤'];
        assert!(seen(Page::Ibm437, &orig, '\u{AD}', "a", "a").line_art());
        let orig = ['├', 'a'];
        assert!(!seen(Page::Ibm437, &orig, '\u{AD}', "a", "a").line_art());
        assert!(!seen(W1252, &['├', '┤'], '\u{AD}', "a", "a").line_art());
    }

    #[test]
    fn math_root() {
        let orig = ['√', 'ü'];
        assert!(seen(Page::Macintosh, &orig, 'ü', " ", " ").math_root());
        assert!(!seen(Page::Macintosh, &orig, 'ü', "e", "i").math_root());
        assert!(!seen(W1252, &orig, 'ü', " ", " ").math_root());
    }

    #[test]
    fn weak_evidence() {
        assert!(seen(W1252, &['Â', '£'], '£', " ", "5").weak());
        // `Ã’` (C3 92) is `Ò`, or a capital and a quote: evidence only before a capital
        assert!(seen(W1252, &['Ã', '’'], 'Ò', "t", "s").weak());
        assert!(!seen(W1252, &['Ã', '’'], 'Ò', "T", "S").weak());
        assert!(!seen(W1252, &['Ã', '©'], 'é', "t", "s").weak());
    }
}
