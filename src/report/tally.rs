//! The tally a run builds as it goes: per file or batch, merged in input
//! order, then turned into the [`Report`].

use super::*;

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
    /// Documents that cleaning left empty.
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
    pub examples: Examples,
}

impl Tally {
    /// By rule (of `n`): the documents tallied so far supplied every example
    /// the report keeps (the first edits of the first documents in input
    /// order), so later documents need make none; making them costs time on
    /// every edit.
    pub fn examples_full(&self, n: usize) -> Vec<bool> {
        (0..n)
            .map(|i| {
                self.rules
                    .get(i)
                    .is_some_and(|t| t.examples.len() >= crate::rules::hits::MAX_EXAMPLES)
            })
            .collect()
    }

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
            if self.emptied.len() < MAX_LISTED {
                self.emptied.push(path());
            } else {
                *self.omitted.entry("emptied".into()).or_default() += 1;
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
            t.examples.add_document(&mut path, &h.examples);
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
            a.examples.append(b.examples);
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
        let omitted = &mut self.omitted;
        extend_capped(&mut self.emptied, other.emptied, omitted, "emptied");
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
                examples: t.examples.finish(),
            })
            .collect();
        Report {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            rules_hash: set.hash.clone(),
            files: self.files,
            documents: self.documents,
            changed_documents: self.changed_documents,
            emptied_documents: self.emptied_documents,
            emptied: self.emptied,
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
