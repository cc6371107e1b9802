//! What the CLI tests share: the repository root and running the `leadrail` binary there.
#![allow(
    dead_code,
    reason = "each CLI test crate uses the helpers it needs of this shared module"
)]

use std::path::PathBuf;
use std::process::{Command, Output};

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
