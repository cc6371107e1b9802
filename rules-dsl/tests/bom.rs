//! A UTF-8 byte order mark at the start of a rule text (as some Windows editors save it) is
//! skipped by `parse`, `check`, `compile` and `format`, and lines and columns stay those the
//! editor shows.

// Tests may unwrap, index and panic: a failure is the test failing.

const BOM: &str = "\u{feff}";

const RULES: &str = "# routing\nruleset \"bom\" version 1\nschema lead { region: region }\n\
                     schema partner { territories: set<region> }\n\
                     route \"all\" { require partner.territories covers lead.region }\n";

#[test]
fn a_file_starting_with_a_bom_compiles_as_without() {
    let with = format!("{BOM}{RULES}");
    assert_eq!(
        leadrail_dsl::parse(&with, "b.rail").unwrap(),
        leadrail_dsl::parse(RULES, "b.rail").unwrap()
    );
    leadrail_dsl::check(&with, "b.rail").unwrap();
    let mut a = leadrail_dsl::compile(&with, "b.rail").unwrap().plan;
    let mut b = leadrail_dsl::compile(RULES, "b.rail").unwrap().plan;
    // the hash is of the text as given
    assert_ne!(a.content_hash, b.content_hash);
    a.content_hash.clear();
    b.content_hash.clear();
    assert_eq!(a, b);
    // fmt drops the mark and keeps the comment
    assert_eq!(
        leadrail_dsl::format(&with, "b.rail").unwrap(),
        leadrail_dsl::format(RULES, "b.rail").unwrap()
    );
    assert!(leadrail_dsl::format(&with, "b.rail")
        .unwrap()
        .starts_with("# routing\n"));
}

#[test]
fn errors_on_the_first_line_keep_their_columns() {
    for (text, code, column) in [
        (
            "ruleset bom version 1",
            "leadrail::parse::unexpected_token",
            9,
        ),
        (
            "ruleset \"b\" version 99999999999",
            "leadrail::parse::invalid_literal",
            21,
        ),
    ] {
        let plain = leadrail_dsl::compile(text, "b.rail").unwrap_err().reports();
        let with = leadrail_dsl::compile(&format!("{BOM}{text}"), "b.rail")
            .unwrap_err()
            .reports();
        assert_eq!(with[0].code, code);
        assert_eq!((with[0].line, with[0].column), (1, column), "{text}");
        assert_eq!(with, plain, "{text}");
    }
    // a type error further down the file
    let bad = RULES.replace("covers lead.region", "covers lead.regio");
    let plain = leadrail_dsl::compile(&bad, "b.rail").unwrap_err().reports();
    let with = leadrail_dsl::compile(&format!("{BOM}{bad}"), "b.rail")
        .unwrap_err()
        .reports();
    assert_eq!(with, plain);
    assert_eq!((with[0].line, with[0].column), (5, 55));
}

#[test]
fn only_a_leading_mark_is_skipped() {
    let err = leadrail_dsl::parse(&format!("{RULES}{BOM}fallback unrouted"), "b.rail").unwrap_err();
    assert_eq!(err.reports()[0].code, "leadrail::parse::unexpected_token");
}
