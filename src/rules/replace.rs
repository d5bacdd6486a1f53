//! `replace`: a regex with captures and a `$1`/`${name}` template. An optional
//! `literals` prefilter skips documents that cannot match.

use super::prefilter::{prefilter, Literals};
use super::{compile_regex, required, RuleError, RuleHits, RuleKind, RuleSource, RuleSpec};

pub struct Replace {
    re: regex::Regex,
    template: String,
    prefilter: Option<Literals>,
}

impl Replace {
    pub fn compile(spec: &RuleSpec, src: &RuleSource) -> Result<Self, RuleError> {
        let pattern = required(&spec.pattern, spec, src, "pattern")?;
        let re = compile_regex(pattern, src)?;
        let template = match spec.action {
            super::Action::Report => spec.replace.clone().unwrap_or_default(),
            super::Action::Fix => required(&spec.replace, spec, src, "replace")?.clone(),
        };
        Ok(Replace {
            re,
            template,
            prefilter: prefilter(spec, src)?,
        })
    }

    /// One pass; a pass that would grow the text past the limit stops early
    /// and marks the rule diverged.
    fn once(&self, text: &str, hits: &mut RuleHits) -> Option<String> {
        let room = super::hits::growth_limit(text.len()) - text.len();
        let mut grown = 0usize;
        let mut rep = String::new();
        let mut edits = Vec::new();
        for caps in self.re.captures_iter(text) {
            let m = caps.get(0).expect("group 0");
            rep.clear();
            caps.expand(&self.template, &mut rep);
            if rep == m.as_str() {
                continue;
            }
            grown += rep.len().saturating_sub(m.len());
            if grown > room {
                hits.diverged = true;
                return None;
            }
            edits.push((m.start(), m.end(), rep.clone()));
        }
        super::hits::splice(text, hits, edits)
    }
}

impl RuleKind for Replace {
    fn apply(&self, text: &str, hits: &mut RuleHits) -> Option<String> {
        if let Some(pf) = &self.prefilter {
            if !pf.is_match(text) {
                return None;
            }
        }
        super::hits::to_fixed_point(text, hits, |t, h| self.once(t, h))
    }
}
