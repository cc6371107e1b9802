//! Number literals: a literal a decimal cannot hold exactly is an error with a position and a
//! help, never rounded; `fmt` keeps every literal that checks (same type, same value), so a
//! formatted file checks if and only if the original does, and compiles to the same plan.

// Tests may unwrap, index and panic: a failure is the test failing.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed setup or assertion should stop the test loudly"
)]

use leadrail_core::plan::{Expr, Plan};
use leadrail_core::value::Value;
use proptest::prelude::*;
use rust_decimal::Decimal;

const HEAD: &str = "ruleset \"n\" version 1\nschema lead { d: decimal, w: duration }\n\
                    schema partner { r: ratio }\n";

/// A file whose rule's `when` compares `lead.d` with `literal` (line 4, column 28).
fn when_decimal(literal: &str) -> String {
    format!("{HEAD}route \"r\" {{ when lead.d >= {literal} }}\n")
}

/// The literal compared in the first rule's `when`.
fn when_literal(plan: &Plan) -> Value {
    match plan.rules[0].when.as_ref().unwrap() {
        Expr::Cmp(_, _, b) => match b.as_ref() {
            Expr::Lit(v) => v.clone(),
            other => panic!("not a literal: {other:?}"),
        },
        other => panic!("not a comparison: {other:?}"),
    }
}

#[test]
fn a_decimal_beyond_28_places_is_an_error_not_zero() {
    let literal = format!("0.{}1", "0".repeat(28));
    let err = leadrail_dsl::compile(&when_decimal(&literal), "n.rail").unwrap_err();
    let r = &err.reports()[0];
    assert_eq!(r.code, "leadrail::parse::invalid_literal");
    assert_eq!(
        r.message,
        format!("the number `{literal}` cannot be represented exactly")
    );
    assert_eq!((r.line, r.column), (4, 28));
    assert!(r
        .help
        .as_deref()
        .unwrap()
        .contains("at most 28 digits after the point"));

    // 28 places is exact
    let literal = format!("0.{}1", "0".repeat(27));
    let plan = leadrail_dsl::compile(&when_decimal(&literal), "n.rail")
        .unwrap()
        .plan;
    assert_eq!(
        when_literal(&plan),
        Value::Decimal(Decimal::new(1, 28)),
        "{literal}"
    );
}

#[test]
fn inexact_literals_of_every_kind_are_errors() {
    for literal in [
        // 30 significant digits: rust_decimal rounds them
        "1.00000000000000000000000000001",
        "7922816251426433759354395033.55",
        "123_456_789_012_345_678_901_234_567.891",
        // past the largest decimal
        "79228162514264337593543950336",
        "79228162514264337593543950336.0",
        // a percentage is divided by 100: 27 places become 29
        "0.000000000000000000000000001%",
        "0.00000000000000000000000000000001 km",
        // whole numbers past i64
        "9223372036854775808",
    ] {
        let err = leadrail_dsl::compile(&when_decimal(literal), "n.rail").unwrap_err();
        let r = &err.reports()[0];
        assert_eq!(r.code, "leadrail::parse::invalid_literal", "{literal}");
        assert_eq!((r.line, r.column), (4, 28), "{literal}");
        assert!(r.help.is_some(), "{literal}");
    }
    // trailing zeros past 28 places lose nothing: the value is exact
    for (literal, value) in [
        (format!("1.{}", "0".repeat(35)), Decimal::ONE),
        ("007.50".to_string(), Decimal::new(75, 1)),
        ("79228162514264337593543950335.0".to_string(), Decimal::MAX),
    ] {
        let plan = leadrail_dsl::compile(&when_decimal(&literal), "n.rail")
            .unwrap()
            .plan;
        assert_eq!(when_literal(&plan), Value::Decimal(value), "{literal}");
    }
}

/// `79228162514264337593543950335.0` is a decimal (it has a point); the decimal cannot keep
/// the `.0`, and the formatter used to print it without, making a whole number too large for
/// an int: a valid file stopped checking after `fmt`.
#[test]
fn fmt_keeps_the_point_of_the_largest_decimal() {
    let text = when_decimal("79228162514264337593543950335.0");
    let before = leadrail_dsl::compile(&text, "n.rail").unwrap().plan;
    let formatted = leadrail_dsl::format(&text, "n.rail").unwrap();
    assert!(
        formatted.contains("lead.d >= 79_228_162_514_264_337_593_543_950_335.0"),
        "{formatted}"
    );
    let after = leadrail_dsl::compile(&formatted, "n.rail").unwrap().plan;
    assert_eq!(when_literal(&after), when_literal(&before));
}

// ---------------------------------------------------------------------------------------------
// fmt preserves every literal: a proptest over generated literals in every place a number goes

/// Digits as a rule author may write them: leading zeros, `_` separators (not first).
fn digits(max: usize) -> impl Strategy<Value = String> {
    (
        prop::collection::vec(0u8..10, 1..max),
        prop::collection::vec(any::<bool>(), max),
    )
        .prop_map(|(ds, seps)| {
            let mut out = String::new();
            for (i, d) in ds.iter().enumerate() {
                if i > 0 && seps[i] && seps[(i + 7) % seps.len()] {
                    out.push('_');
                }
                out.push(char::from(b'0' + d));
            }
            out
        })
}

fn literal() -> impl Strategy<Value = String> {
    let whole = prop_oneof![
        digits(6),
        digits(20),
        digits(34),
        // the largest decimals, written with and without separators
        Just("79228162514264337593543950335".to_string()),
        Just("79_228_162_514_264_337_593_543_950_335".to_string()),
        Just("9223372036854775807".to_string()),
        Just("9223372036854775808".to_string()),
    ];
    let fraction = prop_oneof![
        Just(String::new()),
        Just(".0".to_string()),
        Just(".00".to_string()),
        digits(4).prop_map(|d| format!(".{d}")),
        digits(34).prop_map(|d| format!(".{d}")),
    ];
    let unit = prop::sample::select(vec![
        "", "", "", " km", "km", "%", "ms", "s", "m", "h", "d", "w",
    ]);
    (whole, fraction, unit).prop_map(|(w, f, u)| format!("{w}{f}{u}"))
}

/// Files with the literal in each place a number literal goes.
fn files(lit: &str) -> Vec<String> {
    vec![
        when_decimal(lit),
        format!("{HEAD}route \"r\" {{ when lead.w < {lit} }}\n"),
        format!("{HEAD}route \"r\" {{ require partner.r >= -{lit} }}\n"),
        format!("{HEAD}route \"r\" {{ rank {lit} * partner.r + 1 }}\n"),
        format!("{HEAD}route \"r\" {{ when lead.d in [1, {lit}, 2.5] }}\n"),
        format!("{HEAD}sla s {{ start assigned  stop accepted  goal {lit} }}\n"),
        format!("{HEAD}sla s {{ start assigned  stop accepted  goal 1h  warn {lit}, 99% }}\n"),
    ]
}

fn without_hash(mut plan: Plan) -> Plan {
    plan.content_hash.clear();
    plan
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn formatting_keeps_whether_and_what_a_literal_compiles_to(lit in literal()) {
        for text in files(&lit) {
            let original = leadrail_dsl::compile(&text, "n.rail");
            let formatted = match leadrail_dsl::format(&text, "n.rail") {
                Ok(f) => f,
                Err(_) => {
                    // only a syntax error (the literal's own) stops the formatter
                    prop_assert!(leadrail_dsl::parse(&text, "n.rail").is_err());
                    prop_assert!(original.is_err());
                    continue;
                }
            };
            let again = leadrail_dsl::compile(&formatted, "n.rail");
            prop_assert_eq!(
                original.is_ok(),
                again.is_ok(),
                "{}\nformatted:\n{}\n{:?}\n{:?}",
                text,
                formatted,
                original.as_ref().err().map(ToString::to_string),
                again.as_ref().err().map(ToString::to_string)
            );
            if let (Ok(a), Ok(b)) = (original, again) {
                prop_assert_eq!(without_hash(a.plan), without_hash(b.plan), "{}", text);
            }
            prop_assert_eq!(&leadrail_dsl::format(&formatted, "n.rail").unwrap(), &formatted);
        }
    }
}
