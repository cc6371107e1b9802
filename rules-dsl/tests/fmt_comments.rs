//! A comment may sit between any two tokens of a construct (`ruleset #a "t" #b version 1`,
//! between a clause keyword and its expression, inside a schema field, a calendar entry, an
//! SLA entry...). For sample files with a comment inserted at every token boundary, one at a
//! time (trailing and own-line, `#` and `//`) and all at once: `fmt` is idempotent, keeps every
//! comment in order, and the formatted file checks if and only if the original does (to the
//! same plan).

// Tests may unwrap, index and panic: a failure is the test failing.
#![expect(
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed setup or assertion should stop the test loudly"
)]

use std::path::Path;

use leadrail_core::plan::Plan;

/// A file with every construct: header, schemas (types of every kind, optional fields),
/// calendars (every entry), SLAs (every entry), routes (every clause), fallback.
const EVERYTHING: &str = r#"ruleset "all" version 2
schema lead { region: region, location: geopoint?, size: money, kind: enum(a, b, c),
              wait: duration }
schema partner { territories: set<region>, location: geopoint?, certifications: map<text, date>,
                 tier: enum(gold, silver), capacity: int, active_leads: int, rate: ratio,
                 leads_received: int, weight: int, status: enum(active, paused), parent: text?,
                 calendar: text? }
calendar "us" { timezone "America/Chicago" hours mon-fri 08:00-12:00, 13:00-17:00
                hours sat 09:00-12:00 closed 2026-12-24, 2026-12-28..2026-12-30 }
sla accept { start assigned stop accepted, rejected pause while waiting_on_customer
             goal 24h business "us" warn 50%, 75% on breach remind, escalate "manager",
             alert "late", retract and reroute }
sla stalled { each stage except won, lost goal 7d business partner.calendar }
route "big" {
  when lead.size >= 250_000.50 and lead.kind in [a, b] and not (lead.wait > 2h)
  require partner.status == active and partner.tier in [gold]
  require partner.territories covers lead.region
  require certified(partner, "x") and distance(partner.location, lead.location) <= 150 km
  require partner.active_leads < partner.capacity
  rank 0.6 * smoothed(partner.rate, partner.leads_received, 0.5, 10) + -0.4 * partner.rate
  balance workload
  tie round_robin weighted by partner.weight
  else queue "desk"
}
route "any" { require partner.rate >= 15% tie id else parent }
route "last" { else next }
fallback queue "inside"
"#;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Word,
    Str,
    Comment,
    Punct,
}

/// The end offset of every token of `text` (a small scanner: words, strings, comments,
/// one-character punctuation).
fn token_ends(text: &str) -> Vec<(usize, Kind)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let (end, kind) = if c == b'#' || (c == b'/' && bytes.get(i + 1) == Some(&b'/')) {
            let e = text[i..].find('\n').map_or(text.len(), |n| i + n);
            (e, Kind::Comment)
        } else if c == b'"' {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] != b'"' && bytes[j] != b'\n' {
                j += if bytes[j] == b'\\' { 2 } else { 1 };
            }
            ((j + 1).min(bytes.len()), Kind::Str)
        } else if c.is_ascii_alphanumeric() || c == b'_' {
            let mut j = i;
            while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
                j += 1;
            }
            (j, Kind::Word)
        } else {
            let len = text[i..].chars().next().map_or(1, char::len_utf8);
            (i + len, Kind::Punct)
        };
        out.push((end, kind));
        i = end;
    }
    out
}

fn comment_texts(s: &str) -> Vec<String> {
    leadrail_dsl::parse::comments(s)
        .into_iter()
        .map(|c| c.text)
        .collect()
}

fn plan(text: &str) -> Option<Plan> {
    let load = |_: &str| Ok(String::new());
    leadrail_dsl::compile_with_loader(text, "c.rail", &load)
        .ok()
        .map(|c| {
            let mut p = c.plan;
            p.content_hash.clear();
            p
        })
}

/// Checks one variant; returns whether it parsed (and so was formatted).
fn check_variant(original: &str, variant: &str, what: &str) -> bool {
    let Ok(once) = leadrail_dsl::format(variant, "c.rail") else {
        assert!(
            leadrail_dsl::parse(variant, "c.rail").is_err(),
            "{what}: format failed on a file that parses"
        );
        return false;
    };
    let twice = leadrail_dsl::format(&once, "c.rail")
        .unwrap_or_else(|e| panic!("{what}: the formatted file does not parse: {e}\n{once}"));
    assert_eq!(
        once, twice,
        "{what}: not idempotent\n--- source\n{variant}\n--- once\n{once}\n--- twice\n{twice}"
    );
    assert_eq!(
        comment_texts(variant),
        comment_texts(&once),
        "{what}: comments changed\n{once}"
    );
    let (before, after) = (plan(variant), plan(&once));
    assert_eq!(
        before.is_some(),
        after.is_some(),
        "{what}: checks before {} after {}\n{once}",
        before.is_some(),
        after.is_some()
    );
    assert_eq!(before, after, "{what}: a different plan\n{once}");
    // the comment changes nothing else when the file is otherwise the same
    if let (Some(a), Some(b)) = (plan(original), before) {
        assert_eq!(a, b, "{what}: the comment changed the plan");
    }
    true
}

fn comments_everywhere(name: &str, text: &str) {
    let ends = token_ends(text);
    let mut formatted = 0;
    for (k, &(end, kind)) in ends.iter().enumerate() {
        if kind == Kind::Comment {
            continue;
        }
        for (style, insert) in [
            ("trailing #", format!(" #c{k}\n")),
            ("own-line //", format!("\n// c{k}\n")),
            (
                "trailing, no newline before the next token",
                format!("  # c{k}\n  "),
            ),
        ] {
            let mut variant = text.to_string();
            variant.insert_str(end, &insert);
            let what = format!("{name}: {style} comment after token {k} (offset {end})");
            formatted += usize::from(check_variant(text, &variant, &what));
        }
    }
    assert!(formatted > ends.len(), "{name}: most variants parse");

    // two comments in a row: after token k and after token k + 1
    for (k, pair) in ends.windows(2).enumerate() {
        let [(a, _), (b, _)] = [pair[0], pair[1]];
        let mut variant = text.to_string();
        variant.insert_str(b, &format!(" #second{k}\n"));
        variant.insert_str(a, &format!(" #first{k}\n"));
        check_variant(
            text,
            &variant,
            &format!("{name}: comments after tokens {k} and {}", k + 1),
        );
    }

    // a comment after every token where one can go (a comment inside a compound token such as
    // `lead.size`, `mon-fri` or `150 km` breaks it), all at once
    let mut all = text.to_string();
    for (k, &(end, kind)) in ends.iter().enumerate().rev() {
        if kind == Kind::Comment {
            continue;
        }
        let mut with = all.clone();
        with.insert_str(end, &format!(" #all{k}\n"));
        if leadrail_dsl::parse(&with, "c.rail").is_ok()
            || leadrail_dsl::parse(&all, "c.rail").is_err()
        {
            all = with;
        }
    }
    assert!(
        check_variant(text, &all, &format!("{name}: a comment after every token"))
            || leadrail_dsl::parse(text, "c.rail").is_err()
    );
}

#[test]
fn the_header_example_of_the_issue() {
    let text =
        "ruleset #a\n\"t\" #b\nversion 1\nschema lead { a: int }\nschema partner { b: int }\n";
    let once = leadrail_dsl::format(text, "h.rail").unwrap();
    assert_eq!(
        once,
        "ruleset \"t\" version 1  #a\n\n#b\nschema lead { a: int }\n\nschema partner { b: int }\n"
    );
    assert_eq!(leadrail_dsl::format(&once, "h.rail").unwrap(), once);
}

#[test]
fn a_comment_at_every_token_boundary_of_every_construct() {
    comments_everywhere("everything", EVERYTHING);
}

#[test]
fn a_comment_at_every_token_boundary_of_the_samples() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("../examples/industrial/rules.rail")];
    for e in std::fs::read_dir(root.join("tests/fmt")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "rail") {
            files.push(p);
        }
    }
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        comments_everywhere(&path.display().to_string(), &text);
    }
}
