//! The run report: per-rule counts and examples, skipped files, warnings,
//! errors, encodings. Merged in input order, so it is the same whatever the
//! thread count; `timings` is the only part that varies between runs.

use crate::pipeline::DocOutcome;
use crate::rules::RuleSet;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod examples;
pub mod html;
mod tally;
pub use examples::Examples;
pub use tally::{RuleTally, Tally, NAMED_ON_TERMINAL};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Warning {
    pub path: String,
    pub line: Option<u64>,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ErrorEntry {
    pub path: String,
    pub message: String,
}

/// One edit of a rule: the document (`file`, or `file:N` for line N of a
/// JSONL shard), the line of its text, and a stretch of that line before and after.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Example {
    pub path: String,
    /// The line of the document's text (1-based) the edit stands on, counted
    /// in the text as the rule met it: a line that an earlier rule removed
    /// above it moves it up (`--trace` counts in the input).
    #[serde(default)]
    pub line: usize,
    pub before: String,
    pub after: String,
    /// When `before` and `after` would look the same on screen: both with
    /// what does not show written as escapes (`\u{200b}`, `\u{a0}`, `\u{20}`
    /// for a trailing space).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_escaped: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_escaped: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RuleReport {
    pub id: String,
    pub stage: String,
    pub action: String,
    pub description: String,
    /// Documents this rule changed (for `report` rules: documents with matches).
    pub documents: u64,
    /// Edits made (for `report` rules: matches found).
    pub changes: u64,
    pub chars_removed: u64,
    pub chars_added: u64,
    /// Documents judged to need the rule (placeholder rules: judged censored).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub judged_documents: Option<u64>,
    pub examples: Vec<Example>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DecodeLoss {
    pub path: String,
    pub encoding: String,
    pub bad_bytes: u64,
}

/// How a file's encoding was detected (files that were not plain UTF-8 or
/// carried a BOM), so that a user can see which files were GBK, and why.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileEncoding {
    pub path: String,
    pub encoding: String,
    /// What settled it: `declared` (a charset named in the file, which the
    /// bytes agree with), `detector` (the statistical guess), `plausibility`
    /// (another candidate read clearly better), or the method
    /// (`utf-16-pattern`, `escape-sequences`).
    pub evidence: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub declared: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub detector: Option<String>,
    /// How plausible the decode reads in its own script (1 is perfect).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub plausibility: Option<f64>,
    /// The best other encoding whose text differs, and its plausibility.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub runner_up: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub runner_up_plausibility: Option<f64>,
    /// The runner-up came close: the choice rests on little evidence.
    pub close: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Damage {
    pub path: String,
    pub rule: String,
    pub count: u64,
    pub lines: Vec<usize>,
}

/// A brand named by a removed advert that also occurs in the text that stays.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BrandMention {
    pub path: String,
    pub line: usize,
    pub token: String,
    pub context: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct Timings {
    pub wall_seconds: f64,
    pub input_bytes: u64,
    pub mb_per_second: f64,
    pub threads: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Report {
    pub version: String,
    pub rules_hash: String,
    pub files: u64,
    pub documents: u64,
    pub changed_documents: u64,
    /// Documents that cleaning left empty (written empty, JSONL `"text": ""`).
    #[serde(default)]
    pub emptied_documents: u64,
    /// Those documents, by name.
    #[serde(default)]
    pub emptied: Vec<String>,
    pub skipped: Vec<Skipped>,
    pub warnings: Vec<Warning>,
    pub errors: Vec<ErrorEntry>,
    pub encodings: BTreeMap<String, u64>,
    pub rules: Vec<RuleReport>,
    pub decode_losses: Vec<DecodeLoss>,
    /// Files whose encoding was detected, with the evidence.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub file_encodings: Vec<FileEncoding>,
    pub damage: Vec<Damage>,
    #[serde(default)]
    pub brand_mentions: Vec<BrandMention>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub boilerplate: Vec<crate::learn::LearnedLine>,
    /// Entries left out of a list above once it held [`MAX_LISTED`], by list
    /// name: the report stays small whatever the corpus.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub omitted: BTreeMap<String, u64>,
    #[serde(default)]
    pub timings: Timings,
}

/// What `check` found in one document: what `clean` would change, and what
/// `report` rules found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckEntry {
    /// The file.
    pub file: String,
    /// The line of a JSONL shard that holds the document; `None` for a whole file.
    pub line: Option<u64>,
    /// In order of position in the document.
    pub findings: Vec<crate::findings::Finding>,
    /// A unified diff, when asked for.
    pub diff: Option<String>,
}

impl CheckEntry {
    /// The document (`path`, or `path:line` in a shard).
    pub fn document(&self) -> String {
        match self.line {
            Some(l) => format!("{}:{l}", self.file),
            None => self.file.clone(),
        }
    }

    /// Where a finding stands in the file: its line and column, and for a
    /// shard line (where the text is one JSON string) its place in the text.
    pub fn location(&self, f: &crate::findings::Finding) -> (u64, u64, Option<String>) {
        match self.line {
            // found in the file itself, not in the text
            Some(_) if f.rule == crate::findings::LINE_ENDS => (f.line, f.column, None),
            Some(l) => (l, 1, Some(format!("text {}:{}", f.line, f.column))),
            None => (f.line, f.column, None),
        }
    }
}

/// Entries a report lists per kind (skipped, emptied, warnings, errors, decode losses,
/// file encodings, damage, brand mentions); past that they are counted under `omitted`.
pub const MAX_LISTED: usize = 10_000;

impl Report {
    /// Combine reports of runs over disjoint inputs (shards), in the order given.
    pub fn merge(reports: Vec<Report>) -> anyhow::Result<Report> {
        let mut it = reports.into_iter();
        let Some(mut acc) = it.next() else {
            anyhow::bail!("no reports to merge")
        };
        for r in it {
            if r.rules_hash != acc.rules_hash {
                anyhow::bail!("reports were made with different rules ({} vs {}): merging them would mix counts", acc.rules_hash, r.rules_hash);
            }
            acc.files += r.files;
            acc.documents += r.documents;
            acc.changed_documents += r.changed_documents;
            acc.emptied_documents += r.emptied_documents;
            for (k, v) in r.omitted {
                *acc.omitted.entry(k).or_default() += v;
            }
            acc.skipped.extend(r.skipped);
            acc.emptied.extend(r.emptied);
            acc.warnings.extend(r.warnings);
            acc.errors.extend(r.errors);
            for (k, v) in r.encodings {
                *acc.encodings.entry(k).or_default() += v;
            }
            for (a, b) in acc.rules.iter_mut().zip(r.rules) {
                a.documents += b.documents;
                a.changes += b.changes;
                a.chars_removed += b.chars_removed;
                a.chars_added += b.chars_added;
                if let (Some(x), Some(y)) = (a.judged_documents.as_mut(), b.judged_documents) {
                    *x += y;
                }
                a.examples.extend(b.examples);
            }
            acc.decode_losses.extend(r.decode_losses);
            acc.file_encodings.extend(r.file_encodings);
            acc.damage.extend(r.damage);
            acc.brand_mentions.extend(r.brand_mentions);
            acc.boilerplate.extend(r.boilerplate);
            acc.timings.wall_seconds = acc.timings.wall_seconds.max(r.timings.wall_seconds);
            acc.timings.input_bytes += r.timings.input_bytes;
        }
        // Examples: spread over the first documents by path, whatever order
        // the shards came in.
        for rule in &mut acc.rules {
            rule.examples = Examples::choose(std::mem::take(&mut rule.examples));
        }
        acc.skipped.sort_by(|a, b| a.path.cmp(&b.path));
        acc.emptied.sort();
        acc.errors.sort_by(|a, b| a.path.cmp(&b.path));
        acc.warnings
            .sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
        acc.decode_losses.sort_by(|a, b| a.path.cmp(&b.path));
        acc.file_encodings.sort_by(|a, b| a.path.cmp(&b.path));
        acc.damage
            .sort_by(|a, b| (&a.path, &a.rule).cmp(&(&b.path, &b.rule)));
        acc.timings.mb_per_second = 0.0;
        Ok(acc)
    }

    fn omitted_of(&self, list: &str) -> u64 {
        self.omitted.get(list).copied().unwrap_or(0)
    }

    /// The table printed on stderr at the end of a run.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let width = self
            .rules
            .iter()
            .map(|r| r.id.len())
            .max()
            .unwrap_or(4)
            .max(4);
        s.push_str(&format!(
            "{:<width$}  {:>8}  {:>9}\n",
            "rule", "files", "changes"
        ));
        for r in &self.rules {
            if r.changes == 0 {
                continue;
            }
            let note = if r.action == "report" {
                "  (reported, not changed)"
            } else {
                ""
            };
            s.push_str(&format!(
                "{:<width$}  {:>8}  {:>9}{note}\n",
                r.id, r.documents, r.changes
            ));
        }
        s.push_str(&format!(
            "{} files, {} documents, {} changed, {} skipped, {} warnings, {} errors\n",
            self.files,
            self.documents,
            self.changed_documents,
            self.skipped.len() as u64 + self.omitted_of("skipped"),
            self.warnings.len() as u64 + self.omitted_of("warnings"),
            self.errors.len() as u64 + self.omitted_of("errors")
        ));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_capped_and_the_rest_counted() {
        let entry = |i: usize| Warning {
            path: format!("f{i}"),
            line: None,
            message: "m".into(),
        };
        let a = Tally {
            warnings: (0..MAX_LISTED - 1).map(entry).collect(),
            ..Tally::default()
        };
        let b = Tally {
            warnings: (0..5).map(entry).collect(),
            ..Tally::default()
        };
        let merged = a.merge(b);
        assert_eq!(merged.warnings.len(), MAX_LISTED);
        assert_eq!(merged.omitted["warnings"], 4);
        assert_eq!(
            merged.warnings.last().unwrap().path,
            "f0",
            "the first are kept"
        );
    }
}
