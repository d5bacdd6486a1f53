//! The run report: per-rule counts and examples, skipped files, warnings,
//! errors, encodings. Merged in input order, so it is the same whatever the
//! thread count; `timings` is the only part that varies between runs.

use crate::pipeline::DocOutcome;
use crate::rules::{hits::MAX_EXAMPLES, RuleSet};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Example {
    pub path: String,
    pub before: String,
    pub after: String,
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

/// Entries a report lists per kind (skipped, warnings, errors, decode losses,
/// file encodings, damage, brand mentions); past that they are counted under `omitted`.
pub const MAX_LISTED: usize = 10_000;

/// Append `more` to `list` up to [`MAX_LISTED`], counting the rest.
fn extend_capped<T>(
    list: &mut Vec<T>,
    more: Vec<T>,
    omitted: &mut BTreeMap<String, u64>,
    name: &str,
) {
    let room = MAX_LISTED.saturating_sub(list.len());
    let extra = more.len().saturating_sub(room);
    list.extend(more.into_iter().take(room));
    if extra > 0 {
        *omitted.entry(name.to_owned()).or_default() += extra as u64;
    }
}

/// Skipped and emptied documents the terminal names after a run (the rest are counted).
pub const NAMED_ON_TERMINAL: usize = 5;

/// The mergeable tally that parallel workers build, in input order.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub files: u64,
    pub documents: u64,
    pub changed_documents: u64,
    pub emptied_documents: u64,
    pub input_bytes: u64,
    pub skipped: Vec<Skipped>,
    pub warnings: Vec<Warning>,
    pub errors: Vec<ErrorEntry>,
    pub encodings: BTreeMap<String, u64>,
    pub rules: Vec<RuleTally>,
    pub decode_losses: Vec<DecodeLoss>,
    pub file_encodings: Vec<FileEncoding>,
    pub damage: Vec<Damage>,
    pub brand_mentions: Vec<BrandMention>,
    /// Documents that would change (check mode), in input order.
    pub changed: Vec<CheckEntry>,
    /// The first documents that cleaning left empty, named on the terminal.
    pub emptied: Vec<String>,
    /// Trace records (`--trace`), in input order.
    pub trace: Vec<crate::trace::TraceRecord>,
    /// Entries left out of the lists (see [`Report::omitted`]).
    pub omitted: BTreeMap<String, u64>,
    /// JSONL lines that are objects without the text field.
    pub lines_without_field: u64,
    /// Some output byte differs from the input (a JSONL line rewritten, a
    /// line end normalised): an in-place shard must be replaced.
    pub rewritten: bool,
}

#[derive(Debug, Default, Clone)]
pub struct RuleTally {
    pub documents: u64,
    pub judged: u64,
    pub changes: u64,
    pub chars_removed: u64,
    pub chars_added: u64,
    pub examples: Vec<Example>,
}

impl Tally {
    pub fn new(n_rules: usize) -> Self {
        Tally {
            rules: vec![RuleTally::default(); n_rules],
            ..Default::default()
        }
    }

    /// Record how one whole-file document was decoded: its encoding, the
    /// bytes lost, and for a detected encoding the evidence (a warning when
    /// the choice was close).
    pub fn record_decoding(&mut self, path: &str, decoded: &crate::decode::Decoded) {
        use crate::decode::Method;
        *self
            .encodings
            .entry(decoded.encoding.to_owned())
            .or_default() += 1;
        if decoded.bad_bytes > 0 {
            self.warnings.push(Warning {
                path: path.to_owned(),
                line: None,
                message: format!(
                    "{} byte(s) could not be decoded as {} and became U+FFFD",
                    decoded.bad_bytes, decoded.encoding
                ),
            });
            self.decode_losses.push(DecodeLoss {
                path: path.to_owned(),
                encoding: decoded.encoding.to_owned(),
                bad_bytes: decoded.bad_bytes as u64,
            });
        }
        let e = &decoded.evidence;
        let Some(method) = e.method else { return };
        if matches!(method, Method::Utf8 | Method::Bom | Method::Forced) {
            return;
        }
        let evidence = if method != Method::Detected {
            method.name()
        } else if e.declared_used {
            "declared"
        } else if e
            .detector
            .is_some_and(|d| d == decoded.encoding || same_decoder(d, decoded.encoding))
        {
            "detector"
        } else {
            "plausibility"
        };
        let round = |x: f64| (x * 1000.0).round() / 1000.0;
        if e.close {
            let (runner, its) = e.runner_up.unwrap_or(("?", 0.0));
            self.warnings.push(Warning {
                path: path.to_owned(),
                line: None,
                message: format!(
                    "decoded as {} on thin evidence ({evidence}, plausibility {:.3}); {runner} read nearly as well ({its:.3}): pass --encoding if the text looks wrong",
                    decoded.encoding,
                    e.plausibility.unwrap_or(0.0)
                ),
            });
        }
        self.file_encodings.push(FileEncoding {
            path: path.to_owned(),
            encoding: decoded.encoding.to_owned(),
            evidence: evidence.to_owned(),
            declared: e.declared.map(str::to_owned),
            detector: e.detector.map(str::to_owned),
            plausibility: e.plausibility.map(round),
            runner_up: e.runner_up.map(|(n, _)| n.to_owned()),
            runner_up_plausibility: e.runner_up.map(|(_, p)| round(p)),
            close: e.close,
        });
    }

    /// Add one document's outcome; `path` is called only when something names it.
    pub fn add_document(
        &mut self,
        set: &RuleSet,
        path: &dyn Fn() -> String,
        outcome: &DocOutcome,
        changed: bool,
    ) {
        let mut named: Option<String> = None;
        let mut path = || named.get_or_insert_with(path).clone();
        self.documents += 1;
        if changed {
            self.changed_documents += 1;
        }
        if outcome.emptied {
            self.emptied_documents += 1;
            if self.emptied.len() < NAMED_ON_TERMINAL {
                self.emptied.push(path());
            }
        }
        if self.rules.len() < outcome.hits.len() {
            self.rules.resize(outcome.hits.len(), RuleTally::default());
        }
        for (i, h) in outcome.hits.iter().enumerate() {
            if h.diverged {
                self.errors.push(ErrorEntry {
                    path: path(),
                    message: format!(
                        "rule {} did not settle (each pass changed the text again, or it grew the text more than fourfold): this document is left as the rule found it; fix the rule's pattern",
                        set.rules[i].id
                    ),
                });
            }
            let t = &mut self.rules[i];
            if h.judged {
                t.judged += 1;
            }
            for (line, token, context) in &h.findings {
                self.brand_mentions.push(BrandMention {
                    path: path(),
                    line: *line,
                    token: token.clone(),
                    context: context.clone(),
                });
            }
            if h.changes == 0 {
                continue;
            }
            t.documents += 1;
            t.changes += h.changes;
            t.chars_removed += h.chars_removed;
            t.chars_added += h.chars_added;
            for (before, after) in &h.examples {
                if t.examples.len() < MAX_EXAMPLES {
                    t.examples.push(Example {
                        path: path(),
                        before: before.clone(),
                        after: after.clone(),
                    });
                }
            }
            if set.rules[i].action == crate::rules::Action::Report {
                self.damage.push(Damage {
                    path: path(),
                    rule: set.rules[i].id.clone(),
                    count: h.changes,
                    lines: h.lines.clone(),
                });
            }
        }
    }

    /// Append `other`, which covers inputs after this one's.
    pub fn merge(mut self, other: Tally) -> Tally {
        self.files += other.files;
        self.documents += other.documents;
        self.changed_documents += other.changed_documents;
        self.emptied_documents += other.emptied_documents;
        self.input_bytes += other.input_bytes;
        for (k, v) in other.omitted {
            *self.omitted.entry(k).or_default() += v;
        }
        let omitted = &mut self.omitted;
        extend_capped(&mut self.skipped, other.skipped, omitted, "skipped");
        extend_capped(&mut self.warnings, other.warnings, omitted, "warnings");
        extend_capped(&mut self.errors, other.errors, omitted, "errors");
        for (k, v) in other.encodings {
            *self.encodings.entry(k).or_default() += v;
        }
        if self.rules.len() < other.rules.len() {
            self.rules.resize(other.rules.len(), RuleTally::default());
        }
        for (a, b) in self.rules.iter_mut().zip(other.rules) {
            a.documents += b.documents;
            a.judged += b.judged;
            a.changes += b.changes;
            a.chars_removed += b.chars_removed;
            a.chars_added += b.chars_added;
            for e in b.examples {
                if a.examples.len() < MAX_EXAMPLES {
                    a.examples.push(e);
                }
            }
        }
        let omitted = &mut self.omitted;
        extend_capped(
            &mut self.decode_losses,
            other.decode_losses,
            omitted,
            "decode_losses",
        );
        extend_capped(
            &mut self.file_encodings,
            other.file_encodings,
            omitted,
            "file_encodings",
        );
        extend_capped(&mut self.damage, other.damage, omitted, "damage");
        extend_capped(
            &mut self.brand_mentions,
            other.brand_mentions,
            omitted,
            "brand_mentions",
        );
        self.changed.extend(other.changed);
        self.trace.extend(other.trace);
        self.emptied.extend(other.emptied);
        self.emptied.truncate(NAMED_ON_TERMINAL);
        self.rewritten |= other.rewritten;
        self.lines_without_field += other.lines_without_field;
        self
    }

    pub fn into_report(self, set: &RuleSet, timings: Timings) -> Report {
        let rules = set
            .rules
            .iter()
            .zip(
                self.rules
                    .iter()
                    .cloned()
                    .chain(std::iter::repeat(RuleTally::default())),
            )
            .map(|(r, t)| RuleReport {
                id: r.id.clone(),
                stage: r.stage.name().to_owned(),
                action: match r.action {
                    crate::rules::Action::Fix => "fix".into(),
                    crate::rules::Action::Report => "report".into(),
                },
                description: r.description.clone(),
                documents: t.documents,
                changes: t.changes,
                chars_removed: t.chars_removed,
                chars_added: t.chars_added,
                judged_documents: r.kind.judges_documents.then_some(t.judged),
                examples: t.examples,
            })
            .collect();
        Report {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            rules_hash: set.hash.clone(),
            files: self.files,
            documents: self.documents,
            changed_documents: self.changed_documents,
            emptied_documents: self.emptied_documents,
            skipped: self.skipped,
            warnings: self.warnings,
            errors: self.errors,
            encodings: self.encodings,
            rules,
            decode_losses: self.decode_losses,
            file_encodings: self.file_encodings,
            damage: self.damage,
            brand_mentions: self.brand_mentions,
            boilerplate: Vec::new(),
            omitted: self.omitted,
            timings,
        }
    }
}

/// GBK and gb18030 share a decoder: a guess of one that ends as the other
/// is still the detector's.
fn same_decoder(a: &str, b: &str) -> bool {
    let gb = |x: &str| x == "GBK" || x == "gb18030";
    gb(a) && gb(b)
}

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
        // Examples: the first few by path, whatever order the shards came in.
        for rule in &mut acc.rules {
            rule.examples.sort_by(|a, b| a.path.cmp(&b.path));
            rule.examples.truncate(MAX_EXAMPLES);
        }
        acc.skipped.sort_by(|a, b| a.path.cmp(&b.path));
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
