//! The one registry of rule kinds: each kind's name, the fields it takes,
//! what it does, and its compiler. The kind list in errors, `docclean rules
//! kinds` and the README's table of kinds all come from [`KINDS`].

use super::spec::RuleSpec;
#[cfg(test)]
use super::spec::KIND_FIELDS;
use super::{
    advert, boilerplate, builtin, marker, mojibake, placeholder, replace, strip_line, RuleError,
    RuleKind, RuleSource,
};

type Compiled = Result<Box<dyn RuleKind>, RuleError>;

/// One kind of rule.
pub struct KindDef {
    pub name: &'static str,
    /// The kind-specific fields it takes (the common ones — `id`, `kind`,
    /// `stage`, `description`, `action`, `examples` — go with every kind).
    pub fields: &'static [&'static str],
    /// What it does, for the README and `docclean rules kinds`.
    pub does: &'static str,
    /// It judges a whole document before editing it; the report counts the
    /// documents judged.
    pub judges_documents: bool,
    compile: fn(&RuleSpec, &RuleSource) -> Compiled,
}

impl std::fmt::Debug for KindDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

fn boxed<K: RuleKind + 'static>(r: Result<K, RuleError>) -> Compiled {
    r.map(|k| Box::new(k) as Box<dyn RuleKind>)
}

pub const KINDS: &[KindDef] = &[
    KindDef {
        name: "replace",
        fields: &["pattern", "replace", "literals"],
        does: "regex replacement (`$1`, `${name}` in `replace`), repeated to a fixed point; \
               `literals` is a prefilter: one of them is in every match",
        judges_documents: false,
        compile: |s, r| boxed(replace::Replace::compile(s, r)),
    },
    KindDef {
        name: "strip-line",
        fields: &[
            "pattern",
            "zone",
            "zone_lines",
            "zone_gap",
            "max_chars",
            "literals",
            "fold",
        ],
        does: "drop matching lines; `zone` is `any`, `head`, `tail` or `edges`, and edge zones \
               drop only a contiguous block from the edge, which may step over `zone_gap` \
               title-like lines; `fold = true` matches the line folded to simplified script \
               (its `literals` then list both scripts)",
        judges_documents: false,
        compile: |s, r| boxed(strip_line::StripLine::compile(s, r)),
    },
    KindDef {
        name: "marker",
        fields: &["markers"],
        does: "remove literal markers inline; a line left blank goes too",
        judges_documents: false,
        compile: |s, r| boxed(marker::Marker::compile(s, r)),
    },
    KindDef {
        name: "placeholder",
        fields: &[
            "tokens",
            "replacement",
            "strong",
            "evidence",
            "min_evidence",
            "lookalikes",
            "anonymisation_mark",
        ],
        does: "restore a censored token from document-level evidence (`{T}` marks the token \
               in patterns)",
        judges_documents: true,
        compile: |s, r| boxed(placeholder::Placeholder::compile(s, r)),
    },
    KindDef {
        name: "advert",
        fields: &[
            "features",
            "threshold",
            "edge_threshold",
            "zone_lines",
            "max_chars",
            "short_document_lines",
            "brand_patterns",
        ],
        does: "score each line by weighted `features` (`pattern`, `weight`); strong lines go \
               anywhere, weaker ones only at the head or tail",
        judges_documents: false,
        compile: |s, r| boxed(advert::Advert::compile(s, r)),
    },
    KindDef {
        name: "boilerplate",
        fields: &["lines", "zone", "zone_lines", "zone_gap", "documents"],
        does: "drop lines whose normalised form (digits, whitespace and the document's title, \
               `〈T〉`, folded) is listed — what `learn` writes; `zone_gap` defaults to 1",
        judges_documents: false,
        compile: |s, r| boxed(boilerplate::Boilerplate::compile(s, r)),
    },
    KindDef {
        name: "mojibake",
        fields: &["from"],
        does: "repair UTF-8 read as GBK / Windows-125x / MacRoman / DOS 437; `from` takes \
               encoding labels (default all: `gbk`, `windows-1250`–`1253`, `windows-1257`, \
               `macintosh`, `cp437`)",
        judges_documents: false,
        compile: |s, r| boxed(mojibake::Mojibake::compile(s, r)),
    },
    KindDef {
        name: "percent-decode",
        fields: &[],
        does: "decode percent-escapes (`%2B` → `+`, `%E5%85%9A` → `党`), never inside a URL, a \
               percentage or an escape of a control character or invalid UTF-8",
        judges_documents: false,
        compile: |_, _| Ok(Box::new(builtin::PercentDecode::new())),
    },
    KindDef {
        name: "html-entities",
        fields: &[],
        does: "decode HTML entities (`&ldquo;` → `“`, `&#12288;`, `&amp;ldquo;` → `“`)",
        judges_documents: false,
        compile: |_, _| Ok(Box::new(builtin::HtmlEntities::new())),
    },
    KindDef {
        name: "invisible",
        fields: &[],
        does: "remove zero-width spaces and joiners, word joiners, a BOM inside text and NUL; a \
               joiner between two emoji stays",
        judges_documents: false,
        compile: |_, _| Ok(Box::new(builtin::Invisible)),
    },
    KindDef {
        name: "newlines",
        fields: &[],
        does: "CRLF and lone CR become LF",
        judges_documents: false,
        compile: |_, _| Ok(Box::new(builtin::Newlines)),
    },
    KindDef {
        name: "trailing-space",
        fields: &[],
        does: "remove whitespace at line ends (leading ideographic spaces stay)",
        judges_documents: false,
        compile: |_, _| Ok(Box::new(builtin::TrailingSpace)),
    },
    KindDef {
        name: "blank-lines",
        fields: &[],
        does: "three or more blank lines become one; blank lines at the start and end go, and a \
               document that ended with a newline keeps exactly one",
        judges_documents: false,
        compile: |_, _| Ok(Box::new(builtin::BlankLines)),
    },
];

/// The kind a rule table names, its fields checked, compiled.
pub fn compile(
    spec: &RuleSpec,
    src: &RuleSource,
) -> Result<(&'static KindDef, Box<dyn RuleKind>), RuleError> {
    let name = spec.kind.get_ref().as_str();
    let Some(kind) = KINDS.iter().find(|k| k.name == name) else {
        let names: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
        return Err(src.error_at(
            spec.kind.span(),
            format!(
                "unknown rule kind `{name}`; use one of: {}",
                names.join(", ")
            ),
        ));
    };
    if let Some(field) = spec
        .kind_fields_set()
        .into_iter()
        .find(|f| !kind.fields.contains(f))
    {
        let owners: Vec<&str> = KINDS
            .iter()
            .filter(|k| k.fields.contains(&field))
            .map(|k| k.name)
            .collect();
        let takes = if kind.fields.is_empty() {
            "no fields of its own".to_owned()
        } else {
            kind.fields.join(", ")
        };
        return Err(src.error_at(
            spec.kind.span(),
            format!(
                "rule `{}` of kind `{name}` cannot take `{field}` (a field of {}); `{name}` takes {takes}",
                spec.id.get_ref(),
                owners.join(", ")
            ),
        ));
    }
    Ok((kind, (kind.compile)(spec, src)?))
}

/// The README's table of kinds.
pub fn markdown_table() -> String {
    let mut s = String::from("| kind | fields | does |\n|---|---|---|\n");
    for k in KINDS {
        let fields = if k.fields.is_empty() {
            "—".to_owned()
        } else {
            k.fields
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        s.push_str(&format!("| `{}` | {fields} | {} |\n", k.name, k.does));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_belongs_to_a_kind_and_every_kind_field_exists() {
        for f in KIND_FIELDS {
            assert!(
                KINDS.iter().any(|k| k.fields.contains(f)),
                "`{f}` belongs to no kind"
            );
        }
        for k in KINDS {
            for f in k.fields {
                assert!(
                    KIND_FIELDS.contains(f),
                    "`{}` lists unknown field `{f}`",
                    k.name
                );
            }
        }
    }

    #[test]
    fn readme_table_is_the_registry() {
        let readme = include_str!("../../README.md");
        assert!(
            readme.contains(&markdown_table()),
            "README.md's table of kinds differs from the registry; paste `docclean rules kinds`:\n{}",
            markdown_table()
        );
    }

    fn compile_text(text: &str) -> Result<&'static KindDef, RuleError> {
        let src = RuleSource {
            path: "t.toml".into(),
            text: text.into(),
        };
        let spec = &super::super::spec::parse_rule_file(&src)?[0];
        compile(spec, &src).map(|(k, _)| k)
    }

    #[test]
    fn a_field_of_another_kind_is_an_error_naming_its_kind() {
        let head = "[[rule]]\nid = \"x\"\nstage = \"escape\"\ndescription = \"d\"\n";
        let err = compile_text(&format!(
            "{head}kind = \"replace\"\npattern = \"a\"\nreplace = \"b\"\nfrom = [\"gbk\"]\n"
        ))
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("cannot take `from` (a field of mojibake)"),
            "{err}"
        );
        assert!(err.starts_with("t.toml:5:"), "{err}");
        let err = compile_text(&format!("{head}kind = \"invisible\"\nzone = \"head\"\n"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("takes no fields of its own"), "{err}");
        let err = compile_text(&format!("{head}kind = \"nope\"\n"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unknown rule kind `nope`; use one of: replace,"),
            "{err}"
        );
        let ok = compile_text(&format!("{head}kind = \"placeholder\"\ntokens = [\"D\"]\nreplacement = \"党\"\nstrong = [\"{{T}}员\"]\n"));
        assert!(ok.unwrap().judges_documents);
    }
}
