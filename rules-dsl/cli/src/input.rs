//! Reading host data files for the CLI: CSV (with a header row), JSON (an array of objects) and
//! JSON lines (`.jsonl` / `.ndjson`, one object per line). Every record keeps where it came
//! from, so an error can name the file and the line (or the position in a JSON array).

use std::fmt;
use std::path::{Path, PathBuf};

/// Where a record came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A 1-based line of a CSV or JSON-lines file.
    Line(u64),
    /// A 1-based position in a JSON array.
    Item(usize),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Line(n) => write!(f, "{n}"),
            Origin::Item(n) => write!(f, "item {n}"),
        }
    }
}

/// One raw record of a data file.
#[derive(Debug, Clone)]
pub enum Raw {
    /// A CSV row: its cells, in header order.
    Cells(Vec<String>),
    /// A JSON object.
    Json(serde_json::Value),
}

/// A data file read into raw records.
#[derive(Debug)]
pub struct DataFile {
    /// CSV headers (empty for JSON).
    pub headers: Vec<String>,
    /// The records with their origin.
    pub records: Vec<(Origin, Raw)>,
}

/// An error reading a data file (before any record is interpreted).
#[derive(Debug)]
pub struct ReadError {
    /// The file.
    pub path: PathBuf,
    /// The line, if known.
    pub line: Option<u64>,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// The format of a data file, from its extension (`.csv`, `.json`, `.jsonl`, `.ndjson`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// A JSON array of objects.
    Json,
    /// One JSON object per line.
    JsonLines,
}

impl Format {
    /// The format of `path` by extension; `None` if it is not one of the known ones.
    pub fn of(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "jsonl" | "ndjson" => Some(Format::JsonLines),
            _ => None,
        }
    }
}

/// Why [`each`] stopped early.
#[derive(Debug)]
pub enum Stopped {
    /// The file could not be read (or is malformed as a whole).
    Read(ReadError),
    /// The callback asked to stop, with this exit code.
    Exit(u8),
}

impl From<ReadError> for Stopped {
    fn from(e: ReadError) -> Stopped {
        Stopped::Read(e)
    }
}

/// Read a data file into raw records (all of them in memory; see [`each`] to stream).
pub fn read(path: &Path) -> Result<DataFile, ReadError> {
    let mut file = DataFile {
        headers: Vec::new(),
        records: Vec::new(),
    };
    let headers = &mut file.headers;
    let records = &mut file.records;
    let done = each(path, |h, origin, raw| {
        if headers.is_empty() && !h.is_empty() {
            *headers = h.to_vec();
        }
        records.push((origin, raw));
        Ok(())
    });
    match done {
        Ok(()) => Ok(file),
        Err(Stopped::Read(e)) => Err(e),
        Err(Stopped::Exit(_)) => Err(ReadError {
            path: path.to_path_buf(),
            line: None,
            message: "reading stopped".into(),
        }),
    }
}

/// Reads a data file record by record, calling `f` with the CSV headers (empty for JSON), the
/// record's origin and the record, without holding the file or its records in memory. `f`
/// returns `Err(code)` to stop (e.g. when the output cannot be written).
pub fn each(
    path: &Path,
    mut f: impl FnMut(&[String], Origin, Raw) -> Result<(), u8>,
) -> Result<(), Stopped> {
    let err = |line: Option<u64>, message: String| ReadError {
        path: path.to_path_buf(),
        line,
        message,
    };
    let format = Format::of(path).ok_or_else(|| {
        err(
            None,
            "unknown data format: use a `.csv`, `.json`, `.jsonl` or `.ndjson` file".to_string(),
        )
    })?;
    let file = std::fs::File::open(path).map_err(|e| err(None, format!("cannot read: {e}")))?;
    let mut reader = std::io::BufReader::with_capacity(1 << 16, file);
    // a UTF-8 byte order mark (Windows editors write one) is not part of the data
    {
        use std::io::BufRead as _;
        let start = reader
            .fill_buf()
            .map_err(|e| err(None, format!("cannot read: {e}")))?;
        if start.starts_with(b"\xEF\xBB\xBF") {
            reader.consume(3);
        }
    }
    match format {
        Format::Csv => {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(true)
                .trim(csv::Trim::All)
                .from_reader(reader);
            let headers: Vec<String> = reader
                .headers()
                .map_err(|e| err(Some(1), format!("cannot read the header row: {e}")))?
                .iter()
                .map(str::to_string)
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
            let mut row = csv::StringRecord::new();
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
                f(
                    &headers,
                    Origin::Line(line),
                    Raw::Cells(row.iter().map(str::to_string).collect()),
                )
                .map_err(Stopped::Exit)?;
            }
        }
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
        }
        Format::JsonLines => {
            use std::io::BufRead as _;
            let mut line = String::new();
            let mut n = 0u64;
            loop {
                line.clear();
                let read = reader
                    .read_line(&mut line)
                    .map_err(|e| err(Some(n + 1), format!("cannot read: {e}")))?;
                if read == 0 {
                    break;
                }
                n += 1;
                if line.trim().is_empty() {
                    continue;
                }
                let value = leadrail_core::json::from_str(&line)
                    .map_err(|e| err(Some(n), format!("invalid JSON: {e}")))?;
                f(&[], Origin::Line(n), Raw::Json(value)).map_err(Stopped::Exit)?;
            }
        }
    }
    Ok(())
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
    F: FnMut(&[String], Origin, Raw) -> Result<(), u8>,
{
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, F> serde::de::Visitor<'de> for &mut Items<'_, F>
where
    F: FnMut(&[String], Origin, Raw) -> Result<(), u8>,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(NOT_AN_ARRAY)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut n = 0usize;
        while let Some(item) = seq.next_element_seed(leadrail_core::json::Strict::top())? {
            n += 1;
            if let Err(code) = (self.f)(&[], Origin::Item(n), Raw::Json(item)) {
                self.stop = Some(code);
                return Err(serde::de::Error::custom("stopped"));
            }
        }
        Ok(())
    }
}
