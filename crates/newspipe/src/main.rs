//! `newspipe`: the one binary. Workers (`crawler`, `parser`, `store`) and the user's commands.

mod cmd;
mod config;
mod events;
mod shutdown;
mod telemetry;
mod workers;

use std::{path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};

use crate::config::{Config, LogFormat};

#[derive(Debug, Parser)]
#[command(
    name = "newspipe",
    version,
    about = "Crawl news sites into a queryable archive"
)]
struct Cli {
    /// A TOML file layered over the built-in defaults (see config/default.toml).
    #[arg(long, global = true, env = "NEWSPIPE_CONFIG")]
    config: Option<PathBuf>,
    /// Log as JSON lines instead of human-readable text.
    #[arg(long, global = true)]
    log_json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Worker: fetch crawl jobs politely and publish the pages.
    Crawler,
    /// Worker: extract articles and links from fetched pages.
    Parser,
    /// Worker: write pages, articles and links to Postgres and dispatch due URLs.
    Store,
    /// Add seed URLs to the frontier (arguments, --file, or - for stdin).
    Enqueue(cmd::enqueue::Args),
    /// Apply the database migrations (the store worker does this at start too).
    Migrate,
    /// Run the parser's extraction on local HTML files; prints one JSON object per file.
    Extract(cmd::extract::Args),
    /// Queue depths, archive counts and the last minute's rate.
    Status(cmd::status::Args),
    /// Full-text search over the archived articles.
    Search(cmd::search::Args),
    /// The dead-letter queue: list (with reasons), replay, purge.
    Dead(cmd::dead::Args),
    /// An article's revisions: time, headline changes, words added and removed.
    History(cmd::revisions::HistoryArgs),
    /// What changed between two revisions of an article, word by word.
    Diff(cmd::revisions::DiffArgs),
    /// Run today's extractor over stored pages; a changed result becomes a new revision.
    Reparse(cmd::reparse::Args),
    /// Serve the read-only HTTP API and web pages over the archive.
    Api(cmd::api::Args),
    /// One story: metadata, revisions and body.
    Show(cmd::show::Args),
    /// Stream the archive out as JSON lines, CSV or WARC.
    Export(cmd::export::Args),
    /// Ask a worker's `/healthz` (exit 0 while it consumes); compose's healthcheck.
    Healthcheck(cmd::healthcheck::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // `extract` is a pure local command: it must work without a config or any service.
    if let Command::Extract(args) = &cli.command {
        telemetry::init_logs(LogFormat::Human, "warn");
        return report(cmd::extract::run(args));
    }
    let cfg = match Config::load(cli.config.as_deref()) {
        Ok(cfg) => cfg,
        Err(e) => {
            eprintln!("newspipe: {e:#}");
            return ExitCode::from(2);
        }
    };
    let format = if cli.log_json {
        LogFormat::Json
    } else {
        cfg.telemetry.log_format
    };
    // Workers log their progress; a command's output is its answer, so it logs warnings only.
    let worker = matches!(
        cli.command,
        Command::Crawler | Command::Parser | Command::Store
    );
    telemetry::init_logs(
        format,
        if worker {
            "info"
        } else {
            "warn,lapin=off,sqlx=error"
        },
    );
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("newspipe: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(async move {
        let result = match cli.command {
            Command::Crawler => workers::crawler::run(cfg).await,
            Command::Parser => workers::parser::run(cfg).await,
            Command::Store => workers::store::run(cfg).await,
            Command::Enqueue(args) => cmd::enqueue::run(&cfg, args).await,
            Command::Migrate => cmd::migrate(&cfg).await,
            Command::Status(args) => cmd::status::run(&cfg, args).await,
            Command::Search(args) => cmd::search::run(&cfg, args).await,
            Command::Dead(args) => cmd::dead::run(&cfg, args).await,
            Command::History(args) => cmd::revisions::history(&cfg, args).await,
            Command::Diff(args) => cmd::revisions::diff(&cfg, args).await,
            Command::Reparse(args) => cmd::reparse::run(&cfg, args).await,
            Command::Api(args) => cmd::api::run(&cfg, args).await,
            Command::Show(args) => cmd::show::run(&cfg, args).await,
            Command::Export(args) => cmd::export::run(&cfg, args).await,
            Command::Healthcheck(args) => cmd::healthcheck::run(&cfg, args).await,
            Command::Extract(_) => unreachable!("handled before the runtime starts"),
        };
        report(result)
    })
}

/// Commands return `Ok(false)` for "ran, but some input was bad" (exit 1); errors exit 1 too,
/// with the cause chain on stderr.
fn report(result: anyhow::Result<bool>) -> ExitCode {
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("newspipe: {e:#}");
            ExitCode::FAILURE
        }
    }
}
