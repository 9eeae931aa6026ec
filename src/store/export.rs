//! Export of every table as JSON Lines, and the restore of such an export
//! into a new database.
//!
//! The format: a header line `{"table":"_opsdeck_export","format":2,
//! "schema_version":N,"exported_at":T}`, then one object per row with a
//! `table` field and one field per column. Integers are JSON integers, reals
//! are JSON numbers with a fraction or exponent (`5.0`), text is a string,
//! NULL is `null`; a blob is `{"$blob":"<hex>"}` and a non-finite real
//! `{"$real":"inf"}`. Tables are written in name order, rows in rowid (or
//! primary key) order, all from one read snapshot. The export is generic: a
//! table added by a later migration is exported without changes here.
//!
//! The last line is the trailer `{"table":"_opsdeck_export_end","rows":
//! {TABLE: N, ...},"sha256":HEX}`: the rows written per table and the
//! SHA-256 of every byte before the trailer. A restore refuses a file whose
//! trailer is missing (a cut export), whose counts differ or whose checksum
//! does not match, and anything after the trailer.

use super::{audit, Result, Store, Tx, SCHEMA_VERSION};
use crate::domain::Timestamp;
use crate::store::db::{Conn as Connection, Row};
use rusqlite::types::Value as Sql;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::io::{BufRead, Write};

/// The `table` value of the header line.
pub(crate) const HEADER_TABLE: &str = "_opsdeck_export";
/// The `table` value of the trailer line.
pub(crate) const TRAILER_TABLE: &str = "_opsdeck_export_end";
/// The version of the export format (2: with the trailer).
pub(crate) const EXPORT_FORMAT: i64 = 2;

/// A writer that hashes what passes through it.
struct Hashing<'a> {
    inner: &'a mut dyn Write,
    hash: sha2::Sha256,
}

impl Write for Hashing<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Rows written or restored, per table.
pub(crate) type TableCounts = BTreeMap<String, u64>;

/// One row as a JSON object, column by column (see the module docs).
pub(crate) fn row_to_json(row: &Row<'_>, names: &[String]) -> rusqlite::Result<Map<String, Value>> {
    let mut out = Map::new();
    for (i, name) in names.iter().enumerate() {
        let v = match row.value(i)? {
            Sql::Null => Value::Null,
            Sql::Integer(n) => Value::from(n),
            Sql::Real(f) => match serde_json::Number::from_f64(f) {
                Some(n) => Value::Number(n),
                None => {
                    serde_json::json!({ "$real": if f.is_nan() { "nan" } else if f > 0.0 { "inf" } else { "-inf" } })
                }
            },
            Sql::Text(t) => Value::String(t),
            Sql::Blob(b) => {
                let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
                serde_json::json!({ "$blob": hex })
            }
        };
        out.insert(name.clone(), v);
    }
    Ok(out)
}

/// A JSON value back into an SQLite value; `None` for a shape the export
/// never writes.
fn json_to_sql(v: &Value) -> Option<rusqlite::types::Value> {
    Some(match v {
        Value::Null => Sql::Null,
        Value::Bool(b) => Sql::Integer(i64::from(*b)),
        Value::Number(n) if n.is_i64() => Sql::Integer(n.as_i64()?),
        Value::Number(n) => Sql::Real(n.as_f64()?),
        Value::String(s) => Sql::Text(s.clone()),
        Value::Object(o) if o.len() == 1 => match (o.get("$blob"), o.get("$real")) {
            (Some(Value::String(hex)), _) => Sql::Blob(from_hex(hex)?),
            (_, Some(Value::String(r))) => Sql::Real(match r.as_str() {
                "inf" => f64::INFINITY,
                "-inf" => f64::NEG_INFINITY,
                "nan" => f64::NAN,
                _ => return None,
            }),
            _ => return None,
        },
        _ => return None,
    })
}

fn from_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A user table: its name and whether it has a rowid.
struct TableInfo {
    name: String,
    rowid: bool,
}

/// The ordinary tables of the schema (no `sqlite_` internals, no virtual
/// tables), by name.
fn tables(conn: &Connection) -> Result<Vec<TableInfo>> {
    if conn.is_pg() {
        // PostgreSQL: the tables that have a rowid in SQLite carry a
        // generated `rowid` column (see the baseline), which orders them
        // the same way.
        let mut out = Vec::new();
        for name in conn.tables()? {
            let rowid: i64 = conn.query_row(
                "SELECT count(*) FROM information_schema.columns
                  WHERE table_schema = current_schema() AND table_name = ?1 AND column_name = 'rowid'",
                [&name],
                |r| r.get(0),
            )?;
            out.push(TableInfo {
                name,
                rowid: rowid > 0,
            });
        }
        return Ok(out);
    }
    let mut stmt = conn.prepare(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
            AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name",
    )?;
    let rows = stmt.query_map([], |r| {
        let sql: String = r.get(1)?;
        Ok(TableInfo {
            name: r.get(0)?,
            rowid: !sql.to_ascii_uppercase().contains("WITHOUT ROWID"),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The primary key's columns of a table without a rowid, in key order:
/// what orders its rows in an export on either engine.
fn key_columns(conn: &Connection, table: &str) -> Result<Vec<String>> {
    let sql = if conn.is_pg() {
        "SELECT k.column_name::text FROM information_schema.table_constraints c
           JOIN information_schema.key_column_usage k
             ON k.constraint_name = c.constraint_name AND k.table_name = c.table_name
            AND k.table_schema = c.table_schema
          WHERE c.table_schema = current_schema() AND c.table_name = ?1
            AND c.constraint_type = 'PRIMARY KEY'
          ORDER BY k.ordinal_position"
    } else {
        "SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk"
    };
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([table], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// An identifier from the schema, double-quoted for SQL.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The columns of a schema table, in order.
fn columns(conn: &Connection, table: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!("PRAGMA table_info({})", quoted(table)))?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(1))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Store {
    /// Writes every table as JSON Lines to `out` from one consistent read
    /// snapshot; returns the rows written per table.
    pub(crate) fn export_jsonl(
        &self,
        out: &mut dyn Write,
        now: Timestamp,
    ) -> anyhow::Result<TableCounts> {
        use sha2::Digest;
        let _snapshot = self.read_tx()?;
        let tx = self.conn();
        let mut out = Hashing {
            inner: out,
            hash: sha2::Sha256::new(),
        };
        let out = &mut out;
        let header = serde_json::json!({
            "table": HEADER_TABLE,
            "format": EXPORT_FORMAT,
            "schema_version": self.schema_version()?,
            "exported_at": now,
        });
        writeln!(out, "{header}")?;
        let mut counts = TableCounts::new();
        for t in tables(tx)? {
            let order = if t.rowid {
                " ORDER BY rowid".to_string()
            } else {
                let key = key_columns(tx, &t.name)?;
                if key.is_empty() {
                    String::new()
                } else {
                    format!(
                        " ORDER BY {}",
                        key.iter().map(|k| quoted(k)).collect::<Vec<_>>().join(", ")
                    )
                }
            };
            let names = tx.columns(&t.name)?;
            let mut stmt = tx.prepare(&format!(
                "SELECT {} FROM {}{order}",
                names
                    .iter()
                    .map(|n| quoted(n))
                    .collect::<Vec<_>>()
                    .join(", "),
                quoted(&t.name)
            ))?;
            if names.iter().any(|n| n == "table") {
                anyhow::bail!(
                    "table {} has a column named 'table', which the export format reserves",
                    t.name
                );
            }
            let mut rows = stmt.query([])?;
            let mut n = 0u64;
            while let Some(row) = rows.next()? {
                let mut obj = Map::new();
                obj.insert("table".into(), Value::String(t.name.clone()));
                obj.extend(row_to_json(&row, &names)?);
                crate::text::write_json_escaped(out, &Value::Object(obj))?;
                writeln!(out)?;
                n += 1;
            }
            counts.insert(t.name, n);
        }
        let sum = hex(&std::mem::take(&mut out.hash).finalize());
        let trailer = serde_json::json!({
            "table": TRAILER_TABLE,
            "rows": counts,
            "sha256": sum,
        });
        writeln!(out.inner, "{trailer}")?;
        out.flush()?;
        drop(_snapshot);
        Ok(counts)
    }

    /// Replaces the content of every table with the rows of an export read
    /// from `input`, in one transaction: any bad line rejects the whole file
    /// (reported as `LABEL:LINE: reason`) and nothing is written. Meant for a
    /// new database (the command refuses an existing file). Triggers (such as
    /// the append-only guards) are set aside while the tables are refilled
    /// and put back before the commit; foreign keys are checked at the end.
    ///
    /// Every restored row is marked: a `restores` row (file, time, OS login
    /// and uid of `by`) and, per table, the highest rowid restored.
    pub(crate) fn restore_jsonl(
        &mut self,
        input: &mut dyn BufRead,
        label: &str,
        now: Timestamp,
        by: &RestoredBy,
    ) -> anyhow::Result<TableCounts> {
        self.write(|tx| restore_in(tx, input, label, now, by))
    }

    /// The restores that rebuilt this database, oldest first.
    pub fn restores(&self) -> Result<Vec<RestoreMark>> {
        let mut stmt = self.conn().prepare(
            "SELECT r.id, r.at, r.file, r.login, r.uid, r.actor, ifnull(sum(x.rows), 0)
               FROM restores r LEFT JOIN restored_rows x ON x.restore_id = r.id
              GROUP BY r.id ORDER BY r.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(RestoreMark {
                id: r.get(0)?,
                at: r.get(1)?,
                file: r.get(2)?,
                login: r.get(3)?,
                uid: r.get(4)?,
                actor: r.get(5)?,
                rows: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The latest restore that wrote row `rowid` of `table`, or `None` for
    /// a row written by opsdeck itself (lived history).
    pub fn restored_row(&self, table: &str, rowid: i64) -> Result<Option<RestoreMark>> {
        let id: Option<i64> = self.conn().query_row(
            "SELECT max(restore_id) FROM restored_rows WHERE table_name = ?1 AND max_rowid >= ?2",
            rusqlite::params![table, rowid],
            |r| r.get(0),
        )?;
        Ok(match id {
            Some(id) => self.restores()?.into_iter().find(|m| m.id == id),
            None => None,
        })
    }
}

/// Who ran a restore: the OS login and uid (not `--as`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RestoredBy {
    /// The export file as recorded (its canonical path, or `stdin`).
    pub file: String,
    /// The OS login that ran it.
    pub login: String,
    /// That login's uid.
    pub uid: u32,
}

/// One restore of the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreMark {
    /// Row id of the mark.
    pub id: i64,
    /// When the restore ran (unix seconds, UTC).
    pub at: Timestamp,
    /// The export file restored from (canonical path, or `stdin`).
    pub file: String,
    /// The OS login that ran it.
    pub login: String,
    /// That login's uid.
    pub uid: i64,
    /// The acting name (`--as`, or the login).
    pub actor: String,
    /// Rows the restore wrote, all tables together.
    pub rows: i64,
}

/// Records the restore just done and the highest rowid it wrote per table
/// (every table with a rowid; before the restore's own audit row).
fn mark_restored(tx: &Tx<'_>, now: Timestamp, by: &RestoredBy) -> Result<()> {
    tx.execute(
        "INSERT INTO restores (at, file, login, uid, actor) VALUES (?1, ?2, ?3, ?4, ?5)",
        rusqlite::params![now, by.file, by.login, by.uid, tx.actor],
    )?;
    let id = tx.last_insert_rowid();
    for t in tables(tx)? {
        if !t.rowid || t.name == "restores" || t.name == "restored_rows" {
            continue;
        }
        let q = quoted(&t.name);
        let (max, rows): (Option<i64>, i64) =
            tx.query_row(&format!("SELECT max(rowid), count(*) FROM {q}"), [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        if let Some(max) = max {
            tx.execute(
                "INSERT INTO restored_rows (restore_id, table_name, max_rowid, rows) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![id, t.name, max, rows],
            )?;
        }
    }
    Ok(())
}

fn restore_in(
    tx: &Tx<'_>,
    input: &mut dyn BufRead,
    label: &str,
    now: Timestamp,
    by: &RestoredBy,
) -> anyhow::Result<TableCounts> {
    let at = |line: u64, msg: String| anyhow::anyhow!("{label}:{line}: {msg}");
    tx.execute_batch("PRAGMA defer_foreign_keys = ON")?;
    let schema: BTreeMap<String, Vec<String>> = tables(tx)?
        .into_iter()
        .map(|t| columns(tx, &t.name).map(|c| (t.name, c)))
        .collect::<Result<_>>()?;
    let triggers: Vec<(String, String)> = {
        let mut stmt = tx.prepare(
            "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND sql IS NOT NULL",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (name, _) in &triggers {
        tx.execute_batch(&format!("DROP TRIGGER {}", quoted(name)))?;
    }
    for table in schema.keys() {
        tx.execute_batch(&format!("DELETE FROM {}", quoted(table)))?;
    }
    use sha2::Digest;
    let mut counts = TableCounts::new();
    let mut line_no = 0u64;
    let mut line = String::new();
    let mut hash = sha2::Sha256::new();
    let mut trailer: Option<(u64, Map<String, Value>)> = None;
    loop {
        line.clear();
        if input
            .read_line(&mut line)
            .map_err(|e| at(line_no + 1, format!("cannot read: {e}")))?
            == 0
        {
            break;
        }
        line_no += 1;
        if line.trim().is_empty() {
            if trailer.is_none() {
                hash.update(line.as_bytes());
            }
            continue;
        }
        if trailer.is_some() {
            return Err(at(line_no, "a line after the export's end line".into()));
        }
        let mut obj: Map<String, Value> = serde_json::from_str(&line)
            .map_err(|e| at(line_no, format!("not a JSON object: {e}")))?;
        let table = match obj.remove("table") {
            Some(Value::String(t)) => t,
            _ => return Err(at(line_no, "no \"table\" field".into())),
        };
        if table == TRAILER_TABLE && line_no > 1 {
            trailer = Some((line_no, obj));
            continue;
        }
        hash.update(line.as_bytes());
        if line_no == 1 {
            check_header(&table, &obj).map_err(|m| at(line_no, m))?;
            continue;
        }
        let Some(cols) = schema.get(&table) else {
            return Err(at(
                line_no,
                format!(
                    "unknown table '{}'",
                    crate::text::sanitize_truncate(&table, 40)
                ),
            ));
        };
        if let Some(extra) = obj.keys().find(|k| !cols.contains(k)) {
            return Err(at(
                line_no,
                format!(
                    "table {table} has no column '{}'",
                    crate::text::sanitize_truncate(extra, 40)
                ),
            ));
        }
        let mut names = Vec::new();
        let mut values = Vec::new();
        for c in cols {
            if let Some(v) = obj.get(c) {
                let sql = json_to_sql(v)
                    .ok_or_else(|| at(line_no, format!("column {c}: unexpected value {v}")))?;
                names.push(quoted(c));
                values.push(sql);
            }
        }
        let marks = vec!["?"; names.len()].join(", ");
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({marks})",
            quoted(&table),
            names.join(", ")
        );
        tx.prepare_cached(&sql)?
            .execute(crate::store::db::params_from_iter(values))
            .map_err(|e| at(line_no, format!("table {table}: {e}")))?;
        *counts.entry(table).or_default() += 1;
    }
    if line_no == 0 {
        anyhow::bail!("{label}: the file is empty; expected an opsdeck export");
    }
    let Some((end_line, end)) = trailer else {
        anyhow::bail!(
            "{label}: the export has no end line ({TRAILER_TABLE}): it was cut short or is not a whole opsdeck export; nothing was restored"
        );
    };
    let sum = hex(&hash.finalize());
    if end.get("sha256").and_then(Value::as_str) != Some(sum.as_str()) {
        return Err(at(
            end_line,
            "the checksum does not match the export's content: the file was changed or damaged; nothing was restored".into(),
        ));
    }
    let claimed: BTreeMap<String, u64> = end
        .get("rows")
        .and_then(|r| serde_json::from_value(r.clone()).ok())
        .ok_or_else(|| at(end_line, "the end line has no row counts".into()))?;
    for table in claimed.keys().chain(counts.keys()) {
        let (want, got) = (
            claimed.get(table).copied().unwrap_or(0),
            counts.get(table).copied().unwrap_or(0),
        );
        if want != got {
            return Err(at(
                end_line,
                format!("the end line counts {want} rows of {table}, the file has {got}; nothing was restored"),
            ));
        }
    }
    for (_, sql) in &triggers {
        tx.execute_batch(sql)?;
    }
    super::hours::rebuild_all(tx)?;
    let broken: Option<String> = tx
        .query_row("SELECT \"table\" || ' row ' || rowid || ' refers to a missing ' || parent FROM pragma_foreign_key_check", [], |r| r.get(0))
        .ok();
    if let Some(b) = broken {
        anyhow::bail!("{label}: the export is inconsistent: {b}");
    }
    mark_restored(tx, now, by)?;
    let total: u64 = counts.values().sum();
    audit::record(
        tx,
        now,
        "restore",
        "database",
        None,
        &serde_json::json!({ "from": label, "rows": total }),
    )?;
    Ok(counts)
}

fn check_header(table: &str, obj: &Map<String, Value>) -> std::result::Result<(), String> {
    if table != HEADER_TABLE {
        return Err(format!(
            "not an opsdeck export: the first line must be the {HEADER_TABLE} header"
        ));
    }
    let format = obj.get("format").and_then(Value::as_i64);
    if format == Some(1) {
        return Err(format!(
            "export format 1 has no end line to verify it is whole; export the database again with this opsdeck (format {EXPORT_FORMAT})"
        ));
    }
    if format != Some(EXPORT_FORMAT) {
        return Err(format!(
            "export format {format:?} is not supported (this opsdeck reads format {EXPORT_FORMAT})"
        ));
    }
    match obj.get("schema_version").and_then(Value::as_i64) {
        Some(v) if v <= SCHEMA_VERSION => Ok(()),
        Some(v) => Err(format!(
            "the export has schema version {v}, newer than this opsdeck understands ({SCHEMA_VERSION}); upgrade opsdeck"
        )),
        None => Err("the header has no schema_version".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn awkward_values_survive_the_round_trip() {
        let mut a = Store::open_in_memory("test").unwrap();
        let id = a.indicator("first_response").unwrap().unwrap().id;
        let values = [0.1 + 0.2, 1e-300, -2.5e17, 123_456.789_012_345_68, f64::MAX];
        a.write(|tx| -> Result<()> {
            for (i, v) in values.iter().enumerate() {
                tx.execute(
                    "INSERT INTO observations (indicator_id, at, value, note) VALUES (?1, ?2, ?3, ?4)",
                    rusqlite::params![id, i as i64, v, "ü \"q\" \n\t\u{1b}[2J"],
                )?;
            }
            tx.execute("INSERT INTO meta (key, value) VALUES ('big', ?1)", [i64::MAX.to_string()])?;
            Ok(())
        })
        .unwrap();
        let mut out = Vec::new();
        a.export_jsonl(&mut out, 0).unwrap();
        let mut b = Store::open_in_memory("test").unwrap();
        let by = RestoredBy {
            file: "mem".into(),
            login: "tester".into(),
            uid: 1000,
        };
        b.restore_jsonl(&mut out.as_slice(), "mem", 0, &by).unwrap();
        let read = |s: &Store| -> Vec<(f64, String)> {
            let mut stmt = s
                .conn()
                .prepare("SELECT value, note FROM observations ORDER BY id")
                .unwrap();
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .map(|r| r.unwrap())
                .collect()
        };
        let (x, y) = (read(&a), read(&b));
        assert_eq!(x.len(), values.len());
        for ((v1, n1), (v2, n2)) in x.iter().zip(&y) {
            assert_eq!(v1.to_bits(), v2.to_bits());
            assert_eq!(n1, n2);
        }
        assert_eq!(b.meta("big").unwrap(), Some(i64::MAX.to_string()));
    }

    #[test]
    fn blobs_and_hex() {
        assert_eq!(from_hex("00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(from_hex("0"), None);
        assert_eq!(from_hex("zz"), None);
        let v = serde_json::json!({"$blob": "cafe"});
        assert_eq!(
            json_to_sql(&v),
            Some(rusqlite::types::Value::Blob(vec![0xca, 0xfe]))
        );
        assert_eq!(json_to_sql(&serde_json::json!([1])), None);
    }
}
