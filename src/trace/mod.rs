//! `--trace`: one record per edit of every changed document — where it
//! stands, the rule, the line before and after, and the rule's evidence —
//! and one per deliberate non-edit a reader would ask about. Records are
//! made by tracing the pipeline again over the documents that changed (as
//! `check` locates its findings), so a run without `--trace` pays nothing.

pub mod render;

use crate::findings::locate::{line_changes, lines, LineMap};
use crate::pipeline::Pipeline;
use crate::rules::evidence::MAX_CHANGES;
use crate::rules::{Action, Evidence, Rule};
use serde::{Deserialize, Serialize};

/// What a record tells of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordKind {
    /// A rule changed a line: applying every edit record of a document in
    /// order to its decoded text gives the cleaned text.
    Edit,
    /// A rule deliberately left something that looks like its business.
    Kept,
    /// Decoding: the file was not UTF-8, or had a byte-order mark or bad bytes.
    Decode,
}

/// One line of the trace file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceRecord {
    /// The file, as the report names it.
    pub path: String,
    /// The line of a JSONL shard that holds the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jsonl_line: Option<u64>,
    pub kind: RecordKind,
    pub rule: String,
    /// The line of the document's text (1-based) the edit stands on.
    pub line: u64,
    /// Edit records: the line (0-based) where the edit applies in the text
    /// as the records before it left it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<usize>,
    /// The whole line before and after (newline included; empty where a
    /// line is inserted or removed).
    #[serde(default)]
    pub before: String,
    #[serde(default)]
    pub after: String,
    #[serde(default, skip_serializing_if = "Evidence::is_empty")]
    pub evidence: Evidence,
    /// Kept and decode records: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The records of one document: its edits in the order they were made, then
/// what the rules kept in the cleaned text. `cleaned` is what `pipeline`
/// made of `text`; a document it left alone is not traced again. `path` is
/// left empty for the caller to fill.
pub fn trace_document(pipeline: &Pipeline, text: &str, cleaned: &str) -> Vec<TraceRecord> {
    let set = pipeline.set;
    let mut out = Vec::new();
    let mut map = LineMap::new(text);
    if cleaned != text {
        pipeline.trace(text, &mut |rule, before, after| {
            let shared = rule.imp.document_evidence(before).or(family(rule));
            for e in map.edits(before, after, true) {
                let evidence = if e.before.is_empty() {
                    Evidence::default()
                } else {
                    rule.imp
                        .evidence(e.before)
                        .or(shared.clone())
                        .or(changes(e.before, e.after))
                };
                out.push(TraceRecord {
                    path: String::new(),
                    jsonl_line: None,
                    kind: RecordKind::Edit,
                    rule: rule.id.clone(),
                    line: e.origin,
                    at: Some(e.at),
                    before: e.before.to_owned(),
                    after: e.after.to_owned(),
                    evidence,
                    reason: None,
                });
            }
        });
    }
    let starts = lines(cleaned);
    for rule in set.rules.iter().filter(|r| r.action == Action::Fix) {
        for (offset, reason) in rule.imp.kept(cleaned) {
            let i = memchr::memchr_iter(b'\n', &cleaned.as_bytes()[..offset]).count();
            let line = starts.get(i).copied().unwrap_or_default();
            out.push(TraceRecord {
                path: String::new(),
                jsonl_line: None,
                kind: RecordKind::Kept,
                rule: rule.id.clone(),
                line: map.origin_of(i),
                at: None,
                before: line.to_owned(),
                after: line.to_owned(),
                evidence: Evidence::default(),
                reason: Some(reason),
            });
        }
    }
    out
}

/// The boilerplate family a rule stands for: a site family's rule
/// (`site.pagination`, rules/SITES.md), or the lines `learn` found.
fn family(rule: &Rule) -> Evidence {
    let family = if rule.kind.name == "boilerplate" {
        Some("learned".to_owned())
    } else {
        rule.id.strip_prefix("site.").map(str::to_owned)
    };
    Evidence {
        family,
        ..Evidence::default()
    }
}

/// The changes an edit made within a line that it kept, each `before →
/// after` as it reads (an empty side as `∅`, a space as `␠`).
fn changes(before: &str, after: &str) -> Evidence {
    if after.is_empty() {
        return Evidence::default();
    }
    // spaces as `␠`, so that a run of them reads as something
    let side = |s: &str| {
        if s.is_empty() {
            "∅".to_owned()
        } else {
            render::visible(s).replace(' ', "␠")
        }
    };
    Evidence {
        changes: line_changes(before, after)
            .into_iter()
            .take(MAX_CHANGES)
            .map(|(_, gone, came)| format!("{} → {}", side(&gone), side(&came)))
            .collect(),
        ..Evidence::default()
    }
}

/// The record of what decoding a whole file changed, if anything.
pub fn decode_record(encoding: &str, bom: bool, bad_bytes: usize) -> Option<TraceRecord> {
    let findings = crate::findings::decode_findings(encoding, bom, bad_bytes);
    let first = findings.first()?;
    Some(TraceRecord {
        path: String::new(),
        jsonl_line: None,
        kind: RecordKind::Decode,
        rule: first.rule.clone(),
        line: 1,
        at: None,
        before: String::new(),
        after: String::new(),
        evidence: Evidence::default(),
        reason: Some(
            findings
                .iter()
                .map(|f| f.message.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        ),
    })
}

/// Apply the edit records of one document, in order, to its text: the
/// cleaned text, or why a record does not fit.
pub fn apply_edits<'r>(
    text: &str,
    records: impl IntoIterator<Item = &'r TraceRecord>,
) -> Result<String, String> {
    let mut cur: Vec<String> = lines(text).into_iter().map(str::to_owned).collect();
    for r in records.into_iter().filter(|r| r.kind == RecordKind::Edit) {
        let at = r.at.ok_or("an edit record without `at`")?;
        match (r.before.is_empty(), r.after.is_empty()) {
            (true, _) if at <= cur.len() => cur.insert(at, r.after.clone()),
            (false, _) if cur.get(at) == Some(&r.before) => {
                if r.after.is_empty() {
                    cur.remove(at);
                } else {
                    cur[at] = r.after.clone();
                }
            }
            _ => {
                return Err(format!(
                    "{} line {}: {:?} is not at line {at}",
                    r.rule, r.line, r.before
                ))
            }
        }
    }
    Ok(cur.concat())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{build, load_sources, RuleSet, Selection};

    fn set() -> &'static RuleSet {
        static SET: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
        SET.get_or_init(|| build(&load_sources(&[], true).unwrap(), &Selection::default()).unwrap())
    }

    #[test]
    fn edits_reproduce_the_cleaned_text() {
        let text = "标题\n（以下为付费内容）\n深入学习D的二十大精神\u{200B}，庭院%2B\n\n\n\n尾\r\n";
        let (cleaned, _) = Pipeline::new(set()).clean(text);
        let records = trace_document(&Pipeline::new(set()), text, &cleaned);
        assert!(!records.is_empty());
        assert_eq!(apply_edits(text, &records).unwrap(), cleaned);
        let dang = records.iter().find(|r| r.rule == "censor.dang").unwrap();
        assert_eq!(dang.line, 3);
        assert_eq!(dang.evidence.judged, Some(true));
        let notice = records.iter().find(|r| r.rule == "paywall.notice").unwrap();
        assert_eq!((notice.line, notice.after.as_str()), (2, ""));
    }

    #[test]
    fn an_unchanged_document_has_no_edit_records() {
        let text = "干净的正文。\n";
        assert!(trace_document(&Pipeline::new(set()), text, text).is_empty());
    }

    #[test]
    fn a_record_that_does_not_fit_is_refused() {
        let text = "甲\n乙\n";
        let mut r = trace_document(&Pipeline::new(set()), "甲\n乙%2B\n", "甲\n乙+\n");
        assert_eq!(r.len(), 1);
        r[0].before = "丙\n".into();
        assert!(apply_edits(text, &r).is_err());
    }
}
