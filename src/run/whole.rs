//! A whole file (or stdin) as one document: decoded (its encoding and
//! losses recorded), cleaned, tallied, and its check entry made.

use super::{Output, RunOptions};
use crate::decode::{decode_owned, Decoded};
use crate::doc::DocKind;
use crate::findings::{decode_findings, locate};
use crate::pipeline::Pipeline;
use crate::report::{CheckEntry, Skipped, Tally};
use crate::rules::RuleSet;
use crate::trace;

/// A whole file (or stdin) as one document, decoded and cleaned.
pub(super) struct WholeDocument {
    /// The cleaned text.
    pub text: String,
    /// Whether a rule changed it.
    pub changed: bool,
    pub encoding: &'static str,
    pub bom: bool,
    /// Bytes that did not decode (written as U+FFFD).
    pub bad_bytes: usize,
}

/// Decode and clean one whole-file document, recording in `tally` its
/// encoding, decode losses, rule hits and check entry. `None` when the bytes
/// are not a document (recorded as skipped). Files and stdin both come here;
/// `kind` is the document's format (by extension, or as told).
pub(super) fn clean_whole(
    set: &RuleSet,
    display: &str,
    bytes: Vec<u8>,
    kind: DocKind,
    opts: &RunOptions,
    skip_examples: &[bool],
    tally: &mut Tally,
) -> Option<WholeDocument> {
    tally.files = 1;
    tally.input_bytes = bytes.len() as u64;
    let decoded = match decode_owned(bytes, opts.encoding) {
        Ok(d) => d,
        Err(why) => {
            tally.skipped.push(Skipped {
                path: display.to_owned(),
                reason: why.to_string(),
            });
            return None;
        }
    };
    tally.record_decoding(display, &decoded);
    let pipeline = Pipeline::skipping_examples(set, skip_examples).for_kind(kind);
    let (text, outcome, changed) = match &opts.output {
        Output::Check { diff } => {
            let (cleaned, outcome) = pipeline.clean(&decoded.text);
            let changed = cleaned.as_ref() != decoded.text;
            let mut findings = decode_findings(decoded.encoding, decoded.bom, decoded.bad_bytes);
            if changed || outcome.reported_rules(set).next().is_some() {
                findings.extend(locate(set, &decoded.text));
            }
            if !findings.is_empty() {
                tally.changed.push(CheckEntry {
                    file: display.to_owned(),
                    line: None,
                    findings,
                    diff: diff
                        .filter(|_| changed)
                        .map(|s| unified_diff(s, display, &decoded.text, &cleaned)),
                });
            }
            if opts.tracing() {
                trace_into(tally, &pipeline, display, &decoded, &cleaned);
            }
            (cleaned.into_owned(), outcome, changed)
        }
        _ if opts.tracing() => {
            let (cleaned, outcome) = pipeline.clean(&decoded.text);
            let changed = cleaned.as_ref() != decoded.text;
            trace_into(tally, &pipeline, display, &decoded, &cleaned);
            (cleaned.into_owned(), outcome, changed)
        }
        // the pipeline owns the text and drops each stage's input as it goes
        _ => pipeline.clean_owned(decoded.text),
    };
    tally.add_document(set, &|| display.to_owned(), &outcome, changed);
    Some(WholeDocument {
        text,
        changed,
        encoding: decoded.encoding,
        bom: decoded.bom,
        bad_bytes: decoded.bad_bytes,
    })
}

/// The trace records of one whole-file document: decoding, then the rules.
fn trace_into(
    tally: &mut Tally,
    pipeline: &Pipeline,
    display: &str,
    decoded: &Decoded,
    cleaned: &str,
) {
    let decoding = trace::decode_record(decoded.encoding, decoded.bom, decoded.bad_bytes);
    for mut r in decoding
        .into_iter()
        .chain(trace::trace_document(pipeline, &decoded.text, cleaned))
    {
        r.path = display.to_owned();
        tally.trace.push(r);
    }
}

/// A unified diff of one document, for `check --diff`.
pub fn unified_diff(
    style: crate::findings::diff::DiffStyle,
    path: &str,
    old: &str,
    new: &str,
) -> String {
    crate::findings::diff::render(style, path, old, new)
}
