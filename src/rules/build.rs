//! Rule files → a [`RuleSet`]: sources parsed in order (overrides resolved),
//! each rule compiled, a later rule of the same id replacing the earlier one
//! in place, the selection applied, and the set's hash.

use super::{
    kinds, overrides, parse_rule_file, Action, Rule, RuleError, RuleSet, RuleSource, RuleSpec,
    Scope, Selection,
};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

/// Parse and compile every source; a later rule with the same id replaces the
/// earlier one in place. Compiling (regexes, automata, tables) is most of the
/// cost, so the rules are compiled across the thread pool; the first error in
/// source order is the one returned, as if they were compiled one by one.
pub fn build(sources: &[RuleSource], selection: &Selection) -> Result<RuleSet, RuleError> {
    let mut hasher = Sha256::new();
    let (files, specs, stopped) = parse_all(sources, &mut hasher);
    let compiled: Vec<Result<Rule, RuleError>> = specs
        .par_iter()
        .map(|(spec, f)| compile(spec, &files[*f]))
        .collect();
    let mut rules: Vec<Rule> = Vec::new();
    for rule in compiled {
        let rule = rule?;
        if let Some(existing) = rules.iter_mut().find(|r| r.id == rule.id) {
            *existing = rule;
        } else {
            rules.push(rule);
        }
    }
    if let Some(e) = stopped {
        return Err(e);
    }
    for s in selection.select.iter().chain(&selection.ignore) {
        hasher.update(s.as_bytes());
        hasher.update([1]);
    }
    rules.retain(|r| selection.keeps(&r.id));
    // Stable: file order within a stage.
    rules.sort_by_key(|r| r.stage);
    let digest = hasher.finalize();
    let hash = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    Ok(RuleSet { rules, hash })
}

/// The rule files read in order (each given source, then the whole tables its
/// overrides resolve to) and their rules, each with the index of its file; and
/// the error that stopped the reading, if one did (the rules read before it
/// are still compiled: an error among them comes first).
fn parse_all(
    sources: &[RuleSource],
    hasher: &mut Sha256,
) -> (Vec<RuleSource>, Vec<(RuleSpec, usize)>, Option<RuleError>) {
    // the sources read so far, with a whole table for each override resolved
    let mut seen: Vec<RuleSource> = Vec::new();
    let mut specs = Vec::new();
    for given in sources {
        hasher.update(given.path.as_bytes());
        hasher.update([0]);
        hasher.update(given.text.as_bytes());
        hasher.update([0]);
        seen.push(given.clone());
        let at = seen.len() - 1;
        match overrides::resolve(given, &seen) {
            Ok(resolved) => seen.extend(resolved),
            Err(e) => return (seen, specs, Some(e)),
        }
        for f in at..seen.len() {
            match parse_rule_file(&seen[f]) {
                Ok(parsed) => specs.extend(parsed.into_iter().map(|s| (s, f))),
                Err(e) => return (seen, specs, Some(e)),
            }
        }
    }
    (seen, specs, None)
}

/// One rule compiled from its spec.
fn compile(spec: &RuleSpec, src: &RuleSource) -> Result<Rule, RuleError> {
    let (kind, imp) = kinds::compile(spec, src)?;
    let scope = Scope::parse(spec, src)?;
    for ex in &spec.examples {
        if spec.action == Action::Report && ex.output.as_ref().is_some_and(|o| o != &ex.input) {
            return Err(src.error_at(
                spec.id.span(),
                "a `report` rule changes nothing: its examples cannot have a different output",
            ));
        }
    }
    Ok(Rule {
        id: spec.id.get_ref().clone(),
        description: spec.description.clone(),
        stage: *spec.stage.get_ref(),
        action: spec.action,
        kind,
        examples: spec.examples.clone(),
        source: src.path.clone(),
        scope,
        imp,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(path: &str, text: &str) -> RuleSource {
        RuleSource::new(path, text)
    }

    const GOOD: &str = "[[rule]]\nid = \"x.good\"\nkind = \"replace\"\nstage = \"escape\"\ndescription = \"d\"\npattern = \"a\"\nreplace = \"b\"\n";
    const BAD_REGEX: &str = "[[rule]]\nid = \"x.bad\"\nkind = \"replace\"\nstage = \"escape\"\ndescription = \"d\"\npattern = \"(unclosed\"\nreplace = \"\"\n";
    const BAD_TOML: &str = "[[rule]]\nid = \"x.y\"\nkindd = 1\n";

    /// Rules compile in parallel, yet the error reported is the first in
    /// source order, as when they were compiled one by one.
    #[test]
    fn the_first_error_in_source_order_is_reported() {
        let none = Selection::default();
        let err = |sources: &[RuleSource]| build(sources, &none).unwrap_err().path;
        // a rule that does not compile, before a file that does not parse
        let sources = [src("a.toml", BAD_REGEX), src("b.toml", BAD_TOML)];
        assert_eq!(err(&sources), "a.toml");
        // a file that does not parse, before a rule that does not compile
        let sources = [
            src("a.toml", GOOD),
            src("b.toml", BAD_TOML),
            src("c.toml", BAD_REGEX),
        ];
        assert_eq!(err(&sources), "b.toml");
        // many rules, the bad one in the middle
        let mut sources: Vec<RuleSource> = (0..20)
            .map(|i| {
                src(
                    &format!("{i:02}.toml"),
                    &GOOD.replace("x.good", &format!("x.g{i}")),
                )
            })
            .collect();
        sources.insert(13, src("bad.toml", BAD_REGEX));
        sources.push(src("late.toml", BAD_REGEX));
        assert_eq!(err(&sources), "bad.toml");
        let good: Vec<RuleSource> = (0..3)
            .map(|i| {
                src(
                    &format!("{i}.toml"),
                    &GOOD.replace("x.good", &format!("x.g{i}")),
                )
            })
            .collect();
        let set = build(&good, &none).unwrap();
        let ids: Vec<&str> = set.rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["x.g0", "x.g1", "x.g2"]);
    }
}
