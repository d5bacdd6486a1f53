//! JSONL shards streamed: a reader thread fills batches of whole lines, the
//! lines of a batch are cleaned in parallel, a writer thread writes the
//! previous batch in order. Memory does not grow with the input.

mod batch;
pub mod field;

use crate::findings::{locate, Finding, LINE_ENDS};
use crate::pipeline::{DocOutcome, Pipeline};
use crate::report::{CheckEntry, Tally, Warning};
use crate::rules::RuleSet;
use crate::run::{unified_diff, Output, RunOptions};
use crate::trace::{trace_document, TraceRecord};
use batch::BatchReader;
use rayon::prelude::*;
use std::io::{BufRead, Write};

/// Lines of a JSONL shard cleaned together, in parallel, before writing.
const BATCH_BYTES: usize = 8 << 20;

/// Batch buffers in flight: one being read, one waiting, one being cleaned,
/// one waiting for the writer, one being written.
const BUFFERS: usize = 5;

/// What one JSONL line came to.
enum LineOutcome {
    /// A blank line: written as it was.
    Blank,
    /// No text to clean (not JSON, no such field…): written as it was, with a warning.
    PassedThrough(field::NoText),
    /// A document, cleaned.
    Document {
        outcome: DocOutcome,
        change: Option<LineChange>,
        /// Cleaning left the text as it was.
        unchanged: bool,
        /// `--trace`: its records (named by the caller).
        trace: Vec<TraceRecord>,
    },
}

/// How a document line that changed is carried on.
enum LineChange {
    /// The line with its text field rewritten, and its newline.
    Rewritten(Vec<u8>),
    /// Check mode: what would change.
    Checked(CheckEntry),
}

/// Clean the text field of one JSONL line (without its newline), keeping every other byte.
fn clean_line(
    pipeline: &Pipeline,
    body: &[u8],
    opts: &RunOptions,
    doc_path: &dyn Fn() -> String,
) -> LineOutcome {
    let (line, raw_text, text) = match field::line_text(body, &opts.text_field) {
        Ok(Some(found)) => found,
        Ok(None) => return LineOutcome::Blank,
        Err(why) => return LineOutcome::PassedThrough(why),
    };
    let (cleaned, outcome) = pipeline.clean(&text);
    let unchanged = cleaned.as_ref() == text.as_ref();
    let trace = if opts.tracing() {
        trace_document(pipeline, &text, &cleaned)
    } else {
        Vec::new()
    };
    let change = match &opts.output {
        Output::Check { diff } => {
            if unchanged && outcome.reported_rules(pipeline.set).next().is_none() {
                None
            } else {
                Some(LineChange::Checked(CheckEntry {
                    file: String::new(), // named by the caller
                    line: None,
                    findings: locate(pipeline.set, &text),
                    diff: diff
                        .filter(|_| !unchanged)
                        .map(|s| unified_diff(s, &doc_path(), &text, &cleaned)),
                }))
            }
        }
        _ if unchanged => None,
        _ => {
            let start = raw_text.get().as_ptr() as usize - line.as_ptr() as usize;
            let end = start + raw_text.get().len();
            let mut out = Vec::with_capacity(line.len() + 16);
            out.extend_from_slice(&line.as_bytes()[..start]);
            crate::jsonstr::write_str(&mut out, &cleaned);
            out.extend_from_slice(&line.as_bytes()[end..]);
            out.push(b'\n');
            Some(LineChange::Rewritten(out))
        }
    };
    LineOutcome::Document {
        outcome,
        change,
        unchanged,
        trace,
    }
}

/// A cleaned batch on its way to the writer: the input, each line's body
/// range, and the rewritten lines (by index) where they changed.
struct Cleaned {
    buf: Vec<u8>,
    bodies: Vec<(usize, usize)>,
    changed: Vec<(usize, Vec<u8>)>,
}

impl Cleaned {
    /// Every line in order: rewritten where it changed, else as it was.
    fn write_to(&self, writer: &mut dyn Write) -> std::io::Result<()> {
        let mut changed = self.changed.iter().peekable();
        for (i, &(s, e)) in self.bodies.iter().enumerate() {
            match changed.next_if(|(j, _)| *j == i) {
                Some((_, out)) => writer.write_all(out)?,
                None => {
                    writer.write_all(&self.buf[s..e])?;
                    writer.write_all(b"\n")?;
                }
            }
        }
        Ok(())
    }
}

/// A shard none of whose lines holds the text field (a misspelt
/// `--text-field`, say) is an error for that file: nothing in it was cleaned.
pub fn require_text_field(tally: &mut Tally, path: &str, field: &str) {
    if tally.documents == 0 && tally.lines_without_field > 0 {
        tally.errors.push(crate::report::ErrorEntry {
            path: path.to_owned(),
            message: format!(
                "no line has a `{field}` field ({} line(s) without it): name the field that holds the text with --text-field, or text_field in docclean.toml",
                tally.lines_without_field
            ),
        });
    }
}

/// Stream JSONL from `reader` to `writer`: batches of about 8 MB, their lines
/// cleaned in parallel, written in order by a writer thread while the next
/// batch is read and cleaned; memory does not grow with the input.
pub fn process_jsonl_stream(
    set: &RuleSet,
    path: &str,
    reader: &mut (dyn BufRead + Send),
    writer: &mut (dyn Write + Send),
    opts: &RunOptions,
) -> std::io::Result<Tally> {
    stream_batches(set, path, reader, writer, opts, BATCH_BYTES)
}

/// [`process_jsonl_stream`] in batches of about `batch_bytes`.
fn stream_batches(
    set: &RuleSet,
    path: &str,
    reader: &mut (dyn BufRead + Send),
    writer: &mut (dyn Write + Send),
    opts: &RunOptions,
    batch_bytes: usize,
) -> std::io::Result<Tally> {
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Cleaned>(1);
        // Written batches go back to the reader to be filled again: the same
        // few buffers serve the whole stream, so no fresh memory is faulted in
        // (the kernel zeroes every fresh page: up to a quarter of the time on clean text).
        let (free_tx, free_rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(BUFFERS);
        let writing = scope.spawn(move || -> std::io::Result<()> {
            for batch in rx {
                batch.write_to(writer)?;
                let _ = free_tx.try_send(batch.buf);
            }
            writer.flush()
        });
        // A reader thread fills the next batch while this one is cleaned.
        let (batch_tx, batch_rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(1);
        let reading = scope.spawn(move || -> std::io::Result<()> {
            let mut batches = BatchReader::new(reader, batch_bytes);
            let mut made = 0;
            loop {
                // a new buffer only while fewer than BUFFERS exist, else wait
                // for the writer to hand one back
                let mut buf = match free_rx.try_recv() {
                    Ok(buf) => buf,
                    Err(_) if made < BUFFERS => {
                        made += 1;
                        Vec::new()
                    }
                    Err(_) => match free_rx.recv() {
                        Ok(buf) => buf,
                        Err(_) => return Ok(()), // the writer stopped: its error is returned
                    },
                };
                if !batches.next_into(&mut buf)? || batch_tx.send(buf).is_err() {
                    return Ok(());
                }
            }
        });
        let mut tally = Tally::new(set.rules.len());
        let mut line_no = 0u64;
        // check reports a shard's line ends once, at the first line they change
        let mut line_ends_found = false;
        for buf in batch_rx {
            let bodies = batch::bodies(&buf);
            let (changed, mut batch) = clean_batch(set, path, &buf, &bodies, line_no, opts, &tally);
            if matches!(opts.output, Output::Check { .. }) && !line_ends_found {
                if let Some(k) = batch::first_line_end_change(&buf, &bodies) {
                    line_ends_found = true;
                    let (s, e) = bodies[k];
                    add_line_ends(&mut batch.changed, path, line_no + k as u64 + 1, &buf[s..e]);
                }
            }
            line_no += bodies.len() as u64;
            tally.input_bytes += buf.len() as u64;
            tally.rewritten |= !changed.is_empty() || batch::line_ends_change(&buf, &bodies);
            let cleaned = Cleaned {
                buf,
                bodies,
                changed,
            };
            if tx.send(cleaned).is_err() {
                break; // the writer failed: its error is returned below
            }
            tally = tally.merge(batch);
            opts.drain_checks(&mut tally);
        }
        drop(tx);
        let written = writing.join().expect("the writer thread does not panic");
        reading.join().expect("the reader thread does not panic")?;
        written?;
        Ok(tally)
    })
}

/// The line-ends finding of a shard, at `line` (whose text is `body`), put
/// among the batch's entries in line order.
fn add_line_ends(entries: &mut Vec<CheckEntry>, file: &str, line: u64, body: &[u8]) {
    let finding = Finding {
        rule: LINE_ENDS.to_owned(),
        kind: crate::findings::Kind::Fix,
        line,
        column: String::from_utf8_lossy(body).chars().count() as u64 + 1,
        message:
            "line ends in CR LF, or has no final newline: every such line would be written with \\n"
                .into(),
    };
    let at = entries.partition_point(|e| e.line < Some(line));
    match entries.get_mut(at) {
        Some(e) if e.line == Some(line) => e.findings.insert(0, finding),
        _ => entries.insert(
            at,
            CheckEntry {
                file: file.to_owned(),
                line: Some(line),
                findings: vec![finding],
                diff: None,
            },
        ),
    }
}

/// Clean the lines of one batch in parallel. Each line's outcome is folded
/// into a tally as soon as it is made, so a batch holds only the lines that
/// changed: memory per line is its body range, whatever the number of rules.
/// `so_far` is the stream's tally before this batch (for its examples).
#[allow(clippy::too_many_arguments)]
fn clean_batch(
    set: &RuleSet,
    path: &str,
    buf: &[u8],
    bodies: &[(usize, usize)],
    first_line: u64,
    opts: &RunOptions,
    so_far: &Tally,
) -> (Vec<(usize, Vec<u8>)>, Tally) {
    let n = set.rules.len();
    // The report keeps the first few examples of each rule in input order:
    // once earlier batches supplied them, this one makes none.
    let skip = so_far.examples_full(n);
    let pipeline =
        Pipeline::skipping_examples(set, &skip).for_kind(opts.format.unwrap_or_default());
    let line_of = |i: usize| first_line + i as u64 + 1;
    let doc_path = |i: usize| format!("{path}:{}", line_of(i));
    bodies
        .par_iter()
        .enumerate()
        .fold(
            || (Vec::new(), Tally::new(n)),
            |(mut changed, mut t), (i, &(s, e))| {
                match clean_line(&pipeline, &buf[s..e], opts, &|| doc_path(i)) {
                    LineOutcome::Blank => {}
                    LineOutcome::PassedThrough(why) => {
                        t.lines_without_field += matches!(why, field::NoText::NoField(_)) as u64;
                        t.warnings.push(Warning {
                            path: path.to_owned(),
                            line: Some(line_of(i)),
                            message: why.to_string(),
                        })
                    }
                    LineOutcome::Document {
                        outcome,
                        change,
                        unchanged,
                        trace,
                    } => {
                        t.trace.extend(trace.into_iter().map(|r| TraceRecord {
                            path: path.to_owned(),
                            jsonl_line: Some(line_of(i)),
                            ..r
                        }));
                        t.add_document(set, &|| doc_path(i), &outcome, !unchanged);
                        match change {
                            Some(LineChange::Rewritten(out)) => changed.push((i, out)),
                            Some(LineChange::Checked(entry)) => t.changed.push(CheckEntry {
                                file: path.to_owned(),
                                line: Some(line_of(i)),
                                ..entry
                            }),
                            None => {}
                        }
                    }
                }
                (changed, t)
            },
        )
        .reduce(
            || (Vec::new(), Tally::new(n)),
            |(mut a, ta), (b, tb)| {
                a.extend(b);
                (a, ta.merge(tb))
            },
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Timings;
    use crate::rules::{build, hits::MAX_EXAMPLES, load_sources, Selection};
    use std::io::BufReader;
    use std::path::PathBuf;

    /// Later batches make no examples for rules that already have theirs; the
    /// output and the whole report are the same as with one batch.
    #[test]
    fn small_batches_give_the_same_output_and_report() {
        let set = build(&load_sources(&[], true).unwrap(), &Selection::default()).unwrap();
        let opts = RunOptions {
            output: Output::Dir(PathBuf::from("unused")),
            text_field: "text".into(),
            encoding: None,
            format: None,
            force_jsonl: true,
            check_sink: None,
            compression_level: None,
            trace_sink: None,
        };
        let mut input = String::new();
        for i in 0..300 {
            let text = match i % 3 {
                0 => format!("第{i}段&amp;庭院%2B，深入学习D的二十大精神"),
                1 => format!("第{i}段，每日上##paidbegin##门入户"),
                _ => format!("第{i}段，没有噪声的正文。"),
            };
            input.push_str(&serde_json::json!({ "id": i, "text": text }).to_string());
            input.push('\n');
        }
        // a document longer than a batch, read over many reads
        let long = "深入学习贯彻D的二十大精神，庭院%2B。".repeat(400);
        input.push_str(&serde_json::json!({ "id": "long", "text": long }).to_string());
        input.push('\n');
        let run = |batch: usize| {
            let mut out = Vec::new();
            let tally = stream_batches(
                &set,
                "in.jsonl",
                &mut BufReader::with_capacity(64, input.as_bytes()),
                &mut out,
                &opts,
                batch,
            )
            .unwrap();
            let report = tally.into_report(&set, Timings::default());
            (out, serde_json::to_value(report).unwrap())
        };
        let (one_out, one_report) = run(8 << 20);
        let (many_out, many_report) = run(200);
        assert_eq!(one_out, many_out);
        let cleaned_long = "深入学习贯彻党的二十大精神，庭院+。".repeat(400);
        assert!(String::from_utf8(many_out).unwrap().contains(&cleaned_long));
        assert_eq!(one_report, many_report);
        // the examples are the first documents' edits
        let examples = one_report["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == "escape.html-entities")
            .unwrap()["examples"]
            .clone();
        assert_eq!(examples.as_array().unwrap().len(), MAX_EXAMPLES);
        assert_eq!(examples[0]["path"], "in.jsonl:1");
        assert_eq!(examples[2]["path"], "in.jsonl:7");
    }
}
