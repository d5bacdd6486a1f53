//! `strip-line`: drop whole lines that match a regex, anywhere or only in a
//! contiguous block at the head or tail of the document.

use super::prefilter::{lines_at, Literals};
use super::{
    compile_regex, replace::prefilter, required, RuleError, RuleHits, RuleKind, RuleSource,
    RuleSpec,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Any,
    Head,
    Tail,
    Edges,
}

impl Zone {
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

pub fn is_blank(s: &str) -> bool {
    s.chars().all(char::is_whitespace)
}

/// Decide per line whether to drop it. `is_hit(i)` says whether line `i` is a
/// candidate; in edge zones only a contiguous run from the edge (blank lines
/// between allowed), at most `depth` non-blank lines deep, is dropped. Zones are
/// computed once, on the text as given, so a second run drops nothing more.
pub fn zone_drops(
    text: &str,
    spans: &[LineSpan],
    zone: Zone,
    depth: usize,
    is_hit: impl FnMut(usize) -> bool,
) -> Vec<bool> {
    zone_drops_gap(text, spans, zone, depth, 0, is_hit)
}

/// As [`zone_drops`], but an edge walk may step over up to `gap` lines that are
/// not hits (a document's own title above a site's header block); those stay.
pub fn zone_drops_gap(
    text: &str,
    spans: &[LineSpan],
    zone: Zone,
    depth: usize,
    gap: usize,
    mut is_hit: impl FnMut(usize) -> bool,
) -> Vec<bool> {
    let mut drop = vec![false; spans.len()];
    let blank: Vec<bool> = spans
        .iter()
        .map(|s| is_blank(&text[s.start..s.end]))
        .collect();
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

pub struct StripLine {
    re: regex::Regex,
    zone: Zone,
    depth: usize,
    /// Edge zones: lines that are not hits an edge walk may step over.
    gap: usize,
    /// Match the line folded to simplified script (see `fold`).
    fold: bool,
    max_chars: usize,
    prefilter: Option<Literals>,
}

impl StripLine {
    pub fn compile(spec: &RuleSpec, src: &RuleSource) -> Result<Self, RuleError> {
        let re = compile_regex(required(&spec.pattern, spec, src, "pattern")?, src)?;
        Ok(StripLine {
            re,
            zone: Zone::parse(spec, src)?,
            depth: spec.zone_lines.unwrap_or(8),
            gap: spec.zone_gap.unwrap_or(0),
            fold: spec.fold.unwrap_or(false),
            max_chars: spec.max_chars.unwrap_or(usize::MAX),
            prefilter: prefilter(spec, src)?,
        })
    }
}

impl RuleKind for StripLine {
    /// Whole lines: code blocks are skipped, inline code does not matter.
    fn apply_outside(
        &self,
        text: &str,
        _kind: crate::doc::DocKind,
        protected: &crate::spans::Protected,
        hits: &mut RuleHits,
    ) -> Option<String> {
        protected.apply_to_lines(text, hits, &|t, h| self.apply(t, h))
    }

    fn apply(&self, text: &str, hits: &mut RuleHits) -> Option<String> {
        // Only lines holding a literal (or a match) can go.
        let positions: Vec<usize> = match &self.prefilter {
            Some(pf) => pf.positions(text),
            None => self.re.find_iter(text).map(|m| m.start()).collect(),
        };
        if positions.is_empty() {
            return None;
        }
        let spans = line_spans(text);
        let starts: Vec<usize> = spans.iter().map(|s| s.start).collect();
        let mut candidate = vec![false; spans.len()];
        for i in lines_at(&starts, &positions) {
            if i < candidate.len() {
                candidate[i] = true;
            }
        }
        let drop = zone_drops_gap(text, &spans, self.zone, self.depth, self.gap, |i| {
            let line = &text[spans[i].start..spans[i].end];
            candidate[i]
                && line.len() <= self.max_chars * 4
                && line.chars().count() <= self.max_chars
                && if self.fold {
                    self.re.is_match(&super::fold::fold_line(line))
                } else {
                    self.re.is_match(line)
                }
        });
        remove_lines(text, &spans, &drop, hits)
    }
}
