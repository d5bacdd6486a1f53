//! Linux: an output file is written unnamed (`O_TMPFILE`) in its destination's
//! folder and linked into place once complete. No temporary name ever shows in
//! the folder, so there is nothing to clean up after a kill, and a new file
//! costs one directory entry instead of a create and a rename. Where the file
//! system cannot make unnamed files, or `/proc` is not mounted (the link goes
//! through `/proc/self/fd`), the caller falls back to a named temporary file.

use super::{register, unregister, TEMP_PREFIX};
use rustix::fs::{linkat, openat, AtFlags, Mode, OFlags, CWD};
use rustix::io::Errno;
use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::OnceLock;

/// Cleared the first time the file system turns out unable to make unnamed files.
static WORKS: AtomicBool = AtomicBool::new(true);

/// Whether unnamed files can be linked here (`/proc/self/fd` is needed).
fn available() -> bool {
    static PROC: OnceLock<bool> = OnceLock::new();
    WORKS.load(Ordering::Relaxed) && *PROC.get_or_init(|| Path::new("/proc/self/fd").is_dir())
}

/// An unnamed file in `dir`, making the folder first when this run has not.
/// `None`: unnamed files are not available here.
pub fn create(dir: &Path) -> Option<Result<File, String>> {
    if !available() {
        return None;
    }
    let opened = match super::open_in(dir, open_unnamed, |e| *e == Errno::NOENT) {
        Ok(r) => r,
        Err(e) => return Some(Err(e)),
    };
    match opened {
        Ok(fd) => Some(Ok(File::from(fd))),
        Err(Errno::OPNOTSUPP | Errno::ISDIR | Errno::INVAL) => {
            WORKS.store(false, Ordering::Relaxed);
            None
        }
        Err(e) => Some(Err(format!(
            "cannot write in {}: {}",
            dir.display(),
            std::io::Error::from(e)
        ))),
    }
}

/// The usual mode of a new file (0666 less the umask), write only.
fn open_unnamed(dir: &Path) -> Result<rustix::fd::OwnedFd, Errno> {
    let flags = OFlags::TMPFILE | OFlags::WRONLY | OFlags::CLOEXEC;
    openat(CWD, dir, flags, Mode::from_raw_mode(0o666))
}

/// Give `file` (made by [`create`] in `dest`'s folder, and complete) the
/// name `dest`, replacing what is there unless `replace` is false.
pub fn link(file: &File, dest: &Path, replace: bool) -> std::io::Result<()> {
    let proc_path = format!("/proc/self/fd/{}", file.as_raw_fd());
    match link_at(&proc_path, dest) {
        Err(Errno::EXIST) if replace => replace_with(&proc_path, dest),
        r => r.map_err(std::io::Error::from),
    }
}

fn link_at(proc_path: &str, dest: &Path) -> Result<(), Errno> {
    linkat(CWD, proc_path, CWD, dest, AtFlags::SYMLINK_FOLLOW)
}

/// `dest` exists: link under a temporary name, then rename over it.
fn replace_with(proc_path: &str, dest: &Path) -> std::io::Result<()> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let tmp = super::parent_of(dest).join(format!("{TEMP_PREFIX}{}-link{n}", std::process::id()));
    register(&tmp);
    let r = link_at(proc_path, &tmp)
        .map_err(std::io::Error::from)
        .and_then(|()| {
            std::fs::rename(&tmp, dest).inspect_err(|_| {
                let _ = std::fs::remove_file(&tmp);
            })
        });
    unregister(&tmp);
    r
}

#[cfg(test)]
mod tests {
    //! Through `write_atomic`, which takes this path where the file system
    //! can make unnamed files (and the named one elsewhere, where the same
    //! must hold).
    use super::super::write_atomic;
    use std::os::unix::fs::PermissionsExt;
    use std::path::Path;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_new_file_appears_whole_with_the_usual_mode_and_nothing_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("sub/a.txt");
        write_atomic(&dest, b"hello").unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"hello");
        assert_eq!(names(&dir.path().join("sub")), ["a.txt"]);
        let usual = dir.path().join("usual");
        std::fs::File::create(&usual).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dest), mode(&usual));
    }

    #[test]
    fn an_existing_file_is_replaced_and_no_temporary_name_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("a.txt");
        std::fs::write(&dest, "old text that is longer").unwrap();
        write_atomic(&dest, b"new").unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"new");
        assert_eq!(names(dir.path()), ["a.txt"]);
    }

    #[test]
    fn a_folder_in_the_way_is_reported_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("a.txt");
        std::fs::create_dir(&dest).unwrap();
        std::fs::write(dest.join("inside"), "kept").unwrap();
        let e = write_atomic(&dest, b"x").unwrap_err();
        assert!(e.contains("output collision"), "{e}");
        assert_eq!(names(dir.path()), ["a.txt"]);
        assert_eq!(
            std::fs::read_to_string(dest.join("inside")).unwrap(),
            "kept"
        );
    }
}
