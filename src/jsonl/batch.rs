//! A JSONL stream cut into batches of whole lines: each batch is filled by
//! large reads straight into its buffer, and the partial line at its end is
//! carried over to the next. Buffers are reused, so the whole stream runs in
//! the same few allocations.

use std::io::{BufRead, Read};

/// The least a batch reads at a time (a line longer than a batch is read in
/// pieces of this size).
const MIN_READ: usize = 1 << 20;

/// Reads batches of about `batch_bytes`, each ending on a newline (the last
/// one may not).
pub struct BatchReader<'r> {
    reader: &'r mut (dyn BufRead + Send),
    batch_bytes: usize,
    /// The partial line after the last batch's final newline.
    carry: Vec<u8>,
    eof: bool,
}

impl<'r> BatchReader<'r> {
    pub fn new(reader: &'r mut (dyn BufRead + Send), batch_bytes: usize) -> Self {
        BatchReader {
            reader,
            batch_bytes,
            carry: Vec::new(),
            eof: false,
        }
    }

    /// Fill `buf` (cleared first) with the next batch; `false` at the end.
    pub fn next_into(&mut self, buf: &mut Vec<u8>) -> std::io::Result<bool> {
        buf.clear();
        if self.eof {
            return Ok(false);
        }
        buf.reserve(self.batch_bytes + MIN_READ);
        buf.extend_from_slice(&self.carry);
        self.carry.clear();
        // the carried tail holds no newline; each read is searched once, so a
        // line of any length is read in linear time
        let mut has_newline = false;
        while buf.len() < self.batch_bytes || !has_newline {
            // Straight into the batch: a buffered reader hands a large read
            // to its source without copying through its own buffer.
            let want = self.batch_bytes.saturating_sub(buf.len()).max(MIN_READ);
            let before = buf.len();
            let n = (&mut *self.reader).take(want as u64).read_to_end(buf)?;
            crate::progress::add_read(n);
            if n == 0 {
                self.eof = true;
                break;
            }
            has_newline = has_newline || memchr::memchr(b'\n', &buf[before..]).is_some();
        }
        if !self.eof {
            let i = memchr::memrchr(b'\n', buf).expect("the batch ends on a newline");
            self.carry.extend_from_slice(&buf[i + 1..]);
            buf.truncate(i + 1);
        }
        Ok(!buf.is_empty())
    }
}

/// Each line's body range in a batch: without its newline and every CR
/// before it (so `\r\r\n` ends the same as `\n` in one run).
pub fn bodies(buf: &[u8]) -> Vec<(usize, usize)> {
    let mut bodies = Vec::new();
    let mut start = 0;
    for nl in
        memchr::memchr_iter(b'\n', buf).chain((buf.last() != Some(&b'\n')).then_some(buf.len()))
    {
        let mut end = nl;
        while end > start && buf[end - 1] == b'\r' {
            end -= 1;
        }
        bodies.push((start, end));
        start = nl + 1;
    }
    bodies
}

/// Whether writing the bodies back with `\n` changes bytes (a CR dropped, a
/// last newline added): a shard must then be rewritten even where no text changed.
pub fn line_ends_change(buf: &[u8], bodies: &[(usize, usize)]) -> bool {
    first_line_end_change(buf, bodies).is_some()
}

/// The first line (index into `bodies`) whose line end would be written differently.
pub fn first_line_end_change(buf: &[u8], bodies: &[(usize, usize)]) -> Option<usize> {
    bodies.iter().position(|&(_, e)| buf.get(e) != Some(&b'\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batches(input: &[u8], batch_bytes: usize) -> Vec<Vec<u8>> {
        let mut src = std::io::BufReader::with_capacity(3, input);
        let mut r = BatchReader::new(&mut src, batch_bytes);
        let mut out = Vec::new();
        let mut buf = Vec::new();
        while r.next_into(&mut buf).unwrap() {
            out.push(buf.clone());
        }
        out
    }

    #[test]
    fn batches_end_on_newlines_and_lose_nothing() {
        let input = b"a\nbb\nccc\ndddd\nlast-without-newline";
        for size in [1, 2, 5, 100] {
            let got = batches(input, size);
            assert_eq!(got.concat(), input, "batch size {size}");
            for b in &got[..got.len() - 1] {
                assert_eq!(b.last(), Some(&b'\n'), "batch size {size}");
            }
        }
        // a line longer than a batch, read in several reads, is never split
        let long = [vec![b'x'; 5 * MIN_READ / 2], b"\nshort\n".to_vec()].concat();
        let got = batches(&long, 10);
        assert_eq!(got.concat(), long);
        assert!(got[0].len() > 5 * MIN_READ / 2);
        assert!(got.iter().all(|b| b.ends_with(b"\n")));
        assert!(batches(b"", 10).is_empty());
    }

    #[test]
    fn bodies_drop_every_cr_before_the_newline() {
        let buf = b"a\r\r\nb\n\r\nc";
        let b = bodies(buf);
        let texts: Vec<&[u8]> = b.iter().map(|&(s, e)| &buf[s..e]).collect();
        assert_eq!(texts, [&b"a"[..], b"b", b"", b"c"]);
        assert!(line_ends_change(buf, &b));
        let plain = b"a\nb\n";
        assert!(!line_ends_change(plain, &bodies(plain)));
    }
}
