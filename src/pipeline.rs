//! The stages in order: each rule sees what the earlier ones left. Untouched
//! text is never copied (`Cow`), and each rule records what it changed.

use crate::doc::DocKind;
use crate::rules::{Action, DocContext, Rule, RuleHits, RuleSet};
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

    /// The `report` rules that found something.
    pub fn reported_rules<'a>(&'a self, set: &'a RuleSet) -> impl Iterator<Item = &'a str> + 'a {
        set.rules
            .iter()
            .zip(&self.hits)
            .filter(|(r, h)| r.action == Action::Report && h.changes > 0)
            .map(|(r, _)| r.id.as_str())
    }
}

/// Told of every edit a rule makes while a document is traced: the rule,
/// the text it saw and the text it left.
pub type Observer<'o> = dyn FnMut(&Rule, &str, &str) + 'o;

pub struct Pipeline<'a> {
    pub set: &'a RuleSet,
    /// The format documents are read as (Markdown keeps its hard breaks, …).
    kind: DocKind,
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
            kind: DocKind::Plain,
            skip_examples: skip,
        }
    }

    /// The same pipeline for documents of `kind`.
    pub fn for_kind(mut self, kind: DocKind) -> Self {
        self.kind = kind;
        self
    }

    /// Clean one document. A later stage can uncover work for an earlier one
    /// (a zero-width space inside mojibake, a marker inside an entity, a tail
    /// block that moves once the last one is gone), so the stages run again
    /// on changed text until it settles: one run reaches the fixed point a
    /// second run would find.
    pub fn clean<'t>(&self, text: &'t str) -> (Cow<'t, str>, DocOutcome) {
        let mut outcome = self.fresh_outcome();
        let mut cur: Option<String> = None;
        let mut settled = None;
        for _ in 0..MAX_PASSES {
            let input = cur.as_deref().unwrap_or(text);
            let observe = &mut |_: &Rule, _: &str, _: &str| {};
            match self.pass(Cow::Borrowed(input), &mut outcome, observe, &mut settled) {
                (Cow::Owned(next), true) if next != input => cur = Some(next),
                _ => break,
            }
        }
        let cur = cur.map_or(Cow::Borrowed(text), Cow::Owned);
        outcome.emptied = cur.trim().is_empty() && !text.trim().is_empty();
        (cur, outcome)
    }

    /// [`clean`](Self::clean) for a document the caller gives away: each
    /// stage's input is dropped once the stage has replaced it, so a large
    /// document is held about twice rather than four times. The flag says
    /// whether a rule edited the text.
    pub fn clean_owned(&self, text: String) -> (String, DocOutcome, bool) {
        let mut outcome = self.fresh_outcome();
        let was_blank = text.trim().is_empty();
        let mut cur = text;
        let mut changed = false;
        let mut settled = None;
        for _ in 0..MAX_PASSES {
            let observe = &mut |_: &Rule, _: &str, _: &str| {};
            let (next, edited) = self.pass(Cow::Owned(cur), &mut outcome, observe, &mut settled);
            cur = next.into_owned();
            if !edited {
                break;
            }
            changed = true;
        }
        outcome.emptied = cur.trim().is_empty() && !was_blank;
        (cur, outcome, changed)
    }

    /// [`clean`](Self::clean), telling `observe` of each rule's edit as it
    /// is made (to locate what `check` reports). Returns the cleaned text.
    pub fn trace(&self, text: &str, observe: &mut Observer) -> String {
        let mut outcome = self.fresh_outcome();
        let mut cur = text.to_owned();
        let mut settled = None;
        for _ in 0..MAX_PASSES {
            match self.pass(
                Cow::Borrowed(cur.as_str()),
                &mut outcome,
                observe,
                &mut settled,
            ) {
                (Cow::Owned(next), true) if next != cur => cur = next,
                _ => break,
            }
        }
        cur
    }

    fn fresh_outcome(&self) -> DocOutcome {
        DocOutcome {
            hits: (0..self.set.rules.len())
                .map(|i| RuleHits {
                    skip_examples: self.skip_examples.get(i).copied().unwrap_or(false),
                    ..RuleHits::default()
                })
                .collect(),
            emptied: false,
        }
    }

    /// Every stage once; the flag says whether a rule changed anything.
    /// Report rules describe the text as the last pass left it, so their
    /// counts start over.
    ///
    /// `settled`: the last rule that changed the text, in the previous pass
    /// (updated for the next). Every rule after it met this pass's input
    /// there and left it alone; rules depend on nothing but the text, so
    /// while this pass has changed nothing they would leave it alone again,
    /// and are not run. Their counts (report rules' too) already describe
    /// this text.
    fn pass<'t>(
        &self,
        text: Cow<'t, str>,
        outcome: &mut DocOutcome,
        observe: &mut Observer,
        settled: &mut Option<usize>,
    ) -> (Cow<'t, str>, bool) {
        let before = *settled;
        let mut cur = text;
        let mut last = None;
        let mut doc = DocContext::new(self.kind);
        let rules = self.set.rules.iter().zip(outcome.hits.iter_mut());
        for (i, (rule, hits)) in rules.enumerate() {
            if last.is_none() && before.is_some_and(|s| i > s) {
                break;
            }
            if rule.action == Action::Report {
                *hits = RuleHits {
                    skip_examples: hits.skip_examples,
                    ..RuleHits::default()
                };
            }
            if let Some(next) = rule.run(&cur, &mut doc, hits) {
                observe(rule, &cur, &next);
                cur = Cow::Owned(next);
                last = Some(i);
                doc.text_changed();
            }
        }
        if last.is_some() {
            *settled = last;
        }
        (cur, last.is_some())
    }
}

/// Whole-pipeline passes over one document, at most.
const MAX_PASSES: usize = 3;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{build, load_sources, Selection};
    use proptest::prelude::*;

    fn default_set() -> &'static RuleSet {
        static SET: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
        SET.get_or_init(|| build(&load_sources(&[], true).unwrap(), &Selection::default()).unwrap())
    }

    #[test]
    fn stages_compose() {
        let set = default_set();
        let p = Pipeline::new(set);
        let (out, _) =
            p.clean("深入学习贯彻D##paidbegin##的二十大精神，庭院%2B&ldquo;美&rdquo;\u{200B}\r\n");
        assert_eq!(out, "深入学习贯彻党的二十大精神，庭院+“美”\n");
    }

    /// Each of these needed a second run before the pipeline re-ran itself.
    #[test]
    fn one_run_reaches_the_fixed_point() {
        let set = default_set();
        let p = Pipeline::new(set);
        for (input, expected) in [
            ("鍏氬憳\u{200B}", "党员"),
            ("&rd##paidend##quo;双达标", "”双达标"),
        ] {
            let (once, _) = p.clean(input);
            assert_eq!(once, expected, "{input:?}");
            let (twice, _) = p.clean(&once);
            assert_eq!(once, twice, "{input:?}");
        }
    }

    /// Every pass runs every rule: what [`Pipeline::clean`] must agree with.
    fn clean_in_full_passes(p: &Pipeline, text: &str) -> (String, Vec<RuleHits>) {
        let mut outcome = p.fresh_outcome();
        let mut cur = text.to_owned();
        for _ in 0..MAX_PASSES {
            let observe = &mut |_: &Rule, _: &str, _: &str| {};
            match p.pass(
                Cow::Borrowed(cur.as_str()),
                &mut outcome,
                observe,
                &mut None,
            ) {
                (Cow::Owned(next), true) if next != cur => cur = next,
                _ => break,
            }
        }
        (cur, outcome.hits)
    }

    /// Pieces of noisy documents: adverts, site lines, markers, censored
    /// words, mojibake, entities, stray spaces and blank lines.
    const PIECES: &[&str] = &[
        "【某某素材库】——每天更新材料，请联系客服：1 4367\n",
        "本文档由会员上传，仅供参考\n",
        "第1页 / 共3页\n",
        "继续阅读\n",
        "贯彻D的二十大精神",
        "关注AAA公众号",
        "每日上##paidbegin##门入户",
        "##paidend##\n",
        "鍏氬憳",
        "&ldquo;美&rdquo;",
        "庭院%2B",
        "\u{200B}",
        "  \n",
        "\n\n\n",
        "\r\n",
        "正文一段，讲的是社区的事。\n",
        "    ",
        "D",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// Passes after the first skip the rules that already met their
        /// text and left it alone: the text and every count come out the
        /// same as when every pass runs every rule.
        #[test]
        fn skipping_settled_rules_changes_nothing(
            parts in proptest::collection::vec(proptest::sample::select(PIECES), 0..14),
        ) {
            let text: String = parts.concat();
            let set = default_set();
            let p = Pipeline::new(set);
            let (out, outcome) = p.clean(&text);
            let (want, want_hits) = clean_in_full_passes(&p, &text);
            prop_assert_eq!(out.as_ref(), want.as_str());
            prop_assert_eq!(&outcome.hits, &want_hits);
            let (owned, owned_outcome, _) = p.clean_owned(text.clone());
            prop_assert_eq!(owned.as_str(), want.as_str());
            prop_assert_eq!(&owned_outcome.hits, &want_hits);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn cleaning_is_idempotent(s in "[党DAXa-z0-9员的建区级%2BE5&;amp#ldquo鍏氬憳锛 \n\r　。，【】——会员客服：]{0,60}") {
            let set = default_set();
            let p = Pipeline::new(set);
            let (once, _) = p.clean(&s);
            let (twice, _) = p.clean(&once);
            prop_assert_eq!(once.as_ref(), twice.as_ref());
        }
    }
}
