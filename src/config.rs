//! Flags plus `docclean.toml` → one resolved, validated configuration, before
//! any document is touched. Flags win over the file.

use crate::cli::Common;
use crate::rules::{self, RuleSet, Selection};
use anyhow::{bail, Context};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The settings file: the same settings as the flags.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    #[serde(default)]
    pub rules: Vec<PathBuf>,
    #[serde(default)]
    pub no_default_rules: bool,
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    pub text_field: Option<String>,
    pub encoding: Option<String>,
    pub format: Option<String>,
    pub jobs: Option<usize>,
    #[serde(default)]
    pub jsonl: bool,
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
    pub shard: Option<(usize, usize)>,
}

fn load_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read settings file", path.display()))?;
    toml::from_str(&text).map_err(|e| {
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
    })
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
        let file_path = match &c.config {
            Some(p) => Some(p.clone()),
            None => Some(PathBuf::from("docclean.toml")).filter(|p| p.is_file()),
        };
        let file = match &file_path {
            Some(p) => load_file(p)?,
            None => FileConfig::default(),
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
            shard: c.shard.as_deref().map(parse_shard).transpose()?,
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
