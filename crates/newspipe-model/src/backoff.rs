//! The one retry delay rule every newspipe component uses: exponential, capped, jittered.

use std::time::Duration;

/// `base · 2^attempt`, capped at `cap`, then scaled by a random 50–100 %: things that failed
/// together (a host or broker outage) do not all come back in the same instant, and the wait
/// never exceeds `cap`.
pub fn backoff(base: Duration, cap: Duration, attempt: u32) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.min(20));
    exp.min(cap).mul_f64(rand::random_range(0.5..=1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_then_caps_with_jitter_below_the_cap() {
        let base = Duration::from_millis(200);
        let cap = Duration::from_secs(10);
        for attempt in 0..40 {
            let full = base.saturating_mul(1 << attempt.min(20)).min(cap);
            for _ in 0..50 {
                let d = backoff(base, cap, attempt);
                assert!(d >= full / 2 && d <= full, "{attempt}: {d:?} vs {full:?}");
            }
        }
        assert!(backoff(base, cap, 30) <= cap);
    }
}
