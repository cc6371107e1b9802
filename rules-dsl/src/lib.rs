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
//! # Quick start
//!
//! Compile a rule text, load partners from JSON, route a lead and explain the decision:
//!
//! ```
//! use std::sync::Arc;
//! use leadrail_core::{Engine, Network, Outcome, Record, RouteOptions};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let rules = r#"ruleset "quick" version 1
//! schema lead    { region: region }
//! schema partner { territories: set<region>, acceptance_rate: ratio }
//! route "territory" { require partner.territories covers lead.region  rank partner.acceptance_rate }
//! fallback queue "inside-sales""#;
//! let plan = Arc::new(leadrail_dsl::compile(rules, "quick.rail")?.plan);
//! let partners: Vec<serde_json::Value> = serde_json::from_str(
//!     r#"[{"id": "P1", "territories": ["US-TX"], "acceptance_rate": 0.4},
//!         {"id": "P2", "territories": ["US"], "acceptance_rate": 0.9}]"#)?;
//! let partners = partners.iter().map(|p| Record::from_json(&plan.partner_schema, p)).collect::<Result<_, _>>()?;
//! let network = Network::for_plan(&plan, partners)?;
//! let engine = Engine::new(plan.clone())?;
//! let lead = Record::from_json(&plan.lead_schema, &serde_json::json!({"id": "L1", "region": "US-TX"}))?;
//! let opts = RouteOptions { explain: true, ..RouteOptions::default() };
//! let decision = engine.route(&network, &lead, 1_764_000_000_000, &opts)?;
//! assert_eq!(decision.outcome, Outcome::Partner { id: "P2".into() });
//! assert_eq!(decision.explanation.map(|e| e.candidates.len()), Some(2));
//! # Ok(())
//! # }
//! ```
//!
//! The pipeline is `parse` (pest grammar to [`ast`]), `check` (names and types, all errors at
//! once, elaborating expressions), `lower` (to [`leadrail_core::plan::Plan`]); [`fmt`] is the
//! canonical formatter.

#![deny(missing_docs)]

pub mod ast;
pub mod builtins;
pub mod check;
pub mod diagnostics;
pub mod fmt;
pub mod lower;
pub mod parse;

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
/// calendar's `holidays "path"` is read from the directory of `file` by [`read_holiday_file`]:
/// a relative path that stays inside that directory, a regular file of at most
/// [`HOLIDAY_FILE_MAX_BYTES`] (see [`compile_with_sources`] and [`compile_with_loader`] to give
/// the files otherwise).
pub fn compile(source: &str, file: &str) -> Result<Compiled, Diagnostics> {
    let dir = match std::path::Path::new(file).parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    compile_with_sources(
        source,
        file,
        &HolidaySources {
            files: std::collections::BTreeMap::new(),
            dir: Some(dir),
        },
    )
}

/// The most a holiday file read from disk may hold: 1 MiB (a holiday file is a few KB).
pub const HOLIDAY_FILE_MAX_BYTES: u64 = 1 << 20;

/// Reads the holiday file of a `holidays "path"` entry from `dir`, the way [`compile`] does.
///
/// Rule files may be written by people who are not the host's administrators, so only this is
/// read: a **relative** path (no `/etc/passwd`, no `C:\\...`) that stays **inside `dir`** after
/// resolution (`..` may not leave it; symbolic links are resolved and the target checked too),
/// naming a **regular file** (no directory, device such as `/dev/zero`, FIFO or `/proc` entry
/// that is not a plain file) of at most [`HOLIDAY_FILE_MAX_BYTES`] of UTF-8 text. The reason a
/// path is refused never contains the file's content.
///
/// ```
/// let dir = std::env::temp_dir();
/// let err = leadrail_dsl::read_holiday_file(&dir, "/etc/passwd").unwrap_err();
/// assert!(err.starts_with("an absolute path is not read"), "{err}");
/// let err = leadrail_dsl::read_holiday_file(&dir, "../x.txt").unwrap_err();
/// assert!(err.starts_with("the path leaves the rule file's directory"), "{err}");
/// ```
pub fn read_holiday_file(dir: &std::path::Path, path: &str) -> Result<String, String> {
    use std::io::Read as _;
    use std::path::Component;
    let rel = std::path::Path::new(path);
    if path.is_empty() {
        return Err("the path is empty".into());
    }
    // lexical checks first, so that nothing outside `dir` is even looked up (whether a file
    // exists outside it is not revealed)
    let mut depth = 0usize;
    for c in rel.components() {
        match c {
            Component::Prefix(_) | Component::RootDir => {
                return Err(
                    "an absolute path is not read: write the path relative to the rule file's \
                     directory"
                        .into(),
                )
            }
            Component::ParentDir => {
                if depth == 0 {
                    return Err("the path leaves the rule file's directory (`..`)".into());
                }
                depth -= 1;
            }
            Component::CurDir => {}
            Component::Normal(_) => depth += 1,
        }
    }
    let base = std::fs::canonicalize(dir).map_err(|e| {
        format!(
            "the rule file's directory cannot be resolved ({})",
            e.kind()
        )
    })?;
    let full = std::fs::canonicalize(base.join(rel)).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        kind => format!("it cannot be opened ({kind})"),
    })?;
    if !full.starts_with(&base) {
        return Err(
            "the path leads outside the rule file's directory (through a symbolic link)".into(),
        );
    }
    // the type is checked before opening (opening a FIFO would wait for a writer) and again on
    // the opened file
    let regular = |m: &std::fs::Metadata| m.is_file();
    let meta = std::fs::metadata(&full).map_err(|e| format!("it cannot be read ({})", e.kind()))?;
    if !regular(&meta) {
        return Err("it is not a regular file".into());
    }
    let f =
        std::fs::File::open(&full).map_err(|e| format!("it cannot be opened ({})", e.kind()))?;
    let meta = f
        .metadata()
        .map_err(|e| format!("it cannot be read ({})", e.kind()))?;
    if !regular(&meta) {
        return Err("it is not a regular file".into());
    }
    let too_big = || {
        format!(
            "it is larger than the {} KiB a holiday file may hold",
            HOLIDAY_FILE_MAX_BYTES / 1024
        )
    };
    if meta.len() > HOLIDAY_FILE_MAX_BYTES {
        return Err(too_big());
    }
    // `take` bounds the read even if the file grows (or is not what its size says)
    let mut bytes = Vec::new();
    f.take(HOLIDAY_FILE_MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("it cannot be read ({})", e.kind()))?;
    if bytes.len() as u64 > HOLIDAY_FILE_MAX_BYTES {
        return Err(too_big());
    }
    String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string())
}

/// Where [`compile_with_sources`] finds holiday files: first among `files` (by the path as
/// written in the `holidays` entry), then, if `dir` is set, on disk inside `dir`
/// ([`read_holiday_file`]). With neither, every `holidays` entry is an error: rule text
/// compiled without a directory reads nothing from disk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HolidaySources {
    /// Holiday files in memory: path as written -> text.
    pub files: std::collections::BTreeMap<String, String>,
    /// The directory paths are relative to, if files may be read from disk.
    pub dir: Option<std::path::PathBuf>,
}

impl HolidaySources {
    /// The text of the holiday file at `path` (as written), or why it cannot be had.
    pub fn load(&self, path: &str) -> Result<String, String> {
        if let Some(text) = self.files.get(path) {
            return Ok(text.clone());
        }
        if let Some(dir) = &self.dir {
            return read_holiday_file(dir, path);
        }
        Err(if self.files.is_empty() {
            "no files were given with the rule text, and no directory to read them from".to_owned()
        } else {
            let names: Vec<String> = self.files.keys().map(|k| format!("`{k}`")).collect();
            format!("it is not among the files given ({})", names.join(", "))
        })
    }
}

/// [`compile`] with the holiday files taken from `sources`: in memory, from a directory of the
/// host's choice (sandboxed as in [`read_holiday_file`]), or both.
///
/// ```
/// let source = r#"
/// ruleset "demo" version 1
/// schema lead    { region: text }
/// schema partner { calendar: text }
/// calendar "de" { timezone "Europe/Berlin"  hours mon-fri 09:00-17:00  holidays "de.txt" }
/// route "all" { }
/// "#;
/// // rule text with no directory: nothing is read from disk
/// let none = leadrail_dsl::HolidaySources::default();
/// let err = leadrail_dsl::compile_with_sources(source, "demo.rail", &none).unwrap_err();
/// assert!(err.reports()[0].message.contains("no directory"));
/// ```
pub fn compile_with_sources(
    source: &str,
    file: &str,
    sources: &HolidaySources,
) -> Result<Compiled, Diagnostics> {
    compile_with_loader(source, file, &|path: &str| sources.load(path))
}

/// [`compile`] with the holiday files given in memory: `files` maps each path as written in a
/// `holidays "path"` entry to the file's text (for hosts that keep rules and calendars in a
/// database rather than on disk). A path not among them is an error at its entry; nothing is
/// read from disk.
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
    compile_with_sources(
        source,
        file,
        &HolidaySources {
            files: files.clone(),
            dir: None,
        },
    )
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
                        "a holiday file is read only from inside the rule file's directory (a \
                         relative path to a regular file of at most 1 MiB), or given with the \
                         rule text",
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
            Err(bad) if looks_like_holidays(&text, bad.len()) => {
                for e in bad {
                    errors.push(
                        src.error(e.code(), format!("`{}`: {e}", h.path))
                            .label(h.span, "in this file")
                            .help(e.help()),
                    );
                }
            }
            Err(bad) => {
                // not a holiday file: say so without echoing any of its content
                let first = bad.first().and_then(|e| match e {
                    leadrail_core::calendar::CalendarError::HolidayLine { line, .. } => Some(*line),
                    _ => None,
                });
                let first = first.map_or(String::new(), |l| format!(" (the first is line {l})"));
                errors.push(
                    src.error(
                        leadrail_core::report::codes::CALENDAR_HOLIDAY_FILE,
                        format!(
                            "`{}` is not a holiday file: {} of its {} entry line(s) are not \
                             holiday entries{first}",
                            h.path,
                            bad.len(),
                            entry_lines(&text)
                        ),
                    )
                    .label(h.span, "this file")
                    .help(
                        "a holiday file has one `YYYY-MM-DD [name]` (or `YYYY-MM-DD..YYYY-MM-DD \
                         [name]`) per line; `#` starts a comment. Its lines are quoted in errors \
                         only when most of them are holiday entries",
                    ),
                );
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

/// The number of lines of a holiday file that are entries (not blank, not only a comment).
fn entry_lines(text: &str) -> usize {
    text.lines()
        .filter(|l| !l.split('#').next().unwrap_or("").trim().is_empty())
        .count()
}

/// Whether a holiday file with `bad` bad lines otherwise parses as a holiday file: at most 10
/// bad lines, and at least as many good entries as bad ones. Only then are its bad lines quoted
/// in errors (a rule file must not make the host echo some other file's content).
fn looks_like_holidays(text: &str, bad: usize) -> bool {
    bad <= 10 && entry_lines(text).saturating_sub(bad) >= bad
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
