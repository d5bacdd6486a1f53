//! Progress on a terminal, in bytes: what has been read of the inputs'
//! total, the rate and the time left. Bytes are counted where input is read
//! (a whole file once read, a shard each time its reader fills), so a single
//! big shard moves too; the count is one atomic add per read.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::Read;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Bytes of input read so far by this process.
static BYTES_READ: AtomicU64 = AtomicU64::new(0);

/// Count `n` bytes of input as read.
pub fn add_read(n: usize) {
    BYTES_READ.fetch_add(n as u64, Ordering::Relaxed);
}

/// A whole file's bytes, counted as read.
pub fn counted(bytes: Vec<u8>) -> Vec<u8> {
    add_read(bytes.len());
    bytes
}

/// A reader whose reads count as input read (under a decompressor: the
/// bytes on disk, as the total counts them).
pub struct Counted<R>(pub R);

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.read(buf)?;
        add_read(n);
        Ok(n)
    }
}

const MB: f64 = 1_000_000.0;

/// `m:ss`, or `h:mm:ss` from an hour.
fn clock(d: Duration) -> String {
    let s = d.as_secs();
    match s / 3600 {
        0 => format!("{}:{:02}", s / 60, s % 60),
        h => format!("{h}:{:02}:{:02}", s / 60 % 60, s % 60),
    }
}

/// What the bar says after `elapsed`, with `done` of `total` bytes read
/// and `files` (done, of) finished: `cleaning 12.5/100.0 MB 25.0 MB/s eta 0:03 1/4 files`.
pub fn message(label: &str, done: u64, total: u64, elapsed: Duration, files: (u64, u64)) -> String {
    let done = done.min(total);
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 { done as f64 / secs } else { 0.0 };
    let eta = if done >= total {
        clock(Duration::ZERO)
    } else if rate > 0.0 {
        clock(Duration::from_secs_f64((total - done) as f64 / rate))
    } else {
        "-:--".to_owned()
    };
    let mut s = format!(
        "{label} {:.1}/{:.1} MB {:.1} MB/s eta {eta}",
        done as f64 / MB,
        total as f64 / MB,
        rate / MB
    );
    if files.1 > 1 {
        s.push_str(&format!(" {}/{} files", files.0, files.1));
    }
    s
}

/// A bar over `total` bytes (several passes over the inputs count each
/// time), redrawn a few times a second from the count of bytes read; hidden
/// unless asked to show.
pub struct Bar {
    pb: ProgressBar,
    files_done: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    ticker: Option<std::thread::JoinHandle<()>>,
}

impl Bar {
    pub fn new(label: &str, total: u64, files: u64, show: bool) -> Bar {
        let files_done = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        if !show {
            return Bar {
                pb: ProgressBar::hidden(),
                files_done,
                stop,
                ticker: None,
            };
        }
        let pb = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        pb.set_style(ProgressStyle::with_template("{bar:30} {msg}").expect("a valid template"));
        let (p, f, st, label) = (
            pb.clone(),
            files_done.clone(),
            stop.clone(),
            label.to_owned(),
        );
        let ticker = std::thread::spawn(move || {
            let (start, base) = (Instant::now(), BYTES_READ.load(Ordering::Relaxed));
            while !st.load(Ordering::Relaxed) {
                let done = BYTES_READ.load(Ordering::Relaxed) - base;
                let files = (f.load(Ordering::Relaxed), files);
                p.set_message(message(&label, done, total, start.elapsed(), files));
                p.set_position(done.min(total));
                std::thread::sleep(Duration::from_millis(150));
            }
        });
        Bar {
            pb,
            files_done,
            stop,
            ticker: Some(ticker),
        }
    }

    /// One more input finished.
    pub fn file_done(&self) {
        self.files_done.fetch_add(1, Ordering::Relaxed);
    }

    /// Stop and clear the bar.
    pub fn finish(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.ticker.take() {
            let _ = t.join();
        }
        self.pb.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_tells_megabytes_rate_and_time_left() {
        let s = message(
            "cleaning",
            25_000_000,
            100_000_000,
            Duration::from_secs(2),
            (1, 4),
        );
        assert_eq!(s, "cleaning 25.0/100.0 MB 12.5 MB/s eta 0:06 1/4 files");
    }

    #[test]
    fn one_file_no_rate_and_long_runs() {
        let s = message("learning boilerplate", 0, 5_000_000, Duration::ZERO, (0, 1));
        assert_eq!(s, "learning boilerplate 0.0/5.0 MB 0.0 MB/s eta -:--");
        let s = message(
            "cleaning",
            1_000_000,
            4_601_000_000,
            Duration::from_secs(1),
            (0, 1),
        );
        assert!(s.ends_with("eta 1:16:40"), "{s}");
        let done = message("cleaning", 7, 5, Duration::from_secs(1), (2, 2));
        assert!(
            done.contains("0.0/0.0 MB") && done.contains("eta 0:00"),
            "{done}"
        );
    }

    #[test]
    fn counted_reads_add_up() {
        let before = BYTES_READ.load(Ordering::Relaxed);
        let mut r = Counted(&b"0123456789"[..]);
        std::io::copy(&mut r, &mut std::io::sink()).unwrap();
        assert!(BYTES_READ.load(Ordering::Relaxed) - before >= 10);
    }
}
