//! Configuration: the embedded defaults, an optional file, then the environment; validated once.

use std::{net::SocketAddr, path::Path, time::Duration};

use anyhow::{Context, Result, bail};
use figment::{
    Figment,
    providers::{Env, Format, Toml},
};
use serde::Deserialize;

/// The shipped defaults, compiled in so the binary runs without the file next to it.
const DEFAULTS: &str = include_str!("../../../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub amqp: Amqp,
    pub database: Database,
    pub store: StoreWorker,
    pub crawler: Crawler,
    pub politeness: Politeness,
    pub frontier: Frontier,
    pub revisit: Revisit,
    pub discovery: Discovery,
    pub telemetry: Telemetry,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Amqp {
    pub url: String,
    pub prefix: String,
    pub prefetch: u16,
    pub delivery_limit: u32,
    pub queue_type: newspipe_mq::QueueType,
    /// Crawl jobs, and the pages and store messages made from them, written to the broker's
    /// disk. Off by default: each is covered by its URL's frontier lease, and the dispatcher
    /// hands every lease back when the broker restarts (see `workers/dispatcher.rs`).
    pub persistent_work: bool,
    pub management_url: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Database {
    pub url: String,
    pub max_connections: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreWorker {
    /// Store messages a store worker holds unacked; its batches are cut from these.
    pub prefetch: u16,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Crawler {
    pub user_agent: String,
    pub connect_timeout_ms: u64,
    pub read_timeout_ms: u64,
    pub total_timeout_ms: u64,
    pub max_redirects: usize,
    pub max_body_bytes: usize,
    pub allow_private_networks: bool,
    pub concurrency: usize,
    pub parse_inline: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Politeness {
    pub min_interval_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Frontier {
    pub max_depth: u32,
    pub horizon_ms: u64,
    pub lease_secs: u64,
    pub max_attempts: u32,
    pub backoff_base_secs: u64,
    pub max_in_flight: u32,
    pub dispatch_every_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revisit {
    pub enabled: bool,
    pub hub_min_secs: u64,
    pub hub_max_secs: u64,
    /// `[[age_secs, every_secs], …]`, ascending by age.
    pub story_steps: Vec<[u64; 2]>,
    pub max_share: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Discovery {
    /// 0 = no bound.
    pub max_age_days: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Telemetry {
    pub log_format: LogFormat,
    pub metrics_addr: String,
    pub progress_every_secs: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Human,
    Json,
}

impl Config {
    /// Defaults ← `file` (if given) ← `NEWSPIPE__SECTION__KEY` ← `AMQP_URL` / `DATABASE_URL`.
    pub fn load(file: Option<&Path>) -> Result<Self> {
        let mut fig = Figment::from(Toml::string(DEFAULTS));
        if let Some(path) = file {
            if !path.is_file() {
                bail!("config file {} does not exist", path.display());
            }
            fig = fig.merge(Toml::file(path));
        }
        fig = fig
            .merge(Env::prefixed("NEWSPIPE__").split("__"))
            .merge(Env::raw().only(&["AMQP_URL"]).map(|_| "amqp.url".into()))
            .merge(
                Env::raw()
                    .only(&["DATABASE_URL"])
                    .map(|_| "database.url".into()),
            );
        let cfg: Config = fig.extract().context("invalid configuration")?;
        cfg.validate()?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<()> {
        if self.amqp.prefetch == 0 {
            bail!("amqp.prefetch must be at least 1");
        }
        if self.store.prefetch == 0 {
            bail!("store.prefetch must be at least 1");
        }
        if self.amqp.delivery_limit == 0 {
            bail!("amqp.delivery_limit must be at least 1");
        }
        if self.amqp.prefix.is_empty() || self.amqp.prefix.contains(char::is_whitespace) {
            bail!("amqp.prefix must be a non-empty name without spaces");
        }
        if self.database.max_connections == 0 {
            bail!("database.max_connections must be at least 1");
        }
        if self.crawler.max_redirects > 20 {
            bail!("crawler.max_redirects above 20 only follows loops");
        }
        if self.crawler.max_body_bytes < 1024 {
            bail!("crawler.max_body_bytes below 1 KiB cannot hold a page");
        }
        if self.frontier.max_attempts == 0 {
            bail!("frontier.max_attempts must be at least 1");
        }
        let r = &self.revisit;
        if r.hub_min_secs == 0 || r.hub_max_secs < r.hub_min_secs {
            bail!("revisit.hub_min_secs must be at least 1 and at most revisit.hub_max_secs");
        }
        if !(0.0..=1.0).contains(&r.max_share) {
            bail!("revisit.max_share must be between 0 and 1");
        }
        if r.story_steps.windows(2).any(|w| w[0][0] >= w[1][0])
            || r.story_steps.iter().any(|[_, every]| *every == 0)
        {
            bail!(
                "revisit.story_steps must be [age_secs, every_secs] pairs, ages ascending, every > 0"
            );
        }
        self.metrics_addr()?;
        Ok(())
    }

    pub fn metrics_addr(&self) -> Result<Option<SocketAddr>> {
        let s = self.telemetry.metrics_addr.trim();
        if s.is_empty() {
            return Ok(None);
        }
        s.parse()
            .map(Some)
            .with_context(|| format!("telemetry.metrics_addr {s:?} is not host:port"))
    }

    /// How often a worker logs its progress line; zero = never.
    pub fn progress_every(&self) -> Duration {
        Duration::from_secs(self.telemetry.progress_every_secs)
    }

    pub fn min_interval(&self) -> Duration {
        Duration::from_millis(self.politeness.min_interval_ms)
    }

    // Each library gets its own config type; they are built from ours here and nowhere else.

    /// How durable the dispatcher's crawl jobs are (what follows from them inherits it).
    pub fn work_durability(&self) -> newspipe_mq::Durability {
        if self.amqp.persistent_work {
            newspipe_mq::Durability::Persistent
        } else {
            newspipe_mq::Durability::Transient
        }
    }

    /// The broker settings of the mq crate.
    pub fn mq(&self) -> newspipe_mq::MqConfig {
        newspipe_mq::MqConfig {
            url: self.amqp.url.clone(),
            prefix: self.amqp.prefix.clone(),
            prefetch: self.amqp.prefetch,
            delivery_limit: self.amqp.delivery_limit,
            queue_type: self.amqp.queue_type,
        }
    }

    /// The broker settings of one worker kind, with the prefetch that worker needs: the store
    /// cuts its batches from `store.prefetch` deliveries; a crawler holds every job it is
    /// given while the job waits for its host's slot (a timer, not a connection), so its
    /// prefetch is at least the deployment's in-flight cap, and jobs of a host booked far ahead
    /// never block another host's job queued behind them (one big host starving the rest; the
    /// fetches themselves are bounded by `crawler.concurrency`). Parsers take `amqp.prefetch`.
    pub fn mq_for(&self, worker: Worker) -> newspipe_mq::MqConfig {
        let mut mq = self.mq();
        match worker {
            Worker::Store => mq.prefetch = self.store.prefetch,
            Worker::Crawler => {
                let cap = u16::try_from(self.frontier.max_in_flight).unwrap_or(u16::MAX);
                mq.prefetch = mq.prefetch.max(cap);
            }
            Worker::Parser => {}
        }
        mq
    }

    /// How the store's dispatcher and state machine treat the frontier.
    pub fn frontier(&self) -> newspipe_store::FrontierPolicy {
        let f = &self.frontier;
        newspipe_store::FrontierPolicy {
            max_depth: f.max_depth,
            min_interval: self.min_interval(),
            horizon: Duration::from_millis(f.horizon_ms),
            lease: Duration::from_secs(f.lease_secs),
            max_attempts: f.max_attempts,
            backoff_base: Duration::from_secs(f.backoff_base_secs),
            max_in_flight: f.max_in_flight,
            user_agent: self.crawler.user_agent.clone(),
            revisit: self.revisit(),
        }
    }

    /// When fetched URLs are visited again.
    pub fn revisit(&self) -> newspipe_store::RevisitPolicy {
        let r = &self.revisit;
        let secs = Duration::from_secs;
        newspipe_store::RevisitPolicy {
            enabled: r.enabled,
            hub_min: secs(r.hub_min_secs),
            hub_max: secs(r.hub_max_secs),
            story_steps: r
                .story_steps
                .iter()
                .map(|[age, every]| (secs(*age), secs(*every)))
                .collect(),
            max_share: r.max_share,
            max_age: (self.discovery.max_age_days > 0)
                .then(|| secs(self.discovery.max_age_days.saturating_mul(86_400))),
        }
    }

    /// The crawler's HTTP client settings.
    pub fn fetch(&self) -> newspipe_fetch::FetchConfig {
        let c = &self.crawler;
        newspipe_fetch::FetchConfig {
            user_agent: c.user_agent.clone(),
            connect_timeout: Duration::from_millis(c.connect_timeout_ms),
            read_timeout: Duration::from_millis(c.read_timeout_ms),
            total_timeout: Duration::from_millis(c.total_timeout_ms),
            max_redirects: c.max_redirects,
            max_body_bytes: c.max_body_bytes,
            allow_private_networks: c.allow_private_networks,
            ..newspipe_fetch::FetchConfig::default()
        }
    }
}

/// The consuming workers, for settings that differ between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Worker {
    Crawler,
    Parser,
    Store,
}

#[cfg(test)]
// figment's Jail API fixes the closure's error type.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("DATABASE_URL", "postgres://db/x");
            jail.set_env("NEWSPIPE__POLITENESS__MIN_INTERVAL_MS", "250");
            jail.set_env("NEWSPIPE__FRONTIER__MAX_DEPTH", "7");
            let cfg = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(cfg.database.url, "postgres://db/x");
            assert_eq!(cfg.politeness.min_interval_ms, 250);
            assert_eq!(cfg.frontier.max_depth, 7);
            assert_eq!(cfg.amqp.prefix, "newspipe");
            Ok(())
        });
    }

    #[test]
    fn file_over_defaults_environment_over_file() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "site.toml",
                "[amqp]\nprefix = \"filed\"\n[frontier]\nmax_depth = 5\nlease_secs = 42\n",
            )?;
            jail.set_env("NEWSPIPE__FRONTIER__MAX_DEPTH", "9");
            let cfg = Config::load(Some(Path::new("site.toml"))).map_err(|e| e.to_string())?;
            assert_eq!(cfg.amqp.prefix, "filed", "file over defaults");
            assert_eq!(cfg.frontier.lease_secs, 42);
            assert_eq!(cfg.frontier.max_depth, 9, "environment over file");
            assert_eq!(cfg.frontier.max_attempts, 4, "defaults under both");
            Ok(())
        });
    }

    #[test]
    fn unknown_and_invalid_keys_are_errors() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("x.toml", "[crawler]\nuser_agnet = \"typo\"\n")?;
            let err = Config::load(Some(Path::new("x.toml"))).unwrap_err();
            assert!(format!("{err:#}").contains("user_agnet"), "{err:#}");
            jail.create_file("y.toml", "[amqp]\nprefetch = 0\n")?;
            assert!(Config::load(Some(Path::new("y.toml"))).is_err());
            assert!(Config::load(Some(Path::new("missing.toml"))).is_err());
            Ok(())
        });
    }

    #[test]
    fn each_worker_gets_the_prefetch_it_needs() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("NEWSPIPE__AMQP__PREFETCH", "16");
            jail.set_env("NEWSPIPE__STORE__PREFETCH", "96");
            jail.set_env("NEWSPIPE__FRONTIER__MAX_IN_FLIGHT", "700");
            let cfg = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(cfg.mq_for(Worker::Parser).prefetch, 16);
            assert_eq!(cfg.mq_for(Worker::Store).prefetch, 96);
            assert_eq!(
                cfg.mq_for(Worker::Crawler).prefetch,
                700,
                "the in-flight cap"
            );
            jail.set_env("NEWSPIPE__FRONTIER__MAX_IN_FLIGHT", "100000");
            let cfg = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(cfg.mq_for(Worker::Crawler).prefetch, u16::MAX);
            Ok(())
        });
    }
}
