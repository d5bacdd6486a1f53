//! The command line (clap derive). Modes are subcommands; output modes of
//! `clean` are mutually exclusive.

use crate::findings::emit::{FailOn, Format};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "docclean",
    version,
    about = "Clean scraped document dumps: encodings, mojibake, paywall markers, adverts, censored tokens"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Clean files, directories and JSONL shards (`-` reads stdin, writes stdout).
    Clean(CleanArgs),
    /// Write nothing; exit 1 when clean would change something, 0 when not, 2 on error or when nothing was checked.
    Check(CheckArgs),
    /// List the rules (id, stage, description), or run their embedded examples.
    Rules(RulesArgs),
    /// Learn recurring advertising lines across a corpus and save them as a rule file.
    Learn(LearnArgs),
    /// List the files a run would read (stdout), and what it would skip and why (stderr).
    Files(FilesArgs),
    /// Print the settings in effect, each with where it came from, and the settings file read.
    Config(ConfigArgs),
    /// Work with saved reports.
    Report(ReportArgs),
    /// Show every edit clean would make, with its rule and evidence, the changed characters highlighted.
    Explain(ExplainArgs),
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Files and directories to explain; `-` for stdin.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Colour: `auto` (only on a terminal, never with NO_COLOR set), `always`, `never`.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,
    #[command(flatten)]
    pub common: Common,
}

/// Options every corpus mode shares.
#[derive(Debug, Args, Clone, Default)]
pub struct Common {
    /// Extra rule files or folders, applied after the defaults (same id replaces a default).
    #[arg(long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,
    /// Do not load the built-in rule pack.
    #[arg(long)]
    pub no_default_rules: bool,
    /// Run only these rules: comma-separated ids or family prefixes (`escape,paywall`).
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Skip these rules: comma-separated ids or family prefixes (`censor`).
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Settings file (default: the first docclean.toml, or pyproject.toml with [tool.docclean], from here up).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Read no settings file.
    #[arg(long, conflicts_with = "config")]
    pub isolated: bool,
    /// JSONL field that holds the text.
    #[arg(long, value_name = "NAME")]
    pub text_field: Option<String>,
    /// Decode every input with this encoding instead of detecting it (`gbk`, `big5`…).
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<String>,
    /// Read every document as this format (`plain`, `markdown`, `html`) instead
    /// of going by its file extension; stdin and JSONL fields are plain unless told.
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Treat inputs and stdin as JSONL whatever their names.
    #[arg(long)]
    pub jsonl: bool,
    /// Process only shard K of N (1-based) of the inputs, e.g. `--shard 3/16`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Worker threads (default: all cores).
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Print nothing but errors (`check`: and the summary line).
    #[arg(short, long)]
    pub quiet: bool,
    /// Write a JSON report of the run to FILE (`-`: stdout).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Write the report as one self-contained HTML page to FILE (`-`: stdout).
    #[arg(long, value_name = "FILE")]
    pub report_html: Option<PathBuf>,
    /// Read hidden files and folders too (version-control folders stay skipped).
    #[arg(long)]
    pub hidden: bool,
    /// Do not respect .gitignore, .ignore or git's global excludes.
    #[arg(long)]
    pub no_ignore: bool,
    /// Follow symbolic links met in a directory walk.
    #[arg(short = 'L', long)]
    pub follow: bool,
    /// Leave out paths matching GLOB (gitignore syntax, relative to each input; repeatable; adds to the settings file's).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Read only paths matching GLOB; `!GLOB` leaves out (repeatable, as ripgrep's -g).
    #[arg(short = 'g', long, value_name = "GLOB")]
    pub glob: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CleanArgs {
    /// Files and directories to clean; `-` for stdin.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Write cleaned documents under DIR, mirroring the inputs.
    #[arg(long, value_name = "DIR", conflicts_with = "in_place")]
    pub out: Option<PathBuf>,
    /// Replace the inputs themselves (atomically).
    #[arg(long)]
    pub in_place: bool,
    /// With --in-place: keep the original as FILE+SUFFIX.
    #[arg(long, value_name = "SUFFIX", requires = "in_place")]
    pub backup: Option<String>,
    /// With --backup: replace backups left by an earlier run (by default such a file is left alone and reported).
    #[arg(long, requires = "backup")]
    pub overwrite_backup: bool,
    /// Learn corpus-wide boilerplate from the inputs first, then clean with it.
    #[arg(long)]
    pub learn: bool,
    /// With --learn: a line must recur in at least N documents.
    #[arg(long, value_name = "N", default_value_t = 3, requires = "learn")]
    pub learn_min_documents: u64,
    /// Compression level of `.gz` and `.zst` shards written (gzip 0–9, default 6;
    /// zstd 1–22, default 3; a level beyond a format's range is its nearest).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i32).range(0..=22))]
    pub compression_level: Option<i32>,
    /// Write one JSON record per edit (and per deliberate non-edit) to FILE.
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files and directories to check; `-` for stdin.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Print a diff of each document after its findings (text format).
    #[arg(long)]
    pub diff: bool,
    /// With --diff: `marked` (a line changed within itself shown once, its
    /// changes marked) or `unified` (a plain patch for `patch`/`git apply`).
    #[arg(long, value_name = "STYLE", default_value = "marked")]
    pub diff_style: crate::findings::diff::DiffStyle,
    /// How findings are printed [default: text].
    #[arg(long, value_name = "FORMAT")]
    pub output_format: Option<Format>,
    /// Count findings per rule instead of listing them.
    #[arg(long)]
    pub statistics: bool,
    /// Exit 0 even when something would change (errors still exit 2).
    #[arg(long)]
    pub exit_zero: bool,
    /// Which findings fail the check: `fix` (what clean would change), or `report` (that, and report-rule matches) [default: fix].
    #[arg(long, value_name = "WHAT")]
    pub fail_on: Option<FailOn>,
    /// Colour: `auto` (only on a terminal, never with NO_COLOR set), `always`, `never`.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,
    /// Write one JSON record per edit (and per deliberate non-edit) to FILE.
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct FilesArgs {
    /// Files and directories, as given to `clean` or `check`.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub action: Option<RulesAction>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Subcommand)]
pub enum RulesAction {
    /// Run the examples embedded in rule files (the defaults, plus PATHs); exit 1 on any failure.
    Test {
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// List the rule kinds, the fields each takes and what it does (a Markdown table).
    Kinds,
    /// Print a rule as its file writes it (TOML, with its examples) and where it is defined.
    Show {
        #[arg(value_name = "ID")]
        id: String,
    },
}

#[derive(Debug, Args)]
pub struct LearnArgs {
    /// Files and directories to learn from.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Where to write the learned rule file.
    #[arg(long, value_name = "FILE", required_unless_present_any = ["save_counts", "dry_run"])]
    pub save_boilerplate: Option<PathBuf>,
    /// Print what would be learned (line, documents, zone, evidence, a sample path); write nothing.
    #[arg(long, conflicts_with = "save_counts")]
    pub dry_run: bool,
    /// Count only, and save the counts to merge with other shards' (`--shard K/N`).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["save_boilerplate", "counts"])]
    pub save_counts: Option<PathBuf>,
    /// Use these saved counts (merged) instead of counting; INPUT then only supplies the text of the lines that win.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub counts: Vec<PathBuf>,
    /// A line must recur in at least N documents.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub min_documents: u64,
    /// Non-blank lines from each end of a document that form its head and tail zones.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub zone_lines: usize,
    /// Advertising score that is evidence by itself (see the advert rules' weights); lines
    /// without it are learned only when they recur in half the documents and never in a body.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub min_score: i32,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(subcommand)]
    pub action: ReportAction,
}

#[derive(Debug, Subcommand)]
pub enum ReportAction {
    /// Combine the reports of runs over disjoint inputs; prints JSON on stdout.
    Merge {
        #[arg(required = true, value_name = "REPORT")]
        reports: Vec<PathBuf>,
    },
    /// Render a saved JSON report (`--report`) as one self-contained HTML page.
    Html {
        /// The JSON report; `-` for stdin.
        #[arg(value_name = "REPORT")]
        report: PathBuf,
        /// Write the page to FILE instead of stdout.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}
