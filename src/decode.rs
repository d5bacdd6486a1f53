//! Bytes → text, the first stage of the pipeline. BOM first, then strict UTF-8,
//! then UTF-16 without BOM (NUL pattern), then a statistical guess among legacy
//! encodings ranked by how plausible the decoded text is. Records what it found.

use crate::charclass::{common_han, is_cjk_punct, is_han};
use encoding_rs::{Encoding, BIG5, GB18030, GBK, UTF_16BE, UTF_16LE, UTF_8};

/// A successfully decoded document.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub text: String,
    /// encoding_rs's name for what was used (`UTF-8`, `GBK`, `UTF-16LE`…).
    pub encoding: &'static str,
    /// Whether the input began with a byte-order mark.
    pub bom: bool,
    /// Input bytes that could not be decoded and became U+FFFD.
    pub bad_bytes: usize,
}

/// Why a file is not a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotText {
    Empty,
    Binary,
}

impl std::fmt::Display for NotText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotText::Empty => write!(f, "empty file"),
            NotText::Binary => write!(f, "binary file (NUL bytes, not UTF-16)"),
        }
    }
}

/// Decode a file's bytes. `forced` names an encoding that overrides detection.
pub fn decode(bytes: &[u8], forced: Option<&'static Encoding>) -> Result<Decoded, NotText> {
    if bytes.is_empty() {
        return Err(NotText::Empty);
    }
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return Ok(decode_with(enc, &bytes[bom_len..], true));
    }
    if let Some(enc) = forced {
        return Ok(decode_with(enc, bytes, false));
    }
    let has_nul = memchr::memchr(0, bytes).is_some();
    if has_nul {
        return match utf16_without_bom(bytes) {
            Some(enc) => Ok(decode_with(enc, bytes, false)),
            None => Err(NotText::Binary),
        };
    }
    if let Ok(s) = simdutf8::basic::from_utf8(bytes) {
        return Ok(Decoded {
            text: s.to_owned(),
            encoding: UTF_8.name(),
            bom: false,
            bad_bytes: 0,
        });
    }
    if looks_binary(bytes) {
        return Err(NotText::Binary);
    }
    Ok(guess_legacy(bytes))
}

fn decode_with(enc: &'static Encoding, bytes: &[u8], bom: bool) -> Decoded {
    let (text, bad_bytes) = decode_counting(enc, bytes);
    Decoded {
        text,
        encoding: enc.name(),
        bom,
        bad_bytes,
    }
}

/// Decode and count how many input bytes were malformed.
pub fn decode_counting(enc: &'static Encoding, bytes: &[u8]) -> (String, usize) {
    let mut decoder = enc.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(
        decoder
            .max_utf8_buffer_length_without_replacement(bytes.len())
            .unwrap_or(bytes.len() * 3),
    );
    let mut src = bytes;
    let mut bad = 0usize;
    loop {
        let (result, read) = decoder.decode_to_string_without_replacement(src, &mut out, true);
        src = &src[read..];
        match result {
            encoding_rs::DecoderResult::InputEmpty => break,
            encoding_rs::DecoderResult::OutputFull => {
                out.reserve(src.len() * 3 + 16);
            }
            encoding_rs::DecoderResult::Malformed(len, _) => {
                bad += len as usize;
                out.push('\u{FFFD}');
            }
        }
    }
    (out, bad)
}

/// UTF-16 without BOM shows NULs in one byte lane of ASCII-heavy text, and
/// decodes without unpaired surrogates.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    if bytes.len() < 2 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    let pairs = bytes.len() / 2;
    let even_nul = bytes.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd_nul = bytes.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    let candidate = if odd_nul * 10 >= pairs && even_nul * 20 < odd_nul {
        UTF_16LE
    } else if even_nul * 10 >= pairs && odd_nul * 20 < even_nul {
        UTF_16BE
    } else {
        // CJK-only UTF-16 has few NULs: accept when it decodes cleanly to plausible text.
        let le = decode_counting(UTF_16LE, bytes);
        let be = decode_counting(UTF_16BE, bytes);
        let (enc, (text, bad)) = if plausibility(&le.0) >= plausibility(&be.0) {
            (UTF_16LE, le)
        } else {
            (UTF_16BE, be)
        };
        if bad == 0 && plausibility(&text) > 0.9 && !text.contains('\0') {
            return Some(enc);
        }
        return None;
    };
    // The NUL lane alone is weak evidence (`hello\0world\n` has one): the
    // decoded text must read as text too.
    let (text, bad) = decode_counting(candidate, bytes);
    (bad == 0 && !text.contains('\0') && plausibility(&text) > 0.5).then_some(candidate)
}

/// Control bytes other than tab/newline/CR/form feed/escape mark a binary file.
fn looks_binary(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(8192)];
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1B))
        .count();
    controls * 100 > sample.len().max(1)
}

/// Share of characters that are ordinary: ASCII text, common Han, CJK punctuation,
/// Latin letters. Mojibake and wrong-codepage decodes score low.
pub fn plausibility(text: &str) -> f64 {
    let common = common_han();
    let mut total = 0usize;
    let mut good = 0.0f64;
    for c in text.chars() {
        total += 1;
        if c.is_ascii() {
            if !c.is_ascii_control() || matches!(c, '\n' | '\r' | '\t') {
                good += 1.0;
            }
        } else if is_han(c) {
            if common.contains(c) {
                good += 1.0;
            } else {
                good += 0.2;
            }
        } else if is_cjk_punct(c) {
            good += 1.0;
        } else if c == '\u{FFFD}'
            || ('\u{80}'..='\u{9F}').contains(&c)
            || ('\u{E000}'..='\u{F8FF}').contains(&c)
        {
            // replacement, C1 controls, private use: never good
        } else if c.is_alphabetic() {
            good += 0.7;
        } else {
            good += 0.4;
        }
    }
    if total == 0 {
        1.0
    } else {
        good / total as f64
    }
}

/// Not UTF-8, no BOM, no NULs: rank chardetng's guess against the usual
/// suspects for Chinese dumps by how plausible each decode reads.
fn guess_legacy(bytes: &[u8]) -> Decoded {
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(bytes, true);
    let guessed = det.guess(None, chardetng::Utf8Detection::Allow);
    let mut candidates: Vec<&'static Encoding> = vec![guessed];
    for enc in [GBK, GB18030, BIG5] {
        if !candidates.contains(&enc) {
            candidates.push(enc);
        }
    }
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    let mut best: Option<(f64, &'static Encoding)> = None;
    for enc in candidates {
        let (text, bad) = decode_counting(enc, sample);
        let chars = text.chars().count().max(1);
        let score = plausibility(&text) - 4.0 * bad as f64 / chars as f64;
        if best.is_none_or(|(s, _)| score > s + 1e-9) {
            best = Some((score, enc));
        }
    }
    let mut enc = best.map(|(_, e)| e).unwrap_or(GB18030);
    // GBK bytes are a subset of GB18030: report GBK unless four-byte
    // sequences were needed.
    if enc == GB18030 || enc == GBK {
        let (_, gbk_bad) = decode_counting(GBK, bytes);
        enc = if gbk_bad == 0 { GBK } else { GB18030 };
    }
    decode_with(enc, bytes, false)
}

/// [`decode`] taking the bytes: valid UTF-8 (the common case) becomes the
/// text without a copy, so a large file is not held twice.
pub fn decode_owned(bytes: Vec<u8>, forced: Option<&'static Encoding>) -> Result<Decoded, NotText> {
    let plain_utf8 = forced.is_none()
        && !bytes.is_empty()
        && Encoding::for_bom(&bytes).is_none()
        && memchr::memchr(0, &bytes).is_none()
        && simdutf8::basic::from_utf8(&bytes).is_ok();
    if !plain_utf8 {
        return decode(&bytes, forced);
    }
    // SAFETY: the bytes were validated as UTF-8 just above.
    let text = unsafe { String::from_utf8_unchecked(bytes) };
    Ok(Decoded {
        text,
        encoding: UTF_8.name(),
        bom: false,
        bad_bytes: 0,
    })
}

/// Look up an encoding by any WHATWG label (`gbk`, `gb2312`, `big5`, `utf-16le`…).
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boms_and_utf8() {
        let d = decode("\u{FEFF}党员".as_bytes(), None).unwrap();
        assert_eq!(
            (d.text.as_str(), d.encoding, d.bom),
            ("党员", "UTF-8", true)
        );
        let mut le = vec![0xFF, 0xFE];
        for u in "党员\r\n".encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        let d = decode(&le, None).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), ("党员\r\n", "UTF-16LE"));
    }

    #[test]
    fn gbk_and_big5_are_told_apart() {
        let text = "深入学习贯彻党的二十大精神，全面从严治党，推动高质量发展。";
        let (gbk, _, _) = GBK.encode(text);
        let d = decode(&gbk, None).unwrap();
        assert_eq!(d.text, text);
        assert_eq!(d.encoding, "GBK");
        let trad = "深入學習貫徹黨的二十大精神，全面從嚴治黨，推動高質量發展。";
        let (big5, _, _) = BIG5.encode(trad);
        let d = decode(&big5, None).unwrap();
        assert_eq!(d.text, trad);
        assert_eq!(d.encoding, "Big5");
    }

    #[test]
    fn utf16_without_bom_and_binary() {
        let mut le = vec![];
        for u in "hello 党员 world\n".encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(&le, None).unwrap().encoding, "UTF-16LE");
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0";
        assert_eq!(decode(png, None).unwrap_err(), NotText::Binary);
        assert_eq!(decode(b"", None).unwrap_err(), NotText::Empty);
        // one NUL in an even-length ASCII line is no evidence of UTF-16
        assert_eq!(
            decode(b"hello\0world\n", None).unwrap_err(),
            NotText::Binary
        );
    }

    #[test]
    fn forced_encoding_counts_bad_bytes() {
        let d = decode(b"ab\xffcd", Some(UTF_8)).unwrap();
        assert_eq!(d.bad_bytes, 1);
        assert_eq!(d.text, "ab\u{FFFD}cd");
    }
}
