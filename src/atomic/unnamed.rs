//! Linux: an output file is written unnamed (`O_TMPFILE`) in its destination's
//! folder and linked into place once complete. No temporary name ever shows in
//! the folder, so there is nothing to clean up after a kill, and a new file
//! costs one directory entry instead of a create and a rename. Where the file
//! system cannot make unnamed files, or `/proc` is not mounted (the link goes
//! through `/proc/self/fd`), the caller falls back to a named temporary file.

use super::{made_dirs, make_dir, parent_of, register, unregister, TEMP_PREFIX};
use rustix::fs::{linkat, openat, AtFlags, Mode, OFlags, CWD};
use rustix::io::Errno;
use std::io::Write;
use std::os::fd::AsRawFd;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Cleared the first time unnamed files turn out not to work here.
static WORKS: AtomicBool = AtomicBool::new(true);

/// Write `data` to `dest` as an unnamed file linked into place, replacing
/// `dest` if it exists. `None`: unnamed files are not available here, and
/// nothing was written.
pub fn write(dest: &Path, data: &[u8]) -> Option<Result<(), String>> {
    if !WORKS.load(Ordering::Relaxed) {
        return None;
    }
    let parent = parent_of(dest);
    let file = match open_unnamed(parent) {
        Ok(f) => f,
        Err(Errno::OPNOTSUPP | Errno::ISDIR | Errno::INVAL) => {
            WORKS.store(false, Ordering::Relaxed);
            return None;
        }
        Err(e) => {
            let e = std::io::Error::from(e);
            return Some(Err(format!("cannot write in {}: {e}", parent.display())));
        }
    };
    let mut file = std::fs::File::from(file);
    if let Err(e) = file.write_all(data) {
        return Some(Err(format!("cannot write {}: {e}", dest.display())));
    }
    let proc_path = format!("/proc/self/fd/{}", file.as_raw_fd());
    Some(match link(&proc_path, dest) {
        Ok(()) => Ok(()),
        Err(Errno::EXIST) => replace(&proc_path, parent, dest),
        Err(Errno::NOENT) if !Path::new("/proc/self/fd").exists() => {
            WORKS.store(false, Ordering::Relaxed);
            return None;
        }
        Err(e) => Err(link_error(dest, e)),
    })
}

/// An unnamed file in `dir`, making the folder first when this run has not.
fn open_unnamed(dir: &Path) -> Result<rustix::fd::OwnedFd, Errno> {
    let made = made_dirs()
        .lock()
        .expect("no panic holding it")
        .contains(dir);
    if !made && make_dir(dir).is_err() {
        return Err(Errno::NOENT);
    }
    let flags = OFlags::TMPFILE | OFlags::WRONLY | OFlags::CLOEXEC;
    // the usual mode of a new file (0666 less the umask)
    let mode = Mode::from_raw_mode(0o666);
    match openat(CWD, dir, flags, mode) {
        // a folder made earlier in the run and removed since: make it again
        Err(Errno::NOENT) if made => {
            make_dir(dir).map_err(|_| Errno::NOENT)?;
            openat(CWD, dir, flags, mode)
        }
        r => r,
    }
}

fn link(proc_path: &str, dest: &Path) -> Result<(), Errno> {
    linkat(CWD, proc_path, CWD, dest, AtFlags::SYMLINK_FOLLOW)
}

/// `dest` exists: link under a temporary name, then rename over it.
fn replace(proc_path: &str, parent: &Path, dest: &Path) -> Result<(), String> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let tmp = parent.join(format!("{TEMP_PREFIX}{}-link{n}", std::process::id()));
    register(&tmp);
    let r = match link(proc_path, &tmp) {
        Err(e) => Err(link_error(dest, e)),
        Ok(()) => std::fs::rename(&tmp, dest).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            if dest.is_dir() {
                format!("output collision: {} is a directory", dest.display())
            } else {
                format!("cannot replace {}: {e}", dest.display())
            }
        }),
    };
    unregister(&tmp);
    r
}

fn link_error(dest: &Path, e: Errno) -> String {
    format!(
        "cannot write {}: {}",
        dest.display(),
        std::io::Error::from(e)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

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
        let Some(r) = write(&dest, b"hello") else {
            eprintln!("unnamed files are not available on this file system");
            return;
        };
        r.unwrap();
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
        let Some(r) = write(&dest, b"new") else {
            return;
        };
        r.unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"new");
        assert_eq!(names(dir.path()), ["a.txt"]);
    }

    #[test]
    fn a_folder_in_the_way_is_reported_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("a.txt");
        std::fs::create_dir(&dest).unwrap();
        std::fs::write(dest.join("inside"), "kept").unwrap();
        let Some(r) = write(&dest, b"x") else {
            return;
        };
        let e = r.unwrap_err();
        assert!(e.contains("output collision"), "{e}");
        assert_eq!(names(dir.path()), ["a.txt"]);
        assert_eq!(
            std::fs::read_to_string(dest.join("inside")).unwrap(),
            "kept"
        );
    }
}
