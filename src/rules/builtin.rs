//! Built-in kinds for what a regex does badly: percent-decoding outside URLs,
//! HTML entities to the end, invisible characters, and whitespace normalisation.

use super::hits::{splice, to_fixed_point};
use super::lines::{is_blank, line_spans};
use super::{DocContext, RuleHits, RuleKind};
use crate::doc::DocKind;
use crate::spans::Protected;
use regex::Regex;

/// Byte ranges of URLs in `text`: escapes inside them are left alone.
pub fn url_spans(text: &str) -> Vec<(usize, usize)> {
    use std::sync::OnceLock;
    static URL: OnceLock<Regex> = OnceLock::new();
    let re = URL.get_or_init(|| {
        Regex::new(
            r"(?i:(?:https?|ftps?|file)://|www\.)[!-~]+|[A-Za-z0-9.\-_~/]*\?[A-Za-z0-9_\-]+=[!-~]*",
        )
        .unwrap()
    });
    if !text.contains("://") && !text.contains("www.") && !text.contains('?') {
        return Vec::new();
    }
    re.find_iter(text).map(|m| (m.start(), m.end())).collect()
}

fn in_spans(spans: &[(usize, usize)], pos: usize) -> bool {
    spans.iter().any(|&(s, e)| s <= pos && pos < e)
}

/// `%2B` → `+`, `%E5%85%9A` → `党`, `%252B` → `+`; not inside URLs, not a
/// percentage followed by digits, not control characters, not invalid UTF-8,
/// and not what no URL encoder writes (see [`encoder_wrote`]).
pub struct PercentDecode {
    run: Regex,
}

impl PercentDecode {
    pub fn new() -> Self {
        PercentDecode {
            run: Regex::new(r"(?:%25[0-9A-Fa-f]{2}|%[0-9A-Fa-f]{2})+").unwrap(),
        }
    }
}

impl Default for PercentDecode {
    fn default() -> Self {
        Self::new()
    }
}

fn hex(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b - b'A' + 10,
    }
}

fn unescape_once(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%'
            && i + 2 < s.len()
            && s[i + 1].is_ascii_hexdigit()
            && s[i + 2].is_ascii_hexdigit()
        {
            out.push(hex(s[i + 1]) << 4 | hex(s[i + 2]));
            i += 3;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    out
}

/// Decode a run of escapes to the end, or `None` when it must stay.
fn decode_run(run: &str) -> Option<String> {
    let mut bytes = unescape_once(run.as_bytes());
    for _ in 0..4 {
        let again = unescape_once(&bytes);
        if again == bytes {
            break;
        }
        bytes = again;
    }
    let s = String::from_utf8(bytes).ok()?;
    if s.chars().any(|c| c.is_control()) {
        return None;
    }
    Some(s)
}

/// Could a URL encoder have written `run`, decoding to `decoded`? Encoders
/// escape bytes of non-ASCII text and reserved punctuation, in upper case;
/// they never escape letters or digits. So `%6d`, `%2d` (printf widths),
/// `GrpTRES%30` and a lone `%25s` are the author's text, not escapes.
fn encoder_wrote(run: &str, decoded: &str, next: Option<char>) -> bool {
    if !decoded.is_ascii() {
        return true;
    }
    let lower_hex = run
        .as_bytes()
        .windows(3)
        .any(|w| w[0] == b'%' && (w[1].is_ascii_lowercase() || w[2].is_ascii_lowercase()));
    // `%20s`, `%10d`: a printf width and conversion, not a space and a letter
    let printf = run.len() == 3
        && run[1..].bytes().all(|b| b.is_ascii_digit())
        && next.is_some_and(|c| "diouxXeEfgGcsp".contains(c));
    !(lower_hex || printf || decoded == "%" || decoded.bytes().any(|b| b.is_ascii_alphanumeric()))
}

impl RuleKind for PercentDecode {
    fn apply(&self, text: &str, hits: &mut RuleHits) -> Option<String> {
        memchr::memchr(b'%', text.as_bytes())?;
        // URLs are looked for only once an escape is found: most `%` are percentages
        let mut urls: Option<Vec<(usize, usize)>> = None;
        let mut edits = Vec::new();
        for m in self.run.find_iter(text) {
            if in_spans(urls.get_or_insert_with(|| url_spans(text)), m.start()) {
                continue;
            }
            let run = m.as_str();
            let all_digits = run
                .bytes()
                .filter(|&b| b != b'%')
                .all(|b| b.is_ascii_digit());
            let after_digit = text[..m.start()]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_digit() || ('０'..='９').contains(&c));
            if all_digits && after_digit {
                continue;
            }
            if let Some(decoded) = decode_run(run) {
                if encoder_wrote(run, &decoded, text[m.end()..].chars().next()) {
                    edits.push((m.start(), m.end(), decoded));
                }
            }
        }
        splice(text, hits, edits)
    }
}

/// `&ldquo;` → `“`, `&#12288;` → U+3000, `&amp;ldquo;` → `“` (decoded to the end).
pub struct HtmlEntities {
    re: Regex,
}

impl HtmlEntities {
    pub fn new() -> Self {
        HtmlEntities {
            re: Regex::new(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
                .unwrap(),
        }
    }

    fn decode_one(ent: &str) -> Option<String> {
        let d = html_escape::decode_html_entities(ent);
        if d == ent {
            return None;
        }
        if d.chars().any(|c| c.is_control() && c != '\t' && c != '\n') {
            return None;
        }
        Some(d.into_owned())
    }
}

impl Default for HtmlEntities {
    fn default() -> Self {
        Self::new()
    }
}

impl RuleKind for HtmlEntities {
    fn apply(&self, text: &str, hits: &mut RuleHits) -> Option<String> {
        memchr::memchr(b'&', text.as_bytes())?;
        // `&amp;ldquo;` decodes to `&ldquo;`: go on to the end.
        to_fixed_point(text, hits, |t, h| {
            let edits: Vec<_> = self
                .re
                .find_iter(t)
                .filter_map(|m| Some((m.start(), m.end(), Self::decode_one(m.as_str())?)))
                .collect();
            splice(t, h, edits)
        })
    }
}

/// Zero-width spaces and joiners, word joiner, BOM inside text, and NUL: a NUL
/// written out would make the next reader take the file for UTF-16 or binary.
const INVISIBLE: [char; 6] = [
    '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{0}',
];

fn is_invisible(c: char) -> bool {
    INVISIBLE.contains(&c)
}

fn is_pictographic(c: char) -> bool {
    matches!(c as u32, 0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2300..=0x23FF | 0xFE0F)
}

/// Zero-width and invisible characters removed; a joiner between two emoji stays.
pub struct Invisible;

impl RuleKind for Invisible {
    fn apply(&self, text: &str, hits: &mut RuleHits) -> Option<String> {
        // Three-byte sequences starting E2 80/81 or EF BB, found in one pass
        // (aho-corasick's packed searcher tells them from the E2 and EF of
        // common punctuation by all three bytes), and the NUL byte.
        use std::sync::OnceLock;
        static GATE: OnceLock<aho_corasick::AhoCorasick> = OnceLock::new();
        let gate = GATE.get_or_init(|| {
            let lits: Vec<String> = INVISIBLE
                .iter()
                .filter(|&&c| c != '\u{0}')
                .map(|c| c.to_string())
                .collect();
            aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostFirst)
                .build(lits)
                .expect("literals")
        });
        let mut at: Vec<usize> = gate.find_iter(text).map(|m| m.start()).collect();
        at.extend(memchr::memchr_iter(0, text.as_bytes()));
        if at.is_empty() {
            return None;
        }
        at.sort_unstable();
        let edits = at.into_iter().filter_map(|i| {
            let c = text[i..].chars().next()?;
            // a joiner between two emoji (invisible ones removed) stays
            if c == '\u{200D}' {
                let prev = text[..i].chars().rev().find(|&p| !is_invisible(p));
                let next = text[i + c.len_utf8()..].chars().next();
                if prev.is_some_and(is_pictographic) && next.is_some_and(is_pictographic) {
                    return None;
                }
            }
            Some((i, i + c.len_utf8(), String::new()))
        });
        super::hits::splice(text, hits, edits)
    }
}

/// CR and CRLF → LF.
pub struct Newlines;

impl RuleKind for Newlines {
    fn apply(&self, text: &str, hits: &mut RuleHits) -> Option<String> {
        memchr::memchr(b'\r', text.as_bytes())?;
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        let bytes = text.as_bytes();
        for i in memchr::memchr_iter(b'\r', bytes) {
            out.push_str(&text[last..i]);
            out.push('\n');
            hits.changes += 1;
            hits.chars_removed += 1;
            if bytes.get(i + 1) == Some(&b'\n') {
                last = i + 2;
            } else {
                last = i + 1;
                hits.chars_added += 1;
            }
        }
        out.push_str(&text[last..]);
        Some(out)
    }
}

/// Whitespace at the end of a line removed (leading ideographic spaces stay);
/// in Markdown, two or more spaces after text are a hard line break and stay.
pub struct TrailingSpace;

/// A Markdown hard break: text, then nothing but two or more spaces.
fn is_hard_break(line: &str) -> bool {
    let trimmed = line.trim_end();
    let tail = &line[trimmed.len()..];
    !trimmed.is_empty() && tail.len() >= 2 && tail.bytes().all(|b| b == b' ')
}

impl TrailingSpace {
    fn trim(text: &str, hits: &mut RuleHits, markdown: bool) -> Option<String> {
        let mut out: Option<String> = None;
        let mut copied = 0;
        for s in line_spans(text) {
            let line = &text[s.start..s.end];
            let trimmed = line.trim_end();
            if trimmed.len() != line.len() && !(markdown && is_hard_break(line)) {
                let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
                o.push_str(&text[copied..s.start + trimmed.len()]);
                copied = s.end;
                hits.edit(text, s.start + trimmed.len(), s.end, "");
            }
        }
        out.map(|mut o| {
            o.push_str(&text[copied..]);
            o
        })
    }
}

impl RuleKind for TrailingSpace {
    fn apply(&self, text: &str, hits: &mut RuleHits) -> Option<String> {
        Self::trim(text, hits, false)
    }

    fn apply_outside(
        &self,
        text: &str,
        doc: &DocContext,
        _protected: &Protected,
        hits: &mut RuleHits,
    ) -> Option<String> {
        Self::trim(text, hits, doc.kind == DocKind::Markdown)
    }
}

/// Three or more blank lines → one; blank lines at the start and end of the
/// document go, and a document that ended with a newline keeps exactly one.
pub struct BlankLines;

impl RuleKind for BlankLines {
    fn apply(&self, text: &str, hits: &mut RuleHits) -> Option<String> {
        let spans = line_spans(text);
        let blank: Vec<bool> = spans
            .iter()
            .map(|s| is_blank(&text[s.start..s.end]))
            .collect();
        let first = blank.iter().position(|b| !b);
        let Some(first) = first else {
            // Only blank lines: the document becomes empty.
            if text.is_empty() {
                return None;
            }
            hits.changes += 1;
            hits.chars_removed += text.chars().count() as u64;
            return Some(String::new());
        };
        let last = blank.iter().rposition(|b| !b).unwrap();
        let mut keep = vec![false; spans.len()];
        let mut i = first;
        while i <= last {
            if !blank[i] {
                keep[i] = true;
                i += 1;
                continue;
            }
            let run_end = (i..=last).find(|&j| !blank[j]).unwrap();
            let run = run_end - i;
            if run >= 3 {
                keep[i] = true;
            } else {
                keep[i..run_end].fill(true);
            }
            i = run_end;
        }
        let ends_with_newline = text.ends_with('\n') || last + 1 < spans.len();
        let mut out = String::with_capacity(text.len());
        let mut removed = 0u64;
        for (idx, s) in spans.iter().enumerate() {
            if keep[idx] {
                if blank[idx] {
                    out.push('\n');
                    removed += (s.next - s.start - 1) as u64;
                } else {
                    out.push_str(&text[s.start..s.end]);
                    out.push('\n');
                }
            } else {
                removed += text[s.start..s.next].chars().count() as u64;
            }
        }
        if !ends_with_newline {
            out.pop();
        }
        if out == text {
            return None;
        }
        hits.changes += 1;
        hits.chars_removed += removed;
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(k: &dyn RuleKind, s: &str) -> String {
        k.apply(s, &mut RuleHits::default())
            .unwrap_or_else(|| s.to_owned())
    }

    #[test]
    fn percent_cases() {
        let p = PercentDecode::new();
        assert_eq!(run(&p, "庭院%2B"), "庭院+");
        assert_eq!(run(&p, "“8%2B1%2B1”"), "“8+1+1”");
        assert_eq!(run(&p, "%E5%85%9A%E5%BB%BA"), "党建");
        assert_eq!(run(&p, "C%252B%252B"), "C++");
        for keep in [
            "https://x.gov.cn/s?q=C%2B%2B",
            "完成率100%20个村",
            "a%00b",
            "a%0Ab",
            "%E5%85",
            "增长15%",
            "printf \"%-20s %6d %25s\"",
            "%2d 行",
            "GrpTRES%30",
            "%20s",
        ] {
            assert_eq!(run(&p, keep), keep);
        }
    }

    #[test]
    fn entity_cases() {
        let h = HtmlEntities::new();
        assert_eq!(run(&h, "&ldquo;双达标&rdquo;"), "“双达标”");
        assert_eq!(run(&h, "&#12288;&#12288;正文"), "\u{3000}\u{3000}正文");
        assert_eq!(run(&h, "A &amp; B"), "A & B");
        assert_eq!(run(&h, "&amp;ldquo;引号&amp;rdquo;"), "“引号”");
        assert_eq!(run(&h, "&amp;amp;"), "&");
        for keep in ["q=a%2Bb&page=2", "AT&T", "&nosuchentity;", "&#0;"] {
            assert_eq!(run(&h, keep), keep);
        }
    }

    #[test]
    fn invisible_and_whitespace() {
        assert_eq!(run(&Invisible, "党\u{200B}员\u{FEFF}"), "党员");
        assert_eq!(run(&Invisible, "hello\u{0}world"), "helloworld");
        assert_eq!(run(&Invisible, "👨\u{200D}👩"), "👨\u{200D}👩");
        assert_eq!(run(&Newlines, "a\r\nb\rc"), "a\nb\nc");
        assert_eq!(run(&TrailingSpace, "a  \n　　正文 \t\nb"), "a\n　　正文\nb");
        let md = |s: &str| {
            TrailingSpace
                .apply_outside(
                    s,
                    &DocContext::new(DocKind::Markdown),
                    &Protected::none(),
                    &mut RuleHits::default(),
                )
                .unwrap_or_else(|| s.to_owned())
        };
        assert_eq!(
            md("第一行  \n第二行 \n  \n第三行\t\n"),
            "第一行  \n第二行\n\n第三行\n"
        );
        assert_eq!(
            run(&BlankLines, "\n\na\n\n\n\nb\n\nc\n\n\n"),
            "a\n\nb\n\nc\n"
        );
        assert_eq!(run(&BlankLines, "a\n\n\nb"), "a\n\n\nb");
        assert_eq!(run(&BlankLines, "a"), "a");
    }
}
