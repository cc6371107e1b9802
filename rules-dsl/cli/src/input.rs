//! Reading data for the CLI: CSV (with a header row), JSON (an array of objects) and JSON
//! Lines (one object per line), from a file or from standard input (`-`). The format comes
//! from the file's extension, or from `--input-format` when the extension does not say (and
//! for standard input). Records are handed over one by one as they are read, so memory does not
//! grow with the input; every record keeps where it came from, so an error can name the file
//! and the line (or the position in a JSON array).

use std::fmt;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

use crate::progress::Progress;

/// The name standing for standard input (and output) on the command line.
pub const STDIN: &str = "-";

/// How standard input is named in messages.
const STDIN_NAME: &str = "<stdin>";

/// Where a record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A 1-based line of a CSV or JSON Lines input.
    Line(u64),
    /// A 1-based position in a JSON array.
    Item(usize),
}

/// One record as read: CSV cells (in header order) or a JSON value.
#[derive(Debug, Clone, Copy)]
pub enum Raw<'a> {
    /// A CSV row's cells.
    Cells(&'a [&'a str]),
    /// A JSON value (an object, unless the input is wrong).
    Json(&'a serde_json::Value),
}

/// An error reading an input (before any record is interpreted).
#[derive(Debug)]
pub struct ReadError {
    /// The input's name (a path, or `<stdin>`).
    pub name: String,
    /// The line, if known.
    pub line: Option<u64>,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}", self.name, self.message),
            None => write!(f, "{}: {}", self.name, self.message),
        }
    }
}

/// The format of a data input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// A JSON array of objects.
    Json,
    /// JSON Lines: one JSON object per line.
    #[value(name = "jsonl")]
    JsonLines,
}

impl Format {
    /// The format of `path` by extension (`.csv`, `.json`, `.jsonl`, `.ndjson`); `None` if it
    /// is none of these.
    pub fn of(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "jsonl" | "ndjson" => Some(Format::JsonLines),
            _ => None,
        }
    }
}

/// Why [`Input::each`] stopped early.
#[derive(Debug)]
pub enum Stopped {
    /// The input could not be read (or is malformed as a whole).
    Read(ReadError),
    /// The callback asked to stop, with this exit code.
    Exit(u8),
}

impl From<ReadError> for Stopped {
    fn from(e: ReadError) -> Stopped {
        Stopped::Read(e)
    }
}

/// A data input: a file, or standard input, and its format.
#[derive(Debug, Clone)]
pub struct Input {
    path: PathBuf,
    format: Format,
}

/// Checks that at most one of `paths` is standard input (`-`): it can be read only once.
pub fn one_stdin<'a>(paths: impl IntoIterator<Item = &'a Path>) -> Result<(), String> {
    if paths.into_iter().filter(|p| is_stdin(p)).count() > 1 {
        return Err("only one input can be read from standard input (`-`)".to_string());
    }
    Ok(())
}

/// Whether `path` names standard input (`-`).
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == STDIN
}

/// How messages name `path` (`<stdin>` for `-`).
pub fn name(path: &Path) -> String {
    if is_stdin(path) {
        STDIN_NAME.to_string()
    } else {
        path.display().to_string()
    }
}

impl Input {
    /// The input at `path` (`-` for standard input), in the format its extension gives, else
    /// in `format` (`--input-format`).
    pub fn new(path: &Path, format: Option<Format>) -> Result<Input, ReadError> {
        let by_name = if is_stdin(path) {
            None
        } else {
            Format::of(path)
        };
        let format = by_name.or(format).ok_or_else(|| ReadError {
            name: name(path),
            line: None,
            message: if is_stdin(path) {
                "the format of standard input is not known: pass `--input-format csv`, `json` \
                 or `jsonl`"
                    .to_string()
            } else {
                "unknown data format: use a `.csv`, `.json`, `.jsonl` or `.ndjson` file, or pass \
                 `--input-format csv`, `json` or `jsonl`"
                    .to_string()
            },
        })?;
        Ok(Input {
            path: path.to_path_buf(),
            format,
        })
    }

    /// How messages name the input.
    pub fn name(&self) -> String {
        name(&self.path)
    }

    /// Where a record came from, as messages say it: `file:line` or `file (item n)`.
    pub fn at(&self, origin: Origin) -> String {
        match origin {
            Origin::Line(n) => format!("{}:{n}", self.name()),
            Origin::Item(n) => format!("{} (item {n})", self.name()),
        }
    }

    /// Opens the input: the reader, and its length in bytes when it is a file.
    fn open(&self) -> Result<(Box<dyn Read + Send>, Option<u64>), ReadError> {
        if is_stdin(&self.path) {
            return Ok((Box::new(std::io::stdin()), None));
        }
        let file =
            std::fs::File::open(&self.path).map_err(|e| self.error(None, cannot_read(&e)))?;
        let len = file.metadata().ok().map(|m| m.len());
        Ok((Box::new(file), len))
    }

    fn error(&self, line: Option<u64>, message: String) -> ReadError {
        ReadError {
            name: self.name(),
            line,
            message,
        }
    }

    /// Checks that the input can be opened (before anything is written).
    pub fn check(&self) -> Result<(), ReadError> {
        if is_stdin(&self.path) {
            return Ok(());
        }
        std::fs::metadata(&self.path)
            .map(|_| ())
            .map_err(|e| self.error(None, cannot_read(&e)))
    }

    /// Reads the input record by record, calling `f` with the CSV headers (empty for JSON),
    /// the record's origin and the record, without holding the input or its records in memory.
    /// `f` returns `Err(code)` to stop (e.g. when the output cannot be written). `progress`
    /// counts the bytes read.
    pub fn each(
        &self,
        progress: &Progress,
        mut f: impl FnMut(&[&str], Origin, Raw<'_>) -> Result<(), u8>,
    ) -> Result<(), Stopped> {
        let err = |line: Option<u64>, message: String| self.error(line, message);
        let (reader, len) = self.open()?;
        progress.start(len);
        let mut reader = std::io::BufReader::with_capacity(1 << 16, progress.wrap(reader));
        // a UTF-8 byte order mark (Windows editors write one) is not part of the data
        let start = reader.fill_buf().map_err(|e| err(None, cannot_read(&e)))?;
        if start.starts_with(b"\xEF\xBB\xBF") {
            reader.consume(3);
        }
        match self.format {
            Format::Csv => csv_each(reader, &err, &mut f),
            Format::Json => {
                let mut de = serde_json::Deserializer::from_reader(reader);
                let mut items = Items {
                    f: &mut f,
                    stop: None,
                };
                let read = serde::de::DeserializeSeed::deserialize(&mut items, &mut de)
                    .and_then(|()| de.end());
                if let Some(code) = items.stop {
                    return Err(Stopped::Exit(code));
                }
                read.map_err(|e| {
                    let message = if e.is_data() && e.to_string().contains(NOT_AN_ARRAY) {
                        NOT_AN_ARRAY.to_string()
                    } else {
                        format!("invalid JSON: {e}")
                    };
                    err(Some(e.line() as u64), message)
                })?;
                Ok(())
            }
            Format::JsonLines => {
                let mut line = String::new();
                let mut n = 0u64;
                loop {
                    line.clear();
                    let read = reader
                        .read_line(&mut line)
                        .map_err(|e| err(Some(n + 1), cannot_read(&e)))?;
                    if read == 0 {
                        break;
                    }
                    n += 1;
                    if line.trim().is_empty() {
                        continue;
                    }
                    let value = leadrail_core::json::from_str(&line)
                        .map_err(|e| err(Some(n), format!("invalid JSON: {e}")))?;
                    f(&[], Origin::Line(n), Raw::Json(&value)).map_err(Stopped::Exit)?;
                }
                Ok(())
            }
        }
    }
}

fn cannot_read(e: &std::io::Error) -> String {
    format!("cannot read: {e}")
}

/// The records of a CSV input.
fn csv_each(
    reader: impl Read,
    err: &impl Fn(Option<u64>, String) -> ReadError,
    f: &mut impl FnMut(&[&str], Origin, Raw<'_>) -> Result<(), u8>,
) -> Result<(), Stopped> {
    // cells and headers are trimmed here, as borrowed slices (the csv crate's `Trim::All`
    // trims the same whitespace by copying every row twice)
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(reader);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| err(Some(1), format!("cannot read the header row: {e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut seen = std::collections::HashMap::with_capacity(headers.len());
    for (i, h) in headers.iter().enumerate() {
        if let Some(first) = seen.insert(h.as_str(), i + 1) {
            return Err(err(
                Some(1),
                format!(
                    "the header row repeats the column `{h}` (columns {first} and {}): \
                     rename or remove one",
                    i + 1
                ),
            )
            .into());
        }
    }
    if headers.iter().all(|h| h != "id") {
        return Err(err(
            Some(1),
            "the header row has no `id` column: every record needs an id".to_string(),
        )
        .into());
    }
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut row = csv::StringRecord::new();
    let mut spare: Vec<&str> = Vec::with_capacity(headers.len());
    loop {
        match reader.read_record(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map(|p| p.line());
                return Err(err(line, format!("malformed CSV row: {e}")).into());
            }
        }
        let line = row.position().map_or(0, |p| p.line());
        let mut cells = recycle(spare);
        cells.extend(row.iter().map(str::trim));
        let done = f(&headers, Origin::Line(line), Raw::Cells(&cells));
        spare = recycle(cells);
        done.map_err(Stopped::Exit)?;
    }
    Ok(())
}

/// An empty vector of cells of another lifetime with the same allocation (the cells of one row
/// borrow that row; the vector is used again for the next).
fn recycle<'b>(mut cells: Vec<&str>) -> Vec<&'b str> {
    cells.clear();
    cells.into_iter().map(|_| "").collect()
}

const NOT_AN_ARRAY: &str =
    "expected a JSON array of objects (or use `.jsonl` for one object per line)";

/// The items of a top-level JSON array, each handed to `f` as it is read.
struct Items<'a, F> {
    f: &'a mut F,
    stop: Option<u8>,
}

impl<'de, F> serde::de::DeserializeSeed<'de> for &mut Items<'_, F>
where
    F: FnMut(&[&str], Origin, Raw<'_>) -> Result<(), u8>,
{
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, F> serde::de::Visitor<'de> for &mut Items<'_, F>
where
    F: FnMut(&[&str], Origin, Raw<'_>) -> Result<(), u8>,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(NOT_AN_ARRAY)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut n = 0usize;
        while let Some(item) = seq.next_element_seed(leadrail_core::json::Strict::top())? {
            n += 1;
            if let Err(code) = (self.f)(&[], Origin::Item(n), Raw::Json(&item)) {
                self.stop = Some(code);
                return Err(serde::de::Error::custom("stopped"));
            }
        }
        Ok(())
    }
}
