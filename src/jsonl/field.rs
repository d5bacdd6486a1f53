//! One field of a JSONL line, found without building the object: the
//! line's text field is cleaned and every other byte kept as it was.

use serde_json::value::RawValue;

/// Finds the raw value of one field of a JSON object, skipping the others
/// without building them.
struct FieldSeed<'n> {
    name: &'n str,
}

impl<'de> serde::de::DeserializeSeed<'de> for FieldSeed<'_> {
    type Value = Option<&'de RawValue>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for FieldSeed<'_> {
    type Value = Option<&'de RawValue>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<Key<'de>>()? {
            if key.0 == self.name {
                found = Some(map.next_value::<&'de RawValue>()?);
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// A JSON object key, borrowed when it has no escapes.
struct Key<'de>(std::borrow::Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// The raw JSON of field `name` in the object `line`.
pub fn find_field<'a>(line: &'a str, name: &str) -> serde_json::Result<Option<&'a RawValue>> {
    use serde::de::DeserializeSeed;
    let mut de = serde_json::Deserializer::from_str(line);
    let v = FieldSeed { name }.deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

/// Why a JSONL line holds no text to clean (it passes through unchanged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoText {
    NotUtf8,
    NotObject(String),
    /// The object has no such field.
    NoField(String),
    NotString(String),
}

impl std::fmt::Display for NoText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NoText::NotUtf8 => write!(f, "line is not valid UTF-8"),
            NoText::NotObject(e) => write!(f, "not a JSON object ({e})"),
            NoText::NoField(name) => write!(f, "no `{name}` field"),
            NoText::NotString(name) => write!(f, "`{name}` is not a string"),
        }?;
        f.write_str(": passed through unchanged")
    }
}

/// The text field of one JSONL line (without its newline): the line as
/// text, the field's raw JSON, and its value. `None` for a blank line; an
/// error says why the line holds no text to clean. Cleaning and learning read
/// lines through this one function, so they see the same documents.
#[allow(clippy::type_complexity)]
pub fn line_text<'a>(
    body: &'a [u8],
    field: &str,
) -> Result<Option<(&'a str, &'a RawValue, std::borrow::Cow<'a, str>)>, NoText> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(None);
    }
    let Ok(line) = simdutf8::basic::from_utf8(body) else {
        return Err(NoText::NotUtf8);
    };
    let line = line.strip_prefix('\u{FEFF}').unwrap_or(line);
    let raw_text = match find_field(line, field) {
        Ok(Some(r)) => r,
        Ok(None) => return Err(NoText::NoField(field.to_owned())),
        Err(e) => return Err(NoText::NotObject(e.to_string())),
    };
    // the common escapes undone in one search for `\`; `\u` escapes (and
    // a value that is not a string) go to serde_json
    if let Some(text) = crate::jsonstr::unescape(raw_text.get()) {
        return Ok(Some((line, raw_text, text)));
    }
    match serde_json::from_str(raw_text.get()) {
        Ok(text) => Ok(Some((line, raw_text, text))),
        Err(_) => Err(NoText::NotString(field.to_owned())),
    }
}
