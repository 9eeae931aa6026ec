//! Team mode on a real PostgreSQL (see `common::pg`: `OPSDECK_TEST_PG` or a
//! throwaway cluster): the roles enforced by the server, the login in the
//! audit trail, the cockpit's live link (LISTEN/NOTIFY and reconnecting),
//! moving up from SQLite, and many writers at once.

use crate::common::{self, json, pg, stderr, stdout, Env};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const NOW: &str = "2026-12-01T09:00:00Z";

/// Login roles of one test, dropped with it.
struct Logins {
    names: Vec<String>,
}

impl Drop for Logins {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(pg::server(), postgres::NoTls) {
            for n in &self.names {
                let _ = c.batch_execute(&format!("DROP ROLE IF EXISTS \"{n}\""));
            }
        }
    }
}

/// Creates a login `PREFIX_<db>` in `role` for each `(prefix, role)`.
fn logins(env: &Env, wanted: &[(&str, &str)]) -> (Logins, Vec<String>) {
    let db = env.pg.as_ref().expect("a PostgreSQL env");
    let mut c = postgres::Client::connect(pg::server(), postgres::NoTls).unwrap();
    let mut names = Vec::new();
    for (prefix, role) in wanted {
        let name = format!("{prefix}_{}", db.name);
        let member = if *role == "PUBLIC" {
            String::new()
        } else {
            format!(" IN ROLE {role}")
        };
        c.batch_execute(&format!(
            "DROP ROLE IF EXISTS \"{name}\"; CREATE ROLE \"{name}\" LOGIN{member}"
        ))
        .unwrap();
        names.push(name);
    }
    let urls = names.iter().map(|n| pg::with_user(&db.url, n)).collect();
    (Logins { names }, urls)
}

/// `opsdeck --db URL ARGS` at [`NOW`] with the env's clean environment.
fn as_url(env: &Env, url: &str, args: &[&str]) -> std::process::Output {
    let mut c = env.base_cmd();
    c.arg("--db").arg(url).args(args).env("OPSDECK_NOW", NOW);
    c.output().unwrap()
}

fn team_env() -> Env {
    let env = Env::postgres();
    env.ok_at(NOW, &["status"]);
    let o = env.run_at(NOW, &["team", "init", "--apply"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("opsdeck_operator"), "{}", stdout(&o));
    env
}

#[test]
fn a_viewer_reads_an_operator_records_an_admin_applies_and_the_server_enforces_it() {
    let env = team_env();
    let (_logins, urls) = logins(
        &env,
        &[
            ("v", "opsdeck_viewer"),
            ("o", "opsdeck_operator"),
            ("a", "opsdeck_admin"),
        ],
    );
    let (viewer, operator, admin) = (&urls[0], &urls[1], &urls[2]);

    // The viewer reads the standup screen's data, and may not write.
    let o = as_url(&env, viewer, &["status"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = as_url(&env, viewer, &["record", "first_response", "2"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("opsdeck_operator"), "{err}");
    // The server refuses it too, not only the client: straight SQL as the
    // viewer is denied.
    let mut c = postgres::Client::connect(viewer, postgres::NoTls).unwrap();
    let e = c
        .batch_execute("INSERT INTO notes (entity, entity_id, at, actor, text) VALUES ('alert', '1', 1, 'v', 'x')")
        .unwrap_err();
    assert_eq!(e.code().map(|c| c.code()), Some("42501"), "{e}");

    // The operator records; the audit row names the login even when --as
    // names someone else (recorded as on behalf of).
    let o = as_url(
        &env,
        operator,
        &["--as", "mallory", "record", "first_response", "2.5"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let db = env.pg.as_ref().unwrap();
    let mut c = db.client();
    let row = c
        .query_one(
            "SELECT login, actor FROM audit WHERE action = 'record' ORDER BY id DESC LIMIT 1",
            &[],
        )
        .unwrap();
    let (login, actor): (String, String) = (row.get(0), row.get(1));
    assert_eq!(login, format!("o_{}", db.name));
    assert_eq!(actor, "mallory");
    // Without --as the actor is the login itself.
    let o = as_url(&env, operator, &["record", "first_response", "3"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let actor: String = c
        .query_one(
            "SELECT actor FROM audit WHERE action = 'record' ORDER BY id DESC LIMIT 1",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(actor, format!("o_{}", db.name));

    // The alert's history names the login too, whatever the client sends.
    let o = as_url(&env, admin, &["alert", "raise", "Shared alert"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = as_url(&env, operator, &["--as", "maria", "alert", "ack", "1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let row = c
        .query_one(
            "SELECT login, actor FROM alert_events WHERE alert_id = 1 ORDER BY id DESC LIMIT 1",
            &[],
        )
        .unwrap();
    assert_eq!(row.get::<_, String>(0), format!("o_{}", db.name));
    assert_eq!(row.get::<_, String>(1), "maria");
    let o = as_url(&env, operator, &["alert", "show", "1"]);
    assert!(
        stdout(&o).contains(&format!("as maria (by o_{})", db.name)),
        "{}",
        stdout(&o)
    );
    let mut forger = postgres::Client::connect(operator, postgres::NoTls).unwrap();
    forger
        .batch_execute(
            "INSERT INTO alert_events (alert_id, at, actor, kind, login) VALUES (1, 1, 'x', 'note', 'forged')",
        )
        .unwrap();
    let login: String = c
        .query_one(
            "SELECT login FROM alert_events ORDER BY id DESC LIMIT 1",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(login, format!("o_{}", db.name));

    // The operator may not apply the operation's definition; the admin may.
    let ops = env.path().join("team-ops");
    let o = as_url(&env, admin, &["definition", ops.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let toml = ops.join("indicators.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    let at = text
        .find("key = \"first_response\"")
        .expect("first_response in the file");
    let (head, tail) = text.split_at(at);
    std::fs::write(
        &toml,
        format!(
            "{head}{}",
            tail.replacen("target = 2\n", "target = 1.5\n", 1)
        ),
    )
    .unwrap();
    let o = as_url(&env, operator, &["apply", ops.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("opsdeck_admin"), "{err}");
    let o = as_url(&env, admin, &["apply", ops.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let target = c
        .query_one(
            "SELECT target FROM indicators WHERE key = 'first_response'",
            &[],
        )
        .unwrap()
        .get::<_, f64>(0);
    assert_eq!(target, 1.5);
    // The audit trail is append-only for everyone, the admin included.
    let mut c = postgres::Client::connect(admin, postgres::NoTls).unwrap();
    assert!(c.batch_execute("DELETE FROM audit").is_err());
}

#[test]
fn doctor_reports_the_server_the_connection_and_the_login() {
    let env = team_env();
    let (_logins, urls) = logins(&env, &[("d", "opsdeck_operator")]);
    let o = as_url(&env, &urls[0], &["doctor"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("PostgreSQL 1"), "{out}");
    assert!(out.contains("not encrypted"), "{out}");
    assert!(out.contains("opsdeck_operator"), "{out}");
    assert!(
        out.contains(&format!("d_{}", env.pg.as_ref().unwrap().name)),
        "{out}"
    );
    assert!(out.contains("version 15"), "{out}");
}

#[test]
fn team_init_prints_the_roles_and_refuses_to_apply_them_to_a_file() {
    let env = Env::sqlite();
    let o = env.run_at(NOW, &["team", "init"]);
    assert_eq!(o.status.code(), Some(0));
    let sql = stdout(&o);
    for role in ["opsdeck_viewer", "opsdeck_operator", "opsdeck_admin"] {
        assert!(
            sql.contains(&format!("CREATE ROLE {role} NOLOGIN")),
            "{role}"
        );
    }
    let o = env.run_at(NOW, &["team", "init", "--apply"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("PostgreSQL"), "{}", stderr(&o));
}

#[test]
fn a_password_in_the_url_is_refused_and_pgpassword_is_used() {
    let env = Env::postgres();
    let db = env.pg.as_ref().unwrap();
    let with_pw = db.url.replacen("postgres@", "postgres:hunter2@", 1);
    let o = as_url(&env, &with_pw, &["status"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("PGPASSWORD"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
    // A typo in the database name is an error, never an empty operation.
    let wrong = pg::with_database(&db.url, "no_such_database_here");
    let o = as_url(&env, &wrong, &["status"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no_such_database_here"),
        "{}",
        stderr(&o)
    );
    // An empty database without the schema: status says how to create it.
    let o = as_url(&env, &db.url, &["status"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no opsdeck schema"), "{}", stderr(&o));
}

#[test]
fn the_cockpit_link_sees_another_clients_commit_and_recovers_from_a_dropped_connection() {
    let env = Env::postgres();
    env.ok_at(NOW, &["status"]);
    let url = env.pg.as_ref().unwrap().url.clone();
    let store = opsdeck::store::Store::open(std::path::Path::new(&url), "cockpit").unwrap();
    let v0 = store.data_version().unwrap();
    let changed_after = |from: i64| {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let v = store.data_version().unwrap();
            if v != from {
                return Some(v);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    };
    // Once the listener listens, another process writes.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !store.is_listening() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(store.is_listening());
    env.ok_at(NOW, &["record", "first_response", "2"]);
    let v1 = changed_after(v0).expect("the commit of another client was noticed");
    assert!(!store.is_reconnecting());
    // Every connection of the cockpit is cut by the server.
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    admin
        .batch_execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE application_name = 'opsdeck' AND datname = current_database()",
        )
        .unwrap();
    // It reconnects by itself and counts the reconnect as a change (the
    // notifications sent meanwhile are gone: everything is read again).
    let v2 = changed_after(v1).expect("the listener reconnected");
    assert!(v2 > v1);
    // The store's own connection was cut too: its next read connects
    // again and succeeds (nothing was in flight, so it is simply re-run).
    assert_eq!(
        store.schema_version().unwrap(),
        opsdeck::store::SCHEMA_VERSION
    );
    assert!(!store.is_reconnecting());
    env.ok_at(NOW, &["record", "first_response", "3"]);
    assert!(changed_after(v2).is_some());
}

#[test]
fn migrate_copies_the_demo_into_postgres_and_both_export_the_same_bytes() {
    let file = Env::sqlite();
    let o = file.run_at(NOW, &["demo"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let server = Env::postgres();
    let url = server.pg.as_ref().unwrap().url.clone();
    let o = file.run_at(NOW, &["migrate", "--to", &url]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("verified each table"), "{}", stdout(&o));
    // The same operation on both engines: the exports are byte for byte
    // the same (ids, audit with its logins, alert history, amendments).
    let a = file.ok_at(NOW, &["export"]);
    let b = server.ok_at(NOW, &["export"]);
    assert!(a.lines().count() > 1000, "{}", a.lines().count());
    assert!(a == b, "the exports differ");
    // And the same answers.
    let s1 = json(&file.run_at(NOW, &["status", "--format", "json"]));
    let s2 = json(&server.run_at(NOW, &["status", "--format", "json"]));
    assert_eq!(s1, s2);
    // A second migrate into the now full database is refused.
    let o = file.run_at(NOW, &["migrate", "--to", &url]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("empty database"), "{}", stderr(&o));
    // New rows get new ids after the copied ones.
    server.ok_at(NOW, &["alert", "raise", "After the move"]);
    let o = json(&server.run_at(NOW, &["alert", "list", "--format", "json"]));
    let ids: Vec<i64> = o["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    let max_before = file.query_i64("SELECT max(id) FROM alerts");
    assert!(
        ids.iter().any(|&i| i > max_before),
        "{ids:?} vs {max_before}"
    );
    // export/restore across engines: the server's export into a new file,
    // and the file's export into a new server database.
    let dump = server.file("server.jsonl", b.as_bytes());
    let back = Env::sqlite();
    let o = back.run_at(NOW, &["restore", &dump]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let dump_a = file.file("file.jsonl", a.as_bytes());
    let second = Env::postgres();
    let o = second.run_at(NOW, &["restore", &dump_a]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        json(&second.run_at(NOW, &["status", "--format", "json"])),
        s1
    );
}

#[test]
fn eight_writers_and_four_readers_on_postgres_lose_nothing() {
    let env = Arc::new(Env::postgres());
    env.ok_at(NOW, &["status"]);
    let run_for = Duration::from_secs(6);
    let deadline = Instant::now() + run_for;
    let ok_records = Arc::new(Mutex::new(Vec::<String>::new()));
    let acks = Arc::new(Mutex::new(0u32));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut threads = Vec::new();
    // An open alert for the ack writers.
    env.ok_at(NOW, &["alert", "raise", "Shared alert"]);
    for w in 0..8 {
        let (env, ok_records, acks, failures) = (
            Arc::clone(&env),
            Arc::clone(&ok_records),
            Arc::clone(&acks),
            Arc::clone(&failures),
        );
        threads.push(std::thread::spawn(move || {
            let mut i = 0;
            while Instant::now() < deadline {
                i += 1;
                let (args, tag): (Vec<String>, Option<String>) = match (w % 4, i % 3) {
                    // Two writers run `check` on the same breach: one alert.
                    (0, _) => (vec!["check".into()], None),
                    (1, 0) => (vec!["alert".into(), "ack".into(), "1".into()], None),
                    _ => {
                        let tag = format!("w{w}-{i}");
                        (
                            vec![
                                "record".into(),
                                "first_response".into(),
                                "5".into(),
                                "--at".into(),
                                "2026-12-01T08:00:00Z".into(),
                                "--note".into(),
                                tag.clone(),
                            ],
                            Some(tag),
                        )
                    }
                };
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let o = env.run_at(NOW, &args);
                let code = o.status.code();
                let fine = code == Some(0) || (args[0] == "check" && code == Some(1));
                if !fine {
                    failures
                        .lock()
                        .unwrap()
                        .push(format!("{args:?}: {}", stderr(&o)));
                } else if let Some(tag) = tag {
                    ok_records.lock().unwrap().push(tag);
                } else if args[0] == "alert" {
                    *acks.lock().unwrap() += 1;
                }
            }
        }));
    }
    for r in 0..4 {
        let (env, failures) = (Arc::clone(&env), Arc::clone(&failures));
        threads.push(std::thread::spawn(move || {
            let mut i = 0;
            while Instant::now() < deadline {
                i += 1;
                let args: &[&str] = match (r + i) % 3 {
                    0 => &["status"],
                    1 => &["snapshot", "--width", "120", "--height", "40"],
                    _ => &["alert", "list"],
                };
                let o = env.run_at(NOW, args);
                if o.status.code() != Some(0) {
                    failures
                        .lock()
                        .unwrap()
                        .push(format!("reader {args:?}: {}", stderr(&o)));
                }
            }
        }));
    }
    for t in threads {
        t.join().unwrap();
    }
    let failures = failures.lock().unwrap();
    assert!(failures.is_empty(), "{failures:#?}");
    let tags = ok_records.lock().unwrap();
    assert!(tags.len() >= 8, "too few writes ran: {}", tags.len());
    let db = env.pg.as_ref().unwrap();
    let mut c = db.client();
    for tag in tags.iter() {
        let n: i64 = c
            .query_one("SELECT count(*) FROM observations WHERE note = $1", &[tag])
            .unwrap()
            .get(0);
        assert_eq!(n, 1, "{tag}");
    }
    // One open alert per cause, whatever the racing checks did.
    let dup: i64 = c
        .query_one(
            "SELECT count(*) FROM (SELECT dedup_key FROM alerts WHERE state <> 'resolved'
                GROUP BY dedup_key HAVING count(*) > 1) d",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(dup, 0);
    // Every acknowledgement that reported success is in the alert's history.
    let acked: i64 = c
        .query_one(
            "SELECT count(*) FROM alert_events WHERE alert_id = 1 AND kind IN ('acknowledged', 're-acknowledged')",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(acked, *acks.lock().unwrap() as i64);
}

#[test]
fn suite_helpers_run_on_postgres() {
    // The engine-agnostic tests run on PostgreSQL with
    // OPSDECK_TEST_ENGINE=postgres (see .ci/run); this checks the helper
    // they use hands out a server database and creates its schema.
    let env = Env::postgres();
    let o = env.run_at(NOW, &["indicator", "list"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(env.query_i64("SELECT count(*) FROM indicators") > 5);
    common::record_value(&env, NOW, "first_response", "2", "2026-12-01T08:00:00Z");
    assert_eq!(
        env.query_i64("SELECT count(*) FROM observations WHERE value = 2"),
        1
    );
}

/// Runs `openssl ARGS` in `dir`; panics with its stderr when it fails.
fn openssl(dir: &std::path::Path, args: &[&str]) {
    let o = std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl");
    assert!(o.status.success(), "openssl {args:?}: {}", stderr(&o));
}

#[test]
fn tls_is_used_and_the_servers_certificate_verified_against_pgsslrootcert() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A private CA and a certificate for 127.0.0.1 signed by it.
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=opsdeck test CA",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ],
    );
    std::fs::write(d.join("san.ext"), "subjectAltName=IP:127.0.0.1\n").unwrap();
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "san.ext",
            "-out",
            "server.pem",
        ],
    );
    let cluster_dir = tempfile::tempdir().unwrap();
    let certs = d.to_path_buf();
    let cluster = pg::Cluster::start(
        cluster_dir.path(),
        &[
            "ssl=on",
            "ssl_cert_file=server.pem",
            "ssl_key_file=server.key",
        ],
        |data| {
            for f in ["server.pem", "server.key"] {
                std::fs::copy(certs.join(f), data.join(f)).unwrap();
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(data.join(f), std::fs::Permissions::from_mode(0o600))
                    .unwrap();
                let _ = std::process::Command::new("chown")
                    .arg("postgres:postgres")
                    .arg(data.join(f))
                    .status();
            }
        },
    )
    .expect("a PostgreSQL cluster with TLS");
    let env = Env::sqlite();
    let url = pg::with_database(&cluster.url, "postgres");
    let run = |vars: &[(&str, &str)], args: &[&str]| {
        let mut c = env.base_cmd();
        c.arg("--db").arg(&url).args(args).env("OPSDECK_NOW", NOW);
        for (k, v) in vars {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    let ca = d.join("ca.pem");
    let ca = ca.to_str().unwrap();
    // Required and verified against the private CA: it connects, over TLS.
    let o = run(
        &[("PGSSLMODE", "require"), ("PGSSLROOTCERT", ca)],
        &["init", "tls-ops"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(
        &[("PGSSLMODE", "require"), ("PGSSLROOTCERT", ca)],
        &["doctor"],
    );
    let out = stdout(&o);
    assert!(out.contains("(TLS)"), "{out}");
    // The same certificate without its CA is refused: it is verified.
    let o = run(&[("PGSSLMODE", "require")], &["status"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("cannot connect"), "{err}");
    // sslmode=disable connects in the clear, and doctor says so.
    let o = run(&[("PGSSLMODE", "disable")], &["doctor"]);
    assert!(stdout(&o).contains("not encrypted"), "{}", stdout(&o));
    drop(cluster);
}

#[test]
fn a_login_without_an_opsdeck_role_is_told_what_to_ask_for_and_the_default_login_is_the_os_users() {
    let env = team_env();
    let (_logins, urls) = logins(&env, &[("n", "PUBLIC")]);
    let o = as_url(&env, &urls[0], &["status"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("none of the opsdeck roles"), "{err}");
    assert!(err.contains("GRANT opsdeck_viewer"), "{err}");
    let o = as_url(&env, &urls[0], &["doctor"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("✗ open"), "{}", stdout(&o));
    // Without a user in the URL or PGUSER, the login is the OS user's (as
    // for psql), never the server's superuser.
    let db = env.pg.as_ref().unwrap();
    let hostless = db.url.replacen("postgres@", "", 1);
    let o = as_url(&env, &hostless, &["status"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(stderr(&o).contains("does not exist"), "{}", stderr(&o));
}

#[test]
fn restore_into_a_server_database_that_is_not_empty_is_refused_before_anything_runs() {
    let env = team_env();
    let dump = env.file("dump.jsonl", env.ok_at(NOW, &["export"]).as_bytes());
    let o = env.run_at(NOW, &["restore", &dump]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    assert!(stderr(&o).contains("empty database"), "{}", stderr(&o));
}

#[test]
fn a_writer_waits_for_the_writers_lock_and_gives_up_after_the_busy_timeout() {
    let env = Env::postgres();
    env.ok_at(NOW, &["status"]);
    let url = env.pg.as_ref().unwrap().url.clone();
    // Another client holds the writers' lock (as a long write would) for
    // a moment: the write waits, then succeeds.
    let holder = {
        let url = url.clone();
        std::thread::spawn(move || {
            let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
            c.batch_execute("SELECT pg_advisory_lock(1330664260)")
                .unwrap();
            std::thread::sleep(Duration::from_millis(800));
            c.batch_execute("SELECT pg_advisory_unlock(1330664260)")
                .unwrap();
        })
    };
    std::thread::sleep(Duration::from_millis(200));
    let o = env.run_at(NOW, &["record", "first_response", "2"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    holder.join().unwrap();
    // Held for longer than the busy timeout: the write gives up with the
    // same advice as on SQLite, and nothing is written.
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    c.batch_execute("SELECT pg_advisory_lock(1330664260)")
        .unwrap();
    let o = env.run_at(NOW, &["record", "first_response", "3"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("busy"), "{}", stderr(&o));
    c.batch_execute("SELECT pg_advisory_unlock(1330664260)")
        .unwrap();
    assert_eq!(
        env.query_i64("SELECT count(*) FROM observations WHERE value = 3"),
        0
    );
}

#[test]
fn migrate_refuses_text_postgres_cannot_store_and_keeps_nothing() {
    let file = Env::sqlite();
    file.ok_at(NOW, &["record", "first_response", "2", "--note", "fine"]);
    rusqlite::Connection::open(&file.db)
        .unwrap()
        .execute_batch("UPDATE observations SET note = CAST(X'41FF42' AS TEXT)")
        .unwrap();
    let server = Env::postgres();
    let url = server.pg.as_ref().unwrap().url.clone();
    let o = file.run_at(NOW, &["migrate", "--to", &url]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(err.contains("observations: row 1: column note"), "{err}");
    assert!(err.contains("not UTF-8"), "{err}");
    assert_eq!(
        server.query_i64(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ),
        0
    );
}

#[test]
fn a_password_comes_from_pgpassword_or_a_private_pgpass_and_its_absence_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = pg::Cluster::start(dir.path(), &["password_encryption=scram-sha-256"], |data| {
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n",
        )
        .unwrap();
    })
    .expect("a PostgreSQL cluster with passwords");
    // The password is set over the local socket (trusted).
    let port = cluster.port().to_string();
    let mut psql = std::process::Command::new("psql");
    psql.args([
        "-h",
        cluster.data.to_str().unwrap(),
        "-p",
        &port,
        "-U",
        "postgres",
        "-c",
    ])
    .arg("ALTER ROLE postgres PASSWORD 'pw-51-secret'");
    if cluster.as_postgres() {
        let mut c = std::process::Command::new("runuser");
        c.args(["-u", "postgres", "--"])
            .arg("psql")
            .args(psql.get_args());
        psql = c;
    }
    let o = psql.output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let env = Env::sqlite();
    let n = std::cell::Cell::new(0);
    let run = |vars: &[(&str, &str)]| {
        n.set(n.get() + 1);
        let mut c = env.base_cmd();
        c.arg("--db")
            .arg(&cluster.url)
            .args(["init", &format!("pw-ops-{}", n.get())])
            .env("OPSDECK_NOW", NOW);
        for (k, v) in vars {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    // No password anywhere: said plainly, with where to put one.
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("asks for a password"), "{err}");
    assert!(
        err.contains("PGPASSWORD") && err.contains(".pgpass"),
        "{err}"
    );
    // ~/.pgpass readable by others: warned about and not used.
    let pgpass = env.path().join(".pgpass");
    std::fs::write(
        &pgpass,
        format!("127.0.0.1:{port}:*:postgres:pw-51-secret\n"),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("chmod 600"), "{}", stderr(&o));
    // Private: used.
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).unwrap();
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    std::fs::remove_file(&pgpass).unwrap();
    // PGPASSWORD works too, and a wrong one is the server's refusal.
    let o = run(&[("PGPASSWORD", "wrong")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("password authentication failed"),
        "{}",
        stderr(&o)
    );
    let mut c = env.base_cmd();
    let o = c
        .arg("--db")
        .arg(&cluster.url)
        .arg("status")
        .env("OPSDECK_NOW", NOW)
        .env("PGPASSWORD", "pw-51-secret")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // The password is in no output and no log.
    let log: String = walk(&env.path().join("state"));
    assert!(!log.contains("pw-51-secret"));
}

/// Every file's text under `dir`, concatenated.
fn walk(dir: &std::path::Path) -> String {
    let mut out = String::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.push_str(&walk(&p));
            } else {
                out.push_str(&String::from_utf8_lossy(
                    &std::fs::read(&p).unwrap_or_default(),
                ));
            }
        }
    }
    out
}

#[test]
fn the_demo_goes_into_an_empty_server_database_only() {
    let env = Env::postgres();
    let o = env.run_at(NOW, &["demo"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(env.query_i64("SELECT count(*) FROM work_items") > 100);
    let before = env.query_i64("SELECT count(*) FROM audit");
    // Not twice, and so never into a team's own operation either.
    let o = env.run_at(NOW, &["demo"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("empty database"), "{}", stderr(&o));
    assert_eq!(env.query_i64("SELECT count(*) FROM audit"), before);
}

/// Work items are read in one order on both engines (by closing time, then
/// external id), whatever order the server keeps its rows in: a mean of
/// cycle times adds floats in item order, and (0.1 + 0.2) + 0.3 is not
/// (0.2 + 0.3) + 0.1. Three orders of 0.1 h, 0.2 h and 0.3 h, written in
/// an order that is not the order they closed in, read by a mean-cycle-time
/// indicator from an SQLite file and from its copy on a server.
#[test]
fn a_mean_over_work_items_is_the_same_on_both_engines_whatever_the_servers_row_order() {
    let file = Env::sqlite();
    let ops = common::init_ops(&file, NOW);
    let mut indicators = std::fs::read_to_string(ops.join("indicators.toml")).unwrap();
    indicators.push_str(
        "\n[[indicator]]\nkey = \"cycle_time_mean\"\nname = \"Order cycle time (mean)\"\n\
         definition = \"Mean hours from order placed to delivered.\"\nkind = \"lagging\"\n\
         unit = \"h\"\ndirection = \"lower\"\naggregation = \"mean\"\nwindow = \"7d\"\n\
         target = 48\nwarn = 60\nbreach = 72\nowner = \"fulfilment\"\nsource = \"work_items\"\n\
         metric = \"cycle_time\"\nwork_kind = \"order\"\n",
    );
    std::fs::write(ops.join("indicators.toml"), indicators).unwrap();
    file.ok_at(NOW, &["apply", ops.to_str().unwrap()]);
    // Written A, B, C; closed B (0.2 h), then C (0.3 h), then A (0.1 h).
    let items = file.file(
        "orders.csv",
        b"kind,external_id,opened_at,promised_at,closed_at,outcome\n\
order,A,2026-11-30T11:54:00Z,2026-12-02T00:00:00Z,2026-11-30T12:00:00Z,ok\n\
order,B,2026-11-30T09:48:00Z,2026-12-02T00:00:00Z,2026-11-30T10:00:00Z,ok\n\
order,C,2026-11-30T10:42:00Z,2026-12-02T00:00:00Z,2026-11-30T11:00:00Z,ok\n",
    );
    file.ok_at(NOW, &["import", &items]);
    let server = Env::postgres();
    let url = server.pg.as_ref().unwrap().url.clone();
    let o = file.run_at(NOW, &["migrate", "--to", &url]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // On three rows the server reads the kind-and-closing index, in closing
    // order, as SQLite does; on a large table it takes a bitmap scan, which
    // returns rows in the order they are stored (the large dataset's plan).
    // That plan, here without the large table:
    let mut admin = postgres::Client::connect(pg::server(), postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!(
            "ALTER DATABASE \"{}\" SET enable_indexscan = off",
            server.pg.as_ref().unwrap().name
        ))
        .unwrap();
    let mean = |env: &Env| -> serde_json::Value {
        let s = json(&env.run_at(NOW, &["status", "--format", "json"]));
        let found = s["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["key"] == "cycle_time_mean")
            .cloned()
            .unwrap_or_else(|| panic!("no cycle_time_mean in {s}"));
        found["value"].clone()
    };
    let (a, b) = (mean(&file), mean(&server));
    assert!(a.is_number(), "{a}");
    assert_eq!(a, b, "SQLite {a}, PostgreSQL {b}");
    let s1 = json(&file.run_at(NOW, &["status", "--format", "json"]));
    let s2 = json(&server.run_at(NOW, &["status", "--format", "json"]));
    assert_eq!(s1, s2);
}
