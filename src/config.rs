//! Flags plus a settings file → one resolved, validated configuration, before
//! any document is touched. Flags win over the file. The file is `--config
//! FILE`, or the first `docclean.toml` (or `pyproject.toml` with a
//! `[tool.docclean]` table) found walking up from the current directory, as
//! ruff and typos find theirs; `--isolated` reads none.

use crate::cli::Common;
use crate::findings::emit::{FailOn, Format};
use crate::rules::{self, RuleSet, Selection};
use anyhow::{bail, Context};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The settings file: the same settings as the flags.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    #[serde(default)]
    pub rules: Vec<PathBuf>,
    #[serde(default)]
    #[serde(alias = "no-default-rules")]
    pub no_default_rules: bool,
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    #[serde(alias = "text-field")]
    pub text_field: Option<String>,
    pub encoding: Option<String>,
    pub format: Option<String>,
    pub jobs: Option<usize>,
    #[serde(default)]
    pub jsonl: bool,
    /// `check`: how findings are printed.
    #[serde(alias = "output-format")]
    pub output_format: Option<Format>,
    /// `check`: which findings fail it.
    #[serde(alias = "fail-on")]
    pub fail_on: Option<FailOn>,
    #[serde(default)]
    pub hidden: bool,
    #[serde(default)]
    #[serde(alias = "no-ignore")]
    pub no_ignore: bool,
    #[serde(default)]
    pub follow: bool,
    #[serde(default)]
    pub exclude: Vec<String>,
    #[serde(default)]
    pub glob: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub rule_paths: Vec<PathBuf>,
    pub defaults: bool,
    pub selection: Selection,
    pub text_field: String,
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Every document read as this format, instead of by its extension.
    pub format: Option<crate::doc::DocKind>,
    pub jobs: usize,
    pub jsonl: bool,
    pub quiet: bool,
    pub report: Option<PathBuf>,
    /// Where `--report-html` writes the page.
    pub report_html: Option<PathBuf>,
    pub shard: Option<(usize, usize)>,
    pub output_format: Option<Format>,
    pub fail_on: Option<FailOn>,
    /// Which files a directory walk reads.
    pub walk: WalkSettings,
    /// The settings file read, if any.
    pub settings_file: Option<PathBuf>,
}

/// The walk's filters, owned (see [`crate::discover::Filters`]).
#[derive(Debug, Clone, Default)]
pub struct WalkSettings {
    pub hidden: bool,
    pub no_ignore: bool,
    pub follow: bool,
    pub exclude: Vec<String>,
    pub glob: Vec<String>,
}

impl WalkSettings {
    pub fn filters(&self) -> crate::discover::Filters<'_> {
        crate::discover::Filters {
            hidden: self.hidden,
            no_ignore: self.no_ignore,
            follow: self.follow,
            exclude: &self.exclude,
            glob: &self.glob,
        }
    }
}

fn load_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read settings file", path.display()))?;
    if path.file_name().is_some_and(|n| n == "pyproject.toml") {
        return tool_table(path, &text)?
            .with_context(|| format!("{}: no [tool.docclean] table", path.display()));
    }
    toml::from_str(&text).map_err(|e| toml_error(path, &text, e))
}

/// `file:line:col: message` for a TOML error.
fn toml_error(path: &Path, text: &str, e: toml::de::Error) -> anyhow::Error {
    let (line, col) = e
        .span()
        .map(|s| {
            let before = &text[..s.start.min(text.len())];
            (
                before.matches('\n').count() + 1,
                before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
            )
        })
        .unwrap_or((1, 1));
    anyhow::anyhow!("{}:{line}:{col}: {}", path.display(), e.message())
}

/// The `[tool.docclean]` table of a `pyproject.toml`, if it has one.
fn tool_table(path: &Path, text: &str) -> anyhow::Result<Option<FileConfig>> {
    if !text.contains("tool.docclean") {
        return Ok(None);
    }
    let doc: toml::Table = toml::from_str(text).map_err(|e| toml_error(path, text, e))?;
    let Some(table) = doc.get("tool").and_then(|t| t.get("docclean")).cloned() else {
        return Ok(None);
    };
    table.try_into().map(Some).map_err(|e: toml::de::Error| {
        anyhow::anyhow!("{}: [tool.docclean]: {}", path.display(), e.message())
    })
}

/// The first settings file from `start` up to the root: `docclean.toml`, or
/// a `pyproject.toml` with a `[tool.docclean]` table.
pub fn find_settings(start: &Path) -> anyhow::Result<Option<(PathBuf, FileConfig)>> {
    for dir in start.ancestors() {
        let own = dir.join("docclean.toml");
        if own.is_file() {
            return Ok(Some((own.clone(), load_file(&own)?)));
        }
        let py = dir.join("pyproject.toml");
        if py.is_file() {
            let text = std::fs::read_to_string(&py)
                .with_context(|| format!("{}: cannot read settings file", py.display()))?;
            if let Some(file) = tool_table(&py, &text)? {
                return Ok(Some((py, file)));
            }
        }
    }
    Ok(None)
}

/// The settings file these flags name or find, and what it holds.
pub fn settings_file(c: &Common) -> anyhow::Result<Option<(PathBuf, FileConfig)>> {
    match &c.config {
        Some(p) => Ok(Some((p.clone(), load_file(p)?))),
        None if c.isolated => Ok(None),
        None => {
            let cwd = std::env::current_dir().context("cannot read the current directory")?;
            find_settings(&cwd)
        }
    }
}

fn parse_shard(s: &str) -> anyhow::Result<(usize, usize)> {
    let (k, n) = s.split_once('/').context("--shard takes K/N, e.g. 3/16")?;
    let (k, n): (usize, usize) = (
        k.trim().parse().context("--shard K must be a number")?,
        n.trim().parse().context("--shard N must be a number")?,
    );
    if n == 0 || k == 0 || k > n {
        bail!("--shard {s}: K must be between 1 and N");
    }
    Ok((k, n))
}

impl Config {
    pub fn resolve(c: &Common) -> anyhow::Result<Config> {
        let (file_path, file) = match settings_file(c)? {
            Some((p, f)) => (Some(p), f),
            None => (None, FileConfig::default()),
        };
        // Rule paths in the settings file are relative to it.
        let base = file_path
            .as_ref()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_default();
        let mut rule_paths: Vec<PathBuf> = file
            .rules
            .iter()
            .map(|p| {
                if p.is_absolute() {
                    p.clone()
                } else {
                    base.join(p)
                }
            })
            .collect();
        rule_paths.extend(c.rules.iter().cloned());
        let encoding_name = c.encoding.clone().or(file.encoding);
        let encoding = match encoding_name {
            None => None,
            Some(n) => Some(crate::decode::encoding_for_label(&n).with_context(|| format!("unknown encoding `{n}` (try utf-8, gbk, gb18030, big5, utf-16le, shift_jis, windows-1252)"))?),
        };
        let format =
            match c.format.clone().or(file.format) {
                None => None,
                Some(n) => Some(crate::doc::DocKind::parse(&n).with_context(|| {
                    format!("unknown format `{n}` (use plain, markdown or html)")
                })?),
            };
        let select = if c.select.is_empty() {
            file.select
        } else {
            c.select.clone()
        };
        let ignore = if c.ignore.is_empty() {
            file.ignore
        } else {
            c.ignore.clone()
        };
        let jobs = c
            .jobs
            .or(file.jobs)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        if jobs == 0 {
            bail!("--jobs must be at least 1");
        }
        Ok(Config {
            rule_paths,
            defaults: !(c.no_default_rules || file.no_default_rules),
            selection: Selection {
                select: clean_ids(select),
                ignore: clean_ids(ignore),
            },
            text_field: c
                .text_field
                .clone()
                .or(file.text_field)
                .unwrap_or_else(|| "text".into()),
            encoding,
            format,
            jobs,
            jsonl: c.jsonl || file.jsonl,
            quiet: c.quiet,
            report: c.report.clone(),
            report_html: c.report_html.clone(),
            shard: c.shard.as_deref().map(parse_shard).transpose()?,
            output_format: file.output_format,
            fail_on: file.fail_on,
            walk: WalkSettings {
                hidden: c.hidden || file.hidden,
                no_ignore: c.no_ignore || file.no_ignore,
                follow: c.follow || file.follow,
                exclude: file
                    .exclude
                    .into_iter()
                    .chain(c.exclude.iter().cloned())
                    .collect(),
                glob: if c.glob.is_empty() {
                    file.glob
                } else {
                    c.glob.clone()
                },
            },
            settings_file: file_path,
        })
    }

    /// Load and compile the rules this configuration names.
    pub fn rule_set(&self) -> anyhow::Result<RuleSet> {
        let sources = rules::load_sources(&self.rule_paths, self.defaults)?;
        let set = rules::build(&sources, &self.selection)
            .map_err(|e| anyhow::anyhow!("{e}\nFix the rule file, or leave it out of --rules."))?;
        let named: Vec<&String> = self
            .selection
            .select
            .iter()
            .chain(&self.selection.ignore)
            .collect();
        if named.is_empty() {
            return Ok(set);
        }
        let all =
            rules::build(&sources, &Selection::default()).map_err(|e| anyhow::anyhow!("{e}"))?;
        for id in named {
            if !all
                .rules
                .iter()
                .any(|r| r.id == *id || r.id.starts_with(&format!("{id}.")))
            {
                bail!("--select/--ignore: no rule or family `{id}` (see `docclean rules`)");
            }
        }
        Ok(set)
    }
}

fn clean_ids(v: Vec<String>) -> Vec<String> {
    v.into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// One setting in effect, for `docclean config`: its key in the settings
/// file, its value (`None`: not set), and where it came from.
pub struct Shown {
    pub key: &'static str,
    pub value: Option<toml::Value>,
    pub origin: &'static str,
}

fn origin(flag: bool, file: bool) -> &'static str {
    match (flag, file) {
        (true, true) => "command line, over the settings file",
        (true, false) => "command line",
        (false, true) => "settings file",
        (false, false) => "default",
    }
}

fn strings<T: ToString>(v: &[T]) -> Option<toml::Value> {
    Some(toml::Value::Array(
        v.iter()
            .map(|s| toml::Value::String(s.to_string()))
            .collect(),
    ))
}

impl Config {
    /// Every setting in effect with where it came from, given the flags and
    /// the settings file these were resolved from.
    pub fn shown(&self, c: &Common, f: &FileConfig) -> Vec<Shown> {
        use toml::Value::{Boolean, Integer, String as Str};
        let paths: Vec<String> = self
            .rule_paths
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        let named = |v: Option<String>| v.map(Str);
        let lower = |s: String| s.to_ascii_lowercase();
        let rows = [
            (
                "rules",
                strings(&paths),
                !c.rules.is_empty(),
                !f.rules.is_empty(),
            ),
            (
                "no_default_rules",
                Some(Boolean(!self.defaults)),
                c.no_default_rules,
                f.no_default_rules,
            ),
            (
                "select",
                strings(&self.selection.select),
                !c.select.is_empty(),
                !f.select.is_empty(),
            ),
            (
                "ignore",
                strings(&self.selection.ignore),
                !c.ignore.is_empty(),
                !f.ignore.is_empty(),
            ),
            (
                "text_field",
                Some(Str(self.text_field.clone())),
                c.text_field.is_some(),
                f.text_field.is_some(),
            ),
            (
                "encoding",
                named(self.encoding.map(|e| e.name().to_owned())),
                c.encoding.is_some(),
                f.encoding.is_some(),
            ),
            (
                "jobs",
                Some(Integer(self.jobs as i64)),
                c.jobs.is_some(),
                f.jobs.is_some(),
            ),
            ("jsonl", Some(Boolean(self.jsonl)), c.jsonl, f.jsonl),
            (
                "output_format",
                Some(Str(lower(format!(
                    "{:?}",
                    self.output_format.unwrap_or_default()
                )))),
                false,
                f.output_format.is_some(),
            ),
            (
                "fail_on",
                Some(Str(lower(format!(
                    "{:?}",
                    self.fail_on.unwrap_or_default()
                )))),
                false,
                f.fail_on.is_some(),
            ),
            (
                "hidden",
                Some(Boolean(self.walk.hidden)),
                c.hidden,
                f.hidden,
            ),
            (
                "no_ignore",
                Some(Boolean(self.walk.no_ignore)),
                c.no_ignore,
                f.no_ignore,
            ),
            (
                "follow",
                Some(Boolean(self.walk.follow)),
                c.follow,
                f.follow,
            ),
            (
                "exclude",
                strings(&self.walk.exclude),
                !c.exclude.is_empty(),
                !f.exclude.is_empty(),
            ),
            (
                "glob",
                strings(&self.walk.glob),
                !c.glob.is_empty(),
                !f.glob.is_empty(),
            ),
        ];
        rows.into_iter()
            .map(|(key, value, flag, file)| Shown {
                key,
                value,
                origin: origin(flag, file),
            })
            .collect()
    }
}
