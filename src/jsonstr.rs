//! A JSON string literal written byte for byte as `serde_json` writes it, but
//! eight bytes at a time: Chinese text has nothing to escape in most words,
//! and serde_json looks each byte up in a table (5 % of a noisy JSONL run).

use std::borrow::Cow;

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Does any byte of `w` need escaping: a control character, `"` or `\`?
/// (No false negatives; a `true` is checked byte by byte.)
#[inline]
fn needs_escape(w: u64) -> bool {
    let zero = |x: u64| x.wrapping_sub(LO) & !x & HI;
    let control = w.wrapping_sub(LO * 0x20) & !w & HI;
    control | zero(w ^ (LO * u64::from(b'"'))) | zero(w ^ (LO * u64::from(b'\\'))) != 0
}

/// The escape of one byte, as serde_json writes it, or `None` when it stands as is.
#[inline]
fn escape(b: u8) -> Option<&'static [u8]> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    static U: [[u8; 6]; 32] = {
        let mut t = [[0u8; 6]; 32];
        let mut i = 0;
        while i < 32 {
            t[i] = [b'\\', b'u', b'0', b'0', HEX[i >> 4], HEX[i & 15]];
            i += 1;
        }
        t
    };
    Some(match b {
        b'"' => b"\\\"",
        b'\\' => b"\\\\",
        0x08 => b"\\b",
        0x0C => b"\\f",
        b'\n' => b"\\n",
        b'\r' => b"\\r",
        b'\t' => b"\\t",
        0x00..=0x1F => &U[b as usize],
        _ => return None,
    })
}

/// Append `s` as a quoted JSON string to `out`.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    out.reserve(b.len() + 2);
    out.push(b'"');
    let mut done = 0; // bytes of `b` already in `out`
    let mut i = 0;
    while i < b.len() {
        if i + 8 <= b.len() {
            let w = u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
            if !needs_escape(w) {
                i += 8;
                continue;
            }
        }
        let end = (i + 8).min(b.len());
        for j in i..end {
            if let Some(e) = escape(b[j]) {
                out.extend_from_slice(&b[done..j]);
                out.extend_from_slice(e);
                done = j + 1;
            }
        }
        i = end;
    }
    out.extend_from_slice(&b[done..]);
    out.push(b'"');
}

/// The value of the JSON string literal `raw` (its quotes included), which
/// serde_json has already validated while finding it: the text between the
/// quotes as it stands when it has no escape, else with `\n`, `\"` and the
/// other one-letter escapes undone. `None` when it holds a `\u` escape (or is
/// not a string): serde_json decodes those, surrogate pairs and all.
pub fn unescape(raw: &str) -> Option<Cow<'_, str>> {
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    let bytes = inner.as_bytes();
    let Some(first) = memchr::memchr(b'\\', bytes) else {
        return Some(Cow::Borrowed(inner));
    };
    let mut out = String::with_capacity(inner.len());
    let mut at = 0;
    let mut next = Some(first);
    while let Some(k) = next {
        // `at` and `k` stand at ASCII bytes: both are character boundaries
        out.push_str(&inner[at..k]);
        out.push(match bytes.get(k + 1)? {
            b'n' => '\n',
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b't' => '\t',
            b'r' => '\r',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            _ => return None,
        });
        at = k + 2;
        next = memchr::memchr(b'\\', &bytes[at..]).map(|j| at + j);
    }
    out.push_str(&inner[at..]);
    Some(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ours(s: &str) -> Vec<u8> {
        let mut v = Vec::new();
        write_str(&mut v, s);
        v
    }

    #[test]
    fn every_byte_value_as_serde_json_writes_it() {
        for c in (0u32..0x80).chain([0xA0, 0x2028, 0x4E2D, 0xFEFF, 0x1F600]) {
            let c = char::from_u32(c).unwrap();
            for s in [
                c.to_string(),
                format!("前文{c}后文，再长一些的文字"),
                format!("abcdefg{c}"),
            ] {
                assert_eq!(ours(&s), serde_json::to_vec(&s).unwrap(), "{s:?}");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        /// Whatever it decodes, it decodes as serde_json does; it declines
        /// only `\u` escapes.
        #[test]
        fn unescape_agrees_with_serde_json(text in "(?s)[a-z\"\\\\/\n\r\t\u{8}\u{c}\u{1}\u{1F}党 é𝄞]{0,40}", slash in any::<bool>()) {
            let mut raw = serde_json::to_string(&text).unwrap();
            if slash {
                raw = raw.replace('/', "\\/");
            }
            let by_serde: String = serde_json::from_str(&raw).unwrap();
            match unescape(&raw) {
                Some(v) => prop_assert_eq!(v.as_ref(), by_serde.as_str()),
                None => prop_assert!(raw.contains("\\u")),
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn agrees_with_serde_json(s in "(?s)[\\x00-\\x7F\\u{80}-\\u{10FFFF}党员“”]{0,80}") {
            prop_assert_eq!(ours(&s), serde_json::to_vec(&s).unwrap());
        }
    }
}
