//! Progress on a terminal, in bytes: what has been read of the inputs'
//! total, the rate and the time left. Bytes are counted where input is read
//! (a whole file once read, a shard batch by batch), so a single big shard
//! moves too; the count is one atomic add per file or batch. A compressed
//! shard counts its decompressed bytes, whose total is not known ahead: with
//! one among the inputs the bar tells what was read and the rate alone.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
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

/// The lines of a shard (decompressed, without their newlines), each
/// counted as read with its newline.
pub fn shard_lines(path: &std::path::Path) -> std::io::Result<impl Iterator<Item = Vec<u8>>> {
    use std::io::BufRead;
    let lines = crate::shard::open_shard(path)?.split(b'\n');
    Ok(lines
        .map_while(Result::ok)
        .inspect(|l| add_read(l.len() + 1)))
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
/// (when the total is known) and `files` (done, of) finished:
/// `cleaning 12.5/100.0 MB 25.0 MB/s eta 0:03 1/4 files`.
pub fn message(
    label: &str,
    done: u64,
    total: Option<u64>,
    elapsed: Duration,
    files: (u64, u64),
) -> String {
    let secs = elapsed.as_secs_f64();
    let rate = |done: u64| if secs > 0.0 { done as f64 / secs } else { 0.0 };
    let mut s = match total {
        Some(total) => {
            let done = done.min(total);
            let eta = if done >= total {
                clock(Duration::ZERO)
            } else if rate(done) > 0.0 {
                clock(Duration::from_secs_f64((total - done) as f64 / rate(done)))
            } else {
                "-:--".to_owned()
            };
            let (d, t, r) = (done as f64 / MB, total as f64 / MB, rate(done) / MB);
            format!("{label} {d:.1}/{t:.1} MB {r:.1} MB/s eta {eta}")
        }
        None => format!(
            "{label} {:.1} MB {:.1} MB/s",
            done as f64 / MB,
            rate(done) / MB
        ),
    };
    if files.1 > 1 {
        s.push_str(&format!(" {}/{} files", files.0, files.1));
    }
    s
}

/// A bar over `total` bytes (several passes over the inputs count each
/// time; a spinner where the total is not known), redrawn a few times a
/// second from the count of bytes read; hidden unless asked to show.
pub struct Bar {
    pb: ProgressBar,
    files_done: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    ticker: Option<std::thread::JoinHandle<()>>,
}

impl Bar {
    pub fn new(label: &str, total: Option<u64>, files: u64, show: bool) -> Bar {
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
        let pb = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
        let template = if total.is_some() {
            "{bar:30} {msg}"
        } else {
            "{spinner} {msg}"
        };
        pb.set_style(ProgressStyle::with_template(template).expect("a valid template"));
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
                p.set_position(total.map_or(done, |t| done.min(t)));
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

    fn mb(n: u64) -> u64 {
        n * 1_000_000
    }

    #[test]
    fn the_message_tells_megabytes_rate_and_time_left() {
        let s = message(
            "cleaning",
            mb(25),
            Some(mb(100)),
            Duration::from_secs(2),
            (1, 4),
        );
        assert_eq!(s, "cleaning 25.0/100.0 MB 12.5 MB/s eta 0:06 1/4 files");
    }

    #[test]
    fn one_file_no_rate_and_long_runs() {
        let s = message(
            "learning boilerplate",
            0,
            Some(mb(5)),
            Duration::ZERO,
            (0, 0),
        );
        assert_eq!(s, "learning boilerplate 0.0/5.0 MB 0.0 MB/s eta -:--");
        let s = message(
            "cleaning",
            mb(1),
            Some(mb(4601)),
            Duration::from_secs(1),
            (0, 1),
        );
        assert!(s.ends_with("eta 1:16:40"), "{s}");
        let done = message("cleaning", 7, Some(5), Duration::from_secs(1), (2, 2));
        assert!(
            done.contains("0.0/0.0 MB") && done.contains("eta 0:00"),
            "{done}"
        );
    }

    #[test]
    fn without_a_total_there_is_no_time_left() {
        let s = message("cleaning", mb(30), None, Duration::from_secs(3), (1, 2));
        assert_eq!(s, "cleaning 30.0 MB 10.0 MB/s 1/2 files");
    }

    #[test]
    fn counted_files_add_up() {
        let before = BYTES_READ.load(Ordering::Relaxed);
        assert_eq!(counted(vec![0; 10]).len(), 10);
        assert!(BYTES_READ.load(Ordering::Relaxed) - before >= 10);
    }
}
