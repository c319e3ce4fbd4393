//! Prints what `newspipe_discover::parse` makes of a file: `cargo run -p newspipe-discover
//! --example discover_dump -- FILE [BASE_URL] [CONTENT_TYPE]`.

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: dump FILE [BASE_URL] [CONTENT_TYPE]");
        std::process::exit(2);
    };
    let base = args
        .next()
        .unwrap_or_else(|| "https://news.example/feed.xml".into());
    let ct = args.next();
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let base = url::Url::parse(&base).expect("BASE_URL must be an absolute URL");
    println!(
        "sniff: {:?}",
        newspipe_discover::sniff(&bytes, ct.as_deref())
    );
    match newspipe_discover::parse(&bytes, &base, ct.as_deref(), &Default::default()) {
        Ok(d) => {
            println!(
                "kind: {:?}, {} entries, {} skipped, truncated: {:?}",
                d.kind,
                d.entries.len(),
                d.skipped,
                d.truncated
            );
            for w in &d.warnings {
                println!("warning: {w}");
            }
            for e in &d.entries {
                println!("{e:?}");
            }
        }
        Err(e) => println!("error ({}): {e}", e.code()),
    }
}
