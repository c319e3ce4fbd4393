//! Fetch one URL politely and safely: timeouts, redirect cap, size cap on decoded bytes, an SSRF
//! guard on every hop, a content-type filter, charset decoding to UTF-8 and a per-host rate guard.
//!
//! No queue and no SQL live here: the crawler worker decides what to fetch and what to do with the
//! result ([`FetchError::disposition`], [`status_disposition`]).
//!
//! Never call `reqwest::Response::text()` / `bytes()` in this crate: they read without a bound.
//! Bodies are streamed with `chunk()` and cut at the cap (see `fetcher::read_capped`).

mod charset;
mod config;
mod error;
mod fetcher;
mod guard;
mod limiter;

pub use charset::{decode_body, decode_labelled, detect_encoding};
pub use config::FetchConfig;
pub use error::{BLOCKED_HINT, FetchError, status_disposition};
pub use fetcher::{
    Accept, Conditional, Fetched, Fetcher, ceil_millis, ceil_secs, parse_retry_after,
};
pub use guard::{guard_refuses, is_public_ip};
pub use limiter::HostLimiter;

/// Re-exported so callers name the same type this crate maps to.
pub use newspipe_model::Disposition;
