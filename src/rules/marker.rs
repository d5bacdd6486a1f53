//! `marker`: literal markers removed where they stand, the text around them
//! joined with nothing added; a line left blank by the removal goes too.

use super::lines::{is_blank, line_spans};
use super::{required, RuleError, RuleHits, RuleKind, RuleSource, RuleSpec};
use aho_corasick::{AhoCorasick, MatchKind};

pub struct Marker {
    ac: AhoCorasick,
}

impl Marker {
    pub fn compile(spec: &RuleSpec, src: &RuleSource) -> Result<Self, RuleError> {
        let markers = required(&spec.markers, spec, src, "markers")?;
        if markers.is_empty() || markers.iter().any(|m| m.is_empty()) {
            return Err(src.error_at(spec.id.span(), "`markers` must list non-empty strings"));
        }
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(markers)
            .map_err(|e| src.error_at(spec.id.span(), format!("bad markers: {e}")))?;
        Ok(Marker { ac })
    }
}

impl RuleKind for Marker {
    /// The marker a line left blank by its removal held (a line edited
    /// within itself tells its changes instead).
    fn evidence(&self, line: &str) -> super::Evidence {
        super::Evidence {
            matched: self.ac.find(line).map(|m| line[m.range()].to_owned()),
            ..Default::default()
        }
    }

    fn apply(&self, text: &str, hits: &mut RuleHits) -> Option<String> {
        let first = self.ac.find(text)?;
        let mut out = String::with_capacity(text.len());
        // Lines before the first match are copied whole.
        let first_line_start = text[..first.start()].rfind('\n').map_or(0, |i| i + 1);
        out.push_str(&text[..first_line_start]);
        let rest = &text[first_line_start..];
        for s in line_spans(rest) {
            let line = &rest[s.start..s.end];
            let mut kept = String::new();
            let mut last = 0;
            let mut found = false;
            for m in self.ac.find_iter(line) {
                found = true;
                kept.push_str(&line[last..m.start()]);
                last = m.end();
            }
            if !found {
                out.push_str(&rest[s.start..s.next]);
                continue;
            }
            kept.push_str(&line[last..]);
            let abs = first_line_start + s.start;
            if is_blank(&kept) {
                hits.edit(text, abs, first_line_start + s.end, "");
                continue;
            }
            for m in self.ac.find_iter(line) {
                hits.edit(text, abs + m.start(), abs + m.end(), "");
            }
            out.push_str(&kept);
            out.push_str(&rest[s.end..s.next]);
        }
        Some(out)
    }
}
