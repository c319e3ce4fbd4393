//! Integration tests against a real RabbitMQ (AMQP_URL, default amqp://guest:guest@127.0.0.1:5672/%2f).
//! They fail, never skip, when the broker is down: start it with `rabbitmq-server -detached`.

use std::collections::HashSet;
use std::time::Duration;

use newspipe_mq::{
    Admission, Broker, DeadLettered, Durability, MqAction, MqConfig, MqError, MqOptions, Queue,
    QueueType,
};
use tokio_util::sync::CancellationToken;

const WAIT: Duration = Duration::from_secs(10);

fn config(test: &str) -> MqConfig {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    MqConfig {
        url: std::env::var("AMQP_URL")
            .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned()),
        prefix: format!("nptest.{test}.{}.{nanos}", std::process::id()),
        ..MqConfig::default()
    }
}

/// Connects or fails the test with the command that starts the broker.
async fn connect(cfg: &MqConfig) -> Broker {
    let cancel = CancellationToken::new();
    let timer = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(15)).await;
        timer.cancel();
    });
    let opts = MqOptions {
        connection_name: format!("newspipe-mq test {}", cfg.prefix),
        ..MqOptions::default()
    };
    match Broker::connect_with(cfg, &opts, &cancel).await {
        Ok(b) => b,
        Err(e) => panic!(
            "RabbitMQ is not reachable at {} ({e}). Start it with `rabbitmq-server -detached` \
             (or set AMQP_URL)",
            cfg.url
        ),
    }
}

async fn setup(test: &str, tweak: impl FnOnce(&mut MqConfig)) -> Broker {
    let mut cfg = config(test);
    tweak(&mut cfg);
    let broker = connect(&cfg).await;
    broker.declare_topology().await.expect("declare topology");
    broker
}

async fn teardown(broker: Broker) {
    broker.delete_topology().await.expect("delete topology");
    broker.close().await;
}

/// Polls `get` until a message shows up (dead-lettering is asynchronous).
async fn get_eventually(broker: &Broker, queue: Queue) -> newspipe_mq::Delivery {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(d) = broker.get(queue).await.expect("basic.get") {
            return d;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no message arrived in {queue} within {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn ready_eventually(broker: &Broker, queue: Queue, want: u32) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let depth = broker.queue_depth(queue).await.expect("queue depth");
        if depth.ready == want {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{queue}: ready is {} after {WAIT:?}, want {want}",
            depth.ready
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the broker has registered that `queue` has no consumer: by then it has
/// returned whatever a closed consumer held unacked.
async fn no_consumers_eventually(broker: &Broker, queue: Queue) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while broker.queue_depth(queue).await.expect("depth").consumers != 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{queue}: consumer still registered after {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Positive proof that `queue` holds nothing, ready or held by a consumer: with every consumer
/// gone (so unacked messages are back, and returned messages are served first), a sentinel
/// published now must be the first and only message there.
async fn assert_empty_by_sentinel(
    broker: &Broker,
    publisher: &newspipe_mq::Publisher,
    queue: Queue,
) {
    no_consumers_eventually(broker, queue).await;
    publisher
        .publish(queue, b"sentinel")
        .await
        .expect("publish sentinel");
    let first = get_eventually(broker, queue).await;
    assert_eq!(
        first.data,
        b"sentinel",
        "{queue} still held {:?}",
        String::from_utf8_lossy(&first.data)
    );
    first.ack().await.expect("ack sentinel");
    assert_eq!(broker.queue_depth(queue).await.expect("depth").ready, 0);
}

async fn next_within(
    consumer: &mut newspipe_mq::Consumer,
    wait: Duration,
) -> Option<Option<Result<newspipe_mq::Delivery, MqError>>> {
    tokio::time::timeout(wait, consumer.next()).await.ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declare_topology_twice_is_idempotent() {
    let broker = setup("idem", |_| {}).await;
    broker.declare_topology().await.expect("second declare");
    for q in Queue::ALL {
        let depth = broker.queue_depth(q).await.expect("queue exists");
        assert_eq!(depth.ready, 0);
    }
    // Same names, the other queue type (a deployment switching types without deleting the
    // old queues): the broker refuses, and that is fatal.
    let mut other = broker.config().clone();
    other.queue_type = QueueType::Quorum;
    let other = connect(&other).await;
    let err = other.declare_topology().await.expect_err("mismatch");
    assert!(matches!(err, MqError::TopologyMismatch(_)), "{err:?}");
    assert_eq!(err.action(), MqAction::Fatal);
    other.close().await;
    teardown(broker).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_then_consume_and_ack_removes_it() {
    let broker = setup("ack", |_| {}).await;
    let publisher = broker.publisher().await.expect("publisher");
    let payload = br#"{"url":"https://example.com/","n":1}"#;
    publisher
        .publish(Queue::Pages, payload)
        .await
        .expect("publish");
    assert_eq!(
        broker.queue_depth(Queue::Pages).await.expect("depth").ready,
        1
    );

    let mut consumer = broker
        .consumer(Queue::Pages, "t-ack")
        .await
        .expect("consumer");
    let d = next_within(&mut consumer, WAIT)
        .await
        .expect("a delivery in time")
        .expect("stream open")
        .expect("delivery ok");
    assert_eq!(d.data, payload);
    assert_eq!(d.delivery_count, 0);
    assert!(!d.redelivered);
    assert_eq!(d.queue, broker.queue_name(Queue::Pages));
    assert!(d.death.is_none());
    d.ack().await.expect("ack");

    // Closing the channel would requeue an unacked message; after an ack nothing comes back.
    consumer.close().await.expect("close consumer");
    assert_empty_by_sentinel(&broker, &publisher, Queue::Pages).await;
    teardown(broker).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_later_counts_deliveries_then_dead_letters_quorum() {
    let limit = 3;
    let broker = setup("retry", |c| {
        c.delivery_limit = limit;
        c.queue_type = QueueType::Quorum;
    })
    .await;
    let publisher = broker.publisher().await.expect("publisher");
    publisher
        .publish(Queue::Crawl, b"poison")
        .await
        .expect("publish");
    let mut consumer = broker
        .consumer(Queue::Crawl, "t-retry")
        .await
        .expect("consumer");
    let mut counts = Vec::new();
    while let Some(next) = next_within(&mut consumer, Duration::from_secs(2)).await {
        let d = next.expect("stream open").expect("delivery ok");
        assert_eq!(d.data, b"poison");
        if !counts.is_empty() {
            assert!(d.redelivered, "a requeued message is flagged redelivered");
        }
        counts.push(d.delivery_count);
        d.retry_later().await.expect("nack");
    }
    let want: Vec<u32> = (0..=limit).collect();
    assert_eq!(counts, want, "delivery_count per delivery");

    let dead = get_eventually(&broker, Queue::Dead).await;
    assert_eq!(dead.data, b"poison");
    let death = dead.death.clone().expect("x-first-death headers");
    assert_eq!(death.queue, broker.queue_name(Queue::Crawl));
    assert_eq!(death.reason, "delivery_limit");
    dead.ack().await.expect("ack dead");
    consumer.close().await.expect("close");
    assert_empty_by_sentinel(&broker, &publisher, Queue::Crawl).await;
    teardown(broker).await;
}

/// Classic queues have no `x-delivery-limit`: `admit` counts returns on the message itself.
/// A message is returned by `retry_later` and by a consumer that goes away holding it (a
/// crashed worker); either way it is dead-lettered, with the reason, after `limit` returns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn classic_queue_counts_returns_then_dead_letters() {
    let limit = 3;
    let broker = setup("classic-limit", |c| {
        c.delivery_limit = limit;
        c.queue_type = QueueType::Classic;
    })
    .await;
    let publisher = broker.publisher().await.expect("publisher");
    publisher
        .publish(Queue::Crawl, b"poison")
        .await
        .expect("publish");
    let mut counts = Vec::new();
    let mut returned = 0u32;
    let mut crash = false;
    let how = 'outer: loop {
        let mut consumer = broker
            .consumer(Queue::Crawl, "t-classic")
            .await
            .expect("consumer");
        loop {
            let d = next_within(&mut consumer, WAIT)
                .await
                .expect("a delivery in time")
                .expect("stream open")
                .expect("delivery ok");
            assert_eq!(d.data, b"poison");
            assert!(
                counts.len() + returned as usize <= 2 * limit as usize + 2,
                "never dead-lettered: processed with counts {counts:?}, {returned} returns"
            );
            match d.admit(&publisher, "test").await.expect("admit") {
                Admission::Process(d) => {
                    counts.push(d.delivery_count);
                    // Alternate the two ways a message comes back: a nack, and a consumer
                    // that disappears with it unacked.
                    crash = !crash;
                    if crash {
                        drop(d);
                        consumer.close().await.expect("close");
                        no_consumers_eventually(&broker, Queue::Crawl).await;
                        continue 'outer;
                    }
                    d.retry_later().await.expect("nack");
                }
                Admission::Returned => returned += 1,
                Admission::DeadLettered(how) => {
                    consumer.close().await.expect("close");
                    break 'outer how;
                }
            }
        }
    };
    assert!(matches!(how, DeadLettered::WithReason), "{how:?}");
    let want: Vec<u32> = (0..=limit).collect();
    assert_eq!(counts, want, "delivery_count per processed delivery");
    assert_eq!(
        returned, limit,
        "each return but the last was counted and put back"
    );

    let dead = broker.dead_list(10).await.expect("dead list");
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0].data, b"poison");
    assert_eq!(dead[0].worker.as_deref(), Some("test"));
    assert_eq!(
        dead[0].source_queue.as_deref(),
        Some(broker.queue_name(Queue::Crawl))
    );
    let reason = dead[0].reason.clone().unwrap_or_default();
    assert!(reason.contains("delivery limit"), "{reason}");
    assert_empty_by_sentinel(&broker, &publisher, Queue::Crawl).await;
    teardown(broker).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letter_goes_straight_to_dead_queue() {
    let broker = setup("dead", |_| {}).await;
    let publisher = broker.publisher().await.expect("publisher");
    publisher
        .publish(Queue::Store, b"bad message")
        .await
        .expect("publish");
    let mut consumer = broker
        .consumer(Queue::Store, "t-dead")
        .await
        .expect("consumer");
    let d = next_within(&mut consumer, WAIT)
        .await
        .expect("in time")
        .expect("open")
        .expect("ok");
    d.dead_letter().await.expect("reject");

    let dead = get_eventually(&broker, Queue::Dead).await;
    assert_eq!(dead.data, b"bad message");
    assert_eq!(dead.queue, broker.queue_name(Queue::Dead));
    let death = dead.death.clone().expect("death headers");
    assert_eq!(death.queue, broker.queue_name(Queue::Store));
    assert_eq!(death.reason, "rejected");
    dead.ack().await.expect("ack");
    // Nothing is left behind or redelivered in the source queue: a requeued message would
    // be held by the consumer, then returned ahead of the sentinel when it closes.
    consumer.close().await.expect("close");
    assert_empty_by_sentinel(&broker, &publisher, Queue::Store).await;
    teardown(broker).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_to_missing_queue_is_an_error() {
    let broker = setup("unroutable", |_| {}).await;
    let publisher = broker.publisher().await.expect("publisher");
    broker.delete_topology().await.expect("delete");

    let err = publisher
        .publish(Queue::Crawl, b"x")
        .await
        .expect_err("unroutable");
    assert!(
        matches!(
            err,
            MqError::Unroutable {
                reply_code: 312,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.is_connection_lost(),
        "redeclaring the topology is the fix"
    );

    let err = publisher
        .publish_all(Queue::Crawl, vec![b"a".to_vec(), b"b".to_vec()])
        .await
        .expect_err("unroutable batch");
    assert!(matches!(err, MqError::Unroutable { .. }), "{err:?}");
    // The publisher stays usable once the queue exists again.
    broker.declare_topology().await.expect("redeclare");
    publisher
        .publish(Queue::Crawl, b"y")
        .await
        .expect("publish after redeclare");
    teardown(broker).await;
}

/// Concurrent publishes, half to a missing queue: each must get its own verdict.
/// (On a single shared channel lapin can staple a return onto another publish's confirm.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_publishes_get_their_own_verdicts() {
    let broker = setup("mixed", |_| {}).await;
    broker
        .delete_queue(Queue::Pages)
        .await
        .expect("delete pages");
    let publisher = broker.publisher().await.expect("publisher");
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..200u32 {
        let p = publisher.clone();
        let q = if i % 2 == 0 {
            Queue::Crawl
        } else {
            Queue::Pages
        };
        tasks.spawn(async move { (q, p.publish(q, &i.to_be_bytes()).await) });
    }
    let mut ok = 0;
    while let Some(res) = tasks.join_next().await {
        let (q, res) = res.expect("task");
        match q {
            Queue::Crawl => {
                res.expect("routable publish must succeed");
                ok += 1;
            }
            _ => assert!(matches!(res, Err(MqError::Unroutable { .. })), "{res:?}"),
        }
    }
    assert_eq!(ok, 100);
    ready_eventually(&broker, Queue::Crawl, 100).await;
    teardown(broker).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prefetch_limits_unacked_deliveries() {
    let broker = setup("prefetch", |c| c.prefetch = 2).await;
    let publisher = broker.publisher().await.expect("publisher");
    publisher
        .publish_all(Queue::Pages, (0..5u8).map(|i| vec![i]))
        .await
        .expect("publish_all");
    let mut consumer = broker
        .consumer(Queue::Pages, "t-prefetch")
        .await
        .expect("consumer");
    let first = next_within(&mut consumer, WAIT)
        .await
        .expect("1st")
        .expect("open")
        .expect("ok");
    let second = next_within(&mut consumer, WAIT)
        .await
        .expect("2nd")
        .expect("open")
        .expect("ok");
    // Two taken, three still ready in the queue: the broker is holding the rest back.
    ready_eventually(&broker, Queue::Pages, 3).await;
    first.ack().await.expect("ack");
    let third = next_within(&mut consumer, WAIT)
        .await
        .expect("3rd after ack")
        .expect("open")
        .expect("ok");
    // One ack let exactly one more through.
    ready_eventually(&broker, Queue::Pages, 2).await;
    assert_eq!(third.data, [2]);
    second.ack().await.expect("ack");
    third.ack().await.expect("ack");
    consumer.close().await.expect("close");
    teardown(broker).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_depth_counts_ready_and_consumers() {
    let broker = setup("depth", |_| {}).await;
    let publisher = broker.publisher().await.expect("publisher");
    publisher
        .publish_all(Queue::Store, (0..7u8).map(|i| vec![i]))
        .await
        .expect("publish_all");
    let depth = broker.queue_depth(Queue::Store).await.expect("depth");
    assert_eq!((depth.ready, depth.consumers), (7, 0));
    let consumer = broker
        .consumer(Queue::Crawl, "t-depth")
        .await
        .expect("consumer");
    let depth = broker.queue_depth(Queue::Crawl).await.expect("depth");
    assert_eq!((depth.ready, depth.consumers), (0, 1));
    consumer.close().await.expect("close");
    // A missing queue is NotFound, which the reconnect path (declare) fixes.
    broker.delete_queue(Queue::Pages).await.expect("delete");
    let err = broker.queue_depth(Queue::Pages).await.expect_err("missing");
    assert!(matches!(err, MqError::NotFound(_)), "{err:?}");
    teardown(broker).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_all_delivers_every_message_in_order() {
    let broker = setup("batch", |_| {}).await;
    let publisher = broker.publisher().await.expect("publisher");
    let n = 500u32;
    publisher
        .publish_all(Queue::Crawl, (0..n).map(|i| i.to_be_bytes().to_vec()))
        .await
        .expect("publish_all");
    publisher
        .publish_all(Queue::Crawl, Vec::<Vec<u8>>::new())
        .await
        .expect("empty batch");
    assert_eq!(
        broker.queue_depth(Queue::Crawl).await.expect("depth").ready,
        n
    );
    let mut consumer = broker
        .consumer(Queue::Crawl, "t-batch")
        .await
        .expect("consumer");
    let mut seen = Vec::new();
    while seen.len() < n as usize {
        let d = next_within(&mut consumer, WAIT)
            .await
            .expect("in time")
            .expect("open")
            .expect("ok");
        seen.push(u32::from_be_bytes(
            d.data.as_slice().try_into().expect("4 bytes"),
        ));
        d.ack().await.expect("ack");
    }
    assert_eq!(seen, (0..n).collect::<Vec<_>>());
    consumer.close().await.expect("close");
    teardown(broker).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_drains_buffered_deliveries_then_ends() {
    let broker = setup("cancel", |c| c.prefetch = 3).await;
    let publisher = broker.publisher().await.expect("publisher");
    publisher
        .publish_all(Queue::Pages, (0..6u8).map(|i| vec![i]))
        .await
        .expect("publish_all");
    let mut consumer = broker
        .consumer(Queue::Pages, "t-cancel")
        .await
        .expect("consumer");
    // Let the prefetch window fill before cancelling.
    ready_eventually(&broker, Queue::Pages, 3).await;
    consumer.canceller().cancel().await;
    let mut got = HashSet::new();
    while let Some(next) = next_within(&mut consumer, WAIT)
        .await
        .expect("stream ends in time")
    {
        let d = next.expect("ok");
        got.insert(d.data[0]);
        d.ack()
            .await
            .expect("in-flight deliveries can still be acked after cancel");
    }
    assert_eq!(
        got.len(),
        3,
        "exactly the prefetched deliveries, then the end"
    );
    // The quorum queue reports the cancelled consumer gone a moment later.
    let deadline = tokio::time::Instant::now() + WAIT;
    while broker
        .queue_depth(Queue::Pages)
        .await
        .expect("depth")
        .consumers
        != 0
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "consumer still registered"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    consumer.close().await.expect("close");
    ready_eventually(&broker, Queue::Pages, 3).await;
    teardown(broker).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broker_side_cancel_is_an_error_not_a_clean_end() {
    let broker = setup("brokercancel", |_| {}).await;
    let mut consumer = broker
        .consumer(Queue::Crawl, "t-bc")
        .await
        .expect("consumer");
    broker.delete_queue(Queue::Crawl).await.expect("delete");
    let err = next_within(&mut consumer, WAIT)
        .await
        .expect("in time")
        .expect("an error before the end")
        .expect_err("consumer cancelled by broker");
    assert!(matches!(err, MqError::ConsumerCancelled { .. }), "{err:?}");
    assert!(err.is_connection_lost());
    assert!(
        next_within(&mut consumer, WAIT)
            .await
            .expect("ends")
            .is_none()
    );
    teardown(broker).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ack_on_closed_channel_is_ack_lost_and_message_returns() {
    let broker = setup("acklost", |_| {}).await;
    let publisher = broker.publisher().await.expect("publisher");
    publisher
        .publish(Queue::Store, b"m")
        .await
        .expect("publish");
    let mut consumer = broker
        .consumer(Queue::Store, "t-al")
        .await
        .expect("consumer");
    let d = next_within(&mut consumer, WAIT)
        .await
        .expect("in time")
        .expect("open")
        .expect("ok");
    consumer.close().await.expect("close");
    let err = d.ack().await.expect_err("channel is gone");
    assert!(
        matches!(err, MqError::AckLost | MqError::ChannelClosed(_)),
        "{err:?}"
    );
    assert!(err.is_connection_lost());
    // The broker requeued it, with the failed delivery counted.
    let again = get_eventually(&broker, Queue::Store).await;
    assert_eq!(again.data, b"m");
    assert!(again.redelivered);
    again.ack().await.expect("ack");
    teardown(broker).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_gives_up_only_on_cancel_or_bad_config() {
    let cfg = MqConfig {
        url: "amqp://guest:guest@127.0.0.1:1/%2f".to_owned(),
        ..config("noconn")
    };
    let cancel = CancellationToken::new();
    let c = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(700)).await;
        c.cancel();
    });
    let started = std::time::Instant::now();
    let err = Broker::connect(&cfg, &cancel)
        .await
        .expect_err("nothing listens on port 1");
    assert!(matches!(err, MqError::Cancelled), "{err:?}");
    assert_eq!(err.action(), MqAction::Shutdown);
    assert!(started.elapsed() < Duration::from_secs(5));

    let bad = MqConfig {
        url: "http://not-amqp".to_owned(),
        ..config("badurl")
    };
    let err = Broker::connect(&bad, &CancellationToken::new())
        .await
        .expect_err("bad url");
    assert!(matches!(err, MqError::Config(_)), "{err:?}");
    assert_eq!(err.action(), MqAction::Fatal);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_publisher_refuses() {
    let broker = setup("pubclose", |_| {}).await;
    let publisher = broker.publisher().await.expect("publisher");
    publisher.close().await;
    let err = publisher
        .publish(Queue::Crawl, b"x")
        .await
        .expect_err("closed");
    assert!(matches!(err, MqError::Closed), "{err:?}");
    teardown(broker).await;
}

/// A TCP proxy in front of the broker whose live connections can be cut, to simulate a
/// network failure or broker crash without touching the shared broker.
struct CutProxy {
    port: u16,
    cut: tokio::sync::watch::Sender<u64>,
}

impl CutProxy {
    async fn start(upstream: &str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let (cut, _) = tokio::sync::watch::channel(0u64);
        let cut_tx = cut.clone();
        let upstream = upstream.to_owned();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let mut cut_rx = cut_tx.subscribe();
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    let Ok(mut server) = tokio::net::TcpStream::connect(&upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cut_rx.changed() => {}
                    }
                });
            }
        });
        Self { port, cut }
    }

    fn cut(&self) {
        self.cut.send_modify(|n| *n += 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_loss_surfaces_as_reconnect_and_nothing_is_lost() {
    let direct = setup("cut", |_| {}).await;
    // Point the same URL (credentials, vhost) at the proxy instead of the broker.
    let mut cfg = direct.config().clone();
    let (scheme_user, rest) = cfg.url.rsplit_once('@').expect("AMQP_URL with user@host");
    let (authority, vhost) = rest.split_once('/').unwrap_or((rest, ""));
    let upstream = if authority.contains(':') {
        authority.to_owned()
    } else {
        format!("{authority}:5672")
    };
    let proxy = CutProxy::start(&upstream).await;
    cfg.url = format!("{scheme_user}@127.0.0.1:{}/{vhost}", proxy.port);
    let broker = connect(&cfg).await;
    let publisher = broker.publisher().await.expect("publisher");
    publisher
        .publish(Queue::Pages, b"survivor")
        .await
        .expect("publish");
    let mut consumer = broker
        .consumer(Queue::Pages, "t-cut")
        .await
        .expect("consumer");
    let d = next_within(&mut consumer, WAIT)
        .await
        .expect("in time")
        .expect("open")
        .expect("ok");

    proxy.cut();

    let err = next_within(&mut consumer, WAIT)
        .await
        .expect("consumer notices in time")
        .expect("an error, not a clean end")
        .expect_err("connection gone");
    assert!(err.is_connection_lost(), "{err:?}");
    let err = d.ack().await.expect_err("ack cannot reach the broker");
    assert!(err.is_connection_lost(), "{err:?}");
    let err = publisher
        .publish(Queue::Pages, b"x")
        .await
        .expect_err("publish fails");
    assert!(err.is_connection_lost(), "{err:?}");
    assert!(!broker.is_connected());

    // The outer loop: connect again (the proxy accepts new connections) and carry on.
    let broker = connect(&cfg).await;
    broker.declare_topology().await.expect("declare");
    let mut consumer = broker
        .consumer(Queue::Pages, "t-cut2")
        .await
        .expect("consumer");
    let d = next_within(&mut consumer, WAIT)
        .await
        .expect("redelivered")
        .expect("open")
        .expect("ok");
    assert_eq!(d.data, b"survivor");
    assert!(d.redelivered);
    d.ack().await.expect("ack");
    consumer.close().await.expect("close");
    broker.close().await;
    teardown(direct).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letter_with_reason_then_list_replay_purge() {
    let broker = setup("deadreason", |_| {}).await;
    let publisher = broker.publisher().await.expect("publisher");
    publisher
        .publish(Queue::Store, b"poison-store")
        .await
        .expect("publish");
    publisher
        .publish(Queue::Pages, b"poison-pages")
        .await
        .expect("publish");
    // Straight into the dead queue, with no record of where it came from.
    publisher
        .publish(Queue::Dead, b"orphan")
        .await
        .expect("publish");
    let before_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;

    // The reason travels on a confirmed copy; the original is acked.
    let mut store = broker
        .consumer(Queue::Store, "t-dr-store")
        .await
        .expect("consumer");
    let d = next_within(&mut store, WAIT)
        .await
        .expect("in time")
        .expect("open")
        .expect("ok");
    let reason = "undecodable: expected value at line 1 column 1";
    let outcome = d
        .dead_letter_with_reason(&publisher, "store", reason)
        .await
        .expect("settled");
    assert!(
        matches!(outcome, newspipe_mq::DeadLettered::WithReason),
        "{outcome:?}"
    );

    // When the copy cannot be published, the original is still rejected to the dead queue.
    let mut pages = broker
        .consumer(Queue::Pages, "t-dr-pages")
        .await
        .expect("consumer");
    let d = next_within(&mut pages, WAIT)
        .await
        .expect("in time")
        .expect("open")
        .expect("ok");
    let closed = broker.publisher().await.expect("publisher");
    closed.close().await;
    let outcome = d
        .dead_letter_with_reason(&closed, "parser", "never seen")
        .await
        .expect("settled");
    assert!(
        matches!(
            outcome,
            newspipe_mq::DeadLettered::Rejected(MqError::Closed)
        ),
        "{outcome:?}"
    );
    store.close().await.expect("close");
    pages.close().await.expect("close");
    // Neither original is left in its queue.
    assert_empty_by_sentinel(&broker, &publisher, Queue::Store).await;
    assert_empty_by_sentinel(&broker, &publisher, Queue::Pages).await;

    // list: the rejected one arrives through the dead-letter exchange, asynchronously.
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut listed = loop {
        let l = broker.dead_list(10).await.expect("list");
        if l.len() == 3 {
            break l;
        }
        assert!(tokio::time::Instant::now() < deadline, "dead queue: {l:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    listed.sort_by(|a, b| a.data.cmp(&b.data));
    let after_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let [orphan, from_pages, from_store] = &listed[..] else {
        unreachable!()
    };
    assert_eq!(from_store.data, b"poison-store");
    assert_eq!(from_store.reason.as_deref(), Some(reason));
    assert_eq!(from_store.worker.as_deref(), Some("store"));
    assert_eq!(
        from_store.source_queue.as_deref(),
        Some(broker.queue_name(Queue::Store))
    );
    assert_eq!(from_store.delivery_count, Some(0));
    let at = from_store.dead_at_ms.expect("timestamp");
    assert!(
        (before_ms..=after_ms).contains(&at),
        "{before_ms} <= {at} <= {after_ms}"
    );
    assert_eq!(from_pages.data, b"poison-pages");
    assert_eq!(from_pages.reason.as_deref(), Some("rejected"));
    assert_eq!(from_pages.worker, None);
    assert_eq!(
        from_pages.source_queue.as_deref(),
        Some(broker.queue_name(Queue::Pages))
    );
    assert_eq!(orphan.data, b"orphan");
    assert_eq!(
        (orphan.reason.as_ref(), orphan.source_queue.as_ref()),
        (None, None)
    );

    // Listing is a peek: the same three are there again, and the limit is honoured.
    let mut again = broker.dead_list(10).await.expect("list again");
    again.sort_by(|a, b| a.data.cmp(&b.data));
    assert_eq!(again, listed);
    assert_eq!(broker.dead_list(1).await.expect("list 1").len(), 1);
    ready_eventually(&broker, Queue::Dead, 3).await;

    // replay: each back to its own queue; the orphan stays.
    let report = broker.dead_replay(100).await.expect("replay");
    assert_eq!(
        report,
        newspipe_mq::ReplayReport {
            replayed: 2,
            skipped: 1
        }
    );
    let back = get_eventually(&broker, Queue::Store).await;
    assert_eq!(back.data, b"poison-store");
    back.ack().await.expect("ack");
    let back = get_eventually(&broker, Queue::Pages).await;
    assert_eq!(back.data, b"poison-pages");
    back.ack().await.expect("ack");
    assert_empty_by_sentinel(&broker, &publisher, Queue::Store).await;
    assert_empty_by_sentinel(&broker, &publisher, Queue::Pages).await;
    let left = broker.dead_list(10).await.expect("list");
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0].data, b"orphan");

    // purge
    ready_eventually(&broker, Queue::Dead, 1).await;
    assert_eq!(broker.dead_purge().await.expect("purge"), 1);
    assert!(broker.dead_list(10).await.expect("list").is_empty());
    assert_empty_by_sentinel(&broker, &publisher, Queue::Dead).await;
    teardown(broker).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn durability_travels_with_the_message_and_the_restart_marker_stays_once_placed() {
    let broker = setup("durable", |_| {}).await;
    let publisher = broker.publisher().await.expect("publisher");
    publisher
        .publish(Queue::Pages, b"kept")
        .await
        .expect("publish");
    publisher
        .with_durability(Durability::Transient)
        .publish(Queue::Pages, b"in memory")
        .await
        .expect("publish transient");
    let first = get_eventually(&broker, Queue::Pages).await;
    let second = get_eventually(&broker, Queue::Pages).await;
    assert_eq!(
        (first.data.as_slice(), first.durability()),
        (&b"kept"[..], Durability::Persistent)
    );
    assert_eq!(
        (second.data.as_slice(), second.durability()),
        (&b"in memory"[..], Durability::Transient)
    );
    first.ack().await.expect("ack");
    second.ack().await.expect("ack");

    // A new topology has no marker: whatever was transient may be gone. Once placed it stays
    // (only a broker restart drops it), and placing it again keeps one.
    assert!(!broker.restart_marker_present().await.expect("check"));
    broker.place_restart_marker().await.expect("place");
    broker.place_restart_marker().await.expect("place again");
    assert!(broker.restart_marker_present().await.expect("check"));
    let again = connect(broker.config()).await;
    assert!(
        again.restart_marker_present().await.expect("check"),
        "another connection sees it"
    );
    again.close().await;
    teardown(broker).await;
}
