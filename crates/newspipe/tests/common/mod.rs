//! Test harness: real RabbitMQ and Postgres, a fresh database and queue prefix per test, and the
//! built `newspipe` binary run as real worker processes.
#![allow(dead_code)]

pub mod private;
pub mod site;

use std::{
    net::TcpStream,
    process::{Child, Command, Output, Stdio},
    time::{Duration, Instant},
};

use sqlx::{Connection, PgConnection, PgPool};

use site::{ExpectedArticle, Server, Site};

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
        ..newspipe_mq::MqConfig::default()
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

/// Unix time in ms, the clock of the test site's request log.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
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
    /// The `postgres` database of the server it lives on.
    admin_url: String,
}

impl TestDb {
    pub async fn create(tag: &str) -> TestDb {
        require_services();
        Self::create_on("postgres://postgres@127.0.0.1:5432", tag).await
    }

    /// A fresh database on the server at `server` (`postgres://user@host:port`).
    pub async fn create_on(server: &str, tag: &str) -> TestDb {
        let name = unique(tag);
        let admin_url = format!("{server}/postgres");
        let mut admin = PgConnection::connect(&admin_url)
            .await
            .expect("connect to Postgres as postgres");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .unwrap();
        let url = format!("{server}/{name}");
        let pool = PgPool::connect(&url).await.unwrap();
        TestDb {
            name,
            url,
            pool,
            admin_url,
        }
    }

    pub async fn drop_db(self) {
        self.pool.close().await;
        let mut admin = PgConnection::connect(&self.admin_url).await.unwrap();
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

/// Every expected article is in the archive exactly once, with the right fields; nothing else is.
pub async fn assert_archive(db: &TestDb, site: &Site, server: &Server) {
    for a in &site.articles {
        assert_article(db, server, a).await;
    }
    let total = db.scalar("SELECT count(*) FROM articles").await;
    assert_eq!(
        total as usize,
        site.articles.len(),
        "index/about pages must not be stored as articles"
    );
    let revisions = db.scalar("SELECT count(*) FROM article_revisions").await;
    assert_eq!(
        revisions, total,
        "one revision per article: nothing was applied twice"
    );
}

pub async fn assert_article(db: &TestDb, server: &Server, a: &ExpectedArticle) {
    let url = server.url(&a.path);
    let rows =
        sqlx::query_as::<
            _,
            (
                Option<String>,
                Vec<String>,
                Option<chrono::DateTime<chrono::Utc>>,
                String,
            ),
        >("SELECT title, authors, published_at, body FROM articles_current WHERE url = $1")
        .bind(&url)
        .fetch_all(&db.pool)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "{url} stored {} times", rows.len());
    let (title, authors, published_at, body) = &rows[0];
    assert_eq!(title.as_deref(), Some(a.title.as_str()), "{url}");
    assert_eq!(authors, &a.authors, "{url}");
    assert_eq!(
        published_at
            .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .as_deref(),
        Some(a.published_at.as_str()),
        "{url}"
    );
    assert_eq!(body, &a.body, "{url}");
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

    /// `newspipe enqueue URL…`, which must succeed.
    pub fn enqueue(&self, urls: &[String]) {
        let mut args = vec!["enqueue"];
        args.extend(urls.iter().map(String::as_str));
        let out = self.run(&args);
        assert!(
            out.status.success(),
            "enqueue: {}",
            String::from_utf8_lossy(&out.stderr)
        );
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

    /// The last `name` worker not stopped on purpose.
    fn live(&self, name: &str) -> usize {
        (0..self.procs.len())
            .rev()
            .find(|i| self.procs[*i].0 == name && !self.killed.contains(i))
            .unwrap_or_else(|| panic!("no live {name} worker"))
    }

    /// SIGKILL: no chance to ack, flush or clean up.
    pub fn kill9(&mut self, name: &str) {
        let idx = self.live(name);
        let child = &mut self.procs[idx].1;
        child.kill().unwrap();
        child.wait().unwrap();
        self.killed.push(idx);
    }

    /// Sends `signal` to the last live `name` worker and waits (≤ 30 s) for it to exit; its
    /// exit code (`None`: killed by a signal, or still running after 30 s and then killed).
    pub fn stop_with(&mut self, name: &str, signal: nix::sys::signal::Signal) -> Option<i32> {
        let idx = self.live(name);
        self.killed.push(idx);
        let child = &mut self.procs[idx].1;
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), signal).unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match child.try_wait().unwrap() {
                Some(status) => return status.code(),
                None if Instant::now() > deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return None;
                }
                None => std::thread::sleep(Duration::from_millis(20)),
            }
        }
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

    /// Panics with the logs if a live worker (one not stopped on purpose) has exited, whether
    /// with a code or killed by a signal.
    pub fn assert_alive(&mut self) {
        let mut dead = Vec::new();
        for (i, (name, child, _)) in self.procs.iter_mut().enumerate() {
            if self.killed.contains(&i) {
                continue;
            }
            if let Ok(Some(status)) = child.try_wait() {
                dead.push(format!("{name} exited: {status}"));
            }
        }
        if !dead.is_empty() {
            panic!("{dead:?}\n{}", self.logs());
        }
    }

    /// Lines of every worker's log that contain `needle`.
    pub fn log_count(&self, needle: &str) -> usize {
        self.logs_matching(needle).len()
    }

    /// Every worker's log lines that contain `needle`.
    pub fn logs_matching(&self, needle: &str) -> Vec<String> {
        self.procs
            .iter()
            .flat_map(|(_, _, path)| {
                std::fs::read_to_string(path)
                    .unwrap_or_default()
                    .lines()
                    .map(strip_ansi)
                    .filter(|l| l.contains(needle))
                    .collect::<Vec<_>>()
            })
            .collect()
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

/// A log line without its terminal colour codes (`ESC [ … m`).
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

impl Drop for Workers {
    fn drop(&mut self) {
        for (_, child, _) in &mut self.procs {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
