//! The structures that keep parse + check + compile linear in the size of a file give the same
//! answers as the simple quadratic ones they replaced: the line index of diagnostics, the
//! unreachable-rule check indexed by conjunct, enum symbols and names looked up in hash sets.
//! (Speed itself is measured with `benches/src/bin/gen_big_rules.rs` and `compile_rules.rs`,
//! never asserted.)

// Tests may unwrap, index and panic: a failure is the test failing.
#![expect(
    clippy::indexing_slicing,
    reason = "test code: a failed setup or assertion should stop the test loudly"
)]

use std::fmt::Write as _;

use leadrail_dsl::diagnostics::line_col;
use leadrail_dsl::SourceFile;
use proptest::prelude::*;

const LONG_ASCII: &str = concat!(
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
);
const LONG_MIXED: &str = concat!(
    "é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀",
    "é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀",
    "é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀",
    "é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀",
    "é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀é日本🦀",
);

proptest! {
    /// The indexed line and column (binary searches over line starts and over a mark every
    /// 1,024 characters) equal a scan from the start of the text, at every offset, on any text
    /// (lines long enough to hold several marks among them).
    #[test]
    fn indexed_line_col_equals_the_scan(
        parts in prop::collection::vec(
            prop::sample::select(vec![
                "a", "bc", " ", "\n", "\r\n", "é", "日本", "\t", "🦀", "\n\n", LONG_ASCII, LONG_MIXED,
            ]),
            0..60,
        )
    ) {
        let text: String = parts.concat();
        let src = SourceFile::new(&text, "t.rail");
        for offset in 0..=text.len() + 2 {
            prop_assert_eq!(src.line_col(offset), line_col(&text, offset), "offset {}", offset);
        }
    }
}

const HEAD: &str = "ruleset \"u\" version 1\nschema lead { a: int, b: int, c: int }\n\
                    schema partner { p: int }\n";

/// The conjuncts a generated `when` draws from.
const CONJUNCTS: &[&str] = &["lead.a == 1", "lead.b > 2", "lead.c != 3", "lead.a < 9"];

/// (when: indexes into CONJUNCTS, or none; whether the rule ends in `else queue`)
type Rule = (Option<Vec<usize>>, bool);

fn file_of(rules: &[Rule]) -> String {
    let mut out = String::from(HEAD);
    for (i, (when, queue)) in rules.iter().enumerate() {
        let _ = writeln!(out, "route \"r{i}\" {{");
        if let Some(cs) = when {
            let text: Vec<&str> = cs.iter().map(|&c| CONJUNCTS[c]).collect();
            let _ = writeln!(out, "  when {}", text.join(" and "));
        }
        let _ = writeln!(
            out,
            "  else {}\n}}",
            if *queue { "queue \"q\"" } else { "next" }
        );
    }
    out
}

/// The rule the old quadratic check named for each unreachable rule: the first earlier rule
/// that decides and whose `when` (as a set of conjuncts) is absent or within the later one's.
fn naive_unreachable(rules: &[Rule]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (j, (later, _)) in rules.iter().enumerate() {
        for (k, (earlier, decides)) in rules.iter().enumerate().take(j) {
            if !decides {
                continue;
            }
            let covered = match (earlier, later) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some(e), Some(l)) => e.iter().all(|c| l.contains(c)),
            };
            if covered {
                out.push((j, k));
                break;
            }
        }
    }
    out
}

fn rule() -> impl Strategy<Value = Rule> {
    (
        prop::option::of(prop::collection::vec(0..CONJUNCTS.len(), 1..4)),
        any::<bool>(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The unreachable-rule check, which indexes each deciding rule under its rarest conjunct,
    /// warns about the same rules, naming the same earlier rules, as comparing every pair.
    #[test]
    fn indexed_unreachable_check_equals_every_pair(rules in prop::collection::vec(rule(), 0..12)) {
        let text = file_of(&rules);
        let compiled = leadrail_dsl::compile(&text, "u.rail").unwrap();
        let got: Vec<(usize, usize)> = compiled
            .warnings
            .iter()
            .map(|w| {
                let names: Vec<&str> = w
                    .spans()
                    .map(|(s, _)| &text[s.range()])
                    .collect();
                let index = |n: &str| n.trim_matches('"')[1..].parse::<usize>().unwrap();
                (index(names[0]), index(names[1]))
            })
            .collect();
        prop_assert_eq!(got, naive_unreachable(&rules));
    }
}

/// An enum of 1,000 symbols: a repeated symbol is an error, every member is accepted, an
/// unknown symbol is an error whose message lists the first members and how many more.
#[test]
fn large_enums_are_checked_like_small_ones() {
    let symbols: Vec<String> = (0..1_000).map(|i| format!("s{i}")).collect();
    let all = symbols.join(", ");
    let ok = format!(
        "ruleset \"e\" version 1\nschema lead {{ seg: enum({all}) }}\nschema partner {{ p: int }}\n\
         route \"r\" {{ when lead.seg in [{all}] }}\n"
    );
    leadrail_dsl::compile(&ok, "e.rail").unwrap();

    let twice = ok.replacen("s999)", "s999, s500)", 1);
    let err = leadrail_dsl::compile(&twice, "e.rail").unwrap_err();
    let r = &err.reports()[0];
    assert_eq!(r.code, "leadrail::check::duplicate_field");
    assert_eq!(r.message, "the enum symbol `s500` is listed twice");

    let unknown = ok.replace("when lead.seg in [", "when lead.seg in [t1, ");
    let err = leadrail_dsl::compile(&unknown, "e.rail").unwrap_err();
    let r = &err.reports()[0];
    assert_eq!(r.code, "leadrail::type::unknown_symbol");
    assert_eq!(
        r.message,
        "`t1` is not a member of enum(s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, ... (988 more))"
    );
    assert_eq!(r.help.as_deref(), Some("did you mean `s1`?"));
}

/// Thousands of routes and fields: duplicates are still found (names are looked up in hash
/// maps, no longer by a linear search per name).
#[test]
fn duplicate_names_among_thousands() {
    let fields: Vec<String> = (0..2_000).map(|i| format!("f{i}: int")).collect();
    let mut text = format!(
        "ruleset \"d\" version 1\nschema lead {{ {}, f1999: text }}\nschema partner {{ p: int }}\n",
        fields.join(", ")
    );
    for i in 0..3_000 {
        let _ = writeln!(text, "route \"r{i}\" {{ }}");
    }
    text.push_str("route \"r2999\" { }\n");
    let err = leadrail_dsl::compile(&text, "d.rail").unwrap_err();
    let messages: Vec<String> = err.reports().into_iter().map(|r| r.message).collect();
    assert_eq!(
        messages,
        [
            "the field `f1999` is declared twice",
            "two routes are named `r2999`"
        ]
    );
}
