//! Writing without losing data. Every file docclean writes goes through a
//! temporary file beside its destination, with a name that says whose it is
//! (`.docclean-tmp-<pid>-…`), renamed into place; backups are written the same
//! way and never over an existing file. On Linux an output file is written
//! unnamed and linked into place instead (see `unnamed`). Live temporary
//! files are registered, so an interrupt can remove them, and a later run can
//! recognise and sweep the ones a killed run left.

use std::collections::{BTreeSet, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

#[cfg(target_os = "linux")]
mod unnamed;

/// Every temporary file docclean makes starts with this.
pub const TEMP_PREFIX: &str = ".docclean-tmp-";

/// Temporary files (and lock files) to remove if the process is interrupted.
static LIVE: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

fn live() -> std::sync::MutexGuard<'static, BTreeSet<PathBuf>> {
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Remember `path` as something to remove on interrupt.
pub fn register(path: &Path) {
    live().insert(path.to_path_buf());
}

/// Forget `path` (it was renamed into place, or removed).
pub fn unregister(path: &Path) {
    live().remove(path);
}

/// Remove every registered file; called on Ctrl-C or SIGTERM, just before the
/// process exits. Returns how many were removed. The registry stays locked so
/// that no worker renames a half-made file into place meanwhile.
pub fn remove_live_files() -> usize {
    let mut guard = live();
    let mut removed = 0;
    for p in guard.iter() {
        if std::fs::remove_file(p).is_ok() {
            removed += 1;
        }
    }
    guard.clear();
    std::mem::forget(guard);
    removed
}

/// The pid in a docclean temporary file's name, if `name` is one.
pub fn temp_owner(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(TEMP_PREFIX)?;
    rest.split('-').next()?.parse().ok()
}

/// Whether the process that made a temporary file is gone, so the file is
/// debris that can be removed. Unknown (not Linux) counts as alive.
pub fn owner_is_gone(pid: u32) -> bool {
    if pid == std::process::id() {
        return false;
    }
    cfg!(target_os = "linux")
        && Path::new("/proc/self").exists()
        && !Path::new(&format!("/proc/{pid}")).exists()
}

/// A temporary file beside its destination, registered until it is renamed
/// into place or dropped (and then removed).
pub struct TempFile {
    inner: Option<Inner>,
}

enum Inner {
    Named(tempfile::NamedTempFile),
    /// Linux: a file with no name until it is linked into place.
    #[cfg(target_os = "linux")]
    Unnamed(std::fs::File),
}

impl TempFile {
    /// A new output file for `dest`, complete once persisted: unnamed where
    /// the system can make one (nothing is left of it if the run is killed),
    /// else a named temporary file as [`TempFile::beside`] makes.
    pub fn for_output(dest: &Path) -> Result<TempFile, String> {
        #[cfg(target_os = "linux")]
        if let Some(file) = unnamed::create(parent_of(dest)) {
            return Ok(TempFile {
                inner: Some(Inner::Unnamed(file?)),
            });
        }
        Self::beside(dest)
    }

    /// A named temporary file in `dest`'s directory (created if needed).
    pub fn beside(dest: &Path) -> Result<TempFile, String> {
        let parent = parent_of(dest);
        let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix);
        // a new output file gets the usual mode (0666 less the umask), not a
        // temporary file's 0600; a replaced one keeps its own (see `keep_metadata`)
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let tmp = open_in(
            parent,
            |dir| builder.tempfile_in(dir),
            |e| e.kind() == std::io::ErrorKind::NotFound,
        )?
        .map_err(|e| format!("cannot write in {}: {e}", parent.display()))?;
        register(tmp.path());
        Ok(TempFile {
            inner: Some(Inner::Named(tmp)),
        })
    }

    /// The temporary file's name (one made by [`TempFile::beside`]).
    pub fn path(&self) -> &Path {
        match self.inner.as_ref().expect("live temporary file") {
            Inner::Named(tmp) => tmp.path(),
            #[cfg(target_os = "linux")]
            Inner::Unnamed(_) => panic!("an unnamed file has no path"),
        }
    }

    pub fn file(&mut self) -> &mut std::fs::File {
        match self.inner.as_mut().expect("live temporary file") {
            Inner::Named(tmp) => tmp.as_file_mut(),
            #[cfg(target_os = "linux")]
            Inner::Unnamed(file) => file,
        }
    }

    /// Put in place as `dest` (replacing it if it exists).
    pub fn persist(self, dest: &Path) -> Result<(), String> {
        self.put(dest, true)
            .map_err(|e| format!("cannot replace {}: {e}", dest.display()))
    }

    /// Put in place as `dest`, failing if `dest` exists.
    pub fn persist_new(self, dest: &Path) -> Result<(), std::io::Error> {
        self.put(dest, false)
    }

    fn put(mut self, dest: &Path, replace: bool) -> std::io::Result<()> {
        match self.inner.take().expect("live temporary file") {
            Inner::Named(tmp) => {
                let path = tmp.path().to_path_buf();
                let r = if replace {
                    tmp.persist(dest).map(|_| ()).map_err(|e| e.error)
                } else {
                    tmp.persist_noclobber(dest).map(|_| ()).map_err(|e| e.error)
                };
                unregister(&path);
                r
            }
            #[cfg(target_os = "linux")]
            Inner::Unnamed(file) => unnamed::link(&file, dest, replace),
        }
    }
}

impl Write for TempFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file().write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file().flush()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(Inner::Named(tmp)) = self.inner.take() {
            unregister(tmp.path());
            // NamedTempFile removes itself
        }
    }
}

/// Folders this run has made or found (output trees hold many files per
/// folder: each is made once, not asked for again per file).
fn made_dirs() -> &'static Mutex<HashSet<PathBuf>> {
    static MADE: OnceLock<Mutex<HashSet<PathBuf>>> = OnceLock::new();
    MADE.get_or_init(Default::default)
}

fn make_dir(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    made_dirs()
        .lock()
        .expect("no panic holding it")
        .insert(dir.to_path_buf());
    Ok(())
}

/// `open(dir)`, making the folder first when this run has not, and again
/// when `missing` says it was removed since it was made.
fn open_in<T, E>(
    dir: &Path,
    open: impl Fn(&Path) -> Result<T, E>,
    missing: impl Fn(&E) -> bool,
) -> Result<Result<T, E>, String> {
    let made = made_dirs()
        .lock()
        .expect("no panic holding it")
        .contains(dir);
    if !made {
        make_dir(dir)?;
    }
    Ok(match open(dir) {
        Err(e) if made && missing(&e) => {
            make_dir(dir)?;
            open(dir)
        }
        r => r,
    })
}

fn parent_of(dest: &Path) -> &Path {
    dest.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Write `data` to `dest` through a temporary file in the same directory, then rename.
pub fn write_atomic(dest: &Path, data: &[u8]) -> Result<(), String> {
    let mut tmp = TempFile::for_output(dest)?;
    tmp.write_all(data)
        .map_err(|e| format!("cannot write {}: {e}", dest.display()))?;
    // a rename over a folder fails; only then is it worth asking why
    tmp.persist(dest).map_err(|e| {
        if dest.is_dir() {
            format!("output collision: {} is a directory", dest.display())
        } else {
            e
        }
    })
}

/// Write a file the user named (a report, a learned rule file): `-` is
/// stdout; a symbolic link is written through to its target; something that
/// is not a regular file (`/dev/stdout`, a pipe) is opened and written, never
/// replaced; a regular file is replaced atomically.
pub fn write_user_file(dest: &Path, data: &[u8]) -> Result<(), String> {
    if dest.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        return out
            .write_all(data)
            .and_then(|_| out.flush())
            .map_err(|e| format!("cannot write to stdout: {e}"));
    }
    match std::fs::metadata(dest) {
        Ok(meta) if !meta.is_file() && !meta.is_dir() => std::fs::OpenOptions::new()
            .write(true)
            .open(dest)
            .and_then(|mut f| f.write_all(data))
            .map_err(|e| format!("cannot write {}: {e}", dest.display())),
        Ok(meta) if meta.is_file() => {
            let target = std::fs::canonicalize(dest)
                .map_err(|e| format!("cannot resolve {}: {e}", dest.display()))?;
            write_atomic(&target, data)?;
            restore_mode(&target, &meta);
            Ok(())
        }
        _ => write_atomic(dest, data),
    }
}

fn restore_mode(path: &Path, meta: &std::fs::Metadata) {
    let _ = std::fs::set_permissions(path, meta.permissions());
}

/// `path` with `suffix` appended to its file name.
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_in_the_way_is_a_collision_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("a.txt");
        std::fs::create_dir(&dest).unwrap();
        let err = write_atomic(&dest, b"x").unwrap_err();
        assert!(
            err.contains("output collision") && err.contains("is a directory"),
            "{err}"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_folder_that_cannot_be_made_is_named_with_its_cause() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("plain"), "a file, not a folder").unwrap();
        let dest = dir.path().join("plain/sub/a.txt");
        let err = write_atomic(&dest, b"x").unwrap_err();
        assert!(err.starts_with("cannot create"), "{err}");
        assert!(err.contains("plain/sub"), "{err}");
    }

    #[test]
    fn a_folder_removed_during_the_run_is_made_again() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("sub/a.txt");
        write_atomic(&dest, b"one").unwrap();
        std::fs::remove_dir_all(dir.path().join("sub")).unwrap();
        write_atomic(&dest, b"two").unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"two");
    }

    #[test]
    fn temp_names_carry_their_owner() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = TempFile::beside(&dir.path().join("a.txt")).unwrap();
        let name = tmp.path().file_name().unwrap().to_str().unwrap().to_owned();
        assert_eq!(temp_owner(&name), Some(std::process::id()));
        assert!(!owner_is_gone(std::process::id()));
        assert_eq!(temp_owner(".docclean-tmp-x-1"), None);
        assert_eq!(temp_owner("notes.txt"), None);
        assert!(live().contains(tmp.path()));
        let path = tmp.path().to_path_buf();
        drop(tmp);
        assert!(!path.exists());
        assert!(!live().contains(&path));
    }

    #[test]
    fn persist_new_never_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("a.orig");
        std::fs::write(&dest, "first").unwrap();
        let mut tmp = TempFile::beside(&dest).unwrap();
        tmp.write_all(b"second").unwrap();
        let tmp_path = tmp.path().to_path_buf();
        assert!(tmp.persist_new(&dest).is_err());
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "first");
        assert!(!tmp_path.exists(), "the temporary file is removed");
    }

    #[cfg(unix)]
    #[test]
    fn user_files_are_written_through_links() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.json");
        std::fs::write(&target, "old").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_user_file(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        // a dangling name is created
        let fresh = dir.path().join("fresh.json");
        write_user_file(&fresh, b"x").unwrap();
        assert_eq!(std::fs::read_to_string(&fresh).unwrap(), "x");
    }
}
