//! `advert`: a line classifier for advertising headers and footers. Each line
//! scores the weights of the features it shows (vocabulary, contact patterns, a
//! bracketed brand opener); strong lines go anywhere, weaker ones only in a
//! contiguous block at the head or tail of a document long enough to have one.

use super::lines::{remove_lines, zone_drops, DocLines, Zone};
use super::{compile_regex, required, RuleError, RuleHits, RuleKind, RuleSource, RuleSpec};
use regex::{Regex, RegexSet};

pub struct Advert {
    set: RegexSet,
    /// All features in one regex (multi-line): finds the lines worth scoring in one pass.
    any: Regex,
    weights: Vec<i32>,
    threshold: i32,
    edge_threshold: i32,
    depth: usize,
    max_chars: usize,
    short_document_lines: usize,
    /// Patterns whose `brand` group names the site in an advert line.
    brands: Vec<Regex>,
}

impl Advert {
    pub fn compile(spec: &RuleSpec, src: &RuleSource) -> Result<Self, RuleError> {
        let features = required(&spec.features, spec, src, "features")?;
        if features.is_empty() {
            return Err(src.error_at(spec.id.span(), "`features` must list at least one pattern"));
        }
        for f in features {
            super::check_regex(f.pattern.get_ref(), f.pattern.span(), src)?;
        }
        let set = RegexSet::new(features.iter().map(|f| f.pattern.get_ref()))
            .map_err(|e| src.error_at(spec.id.span(), e.to_string()))?;
        // The union only finds candidate lines (each is then scored exactly), so a
        // leading `^\s*` is dropped: alternatives then start with literals the
        // regex engine can search for quickly.
        let union = features
            .iter()
            .map(|f| {
                let p = f.pattern.get_ref();
                format!("(?:{})", p.strip_prefix(r"^\s*").unwrap_or(p))
            })
            .collect::<Vec<_>>()
            .join("|");
        let any = Regex::new(&format!("(?m){union}"))
            .map_err(|e| src.error_at(spec.id.span(), e.to_string()))?;
        Ok(Advert {
            set,
            any,
            weights: features.iter().map(|f| f.weight).collect(),
            threshold: *required(&spec.threshold, spec, src, "threshold")?,
            edge_threshold: spec.edge_threshold.unwrap_or(i32::MAX),
            depth: spec.zone_lines.unwrap_or(8),
            max_chars: spec.max_chars.unwrap_or(300),
            short_document_lines: spec.short_document_lines.unwrap_or(8),
            brands: match &spec.brand_patterns {
                None => Vec::new(),
                Some(list) => {
                    let mut v = Vec::new();
                    for p in list {
                        let re = compile_regex(p, src)?;
                        if re.capture_names().all(|n| n != Some("brand")) {
                            return Err(src.error_at(
                                p.span(),
                                "a brand pattern needs a named group `(?P<brand>…)`",
                            ));
                        }
                        v.push(re);
                    }
                    v
                }
            },
        })
    }

    /// The advertising score of one line.
    pub fn score(&self, line: &str) -> i32 {
        if line.len() > self.max_chars * 4 || line.chars().count() > self.max_chars {
            return 0;
        }
        self.set.matches(line).iter().map(|i| self.weights[i]).sum()
    }
}

impl Advert {
    /// Brand tokens named in the removed lines that also occur in the text that
    /// stays (`综合哒哒君与…培训`): reported, never edited — the original word is unknowable.
    fn report_brands(
        &self,
        text: &str,
        spans: &[super::lines::LineSpan],
        drop: &[bool],
        hits: &mut RuleHits,
    ) {
        if self.brands.is_empty() {
            return;
        }
        let mut tokens: Vec<String> = Vec::new();
        for (s, _) in spans.iter().zip(drop).filter(|(_, &d)| d) {
            let line = &text[s.start..s.end];
            for re in &self.brands {
                for caps in re.captures_iter(line) {
                    if let Some(b) = caps.name("brand") {
                        let t = b.as_str().trim();
                        if t.chars().count() >= 2 && !tokens.iter().any(|x| x == t) {
                            tokens.push(t.to_owned());
                        }
                    }
                }
            }
        }
        if tokens.is_empty() {
            return;
        }
        // Most documents name the brand only in the lines removed: one search
        // of each run of kept lines for each token settles that.
        let mut kept_runs: Vec<(usize, usize)> = Vec::new();
        for (s, _) in spans.iter().zip(drop).filter(|(_, &d)| !d) {
            match kept_runs.last_mut() {
                Some(run)
                    if text[run.1..s.start]
                        .bytes()
                        .all(|b| b == b'\n' || b == b'\r') =>
                {
                    run.1 = s.end
                }
                _ => kept_runs.push((s.start, s.end)),
            }
        }
        let named_elsewhere = tokens.iter().any(|t| {
            let f = memchr::memmem::Finder::new(t.as_bytes());
            kept_runs
                .iter()
                .any(|&(a, b)| f.find(&text.as_bytes()[a..b]).is_some())
        });
        if !named_elsewhere {
            return;
        }
        // Longest first, so `哒哒君` is reported rather than `哒哒` inside it.
        tokens.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        for (i, (s, _)) in spans.iter().zip(drop).enumerate().filter(|(_, (_, &d))| !d) {
            let line = &text[s.start..s.end];
            let mut taken: Vec<(usize, usize)> = Vec::new();
            for t in &tokens {
                for (at, _) in line.match_indices(t.as_str()) {
                    let end = at + t.len();
                    if taken.iter().any(|&(a, b)| at < b && a < end) {
                        continue;
                    }
                    taken.push((at, end));
                    if hits.findings.len() < 100 {
                        let lo = line[..at].char_indices().rev().nth(9).map_or(0, |(k, _)| k);
                        let hi = line[end..]
                            .char_indices()
                            .nth(10)
                            .map_or(line.len(), |(k, _)| end + k);
                        hits.findings
                            .push((i + 1, t.clone(), line[lo..hi].to_owned()));
                    }
                }
            }
        }
    }
}

impl RuleKind for Advert {
    fn removes_whole_lines(&self) -> bool {
        true
    }

    fn line_score(&self, line: &str) -> Option<i32> {
        Some(self.score(line))
    }

    fn evidence(&self, line: &str) -> super::Evidence {
        let line = line.trim_end_matches(['\n', '\r']);
        super::Evidence {
            score: Some(self.score(line)),
            threshold: Some(self.threshold),
            features: self
                .set
                .matches(line)
                .iter()
                .map(|i| format!("{} ({:+})", self.set.patterns()[i], self.weights[i]))
                .collect(),
            ..Default::default()
        }
    }

    fn apply(&self, text: &str, hits: &mut RuleHits) -> Option<String> {
        self.apply_lines(text, &DocLines::new(text), hits)
    }

    fn apply_lines(&self, text: &str, lines: &DocLines, hits: &mut RuleHits) -> Option<String> {
        let spans = &lines.spans[..];
        // Only lines short enough to be adverts are searched (body paragraphs
        // are long), and only those holding a feature are scored.
        let mut scores = vec![0i32; spans.len()];
        let mut any = false;
        for (i, s) in spans.iter().enumerate() {
            let line = &text[s.start..s.end];
            if !lines.within_chars(text, i, self.max_chars) {
                continue;
            }
            if self.any.is_match(line) {
                scores[i] = self.score(line);
                any = true;
            }
        }
        if !any {
            return None;
        }
        if !scores
            .iter()
            .any(|&s| s >= self.edge_threshold.min(self.threshold))
        {
            return None;
        }
        let mut drop = zone_drops(text, lines, Zone::Any, 0, |i| scores[i] >= self.threshold);
        let non_blank = lines.blank.iter().filter(|&&b| !b).count();
        if non_blank >= self.short_document_lines {
            let edge = zone_drops(text, lines, Zone::Edges, self.depth, |i| {
                scores[i] >= self.edge_threshold || scores[i] >= self.threshold
            });
            for (d, e) in drop.iter_mut().zip(edge) {
                *d |= e;
            }
        }
        self.report_brands(text, spans, &drop, hits);
        remove_lines(text, spans, &drop, hits)
    }
}
