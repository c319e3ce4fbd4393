//! Reconnect backoff: exponential, jittered, and capped with the jitter included.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

/// Exponential backoff with jitter whose every wait lies in `[cap_n / 2, cap_n]`, where
/// `cap_n = min(min × 2ⁿ, max)`: the jitter spreads reconnecting workers apart but never pushes a
/// wait past `max` (the documented 3 s for [`crate::Broker::connect`]). Returns the wait it
/// chose, so callers can log the real figure.
#[derive(Debug, Clone)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    attempt: u32,
}

impl Default for Backoff {
    /// 200 ms doubling to 3 s, as [`crate::Broker::connect`] uses.
    fn default() -> Self {
        Self::new(crate::broker::BACKOFF_MIN, crate::broker::BACKOFF_MAX)
    }
}

impl Backoff {
    /// Waits start near `min` and double up to `max` (inclusive of jitter). `max < min` is
    /// treated as `max == min`.
    pub fn new(min: Duration, max: Duration) -> Self {
        Self {
            min,
            max: max.max(min),
            attempt: 0,
        }
    }

    /// The largest wait this backoff can ever return.
    pub fn max(&self) -> Duration {
        self.max
    }

    /// The next wait (and counts the attempt).
    pub fn next_delay(&mut self) -> Duration {
        // The one delay rule of newspipe (URL retries use it too): within [cap/2, cap].
        let d = newspipe_model::backoff(self.min, self.max, self.attempt);
        self.attempt = self.attempt.saturating_add(1);
        d
    }

    /// Back to the first, shortest wait (after a success).
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    /// Sleeps for [`Backoff::next_delay`]; `Some(wait)` with the wait used, or `None` if
    /// `cancel` fired first.
    pub async fn wait(&mut self, cancel: &CancellationToken) -> Option<Duration> {
        let d = self.next_delay();
        tokio::select! {
            () = cancel.cancelled() => None,
            () = tokio::time::sleep(d) => Some(d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_never_exceed_the_cap_jitter_included() {
        let max = Duration::from_secs(3);
        let mut longest = Duration::ZERO;
        for _ in 0..200 {
            let mut b = Backoff::default();
            assert_eq!(b.max(), max);
            for attempt in 0..30u32 {
                let d = b.next_delay();
                assert!(d <= max, "attempt {attempt}: {d:?} exceeds {max:?}");
                let cap = Duration::from_millis(200)
                    .saturating_mul(1 << attempt.min(20))
                    .min(max);
                assert!(
                    d >= cap / 2 && d <= cap,
                    "attempt {attempt}: {d:?} vs cap {cap:?}"
                );
                longest = longest.max(d);
            }
        }
        // The cap is reached, not just respected; and the waits are not all equal.
        assert!(longest > Duration::from_millis(2_900), "{longest:?}");
    }

    #[test]
    fn jitter_spreads_waits_and_reset_starts_over() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..50 {
            let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(1));
            seen.insert(b.next_delay());
        }
        assert!(seen.len() > 10, "jitter is not spreading: {seen:?}");
        let mut b = Backoff::default();
        for _ in 0..10 {
            b.next_delay();
        }
        b.reset();
        assert!(b.next_delay() <= Duration::from_millis(200));
    }

    #[tokio::test]
    async fn wait_reports_the_wait_used_or_none_when_cancelled() {
        let mut b = Backoff::new(Duration::from_millis(20), Duration::from_millis(20));
        let cancel = CancellationToken::new();
        let started = std::time::Instant::now();
        let used = b.wait(&cancel).await.expect("not cancelled");
        assert!(used >= Duration::from_millis(10) && used <= Duration::from_millis(20));
        assert!(started.elapsed() >= used);
        cancel.cancel();
        assert_eq!(b.wait(&cancel).await, None);
    }
}
