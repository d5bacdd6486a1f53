//! Page chrome of document-sharing sites (rules/55-sites.toml, rules/SITES.md):
//! `tests/data/pages/*.txt` are documents in the shapes those sites print, each
//! with its body alone in `tests/data/pages-expected/`. Every line of an input that is not in its expected
//! output is a site line. Checked line by line, in both scripts, with and without
//! `--learn`: at least 99 % of site lines removed and no content line removed.

use assert_cmd::Command;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/pages")
}

fn expected_path(name: &std::ffi::OsStr) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/pages-expected")
        .join(name)
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect()
}

#[derive(Default, Debug)]
struct Tally {
    site: usize,
    site_removed: usize,
    content: usize,
    content_removed: usize,
    misses: Vec<String>,
}

/// Compare each input with what came out, line by line (as multisets).
fn measure(out: &Path) -> Tally {
    let mut t = Tally::default();
    let mut names: Vec<_> = fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    names.sort();
    assert!(names.len() >= 20, "the corpus holds {} shapes", names.len());
    for input in names {
        let name = input.file_name().unwrap().to_owned();
        let mut expected: HashMap<String, usize> = HashMap::new();
        for l in lines(&fs::read_to_string(expected_path(&name)).unwrap()) {
            *expected.entry(l).or_default() += 1;
        }
        let mut got: HashMap<String, usize> = HashMap::new();
        for l in lines(&fs::read_to_string(out.join(&name)).unwrap_or_default()) {
            *got.entry(l).or_default() += 1;
        }
        for l in lines(&fs::read_to_string(&input).unwrap()) {
            let is_content = expected.get_mut(&l).is_some_and(|n| {
                let c = *n > 0;
                *n = n.saturating_sub(1);
                c
            });
            let kept = got.get_mut(&l).is_some_and(|n| {
                let k = *n > 0;
                *n = n.saturating_sub(1);
                k
            });
            let where_ = format!("{}: {l}", name.to_string_lossy());
            match (is_content, kept) {
                (true, true) => t.content += 1,
                (true, false) => {
                    t.content += 1;
                    t.content_removed += 1;
                    t.misses.push(format!("content removed: {where_}"));
                }
                (false, false) => {
                    t.site += 1;
                    t.site_removed += 1;
                }
                (false, true) => {
                    t.site += 1;
                    t.misses.push(format!("site line kept: {where_}"));
                }
            }
        }
    }
    t
}

fn clean(extra: &[&str]) -> Tally {
    let out = tempfile::tempdir().unwrap();
    Command::cargo_bin("docclean")
        .unwrap()
        .arg("clean")
        .arg(corpus())
        .arg("--out")
        .arg(out.path())
        .arg("-q")
        .args(extra)
        .assert()
        .code(0);
    measure(out.path())
}

fn check(t: &Tally, how: &str) {
    eprintln!(
        "{how}: site lines removed {}/{}, content lines removed {}/{}",
        t.site_removed, t.site, t.content_removed, t.content
    );
    for m in &t.misses {
        eprintln!("  {m}");
    }
    assert!(t.site >= 60 && t.content >= 80, "{t:?}");
    assert!(
        t.site_removed * 100 >= t.site * 99,
        "{how}: recall {}/{}",
        t.site_removed,
        t.site
    );
    assert_eq!(t.content_removed, 0, "{how}: content removed");
}

#[test]
fn site_lines_go_and_content_stays() {
    check(&clean(&[]), "rules");
}

#[test]
fn site_lines_go_and_content_stays_with_learning() {
    check(&clean(&["--learn"]), "rules + --learn");
}

#[test]
fn each_family_is_named_in_the_report() {
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("r.json");
    Command::cargo_bin("docclean")
        .unwrap()
        .arg("clean")
        .arg(corpus())
        .arg("--out")
        .arg(out.path().join("o"))
        .arg("--report")
        .arg(&report)
        .arg("-q")
        .assert()
        .code(0);
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&report).unwrap()).unwrap();
    let changes = |id: &str| {
        report["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .map_or(0, |r| r["changes"].as_u64().unwrap())
    };
    for id in [
        "site.upload-meta",
        "site.preview-caption",
        "site.pagination",
        "site.preview-left",
        "site.continue-reading",
        "site.member-share",
        "site.disclaimer",
        "site.app-promo",
        "site.copyright-icp",
        "site.nav-label",
        "paywall.notice",
    ] {
        assert!(changes(id) > 0, "{id} removed nothing");
    }
}

/// A dump from one site: chrome with no advert vocabulary recurs with variable
/// numbers and the document's own title; a sentence with a URL, headings and
/// body sentences recur too and are content.
fn one_site_dump(dir: &Path) {
    let topics = [
        "社区治理工作总结",
        "安全生产检查报告",
        "教师培训心得体会",
        "乡村道路建设方案",
        "垃圾分类宣传稿件",
        "防汛工作应急预案",
    ];
    for (i, t) in topics.iter().enumerate() {
        let n = 10 + i * 7;
        let url = "更多政策解读见 https://www.example.gov.cn/zcjd/ 的专题页面，欢迎查阅。";
        let doc = format!(
            "{t}\n作者：某某 时间：2023-0{m}-1{i} 浏览：{v}\n下载 相关 举报\n{t}_第1页\n第1页 / 共{n}页\n\
             一、基本情况\n今年以来，我们围绕重点任务开展了大量工作。\n{url}\n二、主要做法\n\
             一是加强组织领导，第{p}页附有名单。\n二是完善制度机制，明确责任分工。\n三、下一步打算\n\
             继续加强统筹协调，确保各项任务落实到位。\n{url}\n第{n}页 / 共{n}页\n上一篇 下一篇\n返回顶部\n",
            m = i + 1,
            v = 100 + i * 37,
            p = i + 2,
        );
        fs::write(dir.join(format!("d{i}.txt")), doc).unwrap();
    }
}

#[test]
fn learning_finds_chrome_without_vocabulary_and_never_content() {
    let t = tempfile::tempdir().unwrap();
    let dump = t.path().join("dump");
    fs::create_dir_all(&dump).unwrap();
    one_site_dump(&dump);
    let rules = t.path().join("learned.toml");
    let run = Command::cargo_bin("docclean")
        .unwrap()
        .arg("learn")
        .arg(&dump)
        .arg("--save-boilerplate")
        .arg(&rules)
        .assert()
        .code(0);
    let summary = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
    let learned = fs::read_to_string(&rules).unwrap();
    for chrome in [
        "下载相关举报",
        "上一篇下一篇",
        "返回顶部",
        "〈T〉_第0页",
        "第0页/共0页",
    ] {
        assert!(learned.contains(chrome), "{chrome} not learned:\n{learned}");
        assert!(
            summary.contains(chrome),
            "{chrome} not in the summary:\n{summary}"
        );
    }
    assert!(
        summary.contains("never in a body") && summary.contains("d0.txt"),
        "{summary}"
    );
    for content in [
        "example.gov.cn",
        "基本情况",
        "下一步打算",
        "落实到位",
        "责任分工",
    ] {
        assert!(!learned.contains(content), "{content} learned:\n{learned}");
    }
    // --dry-run prints the same and writes nothing
    let dry = t.path().join("dry.toml");
    let run = Command::cargo_bin("docclean")
        .unwrap()
        .arg("learn")
        .arg(&dump)
        .arg("--save-boilerplate")
        .arg(&dry)
        .arg("--dry-run")
        .assert()
        .code(0);
    assert!(!dry.exists());
    assert!(String::from_utf8_lossy(&run.get_output().stderr).contains("返回顶部"));
    // clean --learn removes the chrome, prints the summary, and keeps every content line
    let out = t.path().join("out");
    let run = Command::cargo_bin("docclean")
        .unwrap()
        .arg("clean")
        .arg(&dump)
        .arg("--learn")
        .arg("--out")
        .arg(&out)
        .assert()
        .code(0);
    assert!(String::from_utf8_lossy(&run.get_output().stderr).contains("上一篇下一篇"));
    let doc = fs::read_to_string(out.join("d3.txt")).unwrap();
    assert_eq!(
        doc,
        "乡村道路建设方案\n一、基本情况\n今年以来，我们围绕重点任务开展了大量工作。\n\
         更多政策解读见 https://www.example.gov.cn/zcjd/ 的专题页面，欢迎查阅。\n二、主要做法\n\
         一是加强组织领导，第5页附有名单。\n二是完善制度机制，明确责任分工。\n三、下一步打算\n\
         继续加强统筹协调，确保各项任务落实到位。\n\
         更多政策解读见 https://www.example.gov.cn/zcjd/ 的专题页面，欢迎查阅。\n"
    );
}

#[test]
fn learning_on_the_eval_corpus_learns_no_content() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/eval/corpus");
    if !shared.is_dir() {
        eprintln!("note: ../shared not found; skipped");
        return;
    }
    let run = Command::cargo_bin("docclean")
        .unwrap()
        .arg("learn")
        .arg(shared.join("noisy"))
        .arg("--dry-run")
        .assert()
        .code(0);
    let summary = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
    // every learned line is absent from every expected (clean) document
    let mut expected = String::new();
    for e in walk(&shared.join("expected")) {
        expected.push_str(&fs::read_to_string(e).unwrap_or_default());
        expected.push('\n');
    }
    let folded: std::collections::HashSet<String> = expected
        .lines()
        .map(docclean::rules::boilerplate::normalise_line)
        .collect();
    let learned: Vec<&str> = summary
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().nth(2))
        .collect();
    assert!(!learned.is_empty(), "{summary}");
    for l in learned {
        assert!(!folded.contains(l), "content learned: {l}");
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut v = vec![];
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            v.extend(walk(&p));
        } else {
            v.push(p);
        }
    }
    v
}
