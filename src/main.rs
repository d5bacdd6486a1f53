//! docclean: parse the command line → run the mode → exit status.
//! Exit codes: 0 finished (check: clean), 1 check found changes or a rule
//! example failed, 2 errors (usage, bad rules, unreadable inputs).

use clap::Parser;
mod check;
mod explain;
mod learning;
use learning::{learn_cmd, learn_rules};
mod reporting;
mod show;

use docclean::cli::{CleanArgs, Cli, Command, Common, LearnArgs, RulesAction};
use docclean::config::Config;
use docclean::discover::{discover, shard, WalkOptions, WorkItem};
use docclean::inplace::Backup;
use docclean::learn::{self, LearnOptions, LearnedLine};
use docclean::progress::Bar;
use docclean::report::{ErrorEntry, Report, Skipped, Tally, Timings};
use docclean::rules::{self, RuleSet, RuleSource};
use docclean::run::{self, Output, RunOptions};
use rayon::prelude::*;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

// Cleaning allocates and frees many short strings on every thread.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How a run ended, as the shell sees it (the README's exit-code table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// Finished; `check`: nothing would change.
    Done,
    /// `check`: something would change; `rules test`: an example failed.
    Found,
    /// An error: usage, a bad rule file, or a file that could not be processed.
    Failed,
}

impl Status {
    /// `Done`, or `Failed` when the run recorded errors.
    fn unless_errors(report: &Report) -> Status {
        if report.errors.is_empty() {
            Status::Done
        } else {
            Status::Failed
        }
    }
}

impl From<Status> for ExitCode {
    fn from(s: Status) -> ExitCode {
        ExitCode::from(match s {
            Status::Done => 0,
            Status::Found => 1,
            Status::Failed => 2,
        })
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Clean(a) => clean(a),
        Command::Check(a) => check::check(a),
        Command::Explain(a) => explain::explain(a),
        Command::Rules(a) => rules_cmd(a.action, &a.common),
        Command::Learn(a) => learn_cmd(a),
        Command::Files(a) => show::files(a),
        Command::Config(a) => show::config(&a.common),
        Command::Report(a) => reporting::report_cmd(a.action),
    };
    match result {
        Ok(status) => status.into(),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("docclean: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The thread pool of `-j`, then the rule set, whose rules compile on it
/// (built first, the set would start the pool at its default size).
pub(crate) fn pool_and_rules(cfg: &Config) -> anyhow::Result<RuleSet> {
    // A second call (tests in one process) keeps the first pool.
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.jobs)
        .build_global();
    cfg.rule_set()
}

/// Discover inputs and apply --shard; usage errors (missing input, collisions) come back as Err.
pub(crate) fn work_items(
    cfg: &Config,
    inputs: &[PathBuf],
    walk: WalkOptions,
) -> anyhow::Result<(Vec<WorkItem>, Tally, Vec<PathBuf>)> {
    let walk = WalkOptions {
        filters: cfg.walk.filters(),
        ..walk
    };
    let found = discover(inputs, walk)?;
    let mut pre = Tally::default();
    for (path, msg) in found.errors {
        pre.errors.push(ErrorEntry {
            path,
            message: format!("cannot read: {msg}"),
        });
    }
    for path in found.links {
        pre.skipped.push(Skipped {
            path,
            reason: "symbolic link (not followed)".into(),
        });
    }
    for (path, reason) in found.own_files {
        pre.skipped.push(Skipped { path, reason });
    }
    pre.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    let items = match cfg.shard {
        Some((k, n)) => shard(found.items, k, n),
        None => found.items,
    };
    Ok((items, pre, found.locks))
}

/// Files done and to do, for the message an interrupt prints.
static DONE: AtomicUsize = AtomicUsize::new(0);
static TOTAL: AtomicUsize = AtomicUsize::new(0);

/// Ctrl-C and SIGTERM: remove temporary files (and lock files), say what was
/// done, exit 130. Every output already renamed into place is complete; no
/// input is left half-written.
fn on_interrupt() {
    let _ = ctrlc::set_handler(|| {
        let removed = docclean::atomic::remove_live_files();
        eprintln!(
            "docclean: interrupted after {} of {} files; {removed} temporary file(s) removed; every file written is complete, the others are as they were",
            DONE.load(Ordering::SeqCst),
            TOTAL.load(Ordering::SeqCst)
        );
        std::process::exit(130);
    });
}

/// The directories an in-place run locks: each input directory, and the
/// directory of each input file.
fn lock_dirs(inputs: &[PathBuf]) -> Vec<PathBuf> {
    inputs
        .iter()
        .map(|p| {
            if p.is_dir() {
                p.clone()
            } else {
                p.parent()
                    .filter(|d| !d.as_os_str().is_empty())
                    .unwrap_or(Path::new("."))
                    .to_path_buf()
            }
        })
        .collect()
}

/// Run a check-style pass (`check`, `explain`) over the inputs, or stdin when
/// the one input is `-`: the tally of everything read.
pub(crate) fn check_inputs(
    cfg: &Config,
    set: &docclean::rules::RuleSet,
    inputs: &[std::path::PathBuf],
    opts: &RunOptions,
) -> anyhow::Result<docclean::report::Tally> {
    if inputs.len() == 1 && inputs[0].as_os_str() == "-" {
        return Ok(run::run_stdin(set, opts)?);
    }
    let (items, pre, _) = work_items(cfg, inputs, WalkOptions::default())?;
    let pb = progress(cfg, &items, "checking", 1, true);
    let t = run::run_items(set, &items, opts, &|| pb.file_done());
    pb.finish();
    Ok(pre.merge(t))
}

/// The progress bar of `passes` over `items` (only on a terminal, and not
/// for a small input); files done are shown where `per_file` (the caller
/// ticks each).
pub(crate) fn progress(
    cfg: &Config,
    items: &[WorkItem],
    label: &str,
    passes: u64,
    per_file: bool,
) -> Bar {
    let show = !cfg.quiet && std::io::stderr().is_terminal();
    let size = |i: &WorkItem| std::fs::metadata(&i.path).map_or(0, |m| m.len());
    let total = if show {
        items.iter().map(size).sum()
    } else {
        0
    };
    let show = show && (items.len() > 1 || total > 16 << 20);
    let files = if per_file { items.len() as u64 } else { 0 };
    // a compressed shard is counted as it decompresses: its total is not known
    use docclean::shard::{compression_of, Compression};
    let compressed = |i: &WorkItem| compression_of(&i.path) != Compression::None;
    let total = (!items.iter().any(compressed)).then_some(total * passes);
    Bar::new(label, total, files, show)
}

/// What a run says at its end on stderr, besides errors and warnings.
pub(crate) enum Summary {
    /// The table of rules and the totals.
    Table,
    /// `check`: the table (the totals line alone with `-q`) and what was found.
    Check {
        findings: u64,
        failing: u64,
        documents: u64,
    },
}

fn finish(
    cfg: &Config,
    set: &RuleSet,
    tally: Tally,
    started: Instant,
    learned: Vec<LearnedLine>,
) -> anyhow::Result<Report> {
    finish_with(cfg, set, tally, started, learned, Summary::Table)
}

/// Write the report (`--report`) and print the summary, errors and warnings.
pub(crate) fn finish_with(
    cfg: &Config,
    set: &RuleSet,
    tally: Tally,
    started: Instant,
    learned: Vec<LearnedLine>,
    summary: Summary,
) -> anyhow::Result<Report> {
    let wall = started.elapsed().as_secs_f64();
    let timings = Timings {
        wall_seconds: wall,
        input_bytes: tally.input_bytes,
        mb_per_second: tally.input_bytes as f64 / 1e6 / wall.max(1e-9),
        threads: cfg.jobs,
    };
    let mut report = tally.into_report(set, timings);
    report.boilerplate = learned;
    reporting::write_reports(cfg, &report)?;
    let table = report.table();
    match summary {
        Summary::Table if !cfg.quiet => eprint!("{table}"),
        Summary::Table => {}
        Summary::Check {
            findings,
            failing,
            documents,
        } => {
            if cfg.quiet {
                eprint!(
                    "{}",
                    table
                        .lines()
                        .last()
                        .map(|l| format!("{l}\n"))
                        .unwrap_or_default()
                );
            } else {
                eprint!("{table}");
            }
            eprintln!("{findings} finding(s) in {documents} document(s); {failing} fail the check");
        }
    }
    for e in &report.errors {
        eprintln!("docclean: error: {}: {}", e.path, e.message);
    }
    if !cfg.quiet {
        reporting::name_documents(&report);
        for w in report.warnings.iter().take(20) {
            match w.line {
                Some(l) => eprintln!("docclean: warning: {}:{}: {}", w.path, l, w.message),
                None => eprintln!("docclean: warning: {}: {}", w.path, w.message),
            }
        }
        if report.warnings.len() > 20 {
            eprintln!(
                "docclean: … and {} more warnings (see --report)",
                report.warnings.len() - 20
            );
        }
    }
    Ok(report)
}

pub(crate) fn run_options(cfg: &Config, output: Output) -> RunOptions {
    RunOptions {
        output,
        text_field: cfg.text_field.clone(),
        encoding: cfg.encoding,
        format: cfg.format,
        force_jsonl: cfg.jsonl,
        check_sink: None,
        compression_level: None,
        trace_sink: None,
    }
}

/// `--report -` shares stdout with nothing else.
pub(crate) fn report_to_stdout_alone(cfg: &Config, stdout_used: bool) -> anyhow::Result<()> {
    let dash = |p: &Option<PathBuf>| p.as_ref().is_some_and(|p| p.as_os_str() == "-");
    if stdout_used && (dash(&cfg.report) || dash(&cfg.report_html)) {
        anyhow::bail!("--report - writes the report to stdout, which this mode already writes to: give the report a file name");
    }
    if dash(&cfg.report) && dash(&cfg.report_html) {
        anyhow::bail!("--report - and --report-html - would both write to stdout: give one of them a file name");
    }
    Ok(())
}

/// Where `clean` writes, from its flags.
fn clean_output(a: &CleanArgs) -> anyhow::Result<Output> {
    if let Some(suffix) = &a.backup {
        if suffix.is_empty() || suffix.contains('/') {
            anyhow::bail!("--backup takes a suffix such as .orig (not empty, no /): it is appended to each file name");
        }
    }
    Ok(match (&a.out, a.in_place) {
        (Some(dir), false) => Output::Dir(dir.clone()),
        (None, true) => Output::InPlace {
            backup: a.backup.clone().map(|suffix| Backup {
                suffix,
                overwrite: a.overwrite_backup,
            }),
        },
        _ => anyhow::bail!(
            "say where the cleaned text goes: --out DIR, or --in-place to replace the inputs"
        ),
    })
}

fn clean(a: CleanArgs) -> anyhow::Result<Status> {
    let cfg = Config::resolve(&a.common)?;
    report_to_stdout_alone(&cfg, false)?;
    let mut set = pool_and_rules(&cfg)?;
    let started = Instant::now();
    let trace = a
        .trace
        .as_deref()
        .map(explain::TraceFile::create)
        .transpose()?;
    let trace_sink = trace.as_ref().map(|(sink, _)| sink.clone());
    if a.inputs.len() == 1 && a.inputs[0].as_os_str() == "-" {
        report_to_stdout_alone(&cfg, true)?;
        let opts = RunOptions {
            trace_sink,
            ..run_options(&cfg, Output::Stdout)
        };
        let tally = run::run_stdin(&set, &opts)?;
        if let Some((_, file)) = &trace {
            explain::TraceFile::finish(file)?;
        }
        let report = finish(&cfg, &set, tally, started, Vec::new())?;
        return Ok(Status::unless_errors(&report));
    }
    if a.inputs.iter().any(|p| p.as_os_str() == "-") {
        anyhow::bail!("`-` (stdin) cannot be mixed with other inputs");
    }
    let output = clean_output(&a)?;
    let walk = WalkOptions {
        out: a.out.as_deref(),
        backup_suffix: a.backup.as_deref(),
        sweep: true,
        ..WalkOptions::default()
    };
    let (items, pre, locks) = work_items(&cfg, &a.inputs, walk)?;
    let _lock = match &output {
        Output::InPlace { .. } => Some(
            docclean::lock::RunLock::acquire(&lock_dirs(&a.inputs), &locks)
                .map_err(|e| anyhow::anyhow!(e))?,
        ),
        _ => None,
    };
    on_interrupt();
    let opts = RunOptions {
        compression_level: a.compression_level,
        trace_sink,
        ..run_options(&cfg, output)
    };
    let mut learned = Vec::new();
    if a.learn {
        let learn_opts = LearnOptions {
            min_documents: a.learn_min_documents,
            ..LearnOptions::default()
        };
        let pb = progress(&cfg, &items, "learning boilerplate", 2, false);
        let (lines, docs) = learn_rules(&set, &items, &learn_opts, &opts);
        pb.finish();
        if !cfg.quiet {
            eprint!(
                "learned {} line(s) from {docs} documents\n{}",
                lines.len(),
                learn::summary(&lines)
            );
        }
        if !lines.is_empty() {
            let text = learn::to_rule_file(&lines, docs);
            let mut sources = rules::load_sources(&cfg.rule_paths, cfg.defaults)?;
            sources.push(RuleSource {
                path: "<learned>".into(),
                text,
            });
            set = rules::build(&sources, &cfg.selection)?;
        }
        learned = lines;
    }
    TOTAL.store(items.len(), Ordering::SeqCst);
    let pb = progress(&cfg, &items, "cleaning", 1, true);
    let tally = run::run_items(&set, &items, &opts, &|| {
        DONE.fetch_add(1, Ordering::SeqCst);
        pb.file_done()
    });
    pb.finish();
    if let Some((_, file)) = &trace {
        explain::TraceFile::finish(file)?;
    }
    let report = finish(&cfg, &set, pre.merge(tally), started, learned)?;
    Ok(Status::unless_errors(&report))
}

fn rules_cmd(action: Option<RulesAction>, common: &Common) -> anyhow::Result<Status> {
    let mut cfg = Config::resolve(common)?;
    match action {
        None => {
            let set = cfg.rule_set()?;
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            let w = set.rules.iter().map(|r| r.id.len()).max().unwrap_or(4);
            for r in &set.rules {
                let action = if r.action == rules::Action::Report {
                    " (report only)"
                } else {
                    ""
                };
                writeln!(
                    out,
                    "{:<w$}  {:<11}  {}{action}",
                    r.id,
                    r.stage.name(),
                    r.description
                )?;
            }
            Ok(Status::Done)
        }
        Some(RulesAction::Show { id }) => {
            let sources = rules::load_sources(&cfg.rule_paths, cfg.defaults)?;
            let sources = rules::overrides::with_overrides(&sources)?;
            let Some((path, line, text)) = rules::source_text::rule_text(&sources, &id) else {
                anyhow::bail!("no rule `{id}` in the rules loaded (`docclean rules` lists them)");
            };
            write!(std::io::stdout().lock(), "# {path}:{line}\n{text}")?;
            Ok(Status::Done)
        }
        Some(RulesAction::Kinds) => {
            print!("{}", rules::kinds::markdown_table());
            Ok(Status::Done)
        }
        Some(RulesAction::Test { paths }) => {
            cfg.rule_paths.extend(paths);
            let set = cfg.rule_set()?;
            let (passed, failures) = rules::test_examples(&set);
            for f in &failures {
                eprintln!(
                    "FAIL {} ({}): {}\n  input:    {:?}\n  expected: {:?}\n  got:      {:?}",
                    f.rule, f.source, f.why, f.input, f.expected, f.got
                );
            }
            println!("rule examples: {passed} passed, {} failed", failures.len());
            Ok(if failures.is_empty() {
                Status::Done
            } else {
                Status::Found
            })
        }
    }
}
