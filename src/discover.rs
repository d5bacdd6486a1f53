//! Inputs → a sorted list of work items, each with the path its output takes.
//! Directories are walked recursively without following symlinks; the output
//! directory is excluded when it lies inside an input. Collisions are usage errors.

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
}

#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("{0}: no such file or directory")]
    Missing(String),
    #[error("{a} and {b} would both be written to {rel}: give inputs whose relative paths differ")]
    Collision { a: String, b: String, rel: String },
    #[error("--out {0} is one of the inputs: choose an output directory outside the inputs, or use --in-place")]
    OutIsInput(String),
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Walk the inputs. `out` is skipped where it lies inside an input.
pub fn discover(inputs: &[PathBuf], out: Option<&Path>) -> Result<Discovered, DiscoverError> {
    let out_canon = out.map(canonical);
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
        let walker = WalkDir::new(input)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter();
        let mut it = walker;
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
                if let Some(oc) = &out_canon {
                    if entry.depth() > 0 && &canonical(entry.path()) == oc {
                        it.skip_current_dir();
                    }
                }
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
    }
    let mut seen: BTreeMap<&Path, &Path> = BTreeMap::new();
    for item in &found.items {
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
    // The same file named twice is processed once.
    found
        .items
        .sort_by(|a, b| a.rel.cmp(&b.rel).then(a.path.cmp(&b.path)));
    found.items.dedup_by(|a, b| a.rel == b.rel);
    Ok(found)
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
