//! Where each change stands: the pipeline is traced over the document, each
//! rule's edit is diffed (lines, then the characters of a changed line), and
//! its lines are mapped back to the document's through the edits before it.
//! Columns are counted on the line as the rule saw it (the document's own
//! line unless an earlier rule changed it).

use super::{Finding, Kind};
use crate::pipeline::Pipeline;
use crate::rules::{Action, Rule, RuleHits, RuleSet};
use similar::{capture_diff_slices, Algorithm, DiffTag};

/// A diff is skipped (the span taken whole) past this many cells
/// (old length × new length), so that no document makes `check` quadratic.
const MAX_DIFF_CELLS: usize = 4_000_000;
/// Characters of text quoted in a message.
const QUOTE_CHARS: usize = 40;

/// The findings of one document, in order of position (rules in pipeline
/// order where they meet): every edit the fix rules make, and every match of
/// the report rules on the cleaned text.
pub fn locate(set: &RuleSet, text: &str) -> Vec<Finding> {
    let mut map = LineMap::new(text);
    let mut found = Vec::new();
    let cleaned = Pipeline::new(set).trace(text, &mut |rule, before, after| {
        map.record(rule, before, after, &mut found, true);
    });
    for rule in set.rules.iter().filter(|r| r.action == Action::Report) {
        if let Some(without) = rule.imp.apply(&cleaned, &mut RuleHits::default()) {
            map.record(rule, &cleaned, &without, &mut found, false);
        }
    }
    found.sort_by_key(|f| (f.line, f.column));
    found
}

/// For each line of the current text, the document line it came from.
pub(crate) struct LineMap {
    origin: Vec<u64>,
}

/// One line of a rule's edit: `before` (a whole line, newline included)
/// becomes `after`; one of them is empty where a line is removed or
/// inserted. `at` is the 0-based line where it applies once the edits
/// before it in the same step are applied, so that applying a step's edits
/// in order turns the text the rule saw into the text it left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LineEdit<'a> {
    /// The document line it stands on (1-based).
    pub origin: u64,
    pub at: usize,
    pub before: &'a str,
    pub after: &'a str,
}

pub(crate) fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

impl LineMap {
    pub(crate) fn new(text: &str) -> Self {
        LineMap {
            origin: (1..=lines(text).len() as u64).collect(),
        }
    }

    /// The document line that line `i` (0-based) of the current text came from.
    pub(crate) fn origin_of(&self, i: usize) -> u64 {
        self.origin
            .get(i)
            .or(self.origin.last())
            .copied()
            .unwrap_or(1)
    }

    /// The lines of an edit of `before` into `after`, in order; when
    /// `advance`, the map then describes `after`.
    pub(crate) fn edits<'a>(
        &mut self,
        before: &'a str,
        after: &'a str,
        advance: bool,
    ) -> Vec<LineEdit<'a>> {
        let (old, new) = (lines(before), lines(after));
        let mut out = Vec::new();
        let mut next = Vec::with_capacity(new.len());
        for (tag, o, n) in line_ops(&old, &new) {
            if tag == DiffTag::Equal {
                next.extend(o.map(|i| self.origin_of(i)));
                continue;
            }
            let paired = o.len().min(n.len());
            for k in 0..paired {
                let line = self.origin_of(o.start + k);
                out.push(LineEdit {
                    origin: line,
                    at: n.start + k,
                    before: old[o.start + k],
                    after: new[n.start + k],
                });
                next.push(line);
            }
            for (i, gone) in old.iter().enumerate().take(o.end).skip(o.start + paired) {
                out.push(LineEdit {
                    origin: self.origin_of(i),
                    at: n.start + paired,
                    before: gone,
                    after: "",
                });
            }
            let at = self.origin_of(o.start + paired);
            for (j, came) in new[n.start + paired..n.end].iter().enumerate() {
                out.push(LineEdit {
                    origin: at,
                    at: n.start + paired + j,
                    before: "",
                    after: came,
                });
                next.push(at);
            }
        }
        if advance {
            self.origin = next;
        }
        out
    }

    /// Record `rule`'s edit of `before` into `after` as findings; when
    /// `advance`, the map then describes `after`.
    fn record(
        &mut self,
        rule: &Rule,
        before: &str,
        after: &str,
        found: &mut Vec<Finding>,
        advance: bool,
    ) {
        let kind = match rule.action {
            Action::Fix => Kind::Fix,
            Action::Report => Kind::Report,
        };
        let mut emit = |line: u64, column: u64, message: String| {
            found.push(Finding {
                rule: rule.id.clone(),
                kind,
                line,
                column,
                message,
            })
        };
        for e in self.edits(before, after, advance) {
            match (e.before.is_empty(), e.after.is_empty()) {
                (false, false) => {
                    for (column, gone, came) in line_changes(e.before, e.after) {
                        emit(e.origin, column, change_message(kind, &gone, &came));
                    }
                }
                (false, true) => emit(e.origin, 1, removed_line(kind, e.before)),
                _ => emit(e.origin, 1, format!("inserts the line {}", quote(e.after))),
            }
        }
    }
}

/// Equal and changed runs of lines. Lines are paired in order where both
/// sides have as many (most rules edit within lines), else diffed; the
/// common head and tail are taken off first.
fn line_ops(
    old: &[&str],
    new: &[&str],
) -> Vec<(DiffTag, std::ops::Range<usize>, std::ops::Range<usize>)> {
    let head = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let tail = old[head..]
        .iter()
        .rev()
        .zip(new[head..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (o, n) = (head..old.len() - tail, head..new.len() - tail);
    let mut ops = vec![(DiffTag::Equal, 0..head, 0..head)];
    if o.len() == n.len() || o.len().saturating_mul(n.len()) > MAX_DIFF_CELLS {
        // line by line: equal lines stay equal, the rest are changed
        for (i, j) in o.clone().zip(n.clone()) {
            let tag = if old[i] == new[j] {
                DiffTag::Equal
            } else {
                DiffTag::Replace
            };
            ops.push((tag, i..i + 1, j..j + 1));
        }
        let paired = o.len().min(n.len());
        ops.push((
            DiffTag::Replace,
            o.start + paired..o.end,
            n.start + paired..n.end,
        ));
    } else {
        for op in capture_diff_slices(Algorithm::Myers, &old[o.clone()], &new[n.clone()]) {
            let (tag, a, b) = op.as_tag_tuple();
            ops.push((
                tag,
                o.start + a.start..o.start + a.end,
                n.start + b.start..n.start + b.end,
            ));
        }
    }
    ops.push((
        DiffTag::Equal,
        old.len() - tail..old.len(),
        new.len() - tail..new.len(),
    ));
    ops.retain(|(_, a, b)| !a.is_empty() || !b.is_empty());
    ops
}

/// The changes within one line: (1-based column, text removed, text put
/// in its place) for each run of characters that differs.
pub(crate) fn line_changes(old: &str, new: &str) -> Vec<(u64, String, String)> {
    let a: Vec<char> = old.chars().collect();
    let b: Vec<char> = new.chars().collect();
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (am, bm) = (&a[head..a.len() - tail], &b[head..b.len() - tail]);
    let spans: Vec<(usize, &[char], &[char])> =
        if am.is_empty() || bm.is_empty() || am.len().saturating_mul(bm.len()) > MAX_DIFF_CELLS {
            vec![(head, am, bm)]
        } else {
            capture_diff_slices(Algorithm::Myers, am, bm)
                .into_iter()
                .filter_map(|op| {
                    let (tag, x, y) = op.as_tag_tuple();
                    (tag != DiffTag::Equal).then(|| (head + x.start, &am[x], &bm[y]))
                })
                .collect()
        };
    spans
        .into_iter()
        .map(|(at, gone, came)| (at as u64 + 1, gone.iter().collect(), came.iter().collect()))
        .collect()
}

/// What a change says: what a fix rule does, or what a report rule found.
fn change_message(kind: Kind, gone: &str, came: &str) -> String {
    match (kind, gone.is_empty(), came.is_empty()) {
        (Kind::Report, _, _) => format!("found {}", quote(gone)),
        (Kind::Fix, false, true) => format!("removes {}", quote(gone)),
        (Kind::Fix, true, false) => format!("inserts {}", quote(came)),
        (Kind::Fix, _, _) => format!("replaces {} with {}", quote(gone), quote(came)),
    }
}

fn removed_line(kind: Kind, line: &str) -> String {
    let line = line.trim_end_matches(['\n', '\r']);
    match kind {
        Kind::Report => format!("found the line {}", quote(line)),
        Kind::Fix if line.trim().is_empty() => "removes a blank line".into(),
        Kind::Fix => format!("removes the line {}", quote(line)),
    }
}

/// Text in a message: quoted, escapes shown, cut at [`QUOTE_CHARS`].
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for (i, c) in s.chars().enumerate() {
        if i == QUOTE_CHARS {
            out.push('…');
            break;
        }
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() || is_invisible(c) => {
                out.extend(c.escape_default());
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Characters that print as nothing: shown as escapes.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{build, load_sources, Selection};

    fn set() -> &'static RuleSet {
        static SET: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
        SET.get_or_init(|| build(&load_sources(&[], true).unwrap(), &Selection::default()).unwrap())
    }

    fn at(found: &[Finding]) -> Vec<(String, u64, u64)> {
        found
            .iter()
            .map(|f| (f.rule.clone(), f.line, f.column))
            .collect()
    }

    #[test]
    fn each_edit_at_its_line_and_column() {
        let text = "第一行\n深入学习D的二十大精神，庭院%2B\n每日上##paidbegin##门入户\r\n";
        let found = locate(set(), text);
        let expected = [
            ("censor.dang", 2, 5),
            ("escape.percent", 2, 15),
            ("paywall.cms-marker", 3, 4),
            // counted on the line as the newline rule sees it, the marker gone
            ("whitespace.newlines", 3, 7),
        ];
        assert_eq!(
            at(&found),
            expected.map(|(r, l, c)| (r.to_owned(), l, c)).to_vec()
        );
        let dang = found.iter().find(|f| f.rule == "censor.dang").unwrap();
        assert_eq!(dang.message, "replaces \"D\" with \"党\"");
        assert_eq!(dang.kind, Kind::Fix);
    }

    #[test]
    fn lines_after_a_removed_line_keep_their_numbers() {
        // the notice on line 2 goes; the censored token stays on line 4
        let text = "标题\n（以下为付费内容）\n正文\n深入学习D的二十大精神\n";
        let found = locate(set(), text);
        let notice = found.iter().find(|f| f.rule == "paywall.notice").unwrap();
        assert_eq!((notice.line, notice.column), (2, 1));
        assert!(notice.message.starts_with("removes the line"), "{notice:?}");
        let dang = found.iter().find(|f| f.rule == "censor.dang").unwrap();
        assert_eq!((dang.line, dang.column), (4, 5));
    }

    #[test]
    fn report_rules_are_located_and_marked() {
        let found = locate(set(), "第一行\n这是锟斤拷的总结\n");
        assert_eq!(at(&found), [("encoding.irreparable".to_owned(), 2, 3)]);
        assert_eq!(found[0].kind, Kind::Report);
    }

    #[test]
    fn clean_text_has_no_findings() {
        assert!(locate(set(), "干净的正文。\n第二行。\n").is_empty());
    }

    #[test]
    fn quotes_show_what_prints_as_nothing() {
        assert_eq!(quote("a\u{200B}b\r"), "\"a\\u{200b}b\\r\"");
        assert_eq!(quote(&"长".repeat(50)).chars().count(), QUOTE_CHARS + 3);
    }
}
