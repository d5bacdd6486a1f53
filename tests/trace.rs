//! `--trace` and `docclean explain`: every edit has a record, the records
//! replay to the output, the file is the same whatever `-j`, and `explain`
//! marks the changed characters. Exit code in every expectation.

use assert_cmd::Command;
use docclean::trace::{apply_edits, RecordKind, TraceRecord};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

fn docclean() -> Command {
    Command::cargo_bin("docclean").unwrap()
}

fn records(path: &Path) -> Vec<TraceRecord> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Clean `input` into `out` with `--trace`, returning the records.
fn clean_traced(input: &Path, out: &Path, trace: &Path, jobs: &str) -> Vec<TraceRecord> {
    docclean()
        .args(["clean", "-q", "-j", jobs, "--out"])
        .arg(out)
        .arg("--trace")
        .arg(trace)
        .arg(input)
        .assert()
        .code(0);
    records(trace)
}

#[test]
fn every_edit_of_the_eval_corpus_replays_to_the_output() {
    let noisy = Path::new("../shared/eval/corpus/noisy");
    if !noisy.is_dir() {
        eprintln!("skipped: {} is not here", noisy.display());
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let one = clean_traced(noisy, &t.path().join("out1"), &t.path().join("t1"), "1");
    let two = clean_traced(noisy, &t.path().join("out2"), &t.path().join("t2"), "2");
    assert_eq!(one, two, "the trace differs with -j");
    let mut by_file: BTreeMap<String, Vec<&TraceRecord>> = BTreeMap::new();
    for r in &one {
        by_file.entry(r.path.clone()).or_default().push(r);
    }
    let mut changed = 0;
    for entry in walk(noisy) {
        let rel = entry.strip_prefix(noisy).unwrap();
        let written = t.path().join("out1").join(rel);
        let Ok(output) = fs::read_to_string(&written) else {
            continue; // skipped (not text)
        };
        let input = docclean::decode::decode(&fs::read(&entry).unwrap(), None).unwrap();
        let mine = by_file
            .get(&entry.display().to_string())
            .cloned()
            .unwrap_or_default();
        if input.text != output {
            changed += 1;
            assert!(
                mine.iter().any(|r| r.kind == RecordKind::Edit),
                "{}: changed without a record",
                entry.display()
            );
        }
        let replayed = apply_edits(&input.text, mine).unwrap();
        assert_eq!(replayed, output, "{}", entry.display());
    }
    assert!(changed > 40, "only {changed} changed files");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn trace_records_carry_evidence_and_jsonl_lines() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("in");
    fs::create_dir(&dir).unwrap();
    fs::write(
        dir.join("a.txt"),
        "正文第一段。\n扫码关注微信公众号，领取优惠券\n深入学习D的二十大精神\n",
    )
    .unwrap();
    fs::write(
        dir.join("b.jsonl"),
        "{\"text\":\"干净\"}\n{\"text\":\"他说D的东西很好\"}\n",
    )
    .unwrap();
    let trace = t.path().join("trace.jsonl");
    let recs = clean_traced(&dir, &t.path().join("out"), &trace, "2");
    let ad = recs.iter().find(|r| r.rule == "ad.line").unwrap();
    assert_eq!((ad.line, ad.after.as_str()), (2, ""));
    assert!(ad.evidence.score.unwrap() >= ad.evidence.threshold.unwrap());
    assert!(!ad.evidence.features.is_empty());
    let dang = recs
        .iter()
        .find(|r| r.rule == "censor.dang" && r.kind == RecordKind::Edit);
    assert_eq!(dang.unwrap().evidence.judged, Some(true));
    let kept = recs.iter().find(|r| r.kind == RecordKind::Kept).unwrap();
    assert_eq!(
        (kept.jsonl_line, kept.rule.as_str()),
        (Some(2), "censor.dang")
    );
    assert!(kept
        .reason
        .as_deref()
        .unwrap()
        .contains("judged real letters"));
}

#[test]
fn mojibake_records_name_the_codec() {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("m.txt");
    // UTF-8 read as GBK
    let (garbled, _, _) = encoding_rs::GBK.decode("深入学习贯彻党的二十大精神\n".as_bytes());
    fs::write(&f, garbled.as_bytes()).unwrap();
    let trace = t.path().join("trace.jsonl");
    docclean()
        .args(["check", "-q", "--trace"])
        .arg(&trace)
        .arg(&f)
        .assert()
        .code(1);
    let recs = records(&trace);
    let m = recs.iter().find(|r| r.rule == "encoding.mojibake").unwrap();
    assert_eq!(m.evidence.codecs, ["GBK"]);
}

#[test]
fn a_run_without_changes_writes_an_empty_trace() {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("clean.txt");
    fs::write(&f, "干净的正文。\n").unwrap();
    let trace = t.path().join("trace.jsonl");
    clean_traced(&f, &t.path().join("out"), &trace, "1");
    assert_eq!(fs::read_to_string(&trace).unwrap(), "");
}

fn explain(path: &Path, extra: &[&str]) -> (i32, String) {
    let a = docclean()
        .arg("explain")
        .arg(path)
        .args(extra)
        .env_remove("NO_COLOR")
        .assert();
    let out = a.get_output();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn explain_marks_only_the_changed_characters() {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("a.txt");
    let long = "长".repeat(80);
    fs::write(
        &f,
        format!("{long}深入学习D的二十大精神\u{200B}{long}\n尾巴  \n"),
    )
    .unwrap();
    let (code, out) = explain(&f, &[]);
    assert_eq!(code, 0);
    assert!(out.contains("深入学习[-D-]{+党+}的二十大精神"), "{out}");
    assert!(out.contains("[-\\u{200b}-]"), "{out}");
    assert!(out.contains("尾巴[-  -]"), "{out}");
    assert!(
        out.contains(&format!("{}:1  censor.dang", f.display())),
        "{out}"
    );
    assert!(
        out.contains("why: the document was judged censored"),
        "{out}"
    );
    // a paragraph-long line is cut around the change, never repeated whole
    assert!(!out.contains(&long), "{out}");
    assert!(!out.contains('\x1b'), "no colour off a terminal: {out}");
}

#[test]
fn explain_colours_only_when_asked_or_on_a_terminal() {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("a.txt");
    fs::write(&f, "深入学习D的二十大精神\n").unwrap();
    let (_, out) = explain(&f, &["--color", "always"]);
    assert!(out.contains("\x1b[9;31mD\x1b[0m"), "{out}");
    let (_, out) = explain(&f, &["--color", "never"]);
    assert!(!out.contains('\x1b'), "{out}");
}

#[test]
fn explain_of_a_missing_file_is_an_error() {
    docclean()
        .args(["explain", "/nonexistent/x.txt"])
        .assert()
        .code(2);
}

#[test]
fn rules_show_prints_the_rule_as_written_with_its_examples() {
    let a = docclean()
        .args(["rules", "--isolated", "show", "escape.percent"])
        .assert()
        .code(0);
    let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(out.starts_with("# "), "{out}");
    assert!(out.contains("20-escapes.toml:"), "{out}");
    assert!(out.contains("[[rule]]\nid = \"escape.percent\""), "{out}");
    assert!(out.contains("[[rule.examples]]"), "{out}");
    assert!(
        !out.contains("escape.html-entities"),
        "only the one rule: {out}"
    );
}

#[test]
fn rules_show_finds_a_user_rule_that_replaces_a_default() {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("mine.toml");
    fs::write(
        &f,
        "[[rule]]\nid = \"escape.percent\"\nkind = \"invisible\"\nstage = \"escape\"\ndescription = \"mine\"\n",
    )
    .unwrap();
    let a = docclean()
        .args(["rules", "--isolated", "--rules"])
        .arg(&f)
        .args(["show", "escape.percent"])
        .assert()
        .code(0);
    let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(
        out.contains("mine.toml:1") && out.contains("description = \"mine\""),
        "{out}"
    );
    docclean()
        .args(["rules", "--isolated", "show", "no.such-rule"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no rule `no.such-rule`"));
}

fn override_file(dir: &Path, text: &str) -> std::path::PathBuf {
    let f = dir.join("override.toml");
    fs::write(&f, text).unwrap();
    f
}

#[test]
fn an_override_changes_one_field_of_a_built_in_rule() {
    let t = tempfile::tempdir().unwrap();
    let doc = t.path().join("a.txt");
    fs::write(&doc, "正文第一段。\n扫码关注微信公众号，领取优惠券\n").unwrap();
    let run = |extra: &[&std::ffi::OsStr]| {
        let a = docclean()
            .args(["explain", "--isolated"])
            .args(extra)
            .arg(&doc)
            .assert()
            .code(0);
        String::from_utf8_lossy(&a.get_output().stdout).into_owned()
    };
    assert!(run(&[]).contains("ad.line"));
    let f = override_file(t.path(), "[[override]]\nid = \"ad.line\"\nthreshold = 99\n");
    let out = run(&["--rules".as_ref(), f.as_os_str()]);
    assert!(!out.contains("ad.line"), "{out}");
    // the rest of the rule is as it was: its features, its examples
    let a = docclean()
        .args(["rules", "--isolated", "--rules"])
        .arg(&f)
        .args(["show", "ad.line"])
        .assert()
        .code(0);
    let shown = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(shown.contains("(override of ad.line)"), "{shown}");
    assert!(shown.contains("threshold = 99"), "{shown}");
    assert!(
        shown.contains("features") && shown.contains("examples"),
        "{shown}"
    );
}

#[test]
fn an_override_field_not_of_the_kind_is_an_error() {
    let t = tempfile::tempdir().unwrap();
    let f = override_file(
        t.path(),
        "[[override]]\nid = \"ad.line\"\ntokens = [\"x\"]\n",
    );
    docclean()
        .args(["rules", "--isolated", "--rules"])
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "`tokens` is not a field of its kind `advert`",
        ));
    let f = override_file(t.path(), "[[override]]\nid = \"no.such\"\nthreshold = 1\n");
    docclean()
        .args(["rules", "--isolated", "--rules"])
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no rule `no.such`"));
    let f = override_file(
        t.path(),
        "[[override]]\nid = \"ad.line\"\nkind = \"marker\"\n",
    );
    docclean()
        .args(["rules", "--isolated", "--rules"])
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cannot change the kind"));
}

#[test]
fn skipped_and_emptied_documents_are_named_on_the_terminal() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("in");
    fs::create_dir(&dir).unwrap();
    for i in 1..=7 {
        fs::write(
            dir.join(format!("d{i}.txt")),
            "【某某素材库】——每天更新材料1000多篇，会员群+网盘群同步每日更新，一键极速下载，有意加入请联系\n",
        )
        .unwrap();
    }
    fs::write(dir.join("e.txt"), "").unwrap();
    let a = docclean()
        .args(["clean", "-j", "2", "--out"])
        .arg(t.path().join("out"))
        .arg(&dir)
        .assert()
        .code(0);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(err.contains("e.txt: empty file"), "{err}");
    for i in 1..=5 {
        assert!(
            err.contains(&format!("d{i}.txt: cleaning left no text")),
            "{err}"
        );
    }
    assert!(!err.contains("d6.txt"), "{err}");
    assert!(err.contains("… and 2 more emptied"), "{err}");
}

/// A JSON line holding `text`.
fn jsonl_line(text: &str) -> String {
    format!("{}\n", serde_json::json!({ "text": text }))
}

/// The record of `rule` (of `kind`), which must exist.
fn record<'r>(recs: &'r [TraceRecord], rule: &str, kind: RecordKind) -> &'r TraceRecord {
    recs.iter()
        .find(|r| r.rule == rule && r.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} record of {rule}"))
}

#[test]
fn every_rule_family_carries_its_evidence() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("in");
    fs::create_dir(&dir).unwrap();
    let (garbled, _, _) = encoding_rs::GBK.decode("学习党的知识\n".as_bytes());
    let doc = format!(
        "正文第一段。\n（以下为付费内容）\n第2页 / 共12页\n深入学习D的二十大精神，坚持D的领导\n文字&amp;符号\u{200B}零宽\n##paidend##\n尾巴  \n{garbled}"
    );
    fs::write(dir.join("a.jsonl"), jsonl_line(&doc)).unwrap();
    let recs = clean_traced(&dir, &t.path().join("out"), &t.path().join("t.jsonl"), "2");
    let dang = record(&recs, "censor.dang", RecordKind::Edit);
    assert_eq!(dang.evidence.judged, Some(true));
    assert!(
        dang.evidence
            .phrases
            .iter()
            .any(|p| p.contains("D的二十大")),
        "{:?}",
        dang.evidence.phrases
    );
    assert!(dang.evidence.changes.iter().all(|c| c == "D → 党"));
    let m = record(&recs, "encoding.mojibake", RecordKind::Edit);
    assert_eq!(m.evidence.codecs, ["GBK"]);
    assert!(m.evidence.gain.unwrap() > 0.0, "{:?}", m.evidence);
    let paywall = record(&recs, "paywall.notice", RecordKind::Edit);
    assert_eq!(
        paywall.evidence.matched.as_deref(),
        Some("（以下为付费内容）")
    );
    let page = record(&recs, "site.pagination", RecordKind::Edit);
    assert_eq!(page.evidence.family.as_deref(), Some("pagination"));
    assert!(page.evidence.zone.is_some() && page.evidence.matched.is_some());
    let amp = record(&recs, "escape.html-entities", RecordKind::Edit);
    assert_eq!(amp.evidence.changes, ["amp; → ∅"]);
    let zw = record(&recs, "invisible.zero-width", RecordKind::Edit);
    assert_eq!(zw.evidence.changes, ["\\u{200b} → ∅"]);
    let marker = record(&recs, "paywall.cms-marker", RecordKind::Edit);
    assert_eq!(marker.evidence.matched.as_deref(), Some("##paidend##"));
    let trailing = record(&recs, "whitespace.trailing", RecordKind::Edit);
    assert_eq!(trailing.evidence.changes, ["␠␠ → ∅"]);
}

#[test]
fn deliberate_non_edits_have_kept_records_whatever_jobs() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("in");
    fs::create_dir(&dir).unwrap();
    let docs = [
        // censored: its look-alikes stay, and say so
        "深入学习D的二十大精神，坚持D的领导。他家买了3D打印机，住在槐花园D区。",
        // not censored: a lone D judged a real letter
        "他说D的东西很好。",
        "这是一个AAA级景区。",
        // a code-page candidate turned down by a named check
        "Price list \u{c5}\u{2014} total",
        "干净的正文。",
    ];
    let shard: String = docs.iter().map(|d| jsonl_line(d)).collect();
    fs::write(dir.join("s.jsonl"), shard).unwrap();
    let one = t.path().join("t1.jsonl");
    let two = t.path().join("t2.jsonl");
    let recs = clean_traced(&dir, &t.path().join("o1"), &one, "1");
    clean_traced(&dir, &t.path().join("o2"), &two, "2");
    assert_eq!(fs::read(&one).unwrap(), fs::read(&two).unwrap());
    let kept = |line: u64, rule: &str, says: &str| {
        recs.iter().any(|r| {
            r.kind == RecordKind::Kept
                && r.jsonl_line == Some(line)
                && r.rule == rule
                && r.reason.as_deref().unwrap().contains(says)
        })
    };
    assert!(kept(1, "censor.dang", "\"3D\""), "{recs:#?}");
    assert!(kept(1, "censor.dang", "\"D区\""));
    assert!(kept(2, "censor.dang", "judged real letters"));
    assert!(kept(3, "censor.weixin", "\"AAA级\""));
    assert!(kept(4, "encoding.mojibake", "lone Latin Extended letter"));
    assert!(!recs.iter().any(|r| r.jsonl_line == Some(5)));
    // the restored document's own tokens are edits, not kept
    assert!(!kept(1, "censor.dang", "judged real letters"));
}
