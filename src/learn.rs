//! Corpus-wide boilerplate: lines that recur in many documents, sit in a head or
//! tail zone, and carry advertising evidence. Counting keeps 64-bit hashes only;
//! text is kept for the lines that cross the threshold, in a second pass.

use crate::rules::boilerplate::normalise_line;
use crate::rules::strip_line::{is_blank, line_spans};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LearnedLine {
    pub line: String,
    pub documents: u64,
}

#[derive(Debug, Clone)]
pub struct LearnOptions {
    /// A line must recur in at least this many documents.
    pub min_documents: u64,
    /// Non-blank lines from each end that count as the head and tail zones.
    pub zone_lines: usize,
    /// Advertising score (from the advert rules) a line needs.
    pub min_score: i32,
}

impl Default for LearnOptions {
    fn default() -> Self {
        LearnOptions {
            min_documents: 3,
            zone_lines: 8,
            min_score: 2,
        }
    }
}

/// Per-hash counts: documents holding the line in a zone with evidence.
#[derive(Debug, Default, Clone)]
pub struct Counts {
    pub map: HashMap<u64, u64>,
    pub documents: u64,
}

impl Counts {
    pub fn merge(mut self, other: Counts) -> Counts {
        if self.map.len() < other.map.len() {
            return other.merge(self);
        }
        for (k, v) in other.map {
            *self.map.entry(k).or_default() += v;
        }
        self.documents += other.documents;
        self
    }
}

/// FNV-1a: stable across machines and versions, so shard counts merge.
fn hash_line(norm: &str) -> u64 {
    norm.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The counts of one shard, saved to merge with others (`learn --save-counts`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CountsFile {
    pub documents: u64,
    pub zone_lines: usize,
    pub min_score: i32,
    /// (line hash, documents), sorted by hash.
    pub counts: Vec<(u64, u64)>,
}

impl CountsFile {
    pub fn new(counts: &Counts, opts: &LearnOptions) -> Self {
        let mut v: Vec<(u64, u64)> = counts.map.iter().map(|(&k, &c)| (k, c)).collect();
        v.sort_unstable();
        CountsFile {
            documents: counts.documents,
            zone_lines: opts.zone_lines,
            min_score: opts.min_score,
            counts: v,
        }
    }

    /// Merge shard files made with the same options.
    pub fn merge(files: Vec<CountsFile>, opts: &LearnOptions) -> Result<Counts, String> {
        let mut total = Counts::default();
        for f in files {
            if f.zone_lines != opts.zone_lines || f.min_score != opts.min_score {
                return Err(format!(
                    "counts made with --zone-lines {} --min-score {} cannot merge with --zone-lines {} --min-score {}",
                    f.zone_lines, f.min_score, opts.zone_lines, opts.min_score
                ));
            }
            total.documents += f.documents;
            for (k, c) in f.counts {
                *total.map.entry(k).or_default() += c;
            }
        }
        Ok(total)
    }
}

/// The zone lines of a document that carry advertising evidence, normalised.
pub fn candidate_lines(
    text: &str,
    opts: &LearnOptions,
    score: &dyn Fn(&str) -> i32,
) -> Vec<String> {
    let spans = line_spans(text);
    let non_blank: Vec<usize> = (0..spans.len())
        .filter(|&i| !is_blank(&text[spans[i].start..spans[i].end]))
        .collect();
    let n = non_blank.len();
    let mut out: Vec<String> = Vec::new();
    for (rank, &i) in non_blank.iter().enumerate() {
        if rank >= opts.zone_lines && rank + opts.zone_lines < n {
            continue;
        }
        let line = text[spans[i].start..spans[i].end].trim();
        if line.chars().count() < 6 || score(line) < opts.min_score {
            continue;
        }
        out.push(normalise_line(line));
    }
    out.sort();
    out.dedup();
    out
}

/// Count one document.
pub fn count_document(
    counts: &mut Counts,
    text: &str,
    opts: &LearnOptions,
    score: &dyn Fn(&str) -> i32,
) {
    counts.documents += 1;
    for l in candidate_lines(text, opts, score) {
        *counts.map.entry(hash_line(&l)).or_default() += 1;
    }
}

/// Hashes that crossed the threshold.
pub fn winners(counts: &Counts, opts: &LearnOptions) -> HashMap<u64, u64> {
    counts
        .map
        .iter()
        .filter(|(_, &v)| v >= opts.min_documents)
        .map(|(&k, &v)| (k, v))
        .collect()
}

/// Second pass: the text of winning lines found in one document.
pub fn collect_text(
    found: &mut HashMap<u64, String>,
    text: &str,
    win: &HashMap<u64, u64>,
    opts: &LearnOptions,
    score: &dyn Fn(&str) -> i32,
) {
    if found.len() == win.len() {
        return;
    }
    for l in candidate_lines(text, opts, score) {
        let h = hash_line(&l);
        if win.contains_key(&h) {
            found.entry(h).or_insert(l);
        }
    }
}

/// The learned lines, most frequent first, then by text.
pub fn finish(win: &HashMap<u64, u64>, found: HashMap<u64, String>) -> Vec<LearnedLine> {
    let mut v: Vec<LearnedLine> = found
        .into_iter()
        .map(|(h, line)| LearnedLine {
            line,
            documents: win[&h],
        })
        .collect();
    v.sort_by(|a, b| b.documents.cmp(&a.documents).then(a.line.cmp(&b.line)));
    v
}

/// A reviewed-and-committed rule file for the learned lines.
pub fn to_rule_file(lines: &[LearnedLine], documents: u64) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "# Boilerplate learned by `docclean learn` from {documents} documents.\n\
         # Each line recurred in head/tail zones of many documents and carries advertising\n\
         # evidence. Review it, commit it, and pass it back with --rules.\n\n"
    ));
    s.push_str(
        "[[rule]]\nid = \"boilerplate.learned\"\nkind = \"boilerplate\"\nstage = \"boilerplate\"\n",
    );
    s.push_str("description = \"Advertising lines learned from the corpus (digits and whitespace folded)\"\n");
    s.push_str("lines = [\n");
    for l in lines {
        s.push_str(&format!("  {},\n", toml_string(&l.line)));
    }
    s.push_str("]\ndocuments = [");
    s.push_str(
        &lines
            .iter()
            .map(|l| l.documents.to_string())
            .collect::<Vec<_>>()
            .join(", "),
    );
    s.push_str("]\n");
    s
}

fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
