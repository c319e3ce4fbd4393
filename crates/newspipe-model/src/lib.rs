//! Shared vocabulary of newspipe: message contracts, the article record, URL normalisation.
//!
//! No IO lives here; every other crate depends on this one and on nothing of each other's.

mod article;
mod backoff;
mod messages;
mod robots;
mod urlnorm;

pub use article::Article;
pub use backoff::backoff;
pub use messages::{
    ContractError, CrawlJob, DatedLink, Disposition, FetchFailure, FetchedPage, JobKind,
    MAX_INFLATED_BYTES, MIN_START_WINDOW_MS, Message, NotModified, PageKind, ParsedPage,
    RobotsFetched, SCHEMA_VERSION, StoreEnvelope, StoreMsg, Validators, Zstd, slot_spacing,
    start_window,
};
pub use robots::{MATCH_BUDGET, MAX_CRAWL_DELAY, RobotsOutcome, RobotsPolicy, robots_outcome};
pub use urlnorm::{MAX_URL_LEN, UrlError, host_key, normalize, normalize_link};
