//! Inputs → a sorted list of work items, each with the path its output takes.
//! Directories are walked recursively without following symlinks. docclean's
//! own files (temporary files, lock files, backups) are never documents.
//! Collisions, and outputs that would land on inputs, are usage errors.

use std::collections::BTreeMap;
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
}

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
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Where a path that may not exist yet will be once its directories are
/// made: its longest existing ancestor resolved, the rest (`..` included)
/// applied to it, as creating the directories would.
fn resolved(p: &Path) -> PathBuf {
    let absolute = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let mut base = absolute.as_path();
    let mut rest = Vec::new();
    while !base.exists() {
        let (Some(parent), Some(name)) = (base.parent(), base.components().next_back()) else {
            return absolute;
        };
        rest.push(name);
        base = parent;
    }
    let mut out = canonical(base);
    for c in rest.into_iter().rev() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Walk the inputs. `out` is skipped where it lies inside an input.
pub fn discover(inputs: &[PathBuf], opts: WalkOptions) -> Result<Discovered, DiscoverError> {
    let out_canon = opts.out.map(resolved);
    if let Some(out) = opts.out {
        if out.is_file() {
            return Err(DiscoverError::OutIsFile(out.display().to_string()));
        }
    }
    let mut found = Discovered::default();
    for input in inputs {
        let meta = std::fs::symlink_metadata(input)
            .map_err(|_| DiscoverError::Missing(input.display().to_string()))?;
        if let Some(oc) = &out_canon {
            if &canonical(input) == oc {
                return Err(DiscoverError::OutIsInput(input.display().to_string()));
            }
        }
        if meta.is_file() || (meta.file_type().is_symlink() && input.is_file()) {
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
        walk_dir(input, out_canon.as_deref(), opts, &mut found)?;
    }
    check_collisions(&found.items)?;
    // The same file named twice is processed once.
    found
        .items
        .sort_by(|a, b| a.rel.cmp(&b.rel).then(a.path.cmp(&b.path)));
    found.items.dedup_by(|a, b| a.rel == b.rel);
    if let (Some(out), Some(oc)) = (opts.out, &out_canon) {
        check_outputs(&found.items, out, oc)?;
    }
    Ok(found)
}

/// Walk one input directory into `found`.
fn walk_dir(
    input: &Path,
    out_canon: Option<&Path>,
    opts: WalkOptions,
    found: &mut Discovered,
) -> Result<(), DiscoverError> {
    let mut it = WalkDir::new(input)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = it.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let p = e
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| input.display().to_string());
                found.errors.push((
                    p,
                    e.io_error()
                        .map(|io| io.to_string())
                        .unwrap_or_else(|| e.to_string()),
                ));
                continue;
            }
        };
        let ft = entry.file_type();
        if ft.is_dir() {
            if let Some(oc) = out_canon {
                if entry.depth() > 0 && canonical(entry.path()) == oc {
                    if holds_files(entry.path()) {
                        return Err(DiscoverError::OutInsideInput {
                            out: entry.path().display().to_string(),
                            input: input.display().to_string(),
                        });
                    }
                    it.skip_current_dir();
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
    Ok(())
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

/// Whether a directory holds any file, at any depth.
fn holds_files(dir: &Path) -> bool {
    WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .any(|e| !e.file_type().is_dir())
}

fn check_collisions(items: &[WorkItem]) -> Result<(), DiscoverError> {
    let mut seen: BTreeMap<&Path, &Path> = BTreeMap::new();
    for item in items {
        if let Some(prev) = seen.insert(&item.rel, &item.path) {
            if canonical(prev) != canonical(&item.path) {
                return Err(DiscoverError::Collision {
                    a: prev.display().to_string(),
                    b: item.path.display().to_string(),
                    rel: item.rel.display().to_string(),
                });
            }
        }
    }
    Ok(())
}

/// No output may be written over an input: compared by resolved path, and by
/// file identity where the output exists. Only outputs that can meet an input
/// are looked at (the output tree overlaps an input's directory).
fn check_outputs(items: &[WorkItem], out: &Path, out_canon: &Path) -> Result<(), DiscoverError> {
    let overlaps = |item: &WorkItem| {
        let dir = canonical(item.path.parent().unwrap_or(Path::new(".")));
        dir.starts_with(out_canon) || out_canon.starts_with(&dir)
    };
    if !items.iter().any(overlaps) {
        return Ok(());
    }
    let mut identities = std::collections::HashMap::new();
    for item in items {
        if let Some(id) = identity(&item.path) {
            identities.insert(id, item);
        }
    }
    for item in items {
        let output = out_canon.join(&item.rel);
        let same_path = canonical(&output) == canonical(&item.path);
        let clash = if same_path {
            Some(item)
        } else {
            identity(&output).and_then(|id| identities.get(&id).copied())
        };
        if let Some(input) = clash {
            return Err(DiscoverError::WouldOverwrite {
                input: input.path.display().to_string(),
                output: out.join(&item.rel).display().to_string(),
            });
        }
    }
    Ok(())
}

#[cfg(unix)]
fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn identity(path: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(path).ok()
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
