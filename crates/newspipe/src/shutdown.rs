//! Graceful shutdown: SIGTERM or SIGINT cancels a token every worker loop watches.

use tokio_util::sync::CancellationToken;

/// Returns a token cancelled on the first SIGTERM/SIGINT. A second signal is left to the default
/// action only after the workers have had their chance to drain.
pub fn on_signal() -> CancellationToken {
    let token = CancellationToken::new();
    let t = token.clone();
    tokio::spawn(async move {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(e) => {
                    tracing::error!(error = %e, "cannot listen for SIGTERM");
                    return;
                }
            };
        tokio::select! {
            _ = term.recv() => tracing::info!("SIGTERM: finishing in-flight work"),
            _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT: finishing in-flight work"),
        }
        t.cancel();
    });
    token
}
