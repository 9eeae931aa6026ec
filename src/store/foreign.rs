//! Reading other databases for the `sqlite` and `postgres` sources: the
//! team's own shop or app database, queried read-only with a time limit.
//! Each row comes back as a JSON object (column name → value) for the same
//! validation as an import. SQL lives in the store, even a source's.

use serde_json::{Map, Value};
use std::time::{Duration, Instant};

/// One fetched row: column name → value (NULL columns are left out).
pub type Record = Map<String, Value>;

/// Why a foreign read failed; the message never holds a connection string.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ForeignError {
    /// The file or server could not be opened or reached.
    #[error("cannot open: {0}")]
    Open(String),
    /// The query failed (syntax, missing table, a write attempted).
    #[error("query failed: {0}")]
    Query(String),
    /// The query ran past the source's timeout and was stopped.
    #[error("query stopped after {0} s (timeout)")]
    Timeout(u64),
    /// The rows add up to more than the source's size limit.
    #[error("more than {0} bytes of rows (max_bytes)")]
    TooLarge(u64),
    /// A column holds a value no import column can take (a blob, an array).
    #[error("row {row}: column {column}: {what} values cannot be imported")]
    Unsupported {
        /// 1-based row number.
        row: usize,
        /// The column's name.
        column: String,
        /// The SQL type.
        what: String,
    },
}

/// Runs `query` on the SQLite file at `path`, opened read-only (and with
/// `query_only`, so even a `WITH … DELETE` is refused), stopping it after
/// `timeout`.
pub(crate) fn query_sqlite_file(
    path: &str,
    query: &str,
    timeout: Duration,
    max_bytes: u64,
) -> Result<Vec<Record>, ForeignError> {
    use rusqlite::{types::ValueRef, OpenFlags};
    if !std::path::Path::new(path).is_file() {
        return Err(ForeignError::Open(format!("{path}: no such file")));
    }
    let mut conn = rusqlite::Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| ForeignError::Open(format!("{path}: {e}")))?;
    conn.pragma_update(None, "query_only", true)
        .map_err(|e| ForeignError::Open(e.to_string()))?;
    conn.busy_timeout(timeout)
        .map_err(|e| ForeignError::Open(e.to_string()))?;
    let deadline = Instant::now() + timeout;
    conn.progress_handler(10_000, Some(move || Instant::now() > deadline))
        .map_err(|e| ForeignError::Open(e.to_string()))?;
    let timed_out = |e: rusqlite::Error| {
        if Instant::now() > deadline {
            ForeignError::Timeout(timeout.as_secs())
        } else {
            ForeignError::Query(e.to_string())
        }
    };
    let mut stmt = conn.prepare(query).map_err(timed_out)?;
    let names: Vec<String> = stmt.column_names().map(|s| s.to_string()).collect();
    let mut rows = stmt.query([]).map_err(timed_out)?;
    let mut out = Vec::new();
    let mut bytes = 0u64;
    while let Some(row) = rows.next().map_err(timed_out)? {
        let mut record = Map::new();
        for (i, name) in names.iter().enumerate() {
            let v = row
                .get_ref(i)
                .map_err(|e| ForeignError::Query(e.to_string()))?;
            let value = match v {
                ValueRef::Null => continue,
                ValueRef::Integer(n) => Value::from(n),
                ValueRef::Real(x) => serde_json::Number::from_f64(x)
                    .map(Value::Number)
                    .unwrap_or(Value::Null),
                ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(_) => {
                    return Err(ForeignError::Unsupported {
                        row: out.len() + 1,
                        column: name.clone(),
                        what: "blob".into(),
                    })
                }
            };
            bytes += (name.len() + value.to_string().len()) as u64;
            record.insert(name.clone(), value);
        }
        if bytes > max_bytes {
            return Err(ForeignError::TooLarge(max_bytes));
        }
        out.push(record);
    }
    Ok(out)
}

/// Runs `query` on the PostgreSQL database at `url` in a read-only
/// transaction with `statement_timeout` set to `timeout`. Integers, floats,
/// numerics cast to text, text, booleans, dates and timestamps are
/// converted; other types must be cast in the query (`amount::float8`).
pub(crate) fn query_postgres(
    url: &str,
    query: &str,
    timeout: Duration,
    max_bytes: u64,
) -> Result<Vec<Record>, ForeignError> {
    use postgres::types::Type;
    let mut config: postgres::Config = url
        .parse()
        .map_err(|e: postgres::Error| ForeignError::Open(redact_pg(&e.to_string(), url)))?;
    config.connect_timeout(timeout);
    let mut client = config
        .connect(postgres::NoTls)
        .map_err(|e| ForeignError::Open(redact_pg(&e.to_string(), url)))?;
    let ms = timeout.as_millis().max(1);
    client
        .batch_execute(&format!("SET statement_timeout = {ms}"))
        .map_err(|e| ForeignError::Query(e.to_string()))?;
    let mut tx = client
        .build_transaction()
        .read_only(true)
        .start()
        .map_err(|e| ForeignError::Query(e.to_string()))?;
    let rows = tx.query(query, &[]).map_err(|e| {
        if e.code() == Some(&postgres::error::SqlState::QUERY_CANCELED) {
            ForeignError::Timeout(timeout.as_secs())
        } else {
            ForeignError::Query(
                e.as_db_error()
                    .map(|d| d.message().to_string())
                    .unwrap_or_else(|| e.to_string()),
            )
        }
    })?;
    let mut out = Vec::with_capacity(rows.len());
    let mut bytes = 0u64;
    for (n, row) in rows.iter().enumerate() {
        let mut record = Map::new();
        for (i, col) in row.columns().iter().enumerate() {
            let bad = |e: postgres::Error| ForeignError::Query(e.to_string());
            let ty = col.type_();
            let value: Option<Value> = if *ty == Type::INT2 {
                row.try_get::<_, Option<i16>>(i)
                    .map_err(bad)?
                    .map(Value::from)
            } else if *ty == Type::INT4 {
                row.try_get::<_, Option<i32>>(i)
                    .map_err(bad)?
                    .map(Value::from)
            } else if *ty == Type::INT8 {
                row.try_get::<_, Option<i64>>(i)
                    .map_err(bad)?
                    .map(Value::from)
            } else if *ty == Type::FLOAT4 {
                row.try_get::<_, Option<f32>>(i)
                    .map_err(bad)?
                    .map(|x| Value::from(x as f64))
            } else if *ty == Type::FLOAT8 {
                row.try_get::<_, Option<f64>>(i)
                    .map_err(bad)?
                    .map(Value::from)
            } else if *ty == Type::BOOL {
                row.try_get::<_, Option<bool>>(i)
                    .map_err(bad)?
                    .map(Value::from)
            } else if *ty == Type::TIMESTAMPTZ {
                row.try_get::<_, Option<chrono::DateTime<chrono::Utc>>>(i)
                    .map_err(bad)?
                    .map(|t| Value::from(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)))
            } else if *ty == Type::TIMESTAMP {
                row.try_get::<_, Option<chrono::NaiveDateTime>>(i)
                    .map_err(bad)?
                    .map(|t| {
                        Value::from(
                            t.and_utc()
                                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                        )
                    })
            } else if *ty == Type::DATE {
                row.try_get::<_, Option<chrono::NaiveDate>>(i)
                    .map_err(bad)?
                    .map(|d| Value::from(d.to_string()))
            } else if [Type::TEXT, Type::VARCHAR, Type::BPCHAR, Type::NAME].contains(ty) {
                row.try_get::<_, Option<String>>(i)
                    .map_err(bad)?
                    .map(Value::from)
            } else {
                return Err(ForeignError::Unsupported {
                    row: n + 1,
                    column: col.name().to_string(),
                    what: format!("{ty} (cast it in the query, e.g. ::text or ::float8)"),
                });
            };
            if let Some(v) = value {
                bytes += (col.name().len() + v.to_string().len()) as u64;
                record.insert(col.name().to_string(), v);
            }
        }
        if bytes > max_bytes {
            return Err(ForeignError::TooLarge(max_bytes));
        }
        out.push(record);
    }
    let _ = tx.rollback();
    Ok(out)
}

/// A driver message with the connection string (and its password) removed.
fn redact_pg(message: &str, url: &str) -> String {
    let mut m = message.replace(url, "<connection string>");
    if let Ok(config) = url.parse::<postgres::Config>() {
        if let Some(pw) = config.get_password() {
            let pw = String::from_utf8_lossy(pw).to_string();
            if !pw.is_empty() {
                m = m.replace(&pw, "<redacted>");
            }
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop() -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shop.db");
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, placed TEXT, total REAL, note TEXT, img BLOB);
             INSERT INTO orders VALUES (1, '2026-11-30T09:00:00Z', 12.5, NULL, NULL), (2, '2026-11-30T10:00:00Z', 7, 'gift', NULL);",
        )
        .unwrap();
        let p = path.display().to_string();
        (dir, p)
    }

    #[test]
    fn a_query_on_another_file_gives_one_record_per_row() {
        let (_d, path) = shop();
        let rows = query_sqlite_file(
            &path,
            "select id as external_id, placed as opened_at, total, note from orders order by id",
            Duration::from_secs(5),
            1 << 20,
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["external_id"], 1);
        assert_eq!(rows[0]["total"], 12.5);
        assert!(!rows[0].contains_key("note"), "NULL columns are left out");
        assert_eq!(rows[1]["note"], "gift");
    }

    #[test]
    fn the_other_file_is_never_written() {
        let (_d, path) = shop();
        let before = std::fs::read(&path).unwrap();
        let e = query_sqlite_file(
            &path,
            "delete from orders returning id",
            Duration::from_secs(5),
            1 << 20,
        )
        .unwrap_err();
        assert!(matches!(e, ForeignError::Query(_)), "{e}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn blobs_missing_files_size_and_time_limits_are_errors() {
        let (_d, path) = shop();
        let e = query_sqlite_file(
            &path,
            "select x'00' as img",
            Duration::from_secs(5),
            1 << 20,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "row 1: column img: blob values cannot be imported"
        );
        let e = query_sqlite_file(
            "/nonexistent/shop.db",
            "select 1",
            Duration::from_secs(5),
            1 << 20,
        )
        .unwrap_err();
        assert!(e.to_string().contains("no such file"), "{e}");
        let e = query_sqlite_file(&path, "select * from orders", Duration::from_secs(5), 10)
            .unwrap_err();
        assert!(matches!(e, ForeignError::TooLarge(10)), "{e}");
        let slow = "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c";
        let e = query_sqlite_file(&path, slow, Duration::from_millis(200), 1 << 20).unwrap_err();
        assert!(matches!(e, ForeignError::Timeout(_)), "{e}");
    }

    #[test]
    fn a_password_never_appears_in_a_message() {
        let url = "postgres://shop:s3cret-pw@127.0.0.1:1/shop";
        let e = query_postgres(url, "select 1", Duration::from_secs(2), 1 << 20).unwrap_err();
        let text = e.to_string();
        assert!(matches!(e, ForeignError::Open(_)), "{text}");
        assert!(!text.contains("s3cret-pw"), "{text}");
    }
}
