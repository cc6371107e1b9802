//! Formatter goldens: every `tests/fmt/*.rail` is formatted and compared exactly with its
//! `.formatted` snapshot; formatting is idempotent and keeps the syntax tree and the comments.
//! Run with `UPDATE_GOLDEN=1` to rewrite the snapshots after a deliberate change.

// Tests may unwrap, index and panic: a failure is the test failing.

use std::path::Path;

use leadrail_dsl::{format, parse};

fn comment_texts(s: &str) -> Vec<String> {
    leadrail_dsl::parse::comments(s)
        .into_iter()
        .map(|c| c.text)
        .collect()
}

#[test]
fn formatter_goldens() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fmt");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rail"))
        .collect();
    files.sort();
    assert!(files.len() >= 3);
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let once = format(&text, "x.rail").unwrap();
        let twice = format(&once, "x.rail").unwrap();
        assert_eq!(once, twice, "{}: not idempotent", path.display());
        assert_eq!(
            parse(&text, "x").unwrap(),
            parse(&once, "x").unwrap(),
            "{}: tree changed",
            path.display()
        );
        assert_eq!(
            comment_texts(&text),
            comment_texts(&once),
            "{}: comments changed",
            path.display()
        );
        assert!(
            once.lines().all(|l| l.chars().count() <= 100),
            "{}: line over 100 columns",
            path.display()
        );
        let snap = path.with_extension("formatted");
        if update {
            std::fs::write(&snap, &once).unwrap();
        } else {
            assert_eq!(
                std::fs::read_to_string(&snap).unwrap(),
                once,
                "{}",
                path.display()
            );
        }
    }
}
