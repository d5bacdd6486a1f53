//! Lines and zones, shared by the kinds that remove whole lines (strip-line,
//! advert, boilerplate, marker) and by learning: where each line starts and
//! ends, blank lines, the head and tail zones, and removing lines in place.

use super::{RuleError, RuleHits, RuleSource, RuleSpec};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Any,
    Head,
    Tail,
    Edges,
}

impl Zone {
    /// The zone as a rule file writes it.
    pub fn name(self) -> &'static str {
        match self {
            Zone::Any => "any",
            Zone::Head => "head",
            Zone::Tail => "tail",
            Zone::Edges => "edges",
        }
    }

    pub fn parse(spec: &RuleSpec, src: &RuleSource) -> Result<Zone, RuleError> {
        match &spec.zone {
            None => Ok(Zone::Any),
            Some(z) => match z.get_ref().as_str() {
                "any" => Ok(Zone::Any),
                "head" => Ok(Zone::Head),
                "tail" => Ok(Zone::Tail),
                "edges" => Ok(Zone::Edges),
                other => Err(src.error_at(
                    z.span(),
                    format!("unknown zone `{other}`: use any, head, tail or edges"),
                )),
            },
        }
    }
}

/// A line of a document: byte range of its content and of content plus newline.
#[derive(Debug, Clone, Copy)]
pub struct LineSpan {
    pub start: usize,
    pub end: usize,
    pub next: usize,
}

/// The lines of a document, lazily. LF, CRLF and a lone CR all end a line (line
/// ends are normalised last, and rules must see the same lines before and after).
pub fn lines(text: &str) -> impl Iterator<Item = LineSpan> + '_ {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut breaks = memchr::memchr2_iter(b'\n', b'\r', bytes);
    std::iter::from_fn(move || {
        if start >= bytes.len() {
            return None;
        }
        loop {
            match breaks.next() {
                Some(at) if at < start => continue, // the LF of a CRLF already taken
                Some(at) => {
                    let next = if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                        at + 2
                    } else {
                        at + 1
                    };
                    let span = LineSpan {
                        start,
                        end: at,
                        next,
                    };
                    start = next;
                    return Some(span);
                }
                None => {
                    let span = LineSpan {
                        start,
                        end: bytes.len(),
                        next: bytes.len(),
                    };
                    start = bytes.len();
                    return Some(span);
                }
            }
        }
    })
}

pub fn line_spans(text: &str) -> Vec<LineSpan> {
    lines(text).collect()
}

/// Lines longer than this many bytes have their characters counted only when asked.
const COUNTED: usize = 4096;

/// The lines of one version of a document, found once for every rule that
/// judges lines: where each is, whether it is blank, and the character count
/// of each line short enough to count.
#[derive(Debug, Clone)]
pub struct DocLines {
    pub spans: Vec<LineSpan>,
    pub blank: Vec<bool>,
    /// Characters of each line; `u32::MAX` for a line over [`COUNTED`] bytes.
    chars: Vec<u32>,
}

impl DocLines {
    pub fn new(text: &str) -> Self {
        let spans = line_spans(text);
        let blank = spans
            .iter()
            .map(|s| is_blank(&text[s.start..s.end]))
            .collect();
        let chars = spans
            .iter()
            .map(|s| {
                if s.end - s.start <= COUNTED {
                    text[s.start..s.end].chars().count() as u32
                } else {
                    u32::MAX
                }
            })
            .collect();
        DocLines {
            spans,
            blank,
            chars,
        }
    }

    /// Whether line `i` of `text` has at most `max` characters.
    pub fn within_chars(&self, text: &str, i: usize, max: usize) -> bool {
        let s = self.spans[i];
        let len = s.end - s.start;
        if len <= max {
            return true;
        }
        if len > max.saturating_mul(4) {
            return false;
        }
        match self.chars[i] {
            u32::MAX => text[s.start..s.end].chars().count() <= max,
            n => n as usize <= max,
        }
    }
}

pub fn is_blank(s: &str) -> bool {
    s.chars().all(char::is_whitespace)
}

/// Decide per line whether to drop it. `is_hit(i)` says whether line `i` is a
/// candidate; in edge zones only a contiguous run from the edge (blank lines
/// between allowed), at most `depth` non-blank lines deep, is dropped. Zones are
/// computed once, on the text as given, so a second run drops nothing more.
pub fn zone_drops(
    text: &str,
    lines: &DocLines,
    zone: Zone,
    depth: usize,
    is_hit: impl FnMut(usize) -> bool,
) -> Vec<bool> {
    zone_drops_gap(text, lines, zone, depth, 0, is_hit)
}

/// As [`zone_drops`], but an edge walk may step over up to `gap` lines that are
/// not hits (a document's own title above a site's header block); those stay.
pub fn zone_drops_gap(
    text: &str,
    lines: &DocLines,
    zone: Zone,
    depth: usize,
    gap: usize,
    mut is_hit: impl FnMut(usize) -> bool,
) -> Vec<bool> {
    let spans = &lines.spans;
    let blank = &lines.blank;
    let mut drop = vec![false; spans.len()];
    match zone {
        Zone::Any => {
            for i in 0..spans.len() {
                if !blank[i] && is_hit(i) {
                    drop[i] = true;
                }
            }
        }
        _ => {
            let mut walk = |order: &mut dyn Iterator<Item = usize>, drop: &mut Vec<bool>| {
                let mut seen = 0;
                let mut stepped = 0;
                for i in order {
                    if blank[i] {
                        continue;
                    }
                    seen += 1;
                    if seen > depth {
                        break;
                    }
                    if is_hit(i) {
                        drop[i] = true;
                    } else if stepped < gap && looks_like_title(&text[spans[i].start..spans[i].end])
                    {
                        stepped += 1;
                    } else {
                        break;
                    }
                }
            };
            if matches!(zone, Zone::Head | Zone::Edges) {
                walk(&mut (0..spans.len()), &mut drop);
            }
            if matches!(zone, Zone::Tail | Zone::Edges) {
                walk(&mut (0..spans.len()).rev(), &mut drop);
            }
        }
    }
    drop
}

/// A short line that does not end a sentence: a title an edge walk may step over.
fn looks_like_title(line: &str) -> bool {
    let t = line.trim();
    t.chars().count() <= 60 && !t.ends_with(['。', '！', '？', '；', '.', '!', '?', ';', '，', ','])
}

/// Remove the flagged lines (with their newlines), recording each.
pub fn remove_lines(
    text: &str,
    spans: &[LineSpan],
    drop: &[bool],
    hits: &mut RuleHits,
) -> Option<String> {
    if !drop.iter().any(|&d| d) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    for (s, &d) in spans.iter().zip(drop) {
        if d {
            hits.edit(text, s.start, s.end, "");
        } else {
            out.push_str(&text[s.start..s.next]);
        }
    }
    // Dropping a last line that had no newline leaves none on the new last line.
    if !text.ends_with('\n') && out.ends_with('\n') {
        out.pop();
        if out.ends_with('\r') {
            out.pop();
        }
    }
    Some(out)
}
