//! Inputs → a sorted list of work items, each with the path its output takes.
//! Directories are walked with ripgrep's walker (the `ignore` crate): hidden
//! files and version-control folders are skipped, `.gitignore` and `.ignore`
//! respected, `--exclude`/`--glob` applied, symbolic links followed only with
//! `--follow`. A file named as an input is always read. docclean's own files
//! (temporary files, lock files, backups) are never documents. Collisions,
//! and outputs that would land on inputs, are usage errors.

mod outputs;

use ignore::overrides::{Override, OverrideBuilder};
use ignore::WalkBuilder;
use outputs::{canonical, check_collisions, check_outputs, holds_files, resolved, sort_items};
use outputs::{OutDir, Resolver};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkItem {
    /// Where to read.
    pub path: PathBuf,
    /// Where it lands, relative to the output directory.
    pub rel: PathBuf,
}

impl WorkItem {
    pub fn display(&self) -> String {
        self.path.display().to_string()
    }
}

/// What walking found besides documents.
#[derive(Debug, Default)]
pub struct Discovered {
    pub items: Vec<WorkItem>,
    /// Paths that could not be walked (permission denied…), with the reason.
    pub errors: Vec<(String, String)>,
    /// Symbolic links, which are not followed.
    pub links: Vec<String>,
    /// docclean's own files met on the way, with why they are not documents.
    pub own_files: Vec<(String, String)>,
    /// Lock files of in-place runs inside the inputs (canonical paths).
    pub locks: Vec<PathBuf>,
}

/// How to walk.
#[derive(Debug, Default, Clone, Copy)]
pub struct WalkOptions<'a> {
    /// The output directory: skipped inside an input, never an input's place.
    pub out: Option<&'a Path>,
    /// Backups end with this (`--in-place --backup`): never documents.
    pub backup_suffix: Option<&'a str>,
    /// Remove temporary files left by runs that were killed.
    pub sweep: bool,
    /// Which files a directory walk reads.
    pub filters: Filters<'a>,
}

/// Which files a directory walk reads, the way ripgrep and ruff choose them.
#[derive(Debug, Default, Clone, Copy)]
pub struct Filters<'a> {
    /// Read hidden files and folders too (`.git` and the like stay skipped).
    pub hidden: bool,
    /// Do not respect `.gitignore`, `.ignore` and git's global excludes.
    pub no_ignore: bool,
    /// Follow symbolic links (loops are errors).
    pub follow: bool,
    /// Globs of paths to leave out (gitignore syntax, relative to each input).
    pub exclude: &'a [String],
    /// Globs of paths to read; `!GLOB` leaves out (ripgrep's `--glob`).
    pub glob: &'a [String],
}

/// Version-control folders: never walked, even with `--hidden`.
const VCS_DIRS: [&str; 4] = [".git", ".hg", ".svn", ".jj"];

#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("{0}: no such file or directory")]
    Missing(String),
    #[error("{a} and {b} would both be written to {rel}: give inputs whose relative paths differ")]
    Collision { a: String, b: String, rel: String },
    #[error("--out {0} is one of the inputs: choose an output directory outside the inputs, or use --in-place")]
    OutIsInput(String),
    #[error("--out {0} is a file, not a directory: choose a directory for the cleaned tree")]
    OutIsFile(String),
    #[error("--out {out} lies inside the input {input} and already holds files: they would be left out of the run and may be overwritten; choose an output directory outside the inputs")]
    OutInsideInput { out: String, input: String },
    #[error("cleaning {input} would write over it (its output is {output}): choose an output directory that holds no input")]
    WouldOverwrite { input: String, output: String },
    #[error("--exclude/--glob {glob}: {message}")]
    BadGlob { glob: String, message: String },
}

/// Walk the inputs. `out` is skipped where it lies inside an input.
pub fn discover(inputs: &[PathBuf], opts: WalkOptions) -> Result<Discovered, DiscoverError> {
    let out_canon = opts.out.map(resolved);
    if let Some(out) = opts.out {
        if out.is_file() {
            return Err(DiscoverError::OutIsFile(out.display().to_string()));
        }
    }
    let out_dir = OutDir::of(out_canon.as_deref(), opts.filters.follow);
    let mut resolver = Resolver::default();
    let mut found = Discovered::default();
    for input in inputs {
        let meta = std::fs::symlink_metadata(input)
            .map_err(|_| DiscoverError::Missing(input.display().to_string()))?;
        let resolved = out_canon.as_ref().map(|_| canonical(input));
        if resolved.is_some() && resolved == out_canon {
            return Err(DiscoverError::OutIsInput(input.display().to_string()));
        }
        if meta.is_file() || (meta.file_type().is_symlink() && input.is_file()) {
            resolver.files.insert(input.clone());
            if let Some(why) = own_file(input, opts, &mut found) {
                found.own_files.push((input.display().to_string(), why));
                continue;
            }
            let name = input
                .file_name()
                .map(PathBuf::from)
                .unwrap_or_else(|| input.clone());
            found.items.push(WorkItem {
                path: input.clone(),
                rel: name,
            });
            continue;
        }
        if let (Some(resolved), false) = (resolved, opts.filters.follow) {
            resolver.roots.push((input.clone(), resolved));
        }
        walk_dir(
            input,
            out_canon.as_deref().map(|oc| (oc, out_dir)),
            opts,
            &mut found,
        )?;
    }
    sort_items(&mut found.items);
    check_collisions(&found.items)?;
    // The same file named twice is processed once.
    found.items.dedup_by(|a, b| a.rel == b.rel);
    if let (Some(out), Some(oc)) = (opts.out, &out_canon) {
        check_outputs(&found.items, out, oc, &resolver)?;
    }
    Ok(found)
}

/// The `--exclude` and `--glob` globs as one override list rooted at `input`.
fn overrides(input: &Path, filters: Filters) -> Result<Override, DiscoverError> {
    let mut b = OverrideBuilder::new(input);
    let lines = filters
        .glob
        .iter()
        .cloned()
        .chain(filters.exclude.iter().map(|g| format!("!{g}")));
    for line in lines {
        b.add(&line).map_err(|e| DiscoverError::BadGlob {
            glob: line.clone(),
            message: e.to_string(),
        })?;
    }
    b.build().map_err(|e| DiscoverError::BadGlob {
        glob: String::new(),
        message: e.to_string(),
    })
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.as_encoded_bytes().first() == Some(&b'.')
}

fn is_vcs_dir(name: &std::ffi::OsStr) -> bool {
    VCS_DIRS.iter().any(|d| name == *d)
}

/// The walker for one input directory. Hidden files are let through (a
/// lock or temporary file of docclean's own must be seen); hidden folders,
/// unless asked for, and version-control folders are not walked.
fn walker(input: &Path, filters: Filters, standard: bool) -> Result<ignore::Walk, DiscoverError> {
    let mut b = WalkBuilder::new(input);
    b.standard_filters(standard && !filters.no_ignore)
        .hidden(false)
        .require_git(false)
        .follow_links(filters.follow);
    if standard {
        b.overrides(overrides(input, filters)?);
        let hidden = filters.hidden;
        b.filter_entry(move |e| {
            let dir = e.file_type().is_some_and(|t| t.is_dir());
            !(dir && (is_vcs_dir(e.file_name()) || (!hidden && is_hidden(e.file_name()))))
        });
    }
    Ok(b.build())
}

/// Walk one input directory into `found`.
fn walk_dir(
    input: &Path,
    out_canon: Option<(&Path, OutDir<'_>)>,
    opts: WalkOptions,
    found: &mut Discovered,
) -> Result<(), DiscoverError> {
    // The walk goes in directory order (sorting each folder's names costs
    // more than the walk); what it finds is put in path order after it.
    let marks = (
        found.errors.len(),
        found.links.len(),
        found.own_files.len(),
        found.locks.len(),
    );
    for entry in walker(input, opts.filters, true)? {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                found.errors.push(walk_error(input, &e));
                continue;
            }
        };
        let Some(ft) = entry.file_type() else {
            continue; // stdin, which a walk never yields
        };
        if ft.is_dir() {
            if let Some((oc, out_dir)) = out_canon {
                if entry.depth() > 0
                    && out_dir.may_be(&entry)
                    && canonical(entry.path()) == oc
                    && holds_files(entry.path())
                {
                    return Err(DiscoverError::OutInsideInput {
                        out: entry.path().display().to_string(),
                        input: input.display().to_string(),
                    });
                }
            }
            continue;
        }
        if let Some(why) = own_file(entry.path(), opts, found) {
            found
                .own_files
                .push((entry.path().display().to_string(), why));
            continue;
        }
        if !opts.filters.hidden && is_hidden(entry.file_name()) {
            continue;
        }
        if ft.is_symlink() {
            found.links.push(entry.path().display().to_string());
            continue;
        }
        if !ft.is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(input)
            .unwrap_or(entry.path())
            .to_path_buf();
        found.items.push(WorkItem {
            path: entry.path().to_path_buf(),
            rel,
        });
    }
    found.errors[marks.0..].sort();
    found.links[marks.1..].sort();
    found.own_files[marks.2..].sort();
    found.locks[marks.3..].sort();
    Ok(())
}

/// A walk error as (path, reason).
fn walk_error(input: &Path, e: &ignore::Error) -> (String, String) {
    let mut path = None;
    let mut err = e;
    loop {
        match err {
            ignore::Error::WithPath {
                path: p,
                err: inner,
            } => {
                path.get_or_insert_with(|| p.display().to_string());
                err = inner;
            }
            ignore::Error::WithDepth { err: inner, .. }
            | ignore::Error::WithLineNumber { err: inner, .. } => err = inner,
            ignore::Error::Loop { child, .. } => {
                return (
                    child.display().to_string(),
                    "symbolic link loop (not followed)".into(),
                )
            }
            _ => break,
        }
    }
    let path = path.unwrap_or_else(|| input.display().to_string());
    let reason = match err {
        ignore::Error::Io(io) => io.to_string(),
        other => other.to_string(),
    };
    (path, reason)
}

/// What the walk of the input directories leaves out, and why: each hidden,
/// ignored or excluded file, and each such folder once (its contents unwalked).
/// For `docclean files`; a run does not list these.
pub fn filtered_out(
    inputs: &[PathBuf],
    opts: WalkOptions,
) -> Result<Vec<(String, String)>, DiscoverError> {
    let mut out = Vec::new();
    for input in inputs.iter().filter(|p| p.is_dir()) {
        let mut kept = HashSet::new();
        for entry in walker(input, opts.filters, true)?.flatten() {
            let hidden_file = !opts.filters.hidden
                && is_hidden(entry.file_name())
                && !entry.file_type().is_some_and(|t| t.is_dir());
            if !hidden_file {
                kept.insert(entry.path().to_path_buf());
            }
        }
        let ov = overrides(input, opts.filters)?;
        let mut it = WalkDir::new(input)
            .follow_links(opts.filters.follow)
            .sort_by_file_name()
            .into_iter();
        while let Some(Ok(entry)) = it.next() {
            if kept.contains(entry.path()) {
                continue;
            }
            let dir = entry.file_type().is_dir();
            let name = entry.file_name();
            let reason = if is_vcs_dir(name) {
                "version-control folder"
            } else if own_file_name(name) {
                continue; // listed as docclean's own file
            } else if is_hidden(name) {
                "hidden (--hidden reads it)"
            } else if ov.matched(entry.path(), dir).is_ignore() {
                "excluded by --exclude/--glob"
            } else {
                "ignored by .gitignore, .ignore or git's excludes (--no-ignore reads it)"
            };
            out.push((entry.path().display().to_string(), reason.to_owned()));
            if dir {
                it.skip_current_dir();
            }
        }
    }
    Ok(out)
}

/// Whether a name is one of docclean's lock or temporary files.
fn own_file_name(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|n| n == crate::lock::LOCK_NAME || crate::atomic::temp_owner(n).is_some())
}

/// Why `path` is one of docclean's own files and not a document, if it is.
/// Temporary files whose run is gone are removed when sweeping.
fn own_file(path: &Path, opts: WalkOptions, found: &mut Discovered) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    if name == crate::lock::LOCK_NAME {
        found.locks.push(canonical(path));
        return Some("docclean lock file".into());
    }
    if let Some(pid) = crate::atomic::temp_owner(name) {
        let gone = crate::atomic::owner_is_gone(pid);
        if gone && opts.sweep && std::fs::remove_file(path).is_ok() {
            return Some("docclean temporary file left by an interrupted run: removed".into());
        }
        return Some("docclean temporary file".into());
    }
    match opts.backup_suffix {
        Some(suffix) if name.ends_with(suffix) => Some(format!("backup (ends in {suffix})")),
        _ => None,
    }
}

/// Keep the items of shard `k` of `n` (1-based), by a stable hash of the relative path.
pub fn shard(items: Vec<WorkItem>, k: usize, n: usize) -> Vec<WorkItem> {
    items
        .into_iter()
        .filter(|it| {
            let h = it
                .rel
                .to_string_lossy()
                .bytes()
                .fold(0xcbf29ce484222325u64, |h, b| {
                    (h ^ b as u64).wrapping_mul(0x100000001b3)
                });
            (h % n as u64) as usize == k - 1
        })
        .collect()
}
