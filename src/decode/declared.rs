//! A charset the bytes name for themselves: an XML declaration's `encoding`,
//! an HTML `<meta charset>` or `content="…; charset=…"`, an email or MIME
//! `Content-Type: …; charset=…` header. Only the head of a file is read; the
//! caller uses it only when the bytes agree with it.

use encoding_rs::Encoding;

/// How far into a file a declaration is looked for.
const HEAD: usize = 4096;

/// The legacy encoding the head of `bytes` declares, if any (UTF-8 and UTF-16
/// declarations are left out: bytes that reach the legacy lane are neither).
pub fn declared_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(HEAD)];
    // either form has `=` before its value: most files have none to look at
    memchr::memchr(b'=', head)?;
    let label = xml_encoding(head).or_else(|| charset_parameter(head))?;
    let enc = label_to_encoding(label)?;
    let unicode = enc == encoding_rs::UTF_8
        || enc == encoding_rs::UTF_16LE
        || enc == encoding_rs::UTF_16BE
        || enc == encoding_rs::REPLACEMENT
        || enc == encoding_rs::X_USER_DEFINED;
    (!unicode).then_some(enc)
}

/// `<?xml version="1.0" encoding="koi8-r"?>` → `koi8-r`.
fn xml_encoding(head: &[u8]) -> Option<&[u8]> {
    let start = memchr::memmem::find(head, b"<?xml")?;
    let decl = &head[start..];
    let end = memchr::memmem::find(decl, b"?>")?;
    let decl = &decl[..end];
    let at = memchr::memmem::find(decl, b"encoding")?;
    value_after(&decl[at + b"encoding".len()..])
}

/// The value of the first `charset=` in the head, any case.
fn charset_parameter(head: &[u8]) -> Option<&[u8]> {
    let lower = head.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = memchr::memmem::find(&lower[from..], b"charset") {
        let after = from + at + b"charset".len();
        if let Some(v) = value_after(&head[after..]) {
            return Some(v);
        }
        from = after;
    }
    None
}

/// After a parameter name: optional spaces, `=`, optional spaces and quote,
/// then a label.
fn value_after(rest: &[u8]) -> Option<&[u8]> {
    let rest = trim_start(rest);
    let rest = trim_start(rest.strip_prefix(b"=")?);
    let rest = rest
        .strip_prefix(b"\"")
        .or_else(|| rest.strip_prefix(b"'"))
        .unwrap_or(rest);
    let len = rest
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
        .count();
    (len > 0).then(|| &rest[..len])
}

fn trim_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

/// WHATWG labels, with the spellings common outside browsers.
fn label_to_encoding(label: &[u8]) -> Option<&'static Encoding> {
    let lower = String::from_utf8_lossy(label).to_ascii_lowercase();
    let alias = match lower.as_str() {
        "maccyrillic" | "mac-cyrillic" | "mac_cyrillic" => "x-mac-cyrillic",
        "macroman" | "mac-roman" | "mac_roman" => "macintosh",
        "cp936" | "x-gbk" | "euc-cn" => "gbk",
        "cp949" | "uhc" => "euc-kr",
        "cp932" | "shift-jis" => "shift_jis",
        "cp950" | "big5-hkscs" => "big5",
        "cp874" => "windows-874",
        other => other,
    };
    Encoding::for_label(alias.as_bytes())
        .or_else(|| Encoding::for_label(alias.replace('_', "-").as_bytes()))
        .or_else(|| Encoding::for_label(alias.replace('-', "_").as_bytes()))
}
