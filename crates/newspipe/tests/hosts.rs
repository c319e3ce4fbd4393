//! Hosts do not wait for each other: a host with a long queue beside a small host, crawled by the
//! real workers, and the small host's requests come on its own schedule.

mod common;

use std::{collections::BTreeMap, time::Duration};

use common::{Env, TestDb, Workers, cleanup, site::Server, unique};

/// Short enough that one horizon (5 s) books far more of the big host's jobs than a crawler's
/// default prefetch (32) could hold.
const INTERVAL_MS: u64 = 20;
const BIG: usize = 1500;
const SMALL: usize = 30;

fn pages(prefix: &str, n: usize) -> BTreeMap<String, String> {
    (0..n)
        .map(|i| {
            (
                format!("/{prefix}/{i}"),
                format!("<html><head><title>{prefix} {i}</title></head><body><p>page {i}</p></body></html>"),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_big_host_does_not_starve_a_small_one() {
    let db = TestDb::create("starve").await;
    let big = Server::start("127.0.0.2", pages("big", BIG)).await;
    let small = Server::start("127.0.0.3", pages("small", SMALL)).await;
    let prefix = unique("starve");
    let mut env = Env::new(&db, &prefix, INTERVAL_MS);
    env.set("NEWSPIPE__FRONTIER__MAX_DEPTH", "0");
    let mut w = Workers::new();
    for role in ["store", "parser", "crawler"] {
        w.start(&env, role);
    }
    // The big host's queue first, then the small host's.
    let mut list: Vec<String> = (0..BIG).map(|i| big.url(&format!("/big/{i}"))).collect();
    list.extend((0..SMALL).map(|i| small.url(&format!("/small/{i}"))));
    let file = std::env::temp_dir().join(format!("{prefix}.txt"));
    std::fs::write(&file, list.join("\n")).unwrap();
    let out = env.run(&["enqueue", "--file", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let small_pages = |s: &Server| {
        s.hits()
            .iter()
            .filter(|h| h.path.starts_with("/small/"))
            .count()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while small_pages(&small) < SMALL {
        w.assert_alive();
        assert!(
            std::time::Instant::now() < deadline,
            "small host: {} of {SMALL} pages after 120 s; big host {} requests\n{}",
            small_pages(&small),
            big.hits().len(),
            w.logs()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let big_done = big.hits().len();
    // Jobs did not wait behind another host's jobs until their slot had passed. A loaded
    // machine can make a few late on its own; queued behind the big host every small-host job
    // misses its slot at least once.
    let handbacks = w.log_count("missed host slot");
    assert!(
        handbacks < SMALL / 3,
        "{handbacks} jobs handed back for a missed slot"
    );
    // At 20 ms (slots 70 ms apart) the big host needs ~105 s; the small one ~2 s on its own.
    // Its pages came while the big host was still far from done...
    assert!(
        big_done < BIG / 2,
        "the small host finished only after {big_done} of {BIG} big-host requests"
    );
    // ...at its own pace: no long stall between two of its requests.
    let mut ts: Vec<u64> = small.hits().iter().map(|h| h.at_ms).collect();
    ts.sort_unstable();
    let worst = ts.windows(2).map(|p| p[1] - p[0]).max().unwrap();
    assert!(
        worst < 2_000,
        "the small host waited {worst} ms between two requests"
    );
    for s in [&big, &small] {
        assert!(
            s.min_gap_ms() + 2 >= INTERVAL_MS,
            "each host keeps its interval"
        );
    }
    for (name, code) in w.terminate_all() {
        assert_eq!(code, Some(0), "{name} exited with {code:?}");
    }
    let _ = std::fs::remove_file(file);
    cleanup(db, &prefix).await;
}

/// A per-host interval of a few milliseconds is shorter than a job takes to reach a crawler; the
/// schedule still gives every job time to start (no job handed back forever), and the interval
/// still holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tiny_interval_does_not_livelock() {
    let db = TestDb::create("tiny").await;
    let server = Server::start("127.0.0.5", pages("t", SMALL)).await;
    let prefix = unique("tiny");
    let mut env = Env::new(&db, &prefix, 2);
    env.set("NEWSPIPE__FRONTIER__MAX_DEPTH", "0");
    let mut w = Workers::new();
    for role in ["store", "parser", "crawler", "crawler"] {
        w.start(&env, role);
    }
    let list: Vec<String> = (0..SMALL).map(|i| server.url(&format!("/t/{i}"))).collect();
    env.enqueue(&list);
    db.wait_drained(Duration::from_secs(60), &mut w).await;
    let fetched = server
        .hits()
        .iter()
        .filter(|h| h.path.starts_with("/t/"))
        .count();
    assert_eq!(fetched, SMALL);
    assert!(server.min_gap_ms() + 1 >= 2, "interval kept");
    let handbacks = w.log_count("missed host slot");
    assert!(
        handbacks < SMALL,
        "{handbacks} hand-backs for {SMALL} pages"
    );
    for (name, code) in w.terminate_all() {
        assert_eq!(code, Some(0), "{name} exited with {code:?}");
    }
    cleanup(db, &prefix).await;
}
