//! The postgres kind against a real PostgreSQL 15 started by the test in a
//! temp folder (as the `postgres` user when run as root: the server
//! refuses root), on a free port on 127.0.0.1, stopped at the end. Where no
//! server can be started the test says so loudly and does not pretend.

use crate::common::{stderr, stdout, Env};
use std::path::{Path, PathBuf};
use std::process::Command;

const NOW: &str = "2026-12-01T09:00:00Z";
const BIN: &str = "/usr/lib/postgresql/15/bin";

struct Server {
    data: PathBuf,
    pg_ctl: PathBuf,
    as_postgres: bool,
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

impl Server {
    fn start(dir: &Path, port: u16) -> Result<Server, String> {
        let bin = Path::new(BIN);
        let initdb = bin.join("initdb");
        let pg_ctl = bin.join("pg_ctl");
        if !initdb.exists() {
            return Err(format!("{} is missing", initdb.display()));
        }
        let as_postgres = is_root();
        let data = dir.join("pg");
        std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
        if as_postgres {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755))
                .map_err(|e| e.to_string())?;
            let ok = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(&data)
                .status()
                .map_err(|e| e.to_string())?;
            if !ok.success() {
                return Err("chown postgres failed (no postgres user?)".into());
            }
        }
        let o = cmd(as_postgres, &initdb)
            .args(["-D"])
            .arg(&data)
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8"])
            .output()
            .map_err(|e| e.to_string())?;
        if !o.status.success() {
            return Err(format!("initdb: {}", String::from_utf8_lossy(&o.stderr)));
        }
        let server = Server {
            data: data.clone(),
            pg_ctl: pg_ctl.clone(),
            as_postgres,
        };
        let o = cmd(as_postgres, &pg_ctl)
            .arg("-D")
            .arg(&data)
            .arg("-o")
            .arg(format!("-k {} -p {port} -h 127.0.0.1", data.display()))
            .arg("-l")
            .arg(data.join("log"))
            .args(["-w", "start"])
            .output()
            .map_err(|e| e.to_string())?;
        if !o.status.success() {
            return Err(format!(
                "pg_ctl start: {}",
                String::from_utf8_lossy(&o.stderr)
            ));
        }
        Ok(server)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = cmd(self.as_postgres, &self.pg_ctl)
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "fast", "-w", "stop"])
            .output();
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn a_postgres_source_runs_against_a_real_server_and_its_url_is_never_stored() {
    let env = Env::new();
    let port = free_port();
    let server = match Server::start(env.path(), port) {
        Ok(s) => s,
        Err(why) => {
            eprintln!("!!! SKIPPED sources_postgres: PostgreSQL 15 could not be started here ({why}); the postgres kind was NOT tested against a server !!!");
            return;
        }
    };
    let ops = crate::common::init_ops(&env, NOW);
    std::fs::write(
        ops.join("sources.toml"),
        r#"[[source]]
name = "billing"
kind = "postgres"
produces = "observations"
every = "15m"
url_env = "BILLING_DB_URL"
query = "select 'first_response' as indicator, t as at, v as value from (values ('2026-12-01T08:00:00Z'::timestamptz, 2.5::float8), ('2026-12-01T08:30:00Z'::timestamptz, 4::float8)) as x(t, v)"
"#,
    )
    .unwrap();
    let o = env
        .at(NOW, &["apply", ops.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let url =
        format!("host=127.0.0.1 port={port} user=postgres dbname=postgres password=pw-77-secret");
    let run = || {
        env.at(NOW, &["sources", "run", "billing"])
            .env("BILLING_DB_URL", &url)
            .output()
            .unwrap()
    };
    let o = run();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("source billing: 2 new, 0 changed, 0 unchanged"),
        "{}",
        stdout(&o)
    );
    let o = run();
    assert!(
        stdout(&o).contains("source billing: 0 new, 0 changed, 2 unchanged"),
        "{}",
        stdout(&o)
    );
    assert_eq!(
        env.query_i64("SELECT count(*) FROM observations WHERE origin = 'source:billing' AND value IN (2.5, 4)"),
        2
    );
    drop(server);
    // The server is gone: the run fails, and the connection string is not shown.
    let o = run();
    assert_eq!(o.status.code(), Some(1));
    let text = format!("{}{}", stdout(&o), stderr(&o));
    assert!(text.contains("source billing:"), "{text}");
    assert!(!text.contains("pw-77-secret"), "{text}");
    let db = std::fs::read(&env.db).unwrap();
    let needle = b"pw-77-secret";
    assert!(!db.windows(needle.len()).any(|w| w == needle));
}
