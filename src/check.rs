//! The `check` command (part of the binary, not the library): runs the
//! inputs in check mode, writes each document's findings to stdout as it is
//! made through an [`Emitter`], and picks the exit status: 1 when something
//! fails the check, 2 on errors or when nothing was checked.

use crate::explain::{use_color, TraceFile};
use crate::{finish_with, pool_and_rules, report_to_stdout_alone, run_options};
use crate::{Status, Summary};
use docclean::cli::CheckArgs;
use docclean::config::Config;
use docclean::findings::emit::{Emitter, Style};
use docclean::run::{CheckEntry, CheckSink, Output, RunOptions};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Write entries through the emitter as they come. A closed pipe ends the run quietly.
fn sink(emitter: Arc<Mutex<Emitter>>) -> CheckSink {
    CheckSink(Arc::new(move |entries: Vec<CheckEntry>| {
        let mut em = emitter.lock().unwrap_or_else(|e| e.into_inner());
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        if let Err(e) = em.entries(&mut out, &entries).and_then(|_| out.flush()) {
            exit_on_write_error(e);
        }
    }))
}

pub(crate) fn exit_on_write_error(e: std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    eprintln!("docclean: cannot write to stdout: {e}");
    std::process::exit(2);
}

pub fn check(a: CheckArgs) -> anyhow::Result<Status> {
    let cfg = Config::resolve(&a.common)?;
    let set = pool_and_rules(&cfg)?;
    let started = Instant::now();
    report_to_stdout_alone(&cfg, true)?;
    let style = Style {
        format: a.output_format.or(cfg.output_format).unwrap_or_default(),
        fail_on: a.fail_on.or(cfg.fail_on).unwrap_or_default(),
        color: use_color(a.color),
        quiet: cfg.quiet,
        diff: a.diff,
        statistics: a.statistics,
    };
    let emitter = Arc::new(Mutex::new(Emitter::new(style, &set)));
    let mut stdout = std::io::stdout();
    emitter.lock().unwrap().begin(&mut stdout)?;
    let trace = a.trace.as_deref().map(TraceFile::create).transpose()?;
    let opts = RunOptions {
        check_sink: Some(sink(emitter.clone())),
        trace_sink: trace.as_ref().map(|(sink, _)| sink.clone()),
        ..run_options(
            &cfg,
            Output::Check {
                diff: a.diff.then_some(a.diff_style),
            },
        )
    };
    let tally = crate::check_inputs(&cfg, &set, &a.inputs, &opts)?;
    if let Some((_, file)) = &trace {
        TraceFile::finish(file)?;
    }
    let mut em = emitter.lock().unwrap();
    if let Err(e) = em.end(&mut stdout).and_then(|_| stdout.flush()) {
        exit_on_write_error(e);
    }
    let summary = Summary::Check {
        findings: em.findings,
        failing: em.failing,
        documents: em.documents,
    };
    let report = finish_with(&cfg, &set, tally, started, Vec::new(), summary)?;
    if !report.errors.is_empty() {
        return Ok(Status::Failed);
    }
    if report.documents == 0 {
        eprintln!(
            "docclean: error: no documents were checked ({} file(s) read, {} skipped): give inputs that hold text (`docclean files` lists what is read)",
            report.files,
            report.skipped.len()
        );
        return Ok(Status::Failed);
    }
    Ok(if em.failing > 0 && !a.exit_zero {
        Status::Found
    } else {
        Status::Done
    })
}
