//! Broadcasts against a real RabbitMQ (AMQP_URL, default amqp://guest:guest@127.0.0.1:5672/%2f):
//! every listener of a topic hears every send, on its own connection. Fails, never skips, when
//! the broker is down: start it with `rabbitmq-server -detached`.

use std::time::Duration;

use newspipe_mq::{Broker, MqConfig};
use tokio_util::sync::CancellationToken;

async fn connect(prefix: &str) -> Broker {
    let cfg = MqConfig {
        url: std::env::var("AMQP_URL")
            .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned()),
        prefix: prefix.to_owned(),
        ..MqConfig::default()
    };
    let cancel = CancellationToken::new();
    match tokio::time::timeout(Duration::from_secs(15), Broker::connect(&cfg, &cancel)).await {
        Ok(Ok(b)) => b,
        _ => panic!(
            "RabbitMQ is not reachable at {}. Start it with `rabbitmq-server -detached` \
             (or set AMQP_URL)",
            cfg.url
        ),
    }
}

#[tokio::test]
async fn every_listener_hears_every_send() {
    let prefix = format!("nptest.broadcast.{}", std::process::id());
    // Two replicas, each on its own connection, as two crawler processes would be.
    let a = connect(&prefix).await;
    let b = connect(&prefix).await;
    let (send_a, mut hear_a) = a.broadcast("hostblock").await.unwrap();
    let (_send_b, mut hear_b) = b.broadcast("hostblock").await.unwrap();
    for i in 0..3u8 {
        send_a.send(&[i]).await.unwrap();
    }
    for listener in [&mut hear_a, &mut hear_b] {
        for i in 0..3u8 {
            let got = tokio::time::timeout(Duration::from_secs(5), listener.next())
                .await
                .expect("broadcast arrives within 5 s")
                .expect("listener open")
                .unwrap();
            assert_eq!(got, vec![i]);
        }
    }
    // A listener that joins later hears only what is sent after it joined.
    let c = connect(&prefix).await;
    let (_send_c, mut hear_c) = c.broadcast("hostblock").await.unwrap();
    send_a.send(b"late").await.unwrap();
    let got = tokio::time::timeout(Duration::from_secs(5), hear_c.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(got, b"late");
    for broker in [a, b, c] {
        broker.close().await;
    }
}
