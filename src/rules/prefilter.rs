//! Literal prefilters: a rule that needs one of a few literals skips documents
//! without any. Few literals use memchr's memmem (rare-byte heuristics hold up on
//! Chinese text, where most literals share common lead bytes); more use
//! aho-corasick's SIMD packed searcher (Teddy), leftmost-first, which on
//! Chinese text runs several times faster than an automaton stepping through
//! it byte by byte. It is built directly: the automaton's own choice of
//! prefilter takes Teddy only for up to 16 literals. Where Teddy cannot be
//! built (no SSSE3, or more than 128 literals), the automaton searches.

use aho_corasick::packed;
use aho_corasick::{AhoCorasick, MatchKind};
use memchr::memmem::Finder;

pub enum Literals {
    Few(Vec<Finder<'static>>),
    Many(Many),
}

/// Many literals: Teddy, or the automaton where Teddy cannot run.
pub enum Many {
    Packed(packed::Searcher),
    Automaton(AhoCorasick),
}

impl Many {
    fn new(lits: &[String]) -> Result<Self, String> {
        match packed::Config::new()
            .match_kind(packed::MatchKind::LeftmostFirst)
            .builder()
            .extend(lits)
            .build()
        {
            Some(s) => Ok(Many::Packed(s)),
            None => Self::automaton(lits),
        }
    }

    fn automaton(lits: &[String]) -> Result<Self, String> {
        AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .build(lits)
            .map(Many::Automaton)
            .map_err(|e| e.to_string())
    }

    fn is_match(&self, text: &str) -> bool {
        match self {
            Many::Packed(s) => s.find(text).is_some(),
            Many::Automaton(ac) => ac.is_match(text),
        }
    }

    fn starts(&self, text: &str) -> Vec<usize> {
        match self {
            Many::Packed(s) => s.find_iter(text).map(|m| m.start()).collect(),
            Many::Automaton(ac) => ac.find_iter(text).map(|m| m.start()).collect(),
        }
    }
}

impl Literals {
    pub fn new(lits: &[String]) -> Result<Self, String> {
        if lits.is_empty() || lits.iter().any(|l| l.is_empty()) {
            return Err(
                "`literals` must list non-empty strings, one of which every match contains".into(),
            );
        }
        if lits.len() <= 8 {
            Ok(Literals::Few(
                lits.iter()
                    .map(|l| Finder::new(l.as_bytes()).into_owned())
                    .collect(),
            ))
        } else {
            Many::new(lits).map(Literals::Many)
        }
    }

    pub fn is_match(&self, text: &str) -> bool {
        match self {
            Literals::Few(fs) => fs.iter().any(|f| f.find(text.as_bytes()).is_some()),
            Literals::Many(m) => m.is_match(text),
        }
    }

    /// Byte offsets where a literal starts (unordered across literals). Many
    /// literals give non-overlapping occurrences, leftmost first: every
    /// occurrence of a literal lies within one of the matches.
    pub fn positions(&self, text: &str) -> Vec<usize> {
        match self {
            Literals::Few(fs) => fs
                .iter()
                .flat_map(|f| f.find_iter(text.as_bytes()))
                .collect(),
            Literals::Many(m) => m.starts(text),
        }
    }
}

/// Non-overlapping occurrences of a few literals, leftmost first, the longest
/// where several start at one place (aho-corasick's leftmost-longest), found
/// with memchr's memmem. aho-corasick's own prefilter may pick a byte such as
/// 0xEF for `ＡＡＡ`: the lead of all fullwidth punctuation, which stops it
/// every few bytes of Chinese text.
pub struct LeftmostLongest {
    finders: Vec<Finder<'static>>,
}

impl LeftmostLongest {
    /// `lits` are non-empty.
    pub fn new(lits: &[String]) -> Self {
        LeftmostLongest {
            finders: lits
                .iter()
                .map(|l| Finder::new(l.as_bytes()).into_owned())
                .collect(),
        }
    }

    /// `(start, end)` of each occurrence, in order.
    pub fn find_all(&self, text: &str) -> Vec<(usize, usize)> {
        let b = text.as_bytes();
        let mut all: Vec<(usize, usize)> = Vec::new();
        for f in &self.finders {
            // every occurrence, overlapping ones too: which are kept depends
            // on the other literals
            let n = f.needle().len();
            let mut at = 0;
            while let Some(k) = f.find(&b[at..]) {
                all.push((at + k, at + k + n));
                at += k + 1;
            }
        }
        all.sort_unstable_by(|x, y| x.0.cmp(&y.0).then(y.1.cmp(&x.1)));
        let mut out = Vec::new();
        let mut end = 0;
        for (s, e) in all {
            if s >= end {
                out.push((s, e));
                end = e;
            }
        }
        out
    }
}

/// Indices of the lines (given their start offsets, sorted) that hold any of `positions`.
pub fn lines_at(starts: &[usize], positions: &[usize]) -> Vec<usize> {
    let mut v: Vec<usize> = positions
        .iter()
        .map(|&p| starts.partition_point(|&s| s <= p).saturating_sub(1))
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Build the prefilter from a rule's `literals`.
pub(crate) fn prefilter(
    spec: &super::RuleSpec,
    src: &super::RuleSource,
) -> Result<Option<Literals>, super::RuleError> {
    match &spec.literals {
        None => Ok(None),
        Some(lits) => Literals::new(lits)
            .map(Some)
            .map_err(|e| src.error_at(spec.id.span(), e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// The same matches as aho-corasick's leftmost-longest search.
        #[test]
        fn leftmost_longest_agrees_with_aho_corasick(
            lits in proptest::collection::vec("[AＡD党]{1,3}", 1..4),
            text in "[AＡD党a ]{0,40}",
        ) {
            let ac = AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                .build(&lits)
                .unwrap();
            let want: Vec<(usize, usize)> = ac.find_iter(&text).map(|m| (m.start(), m.end())).collect();
            prop_assert_eq!(LeftmostLongest::new(&lits).find_all(&text), want);
        }
    }

    #[test]
    fn few_and_many_agree() {
        let few = Literals::new(&["锟斤拷".into(), "烫烫".into()]).unwrap();
        let many = Literals::new(&[
            "锟斤拷".into(),
            "烫烫".into(),
            "a".into(),
            "b".into(),
            "c".into(),
        ])
        .unwrap();
        assert!(few.is_match("前文锟斤拷后文") && many.is_match("前文锟斤拷后文"));
        assert!(!few.is_match("滚烫的水"));
        let text = "第一行\n有烫烫\n第三行\n锟斤拷\n";
        let starts = [0, 10, 20, 30];
        let _ = starts;
        let starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        assert_eq!(lines_at(&starts, &few.positions(text)), vec![1, 3]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        /// Teddy (built where it can run) and the automaton it falls back
        /// to give the same answers.
        #[test]
        fn teddy_and_the_automaton_agree(
            // of three bytes or more, as Teddy wants with this many
            lits in proptest::collection::vec("[上传下载][上传下载a]{0,2}", 9..20),
            text in "[上传下载a\n ]{0,80}",
        ) {
            let teddy = Many::new(&lits).unwrap();
            let automaton = Many::automaton(&lits).unwrap();
            prop_assert!(matches!(automaton, Many::Automaton(_)));
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("ssse3") {
                prop_assert!(matches!(teddy, Many::Packed(_)));
            }
            prop_assert_eq!(teddy.is_match(&text), automaton.is_match(&text));
            prop_assert_eq!(teddy.starts(&text), automaton.starts(&text));
        }
    }

    #[test]
    fn many_literals_find_every_line_that_holds_one() {
        // more than eight (aho-corasick), some overlapping or inside another
        let lits: Vec<String> = [
            "本网站",
            "网站",
            "站长",
            "下载",
            "下载地址",
            "会员",
            "员工",
            "VIP",
            "vip",
            "资源",
        ]
        .map(String::from)
        .to_vec();
        let many = Literals::new(&lits).unwrap();
        assert!(matches!(many, Literals::Many(_)));
        let text = "本网站长期更新\n普通一行\n下载地址见下\n会员工作\n无关\nvip资源\n站长\n";
        let starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        // each literal searched alone, every occurrence
        let alone: Vec<usize> = lits
            .iter()
            .flat_map(|l| text.match_indices(l.as_str()).map(|(i, _)| i))
            .collect();
        assert_eq!(
            lines_at(&starts, &many.positions(text)),
            lines_at(&starts, &alone)
        );
        assert_eq!(lines_at(&starts, &alone), vec![0, 2, 3, 5, 6]);
        assert!(many.is_match("请联系站长") && !many.is_match("普通的一行字"));
    }
}
