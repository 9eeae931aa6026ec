//! The seam between the store's one query layer and its two engines.
//!
//! Every store module writes its SQL once, in the subset SQLite and
//! PostgreSQL share, and runs it through a [`Conn`]: an SQLite connection
//! (the default, one file) or a PostgreSQL client (team mode). The seam
//! keeps rusqlite's shapes (`execute`, `query_row`, `prepare_cached`,
//! `query_map`, `Row::get`) and rusqlite's value model (`ToSql`, `FromSql`,
//! `Value`): a parameter is turned into a `Value` and bound as the type the
//! server expects, a PostgreSQL column comes back as a `Value` and goes
//! through the same `FromSql` as an SQLite one. Errors are rusqlite's: a
//! server error that means the same as an SQLite one (a unique or foreign
//! key violation, a trigger's refusal) becomes that SQLite error with the
//! server's message, any other is carried boxed and recognised by
//! [`server_error`].
//!
//! What differs is here and nowhere else:
//! - placeholders: `?N` and `?` become `$N` ([`translate`], once per text);
//! - `INSERT OR IGNORE` becomes `INSERT … ON CONFLICT DO NOTHING`;
//! - `LIKE` is `ILIKE` (SQLite's LIKE ignores ASCII case);
//! - `last_insert_rowid()`: an `INSERT` into a table with an identity `id`
//!   gets `RETURNING id`, and the id is kept (triggers cannot change it);
//! - SQLite's scalar functions the store uses (`ifnull`, two-argument
//!   `min`/`max`, `group_concat`, `total`, `round(x, n)`, `hex`) exist on
//!   PostgreSQL as functions of the baseline migration
//!   (`src/store/pg/0001_baseline.sql`);
//! - transactions: [`Conn::begin_write`] is `BEGIN IMMEDIATE` on SQLite and
//!   `BEGIN` plus one advisory transaction lock on PostgreSQL (writers are
//!   serialized as on SQLite: "one open alert per cause" needs it), and every
//!   write on PostgreSQL ends with `NOTIFY opsdeck` before its commit.

use rusqlite::types::{ToSql, ToSqlOutput, Value, ValueRef};
use rusqlite::Error;
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};

/// The seam's result: rusqlite's, whichever the engine.
pub type Result<T> = std::result::Result<T, Error>;

/// The channel writers notify and the cockpit listens on.
pub const CHANNEL: &str = "opsdeck";

/// The advisory lock every PostgreSQL write transaction takes first
/// ("OPSD" as a number): writers queue as they do on SQLite.
pub const WRITE_LOCK: i64 = 0x4f50_5344;

/// An open database of either engine.
pub enum Conn {
    /// One SQLite file (or memory).
    Sqlite(rusqlite::Connection),
    /// A PostgreSQL database.
    Pg(Box<Pg>),
}

/// A PostgreSQL client with what the seam keeps for it.
pub struct Pg {
    client: RefCell<postgres::Client>,
    config: Option<postgres::Config>,
    statements: RefCell<HashMap<String, (postgres::Statement, bool)>>,
    id_tables: RefCell<HashSet<String>>,
    last_id: Cell<i64>,
    in_tx: Cell<bool>,
}

impl Pg {
    /// Wraps a connected client; `config` reconnects it after the
    /// connection is lost (between transactions only: a transaction cut
    /// off is rolled back by the server and reported, never replayed).
    pub fn new(client: postgres::Client, config: Option<postgres::Config>) -> Pg {
        Pg {
            client: RefCell::new(client),
            config,
            statements: RefCell::new(HashMap::new()),
            id_tables: RefCell::new(HashSet::new()),
            last_id: Cell::new(0),
            in_tx: Cell::new(false),
        }
    }

    /// Reads which tables have an identity `id` (after a migration).
    pub fn learn_identity_tables(&self) -> Result<()> {
        let rows = self
            .client
            .borrow_mut()
            .query(
                "SELECT c.relname::text FROM pg_catalog.pg_attribute a
                   JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
                  WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
                    AND a.attname = 'id' AND a.attidentity <> '' AND NOT a.attisdropped",
                &[],
            )
            .map_err(pg_error)?;
        let mut set = self.id_tables.borrow_mut();
        set.clear();
        for r in rows {
            set.insert(r.get::<_, String>(0));
        }
        self.statements.borrow_mut().clear();
        Ok(())
    }

    /// The client itself, for what only PostgreSQL does (COPY, LISTEN).
    pub fn client(&self) -> std::cell::RefMut<'_, postgres::Client> {
        self.client.borrow_mut()
    }

    /// True when the connection is gone.
    pub fn is_closed(&self) -> bool {
        self.client.borrow().is_closed()
    }

    /// Connects again when the connection was lost outside a transaction
    /// (prepared statements are prepared again).
    fn ensure_connected(&self) -> Result<()> {
        if self.in_tx.get() || !self.client.borrow().is_closed() {
            return Ok(());
        }
        self.reconnect()
    }

    /// Replaces the connection with a new one (outside a transaction only).
    fn reconnect(&self) -> Result<()> {
        let Some(config) = &self.config else {
            return Ok(());
        };
        let client = super::pg::connect_with(config)
            .map_err(|e| Error::ToSqlConversionFailure(Box::new(Lost(super::pg::one_line(&e)))))?;
        *self.client.borrow_mut() = client;
        self.statements.borrow_mut().clear();
        tracing::info!("reconnected to the database server");
        Ok(())
    }

    fn prepared(&self, sql: &str) -> Result<(postgres::Statement, bool)> {
        self.ensure_connected()?;
        if let Some(s) = self.statements.borrow().get(sql) {
            return Ok(s.clone());
        }
        let (text, returns_id) = translate(sql, &self.id_tables.borrow());
        let stmt = self.client.borrow_mut().prepare(&text).map_err(pg_error)?;
        let mut cache = self.statements.borrow_mut();
        if cache.len() > 512 {
            cache.clear();
        }
        cache.insert(sql.to_string(), (stmt.clone(), returns_id));
        Ok((stmt, returns_id))
    }

    /// Runs `f`; when it fails because the connection is gone (and no
    /// transaction is open, so nothing was or can be half done), connects
    /// again and runs it once more.
    fn retrying<T>(&self, f: impl Fn() -> Result<T>) -> Result<T> {
        match f() {
            Err(e) if !self.in_tx.get() && is_connection_error(&e) => {
                tracing::info!("the connection to the server was lost; connecting again");
                self.reconnect()?;
                f()
            }
            other => other,
        }
    }

    fn run_query(&self, sql: &str, params: &[&dyn ToSql]) -> Result<Vec<postgres::Row>> {
        self.retrying(|| self.run_query_once(sql, params))
    }

    fn run_execute(&self, sql: &str, params: &[&dyn ToSql]) -> Result<usize> {
        self.retrying(|| self.run_execute_once(sql, params))
    }

    fn run_query_once(&self, sql: &str, params: &[&dyn ToSql]) -> Result<Vec<postgres::Row>> {
        let (stmt, returns_id) = self.prepared(sql)?;
        let values = pg_params(params)?;
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = values
            .iter()
            .map(|v| v as &(dyn postgres::types::ToSql + Sync))
            .collect();
        let rows = self
            .client
            .borrow_mut()
            .query(&stmt, &refs)
            .map_err(pg_error)?;
        if returns_id {
            if let Some(r) = rows.first() {
                self.last_id.set(r.get::<_, i64>(0));
            }
        }
        Ok(rows)
    }

    fn run_execute_once(&self, sql: &str, params: &[&dyn ToSql]) -> Result<usize> {
        let (stmt, returns_id) = self.prepared(sql)?;
        let values = pg_params(params)?;
        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = values
            .iter()
            .map(|v| v as &(dyn postgres::types::ToSql + Sync))
            .collect();
        if returns_id || !stmt.columns().is_empty() {
            let rows = self
                .client
                .borrow_mut()
                .query(&stmt, &refs)
                .map_err(pg_error)?;
            if returns_id {
                if let Some(r) = rows.first() {
                    self.last_id.set(r.get::<_, i64>(0));
                }
            }
            return Ok(rows.len());
        }
        let n = self
            .client
            .borrow_mut()
            .execute(&stmt, &refs)
            .map_err(pg_error)?;
        Ok(n as usize)
    }
}

impl Conn {
    /// The SQLite connection, for what only SQLite does (pragmas, backup).
    pub fn sqlite(&self) -> Option<&rusqlite::Connection> {
        match self {
            Conn::Sqlite(c) => Some(c),
            Conn::Pg(_) => None,
        }
    }

    /// The PostgreSQL client, for what only PostgreSQL does.
    pub fn pg(&self) -> Option<&Pg> {
        match self {
            Conn::Sqlite(_) => None,
            Conn::Pg(p) => Some(p),
        }
    }

    /// True on PostgreSQL.
    pub fn is_pg(&self) -> bool {
        matches!(self, Conn::Pg(_))
    }

    /// The opsdeck tables, by name (SQLite's internal ones and the
    /// PostgreSQL version table left out).
    pub fn tables(&self) -> Result<Vec<String>> {
        let sql = match self {
            Conn::Sqlite(_) => "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name",
            Conn::Pg(_) => "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'opsdeck_schema' ORDER BY table_name",
        };
        let mut stmt = self.prepare(sql)?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect()
    }

    /// The columns of `table` a row is written with, in order (on
    /// PostgreSQL without the generated ones).
    pub fn columns(&self, table: &str) -> Result<Vec<String>> {
        match self {
            Conn::Sqlite(c) => {
                let mut stmt = c.prepare(&format!(
                    "PRAGMA table_info(\"{}\")",
                    table.replace('"', "\"\"")
                ))?;
                let rows = stmt.query_map([], |r| r.get::<_, String>(1))?;
                rows.collect()
            }
            Conn::Pg(_) => {
                let mut stmt = self.prepare_cached(
                    "SELECT column_name::text FROM information_schema.columns
                      WHERE table_schema = current_schema() AND table_name = ?1
                        AND is_generated = 'NEVER' AND coalesce(identity_generation, '') <> 'ALWAYS'
                      ORDER BY ordinal_position",
                )?;
                let rows = stmt.query_map([table], |r| r.get(0))?;
                rows.collect()
            }
        }
    }

    /// Runs one statement; the number of rows changed (or returned).
    pub fn execute<P: Params>(&self, sql: &str, params: P) -> Result<usize> {
        match self {
            Conn::Sqlite(c) => c.execute(sql, rusqlite::params_from_iter(params.list())),
            Conn::Pg(p) => p.run_execute(sql, &params.list()),
        }
    }

    /// Runs statements without parameters, as they are (engine-specific
    /// text: transactions, migrations).
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match self {
            Conn::Sqlite(c) => c.execute_batch(sql),
            Conn::Pg(p) => {
                p.ensure_connected()?;
                p.client.borrow_mut().batch_execute(sql).map_err(pg_error)
            }
        }
    }

    /// The first row, mapped; `QueryReturnedNoRows` without one.
    pub fn query_row<T, P: Params, F>(&self, sql: &str, params: P, f: F) -> Result<T>
    where
        F: FnOnce(&Row<'_>) -> Result<T>,
    {
        match self {
            Conn::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                let mut rows = stmt.query(rusqlite::params_from_iter(params.list()))?;
                match rows.next()? {
                    Some(r) => f(&Row::Sqlite(r)),
                    None => Err(Error::QueryReturnedNoRows),
                }
            }
            Conn::Pg(p) => {
                let rows = p.run_query(sql, &params.list())?;
                match rows.first() {
                    Some(r) => f(&Row::Pg(r)),
                    None => Err(Error::QueryReturnedNoRows),
                }
            }
        }
    }

    /// A statement, prepared once per connection and kept.
    pub fn prepare_cached(&self, sql: &str) -> Result<Stmt<'_>> {
        match self {
            Conn::Sqlite(c) => Ok(Stmt::Sqlite(c.prepare_cached(sql)?)),
            Conn::Pg(p) => {
                p.prepared(sql)?;
                Ok(Stmt::Pg {
                    pg: p,
                    sql: sql.to_string(),
                })
            }
        }
    }

    /// A statement for a text built at run time (not kept on SQLite).
    pub fn prepare(&self, sql: &str) -> Result<Stmt<'_>> {
        match self {
            Conn::Sqlite(c) => Ok(Stmt::SqliteOnce(c.prepare(sql)?)),
            Conn::Pg(_) => self.prepare_cached(sql),
        }
    }

    /// The id of the row the last `INSERT` on this connection created.
    pub fn last_insert_rowid(&self) -> i64 {
        match self {
            Conn::Sqlite(c) => c.last_insert_rowid(),
            Conn::Pg(p) => p.last_id.get(),
        }
    }

    /// True outside a transaction.
    pub fn is_autocommit(&self) -> bool {
        match self {
            Conn::Sqlite(c) => c.is_autocommit(),
            Conn::Pg(p) => !p.in_tx.get(),
        }
    }

    /// Starts the one kind of write transaction: `BEGIN IMMEDIATE` on
    /// SQLite; on PostgreSQL `BEGIN` and the writers' advisory lock.
    pub fn begin_write(&self) -> Result<()> {
        match self {
            Conn::Sqlite(c) => c.execute_batch("BEGIN IMMEDIATE"),
            Conn::Pg(p) => {
                p.ensure_connected()?;
                // BEGIN on a connection the server cut: nothing started, so
                // connect again and begin once more.
                p.retrying(|| {
                    p.client
                        .borrow_mut()
                        .batch_execute("BEGIN")
                        .map_err(pg_error)
                })?;
                p.in_tx.set(true);
                // The writers' lock, waited for as SQLite's busy handler
                // does: in steps, up to the busy timeout, and given up at
                // once when the wait is cancelled (Esc in the cockpit).
                let asked = std::time::Instant::now();
                loop {
                    let got = p
                        .client
                        .borrow_mut()
                        .query_one("SELECT pg_try_advisory_xact_lock($1)", &[&WRITE_LOCK])
                        .map(|r| r.get::<_, bool>(0));
                    match got {
                        Ok(true) => return Ok(()),
                        Ok(false)
                            if asked.elapsed() < super::BUSY_TIMEOUT
                                && !super::wait_cancelled() =>
                        {
                            std::thread::sleep(std::time::Duration::from_millis(10));
                        }
                        other => {
                            let _ = p.client.borrow_mut().batch_execute("ROLLBACK");
                            p.in_tx.set(false);
                            return Err(match other {
                                Err(e) => pg_error(e),
                                _ => Error::SqliteFailure(
                                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                                    Some("another writer holds the lock".into()),
                                ),
                            });
                        }
                    }
                }
            }
        }
    }

    /// Starts a read transaction: one snapshot for many reads.
    pub fn begin_read(&self) -> Result<()> {
        match self {
            Conn::Sqlite(c) => c.execute_batch("BEGIN DEFERRED"),
            Conn::Pg(p) => {
                p.ensure_connected()?;
                p.client
                    .borrow_mut()
                    .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
                    .map_err(pg_error)?;
                p.in_tx.set(true);
                Ok(())
            }
        }
    }

    /// Commits; on PostgreSQL a write first tells the listeners.
    pub fn commit(&self, wrote: bool) -> Result<()> {
        match self {
            Conn::Sqlite(c) => c.execute_batch("COMMIT").inspect_err(|_| {
                // A commit that failed (a deferred foreign key, a full
                // disk) must not leave the transaction and its lock open.
                if !c.is_autocommit() {
                    let _ = c.execute_batch("ROLLBACK");
                }
            }),
            Conn::Pg(p) => {
                let mut client = p.client.borrow_mut();
                let sql = if wrote {
                    "NOTIFY opsdeck; COMMIT"
                } else {
                    "COMMIT"
                };
                let r = client.batch_execute(sql).map_err(|e| {
                    if e.as_db_error().is_none() {
                        // The connection broke while COMMIT was on its way:
                        // the server may or may not have committed.
                        Error::ToSqlConversionFailure(Box::new(CommitUnknown(super::pg::one_line(
                            &e,
                        ))))
                    } else {
                        pg_error(e)
                    }
                });
                if r.is_err() {
                    let _ = client.batch_execute("ROLLBACK");
                }
                p.in_tx.set(false);
                r
            }
        }
    }

    /// Rolls back the open transaction.
    pub fn rollback(&self) -> Result<()> {
        match self {
            Conn::Sqlite(c) => c.execute_batch("ROLLBACK"),
            Conn::Pg(p) => {
                p.in_tx.set(false);
                p.client
                    .borrow_mut()
                    .batch_execute("ROLLBACK")
                    .map_err(pg_error)
            }
        }
    }
}

/// A prepared statement of either engine.
pub enum Stmt<'c> {
    /// Kept in the connection's cache.
    Sqlite(rusqlite::CachedStatement<'c>),
    /// Prepared for one use.
    SqliteOnce(rusqlite::Statement<'c>),
    /// Kept in the client's cache, by text.
    Pg {
        /// The client.
        pg: &'c Pg,
        /// The text as the store wrote it.
        sql: String,
    },
}

impl<'c> Stmt<'c> {
    fn sqlite(&mut self) -> Option<&mut rusqlite::Statement<'c>> {
        match self {
            Stmt::Sqlite(s) => Some(s),
            Stmt::SqliteOnce(s) => Some(s),
            Stmt::Pg { .. } => None,
        }
    }

    /// The names of its result columns.
    pub fn column_names(&self) -> Vec<String> {
        match self {
            Stmt::Sqlite(s) => s.column_names().map(str::to_string).collect(),
            Stmt::SqliteOnce(s) => s.column_names().map(str::to_string).collect(),
            Stmt::Pg { pg, sql } => pg
                .statements
                .borrow()
                .get(sql)
                .map(|(s, _)| s.columns().iter().map(|c| c.name().to_string()).collect())
                .unwrap_or_default(),
        }
    }

    /// Runs it; the number of rows changed (or returned).
    pub fn execute<P: Params>(&mut self, params: P) -> Result<usize> {
        if let Stmt::Pg { pg, sql } = self {
            return pg.run_execute(sql, &params.list());
        }
        let s = self.sqlite().expect("an SQLite statement");
        s.execute(rusqlite::params_from_iter(params.list()))
    }

    /// Every row, mapped by `f` as it is read.
    pub fn query_map<T, P: Params, F>(&mut self, params: P, f: F) -> Result<MappedRows<'_, F>>
    where
        F: FnMut(&Row<'_>) -> Result<T>,
    {
        if let Stmt::Pg { pg, sql } = self {
            let rows = pg.run_query(sql, &params.list())?;
            return Ok(MappedRows::Pg(rows.into_iter(), f));
        }
        let s = self.sqlite().expect("an SQLite statement");
        let rows = s.query(rusqlite::params_from_iter(params.list()))?;
        Ok(MappedRows::Sqlite(rows, f))
    }

    /// The rows, read one by one with [`Rows::next`].
    pub fn query<P: Params>(&mut self, params: P) -> Result<Rows<'_>> {
        if let Stmt::Pg { pg, sql } = self {
            let rows = pg.run_query(sql, &params.list())?;
            return Ok(Rows::Pg(rows.into_iter(), None));
        }
        let s = self.sqlite().expect("an SQLite statement");
        Ok(Rows::Sqlite(
            s.query(rusqlite::params_from_iter(params.list()))?,
        ))
    }

    /// The first row, mapped; `QueryReturnedNoRows` without one.
    pub fn query_row<T, P: Params, F>(&mut self, params: P, f: F) -> Result<T>
    where
        F: FnOnce(&Row<'_>) -> Result<T>,
    {
        let mut rows = self.query(params)?;
        match rows.next()? {
            Some(r) => f(&r),
            None => Err(Error::QueryReturnedNoRows),
        }
    }

    /// True when it returns a row.
    pub fn exists<P: Params>(&mut self, params: P) -> Result<bool> {
        let mut rows = self.query(params)?;
        Ok(rows.next()?.is_some())
    }
}

/// The rows of [`Stmt::query`].
pub enum Rows<'s> {
    /// SQLite's, read as they come.
    Sqlite(rusqlite::Rows<'s>),
    /// The server's, all received.
    Pg(std::vec::IntoIter<postgres::Row>, Option<postgres::Row>),
}

impl Rows<'_> {
    /// The next row, or `None` after the last.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Row<'_>>> {
        match self {
            Rows::Sqlite(r) => Ok(r.next()?.map(Row::Sqlite)),
            Rows::Pg(it, current) => {
                *current = it.next();
                Ok(current.as_ref().map(Row::Pg))
            }
        }
    }
}

/// The rows of [`Stmt::query_map`], mapped as they are read.
pub enum MappedRows<'s, F> {
    /// SQLite's.
    Sqlite(rusqlite::Rows<'s>, F),
    /// The server's.
    Pg(std::vec::IntoIter<postgres::Row>, F),
}

impl<T, F> Iterator for MappedRows<'_, F>
where
    F: FnMut(&Row<'_>) -> Result<T>,
{
    type Item = Result<T>;
    fn next(&mut self) -> Option<Result<T>> {
        match self {
            MappedRows::Sqlite(rows, f) => match rows.next() {
                Ok(Some(r)) => Some(f(&Row::Sqlite(r))),
                Ok(None) => None,
                Err(e) => Some(Err(e)),
            },
            MappedRows::Pg(rows, f) => rows.next().map(|r| f(&Row::Pg(&r))),
        }
    }
}

/// One row of either engine.
pub enum Row<'r> {
    /// SQLite's.
    Sqlite(&'r rusqlite::Row<'r>),
    /// The server's.
    Pg(&'r postgres::Row),
}

/// A column by position or by name.
pub trait ColumnIndex: rusqlite::RowIndex + Copy {
    /// Its position in a server row.
    fn position(self, row: &postgres::Row) -> Result<usize>;
}

impl ColumnIndex for usize {
    fn position(self, row: &postgres::Row) -> Result<usize> {
        if self < row.len() {
            Ok(self)
        } else {
            Err(Error::InvalidColumnIndex(self))
        }
    }
}

impl ColumnIndex for &str {
    fn position(self, row: &postgres::Row) -> Result<usize> {
        row.columns()
            .iter()
            .position(|c| c.name() == self)
            .ok_or_else(|| Error::InvalidColumnName(self.to_string()))
    }
}

impl Row<'_> {
    /// The column's value as `T` (rusqlite's conversions on both engines).
    pub fn get<I: ColumnIndex, T: rusqlite::types::FromSql>(&self, idx: I) -> Result<T> {
        match self {
            Row::Sqlite(r) => r.get(idx),
            Row::Pg(r) => {
                let i = idx.position(r)?;
                let v = value_at(r, i)?;
                T::column_result(ValueRef::from(&v)).map_err(|e| match e {
                    rusqlite::types::FromSqlError::InvalidType => {
                        Error::InvalidColumnType(i, r.columns()[i].name().into(), v.data_type())
                    }
                    other => Error::FromSqlConversionFailure(i, v.data_type(), Box::new(other)),
                })
            }
        }
    }

    /// The column's value as an SQLite value.
    pub fn value(&self, idx: usize) -> Result<Value> {
        match self {
            Row::Sqlite(r) => Ok(owned(r.get_ref(idx)?)),
            Row::Pg(r) => value_at(r, idx),
        }
    }

    /// The column's bytes (empty for NULL), borrowed where the engine can.
    pub fn blob(&self, idx: usize) -> Result<std::borrow::Cow<'_, [u8]>> {
        match self {
            Row::Sqlite(r) => Ok(std::borrow::Cow::Borrowed(
                r.get_ref(idx)?.as_blob().unwrap_or_default(),
            )),
            Row::Pg(r) => match value_at(r, idx)? {
                Value::Blob(b) => Ok(std::borrow::Cow::Owned(b)),
                _ => Ok(std::borrow::Cow::Owned(Vec::new())),
            },
        }
    }
}

/// The parameters of a statement: rusqlite's `params![]`, an array or a
/// vector of values.
pub trait Params {
    /// The values, in order.
    fn list(&self) -> Vec<&dyn ToSql>;
}

impl Params for &[&dyn ToSql] {
    fn list(&self) -> Vec<&dyn ToSql> {
        self.to_vec()
    }
}

impl<T: ToSql> Params for Vec<T> {
    fn list(&self) -> Vec<&dyn ToSql> {
        self.iter().map(|v| v as &dyn ToSql).collect()
    }
}

impl Params for [&dyn ToSql; 0] {
    fn list(&self) -> Vec<&dyn ToSql> {
        Vec::new()
    }
}

macro_rules! array_params {
    ($($n:literal)*) => {$(
        impl<T: ToSql> Params for [T; $n] {
            fn list(&self) -> Vec<&dyn ToSql> {
                self.iter().map(|v| v as &dyn ToSql).collect()
            }
        }
        impl<T: ToSql> Params for &[T; $n] {
            fn list(&self) -> Vec<&dyn ToSql> {
                self.iter().map(|v| v as &dyn ToSql).collect()
            }
        }
    )*};
}
array_params!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16);

/// The values of an iterator as parameters.
pub fn params_from_iter<I>(iter: I) -> Vec<I::Item>
where
    I: IntoIterator,
    I::Item: ToSql,
{
    iter.into_iter().collect()
}

/// A borrowed SQLite value, owned (text that is not UTF-8 is replaced).
pub fn owned_value(v: ValueRef<'_>) -> Value {
    owned(v)
}

fn owned(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

/// A parameter for the server: an SQLite value, encoded as the type the
/// statement expects.
#[derive(Debug)]
struct PgParam(Value);

fn pg_params(params: &[&dyn ToSql]) -> Result<Vec<PgParam>> {
    params
        .iter()
        .map(|p| {
            let v = match p.to_sql()? {
                ToSqlOutput::Borrowed(r) => owned(r),
                ToSqlOutput::Owned(v) => v,
                other => {
                    return Err(Error::ToSqlConversionFailure(
                        format!("unsupported parameter {other:?}").into(),
                    ))
                }
            };
            Ok(PgParam(v))
        })
        .collect()
}

type BoxError = Box<dyn std::error::Error + Sync + Send>;

impl postgres::types::ToSql for PgParam {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> std::result::Result<postgres::types::IsNull, BoxError> {
        use postgres::types::{IsNull, ToSql as PT, Type};
        let text = |s: &str, out: &mut postgres::types::private::BytesMut| {
            out.extend_from_slice(s.as_bytes());
            Ok(IsNull::No)
        };
        match (&self.0, ty) {
            (Value::Null, _) => Ok(IsNull::Yes),
            (Value::Integer(i), &Type::INT8) => PT::to_sql(&i, ty, out),
            (Value::Integer(i), &Type::INT4) => PT::to_sql(&i32::try_from(*i)?, ty, out),
            (Value::Integer(i), &Type::INT2) => PT::to_sql(&i16::try_from(*i)?, ty, out),
            (Value::Integer(i), &Type::FLOAT8) => PT::to_sql(&(*i as f64), ty, out),
            (Value::Integer(i), &Type::FLOAT4) => PT::to_sql(&(*i as f32), ty, out),
            (Value::Integer(i), &Type::BOOL) => PT::to_sql(&(*i != 0), ty, out),
            (Value::Integer(i), &Type::NUMERIC) => numeric(*i as f64, out),
            (Value::Integer(i), _) => text(&i.to_string(), out),
            (Value::Real(f), &Type::FLOAT8) => PT::to_sql(&f, ty, out),
            (Value::Real(f), &Type::FLOAT4) => PT::to_sql(&(*f as f32), ty, out),
            (Value::Real(f), &Type::INT8) if f.fract() == 0.0 => PT::to_sql(&(*f as i64), ty, out),
            (Value::Real(f), &Type::NUMERIC) => numeric(*f, out),
            (Value::Real(f), _) => text(&f.to_string(), out),
            (Value::Text(s), &Type::INT8) => PT::to_sql(&s.parse::<i64>()?, ty, out),
            (Value::Text(s), &Type::INT4) => PT::to_sql(&s.parse::<i32>()?, ty, out),
            (Value::Text(s), &Type::INT2) => PT::to_sql(&s.parse::<i16>()?, ty, out),
            (Value::Text(s), &Type::FLOAT4) => PT::to_sql(&s.parse::<f32>()?, ty, out),
            (Value::Text(s), &Type::BOOL) => {
                PT::to_sql(&matches!(s.as_str(), "1" | "t" | "true"), ty, out)
            }
            (Value::Text(s), &Type::NUMERIC) => numeric(s.parse::<f64>()?, out),
            (Value::Text(s), &Type::FLOAT8) => PT::to_sql(&s.parse::<f64>()?, ty, out),
            (Value::Text(s), &Type::JSONB) => {
                out.extend_from_slice(&[1]);
                text(s, out)
            }
            (Value::Text(s), _) => text(s, out),
            (Value::Blob(b), _) => PT::to_sql(&b.as_slice(), &Type::BYTEA, out),
        }
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// A number in NUMERIC's binary form (only where a statement's parameter
/// is inferred as numeric: `round($1, 2)`): through its text.
fn numeric(
    f: f64,
    out: &mut postgres::types::private::BytesMut,
) -> std::result::Result<postgres::types::IsNull, BoxError> {
    // NUMERIC's binary form: ndigits, weight, sign, dscale, then digits
    // in base 10000 aligned on the decimal point.
    let neg = f < 0.0;
    let s = format!("{:.6}", f.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    let int_padded = format!("{}{}", "0".repeat((4 - int.len() % 4) % 4), int);
    let frac_padded = format!("{}{}", frac, "0".repeat((4 - frac.len() % 4) % 4));
    let mut digits: Vec<i16> = Vec::new();
    for c in int_padded
        .as_bytes()
        .chunks(4)
        .chain(frac_padded.as_bytes().chunks(4))
    {
        digits.push(std::str::from_utf8(c)?.parse()?);
    }
    let mut weight = (int_padded.len() / 4) as i16 - 1;
    while digits.first() == Some(&0) {
        digits.remove(0);
        weight -= 1;
    }
    while digits.last() == Some(&0) {
        digits.pop();
    }
    if digits.is_empty() {
        weight = 0;
    }
    out.extend_from_slice(&(digits.len() as i16).to_be_bytes());
    out.extend_from_slice(&weight.to_be_bytes());
    out.extend_from_slice(&(if neg { 0x4000u16 } else { 0 }).to_be_bytes());
    out.extend_from_slice(&(frac.len() as i16).to_be_bytes());
    for d in digits {
        out.extend_from_slice(&d.to_be_bytes());
    }
    Ok(postgres::types::IsNull::No)
}

/// A server value as an SQLite one.
struct PgAny(Value);

impl<'a> postgres::types::FromSql<'a> for PgAny {
    fn from_sql(ty: &postgres::types::Type, raw: &'a [u8]) -> std::result::Result<PgAny, BoxError> {
        use postgres::types::Type;
        Ok(PgAny(match *ty {
            Type::INT8 => Value::Integer(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Integer(i32::from_sql(ty, raw)? as i64),
            Type::INT2 => Value::Integer(i16::from_sql(ty, raw)? as i64),
            Type::OID => Value::Integer(u32::from_sql(ty, raw)? as i64),
            Type::BOOL => Value::Integer(bool::from_sql(ty, raw)? as i64),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Real(f32::from_sql(ty, raw)? as f64),
            Type::NUMERIC => numeric_value(raw)?,
            Type::BYTEA => Value::Blob(raw.to_vec()),
            Type::JSONB => Value::Text(String::from_utf8(raw.get(1..).unwrap_or(&[]).to_vec())?),
            _ => Value::Text(String::from_utf8(raw.to_vec())?),
        }))
    }

    fn from_sql_null(_: &postgres::types::Type) -> std::result::Result<PgAny, BoxError> {
        Ok(PgAny(Value::Null))
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }
}

/// NUMERIC's binary form as an integer when it has no fraction (a `sum`
/// of integers), else a real.
fn numeric_value(raw: &[u8]) -> std::result::Result<Value, BoxError> {
    let word = |i: usize| -> std::result::Result<i16, BoxError> {
        let b = raw.get(i..i + 2).ok_or("short numeric")?;
        Ok(i16::from_be_bytes([b[0], b[1]]))
    };
    let ndigits = word(0)? as usize;
    let weight = word(2)? as i32;
    let sign = word(4)? as u16;
    match sign {
        0xC000 => return Ok(Value::Real(f64::NAN)),
        0xD000 => return Ok(Value::Real(f64::INFINITY)),
        0xF000 => return Ok(Value::Real(f64::NEG_INFINITY)),
        _ => {}
    }
    let mut int: i128 = 0;
    let mut real = 0.0f64;
    let mut fraction = false;
    for k in 0..ndigits {
        let d = word(8 + 2 * k)? as i128;
        let power = weight - k as i32;
        real += d as f64 * 10000f64.powi(power);
        if power >= 0 {
            match 10000i128
                .checked_pow(power as u32)
                .and_then(|p| d.checked_mul(p))
                .and_then(|v| int.checked_add(v))
            {
                Some(v) => int = v,
                // Beyond any integer: the real is the value.
                None => fraction = true,
            }
        } else if d != 0 {
            fraction = true;
        }
    }
    let neg = sign == 0x4000;
    if !fraction && int <= i64::MAX as i128 {
        let i = int as i64;
        return Ok(Value::Integer(if neg { -i } else { i }));
    }
    Ok(Value::Real(if neg { -real } else { real }))
}

/// COPY's text format (PostgreSQL's bulk path: migrate, import, summaries).
/// Text with its backslash, tab and line breaks escaped.
pub(crate) fn copy_escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// One line of COPY's text format from fields already in it.
pub(crate) fn copy_line(fields: &[String]) -> String {
    let mut line = fields.join("\t");
    line.push('\n');
    line
}

/// A real in COPY's text format (exact: Rust's shortest round-trip form).
pub(crate) fn copy_real(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else {
        format!("{f:?}")
    }
}

/// Bytes as a bytea in COPY's text format.
pub(crate) fn copy_bytes(b: &[u8]) -> String {
    let mut out = String::with_capacity(3 + 2 * b.len());
    out.push_str("\\\\x");
    for x in b {
        out.push_str(&format!("{x:02x}"));
    }
    out
}

/// One SQLite value in COPY's text format.
pub(crate) fn copy_value(out: &mut String, v: ValueRef<'_>) {
    match v {
        ValueRef::Null => out.push_str("\\N"),
        ValueRef::Integer(i) => out.push_str(&i.to_string()),
        ValueRef::Real(f) => out.push_str(&copy_real(f)),
        ValueRef::Text(t) => copy_escape(out, &String::from_utf8_lossy(t)),
        ValueRef::Blob(b) => out.push_str(&copy_bytes(b)),
    }
}

/// Sends `data` (COPY text lines) to `sql` (a `COPY … FROM STDIN`) on the
/// server connection `conn`, inside its open transaction.
pub(crate) fn copy_in(conn: &Conn, sql: &str, data: &str) -> Result<()> {
    if data.is_empty() {
        return Ok(());
    }
    let Some(pg) = conn.pg() else {
        return Err(Error::ToSqlConversionFailure("COPY is PostgreSQL's".into()));
    };
    let mut client = pg.client();
    let mut writer = client.copy_in(sql).map_err(pg_error)?;
    use std::io::Write;
    writer
        .write_all(data.as_bytes())
        .map_err(|e| Error::ToSqlConversionFailure(Box::new(e)))?;
    writer.finish().map_err(pg_error)?;
    Ok(())
}

/// Every column of a server row as SQLite values.
pub fn pg_values(row: &postgres::Row) -> Result<Vec<Value>> {
    (0..row.len()).map(|i| value_at(row, i)).collect()
}

fn value_at(row: &postgres::Row, i: usize) -> Result<Value> {
    row.try_get::<_, PgAny>(i).map(|v| v.0).map_err(pg_error)
}

/// A server error as rusqlite's: a constraint or a trigger's refusal as the
/// SQLite error of the same meaning (with the server's message), any other
/// boxed (see [`server_error`]).
pub fn pg_error(e: postgres::Error) -> Error {
    use rusqlite::ffi;
    if let Some(db) = e.as_db_error() {
        let code = match db.code().code() {
            "23505" => Some(ffi::SQLITE_CONSTRAINT_UNIQUE),
            "23503" => Some(ffi::SQLITE_CONSTRAINT_FOREIGNKEY),
            "23502" => Some(ffi::SQLITE_CONSTRAINT_NOTNULL),
            "23514" => Some(ffi::SQLITE_CONSTRAINT_CHECK),
            "P0001" => Some(ffi::SQLITE_CONSTRAINT_TRIGGER),
            _ => None,
        };
        if let Some(code) = code {
            return Error::SqliteFailure(ffi::Error::new(code), Some(db.message().to_string()));
        }
    }
    Error::ToSqlConversionFailure(Box::new(e))
}

/// The connection to the server is lost and could not be made again.
#[derive(Debug)]
pub struct Lost(pub String);

impl std::fmt::Display for Lost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Lost {}

/// The connection broke while `COMMIT` was sent: the outcome is unknown.
#[derive(Debug)]
pub struct CommitUnknown(pub String);

impl std::fmt::Display for CommitUnknown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CommitUnknown {}

/// The seam error's lost connection or unknown commit, if it is one.
pub fn connection_trouble(e: &Error) -> Option<(bool, String)> {
    match e {
        Error::ToSqlConversionFailure(b) => {
            if let Some(l) = b.downcast_ref::<Lost>() {
                Some((false, l.0.clone()))
            } else {
                b.downcast_ref::<CommitUnknown>()
                    .map(|c| (true, c.0.clone()))
            }
        }
        _ => None,
    }
}

/// True when `e` says the connection is gone (no server error, or a
/// connection exception, class 08, or an administrator's shutdown, 57P).
fn is_connection_error(e: &Error) -> bool {
    if connection_trouble(e).is_some() {
        return true;
    }
    match server_error(e) {
        Some(pe) => match pe.as_db_error() {
            None => {
                pe.is_closed()
                    || std::error::Error::source(pe).is_some_and(|c| c.is::<std::io::Error>())
            }
            Some(d) => d.code().code().starts_with("08") || d.code().code().starts_with("57P"),
        },
        None => false,
    }
}

/// The server's error inside a seam error, if it is one.
pub fn server_error(e: &Error) -> Option<&postgres::Error> {
    match e {
        Error::ToSqlConversionFailure(b) => b.downcast_ref::<postgres::Error>(),
        _ => None,
    }
}

/// The statement text for PostgreSQL, and whether it was given
/// `RETURNING id` (an insert into a table with an identity id).
pub fn translate(sql: &str, id_tables: &HashSet<String>) -> (String, bool) {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut next = 0u32;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                out.push(c);
                for d in chars.by_ref() {
                    out.push(d);
                    if d == c {
                        break;
                    }
                }
            }
            '?' => {
                let mut n = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    n.push(*d);
                    chars.next();
                }
                let k = if n.is_empty() {
                    next + 1
                } else {
                    n.parse().unwrap_or(0)
                };
                next = next.max(k);
                out.push('$');
                out.push_str(&k.to_string());
            }
            _ => out.push(c),
        }
    }
    let mut text = replace_words(&out, "LIKE", "ILIKE");
    let upper = text.trim_start().to_ascii_uppercase();
    if upper.starts_with("INSERT OR IGNORE INTO") {
        let at = text.to_ascii_uppercase().find("OR IGNORE").unwrap_or(0);
        text.replace_range(at..at + "OR IGNORE ".len(), "");
        insert_before_returning(&mut text, " ON CONFLICT DO NOTHING");
    }
    let upper = text.trim_start().to_ascii_uppercase();
    let mut returns_id = false;
    if let Some(rest) = upper.strip_prefix("INSERT INTO ") {
        let table: String = rest
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect::<String>()
            .to_ascii_lowercase();
        if id_tables.contains(&table) && !upper.contains("RETURNING") {
            text.push_str(" RETURNING id");
            returns_id = true;
        }
    }
    (text, returns_id)
}

fn insert_before_returning(text: &mut String, clause: &str) {
    match text.to_ascii_uppercase().rfind("RETURNING") {
        Some(at) => text.insert_str(at, &format!("{clause} ")),
        None => text.push_str(clause),
    }
}

/// `word` as a whole word (outside quotes) replaced by `with`.
fn replace_words(sql: &str, word: &str, with: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let bytes = sql.as_bytes();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(q) = quote {
            if b == q {
                quote = None;
            }
            out.push(b as char);
            i += 1;
            continue;
        }
        if b == b'\'' || b == b'"' {
            quote = Some(b);
            out.push(b as char);
            i += 1;
            continue;
        }
        let end = i + word.len();
        let before_ok = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        if before_ok
            && end <= bytes.len()
            && sql[i..end].eq_ignore_ascii_case(word)
            && (end == bytes.len() || !(bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_'))
        {
            out.push_str(with);
            i = end;
            continue;
        }
        // Keep multi-byte characters whole.
        let ch = sql[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_numbered_outside_quotes() {
        let ids: HashSet<String> = HashSet::new();
        let (t, _) = translate("SELECT a FROM t WHERE a = ?1 AND b = '?2' AND c = ?", &ids);
        assert_eq!(t, "SELECT a FROM t WHERE a = $1 AND b = '?2' AND c = $2");
    }

    #[test]
    fn or_ignore_becomes_on_conflict_and_inserts_return_their_id() {
        let ids: HashSet<String> = ["alerts".to_string()].into();
        let (t, r) = translate("INSERT OR IGNORE INTO tags (a) VALUES (?1)", &ids);
        assert_eq!(t, "INSERT INTO tags (a) VALUES ($1) ON CONFLICT DO NOTHING");
        assert!(!r);
        let (t, r) = translate("INSERT INTO alerts (a) VALUES (?1)", &ids);
        assert_eq!(t, "INSERT INTO alerts (a) VALUES ($1) RETURNING id");
        assert!(r);
        let (t, _) = translate("SELECT 1 WHERE x LIKE ?1 AND unlike = 'LIKE'", &ids);
        assert_eq!(t, "SELECT 1 WHERE x ILIKE $1 AND unlike = 'LIKE'");
    }

    #[test]
    fn numeric_values_read_as_integers_or_reals() {
        // 12345 = weight 1, digits [1, 2345].
        let raw = [0, 2, 0, 1, 0, 0, 0, 0, 0, 1, 0x09, 0x29];
        assert_eq!(numeric_value(&raw).unwrap(), Value::Integer(12345));
        // -1.5 = weight 0, digits [1, 5000], negative, scale 1.
        let raw = [0, 2, 0, 0, 0x40, 0, 0, 1, 0, 1, 0x13, 0x88];
        assert_eq!(numeric_value(&raw).unwrap(), Value::Real(-1.5));
        // 'Infinity'::numeric, and 10^44 (beyond i128): reals.
        let raw = [0, 0, 0, 0, 0xD0, 0, 0, 0];
        assert_eq!(numeric_value(&raw).unwrap(), Value::Real(f64::INFINITY));
        let raw = [0, 1, 0, 11, 0, 0, 0, 0, 0, 1];
        assert_eq!(numeric_value(&raw).unwrap(), Value::Real(1e44));
    }
}
