//! The postgres kind against a real PostgreSQL 15 started by the test in a
//! temp folder (`common::pg::Cluster`: as the `postgres` user when run as
//! root, on a free port on 127.0.0.1, stopped at the end). Where no server
//! can be started the test fails and says why.

use crate::common::{stderr, stdout, Env};

const NOW: &str = "2026-12-01T09:00:00Z";

#[test]
fn a_postgres_source_runs_against_a_real_server_and_its_url_is_never_stored() {
    let env = Env::new();
    let server = crate::common::pg::Cluster::start(env.path(), &[], |_| {})
        .expect("a PostgreSQL 15 cluster for the postgres kind");
    let port = server.port();
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
