//! `[[override]]` tables: change single fields of a rule defined earlier
//! (`id = "ad.line"`, `threshold = 7`) without restating the rest. Each is
//! resolved to a whole rule table — the earlier definition with the
//! override's fields put in — and compiled like any other, so a field the
//! rule's kind does not take is an error here too.

use super::kinds::KINDS;
use super::source_text::rule_text;
use super::{RuleError, RuleSource};
use serde::Deserialize;
use toml::{Spanned, Table, Value};

/// Fields every kind takes that an override may change.
const COMMON: [&str; 3] = ["description", "action", "stage"];

#[derive(Deserialize)]
struct OverrideFile {
    #[serde(default, rename = "override")]
    overrides: Vec<Spanned<Table>>,
}

/// The overrides of `src` as rule sources, each holding one whole
/// `[[rule]]`. `earlier` are the sources before it (and the tables made of
/// earlier overrides), where the rules they change are looked up.
pub fn resolve(src: &RuleSource, earlier: &[RuleSource]) -> Result<Vec<RuleSource>, RuleError> {
    if !src.text.contains("[[override]]") {
        return Ok(Vec::new());
    }
    let file: OverrideFile = toml::from_str(&src.text)
        .map_err(|e| src.error_at(e.span().unwrap_or(0..0), e.message().to_owned()))?;
    let mut out = Vec::new();
    for o in &file.overrides {
        let span = o.span();
        let table = o.get_ref();
        let Some(id) = table.get("id").and_then(Value::as_str) else {
            return Err(src.error_at(span, "an override needs the `id` of the rule it changes"));
        };
        let mut seen: Vec<RuleSource> = earlier.to_vec();
        seen.extend(out.iter().cloned());
        let Some((_, _, base_text)) = rule_text(&seen, id) else {
            return Err(src.error_at(
                span,
                format!("no rule `{id}` is defined before this file: an override changes an existing rule (`docclean rules` lists them)"),
            ));
        };
        let mut base = base_table(&base_text).ok_or_else(|| {
            src.error_at(span.clone(), format!("rule `{id}` could not be read back"))
        })?;
        let kind_name = base
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let kind = KINDS.iter().find(|k| k.name == kind_name);
        for (key, value) in table {
            match key.as_str() {
                "id" => {}
                "kind" => {
                    return Err(src.error_at(
                        span,
                        format!("an override cannot change the kind of `{id}`: write a whole [[rule]] with this id instead"),
                    ))
                }
                k if COMMON.contains(&k) || kind.is_some_and(|kd| kd.fields.contains(&k)) => {
                    base.insert(key.clone(), value.clone());
                }
                k => {
                    let takes = kind.map_or(String::new(), |kd| kd.fields.join(", "));
                    return Err(src.error_at(
                        span,
                        format!("override of `{id}`: `{k}` is not a field of its kind `{kind_name}`, which takes {}", if takes.is_empty() { "no fields of its own".to_owned() } else { takes }),
                    ));
                }
            }
        }
        let mut doc = Table::new();
        doc.insert("rule".into(), Value::Array(vec![Value::Table(base)]));
        out.push(RuleSource {
            path: format!("{} (override of {id})", src.path),
            text: toml::to_string(&doc).expect("a TOML table serializes"),
        });
    }
    Ok(out)
}

/// The one `[[rule]]` table of a rule's text.
fn base_table(text: &str) -> Option<Table> {
    let mut doc: Table = toml::from_str(text).ok()?;
    match doc.remove("rule")? {
        Value::Array(mut rules) if !rules.is_empty() => match rules.remove(0) {
            Value::Table(t) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

/// The sources in order, each followed by the whole tables its overrides
/// resolve to: the last definition of an id in it is the one in effect.
pub fn with_overrides(sources: &[RuleSource]) -> Result<Vec<RuleSource>, RuleError> {
    let mut seen: Vec<RuleSource> = Vec::new();
    for given in sources {
        seen.push(given.clone());
        let resolved = resolve(given, &seen)?;
        seen.extend(resolved);
    }
    Ok(seen)
}
