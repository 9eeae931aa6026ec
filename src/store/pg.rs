//! Team mode: the store on a PostgreSQL database named by a
//! `postgres://` URL. Connecting follows libpq's conventions (`PGHOST`,
//! `PGPORT`, `PGUSER`, `PGDATABASE`, `PGPASSWORD`, `~/.pgpass` or
//! `PGPASSFILE`, `PGSSLMODE`); a password in the URL is refused, so that it
//! is never in argv, the config file or the log. The schema is PostgreSQL's
//! own baseline ([`BASELINE`]), equal to SQLite schema [`super::SCHEMA_VERSION`];
//! later versions are numbered in lockstep with SQLite's.

use super::db::{Conn, Pg};
use super::{Result, Store, StoreError, APPLICATION_ID, SCHEMA_VERSION};
use std::path::{Path, PathBuf};

/// The PostgreSQL schema, version [`SCHEMA_VERSION`] in one step.
pub const BASELINE: &str = include_str!("pg/0001_baseline.sql");

/// The roles and grants of `opsdeck team init`.
pub const ROLES_SQL: &str = include_str!("pg/roles.sql");

/// True when `db` names a PostgreSQL database rather than an SQLite file.
pub fn is_url(db: &Path) -> bool {
    let s = db.to_string_lossy();
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

/// The URL as shown in messages and the log: the password, if any, hidden.
pub fn shown(url: &str) -> String {
    match url.parse::<postgres::Config>() {
        Ok(c) => shown_config(&c),
        Err(_) => "postgres://…".into(),
    }
}

/// The login of this process's server connection (one per process), for
/// messages that tell an admin what to grant.
static LOGIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// What a refused change needs, from the server's "permission denied for
/// table X" (or sequence, or function): the opsdeck role that [`ROLES_SQL`]
/// grants the change on X to.
pub fn needed_role(message: &str) -> String {
    let object = message
        .rsplit(' ')
        .next()
        .unwrap_or("")
        .trim_matches('"')
        .trim_end_matches("_id_seq");
    let role = ROLES_SQL
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("GRANT ") && !l.starts_with("GRANT SELECT"))
        .find_map(|l| {
            let (_, rest) = l.split_once(" ON ")?;
            let (on, to) = rest.split_once(" TO ")?;
            let on = on
                .trim_start_matches("TABLE ")
                .trim_start_matches("SEQUENCE ");
            on.split(',')
                .any(|t| t.trim() == object)
                .then(|| to.trim_end_matches(';').trim().to_string())
        });
    match role {
        Some(r) => format!(
            "this needs the {r} role (an admin grants it: GRANT {r} TO \"{}\"; see `opsdeck team init`)",
            LOGIN.get().map(String::as_str).unwrap_or("LOGIN")
        ),
        None => "your login lacks the privilege (see `opsdeck team init` for the opsdeck roles)".into(),
    }
}

/// How a connection was made, for `doctor`.
#[derive(Debug, Clone)]
pub struct Connected {
    /// The URL shown (no password).
    pub url: String,
    /// Whether the connection is encrypted.
    pub tls: bool,
    /// Why the login may not write (it holds none of the writing roles).
    pub read_only_why: Option<String>,
}

/// The connection settings of `url` completed from libpq's environment.
pub fn config(url: &str) -> Result<(postgres::Config, Connected)> {
    let invalid = |m: String| StoreError::Invalid(m);
    let mut c: postgres::Config = url.parse().map_err(|e| {
        invalid(format!(
            "{}: not a PostgreSQL URL ({}) — postgres://USER@HOST[:PORT]/DATABASE[?sslmode=…]",
            shown(url),
            chain(&e)
        ))
    })?;
    if c.get_password().is_some() {
        return Err(invalid(format!(
            "{}: the database URL carries a password; put it in PGPASSWORD or ~/.pgpass instead (a password in a URL ends up in shell history, argv, the config file and logs)",
            shown(url)
        )));
    }
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if c.get_hosts().is_empty() {
        match env("PGHOST") {
            Some(h) if h.starts_with('/') => {
                c.host_path(h);
            }
            Some(h) => {
                c.host(&h);
            }
            // libpq's default: the local socket when the server has one
            // (peer authentication works), else localhost over TCP.
            None if Path::new("/var/run/postgresql/.s.PGSQL.5432").exists() => {
                c.host_path("/var/run/postgresql");
            }
            None => {
                c.host("localhost");
            }
        }
    }
    if c.get_ports().is_empty() {
        if let Some(p) = env("PGPORT").and_then(|p| p.parse().ok()) {
            c.port(p);
        }
    }
    if c.get_user().is_none() {
        // libpq's default: PGUSER, else the operating system's login name.
        let user = env("PGUSER").unwrap_or_else(|| super::audit::os_user().login.clone());
        c.user(&user);
    }
    if c.get_dbname().is_none() {
        let db = env("PGDATABASE").unwrap_or_else(|| c.get_user().unwrap_or("").to_string());
        c.dbname(&db);
    }
    if let Some(mode) = env("PGSSLMODE") {
        c.ssl_mode(match mode.as_str() {
            "disable" => postgres::config::SslMode::Disable,
            "require" | "verify-ca" | "verify-full" => postgres::config::SslMode::Require,
            _ => postgres::config::SslMode::Prefer,
        });
    }
    if let Some(pw) = env("PGPASSWORD").or_else(|| pgpass(&c)) {
        c.password(pw);
    }
    c.application_name("opsdeck");
    // Every statement is prepared once and run many times with different
    // bounds: a generic plan, chosen without them, scans whole tables for
    // `id > $1` or `at >= $2` (an import's batches went quadratic); plan
    // each run for its values, as SQLite does.
    c.options("-c plan_cache_mode=force_custom_plan");
    c.connect_timeout(std::time::Duration::from_secs(10));
    let shown_url = shown_config(&c);
    Ok((
        c,
        Connected {
            url: shown_url,
            tls: false,
            read_only_why: None,
        },
    ))
}

fn shown_config(c: &postgres::Config) -> String {
    let host = c
        .get_hosts()
        .first()
        .map(|h| match h {
            postgres::config::Host::Tcp(h) if h.contains(':') => format!("[{h}]"),
            postgres::config::Host::Tcp(h) => h.clone(),
            postgres::config::Host::Unix(p) => p.display().to_string(),
        })
        .unwrap_or_default();
    let port = c.get_ports().first().copied().unwrap_or(5432);
    let user = c.get_user().map(|u| format!("{u}@")).unwrap_or_default();
    format!(
        "postgres://{user}{host}:{port}/{}",
        c.get_dbname().unwrap_or("")
    )
}

/// The password for `c` from `PGPASSFILE` or `~/.pgpass` (libpq's format:
/// `host:port:database:user:password`, `*` matches anything, `\` escapes;
/// ignored unless the file is private, as libpq does).
fn pgpass(c: &postgres::Config) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let file = std::env::var_os("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pgpass")))?;
    let meta = std::fs::metadata(&file).ok()?;
    if meta.permissions().mode() & 0o077 != 0 {
        tracing::warn!(file = %file.display(), "password file has group or world access; ignored");
        eprintln!(
            "opsdeck: warning: password file {} has group or world access and is ignored; chmod 600 it",
            file.display()
        );
        return None;
    }
    let text = std::fs::read_to_string(&file).ok()?;
    let host = match c.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        _ => "localhost".into(),
    };
    let port = c.get_ports().first().copied().unwrap_or(5432).to_string();
    let want = [
        host.as_str(),
        port.as_str(),
        c.get_dbname().unwrap_or(""),
        c.get_user().unwrap_or(""),
    ];
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields = split_pgpass(line);
        if fields.len() != 5 {
            continue;
        }
        if fields[..4]
            .iter()
            .zip(want.iter())
            .all(|(f, w)| f == "*" || f == w)
        {
            return Some(fields[4].clone());
        }
    }
    None
}

fn split_pgpass(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    out.last_mut().expect("one field").push(n);
                }
            }
            ':' if out.len() < 5 => out.push(String::new()),
            _ => out.last_mut().expect("one field").push(c),
        }
    }
    out
}

/// Connects to `url` (see the module docs for the settings it reads).
pub fn connect(url: &str) -> Result<(postgres::Client, Connected)> {
    let (c, mut connected) = config(url)?;
    let client = connect_with(&c).map_err(|e| StoreError::Io {
        path: connected.url.clone(),
        detail: format!("cannot connect: {}", one_line(&e)),
    })?;
    connected.tls = c.get_ssl_mode() != postgres::config::SslMode::Disable;
    Ok((client, connected))
}

/// Connects with `c`: over TLS unless `sslmode` is `disable` (with
/// `prefer`, the default, in the clear only when the server offers no
/// TLS). The server's certificate is always verified, chain and host name
/// (as libpq's `verify-full`), against the public roots, or against
/// `PGSSLROOTCERT` (libpq's variable; default `~/.postgresql/root.crt` when
/// it exists) for a private CA.
pub fn connect_with(
    c: &postgres::Config,
) -> std::result::Result<postgres::Client, postgres::Error> {
    if c.get_ssl_mode() == postgres::config::SslMode::Disable {
        return c.connect(postgres::NoTls);
    }
    c.connect(tls())
}

/// The TLS connector (built once).
fn tls() -> tokio_postgres_rustls::MakeRustlsConnect {
    static TLS: std::sync::OnceLock<tokio_postgres_rustls::MakeRustlsConnect> =
        std::sync::OnceLock::new();
    TLS.get_or_init(|| {
        let mut roots = rustls::RootCertStore::empty();
        let private = std::env::var_os("PGSSLROOTCERT")
            .map(PathBuf::from)
            .or_else(|| {
                let f = PathBuf::from(std::env::var_os("HOME")?).join(".postgresql/root.crt");
                f.exists().then_some(f)
            });
        match private {
            Some(file) => {
                use rustls_pki_types::pem::PemObject;
                match rustls_pki_types::CertificateDer::pem_file_iter(&file) {
                    Ok(certs) => {
                        for cert in certs.flatten() {
                            let _ = roots.add(cert);
                        }
                    }
                    Err(e) => tracing::warn!(file = %file.display(), "cannot read the root certificates: {e}"),
                }
            }
            None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        }
        let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("TLS 1.2 and 1.3 with ring")
        .with_root_certificates(roots)
        .with_no_client_auth();
        tokio_postgres_rustls::MakeRustlsConnect::new(config)
    })
    .clone()
}

/// A server error on one line, with its cause (a refused connection, an
/// unknown host, a missing password and what to do about it).
pub fn one_line(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => db.message().to_string(),
        None => {
            let text = chain(e);
            if text.contains("password missing") {
                "the server asks for a password: set PGPASSWORD, or put it in ~/.pgpass (mode 0600) or the file PGPASSFILE names".into()
            } else {
                text
            }
        }
    }
}

/// An error and its causes, on one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let c_text = c.to_string();
        if !text.contains(&c_text) {
            text.push_str(": ");
            text.push_str(&c_text);
        }
        cause = c.source();
    }
    text.replace('\n', " ")
}

impl Store {
    /// Opens the PostgreSQL database at `url`. `create` allows setting up
    /// the schema in a database without one (`init`, `demo`); any other
    /// command needs the schema. A database with other tables and no
    /// opsdeck schema is refused, never written.
    pub(crate) fn open_pg(
        url: &str,
        actor: Option<&str>,
        now: i64,
        create: bool,
        read_only: bool,
    ) -> Result<Store> {
        let (mut client, connected) = connect(url)?;
        let shown = connected.url.clone();
        let io = |detail: String| StoreError::Io {
            path: shown.clone(),
            detail,
        };
        let err = |e: postgres::Error| io(one_line(&e));
        // Who, whether the schema is there and what this login may do with
        // it, in one round trip.
        let facts = client
            .query_one(
                "SELECT session_user::text, to_regclass('opsdeck_schema') IS NOT NULL,
                        to_regclass('opsdeck_schema') IS NOT NULL
                          AND has_table_privilege(session_user, 'opsdeck_schema', 'SELECT'),
                        to_regclass('observations') IS NOT NULL
                          AND has_table_privilege(session_user, 'observations', 'INSERT')",
                &[],
            )
            .map_err(err)?;
        let login: String = facts.get(0);
        let has_schema: bool = facts.get(1);
        let may_read: bool = facts.get(2);
        let can_write: bool = facts.get(3);
        let _ = LOGIN.set(login.clone());
        let store_actor = actor.unwrap_or(&login).to_string();
        if !has_schema {
            let tables: i64 = client
                .query_one(
                    "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()",
                    &[],
                )
                .map_err(err)?
                .get(0);
            if tables > 0 {
                return Err(StoreError::NotOpsdeck {
                    path: shown,
                    detail: format!("a database with {tables} tables and no opsdeck schema"),
                });
            }
            if !create || read_only {
                return Err(StoreError::Invalid(format!(
                    "{shown}: no opsdeck schema in this database — create it with 'opsdeck --db URL init' or copy a SQLite database there with 'opsdeck migrate --to URL'"
                )));
            }
            let mut store = Store::from_pg(client, url, &store_actor, read_only, connected);
            store.create_pg_schema(now)?;
            return Ok(store);
        }
        if !may_read {
            return Err(StoreError::Permission {
                detail: format!("{shown}: the login {login} holds none of the opsdeck roles"),
                hint: format!(
                    "an admin grants one, e.g. GRANT opsdeck_viewer TO \"{login}\" (see `opsdeck team init`)"
                ),
            });
        }
        let row = client
            .query_one("SELECT version, application_id FROM opsdeck_schema", &[])
            .map_err(err)?;
        let (version, app): (i64, i64) = (row.get(0), row.get(1));
        if app != APPLICATION_ID {
            return Err(StoreError::NotOpsdeck {
                path: shown,
                detail: format!("opsdeck_schema names application {app:#x}, not opsdeck's"),
            });
        }
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path: shown,
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        // A login that may not record (a viewer) opens read-only, as
        // --read-only does: the cockpit hides its write keys, and a write
        // is refused with the role it needs.
        let mut connected = connected;
        if !can_write {
            connected.read_only_why = Some(format!(
                "the login {login} may only read this database: day-to-day work (record, import, acknowledge, run items) needs the opsdeck_operator role, the operation's definition opsdeck_admin — an admin grants one: GRANT opsdeck_operator TO \"{login}\""
            ));
        }
        let store = Store::from_pg(
            client,
            url,
            &store_actor,
            read_only || !can_write,
            connected,
        );
        if let Some(pg) = store.conn.pg() {
            pg.learn_identity_tables()?;
        }
        Ok(store)
    }

    fn from_pg(
        client: postgres::Client,
        url: &str,
        actor: &str,
        read_only: bool,
        connected: Connected,
    ) -> Store {
        let config = config(url).ok().map(|(c, _)| c);
        Store {
            conn: Conn::Pg(Box::new(Pg::new(client, config))),
            path: PathBuf::from(url),
            actor: actor.to_string(),
            read_only,
            work_items_read: Default::default(),
            server: Some(connected),
            listener: Default::default(),
            prefetch: Default::default(),
        }
    }

    /// Applies the baseline and seeds the starter operation, in one
    /// transaction (a second `init` racing this one waits on the lock, then
    /// finds the schema).
    fn create_pg_schema(&mut self, now: i64) -> Result<()> {
        let conn = &self.conn;
        conn.begin_write()?;
        let done = (|| -> Result<()> {
            let exists: i64 = conn.query_row(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'opsdeck_schema'",
                [],
                |r| r.get(0),
            )?;
            if exists > 0 {
                return Ok(());
            }
            conn.execute_batch(BASELINE)?;
            if let Some(pg) = conn.pg() {
                pg.learn_identity_tables()?;
            }
            super::seed(conn, &self.actor, now)?;
            super::slos::after_migration(conn, super::slos::ALERTS_MIGRATION, &self.actor, now)?;
            super::playbooks::seed_starter_playbooks(
                &super::Tx {
                    tx: conn,
                    actor: &self.actor,
                },
                now,
            )?;
            super::hours::refresh_stale_levels(conn, true)?;
            conn.execute(
                "INSERT INTO opsdeck_schema (version, application_id) VALUES (?1, ?2)",
                [SCHEMA_VERSION, APPLICATION_ID],
            )?;
            Ok(())
        })();
        match done {
            Ok(()) => conn.commit(true).map_err(StoreError::from),
            Err(e) => {
                let _ = conn.rollback();
                Err(e)
            }
        }
    }

    /// Runs [`ROLES_SQL`] (as the tables' owner): the three roles and their
    /// grants, in one transaction; running it again changes nothing.
    pub fn apply_roles(&self) -> Result<()> {
        let conn = &self.conn;
        conn.execute_batch("BEGIN")?;
        match conn.execute_batch(ROLES_SQL) {
            Ok(()) => Ok(conn.execute_batch("COMMIT")?),
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                match StoreError::from(e) {
                    StoreError::Permission { detail, .. } => Err(StoreError::Permission {
                        detail,
                        hint: "team init --apply must run as the owner of the opsdeck tables (the login that ran `init` or `migrate --to`) or a superuser; or print the SQL with `opsdeck team init` and have them run it".into(),
                    }),
                    other => Err(other),
                }
            }
        }
    }

    /// The opsdeck roles the login holds (directly or through another role).
    pub fn opsdeck_roles(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT rolname::text FROM pg_roles
              WHERE rolname IN ('opsdeck_viewer', 'opsdeck_operator', 'opsdeck_admin')
                AND pg_has_role(session_user, oid, 'MEMBER')
             UNION ALL
             SELECT 'owner of the tables' FROM pg_tables
              WHERE tablename = 'opsdeck_schema' AND schemaname = current_schema()
                AND pg_has_role(session_user, tableowner, 'MEMBER')
             UNION ALL
             SELECT 'superuser' FROM pg_roles WHERE rolname = session_user AND rolsuper
              ORDER BY 1",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The server's connection, when the store is on PostgreSQL.
    pub fn server(&self) -> Option<&Connected> {
        self.server.as_ref()
    }

    /// What `doctor` reports of the server: its version, the login acting
    /// and whether the connection is encrypted.
    pub fn server_report(&self) -> Result<Option<ServerReport>> {
        let Some(connected) = &self.server else {
            return Ok(None);
        };
        let (version, login, tls): (String, String, i64) = self.conn.query_row(
            "SELECT current_setting('server_version'), session_user::text,
                    coalesce((SELECT CASE WHEN ssl THEN 1 ELSE 0 END FROM pg_stat_ssl WHERE pid = pg_backend_pid()), 0)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        Ok(Some(ServerReport {
            url: connected.url.clone(),
            version,
            login,
            tls: tls == 1,
        }))
    }
}

/// Listens for other clients' commits on a connection of its own (`LISTEN
/// opsdeck`; every write transaction ends with `NOTIFY opsdeck`): what
/// `Store::data_version` counts on PostgreSQL. A lost connection is retried
/// with backoff (0.25 s doubling to 8 s); after a reconnect the count moves
/// on once more, since notifications sent meanwhile are gone, so the
/// cockpit reads everything again.
#[derive(Debug)]
pub struct Listener {
    ready: std::sync::Arc<std::sync::atomic::AtomicBool>,
    count: std::sync::Arc<std::sync::atomic::AtomicI64>,
    down: std::sync::Arc<std::sync::atomic::AtomicBool>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Listener {
    /// Starts listening with the settings of `url`.
    pub fn start(url: &str) -> Result<Listener> {
        use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
        use std::sync::Arc;
        let (config, _) = config(url)?;
        let count = Arc::new(AtomicI64::new(0));
        let down = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let ready = Arc::new(AtomicBool::new(false));
        let (c, d, s, r) = (count.clone(), down.clone(), stop.clone(), ready.clone());
        std::thread::Builder::new()
            .name("opsdeck-listen".into())
            .spawn(move || {
                let mut backoff = std::time::Duration::from_millis(250);
                let mut first = true;
                while !s.load(Ordering::SeqCst) {
                    let mut client = match connect_with(&config) {
                        Ok(client) => client,
                        Err(e) => {
                            if !d.swap(true, Ordering::SeqCst) {
                                tracing::warn!(
                                    "listener: cannot reach the server: {}",
                                    one_line(&e)
                                );
                            }
                            std::thread::sleep(backoff);
                            backoff = (backoff * 2).min(std::time::Duration::from_secs(8));
                            continue;
                        }
                    };
                    if let Err(e) = client.batch_execute("LISTEN opsdeck") {
                        // A hot standby refuses LISTEN: say so, wait, retry.
                        if !d.swap(true, Ordering::SeqCst) {
                            tracing::warn!("listener: LISTEN refused: {}", one_line(&e));
                        }
                        std::thread::sleep(backoff);
                        backoff = (backoff * 2).min(std::time::Duration::from_secs(8));
                        continue;
                    }
                    r.store(true, Ordering::SeqCst);
                    backoff = std::time::Duration::from_millis(250);
                    if d.swap(false, Ordering::SeqCst) || !first {
                        tracing::info!("listener: connected again; everything is read again");
                        c.fetch_add(1, Ordering::SeqCst);
                    }
                    first = false;
                    let mut checked = std::time::Instant::now();
                    loop {
                        if s.load(Ordering::SeqCst) {
                            return;
                        }
                        let mut notes = client.notifications();
                        let mut it = notes.timeout_iter(std::time::Duration::from_millis(200));
                        use postgres::fallible_iterator::FallibleIterator;
                        match it.next() {
                            Ok(Some(_)) => {
                                c.fetch_add(1, Ordering::SeqCst);
                            }
                            Ok(None) => {
                                drop(it);
                                drop(notes);
                                // A quiet connection is asked whether it is
                                // alive every 2 s (a cut one errs at once).
                                if client.is_closed() {
                                    d.store(true, Ordering::SeqCst);
                                    break;
                                }
                                if checked.elapsed() >= std::time::Duration::from_secs(2) {
                                    checked = std::time::Instant::now();
                                    if client.is_valid(std::time::Duration::from_secs(2)).is_err() {
                                        d.store(true, Ordering::SeqCst);
                                        break;
                                    }
                                }
                            }
                            Err(_) => {
                                d.store(true, Ordering::SeqCst);
                                break;
                            }
                        }
                    }
                }
            })
            .map_err(|e| StoreError::Io {
                path: url.to_string(),
                detail: format!("cannot start the listener: {e}"),
            })?;
        Ok(Listener {
            count,
            down,
            stop,
            ready,
        })
    }

    /// Notifications (and reconnects) seen so far.
    pub fn count(&self) -> i64 {
        self.count.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// True once the first `LISTEN` succeeded.
    pub fn is_listening(&self) -> bool {
        self.ready.load(std::sync::atomic::Ordering::SeqCst) && !self.is_down()
    }

    /// True while the server cannot be reached.
    pub fn is_down(&self) -> bool {
        self.down.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// The server facts `doctor` prints.
#[derive(Debug, Clone)]
pub struct ServerReport {
    /// The URL without password.
    pub url: String,
    /// `server_version`.
    pub version: String,
    /// `session_user`: who the audit trail names.
    pub login: String,
    /// True when the connection is encrypted.
    pub tls: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_a_server_anything_else_a_file() {
        assert!(is_url(Path::new("postgres://db.internal/ops")));
        assert!(is_url(Path::new("postgresql://localhost/ops")));
        assert!(!is_url(Path::new("postgres.db")));
        assert!(!is_url(Path::new("./postgres://x")));
    }

    #[test]
    fn a_password_in_the_url_is_refused_and_never_shown() {
        let e = config("postgres://ana:s3cret@db.internal/ops").unwrap_err();
        assert!(e.to_string().contains("PGPASSWORD or ~/.pgpass"), "{e}");
        assert!(!e.to_string().contains("s3cret"));
        assert_eq!(
            shown("postgres://ana:s3cret@db.internal:5433/ops"),
            "postgres://ana@db.internal:5433/ops"
        );
    }

    #[test]
    fn a_refused_change_names_the_role_that_may_make_it() {
        assert!(needed_role("permission denied for table indicators").contains("opsdeck_admin"));
        assert!(
            needed_role("permission denied for table observations").contains("opsdeck_operator")
        );
        assert!(needed_role("permission denied for sequence alerts_id_seq")
            .contains("opsdeck_operator"));
    }

    #[test]
    fn pgpass_lines_split_on_unescaped_colons() {
        assert_eq!(
            split_pgpass(r"db\:1:5432:*:ana:pa\:ss"),
            vec!["db:1", "5432", "*", "ana", "pa:ss"]
        );
    }
}

/// Rows per table, as copied or verified.
pub type Counts = std::collections::BTreeMap<String, u64>;

impl Store {
    /// Copies this SQLite database into the empty PostgreSQL database at
    /// `url`, in one server transaction: the baseline schema, every table's
    /// rows with their ids (COPY, triggers off so that nothing is stamped
    /// or rolled up again: the audit keeps its logins, the summaries are
    /// the file's), the identity sequences moved past the ids, then every
    /// table compared with the file (row count and a digest of its rows in
    /// key order) before the commit. Any difference rolls everything back.
    pub fn copy_to_pg(&self, url: &str) -> Result<Counts> {
        let src = self.sqlite_only(
            "migrate --to",
            "the database is on a server already (pg_dump copies it)",
        )?;
        let (mut client, connected) = connect(url)?;
        let shown = connected.url.clone();
        let fail = |e: postgres::Error| StoreError::Io {
            path: shown.clone(),
            detail: one_line(&e),
        };
        refuse_unless_empty(&mut client, &shown)?;
        let _snapshot = self.read_tx()?;
        let names = self.conn.tables()?;
        let mut tx = client.transaction().map_err(fail)?;
        tx.batch_execute(BASELINE).map_err(fail)?;
        // The baseline's own rows come from the file instead.
        tx.batch_execute("DELETE FROM meta; DELETE FROM change_tokens;")
            .map_err(fail)?;
        // Parents before children (foreign keys are checked as rows come),
        // and no trigger of opsdeck's while rows are copied.
        let names = dependency_order(&mut tx, names).map_err(fail)?;
        for table in &names {
            tx.batch_execute(&format!(
                "ALTER TABLE \"{}\" DISABLE TRIGGER USER",
                table.replace('"', "\"\"")
            ))
            .map_err(fail)?;
        }
        let mut counts = Counts::new();
        for table in &names {
            let cols = self.conn.columns(table)?;
            let q = |n: &str| format!("\"{}\"", n.replace('"', "\"\""));
            let col_list = cols.iter().map(|c| q(c)).collect::<Vec<_>>().join(", ");
            let mut writer = tx
                .copy_in(&format!("COPY {} ({col_list}) FROM STDIN", q(table)))
                .map_err(fail)?;
            let mut stmt = src.prepare(&format!("SELECT {col_list} FROM {}", q(table)))?;
            let mut rows = stmt.query([])?;
            let mut n = 0u64;
            let mut line = String::new();
            while let Some(r) = rows.next()? {
                line.clear();
                for (i, col) in cols.iter().enumerate() {
                    if i > 0 {
                        line.push('\t');
                    }
                    let v = r.get_ref(i)?;
                    if let rusqlite::types::ValueRef::Text(t) = v {
                        if std::str::from_utf8(t).is_err() {
                            return Err(StoreError::Invalid(format!(
                                "{table}: row {}: column {col} holds text that is not UTF-8, which PostgreSQL cannot store; correct that row in the file first — nothing was copied",
                                n + 1
                            )));
                        }
                    }
                    super::db::copy_value(&mut line, v);
                }
                line.push('\n');
                use std::io::Write;
                writer
                    .write_all(line.as_bytes())
                    .map_err(|e| StoreError::Io {
                        path: shown.clone(),
                        detail: format!("COPY {table}: {e}"),
                    })?;
                n += 1;
            }
            writer.finish().map_err(fail)?;
            counts.insert(table.clone(), n);
        }
        for table in &names {
            tx.batch_execute(&format!(
                "ALTER TABLE \"{}\" ENABLE TRIGGER USER",
                table.replace('"', "\"\"")
            ))
            .map_err(fail)?;
        }
        let identities = tx
            .query(
                "SELECT table_name::text, column_name::text FROM information_schema.columns
                  WHERE table_schema = current_schema() AND is_identity = 'YES'
                    AND identity_generation = 'BY DEFAULT'",
                &[],
            )
            .map_err(fail)?;
        for r in identities {
            let (t, c): (String, String) = (r.get(0), r.get(1));
            tx.batch_execute(&format!(
                "SELECT setval(pg_get_serial_sequence('\"{t}\"', '{c}'), coalesce(max(\"{c}\"), 0) + 1, false) FROM \"{t}\""
            ))
            .map_err(fail)?;
        }
        tx.execute(
            "INSERT INTO opsdeck_schema (version, application_id) VALUES ($1, $2)",
            &[&SCHEMA_VERSION, &APPLICATION_ID],
        )
        .map_err(fail)?;
        // Verify, in the same transaction: counts and digests per table.
        for table in &names {
            let cols = self.conn.columns(table)?;
            let q = |n: &str| format!("\"{}\"", n.replace('"', "\"\""));
            let col_list = cols.iter().map(|c| q(c)).collect::<Vec<_>>().join(", ");
            let order = (1..=cols.len())
                .map(|i| format!("{i} NULLS FIRST"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!("SELECT {col_list} FROM {} ORDER BY {order}", q(table));
            let mut file_digest = Digest::default();
            {
                let mut stmt = src.prepare(&sql)?;
                let mut rows = stmt.query([])?;
                while let Some(r) = rows.next()? {
                    for i in 0..cols.len() {
                        file_digest.add(&super::db::owned_value(r.get_ref(i)?));
                    }
                    file_digest.rows += 1;
                }
            }
            let mut server_digest = Digest::default();
            for r in tx.query(sql.as_str(), &[]).map_err(fail)? {
                for v in super::db::pg_values(&r)? {
                    server_digest.add(&v);
                }
                server_digest.rows += 1;
            }
            if file_digest != server_digest {
                return Err(StoreError::Invalid(format!(
                    "{shown}: table {table} differs after the copy ({} rows in the file, {} on the server); nothing was kept",
                    file_digest.rows, server_digest.rows
                )));
            }
        }
        tx.batch_execute("NOTIFY opsdeck").map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(counts)
    }
}

/// Refuses a database that has tables: opsdeck copies (`migrate --to`,
/// `restore`) only into an empty one.
fn refuse_unless_empty(client: &mut postgres::Client, shown: &str) -> Result<()> {
    let tables: i64 = client
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()",
            &[],
        )
        .map_err(|e| StoreError::Io {
            path: shown.to_string(),
            detail: one_line(&e),
        })?
        .get(0);
    if tables > 0 {
        return Err(StoreError::Invalid(format!(
            "{shown}: the database has {tables} tables already; opsdeck copies only into an empty database (createdb a new one); nothing was written"
        )));
    }
    Ok(())
}

/// Connects to `url` and refuses it unless it is an empty database.
pub fn check_empty(url: &str) -> Result<()> {
    let (mut client, connected) = connect(url)?;
    refuse_unless_empty(&mut client, &connected.url)
}

/// `names` ordered so that every table comes after the tables its foreign
/// keys point to (ties by name).
fn dependency_order(
    tx: &mut postgres::Transaction<'_>,
    names: Vec<String>,
) -> std::result::Result<Vec<String>, postgres::Error> {
    let edges: Vec<(String, String)> = tx
        .query(
            "SELECT DISTINCT child.relname::text, parent.relname::text FROM pg_constraint c
               JOIN pg_class child ON child.oid = c.conrelid
               JOIN pg_class parent ON parent.oid = c.confrelid
              WHERE c.contype = 'f' AND child.oid <> parent.oid",
            &[],
        )?
        .into_iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let mut left: Vec<String> = names;
    left.sort();
    let mut out: Vec<String> = Vec::new();
    while !left.is_empty() {
        let ready = left
            .iter()
            .position(|t| {
                edges
                    .iter()
                    .filter(|(child, _)| child == t)
                    .all(|(_, parent)| out.contains(parent) || !left.contains(parent))
            })
            .unwrap_or(0);
        out.push(left.remove(ready));
    }
    Ok(out)
}

/// A running digest of a table's values (count and SHA-256).
#[derive(Default)]
struct Digest {
    rows: u64,
    hash: Vec<u8>,
    state: Option<sha2::Sha256>,
}

impl Digest {
    fn add(&mut self, v: &rusqlite::types::Value) {
        use rusqlite::types::Value;
        use sha2::Digest as _;
        let h = self.state.get_or_insert_with(sha2::Sha256::new);
        match v {
            Value::Null => h.update(b"N"),
            Value::Integer(i) => {
                h.update(b"I");
                h.update(i.to_le_bytes());
            }
            Value::Real(f) => {
                h.update(b"R");
                h.update(f.to_bits().to_le_bytes());
            }
            Value::Text(t) => {
                h.update(b"T");
                h.update((t.len() as u64).to_le_bytes());
                h.update(t.as_bytes());
            }
            Value::Blob(b) => {
                h.update(b"B");
                h.update((b.len() as u64).to_le_bytes());
                h.update(b);
            }
        }
    }

    fn finish(&self) -> Vec<u8> {
        use sha2::Digest as _;
        let mut out = self.hash.clone();
        if let Some(s) = &self.state {
            out.extend_from_slice(&s.clone().finalize());
        }
        out
    }
}

impl PartialEq for Digest {
    fn eq(&self, other: &Digest) -> bool {
        self.rows == other.rows && self.finish() == other.finish()
    }
}
