//! The examples a report keeps of each rule: a few, spread over documents
//! (the first edit of each of the first documents, in input order, before a
//! second edit of any), each with its line; and when an edit's before and
//! after would look the same on screen (a zero-width character, a no-break
//! space, a trailing space), both written with escapes as well.

use super::Example;
use crate::findings::locate::is_invisible;
use crate::rules::hits::{Snippet, MAX_EXAMPLES};

/// The examples of one rule while a run goes on, merged in input order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Examples {
    /// The first edit of each document that had one, up to [`MAX_EXAMPLES`] documents.
    first: Vec<Example>,
    /// Later edits of those documents: (index in `first`, rank in its document, example).
    more: Vec<(usize, usize, Example)>,
}

impl Examples {
    /// Documents that supplied an example: at [`MAX_EXAMPLES`] the rule has
    /// all the examples it keeps, and later documents need make none.
    pub fn len(&self) -> usize {
        self.first.len()
    }

    pub fn is_empty(&self) -> bool {
        self.first.is_empty()
    }

    /// One document's edits, in the order they were made.
    pub fn add_document(&mut self, path: &mut dyn FnMut() -> String, snippets: &[Snippet]) {
        if self.first.len() >= MAX_EXAMPLES || snippets.is_empty() {
            return;
        }
        let path = path();
        let doc = self.first.len();
        for (rank, s) in snippets.iter().enumerate().take(MAX_EXAMPLES) {
            // escapes are worked out in `finish`, for the few examples kept
            let e = plain(&path, s.line, &s.before, &s.after);
            if rank == 0 {
                self.first.push(e);
            } else {
                self.more.push((doc, rank, e));
            }
        }
    }

    /// Append `other`, which covers documents after this one's.
    pub fn append(&mut self, other: Examples) {
        let offset = self.first.len();
        let room = MAX_EXAMPLES.saturating_sub(offset);
        self.first.extend(other.first.into_iter().take(room));
        self.more.extend(
            other
                .more
                .into_iter()
                .filter(|(doc, _, _)| *doc < room)
                .map(|(doc, rank, e)| (doc + offset, rank, e)),
        );
    }

    /// The examples kept: one per document first, then second edits, and
    /// so on, up to [`MAX_EXAMPLES`]; listed by document, then by edit.
    pub fn finish(self) -> Vec<Example> {
        let mut chosen: Vec<(usize, usize, Example)> = self
            .first
            .into_iter()
            .enumerate()
            .map(|(doc, e)| (doc, 0, e))
            .collect();
        let mut more = self.more;
        more.sort_by_key(|(doc, rank, _)| (*rank, *doc));
        let room = MAX_EXAMPLES.saturating_sub(chosen.len());
        chosen.extend(more.into_iter().take(room));
        chosen.sort_by_key(|(doc, rank, _)| (*doc, *rank));
        chosen
            .into_iter()
            .map(|(_, _, e)| with_escapes(e))
            .collect()
    }

    /// Choose again among examples already chosen (reports merged):
    /// documents in a stable order (path, then the line of a shard), each
    /// document's examples in the order given.
    pub fn choose(mut examples: Vec<Example>) -> Vec<Example> {
        examples.sort_by(|a, b| document_key(&a.path).cmp(&document_key(&b.path)));
        let mut out = Examples::default();
        let mut start = 0;
        while start < examples.len() {
            let path = &examples[start].path;
            let len = examples[start..]
                .iter()
                .take_while(|e| &e.path == path)
                .count();
            let doc = out.first.len();
            if doc >= MAX_EXAMPLES {
                break;
            }
            for (rank, e) in examples[start..start + len].iter().enumerate() {
                if rank == 0 {
                    out.first.push(e.clone());
                } else {
                    out.more.push((doc, rank, e.clone()));
                }
            }
            start += len;
        }
        out.finish()
    }
}

/// `file:N` (line N of a JSONL shard) sorts by file, then by N as a number.
fn document_key(path: &str) -> (&str, u64) {
    match path.rsplit_once(':') {
        Some((file, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
            (file, n.parse().unwrap_or(u64::MAX))
        }
        _ => (path, 0),
    }
}

/// An example, with escaped forms when before and after look the same.
#[cfg(test)]
pub fn example(path: &str, line: usize, before: &str, after: &str) -> Example {
    with_escapes(plain(path, line, before, after))
}

fn plain(path: &str, line: usize, before: &str, after: &str) -> Example {
    Example {
        path: path.to_owned(),
        line,
        before: before.to_owned(),
        after: after.to_owned(),
        before_escaped: None,
        after_escaped: None,
    }
}

/// `e` with escaped forms when its before and after look the same.
fn with_escapes(mut e: Example) -> Example {
    let alike = e.before != e.after && looks(&e.before) == looks(&e.after);
    e.before_escaped = alike.then(|| escaped(&e.before));
    e.after_escaped = alike.then(|| escaped(&e.after));
    e
}

/// What a reader sees: characters that print as nothing dropped, every run
/// of spaces of any kind one space, trailing spaces gone.
fn looks(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_whitespace() {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else if !(c.is_control() || is_invisible(c) || is_format(c)) {
            out.push(c);
        }
    }
    out.trim_end().to_owned()
}

/// Format characters beyond those the findings escape: bidirectional
/// controls and the Mongolian vowel separator.
fn is_format(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{180E}' | '\u{034F}')
}

/// `s` with what does not show written as escapes: `\u{200b}` for
/// characters that print as nothing and for spaces other than U+0020,
/// `\u{20}` for a space at the end or next to another, `\\` for a backslash.
pub fn escaped(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let trailing = chars.iter().rev().take_while(|c| **c == ' ').count();
    let mut out = String::with_capacity(s.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let spaced = |j: Option<usize>| j.and_then(|j| chars.get(j)) == Some(&' ');
        match c {
            '\\' => out.push_str("\\\\"),
            ' ' if i >= chars.len() - trailing
                || spaced(i.checked_sub(1))
                || spaced(i.checked_add(1)) =>
            {
                out.push_str("\\u{20}")
            }
            ' ' => out.push(' '),
            c if c.is_whitespace() || c.is_control() || is_invisible(c) || is_format(c) => {
                out.extend(c.escape_unicode())
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snip(line: usize, before: &str) -> Snippet {
        Snippet {
            line,
            before: before.into(),
            after: String::new(),
        }
    }

    fn paths(v: &[Example]) -> Vec<(String, usize)> {
        v.iter().map(|e| (e.path.clone(), e.line)).collect()
    }

    #[test]
    fn one_example_per_document_before_a_second_of_any() {
        let mut ex = Examples::default();
        ex.add_document(
            &mut || "a".into(),
            &[snip(1, "x"), snip(2, "y"), snip(3, "z")],
        );
        let mut rest = Examples::default();
        rest.add_document(&mut || "b".into(), &[snip(7, "x"), snip(8, "y")]);
        ex.append(rest);
        // two documents: both firsts, then the first document's second edit
        assert_eq!(
            paths(&ex.clone().finish()),
            [("a".into(), 1), ("a".into(), 2), ("b".into(), 7)]
        );
        let mut third = Examples::default();
        third.add_document(&mut || "c".into(), &[snip(4, "x")]);
        ex.append(third);
        assert_eq!(ex.len(), MAX_EXAMPLES);
        assert_eq!(
            paths(&ex.finish()),
            [("a".into(), 1), ("b".into(), 7), ("c".into(), 4)]
        );
    }

    #[test]
    fn merged_reports_choose_by_document_order() {
        let e = |p: &str, line| example(p, line, "x", "");
        let chosen = Examples::choose(vec![
            e("s.jsonl:10", 1),
            e("s.jsonl:10", 2),
            e("s.jsonl:9", 5),
            e("s.jsonl:9", 6),
        ]);
        assert_eq!(
            paths(&chosen),
            [
                ("s.jsonl:9".into(), 5),
                ("s.jsonl:9".into(), 6),
                ("s.jsonl:10".into(), 1)
            ]
        );
    }

    #[test]
    fn alike_before_and_after_are_escaped() {
        let e = example("f", 1, "会员\u{200B}服务", "会员服务");
        assert_eq!(e.before_escaped.as_deref(), Some("会员\\u{200b}服务"));
        assert_eq!(e.after_escaped.as_deref(), Some("会员服务"));
        let e = example("f", 1, "价格\u{a0}10元  ", "价格 10元");
        assert_eq!(
            e.before_escaped.as_deref(),
            Some("价格\\u{a0}10元\\u{20}\\u{20}")
        );
        // a change one can see is left as it is
        let e = example("f", 1, "D的", "党的");
        assert_eq!(e.before_escaped, None);
        // so is a report rule's match (before and after the same)
        assert_eq!(
            example("f", 1, "x\u{200B}", "x\u{200B}").before_escaped,
            None
        );
    }
}
