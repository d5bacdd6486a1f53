//! Reports out of a run: the JSON report (`--report`), the HTML page
//! (`--report-html`), the documents the terminal names, and the `report`
//! subcommands over saved reports (part of the binary, not the library).

use crate::Status;
use docclean::cli::ReportAction;
use docclean::config::Config;
use docclean::report::{html, Report, NAMED_ON_TERMINAL};
use std::path::{Path, PathBuf};

/// Write the report where `--report` and `--report-html` say.
pub(crate) fn write_reports(cfg: &Config, report: &Report) -> anyhow::Result<()> {
    if let Some(path) = &cfg.report {
        let json = serde_json::to_string_pretty(report)?;
        docclean::atomic::write_user_file(path, format!("{json}\n").as_bytes())
            .map_err(|e| anyhow::anyhow!("report: {e}"))?;
    }
    if let Some(path) = &cfg.report_html {
        docclean::atomic::write_user_file(path, html::render(report).as_bytes())
            .map_err(|e| anyhow::anyhow!("--report-html: {e}"))?;
    }
    Ok(())
}

/// The first few of a list on stderr, then how many more.
fn first_few(lines: impl Iterator<Item = String>, total: u64, what: &str) {
    let mut shown = 0u64;
    for line in lines.take(NAMED_ON_TERMINAL) {
        eprintln!("docclean: {line}");
        shown += 1;
    }
    if total > shown {
        eprintln!(
            "docclean: … and {} more {what} (see --report)",
            total - shown
        );
    }
}

/// The first files not in UTF-8, skipped and emptied documents, and how
/// many more of each (the report lists them all).
pub(crate) fn name_documents(report: &Report) {
    let omitted = |list: &str| report.omitted.get(list).copied().unwrap_or(0);
    first_few(
        report
            .file_encodings
            .iter()
            .map(|f| format!("encoding: {}: {} ({})", f.path, f.encoding, f.evidence)),
        report.file_encodings.len() as u64 + omitted("file_encodings"),
        "files not in UTF-8",
    );
    first_few(
        report
            .skipped
            .iter()
            .map(|s| format!("skipped: {}: {}", s.path, s.reason)),
        report.skipped.len() as u64 + omitted("skipped"),
        "skipped",
    );
    first_few(
        report
            .emptied
            .iter()
            .map(|p| format!("emptied: {p}: cleaning left no text")),
        report.emptied_documents,
        "emptied",
    );
}

/// `docclean report merge` and `docclean report html`.
pub(crate) fn report_cmd(action: ReportAction) -> anyhow::Result<Status> {
    match action {
        ReportAction::Merge { reports } => {
            let reports = reports
                .iter()
                .map(|p| read_report(p))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let merged = Report::merge(reports)?;
            println!("{}", serde_json::to_string_pretty(&merged)?);
        }
        ReportAction::Html { report, output } => {
            let page = html::render(&read_report(&report)?);
            let dest = output.unwrap_or_else(|| PathBuf::from("-"));
            docclean::atomic::write_user_file(&dest, page.as_bytes())
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    Ok(Status::Done)
}

fn read_report(p: &Path) -> anyhow::Result<Report> {
    let text = if p.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(p)
    }
    .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{}: not a docclean report: {e}", p.display()))
}
