//! `--trace FILE` (the trace written as JSON lines as documents are
//! cleaned, in input order) and `docclean explain` (the same records
//! rendered for a terminal). Part of the binary: the records themselves are
//! made by the library's [`docclean::trace`].

use crate::{pool_and_rules, run_options, Status};
use docclean::cli::{ColorChoice, ExplainArgs};
use docclean::config::Config;
use docclean::run::{CheckSink, Output, RunOptions, TraceSink};
use docclean::trace::render::{render, Marks};
use docclean::trace::TraceRecord;
use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Colour on stdout: asked for, or `auto` on a terminal without `NO_COLOR`.
pub(crate) fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

/// The trace file being written: records as they come, the first write
/// error kept for the end of the run.
pub(crate) struct TraceFile {
    path: PathBuf,
    out: BufWriter<File>,
    records: u64,
    error: Option<std::io::Error>,
}

impl TraceFile {
    /// Create the file and the sink that writes to it.
    pub(crate) fn create(path: &Path) -> anyhow::Result<(TraceSink, Arc<Mutex<TraceFile>>)> {
        let file =
            File::create(path).map_err(|e| anyhow::anyhow!("--trace {}: {e}", path.display()))?;
        let trace = Arc::new(Mutex::new(TraceFile {
            path: path.to_owned(),
            out: BufWriter::with_capacity(1 << 20, file),
            records: 0,
            error: None,
        }));
        let writer = trace.clone();
        let sink = TraceSink(Arc::new(move |records: Vec<TraceRecord>| {
            let mut t = writer.lock().unwrap_or_else(|e| e.into_inner());
            t.write(&records);
        }));
        Ok((sink, trace))
    }

    fn write(&mut self, records: &[TraceRecord]) {
        if self.error.is_some() {
            return;
        }
        for r in records {
            let line = serde_json::to_string(r).expect("a record serializes");
            if let Err(e) = writeln!(self.out, "{line}") {
                self.error = Some(e);
                return;
            }
            self.records += 1;
        }
    }

    /// Flush; the number of records written, or the first write error.
    pub(crate) fn finish(trace: &Mutex<TraceFile>) -> anyhow::Result<u64> {
        let mut t = trace.lock().unwrap_or_else(|e| e.into_inner());
        let path = t.path.display().to_string();
        if let Some(e) = t.error.take() {
            anyhow::bail!("--trace {path}: {e}");
        }
        t.out
            .flush()
            .map_err(|e| anyhow::anyhow!("--trace {path}: {e}"))?;
        Ok(t.records)
    }
}

/// `docclean explain`: every edit clean would make, rendered on stdout in
/// input order. Exit 0, or 2 on errors.
pub(crate) fn explain(a: ExplainArgs) -> anyhow::Result<Status> {
    let cfg = Config::resolve(&a.common)?;
    let set = pool_and_rules(&cfg)?;
    let marks = if use_color(a.color) {
        Marks::Color
    } else {
        Marks::Plain
    };
    let printer = TraceSink(Arc::new(move |records: Vec<TraceRecord>| {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        let mut records = records;
        // each document's records by line (stable: rules in pipeline order on a line)
        let mut start = 0;
        while start < records.len() {
            let doc = (&records[start].path, records[start].jsonl_line);
            let len = records[start..]
                .iter()
                .take_while(|r| (&r.path, r.jsonl_line) == doc)
                .count();
            records[start..start + len].sort_by_key(|r| r.line);
            start += len;
        }
        for r in &records {
            if let Err(e) = out.write_all(render(r, marks).as_bytes()) {
                crate::check::exit_on_write_error(e);
            }
        }
        if let Err(e) = out.flush() {
            crate::check::exit_on_write_error(e);
        }
    }));
    let opts = RunOptions {
        check_sink: Some(CheckSink(Arc::new(|_| {}))),
        trace_sink: Some(printer),
        ..run_options(&cfg, Output::Check { diff: None })
    };
    let tally = crate::check_inputs(&cfg, &set, &a.inputs, &opts)?;
    for s in &tally.skipped {
        if !cfg.quiet {
            eprintln!("docclean: skipped: {}: {}", s.path, s.reason);
        }
    }
    for e in &tally.errors {
        eprintln!("docclean: error: {}: {}", e.path, e.message);
    }
    if !cfg.quiet {
        eprintln!(
            "{} document(s), {} would change",
            tally.documents, tally.changed_documents
        );
    }
    Ok(if tally.errors.is_empty() {
        Status::Done
    } else {
        Status::Failed
    })
}
