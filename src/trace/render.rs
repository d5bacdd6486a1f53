//! Trace records as a reader sees them (`docclean explain`): where, which
//! rule and why, and the line with only its changed characters marked —
//! `[-removed-]{+inserted+}`, or coloured — invisible characters as escapes,
//! long unchanged stretches cut.

use super::{RecordKind, TraceRecord};
use crate::findings::locate::{is_invisible, line_changes};
use std::fmt::Write;

/// Unchanged characters kept on each side of a change.
const CONTEXT: usize = 30;

/// How changed characters are marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marks {
    /// `[-removed-]{+inserted+}`, for pipes and files.
    Plain,
    /// Removed struck through in red, inserted in green (ANSI).
    Color,
}

impl Marks {
    fn removed(self, s: &str) -> String {
        match self {
            Marks::Plain => format!("[-{s}-]"),
            Marks::Color => format!("\x1b[9;31m{s}\x1b[0m"),
        }
    }

    fn inserted(self, s: &str) -> String {
        match self {
            Marks::Plain => format!("{{+{s}+}}"),
            Marks::Color => format!("\x1b[1;32m{s}\x1b[0m"),
        }
    }

    fn dim(self, s: &str) -> String {
        match self {
            Marks::Plain => s.to_owned(),
            Marks::Color => format!("\x1b[2m{s}\x1b[0m"),
        }
    }
}

/// Text shown as it reads, what prints as nothing escaped (`\u{200b}`).
pub fn visible(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_invisible(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    out
}

/// Unchanged text between changes: cut to [`CONTEXT`] characters next to
/// each change it touches.
fn context(s: &str, first: bool, last: bool) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    let take = |r: std::ops::Range<usize>| visible(&chars[r].iter().collect::<String>());
    match (first, last) {
        (true, true) => visible(s),
        (true, false) if n > CONTEXT => format!("…{}", take(n - CONTEXT..n)),
        (false, true) if n > CONTEXT => format!("{}…", take(0..CONTEXT)),
        (false, false) if n > 2 * CONTEXT => {
            format!("{}…{}", take(0..CONTEXT), take(n - CONTEXT..n))
        }
        _ => visible(s),
    }
}

/// One line of an edit with its changed characters marked.
pub fn marked_line(before: &str, after: &str, marks: Marks) -> String {
    // a line's own newline is not part of what changed, unless it is
    let (b, a) = match (before.strip_suffix('\n'), after.strip_suffix('\n')) {
        (Some(b), Some(a)) => (b, a),
        (Some(b), None) if after.is_empty() => (b, after),
        (None, Some(a)) if before.is_empty() => (before, a),
        _ => (before, after),
    };
    if b.is_empty() || a.is_empty() {
        return match (b.is_empty(), a.is_empty()) {
            (false, _) => marks.removed(&visible(b)),
            (_, false) => marks.inserted(&visible(a)),
            _ => String::new(),
        };
    }
    let chars: Vec<char> = b.chars().collect();
    let changes = line_changes(b, a);
    let mut out = String::new();
    let mut pos = 0usize;
    for (k, (column, gone, came)) in changes.iter().enumerate() {
        let start = *column as usize - 1;
        let equal: String = chars[pos..start].iter().collect();
        out.push_str(&marks.dim(&context(&equal, k == 0, false)));
        if !gone.is_empty() {
            out.push_str(&marks.removed(&visible(gone)));
        }
        if !came.is_empty() {
            out.push_str(&marks.inserted(&visible(came)));
        }
        pos = start + gone.chars().count();
    }
    let rest: String = chars[pos..].iter().collect();
    out.push_str(&marks.dim(&context(&rest, changes.is_empty(), true)));
    out
}

/// Why, in words: the record's reason or its evidence.
pub fn why(r: &TraceRecord) -> String {
    if let Some(reason) = &r.reason {
        return reason.clone();
    }
    let e = &r.evidence;
    let mut parts = Vec::new();
    if let (Some(score), Some(threshold)) = (e.score, e.threshold) {
        let mut s = format!("advert score {score} (a line needs {threshold})");
        if !e.features.is_empty() {
            let _ = write!(s, ": {}", e.features.join(", "));
        }
        parts.push(s);
    }
    if !e.codecs.is_empty() {
        let mut s = format!(
            "text mis-decoded as {}, decoded again",
            e.codecs.join(" then ")
        );
        if let Some(gain) = e.gain {
            let _ = write!(s, " (plausibility {gain:+})");
        }
        parts.push(s);
    }
    if e.judged == Some(true) {
        let mut s = "the document was judged censored".to_owned();
        if !e.phrases.is_empty() {
            let _ = write!(s, " by {}", e.phrases.join(", "));
        }
        parts.push(s);
    }
    if let Some(m) = &e.matched {
        let mut s = match &e.family {
            Some(f) => format!("{f} line: matched {m:?}"),
            None => format!("matched {m:?}"),
        };
        if let Some(zone) = &e.zone {
            let _ = write!(s, " (zone {zone})");
        }
        parts.push(s);
    }
    parts.join("; ")
}

/// Where a record stands: `path:line`, or `path:jsonl-line (text line N)`.
pub fn location(r: &TraceRecord) -> String {
    match r.jsonl_line {
        Some(j) => format!("{}:{j} (text line {})", r.path, r.line),
        None => format!("{}:{}", r.path, r.line),
    }
}

/// One record, as `explain` prints it: a heading line, the marked line, and
/// the reason where there is one.
pub fn render(r: &TraceRecord, marks: Marks) -> String {
    let what = match r.kind {
        RecordKind::Edit => "",
        RecordKind::Kept => " (kept)",
        RecordKind::Decode => " (decoding)",
    };
    let mut out = format!("{}  {}{what}\n", location(r), r.rule);
    if r.kind == RecordKind::Edit {
        let _ = writeln!(out, "    {}", marked_line(&r.before, &r.after, marks));
    } else if !r.before.is_empty() {
        let _ = writeln!(
            out,
            "    {}",
            context(r.before.trim_end_matches('\n'), false, true)
        );
    }
    let why = why(r);
    if !why.is_empty() {
        let _ = writeln!(out, "    why: {why}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_changed_characters_are_marked() {
        assert_eq!(
            marked_line("深入学习D的精神\n", "深入学习党的精神\n", Marks::Plain),
            "深入学习[-D-]{+党+}的精神"
        );
        assert_eq!(
            marked_line("尾巴  \n", "尾巴\n", Marks::Plain),
            "尾巴[-  -]"
        );
        assert_eq!(marked_line("广告\n", "", Marks::Plain), "[-广告-]");
    }

    #[test]
    fn invisible_characters_are_escapes() {
        assert_eq!(
            marked_line("a\u{200B}b\n", "ab\n", Marks::Plain),
            "a[-\\u{200b}-]b"
        );
    }

    #[test]
    fn long_unchanged_stretches_are_cut() {
        let long = "长".repeat(100);
        let shown = marked_line(
            &format!("{long}D{long}"),
            &format!("{long}党{long}"),
            Marks::Plain,
        );
        assert_eq!(
            shown.chars().count(),
            1 + CONTEXT + "[-D-]{+党+}".chars().count() + CONTEXT + 1
        );
        assert!(shown.starts_with('…') && shown.ends_with('…'));
    }

    #[test]
    fn colour_marks_use_escapes() {
        let s = marked_line("aDb", "a党b", Marks::Color);
        assert!(s.contains("\x1b[9;31mD\x1b[0m") && s.contains("\x1b[1;32m党\x1b[0m"));
    }
}
