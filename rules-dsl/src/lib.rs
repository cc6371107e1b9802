//! The leadrail rule language: parse, check, format and compile `.rail` files to core plans.
//!
//! ```
//! let source = r#"
//! ruleset "demo" version 1
//! schema lead    { region: region }
//! schema partner { territories: set<region>, tier: enum(gold, silver) }
//! route "gold partners in the territory" {
//!   require partner.territories covers lead.region
//!   rank    partner.tier == gold
//! }
//! fallback queue "inside-sales"
//! "#;
//! // `rank` must be a number: the error says where and why
//! let errors = leadrail_dsl::compile(source, "demo.rail").unwrap_err();
//! let report = &errors.reports()[0];
//! assert_eq!(report.code, "leadrail::type::mismatch");
//! assert_eq!((report.line, report.column), (7, 11));
//!
//! let fixed = source.replace("rank    partner.tier == gold", "require partner.tier == gold");
//! let compiled = leadrail_dsl::compile(&fixed, "demo.rail").unwrap();
//! assert_eq!(compiled.plan.rules[0].requires[1].label, "partner.tier == gold");
//! assert!(compiled.warnings.is_empty());
//! ```
//!
//! The pipeline is `parse` (pest grammar to [`ast`]), `check` (names and types, all errors at
//! once, elaborating expressions), `lower` (to [`leadrail_core::plan::Plan`]); [`fmt`] is the
//! canonical formatter and [`reference`] a naive evaluator used to test the engine.

pub mod ast;
pub mod builtins;
pub mod check;
pub mod diagnostics;
pub mod fmt;
pub mod lower;
pub mod parse;
pub mod reference;

pub use diagnostics::{Diagnostic, Diagnostics, SourceFile};

use leadrail_core::plan::Plan;

/// A compiled ruleset: the plan and the warnings about its source.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The plan.
    pub plan: Plan,
    /// Warnings (e.g. unreachable rules).
    pub warnings: Vec<Diagnostic>,
}

fn diagnostics(mut list: Vec<Diagnostic>, src: &SourceFile) -> Diagnostics {
    if list.is_empty() {
        // an error path always carries a diagnostic; keep the list non-empty regardless
        list.push(
            src.error(
                leadrail_core::report::codes::PARSE_UNEXPECTED_TOKEN,
                "the file could not be read",
            )
            .label(ast::Span::new(0, 0), ""),
        );
    }
    Diagnostics::from_nonempty(list)
}

/// Parses a rule file into its syntax tree, or returns every syntax error.
///
/// A UTF-8 byte order mark at the start of `source` is skipped (by every function of this
/// crate): spans, lines and columns count from the character after it.
///
/// ```
/// let file = leadrail_dsl::parse("fallback unrouted", "f.rail").unwrap();
/// assert_eq!(file.items.len(), 1);
/// let err = leadrail_dsl::parse("fallback queue 'x'", "f.rail").unwrap_err();
/// assert_eq!(err.reports()[0].help.as_deref(), Some("strings are written in double quotes: `\"...\"`"));
/// ```
pub fn parse(source: &str, file: &str) -> Result<ast::RuleFile, Diagnostics> {
    let src = SourceFile::new(source, file);
    parse::parse_file(&src).map_err(|e| diagnostics(e, &src))
}

/// Parses and checks a rule file; returns the checked file with its syntax tree.
///
/// When some routes have syntax errors but every declaration parsed, the routes that did parse
/// are checked too, so one run reports the syntax and the type errors of the file.
pub fn check(source: &str, file: &str) -> Result<(ast::RuleFile, check::Checked), Diagnostics> {
    let src = SourceFile::new(source, file);
    let partial = parse::parse_partial(&src);
    if !partial.errors.is_empty() {
        let mut errors = partial.errors;
        if partial.declarations_ok {
            if let Err(more) = check::check(&src, &partial.file) {
                errors.extend(more.into_iter().filter(|d| {
                    d.is_error() && d.code() != leadrail_core::report::codes::CHECK_MISSING_ITEM
                }));
            }
        }
        return Err(diagnostics(errors, &src));
    }
    let checked = check::check(&src, &partial.file).map_err(|e| diagnostics(e, &src))?;
    Ok((partial.file, checked))
}

/// Compiles a rule file to a plan, or returns every error (with the warnings).
///
/// The plan's `content_hash` is the first 16 hex digits of the SHA-256 of `source`. A
/// calendar's `holidays "path"` is read from the file system, relative to the directory of
/// `file` (see [`compile_with_loader`] to read it from elsewhere).
pub fn compile(source: &str, file: &str) -> Result<Compiled, Diagnostics> {
    let dir = std::path::Path::new(file)
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    compile_with_loader(source, file, &|path: &str| {
        std::fs::read_to_string(dir.join(path)).map_err(|e| e.to_string())
    })
}

/// [`compile`] with the holiday files given in memory: `files` maps each path as written in a
/// `holidays "path"` entry to the file's text (for hosts that keep rules and calendars in a
/// database rather than on disk). A path not among them is an error at its entry.
///
/// ```
/// use std::collections::BTreeMap;
/// let source = r#"
/// ruleset "demo" version 1
/// schema lead    { region: text }
/// schema partner { calendar: text }
/// calendar "de" { timezone "Europe/Berlin"  hours mon-fri 09:00-17:00  holidays "de.txt" }
/// route "all" { }
/// "#;
/// let files = BTreeMap::from([("de.txt".to_string(), "2026-12-25 Christmas".to_string())]);
/// let compiled = leadrail_dsl::compile_with_files(source, "demo.rail", &files).unwrap();
/// assert_eq!(compiled.plan.calendars[0].holidays.len(), 1);
///
/// let none = BTreeMap::new();
/// let err = leadrail_dsl::compile_with_files(source, "demo.rail", &none).unwrap_err();
/// assert!(err.reports()[0].message.contains("`de.txt`"));
/// ```
pub fn compile_with_files(
    source: &str,
    file: &str,
    files: &std::collections::BTreeMap<String, String>,
) -> Result<Compiled, Diagnostics> {
    compile_with_loader(source, file, &|path: &str| {
        files.get(path).cloned().ok_or_else(|| {
            if files.is_empty() {
                "no files were given with the rule text".to_owned()
            } else {
                let names: Vec<String> = files.keys().map(|k| format!("`{k}`")).collect();
                format!("it is not among the files given ({})", names.join(", "))
            }
        })
    })
}

/// [`compile`] with the holiday files of `holidays "path"` entries read by `load` (given the
/// path as written; returns the file's text or why it cannot be read). Bad lines of a holiday
/// file are reported at the path, naming the file's line.
///
/// ```
/// let source = r#"
/// ruleset "demo" version 1
/// schema lead    { region: text }
/// schema partner { calendar: text }
/// calendar "de" { timezone "Europe/Berlin"  hours mon-fri 09:00-17:00  holidays "de.txt" }
/// sla accept { start assigned  stop accepted  goal 24h business "de" }
/// route "all" { }
/// "#;
/// let load = |path: &str| match path {
///     "de.txt" => Ok("2026-12-25 Christmas\n2026-12-26".to_string()),
///     _ => Err("no such file".to_string()),
/// };
/// let compiled = leadrail_dsl::compile_with_loader(source, "demo.rail", &load).unwrap();
/// assert_eq!(compiled.plan.calendars[0].holidays.len(), 2);
/// assert_eq!(compiled.plan.slas[0].goal.duration_ms, 24 * 3_600_000);
/// ```
pub fn compile_with_loader(
    source: &str,
    file: &str,
    load: &dyn Fn(&str) -> Result<String, String>,
) -> Result<Compiled, Diagnostics> {
    let (tree, mut checked) = check(source, file)?;
    let src = SourceFile::new(source, file);
    let mut errors = Vec::new();
    for h in std::mem::take(&mut checked.slas.holiday_files) {
        let text = match load(&h.path) {
            Ok(t) => t,
            Err(why) => {
                errors.push(
                    src.error(
                        leadrail_core::report::codes::CALENDAR_HOLIDAY_FILE,
                        format!("cannot read holiday file `{}`: {why}", h.path),
                    )
                    .label(h.span, "")
                    .help(
                        "the path is relative to the rule file (or a name among the files given \
                         with the rule text)",
                    ),
                );
                continue;
            }
        };
        match leadrail_core::calendar::parse_holidays(&text) {
            Ok((mut holidays, mut closures)) => {
                if let Some(spec) = checked.slas.calendars.get_mut(h.calendar) {
                    spec.holidays.append(&mut holidays);
                    spec.closures.append(&mut closures);
                }
            }
            Err(bad) => {
                for e in bad {
                    errors.push(
                        src.error(e.code(), format!("`{}`: {e}", h.path))
                            .label(h.span, "in this file")
                            .help(e.help()),
                    );
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(diagnostics(errors, &src));
    }
    let warnings = std::mem::take(&mut checked.warnings);
    Ok(Compiled {
        plan: lower::lower(source, &tree, checked),
        warnings,
    })
}

/// Formats a rule file in the canonical layout (see [`fmt`]); only syntax errors prevent it.
///
/// ```
/// let out = leadrail_dsl::format("fallback   queue \"x\"   # the end", "f.rail").unwrap();
/// assert_eq!(out, "fallback queue \"x\"  # the end\n");
/// ```
pub fn format(source: &str, file: &str) -> Result<String, Diagnostics> {
    let tree = parse(source, file)?;
    Ok(fmt::format_file(source, &tree))
}
