//! What kind of source a document is — Markdown, HTML or plain text — from its
//! file name or from `--format`. Rules use it to tell noise from markup the
//! author wrote (an entity in Markdown is markup; in scraped text it is noise).

use std::path::Path;

/// The format of one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocKind {
    /// Scraped or extracted text (and JSONL fields, stdin): the default.
    #[default]
    Plain,
    /// Markdown and MDX: code, link targets, entities and hard breaks are content.
    Markdown,
    /// HTML and XML: tags, attributes and entities are content.
    Html,
}

impl DocKind {
    pub const ALL: [DocKind; 3] = [DocKind::Plain, DocKind::Markdown, DocKind::Html];

    /// The kind a file's extension names; anything else is plain text.
    pub fn from_path(path: &Path) -> DocKind {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("md" | "markdown" | "mdx" | "mkd" | "mdown" | "rmd") => DocKind::Markdown,
            Some("html" | "htm" | "xhtml" | "xml" | "vue" | "svg") => DocKind::Html,
            _ => DocKind::Plain,
        }
    }

    /// `plain`, `markdown` (or `md`, `mdx`), `html`.
    pub fn parse(name: &str) -> Option<DocKind> {
        match name.to_ascii_lowercase().as_str() {
            "plain" | "text" | "txt" => Some(DocKind::Plain),
            "markdown" | "md" | "mdx" => Some(DocKind::Markdown),
            "html" | "htm" | "xml" => Some(DocKind::Html),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            DocKind::Plain => "plain",
            DocKind::Markdown => "markdown",
            DocKind::Html => "html",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_names() {
        assert_eq!(DocKind::from_path(Path::new("a/b.MD")), DocKind::Markdown);
        assert_eq!(DocKind::from_path(Path::new("x.mdx")), DocKind::Markdown);
        assert_eq!(DocKind::from_path(Path::new("x.html")), DocKind::Html);
        assert_eq!(DocKind::from_path(Path::new("x.txt")), DocKind::Plain);
        assert_eq!(DocKind::from_path(Path::new("README")), DocKind::Plain);
        assert_eq!(DocKind::parse("md"), Some(DocKind::Markdown));
        assert_eq!(DocKind::parse("nope"), None);
    }
}
