//! The binary tested as a user runs it: exit code in every expectation.

use assert_cmd::Command;
use std::fs;
use std::path::{Path, PathBuf};

fn docclean() -> Command {
    Command::cargo_bin("docclean").unwrap()
}

fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(root).unwrap().to_path_buf())
        .collect();
    v.sort();
    v
}

fn assert_same_tree(a: &Path, b: &Path) {
    let fa = files_under(a);
    assert_eq!(fa, files_under(b), "file lists differ");
    for f in fa {
        let (x, y) = (fs::read(a.join(&f)).unwrap(), fs::read(b.join(&f)).unwrap());
        if x != y {
            let (x, y) = (String::from_utf8_lossy(&x), String::from_utf8_lossy(&y));
            let at = x.lines().zip(y.lines()).position(|(p, q)| p != q);
            let line = |s: &str| at.and_then(|k| s.lines().nth(k)).unwrap_or("").to_owned();
            panic!(
                "{} differs, first at line {}:\n{:?}\n{:?}",
                f.display(),
                at.map_or("(length)".to_owned(), |k| (k + 1).to_string()),
                line(&x),
                line(&y)
            );
        }
    }
}

fn report_without_timings(path: &Path) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
    v.as_object_mut().unwrap().remove("timings");
    v
}

#[test]
fn samples_clean_to_their_expected_tree() {
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("report.json");
    docclean()
        .args(["clean", "samples/input", "--out"])
        .arg(out.path().join("clean"))
        .arg("--report")
        .arg(&report)
        .assert()
        .code(0);
    assert_same_tree(&out.path().join("clean"), Path::new("samples/expected"));
    // the PNG and the empty file are skipped, not written
    assert!(!out.path().join("clean/reports/scan.png").exists());
    let r: serde_json::Value = serde_json::from_slice(&fs::read(&report).unwrap()).unwrap();
    for key in [
        "version",
        "rules_hash",
        "files",
        "documents",
        "changed_documents",
        "skipped",
        "warnings",
        "errors",
        "encodings",
        "rules",
        "timings",
        "decode_losses",
        "damage",
    ] {
        assert!(r.get(key).is_some(), "report lacks {key}");
    }
    assert_eq!(r["skipped"].as_array().unwrap().len(), 2);
    assert_eq!(r["encodings"]["GBK"], 1, "{}", r["encodings"]);
    let rule = rule_in(&r, "censor.dang");
    assert!(rule["judged_documents"].as_u64().unwrap() >= 3);
    assert!(!rule["examples"].as_array().unwrap().is_empty());
    let warnings = r["warnings"].as_array().unwrap();
    assert!(warnings
        .iter()
        .any(|w| w["line"] == 6 && w["path"].as_str().unwrap().ends_with("part-0001.jsonl")));
}

#[test]
fn check_mode_exit_codes() {
    docclean()
        .args(["check", "samples/expected", "-q"])
        .assert()
        .code(0);
    docclean()
        .args(["check", "samples/input"])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("censor.dang"));
    docclean()
        .args([
            "check",
            "--diff",
            "samples/input/reports/lookalikes-paywall.txt",
        ])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("-").and(predicates::str::contains("##paidbegin##")));
    docclean()
        .args(["check", "no/such/dir"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no/such/dir"));
}

use predicates::prelude::PredicateBooleanExt;

#[test]
fn check_diff_styles_marked_and_unified() {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("a.txt");
    std::fs::write(&f, "第一段\n坚持D的二十大精神。\n第三段\n").unwrap();
    let out = |style: &str| {
        let o = docclean()
            .args(["check", "--diff", "--diff-style", style])
            .arg(&f)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1));
        String::from_utf8(o.stdout).unwrap()
    };
    let marked = out("marked");
    assert!(
        marked.contains("~坚持[-D-]{+党+}的二十大精神。"),
        "{marked}"
    );
    let unified = out("unified");
    assert!(
        unified.contains(
            "@@ -1,3 +1,3 @@\n 第一段\n-坚持D的二十大精神。\n+坚持党的二十大精神。\n 第三段\n"
        ),
        "{unified}"
    );
    assert!(!unified.contains("[-D-]"), "{unified}");
}

#[test]
fn thread_count_does_not_change_output_or_report() {
    let t = tempfile::tempdir().unwrap();
    for j in ["1", "2"] {
        docclean()
            .args(["clean", "samples/input", "-q", "-j", j, "--out"])
            .arg(t.path().join(format!("o{j}")))
            .arg("--report")
            .arg(t.path().join(format!("r{j}.json")))
            .assert()
            .code(0);
    }
    assert_same_tree(&t.path().join("o1"), &t.path().join("o2"));
    assert_eq!(
        report_without_timings(&t.path().join("r1.json")),
        report_without_timings(&t.path().join("r2.json"))
    );
}

/// The mojibake stage's scans (AVX-512, AVX2, portable; those this CPU has)
/// find the same characters: forcing a narrower one changes no byte of the
/// output or the report, on clean reports and on lossy GBK mojibake.
#[test]
fn every_scan_gives_the_same_output() {
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("in");
    fs::create_dir(&input).unwrap();
    for f in files_under(Path::new("samples/input")) {
        let dst = input.join(f.file_name().unwrap());
        fs::copy(Path::new("samples/input").join(&f), dst).unwrap();
    }
    // the damaged column of the lossy GBK set, one document
    let tsv = fs::read_to_string("tests/data/gbk-lossy.tsv").unwrap();
    let damaged: Vec<&str> = tsv.lines().filter_map(|l| l.split('\t').nth(1)).collect();
    assert!(damaged.len() > 20);
    fs::write(input.join("lossy.txt"), damaged.join("\n")).unwrap();
    for scan in ["default", "avx2", "portable"] {
        let mut cmd = docclean();
        if scan != "default" {
            cmd.env("DOCCLEAN_SCAN", scan);
        }
        cmd.arg("clean")
            .arg(&input)
            .args(["-q", "--out"])
            .arg(t.path().join(scan))
            .arg("--report")
            .arg(t.path().join(format!("{scan}.json")))
            .assert()
            .code(0);
    }
    for scan in ["avx2", "portable"] {
        assert_same_tree(&t.path().join("default"), &t.path().join(scan));
        assert_eq!(
            report_without_timings(&t.path().join("default.json")),
            report_without_timings(&t.path().join(format!("{scan}.json"))),
            "{scan}"
        );
    }
    let out = fs::read_to_string(t.path().join("default/lossy.txt")).unwrap();
    assert_ne!(out, damaged.join("\n"), "the mojibake was repaired");
}

#[test]
fn stdin_filter() {
    docclean()
        .args(["clean", "-", "-q"])
        .write_stdin("全面贯彻D的二十大精神")
        .assert()
        .code(0)
        .stdout("全面贯彻党的二十大精神");
    docclean()
        .args(["clean", "-", "--jsonl", "-q"])
        .write_stdin("{\"text\":\"庭院%2B\",\"k\":[1, 2]}\n")
        .assert()
        .code(0)
        .stdout("{\"text\":\"庭院+\",\"k\":[1, 2]}\n");
    docclean()
        .args(["check", "-", "-q"])
        .write_stdin("clean text\n")
        .assert()
        .code(0);
}

#[test]
fn a_document_left_empty_is_written_empty_and_counted() {
    let t = tempfile::tempdir().unwrap();
    let shard = t.path().join("s.jsonl");
    fs::write(&shard, "{\"id\":1,\"text\":\"本文档由某某文库用户上传，仅供学习交流使用，如有侵权请联系删除。\"}\n{\"id\":2,\"text\":\"正文。\"}\n").unwrap();
    let report = t.path().join("r.json");
    docclean()
        .arg("clean")
        .arg(&shard)
        .arg("--out")
        .arg(t.path().join("o"))
        .arg("--report")
        .arg(&report)
        .arg("-q")
        .assert()
        .code(0);
    assert_eq!(
        fs::read_to_string(t.path().join("o/s.jsonl")).unwrap(),
        "{\"id\":1,\"text\":\"\"}\n{\"id\":2,\"text\":\"正文。\"}\n"
    );
    let r: serde_json::Value = serde_json::from_slice(&fs::read(&report).unwrap()).unwrap();
    assert_eq!(r["emptied_documents"], 1);
    assert_eq!(r["documents"], 2);
}

#[test]
fn usage_errors_write_nothing() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    docclean()
        .args(["clean", "missing-input", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("missing-input"));
    docclean()
        .args(["clean", "samples/input"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--out"));
    // two inputs that land on the same output path
    let a = t.path().join("a");
    let b = t.path().join("b");
    fs::create_dir_all(&a).unwrap();
    fs::create_dir_all(&b).unwrap();
    fs::write(a.join("x.txt"), "甲").unwrap();
    fs::write(b.join("x.txt"), "乙").unwrap();
    docclean()
        .arg("clean")
        .arg(&a)
        .arg(&b)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("would both be written"));
    docclean()
        .arg("clean")
        .arg(&a)
        .arg("--out")
        .arg(&a)
        .assert()
        .code(2);
    assert!(!out.exists());
}

#[test]
fn bad_rule_file_stops_before_any_document() {
    let t = tempfile::tempdir().unwrap();
    let rules = t.path().join("bad.toml");
    fs::write(&rules, "[[rule]]\nid = \"my.rule\"\nkind = \"replace\"\nstage = \"escape\"\ndescription = \"x\"\npattern = \"([\"\nreplace = \"\"\n").unwrap();
    let out = t.path().join("out");
    docclean()
        .args(["clean", "samples/input", "--rules"])
        .arg(&rules)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(
            predicates::str::contains("bad.toml:6:11")
                .and(predicates::str::contains("invalid regex")),
        );
    assert!(!out.exists());
}

#[test]
fn user_rules_replace_and_extend_defaults() {
    let t = tempfile::tempdir().unwrap();
    let rules = t.path().join("zf.toml");
    fs::write(
        &rules,
        r#"
[[rule]]
id = "censor.zf"
kind = "placeholder"
stage = "censor"
description = "zf censored for 政府"
tokens = ["zf"]
replacement = "政府"
strong = ["{T}工作报告", "市{T}"]

[[rule.examples]]
input = "市zf工作报告"
output = "市政府工作报告"
"#,
    )
    .unwrap();
    docclean()
        .args(["clean", "-", "-q", "--rules"])
        .arg(&rules)
        .write_stdin("市zf工作报告，zfs文件系统")
        .assert()
        .code(0)
        .stdout("市政府工作报告，zfs文件系统");
    docclean()
        .args(["rules", "test"])
        .arg(&rules)
        .assert()
        .code(0)
        .stdout(predicates::str::contains("0 failed"));
    docclean()
        .args(["clean", "-", "-q", "--ignore", "censor"])
        .write_stdin("D的二十大")
        .assert()
        .code(0)
        .stdout("D的二十大");
    docclean()
        .args(["clean", "-", "-q", "--select", "nosuch"])
        .write_stdin("x")
        .assert()
        .code(2);
}

#[test]
fn in_place_is_atomic_and_keeps_backups() {
    let t = tempfile::tempdir().unwrap();
    let dirty = t.path().join("dirty.txt");
    let clean = t.path().join("clean.txt");
    fs::write(&dirty, "每日上##paidbegin##门入户\r\n").unwrap();
    fs::write(&clean, "已经干净的文本。\n").unwrap();
    let before = fs::metadata(&clean).unwrap().modified().unwrap();
    docclean()
        .arg("clean")
        .arg(t.path())
        .args(["--in-place", "--backup", ".orig", "-q"])
        .assert()
        .code(0);
    assert_eq!(fs::read_to_string(&dirty).unwrap(), "每日上门入户\n");
    assert_eq!(
        fs::read_to_string(t.path().join("dirty.txt.orig")).unwrap(),
        "每日上##paidbegin##门入户\r\n"
    );
    assert_eq!(fs::metadata(&clean).unwrap().modified().unwrap(), before);
    assert!(!t.path().join("clean.txt.orig").exists());
    let leftovers: Vec<_> = fs::read_dir(t.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".docclean-"))
        .collect();
    assert!(leftovers.is_empty());
}

/// New output files get the mode any new file gets (0666 less the umask), not
/// the 0600 of the temporary file they are written through; a file cleaned in
/// place keeps its own mode.
#[cfg(unix)]
#[test]
fn output_files_get_ordinary_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("in");
    fs::create_dir_all(&input).unwrap();
    fs::write(input.join("a.txt"), "庭院%2B\n").unwrap();
    fs::write(input.join("b.jsonl"), "{\"text\": \"庭院%2B\"}\n").unwrap();
    let ordinary = t.path().join("ordinary");
    fs::write(&ordinary, "").unwrap();
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    docclean()
        .arg("clean")
        .arg(&input)
        .arg("--out")
        .arg(t.path().join("out"))
        .arg("-q")
        .assert()
        .code(0);
    for f in ["a.txt", "b.jsonl"] {
        assert_eq!(mode(&t.path().join("out").join(f)), mode(&ordinary), "{f}");
    }
    fs::set_permissions(input.join("a.txt"), fs::Permissions::from_mode(0o640)).unwrap();
    docclean()
        .arg("clean")
        .arg(input.join("a.txt"))
        .args(["--in-place", "-q"])
        .assert()
        .code(0);
    assert_eq!(fs::read_to_string(input.join("a.txt")).unwrap(), "庭院+\n");
    assert_eq!(mode(&input.join("a.txt")), 0o640);
}

#[test]
fn unreadable_file_is_an_error_and_the_run_goes_on() {
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("in");
    fs::create_dir_all(&input).unwrap();
    fs::write(input.join("a.txt"), "庭院%2B\n").unwrap();
    // a file name that cannot be written under --out because a directory takes its place
    fs::write(input.join("b.txt"), "正文\n").unwrap();
    let out = t.path().join("out");
    fs::create_dir_all(out.join("b.txt")).unwrap();
    docclean()
        .arg("clean")
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .arg("-q")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("b.txt"));
    assert_eq!(fs::read_to_string(out.join("a.txt")).unwrap(), "庭院+\n");
}

#[test]
fn learn_keeps_shared_headings_and_finds_repeated_adverts() {
    let t = tempfile::tempdir().unwrap();
    let corpus = t.path().join("corpus");
    fs::create_dir_all(&corpus).unwrap();
    for i in 0..6 {
        let body = format!(
            "第{i}号工作总结\n一、2023年工作总结\n　　今年以来，我局围绕中心工作，完成项目{i}个。\n二、存在的主要问题\n　　问题{i}仍需解决。\n三、2024年工作计划\n　　继续推进各项工作。\n欢迎光临某某范文站，海量材料等你来，客服小王在线\n"
        );
        fs::write(corpus.join(format!("doc{i}.txt")), body).unwrap();
    }
    let learned = t.path().join("learned.toml");
    docclean()
        .arg("learn")
        .arg(&corpus)
        .arg("--save-boilerplate")
        .arg(&learned)
        .arg("-q")
        .assert()
        .code(0);
    let text = fs::read_to_string(&learned).unwrap();
    assert!(text.contains("欢迎光临某某范文站"), "{text}");
    assert!(
        !text.contains("工作计划") && !text.contains("主要问题"),
        "{text}"
    );
    let out = t.path().join("out");
    docclean()
        .arg("clean")
        .arg(&corpus)
        .arg("--rules")
        .arg(&learned)
        .arg("--out")
        .arg(&out)
        .arg("-q")
        .assert()
        .code(0);
    let doc = fs::read_to_string(out.join("doc3.txt")).unwrap();
    assert!(
        !doc.contains("范文站")
            && doc.contains("三、2024年工作计划")
            && doc.contains("二、存在的主要问题"),
        "{doc}"
    );
    // --learn does both passes in one run
    let out2 = t.path().join("out2");
    docclean()
        .arg("clean")
        .arg(&corpus)
        .arg("--learn")
        .arg("--out")
        .arg(&out2)
        .arg("-q")
        .assert()
        .code(0);
    assert_same_tree(&out, &out2);
}

#[test]
fn learning_in_shards_merges_to_the_same_rules() {
    let t = tempfile::tempdir().unwrap();
    let corpus = t.path().join("corpus");
    fs::create_dir_all(&corpus).unwrap();
    for i in 0..12 {
        let ad = if i % 2 == 0 {
            "欢迎光临某某范文站，海量材料等你来，客服小王在线"
        } else {
            "更多好文请关注公众号：某某文稿，每日更新"
        };
        fs::write(
            corpus.join(format!("doc{i:02}.txt")),
            format!("第{i}号工作总结\n　　今年以来，完成项目{i}个。\n二、存在的主要问题\n{ad}\n"),
        )
        .unwrap();
    }
    let whole = t.path().join("whole.toml");
    docclean()
        .arg("learn")
        .arg(&corpus)
        .arg("--save-boilerplate")
        .arg(&whole)
        .arg("-q")
        .assert()
        .code(0);
    let mut counts = vec![];
    for k in 1..=3 {
        let c = t.path().join(format!("c{k}.json"));
        docclean()
            .arg("learn")
            .arg(&corpus)
            .args(["--shard", &format!("{k}/3"), "--save-counts"])
            .arg(&c)
            .arg("-q")
            .assert()
            .code(0);
        counts.push(c);
    }
    let merged = t.path().join("merged.toml");
    docclean()
        .arg("learn")
        .arg(&corpus)
        .arg("--counts")
        .args(&counts)
        .arg("--save-boilerplate")
        .arg(&merged)
        .arg("-q")
        .assert()
        .code(0);
    let text = fs::read_to_string(&whole).unwrap();
    assert!(
        text.contains("欢迎光临某某范文站") && text.contains("更多好文请关注公众号"),
        "{text}"
    );
    assert_eq!(text, fs::read_to_string(&merged).unwrap());
}

#[test]
fn report_merge_adds_shards() {
    let t = tempfile::tempdir().unwrap();
    let mut reports = vec![];
    for k in 1..=2 {
        let r = t.path().join(format!("r{k}.json"));
        docclean()
            .args([
                "clean",
                "samples/input",
                "-q",
                "--shard",
                &format!("{k}/2"),
                "--out",
            ])
            .arg(t.path().join(format!("o{k}")))
            .arg("--report")
            .arg(&r)
            .assert()
            .code(0);
        reports.push(r);
    }
    let whole = t.path().join("whole.json");
    docclean()
        .args(["clean", "samples/input", "-q", "--out"])
        .arg(t.path().join("w"))
        .arg("--report")
        .arg(&whole)
        .assert()
        .code(0);
    let out = docclean()
        .args(["report", "merge"])
        .args(&reports)
        .output()
        .unwrap();
    assert!(out.status.success());
    let merged: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let whole: serde_json::Value = serde_json::from_slice(&fs::read(&whole).unwrap()).unwrap();
    for key in ["files", "documents", "changed_documents", "encodings"] {
        assert_eq!(merged[key], whole[key], "{key}");
    }
    for (a, b) in merged["rules"]
        .as_array()
        .unwrap()
        .iter()
        .zip(whole["rules"].as_array().unwrap())
    {
        assert_eq!(a["changes"], b["changes"], "{}", a["id"]);
    }
}

#[test]
fn rules_list_and_examples() {
    docclean().arg("rules").assert().code(0).stdout(
        predicates::str::contains("paywall.cms-marker")
            .and(predicates::str::contains("censor.dang")),
    );
    docclean()
        .args(["rules", "test"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains(" 0 failed"));
}

#[test]
fn brands_named_by_adverts_are_reported_in_the_body() {
    let t = tempfile::tempdir().unwrap();
    let doc = t.path().join("doc.txt");
    fs::write(
        &doc,
        "工作总结\n一、开展摄影培训、综合某某君与新闻报道写作知识培训。\n二、下一步计划。\n三、其他。\n四、附件。\n五、说明。\n欢迎加入“某某素材库svip会员”，添加客服：abc123，认准某某，某某唯一平台（公众号：某某君），谨防假冒！\n",
    )
    .unwrap();
    let report = t.path().join("r.json");
    docclean()
        .arg("clean")
        .arg(&doc)
        .arg("--out")
        .arg(t.path().join("out"))
        .arg("--report")
        .arg(&report)
        .arg("-q")
        .assert()
        .code(0);
    let r: serde_json::Value = serde_json::from_slice(&fs::read(&report).unwrap()).unwrap();
    let mentions = r["brand_mentions"].as_array().unwrap();
    assert_eq!(mentions.len(), 1, "{mentions:?}");
    assert_eq!(mentions[0]["token"], "某某君");
    assert_eq!(mentions[0]["line"], 2);
    // reported, not edited
    assert!(fs::read_to_string(t.path().join("out/doc.txt"))
        .unwrap()
        .contains("综合某某君与新闻报道"));
}

#[test]
fn compressed_shards_keep_their_compression() {
    use std::io::{Read, Write};
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("in");
    fs::create_dir_all(&input).unwrap();
    let lines = "{\"id\":1,\"text\":\"庭院%2B\"}\n{\"id\":2,\"text\":\"D的二十大\"}\n";
    let mut gz = flate2::write::GzEncoder::new(
        fs::File::create(input.join("a.jsonl.gz")).unwrap(),
        flate2::Compression::default(),
    );
    gz.write_all(lines.as_bytes()).unwrap();
    gz.finish().unwrap();
    fs::write(
        input.join("b.jsonl.zst"),
        zstd::encode_all(lines.as_bytes(), 3).unwrap(),
    )
    .unwrap();
    let out = t.path().join("out");
    docclean()
        .arg("clean")
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .arg("-q")
        .assert()
        .code(0);
    let want = "{\"id\":1,\"text\":\"庭院+\"}\n{\"id\":2,\"text\":\"党的二十大\"}\n";
    let mut got = String::new();
    flate2::read::GzDecoder::new(fs::File::open(out.join("a.jsonl.gz")).unwrap())
        .read_to_string(&mut got)
        .unwrap();
    assert_eq!(got, want);
    let got = zstd::decode_all(fs::File::open(out.join("b.jsonl.zst")).unwrap()).unwrap();
    assert_eq!(String::from_utf8(got).unwrap(), want);
    // a corrupt shard is an error for that file; the others are still written
    fs::write(input.join("c.jsonl.gz"), b"not gzip at all").unwrap();
    let out2 = t.path().join("out2");
    docclean()
        .arg("clean")
        .arg(&input)
        .arg("--out")
        .arg(&out2)
        .arg("-q")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("c.jsonl.gz"));
    assert!(out2.join("b.jsonl.zst").exists());
}

/// A gzip shard of several chunks: the same bytes at -j1 and -j2, decoded as
/// one stream, and `--compression-level` trades size.
#[test]
fn gzip_output_is_parallel_deterministic_and_takes_a_level() {
    use std::io::{Read, Write};
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("in");
    fs::create_dir_all(&input).unwrap();
    let mut lines = String::new();
    for i in 0..30_000 {
        lines.push_str(&format!(
            "{{\"id\":{i},\"text\":\"第{i}段：庭院%2B，D的二十大精神，学习贯彻落实。\"}}\n"
        ));
    }
    let mut gz = flate2::write::GzEncoder::new(
        fs::File::create(input.join("a.jsonl.gz")).unwrap(),
        flate2::Compression::default(),
    );
    gz.write_all(lines.as_bytes()).unwrap();
    gz.finish().unwrap();
    let run = |name: &str, extra: &[&str]| {
        let out = t.path().join(name);
        docclean()
            .arg("clean")
            .arg(&input)
            .arg("--out")
            .arg(&out)
            .arg("-q")
            .args(extra)
            .assert()
            .code(0);
        fs::read(out.join("a.jsonl.gz")).unwrap()
    };
    let one = run("j1", &["-j", "1"]);
    assert_eq!(run("j2", &["-j", "2"]), one);
    let mut got = String::new();
    flate2::read::MultiGzDecoder::new(&one[..])
        .read_to_string(&mut got)
        .unwrap();
    assert!(got.len() > 2 << 20, "several chunks: {}", got.len());
    assert_eq!(got, lines.replace("%2B", "+").replace("D的", "党的"));
    let fast = run("l1", &["--compression-level", "1"]);
    assert!(one.len() < fast.len(), "{} {}", one.len(), fast.len());
    docclean()
        .args([
            "clean",
            "x.jsonl.gz",
            "--out",
            "o",
            "--compression-level",
            "23",
        ])
        .assert()
        .code(2);
}

#[test]
fn damage_is_reported_with_its_lines_and_left_in_place() {
    let t = tempfile::tempdir().unwrap();
    let report = t.path().join("r.json");
    docclean()
        .args(["clean", "-", "-q", "--report"])
        .arg(&report)
        .write_stdin("第一行\n锟斤拷锟斤拷的工作总结\n第三行\n")
        .assert()
        .code(0)
        .stdout("第一行\n锟斤拷锟斤拷的工作总结\n第三行\n");
    let r: serde_json::Value = serde_json::from_slice(&fs::read(&report).unwrap()).unwrap();
    let damage = &r["damage"][0];
    assert_eq!(damage["rule"], "encoding.irreparable");
    assert_eq!(damage["lines"], serde_json::json!([2]));
}

/// Check entries are printed as they are made, in input order, shards and
/// plain files alike, whatever the thread count.
#[test]
fn check_prints_in_input_order() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.txt"), "D的二十大\n").unwrap();
    fs::write(
        dir.path().join("b.jsonl"),
        "{\"text\":\"庭院%2B\"}\n{\"text\":\"干净\"}\n{\"text\":\"D的二十大\"}\n",
    )
    .unwrap();
    fs::write(dir.path().join("c.txt"), "每日上##paidbegin##门入户\n").unwrap();
    for jobs in ["1", "2"] {
        let run = docclean()
            .arg("check")
            .arg(dir.path())
            .args(["--diff", "-j", jobs])
            .assert()
            .code(1);
        let out = String::from_utf8_lossy(&run.get_output().stdout).into_owned();
        let heads: Vec<&str> = out
            .lines()
            .filter(|l| l.contains(": ") && !l.starts_with(['+', '-', '@', ' ', '~']))
            .map(|l| l.rsplit('/').next().unwrap())
            .collect();
        assert_eq!(
            heads,
            [
                "a.txt:1:1: censor.dang replaces \"D\" with \"党\"",
                "b.jsonl:1:1: escape.percent replaces \"%2B\" with \"+\" [text 1:3]",
                "b.jsonl:3:1: censor.dang replaces \"D\" with \"党\" [text 1:1]",
                "c.txt:1:4: paywall.cms-marker removes \"##paidbegin##\""
            ],
            "{out}"
        );
        assert!(out.contains("~[-D-]{+党+}的二十大"), "{out}");
    }
}

/// A run over more files than one round holds (`check` takes 256 at a
/// time): the report's examples are still the first edits of the first
/// documents in path order that had one, whatever round they fall in, and
/// `clean` (one round) keeps the same ones.
#[test]
fn examples_come_from_the_first_documents_across_rounds() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    fs::create_dir(&input).unwrap();
    // the first round (f000–f255) holds one document to take an example
    // from; the other two must come from the next round
    for i in 0..300 {
        let text = if i == 0 || i >= 256 {
            format!("第{i}号文件：深入学习贯彻D的二十大精神，全面加强D的建设。\n")
        } else {
            format!("第{i}号文件：全面加强基层建设。\n")
        };
        fs::write(input.join(format!("f{i:03}.txt")), text).unwrap();
    }
    let examples = |args: &[&str], report: &str| -> Vec<String> {
        let report = dir.path().join(report);
        docclean()
            .args(args)
            .arg(&input)
            .arg("--report")
            .arg(&report)
            .arg("-q")
            .output()
            .unwrap();
        let r: serde_json::Value = serde_json::from_slice(&fs::read(&report).unwrap()).unwrap();
        rule_in(&r, "censor.dang")["examples"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["path"].as_str().unwrap().to_owned())
            .collect()
    };
    let checked = examples(&["check"], "check.json");
    let out = dir.path().join("out");
    let cleaned = examples(&["clean", "--out", out.to_str().unwrap()], "clean.json");
    assert_eq!(checked.len(), 3, "{checked:?}");
    for (e, want) in checked.iter().zip(["f000.txt", "f256.txt", "f257.txt"]) {
        assert!(e.ends_with(want), "{checked:?}");
    }
    assert_eq!(checked, cleaned);
}

/// The entry of rule `id` in a JSON report.
fn rule_in<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == id)
        .unwrap_or_else(|| panic!("no rule {id} in the report"))
}
