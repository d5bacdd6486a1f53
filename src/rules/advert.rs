//! `advert`: a line classifier for advertising headers and footers. Each line
//! scores the weights of the features it shows (vocabulary, contact patterns, a
//! bracketed brand opener); strong lines go anywhere, weaker ones only in a
//! contiguous block at the head or tail of a document long enough to have one.

use super::strip_line::{line_spans, remove_lines, zone_drops, Zone};
use super::{compile_regex, required, RuleError, RuleHits, RuleKind, RuleSource, RuleSpec};
use regex::RegexSet;

pub struct Advert {
    set: RegexSet,
    weights: Vec<i32>,
    threshold: i32,
    edge_threshold: i32,
    depth: usize,
    max_chars: usize,
    short_document_lines: usize,
}

impl Advert {
    pub fn compile(spec: &RuleSpec, src: &RuleSource) -> Result<Self, RuleError> {
        let features = required(&spec.features, spec, src, "features")?;
        if features.is_empty() {
            return Err(src.error_at(spec.id.span(), "`features` must list at least one pattern"));
        }
        for f in features {
            compile_regex(&f.pattern, src)?;
        }
        let set = RegexSet::new(features.iter().map(|f| f.pattern.get_ref()))
            .map_err(|e| src.error_at(spec.id.span(), e.to_string()))?;
        Ok(Advert {
            set,
            weights: features.iter().map(|f| f.weight).collect(),
            threshold: *required(&spec.threshold, spec, src, "threshold")?,
            edge_threshold: spec.edge_threshold.unwrap_or(i32::MAX),
            depth: spec.zone_lines.unwrap_or(8),
            max_chars: spec.max_chars.unwrap_or(300),
            short_document_lines: spec.short_document_lines.unwrap_or(8),
        })
    }

    /// The advertising score of one line.
    pub fn score(&self, line: &str) -> i32 {
        if line.len() > self.max_chars * 4 || line.chars().count() > self.max_chars {
            return 0;
        }
        self.set.matches(line).iter().map(|i| self.weights[i]).sum()
    }
}

impl RuleKind for Advert {
    fn line_score(&self, line: &str) -> Option<i32> {
        Some(self.score(line))
    }

    fn apply(&self, text: &str, hits: &mut RuleHits) -> Option<String> {
        let spans = line_spans(text);
        let scores: Vec<i32> = spans
            .iter()
            .map(|s| self.score(&text[s.start..s.end]))
            .collect();
        if !scores
            .iter()
            .any(|&s| s >= self.edge_threshold.min(self.threshold))
        {
            return None;
        }
        let mut drop = zone_drops(text, &spans, Zone::Any, 0, |i| scores[i] >= self.threshold);
        let non_blank = spans
            .iter()
            .filter(|s| !super::strip_line::is_blank(&text[s.start..s.end]))
            .count();
        if non_blank >= self.short_document_lines {
            let edge = zone_drops(text, &spans, Zone::Edges, self.depth, |i| {
                scores[i] >= self.edge_threshold || scores[i] >= self.threshold
            });
            for (d, e) in drop.iter_mut().zip(edge) {
                *d |= e;
            }
        }
        remove_lines(text, &spans, &drop, hits)
    }
}
