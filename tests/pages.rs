//! Page chrome of document-sharing sites (rules/55-sites.toml, rules/SITES.md):
//! `tests/data/pages/*.txt` are documents in the shapes those sites print, each
//! with its `.expected` body. Every line of an input that is not in its expected
//! output is a site line. Checked line by line, in both scripts, with and without
//! `--learn`: at least 99 % of site lines removed and no content line removed.

use assert_cmd::Command;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/pages")
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
        for l in lines(&fs::read_to_string(input.with_extension("expected")).unwrap()) {
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
