//! The arguments and answers of a host's calls, checked and shaped once: a batch routed in one
//! piece, one lead read and routed without changing state, the options of a batch, a network state and
//! the options of an SLA evaluation or of a compilation given as JSON, and the columns of
//! diagnostics counted in UTF-16 units. Bindings convert their values to these forms and raise
//! the reports as they are.

#![expect(
    clippy::result_large_err,
    reason = "the language-neutral ErrorReport is what bindings raise"
)]

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value as Json};

use super::batch::{BatchError, HostBatch, ReadError, SharedNetwork};
use super::errors;
use super::instants::Instants;
use super::results::Results;
use super::rows::{Parsed, Rows};
use crate::api::{partner_calendars_of, DoneJson, SlaAnswer, SlaOutcome, SlaRequest, SlaResult};
use crate::network::NetworkState;
use crate::record::Record;
use crate::report::ErrorReport;
use crate::route::{Engine, RouteOptions};
use crate::value::EpochMs;

/// A batch read before it is routed, in one piece: its rows, then its results.
struct Whole {
    rows: Option<Rows>,
    out: Option<Results>,
}

impl HostBatch for Whole {
    type Error = Infallible;

    fn read(&mut self, _: Range<usize>) -> Result<Rows, ReadError<Infallible>> {
        self.rows.take().ok_or(ReadError::OnePiece)
    }

    fn emit(&mut self, results: Results) -> Result<(), Infallible> {
        self.out = Some(results);
        Ok(())
    }

    fn chunked(&self) -> bool {
        false
    }
}

impl SharedNetwork {
    /// Routes `rows`, already read, in one piece ([`SharedNetwork::route_batch`]: the lock, the
    /// busy marker, the instants checked first, the state as it was on failure).
    pub fn route_rows(
        &self,
        engine: &Engine,
        rows: Rows,
        instants: &Instants,
        opts: &RouteOptions,
    ) -> Result<Results, ErrorReport> {
        let n = rows.len();
        let mut batch = Whole {
            rows: Some(rows),
            out: None,
        };
        match self.route_batch(engine, n, instants, opts, &mut batch) {
            Ok(()) => batch
                .out
                .ok_or_else(|| errors::internal("the batch gave no results")),
            Err(BatchError::Report(r)) => Err(r),
            Err(BatchError::Host(never)) => match never {},
        }
    }
}

impl Parsed {
    /// The record of a call that takes one (its error if it is bad).
    pub fn into_one(self) -> Result<Record, ErrorReport> {
        match (self.bad.into_iter().next(), self.good.into_iter().next()) {
            (Some((_, e)), _) => Err(e),
            (None, Some(r)) => Ok(r),
            (None, None) => Err(ErrorReport::request("no lead", "pass one lead")),
        }
    }
}

/// The options of a batch call (without exclusions): `as_columns` (results as columns) cannot
/// come with `explain` (which needs one object per lead).
pub fn batch_options(explain: bool, as_columns: bool) -> Result<RouteOptions, ErrorReport> {
    if explain && as_columns {
        let per_lead = "one object per lead";
        return Err(errors::explain_as_columns(
            per_lead,
            "asColumns",
            "asColumns: true",
        ));
    }
    Ok(RouteOptions {
        explain,
        exclude: Vec::new(),
    })
}

/// A network state from its JSON form (as `state()` gives it).
pub fn state_from_json(json: Json) -> Result<NetworkState, ErrorReport> {
    serde_json::from_value(json).map_err(|e| {
        ErrorReport::request(
            format!("the state is not valid: {e}"),
            "pass the object that `network.state()` returned",
        )
    })
}

/// Every number of `json` as a double, for a host whose numbers are doubles (JavaScript, where
/// a 64-bit integer would arrive as another type, a BigInt).
///
/// ```
/// use leadrail_core::host::numbers_as_doubles;
/// use serde_json::json;
///
/// let mut j = json!({"n": [1, 2.5, u64::MAX]});
/// numbers_as_doubles(&mut j);
/// assert!(j["n"].as_array().unwrap().iter().all(|x| x.is_f64()));
/// ```
pub fn numbers_as_doubles(json: &mut Json) {
    match json {
        Json::Number(n) => {
            if let Some(d) = n.as_f64().and_then(serde_json::Number::from_f64) {
                *n = d;
            }
        }
        Json::Array(a) => a.iter_mut().for_each(numbers_as_doubles),
        Json::Object(m) => m.values_mut().for_each(numbers_as_doubles),
        _ => {}
    }
}

impl SlaRequest {
    /// The request of a host's call: `timelines` as JSON, `now`, and the call's options object
    /// (`{ done, partnerCalendars }`, null for none) as JSON.
    pub fn from_call(
        timelines: Vec<Json>,
        now: EpochMs,
        options: Json,
    ) -> Result<SlaRequest, ErrorReport> {
        let help = "pass `{ done: ['accept:warn:50'], partnerCalendars: { P1: 'us-central' } }`";
        let options = match options {
            Json::Null => Map::new(),
            Json::Object(m) => m,
            _ => return Err(ErrorReport::request("`options` must be an object", help)),
        };
        let field = |name: &str| options.get(name).filter(|v| !v.is_null()).cloned();
        let done = match field("done") {
            None => None,
            Some(v) => Some(serde_json::from_value::<DoneJson>(v).map_err(|_| {
                ErrorReport::request(
                    "`done` must be an array of action ids or an instant (the previous `cursor`)",
                    help,
                )
            })?),
        };
        let partner_calendars =
            partner_calendars_of(field("partnerCalendars"), "partnerCalendars", help)?;
        Ok(SlaRequest::of_host(timelines, now, done, partner_calendars))
    }
}

impl SlaAnswer {
    /// The outcome of a request of one timeline, or its error.
    pub fn into_one(self) -> Result<SlaOutcome, ErrorReport> {
        match self.results.into_iter().next() {
            Some(SlaResult::Ok(o)) => Ok(o),
            Some(SlaResult::Error(e)) => Err(e),
            None => Err(errors::internal("no result")),
        }
    }
}

/// What a compilation reads besides the rule text: the file name for diagnostics, and the
/// holiday files, given (`files`, path to text) or read from `base_dir`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileOptions {
    /// The rule file's name in diagnostics (default `rules.rail`).
    pub file: String,
    /// Holiday files by path, as written in the rule text.
    pub files: BTreeMap<String, String>,
    /// The directory holiday files not in `files` are read from (none: no file is read).
    pub base_dir: Option<PathBuf>,
}

/// The name of a JSON value's type, for messages.
fn json_type(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

impl CompileOptions {
    /// The options of a host's compile call, given as JSON: `file` is a file name or an options
    /// object `{ file, files, baseDir }` (null: none), `files` the holiday files when `file` is
    /// a name (an object of path to text; null: none).
    ///
    /// ```
    /// use leadrail_core::host::CompileOptions;
    /// use serde_json::json;
    ///
    /// let o = CompileOptions::from_call(json!({"baseDir": "rules"}), json!(null)).unwrap();
    /// assert_eq!((o.file.as_str(), o.base_dir), ("rules.rail", Some("rules".into())));
    /// let e = CompileOptions::from_call(json!({"baseDir": 42}), json!(null)).unwrap_err();
    /// assert_eq!(e.message, "option `baseDir` must be a string, not number");
    /// ```
    pub fn from_call(file: Json, files: Json) -> Result<CompileOptions, ErrorReport> {
        let bad = |what: String| {
            ErrorReport::request(
                what,
                "pass a file name (`'rules.rail'`) or options `{ file, files, baseDir }`",
            )
        };
        let (file, files, base_dir) = match file {
            Json::Null => (None, files, None),
            Json::String(name) => (Some(name), files, None),
            Json::Object(mut o) => {
                if !files.is_null() {
                    return Err(bad(
                        "give `files` in the options object, not as a third argument".into(),
                    ));
                }
                let mut text = |key: &str| match o.remove(key) {
                    None | Some(Json::Null) => Ok(None),
                    Some(Json::String(s)) => Ok(Some(s)),
                    Some(v) => Err(bad(format!(
                        "option `{key}` must be a string, not {}",
                        json_type(&v)
                    ))),
                };
                let (file, dir) = (text("file")?, text("baseDir")?);
                (file, o.remove("files").unwrap_or(Json::Null), dir)
            }
            other => {
                return Err(bad(format!(
                    "the second argument must be a file name or options, not {}",
                    json_type(&other)
                )))
            }
        };
        Ok(CompileOptions {
            file: file.unwrap_or_else(|| "rules.rail".to_owned()),
            files: holiday_files(files)?,
            base_dir: base_dir.map(PathBuf::from),
        })
    }

    /// The options of compiling the rule file at `path`: its path as the file name, holiday
    /// files read from its directory.
    pub fn for_file(path: &str) -> CompileOptions {
        let dir = match Path::new(path).parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        CompileOptions {
            file: path.to_owned(),
            files: BTreeMap::new(),
            base_dir: Some(dir),
        }
    }
}

/// The holiday files of a compile call: an object of path to text (null: none).
fn holiday_files(files: Json) -> Result<BTreeMap<String, String>, ErrorReport> {
    let bad = |what: String| {
        ErrorReport::request(
            what,
            "pass an object of each holiday file's path (as written in the rule text) to its \
             text, e.g. `{ \"de.txt\": \"2026-12-25 Christmas\" }`",
        )
    };
    let files = match files {
        Json::Null => return Ok(BTreeMap::new()),
        Json::Object(o) => o,
        other => {
            return Err(bad(format!(
                "`files` must be an object of path to text, not {}",
                json_type(&other)
            )))
        }
    };
    let mut out = BTreeMap::new();
    for (key, v) in files {
        match v {
            Json::String(text) => out.insert(key, text),
            v => {
                let t = json_type(&v);
                return Err(bad(format!(
                    "`files` must map paths to strings; `{key}` is {t}"
                )));
            }
        };
    }
    Ok(out)
}

/// Converts the columns of reports about `source` from code points (core's unit) to UTF-16
/// units (the string indexing of JavaScript, Java and .NET hosts).
///
/// ```
/// use leadrail_core::host::columns_in_utf16;
/// use leadrail_core::report::ErrorReport;
///
/// let mut r = vec![ErrorReport::request("x", "y").at(1, 3)];
/// columns_in_utf16("😀ab", &mut r);
/// assert_eq!(r[0].column, 4);
/// ```
pub fn columns_in_utf16(source: &str, reports: &mut [ErrorReport]) {
    let lines: Vec<&str> = source.split('\n').collect();
    let convert = |line: u32, column: u32| -> u32 {
        if line == 0 || column == 0 {
            return column;
        }
        let Some(text) = lines.get(line as usize - 1) else {
            return column;
        };
        let units: usize = text
            .chars()
            .take(column as usize - 1)
            .map(char::len_utf16)
            .sum();
        let extra = (column as usize - 1).saturating_sub(text.chars().count());
        u32::try_from(units + extra + 1).unwrap_or(column)
    };
    for r in reports {
        r.column = convert(r.line, r.column);
        for l in &mut r.labels {
            l.column = convert(l.line, l.column);
            l.end_column = convert(l.end_line, l.end_column);
        }
    }
}
