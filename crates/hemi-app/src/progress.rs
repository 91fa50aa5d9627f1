//! Progress of long work, reported the same way whoever watches it: the CLI draws an
//! indicatif bar, the web app writes it into the job's row, tests ignore it.

use std::io::Read;
use std::sync::Arc;

/// Something that shows how far a job got.
pub trait Progress: Send + Sync {
    /// The amount of work in all (bytes, rows, series), when it becomes known.
    fn set_total(&self, total: u64);
    /// Some more work done.
    fn advance(&self, done: u64);
    /// What is being done now (a file name, a step).
    fn message(&self, text: &str);
}

/// Progress nobody watches.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn set_total(&self, _: u64) {}
    fn advance(&self, _: u64) {}
    fn message(&self, _: &str) {}
}

/// A reader that reports the bytes it reads.
pub struct ProgressReader<R> {
    inner: R,
    progress: Arc<dyn Progress>,
}

impl<R> ProgressReader<R> {
    /// Wrap a reader.
    pub fn new(inner: R, progress: Arc<dyn Progress>) -> Self {
        ProgressReader { inner, progress }
    }
}

impl<R: Read> Read for ProgressReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.advance(n as u64);
        Ok(n)
    }
}
