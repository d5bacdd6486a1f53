//! Mojibake in the shapes people post (`tests/data/mojibake-wild/`, made by
//! `scripts/mojibake_wild_cases.py` the way the strings in `SOURCES.md` were
//! garbled): what comes back whole, what is left alone, and clean look-alikes
//! that must not change. `scripts/mojibake_vs_ftfy.sh` scores ftfy on the same file.

use docclean::rules::{build, load_sources, RuleHits, Selection};

/// Char-level edit distance, for "closer to the original or not".
fn distance(a: &str, b: &str) -> usize {
    strsim::levenshtein(a, b)
}

#[test]
fn real_world_mojibake_shapes() {
    let set = build(
        &load_sources(&[], true).unwrap(),
        &Selection::only(&["encoding.mojibake"]),
    )
    .unwrap();
    let rule = &set.rules[0];
    let data = include_str!("data/mojibake-wild/cases.jsonl");
    let (mut garbled_total, mut repaired, mut improved, mut left) = (0, 0, 0, 0);
    let (mut want_repair, mut got_repair) = (0, 0);
    let (mut clean_total, mut clean_changed) = (0, vec![]);
    let mut worse = vec![];
    for line in data.lines() {
        let c: serde_json::Value = serde_json::from_str(line).unwrap();
        let (shape, expect) = (c["shape"].as_str().unwrap(), c["expect"].as_str().unwrap());
        let (garbled, original) = (
            c["garbled"].as_str().unwrap(),
            c["original"].as_str().unwrap(),
        );
        let got = rule
            .imp
            .apply(garbled, &mut RuleHits::default())
            .unwrap_or_else(|| garbled.to_owned());
        if expect == "clean" {
            clean_total += 1;
            if got != garbled {
                clean_changed.push(format!("{garbled:?} → {got:?}"));
            }
            continue;
        }
        garbled_total += 1;
        let outcome = if got == original {
            repaired += 1;
            "repaired"
        } else if got == garbled {
            left += 1;
            "left alone"
        } else if distance(&got, original) < distance(garbled, original) {
            improved += 1;
            "partly repaired"
        } else {
            worse.push(format!(
                "[{shape}] {garbled:?} → {got:?} (original {original:?})"
            ));
            "made worse"
        };
        if expect == "repair" {
            want_repair += 1;
            if got == original {
                got_repair += 1;
            }
        }
        if got != original {
            eprintln!(
                "  {outcome} [{shape}, {expect}] {garbled:?} → {got:?} (original {original:?})"
            );
        }
    }
    eprintln!(
        "mojibake in the wild: {repaired}/{garbled_total} repaired, {improved} partly, \
         {left} left alone; expected repairs {got_repair}/{want_repair}; \
         clean changed {}/{clean_total}",
        clean_changed.len()
    );
    assert!(garbled_total >= 60 && clean_total >= 25);
    assert!(
        clean_changed.is_empty(),
        "clean text changed: {clean_changed:#?}"
    );
    assert!(worse.is_empty(), "made worse: {worse:#?}");
    // The floor this implementation reaches.
    assert!(
        got_repair >= WANT_REPAIR_FLOOR,
        "expected repairs: {got_repair}/{want_repair}"
    );
}

const WANT_REPAIR_FLOOR: usize = 36;
