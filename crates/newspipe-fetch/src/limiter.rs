//! Per-host local rate guard: the second line of defence behind the dispatcher's schedule.
//!
//! The dispatcher's slots keep a host's rate across all crawler replicas; this limiter only makes
//! sure one process never bursts a host even if the schedule misbehaves (a redelivery storm,
//! a clock jump). It limits rate, not concurrency.

use std::sync::Arc;
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::task::AbortHandle;

/// How often idle hosts are dropped from the limiter; governor never evicts keys on its own.
const CLEANUP_EVERY: Duration = Duration::from_secs(60);

/// A keyed GCRA limiter: one request per `interval` per host, burst 1. Clones share the state.
#[derive(Debug, Clone)]
pub struct HostLimiter {
    /// `None` when the interval is zero: politeness is off (local sitegen runs).
    inner: Option<Arc<Inner>>,
    interval: Duration,
}

#[derive(Debug)]
struct Inner {
    limiter: Arc<DefaultKeyedRateLimiter<String>>,
    cleanup: Option<AbortHandle>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // The cleanup task holds its own Arc of the limiter and would otherwise run forever.
        if let Some(task) = self.cleanup.take() {
            task.abort();
        }
    }
}

impl HostLimiter {
    /// `interval == 0` gives a limiter that never waits. Call inside a Tokio runtime to get the
    /// background cleanup; outside one the limiter still works but never forgets hosts.
    pub fn new(interval: Duration) -> Self {
        // with_period gives burst 1; it returns None only for a zero period.
        let Some(quota) = Quota::with_period(interval) else {
            return Self {
                inner: None,
                interval,
            };
        };
        let limiter = Arc::new(RateLimiter::keyed(quota));
        let cleanup = match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                let limiter = Arc::clone(&limiter);
                let task = handle.spawn(async move {
                    let mut tick = tokio::time::interval(CLEANUP_EVERY);
                    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                    tick.tick().await; // the first tick is immediate
                    loop {
                        tick.tick().await;
                        // Drops hosts whose state equals a fresh bucket, i.e. idle ≥ interval.
                        limiter.retain_recent();
                        limiter.shrink_to_fit();
                        tracing::trace!(hosts = limiter.len(), "host limiter cleaned");
                    }
                });
                Some(task.abort_handle())
            }
            Err(_) => {
                tracing::warn!(
                    "HostLimiter created outside a Tokio runtime: idle hosts are never evicted"
                );
                None
            }
        };
        Self {
            inner: Some(Arc::new(Inner { limiter, cleanup })),
            interval,
        }
    }

    /// Waits until `host` may be requested again, then takes its slot.
    pub async fn until_ready(&self, host: &str) {
        if let Some(inner) = &self.inner {
            inner.limiter.until_key_ready(&host.to_owned()).await;
        }
    }

    /// Takes `host`'s slot if it is free now, without waiting; false if the host must wait.
    /// Needs no runtime.
    pub fn try_acquire(&self, host: &str) -> bool {
        match &self.inner {
            Some(inner) => inner.limiter.check_key(&host.to_owned()).is_ok(),
            None => true,
        }
    }

    /// The interval it keeps between two requests to one host (zero: politeness off).
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Hosts currently tracked (for a gauge).
    pub fn len(&self) -> usize {
        self.inner.as_ref().map_or(0, |i| i.limiter.len())
    }

    /// True when no host is tracked.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[tokio::test]
    async fn zero_interval_never_waits() {
        let limiter = HostLimiter::new(Duration::ZERO);
        let started = Instant::now();
        for _ in 0..100 {
            limiter.until_ready("example.com").await;
        }
        // Generous: 100 no-op awaits take microseconds.
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(limiter.is_empty());
    }

    #[tokio::test]
    async fn same_host_waits_at_least_the_interval() {
        let interval = Duration::from_millis(300);
        let limiter = HostLimiter::new(interval);
        let started = Instant::now();
        limiter.until_ready("a.example").await;
        limiter.until_ready("a.example").await;
        // Lower bound only; a loaded machine can only make it longer.
        assert!(
            started.elapsed() >= interval - Duration::from_millis(5),
            "{:?}",
            started.elapsed()
        );
    }

    #[tokio::test]
    async fn other_hosts_are_not_delayed() {
        // A long interval makes the check robust: "not delayed" means far less than 10 s.
        let limiter = HostLimiter::new(Duration::from_secs(10));
        limiter.until_ready("a.example").await;
        tokio::time::timeout(Duration::from_secs(5), limiter.until_ready("b.example"))
            .await
            .expect("b.example must not wait behind a.example");
        // a.example is still inside its interval, however slow this machine is.
        let again =
            tokio::time::timeout(Duration::from_millis(200), limiter.until_ready("a.example"));
        assert!(again.await.is_err(), "a.example must wait for its interval");
        assert_eq!(limiter.len(), 2);
    }

    #[test]
    fn works_outside_a_runtime() {
        // Built with no runtime at all: it must still limit, not silently let all through.
        assert!(tokio::runtime::Handle::try_current().is_err());
        let interval = Duration::from_millis(200);
        let limiter = HostLimiter::new(interval);
        assert!(limiter.try_acquire("a.example"));
        assert!(
            !limiter.try_acquire("a.example"),
            "second request inside the interval"
        );
        assert!(
            limiter.try_acquire("b.example"),
            "another host is independent"
        );
        assert_eq!(limiter.len(), 2);
        // A runtime started later can await it; the wait is the rest of a.example's interval.
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let started = Instant::now();
        rt.block_on(limiter.until_ready("a.example"));
        let waited = started.elapsed();
        assert!(
            waited >= interval - Duration::from_millis(50),
            "a.example was let through after {waited:?}"
        );
    }
}
