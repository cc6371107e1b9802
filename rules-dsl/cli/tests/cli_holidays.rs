//! Holiday files read from disk are sandboxed (issue 10): only relative paths inside the rule
//! file's directory, regular files of at most 1 MiB; an error never quotes a file that is not
//! a holiday file.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test code"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh directory `<tmp>/leadrail-holidays-<pid>-<name>` with `rules/` inside it and a file
/// of secrets beside `rules/`.
fn sandbox(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("leadrail-holidays-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    std::fs::write(dir.join("secret.txt"), format!("{SECRET}\n")).unwrap();
    dir
}

const SECRET: &str = "API_TOKEN=hunter2-do-not-print";

fn rules(path: &str) -> String {
    format!(
        "ruleset \"h\" version 1\nschema lead {{ region: text }}\nschema partner {{ calendar: text }}\n\
         calendar \"c\" {{ timezone \"Europe/Berlin\"  hours mon-fri 09:00-17:00  holidays \"{path}\" }}\n\
         route \"all\" {{ }}\n"
    )
}

/// `leadrail check --json rules/rules.rail` run in `dir` with `holidays "<path>"`.
fn check(dir: &Path, path: &str) -> Output {
    std::fs::write(dir.join("rules/rules.rail"), rules(path)).unwrap();
    Command::new(env!("CARGO_BIN_EXE_leadrail"))
        .args(["check", "--json", "rules/rules.rail"])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// The messages of the reports `check --json` printed, and everything it printed.
fn reports(o: &Output) -> (Vec<String>, String) {
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let all = format!("{out}{}", String::from_utf8_lossy(&o.stderr));
    let reports: Vec<serde_json::Value> = serde_json::from_str(&out).expect(&all);
    for r in &reports {
        assert_eq!(r["code"], "leadrail::calendar::holiday_file", "{all}");
    }
    let messages = reports
        .iter()
        .map(|r| r["message"].as_str().unwrap().to_owned())
        .collect();
    (messages, all)
}

fn refused(dir: &Path, path: &str, why: &str) {
    let o = check(dir, path);
    let (messages, all) = reports(&o);
    assert_eq!(o.status.code(), Some(1), "{path}: {all}");
    assert_eq!(messages.len(), 1, "{all}");
    assert!(
        messages[0].starts_with(&format!("cannot read holiday file `{path}`: {why}")),
        "{path}: {all}"
    );
    assert!(!all.contains("hunter2"), "{path}: the secret leaked: {all}");
    assert!(!all.contains("root:"), "{path}: /etc/passwd leaked: {all}");
}

#[test]
fn a_valid_holiday_file_next_to_the_rules_is_read() {
    let dir = sandbox("valid");
    std::fs::create_dir_all(dir.join("rules/cal")).unwrap();
    std::fs::write(dir.join("rules/cal/de.txt"), "2026-12-25 Christmas\n").unwrap();
    for path in ["cal/de.txt", "./cal/de.txt", "cal/../cal/de.txt"] {
        let o = check(&dir, path);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{path}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn absolute_paths_are_refused() {
    let dir = sandbox("absolute");
    refused(&dir, "/etc/passwd", "an absolute path is not read");
    refused(&dir, "/proc/self/environ", "an absolute path is not read");
    refused(&dir, "/dev/zero", "an absolute path is not read");
    let secret = dir.join("secret.txt").display().to_string();
    refused(&dir, &secret, "an absolute path is not read");
}

#[test]
fn dot_dot_may_not_leave_the_rule_files_directory() {
    let dir = sandbox("dotdot");
    refused(
        &dir,
        "../secret.txt",
        "the path leaves the rule file's directory",
    );
    refused(
        &dir,
        "a/../../secret.txt",
        "the path leaves the rule file's directory",
    );
    refused(
        &dir,
        "../../../../../../etc/passwd",
        "the path leaves the rule file's directory",
    );
}

#[cfg(unix)]
#[test]
fn symbolic_links_out_of_the_directory_are_refused() {
    let dir = sandbox("symlink");
    std::os::unix::fs::symlink(dir.join("secret.txt"), dir.join("rules/link.txt")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join("rules/zero.txt")).unwrap();
    std::os::unix::fs::symlink("/etc", dir.join("rules/etc")).unwrap();
    let why = "the path leads outside the rule file's directory";
    refused(&dir, "link.txt", why);
    refused(&dir, "zero.txt", why);
    refused(&dir, "etc/passwd", why);
    // a link that stays inside the directory is fine
    std::fs::write(dir.join("rules/real.txt"), "2026-12-25\n").unwrap();
    std::os::unix::fs::symlink("real.txt", dir.join("rules/alias.txt")).unwrap();
    assert_eq!(check(&dir, "alias.txt").status.code(), Some(0));
}

#[cfg(unix)]
#[test]
fn special_files_and_directories_are_refused() {
    let dir = sandbox("special");
    std::fs::create_dir_all(dir.join("rules/sub")).unwrap();
    refused(&dir, "sub", "it is not a regular file");
    refused(&dir, ".", "it is not a regular file");
    let fifo = dir.join("rules/pipe.txt");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        // opening a FIFO would block until a writer comes: it is refused before that
        refused(&dir, "pipe.txt", "it is not a regular file");
    }
}

#[test]
fn an_oversized_file_is_refused() {
    let dir = sandbox("big");
    let big = "2026-12-25 Christmas\n".repeat(60_000); // 1.26 MB
    std::fs::write(dir.join("rules/big.txt"), big).unwrap();
    refused(
        &dir,
        "big.txt",
        "it is larger than the 1024 KiB a holiday file may hold",
    );
    refused(&dir, "missing.txt", "no such file");
}

#[test]
fn a_file_that_is_not_a_holiday_file_is_not_quoted() {
    let dir = sandbox("notholidays");
    std::fs::write(
        dir.join("rules/settings.env"),
        format!("{SECRET}\nDB_PASSWORD=hunter2-too\n# a comment\n\n2026-12-25\n"),
    )
    .unwrap();
    let o = check(&dir, "settings.env");
    let (messages, all) = reports(&o);
    assert_eq!(o.status.code(), Some(1), "{all}");
    assert_eq!(
        messages,
        [
            "`settings.env` is not a holiday file: 2 of its 3 entry line(s) are not holiday \
          entries (the first is line 1)"
        ],
        "{all}"
    );
    assert!(!all.contains("hunter2"), "{all}");
    // a holiday file with one slip is quoted, so its author can find the line
    std::fs::write(
        dir.join("rules/de.txt"),
        "2026-12-25\n2026-12-32 Silvester\n2026-12-26\n",
    )
    .unwrap();
    let (messages, all) = reports(&check(&dir, "de.txt"));
    assert_eq!(
        messages,
        [
            "`de.txt`: holiday file line 2: `2026-12-32` is not a date of the form YYYY-MM-DD in \
          `2026-12-32 Silvester`"
        ],
        "{all}"
    );
    // non-UTF-8 text is refused without its bytes
    std::fs::write(dir.join("rules/bin.txt"), b"2026-12-25 \xff\xfe hunter2\n").unwrap();
    refused(&dir, "bin.txt", "it is not UTF-8 text");
}
