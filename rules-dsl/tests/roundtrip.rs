//! Property tests: random syntax trees printed with random layout (whitespace, comments)
//! parse back to the same tree; the formatter is idempotent and preserves the tree.

// Tests may unwrap, index and panic: a failure is the test failing.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed setup or assertion should stop the test loudly"
)]

use chrono::NaiveDate;
use leadrail_dsl::ast::*;
use leadrail_dsl::fmt::expr_to_string;
use leadrail_dsl::{format, parse};
use proptest::prelude::*;
use rust_decimal::Decimal;

const RESERVED: &[&str] = &[
    "and", "or", "not", "in", "covers", "true", "false", "when", "require", "rank", "balance",
    "tie", "else",
];

fn sp() -> Span {
    Span::default()
}

fn ident() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_]{0,6}".prop_filter("reserved", |s| !RESERVED.contains(&s.as_str()))
}

fn number() -> impl Strategy<Value = NumLit> {
    prop_oneof![
        (0i64..10_000_000).prop_map(|v| NumLit {
            value: Decimal::from(v),
            fraction: false,
            unit: Unit::None
        }),
        (0i64..1_000_000, 1u32..4).prop_map(|(v, s)| NumLit {
            value: Decimal::new(v, s),
            fraction: true,
            unit: Unit::None
        }),
        (
            0i64..100_000,
            0u32..3,
            prop_oneof![Just(Unit::Km), Just(Unit::Percent)]
        )
            .prop_map(|(v, s, unit)| NumLit {
                value: Decimal::new(v, s),
                fraction: s > 0,
                unit
            }),
        (
            0i64..10_000,
            prop_oneof![
                Just(Unit::Millis),
                Just(Unit::Seconds),
                Just(Unit::Minutes),
                Just(Unit::Hours),
                Just(Unit::Days),
                Just(Unit::Weeks)
            ]
        )
            .prop_map(|(v, unit)| NumLit {
                value: Decimal::from(v),
                fraction: false,
                unit
            }),
    ]
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        number().prop_map(|n| Expr::new(ExprKind::Number(n), sp())),
        "[a-zA-Z0-9\"\\\\\n-]{0,8}".prop_map(|s| Expr::new(ExprKind::Str(s), sp())),
        any::<bool>().prop_map(|b| Expr::new(ExprKind::Bool(b), sp())),
        (1000i32..9999, 1u32..13, 1u32..29).prop_map(|(y, m, d)| Expr::new(
            ExprKind::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap()),
            sp()
        )),
        ident().prop_map(|s| Expr::new(ExprKind::Symbol(s), sp())),
        (
            prop_oneof![Just("lead"), Just("partner")],
            "[a-z_][a-z0-9_]{0,6}"
        )
            .prop_map(|(b, f)| Expr::new(
                ExprKind::Path(Ident::new(b, sp()), Ident::new(f, sp())),
                sp()
            )),
    ]
}

fn binop() -> impl Strategy<Value = BinOp> {
    prop::sample::select(vec![
        BinOp::Or,
        BinOp::And,
        BinOp::Cmp(CmpOp::Eq),
        BinOp::Cmp(CmpOp::Ne),
        BinOp::Cmp(CmpOp::Lt),
        BinOp::Cmp(CmpOp::Le),
        BinOp::Cmp(CmpOp::Gt),
        BinOp::Cmp(CmpOp::Ge),
        BinOp::In,
        BinOp::NotIn,
        BinOp::Covers,
        BinOp::Add,
        BinOp::Sub,
        BinOp::Mul,
        BinOp::Div,
    ])
}

fn expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(5, 48, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4)
                .prop_map(|v| Expr::new(ExprKind::List(v), sp())),
            (ident(), prop::collection::vec(inner.clone(), 0..4))
                .prop_map(|(n, a)| Expr::new(ExprKind::Call(Ident::new(n, sp()), a), sp())),
            (prop_oneof![Just(UnOp::Not), Just(UnOp::Neg)], inner.clone())
                .prop_map(|(op, x)| Expr::new(ExprKind::Unary(op, Box::new(x)), sp())),
            (binop(), inner.clone(), inner).prop_map(|(op, a, b)| Expr::new(
                ExprKind::Binary(op, Box::new(a), Box::new(b)),
                sp()
            )),
        ]
    })
}

/// Replaces the single spaces between tokens (not inside strings, not before `km`) with random
/// layout: more spaces, line breaks, comments.
fn jitter(text: &str, choices: &[u8]) -> String {
    let mut out = String::new();
    let mut in_str = false;
    let mut escaped = false;
    let mut k = 0usize;
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if in_str {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        if c == '"' {
            in_str = true;
        }
        let before_km = chars.get(i + 1) == Some(&'k') && chars.get(i + 2) == Some(&'m');
        if c == ' ' && !before_km {
            let pick = choices.get(k % choices.len().max(1)).copied().unwrap_or(0);
            k += 1;
            out.push_str(match pick % 5 {
                0 => " ",
                1 => "   ",
                2 => "\n      ",
                3 => "  # note\n   ",
                _ => " // other\n\t",
            });
        } else {
            out.push(c);
        }
    }
    out
}

fn file_with(expr_text: &str) -> String {
    format!("ruleset \"p\" version 1\nroute \"r\" {{\n  require {expr_text}\n  rank 1\n}}\n")
}

fn required(text: &str) -> Expr {
    let f = parse(text, "p.rail").unwrap_or_else(|e| panic!("{e}\n---\n{text}"));
    let e = f.routes().next().unwrap().requires[0].node.clone();
    e
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn printed_tree_parses_back(e in expr(), choices in prop::collection::vec(any::<u8>(), 1..16)) {
        let text = file_with(&jitter(&expr_to_string(&e), &choices));
        prop_assert_eq!(required(&text), e);
    }

    #[test]
    fn format_is_idempotent_and_keeps_the_tree(e in expr(), choices in prop::collection::vec(any::<u8>(), 1..16)) {
        let text = file_with(&jitter(&expr_to_string(&e), &choices));
        let once = format(&text, "p.rail").unwrap();
        let twice = format(&once, "p.rail").unwrap();
        prop_assert_eq!(&once, &twice);
        prop_assert_eq!(parse(&text, "p").unwrap(), parse(&once, "p").unwrap());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Bad input never panics: arbitrary token soup goes through parse, compile and format.
    #[test]
    fn arbitrary_input_never_panics(parts in prop::collection::vec(prop::sample::select(vec![
        "ruleset", "\"r\"", "version", "1", "schema", "lead", "partner", "{", "}", "(", ")", "[", "]",
        "route", "when", "require", "rank", "tie", "else", "queue", "next", "parent", "fallback",
        "a", ":", "int", "region", "set<", ">", ",", "lead.a", "partner.b", "==", "=", "<", "and",
        "or", "not", "in", "covers", "-", "+", "*", "/", "24h", "15%", "150 km", "0.6", "'x'",
        "\"", "#c\n", "\n", "é", "2026-13-40", "99999999999999999999999", "round_robin", "id",
    ]), 0..40)) {
        let text = parts.join(" ");
        let _ = leadrail_dsl::parse(&text, "soup.rail");
        if let Err(e) = leadrail_dsl::compile(&text, "soup.rail") {
            prop_assert!(!e.reports().is_empty());
        }
        let _ = leadrail_dsl::format(&text, "soup.rail");
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let head = "ruleset \"d\" version 1\nschema lead { a: int }\nschema partner { b: int }\n";
    for body in [
        format!("{}1{}", "(".repeat(5_000), ")".repeat(5_000)),
        format!("{}true", "not ".repeat(5_000)),
        format!("{}1", "- ".repeat(5_000)),
        vec!["1"; 20_000].join(" + "),
    ] {
        let src = format!("{head}route \"r\" {{ rank {body} }}\n");
        let err = leadrail_dsl::compile(&src, "d.rail").unwrap_err();
        assert_eq!(
            err.reports()[0].code,
            "leadrail::parse::too_deep",
            "{}",
            &body[..20]
        );
    }
    // just under the limit compiles and formats
    let body = format!("{}{}", vec!["1"; 150].join(" + "), " + lead.a");
    let src = format!("{head}route \"r\" {{ rank {body} }}\n");
    assert!(leadrail_dsl::compile(&src, "d.rail").is_ok());
    assert!(leadrail_dsl::format(&src, "d.rail").is_ok());
}
