//! The run report as a user reads it: examples spread over documents with
//! their lines, the same whatever the thread count; the files named on the
//! terminal; and the HTML page (`--report-html`, `report html`): its
//! sections, escaping, self-containment and determinism.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

fn docclean() -> Command {
    Command::cargo_bin("docclean").unwrap()
}

/// Five documents, each with censored tokens on its later lines (three in
/// the first), one carrying markup that must stay text on the page.
fn corpus(dir: &Path) {
    fs::create_dir_all(dir).unwrap();
    for i in 1..=5 {
        let mut text = format!("第{i}篇 学习体会\n\n");
        if i == 3 {
            text.push_str("D的<script>&</script>建设。\n");
        }
        let tokens = if i == 1 { 3 } else { 1 };
        for k in 0..tokens {
            text.push_str(&format!(
                "第{k}段：深入学习贯彻D的二十大精神，坚持D的领导。\n"
            ));
        }
        fs::write(dir.join(format!("d{i}.txt")), text).unwrap();
    }
}

/// Clean `input` with `-j jobs`; the JSON report and the HTML page.
fn run(t: &Path, input: &Path, jobs: &str) -> (Value, String) {
    let (json, html) = (
        t.join(format!("r{jobs}.json")),
        t.join(format!("r{jobs}.html")),
    );
    docclean()
        .args(["clean", "-q", "-j", jobs, "--out"])
        .arg(t.join(format!("out{jobs}")))
        .arg("--report")
        .arg(&json)
        .arg("--report-html")
        .arg(&html)
        .arg(input)
        .assert()
        .code(0);
    let report = serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
    (report, fs::read_to_string(&html).unwrap())
}

/// The rule that restores `D的` (whatever its id in the pack).
fn censor_rule(report: &Value) -> &Value {
    report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["examples"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["before"].as_str().unwrap().contains("D的"))
        })
        .expect("a rule restores D的")
}

fn without_timings(mut r: Value) -> Value {
    r["timings"] = Value::Null;
    r
}

fn html_without_timings(page: &str) -> String {
    page.lines()
        .filter(|l| !l.contains("id=\"timings\""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn examples_come_from_several_documents_with_their_lines_whatever_the_threads() {
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("in");
    corpus(&input);
    let (one, page_one) = run(t.path(), &input, "1");
    let (two, page_two) = run(t.path(), &input, "2");
    assert_eq!(without_timings(one.clone()), without_timings(two));
    assert_eq!(
        html_without_timings(&page_one),
        html_without_timings(&page_two)
    );
    let censor = censor_rule(&one);
    let examples = censor["examples"].as_array().unwrap();
    assert_eq!(examples.len(), 3);
    let docs: BTreeSet<&str> = examples
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        docs.len(),
        3,
        "one example per document first: {examples:?}"
    );
    // the first documents in input order, each at the line of its edit
    for (e, name) in examples.iter().zip(["d1.txt", "d2.txt", "d3.txt"]) {
        assert!(e["path"].as_str().unwrap().ends_with(name), "{e}");
        assert_eq!(e["line"], 3, "{e}");
    }
}

#[test]
fn shard_examples_name_their_lines() {
    let t = tempfile::tempdir().unwrap();
    let shard = t.path().join("s.jsonl");
    let mut input = String::new();
    for i in 1..=6 {
        let text = if i % 2 == 0 {
            "正文一行。\n深入学习D的精神，坚持D的领导，加强D的建设。".to_owned()
        } else {
            format!("第{i}条，没有要改的。")
        };
        input.push_str(&serde_json::json!({ "id": i, "text": text }).to_string());
        input.push('\n');
    }
    fs::write(&shard, input).unwrap();
    let (report, _) = run(t.path(), &shard, "2");
    let examples = censor_rule(&report)["examples"].as_array().unwrap().clone();
    let at: Vec<(String, u64)> = examples
        .iter()
        .map(|e| {
            let path = e["path"].as_str().unwrap();
            (
                path[path.rfind(':').unwrap()..].to_owned(),
                e["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        at,
        [(":2".into(), 2), (":4".into(), 2), (":6".into(), 2)],
        "{examples:?}"
    );
}

#[test]
fn an_invisible_change_is_shown_with_escapes() {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("a.txt");
    fs::write(&f, "会员\u{200B}服务热线全天开通。\n").unwrap();
    let (report, page) = run(t.path(), &f, "1");
    let e = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["examples"].as_array().unwrap())
        .find(|e| e["before"].as_str().unwrap().contains('\u{200B}'))
        .expect("an example of the zero-width space");
    assert_eq!(e["before_escaped"], "会员\\u{200b}服务热线全天开通。");
    assert_eq!(e["after_escaped"], "会员服务热线全天开通。");
    assert!(page.contains("<del>\\u{200b}</del>"), "{page}");
}

/// Every element of the page, parsed strictly (the page is well-formed XML).
fn parse(page: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse_with_options(
        page,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("not well-formed: {e}"))
}

#[test]
fn the_page_has_every_section_loads_nothing_and_escapes_the_input() {
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("in");
    corpus(&input);
    fs::write(input.join("empty.txt"), "").unwrap();
    let (report, page) = run(t.path(), &input, "2");
    let doc = parse(&page);
    let ids: BTreeSet<&str> = doc
        .descendants()
        .filter_map(|n| n.attribute("id"))
        .collect();
    for id in [
        "summary",
        "timings",
        "stages",
        "rules",
        "encodings",
        "examples",
        "skipped",
        "emptied",
        "warnings",
        "errors",
    ] {
        assert!(ids.contains(id), "no #{id}");
    }
    // nothing fetched: no script, no stylesheet, frame or image, no address
    for n in doc.descendants().filter(|n| n.is_element()) {
        let name = n.tag_name().name();
        assert!(
            !["script", "link", "img", "iframe", "object", "embed"].contains(&name),
            "<{name}>"
        );
        for a in n.attributes() {
            assert!(
                !a.value().contains("http://") && !a.value().contains("https://"),
                "{}={}",
                a.name(),
                a.value()
            );
        }
    }
    assert!(!page.contains("url("), "the style loads nothing");
    // the markup in a document is text on the page
    assert!(page.contains("的&lt;script&gt;&amp;<"), "{page}");
    // the censor rule's row: a bar as wide as its share of the most changes
    let censor = censor_rule(&report);
    let id = format!("rule-{}", censor["id"].as_str().unwrap());
    let row = doc
        .descendants()
        .find(|n| n.attribute("id") == Some(id.as_str()))
        .expect("a row per rule that changed something");
    let width = row
        .descendants()
        .filter_map(|n| n.attribute("style"))
        .find(|s| s.starts_with("width:"))
        .expect("a bar");
    assert!(width.ends_with('%'), "{width}");
    // the examples marked: what went struck out, what came inserted
    let dels: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("del"))
        .map(|n| n.text().unwrap_or("").to_owned())
        .collect();
    assert!(dels.iter().any(|d| d == "D"), "{dels:?}");
    assert!(doc
        .descendants()
        .any(|n| n.has_tag_name("ins") && n.text() == Some("党")));
    // the skipped file listed
    let skipped = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("skipped"))
        .unwrap();
    assert!(skipped
        .descendants()
        .any(|n| n.text().is_some_and(|t| t.contains("empty.txt"))));
    // the subcommand renders the saved report to the same page
    let again = t.path().join("again.html");
    docclean()
        .args(["report", "html"])
        .arg(t.path().join("r2.json"))
        .arg("-o")
        .arg(&again)
        .assert()
        .code(0);
    assert_eq!(fs::read_to_string(&again).unwrap(), page);
}

fn gbk(text: &str) -> Vec<u8> {
    encoding_rs::GBK.encode(text).0.into_owned()
}

#[test]
fn files_not_in_utf8_are_named_first_few_then_counted() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("in");
    fs::create_dir(&dir).unwrap();
    for i in 1..=7 {
        let text = format!(
            "第{i}章 村里的新变化\n今年春天，村委会组织大家修好了通往镇上的公路，孩子们上学再也不用走泥路了。老人们说，这是几十年来最让人高兴的一件事。\n"
        );
        fs::write(dir.join(format!("g{i}.txt")), gbk(&text)).unwrap();
    }
    let json = t.path().join("r.json");
    let a = docclean()
        .args(["clean", "-j", "2", "--out"])
        .arg(t.path().join("out"))
        .arg("--report")
        .arg(&json)
        .arg(&dir)
        .assert()
        .code(0);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    let named: Vec<&str> = err.lines().filter(|l| l.contains("encoding: ")).collect();
    assert_eq!(named.len(), 5, "{err}");
    assert!(
        named[0].contains("g1.txt: GBK") || named[0].contains("g1.txt: gb18030"),
        "{err}"
    );
    assert!(err.contains("… and 2 more files not in UTF-8"), "{err}");
    let r: Value = serde_json::from_str(&fs::read_to_string(&json).unwrap()).unwrap();
    let listed: Vec<PathBuf> = r["file_encodings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| PathBuf::from(f["path"].as_str().unwrap()))
        .collect();
    assert_eq!(listed.len(), 7);
}

#[test]
fn the_page_and_the_json_do_not_share_stdout() {
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("in");
    corpus(&input);
    docclean()
        .args(["clean", "--report", "-", "--report-html", "-", "--out"])
        .arg(t.path().join("out"))
        .arg(&input)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("would both write to stdout"));
    assert!(!t.path().join("out").exists(), "nothing cleaned");
    // the page of a report read on stdin goes to stdout
    let (_, page) = run(t.path(), &input, "1");
    let out = docclean()
        .args(["report", "html", "-"])
        .pipe_stdin(t.path().join("r1.json"))
        .unwrap()
        .assert()
        .code(0);
    assert_eq!(String::from_utf8_lossy(&out.get_output().stdout), page);
}
