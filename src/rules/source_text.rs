//! A rule's table as its file writes it (`docclean rules show ID`): the
//! `[[rule]]` header through its `[[rule.examples]]`, comments included.

use super::RuleSource;

/// Where a rule is defined and its text: (file, 1-based line of its
/// `[[rule]]` header, the text). A later file's rule of the same id replaces
/// an earlier one's, so the last definition is the one in effect.
pub fn rule_text(sources: &[RuleSource], id: &str) -> Option<(String, usize, String)> {
    sources.iter().rev().find_map(|src| {
        tables(&src.text)
            .into_iter()
            .find(|(_, text)| defines(text, id))
            .map(|(line, text)| (src.path.clone(), line, text))
    })
}

/// Each `[[rule]]` table of a file with its sub-tables: (header line, text).
fn tables(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, Vec<&str>)> = Vec::new();
    let mut inside = false;
    for (i, line) in text.lines().enumerate() {
        let head = line.trim_start();
        if head.starts_with("[[rule]]") {
            out.push((i + 1, vec![line]));
            inside = true;
        } else if head.starts_with('[')
            && !head.starts_with("[[rule.")
            && !head.starts_with("[rule.")
        {
            inside = false;
        } else if inside {
            if let Some((_, body)) = out.last_mut() {
                body.push(line);
            }
        }
    }
    out.into_iter()
        .map(|(line, mut body)| {
            // comments and blank lines before the next table belong to it
            while body
                .last()
                .is_some_and(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
            {
                body.pop();
            }
            (line, body.join("\n") + "\n")
        })
        .collect()
}

/// Whether a table's own `id` (before any sub-table) is `id`.
fn defines(table: &str, id: &str) -> bool {
    table
        .lines()
        .skip(1)
        .take_while(|l| !l.trim_start().starts_with('['))
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| k.trim() == "id")
        .filter_map(|(_, v)| v.trim().parse::<toml::Value>().ok())
        .any(|v| v.as_str() == Some(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(path: &str, text: &str) -> RuleSource {
        RuleSource::new(path, text)
    }

    #[test]
    fn a_rule_with_its_examples_and_the_last_definition_wins() {
        let a = src(
            "a.toml",
            "# head\n[[rule]]\nid = \"x.one\"\nkind = \"replace\"\n\n[[rule.examples]]\ninput = \"a\"\n\n# next\n[[rule]]\nid = \"x.two\"\n",
        );
        let (path, line, text) = rule_text(std::slice::from_ref(&a), "x.one").unwrap();
        assert_eq!((path.as_str(), line), ("a.toml", 2));
        assert_eq!(
            text,
            "[[rule]]\nid = \"x.one\"\nkind = \"replace\"\n\n[[rule.examples]]\ninput = \"a\"\n"
        );
        let b = src("b.toml", "[[rule]]\nid = \"x.one\"\nkind = \"invisible\"\n");
        let (path, _, _) = rule_text(&[a.clone(), b], "x.one").unwrap();
        assert_eq!(path, "b.toml");
        assert!(rule_text(&[a], "x.three").is_none());
    }
}
