//! Bytes that are neither UTF-8 nor UTF-16: a choice among the legacy
//! encodings. The detector (chardetng) guesses from byte statistics; each
//! candidate's decode of the head of the file is then judged in its own
//! script. A declared charset wins when the bytes agree with it; otherwise
//! the detector's guess stands unless another candidate clearly reads better
//! (by a wide margin when it writes another script, since a Korean or
//! Japanese text decodes into plausible-looking Chinese and back).

use super::alphabets::{legacy_encodings, script_of, Script};
use super::declared::declared_encoding;
use super::pattern::clear_pattern;
use super::score::own_script;
use super::{decode_counting, decode_part, Decoded, Evidence, Method};
use encoding_rs::{Encoding, GB18030, GBK};

/// How much better a candidate of the guess's own script must read to
/// replace it: a little more than a stray sign against a letter.
const SAME_SCRIPT_MARGIN: f64 = 0.3;

/// A runner-up within this much of the winner makes the choice close: about
/// two characters' worth of evidence.
const CLOSE: f64 = 1.5;

/// A close choice is warned about only when the runner-up would change at
/// least this many characters: one or two characters read otherwise are
/// still named (`runner_up`), but are no doubt worth a warning.
const CLOSE_STAKES: usize = 3;

/// How much of a file the candidates are judged on.
const SAMPLE: usize = 64 * 1024;

/// One candidate's decode of the sample and how it reads.
struct Candidate {
    enc: &'static Encoding,
    script: Script,
    text: String,
    bad: usize,
    /// [`own_script`]'s sum over the sample's bytes beyond ASCII.
    total: f64,
}

/// The first look: the detector and the candidates see this much of a file;
/// a close decision, or a first look with too little beyond ASCII to judge,
/// looks again: the candidates at [`SAMPLE`], the detector at the whole file.
const FIRST_LOOK: usize = 16 * 1024;

/// Bytes beyond ASCII a first look needs to be evidence.
const FIRST_LOOK_HIGH_BYTES: usize = 64;

/// Decode bytes that are not UTF-8, no BOM, no NULs: the encoding is judged
/// on a bounded prefix (more of it only when the decision is close), then
/// the file is decoded once in it (not again when the prefix was all of it).
pub fn decode_legacy(bytes: &[u8]) -> Decoded {
    let declared = declared_encoding(bytes);
    let first = &bytes[..bytes.len().min(FIRST_LOOK)];
    if let Some(d) = by_pattern(bytes, first, declared) {
        return d;
    }
    let thin = first.iter().filter(|&&b| b >= 0x80).count() < FIRST_LOOK_HIGH_BYTES;
    let mut look = judge(bytes, FIRST_LOOK, declared);
    if bytes.len() > FIRST_LOOK && (thin || look.evidence.close) {
        look = judge(bytes, SAMPLE, declared);
    }
    look.evidence.close &= look.stakes() >= CLOSE_STAKES;
    let enc = look.candidates[look.chosen].enc;
    let (text, bad_bytes) = if look.whole {
        let c = look.candidates.swap_remove(look.chosen);
        (c.text, c.bad)
    } else {
        decode_counting(enc, bytes)
    };
    Decoded {
        text,
        encoding: name_of(enc, bytes),
        bom: false,
        bad_bytes,
        evidence: look.evidence,
    }
}

/// The file decoded in the encoding its first look's pattern names, when it
/// names one clearly, agrees with any declared charset and decodes cleanly.
fn by_pattern(bytes: &[u8], first: &[u8], declared: Option<&'static Encoding>) -> Option<Decoded> {
    let enc = clear_pattern(first, first.len() == bytes.len())?;
    let family = |e: &'static Encoding| if e == GB18030 { GBK } else { e };
    if declared.is_some_and(|d| family(d) != enc) {
        return None;
    }
    let (text, bad_bytes) = decode_counting(enc, bytes);
    (bad_bytes == 0).then(|| Decoded {
        text,
        encoding: name_of(enc, bytes),
        bom: false,
        bad_bytes,
        evidence: Evidence {
            method: Some(Method::BytePattern),
            declared: declared.map(|d| d.name()),
            declared_used: declared.is_some(),
            ..Evidence::default()
        },
    })
}

/// The candidates judged on a prefix, the chosen one and the evidence.
struct Look {
    candidates: Vec<Candidate>,
    chosen: usize,
    /// The prefix was the whole file.
    whole: bool,
    evidence: Evidence,
}

impl Look {
    /// How many characters of the sample the runner-up reads otherwise.
    fn stakes(&self) -> usize {
        let winner = &self.candidates[self.chosen];
        let Some(runner) = self.evidence.runner_up else {
            return 0;
        };
        self.candidates
            .iter()
            .find(|c| c.enc.name() == runner.0)
            .map_or(usize::MAX, |r| {
                let (w, o) = (winner.text.chars(), r.text.chars());
                let len_diff = w.clone().count().abs_diff(o.clone().count());
                w.zip(o).filter(|(a, b)| a != b).count() + len_diff
            })
    }
}

/// Judge the encodings on the first `limit` bytes (the detector sees the
/// whole file when `limit` is [`SAMPLE`]).
fn judge(bytes: &[u8], limit: usize, declared: Option<&'static Encoding>) -> Look {
    let whole = bytes.len() <= limit;
    let sample = &bytes[..bytes.len().min(limit)];
    let guess = if limit >= SAMPLE {
        detector_guess(bytes, true)
    } else {
        detector_guess(sample, whole)
    };
    let high_bytes = sample.iter().filter(|&&b| b >= 0x80).count().max(1);
    let high = high_bytes as f64;

    let mut candidates: Vec<Candidate> = Vec::new();
    let add = |enc: &'static Encoding, candidates: &mut Vec<Candidate>| {
        let Some(script) = script_of(enc) else { return };
        if candidates.iter().any(|c| c.enc == enc) {
            return;
        }
        let (text, bad) = decode_part(enc, sample, whole);
        let total = own_script(&text, bad, high_bytes, script);
        candidates.push(Candidate {
            enc,
            script,
            text,
            bad,
            total,
        });
    };
    add(guess, &mut candidates);
    if let Some(d) = declared {
        add(d, &mut candidates);
    }
    // a clean, plausible CJK guess needs no single-byte rivals
    let settled_cjk = candidates
        .first()
        .is_some_and(|g| !g.script.single_byte() && g.bad == 0 && g.total / high >= 0.6);
    for (enc, script) in legacy_encodings() {
        if !script.single_byte() || !settled_cjk {
            add(enc, &mut candidates);
        }
    }
    let guess_at = candidates.iter().position(|c| c.enc == guess);
    let declared_at = declared.and_then(|d| candidates.iter().position(|c| c.enc == d));

    let chosen = choose(&candidates, guess_at, declared_at, high);
    let declared_used = Some(chosen) == declared_at;
    let winner = &candidates[chosen];
    let runner = candidates
        .iter()
        .filter(|c| c.text != winner.text)
        .max_by(|a, b| a.total.total_cmp(&b.total));
    let close = runner.is_some_and(|r| {
        let near = r.total >= winner.total - CLOSE;
        // a different script tied with the detector's guess is the case the
        // detector's statistics exist for: not a doubt
        let detector_kept = Some(chosen) == guess_at && r.script != winner.script;
        near && !declared_used && !detector_kept
    });
    let evidence = Evidence {
        method: Some(Method::Detected),
        declared: declared.map(|d| d.name()),
        declared_used,
        detector: Some(guess.name()),
        plausibility: Some(winner.total / high),
        runner_up: runner.map(|r| (r.enc.name(), r.total / high)),
        close,
    };
    Look {
        candidates,
        chosen,
        whole,
        evidence,
    }
}

/// chardetng's guess over a prefix (`last`: the prefix is the whole file).
fn detector_guess(bytes: &[u8], last: bool) -> &'static Encoding {
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(bytes, last);
    det.guess(None, chardetng::Utf8Detection::Allow)
}

/// The index of the chosen candidate: the declared charset when the bytes
/// agree with it, else the detector's guess unless another clearly reads better.
fn choose(
    candidates: &[Candidate],
    guess_at: Option<usize>,
    declared_at: Option<usize>,
    high: f64,
) -> usize {
    let best_of = |same_script_as: Option<Script>| {
        (0..candidates.len())
            .filter(|&i| same_script_as.is_none_or(|s| candidates[i].script == s))
            .max_by(|&a, &b| {
                candidates[a]
                    .total
                    .total_cmp(&candidates[b].total)
                    // on a tie the earlier (guess, declared, list order) wins
                    .then(b.cmp(&a))
            })
            .expect("at least one candidate")
    };
    let mut chosen = guess_at.unwrap_or_else(|| best_of(None));
    // a neighbour in the guess's script that reads better
    let same = best_of(Some(candidates[chosen].script));
    if candidates[same].total > candidates[chosen].total + SAME_SCRIPT_MARGIN {
        chosen = same;
    }
    // another script only when it clearly wins
    let any = best_of(None);
    let margin = if candidates[any].script.single_byte() && candidates[chosen].script.single_byte()
    {
        (0.1 * high).max(1.5)
    } else {
        (0.25 * high).max(3.0)
    };
    if candidates[any].total > candidates[chosen].total + margin {
        chosen = any;
    }
    if let Some(d) = declared_at {
        let agrees = candidates[d].bad == 0
            && candidates[d].total >= candidates[chosen].total - (0.1 * high).max(1.0);
        if agrees {
            chosen = d;
        }
    }
    chosen
}

/// GBK and gb18030 share a decoder: name gb18030 only where four-byte
/// sequences were needed.
fn name_of(enc: &'static Encoding, bytes: &[u8]) -> &'static str {
    if enc != GBK && enc != GB18030 {
        return enc.name();
    }
    if has_four_byte_sequences(bytes) {
        GB18030.name()
    } else {
        GBK.name()
    }
}

/// Whether GB18030 text holds a four-byte sequence (a lead byte, a digit, a
/// lead byte, a digit). In well-formed GB18030 that shape occurs nowhere
/// else: a two-byte character never has a digit for its trail, so a high
/// byte followed by a digit begins a four-byte sequence or is the last byte
/// of a character, after which a high byte and a digit begin one. So the
/// shape is searched for wherever it stands, without walking the characters,
/// and only in blocks that hold a digit at all (a test the compiler
/// vectorises): most Chinese text has few digits.
fn has_four_byte_sequences(bytes: &[u8]) -> bool {
    const BLOCK: usize = 64;
    let shape =
        |w: &[u8]| w[0] >= 0x81 && w[1].is_ascii_digit() && w[2] >= 0x81 && w[3].is_ascii_digit();
    let mut start = 0;
    while start < bytes.len() {
        let end = (start + BLOCK).min(bytes.len());
        let digits = bytes[start..end]
            .iter()
            .fold(0u8, |any, b| any | u8::from(b.wrapping_sub(b'0') < 10))
            != 0;
        // a shape whose first digit is in this block starts one byte before it
        if digits {
            let from = start.saturating_sub(1);
            let to = (end + 2).min(bytes.len());
            if bytes[from..to].windows(4).any(shape) {
                return true;
            }
        }
        start = end;
    }
    false
}

#[cfg(test)]
mod four_byte_tests {
    use super::has_four_byte_sequences;
    use proptest::prelude::*;

    /// The reference: walk the characters.
    fn walked(bytes: &[u8]) -> bool {
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] < 0x80 {
                i += 1;
                continue;
            }
            if bytes.get(i + 1).is_some_and(|b| b.is_ascii_digit()) {
                return true;
            }
            i += 2;
        }
        false
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        /// Well-formed GB18030 (ASCII, two-byte and four-byte characters in
        /// any order): the shape search agrees with walking the characters.
        #[test]
        fn agrees_with_walking(chars in proptest::collection::vec(
            prop_oneof![
                6 => (0x20u8..0x7F).prop_map(|b| vec![b]),
                8 => (0x81u8..=0xFE, prop_oneof![0x40u8..=0x7E, 0x80u8..=0xFE]).prop_map(|(l, t)| vec![l, t]),
                1 => (0x81u8..=0xFE, b'0'..=b'9', 0x81u8..=0xFE, b'0'..=b'9').prop_map(|(a, b, c, d)| vec![a, b, c, d]),
            ],
            0..200,
        )) {
            let bytes = chars.concat();
            prop_assert_eq!(has_four_byte_sequences(&bytes), walked(&bytes));
        }
    }

    #[test]
    fn digits_beside_two_byte_characters_are_not_four_byte_sequences() {
        // 第1章 2 节, and a four-byte character at the end of a 64-byte block
        let gbk = b"\xB5\xDA1\xD5\xC2 2 \xBD\xDA";
        assert!(!has_four_byte_sequences(gbk));
        for at in 58..66 {
            let mut v = vec![b'a'; at];
            v.extend_from_slice(&[0x81, b'3', 0x81, b'0']);
            v.extend_from_slice(b"tail");
            assert!(has_four_byte_sequences(&v), "at {at}");
        }
    }
}
