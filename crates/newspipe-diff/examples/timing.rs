//! Times `newspipe_diff::diff` on generated 10k- and 100k-word bodies and prints peak memory:
//! `cargo run --release -p newspipe-diff --example timing [-- WORDS CASE]`.
//!
//! Cases: `scattered` (20 one-word edits and one insertion), `dense` (every 10th word
//! replaced), `rewrite` (an unrelated body of the same length), `repetitive` (two random
//! sequences of two words: Myers' worst case, where the heuristic cost bound and the deadline
//! matter). Peak RSS is the process's high-water mark,
//! so run one case per process to read it for that case alone.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use newspipe_diff::{Revision, diff};

fn make(words: usize, case: &str) -> (String, String) {
    let old = common::body_words(words, 1);
    let new: Vec<String> = match case {
        "scattered" => {
            let mut new = old.clone();
            for i in (words / 40..words).step_by((words / 20).max(1)) {
                new[i] = "zebra ".into();
            }
            new.insert(words / 2, "a few inserted words ".into());
            new
        }
        "dense" => old
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if i % 10 == 5 {
                    "zebra ".into()
                } else {
                    w.clone()
                }
            })
            .collect(),
        "rewrite" => common::body_words(words, 2),
        "repetitive" => {
            // Few distinct tokens: Myers' many equal-cost paths, the classic slow input.
            let rep = |seed: u64| {
                let mut rng = common::Rng::new(seed);
                (0..words)
                    .map(|_| if rng.below(2) == 0 { "la " } else { "da " }.to_owned())
                    .collect::<Vec<_>>()
            };
            return (rep(1).concat(), rep(2).concat());
        }
        other => panic!("unknown case {other:?}: scattered, dense, rewrite or repetitive"),
    };
    (old.concat(), new.concat())
}

/// `VmHWM` (peak) or `VmRSS` (now) of this process, in MiB (Linux only).
fn rss_mib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn run(words: usize, case: &str) {
    let (old, new) = make(words, case);
    let (a, b) = (
        Revision {
            body: &old,
            ..Revision::default()
        },
        Revision {
            body: &new,
            ..Revision::default()
        },
    );
    let before = rss_mib("VmRSS:").unwrap_or(0.0);
    let start = Instant::now();
    let d = diff(&a, &b);
    let took = start.elapsed();
    println!(
        "{words:>7} words  {case:<10}  {:>7.1} ms  {:?}  +{} -{} words  {} ops  body {:.1} MiB  RSS before diff {before:.1} MiB",
        took.as_secs_f64() * 1e3,
        d.granularity,
        d.words_added,
        d.words_removed,
        d.body.len(),
        old.len() as f64 / (1024.0 * 1024.0),
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [words, case] = args.as_slice() {
        run(words.parse().expect("WORDS is a number"), case);
    } else {
        for words in [10_000, 100_000] {
            for case in ["scattered", "dense", "rewrite", "repetitive"] {
                run(words, case);
            }
        }
    }
    if let Some(mib) = rss_mib("VmHWM:") {
        println!("peak RSS {mib:.1} MiB");
    }
}
