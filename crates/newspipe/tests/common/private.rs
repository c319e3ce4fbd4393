//! Private PostgreSQL and RabbitMQ instances for tests that stop and restart a service. The
//! shared services stay untouched (other tests run on them at the same time). Each instance
//! lives in a temporary directory on free ports and is stopped when dropped, even when the test
//! panics.

use std::{
    net::{TcpListener, TcpStream},
    os::unix::{fs::MetadataExt, process::CommandExt},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::Mutex,
    time::{Duration, Instant},
};

use nix::{sys::signal::Signal, unistd::Pid};

/// A port nobody listens on right now (the OS picks it; a small race is acceptable in tests).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("pick a free port")
}

fn port_open(port: u16) -> bool {
    TcpStream::connect_timeout(
        &format!("127.0.0.1:{port}").parse().unwrap(),
        Duration::from_millis(200),
    )
    .is_ok()
}

fn wait_port(port: u16, open: bool, timeout: Duration, what: &str) {
    let deadline = Instant::now() + timeout;
    while port_open(port) != open {
        assert!(
            Instant::now() < deadline,
            "{what}: port {port} still {} after {timeout:?}",
            if open { "closed" } else { "open" }
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn running_as_root() -> bool {
    std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

/// A PostgreSQL cluster of its own (trust auth, no fsync), stoppable and restartable in place.
pub struct PrivatePg {
    bin: PathBuf,
    data: PathBuf,
    pub port: u16,
    /// Removed last, after the server is stopped.
    _dir: tempfile::TempDir,
}

impl PrivatePg {
    /// `initdb` + `pg_ctl start`. initdb refuses to run as root, so as root it runs as the
    /// `postgres` user (the directory is handed to it).
    pub fn start() -> PrivatePg {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .and_then(|d| {
                d.filter_map(|e| e.ok().map(|e| e.path().join("bin")))
                    .filter(|p| p.join("initdb").exists())
                    .max()
            })
            .expect(
                "no /usr/lib/postgresql/*/bin/initdb; install it with: apt-get install postgresql",
            );
        let dir = tempfile::Builder::new()
            .prefix("newspipe-pg-")
            .tempdir()
            .unwrap();
        if running_as_root() {
            let pg = Command::new("id")
                .args(["-u", "postgres"])
                .output()
                .unwrap();
            let uid: u32 = String::from_utf8_lossy(&pg.stdout).trim().parse().unwrap();
            let gid = Command::new("id")
                .args(["-g", "postgres"])
                .output()
                .unwrap();
            let gid: u32 = String::from_utf8_lossy(&gid.stdout).trim().parse().unwrap();
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).unwrap();
        }
        let pg = PrivatePg {
            bin,
            data: dir.path().join("data"),
            port: free_port(),
            _dir: dir,
        };
        pg.run(
            "initdb",
            &["-A", "trust", "-U", "postgres", "--no-sync"],
            &[],
        );
        pg.start_again();
        pg
    }

    fn tool(&self, name: &str) -> Command {
        let path = self.bin.join(name);
        if running_as_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    /// Runs `tool args -D <data> tail`, failing with its output and the server's log.
    fn run(&self, tool: &str, args: &[&str], tail: &[&str]) {
        let out = self
            .tool(tool)
            .args(args)
            .arg("-D")
            .arg(&self.data)
            .args(tail)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{tool} {args:?} {tail:?}: {}{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(self.dir().join("server.log")).unwrap_or_default()
        );
    }

    fn dir(&self) -> &Path {
        self.data.parent().unwrap()
    }

    /// `postgres://postgres@127.0.0.1:<port>/<db>`.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    /// Starts the (stopped) server and waits until it accepts connections.
    pub fn start_again(&self) {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60",
            self.port,
            self.dir().display()
        );
        let log = self.dir().join("server.log");
        let log = log.to_str().unwrap();
        self.run(
            "pg_ctl",
            &["-w", "-t", "60", "-o", &opts, "-l", log],
            &["start"],
        );
        wait_port(self.port, true, Duration::from_secs(30), "private Postgres");
    }

    /// `pg_ctl stop -m fast`: every session is cut off, as in a restart of the server.
    pub fn stop(&self) {
        self.run("pg_ctl", &["-w", "-t", "60", "-m", "fast"], &["stop"]);
    }
}

impl Drop for PrivatePg {
    fn drop(&mut self) {
        // Immediate: nothing in it is kept, and a panicking test should not wait.
        let _ = self
            .tool("pg_ctl")
            .args(["-w", "-m", "immediate", "-D"])
            .arg(&self.data)
            .arg("stop")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// A RabbitMQ node of its own (no plugins), stoppable and restartable in place with its queues
/// and messages kept on disk, as a restarted broker keeps them.
pub struct PrivateRabbit {
    pub port: u16,
    dist_port: u16,
    node: String,
    dir: tempfile::TempDir,
    server: Mutex<Option<Child>>,
}

impl PrivateRabbit {
    pub fn start() -> PrivateRabbit {
        let dir = tempfile::Builder::new()
            .prefix("newspipe-rabbit-")
            .tempdir()
            .unwrap();
        let port = free_port();
        let mut dist_port = free_port();
        while dist_port == port {
            dist_port = free_port();
        }
        for sub in ["mnesia", "log", "home"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        std::fs::write(dir.path().join("enabled_plugins"), "[].\n").unwrap();
        // The system's /etc/rabbitmq config names the shared node's listener; ours replaces it.
        std::fs::write(
            dir.path().join("rabbitmq.conf"),
            format!("listeners.tcp.default = 127.0.0.1:{port}\n"),
        )
        .unwrap();
        std::fs::write(dir.path().join("rabbitmq-env.conf"), "").unwrap();
        let r = PrivateRabbit {
            port,
            dist_port,
            node: format!("newspipe_test_{}_{port}@localhost", std::process::id()),
            dir,
            server: Mutex::new(None),
        };
        r.start_again();
        r
    }

    pub fn url(&self) -> String {
        format!("amqp://guest:guest@127.0.0.1:{}/%2f", self.port)
    }

    /// Starts the (stopped) node and waits for its AMQP port.
    pub fn start_again(&self) {
        let d = self.dir.path();
        let server = Command::new("/usr/lib/rabbitmq/bin/rabbitmq-server")
            .env("HOME", d.join("home"))
            .env("RABBITMQ_NODENAME", &self.node)
            .env("RABBITMQ_NODE_PORT", self.port.to_string())
            .env("RABBITMQ_DIST_PORT", self.dist_port.to_string())
            .env("RABBITMQ_MNESIA_BASE", d.join("mnesia"))
            .env("RABBITMQ_LOG_BASE", d.join("log"))
            .env("RABBITMQ_ENABLED_PLUGINS_FILE", d.join("enabled_plugins"))
            .env("RABBITMQ_CONFIG_FILE", d.join("rabbitmq.conf"))
            .env("RABBITMQ_CONF_ENV_FILE", d.join("rabbitmq-env.conf"))
            .env("RABBITMQ_PID_FILE", d.join("pid"))
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(d.join("log/stdout.log")).unwrap())
            .stderr(std::fs::File::create(d.join("log/stderr.log")).unwrap())
            // Its own process group, so stopping it reaches the Erlang VM under the script.
            .process_group(0)
            .spawn()
            .expect(
                "start /usr/lib/rabbitmq/bin/rabbitmq-server; install it with: apt-get install rabbitmq-server",
            );
        *self.server.lock().unwrap() = Some(server);
        let deadline = Instant::now() + Duration::from_secs(90);
        while !port_open(self.port) {
            if let Some(status) = self
                .server
                .lock()
                .unwrap()
                .as_mut()
                .unwrap()
                .try_wait()
                .unwrap()
            {
                panic!(
                    "private RabbitMQ exited ({status}) while starting:\n{}",
                    std::fs::read_to_string(d.join("log/stdout.log")).unwrap_or_default()
                );
            }
            assert!(
                Instant::now() < deadline,
                "private RabbitMQ did not open port {} in 90 s",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGTERM (an orderly broker shutdown, connections closed) and wait until it has exited.
    pub fn stop(&self) {
        let Some(mut server) = self.server.lock().unwrap().take() else {
            return;
        };
        let group = Pid::from_raw(-(server.id() as i32));
        let _ = nix::sys::signal::kill(group, Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(30);
        while server.try_wait().unwrap().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        // The VM may outlive the script by a moment; never leave it running.
        let _ = nix::sys::signal::kill(group, Signal::SIGKILL);
        let _ = server.wait();
        wait_port(
            self.port,
            false,
            Duration::from_secs(10),
            "private RabbitMQ",
        );
    }
}

impl Drop for PrivateRabbit {
    fn drop(&mut self) {
        if let Some(mut server) = self.server.lock().unwrap().take() {
            let _ = nix::sys::signal::kill(Pid::from_raw(-(server.id() as i32)), Signal::SIGKILL);
            let _ = server.wait();
        }
    }
}
