//! The web pages as a browser shows them: Debian's headless Chromium loads `/`, a search, a
//! story page and its diff page from a server this test starts, and the rendered text is
//! checked (`chromium --headless --dump-dom`).

mod common;

use std::process::Command;

use common::*;

fn chromium() -> &'static str {
    for c in ["chromium", "chromium-browser"] {
        if Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return c;
        }
    }
    panic!("headless Chromium is needed: apt-get install -y chromium (tests/run.sh does it)");
}

/// The DOM after load, as Chromium serialises it.
async fn dump_dom(url: String) -> String {
    let bin = chromium();
    let dir = std::env::temp_dir().join(format!("np-chromium-{:x}", rand::random::<u64>()));
    let out = tokio::process::Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--virtual-time-budget=2000",
            &format!("--user-data-dir={}", dir.display()),
            "--dump-dom",
            &url,
        ])
        .output()
        .await
        .expect("run chromium");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "chromium failed on {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Text content of the DOM, tags dropped and entities of the escaped characters decoded.
fn text(dom: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in dom.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_render_in_chromium() {
    let f = fixture().await;
    let base = serve(api_store(&f.db)).await;

    let home = dump_dom(format!("{base}/")).await;
    assert!(text(&home).contains("Search the archive"), "{home}");
    assert!(home.contains("name=\"viewport\""), "readable on a phone");

    let dom = dump_dom(format!("{base}/?q=storm&site=news.example.org")).await;
    let t = text(&dom);
    assert!(t.contains("Storm leaves the coast"), "{t}");
    assert!(t.contains("Harbour reopens"), "{t}");
    assert!(
        !t.contains("Match played despite storm"),
        "site filter: {t}"
    );
    assert!(
        dom.contains("<mark>storm</mark>") || dom.contains("<mark>Storm</mark>"),
        "{dom}"
    );

    let dom = dump_dom(format!("{base}/articles/{}", f.storm)).await;
    let t = text(&dom);
    assert!(t.contains("Storm leaves the coast"), "{t}");
    assert!(t.contains("Authors Ana Núñez"), "{t}");
    assert!(t.contains("left on Sunday"), "{t}");
    assert!(t.contains("Revisions (2)"), "{t}");
    // The first revision's title has markup characters: shown as text, not parsed as a tag.
    assert!(t.contains("Storm reaches the <coast> & harbour"), "{t}");
    assert!(!dom.contains("<coast>"), "escaped: {dom}");

    let dom = dump_dom(format!("{base}/articles/{}/diff?from=1&to=2", f.storm)).await;
    let t = text(&dom);
    assert!(t.contains("Revision 1"), "{t}");
    // "night." became "night and left on Sunday.": four words in, none out (newspipe-diff
    // keeps "night" and "." as they were).
    assert!(t.contains("4 word(s) inserted, 0 deleted"), "{t}");
    assert!(dom.contains("<ins>and left on Sunday</ins>"), "{dom}");
    // The only deletion shown is the old title in the field table.
    assert_eq!(dom.matches("<del>").count(), 1, "{dom}");
    assert!(
        dom.contains("<del>Storm reaches the &lt;coast&gt; &amp; harbour</del>"),
        "{dom}"
    );

    let dom = dump_dom(format!("{base}/articles/abc")).await;
    assert!(
        text(&dom).contains("article id must be a positive whole number"),
        "{dom}"
    );
    f.db.finish().await;
}
