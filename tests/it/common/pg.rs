//! PostgreSQL for the tests: the server named by `OPSDECK_TEST_PG` (a URL
//! of a role that may create databases and roles, e.g.
//! `postgres://postgres@127.0.0.1:5433/postgres`; `.ci/run` starts one),
//! or else a throwaway PostgreSQL 15 cluster this test process starts in a
//! temp folder (as the `postgres` user when run as root: the server refuses
//! root), on a free port on 127.0.0.1, stopped when the process exits.
//! Where neither is possible the test fails and says why: a PostgreSQL test
//! never passes without a server.
//!
//! Each test gets a database of its own ([`database`]), dropped after it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

const BIN: &str = "/usr/lib/postgresql/15/bin";

/// The admin URL of the server the tests use.
pub fn server() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(url) = std::env::var("OPSDECK_TEST_PG") {
            if !url.is_empty() {
                return url;
            }
        }
        match start_cluster() {
            Ok(url) => url,
            Err(why) => panic!(
                "no PostgreSQL for the team-mode tests: OPSDECK_TEST_PG is not set and a throwaway cluster could not be started ({why}); install postgresql-15 or set OPSDECK_TEST_PG"
            ),
        }
    })
}

/// True when the tests run the engine-agnostic suite on PostgreSQL
/// (`OPSDECK_TEST_ENGINE=postgres`): [`super::Env::new`] then hands out
/// server databases instead of files.
pub fn engine_is_pg() -> bool {
    std::env::var("OPSDECK_TEST_ENGINE").is_ok_and(|e| e == "postgres")
}

/// A database of its own on the test server, dropped with the value.
pub struct Database {
    /// `postgres://…/NAME` for `--db`.
    pub url: String,
    /// The database's name.
    pub name: String,
}

impl Database {
    /// A client on this database as the server's admin.
    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls).expect("connect to the test database")
    }

    /// The first column of the first row of `sql`, as i64.
    pub fn query_i64(&self, sql: &str) -> i64 {
        let mut c = self.client();
        let row = c
            .query_one(sql, &[])
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        let ty = row.columns()[0].type_().clone();
        match ty {
            postgres::types::Type::INT8 => row.get::<_, i64>(0),
            postgres::types::Type::INT4 => row.get::<_, i32>(0) as i64,
            postgres::types::Type::BOOL => row.get::<_, bool>(0) as i64,
            other => panic!("{sql}: a column of type {other}"),
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(server(), postgres::NoTls) {
            let _ = c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// A new, empty database on the test server.
pub fn database() -> Database {
    static N: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "opsdeck_t{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    let mut c = postgres::Client::connect(server(), postgres::NoTls)
        .unwrap_or_else(|e| panic!("connect to the test server {}: {e}", server()));
    c.batch_execute(&format!("CREATE DATABASE \"{name}\""))
        .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
    let url = with_database(server(), &name);
    Database { url, name }
}

/// `url` with its database replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, _) = url.rsplit_once('/').expect("a URL with a database");
    format!("{base}/{name}")
}

/// `url` with its user replaced by `user`.
pub fn with_user(url: &str, user: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let host = rest.split_once('@').map(|(_, h)| h).unwrap_or(rest);
    format!("{scheme}://{user}@{host}")
}

static DATA: OnceLock<(PathBuf, bool)> = OnceLock::new();

extern "C" fn stop_cluster() {
    if let Some((data, as_postgres)) = DATA.get() {
        let _ = cmd(*as_postgres, &Path::new(BIN).join("pg_ctl"))
            .arg("-D")
            .arg(data)
            .args(["-m", "immediate", "-w", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(data.parent().unwrap_or(data));
    }
}

fn cmd(as_postgres: bool, program: &Path) -> Command {
    if as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn start_cluster() -> Result<String, String> {
    let dir = tempfile::Builder::new()
        .prefix("opsdeck-pg-")
        .tempdir()
        .map_err(|e| e.to_string())?
        .keep();
    let (url, data, as_postgres) = start_in(&dir, &[])?;
    let _ = DATA.set((data, as_postgres));
    // SAFETY: registers a plain extern "C" function without arguments.
    unsafe {
        libc::atexit(stop_cluster);
    }
    Ok(url)
}

/// A cluster of a test's own (with settings of its own, e.g. TLS), stopped
/// when dropped.
pub struct Cluster {
    /// `postgres://postgres@127.0.0.1:PORT/postgres`.
    pub url: String,
    /// The data folder (owned by `postgres` when run as root).
    pub data: PathBuf,
    as_postgres: bool,
}

impl Cluster {
    /// Starts one in `dir` with `-c NAME=VALUE` settings `extra`; `prepare`
    /// runs on the data folder after initdb (e.g. to put certificates in).
    pub fn start(
        dir: &Path,
        extra: &[&str],
        prepare: impl FnOnce(&Path),
    ) -> Result<Cluster, String> {
        let (url, data, as_postgres) = start_in_with(dir, extra, prepare)?;
        Ok(Cluster {
            url,
            data,
            as_postgres,
        })
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.url
            .rsplit(':')
            .next()
            .and_then(|p| p.split('/').next())
            .and_then(|p| p.parse().ok())
            .expect("a port in the cluster's URL")
    }

    /// True when the server runs as the `postgres` user (the tests run as root).
    pub fn as_postgres(&self) -> bool {
        self.as_postgres
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = cmd(self.as_postgres, &Path::new(BIN).join("pg_ctl"))
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "-w", "stop"])
            .output();
    }
}

fn start_in(dir: &Path, extra: &[&str]) -> Result<(String, PathBuf, bool), String> {
    start_in_with(dir, extra, |_| {})
}

fn start_in_with(
    dir: &Path,
    extra: &[&str],
    prepare: impl FnOnce(&Path),
) -> Result<(String, PathBuf, bool), String> {
    let bin = Path::new(BIN);
    let initdb = bin.join("initdb");
    if !initdb.exists() {
        return Err(format!("{} is missing", initdb.display()));
    }
    let as_postgres = is_root();
    let data = dir.join("data");
    std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
    if as_postgres {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| e.to_string())?;
        let ok = Command::new("chown")
            .arg("postgres:postgres")
            .arg(&data)
            .status()
            .map_err(|e| e.to_string())?;
        if !ok.success() {
            return Err("chown postgres failed (no postgres user?)".into());
        }
    }
    let o = cmd(as_postgres, &initdb)
        .arg("-D")
        .arg(&data)
        .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
        .output()
        .map_err(|e| e.to_string())?;
    if !o.status.success() {
        return Err(format!("initdb: {}", String::from_utf8_lossy(&o.stderr)));
    }
    prepare(&data);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let mut options = format!(
        "-k {} -p {port} -h 127.0.0.1 -c fsync=off -c max_connections=200",
        data.display()
    );
    for e in extra {
        options.push_str(&format!(" -c {e}"));
    }
    let o = cmd(as_postgres, &bin.join("pg_ctl"))
        .arg("-D")
        .arg(&data)
        .arg("-o")
        .arg(options)
        .arg("-l")
        .arg(data.join("log"))
        .args(["-w", "start"])
        .output()
        .map_err(|e| e.to_string())?;
    if !o.status.success() {
        return Err(format!(
            "pg_ctl start: {} {}",
            String::from_utf8_lossy(&o.stderr),
            std::fs::read_to_string(data.join("log")).unwrap_or_default()
        ));
    }
    Ok((
        format!("postgres://postgres@127.0.0.1:{port}/postgres"),
        data,
        as_postgres,
    ))
}
