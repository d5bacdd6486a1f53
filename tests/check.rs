//! `check` as a CI gate: it fails on everything `clean` would change, errs
//! when it checked nothing, and prints findings with their locations in the
//! formats CI tools read. Exit code in every expectation.

use assert_cmd::Command;
use std::fs;
use std::path::Path;

fn docclean() -> Command {
    Command::cargo_bin("docclean").unwrap()
}

fn stdout_of(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stdout).into_owned()
}

fn stderr_of(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

fn check(path: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    docclean().arg("check").arg(path).args(extra).assert()
}

/// Files whose text is clean but whose bytes `clean` rewrites.
fn write_kinds(dir: &Path) {
    let (gbk, _, _) =
        encoding_rs::GBK.encode("深入学习贯彻党的二十大精神，全面从严治党，推动高质量发展。\n");
    fs::write(dir.join("gbk.txt"), gbk).unwrap();
    fs::write(dir.join("bom.txt"), "\u{FEFF}干净的正文。\n").unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "干净的正文。\n".encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    fs::write(dir.join("utf16.txt"), utf16).unwrap();
    fs::write(dir.join("crlf.jsonl"), "{\"text\":\"干净\"}\r\n").unwrap();
    fs::write(dir.join("crlf.txt"), "第一行\r\n第二行\r\n").unwrap();
}

#[test]
fn check_fails_on_reencoding_boms_and_line_ends() {
    let t = tempfile::tempdir().unwrap();
    write_kinds(t.path());
    for (file, finding) in [
        (
            "gbk.txt",
            "gbk.txt:1:1: encoding.transcode GBK text would be written as UTF-8",
        ),
        (
            "bom.txt",
            "bom.txt:1:1: encoding.bom byte-order mark would be dropped",
        ),
        (
            "utf16.txt",
            "utf16.txt:1:1: encoding.transcode UTF-16LE text",
        ),
        (
            "crlf.jsonl",
            "crlf.jsonl:1:14: jsonl.line-ends line ends in CR LF",
        ),
        (
            "crlf.txt",
            "crlf.txt:1:4: whitespace.newlines removes \"\\r\"",
        ),
    ] {
        let run = check(&t.path().join(file), &[]).code(1);
        assert!(
            stdout_of(&run).contains(finding),
            "{file}: {}",
            stdout_of(&run)
        );
    }
    let run = check(&t.path().join("utf16.txt"), &[]).code(1);
    assert!(stdout_of(&run).contains("encoding.bom"), "its own kind too");
    // once cleaned in place, there is nothing left to find
    docclean()
        .arg("clean")
        .arg(t.path())
        .args(["--in-place", "-q"])
        .assert()
        .code(0);
    check(t.path(), &[]).code(0).stdout("");
}

#[test]
fn checking_nothing_is_an_error() {
    let t = tempfile::tempdir().unwrap();
    let empty = t.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let run = check(&empty, &[]).code(2);
    assert!(stderr_of(&run).contains("no documents were checked"));
    // a directory that holds only a symbolic link
    let links = t.path().join("links");
    fs::create_dir(&links).unwrap();
    fs::write(t.path().join("a.txt"), "正文\n").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(t.path().join("a.txt"), links.join("a.txt")).unwrap();
    check(&links, &[]).code(2);
    // empty stdin
    docclean()
        .args(["check", "-"])
        .write_stdin("")
        .assert()
        .code(2);
    // a text field that no line has: named, with the way out
    let shard = t.path().join("s.jsonl");
    fs::write(
        &shard,
        "{\"content\":\"D的二十大\"}\n{\"content\":\"干净\"}\n",
    )
    .unwrap();
    let run = check(&shard, &["--text-field", "contnet"]).code(2);
    assert!(
        stderr_of(&run).contains("s.jsonl: no line has a `contnet` field"),
        "{}",
        stderr_of(&run)
    );
    check(&shard, &["--text-field", "content"]).code(1);
    // the same over stdin
    docclean()
        .args(["check", "-", "--jsonl", "--text-field", "contnet"])
        .write_stdin("{\"content\":\"干净\"}\n")
        .assert()
        .code(2);
}

#[test]
fn report_rule_hits_show_their_path_and_can_fail() {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("damaged.txt");
    fs::write(&f, "第一行\n这是锟斤拷的总结\n").unwrap();
    let run = check(&f, &[]).code(0);
    let out = stdout_of(&run);
    assert!(
        out.contains(
            "damaged.txt:2:3: encoding.irreparable found \"锟斤拷\" (reported, not changed)"
        ),
        "{out}"
    );
    check(&f, &["--fail-on", "report"]).code(1);
    check(&f, &["--fail-on", "report", "--exit-zero"]).code(0);
}

#[test]
fn findings_carry_lines_and_columns() {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("a.txt");
    fs::write(
        &f,
        "标题\n（以下为付费内容）\n深入学习D的二十大精神，庭院%2B\n",
    )
    .unwrap();
    let run = check(&f, &[]).code(1);
    let lines: Vec<String> = stdout_of(&run)
        .lines()
        .map(|l| l.rsplit('/').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        lines,
        [
            "a.txt:2:1: paywall.notice removes the line \"（以下为付费内容）\"",
            "a.txt:3:5: censor.dang replaces \"D\" with \"党\"",
            "a.txt:3:15: escape.percent replaces \"%2B\" with \"+\"",
        ]
    );
}

#[test]
fn output_formats() {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("a.txt");
    fs::write(&f, "深入学习D的二十大精神\n这是锟斤拷\n").unwrap();
    let run = check(&f, &["--output-format", "json"]).code(1);
    let v: serde_json::Value = serde_json::from_str(&stdout_of(&run)).unwrap();
    let findings = v.as_array().unwrap();
    assert_eq!(findings.len(), 2);
    assert_eq!(findings[0]["rule"], "censor.dang");
    assert_eq!(
        (findings[0]["line"].as_u64(), findings[0]["column"].as_u64()),
        (Some(1), Some(5))
    );
    assert_eq!(findings[0]["kind"], "fix");
    assert_eq!(findings[1]["kind"], "report");
    assert_eq!(findings[1]["fails"], false);

    let run = check(&f, &["--output-format", "github"]).code(1);
    let out = stdout_of(&run);
    let first = out.lines().next().unwrap();
    assert!(
        first.starts_with("::error title=docclean (censor.dang),file=")
            && first.contains(",line=1,col=5::"),
        "{out}"
    );
    assert!(
        out.lines().nth(1).unwrap().starts_with("::warning "),
        "{out}"
    );

    let run = check(&f, &["--output-format", "sarif"]).code(1);
    let v: serde_json::Value = serde_json::from_str(&stdout_of(&run)).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["ruleId"], "censor.dang");
    assert_eq!(results[0]["level"], "error");
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["region"]["startColumn"],
        5
    );
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "encoding.transcode"));

    // an empty result is still a document
    let clean = t.path().join("clean.txt");
    fs::write(&clean, "干净\n").unwrap();
    let run = check(&clean, &["--output-format", "json"]).code(0);
    assert_eq!(stdout_of(&run), "[]\n");
    let run = check(&clean, &["--output-format", "sarif"]).code(0);
    let v: serde_json::Value = serde_json::from_str(&stdout_of(&run)).unwrap();
    assert!(v["runs"][0]["results"].as_array().unwrap().is_empty());
}

#[test]
fn statistics_exit_zero_quiet_and_colour() {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("a.txt");
    fs::write(&f, "深入学习D的二十大精神，D支部\n庭院%2B\n").unwrap();
    let run = check(&f, &["--statistics"]).code(1);
    let out = stdout_of(&run);
    let rows: Vec<Vec<&str>> = out
        .lines()
        .map(|l| l.split_whitespace().take(3).collect())
        .collect();
    assert_eq!(
        rows,
        [
            vec!["1", "escape.percent", "fix"],
            vec!["2", "censor.dang", "fix"]
        ],
        "{out}"
    );
    let run = check(&f, &["--statistics", "--output-format", "json"]).code(1);
    let v: serde_json::Value = serde_json::from_str(&stdout_of(&run)).unwrap();
    assert_eq!(v[1]["rule"], "censor.dang");
    assert_eq!(v[1]["count"], 2);

    check(&f, &["--exit-zero"]).code(0);
    // errors still fail with --exit-zero
    docclean()
        .args(["check", "no/such/input", "--exit-zero"])
        .assert()
        .code(2);

    // -q: the summary line on stderr, no findings
    let run = check(&f, &["-q"]).code(1);
    assert_eq!(stdout_of(&run), "");
    let err = stderr_of(&run);
    assert!(err.contains("3 finding(s) in 1 document(s)"), "{err}");
    assert!(!err.contains("rule "), "no table: {err}");

    // colour only when asked for, or on a terminal: never into a pipe
    let run = check(&f, &[]).code(1);
    assert!(!stdout_of(&run).contains('\x1b'));
    let run = docclean()
        .arg("check")
        .arg(&f)
        .args(["--color", "always"])
        .env("NO_COLOR", "1")
        .assert()
        .code(1);
    assert!(stdout_of(&run).contains("\x1b[1;31mcensor.dang\x1b[0m"));
}
