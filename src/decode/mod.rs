//! Bytes → text, the first stage of the pipeline. BOM first, then strict UTF-8
//! (ISO-2022-JP is 7-bit and passes as UTF-8: its escapes are looked for),
//! then UTF-16 without BOM (NUL pattern), then a choice among legacy encodings
//! (`legacy`). Records what it chose and on what evidence.

mod alphabets;
mod declared;
mod legacy;
mod pattern;
mod score;
#[cfg(test)]
mod tests;

pub use score::plausibility;

use encoding_rs::{Encoding, ISO_2022_JP, UTF_16BE, UTF_16LE, UTF_8};

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
    /// Why this encoding: what the bytes said and how the decode read.
    pub evidence: Evidence,
}

/// How an encoding was settled on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Valid UTF-8 (the common case; nothing else was tried).
    Utf8,
    /// A byte-order mark.
    Bom,
    /// `--encoding`.
    Forced,
    /// 7-bit text with ISO-2022-JP escape sequences.
    Escapes,
    /// UTF-16 recognised by its NUL pattern.
    Utf16Pattern,
    /// The double-byte pattern of GBK or Big5 Chinese, clear on its own.
    BytePattern,
    /// A choice among legacy encodings.
    Detected,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Utf8 => "utf-8",
            Method::Bom => "bom",
            Method::Forced => "forced",
            Method::Escapes => "escape-sequences",
            Method::Utf16Pattern => "utf-16-pattern",
            Method::BytePattern => "byte-pattern",
            Method::Detected => "detected",
        }
    }
}

/// What a legacy-encoding choice rested on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence {
    /// The method, `None` only in `Default`.
    pub method: Option<Method>,
    /// A charset named in the bytes (XML declaration, HTML `<meta>`, MIME header).
    pub declared: Option<&'static str>,
    /// Whether the declared charset was used (the bytes agreed with it).
    pub declared_used: bool,
    /// The statistical detector's guess.
    pub detector: Option<&'static str>,
    /// How plausible the chosen decode reads in its own script (1 is perfect).
    pub plausibility: Option<f64>,
    /// The best other candidate whose text differs, and its plausibility.
    pub runner_up: Option<(&'static str, f64)>,
    /// The runner-up came close: the choice may be wrong.
    pub close: bool,
}

impl Evidence {
    fn of(method: Method) -> Self {
        Evidence {
            method: Some(method),
            ..Evidence::default()
        }
    }
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
        return Ok(decode_with(
            enc,
            &bytes[bom_len..],
            true,
            Evidence::of(Method::Bom),
        ));
    }
    if let Some(enc) = forced {
        return Ok(decode_with(enc, bytes, false, Evidence::of(Method::Forced)));
    }
    let has_nul = memchr::memchr(0, bytes).is_some();
    if has_nul {
        return match utf16_without_bom(bytes) {
            Some(enc) => Ok(decode_with(
                enc,
                bytes,
                false,
                Evidence::of(Method::Utf16Pattern),
            )),
            None => Err(NotText::Binary),
        };
    }
    if simdutf8::basic::from_utf8(bytes).is_ok() {
        if let Some(d) = iso_2022_jp(bytes) {
            return Ok(d);
        }
        return Ok(plain_utf8(
            String::from_utf8(bytes.to_vec()).expect("validated"),
        ));
    }
    if looks_binary(bytes) {
        return Err(NotText::Binary);
    }
    Ok(legacy::decode_legacy(bytes))
}

/// [`decode`] taking the bytes: valid UTF-8 (the common case) becomes the
/// text without a copy, so a large file is not held twice.
pub fn decode_owned(bytes: Vec<u8>, forced: Option<&'static Encoding>) -> Result<Decoded, NotText> {
    let utf8 = forced.is_none()
        && !bytes.is_empty()
        && Encoding::for_bom(&bytes).is_none()
        && memchr::memchr(0, &bytes).is_none()
        && simdutf8::basic::from_utf8(&bytes).is_ok()
        && memchr::memchr(0x1B, &bytes).is_none();
    if !utf8 {
        return decode(&bytes, forced);
    }
    // SAFETY: the bytes were validated as UTF-8 just above.
    let text = unsafe { String::from_utf8_unchecked(bytes) };
    Ok(plain_utf8(text))
}

fn plain_utf8(text: String) -> Decoded {
    Decoded {
        text,
        encoding: UTF_8.name(),
        bom: false,
        bad_bytes: 0,
        evidence: Evidence::of(Method::Utf8),
    }
}

/// ISO-2022-JP is 7-bit, so it passes as UTF-8: take it when the bytes are
/// ASCII, switch to JIS X 0208 with its escapes, and decode cleanly.
fn iso_2022_jp(bytes: &[u8]) -> Option<Decoded> {
    memchr::memchr(0x1B, bytes)?;
    let escapes = memchr::memmem::find(bytes, b"\x1b$B").is_some()
        || memchr::memmem::find(bytes, b"\x1b$@").is_some();
    if !escapes || !bytes.is_ascii() {
        return None;
    }
    let d = decode_with(ISO_2022_JP, bytes, false, Evidence::of(Method::Escapes));
    (d.bad_bytes == 0).then_some(d)
}

fn decode_with(enc: &'static Encoding, bytes: &[u8], bom: bool, evidence: Evidence) -> Decoded {
    let (text, bad_bytes) = decode_counting(enc, bytes);
    Decoded {
        text,
        encoding: enc.name(),
        bom,
        bad_bytes,
        evidence,
    }
}

/// Decode and count how many input bytes were malformed.
pub fn decode_counting(enc: &'static Encoding, bytes: &[u8]) -> (String, usize) {
    decode_part(enc, bytes, true)
}

/// Decode `bytes`, the whole input when `last`, else a prefix whose cut-off
/// last character is neither decoded nor counted as malformed.
pub(crate) fn decode_part(enc: &'static Encoding, bytes: &[u8], last: bool) -> (String, usize) {
    let mut decoder = enc.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(
        decoder
            .max_utf8_buffer_length_without_replacement(bytes.len())
            .unwrap_or(bytes.len() * 3),
    );
    let mut src = bytes;
    let mut bad = 0usize;
    loop {
        let (result, read) = decoder.decode_to_string_without_replacement(src, &mut out, last);
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
    // bitwise `&` summed into bytes, a block at a time: a form the compiler
    // vectorises (a `filter` it steps through byte by byte)
    let controls: usize = sample
        .chunks(255)
        .map(|block| {
            block.iter().fold(0u8, |n, &b| {
                n + u8::from(
                    (b < 0x20)
                        & (b != b'\t')
                        & (b != b'\n')
                        & (b != b'\r')
                        & (b != 0x0C)
                        & (b != 0x1B),
                )
            }) as usize
        })
        .sum();
    controls * 100 > sample.len().max(1)
}

/// Look up an encoding by any WHATWG label (`gbk`, `gb2312`, `big5`, `utf-16le`…).
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
}
