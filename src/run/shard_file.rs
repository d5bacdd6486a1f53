//! A shard file: streamed through the JSONL cleaner into a temporary file
//! (compressed as its name says), then put in place.

use super::{note_warnings, Output, RunOptions};
use crate::atomic::TempFile;
use crate::compress::ParallelEncoder;
use crate::discover::WorkItem;
use crate::jsonl::process_jsonl_stream;
use crate::report::Tally;
use crate::rules::RuleSet;
use crate::shard::{compression_of, open_shard, Compression};
use std::io::BufRead;
use std::path::Path;

pub(super) fn process_jsonl_file(
    set: &RuleSet,
    item: &WorkItem,
    opts: &RunOptions,
) -> Result<Tally, String> {
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
            let tmp = TempFile::for_output(&dest)?;
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
    crate::jsonl::require_text_field(&mut tally, &display, &opts.text_field);
    *tally.encodings.entry("UTF-8".into()).or_default() += 1;
    Ok(tally)
}

/// Stream a shard into `tmp`, compressed as `dest`'s name says (in parallel,
/// chunk by chunk: [`ParallelEncoder`]).
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
        format => {
            let mut w = ParallelEncoder::new(buf, format, opts.compression_level);
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
