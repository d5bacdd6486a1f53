//! Rule packs: TOML files → validated, compiled rules in stage order.
//! One rule kind per file (or folder) here; [`kinds`] is the one registry of kinds,
//! [`spec`] the tables as written.
//! A bad rule file is an error with `file:line:col` before any document is touched.

pub mod advert;
pub mod boilerplate;
mod build;
pub mod builtin;
pub mod evidence;
pub mod fold;
pub mod hits;
pub mod kinds;
pub mod lines;
pub mod marker;
pub mod mojibake;
pub mod overrides;
pub mod placeholder;
pub mod prefilter;
pub mod replace;
pub mod scope;
pub mod source_text;
pub mod spec;
pub mod strip_line;
pub mod suspects;

pub use build::build;
pub use evidence::Evidence;
pub use hits::RuleHits;
pub use scope::{DocContext, Scope, Spans};

use crate::spans::{apply_between, Protected};
pub use kinds::{KindDef, KINDS};
use lines::DocLines;
pub use spec::{parse_rule_file, Example, Feature, RuleSpec};

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The default pack, embedded so the binary works from any directory.
pub const DEFAULT_RULE_FILES: &[(&str, &str)] = &[
    (
        "rules/10-encoding.toml",
        include_str!("../../rules/10-encoding.toml"),
    ),
    (
        "rules/20-escapes.toml",
        include_str!("../../rules/20-escapes.toml"),
    ),
    (
        "rules/30-invisible.toml",
        include_str!("../../rules/30-invisible.toml"),
    ),
    (
        "rules/40-paywall.toml",
        include_str!("../../rules/40-paywall.toml"),
    ),
    (
        "rules/50-adverts.toml",
        include_str!("../../rules/50-adverts.toml"),
    ),
    (
        "rules/55-sites.toml",
        include_str!("../../rules/55-sites.toml"),
    ),
    (
        "rules/60-censor.toml",
        include_str!("../../rules/60-censor.toml"),
    ),
    (
        "rules/90-whitespace.toml",
        include_str!("../../rules/90-whitespace.toml"),
    ),
];

/// Pipeline stages, in the order they run.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    Mojibake,
    Escape,
    Invisible,
    Paywall,
    Advert,
    Censor,
    Boilerplate,
    Whitespace,
}

impl Stage {
    pub fn name(self) -> &'static str {
        match self {
            Stage::Mojibake => "mojibake",
            Stage::Escape => "escape",
            Stage::Invisible => "invisible",
            Stage::Paywall => "paywall",
            Stage::Advert => "advert",
            Stage::Censor => "censor",
            Stage::Boilerplate => "boilerplate",
            Stage::Whitespace => "whitespace",
        }
    }
}

/// `fix` edits the text; `report` counts and shows matches and changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    #[default]
    Fix,
    Report,
}

/// A rule-file problem located in its source.
#[derive(Debug, thiserror::Error)]
#[error("{path}:{line}:{col}: {message}")]
pub struct RuleError {
    pub path: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

/// Where a rule came from, for errors and the report.
#[derive(Debug, Clone)]
pub struct RuleSource {
    pub path: String,
    pub text: String,
}

impl RuleSource {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        RuleSource {
            path: path.into(),
            text: text.into(),
        }
    }

    pub fn error_at(&self, span: std::ops::Range<usize>, message: impl Into<String>) -> RuleError {
        let (line, col) = line_col(&self.text, span.start);
        RuleError {
            path: self.path.clone(),
            line,
            col,
            message: message.into(),
        }
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map_or(before.chars().count(), |i| before[i + 1..].chars().count())
        + 1;
    (line, col)
}

/// The behaviour of a compiled rule.
pub trait RuleKind: Send + Sync {
    /// Return the new text, or `None` when nothing changed. Record every edit in `hits`.
    fn apply(&self, text: &str, hits: &mut RuleHits) -> Option<String>;

    /// Whether the kind removes whole lines (then code blocks are skipped and
    /// inline code does not matter).
    fn removes_whole_lines(&self) -> bool {
        false
    }

    /// [`RuleKind::apply`] given the lines of `text` (kinds that judge lines
    /// share the document's line table instead of each finding the lines).
    fn apply_lines(&self, text: &str, _lines: &DocLines, hits: &mut RuleHits) -> Option<String> {
        self.apply(text, hits)
    }

    /// Apply in the document `doc` (whose current text is `text`), leaving
    /// the `protected` spans as they are. By default each stretch of prose
    /// between them is cleaned on its own; a kind that removes whole lines
    /// sees every line outside code blocks.
    fn apply_outside(
        &self,
        text: &str,
        doc: &DocContext,
        protected: &Protected,
        hits: &mut RuleHits,
    ) -> Option<String> {
        if self.removes_whole_lines() {
            if !protected.has_blocks() {
                return self.apply_lines(text, doc.lines(text), hits);
            }
            return protected.apply_to_lines(text, hits, &|t, h| self.apply(t, h));
        }
        if protected.is_empty() {
            return self.apply(text, hits);
        }
        apply_between(text, protected.spans(), hits, &|seg, h| self.apply(seg, h))
    }

    /// The advertising score of a line, for kinds that judge lines (used by learning).
    fn line_score(&self, _line: &str) -> Option<i32> {
        None
    }

    /// Why this rule edited `line` (the line as it saw it), for the trace:
    /// whatever the kind can tell cheaply. Only asked of edited lines.
    fn evidence(&self, _line: &str) -> Evidence {
        Evidence::default()
    }

    /// What this rule can tell of one application to a whole document
    /// (`text` as it saw it), shared by the records of every line it edited
    /// there (the phrases that judged a document censored). Only asked when
    /// tracing, once per application.
    fn document_evidence(&self, _text: &str) -> Evidence {
        Evidence::default()
    }

    /// What this rule deliberately left in `text` that a reader would ask
    /// about (a censored-looking token judged a real letter, a look-alike,
    /// a mojibake candidate turned down): the byte offset each stands at and
    /// why. Only asked when tracing.
    fn kept(&self, _text: &str) -> Vec<(usize, String)> {
        Vec::new()
    }
}

/// A compiled rule.
pub struct Rule {
    pub id: String,
    pub description: String,
    pub stage: Stage,
    pub action: Action,
    pub kind: &'static KindDef,
    pub examples: Vec<Example>,
    pub source: String,
    pub scope: Scope,
    pub imp: Box<dyn RuleKind>,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule")
            .field("id", &self.id)
            .field("stage", &self.stage)
            .field("kind", &self.kind.name)
            .finish()
    }
}

impl Rule {
    /// Apply this rule within its scope (formats, protected spans).
    pub fn apply(&self, text: &str, doc: &mut DocContext, hits: &mut RuleHits) -> Option<String> {
        scope::apply_in_scope(self.imp.as_ref(), &self.scope, text, doc, hits)
    }

    /// Run this rule alone; `report` rules record matches and return `None`.
    pub fn run(&self, text: &str, doc: &mut DocContext, hits: &mut RuleHits) -> Option<String> {
        match self.action {
            Action::Fix => self.apply(text, doc, hits),
            Action::Report => {
                // Matches are counted with where they stand; the text is left as it was.
                let mut probe = RuleHits {
                    track_lines: true,
                    skip_examples: hits.skip_examples,
                    ..RuleHits::default()
                };
                self.apply(text, doc, &mut probe);
                hits.changes += probe.changes;
                hits.lines.extend(
                    probe
                        .lines
                        .into_iter()
                        .take(hits::MAX_LINES.saturating_sub(hits.lines.len())),
                );
                for snippet in probe
                    .examples
                    .into_iter()
                    .take(hits::MAX_EXAMPLES.saturating_sub(hits.examples.len()))
                {
                    hits.examples.push(hits::Snippet {
                        after: snippet.before.clone(),
                        ..snippet
                    });
                }
                None
            }
        }
    }
}

/// Helpers shared by the kind compilers.
pub(crate) fn required<'a, T>(
    value: &'a Option<T>,
    spec: &RuleSpec,
    src: &RuleSource,
    field: &str,
) -> Result<&'a T, RuleError> {
    value.as_ref().ok_or_else(|| {
        src.error_at(
            spec.id.span(),
            format!(
                "rule `{}` of kind `{}` needs the field `{field}`",
                spec.id.get_ref(),
                spec.kind.get_ref()
            ),
        )
    })
}

pub(crate) fn compile_regex(
    pattern: &toml::Spanned<String>,
    src: &RuleSource,
) -> Result<regex::Regex, RuleError> {
    regex::RegexBuilder::new(pattern.get_ref())
        .size_limit(64 << 20)
        .build()
        .map_err(|e| invalid_regex(src, pattern.span(), &e))
}

/// The error for a pattern that does not compile, on one line.
fn invalid_regex(src: &RuleSource, span: std::ops::Range<usize>, e: &regex::Error) -> RuleError {
    src.error_at(
        span,
        format!("invalid regex: {}", e.to_string().replace('\n', " ")),
    )
}

/// Check that `pattern` parses as a regex, with the message [`compile_regex`]
/// would give, without compiling it: for patterns that are only ever run
/// combined with others (each is named in its own error, the combination is
/// compiled once).
pub(crate) fn check_regex(
    pattern: &str,
    span: std::ops::Range<usize>,
    src: &RuleSource,
) -> Result<(), RuleError> {
    regex_syntax::Parser::new()
        .parse(pattern)
        .map(drop)
        .map_err(|e| invalid_regex(src, span, &regex::Error::Syntax(e.to_string())))
}

/// Which rules to run.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

fn id_matches(id: &str, pat: &str) -> bool {
    id == pat
        || (id.starts_with(pat) && id.as_bytes().get(pat.len()) == Some(&b'.'))
        || pat == "all"
}

impl Selection {
    /// Just the rules with these ids or family prefixes.
    pub fn only(ids: &[&str]) -> Self {
        Selection {
            select: ids.iter().map(|s| (*s).to_owned()).collect(),
            ignore: Vec::new(),
        }
    }

    pub fn keeps(&self, id: &str) -> bool {
        (self.select.is_empty() || self.select.iter().any(|p| id_matches(id, p)))
            && !self.ignore.iter().any(|p| id_matches(id, p))
    }
}

/// The compiled rules, in stage order, plus a hash of what defined them.
#[derive(Debug)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub hash: String,
}

impl RuleSet {
    /// The highest advertising score any rule gives `line`.
    pub fn advert_score(&self, line: &str) -> i32 {
        self.rules
            .iter()
            .filter_map(|r| r.imp.line_score(line))
            .max()
            .unwrap_or(0)
    }
}

/// Collect the rule files under a path (a file, or the `*.toml` files of a folder in name order).
pub fn rule_files_at(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
            .collect();
        files.sort();
        Ok(files)
    } else {
        std::fs::metadata(path)?;
        Ok(vec![path.to_path_buf()])
    }
}

/// Load sources: the embedded defaults (unless disabled), then user files in order.
pub fn load_sources(user_paths: &[PathBuf], defaults: bool) -> anyhow::Result<Vec<RuleSource>> {
    let mut sources = Vec::new();
    if defaults {
        for (path, text) in DEFAULT_RULE_FILES {
            sources.push(RuleSource::new(*path, *text));
        }
    }
    for p in user_paths {
        let files = rule_files_at(p)
            .map_err(|e| anyhow::anyhow!("{}: cannot read rule path: {e}", p.display()))?;
        for f in files {
            let text = std::fs::read_to_string(&f)
                .map_err(|e| anyhow::anyhow!("{}: cannot read rule file: {e}", f.display()))?;
            sources.push(RuleSource::new(f.display().to_string(), text));
        }
    }
    Ok(sources)
}

/// The outcome of running one rule's embedded examples.
#[derive(Debug)]
pub struct ExampleFailure {
    pub rule: String,
    pub source: String,
    pub input: String,
    pub expected: String,
    pub got: String,
    pub why: &'static str,
}

/// Run every example of every rule (each through its own rule), and check that
/// a second application changes nothing.
pub fn test_examples(set: &RuleSet) -> (usize, Vec<ExampleFailure>) {
    let mut passed = 0;
    let mut failures = Vec::new();
    for rule in &set.rules {
        for ex in &rule.examples {
            let expected = ex.output.clone().unwrap_or_else(|| ex.input.clone());
            let kind = ex.format.unwrap_or_default();
            let mut hits = RuleHits::default();
            let got = rule
                .apply(&ex.input, &mut DocContext::new(kind), &mut hits)
                .unwrap_or_else(|| ex.input.clone());
            let fail = |why, got: String| ExampleFailure {
                rule: rule.id.clone(),
                source: rule.source.clone(),
                input: ex.input.clone(),
                expected: expected.clone(),
                got,
                why,
            };
            if rule.action == Action::Report {
                if ex.output.is_none() && hits.changes == 0 && ex.input != expected {
                    failures.push(fail("report rule found nothing", got));
                } else {
                    passed += 1;
                }
                continue;
            }
            if got != expected {
                failures.push(fail("output differs", got));
                continue;
            }
            let mut again = RuleHits::default();
            if let Some(second) = rule.apply(&got, &mut DocContext::new(kind), &mut again) {
                failures.push(fail("not idempotent: a second run changed it", second));
                continue;
            }
            passed += 1;
        }
    }
    (passed, failures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_pack_compiles_and_every_example_passes() {
        let sources = load_sources(&[], true).unwrap();
        let set = build(&sources, &Selection::default()).unwrap();
        let (passed, failures) = test_examples(&set);
        for f in &failures {
            eprintln!(
                "{}: {} ({})\n  input:    {:?}\n  expected: {:?}\n  got:      {:?}",
                f.rule, f.why, f.source, f.input, f.expected, f.got
            );
        }
        assert!(failures.is_empty(), "{} example(s) failed", failures.len());
        assert!(passed > 40, "only {passed} examples ran");
        // stages are in pipeline order
        assert!(set.rules.windows(2).all(|w| w[0].stage <= w[1].stage));
    }

    #[test]
    fn bad_rule_files_point_at_the_problem() {
        let src = RuleSource {
            path: "bad.toml".into(),
            text: "[[rule]]\nid = \"x.y\"\nkind = \"replace\"\nstage = \"escape\"\ndescription = \"d\"\npattern = \"(unclosed\"\nreplace = \"\"\n".into(),
        };
        let err = build(&[src], &Selection::default()).unwrap_err();
        assert_eq!((err.line, err.col), (6, 11), "{err}");
        assert!(err.message.contains("invalid regex"));
        let src = RuleSource {
            path: "bad.toml".into(),
            text: "[[rule]]\nid = \"x.y\"\nkindd = 1\n".into(),
        };
        let err = build(&[src], &Selection::default()).unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        let src = RuleSource {
            path: "bad.toml".into(),
            text:
                "[[rule]]\nid = \"x.y\"\nkind = \"nope\"\nstage = \"escape\"\ndescription = \"d\"\n"
                    .into(),
        };
        let err = build(&[src], &Selection::default()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("bad.toml:3:8: unknown rule kind"),
            "{err}"
        );
    }

    #[test]
    fn selection_by_family_prefix() {
        let s = Selection {
            select: vec![],
            ignore: vec!["censor".into()],
        };
        assert!(
            !s.keeps("censor.dang") && s.keeps("paywall.cms-marker") && s.keeps("censorship.x")
        );
        let s = Selection {
            select: vec!["escape.percent".into()],
            ignore: vec![],
        };
        assert!(s.keeps("escape.percent") && !s.keeps("escape.html"));
    }
}
