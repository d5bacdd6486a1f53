//! One in-place run over a tree at a time. An in-place run holds an exclusive
//! lock on `.docclean.lock` in each input directory (the operating system
//! releases it if the process dies, so a killed run leaves no stale lock);
//! another run over the same tree, an enclosing one or one inside it, is refused.

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};

/// The lock file's name; never taken as a document.
pub const LOCK_NAME: &str = ".docclean.lock";

/// Locks held for the run; dropping removes the lock files.
#[derive(Debug, Default)]
pub struct RunLock {
    held: Vec<(File, PathBuf)>,
}

impl RunLock {
    /// Lock each directory in `dirs` and check that no run holds a directory
    /// above one of them (or one of `inner`, lock files found inside them).
    pub fn acquire(dirs: &[PathBuf], inner: &[PathBuf]) -> Result<RunLock, String> {
        let mut lock = RunLock::default();
        let mut canon: Vec<PathBuf> = dirs
            .iter()
            .map(|d| std::fs::canonicalize(d).unwrap_or_else(|_| d.clone()))
            .collect();
        canon.sort();
        canon.dedup();
        for dir in &canon {
            for above in dir.ancestors().skip(1) {
                check_free(&above.join(LOCK_NAME))?;
            }
            lock.held.push(take(&dir.join(LOCK_NAME))?);
        }
        for path in inner {
            if !lock.held.iter().any(|(_, p)| p == path) {
                check_free(path)?;
            }
        }
        Ok(lock)
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        for (_, path) in &self.held {
            // removed while still locked, so a waiting run sees a fresh file
            let _ = std::fs::remove_file(path);
            crate::atomic::unregister(path);
        }
    }
}

fn busy(path: &Path) -> String {
    format!(
        "another docclean run is cleaning {} in place (it holds {}): wait for it to finish",
        path.parent().unwrap_or(Path::new(".")).display(),
        path.display()
    )
}

/// Fail when a lock file exists and another process holds it.
fn check_free(path: &Path) -> Result<(), String> {
    let Ok(f) = File::open(path) else {
        return Ok(());
    };
    match f.try_lock() {
        Ok(()) => Ok(()),
        Err(TryLockError::WouldBlock) => Err(busy(path)),
        Err(TryLockError::Error(_)) => Ok(()),
    }
}

/// Create and lock `path`, making sure the file locked is still the one at
/// that path (a finishing run removes its lock file while holding it).
fn take(path: &Path) -> Result<(File, PathBuf), String> {
    for _ in 0..8 {
        let f = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(|e| format!("cannot create lock file {}: {e}", path.display()))?;
        match f.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Err(busy(path)),
            Err(TryLockError::Error(e)) => {
                return Err(format!("cannot lock {}: {e}", path.display()))
            }
        }
        if same_file(&f, path) {
            crate::atomic::register(path);
            return Ok((f, path.to_path_buf()));
        }
    }
    Err(busy(path))
}

#[cfg(unix)]
fn same_file(f: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (f.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> bool {
    path.exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_run_over_the_same_or_an_inner_tree_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let first = RunLock::acquire(&[dir.path().to_path_buf()], &[]).unwrap();
        assert!(RunLock::acquire(&[dir.path().to_path_buf()], &[])
            .unwrap_err()
            .contains("another docclean run"));
        assert!(RunLock::acquire(std::slice::from_ref(&sub), &[]).is_err());
        drop(first);
        assert!(!dir.path().join(LOCK_NAME).exists());
        // an inner run first: the outer run finds its lock file inside the tree
        let inner = RunLock::acquire(std::slice::from_ref(&sub), &[]).unwrap();
        let found = std::fs::canonicalize(&sub).unwrap().join(LOCK_NAME);
        assert!(RunLock::acquire(&[dir.path().to_path_buf()], &[found]).is_err());
        drop(inner);
        RunLock::acquire(&[dir.path().to_path_buf()], &[]).unwrap();
    }
}
