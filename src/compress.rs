//! Compressed output written in parallel: the stream is cut into chunks of a
//! fixed size, each chunk compressed on its own (a gzip member, a zstd frame)
//! across the thread pool, and the results written in order. Concatenated
//! gzip members and zstd frames are one valid stream to every reader (`gzip
//! -d`, `zstd -d`, Python's gzip), and the chunk boundaries depend only on the
//! bytes, so the output is the same whatever the number of threads.

use crate::shard::Compression;
use rayon::prelude::*;
use std::io::Write;

/// Uncompressed bytes per member or frame: large enough that the ratio is
/// that of one stream (gzip's window is 32 KiB), small enough to spread a
/// batch across cores.
pub const CHUNK: usize = 1 << 20;

/// The levels each format takes, and its default.
pub fn level_range(c: Compression) -> Option<(std::ops::RangeInclusive<i32>, i32)> {
    match c {
        Compression::None => None,
        Compression::Gzip => Some((0..=9, 6)),
        Compression::Zstd => Some((1..=22, 3)),
    }
}

/// A writer that compresses what it is given in chunks, in parallel.
pub struct ParallelEncoder<W: Write> {
    inner: W,
    format: Compression,
    level: i32,
    pending: Vec<u8>,
    /// Chunks compressed together once that many are pending.
    chunks_per_round: usize,
    wrote_any: bool,
}

impl<W: Write> ParallelEncoder<W> {
    /// `level` is the format's default when `None`; a level out of the
    /// format's range is brought into it.
    pub fn new(inner: W, format: Compression, level: Option<i32>) -> Self {
        let (range, default) = level_range(format).unwrap_or((0..=0, 0));
        let level = level.unwrap_or(default).clamp(*range.start(), *range.end());
        ParallelEncoder {
            inner,
            format,
            level,
            pending: Vec::new(),
            chunks_per_round: rayon::current_num_threads().max(2),
            wrote_any: false,
        }
    }

    /// Compress the pending whole chunks (all pending bytes with `all`).
    fn compress_pending(&mut self, all: bool) -> std::io::Result<()> {
        let n = if all {
            self.pending.len()
        } else {
            self.pending.len() / CHUNK * CHUNK
        };
        if n == 0 {
            return Ok(());
        }
        let (format, level) = (self.format, self.level);
        let parts: Vec<std::io::Result<Vec<u8>>> = self.pending[..n]
            .par_chunks(CHUNK)
            .map(|c| compress(format, level, c))
            .collect();
        for part in parts {
            self.inner.write_all(&part?)?;
        }
        self.wrote_any = true;
        self.pending.drain(..n);
        Ok(())
    }

    /// Compress what is left and return the inner writer. An empty stream is
    /// still one valid (empty) member or frame.
    pub fn finish(mut self) -> std::io::Result<W> {
        if self.pending.is_empty() && !self.wrote_any {
            let empty = compress(self.format, self.level, &[])?;
            self.inner.write_all(&empty)?;
        }
        self.compress_pending(true)?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for ParallelEncoder<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if self.pending.len() >= CHUNK * self.chunks_per_round {
            self.compress_pending(false)?;
        }
        Ok(buf.len())
    }

    /// Whole chunks only: a partial one waits for more bytes or `finish`, so
    /// the chunking never depends on when a flush came.
    fn flush(&mut self) -> std::io::Result<()> {
        self.compress_pending(false)?;
        self.inner.flush()
    }
}

/// One chunk as a gzip member or a zstd frame.
fn compress(format: Compression, level: i32, data: &[u8]) -> std::io::Result<Vec<u8>> {
    match format {
        Compression::None => Ok(data.to_vec()),
        Compression::Gzip => {
            let out = Vec::with_capacity(data.len() / 3 + 64);
            let mut e = flate2::write::GzEncoder::new(out, flate2::Compression::new(level as u32));
            e.write_all(data)?;
            e.finish()
        }
        Compression::Zstd => zstd::bulk::compress(data, level),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn sample(len: usize) -> Vec<u8> {
        (0..len)
            .map(|i| b"docclean compresses chunks \n"[i % 28] ^ ((i / 4096) as u8 & 1))
            .collect()
    }

    fn encode(format: Compression, data: &[u8], writes: usize) -> Vec<u8> {
        let mut e = ParallelEncoder::new(Vec::new(), format, None);
        for part in data.chunks(data.len().div_ceil(writes).max(1)) {
            e.write_all(part).unwrap();
            e.flush().unwrap();
        }
        e.finish().unwrap()
    }

    fn decode(format: Compression, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        match format {
            Compression::Gzip => {
                flate2::read::MultiGzDecoder::new(data)
                    .read_to_end(&mut out)
                    .unwrap();
            }
            Compression::Zstd => {
                zstd::stream::read::Decoder::new(data)
                    .unwrap()
                    .read_to_end(&mut out)
                    .unwrap();
            }
            Compression::None => out = data.to_vec(),
        }
        out
    }

    #[test]
    fn round_trips_and_is_the_same_however_written() {
        for format in [Compression::Gzip, Compression::Zstd] {
            for len in [0, 1, CHUNK - 1, CHUNK, 3 * CHUNK + 17] {
                let data = sample(len);
                let once = encode(format, &data, 1);
                assert_eq!(decode(format, &once), data, "{format:?} {len}");
                // many writes and flushes give the same bytes as one
                assert_eq!(encode(format, &data, 7), once, "{format:?} {len}");
            }
        }
    }

    #[test]
    fn the_same_whatever_the_thread_count() {
        let data = sample(5 * CHUNK + 3);
        let with = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| encode(Compression::Gzip, &data, 3))
        };
        assert_eq!(with(1), with(4));
    }

    #[test]
    fn gzip_members_read_as_one_stream_by_gzip() {
        let data = sample(2 * CHUNK + 5);
        let gz = encode(Compression::Gzip, &data, 1);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.gz");
        std::fs::write(&path, &gz).unwrap();
        let out = std::process::Command::new("gzip")
            .arg("-dc")
            .arg(&path)
            .output()
            .expect("gzip on PATH");
        assert!(out.status.success());
        assert_eq!(out.stdout, data);
    }
}
