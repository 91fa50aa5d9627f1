//! Progress of long work on the terminal: an indicatif bar on stderr behind
//! `hemi_app::progress::Progress`, the same hook the web app writes into a job's row.
//! indicatif draws nothing when stderr is not a terminal, so logs and tests stay clean.

use hemi_app::progress::Progress;
use indicatif::{ProgressBar, ProgressStyle};

/// A byte-counting bar: file name, bar, bytes done of the total, speed.
pub struct Bar(ProgressBar);

impl Bar {
    /// A bar for reading files.
    pub fn bytes() -> Bar {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template(
                "{msg:40!} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        Bar(bar)
    }

    /// A bar counting items (series, candidates).
    pub fn count() -> Bar {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{msg:40!} [{bar:30}] {pos}/{len} {elapsed}")
                .expect("a valid template")
                .progress_chars("=> "),
        );
        Bar(bar)
    }

    /// Remove the bar from the terminal.
    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl Progress for Bar {
    fn set_total(&self, total: u64) {
        self.0.set_length(total);
    }

    fn advance(&self, done: u64) {
        self.0.inc(done);
    }

    fn message(&self, text: &str) {
        self.0.set_message(text.to_owned());
    }
}
