//! Where a rule may act: which document formats it runs on (`formats`) and
//! whether it may rewrite protected spans — code, URLs, link targets, tags —
//! (`spans = "any"`) or only prose (`spans = "prose"`, the default, so user
//! rules get the same protection). A rule that changes nothing never pays for
//! finding the spans.

use super::lines::DocLines;
use super::{RuleError, RuleHits, RuleKind, RuleSource, RuleSpec};
use crate::doc::DocKind;
use crate::spans::Protected;
use std::cell::OnceCell;

/// Which spans a rule may rewrite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spans {
    /// Prose only: protected spans stay as they are.
    Prose,
    /// The whole text (whole-document repairs: decoding, whitespace).
    Any,
}

/// Where one rule acts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub spans: Spans,
    /// The formats it runs on.
    pub formats: Vec<DocKind>,
}

impl Default for Scope {
    fn default() -> Self {
        Scope {
            spans: Spans::Prose,
            formats: DocKind::ALL.to_vec(),
        }
    }
}

impl Scope {
    pub fn parse(spec: &RuleSpec, src: &RuleSource) -> Result<Scope, RuleError> {
        let spans = match &spec.spans {
            None => Spans::Prose,
            Some(s) => match s.get_ref().as_str() {
                "prose" => Spans::Prose,
                "any" => Spans::Any,
                other => {
                    return Err(src.error_at(
                        s.span(),
                        format!("unknown spans `{other}`: use prose or any"),
                    ))
                }
            },
        };
        let formats = match &spec.formats {
            None => DocKind::ALL.to_vec(),
            Some(list) => {
                let mut kinds = Vec::new();
                for f in list {
                    kinds.push(DocKind::parse(f.get_ref()).ok_or_else(|| {
                        src.error_at(
                            f.span(),
                            format!(
                                "unknown format `{}`: use plain, markdown or html",
                                f.get_ref()
                            ),
                        )
                    })?);
                }
                kinds
            }
        };
        Ok(Scope { spans, formats })
    }
}

/// One document as the rules see it: its format, and what is found once per
/// version of its text and only when a rule needs it: its protected spans
/// and its lines (every rule that judges lines shares one line table).
#[derive(Debug, Clone, Default)]
pub struct DocContext {
    pub kind: DocKind,
    protected: OnceCell<Protected>,
    lines: OnceCell<DocLines>,
}

impl DocContext {
    pub fn new(kind: DocKind) -> Self {
        DocContext {
            kind,
            ..Default::default()
        }
    }

    /// The text changed: what was found before no longer applies.
    pub fn text_changed(&mut self) {
        self.protected = OnceCell::new();
        self.lines = OnceCell::new();
    }

    /// The protected spans of `text`, the current version of the document.
    pub fn protected(&self, text: &str) -> &Protected {
        self.protected
            .get_or_init(|| Protected::find(text, self.kind))
    }

    /// The lines of `text`, the current version of the document.
    pub fn lines(&self, text: &str) -> &DocLines {
        self.lines.get_or_init(|| DocLines::new(text))
    }
}

/// Apply `imp` to `text` within `scope`. A prose rule first runs as if
/// nothing were protected; only when it would change something are the spans
/// found, and then it runs again leaving them alone.
pub fn apply_in_scope(
    imp: &dyn RuleKind,
    scope: &Scope,
    text: &str,
    doc: &mut DocContext,
    hits: &mut RuleHits,
) -> Option<String> {
    if !scope.formats.contains(&doc.kind) {
        return None;
    }
    let none = Protected::none();
    if scope.spans == Spans::Any {
        return imp.apply_outside(text, doc, &none, hits);
    }
    let before = hits.clone();
    let out = imp.apply_outside(text, doc, &none, hits)?;
    let protected = doc.protected(text);
    if protected.is_empty() {
        return Some(out);
    }
    *hits = before;
    imp.apply_outside(text, doc, protected, hits)
}
