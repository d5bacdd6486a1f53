//! The stages in order: each rule sees what the earlier ones left. Untouched
//! text is never copied (`Cow`), and each rule records what it changed.

use crate::rules::{Action, RuleHits, RuleSet};
use std::borrow::Cow;

/// What the pipeline did to one document: one entry per rule (same order as the set).
#[derive(Debug, Default, Clone)]
pub struct DocOutcome {
    pub hits: Vec<RuleHits>,
    /// Cleaning left nothing of a document that had text (all advert, say).
    pub emptied: bool,
}

impl DocOutcome {
    pub fn changed_rules<'a>(&'a self, set: &'a RuleSet) -> impl Iterator<Item = &'a str> + 'a {
        set.rules
            .iter()
            .zip(&self.hits)
            .filter(|(r, h)| r.action == Action::Fix && h.changes > 0)
            .map(|(r, _)| r.id.as_str())
    }
}

pub struct Pipeline<'a> {
    pub set: &'a RuleSet,
    /// By rule: make no report examples (the report has all it keeps).
    skip_examples: &'a [bool],
}

impl<'a> Pipeline<'a> {
    pub fn new(set: &'a RuleSet) -> Self {
        Self::skipping_examples(set, &[])
    }

    /// The same pipeline, making no examples for the rules marked in `skip`
    /// (indexed like the set's rules). Snippets cost time on every edit; a
    /// stream whose report already holds the first few for a rule needs no more.
    pub fn skipping_examples(set: &'a RuleSet, skip: &'a [bool]) -> Self {
        Pipeline {
            set,
            skip_examples: skip,
        }
    }

    /// Clean one document.
    pub fn clean<'t>(&self, text: &'t str) -> (Cow<'t, str>, DocOutcome) {
        let mut cur: Cow<'t, str> = Cow::Borrowed(text);
        let mut outcome = DocOutcome {
            hits: (0..self.set.rules.len())
                .map(|i| RuleHits {
                    skip_examples: self.skip_examples.get(i).copied().unwrap_or(false),
                    ..RuleHits::default()
                })
                .collect(),
            emptied: false,
        };
        for (rule, hits) in self.set.rules.iter().zip(outcome.hits.iter_mut()) {
            if let Some(next) = rule.run(&cur, hits) {
                cur = Cow::Owned(next);
            }
        }
        outcome.emptied = cur.trim().is_empty() && !text.trim().is_empty();
        (cur, outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{build, load_sources, Selection};
    use proptest::prelude::*;

    fn default_set() -> RuleSet {
        build(&load_sources(&[], true).unwrap(), &Selection::default()).unwrap()
    }

    #[test]
    fn stages_compose() {
        let set = default_set();
        let p = Pipeline::new(&set);
        let (out, _) =
            p.clean("深入学习贯彻D##paidbegin##的二十大精神，庭院%2B&ldquo;美&rdquo;\u{200B}\r\n");
        assert_eq!(out, "深入学习贯彻党的二十大精神，庭院+“美”\n");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn cleaning_is_idempotent(s in "[党DAXa-z0-9员的建区级%2BE5&;amp#ldquo鍏氬憳锛 \n\r　。，【】——会员客服：]{0,60}") {
            let set = default_set();
            let p = Pipeline::new(&set);
            let (once, _) = p.clean(&s);
            let (twice, _) = p.clean(&once);
            prop_assert_eq!(once.as_ref(), twice.as_ref());
        }
    }
}
