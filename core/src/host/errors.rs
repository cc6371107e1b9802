//! The host layer's error texts, each written once: bindings raise these reports as they are
//! (never rewriting their messages), and name their own language through [`Host`].

use crate::record::{DataError, DataErrorKind, RecordRef};
pub use crate::report::column_length;
use crate::report::{codes, ErrorReport};

/// What the host layer's messages say about the host language a batch comes from.
///
/// ```
/// use leadrail_core::host::Host;
///
/// const PYTHON: Host = Host {
///     values: "numbers, text, booleans, lists, mappings, dates, datetimes, Decimals or None",
///     lead_code: "a mapping's `__getitem__` or other Python code of the leads",
/// };
/// # let _ = PYTHON;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Host {
    /// The values the host can pass, in its own words: the help of a value it could not read
    /// says "pass `values`".
    pub values: &'static str,
    /// The host code a batch runs while its leads are read (a getter, a mapping's
    /// `__getitem__`): the busy error names it.
    pub lead_code: &'static str,
}

impl Host {
    /// For a Rust host (leads read from JSON).
    pub const RUST: Host = Host {
        values: "values with a JSON form",
        lead_code: "code that reads the leads",
    };
}

/// The report of a host's call on a network that is busy routing a batch on the same thread:
/// host code the batch runs (`what`, e.g. "a getter of a lead") called the network, which can
/// neither wait for the batch (it would never end) nor run in the middle of it.
pub(crate) fn busy_error(what: &str) -> ErrorReport {
    ErrorReport::error(
        codes::REQUEST_BUSY,
        format!(
            "the network is routing a batch: code that batch runs ({what}) cannot use the network"
        ),
    )
    .with_help(
        "read the leads' values before the batch, or call the network after the batch returns",
    )
}

/// The one-line text of an error made of `reports` (a host's exception text, Python's
/// `str(error)`, JavaScript's `error.message`): the first report's message, after its
/// position when it has one (`file:line:column: `, or `line L, column C: ` without a file),
/// then ` (and N more)` when there are more. The reports themselves stay whole beside it.
///
/// ```
/// use leadrail_core::host::summary;
/// use leadrail_core::report::ErrorReport;
///
/// let at = |line, column| {
///     ErrorReport::located("leadrail::type::unknown_field", "unknown field `regoin`", "rules.rail", vec![])
///         .at(line, column)
/// };
/// assert_eq!(summary(&[at(3, 7), at(5, 1), at(9, 2)]), "rules.rail:3:7: unknown field `regoin` (and 2 more)");
/// assert_eq!(summary(&[at(3, 7)]), "rules.rail:3:7: unknown field `regoin`");
/// assert_eq!(summary(&[ErrorReport::request("no lead", "pass one lead")]), "no lead");
/// assert_eq!(summary(&[]), "unknown error");
/// ```
pub fn summary(reports: &[ErrorReport]) -> String {
    let Some(first) = reports.first() else {
        return "unknown error".into();
    };
    let at = match (&first.file, first.line) {
        (_, 0) => String::new(),
        (Some(f), l) => format!("{f}:{l}:{}: ", first.column),
        (None, l) => format!("line {l}, column {}: ", first.column),
    };
    match reports.len() {
        0 | 1 => format!("{at}{}", first.message),
        n => format!("{at}{} (and {} more)", first.message, n - 1),
    }
}

/// The report of a network whose lock was poisoned by a panic in another thread.
pub(crate) fn poisoned() -> ErrorReport {
    ErrorReport::request(
        "the network is unusable after a failure in another thread",
        "build a new network",
    )
}

/// The report of a batch whose routing thread panicked.
pub(crate) fn panicked(message: &str) -> ErrorReport {
    ErrorReport::request(
        format!("internal error: the worker thread panicked: {message}"),
        "report this as a bug in leadrail",
    )
}

/// The report of an internal inconsistency (a result or a row that went missing), reported
/// rather than panicking.
pub(crate) fn internal(what: &str) -> ErrorReport {
    ErrorReport::request(
        format!("internal error: {what}"),
        "report this as a bug in leadrail",
    )
}

/// The report of a batch of `rows` leads given `given` instants.
pub(crate) fn instants_count(rows: usize, given: usize) -> ErrorReport {
    ErrorReport::request(
        format!("{rows} leads but {given} instants"),
        "give one `now` for all leads or one per lead",
    )
}

/// The report of instants in steps whose last one is out of range.
pub(crate) fn instants_overflow(rows: usize, start: i64, step: i64) -> ErrorReport {
    ErrorReport::request(
        format!("{rows} instants from {start} in steps of {step} ms go past the range of instants"),
        "give a smaller step, or one instant per lead",
    )
}

/// What a value that a host could not read belongs to, as the host layer's messages name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner<'a> {
    /// The record with this id (`record `L7``).
    Record(&'a str),
    /// The record at this 1-based position of its batch, its id unknown (`record #3`).
    Position(usize),
    /// An argument of a call, or a part of one (`state`, `timelines[2]`).
    Argument(&'a str),
}

/// The report of a value a host could not read (it has no JSON form): `found` describes it in
/// the host's words (e.g. "a value of type `object`"), `owner` is the record or the argument it
/// belongs to, `field` the field (or `id`, or the key it is under).
///
/// ```
/// use leadrail_core::host::{unreadable, Host, Owner};
///
/// let r = unreadable(Host::RUST, Owner::Record("L7"), "size", "a value of type `object`");
/// assert_eq!(r.message, "record `L7`, field `size`: cannot read a value of type `object`");
/// assert_eq!(r.help.as_deref(), Some("pass values with a JSON form"));
/// let r = unreadable(Host::RUST, Owner::Position(3), "size", "`NaN`, which is not a finite number");
/// assert_eq!(r.message, "record #3, field `size`: cannot read `NaN`, which is not a finite number");
/// assert_eq!(r.record.as_deref(), Some("#3"));
/// let r = unreadable(Host::RUST, Owner::Argument("state"), "partners", "a value of type `object`");
/// assert_eq!(r.message, "state, field `partners`: cannot read a value of type `object`");
/// assert_eq!((r.record.as_deref(), r.field.as_deref()), (Some("state"), Some("partners")));
/// ```
pub fn unreadable(host: Host, owner: Owner<'_>, field: &str, found: &str) -> ErrorReport {
    let (shown, record) = match owner {
        Owner::Record(id) => (format!("record `{id}`"), id.to_owned()),
        Owner::Position(n) => (format!("record #{n}"), format!("#{n}")),
        Owner::Argument(a) => (a.to_owned(), a.to_owned()),
    };
    ErrorReport::error(
        codes::DATA_INVALID_FIELD,
        format!("{shown}, field `{field}`: cannot read {found}"),
    )
    .with_help(format!("pass {}", host.values))
    .with_record(record)
    .with_field(field)
}

/// [`unreadable`] for a record named by core.
pub(crate) fn unreadable_at(
    host: Host,
    record: &RecordRef,
    field: &str,
    found: &str,
) -> ErrorReport {
    let owner = match record {
        RecordRef::Id(id) => Owner::Record(id),
        RecordRef::Position(n) => Owner::Position(*n),
    };
    unreadable(host, owner, field, found)
}

/// The report of the record at 1-based `position` that is not a record at all (not a mapping
/// or object) and has no JSON form: `found` describes it in the host's words.
pub(crate) fn not_a_record(position: usize, found: &str) -> ErrorReport {
    ErrorReport::from(DataError::new(
        &RecordRef::Position(position),
        None,
        DataErrorKind::InvalidRecord(format!("expected an object, found {found}")),
    ))
}

/// The report of a call whose `timelines` argument is not an array (or list) of timelines.
pub fn not_timelines() -> ErrorReport {
    ErrorReport::request(
        "`timelines` must be an array of timelines",
        "pass `[{ lead: 'L1', events: [...] }, ...]`",
    )
}

/// The report of a call whose `name` argument (`leads`, `partners`) is not an array of
/// records: `found` names what it is, in the host's words.
pub fn not_records(name: &str, found: &str) -> ErrorReport {
    ErrorReport::request(
        format!("`{name}` must be an array of objects, not {found}"),
        "pass an array of plain objects",
    )
}

/// The report of a `routeColumns` call whose `columns` is not an object of columns.
pub fn not_columns() -> ErrorReport {
    ErrorReport::request(
        "`columns` must be an object of field names to arrays",
        "pass e.g. `{ id: [...], region: [...] }`",
    )
}

/// The report of a `loadState` call whose `state` is not an object.
pub fn not_a_state() -> ErrorReport {
    ErrorReport::request(
        "`state` must be an object as returned by `state()`",
        "pass the object that `network.state()` returned",
    )
}

/// What is wrong with a coordinate (`lat`, `lon`) of a point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Coordinate<'a> {
    /// Not given (or null).
    Missing,
    /// A number that is not finite.
    NotFinite(f64),
    /// Not a number: what it is, in the host's words.
    NotANumber(&'a str),
}

/// The report of the coordinate `field` of a point (the argument or record `record`).
///
/// ```
/// use leadrail_core::host::{bad_coordinate, Coordinate};
///
/// let r = bad_coordinate("a", "lat", Coordinate::NotFinite(f64::INFINITY));
/// assert_eq!(r.message, "`lat` must be a finite number, not `inf`");
/// assert_eq!((r.record.as_deref(), r.field.as_deref()), (Some("a"), Some("lat")));
/// assert_eq!(bad_coordinate("a", "lon", Coordinate::Missing).message, "missing field `lon` of a point");
/// ```
pub fn bad_coordinate(record: &str, field: &str, found: Coordinate<'_>) -> ErrorReport {
    let (code, message) = match found {
        Coordinate::Missing => (
            codes::DATA_MISSING_FIELD,
            format!("missing field `{field}` of a point"),
        ),
        Coordinate::NotFinite(x) => (
            codes::DATA_INVALID_FIELD,
            format!("`{field}` must be a finite number, not `{x}`"),
        ),
        Coordinate::NotANumber(t) => (
            codes::DATA_INVALID_FIELD,
            format!("`{field}` must be a number, not {t}"),
        ),
    };
    ErrorReport::error(code, message)
        .with_record(record)
        .with_field(field)
}

/// The report of a call's argument that is not of a form the call takes: `what` names it as
/// the message shows it (`` `timelines` ``, ``column `id` ``), `expected` gives the forms
/// taken in the host's words, `found` what was given (`None`: not said); `help` says what to
/// pass, in the host's syntax.
///
/// ```
/// use leadrail_core::host::wrong_argument;
///
/// let r = wrong_argument("`timelines`", "a sequence of mappings", Some("a `str`"), "pass a list");
/// assert_eq!(r.message, "`timelines` must be a sequence of mappings, not a `str`");
/// assert_eq!(r.code, "leadrail::request::invalid");
/// let r = wrong_argument("`columns`", "a mapping of field names to sequences", None, "pass a dict");
/// assert_eq!(r.message, "`columns` must be a mapping of field names to sequences");
/// ```
pub fn wrong_argument(what: &str, expected: &str, found: Option<&str>, help: &str) -> ErrorReport {
    let message = match found {
        Some(found) => format!("{what} must be {expected}, not {found}"),
        None => format!("{what} must be {expected}"),
    };
    ErrorReport::request(message, help)
}

/// The report of a mapping argument with an entry of the wrong form: `what` must map
/// `expected`, `found` describes the entry given.
pub fn wrong_entry(what: &str, expected: &str, found: &str, help: &str) -> ErrorReport {
    ErrorReport::request(format!("{what} must map {expected}; found {found}"), help)
}

/// The report of leads given as columns without the `id` column.
pub fn no_id_column() -> ErrorReport {
    ErrorReport::request(
        "`columns` has no `id` column",
        "add the lead ids as the column `id`",
    )
}

/// The report of a batch call asked for explanations with its results as columns, which
/// have no room for them: `per_lead` is what explanations need, `as_columns` the option's name
/// and `given` how it was given, in the host's words.
///
/// ```
/// use leadrail_core::host::explain_as_columns;
///
/// let r = explain_as_columns("one dict per lead", "as_columns", "as_columns=True");
/// assert_eq!(r.message, "`explain` needs one dict per lead, not `as_columns`");
/// assert_eq!(r.help.as_deref(), Some("drop `as_columns=True` to read explanations"));
/// ```
pub fn explain_as_columns(per_lead: &str, as_columns: &str, given: &str) -> ErrorReport {
    ErrorReport::request(
        format!("`explain` needs {per_lead}, not `{as_columns}`"),
        format!("drop `{given}` to read explanations"),
    )
}

/// The report of `now` given as a naive datetime (printed as `shown`): it has no time zone.
pub fn naive_now(shown: &str) -> ErrorReport {
    let e = super::naive_datetime(shown);
    ErrorReport::request(
        format!("`now`: {}", e.message()),
        e.help().unwrap_or_default(),
    )
}

/// The report of a value that is not a point (the argument or record `record`): `shapes`, the
/// forms the host takes (e.g. "an object with `lat` and `lon` or a pair [lat, lon]"), `found`
/// what it is.
pub fn not_a_point(record: &str, shapes: &str, found: &str) -> ErrorReport {
    ErrorReport::error(
        codes::DATA_INVALID_RECORD,
        format!("a point must be {shapes}, not {found}"),
    )
    .with_record(record)
    .with_field("")
}

/// The report of an argument `name` that is not a collection of points: `collection`, what the
/// host takes (e.g. "an array"), `found` what it is.
pub fn not_points(name: &str, collection: &str, found: &str) -> ErrorReport {
    ErrorReport::error(
        codes::DATA_INVALID_RECORD,
        format!("`{name}` must be {collection} of points, not {found}"),
    )
    .with_record(name)
    .with_field("")
}

/// A file a host could not read, in the terms of Node's `fs` errors: `code` (`ENOENT`,
/// `EACCES`, `EISDIR`, `ENOTDIR`, else `EIO`), `errno` (negative, as Node's), and the message
/// `ENOENT: no such file or directory, open 'path'`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// The POSIX name of the error.
    pub code: &'static str,
    /// The operating system's error number, negated.
    pub errno: Option<i32>,
    /// The message.
    pub message: String,
}

/// The [`FileError`] of `e`, met opening `path`.
///
/// ```
/// use leadrail_core::host::file_error;
///
/// let e = std::fs::read_to_string("/no/such/file").unwrap_err();
/// let f = file_error(&e, "/no/such/file");
/// assert_eq!(f.code, "ENOENT");
/// assert_eq!(f.message, "ENOENT: no such file or directory, open '/no/such/file'");
/// ```
pub fn file_error(e: &std::io::Error, path: &str) -> FileError {
    use std::io::ErrorKind as K;
    let code = match e.kind() {
        K::NotFound => "ENOENT",
        K::PermissionDenied => "EACCES",
        K::IsADirectory => "EISDIR",
        K::NotADirectory => "ENOTDIR",
        _ => "EIO",
    };
    let text = e.to_string();
    let what = text
        .split(" (os error")
        .next()
        .unwrap_or(&text)
        .to_lowercase();
    FileError {
        code,
        errno: e.raw_os_error().map(|n| -n),
        message: format!("{code}: {what}, open '{path}'"),
    }
}
