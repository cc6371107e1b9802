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
    /// The file's path as given.
    pub path: PathBuf,
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

/// Read a data file into raw records.
pub fn read(path: &Path) -> Result<DataFile, ReadError> {
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
    let text = std::fs::read_to_string(path).map_err(|e| err(None, format!("cannot read: {e}")))?;
    let mut file = DataFile {
        path: path.to_path_buf(),
        headers: Vec::new(),
        records: Vec::new(),
    };
    match format {
        Format::Csv => {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(true)
                .trim(csv::Trim::All)
                .from_reader(text.as_bytes());
            file.headers = reader
                .headers()
                .map_err(|e| err(Some(1), format!("cannot read the header row: {e}")))?
                .iter()
                .map(str::to_string)
                .collect();
            if file.headers.iter().all(|h| h != "id") {
                return Err(err(
                    Some(1),
                    "the header row has no `id` column: every record needs an id".to_string(),
                ));
            }
            for row in reader.records() {
                let row = row.map_err(|e| {
                    let line = e.position().map(|p| p.line());
                    err(line, format!("malformed CSV row: {e}"))
                })?;
                let line = row.position().map_or(0, |p| p.line());
                file.records.push((
                    Origin::Line(line),
                    Raw::Cells(row.iter().map(str::to_string).collect()),
                ));
            }
        }
        Format::Json => {
            let value: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| err(Some(e.line() as u64), format!("invalid JSON: {e}")))?;
            let serde_json::Value::Array(items) = value else {
                return Err(err(
                    None,
                    "expected a JSON array of objects (or use `.jsonl` for one object per line)"
                        .to_string(),
                ));
            };
            for (i, item) in items.into_iter().enumerate() {
                file.records.push((Origin::Item(i + 1), Raw::Json(item)));
            }
        }
        Format::JsonLines => {
            for (i, line) in text.lines().enumerate() {
                let n = i as u64 + 1;
                if line.trim().is_empty() {
                    continue;
                }
                let value: serde_json::Value = serde_json::from_str(line)
                    .map_err(|e| err(Some(n), format!("invalid JSON: {e}")))?;
                file.records.push((Origin::Line(n), Raw::Json(value)));
            }
        }
    }
    Ok(file)
}
