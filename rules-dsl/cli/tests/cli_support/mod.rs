//! What the CLI tests share: the repository root and running the `leadrail` binary there.
#![allow(
    dead_code,
    reason = "each CLI test crate uses the helpers it needs of this shared module"
)]

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// The repository root (the CLI runs there, so example paths are relative to it).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A `leadrail` command at the repository root, without colours.
pub fn command() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_leadrail"));
    c.current_dir(root()).env("NO_COLOR", "1");
    c
}

/// Runs `leadrail` with `args` at the repository root and returns what it did.
pub fn leadrail(args: &[&str]) -> Output {
    #[expect(
        clippy::unwrap_used,
        reason = "test support: a binary that cannot start fails the test"
    )]
    command().args(args).output().unwrap()
}

/// Runs `leadrail` with `args` at the repository root, `input` on its standard input.
pub fn leadrail_with_stdin(args: &[&str], input: &[u8]) -> Output {
    #[expect(
        clippy::unwrap_used,
        reason = "test support: a binary that cannot start fails the test"
    )]
    let mut child = command()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(mut stdin) = child.stdin.take() {
        // (the command may stop reading early: a closed pipe is its business)
        let _ = stdin.write_all(input);
    }
    #[expect(
        clippy::unwrap_used,
        reason = "test support: a binary that cannot finish fails the test"
    )]
    child.wait_with_output().unwrap()
}

/// A file in the temporary directory holding `text`, named for this test process.
pub fn tmp(name: &str, text: &str) -> String {
    let path = std::env::temp_dir().join(format!("leadrail-{}-{name}", std::process::id()));
    #[expect(clippy::unwrap_used, reason = "test support")]
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}
