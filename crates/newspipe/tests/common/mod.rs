//! Test harness: real RabbitMQ and Postgres, a fresh database and queue prefix per test, and the
//! built `newspipe` binary run as real worker processes.
#![allow(dead_code)]

pub mod site;

use std::{
    net::TcpStream,
    process::{Child, Command, Output, Stdio},
    time::{Duration, Instant},
};

use sqlx::{Connection, PgConnection, PgPool};

pub const AMQP_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";
pub const PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
pub const BIN: &str = env!("CARGO_BIN_EXE_newspipe");

/// A broker handle on the test's own queue prefix.
pub async fn broker(prefix: &str) -> newspipe_mq::Broker {
    let cfg = newspipe_mq::MqConfig {
        url: AMQP_URL.into(),
        prefix: prefix.into(),
        prefetch: 10,
        delivery_limit: 5,
    };
    newspipe_mq::Broker::connect(&cfg, &tokio_util::sync::CancellationToken::new())
        .await
        .expect("connect to RabbitMQ")
}

/// Deletes the test's queues and its database.
pub async fn cleanup(db: TestDb, prefix: &str) {
    let b = broker(prefix).await;
    let _ = b.delete_topology().await;
    b.close().await;
    db.drop_db().await;
}

/// Fails (never skips) with the command that starts a missing service.
pub fn require_services() {
    for (addr, name, start) in [
        ("127.0.0.1:5672", "RabbitMQ", "rabbitmq-server -detached"),
        (
            "127.0.0.1:5432",
            "PostgreSQL",
            "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
        ),
    ] {
        if TcpStream::connect_timeout(&addr.parse().unwrap(), Duration::from_secs(3)).is_err() {
            panic!("{name} is not reachable at {addr}; start it with: {start}");
        }
    }
}

pub fn unique(tag: &str) -> String {
    format!(
        "np_{tag}_{}_{:08x}",
        std::process::id(),
        rand::random::<u32>()
    )
}

/// A database created for one test and dropped after it.
pub struct TestDb {
    pub name: String,
    pub url: String,
    pub pool: PgPool,
}

impl TestDb {
    pub async fn create(tag: &str) -> TestDb {
        require_services();
        let name = unique(tag);
        let mut admin = PgConnection::connect(PG_ADMIN_URL)
            .await
            .expect("connect to Postgres as postgres");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .unwrap();
        let url = format!("postgres://postgres@127.0.0.1:5432/{name}");
        let pool = PgPool::connect(&url).await.unwrap();
        TestDb { name, url, pool }
    }

    pub async fn drop_db(self) {
        self.pool.close().await;
        let mut admin = PgConnection::connect(PG_ADMIN_URL).await.unwrap();
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        )))
        .execute(&mut admin)
        .await;
    }

    pub async fn scalar(&self, sql: &'static str) -> i64 {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(&self.pool)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Waits until the frontier has nothing queued or in flight (and something was fetched).
    pub async fn wait_drained(&self, timeout: Duration, workers: &mut Workers) {
        let deadline = Instant::now() + timeout;
        let mut quiet_since: Option<Instant> = None;
        loop {
            workers.assert_alive();
            let open = self
                .scalar("SELECT count(*) FROM urls WHERE state IN ('queued','dispatched')")
                .await;
            let done = self
                .scalar(
                    "SELECT count(*) FROM urls WHERE state <> 'queued' AND state <> 'dispatched'",
                )
                .await;
            if open == 0 && done > 0 {
                // Drained twice in a row, a second apart: nothing was still being parsed/stored.
                match quiet_since {
                    Some(t) if t.elapsed() > Duration::from_secs(2) => return,
                    None => quiet_since = Some(Instant::now()),
                    _ => {}
                }
            } else {
                quiet_since = None;
            }
            if Instant::now() > deadline {
                let states = sqlx::query_as::<_, (String, i64)>(
                    "SELECT state::text, count(*) FROM urls GROUP BY 1",
                )
                .fetch_all(&self.pool)
                .await
                .unwrap();
                panic!(
                    "frontier not drained after {timeout:?}: {states:?}\n{}",
                    workers.logs()
                );
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
}

/// Environment every worker of one test shares.
#[derive(Clone)]
pub struct Env {
    pub vars: Vec<(String, String)>,
    pub prefix: String,
}

impl Env {
    pub fn new(db: &TestDb, prefix: &str, interval_ms: u64) -> Env {
        let vars = [
            ("AMQP_URL", AMQP_URL.to_string()),
            ("DATABASE_URL", db.url.clone()),
            ("NEWSPIPE__AMQP__PREFIX", prefix.to_string()),
            (
                "NEWSPIPE__CRAWLER__ALLOW_PRIVATE_NETWORKS",
                "true".to_string(),
            ),
            (
                "NEWSPIPE__POLITENESS__MIN_INTERVAL_MS",
                interval_ms.to_string(),
            ),
            ("NEWSPIPE__FRONTIER__BACKOFF_BASE_SECS", "1".to_string()),
            ("NEWSPIPE__FRONTIER__DISPATCH_EVERY_MS", "50".to_string()),
            // One-shot crawls, so page counts stay exact however slow the machine; the live-site
            // test (live.rs) turns revisits on.
            ("NEWSPIPE__REVISIT__ENABLED", "false".to_string()),
            ("RUST_LOG", "info".to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let env = Env {
            vars,
            prefix: prefix.to_string(),
        };
        // As compose's one-shot `migrate` service does before any worker or command runs.
        let out = env.run(&["migrate"]);
        assert!(
            out.status.success(),
            "newspipe migrate: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        env
    }

    pub fn set(&mut self, key: &str, value: &str) {
        self.vars.retain(|(k, _)| k != key);
        self.vars.push((key.to_string(), value.to_string()));
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.args(args).env_remove("NEWSPIPE_CONFIG");
        for (k, v) in &self.vars {
            c.env(k, v);
        }
        c
    }

    /// Runs a short command to completion.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args)
            .stdin(Stdio::null())
            .output()
            .expect("run newspipe")
    }
}

/// Worker processes of one test; killed on drop. Logs go to files so a failure can show them.
pub struct Workers {
    procs: Vec<(String, Child, std::path::PathBuf)>,
    /// Indexes into `procs` of workers killed on purpose.
    killed: Vec<usize>,
    dir: tempfile::TempDir,
}

impl Workers {
    pub fn new() -> Workers {
        Workers {
            procs: Vec::new(),
            killed: Vec::new(),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn spawn(&mut self, name: &str, mut cmd: Command) {
        let log = self
            .dir
            .path()
            .join(format!("{name}-{}.log", self.procs.len()));
        let file = std::fs::File::create(&log).unwrap();
        let child = cmd
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .expect("spawn newspipe worker");
        self.procs.push((name.to_string(), child, log));
    }

    pub fn start(&mut self, env: &Env, role: &str) {
        self.spawn(role, env.command(&[role]));
    }

    pub fn pid(&self, name: &str) -> u32 {
        self.procs
            .iter()
            .rev()
            .find(|(n, _, _)| n == name)
            .map(|(_, c, _)| c.id())
            .unwrap()
    }

    /// SIGKILL: no chance to ack, flush or clean up.
    pub fn kill9(&mut self, name: &str) {
        let idx = (0..self.procs.len())
            .rev()
            .find(|i| self.procs[*i].0 == name && !self.killed.contains(i))
            .unwrap_or_else(|| panic!("no live {name} worker"));
        let child = &mut self.procs[idx].1;
        child.kill().unwrap();
        child.wait().unwrap();
        self.killed.push(idx);
    }

    /// SIGTERM, then wait for a clean exit.
    pub fn terminate_all(&mut self) -> Vec<(String, Option<i32>)> {
        for (i, (_, child, _)) in self.procs.iter().enumerate() {
            if self.killed.contains(&i) {
                continue;
            }
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(child.id() as i32),
                nix::sys::signal::Signal::SIGTERM,
            );
        }
        let mut codes = Vec::new();
        for (i, (name, child, _)) in self.procs.iter_mut().enumerate() {
            if self.killed.contains(&i) {
                continue;
            }
            let deadline = Instant::now() + Duration::from_secs(30);
            let code = loop {
                match child.try_wait().unwrap() {
                    Some(status) => break status.code(),
                    None if Instant::now() > deadline => {
                        let _ = child.kill();
                        break None;
                    }
                    None => std::thread::sleep(Duration::from_millis(50)),
                }
            };
            codes.push((name.clone(), code));
        }
        codes
    }

    /// Panics with the logs if a live worker (one not killed on purpose) has exited.
    pub fn assert_alive(&mut self) {
        let mut dead = Vec::new();
        for (name, child, _) in &mut self.procs {
            if let Ok(Some(status)) = child.try_wait()
                && status.code().is_some()
            {
                dead.push(format!("{name} exited: {status}"));
            }
        }
        if !dead.is_empty() {
            panic!("{dead:?}\n{}", self.logs());
        }
    }

    /// Lines of every worker's log that contain `needle`.
    pub fn log_count(&self, needle: &str) -> usize {
        self.procs
            .iter()
            .map(|(_, _, path)| {
                std::fs::read_to_string(path)
                    .unwrap_or_default()
                    .lines()
                    .filter(|l| l.contains(needle))
                    .count()
            })
            .sum()
    }

    pub fn logs(&self) -> String {
        let mut out = String::new();
        for (name, _, path) in &self.procs {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(40).collect();
            out += &format!("--- {name} ({}) ---\n", path.display());
            for l in tail.into_iter().rev() {
                out += l;
                out.push('\n');
            }
        }
        out
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        for (_, child, _) in &mut self.procs {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
