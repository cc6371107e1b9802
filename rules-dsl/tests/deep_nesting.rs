//! Every nesting construct of the language, 10,000 and 100,000 levels deep, is a clean
//! `leadrail::parse::too_deep` error with a line and column from `parse`, `check`, `compile` and
//! `format`, never a stack overflow; and the deepest accepted files go through the whole
//! pipeline. Everything runs on a thread with a 128 KB stack (musl's default for a thread; a
//! small host thread of Python or Node), so a walk that recurses once per level of nesting
//! kills the test process.

// Tests may unwrap, index and panic: a failure is the test failing.
#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed setup or assertion should stop the test loudly"
)]

use leadrail_core::report::ErrorReport;

const SMALL_STACK: usize = 128 << 10;

const HEAD: &str = "ruleset \"deep\" version 1\nschema lead { a: int, r: region }\n\
                    schema partner { b: int, t: set<region> }\n";

/// Runs `f` on a thread with a 128 KB stack.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

/// A file with `body` as the expression of a `require` clause.
fn require(body: &str) -> String {
    format!("{HEAD}route \"r\" {{\n  require {body}\n}}\n")
}

/// A file whose partner schema has a field of type `ty`.
fn field_type(ty: &str) -> String {
    format!(
        "ruleset \"deep\" version 1\nschema lead {{ a: int }}\nschema partner {{\n  x: {ty}\n}}\n"
    )
}

/// Every nesting construct of the grammar, `n` levels deep.
fn constructs(n: usize) -> Vec<(&'static str, String)> {
    vec![
        (
            "set<set<...>>",
            field_type(&format!("{}int{}", "set<".repeat(n), ">".repeat(n))),
        ),
        (
            "map<text, map<...>>",
            field_type(&format!("{}int{}", "map<text, ".repeat(n), ">".repeat(n))),
        ),
        (
            "map<map<...>, int>",
            field_type(&format!("{}int{}", "map<".repeat(n), ", int>".repeat(n))),
        ),
        (
            "set<map<text, set<...>>>",
            field_type(&format!(
                "{}int{}",
                "set<map<text, ".repeat(n / 2),
                ">>".repeat(n / 2)
            )),
        ),
        (
            "(((...)))",
            require(&format!("{}1{} == 1", "(".repeat(n), ")".repeat(n))),
        ),
        (
            "[[[...]]]",
            require(&format!("1 in {}1{}", "[".repeat(n), "]".repeat(n))),
        ),
        (
            "f(f(...))",
            require(&format!("{}1{} == 1", "abs(".repeat(n), ")".repeat(n))),
        ),
        ("not not ...", require(&format!("{}true", "not ".repeat(n)))),
        ("- - ...", require(&format!("{}1 == 1", "- ".repeat(n)))),
        (
            "1 + 1 + ...",
            require(&format!("{} == 1", vec!["1"; n].join(" + "))),
        ),
        (
            "a and a and ...",
            require(&vec!["lead.a == 1"; n].join(" and ")),
        ),
        (
            "not (not (...))",
            require(&format!("{}true{}", "not (".repeat(n), ")".repeat(n))),
        ),
        (
            "{{{...}}}",
            format!("{HEAD}route \"r\" {}{}\n", "{".repeat(n), "}".repeat(n)),
        ),
        (
            "tie weighted by (((...)))",
            format!(
                "{HEAD}route \"r\" {{\n  tie round_robin weighted by {}1{}\n}}\n",
                "(".repeat(n),
                ")".repeat(n)
            ),
        ),
    ]
}

fn assert_too_deep(what: &str, n: usize, stage: &str, reports: &[ErrorReport]) {
    assert!(!reports.is_empty(), "{what} x{n}: {stage} gave no report");
    let deep: Vec<&ErrorReport> = reports
        .iter()
        .filter(|r| r.code == "leadrail::parse::too_deep")
        .collect();
    assert!(
        !deep.is_empty(),
        "{what} x{n}: {stage} gave no too_deep error: {:?}",
        reports.iter().map(|r| &r.message).collect::<Vec<_>>()
    );
    for r in deep {
        assert!(r.line >= 1 && r.column >= 1, "{what}: no position");
        assert!(r.help.is_some(), "{what}: no help");
    }
}

fn deep_is_an_error(n: usize) {
    on_small_stack(move || {
        for (what, text) in constructs(n) {
            let parsed = leadrail_dsl::parse(&text, "deep.rail").unwrap_err();
            assert_too_deep(what, n, "parse", &parsed.reports());
            let checked = leadrail_dsl::check(&text, "deep.rail").unwrap_err();
            assert_too_deep(what, n, "check", &checked.reports());
            let compiled = leadrail_dsl::compile(&text, "deep.rail").unwrap_err();
            assert_too_deep(what, n, "compile", &compiled.reports());
            let formatted = leadrail_dsl::format(&text, "deep.rail").unwrap_err();
            assert_too_deep(what, n, "format", &formatted.reports());
        }
    });
}

#[test]
fn ten_thousand_levels_are_an_error() {
    deep_is_an_error(10_000);
}

#[test]
fn a_hundred_thousand_levels_are_an_error() {
    deep_is_an_error(100_000);
}

#[test]
fn a_deep_type_error_points_at_the_first_bracket_too_many() {
    let text = field_type(&format!("{}int{}", "set<".repeat(100), ">".repeat(100)));
    let err = leadrail_dsl::compile(&text, "deep.rail").unwrap_err();
    let r = &err.reports()[0];
    assert_eq!(r.code, "leadrail::parse::too_deep");
    assert_eq!(r.message, "this type is nested too deeply");
    // line 4 is `  x: set<set<...`; the schema's `{` is level 1, so the 48th `set<` is the 49th
    let col = "  x: ".len() + 47 * "set<".len() + "set".len() + 1;
    assert_eq!((r.line, r.column), (4, col as u32));
}

/// The deepest files the limits accept go through parse, check, compile and format on a small
/// stack (the recursive walks over the tree are bounded by the parser's limits).
#[test]
fn the_deepest_accepted_files_compile_on_a_small_stack() {
    on_small_stack(|| {
        let limit = leadrail_dsl::parse::MAX_NESTING;
        let files = [
            // the schema's `{` is one level
            field_type(&format!(
                "{}int{}",
                "set<".repeat(limit - 1),
                ">".repeat(limit - 1)
            )),
            field_type(&format!(
                "{}int{}",
                "map<text, ".repeat(limit - 1),
                ">".repeat(limit - 1)
            )),
            // the route's `{` is one level
            require(&format!(
                "{}lead.a{} == 1",
                "(".repeat(limit - 1),
                ")".repeat(limit - 1)
            )),
            // (does not type-check: the checker still walks it)
            require(&format!(
                "{}partner.b{} == 1",
                "smoothed(".repeat(limit - 1),
                ", lead.a)".repeat(limit - 1)
            )),
            require(&format!("{}true", "not ".repeat(190))),
            require(&format!("{}lead.a == 1", "- ".repeat(190))),
            require(&format!("{} == 1", vec!["lead.a"; 190].join(" + "))),
            require(&vec!["lead.a == 1"; 95].join(" and ")),
            require(&format!(
                "{}lead.a{} == 1",
                "(- ".repeat(limit - 1),
                ")".repeat(limit - 1)
            )),
        ];
        for (i, text) in files.iter().enumerate() {
            leadrail_dsl::parse(text, "deep.rail").unwrap();
            let compiled = leadrail_dsl::compile(text, "deep.rail");
            match &compiled {
                Ok(_) => {}
                Err(e) if i == 3 => assert!(e
                    .reports()
                    .iter()
                    .all(|r| r.code != "leadrail::parse::too_deep")),
                Err(e) => panic!("{e}\n{}", &text[..text.len().min(300)]),
            }
            let formatted = leadrail_dsl::format(text, "deep.rail").unwrap();
            assert_eq!(
                leadrail_dsl::compile(&formatted, "deep.rail").is_ok(),
                compiled.is_ok()
            );
            assert_eq!(
                leadrail_dsl::format(&formatted, "deep.rail").unwrap(),
                formatted
            );
        }
    });
}

/// A syntax tree built by hand (not by the parser) 100,000 levels deep: `check` reports
/// `too_deep` and `fmt` writes it, neither recursing once per level.
#[test]
fn hand_built_deep_trees_are_checked_and_formatted_on_a_small_stack() {
    use leadrail_dsl::ast::*;
    on_small_stack(|| {
        let n = 100_000;
        let text = require("true");
        let mut file = leadrail_dsl::parse(&text, "deep.rail").unwrap();
        let mut e = Expr::new(ExprKind::Bool(true), Span::default());
        for _ in 0..n {
            e = Expr::new(ExprKind::Unary(UnOp::Not, Box::new(e)), Span::default());
        }
        let mut t = TypeExpr {
            kind: TypeKind::Named("int".to_string()),
            span: Span::default(),
        };
        for _ in 0..n {
            t = TypeExpr {
                kind: TypeKind::Set(Box::new(t)),
                span: Span::default(),
            };
        }
        let (mut e, mut t) = (Some(e), Some(t));
        for item in &mut file.items {
            match item {
                Item::Route(r) => r.requires[0].node = e.take().unwrap(),
                Item::Schema(s) if s.kind.name == "partner" => s.fields[0].ty = t.take().unwrap(),
                _ => {}
            }
        }
        let src = leadrail_dsl::SourceFile::new(&text, "deep.rail");
        let errors = leadrail_dsl::check::check(&src, &file).unwrap_err();
        let deep: Vec<&str> = errors
            .iter()
            .filter(|d| d.code() == "leadrail::parse::too_deep")
            .map(|d| d.message())
            .collect();
        assert_eq!(
            deep,
            [
                "this type is too deeply nested",
                "this expression is too deeply nested"
            ]
        );
        let out = leadrail_dsl::fmt::format_file(&text, &file);
        assert!(out.contains(&format!("require {}true", "not ".repeat(n))));
        assert!(out.contains(&format!("{}int{}", "set<".repeat(n), ">".repeat(n))));
        // dropping a tree this deep recurses in `Box`'s drop (outside the library): leak it
        std::mem::forget(file);
    });
}

/// Before the type brackets were counted, 9,000 nested `set<` passed pest on a main thread's
/// 8 MB stack and overflowed it in `check` (and in `Engine.compile` of the bindings).
#[test]
fn nine_thousand_nested_types_on_a_main_thread_stack() {
    let text = field_type(&format!("{}int{}", "set<".repeat(9_000), ">".repeat(9_000)));
    let err = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || leadrail_dsl::compile(&text, "deep.rail").unwrap_err())
        .unwrap()
        .join()
        .unwrap();
    assert_too_deep("set<set<...>>", 9_000, "compile", &err.reports());
}
