//! A user's data is never lost: outputs that would land on inputs, backups,
//! docclean's own files, special paths, interrupts, runaway rules. Each test
//! runs the binary as a user would and checks the files afterwards.

use assert_cmd::Command;
use std::fs;
use std::path::Path;

fn docclean() -> Command {
    Command::cargo_bin("docclean").unwrap()
}

const NOISY: &str = "深入学习贯彻D的二十大精神，庭院%2B，每日上##paidbegin##门入户。\n";
const CLEANED: &str = "深入学习贯彻党的二十大精神，庭院+，每日上门入户。\n";

fn stderr_of(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

#[test]
fn an_output_never_lands_on_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.txt");
    fs::write(&a, NOISY).unwrap();
    // `clean a.txt --out .`, run where a.txt is
    let run = docclean()
        .current_dir(dir.path())
        .args(["clean", "a.txt", "--out", "."])
        .assert()
        .code(2);
    assert!(
        stderr_of(&run).contains("would write over it"),
        "{}",
        stderr_of(&run)
    );
    // the same through another spelling of the directory
    docclean()
        .arg("clean")
        .arg(&a)
        .arg("--out")
        .arg(dir.path().join("sub/.."))
        .assert()
        .code(2);
    assert_eq!(fs::read_to_string(&a).unwrap(), NOISY);
}

#[test]
fn an_output_inside_an_input_that_holds_files_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    fs::create_dir_all(input.join("sub")).unwrap();
    fs::write(input.join("a.txt"), NOISY).unwrap();
    fs::write(input.join("sub/a.txt"), "作者自己的文件\n").unwrap();
    let run = docclean()
        .arg("clean")
        .arg(&input)
        .arg("--out")
        .arg(input.join("sub"))
        .assert()
        .code(2);
    assert!(stderr_of(&run).contains("inside the input"));
    assert_eq!(
        fs::read_to_string(input.join("sub/a.txt")).unwrap(),
        "作者自己的文件\n"
    );
    // an existing file as --out
    docclean()
        .arg("clean")
        .arg(&input)
        .arg("--out")
        .arg(input.join("a.txt"))
        .assert()
        .code(2);
    assert_eq!(fs::read_to_string(input.join("a.txt")).unwrap(), NOISY);
    // an empty output directory inside the input is fine, and skipped
    let fresh = input.join("clean");
    docclean()
        .arg("clean")
        .arg(&input)
        .arg("--out")
        .arg(&fresh)
        .arg("-q")
        .assert()
        .code(0);
    assert_eq!(fs::read_to_string(fresh.join("a.txt")).unwrap(), CLEANED);
    assert!(!fresh.join("clean").exists());
}

/// The folder inside the input is found whatever the spelling of `--out`
/// (through a link, through `..`) and whether or not the walk follows links.
#[cfg(unix)]
#[test]
fn an_output_inside_an_input_is_refused_however_it_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    fs::create_dir_all(input.join("deep/sub")).unwrap();
    fs::write(input.join("a.txt"), NOISY).unwrap();
    fs::write(input.join("deep/sub/a.txt"), "作者自己的文件\n").unwrap();
    std::os::unix::fs::symlink(input.join("deep"), dir.path().join("link")).unwrap();
    let spellings = [
        dir.path().join("link/sub"),
        input.join("deep/../deep/sub"),
        input.join("deep/sub/."),
    ];
    for out in &spellings {
        for follow in [false, true] {
            let mut cmd = docclean();
            cmd.arg("clean").arg(&input).arg("--out").arg(out);
            if follow {
                cmd.arg("-L");
            }
            let run = cmd.assert().code(2);
            assert!(
                stderr_of(&run).contains("inside the input"),
                "{out:?} (follow {follow}): {}",
                stderr_of(&run)
            );
        }
    }
    assert_eq!(
        fs::read_to_string(input.join("deep/sub/a.txt")).unwrap(),
        "作者自己的文件\n"
    );
}

#[test]
fn backups_are_kept_and_never_taken_as_documents() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.txt");
    fs::write(&a, NOISY).unwrap();
    docclean()
        .arg("clean")
        .arg(dir.path())
        .args(["--in-place", "--backup", ""])
        .assert()
        .code(2);
    assert_eq!(fs::read_to_string(&a).unwrap(), NOISY);
    docclean()
        .arg("clean")
        .arg(dir.path())
        .args(["--in-place", "--backup", ".orig", "-q"])
        .assert()
        .code(0);
    assert_eq!(fs::read_to_string(&a).unwrap(), CLEANED);
    let orig = dir.path().join("a.txt.orig");
    assert_eq!(fs::read_to_string(&orig).unwrap(), NOISY);
    // a second run: the backup is skipped (said so), no .orig.orig
    let report = dir.path().join("r.json");
    docclean()
        .arg("clean")
        .arg(dir.path())
        .args(["--in-place", "--backup", ".orig", "-q", "--report"])
        .arg(&report)
        .assert()
        .code(0);
    assert!(!dir.path().join("a.txt.orig.orig").exists());
    assert_eq!(fs::read_to_string(&orig).unwrap(), NOISY);
    let r: serde_json::Value = serde_json::from_slice(&fs::read(&report).unwrap()).unwrap();
    assert!(r["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["reason"].as_str().unwrap().contains("backup")));
    // the text changes again (new noise): the old backup is never overwritten
    let edited = format!("{NOISY}再来一行：D的二十大\n");
    fs::write(&a, &edited).unwrap();
    let run = docclean()
        .arg("clean")
        .arg(&a)
        .args(["--in-place", "--backup", ".orig"])
        .assert()
        .code(2);
    assert!(stderr_of(&run).contains("already exists"));
    assert_eq!(fs::read_to_string(&a).unwrap(), edited);
    assert_eq!(fs::read_to_string(&orig).unwrap(), NOISY);
    docclean()
        .arg("clean")
        .arg(&a)
        .args([
            "--in-place",
            "--backup",
            ".orig",
            "--overwrite-backup",
            "-q",
        ])
        .assert()
        .code(0);
    assert_eq!(
        fs::read_to_string(&a).unwrap(),
        format!("{CLEANED}再来一行：党的二十大\n")
    );
    assert_eq!(fs::read_to_string(&orig).unwrap(), edited);
}

#[test]
fn temporary_files_of_a_killed_run_are_swept_not_cleaned() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    fs::create_dir(&input).unwrap();
    fs::write(input.join("a.txt"), NOISY).unwrap();
    // left by a run whose process is gone (no pid is this large)
    let debris = input.join(".docclean-tmp-4194304999-AbCdEf");
    fs::write(&debris, "半截的输出").unwrap();
    let out = dir.path().join("out");
    // check reads only: the debris is skipped, not removed
    docclean().arg("check").arg(&input).assert().code(1);
    assert!(debris.exists());
    docclean()
        .arg("clean")
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .arg("-q")
        .assert()
        .code(0);
    assert!(!debris.exists(), "swept");
    assert_eq!(
        fs::read_dir(&out).unwrap().count(),
        1,
        "only a.txt is written"
    );
}

#[test]
fn reports_go_to_stdout_and_through_links() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.txt");
    fs::write(&a, NOISY).unwrap();
    let out = dir.path().join("out");
    let run = docclean()
        .arg("clean")
        .arg(&a)
        .arg("--out")
        .arg(&out)
        .args(["--report", "-", "-q"])
        .assert()
        .code(0);
    let r: serde_json::Value = serde_json::from_slice(&run.get_output().stdout).unwrap();
    assert_eq!(r["changed_documents"], 1);
    assert!(!Path::new("-").exists());
    #[cfg(unix)]
    {
        let target = dir.path().join("reports/r.json");
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::write(&target, "old").unwrap();
        let link = dir.path().join("replink.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        docclean()
            .arg("clean")
            .arg(&a)
            .arg("--out")
            .arg(&out)
            .arg("--report")
            .arg(&link)
            .arg("-q")
            .assert()
            .code(0);
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert!(fs::read_to_string(&target).unwrap().contains("rules_hash"));
    }
    // stdout already carries the text
    docclean()
        .args(["clean", "-", "--report", "-"])
        .write_stdin(NOISY)
        .assert()
        .code(2);
}

#[cfg(unix)]
#[test]
fn in_place_keeps_links_and_leaves_read_only_files() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.txt");
    fs::write(&real, NOISY).unwrap();
    let link = dir.path().join("link.txt");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    docclean()
        .arg("clean")
        .arg(&link)
        .args(["--in-place", "-q"])
        .assert()
        .code(0);
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(fs::read_to_string(&real).unwrap(), CLEANED);
    let ro = dir.path().join("ro.txt");
    fs::write(&ro, NOISY).unwrap();
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o444)).unwrap();
    let run = docclean()
        .arg("clean")
        .arg(&ro)
        .args(["--in-place"])
        .assert()
        .code(2);
    assert!(stderr_of(&run).contains("read-only"));
    assert_eq!(fs::read_to_string(&ro).unwrap(), NOISY);
}

#[test]
fn a_held_lock_refuses_a_second_in_place_run() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.txt");
    fs::write(&a, NOISY).unwrap();
    let lock = fs::File::create(dir.path().join(".docclean.lock")).unwrap();
    lock.try_lock().unwrap();
    let run = docclean()
        .arg("clean")
        .arg(dir.path())
        .args(["--in-place"])
        .assert()
        .code(2);
    assert!(stderr_of(&run).contains("another docclean run"));
    assert_eq!(fs::read_to_string(&a).unwrap(), NOISY);
    drop(lock);
    docclean()
        .arg("clean")
        .arg(dir.path())
        .args(["--in-place", "-q"])
        .assert()
        .code(0);
    assert_eq!(fs::read_to_string(&a).unwrap(), CLEANED);
    assert!(!dir.path().join(".docclean.lock").exists());
}

#[test]
fn nul_is_never_written_and_the_output_reads_back_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    fs::create_dir(&input).unwrap();
    fs::write(
        input.join("a.jsonl"),
        "{\"text\":\"hello\\u0000world\"}\r\r\n{\"text\":\"D的二十大\"}\r\r\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    docclean()
        .arg("clean")
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .arg("-q")
        .assert()
        .code(0);
    let text = fs::read_to_string(out.join("a.jsonl")).unwrap();
    assert_eq!(
        text,
        "{\"text\":\"helloworld\"}\n{\"text\":\"党的二十大\"}\n"
    );
    docclean().arg("check").arg(&out).arg("-q").assert().code(0);
    // a stray NUL in a text file: binary, skipped, not misread as UTF-16
    // (and with nothing else given, nothing was checked: an error)
    fs::write(input.join("b.txt"), b"hello\0world\n").unwrap();
    let run = docclean()
        .arg("check")
        .arg(input.join("b.txt"))
        .assert()
        .code(2);
    assert!(stderr_of(&run).contains("1 skipped"), "{}", stderr_of(&run));
}

#[test]
fn a_rule_that_never_settles_is_an_error_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("grow.toml");
    fs::write(
        &rules,
        r#"
[[rule]]
id = "user.grow"
kind = "replace"
stage = "escape"
description = "A rule that never converges"
pattern = "a"
replace = "aaaaaaaaaaaaaaaa"
"#,
    )
    .unwrap();
    let a = dir.path().join("a.txt");
    let text = "banana ".repeat(20_000);
    fs::write(&a, &text).unwrap();
    let out = dir.path().join("out");
    let run = docclean()
        .arg("clean")
        .arg(&a)
        .arg("--out")
        .arg(&out)
        .arg("--no-default-rules")
        .arg("--rules")
        .arg(&rules)
        .assert()
        .code(2);
    let err = stderr_of(&run);
    assert!(err.contains("user.grow") && err.contains("a.txt"), "{err}");
    assert_eq!(fs::read_to_string(out.join("a.txt")).unwrap(), text);
}

#[test]
fn learning_reads_past_a_line_that_is_not_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let mut shard = b"{\"text\":\"\xff\xfe broken\"}\n".to_vec();
    for i in 0..5 {
        shard.extend_from_slice(
            format!(
                "{{\"text\":\"第{i}篇正文，讲的是不同的事情。\\n内容{i}。\\n更多精彩内容请关注公众号：某某素材库，每天更新\"}}\n"
            )
            .as_bytes(),
        );
    }
    fs::write(dir.path().join("a.jsonl"), shard).unwrap();
    let learned = dir.path().join("learned.toml");
    docclean()
        .arg("learn")
        .arg(dir.path().join("a.jsonl"))
        .arg("--save-boilerplate")
        .arg(&learned)
        .arg("-q")
        .assert()
        .code(0);
    let rules = fs::read_to_string(&learned).unwrap();
    assert!(rules.contains("某某素材库"), "{rules}");
}

#[cfg(unix)]
#[test]
fn sigterm_removes_temporary_files_and_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    fs::create_dir(&input).unwrap();
    let mut shard = String::new();
    for i in 0..60_000 {
        shard.push_str(&format!(
            "{{\"id\":{i},\"text\":\"第{i}段 D的二十大 庭院%2B\"}}\n"
        ));
    }
    for k in 0..4 {
        fs::write(input.join(format!("{k}.jsonl")), &shard).unwrap();
    }
    let out = dir.path().join("out");
    let bin = assert_cmd::cargo::cargo_bin("docclean");
    let mut child = std::process::Command::new(bin)
        .arg("clean")
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .args(["-q", "-j1"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // wait until the run has started writing
    let started = std::time::Instant::now();
    while !out.exists() && started.elapsed().as_secs() < 20 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    if status.code() == Some(0) {
        return; // finished before the signal came: nothing to check
    }
    assert_eq!(status.code(), Some(130));
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert!(err.contains("interrupted after"), "{err}");
    for e in walkdir::WalkDir::new(dir.path()).into_iter().flatten() {
        let name = e.file_name().to_string_lossy();
        assert!(!name.starts_with(".docclean-tmp-"), "left {name}");
    }
    // what was written is complete
    for e in fs::read_dir(&out).into_iter().flatten().flatten() {
        let text = fs::read_to_string(e.path()).unwrap();
        assert_eq!(text.lines().count(), 60_000);
    }
}
