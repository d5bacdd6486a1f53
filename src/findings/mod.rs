//! What `check` reports: each change `clean` would make (and each match of a
//! `report` rule) as a finding with a rule id, a line and a column, located
//! by tracing the pipeline over the document ([`locate`]); the output
//! formats that print them are in [`emit`].

pub mod diff;
pub mod emit;
pub(crate) mod locate;

pub use locate::locate;

use serde::Serialize;

/// Whether a finding is a change `clean` makes or a match a `report` rule counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// `clean` would change this.
    Fix,
    /// A `report` rule found this; `clean` leaves it as it is.
    Report,
}

/// One change (or report-rule match) in one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// A rule id, or one of the ids below for what decoding and writing change.
    pub rule: String,
    pub kind: Kind,
    /// 1-based line and column (in characters) in the document's text.
    pub line: u64,
    pub column: u64,
    pub message: String,
}

/// A file that is not UTF-8 (or has bytes that do not decode): written as UTF-8.
pub const TRANSCODE: &str = "encoding.transcode";
/// A byte-order mark: written without it.
pub const BOM: &str = "encoding.bom";
/// JSONL lines ending in CR LF (or a last line without a newline): written with `\n`.
pub const LINE_ENDS: &str = "jsonl.line-ends";

/// What decoding and writing change, besides the rules, with their descriptions.
pub const WRITE_KINDS: [(&str, &str); 3] = [
    (TRANSCODE, "Text not in UTF-8 is written as UTF-8"),
    (BOM, "A byte-order mark is dropped"),
    (
        LINE_ENDS,
        "JSONL lines ending in CR LF, or a last line without a newline, are written with \\n",
    ),
];

impl Finding {
    /// A finding about the whole document, at its start.
    pub fn whole(rule: &str, message: String) -> Finding {
        Finding {
            rule: rule.to_owned(),
            kind: Kind::Fix,
            line: 1,
            column: 1,
            message,
        }
    }
}

/// The findings of decoding one file: re-encoding and a byte-order mark.
pub fn decode_findings(encoding: &str, bom: bool, bad_bytes: usize) -> Vec<Finding> {
    let mut out = Vec::new();
    if encoding != "UTF-8" {
        out.push(Finding::whole(
            TRANSCODE,
            format!("{encoding} text would be written as UTF-8"),
        ));
    } else if bad_bytes > 0 {
        out.push(Finding::whole(
            TRANSCODE,
            format!("{bad_bytes} byte(s) that are not UTF-8 would be written as U+FFFD"),
        ));
    }
    if bom {
        out.push(Finding::whole(
            BOM,
            "byte-order mark would be dropped".into(),
        ));
    }
    out
}
