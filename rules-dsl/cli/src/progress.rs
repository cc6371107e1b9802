//! A progress bar on standard error while a long input is read, shown only when standard error
//! is a terminal (never in a pipe, a file or a test), drawn by indicatif.

use std::io::{IsTerminal as _, Read};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The progress of reading one input: the bytes read (of the file's length, when known) and a
/// count of the records done. Without a terminal it does nothing.
#[derive(Debug, Clone)]
pub struct Progress {
    bar: Option<ProgressBar>,
    what: &'static str,
}

impl Progress {
    /// A progress bar counting `what` (e.g. "leads"), if standard error is a terminal.
    pub fn new(what: &'static str) -> Progress {
        let bar = std::io::stderr()
            .is_terminal()
            .then(|| ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(10)));
        Progress { bar, what }
    }

    /// No progress bar.
    pub fn off() -> Progress {
        Progress {
            bar: None,
            what: "",
        }
    }

    /// Starts showing progress on an input of `len` bytes (unknown for standard input).
    pub fn start(&self, len: Option<u64>) {
        let Some(bar) = &self.bar else {
            return;
        };
        let template = match len {
            Some(len) => {
                bar.set_length(len);
                "{elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} {msg} (eta {eta})"
            }
            None => "{spinner} {elapsed_precise} {bytes} read, {msg}",
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(format!("0 {}", self.what));
        bar.enable_steady_tick(Duration::from_millis(200));
    }

    /// `reader`, counting the bytes read from it on the bar.
    pub fn wrap(&self, reader: Box<dyn Read + Send>) -> Box<dyn Read + Send> {
        match &self.bar {
            Some(bar) => Box::new(bar.wrap_read(reader)),
            None => reader,
        }
    }

    /// Shows that `n` records are done.
    pub fn done(&self, n: usize) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{n} {}", self.what));
        }
    }

    /// Prints a line on standard error above the bar.
    pub fn eprintln(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    /// Removes the bar (before the summary is printed).
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
