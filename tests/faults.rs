//! Fault injection: an `--in-place --backup` run is killed (SIGKILL, no
//! chance to tidy up) at random moments. Afterwards every file must be its
//! original or its complete cleaned text, every backup complete, and the next
//! run must take no temporary file for a document and finish the job. A
//! killed `--out` run must leave only complete files.

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

const FILES: usize = 200;

/// A tree of noisy documents, some large, some JSONL.
fn make_tree(root: &Path, seed: u64) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut x = seed;
    for i in 0..FILES {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let repeat = 20 + (x >> 33) as usize % 400;
        let rel = PathBuf::from(format!(
            "d{}/f{i}.{}",
            i % 7,
            if i % 5 == 0 { "jsonl" } else { "txt" }
        ));
        let body = if i % 5 == 0 {
            (0..repeat)
                .map(|k| {
                    format!(
                        "{{\"id\":{k},\"text\":\"第{k}段，深入学习D的二十大精神，庭院%2B。\"}}\n"
                    )
                })
                .collect::<String>()
        } else {
            "深入学习贯彻D的二十大精神，每日上##paidbegin##门入户，庭院%2B。\n".repeat(repeat)
        };
        let path = root.join(&rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, &body).unwrap();
        files.insert(rel, body.into_bytes());
    }
    files
}

/// The next of a run of pseudo-random delays, `base` to `base + spread` ms.
fn next_delay(x: &mut u64, base: u64, spread: u64) -> Duration {
    *x = x
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    Duration::from_millis(base + (*x >> 33) % spread)
}

fn run(args: &[&str], root: &Path) -> std::process::Command {
    let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("docclean"));
    c.args(args).arg(root);
    c.stderr(std::process::Stdio::null());
    c
}

#[test]
fn killed_in_place_runs_lose_nothing() {
    let scratch = tempfile::tempdir().unwrap();
    // the cleaned bytes each file must come to
    let reference = scratch.path().join("reference");
    let originals = make_tree(&reference.join("in"), 7);
    Command::cargo_bin("docclean")
        .unwrap()
        .arg("clean")
        .arg(reference.join("in"))
        .arg("--out")
        .arg(reference.join("out"))
        .arg("-q")
        .assert()
        .code(0);
    let cleaned: BTreeMap<PathBuf, Vec<u8>> = originals
        .keys()
        .map(|rel| {
            (
                rel.clone(),
                fs::read(reference.join("out").join(rel)).unwrap(),
            )
        })
        .collect();
    let mut x: u64 = 0x5eed;
    for round in 0..5 {
        let root = scratch.path().join(format!("round{round}"));
        make_tree(&root, 7);
        let mut child = run(&["clean", "--in-place", "--backup", ".orig", "-q"], &root)
            .spawn()
            .unwrap();
        std::thread::sleep(next_delay(&mut x, 20, 400));
        let _ = child.kill();
        child.wait().unwrap();
        check_tree(&root, &originals, &cleaned, false);
        // the next run finishes the job and takes no debris for a document
        let status = run(&["clean", "--in-place", "--backup", ".orig", "-q"], &root)
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(0), "round {round}");
        check_tree(&root, &originals, &cleaned, true);
    }
}

#[test]
fn killed_runs_into_an_output_folder_leave_only_complete_files() {
    let scratch = tempfile::tempdir().unwrap();
    let input = scratch.path().join("in");
    let originals = make_tree(&input, 11);
    let reference = scratch.path().join("reference");
    Command::cargo_bin("docclean")
        .unwrap()
        .args(["clean", "-q", "--out"])
        .arg(&reference)
        .arg(&input)
        .assert()
        .code(0);
    let mut x: u64 = 0xfa17;
    for round in 0..5 {
        let out = scratch.path().join(format!("out{round}"));
        let out_arg = out.to_str().unwrap();
        let mut child = run(&["clean", "-q", "-j", "2", "--out", out_arg], &input)
            .spawn()
            .unwrap();
        std::thread::sleep(next_delay(&mut x, 10, 300));
        let _ = child.kill();
        child.wait().unwrap();
        for e in walkdir::WalkDir::new(&out).into_iter().flatten() {
            if !e.file_type().is_file() {
                continue;
            }
            let rel = e.path().strip_prefix(&out).unwrap();
            let name = e.file_name().to_string_lossy();
            // on Linux an output file has no name until it is whole
            if cfg!(target_os = "linux") || !name.starts_with(".docclean-tmp-") {
                assert!(
                    originals.contains_key(rel),
                    "round {round}: stray {}",
                    rel.display()
                );
                assert_eq!(
                    fs::read(e.path()).unwrap(),
                    fs::read(reference.join(rel)).unwrap(),
                    "round {round}: {} is not whole",
                    rel.display()
                );
            }
        }
    }
}

/// Every file is its original or its cleaned bytes (only cleaned when
/// `finished`); every backup holds the original; after a finished run no
/// temporary file is left.
fn check_tree(
    root: &Path,
    originals: &BTreeMap<PathBuf, Vec<u8>>,
    cleaned: &BTreeMap<PathBuf, Vec<u8>>,
    finished: bool,
) {
    for (rel, original) in originals {
        let now = fs::read(root.join(rel)).unwrap();
        let done = &cleaned[rel];
        assert!(
            now == *done || (!finished && now == *original),
            "{} is neither its original nor its cleaned text",
            rel.display()
        );
        let mut backup = root.join(rel).into_os_string();
        backup.push(".orig");
        match fs::read(PathBuf::from(backup)) {
            Ok(b) => assert_eq!(&b, original, "backup of {} is incomplete", rel.display()),
            Err(_) => assert!(
                now == *original || done == original,
                "{} was replaced without a backup",
                rel.display()
            ),
        }
    }
    let mut names = Vec::new();
    for e in walkdir::WalkDir::new(root).into_iter().flatten() {
        if e.file_type().is_file() {
            names.push(e.file_name().to_string_lossy().into_owned());
        }
    }
    if finished {
        assert!(
            names.iter().all(|n| !n.starts_with(".docclean-tmp-")),
            "temporary files left after a finished run"
        );
        let expected = originals.len()
            + originals
                .iter()
                .filter(|(rel, o)| cleaned[*rel] != **o)
                .count();
        assert_eq!(
            names.len(),
            expected,
            "documents and their backups, nothing else"
        );
    }
}
