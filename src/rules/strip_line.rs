//! `strip-line`: drop whole lines that match a regex, anywhere or only in a
//! contiguous block at the head or tail of the document.

use super::lines::{line_spans, remove_lines, zone_drops_gap, Zone};
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
}

impl RuleKind for StripLine {
    fn removes_whole_lines(&self) -> bool {
        true
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
