//! Queue statistics from RabbitMQ's management HTTP API: the only source of unacked counts
//! (AMQP's passive declare reports ready messages only). Used by `newspipe status`.

use std::time::Duration;

use serde::Deserialize;

use crate::{MqConfig, MqError, Queue};

/// One queue as the management API reports it. Its figures lag by the API's sampling interval
/// (5 s by default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueStats {
    pub name: String,
    /// False when the queue does not exist yet (no worker has declared the topology).
    pub declared: bool,
    pub ready: u64,
    pub unacked: u64,
    pub consumers: u64,
}

#[derive(Deserialize)]
struct ApiQueue {
    #[serde(default)]
    messages_ready: u64,
    #[serde(default)]
    messages_unacknowledged: u64,
    #[serde(default)]
    consumers: u64,
}

/// An API answer is a few hundred bytes; anything past this is not the API.
const MAX_RESPONSE: usize = 1 << 20;

/// Reads ready/unacked/consumers of `queues` from the management API at `management_url`
/// (`http://user:pass@host:15672`), in the vhost of `cfg.url`.
pub async fn queue_stats(
    management_url: &str,
    cfg: &MqConfig,
    queues: &[Queue],
) -> Result<Vec<QueueStats>, MqError> {
    let base = url::Url::parse(management_url)
        .map_err(|e| MqError::Config(format!("management URL: {e}")))?;
    let vhost = vhost_of(&cfg.url)?;
    let user = base.username().to_string();
    let password = base.password().map(str::to_string);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(3))
        .no_proxy()
        .build()
        .map_err(|e| MqError::Management(e.to_string()))?;
    let mut out = Vec::with_capacity(queues.len());
    for q in queues {
        let name = q.name(&cfg.prefix);
        let mut url = base.clone();
        let _ = url.set_username("");
        let _ = url.set_password(None);
        url.path_segments_mut()
            .map_err(|_| MqError::Config("management URL cannot be a base".into()))?
            .pop_if_empty()
            .extend(["api", "queues", &vhost, &name]);
        let mut resp = client
            .get(url)
            .basic_auth(&user, password.as_deref())
            .send()
            .await
            .map_err(|e| MqError::Management(e.to_string()))?;
        if resp.status() == reqwest::StatusCode::NOT_FOUND {
            out.push(QueueStats {
                name,
                declared: false,
                ready: 0,
                unacked: 0,
                consumers: 0,
            });
            continue;
        }
        if !resp.status().is_success() {
            return Err(MqError::Management(format!(
                "{name}: HTTP {}",
                resp.status()
            )));
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| MqError::Management(e.to_string()))?
        {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_RESPONSE {
                return Err(MqError::Management("response too large".into()));
            }
        }
        let api: ApiQueue = serde_json::from_slice(&body)
            .map_err(|e| MqError::Management(format!("{name}: {e}")))?;
        out.push(QueueStats {
            name,
            declared: true,
            ready: api.messages_ready,
            unacked: api.messages_unacknowledged,
            consumers: api.consumers,
        });
    }
    Ok(out)
}

/// The vhost named by an AMQP URL's path: empty or `/` means the default vhost `/`.
fn vhost_of(amqp_url: &str) -> Result<String, MqError> {
    let u = url::Url::parse(amqp_url).map_err(|e| MqError::Config(format!("AMQP URL: {e}")))?;
    let path = u.path().trim_start_matches('/');
    if path.is_empty() {
        return Ok("/".into());
    }
    let decoded: String = url::form_urlencoded::parse(path.as_bytes())
        .map(|(k, _)| k.into_owned())
        .collect();
    // form decoding turns '+' into ' '; vhost names rarely hold either, percent-decoding is the
    // part that matters (%2f → /).
    Ok(decoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vhost_comes_from_the_amqp_path() {
        assert_eq!(vhost_of("amqp://g:g@h:5672/%2f").unwrap(), "/");
        assert_eq!(vhost_of("amqp://g:g@h:5672").unwrap(), "/");
        assert_eq!(vhost_of("amqp://g:g@h:5672/news").unwrap(), "news");
    }
}
