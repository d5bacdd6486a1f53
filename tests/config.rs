//! Settings files found the way ruff and typos find theirs: walking up from
//! the current directory to the first `docclean.toml` or `pyproject.toml`
//! with a `[tool.docclean]` table; `docclean config` shows what is in
//! effect and where it came from. Exit code in every expectation.

use assert_cmd::Command;
use std::fs;
use std::path::Path;

fn docclean_in(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("docclean").unwrap();
    c.current_dir(dir);
    c
}

fn stdout_of(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stdout).into_owned()
}

#[test]
fn the_nearest_settings_file_up_the_tree_is_read() {
    let t = tempfile::tempdir().unwrap();
    let deep = t.path().join("corpus/a/b");
    fs::create_dir_all(&deep).unwrap();
    fs::write(deep.join("doc.txt"), "深入学习D的二十大精神\n").unwrap();
    // nothing found: the default rules find the censored token
    docclean_in(&deep)
        .args(["check", "doc.txt"])
        .assert()
        .code(1);
    fs::write(t.path().join("docclean.toml"), "ignore = [\"censor\"]\n").unwrap();
    docclean_in(&deep)
        .args(["check", "doc.txt"])
        .assert()
        .code(0);
    docclean_in(&deep)
        .args(["check", "doc.txt", "--isolated"])
        .assert()
        .code(1);
    // a pyproject.toml without a [tool.docclean] table is passed over
    fs::write(
        t.path().join("corpus/pyproject.toml"),
        "[tool.other]\nx = 1\n",
    )
    .unwrap();
    docclean_in(&deep)
        .args(["check", "doc.txt"])
        .assert()
        .code(0);
    // one with the table is nearer, and wins
    fs::write(
        t.path().join("corpus/pyproject.toml"),
        "[project]\nname = \"x\"\n\n[tool.docclean]\nselect = [\"escape\"]\noutput-format = \"json\"\n",
    )
    .unwrap();
    // (select = escape finds nothing in it)
    let run = docclean_in(&deep)
        .args(["check", "doc.txt"])
        .assert()
        .code(0);
    assert_eq!(stdout_of(&run), "[]\n", "json, as the settings say");
    // a flag wins over the file
    docclean_in(&deep)
        .args([
            "check",
            "doc.txt",
            "--select",
            "censor",
            "--output-format",
            "text",
        ])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("doc.txt:1:5: censor.dang"));
    // a docclean.toml beside the pyproject.toml is taken first
    fs::write(
        t.path().join("corpus/docclean.toml"),
        "select = [\"censor\"]\n",
    )
    .unwrap();
    docclean_in(&deep)
        .args(["check", "doc.txt"])
        .assert()
        .code(1);
}

#[test]
fn rule_paths_are_relative_to_the_file_and_errors_name_it() {
    let t = tempfile::tempdir().unwrap();
    let sub = t.path().join("sub");
    fs::create_dir_all(t.path().join("my-rules")).unwrap();
    fs::create_dir_all(&sub).unwrap();
    fs::write(
        t.path().join("my-rules/zf.toml"),
        "[[rule]]\nid = \"censor.zf\"\nkind = \"replace\"\nstage = \"censor\"\ndescription = \"zf\"\npattern = \"市zf\"\nreplace = \"市政府\"\n",
    )
    .unwrap();
    fs::write(t.path().join("docclean.toml"), "rules = [\"my-rules/\"]\n").unwrap();
    fs::write(sub.join("doc.txt"), "市zf工作报告\n").unwrap();
    docclean_in(&sub)
        .args(["check", "doc.txt"])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("censor.zf"));
    fs::write(
        t.path().join("docclean.toml"),
        "rules = [\"my-rules/\"]\ntext_feild = \"x\"\n",
    )
    .unwrap();
    docclean_in(&sub)
        .args(["check", "doc.txt"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("docclean.toml:2:1"));
}

#[test]
fn walk_settings_have_keys_too() {
    let t = tempfile::tempdir().unwrap();
    fs::create_dir_all(t.path().join("c/.dot")).unwrap();
    fs::write(t.path().join("c/a.txt"), "正文\n").unwrap();
    fs::write(t.path().join("c/b.log"), "正文\n").unwrap();
    fs::write(t.path().join("c/.dot/d.txt"), "正文\n").unwrap();
    fs::write(
        t.path().join("docclean.toml"),
        "exclude = [\"*.log\"]\nhidden = true\n",
    )
    .unwrap();
    let run = docclean_in(t.path()).args(["files", "c"]).assert().code(0);
    assert_eq!(stdout_of(&run), "c/.dot/d.txt\nc/a.txt\n");
}

#[test]
fn config_shows_the_settings_and_where_they_came_from() {
    let t = tempfile::tempdir().unwrap();
    let sub = t.path().join("sub");
    fs::create_dir_all(&sub).unwrap();
    fs::write(
        t.path().join("docclean.toml"),
        "text_field = \"content\"\njobs = 3\n",
    )
    .unwrap();
    let run = docclean_in(&sub)
        .args(["config", "--jobs", "2", "--exclude", "*.log"])
        .assert()
        .code(0);
    let out = stdout_of(&run);
    let file = fs::canonicalize(t.path().join("docclean.toml")).unwrap();
    assert!(
        out.starts_with(&format!("# settings file: {}\n", file.display())),
        "{out}"
    );
    let row = |key: &str| {
        out.lines()
            .find(|l| l.starts_with(&format!("{key} = ")))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    };
    assert_eq!(
        row("text_field"),
        "text_field = \"content\" # settings file"
    );
    assert_eq!(
        row("jobs"),
        "jobs = 2 # command line, over the settings file"
    );
    assert_eq!(row("exclude"), "exclude = [\"*.log\"] # command line");
    assert_eq!(row("fail_on"), "fail_on = \"fix\" # default");
    let run = docclean_in(&sub)
        .args(["config", "--isolated"])
        .assert()
        .code(0);
    assert!(stdout_of(&run).contains("text_field = \"text\""));
}
