//! `--in-place`: replacing a user's file with its cleaned text without ever
//! losing the original. The backup (when asked) is complete on disk before the
//! original is touched and never replaces an existing file; the new text
//! lands by an atomic rename; symbolic links are followed to their target;
//! mode and owner are kept; read-only files are left alone.

use crate::atomic::{with_suffix, TempFile};
use std::io::Write;
use std::path::{Path, PathBuf};

/// How originals are kept.
#[derive(Debug, Clone, Default)]
pub struct Backup {
    /// Appended to the file name (`.orig`); never empty.
    pub suffix: String,
    /// Replace an existing backup instead of refusing.
    pub overwrite: bool,
}

/// A file about to be replaced: its link resolved, its metadata read, and
/// what is worth a warning so far.
pub struct Target {
    pub path: PathBuf,
    meta: std::fs::Metadata,
    pub notes: Vec<String>,
}

/// Resolve `path` for replacing; a read-only file is an error.
pub fn target(path: &Path) -> Result<Target, String> {
    let mut notes = Vec::new();
    let path = resolve(path, &mut notes)?;
    let meta =
        std::fs::metadata(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if meta.permissions().readonly() {
        return Err(format!(
            "{} is read-only: left as it is (make it writable to clean it in place)",
            path.display()
        ));
    }
    Ok(Target { path, meta, notes })
}

impl Target {
    /// Put the new text, written to `tmp` (made with [`TempFile::beside`] the
    /// target), in the original's place, after backing the original up.
    /// Returns notes worth a warning (a link followed, hard links split, an
    /// owner that could not be kept).
    pub fn commit(self, mut tmp: TempFile, backup: Option<&Backup>) -> Result<Vec<String>, String> {
        let Target {
            path,
            meta,
            mut notes,
        } = self;
        if let Some(b) = backup {
            write_backup(&path, b)?;
        }
        if links(&meta) > 1 {
            if backup.is_some() {
                // the original is safe in the backup: write through the inode,
                // so every other name of the file sees the cleaned text
                rewrite_inode(&path, &mut tmp)?;
                return Ok(notes);
            }
            notes.push(format!(
                "{} has {} hard links: replaced by a new file, the other names keep the original (with --backup it is rewritten through all its names)",
                path.display(),
                links(&meta)
            ));
        }
        keep_metadata(tmp.path(), &meta, &mut notes);
        tmp.persist(&path)?;
        Ok(notes)
    }
}

/// Replace `path` with `data` (see [`Target::commit`]).
pub fn replace(path: &Path, data: &[u8], backup: Option<&Backup>) -> Result<Vec<String>, String> {
    let t = target(path)?;
    let mut tmp = TempFile::beside(&t.path)?;
    tmp.write_all(data)
        .map_err(|e| format!("cannot write {}: {e}", t.path.display()))?;
    t.commit(tmp, backup)
}

/// Follow a symbolic link to the file it names (noted), so the link stays a link.
fn resolve(path: &Path, notes: &mut Vec<String>) -> Result<PathBuf, String> {
    let is_link = std::fs::symlink_metadata(path)
        .map(|m| m.file_type().is_symlink())
        .unwrap_or(false);
    if !is_link {
        return Ok(path.to_path_buf());
    }
    let target = std::fs::canonicalize(path)
        .map_err(|e| format!("cannot follow link {}: {e}", path.display()))?;
    notes.push(format!(
        "{} is a symbolic link: cleaned its target {}",
        path.display(),
        target.display()
    ));
    Ok(target)
}

/// Copy `path` to `path + suffix` through a temporary file, synced, then
/// renamed into place only if no backup exists (unless overwriting is asked).
fn write_backup(path: &Path, b: &Backup) -> Result<(), String> {
    let dest = with_suffix(path, &b.suffix);
    if !b.overwrite && std::fs::symlink_metadata(&dest).is_ok() {
        // a run stopped between its backup and its rename left exactly this
        // original there already: nothing to keep twice
        if same_content(path, &dest) {
            return Ok(());
        }
        return Err(backup_exists(&dest));
    }
    let mut tmp = TempFile::beside(&dest)?;
    let copy = std::fs::File::open(path)
        .and_then(|mut src| std::io::copy(&mut src, tmp.file()))
        .and_then(|_| tmp.file().sync_all());
    copy.map_err(|e| format!("cannot back up {}: {e}", path.display()))?;
    if let Ok(meta) = std::fs::metadata(path) {
        keep_metadata(tmp.path(), &meta, &mut Vec::new());
    }
    if b.overwrite {
        return tmp.persist(&dest);
    }
    tmp.persist_new(&dest).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => backup_exists(&dest),
        _ => format!("cannot back up {}: {e}", path.display()),
    })
}

fn same_content(a: &Path, b: &Path) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) if x.is_file() && y.is_file() && x.len() == y.len() => {
            matches!((std::fs::read(a), std::fs::read(b)), (Ok(p), Ok(q)) if p == q)
        }
        _ => false,
    }
}

fn backup_exists(dest: &Path) -> String {
    format!(
        "backup {} already exists: original left as it is (move the old backup away, or pass --overwrite-backup)",
        dest.display()
    )
}

/// Truncate and rewrite the file itself from `tmp` (hard links keep sharing it).
fn rewrite_inode(path: &Path, tmp: &mut TempFile) -> Result<(), String> {
    use std::io::Seek;
    let src = tmp.file();
    src.seek(std::io::SeekFrom::Start(0))
        .and_then(|_| {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .truncate(true)
                .open(path)?;
            std::io::copy(src, &mut f)?;
            f.sync_all()
        })
        .map_err(|e| format!("cannot rewrite {}: {e}", path.display()))
}

/// Give the new file the replaced one's permissions and owner.
fn keep_metadata(new: &Path, old: &std::fs::Metadata, notes: &mut Vec<String>) {
    let _ = std::fs::set_permissions(new, old.permissions());
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let mine = std::fs::metadata(new).map(|m| (m.uid(), m.gid())).ok();
        if mine != Some((old.uid(), old.gid()))
            && std::os::unix::fs::chown(new, Some(old.uid()), Some(old.gid())).is_err()
        {
            notes.push(format!(
                "{}: owner {}:{} could not be kept",
                new.display(),
                old.uid(),
                old.gid()
            ));
        }
    }
}

#[cfg(unix)]
fn links(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::nlink(meta)
}

#[cfg(not(unix))]
fn links(_: &std::fs::Metadata) -> u64 {
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backup() -> Backup {
        Backup {
            suffix: ".orig".into(),
            overwrite: false,
        }
    }

    #[test]
    fn backup_is_complete_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.txt");
        std::fs::write(&f, "original").unwrap();
        replace(&f, b"cleaned", Some(&backup())).unwrap();
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "cleaned");
        let orig = dir.path().join("a.txt.orig");
        assert_eq!(std::fs::read_to_string(&orig).unwrap(), "original");
        // a second replacement would lose the original: refused, file untouched
        // (a backup that equals the file is already its backup: kept as it is)
        let err = replace(&f, b"again", Some(&backup())).unwrap_err();
        assert!(err.contains("already exists"), "{err}");
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "cleaned");
        assert_eq!(std::fs::read_to_string(&orig).unwrap(), "original");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 2, "no temporary file left");
    }

    #[cfg(unix)]
    #[test]
    fn links_read_only_files_and_modes() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.txt");
        std::fs::write(&real, "x").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let notes = replace(&link, b"y", None).unwrap();
        assert!(notes[0].contains("symbolic link"));
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "y");
        let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);

        let ro = dir.path().join("ro.txt");
        std::fs::write(&ro, "keep").unwrap();
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o444)).unwrap();
        assert!(replace(&ro, b"no", None).unwrap_err().contains("read-only"));
        assert_eq!(std::fs::read_to_string(&ro).unwrap(), "keep");
    }

    #[cfg(unix)]
    #[test]
    fn hard_links_are_kept_with_a_backup_and_reported_without() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.txt");
        let b = dir.path().join("b.txt");
        std::fs::write(&a, "original").unwrap();
        std::fs::hard_link(&a, &b).unwrap();
        replace(&a, b"cleaned", Some(&backup())).unwrap();
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "cleaned");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a.txt.orig")).unwrap(),
            "original"
        );
        let notes = replace(&a, b"again", None).unwrap();
        assert!(notes[0].contains("hard links"), "{notes:?}");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "cleaned");
    }
}
