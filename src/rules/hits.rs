//! What one rule did to one document: counts, characters removed and added,
//! and a few short before/after snippets for the report.

/// Snippets kept per rule and document (and per rule in the whole report).
pub const MAX_EXAMPLES: usize = 3;
/// Line numbers kept per rule and document.
pub const MAX_LINES: usize = 100;
const CONTEXT_CHARS: usize = 10;
const MAX_SNIPPET_CHARS: usize = 80;

/// One edit as the report shows it: the line it stands on (1-based, in the
/// text as the rule met it) and a short stretch of that line before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    pub line: usize,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RuleHits {
    /// Edits made (or, for `report` rules, matches found).
    pub changes: u64,
    pub chars_removed: u64,
    pub chars_added: u64,
    pub examples: Vec<Snippet>,
    /// For rules that first judge the document (placeholders): it was judged to apply.
    pub judged: bool,
    /// 1-based line numbers of the first edits, kept when `track_lines` is set
    /// (report rules: where the damage stands).
    pub lines: Vec<usize>,
    pub track_lines: bool,
    /// Things worth a look that the rule did not change: (line, token, context).
    pub findings: Vec<(usize, String, String)>,
    /// The report already holds all the examples it keeps for this rule: make none.
    pub skip_examples: bool,
    /// The rule did not settle (each pass changed the text again, or the text
    /// grew past [`growth_limit`]): the document was left as the rule found it.
    pub diverged: bool,
}

impl RuleHits {
    /// Record that `text[start..end]` becomes `replacement`.
    pub fn edit(&mut self, text: &str, start: usize, end: usize, replacement: &str) {
        self.changes += 1;
        self.chars_removed += text[start..end].chars().count() as u64;
        self.chars_added += replacement.chars().count() as u64;
        if self.track_lines && self.lines.len() < MAX_LINES {
            self.lines
                .push(memchr::memchr_iter(b'\n', &text.as_bytes()[..start]).count() + 1);
        }
        if !self.skip_examples && self.examples.len() < MAX_EXAMPLES {
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
            let left = tail_chars(&text[line_start..start], CONTEXT_CHARS);
            let right = head_chars(&text[end..line_end], CONTEXT_CHARS);
            let before = format!("{left}{}{right}", &text[start..end]);
            let after = format!("{left}{replacement}{right}");
            self.examples.push(Snippet {
                line: memchr::memchr_iter(b'\n', &text.as_bytes()[..line_start]).count() + 1,
                before: shorten(&before),
                after: shorten(&after),
            });
        }
    }
}

/// Apply non-overlapping, in-order edits `(start, end, replacement)` to `text`,
/// recording each; `None` when there are none.
pub fn splice(
    text: &str,
    hits: &mut RuleHits,
    edits: impl IntoIterator<Item = (usize, usize, String)>,
) -> Option<String> {
    let mut out: Option<String> = None;
    let mut last = 0;
    for (start, end, rep) in edits {
        let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
        o.push_str(&text[last..start]);
        o.push_str(&rep);
        last = end;
        hits.edit(text, start, end, &rep);
    }
    out.map(|mut o| {
        o.push_str(&text[last..]);
        o
    })
}

/// Passes a repeating rule gets to reach its fixed point.
const MAX_PASSES: usize = 6;

/// How long a rule may make a text of `len` bytes: no cleaning more than
/// quadruples a document (a `D` restored as `党` triples one byte).
pub fn growth_limit(len: usize) -> usize {
    len.saturating_mul(4).saturating_add(4096)
}

/// Run `pass` until it changes nothing, so one run of a rule reaches the
/// fixed point that a second run would find. A rule that has not settled
/// after [`MAX_PASSES`], or that grows the text past [`growth_limit`], is
/// undone for this document and marked `diverged`.
pub fn to_fixed_point(
    text: &str,
    hits: &mut RuleHits,
    pass: impl Fn(&str, &mut RuleHits) -> Option<String>,
) -> Option<String> {
    let limit = growth_limit(text.len());
    let mut cur = pass(text, hits)?;
    for _ in 1..MAX_PASSES {
        if cur.len() > limit || hits.diverged {
            break;
        }
        match pass(&cur, hits) {
            Some(next) => cur = next,
            None if !hits.diverged => return Some(cur),
            None => break,
        }
    }
    *hits = RuleHits {
        diverged: true,
        skip_examples: hits.skip_examples,
        track_lines: hits.track_lines,
        ..RuleHits::default()
    };
    None
}

fn tail_chars(s: &str, n: usize) -> &str {
    match s.char_indices().rev().nth(n.saturating_sub(1)) {
        Some((i, _)) if n > 0 => &s[i..],
        _ => s,
    }
}

fn head_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() <= MAX_SNIPPET_CHARS {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(MAX_SNIPPET_CHARS).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_that_never_settles_is_undone() {
        let mut h = RuleHits::default();
        let grow = |t: &str, h: &mut RuleHits| {
            h.changes += 1;
            Some(t.replace('a', "aa"))
        };
        assert_eq!(to_fixed_point("xa", &mut h, grow), None);
        assert!(h.diverged);
        assert_eq!(h.changes, 0);
        let mut h = RuleHits::default();
        let settles = |t: &str, _: &mut RuleHits| t.contains("aa").then(|| t.replace("aa", "a"));
        assert_eq!(
            to_fixed_point("aaaa", &mut h, settles).as_deref(),
            Some("a")
        );
        assert!(!h.diverged);
    }

    #[test]
    fn edit_records_context_and_counts() {
        let text = "第一行\n每日上##paidbegin##门入户服务\n";
        let start = text.find("##").unwrap();
        let mut h = RuleHits::default();
        h.edit(text, start, start + "##paidbegin##".len(), "");
        assert_eq!(h.changes, 1);
        assert_eq!(h.chars_removed, 13);
        assert_eq!(
            h.examples[0],
            Snippet {
                line: 2,
                before: "每日上##paidbegin##门入户服务".to_owned(),
                after: "每日上门入户服务".to_owned()
            }
        );
    }
}
