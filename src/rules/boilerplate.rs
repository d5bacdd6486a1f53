//! `boilerplate`: lines learned from a corpus (`docclean learn`), reviewed and
//! passed back as a rule file. A line goes when its normalised form (digits,
//! whitespace and the document's own title folded) is on the list, in a block at
//! the head or tail that may step over the title.

use super::lines::{remove_lines, zone_drops_gap, DocLines, Zone};
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
    gap: usize,
    /// Some line holds `〈T〉`, the document's own title: fold it before looking up.
    titled: bool,
}

impl Boilerplate {
    pub fn compile(spec: &RuleSpec, src: &RuleSource) -> Result<Self, RuleError> {
        let lines = required(&spec.lines, spec, src, "lines")?;
        let lines: HashSet<String> = lines
            .iter()
            .map(|l| normalise_line(l))
            .filter(|l| !l.is_empty())
            .collect();
        Ok(Boilerplate {
            titled: lines.iter().any(|l| l.contains(crate::learn::TITLE_MARK)),
            lines,
            zone: Zone::parse(spec, src)?,
            depth: spec.zone_lines.unwrap_or(12),
            gap: spec.zone_gap.unwrap_or(1),
        })
    }
}

impl RuleKind for Boilerplate {
    fn removes_whole_lines(&self) -> bool {
        true
    }

    fn apply(&self, text: &str, hits: &mut RuleHits) -> Option<String> {
        self.apply_lines(text, &DocLines::new(text), hits)
    }

    fn apply_lines(&self, text: &str, lines: &DocLines, hits: &mut RuleHits) -> Option<String> {
        if self.lines.is_empty() {
            return None;
        }
        let spans = &lines.spans;
        let title = if self.titled {
            crate::learn::document_title(text)
        } else {
            None
        };
        let drop = zone_drops_gap(text, lines, self.zone, self.depth, self.gap, |i| {
            let line = text[spans[i].start..spans[i].end].trim();
            self.lines
                .contains(&crate::learn::normalise_with_title(line, title.as_deref()))
        });
        remove_lines(text, spans, &drop, hits)
    }

    fn evidence(&self, line: &str) -> super::Evidence {
        super::Evidence {
            matched: Some(normalise_line(line)),
            zone: Some(self.zone.name().to_owned()),
            ..Default::default()
        }
    }
}
