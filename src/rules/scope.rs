//! Where a rule may act: which document formats it runs on (`formats`) and
//! whether it may rewrite protected spans — code, URLs, link targets, tags —
//! (`spans = "any"`) or only prose (`spans = "prose"`, the default, so user
//! rules get the same protection). A rule that changes nothing never pays for
//! finding the spans.

use super::{RuleError, RuleHits, RuleKind, RuleSource, RuleSpec};
use crate::doc::DocKind;
use crate::spans::Protected;

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

/// One document as the rules see it: its format, and its protected spans,
/// found once per version of its text and only when a rule needs them.
#[derive(Debug, Clone, Default)]
pub struct DocContext {
    pub kind: DocKind,
    protected: Option<Protected>,
}

impl DocContext {
    pub fn new(kind: DocKind) -> Self {
        DocContext {
            kind,
            protected: None,
        }
    }

    /// The text changed: spans found before no longer apply.
    pub fn text_changed(&mut self) {
        self.protected = None;
    }

    pub fn protected(&mut self, text: &str) -> &Protected {
        let kind = self.kind;
        self.protected
            .get_or_insert_with(|| Protected::find(text, kind))
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
        return imp.apply_outside(text, doc.kind, &none, hits);
    }
    let kind = doc.kind;
    let before = hits.clone();
    let out = imp.apply_outside(text, kind, &none, hits)?;
    let protected = doc.protected(text);
    if protected.is_empty() {
        return Some(out);
    }
    *hits = before;
    imp.apply_outside(text, kind, protected, hits)
}
