//! `boilerplate`: lines learned from a corpus (`docclean learn`), reviewed and
//! passed back as a rule file. A line goes when its normalised form (digits and
//! whitespace folded) is on the list.

use super::strip_line::{line_spans, remove_lines, zone_drops, Zone};
use super::{required, RuleError, RuleHits, RuleKind, RuleSource, RuleSpec};
use std::collections::HashSet;

/// Fold digits to `0` and drop whitespace, so `每日更新1000篇` and `每日更新500篇` meet.
pub fn normalise_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut last_digit = false;
    for c in line.chars() {
        if c.is_whitespace() {
            continue;
        }
        if c.is_ascii_digit() || ('０'..='９').contains(&c) {
            if !last_digit {
                out.push('0');
            }
            last_digit = true;
        } else {
            out.push(c);
            last_digit = false;
        }
    }
    out
}

pub struct Boilerplate {
    lines: HashSet<String>,
    zone: Zone,
    depth: usize,
}

impl Boilerplate {
    pub fn compile(spec: &RuleSpec, src: &RuleSource) -> Result<Self, RuleError> {
        let lines = required(&spec.lines, spec, src, "lines")?;
        Ok(Boilerplate {
            lines: lines
                .iter()
                .map(|l| normalise_line(l))
                .filter(|l| !l.is_empty())
                .collect(),
            zone: Zone::parse(spec, src)?,
            depth: spec.zone_lines.unwrap_or(12),
        })
    }
}

impl RuleKind for Boilerplate {
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
        if self.lines.is_empty() {
            return None;
        }
        let spans = line_spans(text);
        let drop = zone_drops(text, &spans, self.zone, self.depth, |i| {
            self.lines
                .contains(&normalise_line(&text[spans[i].start..spans[i].end]))
        });
        remove_lines(text, &spans, &drop, hits)
    }
}
