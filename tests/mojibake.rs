//! GBK mojibake that lost bytes: UTF-8 read by a GBK decoder that replaced what
//! it could not map (`tests/data/gbk-lossy.tsv`, made with Python's `gbk` codec
//! from lines of public reports). Repair goes up to each lost byte; a lost
//! character is restored only when it can be inferred, else it stays U+FFFD.

use docclean::rules::{build, load_sources, RuleHits, Selection};

#[test]
fn lossy_gbk_mojibake_is_repaired_up_to_each_lost_byte() {
    let set = build(
        &load_sources(&[], true).unwrap(),
        &Selection::only(&["encoding.mojibake"]),
    )
    .unwrap();
    let rule = &set.rules[0];
    let data = include_str!("data/gbk-lossy.tsv");
    let (mut lines, mut faithful, mut recovered, mut total) = (0, 0, 0, 0);
    let mut dropped_similar = 0usize;
    let mut dropped = 0usize;
    for row in data.lines().filter(|l| !l.starts_with('#')) {
        let mut cols = row.split('\t');
        let (mode, damaged, original) = (
            cols.next().unwrap(),
            cols.next().unwrap(),
            cols.next().unwrap(),
        );
        let got = rule
            .imp
            .apply(damaged, &mut RuleHits::default())
            .unwrap_or_else(|| damaged.to_owned());
        if mode == "ignore-span" {
            // bytes were dropped silently: count the characters that come back in place
            dropped += 1;
            let common = got
                .chars()
                .zip(original.chars())
                .take_while(|(a, b)| a == b)
                .count()
                + got
                    .chars()
                    .rev()
                    .zip(original.chars().rev())
                    .take_while(|(a, b)| a == b)
                    .count();
            if common * 10 >= original.chars().count() * 8 {
                dropped_similar += 1;
            }
            continue;
        }
        lines += 1;
        let (g, o): (Vec<char>, Vec<char>) = (got.chars().collect(), original.chars().collect());
        total += o.len();
        if g.len() == o.len() && g.iter().zip(&o).all(|(a, b)| a == b || *a == '\u{FFFD}') {
            faithful += 1;
            recovered += g.iter().zip(&o).filter(|(a, b)| a == b).count();
        } else {
            eprintln!("not faithful:\n  got  {got}\n  want {original}");
        }
    }
    eprintln!("lossy GBK: {faithful}/{lines} lines with no wrong character, {recovered}/{total} characters recovered; dropped-byte lines mostly right: {dropped_similar}/{dropped}");
    assert!(lines >= 50);
    assert!(faithful * 100 >= lines * 95, "{faithful}/{lines}");
    assert!(recovered * 100 >= total * 88, "{recovered}/{total}");
    assert!(
        dropped_similar * 100 >= dropped * 60,
        "{dropped_similar}/{dropped}"
    );
}
