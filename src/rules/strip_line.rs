//! `strip-line`: drop whole lines that match a regex, anywhere or only in a
//! contiguous block at the head or tail of the document.

use super::lines::{remove_lines, zone_drops_gap, DocLines, LineSpan, Zone};
use super::prefilter::{lines_at, prefilter, Literals};
use super::{compile_regex, required, RuleError, RuleHits, RuleKind, RuleSource, RuleSpec};

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

    /// The line (folded where the rule says) matches the pattern.
    fn matches(&self, line: &str) -> bool {
        if self.fold {
            self.re.is_match(&super::fold::fold_line(line))
        } else {
            self.re.is_match(line)
        }
    }
}

/// Which of the lines hold one of `positions`.
fn positions_to_lines(spans: &[LineSpan], positions: &[usize]) -> Vec<bool> {
    let starts: Vec<usize> = spans.iter().map(|s| s.start).collect();
    let mut candidate = vec![false; spans.len()];
    for i in lines_at(&starts, positions) {
        if i < candidate.len() {
            candidate[i] = true;
        }
    }
    candidate
}

impl RuleKind for StripLine {
    fn removes_whole_lines(&self) -> bool {
        true
    }

    fn apply(&self, text: &str, hits: &mut RuleHits) -> Option<String> {
        self.apply_lines(text, &DocLines::new(text), hits)
    }

    fn apply_lines(&self, text: &str, lines: &DocLines, hits: &mut RuleHits) -> Option<String> {
        let spans = &lines.spans[..];
        // A rule of any length and zone has its literals (or regex) searched
        // in the whole text at once. One bounded in length or to the edges
        // looks only at the lines it could take: body paragraphs are long,
        // and an edge walk reads a few lines.
        let candidate: Option<Vec<bool>> = if self.max_chars == usize::MAX && self.zone == Zone::Any
        {
            let positions: Vec<usize> = match &self.prefilter {
                Some(pf) => pf.positions(text),
                None => self.re.find_iter(text).map(|m| m.start()).collect(),
            };
            if positions.is_empty() {
                return None;
            }
            Some(positions_to_lines(spans, &positions))
        } else {
            None
        };
        let drop = zone_drops_gap(text, lines, self.zone, self.depth, self.gap, |i| {
            let line = &text[spans[i].start..spans[i].end];
            let worth_matching = match &candidate {
                Some(c) => c[i],
                None => {
                    lines.within_chars(text, i, self.max_chars)
                        && self.prefilter.as_ref().is_none_or(|pf| pf.is_match(line))
                }
            };
            worth_matching && self.matches(line)
        });
        remove_lines(text, spans, &drop, hits)
    }

    fn evidence(&self, line: &str) -> super::Evidence {
        let line = line.trim_end_matches(['\n', '\r']);
        let folded;
        let seen = if self.fold {
            folded = super::fold::fold_line(line);
            &*folded
        } else {
            line
        };
        super::Evidence {
            matched: self.re.find(seen).map(|m| m.as_str().to_owned()),
            zone: Some(self.zone.name().to_owned()),
            ..Default::default()
        }
    }
}
