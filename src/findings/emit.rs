//! Output formats of `check`, behind one [`Emitter`]: `text` (`path:line:col:
//! rule message`, the way compilers and ruff print), `json` (an array of
//! findings), `github` (workflow annotations) and `sarif` (2.1.0, for
//! code-scanning uploads); `--statistics` counts findings per rule instead.
//! Entries arrive in input order and are written as they come.

use super::{Finding, Kind, WRITE_KINDS};
use crate::report::CheckEntry;
use crate::rules::{Action, RuleSet};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;
use std::io::{self, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// `path:line:col: rule message`, one a line.
    #[default]
    Text,
    /// One JSON array of findings.
    Json,
    /// GitHub Actions workflow commands (annotations on the changed lines).
    Github,
    /// SARIF 2.1.0, for code-scanning uploads.
    Sarif,
}

/// Which findings make `check` fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// What `clean` would change.
    #[default]
    Fix,
    /// That, and what `report` rules find.
    Report,
}

/// How findings are shown.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    pub format: Format,
    pub fail_on: FailOn,
    /// ANSI colour (text format).
    pub color: bool,
    /// Text format: no finding lines (the summary only).
    pub quiet: bool,
    /// Text format: a unified diff after each document's findings.
    pub diff: bool,
    /// Counts per rule instead of findings.
    pub statistics: bool,
}

/// A rule as the formats describe it.
struct RuleInfo {
    id: String,
    description: String,
    kind: Kind,
}

/// Writes check entries in one format, counting what it wrote.
pub struct Emitter {
    style: Style,
    rules: Vec<RuleInfo>,
    written: u64,
    counts: BTreeMap<String, u64>,
    /// Findings that fail the run, and all findings.
    pub failing: u64,
    pub findings: u64,
    /// Documents with at least one finding.
    pub documents: u64,
}

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";

impl Emitter {
    pub fn new(style: Style, set: &RuleSet) -> Emitter {
        let mut rules: Vec<RuleInfo> = WRITE_KINDS
            .iter()
            .map(|(id, d)| RuleInfo {
                id: (*id).to_owned(),
                description: (*d).to_owned(),
                kind: Kind::Fix,
            })
            .collect();
        rules.extend(set.rules.iter().map(|r| RuleInfo {
            id: r.id.clone(),
            description: r.description.clone(),
            kind: match r.action {
                Action::Fix => Kind::Fix,
                Action::Report => Kind::Report,
            },
        }));
        Emitter {
            style,
            rules,
            written: 0,
            counts: BTreeMap::new(),
            failing: 0,
            findings: 0,
            documents: 0,
        }
    }

    fn fails(&self, f: &Finding) -> bool {
        f.kind == Kind::Fix || self.style.fail_on == FailOn::Report
    }

    fn paint(&self, code: &str, s: &str) -> String {
        if self.style.color {
            format!("{code}{s}{RESET}")
        } else {
            s.to_owned()
        }
    }

    pub fn begin(&mut self, w: &mut dyn Write) -> io::Result<()> {
        if self.style.statistics {
            return Ok(());
        }
        match self.style.format {
            Format::Json => w.write_all(b"["),
            Format::Sarif => {
                let rules: Vec<_> = self
                    .rules
                    .iter()
                    .map(|r| {
                        json!({
                            "id": r.id,
                            "shortDescription": {"text": r.description},
                            "defaultConfiguration": {"level": match r.kind {
                                Kind::Fix => "error",
                                Kind::Report => "warning",
                            }},
                        })
                    })
                    .collect();
                let head = json!({
                    "name": "docclean",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://crates.io/crates/docclean",
                    "rules": rules,
                });
                write!(
                    w,
                    "{{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{{\"tool\":{{\"driver\":{head}}},\"results\":["
                )
            }
            Format::Text | Format::Github => Ok(()),
        }
    }

    pub fn entries(&mut self, w: &mut dyn Write, entries: &[CheckEntry]) -> io::Result<()> {
        for e in entries {
            self.documents += 1;
            for f in &e.findings {
                self.findings += 1;
                self.failing += self.fails(f) as u64;
                if self.style.statistics {
                    *self.counts.entry(f.rule.clone()).or_default() += 1;
                    continue;
                }
                match self.style.format {
                    Format::Text if self.style.quiet => {}
                    Format::Text => self.text(w, e, f)?,
                    Format::Json => self.json(w, e, f)?,
                    Format::Github => self.github(w, e, f)?,
                    Format::Sarif => self.sarif(w, e, f)?,
                }
                self.written += 1;
            }
            if let (Some(diff), Format::Text, false, false) = (
                &e.diff,
                self.style.format,
                self.style.quiet,
                self.style.statistics,
            ) {
                self.text_diff(w, diff)?;
            }
        }
        Ok(())
    }

    pub fn end(&mut self, w: &mut dyn Write) -> io::Result<()> {
        if self.style.statistics {
            return self.statistics(w);
        }
        match self.style.format {
            Format::Json if self.written == 0 => w.write_all(b"]\n"),
            Format::Json => w.write_all(b"\n]\n"),
            Format::Sarif => w.write_all(b"]}]}\n"),
            Format::Text | Format::Github => Ok(()),
        }
    }

    fn text(&self, w: &mut dyn Write, e: &CheckEntry, f: &Finding) -> io::Result<()> {
        let (line, col, inner) = e.location(f);
        let rule_colour = if self.fails(f) { RED } else { YELLOW };
        let note = match (f.kind, self.fails(f)) {
            (Kind::Report, false) => " (reported, not changed)",
            (Kind::Report, true) => " (reported, not changed; fails with --fail-on report)",
            _ => "",
        };
        let inner = inner.map(|t| format!(" [{t}]")).unwrap_or_default();
        writeln!(
            w,
            "{}:{line}:{col}: {} {}{inner}{note}",
            self.paint(BOLD, &e.file),
            self.paint(rule_colour, &f.rule),
            f.message
        )
    }

    fn text_diff(&self, w: &mut dyn Write, diff: &str) -> io::Result<()> {
        if !self.style.color {
            return w.write_all(diff.as_bytes());
        }
        for line in diff.split_inclusive('\n') {
            let code = match line.as_bytes().first() {
                Some(b'+') if !line.starts_with("+++") => GREEN,
                Some(b'-') if !line.starts_with("---") => "\x1b[31m",
                Some(b'@') => CYAN,
                Some(b'~') => {
                    w.write_all(colour_marks(line).as_bytes())?;
                    continue;
                }
                _ => "",
            };
            if code.is_empty() {
                w.write_all(line.as_bytes())?;
            } else {
                let body = line.trim_end_matches('\n');
                write!(w, "{code}{body}{RESET}{}", &line[body.len()..])?;
            }
        }
        Ok(())
    }

    fn finding_json(&self, e: &CheckEntry, f: &Finding) -> serde_json::Value {
        let (line, column, _) = e.location(f);
        let mut v = json!({
            "file": e.file,
            "line": line,
            "column": column,
            "rule": f.rule,
            "kind": f.kind,
            "fails": self.fails(f),
            "message": f.message,
        });
        if e.line.is_some() {
            v["document"] = json!(e.document());
            v["text_line"] = json!(f.line);
            v["text_column"] = json!(f.column);
        }
        v
    }

    fn json(&self, w: &mut dyn Write, e: &CheckEntry, f: &Finding) -> io::Result<()> {
        let sep = if self.written == 0 { "\n  " } else { ",\n  " };
        write!(w, "{sep}{}", self.finding_json(e, f))
    }

    fn github(&self, w: &mut dyn Write, e: &CheckEntry, f: &Finding) -> io::Result<()> {
        let (line, col, inner) = e.location(f);
        let level = if self.fails(f) { "error" } else { "warning" };
        let inner = inner.map(|t| format!(" [{t}]")).unwrap_or_default();
        writeln!(
            w,
            "::{level} title={},file={},line={line},col={col}::{}",
            github_property(&format!("docclean ({})", f.rule)),
            github_property(&e.file),
            github_data(&format!(
                "{}:{line}:{col}: {} {}{inner}",
                e.file, f.rule, f.message
            ))
        )
    }

    fn sarif(&self, w: &mut dyn Write, e: &CheckEntry, f: &Finding) -> io::Result<()> {
        let (line, column, inner) = e.location(f);
        let level = match (self.fails(f), f.kind) {
            (true, _) => "error",
            (false, _) => "warning",
        };
        let text = match inner {
            Some(t) => format!("{} [{t}]", f.message),
            None => f.message.clone(),
        };
        let result = json!({
            "ruleId": f.rule,
            "level": level,
            "message": {"text": text},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": uri(&e.file)},
                "region": {"startLine": line, "startColumn": column},
            }}],
        });
        let sep = if self.written == 0 { "" } else { "," };
        write!(w, "{sep}{result}")
    }

    fn statistics(&self, w: &mut dyn Write) -> io::Result<()> {
        // in rule order (pipeline order), as `docclean rules` lists them
        let rows: Vec<(&RuleInfo, u64)> = self
            .rules
            .iter()
            .filter_map(|r| self.counts.get(&r.id).map(|&n| (r, n)))
            .collect();
        if self.style.format == Format::Json {
            let v: Vec<_> = rows
                .iter()
                .map(|(r, n)| {
                    json!({"rule": r.id, "count": n, "kind": r.kind, "description": r.description})
                })
                .collect();
            return writeln!(w, "{}", serde_json::to_string_pretty(&v)?);
        }
        let width = rows.iter().map(|(r, _)| r.id.len()).max().unwrap_or(0);
        for (r, n) in rows {
            let kind = match r.kind {
                Kind::Fix => "fix   ",
                Kind::Report => "report",
            };
            writeln!(w, "{n:>7}  {:<width$}  {kind}  {}", r.id, r.description)?;
        }
        Ok(())
    }
}

/// A workflow-command message: `%`, CR and LF escaped.
fn github_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow-command property: as a message, and `:` and `,` too.
fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// A path as a SARIF artifact URI: relative as it is, absolute as a
/// `file://` URI; every byte but unreserved characters and `/` percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::new();
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A `~` line of a diff with its `[-removed-]{+inserted+}` marks coloured.
fn colour_marks(line: &str) -> String {
    static MARKS: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = MARKS.get_or_init(|| regex::Regex::new(r"\[-(.*?)-\]|\{\+(.*?)\+\}").unwrap());
    re.replace_all(line, |c: &regex::Captures| match (c.get(1), c.get(2)) {
        (Some(gone), _) => format!("\x1b[9;31m{}{RESET}", gone.as_str()),
        (_, Some(came)) => format!("{GREEN}{}{RESET}", came.as_str()),
        _ => String::new(),
    })
    .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_escapes_what_would_end_a_field() {
        assert_eq!(github_data("50%\r\nx"), "50%25%0D%0Ax");
        assert_eq!(github_property("a:b,c"), "a%3Ab%2Cc");
    }

    #[test]
    fn uris_encode_spaces_and_han() {
        assert_eq!(uri("dir/a b.txt"), "dir/a%20b.txt");
        assert_eq!(uri("党.txt"), "%E5%85%9A.txt");
        assert_eq!(uri("/srv/a.txt"), "file:///srv/a.txt");
    }
}
