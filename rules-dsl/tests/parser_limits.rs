//! pest's own guards (the stack guard on a thread whose stack runs low, a call limit) stop a
//! parse with a custom error: that is a `too_deep` error with a position and a help, not
//! "expected something else". (Its own test binary: the call limit is process-wide.)

// Tests may unwrap, index and panic: a failure is the test failing.

use std::num::NonZeroUsize;

#[test]
fn a_parser_limit_is_a_too_deep_error() {
    let text = "ruleset \"l\" version 1\nschema lead { a: int }\nschema partner { b: int }\n\
                route \"r\" { require ((((lead.a)))) == 1 }\n";
    assert!(leadrail_dsl::parse(text, "l.rail").is_ok());
    pest::set_call_limit(NonZeroUsize::new(40));
    let err = leadrail_dsl::parse(text, "l.rail").unwrap_err();
    pest::set_call_limit(None);
    let r = &err.reports()[0];
    assert_eq!(r.code, "leadrail::parse::too_deep");
    assert_eq!(r.message, "the parser cannot go deeper here");
    assert!(r.line >= 1 && r.column >= 1);
    assert!(r.help.as_deref().unwrap().contains("larger stack"));
}
