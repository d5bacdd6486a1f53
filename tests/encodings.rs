//! The real-encodings suite in `../shared/external/encodings` (labelled files
//! from public detector projects, read in place, never copied here): decoding
//! alone (`--no-default-rules`) must stay at the figure reached, with every
//! Chinese and Unicode file right. Skipped when the suite is not there.

use std::path::Path;
use std::process::Command;

/// Files right of the 675 with a WHATWG label (one more is a NUL-filled
/// windows-1252 page that docclean rightly skips as binary).
const AT_LEAST: usize = 672;

#[test]
fn real_encodings_suite_decodes_at_least_the_figure_reached() {
    let suite = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/external/encodings");
    if !suite.join("score.py").exists() {
        eprintln!("skipped: {} not found", suite.display());
        return;
    }
    let out = Command::new("python3")
        .arg(suite.join("score.py"))
        .arg(format!("docclean={}", env!("CARGO_BIN_EXE_docclean")))
        .arg("--quiet-failures")
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = stdout
        .lines()
        .rfind(|l| l.starts_with("summary"))
        .unwrap_or_else(|| panic!("no summary line in\n{stdout}"));
    // summary (WHATWG files): docclean 672/675 (99.6%) zh-Hans 31/31 zh-Hant 31/31 unicode 111/111
    let figure = |key: &str| -> (usize, usize) {
        let at = summary
            .find(key)
            .unwrap_or_else(|| panic!("{key} in {summary}"));
        let frac = summary[at + key.len()..].split_whitespace().next().unwrap();
        let (a, b) = frac.split_once('/').unwrap();
        (a.parse().unwrap(), b.parse().unwrap())
    };
    let (right, _) = figure("docclean ");
    assert!(
        right >= AT_LEAST,
        "{right} files right, expected at least {AT_LEAST}:\n{stdout}"
    );
    for group in ["zh-Hans ", "zh-Hant ", "unicode "] {
        let (a, b) = figure(group);
        assert_eq!(a, b, "every {group}file must stay right:\n{summary}");
    }
}
