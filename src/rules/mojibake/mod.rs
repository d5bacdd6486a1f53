//! `mojibake`: text that was decoded with the wrong encoding once (or twice) and
//! saved again. Each line with suspicious characters is mapped back to the bytes
//! the wrong decoder saw, and spans of those bytes that form valid UTF-8 are
//! decoded again — kept only when the result is clearly more plausible. GBK
//! mojibake that lost bytes (`锛�`) is repaired up to each lost byte.
//!
//! - [`codec`]: the wrong decoders (GBK and single-byte code pages) as tables;
//! - [`bytes`]: a line as the bytes a decoder saw, and lossy UTF-8 decoding;
//! - [`gbk`], [`single`]: the two repairs; [`lost`]: lost bytes, C1 controls;
//! - [`gate`]: the fast scan to the lines that could hold mojibake;
//! - [`script`]: the scripts a repaired character is judged by.

mod bytes;
mod codec;
mod gate;
mod gbk;
mod lost;
mod script;
mod single;
#[cfg(test)]
mod tests;
mod why;

use super::{RuleError, RuleHits, RuleKind, RuleSource, RuleSpec};
use codec::{applicable, codecs, Codec, Page};
use gate::Gate;

pub struct Mojibake {
    /// The codecs repaired, as indices into [`codecs`].
    enabled: Vec<usize>,
    gate: Gate,
}

impl Mojibake {
    pub fn compile(spec: &RuleSpec, src: &RuleSource) -> Result<Self, RuleError> {
        let enabled = match &spec.from {
            None => (0..codecs().len()).collect(),
            Some(names) => names
                .iter()
                .map(|n| {
                    let page = Page::for_label(n).map_err(|e| src.error_at(spec.id.span(), e))?;
                    Ok(Page::ALL
                        .iter()
                        .position(|&p| p == page)
                        .expect("every page has a codec"))
                })
                .collect::<Result<Vec<usize>, RuleError>>()?,
        };
        let gate = Gate::new(&enabled);
        Ok(Mojibake { enabled, gate })
    }
}

/// One pass over a line with one codec: the repaired line, if anything changed.
fn repair_with(line: &str, codec: &Codec) -> Option<(String, usize)> {
    if codec.double_byte {
        gbk::repair_gbk(line, codec)
    } else {
        single::repair_single(line, codec)
    }
}

/// Repair one line: the best codec each round, up to three rounds (double mojibake).
pub fn repair_line(line: &str, enabled: &[usize]) -> Option<String> {
    repair_line_with(line, enabled, &mut Vec::new())
}

/// [`repair_line`], naming in `used` the wrong decoders undone, in order.
pub(super) fn repair_line_with(
    line: &str,
    enabled: &[usize],
    used: &mut Vec<&'static str>,
) -> Option<String> {
    if line.is_ascii() {
        return None;
    }
    let cs = codecs();
    let (mut cur, mut changed) = (line.to_owned(), false);
    for _round in 0..3 {
        // The codec that shortens the line most: the most bytes re-decoded.
        let len = cur.chars().count();
        let mut best: Option<(String, usize, usize)> = None;
        let may = applicable(&cur);
        for &i in enabled {
            if may & (1 << i) == 0 {
                continue;
            }
            if let Some((s, _)) = repair_with(&cur, &cs[i]) {
                let gain = len - s.chars().count();
                if best.as_ref().is_none_or(|(_, g, _)| gain > *g) {
                    best = Some((s, gain, i));
                }
            }
        }
        match best {
            Some((s, _, i)) => {
                cur = s;
                changed = true;
                used.push(Page::ALL[i].name());
            }
            None => break,
        }
    }
    for (name, fix) in lost::AFTER {
        if let Some(s) = fix(&cur) {
            (cur, changed) = (s, true);
            used.push(name);
        }
    }
    (changed && !rarer(line, &cur)).then_some(cur)
}

/// Does a repair bring in characters of rare blocks the line did not have (CJK Ext. A,
/// Kanbun, Braille, Yi, private use)? Hopeless garble ends there; a real repair never does.
fn rarer(before: &str, after: &str) -> bool {
    let rare = |c: char| matches!(c as u32, 0x3190..=0x319F | 0x3400..=0x4DBF | 0x2800..=0x28FF | 0xA000..=0xA4CF | 0xE000..=0xF8FF);
    after.chars().any(|c| rare(c) && !before.contains(c))
}

impl RuleKind for Mojibake {
    fn evidence(&self, line: &str) -> super::Evidence {
        why::evidence(line, &self.enabled)
    }

    fn kept(&self, text: &str) -> Vec<(usize, String)> {
        why::rejections(text, &self.gate, &self.enabled)
    }

    fn apply(&self, text: &str, hits: &mut RuleHits) -> Option<String> {
        if text.is_ascii() {
            return None;
        }
        // One pass over the whole text: most documents stop at the first call.
        let mut edits = Vec::new();
        let mut from = 0;
        while let Some(p) = self.gate.first_match(text, from) {
            let b = text.as_bytes();
            let start = memchr::memrchr2(b'\n', b'\r', &b[..p]).map_or(0, |k| k + 1);
            let end = memchr::memchr2(b'\n', b'\r', &b[p..]).map_or(b.len(), |k| p + k);
            if let Some(fixed) = repair_line(&text[start..end], &self.enabled) {
                edits.push((start, end, fixed));
            }
            from = end;
        }
        super::hits::splice(text, hits, edits)
    }
}
