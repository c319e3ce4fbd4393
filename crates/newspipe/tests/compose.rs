//! compose.yaml cannot drift from the CLI and config: its worker services' `command` and
//! `environment` are run here as local processes (service host names pointed at 127.0.0.1) and
//! must complete a small crawl.

mod common;

use std::time::Duration;

use common::{
    TestDb, Workers,
    site::{Server, Site},
    unique,
};
use serde_yaml::Value;

fn compose() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../compose.yaml");
    let text = std::fs::read_to_string(path).expect("compose.yaml at the repository root");
    let mut v: Value = serde_yaml::from_str(&text).expect("compose.yaml is YAML");
    v.apply_merge().expect("merge keys resolve");
    v
}

/// The service's command and environment, with compose host names replaced by loopback.
fn service(compose: &Value, name: &str, db_name: &str) -> (Vec<String>, Vec<(String, String)>) {
    let svc = &compose["services"][name];
    let command = svc["command"]
        .as_sequence()
        .unwrap_or_else(|| panic!("service {name} has a command list"))
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let env = svc["environment"]
        .as_mapping()
        .unwrap_or_else(|| panic!("service {name} has an environment map"))
        .iter()
        .map(|(k, v)| {
            let value = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                other => panic!("{k:?}: unexpected value {other:?}"),
            };
            let value = value.replace("@rabbitmq:", "@127.0.0.1:").replace(
                "@postgres:5432/newspipe",
                &format!("@127.0.0.1:5432/{db_name}"),
            );
            (k.as_str().unwrap().to_string(), value)
        })
        .collect();
    (command, env)
}

#[test]
fn compose_declares_the_stack() {
    let c = compose();
    for svc in [
        "rabbitmq", "postgres", "migrate", "store", "parser", "crawler", "newspipe",
    ] {
        assert!(c["services"][svc].is_mapping(), "service {svc}");
    }
    // Workers start only after the one-shot schema migration succeeded.
    for svc in ["store", "parser", "crawler"] {
        assert_eq!(
            c["services"][svc]["depends_on"]["migrate"]["condition"].as_str(),
            Some("service_completed_successfully"),
            "{svc} waits for migrate"
        );
    }
    for svc in ["store", "parser", "crawler"] {
        let s = &c["services"][svc];
        assert_eq!(
            s["depends_on"]["rabbitmq"]["condition"].as_str(),
            Some("service_healthy")
        );
        assert_eq!(
            s["depends_on"]["postgres"]["condition"].as_str(),
            Some("service_healthy")
        );
        assert!(s["restart"].is_string(), "{svc} restarts");
    }
    assert!(c["services"]["rabbitmq"]["healthcheck"].is_mapping());
    assert!(c["services"]["postgres"]["healthcheck"].is_mapping());
    // Workers are health-checked by the binary itself (the image has no curl); run for real
    // in `compose_worker_services_complete_a_crawl_as_local_processes`.
    for svc in ["store", "parser", "crawler"] {
        assert_eq!(
            health_command(&c, svc),
            ["newspipe", "healthcheck"],
            "{svc} healthcheck"
        );
    }
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let dockerfile = std::fs::read_to_string(format!("{root}/deploy/Dockerfile")).unwrap();
    assert!(
        dockerfile.starts_with("# syntax=docker/dockerfile:1"),
        "BuildKit syntax line first (the cache mounts need it)"
    );
    assert!(
        !dockerfile.contains("COPY config/default.toml"),
        "the defaults are compiled in; a copied file would never be read"
    );
    assert!(
        dockerfile.contains("--profile dist"),
        "the stripped profile"
    );
    let manifest = std::fs::read_to_string(format!("{root}/Cargo.toml")).unwrap();
    let dist = manifest
        .split("[profile.dist]")
        .nth(1)
        .expect("a dist profile")
        .split("\n[")
        .next()
        .unwrap();
    assert!(dist.contains("strip = true"), "{dist}");
}

/// A service's healthcheck command without the leading `CMD`.
fn health_command(compose: &Value, name: &str) -> Vec<String> {
    let test = compose["services"][name]["healthcheck"]["test"]
        .as_sequence()
        .unwrap_or_else(|| panic!("service {name} has a healthcheck test list"));
    assert_eq!(test[0].as_str(), Some("CMD"));
    test[1..]
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `/healthz` says unhealthy while a worker cannot consume (here: no broker at its address),
/// so compose does not report a worker that is only retrying its connection as healthy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthcheck_fails_while_a_worker_cannot_consume() {
    let addr = format!("127.0.0.1:{}", free_port());
    let env = [
        ("AMQP_URL", "amqp://guest:guest@127.0.0.1:9/%2f".to_string()),
        ("NEWSPIPE__TELEMETRY__METRICS_ADDR", addr.clone()),
    ];
    let mut w = Workers::new();
    let mut crawler = std::process::Command::new(common::BIN);
    crawler
        .arg("crawler")
        .env_remove("NEWSPIPE_CONFIG")
        .envs(env.clone());
    w.spawn("crawler", crawler);
    let check = || {
        std::process::Command::new(common::BIN)
            .arg("healthcheck")
            .env_remove("NEWSPIPE_CONFIG")
            .envs(env.clone())
            .output()
            .unwrap()
    };
    // Until the listener is up the check fails for another reason; wait for its answer.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let out = loop {
        let out = check();
        if String::from_utf8_lossy(&out.stdout).contains("unhealthy") {
            break out;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{out:?}\n{}",
            w.logs()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("503"),
        "{out:?}"
    );
    for (name, code) in w.terminate_all() {
        assert_eq!(code, Some(0), "{name} exits 0 on SIGTERM");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compose_worker_services_complete_a_crawl_as_local_processes() {
    let db = TestDb::create("compose").await;
    // The compose file's database user; trust auth here, so its password is not checked.
    let _ = sqlx::query("CREATE ROLE newspipe LOGIN PASSWORD 'newspipe'")
        .execute(&db.pool)
        .await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "ALTER DATABASE {} OWNER TO newspipe",
        db.name
    )))
    .execute(&db.pool)
    .await
    .unwrap();
    let site = Site::generate();
    let mut pages = site.pages.clone();
    pages.retain(|p, _| p == "/robots.txt" || p == "/" || p.ends_with(".html"));
    let server = Server::start("127.0.0.1", pages).await;
    let prefix = unique("compose");
    let c = compose();
    // Test-only overrides: an isolated queue prefix, a fast rate and the loopback test site.
    let overrides = [
        ("NEWSPIPE__AMQP__PREFIX", prefix.clone()),
        (
            "NEWSPIPE__CRAWLER__ALLOW_PRIVATE_NETWORKS",
            "true".to_string(),
        ),
        ("NEWSPIPE__POLITENESS__MIN_INTERVAL_MS", "50".to_string()),
        ("NEWSPIPE__FRONTIER__MAX_DEPTH", "1".to_string()),
        ("NEWSPIPE__FRONTIER__DISPATCH_EVERY_MS", "50".to_string()),
    ];
    // Three processes cannot share one metrics port on one machine: one port each.
    let ports: Vec<(&str, String)> = ["store", "parser", "crawler"]
        .into_iter()
        .map(|s| (s, format!("127.0.0.1:{}", free_port())))
        .collect();
    let mut w = Workers::new();
    // A service's command (or, as `docker compose run SERVICE ARGS…` does, `args` in its
    // place) with exactly its environment plus the test's overrides.
    let as_process = |name: &str, args: &[&str]| {
        let (command, env) = service(&c, name, &db.name);
        let mut cmd = std::process::Command::new(common::BIN);
        if args.is_empty() {
            cmd.args(&command);
        } else {
            cmd.args(args);
        }
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default());
        for (k, v) in env
            .into_iter()
            .chain(overrides.iter().map(|(k, v)| (k.to_string(), v.clone())))
        {
            cmd.env(k, v);
        }
        cmd
    };
    // compose runs `migrate` to completion first (the workers depend on it).
    let out = as_process("migrate", &[]).output().unwrap();
    assert!(
        out.status.success(),
        "migrate: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (name, addr) in &ports {
        let mut cmd = as_process(name, &[]);
        cmd.env("NEWSPIPE__TELEMETRY__METRICS_ADDR", addr);
        w.spawn(name, cmd);
    }
    // The CLI service, as `docker compose run --rm newspipe enqueue URL`.
    let mut enqueue = as_process("newspipe", &["enqueue", &server.url("/")]);
    let out = enqueue.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    db.wait_drained(Duration::from_secs(120), &mut w).await;
    let stored = db.scalar("SELECT count(*) FROM articles").await;
    let linked_from_home = site.pages["/"].matches(".html\"").count() as i64;
    assert!(linked_from_home > 5);
    assert_eq!(
        stored,
        linked_from_home,
        "every article linked from the home page is archived\n{}",
        w.logs()
    );
    // Each worker's compose healthcheck, run as compose runs it inside the container.
    for (name, addr) in &ports {
        let check = health_command(&c, name);
        // `newspipe` is the binary itself; the rest are its arguments.
        let args: Vec<&str> = check[1..].iter().map(String::as_str).collect();
        let out = as_process(name, &args)
            .env("NEWSPIPE__TELEMETRY__METRICS_ADDR", addr)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name} healthy: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    if std::env::var_os("NEWSPIPE_TEST_SHOW_LOGS").is_some() {
        eprintln!("{}", w.logs());
    }
    for (name, code) in w.terminate_all() {
        assert_eq!(code, Some(0), "{name} exits 0 on SIGTERM");
    }
    common::cleanup(db, &prefix).await;
}
