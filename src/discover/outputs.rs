//! The checks that keep outputs off inputs, and the path arithmetic they
//! need: paths resolved (links, `..`), the output directory recognised in a
//! walk, two inputs bound for one output, an output that is an input.

use super::{DiscoverError, WorkItem};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

pub(super) fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The resolved paths of the folders items are in, without resolving each
/// one (a lookup per path component) where the walk is known: a walk that
/// follows no links yields files in real folders under its root, so such a
/// folder resolves to the root's resolved path joined with the rest.
#[derive(Default)]
pub(super) struct Resolver {
    /// Roots of walks that follow no links: as given, and resolved.
    pub(super) roots: Vec<(PathBuf, PathBuf)>,
    /// Files named as inputs, whose folders are resolved as they are.
    pub(super) files: HashSet<PathBuf>,
}

impl Resolver {
    pub(super) fn folder(&self, item: &WorkItem) -> PathBuf {
        let parent = item.path.parent().unwrap_or(Path::new("."));
        if self.files.contains(&item.path) {
            return canonical(parent);
        }
        // The innermost root: an outer walk does not enter a linked folder
        // that is itself an input.
        let root = self
            .roots
            .iter()
            .filter_map(|(given, resolved)| Some((parent.strip_prefix(given).ok()?, resolved)))
            .min_by_key(|(rest, _)| rest.components().count());
        match root {
            Some((rest, resolved)) if rest.as_os_str().is_empty() => resolved.clone(),
            Some((rest, resolved)) => resolved.join(rest),
            None => canonical(parent),
        }
    }
}

/// What a walk knows of the output directory before it resolves a folder's
/// path to compare it: that no folder can be it (it does not exist yet), or,
/// in a walk that follows no links, the one name it can have (a real
/// folder's name is the last component of its resolved path).
#[derive(Clone, Copy)]
pub(super) enum OutDir<'a> {
    Absent,
    Named(&'a std::ffi::OsStr),
    Unknown,
}

impl<'a> OutDir<'a> {
    /// `out_canon`: the output directory resolved.
    pub(super) fn of(out_canon: Option<&'a Path>, follow: bool) -> OutDir<'a> {
        match out_canon {
            Some(oc) if oc.is_dir() => match oc.file_name() {
                Some(name) if !follow => OutDir::Named(name),
                _ => OutDir::Unknown,
            },
            _ => OutDir::Absent,
        }
    }

    /// Whether the folder met in a walk may be the output directory.
    pub(super) fn may_be(self, entry: &ignore::DirEntry) -> bool {
        match self {
            OutDir::Absent => false,
            OutDir::Named(name) => entry.file_name() == name,
            OutDir::Unknown => true,
        }
    }
}

/// Where a path that may not exist yet will be once its directories are
/// made: its longest existing ancestor resolved, the rest (`..` included)
/// applied to it, as creating the directories would.
pub(super) fn resolved(p: &Path) -> PathBuf {
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

/// Whether a directory holds any file, at any depth.
pub(super) fn holds_files(dir: &Path) -> bool {
    WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .any(|e| !e.file_type().is_dir())
}

/// Sort items by output path, then input path, as `Path` orders them. `Path`
/// compares component by component, splitting both paths at each comparison,
/// which made sorting a large tree cost more than walking it. Here each
/// output path becomes a key once: its names joined by a NUL, which no name
/// holds, so the keys' byte order is the components' order. Output paths are
/// names alone (a walk's relative paths, a file's name); any that is not is
/// sorted by `Path` itself.
pub(super) fn sort_items(items: &mut [WorkItem]) {
    if items.iter().all(|i| order_key(&i.rel).is_some()) {
        items.sort_by_cached_key(|i| (order_key(&i.rel), i.path.clone()));
    } else {
        items.sort_by(|a, b| a.rel.cmp(&b.rel).then(a.path.cmp(&b.path)));
    }
}

/// `rel`'s names joined by NUL; `None` if a component is not a name (`..`, a root).
fn order_key(rel: &Path) -> Option<Vec<u8>> {
    let mut key = Vec::with_capacity(rel.as_os_str().len());
    for (i, c) in rel.components().enumerate() {
        let std::path::Component::Normal(name) = c else {
            return None;
        };
        if i > 0 {
            key.push(0);
        }
        key.extend_from_slice(name.as_encoded_bytes());
    }
    Some(key)
}

/// Items sorted by output path: two of the same output path must be the same file.
pub(super) fn check_collisions(items: &[WorkItem]) -> Result<(), DiscoverError> {
    for pair in items.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if a.rel == b.rel && canonical(&a.path) != canonical(&b.path) {
            return Err(DiscoverError::Collision {
                a: a.path.display().to_string(),
                b: b.path.display().to_string(),
                rel: b.rel.display().to_string(),
            });
        }
    }
    Ok(())
}

/// No output may be written over an input: compared by resolved path, and by
/// file identity where the output exists. Only outputs that can meet an input
/// are looked at (the output tree overlaps an input's directory).
pub(super) fn check_outputs(
    items: &[WorkItem],
    out: &Path,
    out_canon: &Path,
    resolver: &Resolver,
) -> Result<(), DiscoverError> {
    // items come folder by folder: each folder is resolved once
    let mut last: Option<(&Path, bool)> = None;
    let mut any_overlap = false;
    for item in items {
        let parent = item.path.parent().unwrap_or(Path::new("."));
        let overlaps = match last {
            Some((p, o)) if p == parent => o,
            _ => {
                let dir = resolver.folder(item);
                dir.starts_with(out_canon) || out_canon.starts_with(&dir)
            }
        };
        last = Some((parent, overlaps));
        if overlaps {
            any_overlap = true;
            break;
        }
    }
    if !any_overlap {
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
pub(super) fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
pub(super) fn identity(path: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(path).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The key orders relative paths of names as `Path` does, whatever
        /// their spelling (`a/./b`, `a//b`); other paths have none.
        #[test]
        fn order_key_orders_as_path_does(
            a in proptest::collection::vec("[a-c.\\- 页]{1,3}", 1..4),
            b in proptest::collection::vec("[a-c.\\- 页]{1,3}", 1..4),
        ) {
            let (a, b): (PathBuf, PathBuf) = (a.iter().collect(), b.iter().collect());
            if let (Some(ka), Some(kb)) = (order_key(&a), order_key(&b)) {
                prop_assert_eq!(ka.cmp(&kb), a.cmp(&b), "{:?} {:?}", a, b);
            } else {
                prop_assert!(a.components().chain(b.components()).any(|c| !matches!(c, std::path::Component::Normal(_))));
            }
        }
    }
}
