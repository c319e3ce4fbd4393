//! `newspipe export`: the archive as JSON lines, CSV (one article each, current state) or
//! WARC/1.1 (one `response` record per stored raw page). Streams in keyset batches, so memory
//! stays flat whatever the archive's size; progress goes to stderr.

use std::{
    io::{BufWriter, Write},
    path::PathBuf,
    time::{Duration, Instant},
};

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use newspipe_store::{ExportFilter, RawPage};
use sha1::{Digest, Sha1};

use super::record::{CSV_HEADER, Record, csv_cell, csv_line};
use crate::config::Config;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Jsonl,
    Csv,
    Warc,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    format: Format,
    /// Only what was fetched at or after (RFC 3339, YYYY-MM-DD or a 4–14 digit timestamp).
    #[arg(long)]
    since: Option<String>,
    /// Only this host.
    #[arg(long)]
    site: Option<String>,
    /// Write here instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
    /// One line per revision (its own title, body, content_hash, fetched_at and `revision`
    /// number, 1..n) instead of one per article; `--since` then filters on the revision's fetch.
    #[arg(long, conflicts_with = "format")]
    revisions: bool,
}

pub async fn run(cfg: &Config, args: Args) -> Result<bool> {
    match export(cfg, args).await {
        // The reader went away (`| head`): not a failure of the export.
        Err(e) if super::record::is_broken_pipe(&e) => Ok(true),
        r => r,
    }
}

async fn export(cfg: &Config, args: Args) -> Result<bool> {
    let since = super::parse_since(args.since.as_deref())?;
    let store = super::connect_store(cfg).await?;
    let out: Box<dyn Write + Send> = match &args.out {
        Some(p) => Box::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        ),
        None => Box::new(std::io::stdout()),
    };
    let mut out = BufWriter::with_capacity(1 << 20, out);
    let mut progress = Progress::new(if args.format == Format::Warc {
        "pages"
    } else if args.revisions {
        "revisions"
    } else {
        "articles"
    });
    let filter = ExportFilter {
        since,
        site: args.site.clone(),
        revisions: args.revisions,
        batch: if args.format == Format::Warc {
            200
        } else {
            1000
        },
    };
    match args.format {
        Format::Jsonl | Format::Csv => {
            if args.format == Format::Csv {
                let header: Vec<String> = CSV_HEADER.iter().map(|h| csv_cell(h)).collect();
                write!(out, "{}\r\n", header.join(","))?;
            }
            let mut rows = std::pin::pin!(store.export_articles(filter));
            while let Some(a) = rows.next().await {
                let a = a.context("reading articles")?;
                if args.format == Format::Jsonl {
                    serde_json::to_writer(&mut out, &Record::from(&a))?;
                    out.write_all(b"\n")?;
                } else {
                    out.write_all(csv_line(&a).as_bytes())?;
                }
                progress.tick();
            }
        }
        Format::Warc => {
            out.write_all(&warcinfo(Utc::now()))?;
            let mut pages = std::pin::pin!(store.export_pages(filter));
            while let Some(p) = pages.next().await {
                let p = p.context("reading pages")?;
                out.write_all(&warc_response(&p))?;
                progress.tick();
            }
        }
    }
    out.flush()?;
    progress.done();
    Ok(true)
}

struct Progress {
    what: &'static str,
    n: u64,
    start: Instant,
    last: Instant,
}

impl Progress {
    fn new(what: &'static str) -> Self {
        let now = Instant::now();
        Self {
            what,
            n: 0,
            start: now,
            last: now,
        }
    }

    fn tick(&mut self) {
        self.n += 1;
        if self.n.is_multiple_of(1000) && self.last.elapsed() >= Duration::from_secs(2) {
            self.last = Instant::now();
            eprintln!("export: {} {} ({:.0}/s)", self.n, self.what, self.rate());
        }
    }

    fn rate(&self) -> f64 {
        self.n as f64 / self.start.elapsed().as_secs_f64().max(1e-6)
    }

    fn done(&self) {
        eprintln!(
            "export: done, {} {} in {:.1}s ({:.0}/s)",
            self.n,
            self.what,
            self.start.elapsed().as_secs_f64(),
            self.rate()
        );
    }
}

/// `sha1:` + base32, as WARC digests are written.
fn sha1_digest(parts: &[&[u8]]) -> String {
    let mut h = Sha1::new();
    for p in parts {
        h.update(p);
    }
    format!("sha1:{}", data_encoding::BASE32.encode(&h.finalize()))
}

fn record_id() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40; // version 4
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    let h = data_encoding::HEXLOWER.encode(&b);
    format!(
        "<urn:uuid:{}-{}-{}-{}-{}>",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn warc_date(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Header values come from remote data: no CR or LF may reach the record.
fn header_value(s: &str) -> String {
    s.chars().filter(|c| *c != '\r' && *c != '\n').collect()
}

fn record(headers: &[(&str, String)], block: &[&[u8]]) -> Vec<u8> {
    let len: usize = block.iter().map(|b| b.len()).sum();
    let mut out = Vec::with_capacity(len + 512);
    out.extend_from_slice(b"WARC/1.1\r\n");
    for (k, v) in headers {
        out.extend_from_slice(format!("{k}: {}\r\n", header_value(v)).as_bytes());
    }
    out.extend_from_slice(format!("Content-Length: {len}\r\n\r\n").as_bytes());
    for b in block {
        out.extend_from_slice(b);
    }
    out.extend_from_slice(b"\r\n\r\n");
    out
}

fn warcinfo(now: DateTime<Utc>) -> Vec<u8> {
    let body = format!(
        "software: newspipe/{}\r\nformat: WARC File Format 1.1\r\n",
        env!("CARGO_PKG_VERSION")
    );
    record(
        &[
            ("WARC-Type", "warcinfo".into()),
            ("WARC-Record-ID", record_id()),
            ("WARC-Date", warc_date(now)),
            ("Content-Type", "application/warc-fields".into()),
        ],
        &[body.as_bytes()],
    )
}

/// A `response` record: an HTTP/1.1 response rebuilt from what was stored (status, content
/// type, validators) around the page's original bytes.
pub fn warc_response(p: &RawPage) -> Vec<u8> {
    let status = u16::try_from(p.status).unwrap_or(200);
    let reason = axum::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let mut head = format!("HTTP/1.1 {status} {reason}\r\n");
    if let Some(ct) = &p.content_type {
        head.push_str(&format!("Content-Type: {}\r\n", header_value(ct)));
    }
    if let Some(e) = &p.etag {
        head.push_str(&format!("ETag: {}\r\n", header_value(e)));
    }
    if let Some(l) = &p.last_modified {
        head.push_str(&format!("Last-Modified: {}\r\n", header_value(l)));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", p.body.len()));
    let mut headers = vec![
        ("WARC-Type", "response".to_string()),
        ("WARC-Record-ID", record_id()),
        ("WARC-Date", warc_date(p.fetched_at)),
        ("WARC-Target-URI", p.final_url.clone()),
        ("Content-Type", "application/http; msgtype=response".into()),
        ("WARC-Payload-Digest", sha1_digest(&[&p.body])),
        (
            "WARC-Block-Digest",
            sha1_digest(&[head.as_bytes(), &p.body]),
        ),
    ];
    if p.truncated {
        headers.push(("WARC-Truncated", "length".into()));
    }
    record(&headers, &[head.as_bytes(), &p.body])
}
