//! The single streaming pass: reads head metadata, JSON-LD and links, drops what the story never
//! needs (scripts, styles, SVG, comments, hidden nodes, navigation) and builds the small [`Dom`]
//! the walk reads. No html5ever: at ~150 MB/s it alone would hold extraction under 1,000
//! pages/s; our [`tokenizer`](crate::tokenizer) plus a stack with HTML's implied-end rules
//! (`<p>`, `<li>`, cells) gives the tree shape the walk needs at a fraction of the cost.

use crate::dom::{Dom, Kind};
use crate::entities;
use crate::tokenizer::{self, Attr, Sink};

/// What the pass learned, plus the DOM for the walk.
#[derive(Debug, Default)]
pub struct Prepass {
    pub dom: Dom,
    /// `(key, content)` of every `<meta>` with name/property/itemprop/http-equiv, keys lowercased.
    pub metas: Vec<(String, String)>,
    pub jsonld: Vec<String>,
    pub title: String,
    pub lang: Option<String>,
    pub canonical: Option<String>,
    /// `<time>` elements inside dropped subtrees (a WordPress `entry-footer`, an `aside`): the
    /// story's date is sometimes only there.
    pub dropped_times: Vec<crate::walk::TimeEl>,
    /// Text of `rel=author` links and `itemprop=author` elements inside dropped subtrees (a
    /// post's `<footer>` "Posted by", an `<aside>` meta column): the only byline some pages
    /// give.
    pub dropped_authors: Vec<String>,
    /// Raw text from a copyright mark on ("© 2019 Ann Lee. All rights reserved"), kept or
    /// dropped: a personal site's owner is often named only there.
    pub copyrights: Vec<String>,
    /// Raw `href`s of `<link rel="alternate">` with a feed type, in page order.
    pub feeds: Vec<String>,
    /// Raw `href` values of `<a>`/`<area>`, in page order.
    pub hrefs: Vec<String>,
}

/// Attributes the walk reads; the rest (href, srcset, data-*, style…) are never stored.
const KEEP_ATTRS: &[&str] = &[
    "class",
    "id",
    "role",
    "itemprop",
    "datetime",
    "content",
    "rel",
    "aria-label",
    "src",
    "data-src",
    "pubdate",
];

/// Elements whose whole subtree carries no article text. `nav`, `aside` and `footer` are
/// furniture; a breadcrumb `nav` survives for the section.
fn dropped_tag(tag: &str) -> bool {
    matches!(
        tag,
        "script"
            | "style"
            | "noscript"
            | "iframe"
            | "template"
            | "svg"
            | "math"
            | "object"
            | "embed"
            | "canvas"
            | "video"
            | "audio"
            | "select"
            | "button"
            | "input"
            | "textarea"
            | "map"
            | "dialog"
            | "footer"
            | "aside"
            | "title"
            | "head"
            | "option"
            | "datalist"
    )
}

/// How far down the open-element stack a tag looks for its match; real pages nest far less.
const MAX_SCAN: usize = 512;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Capture {
    None,
    LdJson,
    Title,
    /// Text of a `<time>` without `datetime` inside a dropped subtree.
    TimeText,
    /// Markup of a `<script type="text/template">` that a story body (`itemprop="articleBody"`)
    /// holds: a blog platform's post, parsed as the body's own markup.
    Template,
}

struct Open {
    tag: String,
    node: u32,
    dropped: bool,
    capture: Capture,
}

#[derive(Default)]
struct State {
    out: Prepass,
    stack: Vec<Open>,
    dropped: usize,
    pending: String,
    ld_buf: String,
    time_buf: String,
    /// Stack index of the dropped author element whose text is being read into `author_buf`.
    author_at: Option<usize>,
    author_buf: String,
    /// Keep `nav`, `aside`, `footer` and hidden subtrees (the second pass for pages whose story
    /// sits in unclosed or mislabelled boilerplate).
    lenient: bool,
    /// Inside a [`Capture::Template`]'s markup: its text is text, not more markup.
    in_template: bool,
}

impl State {
    fn parent(&self) -> u32 {
        self.stack
            .iter()
            .rev()
            .find(|o| !o.dropped)
            .map_or(0, |o| o.node)
    }

    fn truncate(&mut self, len: usize) {
        while self.stack.len() > len {
            if let Some(o) = self.stack.pop()
                && o.dropped
            {
                self.dropped -= 1;
            }
            if self.author_at == Some(self.stack.len()) {
                self.author_at = None;
                let t =
                    crate::walk::collapse(&entities::decode(&std::mem::take(&mut self.author_buf)));
                if !t.is_empty() && self.out.dropped_authors.len() < 8 {
                    self.out.dropped_authors.push(t);
                }
            }
        }
    }

    /// Index of the nearest open `tag` above any of `bounds`.
    fn find_in_scope(&self, tags: &[&str], bounds: &[&str]) -> Option<usize> {
        // Bounded: on pathological nesting an unbounded scan per tag is quadratic.
        for (i, o) in self.stack.iter().enumerate().rev().take(MAX_SCAN) {
            if tags.contains(&o.tag.as_str()) {
                return Some(i);
            }
            if bounds.contains(&o.tag.as_str()) {
                return None;
            }
        }
        None
    }

    /// HTML's implied end tags: a new block closes an open `<p>`, a new `<li>` the previous
    /// one, and so on. Without these, sloppy markup nests every paragraph in the last.
    fn close_implied(&mut self, tag: &str) {
        // Body content (or `<body>`) ends a `<head>` that was never closed, as browsers do;
        // otherwise a page without `</head>` would lose its whole text with the head.
        if !matches!(
            tag,
            "meta" | "link" | "title" | "script" | "style" | "base" | "noscript" | "template"
        ) && let Some(i) = self.stack.iter().take(3).position(|o| o.tag == "head")
        {
            self.truncate(i);
        }
        const SCOPE: &[&str] = &[
            "html", "table", "td", "th", "caption", "template", "button", "object", "marquee",
            "applet",
        ];
        let closes_p = matches!(
            tag,
            "address"
                | "article"
                | "aside"
                | "blockquote"
                | "details"
                | "dialog"
                | "div"
                | "dl"
                | "fieldset"
                | "figcaption"
                | "figure"
                | "footer"
                | "form"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "header"
                | "hgroup"
                | "hr"
                | "main"
                | "menu"
                | "nav"
                | "ol"
                | "p"
                | "pre"
                | "section"
                | "table"
                | "ul"
                | "li"
                | "dd"
                | "dt"
        );
        if closes_p && let Some(i) = self.find_in_scope(&["p"], SCOPE) {
            self.truncate(i);
        }
        let found = match tag {
            "li" => self.find_in_scope(&["li"], &["ul", "ol", "html", "table", "td", "th"]),
            "dt" | "dd" => self.find_in_scope(&["dt", "dd"], &["dl", "html", "table", "td", "th"]),
            "tr" => self.find_in_scope(&["tr"], &["table", "html"]),
            "td" | "th" => self.find_in_scope(&["td", "th"], &["tr", "table", "html"]),
            "tbody" | "thead" | "tfoot" => {
                self.find_in_scope(&["tbody", "thead", "tfoot"], &["table", "html"])
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let n = self.stack.len();
                (n > 0
                    && matches!(
                        self.stack[n - 1].tag.as_str(),
                        "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
                    ))
                .then(|| n - 1)
            }
            "a" => self.find_in_scope(&["a"], SCOPE),
            _ => None,
        };
        if let Some(i) = found {
            self.truncate(i);
        }
    }

    fn flush_text(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let raw = std::mem::take(&mut self.pending);
        let parent = self.parent();
        self.out.dom.append_text(parent, &entities::decode(&raw));
    }
}

/// The attributes of one start tag that any rule reads.
#[derive(Default)]
struct TagAttrs {
    kept: Vec<(&'static str, String)>,
    href: Option<String>,
    /// Every key a `<meta>` carries (property, name, each itemprop token, http-equiv): pages
    /// often put `property="article:published"` and `itemprop="datePublished"` on one tag.
    meta_keys: Vec<String>,
    lang: Option<String>,
    ty: Option<String>,
    hidden: bool,
}

fn gather(attrs: &[Attr<'_>], tag: &str) -> TagAttrs {
    let mut t = TagAttrs::default();
    let is_meta = tag == "meta";
    for &(name, value) in attrs {
        let is = |k: &str| name.eq_ignore_ascii_case(k);
        if is("hidden") {
            t.hidden = true;
        } else if is("aria-hidden") {
            t.hidden |= value.eq_ignore_ascii_case("true");
        } else if is("style") {
            t.hidden |= value.contains("display:none") || value.contains("display: none");
        } else if is("href") && matches!(tag, "a" | "area" | "link") {
            t.href = Some(entities::decode(value).into_owned());
        } else if is("lang") && tag == "html" {
            t.lang = Some(value.to_string());
        } else if is("type") && matches!(tag, "script" | "link") {
            t.ty = Some(value.to_string());
        } else if is_meta && (is("property") || is("name") || is("http-equiv")) {
            if t.meta_keys.len() < 8 {
                t.meta_keys.push(value.trim().to_ascii_lowercase());
            }
        } else if is_meta && is("itemprop") {
            for v in value.split_ascii_whitespace().take(4) {
                t.meta_keys.push(v.to_ascii_lowercase());
            }
        }
        if let Some(k) = KEEP_ATTRS.iter().find(|k| name.eq_ignore_ascii_case(k))
            && t.kept.len() < 16
            && !t.kept.iter().any(|(n, _)| n == k)
        {
            t.kept.push((k, entities::decode(value).into_owned()));
        }
    }
    t
}

impl TagAttrs {
    fn get(&self, k: &str) -> Option<&str> {
        self.kept
            .iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.as_str())
    }
}

/// A link to an author's page: `/author/jane-doe/`, `/autor/…`, `/writers/…`, `/staff/…`.
fn author_path(href: &str) -> bool {
    let l = href.to_ascii_lowercase();
    [
        "/author/",
        "/authors/",
        "/autor/",
        "/autoren/",
        "/auteur/",
        "/autore/",
        "/writers/",
        "/writer/",
        "/staff/",
        "/journalist/",
        "/journalists/",
        "/redakteur/",
        "/reporter/",
        "/people/",
        "/profile/",
        "/creator/",
        "/mitarbeiter/",
    ]
    .iter()
    .any(|p| l.contains(p))
}

/// MIME types of RSS, Atom and JSON Feed, as `<link rel="alternate" type>` announces them.
fn feed_type(t: &str) -> bool {
    let t = t.split(';').next().unwrap_or("").trim();
    [
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
        "application/json",
    ]
    .iter()
    .any(|k| t.eq_ignore_ascii_case(k))
}

/// Elements that never hold content or an end tag.
fn void(tag: &str) -> bool {
    matches!(
        tag,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
            | "param"
            | "keygen"
            | "basefont"
            | "bgsound"
            | "frame"
    )
}

impl Sink for State {
    fn start(&mut self, tag: &str, attrs: &[Attr<'_>], self_closing: bool) {
        self.flush_text();
        self.close_implied(tag);
        let mut capture = Capture::None;
        let mut drop = self.dropped > 0
            || (dropped_tag(tag) && !(self.lenient && matches!(tag, "footer" | "aside")));
        let mut ta = gather(attrs, tag);
        if tag == "a" && ta.href.as_deref().is_some_and(author_path) && ta.kept.len() < 16 {
            ta.kept.push(("data-author-link", String::new()));
        }
        match tag {
            "meta" => {
                if let Some(c) = ta.get("content") {
                    for k in &ta.meta_keys {
                        if self.out.metas.len() < 2000 && !k.is_empty() {
                            self.out.metas.push((k.clone(), c.to_string()));
                        }
                    }
                }
                return;
            }
            "link" => {
                let canon = ta.get("rel").is_some_and(|rel| {
                    rel.split_ascii_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("canonical"))
                });
                let alternate = ta.get("rel").is_some_and(|rel| {
                    rel.split_ascii_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("alternate"))
                });
                if alternate
                    && ta.ty.as_deref().is_some_and(feed_type)
                    && self.out.feeds.len() < 32
                    && let Some(h) = &ta.href
                {
                    self.out.feeds.push(h.clone());
                }
                if self.out.canonical.is_none() && canon {
                    self.out.canonical = ta.href;
                }
                return;
            }
            "a" | "area" => {
                if let Some(h) = &ta.href
                    && self.out.hrefs.len() < 20_000
                {
                    self.out.hrefs.push(h.clone());
                }
            }
            "html" if self.out.lang.is_none() => self.out.lang.clone_from(&ta.lang),
            "nav" => {
                let crumb = |a: &str| {
                    ta.get(a)
                        .is_some_and(|v| v.to_ascii_lowercase().contains("breadcrumb"))
                };
                if !crumb("class") && !crumb("aria-label") && !self.lenient {
                    drop = true;
                }
            }
            "script"
                if ta
                    .ty
                    .as_deref()
                    .is_some_and(|t| t.to_ascii_lowercase().contains("ld+json")) =>
            {
                capture = Capture::LdJson;
            }
            "script"
                if self.dropped == 0
                    && ta
                        .ty
                        .as_deref()
                        .is_some_and(|t| t.eq_ignore_ascii_case("text/template"))
                    && self.stack.last().is_some_and(|o| {
                        self.out
                            .dom
                            .attr(o.node, "itemprop")
                            .is_some_and(|i| i.eq_ignore_ascii_case("articleBody"))
                    }) =>
            {
                // Not a node of its own: the markup it holds joins the body it stands in.
                let node = self.parent();
                self.stack.push(Open {
                    tag: tag.to_string(),
                    node,
                    dropped: false,
                    capture: Capture::Template,
                });
                return;
            }
            "title" => capture = Capture::Title,
            "time" if self.dropped > 0 && self.out.dropped_times.len() < 16 => {
                let dt = ta.get("datetime").filter(|d| !d.trim().is_empty());
                let t = crate::walk::TimeEl {
                    furniture: true,
                    ..crate::walk::TimeEl::new(
                        dt.unwrap_or("").to_string(),
                        dt.is_none(),
                        ta.get("class").unwrap_or(""),
                        ta.get("itemprop").unwrap_or(""),
                        ta.get("pubdate").is_some(),
                    )
                };
                if dt.is_none() {
                    capture = Capture::TimeText;
                    self.time_buf.clear();
                }
                self.out.dropped_times.push(t);
            }
            _ => {}
        }
        drop |= ta.hidden && !self.lenient;
        let author_el = drop
            && self.author_at.is_none()
            && (ta.get("rel").is_some_and(|r| {
                tag == "a"
                    && r.split_ascii_whitespace()
                        .any(|x| x.eq_ignore_ascii_case("author"))
            }) || ta
                .get("itemprop")
                .is_some_and(|i| i.eq_ignore_ascii_case("author")));
        let node = if drop || self.out.dom.nodes.len() >= 4_000_000 {
            drop = true;
            0
        } else {
            let parent = self.parent();
            self.out.dom.append(
                parent,
                Kind::Element {
                    name: tag.to_string(),
                    attrs: ta.kept,
                },
            )
        };
        // Raw-text elements always get their end token from the tokenizer; other self-closing
        // tags open nothing (XHTML-style `<div/>` means empty).
        if void(tag) || (self_closing && !tokenizer::raw_text(tag)) {
            return;
        }
        if drop {
            self.dropped += 1;
        }
        if self.stack.len() < 100_000 {
            if author_el {
                self.author_at = Some(self.stack.len());
                self.author_buf.clear();
            }
            self.stack.push(Open {
                tag: tag.to_string(),
                node,
                dropped: drop,
                capture,
            });
        } else if drop {
            self.dropped -= 1;
        }
    }

    fn end(&mut self, tag: &str) {
        self.flush_text();
        if let Some(o) = self.stack.last()
            && o.capture == Capture::LdJson
            && o.tag == tag
        {
            let b = std::mem::take(&mut self.ld_buf);
            if self.out.jsonld.len() < 64 {
                self.out.jsonld.push(b);
            }
        }
        if let Some(o) = self.stack.last()
            && o.capture == Capture::TimeText
            && o.tag == tag
            && let Some(t) = self.out.dropped_times.last_mut()
        {
            t.value = crate::walk::collapse(&entities::decode(&std::mem::take(&mut self.time_buf)));
        }
        // Pop to the nearest open element of that name; a stray end tag changes nothing.
        let n = self.stack.len();
        if let Some(back) = self
            .stack
            .iter()
            .rev()
            .take(MAX_SCAN)
            .position(|o| o.tag == tag)
        {
            self.truncate(n - 1 - back);
        }
    }

    fn text(&mut self, raw: &str) {
        let capture = self.stack.last().map_or(Capture::None, |o| o.capture);
        match capture {
            Capture::Template if !self.in_template => {
                self.in_template = true;
                tokenizer::tokenize(raw, self);
                self.flush_text();
                self.in_template = false;
            }
            Capture::LdJson => {
                if self.ld_buf.len() < 2_000_000 {
                    self.ld_buf.push_str(raw);
                }
            }
            Capture::Title => {
                if self.out.title.len() < 2000 {
                    self.out.title.push_str(raw);
                }
            }
            Capture::TimeText => {
                if self.time_buf.len() < 200 {
                    self.time_buf.push_str(raw);
                }
            }
            Capture::None | Capture::Template => {
                // Notices are short, and never in scripts or styles: long texts are not read.
                if self.out.copyrights.len() < 4
                    && raw.len() < 400
                    && !self.stack.last().is_some_and(|o| {
                        matches!(o.tag.as_str(), "script" | "style" | "noscript" | "template")
                    })
                    && let Some(i) = copyright_mark(raw)
                {
                    let mut end = (i + 160).min(raw.len());
                    while !raw.is_char_boundary(end) {
                        end -= 1;
                    }
                    self.out.copyrights.push(raw[i..end].to_string());
                }
                if self.dropped == 0 {
                    self.pending.push_str(raw);
                } else if self.author_at.is_some() && self.author_buf.len() < 200 {
                    self.author_buf.push_str(raw);
                }
            }
        }
    }
}

/// Where a copyright notice opens in raw text: "©", "&copy;", "&#169;", "(c)" or "Copyright".
fn copyright_mark(raw: &str) -> Option<usize> {
    // One pass for the three signs, one for the word in either case: this runs on every text.
    let b = raw.as_bytes();
    let sign = memchr::memchr3_iter(0xa9, b'&', b'(', b)
        .find(|&i| match b[i] {
            0xa9 => i > 0 && b[i - 1] == 0xc2,
            b'&' => b[i..].starts_with(b"&copy;") || b[i..].starts_with(b"&#169;"),
            _ => b[i..].starts_with(b"(c)") || b[i..].starts_with(b"(C)"),
        })
        .map(|i| if b[i] == 0xa9 { i - 1 } else { i });
    // Built once: a finder built per call costs more than the search on a short text.
    static WORD: std::sync::LazyLock<[memchr::memmem::Finder<'static>; 2]> =
        std::sync::LazyLock::new(|| {
            [
                memchr::memmem::Finder::new(b"opyright"),
                memchr::memmem::Finder::new(b"OPYRIGHT"),
            ]
        });
    let word = WORD[0]
        .find(b)
        .or_else(|| WORD[1].find(b))
        .filter(|&i| i > 0)
        .map(|i| i - 1);
    match (sign, word) {
        (Some(s), Some(w)) => Some(s.min(w)),
        (s, w) => s.or(w),
    }
}

/// Runs the pass. Never fails: any input yields some tree.
pub fn run(input: &str) -> Prepass {
    run_with(input, false)
}

/// [`run`]; `lenient` keeps navigation, asides, footers and hidden nodes in the tree.
pub fn run_with(input: &str, lenient: bool) -> Prepass {
    let mut st = State {
        lenient,
        ..State::default()
    };
    tokenizer::tokenize(input, &mut st);
    st.flush_text();
    let mut out = st.out;
    out.title = entities::decode(&out.title).into_owned();
    out
}
