//! `placeholder`: a censored token (`D` for 党, `AAA` for 微信) restored from
//! context. A token counts only where it stands alone (not inside a Latin word
//! or a number); a document is judged censored from its own evidence; then every
//! lone token is restored except in look-alike contexts (grades, blocks, options)
//! and where it names something in code (`AAA.addUser`, `f('AAA')`, `AAA = …`).

use super::{required, RuleError, RuleHits, RuleKind, RuleSource, RuleSpec};
use crate::charclass::is_latin_wordish;
use regex::Regex;
use toml::Spanned;

pub struct Placeholder {
    tokens: super::prefilter::LeftmostLongest,
    replacement: String,
    strong: Option<Regex>,
    evidence: Option<Regex>,
    lookalikes: Option<Regex>,
    min_evidence: usize,
    mark: Option<char>,
}

/// Characters of context on each side that the context patterns may see.
const WINDOW: usize = 12;

fn combine(
    patterns: &Option<Vec<Spanned<String>>>,
    token_alt: &str,
    src: &RuleSource,
) -> Result<Option<Regex>, RuleError> {
    let Some(list) = patterns else {
        return Ok(None);
    };
    if list.is_empty() {
        return Ok(None);
    }
    let mut parts = Vec::new();
    for p in list {
        if !p.get_ref().contains("{T}") {
            return Err(src.error_at(
                p.span(),
                "a context pattern must contain `{T}` where the token stands",
            ));
        }
        let expanded = p.get_ref().replace("{T}", token_alt);
        super::check_regex(&expanded, p.span(), src)?;
        parts.push(format!("(?:{expanded})"));
    }
    Regex::new(&parts.join("|"))
        .map(Some)
        .map_err(|e| src.error_at(list[0].span(), format!("patterns do not combine: {e}")))
}

impl Placeholder {
    pub fn compile(spec: &RuleSpec, src: &RuleSource) -> Result<Self, RuleError> {
        let tokens = required(&spec.tokens, spec, src, "tokens")?;
        if tokens.is_empty() || tokens.iter().any(|t| t.is_empty()) {
            return Err(src.error_at(spec.id.span(), "`tokens` must list non-empty strings"));
        }
        let replacement = required(&spec.replacement, spec, src, "replacement")?.clone();
        if spec.strong.is_none() && spec.evidence.is_none() {
            return Err(src.error_at(
                spec.id.span(),
                "a placeholder rule needs `strong` or `evidence` patterns to judge a document",
            ));
        }
        let token_alt = format!(
            "(?:{})",
            tokens
                .iter()
                .map(|t| regex::escape(t))
                .collect::<Vec<_>>()
                .join("|")
        );
        let mark = match &spec.anonymisation_mark {
            None => None,
            Some(m) => {
                let mut cs = m.chars();
                match (cs.next(), cs.next()) {
                    (Some(c), None) => Some(c),
                    _ => {
                        return Err(src.error_at(
                            spec.id.span(),
                            "`anonymisation_mark` must be one character (e.g. \"X\")",
                        ))
                    }
                }
            }
        };
        Ok(Placeholder {
            tokens: super::prefilter::LeftmostLongest::new(tokens),
            replacement,
            strong: combine(&spec.strong, &token_alt, src)?,
            evidence: combine(&spec.evidence, &token_alt, src)?,
            lookalikes: combine(&spec.lookalikes, &token_alt, src)?,
            min_evidence: spec.min_evidence.unwrap_or(2),
            mark,
        })
    }

    /// The neighbour of a token, looking past ASCII spaces (`Plan D is`).
    fn neighbour(mut it: impl Iterator<Item = char>) -> (Option<char>, bool) {
        let mut spaced = false;
        loop {
            match it.next() {
                Some(' ') => spaced = true,
                other => return (other, spaced),
            }
        }
    }

    /// Does the token at `start..end` stand alone?
    fn stands_alone(&self, text: &str, start: usize, end: usize) -> bool {
        let (next, _) = Self::neighbour(text[end..].chars());
        if next.is_some_and(is_latin_wordish) {
            return false;
        }
        let (prev, spaced) = Self::neighbour(text[..start].chars().rev());
        match prev {
            Some(c) if is_latin_wordish(c) => {
                // `XXD建`: a run of anonymisation marks directly before is not a word.
                if spaced || Some(c) != self.mark {
                    return false;
                }
                let before: String = text[..start]
                    .chars()
                    .rev()
                    .take_while(|&ch| Some(ch) == self.mark)
                    .collect();
                let rest = &text[..start - before.len()];
                before.chars().count() >= 2
                    && !rest.chars().next_back().is_some_and(is_latin_wordish)
            }
            _ => true,
        }
    }

    /// Is the token at `start..end` a name in code rather than a word: before
    /// `(`, `[`, `=` or a member access, after a member dot or `=`, or quoted alone?
    fn is_identifier(text: &str, start: usize, end: usize) -> bool {
        let after = text[end..].trim_start_matches(' ');
        let mut next = after.chars();
        let named = match next.next() {
            Some('(' | '[') => true,
            Some('=') => next.next() != Some('='),
            Some('.') => next
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_'),
            _ => false,
        };
        let prev = text[..start].chars().next_back();
        let quoted = matches!(prev, Some(q @ ('\'' | '"' | '`')) if after.starts_with(q));
        let assigned = text[..start].trim_end_matches(' ').ends_with('=');
        named || quoted || assigned || matches!(prev, Some('.' | '$' | '_'))
    }

    /// Restore the lone tokens `keep` lets through, if the document is judged censored.
    fn restore(
        &self,
        text: &str,
        hits: &mut RuleHits,
        keep: &dyn Fn(usize, usize) -> bool,
    ) -> Option<String> {
        let judgement = self.judge(text, keep)?;
        if !judgement.censored {
            return None;
        }
        hits.judged = true;
        super::hits::splice(
            text,
            hits,
            judgement
                .restorable
                .iter()
                .map(|&(s, e)| (s, e, self.replacement.clone())),
        )
    }

    /// How a document is judged from the lone tokens `keep` lets through;
    /// `None` when it holds no restorable token.
    fn judge(&self, text: &str, keep: &dyn Fn(usize, usize) -> bool) -> Option<Judgement> {
        // (the token finders are the prefilter: a text without tokens is read once per token)
        let candidates: Vec<(usize, usize)> = self
            .tokens
            .find_all(text)
            .into_iter()
            .filter(|&(s, e)| {
                self.stands_alone(text, s, e) && !Self::is_identifier(text, s, e) && keep(s, e)
            })
            .collect();
        if candidates.is_empty() {
            return None;
        }
        let restorable: Vec<(usize, usize)> = candidates
            .iter()
            .copied()
            .filter(|&(s, e)| !Self::covers(&self.lookalikes, text, s, e))
            .collect();
        if restorable.is_empty() {
            return None;
        }
        let strong = restorable
            .iter()
            .any(|&(s, e)| Self::covers(&self.strong, text, s, e));
        let evidence = restorable
            .iter()
            .filter(|&&(s, e)| Self::covers(&self.evidence, text, s, e))
            .count();
        let censored =
            strong || (evidence >= self.min_evidence && !text.contains(&self.replacement));
        Some(Judgement {
            restorable,
            evidence,
            censored,
        })
    }

    /// Does a pattern match a window around the token that covers the token?
    fn covers(re: &Option<Regex>, text: &str, start: usize, end: usize) -> bool {
        Self::cover(re, text, start, end).is_some()
    }

    /// The match of a pattern, in a window around the token, that covers the token.
    fn cover<'t>(re: &Option<Regex>, text: &'t str, start: usize, end: usize) -> Option<&'t str> {
        let re = re.as_ref()?;
        let lo = text[..start]
            .char_indices()
            .rev()
            .take(WINDOW)
            .last()
            .map_or(start, |(i, _)| i);
        let lo = text[lo..start].rfind('\n').map_or(lo, |i| lo + i + 1);
        let hi = text[end..]
            .char_indices()
            .nth(WINDOW)
            .map_or(text.len(), |(i, _)| end + i);
        let hi = text[end..hi].find('\n').map_or(hi, |i| end + i);
        let window = &text[lo..hi];
        let (s, e) = (start - lo, end - lo);
        let mut at = 0;
        while at <= window.len() {
            let m = re.find_at(window, at)?;
            if m.start() <= s && e <= m.end() {
                return Some(m.as_str());
            }
            if m.start() > s {
                return None;
            }
            // try later matches starting after this one's start
            at = window[m.start()..]
                .chars()
                .next()
                .map_or(window.len() + 1, |c| m.start() + c.len_utf8());
        }
        None
    }
}

/// Kept records (and phrases) per document and rule, at most.
const MAX_KEPT: usize = 10;

impl Placeholder {
    /// The context phrases around the document's restorable tokens that
    /// judged it, strong ones first (for the trace).
    fn phrases(&self, text: &str) -> Vec<String> {
        let Some(j) = self.judge(text, &|_, _| true).filter(|j| j.censored) else {
            return Vec::new();
        };
        let mut out: Vec<String> = Vec::new();
        for (re, list) in [(&self.strong, "strong"), (&self.evidence, "evidence")] {
            for &(s, e) in &j.restorable {
                if let Some(m) = Self::cover(re, text, s, e) {
                    let p = format!("{m} ({list})");
                    if out.len() < MAX_KEPT && !out.contains(&p) {
                        out.push(p);
                    }
                }
            }
        }
        out
    }

    /// What the rule saw and left, for the trace: a document whose lone
    /// tokens were judged real letters, and each token kept as a look-alike
    /// or as part of a Latin word or number next to Chinese text (`3D打印`).
    fn kept_tokens(&self, text: &str) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        if let Some(j) = self.judge(text, &|_, _| true).filter(|j| !j.censored) {
            let (s, e) = j.restorable[0];
            let why = if text.contains(&self.replacement) {
                format!("the document also writes {:?} itself", self.replacement)
            } else {
                format!(
                    "{} in an evidence context, {} needed, none in a strong one",
                    j.evidence, self.min_evidence
                )
            };
            let r = self.replacement.as_str();
            let n = j.restorable.len();
            let token = &text[s..e];
            let reason = format!(
                "{n} lone token(s) such as {token:?} judged real letters, not censored {r:?}: {why}"
            );
            out.push((s, reason));
        }
        for (s, e) in self.tokens.find_all(text) {
            if out.len() >= MAX_KEPT {
                break;
            }
            let token = &text[s..e];
            let why = if !self.stands_alone(text, s, e) {
                let touches_cjk = |c: Option<char>| {
                    c.is_some_and(|c| !c.is_ascii() && !is_latin_wordish(c) && !c.is_whitespace())
                };
                if !(touches_cjk(text[..s].chars().next_back())
                    || touches_cjk(text[e..].chars().next()))
                {
                    continue;
                }
                let word = Self::word_around(text, s, e);
                format!("{token:?} stands in the Latin word or number {word:?}, not alone: kept")
            } else if let Some(m) = Self::cover(&self.lookalikes, text, s, e) {
                format!("{token:?} in {m:?} reads as a look-alike (a grade, block, option…): kept")
            } else {
                continue;
            };
            out.push((s, why));
        }
        out
    }

    /// The run of Latin letters and digits the token at `start..end` stands in.
    fn word_around(text: &str, start: usize, end: usize) -> &str {
        let lo = text[..start]
            .char_indices()
            .rev()
            .take_while(|&(_, c)| is_latin_wordish(c))
            .last()
            .map_or(start, |(i, _)| i);
        let hi = text[end..]
            .char_indices()
            .find(|&(_, c)| !is_latin_wordish(c))
            .map_or(text.len(), |(i, _)| end + i);
        &text[lo..hi]
    }
}

/// How a document was judged: its restorable tokens, how many stand in an
/// evidence context, and whether it was judged censored.
struct Judgement {
    restorable: Vec<(usize, usize)>,
    evidence: usize,
    censored: bool,
}

impl RuleKind for Placeholder {
    fn apply(&self, text: &str, hits: &mut RuleHits) -> Option<String> {
        self.restore(text, hits, &|_, _| true)
    }

    /// The document is judged, and tokens restored, from its prose alone: a
    /// token in code or a link is neither evidence nor restored.
    fn apply_outside(
        &self,
        text: &str,
        _doc: &super::DocContext,
        protected: &crate::spans::Protected,
        hits: &mut RuleHits,
    ) -> Option<String> {
        self.restore(text, hits, &|s, e| !protected.overlaps(s, e))
    }

    fn evidence(&self, _line: &str) -> super::Evidence {
        super::Evidence {
            judged: Some(true),
            ..Default::default()
        }
    }

    fn document_evidence(&self, text: &str) -> super::Evidence {
        super::Evidence {
            phrases: self.phrases(text),
            ..Default::default()
        }
    }

    fn kept(&self, text: &str) -> Vec<(usize, String)> {
        self.kept_tokens(text)
    }
}
