//! What users see, as snapshot files in `tests/snapshots/`: the summary
//! table, `check` output and the JSON report (timings aside) on the bundled
//! samples. After an intended change, regenerate them with
//! `INSTA_UPDATE=always cargo test --test golden` (or `cargo insta review`)
//! and read the diff before committing.

use assert_cmd::Command;

fn docclean() -> Command {
    Command::cargo_bin("docclean").unwrap()
}

#[test]
fn clean_summary_and_report() {
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("report.json");
    let run = docclean()
        .args(["clean", "samples/input", "-j2", "--out"])
        .arg(out.path().join("clean"))
        .arg("--report")
        .arg(&report)
        .assert()
        .code(0);
    let table = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
    insta::assert_snapshot!("clean_summary", table);
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    json.as_object_mut().unwrap().remove("timings");
    insta::assert_snapshot!("clean_report", serde_json::to_string_pretty(&json).unwrap());
}

#[test]
fn check_output() {
    let run = docclean()
        .args(["check", "samples/input", "--diff", "--color", "never"])
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&run.get_output().stdout).into_owned();
    insta::assert_snapshot!("check_diff", stdout);
}
