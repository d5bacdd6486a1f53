//! `check --diff`: a unified diff of one document in which a line changed
//! within itself is shown once, prefixed `~`, with only its changed
//! characters marked (`[-removed-]{+inserted+}`, as `git diff
//! --word-diff=plain` does), what prints as nothing escaped and long
//! unchanged stretches cut; removed and inserted lines keep `-` and `+`.

use crate::trace::render::{marked_line, visible, Marks};
use similar::{DiffOp, TextDiff};
use std::fmt::Write;

/// How `check --diff` prints a changed document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum DiffStyle {
    /// A line changed within itself shown once, its changes marked.
    #[default]
    Marked,
    /// A plain unified diff, as `diff -u` writes it: `patch` and `git apply` read it.
    Unified,
}

/// The diff of one document in the style asked for.
pub fn render(style: DiffStyle, path: &str, old: &str, new: &str) -> String {
    match style {
        DiffStyle::Marked => line_diff(path, old, new),
        DiffStyle::Unified => TextDiff::from_lines(old, new)
            .unified_diff()
            .context_radius(RADIUS)
            .header(path, &format!("{path} (cleaned)"))
            .to_string(),
    }
}

/// Lines of context around each change.
const RADIUS: usize = 1;

pub fn line_diff(path: &str, old: &str, new: &str) -> String {
    let diff = TextDiff::from_lines(old, new);
    let (a, b) = (diff.old_slices(), diff.new_slices());
    let mut out = format!("--- {path}\n+++ {path} (cleaned)\n");
    for group in diff.grouped_ops(RADIUS) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let (o, n) = (first.old_range().start, first.new_range().start);
        let (ol, nl) = (last.old_range().end - o, last.new_range().end - n);
        let _ = writeln!(out, "@@ -{} +{} @@", range(o, ol), range(n, nl));
        for op in &group {
            let (old_lines, new_lines) = (&a[op.old_range()], &b[op.new_range()]);
            match op {
                DiffOp::Equal { .. } => side(&mut out, ' ', old_lines),
                DiffOp::Replace { .. } if old_lines.len() == new_lines.len() => {
                    for (x, y) in old_lines.iter().zip(new_lines) {
                        let _ = writeln!(out, "~{}", marked_line(x, y, Marks::Plain));
                    }
                }
                _ => {
                    side(&mut out, '-', old_lines);
                    side(&mut out, '+', new_lines);
                }
            }
        }
    }
    out
}

/// A hunk's range as unified diffs write it (1-based start, then length).
fn range(start: usize, len: usize) -> String {
    match len {
        0 => format!("{start},0"),
        1 => format!("{}", start + 1),
        _ => format!("{},{len}", start + 1),
    }
}

/// Lines of one side, each with its prefix; what prints as nothing is escaped
/// on removed and inserted lines.
fn side(out: &mut String, prefix: char, lines: &[&str]) {
    for l in lines {
        let body = l.strip_suffix('\n').unwrap_or(l);
        let body = if prefix == ' ' {
            body.to_owned()
        } else {
            visible(body)
        };
        let _ = writeln!(out, "{prefix}{body}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_one_character_change_in_a_long_line_is_shown_once_and_cut() {
        let long = "很长的段落文字".repeat(20);
        let old = format!("标题\n{long}D的领导{long}\n尾\n");
        let new = format!("标题\n{long}党的领导{long}\n尾\n");
        let d = line_diff("a.txt", &old, &new);
        let changed: Vec<&str> = d.lines().filter(|l| l.starts_with('~')).collect();
        assert_eq!(changed.len(), 1, "{d}");
        assert!(changed[0].contains("[-D-]{+党+}的领导"), "{d}");
        assert!(changed[0].chars().count() < 100, "{d}");
        assert!(!d
            .lines()
            .any(|l| l.starts_with('-') && !l.starts_with("---")));
        assert!(d.contains("@@ -1,3 +1,3 @@"), "{d}");
    }

    #[test]
    fn invisible_and_trailing_space_edits_are_visible() {
        let d = line_diff("a.txt", "零\u{200B}宽\n尾巴  \n", "零宽\n尾巴\n");
        assert!(d.contains("~零[-\\u{200b}-]宽\n"), "{d}");
        assert!(d.contains("~尾巴[-  -]\n"), "{d}");
    }

    #[test]
    fn the_unified_style_is_a_plain_patch() {
        let d = render(
            DiffStyle::Unified,
            "a.txt",
            "x\nD的二十大\n",
            "x\n党的二十大\n",
        );
        assert!(d.contains("\n-D的二十大\n+党的二十大\n"), "{d}");
        assert!(!d.contains('~'), "{d}");
    }

    #[test]
    fn removed_lines_keep_their_prefix() {
        let d = line_diff("a.txt", "正文\n扫码关注公众号\n正文二\n", "正文\n正文二\n");
        assert!(d.contains("\n-扫码关注公众号\n"), "{d}");
        assert!(d.contains("@@ -1,3 +1,2 @@"), "{d}");
    }
}
