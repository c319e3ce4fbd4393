//! Server-rendered pages: search, one story with its revisions, a revision diff. No scripts;
//! a small stylesheet that reads on a phone. Every piece of archive text goes through [`esc`].

use std::fmt::Write;

use newspipe_store::{ArticleRecord, Hit, RevisionInfo, SearchPage};

use crate::diff::Chunk;

/// Escapes text for HTML element content and double-quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A URL for an `href`: only http(s) links to elsewhere are kept, so a stored `javascript:` URL
/// cannot run.
fn href(u: &str) -> String {
    if u.starts_with("https://") || u.starts_with("http://") {
        esc(u)
    } else {
        "#".into()
    }
}

fn q(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:0 auto;padding:.75rem;color:#222}
a{color:#0645ad}h1{font-size:1.4rem;line-height:1.25}form{display:flex;flex-wrap:wrap;gap:.4rem}
input{font:inherit;padding:.3rem;min-width:0;flex:1 1 8rem}input[name=q]{flex-basis:100%}
.hit{margin:1rem 0}.meta{color:#555;font-size:.9rem}mark{background:#ff6}
ins{background:#cfc;text-decoration:none}del{background:#fcc}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.25rem;text-align:left;vertical-align:top;font-size:.9rem}
.body p{margin:.6rem 0}.diff{white-space:pre-wrap}";

pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · newspipe</title><style>{STYLE}</style></head><body>\
         <nav><a href=\"/\">newspipe archive</a></nav>{body}</body></html>",
        esc(title)
    )
}

/// The values shown back in the search form.
#[derive(Debug, Default)]
pub struct Form {
    pub q: String,
    pub site: String,
    pub section: String,
    pub lang: String,
    pub author: String,
    pub from: String,
    pub to: String,
}

pub fn search(form: &Form, results: Option<&SearchPage>, error: Option<&str>) -> String {
    let mut b = String::new();
    let field = |name: &str, label: &str, v: &str| {
        format!(
            "<input name=\"{name}\" placeholder=\"{label}\" aria-label=\"{label}\" value=\"{}\">",
            esc(v)
        )
    };
    let _ = write!(
        b,
        "<h1>Search the archive</h1><form action=\"/\" method=\"get\">{}{}{}{}{}{}{}\
         <button type=\"submit\">Search</button></form>",
        field("q", "words, \"a phrase\", -not", &form.q),
        field("site", "site (host)", &form.site),
        field("section", "section", &form.section),
        field("lang", "language (en)", &form.lang),
        field("author", "author", &form.author),
        field("from", "published from (2025-01-31)", &form.from),
        field("to", "published before", &form.to),
    );
    if let Some(e) = error {
        let _ = write!(
            b,
            "<p role=\"alert\"><strong>Cannot search:</strong> {}</p>",
            esc(e)
        );
    }
    if let Some(page) = results {
        if page.hits.is_empty() {
            b.push_str("<p>No article matches.</p>");
        }
        for h in &page.hits {
            b.push_str(&hit(h));
        }
        if let Some(c) = &page.next_cursor {
            let mut link = format!("/?q={}", q(&form.q));
            for (k, v) in [
                ("site", &form.site),
                ("section", &form.section),
                ("lang", &form.lang),
                ("author", &form.author),
                ("from", &form.from),
                ("to", &form.to),
            ] {
                if !v.is_empty() {
                    let _ = write!(link, "&{k}={}", q(v));
                }
            }
            let _ = write!(link, "&cursor={}", q(c));
            let _ = write!(
                b,
                "<p><a rel=\"next\" href=\"{}\">More results</a></p>",
                esc(&link)
            );
        }
    }
    page("Search", &b)
}

fn hit(h: &Hit) -> String {
    let a = &h.article;
    let mut snippet = String::new();
    for s in &h.snippet {
        if s.hit {
            let _ = write!(snippet, "<mark>{}</mark>", esc(&s.text));
        } else {
            snippet.push_str(&esc(&s.text));
        }
    }
    format!(
        "<div class=\"hit\"><a href=\"/articles/{}\">{}</a><div class=\"meta\">{} · {}</div>\
         <div>{snippet}</div></div>",
        a.id,
        esc(a.title.as_deref().unwrap_or("(untitled)")),
        esc(a.site.as_deref().unwrap_or("")),
        a.published_at
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
    )
}

pub fn article(a: &ArticleRecord, revisions: &[RevisionInfo]) -> String {
    let mut b = String::new();
    let title = a.title.as_deref().unwrap_or("(untitled)");
    let _ = write!(b, "<article><h1>{}</h1><table>", esc(title));
    let mut row = |k: &str, v: String| {
        if !v.is_empty() {
            let _ = write!(b, "<tr><th>{k}</th><td>{v}</td></tr>");
        }
    };
    row("Authors", esc(&a.authors.join(", ")));
    row(
        "Published",
        a.published_at.map(|d| d.to_rfc3339()).unwrap_or_default(),
    );
    row(
        "Modified",
        a.modified_at.map(|d| d.to_rfc3339()).unwrap_or_default(),
    );
    row("Site", esc(a.site.as_deref().unwrap_or("")));
    row("Section", esc(a.section.as_deref().unwrap_or("")));
    row("Language", esc(a.language.as_deref().unwrap_or("")));
    row("Tags", esc(&a.tags.join(", ")));
    row("Words", a.word_count.to_string());
    row(
        "URL",
        format!(
            "<a href=\"{}\">{}</a>",
            href(&a.canonical_url),
            esc(&a.canonical_url)
        ),
    );
    row("Fetched", a.fetched_at.to_rfc3339());
    b.push_str("</table>");
    if let Some(d) = &a.description {
        let _ = write!(b, "<p><em>{}</em></p>", esc(d));
    }
    b.push_str("<div class=\"body\">");
    for para in a.body.split("\n\n").filter(|p| !p.trim().is_empty()) {
        let _ = write!(b, "<p>{}</p>", esc(para.trim()));
    }
    b.push_str("</div></article>");
    let _ = write!(
        b,
        "<h2>Revisions ({})</h2><table><tr><th>#</th><th>Fetched</th><th>Title</th><th>Words</th><th></th></tr>",
        revisions.len()
    );
    for r in revisions {
        let mut note = String::new();
        if r.minor {
            note.push_str("minor ");
        }
        if r.reparse {
            note.push_str("re-parse ");
        }
        let diff = if r.number > 1 {
            format!(
                "<a href=\"/articles/{}/diff?from={}&amp;to={}\">diff</a>",
                a.id,
                r.number - 1,
                r.number
            )
        } else {
            String::new()
        };
        let _ = write!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{diff} {}</td></tr>",
            r.number,
            r.fetched_at.format("%Y-%m-%d %H:%M:%S UTC"),
            esc(r.title.as_deref().unwrap_or("")),
            r.word_count,
            note.trim_end()
        );
    }
    b.push_str("</table>");
    page(title, &b)
}

/// A changed field: name, old value, new value (as display text).
pub type FieldChange = (String, String, String);

pub fn diff(
    a: &ArticleRecord,
    from: &RevisionInfo,
    to: &RevisionInfo,
    fields: &[FieldChange],
    chunks: &[Chunk],
) -> String {
    let mut b = String::new();
    let title = a.title.as_deref().unwrap_or("(untitled)");
    let _ = write!(
        b,
        "<h1>Changes to <a href=\"/articles/{}\">{}</a></h1>\
         <p class=\"meta\">Revision {} ({}) → revision {} ({})</p>",
        a.id,
        esc(title),
        from.number,
        from.fetched_at.format("%Y-%m-%d %H:%M UTC"),
        to.number,
        to.fetched_at.format("%Y-%m-%d %H:%M UTC"),
    );
    if fields.is_empty() {
        b.push_str("<p>No field other than the body changed.</p>");
    } else {
        b.push_str("<table><tr><th>Field</th><th>Before</th><th>After</th></tr>");
        for (k, old, new) in fields {
            let _ = write!(
                b,
                "<tr><td>{}</td><td><del>{}</del></td><td><ins>{}</ins></td></tr>",
                esc(k),
                esc(old),
                esc(new)
            );
        }
        b.push_str("</table>");
    }
    let (ins, del) = chunks.iter().fold((0, 0), |(i, d), c| match c {
        Chunk::Insert(t) => (i + t.split_whitespace().count(), d),
        Chunk::Delete(t) => (i, d + t.split_whitespace().count()),
        Chunk::Equal(_) => (i, d),
    });
    let _ = write!(
        b,
        "<h2>Body</h2><p class=\"meta\">{ins} word(s) inserted, {del} deleted</p><div class=\"diff\">"
    );
    for c in chunks {
        match c {
            Chunk::Equal(t) => b.push_str(&esc(t)),
            Chunk::Insert(t) => {
                let _ = write!(b, "<ins>{}</ins>", esc(t));
            }
            Chunk::Delete(t) => {
                let _ = write!(b, "<del>{}</del>", esc(t));
            }
        }
    }
    b.push_str("</div>");
    page(&format!("Changes to {title}"), &b)
}

/// An error page for browsers.
pub fn error(status: u16, detail: &str) -> String {
    page(
        "Error",
        &format!("<h1>Error {status}</h1><p>{}</p>", esc(detail)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_script_urls() {
        assert_eq!(esc("<script>\"&'"), "&lt;script&gt;&quot;&amp;&#39;");
        assert_eq!(href("javascript:alert(1)"), "#");
        assert_eq!(
            href("https://a.example/?x=\"y\""),
            "https://a.example/?x=&quot;y&quot;"
        );
    }
}
