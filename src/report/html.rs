//! The report as one self-contained HTML page (`--report-html`, `docclean
//! report html`): totals, a bar per stage and per rule, the encodings, each
//! rule's examples with the changed characters marked, and the skipped,
//! emptied, warnings and errors. No script, no font, no image and no address
//! outside the page: it reads the same offline. Every string that came from
//! the input or the rules is escaped. The markup is well-formed XML as well
//! as HTML, so that a test can parse it strictly.

use super::{Example, Report, RuleReport};
use crate::findings::locate::line_changes;
use crate::trace::render::visible;
use std::fmt::Write;

/// Entries of one list the page shows; the JSON report holds the rest.
const SHOWN: usize = 1000;

const STYLE: &str = "
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1100px; color: #1d2330; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; }
h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #d8dde6; padding-bottom: 4px; }
h3 { font-size: 14px; margin: 16px 0 6px; }
.meta { color: #5b6475; margin-top: 0; }
.totals { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0; }
.total { border: 1px solid #d8dde6; border-radius: 6px; padding: 8px 14px; min-width: 90px; }
.total b { display: block; font-size: 20px; }
.total.bad b { color: #b3261e; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #eef0f4; vertical-align: top; }
th { font-weight: 600; color: #5b6475; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.bar { background: #eef0f4; width: 260px; height: 12px; border-radius: 3px; }
.bar div { background: #3b6fd8; height: 12px; border-radius: 3px; min-width: 1px; }
.bar.report div { background: #c9871c; }
code, .snippet { font-family: ui-monospace, monospace; font-size: 13px; }
.snippet { white-space: pre-wrap; word-break: break-all; }
del { background: #fbd3d0; color: #8c1d18; text-decoration: line-through; }
ins { background: #cdeccf; color: #14532d; text-decoration: none; }
.where { color: #5b6475; padding-top: 8px; }
td.sign { color: #5b6475; width: 48px; font-size: 12px; }
table.examples td { border-bottom: none; }
.note { color: #5b6475; font-size: 13px; }
ul.plain { padding-left: 18px; }
";

/// The page for `r`.
pub fn render(r: &Report) -> String {
    let mut out = String::with_capacity(16 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n");
    out.push_str("<title>docclean report</title>\n<style>");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n");
    summary(&mut out, r);
    stages(&mut out, r);
    rules(&mut out, r);
    encodings(&mut out, r);
    examples(&mut out, r);
    problems(&mut out, r);
    out.push_str("</body>\n</html>\n");
    out
}

/// Text escaped for an element's content or a double-quoted attribute;
/// control characters (which no page may hold) written as `\u{1}`.
fn esc(s: &str) -> String {
    let s = html_escape::encode_double_quoted_attribute(s);
    if !s
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return s.into_owned();
    }
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c.to_string(),
            c if c.is_control() => c.escape_unicode().to_string(),
            c => c.to_string(),
        })
        .collect()
}

fn listed(r: &Report, list: &str, shown: usize) -> u64 {
    shown as u64 + r.omitted.get(list).copied().unwrap_or(0)
}

fn summary(out: &mut String, r: &Report) {
    let _ = write!(
        out,
        "<h1>docclean report</h1>\n<p class=\"meta\">docclean {} · rules {}</p>\n",
        esc(&r.version),
        esc(r.rules_hash.get(..12).unwrap_or(&r.rules_hash))
    );
    let totals = [
        ("files", r.files, false),
        ("documents", r.documents, false),
        ("changed", r.changed_documents, false),
        ("emptied", r.emptied_documents, false),
        ("skipped", listed(r, "skipped", r.skipped.len()), false),
        ("warnings", listed(r, "warnings", r.warnings.len()), false),
        ("errors", listed(r, "errors", r.errors.len()), true),
    ];
    out.push_str("<section id=\"summary\">\n<div class=\"totals\">\n");
    for (name, n, alarm) in totals {
        let class = if alarm && n > 0 { "total bad" } else { "total" };
        let _ = writeln!(
            out,
            "<div class=\"{class}\" id=\"total-{name}\"><b>{n}</b>{name}</div>"
        );
    }
    out.push_str("</div>\n");
    let t = &r.timings;
    let _ = writeln!(
        out,
        "<p class=\"meta\" id=\"timings\">{:.2} s, {:.1} MB read, {:.1} MB/s, {} thread(s)</p>",
        t.wall_seconds,
        t.input_bytes as f64 / 1e6,
        t.mb_per_second,
        t.threads
    );
    out.push_str("</section>\n");
}

/// A bar `n` of `max` long, with its number.
fn bar(n: u64, max: u64, report: bool) -> String {
    let pct = if max == 0 {
        0.0
    } else {
        n as f64 * 100.0 / max as f64
    };
    let class = if report { "bar report" } else { "bar" };
    format!("<div class=\"{class}\"><div style=\"width: {pct:.1}%\"></div></div>")
}

fn stages(out: &mut String, r: &Report) {
    // rules come in stage order: each stage's totals in that order
    let mut stages: Vec<(&str, u64, u64)> = Vec::new();
    for rule in r.rules.iter().filter(|x| x.action != "report") {
        let active = u64::from(rule.changes > 0);
        match stages.last_mut() {
            Some((s, changes, rules)) if *s == rule.stage => {
                *changes += rule.changes;
                *rules += active;
            }
            _ => stages.push((&rule.stage, rule.changes, active)),
        }
    }
    let max = stages.iter().map(|s| s.1).max().unwrap_or(0);
    out.push_str("<section id=\"stages\">\n<h2>Changes by stage</h2>\n<table>\n");
    out.push_str("<tr><th>stage</th><th></th><th class=\"n\">changes</th><th class=\"n\">rules that changed something</th></tr>\n");
    for (stage, changes, rules) in &stages {
        let _ = writeln!(
            out,
            "<tr id=\"stage-{id}\"><td>{id}</td><td>{}</td><td class=\"n\">{changes}</td><td class=\"n\">{rules}</td></tr>",
            bar(*changes, max, false),
            id = esc(stage),
        );
    }
    out.push_str("</table>\n</section>\n");
}

fn rules(out: &mut String, r: &Report) {
    let active: Vec<&RuleReport> = r.rules.iter().filter(|x| x.changes > 0).collect();
    let max = active.iter().map(|x| x.changes).max().unwrap_or(0);
    out.push_str("<section id=\"rules\">\n<h2>Rules</h2>\n");
    if active.is_empty() {
        out.push_str("<p>No rule changed or found anything.</p>\n</section>\n");
        return;
    }
    out.push_str("<table>\n<tr><th>rule</th><th>stage</th><th></th><th class=\"n\">documents</th><th class=\"n\">changes</th><th class=\"n\">chars −</th><th class=\"n\">chars +</th></tr>\n");
    for x in &active {
        let report = x.action == "report";
        let note = if report {
            " (reported, not changed)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "<tr id=\"rule-{id}\"><td><code title=\"{desc}\">{id}</code>{note}</td><td>{stage}</td><td>{bar}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            x.documents,
            x.changes,
            x.chars_removed,
            x.chars_added,
            id = esc(&x.id),
            desc = esc(&x.description),
            stage = esc(&x.stage),
            bar = bar(x.changes, max, report),
        );
    }
    let quiet = r.rules.len() - active.len();
    let _ = writeln!(
        out,
        "</table>\n<p class=\"note\">{quiet} other rule(s) changed nothing.</p>\n</section>"
    );
}

fn encodings(out: &mut String, r: &Report) {
    out.push_str("<section id=\"encodings\">\n<h2>Encodings</h2>\n<table>\n<tr><th>encoding</th><th class=\"n\">files</th></tr>\n");
    for (name, n) in &r.encodings {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"n\">{n}</td></tr>",
            esc(name)
        );
    }
    out.push_str("</table>\n");
    if !r.file_encodings.is_empty() {
        out.push_str("<h3>Files not in UTF-8</h3>\n<table id=\"file-encodings\">\n<tr><th>file</th><th>encoding</th><th>evidence</th><th class=\"n\">plausibility</th><th>runner-up</th></tr>\n");
        for f in r.file_encodings.iter().take(SHOWN) {
            let runner = match (&f.runner_up, f.runner_up_plausibility) {
                (Some(n), Some(p)) => format!("{} ({p:.3})", esc(n)),
                (Some(n), None) => esc(n),
                _ => String::new(),
            };
            let close = if f.close { " — close call" } else { "" };
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}{close}</td><td class=\"n\">{}</td><td>{runner}</td></tr>",
                esc(&f.path),
                esc(&f.encoding),
                esc(&f.evidence),
                f.plausibility.map(|p| format!("{p:.3}")).unwrap_or_default(),
            );
        }
        out.push_str("</table>\n");
        more(out, r, "file_encodings", r.file_encodings.len());
    }
    if !r.decode_losses.is_empty() {
        out.push_str(
            "<h3>Bytes lost in decoding</h3>\n<ul class=\"plain\" id=\"decode-losses\">\n",
        );
        for d in r.decode_losses.iter().take(SHOWN) {
            let _ = writeln!(
                out,
                "<li><code>{}</code>: {} byte(s) not {}</li>",
                esc(&d.path),
                d.bad_bytes,
                esc(&d.encoding)
            );
        }
        out.push_str("</ul>\n");
        more(out, r, "decode_losses", r.decode_losses.len());
    }
    out.push_str("</section>\n");
}

/// "… and N more" under a list cut to [`SHOWN`] or cut in the report.
fn more(out: &mut String, r: &Report, list: &str, len: usize) {
    let rest = listed(r, list, len).saturating_sub(len.min(SHOWN) as u64);
    if rest > 0 {
        let _ = writeln!(
            out,
            "<p class=\"note\">… and {rest} more (the JSON report lists up to 10,000).</p>"
        );
    }
}

fn examples(out: &mut String, r: &Report) {
    out.push_str("<section id=\"examples\">\n<h2>Examples</h2>\n");
    let with: Vec<&RuleReport> = r.rules.iter().filter(|x| !x.examples.is_empty()).collect();
    if with.is_empty() {
        out.push_str("<p>No examples: nothing changed.</p>\n");
    }
    for x in with {
        let _ = writeln!(
            out,
            "<h3><code>{}</code> <span class=\"note\">{}</span></h3>\n<table class=\"examples\">",
            esc(&x.id),
            esc(&x.description)
        );
        for e in &x.examples {
            let (before, after) = marked(e);
            let escaped = if e.before_escaped.is_some() {
                " <span class=\"note\">(invisible characters written as escapes)</span>"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "<tr><td class=\"where\" colspan=\"2\"><code>{}</code> line {}{escaped}</td></tr>",
                esc(&e.path),
                e.line,
            );
            if x.action == "report" {
                let _ = writeln!(
                    out,
                    "<tr><td class=\"sign\">found</td><td class=\"snippet\">{before}</td></tr>"
                );
            } else {
                let _ = writeln!(
                    out,
                    "<tr><td class=\"sign\">before</td><td class=\"snippet before\">{before}</td></tr>\n<tr><td class=\"sign\">after</td><td class=\"snippet after\">{after}</td></tr>"
                );
            }
        }
        out.push_str("</table>\n");
    }
    out.push_str("</section>\n");
}

/// An example's before with what went marked `<del>`, and its after with
/// what came marked `<ins>` (the escaped forms, when they look alike).
fn marked(e: &Example) -> (String, String) {
    let before = e.before_escaped.as_deref().unwrap_or(&e.before);
    let after = e.after_escaped.as_deref().unwrap_or(&e.after);
    if before == after {
        // a report rule's match: shown once, as found
        return (esc(&visible(before)), String::new());
    }
    let b: Vec<char> = before.chars().collect();
    let a: Vec<char> = after.chars().collect();
    let (mut bo, mut ao) = (String::new(), String::new());
    let (mut bi, mut ai) = (0usize, 0usize);
    let plain = |s: &[char]| esc(&visible(&s.iter().collect::<String>()));
    for (column, gone, came) in line_changes(before, after) {
        let start = column as usize - 1;
        // unchanged since the last change: the same length on both sides
        let same = start - bi;
        bo.push_str(&plain(&b[bi..start]));
        ao.push_str(&plain(&a[ai..ai + same]));
        ai += same;
        if !gone.is_empty() {
            let _ = write!(bo, "<del>{}</del>", esc(&visible(&gone)));
        }
        if !came.is_empty() {
            let _ = write!(ao, "<ins>{}</ins>", esc(&visible(&came)));
        }
        bi = start + gone.chars().count();
        ai += came.chars().count();
    }
    bo.push_str(&plain(&b[bi.min(b.len())..]));
    ao.push_str(&plain(&a[ai.min(a.len())..]));
    (bo, ao)
}

fn problems(out: &mut String, r: &Report) {
    section(out, r, "skipped", "Skipped", &r.skipped, |s| {
        format!("<code>{}</code>: {}", esc(&s.path), esc(&s.reason))
    });
    section(out, r, "emptied", "Emptied by cleaning", &r.emptied, |p| {
        format!("<code>{}</code>", esc(p))
    });
    section(out, r, "warnings", "Warnings", &r.warnings, |w| {
        let at = w.line.map(|l| format!(":{l}")).unwrap_or_default();
        format!("<code>{}{at}</code>: {}", esc(&w.path), esc(&w.message))
    });
    section(out, r, "errors", "Errors", &r.errors, |e| {
        format!("<code>{}</code>: {}", esc(&e.path), esc(&e.message))
    });
    section(out, r, "damage", "Found by report rules", &r.damage, |d| {
        let lines: Vec<String> = d.lines.iter().map(|l| l.to_string()).collect();
        format!(
            "<code>{}</code>: <code>{}</code> × {} (line {})",
            esc(&d.path),
            esc(&d.rule),
            d.count,
            lines.join(", ")
        )
    });
}

/// One list section: its entries, or a line saying there are none.
fn section<T>(
    out: &mut String,
    r: &Report,
    id: &str,
    title: &str,
    items: &[T],
    item: impl Fn(&T) -> String,
) {
    let n = listed(r, id, items.len());
    let _ = writeln!(out, "<section id=\"{id}\">\n<h2>{title} ({n})</h2>");
    if items.is_empty() {
        out.push_str("<p class=\"note\">None.</p>\n</section>\n");
        return;
    }
    out.push_str("<ul class=\"plain\">\n");
    for x in items.iter().take(SHOWN) {
        let _ = writeln!(out, "<li>{}</li>", item(x));
    }
    out.push_str("</ul>\n");
    more(out, r, id, items.len());
    out.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::examples::example;

    #[test]
    fn changed_characters_are_marked_on_both_sides() {
        let e = example("f", 3, "学习D的精神", "学习党的精神");
        let (b, a) = marked(&e);
        assert_eq!(b, "学习<del>D</del>的精神");
        assert_eq!(a, "学习<ins>党</ins>的精神");
        let e = example("f", 1, "a&amp;b <x>", "a&b <x>");
        let (b, a) = marked(&e);
        assert_eq!(b, "a&amp;<del>amp;</del>b &lt;x&gt;");
        assert_eq!(a, "a&amp;b &lt;x&gt;");
    }

    #[test]
    fn an_invisible_change_shows_as_escapes() {
        let e = example("f", 1, "会员\u{200B}服务", "会员服务");
        let (b, a) = marked(&e);
        assert_eq!(b, "会员<del>\\u{200b}</del>服务");
        assert_eq!(a, "会员服务");
    }
}
