//! Corpus-wide boilerplate: lines that recur in many documents in a head or tail
//! zone (digits and the document's own title folded), carry advertising evidence
//! or recur in most documents, and never stand in a body. Counting keeps 64-bit
//! hashes only; text is kept for the lines that cross the threshold, in a second
//! pass, which also rejects any line met in a body.

use crate::rules::boilerplate::normalise_line;
use crate::rules::lines::{is_blank, line_spans};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LearnedLine {
    pub line: String,
    pub documents: u64,
    /// `head` or `tail`: where the line was met.
    #[serde(default)]
    pub zone: String,
    /// Why it was learned: an advert score, or its recurrence outside any body.
    #[serde(default)]
    pub evidence: String,
    /// One document holding it.
    #[serde(default)]
    pub sample: String,
}

#[derive(Debug, Clone)]
pub struct LearnOptions {
    /// A line must recur in at least this many documents.
    pub min_documents: u64,
    /// Non-blank lines from each end that count as the head and tail zones.
    pub zone_lines: usize,
    /// Advertising score (from the advert rules) that is evidence by itself.
    pub min_score: i32,
}

impl Default for LearnOptions {
    fn default() -> Self {
        LearnOptions {
            min_documents: 3,
            zone_lines: 8,
            min_score: 4,
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

/// Which end of a document a line sits at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeZone {
    Head,
    Tail,
}

impl EdgeZone {
    pub fn name(self) -> &'static str {
        match self {
            EdgeZone::Head => "head",
            EdgeZone::Tail => "tail",
        }
    }
}

/// Where a non-blank line sits: a head or tail zone, the body proper (well clear
/// of both zones), or the margin between them.
enum Place {
    Zone(EdgeZone),
    Body,
    Margin,
}

fn place(rank: usize, n: usize, zone: usize) -> Place {
    if rank < zone {
        Place::Zone(EdgeZone::Head)
    } else if rank + zone >= n {
        Place::Zone(EdgeZone::Tail)
    } else if rank >= 2 * zone && rank + 2 * zone < n {
        Place::Body
    } else {
        Place::Margin
    }
}

/// A numbered heading (`一、`, `（二）`, `3.1 `, `第五章`, `# `): content however often it recurs.
pub fn is_heading(line: &str) -> bool {
    use regex::Regex;
    use std::sync::OnceLock;
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"^\s*(?:[一二三四五六七八九十百]+\s*[、.．]|[（(][一二三四五六七八九十百\d]+[）)]|\d+(?:[.．]\d+)*\s*[、.．]?\s*\p{Han}|第[一二三四五六七八九十百千\d]+[章节条篇部分回讲课]|#+\s)",
        )
        .unwrap()
    })
    .is_match(line)
}

/// A line that ends a sentence: a repeated sentence is content unless it carries evidence.
fn ends_sentence(line: &str) -> bool {
    line.trim_end().ends_with([
        '。', '！', '？', '；', '：', '.', '!', '?', ';', ':', '”', '"',
    ])
}

/// The document's title, folded out of its own chrome lines so they meet across
/// documents: the first non-blank line, or the title in a `标题_第1页` caption.
pub fn document_title(text: &str) -> Option<String> {
    let first = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let title = match first.rfind("_第") {
        Some(i) if first.ends_with('页') || first.ends_with('頁') => &first[..i],
        _ => first,
    };
    (title.chars().count() >= 4 && title.chars().count() <= 80).then(|| title.to_owned())
}

/// Normalise a line for counting: the document's title becomes `〈T〉`, then digits
/// and whitespace fold as in learned rules.
pub fn normalise_with_title(line: &str, title: Option<&str>) -> String {
    match title {
        Some(t) if line.contains(t) => normalise_line(&line.replace(t, TITLE_MARK)),
        _ => normalise_line(line),
    }
}

/// Stands for the document's own title in a learned line.
pub const TITLE_MARK: &str = "〈T〉";

/// The lines of a document that could be site chrome: in a head or tail zone,
/// of a plausible length, not a numbered heading. Normalised, with their zone.
pub fn candidate_lines(text: &str, opts: &LearnOptions) -> Vec<(String, EdgeZone)> {
    let mut out: Vec<(String, EdgeZone)> = Vec::new();
    let title = document_title(text);
    for (line, rank, n) in ranked_lines(text) {
        let Place::Zone(zone) = place(rank, n, opts.zone_lines) else {
            continue;
        };
        let chars = line.chars().count();
        if !(4..=160).contains(&chars) || is_heading(line) || Some(line) == title.as_deref() {
            continue;
        }
        out.push((normalise_with_title(line, title.as_deref()), zone));
    }
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

/// Non-blank lines, trimmed, with their rank and the count of non-blank lines.
fn ranked_lines(text: &str) -> impl Iterator<Item = (&str, usize, usize)> {
    let spans = line_spans(text);
    let non_blank: Vec<&str> = spans
        .iter()
        .map(|s| &text[s.start..s.end])
        .filter(|l| !is_blank(l))
        .map(str::trim)
        .collect();
    let n = non_blank.len();
    non_blank
        .into_iter()
        .enumerate()
        .map(move |(r, l)| (l, r, n))
}

/// Count one document.
pub fn count_document(counts: &mut Counts, text: &str, opts: &LearnOptions) {
    counts.documents += 1;
    for (l, _) in candidate_lines(text, opts) {
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

/// What the second pass finds of a recurring line.
#[derive(Debug, Clone, Default)]
pub struct Sighting {
    /// The line as first met (in the smallest sample path), normalised.
    pub line: String,
    /// One zone line's original text, for scoring.
    pub original: String,
    pub zone: Option<EdgeZone>,
    pub sample: String,
    /// The line also stands in the body of some document: content.
    pub in_body: bool,
}

impl Sighting {
    fn key(&self) -> (&str, Option<EdgeZone>, &str) {
        (&self.sample, self.zone, &self.original)
    }

    /// Keep the sighting of the smallest sample path, so parallel passes agree.
    pub fn merge(&mut self, other: Sighting) {
        let in_body = self.in_body || other.in_body;
        if self.zone.is_none() || (other.zone.is_some() && other.key() < self.key()) {
            *self = other;
        }
        self.in_body = in_body;
    }
}

/// Second pass: the text, zone and one sample of winning lines found in one
/// document, and whether any of them stands in its body.
pub fn collect_text(
    found: &mut HashMap<u64, Sighting>,
    text: &str,
    path: &str,
    win: &HashMap<u64, u64>,
    opts: &LearnOptions,
) {
    let title = document_title(text);
    for (line, rank, n) in ranked_lines(text) {
        let p = place(rank, n, opts.zone_lines);
        if matches!(p, Place::Margin) {
            continue;
        }
        let norm = normalise_with_title(line, title.as_deref());
        let h = hash_line(&norm);
        if !win.contains_key(&h) {
            continue;
        }
        let seen = match p {
            Place::Zone(zone) => Sighting {
                line: norm,
                original: line.to_owned(),
                zone: Some(zone),
                sample: path.to_owned(),
                in_body: false,
            },
            _ => Sighting {
                in_body: true,
                ..Sighting::default()
            },
        };
        found.entry(h).or_default().merge(seen);
    }
}

/// A URL says nothing about a line by itself: evidence is scored without it.
fn without_urls(line: &str) -> String {
    use regex::Regex;
    use std::sync::OnceLock;
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(?i:https?://|www\.)[!-~]+").unwrap())
        .replace_all(line, " ")
        .into_owned()
}

/// The learned lines, most frequent first, then by text. A line is learned on
/// advertising evidence (its score without URLs), or, with none, by its shape:
/// in at least half of the documents, never in a body, not a sentence.
pub fn finish(
    win: &HashMap<u64, u64>,
    found: HashMap<u64, Sighting>,
    documents: u64,
    opts: &LearnOptions,
    score: &dyn Fn(&str) -> i32,
) -> Vec<LearnedLine> {
    let mut v: Vec<LearnedLine> = found
        .into_iter()
        .filter_map(|(h, s)| {
            let zone = s.zone?;
            if s.in_body {
                return None;
            }
            let docs = win[&h];
            let points = score(&without_urls(&s.original));
            let evidence = if points >= opts.min_score {
                format!("advert score {points}")
            } else if docs * 2 >= documents && !ends_sentence(&s.original) {
                format!("in {docs} of {documents} documents, never in a body")
            } else {
                return None;
            };
            Some(LearnedLine {
                line: s.line,
                documents: docs,
                zone: zone.name().to_owned(),
                evidence,
                sample: s.sample,
            })
        })
        .collect();
    v.sort_by(|a, b| b.documents.cmp(&a.documents).then(a.line.cmp(&b.line)));
    v
}

/// One line per learned line: documents, zone, evidence, sample, the line.
pub fn summary(lines: &[LearnedLine]) -> String {
    let mut s = String::new();
    for l in lines {
        s.push_str(&format!(
            "  {:>6}  {:<4}  {}  [{}; e.g. {}]\n",
            l.documents, l.zone, l.line, l.evidence, l.sample
        ));
    }
    s
}

/// A reviewed-and-committed rule file for the learned lines.
pub fn to_rule_file(lines: &[LearnedLine], documents: u64) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "# Boilerplate learned by `docclean learn` from {documents} documents.\n\
         # Each line recurred in head/tail zones of many documents and never in a body;\n\
         # 〈T〉 stands for a document's own title. Review it, commit it, and pass it\n\
         # back with --rules.\n\n"
    ));
    s.push_str(
        "[[rule]]\nid = \"boilerplate.learned\"\nkind = \"boilerplate\"\nstage = \"boilerplate\"\n",
    );
    s.push_str("description = \"Site lines learned from the corpus (digits, whitespace and the document title folded)\"\n");
    s.push_str("lines = [\n");
    for l in lines {
        s.push_str(&format!(
            "  # {} documents, {}, {}, e.g. {}\n",
            l.documents, l.zone, l.evidence, l.sample
        ));
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
