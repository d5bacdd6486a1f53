//! Shards by name: JSONL (`.jsonl`, `.ndjson`) and their compression
//! (`.gz`, `.zst`), read through one buffered reader.

use std::io::{BufRead, BufReader};
use std::path::Path;

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

/// Why a file that is compressed but not a JSONL shard is not read, if it is
/// one: docclean decompresses only shards (`.jsonl.gz`, `.jsonl.zst`).
pub fn compressed_not_shard(path: &Path) -> Option<String> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)?;
    let known = [
        "gz", "zst", "zstd", "bz2", "xz", "lz4", "zip", "7z", "rar", "tgz",
    ];
    if is_jsonl(path) || !known.contains(&ext.as_str()) {
        return None;
    }
    Some(match compression_of(path) {
        Compression::None => format!("compressed (.{ext}): not read; decompress it to clean it"),
        _ => format!(
            "compressed (.{ext}) but not a JSONL shard: not read; decompress it to clean it, or name it .jsonl.{ext} if it holds JSONL"
        ),
    })
}
