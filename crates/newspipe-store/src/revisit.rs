//! When a fetched URL is visited again: adaptive intervals for hubs, a decaying schedule for
//! stories. Pure: the SQL that applies it lives in `urlstate.rs`.
//!
//! Hubs (home and section pages, feeds, sitemaps: every page that is not an article) start at
//! `hub_min` and adapt like Nutch's `AdaptiveFetchSchedule` and StormCrawler's adaptive
//! scheduler: after a visit that saw a change the interval is multiplied by [`HUB_CHANGED`],
//! after one that saw none by [`HUB_UNCHANGED`], always kept within `[hub_min, hub_max]`.
//! A hub changes when the links it lists change (see `ParsedPage::change_hash`).
//!
//! Stories are revisited by the time since they last changed (`story_steps`: 15 min for the
//! first 3 h, hourly to a day, 6-hourly to a week, daily to 30 days, then never), so an edit
//! brings back frequent visits. Sitemap `lastmod` and feed dates make a URL due at once
//! whatever its schedule (`frontier.rs`).
//!
//! Hubs are ranked by their **yield**: a moving average of "this revisit found a link never seen
//! before" ([`next_yield`]). Feeds and news sitemaps start high, other hubs low ([`first_yield`]);
//! a hub whose yield is at least [`HOT_YIELD`] is *hot*: its due revisits go ahead of every other
//! revisit and outside `max_share`, and the new links it finds jump the first-visit backlog.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::dispatch::delta;

/// Interval factor after a visit that saw a change (Nutch's DEC_RATE is 0.2, i.e. ×0.8; news
/// hubs change in bursts, so we come back twice as fast at once).
pub const HUB_CHANGED: f64 = 0.5;
/// Interval factor after an unchanged visit (Nutch's INC_RATE 0.4: ×1.4).
pub const HUB_UNCHANGED: f64 = 1.4;

/// Weight of the latest revisit in a hub's yield: with 0.5 a hot hub that finds nothing twice in
/// a row is no longer hot, and a plain hub that finds something once is.
pub const YIELD_WEIGHT: f64 = 0.5;
/// A hub at or above this yield is hot.
pub const HOT_YIELD: f64 = 0.5;
/// Where feeds and news sitemaps start: lists of fresh items by design.
pub const YIELD_NEWS_LIST: f64 = 1.0;
/// Where other hubs (home, sections, authors, pagination, archive sitemaps) start: below
/// [`HOT_YIELD`] until one revisit finds a link never seen before (migration 0004 uses it too).
pub const YIELD_PLAIN_HUB: f64 = 0.25;

/// A hub's yield before its first revisit. A first visit finds only new links, so it says
/// nothing about the hub; what the hub is does.
pub(crate) fn first_yield(news_list: bool) -> f64 {
    if news_list {
        YIELD_NEWS_LIST
    } else {
        YIELD_PLAIN_HUB
    }
}

/// A hub's yield after a revisit that did (or did not) find a link never seen before.
pub(crate) fn next_yield(prev: f64, found_new: bool) -> f64 {
    prev * (1.0 - YIELD_WEIGHT) + if found_new { YIELD_WEIGHT } else { 0.0 }
}

pub(crate) fn is_hot(y: f64) -> bool {
    y >= HOT_YIELD
}

/// A yield as a frontier row stores it: `hub_yield`, and `hot` derived from it (kept as a column
/// for the dispatcher's partial index, so every writer must set both together).
pub(crate) fn stored_yield(y: Option<f64>) -> (Option<f32>, bool) {
    (y.map(|y| y as f32), y.is_some_and(is_hot))
}

/// How fetched URLs are revisited (config `revisit.*`, `discovery.max_age_days`).
#[derive(Debug, Clone)]
pub struct RevisitPolicy {
    /// Off: every URL is fetched once (one-shot crawls and benchmarks).
    pub enabled: bool,
    pub hub_min: Duration,
    pub hub_max: Duration,
    /// `(age, every)`, ascending by age: a story whose last change is younger than `age` is
    /// revisited `every`; past the last step it is not revisited.
    pub story_steps: Vec<(Duration, Duration)>,
    /// Share of a host's slots revisits may take while first fetches wait (hot hubs' revisits
    /// excepted: they go first).
    pub max_share: f64,
    /// Archive-sitemap entries dated older than this are not followed (None: no bound).
    pub max_age: Option<Duration>,
}

impl Default for RevisitPolicy {
    fn default() -> Self {
        const M: u64 = 60;
        const H: u64 = 3600;
        const D: u64 = 24 * H;
        let s = Duration::from_secs;
        Self {
            enabled: true,
            hub_min: s(60),
            hub_max: s(6 * H),
            story_steps: vec![
                (s(3 * H), s(15 * M)),
                (s(D), s(H)),
                (s(7 * D), s(6 * H)),
                (s(30 * D), s(D)),
            ],
            max_share: 0.5,
            max_age: None,
        }
    }
}

/// What one visit saw.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Seen {
    pub hub: bool,
    pub at: DateTime<Utc>,
    /// The content differs from the last visit's (always true on a first visit).
    pub changed: bool,
    /// When the content last changed, after this visit.
    pub changed_at: DateTime<Utc>,
    /// The hub's interval before this visit (None on its first).
    pub interval: Option<Duration>,
}

/// The next visit, or None: not revisited any more (the URL leaves the frontier).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Next {
    pub due_at: DateTime<Utc>,
    /// A hub's interval (seconds), kept for its next adaptation.
    pub interval_secs: Option<i32>,
}

pub(crate) fn next_visit(policy: &RevisitPolicy, seen: &Seen) -> Option<Next> {
    if !policy.enabled {
        return None;
    }
    if seen.hub {
        let min = policy.hub_min.max(Duration::from_secs(1));
        let max = policy.hub_max.max(min);
        let every = match seen.interval {
            None => min,
            Some(i) => {
                let f = if seen.changed {
                    HUB_CHANGED
                } else {
                    HUB_UNCHANGED
                };
                i.mul_f64(f).clamp(min, max)
            }
        };
        return Some(Next {
            due_at: seen.at + delta(every),
            interval_secs: Some(i32::try_from(every.as_secs()).unwrap_or(i32::MAX)),
        });
    }
    let age = (seen.at - seen.changed_at)
        .to_std()
        .unwrap_or(Duration::ZERO);
    let every = policy
        .story_steps
        .iter()
        .find(|(until, _)| age < *until)
        .map(|(_, every)| *every)?;
    Some(Next {
        due_at: seen.at + delta(every),
        interval_secs: None,
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    fn at() -> DateTime<Utc> {
        "2026-12-01T12:00:00Z".parse().unwrap()
    }

    fn hub(changed: bool, interval: Option<u64>) -> Option<Next> {
        next_visit(
            &RevisitPolicy::default(),
            &Seen {
                hub: true,
                at: at(),
                changed,
                changed_at: at(),
                interval: interval.map(Duration::from_secs),
            },
        )
    }

    #[test]
    fn hubs_adapt_within_their_bounds() {
        // First visit: the shortest interval.
        assert_eq!(hub(true, None).unwrap().interval_secs, Some(60));
        // Unchanged: ×1.4; changed: ×0.5; never outside [60 s, 6 h].
        assert_eq!(hub(false, Some(100)).unwrap().interval_secs, Some(140));
        assert_eq!(hub(true, Some(1000)).unwrap().interval_secs, Some(500));
        assert_eq!(hub(true, Some(90)).unwrap().interval_secs, Some(60));
        assert_eq!(
            hub(false, Some(20_000)).unwrap().interval_secs,
            Some(21_600)
        );
        let n = hub(false, Some(100)).unwrap();
        assert_eq!(n.due_at, at() + TimeDelta::seconds(140));
    }

    #[test]
    fn yield_ranks_hubs_by_what_their_revisits_find() {
        // Feeds and news sitemaps start hot, other hubs do not.
        assert!(is_hot(first_yield(true)));
        assert!(!is_hot(first_yield(false)));
        // One find makes a plain hub hot; two misses in a row cool a feed.
        assert!(is_hot(next_yield(first_yield(false), true)));
        let once = next_yield(first_yield(true), false);
        assert!(is_hot(once));
        assert!(!is_hot(next_yield(once, false)));
        // A pagination page that never finds anything new falls towards 0.
        let mut y = first_yield(false);
        for _ in 0..10 {
            y = next_yield(y, false);
        }
        assert!(y < 0.001, "{y}");
    }

    #[test]
    fn stories_decay_by_time_since_their_last_change() {
        let p = RevisitPolicy::default();
        let due = |age_h: i64| {
            next_visit(
                &p,
                &Seen {
                    hub: false,
                    at: at(),
                    changed: false,
                    changed_at: at() - TimeDelta::hours(age_h),
                    interval: None,
                },
            )
            .map(|n| (n.due_at - at()).num_minutes())
        };
        assert_eq!(due(0), Some(15));
        assert_eq!(due(2), Some(15));
        assert_eq!(due(3), Some(60));
        assert_eq!(due(30), Some(360));
        assert_eq!(due(24 * 8), Some(1440));
        assert_eq!(due(24 * 30), None);
        let off = RevisitPolicy {
            enabled: false,
            ..RevisitPolicy::default()
        };
        assert_eq!(
            hub(true, None).is_some(),
            next_visit(
                &off,
                &Seen {
                    hub: true,
                    at: at(),
                    changed: true,
                    changed_at: at(),
                    interval: None,
                }
            )
            .is_none()
        );
    }
}
