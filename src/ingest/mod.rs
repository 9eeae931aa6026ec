//! CSV and JSONL readers for `opsdeck import`: each row is validated into a
//! domain row, and every problem carries file, line and field.

pub mod fields;
pub mod pipeline;
mod stream;

pub use fields::parse_time;

use crate::domain::flow::WorkItem;
use crate::store::feedback::FeedbackRow;
use std::collections::HashMap;
use std::fmt;
use std::io::{BufRead, BufReader, Read};
use stream::{LineCounter, SkipBom};

/// Longest line accepted, in bytes (a longer one is an error, not a hang).
pub(crate) const MAX_LINE_BYTES: usize = 1 << 20;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// Indicator values: `indicator,at,value[,note]`.
    Observations,
    /// Orders, tickets and tasks with their times and outcome.
    WorkItems,
    /// Customer feedback responses with their 1–5 scores.
    Feedback,
}

impl ImportKind {
    /// The columns of this kind: `(name, required)`.
    pub fn columns(self) -> &'static [(&'static str, bool)] {
        match self {
            ImportKind::Observations => &[
                ("indicator", true),
                ("at", true),
                ("value", true),
                ("note", false),
                ("id", false),
            ],
            ImportKind::WorkItems => &[
                ("kind", true),
                ("external_id", true),
                ("customer", false),
                ("segment", false),
                ("opened_at", true),
                ("promised_at", false),
                ("closed_at", false),
                ("outcome", false),
                ("satisfaction", false),
            ],
            ImportKind::Feedback => &[
                ("at", true),
                ("ease", true),
                ("reliability", true),
                ("value", true),
                ("channel", false),
                ("segment", false),
                ("customer", false),
                ("comment", false),
            ],
        }
    }

    /// Guesses the kind from column names: `indicator` means observations,
    /// `external_id` work items, `ease` feedback.
    pub fn guess(columns: &[String]) -> Option<ImportKind> {
        let has = |c: &str| columns.iter().any(|x| x == c);
        if has("indicator") {
            Some(ImportKind::Observations)
        } else if has("external_id") {
            Some(ImportKind::WorkItems)
        } else if has("ease") {
            Some(ImportKind::Feedback)
        } else {
            None
        }
    }

    /// The word used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Observations => "observations",
            ImportKind::WorkItems => "work-items",
            ImportKind::Feedback => "feedback",
        }
    }
}

/// File format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// JSON Lines: one object per line.
    Jsonl,
}

impl Format {
    /// From a file name's extension: `.jsonl`/`.ndjson`/`.json` is JSONL,
    /// anything else CSV.
    pub(crate) fn from_path(path: &str) -> Format {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") || lower.ends_with(".json") {
            Format::Jsonl
        } else {
            Format::Csv
        }
    }
}

/// A problem with one row (or the whole file, on line 1 or 0).
#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    /// The file as named on the command line (`stdin` for `-`).
    pub file: String,
    /// Line number in the file, 1-based; 0 or 1 when the problem is the whole file.
    pub line: u64,
    /// The column, or empty when the problem is the line itself.
    pub field: String,
    /// What is wrong, in one line.
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = crate::text::sanitize(&self.file);
        let reason = crate::text::sanitize(&self.reason);
        if self.field.is_empty() {
            write!(f, "{file}:{}: {reason}", self.line)
        } else {
            write!(
                f,
                "{file}:{}: {}: {reason}",
                self.line,
                crate::text::sanitize_truncate(&self.field, 60)
            )
        }
    }
}

/// One valid row.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    /// A value for an indicator.
    Observation {
        /// Row id of the indicator named in the row.
        indicator_id: i64,
        /// When it was measured (unix seconds, UTC).
        at: i64,
        /// The value, in the indicator's unit (finite).
        value: f64,
        /// Note kept with the value; `None` without one.
        note: Option<String>,
        /// The row's own identity (`id` column), idempotent across files.
        id: Option<String>,
    },
    /// An order, ticket or task.
    WorkItem(WorkItem),
    /// A feedback response.
    Feedback(FeedbackRow),
}

/// How a data source's fields become import columns, applied by the reader
/// itself so a source's text goes through the import with no copy: a field
/// named in `rename` is read as that column, a field that is no import
/// column is ignored (a source's rows may carry more than opsdeck needs),
/// and each of `constants` sets its column on every row (overriding a
/// fetched field of the same name).
#[derive(Debug, Clone, Copy)]
pub struct FieldMap<'a> {
    /// Fetched field → import column.
    pub rename: &'a std::collections::BTreeMap<String, String>,
    /// Import column → the value every row gets.
    pub constants: &'a std::collections::BTreeMap<String, String>,
}

impl FieldMap<'_> {
    /// The column a fetched field is read as.
    fn column<'k>(&'k self, field: &'k str) -> &'k str {
        self.rename.get(field).map(String::as_str).unwrap_or(field)
    }
}

/// A streaming reader of one import file.
pub struct ImportReader<'a> {
    file: String,
    kind: ImportKind,
    indicators: &'a HashMap<String, i64>,
    /// The work kinds the operation defines; a work item of another kind is
    /// a bad row. `None`: not checked.
    work_kinds: Option<&'a [String]>,
    source: Source,
    /// Column index of each of `kind.columns()`, when present.
    slots: Vec<Option<usize>>,
    line: u64,
    /// Data lines seen so far, good or bad (blank lines do not count).
    rows: u64,
    done: bool,
    /// Columns in the CSV header.
    width: usize,
    /// A data source's renames and constants; `None` for a file.
    fields: Option<FieldMap<'a>>,
}

enum Source {
    Csv(csv::Reader<LineCounter<Box<dyn Read>>>, csv::ByteRecord),
    Jsonl(BufReader<Box<dyn Read>>, Vec<u8>),
}

impl<'a> ImportReader<'a> {
    /// Opens a reader over `input`. Reads the header (CSV) now, so a file
    /// with unknown or missing columns fails before any row. `kind` `None`
    /// guesses from the columns (CSV) or the first object's keys (JSONL).
    pub fn new(
        file: &str,
        input: Box<dyn Read>,
        format: Format,
        kind: Option<ImportKind>,
        indicators: &'a HashMap<String, i64>,
    ) -> Result<(ImportReader<'a>, ImportKind), RowError> {
        ImportReader::new_mapped(file, input, format, kind, indicators, None)
    }

    /// [`ImportReader::new`] for a data source's text: `fields` renames,
    /// ignores and adds fields as [`FieldMap`] says.
    pub fn new_mapped(
        file: &str,
        input: Box<dyn Read>,
        format: Format,
        kind: Option<ImportKind>,
        indicators: &'a HashMap<String, i64>,
        fields: Option<FieldMap<'a>>,
    ) -> Result<(ImportReader<'a>, ImportKind), RowError> {
        let err = |line: u64, field: &str, reason: String| RowError {
            file: file.to_string(),
            line,
            field: field.to_string(),
            reason,
        };
        let input: Box<dyn Read> = Box::new(SkipBom::new(input));
        match format {
            Format::Csv => {
                let mut rdr = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .from_reader(LineCounter::new(input, MAX_LINE_BYTES as u64));
                let mut header = csv::ByteRecord::new();
                let got = rdr
                    .read_byte_record(&mut header)
                    .map_err(|e| err(1, "", csv_reason(&e)))?;
                let end = rdr.position().byte();
                rdr.get_mut().start_record(end);
                if !got || header.iter().all(|f| f.is_empty()) {
                    return Err(err(
                        1,
                        "",
                        "empty file: expected a header line naming the columns".into(),
                    ));
                }
                let line = record_line(&mut rdr, &header);
                if header.as_slice().len() > MAX_LINE_BYTES {
                    let reason = format!("line longer than {} bytes", MAX_LINE_BYTES);
                    return Err(err(line, "", reason));
                }
                let mut names = Vec::new();
                for f in header.iter() {
                    let name = std::str::from_utf8(f)
                        .map_err(|_| err(line, "", "the header is not valid UTF-8".into()))?;
                    let name = match &fields {
                        Some(m) => m.column(name.trim()).to_string(),
                        None => name.trim().to_string(),
                    };
                    names.push(name.to_ascii_lowercase());
                }
                let kind = match kind.or_else(|| ImportKind::guess(&names)) {
                    Some(k) => k,
                    None => return Err(err(line, "", "cannot tell what the file holds: pass --kind observations|work-items|feedback".into())),
                };
                let slots = match &fields {
                    None => map_columns(&names, kind),
                    Some(m) => map_source_columns(&names, kind, m),
                }
                .map_err(|(field, reason)| err(line, &field, reason))?;
                let reader = ImportReader {
                    file: file.to_string(),
                    kind,
                    indicators,
                    work_kinds: None,
                    source: Source::Csv(rdr, csv::ByteRecord::new()),
                    slots,
                    line,
                    rows: 0,
                    done: false,
                    width: names.len(),
                    fields,
                };
                Ok((reader, kind))
            }
            Format::Jsonl => {
                let mut buf = BufReader::with_capacity(1 << 16, input);
                let kind = match kind {
                    Some(k) => k,
                    None => {
                        // Peek at the first object's keys: read the whole
                        // first line (one read may return only part of it,
                        // e.g. the 3 bytes SkipBom held back, or a pipe's
                        // first chunk), bounded, then put it back in front.
                        let mut first = Vec::new();
                        std::io::Read::take(&mut buf, MAX_LINE_BYTES as u64 + 1)
                            .read_until(b'\n', &mut first)
                            .map_err(|e| err(1, "", e.to_string()))?;
                        let rest: Box<dyn Read> =
                            Box::new(std::io::Cursor::new(first.clone()).chain(buf));
                        buf = BufReader::with_capacity(1 << 16, rest);
                        let first = first.strip_suffix(b"\n").unwrap_or(&first);
                        let keys: Vec<String> = serde_json::from_slice::<
                            serde_json::Map<String, serde_json::Value>,
                        >(first)
                        .map(|m| m.keys().cloned().collect())
                        .unwrap_or_default();
                        ImportKind::guess(&keys).ok_or_else(|| {
                            err(1, "", "cannot tell what the file holds: pass --kind observations|work-items|feedback".into())
                        })?
                    }
                };
                let n = kind.columns().len();
                let reader = ImportReader {
                    file: file.to_string(),
                    kind,
                    indicators,
                    work_kinds: None,
                    source: Source::Jsonl(buf, Vec::new()),
                    slots: (0..n).map(Some).collect(),
                    line: 0,
                    rows: 0,
                    done: false,
                    width: 0,
                    fields,
                };
                Ok((reader, kind))
            }
        }
    }

    fn err(&self, field: &str, reason: impl Into<String>) -> RowError {
        RowError {
            file: self.file.clone(),
            line: self.line,
            field: field.to_string(),
            reason: reason.into(),
        }
    }

    /// Refuses work items of a kind the operation does not define (`kinds`,
    /// the kinds with a capacity), listing the known ones.
    pub(crate) fn with_work_kinds(mut self, kinds: &'a [String]) -> Self {
        self.work_kinds = Some(kinds);
        self
    }

    /// The next row: `None` at the end, `Some(Err)` for a bad row (reading
    /// goes on with the next line).
    pub fn next_row(&mut self) -> Option<Result<Row, RowError>> {
        if self.done {
            return None;
        }
        let kind = self.kind;
        let columns = kind.columns();
        // Gather the row's fields as text, in the order of `columns`.
        let mut values: [Option<String>; 9] = Default::default();
        match &mut self.source {
            Source::Csv(rdr, rec) => loop {
                match rdr.read_byte_record(rec) {
                    Ok(false) => {
                        self.done = true;
                        if self.rows == 0 {
                            self.line += 1;
                            return Some(Err(self.err("", "no data rows after the header")));
                        }
                        return None;
                    }
                    Ok(true) => {
                        self.line = record_line(rdr, rec);
                        let end = rdr.position().byte();
                        let counter = rdr.get_mut();
                        counter.start_record(end);
                        if rec.as_slice().contains(&b'\n') && counter.quotes_odd(end) {
                            // Only the end of the input ends a record inside
                            // a quoted field: the last field's quote is open.
                            self.done = true;
                            self.rows += 1;
                            let inside: u64 = (0..rec.len().saturating_sub(1))
                                .map(|i| rec[i].iter().filter(|b| **b == b'\n').count() as u64)
                                .sum();
                            let began = self.line + inside;
                            let open = format!(
                                "a quoted field that begins on line {began} is never closed"
                            );
                            let reason = if rec.len() != self.width {
                                format!("{} columns where the header has {} ({open}: is a quote left open?)", rec.len(), self.width)
                            } else {
                                format!("{open} (its quote runs to the end of the file: is a quote left open?)")
                            };
                            return Some(Err(self.err("", reason)));
                        }
                        if rec.len() == 1 && rec.get(0).is_some_and(|f| f.is_empty()) {
                            continue; // blank line
                        }
                        self.rows += 1;
                        if rec.as_slice().len() > MAX_LINE_BYTES {
                            return Some(Err(
                                self.err("", format!("line longer than {} bytes", MAX_LINE_BYTES))
                            ));
                        }
                        if rec.len() != self.width {
                            let (want, got) = (self.width, rec.len());
                            let hint = if rec.as_slice().contains(&b'\n') {
                                " (a quoted field runs over several lines here: is a quote left open?)"
                            } else {
                                ""
                            };
                            return Some(Err(self.err(
                                "",
                                format!("{got} columns where the header has {want}{hint}"),
                            )));
                        }
                        for (i, slot) in self.slots.iter().enumerate() {
                            let Some(col) = slot else { continue };
                            let raw = rec.get(*col).unwrap_or(&[]);
                            match std::str::from_utf8(raw) {
                                Ok(s) => {
                                    let s = s.trim();
                                    values[i] = (!s.is_empty()).then(|| s.to_string());
                                }
                                Err(_) => {
                                    return Some(Err(self.err(columns[i].0, "not valid UTF-8")))
                                }
                            }
                        }
                        break;
                    }
                    Err(e) => {
                        if is_too_long(&e) {
                            let counter = rdr.get_mut();
                            let start = counter.record_start();
                            self.line = counter.line_of(start);
                            self.done = true;
                            return Some(Err(self.err("", too_long())));
                        }
                        let at = e.position().map_or(rdr.position().byte(), |p| p.byte());
                        self.line = rdr.get_mut().line_of(at);
                        if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                            self.done = true;
                        }
                        let reason = csv_reason(&e);
                        return Some(Err(self.err("", reason)));
                    }
                }
            },
            Source::Jsonl(rdr, buf) => loop {
                buf.clear();
                let read = (&mut *rdr)
                    .take(MAX_LINE_BYTES as u64 + 1)
                    .read_until(b'\n', buf);
                self.line += 1;
                match read {
                    Ok(0) => {
                        self.done = true;
                        if self.rows == 0 {
                            return Some(Err(self.err("", "empty file: no rows")));
                        }
                        return None;
                    }
                    Ok(_) => {}
                    Err(e) => {
                        self.done = true;
                        return Some(Err(self.err("", e.to_string())));
                    }
                }
                if buf.len() > MAX_LINE_BYTES {
                    // Reading stops: a line without an end (`/dev/zero`)
                    // must not be read for ever.
                    self.done = true;
                    self.rows += 1;
                    return Some(Err(self.err("", too_long())));
                }
                if buf.trim_ascii().is_empty() {
                    continue;
                }
                self.rows += 1;
                let text = match std::str::from_utf8(buf) {
                    Ok(t) => t.trim(),
                    Err(_) => return Some(Err(self.err("", "not valid UTF-8"))),
                };
                let obj = match parse_object(text) {
                    Ok(o) => o,
                    Err((field, reason)) => return Some(Err(self.err(&field, reason))),
                };
                let mut seen = [false; 9];
                for (key, v) in obj {
                    let key = match &self.fields {
                        Some(m) => m.column(&key).to_string(),
                        None => key,
                    };
                    let Some(i) = columns.iter().position(|(c, _)| *c == key) else {
                        if self.fields.is_some() {
                            continue; // a source's extra field
                        }
                        let known: Vec<&str> = columns.iter().map(|c| c.0).collect();
                        return Some(Err(self.err(
                            &key,
                            format!("unknown field (expected: {})", known.join(", ")),
                        )));
                    };
                    if std::mem::replace(&mut seen[i], true) {
                        return Some(Err(self.err(&key, "field appears twice")));
                    }
                    values[i] = match v {
                        serde_json::Value::Null => None,
                        serde_json::Value::String(s) => {
                            let s = s.trim();
                            (!s.is_empty()).then(|| s.to_string())
                        }
                        serde_json::Value::Number(n) => Some(n.to_string()),
                        _ => return Some(Err(self.err(&key, "must be a string or a number"))),
                    };
                }
                break;
            },
        }
        if let Some(m) = &self.fields {
            for (column, value) in m.constants {
                if let Some(i) = columns.iter().position(|(c, _)| c == column) {
                    values[i] = Some(value.trim().to_string());
                }
            }
        }
        let (file, line) = (self.file.as_str(), self.line);
        let row =
            fields::build_row(kind, &values, self.indicators).map_err(|(field, reason)| RowError {
                file: file.to_string(),
                line,
                field: field.to_string(),
                reason,
            });
        if let (Ok(Row::WorkItem(w)), Some(known)) = (&row, self.work_kinds) {
            if !known.contains(&w.kind) {
                let list = if known.is_empty() {
                    "none: define the kind with its capacity first".to_string()
                } else {
                    known.join(", ")
                };
                return Some(Err(self.err(
                    "kind",
                    format!(
                        "unknown work kind '{}' (known: {list})",
                        crate::text::sanitize(&w.kind)
                    ),
                )));
            }
        }
        Some(row)
    }

    /// The current line number (1-based).
    pub fn line(&self) -> u64 {
        self.line
    }
}

/// The line on which `rec`, just read from `rdr`, starts: the line of its
/// last byte less the newlines inside its quoted fields, but never before
/// the line after the previous record (a quote left open to the end of a
/// file makes the file's last newline part of the field).
fn record_line(rdr: &mut csv::Reader<LineCounter<Box<dyn Read>>>, rec: &csv::ByteRecord) -> u64 {
    let last_byte = rdr.position().byte().saturating_sub(1);
    let after_previous = rec
        .position()
        .map_or(0, |p| p.byte())
        .saturating_add(1)
        .min(last_byte);
    let counter = rdr.get_mut();
    let earliest = counter.line_of(after_previous);
    let last = counter.line_of(last_byte);
    let inside = rec.as_slice().iter().filter(|b| **b == b'\n').count() as u64;
    last.saturating_sub(inside).max(earliest)
}

/// Parses one JSONL line as an object. On failure returns the key whose
/// value could not be read (empty when the line itself is wrong) and the
/// reason, so `{"value": 1e400}` is reported against `value`.
fn parse_object(text: &str) -> Result<Vec<(String, serde_json::Value)>, (String, String)> {
    use serde::de::{Deserializer as _, MapAccess, Visitor};

    /// Collects the pairs, remembering the key whose value is being read.
    struct Pairs<'k>(&'k mut Option<String>);

    impl<'de> Visitor<'de> for Pairs<'_> {
        type Value = Vec<(String, serde_json::Value)>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut pairs = Vec::new();
            while let Some(key) = map.next_key::<String>()? {
                *self.0 = Some(key.clone());
                // Numbers keep the text they were written as, so that
                // `fields::parse_number` can refuse what a float would round
                // (`1e-400`); it arrives as a string of that text.
                let raw = map.next_value::<Box<serde_json::value::RawValue>>()?;
                let text = raw.get();
                let value = if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
                    serde_json::Value::String(text.to_string())
                } else {
                    serde_json::from_str(text).map_err(serde::de::Error::custom)?
                };
                *self.0 = None;
                pairs.push((key, value));
            }
            Ok(pairs)
        }
    }

    let mut key = None;
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = de
        .deserialize_map(Pairs(&mut key))
        .and_then(|pairs| de.end().map(|()| pairs));
    parsed.map_err(|e| match key {
        Some(k) => (k, strip_json_position(&e)),
        None => (
            String::new(),
            format!(
                "not a JSON object: {}{}",
                strip_json_position(&e),
                if looks_like_csv(text) {
                    " (the line looks like CSV: give the format as csv)"
                } else {
                    ""
                }
            ),
        ),
    })
}

/// True for a line that is no JSON object but reads like a CSV record: a
/// header such as `indicator,at,value` fed to the JSON Lines reader.
fn looks_like_csv(line: &str) -> bool {
    let t = line.trim_start();
    !t.starts_with(['{', '[', '"']) && t.contains(',')
}

/// True for the read error of a record over [`MAX_LINE_BYTES`].
fn is_too_long(e: &csv::Error) -> bool {
    matches!(e.kind(), csv::ErrorKind::Io(io) if io.to_string() == stream::TOO_LONG)
}

fn too_long() -> String {
    format!("line longer than {MAX_LINE_BYTES} bytes: the record is refused while it is read, and nothing after it was read (is a quote left open?)")
}

fn csv_reason(e: &csv::Error) -> String {
    if is_too_long(e) {
        return too_long();
    }
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "not valid UTF-8".into(),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("{len} columns where the header has {expected_len}")
        }
        csv::ErrorKind::Io(io) => format!("cannot read: {io}"),
        _ => "malformed CSV (check the quotes)".into(),
    }
}

fn strip_json_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.find(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// [`map_columns`] for a data source's header: fields that are no import
/// column are ignored, and a column set by a constant is there (its value
/// comes from the constant).
fn map_source_columns(
    names: &[String],
    kind: ImportKind,
    fields: &FieldMap<'_>,
) -> Result<Vec<Option<usize>>, (String, String)> {
    let columns = kind.columns();
    let known: Vec<String> = names
        .iter()
        .filter(|n| columns.iter().any(|(c, _)| c == n))
        .cloned()
        .collect();
    let kept: Vec<String> = known
        .iter()
        .cloned()
        .chain(
            fields
                .constants
                .keys()
                .filter(|k| !known.contains(k))
                .cloned(),
        )
        .collect();
    map_columns(&kept, kind)?;
    let mut slots = vec![None; columns.len()];
    for (k, (c, _)) in columns.iter().enumerate() {
        if let Some(i) = names.iter().position(|n| n == c) {
            if names.iter().filter(|n| *n == c).count() > 1 {
                return Err((c.to_string(), "column appears twice".into()));
            }
            slots[k] = Some(i);
        }
    }
    Ok(slots)
}

/// Maps header names to the kind's columns: unknown or repeated columns and
/// missing required ones are errors naming the column.
fn map_columns(names: &[String], kind: ImportKind) -> Result<Vec<Option<usize>>, (String, String)> {
    let columns = kind.columns();
    let mut slots = vec![None; columns.len()];
    for (i, name) in names.iter().enumerate() {
        match columns.iter().position(|(c, _)| c == name) {
            Some(k) if slots[k].is_some() => {
                return Err((name.clone(), "column appears twice".into()))
            }
            Some(k) => slots[k] = Some(i),
            None => {
                let known: Vec<&str> = columns.iter().map(|c| c.0).collect();
                return Err((
                    name.clone(),
                    format!(
                        "unknown column for {} (expected: {})",
                        kind.as_str(),
                        known.join(", ")
                    ),
                ));
            }
        }
    }
    for (k, (name, required)) in columns.iter().enumerate() {
        if *required && slots[k].is_none() {
            return Err((
                name.to_string(),
                "required column missing from the header".into(),
            ));
        }
    }
    Ok(slots)
}
