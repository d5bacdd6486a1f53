//! Running the pipeline over a corpus: plain files in parallel, shards one
//! at a time (in parallel within), results merged in input order, per-file
//! trouble recorded and the run carried on. Files, shard lines and stdin all
//! clean a document through one path ([`whole`] for a file, [`crate::jsonl`]
//! for a line).

mod shard_file;
mod whole;

pub use whole::unified_diff;

pub use crate::jsonl::process_jsonl_stream;
pub use crate::report::CheckEntry;

use crate::atomic::write_atomic;
use crate::decode::decode;
use crate::discover::WorkItem;
use crate::doc::DocKind;
use crate::inplace::Backup;
use crate::jsonl::field::line_text;
use crate::report::{ErrorEntry, Tally, Warning};
use crate::rules::RuleSet;
use crate::shard::is_jsonl;
use crate::trace::TraceRecord;
use rayon::prelude::*;
use shard_file::process_jsonl_file;
use std::io::{BufReader, Read, Write};
use std::path::PathBuf;
use whole::clean_whole;

/// Where cleaned documents go.
#[derive(Debug, Clone)]
pub enum Output {
    /// A tree mirroring the inputs.
    Dir(PathBuf),
    /// Standard output (`clean -`).
    Stdout,
    /// Replace each changed input atomically, optionally keeping a backup.
    InPlace { backup: Option<Backup> },
    /// Write nothing: report what would change (check mode).
    Check {
        diff: Option<crate::findings::diff::DiffStyle>,
    },
}

/// Settings a run needs besides the rules.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub output: Output,
    pub text_field: String,
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Read every document as this format; `None`: by file extension (plain
    /// for stdin and JSONL fields).
    pub format: Option<DocKind>,
    /// Treat every input (and stdin) as JSONL, whatever its name.
    pub force_jsonl: bool,
    /// Check mode: receives the entries in input order as they are made,
    /// so that a long `check --diff` holds no more than a batch of them.
    pub check_sink: Option<CheckSink>,
    /// Compression level of compressed shards written (the format's default when `None`).
    pub compression_level: Option<i32>,
    /// `--trace`: receives each document's trace records, in input order.
    pub trace_sink: Option<TraceSink>,
}

/// A receiver of trace records (see [`RunOptions::trace_sink`]).
#[derive(Clone)]
pub struct TraceSink(pub std::sync::Arc<dyn Fn(Vec<TraceRecord>) + Send + Sync>);

impl std::fmt::Debug for TraceSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TraceSink")
    }
}

/// A receiver of check entries (see [`RunOptions::check_sink`]).
#[derive(Clone)]
pub struct CheckSink(pub std::sync::Arc<dyn Fn(Vec<CheckEntry>) + Send + Sync>);

impl std::fmt::Debug for CheckSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CheckSink")
    }
}

impl RunOptions {
    /// Hand the tally's check entries so far to the sink, if there is one.
    pub(crate) fn drain_checks(&self, tally: &mut Tally) {
        if let Some(sink) = &self.check_sink {
            if !tally.changed.is_empty() {
                (sink.0)(std::mem::take(&mut tally.changed));
            }
        }
        if let Some(sink) = &self.trace_sink {
            if !tally.trace.is_empty() {
                (sink.0)(std::mem::take(&mut tally.trace));
            }
        }
    }

    /// Whether documents are traced (`--trace`, `explain`).
    pub(crate) fn tracing(&self) -> bool {
        self.trace_sink.is_some()
    }

    fn is_shard(&self, item: &WorkItem) -> bool {
        self.force_jsonl || is_jsonl(&item.path)
    }
}

/// Plain files cleaned together in parallel between two drains of the check
/// sink; without a sink, rounds are longer (fewer waits for a round's last file).
const FILES_PER_ROUND: usize = 256;
const FILES_PER_ROUND_UNCHECKED: usize = 4096;

/// Process all items in input order; `tick` is called after each. Runs of
/// plain files are cleaned in parallel, a few hundred at a time; a shard is
/// cleaned alone, in parallel within it. Check entries reach the sink in
/// input order after each round.
pub fn run_items(
    set: &RuleSet,
    items: &[WorkItem],
    opts: &RunOptions,
    tick: &(dyn Fn() + Sync),
) -> Tally {
    let n = set.rules.len();
    let mut total = Tally::new(n);
    let mut rest = items;
    let per_round = if opts.check_sink.is_some() {
        FILES_PER_ROUND
    } else {
        FILES_PER_ROUND_UNCHECKED
    };
    while !rest.is_empty() {
        let plain = rest
            .iter()
            .take(per_round)
            .take_while(|item| !opts.is_shard(item))
            .count();
        let (round, after) = rest.split_at(plain.max(1));
        let skip = total.examples_full(n);
        let mut t = round
            .par_iter()
            .map(|item| {
                let t = process_item(set, item, opts, &skip);
                tick();
                t
            })
            .reduce(|| Tally::new(n), Tally::merge);
        opts.drain_checks(&mut t);
        total = total.merge(t);
        rest = after;
    }
    total
}

fn error_tally(n: usize, path: &str, message: String) -> Tally {
    let mut t = Tally::new(n);
    t.files = 1;
    t.errors.push(ErrorEntry {
        path: path.to_owned(),
        message,
    });
    t
}

/// `skip_examples`: by rule, the report already holds all the examples it
/// keeps from earlier rounds (see [`Tally::examples_full`]).
fn process_item(
    set: &RuleSet,
    item: &WorkItem,
    opts: &RunOptions,
    skip_examples: &[bool],
) -> Tally {
    let display = item.display();
    if opts.force_jsonl || is_jsonl(&item.path) {
        return match process_jsonl_file(set, item, opts) {
            Ok(t) => t,
            Err(e) => error_tally(set.rules.len(), &display, e.to_string()),
        };
    }
    if let Some(reason) = crate::shard::compressed_not_shard(&item.path) {
        let mut t = Tally::new(set.rules.len());
        t.files = 1;
        t.skipped.push(crate::report::Skipped {
            path: display,
            reason,
        });
        return t;
    }
    let bytes = match std::fs::read(&item.path) {
        Ok(b) => crate::progress::counted(b),
        Err(e) => return error_tally(set.rules.len(), &display, format!("cannot read: {e}")),
    };
    let mut tally = Tally::new(set.rules.len());
    let kind = opts
        .format
        .unwrap_or_else(|| DocKind::from_path(&item.path));
    let Some(doc) = clean_whole(set, &display, bytes, kind, opts, skip_examples, &mut tally) else {
        return tally;
    };
    let result = match &opts.output {
        Output::Check { .. } => Ok(()),
        Output::Stdout => Err("files are written to a directory or in place, not to stdout".into()),
        Output::Dir(dir) => write_atomic(&dir.join(&item.rel), doc.text.as_bytes()),
        Output::InPlace { backup } => {
            let transcode = doc.encoding != "UTF-8" || doc.bom || doc.bad_bytes > 0;
            if doc.changed || transcode {
                crate::inplace::replace(&item.path, doc.text.as_bytes(), backup.as_ref())
                    .map(|notes| note_warnings(&mut tally, &display, notes))
            } else {
                Ok(())
            }
        }
    };
    if let Err(e) = result {
        tally.errors.push(ErrorEntry {
            path: display,
            message: e,
        });
    }
    tally
}

/// Warnings for what in-place writing could not keep as it was.
fn note_warnings(tally: &mut Tally, path: &str, notes: Vec<String>) {
    for message in notes {
        tally.warnings.push(Warning {
            path: path.to_owned(),
            line: None,
            message,
        });
    }
}

/// `clean -`: stdin to stdout.
pub fn run_stdin(set: &RuleSet, opts: &RunOptions) -> std::io::Result<Tally> {
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout);
    if opts.force_jsonl {
        let mut reader = BufReader::with_capacity(1 << 20, std::io::stdin());
        let mut t = process_jsonl_stream(set, "<stdin>", &mut reader, &mut out, opts)?;
        t.files = 1;
        crate::jsonl::require_text_field(&mut t, "<stdin>", &opts.text_field);
        return Ok(t);
    }
    let mut bytes = Vec::new();
    stdin.lock().read_to_end(&mut bytes)?;
    let mut tally = Tally::new(set.rules.len());
    let kind = opts.format.unwrap_or_default();
    let doc = clean_whole(set, "<stdin>", bytes, kind, opts, &[], &mut tally);
    opts.drain_checks(&mut tally);
    if let Some(doc) = doc {
        if !matches!(opts.output, Output::Check { .. }) {
            out.write_all(doc.text.as_bytes())?;
        }
    }
    out.flush()?;
    Ok(tally)
}

/// Every document of one input, decoded (for learning); unreadable ones are skipped
/// here, since the cleaning pass reports them.
pub fn documents_of(item: &WorkItem, opts: &RunOptions, f: &mut dyn FnMut(&str)) {
    if opts.force_jsonl || is_jsonl(&item.path) {
        let Ok(lines) = crate::progress::shard_lines(&item.path) else {
            return;
        };
        for line in lines {
            let mut body = line.as_slice();
            while let [rest @ .., b'\r'] = body {
                body = rest;
            }
            if let Ok(Some((_, _, text))) = line_text(body, &opts.text_field) {
                f(&text);
            }
        }
    } else if let Ok(bytes) = std::fs::read(&item.path).map(crate::progress::counted) {
        if let Ok(d) = decode(&bytes, opts.encoding) {
            f(&d.text);
        }
    }
}
