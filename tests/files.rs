//! File selection as ripgrep, fd and ruff do it: hidden files and
//! version-control folders skipped, ignore files respected, `--exclude`,
//! `--glob`, `--follow`, and `docclean files` to see the choice.
//! Exit code in every expectation.

use assert_cmd::Command;
use std::fs;
use std::path::Path;

fn docclean() -> Command {
    Command::cargo_bin("docclean").unwrap()
}

/// A tree with a bit of everything a walk must choose about.
fn tree(root: &Path) {
    for dir in [".git", ".hidden", "build", "sub"] {
        fs::create_dir_all(root.join(dir)).unwrap();
    }
    let noisy = "深入学习D的二十大精神\n";
    fs::write(root.join("a.txt"), noisy).unwrap();
    fs::write(root.join(".git/COMMIT_EDITMSG"), noisy).unwrap();
    fs::write(root.join(".hidden/h.txt"), noisy).unwrap();
    fs::write(root.join(".h.txt"), noisy).unwrap();
    fs::write(root.join("build/b.txt"), noisy).unwrap();
    fs::write(root.join(".gitignore"), "build/\n").unwrap();
    fs::write(root.join("sub/keep.txt"), noisy).unwrap();
    fs::write(root.join("sub/notes.log"), noisy).unwrap();
}

/// The files `docclean files` lists (stdout), relative to `root`.
fn listed(root: &Path, extra: &[&str]) -> Vec<String> {
    let run = docclean()
        .arg("files")
        .arg(root)
        .args(extra)
        .assert()
        .code(0);
    String::from_utf8_lossy(&run.get_output().stdout)
        .lines()
        .map(|l| {
            Path::new(l)
                .strip_prefix(root)
                .unwrap()
                .display()
                .to_string()
        })
        .collect()
}

#[test]
fn hidden_files_vcs_folders_and_ignored_paths_are_skipped() {
    let t = tempfile::tempdir().unwrap();
    tree(t.path());
    assert_eq!(
        listed(t.path(), &[]),
        ["a.txt", "sub/keep.txt", "sub/notes.log"]
    );
    assert_eq!(
        listed(t.path(), &["--hidden"]),
        [
            ".gitignore",
            ".h.txt",
            ".hidden/h.txt",
            "a.txt",
            "sub/keep.txt",
            "sub/notes.log"
        ]
    );
    assert_eq!(
        listed(t.path(), &["--no-ignore"]),
        ["a.txt", "build/b.txt", "sub/keep.txt", "sub/notes.log"]
    );
    // .ignore too, and .git stays out whatever is asked
    fs::write(t.path().join(".ignore"), "*.log\n").unwrap();
    assert_eq!(
        listed(t.path(), &["--hidden"]),
        [
            ".gitignore",
            ".h.txt",
            ".hidden/h.txt",
            ".ignore",
            "a.txt",
            "sub/keep.txt"
        ]
    );
    // what is skipped says why
    let run = docclean().arg("files").arg(t.path()).assert().code(0);
    let err = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
    for line in [
        "/.git: version-control folder",
        "/.hidden: hidden (--hidden reads it)",
        "/build: ignored by .gitignore",
        "/sub/notes.log: ignored by .gitignore, .ignore",
    ] {
        assert!(err.contains(line), "{line}: {err}");
    }
    // check and clean read the same files
    let run = docclean().arg("check").arg(t.path()).assert().code(1);
    let out = String::from_utf8_lossy(&run.get_output().stdout).into_owned();
    assert_eq!(out.lines().count(), 2, "{out}");
    let o = t.path().join("../out");
    docclean()
        .arg("clean")
        .arg(t.path())
        .arg("--out")
        .arg(&o)
        .arg("-q")
        .assert()
        .code(0);
    assert!(o.join("a.txt").exists() && !o.join("build/b.txt").exists());
    assert!(!o.join(".h.txt").exists() && !o.join(".git").exists());
}

#[test]
fn exclude_and_glob() {
    let t = tempfile::tempdir().unwrap();
    tree(t.path());
    assert_eq!(listed(t.path(), &["--exclude", "sub"]), ["a.txt"]);
    assert_eq!(
        listed(t.path(), &["--exclude", "*.log", "--exclude", "a.txt"]),
        ["sub/keep.txt"]
    );
    assert_eq!(listed(t.path(), &["-g", "*.log"]), ["sub/notes.log"]);
    assert_eq!(
        listed(t.path(), &["--glob", "!*.log"]),
        ["a.txt", "sub/keep.txt"]
    );
    let run = docclean()
        .arg("files")
        .arg(t.path())
        .args(["--exclude", "sub"])
        .assert()
        .code(0);
    let err = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
    assert!(err.contains("/sub: excluded by --exclude/--glob"), "{err}");
    // a bad glob is a usage error
    docclean()
        .arg("check")
        .arg(t.path())
        .args(["--exclude", "a[b"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("a[b"));
    // a file named as an input is read whatever the filters say
    docclean()
        .arg("check")
        .arg(t.path().join("build/b.txt"))
        .args(["--exclude", "*.txt"])
        .assert()
        .code(1);
}

#[cfg(unix)]
#[test]
fn symbolic_links_are_followed_only_when_asked() {
    let t = tempfile::tempdir().unwrap();
    let real = t.path().join("real");
    let input = t.path().join("in");
    fs::create_dir_all(&real).unwrap();
    fs::create_dir_all(&input).unwrap();
    fs::write(real.join("r.txt"), "深入学习D的二十大精神\n").unwrap();
    std::os::unix::fs::symlink(&real, input.join("linked")).unwrap();
    std::os::unix::fs::symlink(real.join("r.txt"), input.join("file.txt")).unwrap();
    assert!(listed(&input, &[]).is_empty());
    docclean().arg("check").arg(&input).assert().code(2);
    assert_eq!(listed(&input, &["--follow"]), ["file.txt", "linked/r.txt"]);
    // a loop back to the input
    std::os::unix::fs::symlink(&input, input.join("loop")).unwrap();
    let run = docclean()
        .arg("check")
        .arg(&input)
        .arg("-L")
        .assert()
        .code(2); // the loop is an error for its path; the rest is checked
    let err = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
    assert!(err.contains("loop"), "{err}");
    let out = String::from_utf8_lossy(&run.get_output().stdout).into_owned();
    assert!(out.contains("linked/r.txt:1:5: censor.dang"), "{out}");
}

#[test]
fn compressed_plain_text_is_skipped_with_its_reason() {
    let t = tempfile::tempdir().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, "深入学习D的二十大精神\n".as_bytes()).unwrap();
    fs::write(t.path().join("notes.txt.gz"), gz.finish().unwrap()).unwrap();
    fs::write(t.path().join("a.txt"), "干净\n").unwrap();
    let report = t.path().join("../r.json");
    docclean()
        .arg("check")
        .arg(t.path())
        .arg("--report")
        .arg(&report)
        .assert()
        .code(0);
    let r: serde_json::Value = serde_json::from_slice(&fs::read(&report).unwrap()).unwrap();
    let reason = r["skipped"][0]["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("compressed (.gz) but not a JSONL shard"),
        "{reason}"
    );
    let run = docclean().arg("files").arg(t.path()).assert().code(0);
    assert!(String::from_utf8_lossy(&run.get_output().stderr).contains("notes.txt.gz: compressed"));
}
