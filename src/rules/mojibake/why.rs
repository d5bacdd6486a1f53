//! What the mojibake rule tells the trace: the wrong decoders a repair undid
//! and how much more plausible the line reads for it, and the candidates it
//! turned down, by the name of the check that did. Only used when tracing.

use super::bytes::byte_of;
use super::codec::{applicable, codecs, Page};
use super::gate::Gate;
use super::single::{candidates, cjk_cands, judge_all, rejected_by, seen_at, strong_needed};
use crate::decode::plausibility;
use crate::rules::evidence::{round3, Evidence};

/// Lines with a turned-down candidate told of per document, at most.
const MAX_REJECTED: usize = 3;

/// The codecs undone on `line` (as the rule saw it) and the plausibility gained.
pub(super) fn evidence(line: &str, enabled: &[usize]) -> Evidence {
    let line = line.trim_end_matches(['\n', '\r']);
    let mut used = Vec::new();
    let fixed = super::repair_line_with(line, enabled, &mut used);
    Evidence {
        codecs: used.into_iter().map(str::to_owned).collect(),
        gain: fixed.map(|f| round3(plausibility(&f) - plausibility(line))),
        ..Default::default()
    }
}

/// The lines of `text` (byte offset of each) where a single-byte candidate
/// was turned down, and why.
pub(super) fn rejections(text: &str, gate: &Gate, enabled: &[usize]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    if text.is_ascii() {
        return out;
    }
    let b = text.as_bytes();
    let mut from = 0;
    while let Some(p) = gate.first_match(text, from) {
        let start = memchr::memrchr2(b'\n', b'\r', &b[..p]).map_or(0, |k| k + 1);
        let end = memchr::memchr2(b'\n', b'\r', &b[p..]).map_or(b.len(), |k| p + k);
        if let Some(why) = rejected_on(&text[start..end], enabled) {
            out.push((start, why));
            if out.len() == MAX_REJECTED {
                break;
            }
        }
        from = end;
    }
    out
}

/// Why a line's strong candidates (clean UTF-8 sequences under a code page)
/// were not repaired: the check that turned the first down, or too few of
/// them on the line.
fn rejected_on(line: &str, enabled: &[usize]) -> Option<String> {
    let cs = codecs();
    let may = applicable(line);
    let chars: Vec<char> = line.chars().collect();
    for &i in enabled {
        let codec = &cs[i];
        if codec.double_byte || may & (1 << i) == 0 {
            continue;
        }
        let bytes: Vec<_> = chars.iter().map(|&c| byte_of(c, codec)).collect();
        let cands = candidates(&chars, &bytes);
        if !cands.iter().any(|q| q.strong) {
            continue;
        }
        let page = Page::ALL[i].name();
        let (keep, strong) = judge_all(&chars, &cands, codec);
        let cjk = cjk_cands(&cands);
        for (k, q) in cands
            .iter()
            .enumerate()
            .filter(|(k, q)| q.strong && !keep[*k])
        {
            let Some(check) = seen_at(&chars, &cands, k, codec, cjk).and_then(|s| rejected_by(&s))
            else {
                continue;
            };
            let orig: String = chars[q.from..q.to].iter().collect();
            return Some(format!(
                "mojibake candidate {orig:?} (UTF-8 read as {page}, would be {:?}) turned down by the check \"{check}\"",
                q.text
            ));
        }
        let needed = strong_needed(&chars, &cands, &keep, codec);
        if strong < needed {
            return Some(format!(
                "mojibake candidates read as {page}: {strong} strong one(s) passed the checks, a line needs {needed}"
            ));
        }
    }
    None
}
