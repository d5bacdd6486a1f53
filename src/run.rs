//! Running the pipeline over a corpus: files and JSONL shards in parallel,
//! results merged in input order, writes atomic, per-file trouble recorded
//! and the run carried on.

use crate::atomic::{write_atomic, TempFile};
use crate::decode::{decode, decode_owned};
use crate::discover::WorkItem;
use crate::inplace::Backup;
use crate::pipeline::Pipeline;
use crate::report::{DecodeLoss, ErrorEntry, Skipped, Tally, Warning};
use crate::rules::{hits::MAX_EXAMPLES, RuleSet};
use rayon::prelude::*;
use serde_json::value::RawValue;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

/// Where cleaned documents go.
#[derive(Debug, Clone)]
pub enum Output {
    /// A tree mirroring the inputs.
    Dir(PathBuf),
    /// Standard output (`clean -`).
    Stdout,
    /// Replace each changed input atomically, optionally keeping a backup.
    InPlace { backup: Option<Backup> },
    /// Write nothing: report what would change (check mode).
    Check { diff: bool },
}

/// Settings a run needs besides the rules.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub output: Output,
    pub text_field: String,
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Treat every input (and stdin) as JSONL, whatever its name.
    pub force_jsonl: bool,
    /// Check mode: receives the entries in input order as they are made,
    /// so that a long `check --diff` holds no more than a batch of them.
    pub check_sink: Option<CheckSink>,
}

/// What would change in one document: its path, the rules, and the diff
/// when asked for.
pub type CheckEntry = (String, Vec<String>);

/// A receiver of check entries (see [`RunOptions::check_sink`]).
#[derive(Clone)]
pub struct CheckSink(pub std::sync::Arc<dyn Fn(Vec<CheckEntry>) + Send + Sync>);

impl std::fmt::Debug for CheckSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CheckSink")
    }
}

impl RunOptions {
    /// Hand the tally's check entries so far to the sink, if there is one.
    fn drain_checks(&self, tally: &mut Tally) {
        if let Some(sink) = &self.check_sink {
            if !tally.changed.is_empty() {
                (sink.0)(std::mem::take(&mut tally.changed));
            }
        }
    }

    fn is_shard(&self, item: &WorkItem) -> bool {
        self.force_jsonl || is_jsonl(&item.path)
    }
}

/// Plain files cleaned together in parallel between two drains of the check sink.
const FILES_PER_ROUND: usize = 256;

/// Lines of a JSONL shard cleaned together, in parallel, before writing.
const JSONL_BATCH_BYTES: usize = 8 << 20;
/// The least a JSONL batch reads at a time (a line longer than a batch is
/// read in pieces of this size).
const JSONL_MIN_READ: usize = 1 << 20;

/// How a shard is compressed, by its name; the output keeps the same compression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

pub fn compression_of(path: &Path) -> Compression {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("gz") => Compression::Gzip,
        Some("zst") | Some("zstd") => Compression::Zstd,
        _ => Compression::None,
    }
}

/// `.jsonl`, `.ndjson`, optionally compressed (`.jsonl.gz`, `.jsonl.zst`).
pub fn is_jsonl(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let base = [".gz", ".zst", ".zstd"]
        .iter()
        .find_map(|s| name.strip_suffix(s))
        .unwrap_or(&name);
    base.ends_with(".jsonl") || base.ends_with(".ndjson")
}

/// A buffered reader over a (possibly compressed) shard.
pub fn open_shard(path: &Path) -> std::io::Result<Box<dyn BufRead + Send>> {
    let f = std::fs::File::open(path)?;
    Ok(match compression_of(path) {
        Compression::None => Box::new(BufReader::with_capacity(1 << 20, f)),
        Compression::Gzip => Box::new(BufReader::with_capacity(
            1 << 20,
            flate2::read::MultiGzDecoder::new(f),
        )),
        Compression::Zstd => Box::new(BufReader::with_capacity(
            1 << 20,
            zstd::stream::read::Decoder::new(f)?,
        )),
    })
}

/// Process all items in input order; `tick` is called after each. Runs of
/// plain files are cleaned in parallel, a few hundred at a time; a shard is
/// cleaned alone, in parallel within it. Check entries reach the sink in
/// input order after each round.
pub fn run_items(
    set: &RuleSet,
    items: &[WorkItem],
    opts: &RunOptions,
    tick: &(dyn Fn() + Sync),
) -> Tally {
    let n = set.rules.len();
    let mut total = Tally::new(n);
    let mut rest = items;
    while !rest.is_empty() {
        let plain = rest
            .iter()
            .take(FILES_PER_ROUND)
            .take_while(|item| !opts.is_shard(item))
            .count();
        let (round, after) = rest.split_at(plain.max(1));
        let mut t = round
            .par_iter()
            .map(|item| {
                let t = process_item(set, item, opts);
                tick();
                t
            })
            .reduce(|| Tally::new(n), Tally::merge);
        opts.drain_checks(&mut t);
        total = total.merge(t);
        rest = after;
    }
    total
}

fn error_tally(n: usize, path: &str, message: String) -> Tally {
    let mut t = Tally::new(n);
    t.files = 1;
    t.errors.push(ErrorEntry {
        path: path.to_owned(),
        message,
    });
    t
}

fn process_item(set: &RuleSet, item: &WorkItem, opts: &RunOptions) -> Tally {
    let display = item.display();
    if opts.force_jsonl || is_jsonl(&item.path) {
        return match process_jsonl_file(set, item, opts) {
            Ok(t) => t,
            Err(e) => error_tally(set.rules.len(), &display, e.to_string()),
        };
    }
    let bytes = match std::fs::read(&item.path) {
        Ok(b) => b,
        Err(e) => return error_tally(set.rules.len(), &display, format!("cannot read: {e}")),
    };
    let mut tally = Tally::new(set.rules.len());
    let Some(doc) = clean_whole(set, &display, bytes, opts, &mut tally) else {
        return tally;
    };
    let result = match &opts.output {
        Output::Check { .. } => Ok(()),
        Output::Stdout => Err("files are written to a directory or in place, not to stdout".into()),
        Output::Dir(dir) => write_atomic(&dir.join(&item.rel), doc.text.as_bytes()),
        Output::InPlace { backup } => {
            let transcode = doc.encoding != "UTF-8" || doc.bom;
            if doc.changed || transcode {
                crate::inplace::replace(&item.path, doc.text.as_bytes(), backup.as_ref())
                    .map(|notes| note_warnings(&mut tally, &display, notes))
            } else {
                Ok(())
            }
        }
    };
    if let Err(e) = result {
        tally.errors.push(ErrorEntry {
            path: display,
            message: e,
        });
    }
    tally
}

/// A whole file (or stdin) as one document, decoded and cleaned.
struct WholeDocument {
    /// The cleaned text.
    text: String,
    /// Whether a rule changed it.
    changed: bool,
    encoding: &'static str,
    bom: bool,
}

/// Decode and clean one whole-file document, recording in `tally` its
/// encoding, decode losses, rule hits and check entry. `None` when the bytes
/// are not a document (recorded as skipped). Files and stdin both come here.
fn clean_whole(
    set: &RuleSet,
    display: &str,
    bytes: Vec<u8>,
    opts: &RunOptions,
    tally: &mut Tally,
) -> Option<WholeDocument> {
    tally.files = 1;
    tally.input_bytes = bytes.len() as u64;
    let decoded = match decode_owned(bytes, opts.encoding) {
        Ok(d) => d,
        Err(why) => {
            tally.skipped.push(Skipped {
                path: display.to_owned(),
                reason: why.to_string(),
            });
            return None;
        }
    };
    *tally
        .encodings
        .entry(decoded.encoding.to_owned())
        .or_default() += 1;
    if decoded.bad_bytes > 0 {
        tally.warnings.push(Warning {
            path: display.to_owned(),
            line: None,
            message: format!(
                "{} byte(s) could not be decoded as {} and became U+FFFD",
                decoded.bad_bytes, decoded.encoding
            ),
        });
        tally.decode_losses.push(DecodeLoss {
            path: display.to_owned(),
            encoding: decoded.encoding.to_owned(),
            bad_bytes: decoded.bad_bytes as u64,
        });
    }
    let diff = matches!(opts.output, Output::Check { diff: true });
    // the original is kept only where a diff needs it; else the pipeline
    // owns the text and drops each stage's input as it goes
    let original = diff.then(|| decoded.text.clone());
    let (text, outcome, changed) = Pipeline::new(set).clean_owned(decoded.text);
    tally.add_document(set, &|| display.to_owned(), &outcome, changed);
    if let (Output::Check { diff }, true) = (&opts.output, changed) {
        let mut entry: Vec<String> = outcome.changed_rules(set).map(str::to_owned).collect();
        if *diff {
            entry.push(unified_diff(
                display,
                original.as_deref().unwrap_or(""),
                &text,
            ));
        }
        tally.changed.push((display.to_owned(), entry));
    }
    Some(WholeDocument {
        text,
        changed,
        encoding: decoded.encoding,
        bom: decoded.bom,
    })
}

/// A unified diff of one document, for `check --diff`.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(1)
        .header(path, &format!("{path} (cleaned)"))
        .to_string()
}

/// What one JSONL line came to.
struct LineResult {
    /// The rewritten line (with its newline); `None` passes the input through.
    out: Option<Vec<u8>>,
    /// The document's outcome, when the line held one.
    doc: Option<(crate::pipeline::DocOutcome, bool)>,
    warning: Option<String>,
    /// Check mode: the rules that would change it, and the diff.
    check: Option<Vec<String>>,
}

impl LineResult {
    fn pass() -> Self {
        LineResult {
            out: None,
            doc: None,
            warning: None,
            check: None,
        }
    }
    fn warn(message: String) -> Self {
        LineResult {
            warning: Some(message),
            ..Self::pass()
        }
    }
}

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
fn find_field<'a>(line: &'a str, name: &str) -> serde_json::Result<Option<&'a RawValue>> {
    use serde::de::DeserializeSeed;
    let mut de = serde_json::Deserializer::from_str(line);
    let v = FieldSeed { name }.deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

/// The text field of one JSONL line (without its newline): the line as
/// text, the field's raw JSON, and its value. `None` for a blank line; an
/// error says why the line holds no text to clean. Cleaning and learning read
/// lines through this one function, so they see the same documents.
#[allow(clippy::type_complexity)]
fn line_text<'a>(
    body: &'a [u8],
    field: &str,
) -> Result<Option<(&'a str, &'a RawValue, std::borrow::Cow<'a, str>)>, String> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(None);
    }
    let Ok(line) = simdutf8::basic::from_utf8(body) else {
        return Err("line is not valid UTF-8: passed through unchanged".into());
    };
    let line = line.strip_prefix('\u{FEFF}').unwrap_or(line);
    let raw_text = match find_field(line, field) {
        Ok(Some(r)) => r,
        Ok(None) => return Err(format!("no `{field}` field: passed through unchanged")),
        Err(e) => return Err(format!("not a JSON object ({e}): passed through unchanged")),
    };
    match serde_json::from_str(raw_text.get()) {
        Ok(text) => Ok(Some((line, raw_text, text))),
        Err(_) => Err(format!(
            "`{field}` is not a string: passed through unchanged"
        )),
    }
}

/// Clean the text field of one JSONL line (without its newline), keeping every other byte.
fn clean_jsonl_line(
    pipeline: &Pipeline,
    body: &[u8],
    opts: &RunOptions,
    doc_path: &dyn Fn() -> String,
) -> LineResult {
    let (line, raw_text, text) = match line_text(body, &opts.text_field) {
        Ok(Some(found)) => found,
        Ok(None) => return LineResult::pass(),
        Err(why) => return LineResult::warn(why),
    };
    let (cleaned, outcome) = pipeline.clean(&text);
    let changed = cleaned.as_ref() != text.as_ref();
    if !changed {
        return LineResult {
            doc: Some((outcome, false)),
            ..LineResult::pass()
        };
    }
    if let Output::Check { diff } = &opts.output {
        let mut entry: Vec<String> = outcome
            .changed_rules(pipeline.set)
            .map(str::to_owned)
            .collect();
        if *diff {
            entry.push(unified_diff(&doc_path(), &text, &cleaned));
        }
        return LineResult {
            doc: Some((outcome, true)),
            check: Some(entry),
            ..LineResult::pass()
        };
    }
    let start = raw_text.get().as_ptr() as usize - line.as_ptr() as usize;
    let end = start + raw_text.get().len();
    let mut out = Vec::with_capacity(line.len() + 16);
    out.extend_from_slice(&line.as_bytes()[..start]);
    crate::jsonstr::write_str(&mut out, &cleaned);
    out.extend_from_slice(&line.as_bytes()[end..]);
    out.push(b'\n');
    LineResult {
        out: Some(out),
        doc: Some((outcome, true)),
        ..LineResult::pass()
    }
}

/// A cleaned batch on its way to the writer: the input, each line's body
/// range, and the rewritten lines (by index) where they changed.
struct Cleaned {
    buf: Vec<u8>,
    bodies: Vec<(usize, usize)>,
    changed: Vec<(usize, Vec<u8>)>,
}

impl Cleaned {
    /// Every line in order: rewritten where it changed, else as it was.
    fn write_to(&self, writer: &mut dyn Write) -> std::io::Result<()> {
        let mut changed = self.changed.iter().peekable();
        for (i, &(s, e)) in self.bodies.iter().enumerate() {
            match changed.next_if(|(j, _)| *j == i) {
                Some((_, out)) => writer.write_all(out)?,
                None => {
                    writer.write_all(&self.buf[s..e])?;
                    writer.write_all(b"\n")?;
                }
            }
        }
        Ok(())
    }
}

/// Stream JSONL from `reader` to `writer`: batches of about 8 MB, their lines
/// cleaned in parallel, written in order by a writer thread while the next
/// batch is read and cleaned; memory does not grow with the input.
pub fn process_jsonl_stream(
    set: &RuleSet,
    path: &str,
    reader: &mut (dyn BufRead + Send),
    writer: &mut (dyn Write + Send),
    opts: &RunOptions,
) -> std::io::Result<Tally> {
    stream_batches(set, path, reader, writer, opts, JSONL_BATCH_BYTES)
}

/// [`process_jsonl_stream`] in batches of about `batch_bytes`.
fn stream_batches(
    set: &RuleSet,
    path: &str,
    reader: &mut (dyn BufRead + Send),
    writer: &mut (dyn Write + Send),
    opts: &RunOptions,
    batch_bytes: usize,
) -> std::io::Result<Tally> {
    let n = set.rules.len();
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Cleaned>(1);
        // Written batches go back to the reader to be filled again: the same
        // few buffers serve the whole stream, so no fresh memory is faulted in.
        let (free_tx, free_rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(2);
        let writing = scope.spawn(move || -> std::io::Result<()> {
            for batch in rx {
                batch.write_to(writer)?;
                let _ = free_tx.try_send(batch.buf);
            }
            writer.flush()
        });
        // A reader thread fills the next batch while this one is cleaned.
        let (batch_tx, batch_rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(1);
        let reading = scope.spawn(move || -> std::io::Result<()> {
            let mut carry: Vec<u8> = Vec::new();
            loop {
                let mut buf = free_rx.try_recv().unwrap_or_default();
                buf.clear();
                buf.reserve(batch_bytes + JSONL_MIN_READ);
                buf.extend_from_slice(&carry);
                carry.clear();
                let mut eof = false;
                // (the carried tail holds no newline; each read is searched once,
                // so a line of any length is read in linear time)
                let mut has_newline = false;
                loop {
                    if buf.len() >= batch_bytes && has_newline {
                        break;
                    }
                    // Straight into the batch: a buffered reader hands a large
                    // read to its source without copying through its own buffer.
                    let want = batch_bytes.saturating_sub(buf.len()).max(JSONL_MIN_READ);
                    let before = buf.len();
                    if (&mut *reader).take(want as u64).read_to_end(&mut buf)? == 0 {
                        eof = true;
                        break;
                    }
                    has_newline = has_newline || memchr::memchr(b'\n', &buf[before..]).is_some();
                }
                if !eof {
                    let i = memchr::memrchr(b'\n', &buf).expect("the batch ends on a newline");
                    carry.extend_from_slice(&buf[i + 1..]);
                    buf.truncate(i + 1);
                }
                if !buf.is_empty() && batch_tx.send(buf).is_err() {
                    return Ok(());
                }
                if eof {
                    return Ok(());
                }
            }
        });
        let mut tally = Tally::new(n);
        let mut line_no = 0u64;
        for buf in batch_rx {
            tally.input_bytes += buf.len() as u64;
            // Body ranges: without the newline and a CR before it.
            let mut bodies: Vec<(usize, usize)> = Vec::new();
            let mut start = 0;
            for nl in memchr::memchr_iter(b'\n', &buf)
                .chain((buf.last() != Some(&b'\n')).then_some(buf.len()))
            {
                // every CR before the newline goes, so `\r\r\n` ends the
                // same as `\n` in one run
                let mut end = nl;
                while end > start && buf[end - 1] == b'\r' {
                    end -= 1;
                }
                bodies.push((start, end));
                start = nl + 1;
            }
            // line ends normalised (a CR dropped, a last newline added)
            // rewrite the shard even where no text changed
            tally.rewritten |= bodies.iter().any(|&(_, e)| buf.get(e) != Some(&b'\n'));
            let base = line_no;
            line_no += bodies.len() as u64;
            let doc_path = |i: usize| format!("{path}:{}", base + i as u64 + 1);
            // The report keeps the first few examples of each rule in input
            // order: once earlier batches supplied them, this one makes none.
            let skip: Vec<bool> = (0..n)
                .map(|i| {
                    tally
                        .rules
                        .get(i)
                        .is_some_and(|t| t.examples.len() >= MAX_EXAMPLES)
                })
                .collect();
            let pipeline = Pipeline::skipping_examples(set, &skip);
            // Each line's outcome is folded into a tally as soon as it is
            // made, so a batch holds only the lines that changed: memory per
            // line is its body range, whatever the number of rules.
            let (changed, batch) = bodies
                .par_iter()
                .enumerate()
                .fold(
                    || (Vec::new(), Tally::new(n)),
                    |(mut changed, mut t), (i, &(s, e))| {
                        let r = clean_jsonl_line(&pipeline, &buf[s..e], opts, &|| doc_path(i));
                        if let Some(message) = r.warning {
                            t.warnings.push(Warning {
                                path: path.to_owned(),
                                line: Some(base + i as u64 + 1),
                                message,
                            });
                        }
                        if let Some((outcome, changed)) = &r.doc {
                            t.add_document(set, &|| doc_path(i), outcome, *changed);
                        }
                        if let Some(entry) = r.check {
                            t.changed.push((doc_path(i), entry));
                        }
                        if let Some(out) = r.out {
                            changed.push((i, out));
                        }
                        (changed, t)
                    },
                )
                .reduce(
                    || (Vec::new(), Tally::new(n)),
                    |(mut a, ta), (b, tb)| {
                        a.extend(b);
                        (a, ta.merge(tb))
                    },
                );
            tally.rewritten |= !changed.is_empty();
            if tx
                .send(Cleaned {
                    buf,
                    bodies,
                    changed,
                })
                .is_err()
            {
                break; // the writer failed: its error is returned below
            }
            tally = tally.merge(batch);
            opts.drain_checks(&mut tally);
        }
        drop(tx);
        let written = writing.join().expect("the writer thread does not panic");
        reading.join().expect("the reader thread does not panic")?;
        written?;
        Ok(tally)
    })
}

/// Warnings for what in-place writing could not keep as it was.
fn note_warnings(tally: &mut Tally, path: &str, notes: Vec<String>) {
    for message in notes {
        tally.warnings.push(Warning {
            path: path.to_owned(),
            line: None,
            message,
        });
    }
}

fn process_jsonl_file(set: &RuleSet, item: &WorkItem, opts: &RunOptions) -> Result<Tally, String> {
    let display = item.display();
    let mut reader = open_shard(&item.path).map_err(|e| format!("cannot read: {e}"))?;
    let mut tally = match &opts.output {
        Output::Check { .. } => {
            process_jsonl_stream(set, &display, &mut reader, &mut std::io::sink(), opts)
                .map_err(|e| format!("cannot read: {e}"))?
        }
        Output::Stdout => {
            return Err("files are written to a directory or in place, not to stdout".into())
        }
        Output::Dir(dir) => {
            let dest = dir.join(&item.rel);
            let tmp = TempFile::beside(&dest)?;
            let (tally, tmp) = jsonl_to_temp(set, &display, &mut reader, tmp, &dest, opts)?;
            tmp.persist(&dest)?;
            tally
        }
        Output::InPlace { backup } => {
            let target = crate::inplace::target(&item.path)?;
            let tmp = TempFile::beside(&target.path)?;
            let (mut tally, tmp) =
                jsonl_to_temp(set, &display, &mut reader, tmp, &target.path, opts)?;
            if tally.rewritten {
                let notes = target.commit(tmp, backup.as_ref())?;
                note_warnings(&mut tally, &display, notes);
            }
            tally
        }
    };
    tally.files = 1;
    *tally.encodings.entry("UTF-8".into()).or_default() += 1;
    Ok(tally)
}

/// Stream a shard into `tmp`, compressed as `dest`'s name says.
fn jsonl_to_temp(
    set: &RuleSet,
    display: &str,
    reader: &mut (dyn BufRead + Send),
    tmp: TempFile,
    dest: &Path,
    opts: &RunOptions,
) -> Result<(Tally, TempFile), String> {
    let buf = std::io::BufWriter::with_capacity(1 << 20, tmp);
    let write_err = |e: std::io::Error| format!("cannot write {}: {e}", dest.display());
    let (tally, buf) = match compression_of(dest) {
        Compression::None => {
            let mut w = buf;
            (
                process_jsonl_stream(set, display, reader, &mut w, opts)
                    .map_err(|e| format!("{e}"))?,
                w,
            )
        }
        Compression::Gzip => {
            let mut w = flate2::write::GzEncoder::new(buf, flate2::Compression::default());
            let t = process_jsonl_stream(set, display, reader, &mut w, opts)
                .map_err(|e| format!("{e}"))?;
            (t, w.finish().map_err(write_err)?)
        }
        Compression::Zstd => {
            let mut w = zstd::stream::write::Encoder::new(buf, 3).map_err(write_err)?;
            let t = process_jsonl_stream(set, display, reader, &mut w, opts)
                .map_err(|e| format!("{e}"))?;
            (t, w.finish().map_err(write_err)?)
        }
    };
    let tmp = buf
        .into_inner()
        .map_err(|e| format!("cannot write {}: {e}", dest.display()))?;
    Ok((tally, tmp))
}

/// `clean -`: stdin to stdout.
pub fn run_stdin(set: &RuleSet, opts: &RunOptions) -> std::io::Result<Tally> {
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout);
    if opts.force_jsonl {
        let mut reader = BufReader::with_capacity(1 << 20, std::io::stdin());
        let mut t = process_jsonl_stream(set, "<stdin>", &mut reader, &mut out, opts)?;
        t.files = 1;
        return Ok(t);
    }
    let mut bytes = Vec::new();
    stdin.lock().read_to_end(&mut bytes)?;
    let mut tally = Tally::new(set.rules.len());
    let doc = clean_whole(set, "<stdin>", bytes, opts, &mut tally);
    opts.drain_checks(&mut tally);
    if let Some(doc) = doc {
        if !matches!(opts.output, Output::Check { .. }) {
            out.write_all(doc.text.as_bytes())?;
        }
    }
    out.flush()?;
    Ok(tally)
}

/// Every document of one input, decoded (for learning); unreadable ones are skipped
/// here, since the cleaning pass reports them.
pub fn documents_of(item: &WorkItem, opts: &RunOptions, f: &mut dyn FnMut(&str)) {
    if opts.force_jsonl || is_jsonl(&item.path) {
        let Ok(reader) = open_shard(&item.path) else {
            return;
        };
        for line in reader.split(b'\n').map_while(Result::ok) {
            let mut body = line.as_slice();
            while let [rest @ .., b'\r'] = body {
                body = rest;
            }
            if let Ok(Some((_, _, text))) = line_text(body, &opts.text_field) {
                f(&text);
            }
        }
    } else if let Ok(bytes) = std::fs::read(&item.path) {
        if let Ok(d) = decode(&bytes, opts.encoding) {
            f(&d.text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Timings;
    use crate::rules::{build, load_sources, Selection};

    /// Later batches make no examples for rules that already have theirs; the
    /// output and the whole report are the same as with one batch.
    #[test]
    fn small_batches_give_the_same_output_and_report() {
        let set = build(&load_sources(&[], true).unwrap(), &Selection::default()).unwrap();
        let opts = RunOptions {
            output: Output::Dir(PathBuf::from("unused")),
            text_field: "text".into(),
            encoding: None,
            force_jsonl: true,
            check_sink: None,
        };
        let mut input = String::new();
        for i in 0..300 {
            let text = match i % 3 {
                0 => format!("第{i}段&amp;庭院%2B，深入学习D的二十大精神"),
                1 => format!("第{i}段，每日上##paidbegin##门入户"),
                _ => format!("第{i}段，没有噪声的正文。"),
            };
            input.push_str(&serde_json::json!({ "id": i, "text": text }).to_string());
            input.push('\n');
        }
        // a document longer than a batch, read over many reads
        let long = "深入学习贯彻D的二十大精神，庭院%2B。".repeat(400);
        input.push_str(&serde_json::json!({ "id": "long", "text": long }).to_string());
        input.push('\n');
        let run = |batch: usize| {
            let mut out = Vec::new();
            let tally = stream_batches(
                &set,
                "in.jsonl",
                &mut BufReader::with_capacity(64, input.as_bytes()),
                &mut out,
                &opts,
                batch,
            )
            .unwrap();
            let report = tally.into_report(&set, Timings::default());
            (out, serde_json::to_value(report).unwrap())
        };
        let (one_out, one_report) = run(8 << 20);
        let (many_out, many_report) = run(200);
        assert_eq!(one_out, many_out);
        let cleaned_long = "深入学习贯彻党的二十大精神，庭院+。".repeat(400);
        assert!(String::from_utf8(many_out).unwrap().contains(&cleaned_long));
        assert_eq!(one_report, many_report);
        // the examples are the first documents' edits
        let examples = one_report["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == "escape.html-entities")
            .unwrap()["examples"]
            .clone();
        assert_eq!(examples.as_array().unwrap().len(), MAX_EXAMPLES);
        assert_eq!(examples[0]["path"], "in.jsonl:1");
        assert_eq!(examples[2]["path"], "in.jsonl:7");
    }
}
