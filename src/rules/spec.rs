//! A rule file as written: `[[rule]]` tables parsed into [`RuleSpec`]s. The
//! fields every rule has are plain; the fields of particular kinds are
//! declared once in [`rule_spec!`], which also lists them by name so that
//! [`super::kinds`] can refuse a field its kind does not take.

use super::{Action, RuleError, RuleSource, Stage};
use serde::Deserialize;
use toml::Spanned;

/// One example embedded in a rule file: `input` must become `output`
/// (absent: stay unchanged).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub input: String,
    pub output: Option<String>,
    /// The format the example document is read as (default: plain).
    pub format: Option<crate::doc::DocKind>,
}

/// A weighted feature of the advert classifier.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Feature {
    pub pattern: Spanned<String>,
    pub weight: i32,
}

/// The `[[rule]]` table: common fields, then each kind-specific field as an
/// `Option`, with [`RuleSpec::kind_fields_set`] and [`KIND_FIELDS`] made from
/// the same list.
macro_rules! rule_spec {
    ($($field:ident: $ty:ty,)*) => {
        /// One `[[rule]]` table, flat: every kind's fields are optional here and
        /// checked by the kind's compiler, so errors keep precise spans.
        #[derive(Debug, Clone, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct RuleSpec {
            pub id: Spanned<String>,
            pub kind: Spanned<String>,
            pub stage: Spanned<Stage>,
            pub description: String,
            #[serde(default)]
            pub action: Action,
            #[serde(default)]
            pub examples: Vec<Example>,
    /// `prose` (default): protected spans stay; `any`: the whole text.
    pub spans: Option<Spanned<String>>,
    /// The document formats the rule runs on (default: all).
    pub formats: Option<Vec<Spanned<String>>>,
            $(pub $field: Option<$ty>,)*
        }

        /// Every kind-specific field of a rule table, by name.
        pub const KIND_FIELDS: &[&str] = &[$(stringify!($field)),*];

        impl RuleSpec {
            /// The kind-specific fields this table sets.
            pub fn kind_fields_set(&self) -> Vec<&'static str> {
                let mut set = Vec::new();
                $(if self.$field.is_some() {
                    set.push(stringify!($field));
                })*
                set
            }
        }
    };
}

rule_spec! {
    // replace, strip-line
    pattern: Spanned<String>,
    replace: String,
    literals: Vec<String>,
    // strip-line, boilerplate, advert
    zone: Spanned<String>,
    zone_lines: usize,
    zone_gap: usize,
    fold: bool,
    max_chars: usize,
    // marker
    markers: Vec<String>,
    // placeholder
    tokens: Vec<String>,
    replacement: String,
    strong: Vec<Spanned<String>>,
    evidence: Vec<Spanned<String>>,
    lookalikes: Vec<Spanned<String>>,
    min_evidence: usize,
    anonymisation_mark: String,
    // advert
    features: Vec<Feature>,
    threshold: i32,
    edge_threshold: i32,
    short_document_lines: usize,
    brand_patterns: Vec<Spanned<String>>,
    // boilerplate
    lines: Vec<String>,
    documents: Vec<u64>,
    // mojibake
    from: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFileSpec {
    #[serde(default)]
    rule: Vec<RuleSpec>,
    /// Read by [`super::overrides`].
    #[serde(default, rename = "override")]
    _overrides: Vec<toml::Table>,
}

/// Parse one rule file into specs.
pub fn parse_rule_file(src: &RuleSource) -> Result<Vec<RuleSpec>, RuleError> {
    let spec: RuleFileSpec = toml::from_str(&src.text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        src.error_at(
            span,
            format!("{} (see the rule file format in README.md)", e.message()),
        )
    })?;
    let mut seen = std::collections::HashSet::new();
    for r in &spec.rule {
        let id = r.id.get_ref();
        if id.is_empty()
            || !id.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-' || c == '_'
            })
        {
            return Err(src.error_at(r.id.span(), format!("rule id `{id}` must be lowercase ascii, family first (e.g. `paywall.cms-marker`)")));
        }
        if !seen.insert(id.clone()) {
            return Err(src.error_at(
                r.id.span(),
                format!("rule id `{id}` appears twice in this file"),
            ));
        }
    }
    Ok(spec.rule)
}
