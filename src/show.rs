//! `docclean files`: what a run would read and what it would skip, with
//! why (part of the binary, not the library).

use crate::{work_items, Status};
use docclean::cli::FilesArgs;
use docclean::config::Config;
use docclean::discover::{filtered_out, WalkOptions};
use std::io::Write;

/// Files to read on stdout, one a line (as `rg --files`); what is skipped on
/// stderr as `path: reason`, sorted by path. Content is not read: a file
/// found empty or binary when read is skipped then.
pub fn files(a: FilesArgs) -> anyhow::Result<Status> {
    let cfg = Config::resolve(&a.common)?;
    let (items, pre, _) = work_items(&cfg, &a.inputs, WalkOptions::default())?;
    let mut skipped: Vec<(String, String)> = pre
        .skipped
        .into_iter()
        .map(|s| (s.path, s.reason))
        .collect();
    let walk = WalkOptions {
        filters: cfg.walk.filters(),
        ..WalkOptions::default()
    };
    skipped.extend(filtered_out(&a.inputs, walk)?);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut reading = 0;
    for item in &items {
        let shard = cfg.jsonl || docclean::shard::is_jsonl(&item.path);
        let why = if shard {
            None
        } else if let Some(why) = docclean::shard::compressed_not_shard(&item.path) {
            Some(why)
        } else {
            std::fs::metadata(&item.path)
                .is_ok_and(|m| m.len() == 0)
                .then(|| "empty file".to_owned())
        };
        match why {
            Some(why) => skipped.push((item.display(), why)),
            None => {
                reading += 1;
                writeln!(out, "{}", item.display())?
            }
        }
    }
    out.flush()?;
    skipped.sort();
    if !cfg.quiet {
        for (path, reason) in &skipped {
            eprintln!("{path}: {reason}");
        }
        eprintln!("{reading} to read, {} skipped", skipped.len());
    }
    for e in &pre.errors {
        eprintln!("docclean: error: {}: {}", e.path, e.message);
    }
    Ok(if pre.errors.is_empty() {
        Status::Done
    } else {
        Status::Failed
    })
}

/// `docclean config`: the settings in effect, one a line in settings-file
/// syntax, each with where it came from, after the file they were read from.
pub fn config(common: &docclean::cli::Common) -> anyhow::Result<Status> {
    let cfg = Config::resolve(common)?;
    let file = docclean::config::settings_file(common)?
        .map(|(_, f)| f)
        .unwrap_or_default();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match &cfg.settings_file {
        Some(p) => {
            let shown = std::path::absolute(p).unwrap_or_else(|_| p.clone());
            writeln!(out, "# settings file: {}", shown.display())?
        }
        None if common.isolated => writeln!(out, "# settings file: none (--isolated)")?,
        None => writeln!(
            out,
            "# settings file: none (no docclean.toml, nor pyproject.toml with [tool.docclean], from here up)"
        )?,
    }
    let rows: Vec<(String, &str)> = cfg
        .shown(common, &file)
        .into_iter()
        .map(|s| {
            let line = match s.value {
                Some(v) => format!("{} = {v}", s.key),
                None => format!("# {} is not set", s.key),
            };
            (line, s.origin)
        })
        .collect();
    let width = rows
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    for (line, origin) in rows {
        let pad = width - line.chars().count();
        writeln!(out, "{line}{:pad$}  # {origin}", "")?;
    }
    Ok(Status::Done)
}
