//! The XML formats (urlset, sitemap index, RSS 2.0 / 0.9x / 1.0, Atom) in one streaming pass.
//!
//! Elements are matched by lower-cased local name and a namespace *class*: a prefixed element
//! is classed by its namespace URI when we know it, else by its prefix (`news:`, `atom:`, `dc:`),
//! and an unprefixed one is "core" unless its default namespace is one we know. So `<n:news>`
//! bound to the Google News URI, `<news:news>` with no declaration at all, and `<URL><LOC>` all
//! work, while `<image:title>` or `<media:title>` never pass for a title.
//!
//! End tags are not checked against start tags (a mis-nested feed still yields its items); a
//! syntax error stops the pass, keeping the entries before it. DTDs are skipped: their entities
//! are never expanded, so entity bombs cost nothing.

use std::borrow::Cow;
use std::io::BufRead;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{QName, ResolveResult};
use quick_xml::{NsReader, XmlVersion};
use url::Url;

use crate::sink::{MAX_FIELD_BYTES, RawEntry, Sink, quote};
use crate::{DiscoverError, DocKind};

/// Namespace classes that decide which elements we read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ns {
    Core,
    News,
    Atom,
    Dc,
    Other,
}

fn ns_by_uri(uri: &str) -> Option<Ns> {
    let u = uri.trim().to_ascii_lowercase();
    if u.contains("sitemap-news") {
        Some(Ns::News)
    } else if u.contains("w3.org/2005/atom") || u.contains("purl.org/atom") {
        Some(Ns::Atom)
    } else if u.contains("purl.org/dc/") {
        Some(Ns::Dc)
    } else if u.contains("sitemaps.org")
        || u.contains("schemas/sitemap")
        || u.contains("purl.org/rss/1.0")
        || u.contains("userland.com")
    {
        Some(Ns::Core)
    } else {
        None
    }
}

fn ns_by_prefix(prefix: Option<&str>) -> Ns {
    let Some(p) = prefix else { return Ns::Core };
    let is = |name: &str| p.eq_ignore_ascii_case(name);
    if is("news") {
        Ns::News
    } else if is("atom") || is("a10") || is("a") {
        Ns::Atom
    } else if is("dc") || is("dcterms") {
        Ns::Dc
    } else {
        Ns::Other
    }
}

/// Classes namespace URIs, remembering the last one: a document uses few, over and over.
#[derive(Default)]
struct NsCache {
    uri: String,
    class: Option<Ns>,
}

impl NsCache {
    fn classify(&mut self, res: &ResolveResult, name: QName) -> Ns {
        let prefix = name.prefix().map(|p| p.into_inner());
        match res {
            ResolveResult::Bound(ns) => {
                if self.uri != ns.0 {
                    self.uri.clear();
                    self.uri.push_str(ns.0);
                    self.class = ns_by_uri(ns.0);
                }
                self.class.unwrap_or_else(|| ns_by_prefix(prefix))
            }
            _ => ns_by_prefix(prefix),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tag {
    Urlset,
    Url,
    Loc,
    Lastmod,
    SitemapIndex,
    Sitemap,
    News,
    PublicationDate,
    Title,
    Rss,
    Rdf,
    Channel,
    Item,
    Link,
    Guid,
    PubDate,
    Date,
    Updated,
    Modified,
    Published,
    Issued,
    Feed,
    Entry,
    Id,
    OrigLink,
    Html,
    Other,
}

fn tag(local: &str) -> Tag {
    let mut buf = [0u8; 20];
    let Some(b) = buf.get_mut(..local.len()) else {
        return Tag::Other;
    };
    b.copy_from_slice(local.as_bytes());
    b.make_ascii_lowercase();
    match &*b {
        b"urlset" => Tag::Urlset,
        b"url" => Tag::Url,
        b"loc" => Tag::Loc,
        b"lastmod" => Tag::Lastmod,
        b"sitemapindex" => Tag::SitemapIndex,
        b"sitemap" => Tag::Sitemap,
        b"news" => Tag::News,
        b"publication_date" => Tag::PublicationDate,
        b"title" => Tag::Title,
        b"rss" => Tag::Rss,
        b"rdf" => Tag::Rdf,
        b"channel" => Tag::Channel,
        b"item" => Tag::Item,
        b"link" => Tag::Link,
        b"guid" => Tag::Guid,
        b"pubdate" => Tag::PubDate,
        b"date" => Tag::Date,
        b"updated" => Tag::Updated,
        b"modified" => Tag::Modified,
        b"published" => Tag::Published,
        b"issued" => Tag::Issued,
        b"feed" => Tag::Feed,
        b"entry" => Tag::Entry,
        b"id" => Tag::Id,
        b"origlink" => Tag::OrigLink,
        b"html" => Tag::Html,
        _ => Tag::Other,
    }
}

/// The document kind a root element names, and the element that holds one entry.
fn root_kind(t: Tag) -> Option<(DocKind, Tag)> {
    match t {
        Tag::Urlset => Some((DocKind::UrlSet, Tag::Url)),
        Tag::SitemapIndex => Some((DocKind::SitemapIndex, Tag::Sitemap)),
        Tag::Rss | Tag::Rdf | Tag::Channel => Some((DocKind::Rss, Tag::Item)),
        Tag::Feed => Some((DocKind::Atom, Tag::Entry)),
        _ => None,
    }
}

fn looks_like_html(text: &str) -> bool {
    let head: String = text
        .chars()
        .take(2048)
        .collect::<String>()
        .to_ascii_lowercase();
    head.contains("<!doctype html")
        || head.contains("<html")
        || (head.contains("<head") && head.contains("<body"))
}

fn is_html_type(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|ct| ct.to_ascii_lowercase().contains("html"))
}

fn name_of(e: &BytesStart) -> String {
    quote(e.name().into_inner())
}

/// The kind named by the first element of `text`, if it is a sitemap or feed.
pub(crate) fn sniff_root(text: &str) -> Option<DocKind> {
    let mut r = NsReader::from_str(text);
    let cfg = r.config_mut();
    cfg.check_end_names = false;
    cfg.allow_dangling_amp = true;
    for _ in 0..256 {
        match r.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                return root_kind(tag(e.local_name().into_inner())).map(|k| k.0);
            }
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
    None
}

/// Which text we are collecting.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Field {
    Loc,
    Lastmod,
    NewsDate,
    NewsTitle,
    Title,
    Link,
    OrigLink,
    Guid,
    Published,
    Updated,
    Id,
}

/// The entry being read: candidate URLs by rank, and its other fields.
#[derive(Default)]
struct Cur {
    raw: RawEntry,
    link: Option<(u8, String)>,
    guid: Option<String>,
    guid_permalink: bool,
    id: Option<String>,
    about: Option<String>,
}

impl Cur {
    /// Keeps the best candidate: a higher rank wins, the first of a rank stays.
    fn offer(&mut self, rank: u8, url: String) {
        if url.trim().is_empty() {
            return;
        }
        if self.link.as_ref().is_none_or(|(r, _)| rank > *r) {
            self.link = Some((rank, url));
        }
    }

    /// RSS: link > permalink guid > rdf:about; Atom: alternate link > id; both only if http(s).
    fn into_raw(mut self) -> RawEntry {
        let is_web = |s: &String| {
            let l = s.trim().get(..8).unwrap_or(s.trim()).to_ascii_lowercase();
            l.starts_with("http://") || l.starts_with("https://")
        };
        self.raw.url = self.raw.url.take().or_else(|| {
            self.link
                .map(|(_, u)| u)
                .or_else(|| self.guid.filter(|g| self.guid_permalink && is_web(g)))
                .or_else(|| self.id.filter(is_web))
                .or(self.about)
        });
        self.raw
    }
}

struct Walker<'s, 'a> {
    sink: &'s mut Sink<'a>,
    kind: DocKind,
    entry_tag: Tag,
    depth: usize,
    entry_depth: Option<usize>,
    news_depth: Option<usize>,
    field: Option<(Field, usize)>,
    text: String,
    cur: Cur,
    /// `xml:base` in scope: (depth of the element that set it, resolved base).
    bases: Vec<(usize, Url)>,
    stop: bool,
}

/// An attribute's value with entities resolved (HTML5 names too), or the raw value when it has
/// undefined ones.
fn attr_value<'a>(e: &'a BytesStart, want: &str) -> Option<Cow<'a, str>> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.into_inner().eq_ignore_ascii_case(want))
        .map(|a| {
            let raw = a.value.clone();
            a.normalized_value_with(
                XmlVersion::Implicit1_0,
                1,
                quick_xml::escape::resolve_predefined_entity,
            )
            .unwrap_or(raw)
        })
}

/// Same, matching the attribute by local name (`rdf:about`, `about`).
fn attr_local<'a>(e: &'a BytesStart, local: &str) -> Option<Cow<'a, str>> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.local_name().into_inner().eq_ignore_ascii_case(local))
        .map(|a| a.value.clone())
}

impl Walker<'_, '_> {
    fn base(&self) -> &Url {
        self.bases.last().map_or(self.sink.base(), |(_, u)| u)
    }

    fn start(&mut self, e: &BytesStart, ns: Ns) {
        self.depth += 1;
        let d = self.depth;
        if let Some(v) = attr_value(e, "xml:base") {
            match self.base().join(v.trim()) {
                Ok(u) => self.bases.push((d, u)),
                Err(err) => self
                    .sink
                    .note(format!("xml:base {} ignored: {err}", quote(&v))),
            }
        }
        let t = tag(e.local_name().into_inner());
        let Some(ed) = self.entry_depth else {
            if t == self.entry_tag && matches!(ns, Ns::Core | Ns::Atom) {
                self.entry_depth = Some(d);
                self.cur = Cur::default();
                if let Some(about) = attr_local(e, "about") {
                    self.cur.about = Some(about.into_owned());
                }
            }
            return;
        };
        if self.field.is_some() {
            return;
        }
        let core = ns == Ns::Core;
        let field = if d == ed + 1 {
            match (self.kind, t) {
                (DocKind::UrlSet | DocKind::SitemapIndex, Tag::Loc) if core => Some(Field::Loc),
                (DocKind::UrlSet | DocKind::SitemapIndex, Tag::Lastmod) if core => {
                    Some(Field::Lastmod)
                }
                (DocKind::UrlSet, Tag::News) if matches!(ns, Ns::News | Ns::Core) => {
                    self.news_depth = Some(d);
                    self.cur.raw.is_news = true;
                    None
                }
                (DocKind::Rss, Tag::Link) if core => Some(Field::Link),
                (DocKind::Rss, Tag::Link) if ns == Ns::Atom => {
                    self.atom_link(e, 1);
                    None
                }
                (DocKind::Rss, Tag::OrigLink) => Some(Field::OrigLink),
                (DocKind::Rss, Tag::Guid) if core => {
                    self.cur.guid_permalink = attr_value(e, "isPermaLink")
                        .is_none_or(|v| !v.trim().eq_ignore_ascii_case("false"));
                    Some(Field::Guid)
                }
                (DocKind::Rss, Tag::PubDate) if core => Some(Field::Published),
                (DocKind::Rss, Tag::Title) if core => Some(Field::Title),
                (DocKind::Rss, Tag::Published | Tag::Issued) if matches!(ns, Ns::Atom | Ns::Dc) => {
                    Some(Field::Published)
                }
                (DocKind::Rss, Tag::Updated | Tag::Modified) if matches!(ns, Ns::Atom | Ns::Dc) => {
                    Some(Field::Updated)
                }
                (DocKind::Atom, Tag::Link) if matches!(ns, Ns::Core | Ns::Atom) => {
                    self.atom_link(e, 2);
                    None
                }
                (DocKind::Atom, Tag::Title) if matches!(ns, Ns::Core | Ns::Atom) => {
                    Some(Field::Title)
                }
                (DocKind::Atom, Tag::Id) if matches!(ns, Ns::Core | Ns::Atom) => Some(Field::Id),
                (DocKind::Atom, Tag::Published | Tag::Issued)
                    if matches!(ns, Ns::Core | Ns::Atom | Ns::Dc) =>
                {
                    Some(Field::Published)
                }
                (DocKind::Atom, Tag::Updated | Tag::Modified)
                    if matches!(ns, Ns::Core | Ns::Atom | Ns::Dc) =>
                {
                    Some(Field::Updated)
                }
                (DocKind::Rss | DocKind::Atom, Tag::Date) if ns == Ns::Dc => Some(Field::Updated),
                _ => None,
            }
        } else if self.news_depth.is_some_and(|nd| d == nd + 1) && matches!(ns, Ns::News | Ns::Core)
        {
            match t {
                Tag::PublicationDate => Some(Field::NewsDate),
                Tag::Title => Some(Field::NewsTitle),
                _ => None,
            }
        } else {
            None
        };
        if let Some(f) = field {
            self.field = Some((f, d));
            self.text.clear();
        }
    }

    /// An Atom `<link>`: alternate (or no rel) counts; an HTML type ranks above others.
    fn atom_link(&mut self, e: &BytesStart, rank: u8) {
        let rel = attr_value(e, "rel");
        if rel
            .as_deref()
            .is_some_and(|r| !r.trim().eq_ignore_ascii_case("alternate"))
        {
            return;
        }
        let Some(href) = attr_value(e, "href") else {
            return;
        };
        let html = attr_value(e, "type").is_none_or(|t| t.to_ascii_lowercase().contains("html"));
        // Resolved now: the link's own xml:base goes out of scope at its end tag.
        let href = if self.bases.is_empty() {
            href.trim().to_string()
        } else {
            self.base()
                .join(href.trim())
                .map_or_else(|_| href.trim().to_string(), String::from)
        };
        self.cur.offer(rank * 2 + u8::from(html), href);
    }

    fn end(&mut self) {
        let d = self.depth;
        if d == 0 {
            return;
        }
        if let Some((f, fd)) = self.field
            && fd == d
        {
            self.field = None;
            self.finish_field(f);
        }
        if self.news_depth == Some(d) {
            self.news_depth = None;
        }
        if self.entry_depth == Some(d) {
            self.entry_depth = None;
            self.news_depth = None;
            self.field = None;
            let mut raw = std::mem::take(&mut self.cur).into_raw();
            raw.is_news |= self.kind.is_feed();
            let base = self.bases.last().map(|(_, u)| u);
            if !self.sink.push(raw, base) {
                self.stop = true;
            }
        }
        while self.bases.last().is_some_and(|(bd, _)| *bd >= d) {
            self.bases.pop();
        }
        self.depth -= 1;
    }

    fn finish_field(&mut self, f: Field) {
        let text = std::mem::take(&mut self.text);
        let c = &mut self.cur;
        match f {
            Field::Loc => {
                // The first <loc> counts, as for every other field.
                if c.raw.url.is_none() {
                    c.raw.url = Some(text);
                }
            }
            Field::Link => c.offer(4, text),
            Field::OrigLink => c.offer(6, text),
            Field::Guid => c.guid = Some(text),
            Field::Id => c.id = Some(text),
            Field::Title | Field::NewsTitle => {
                if c.raw.title.is_none() || f == Field::NewsTitle {
                    c.raw.title = Some(strip_markup(&text));
                }
            }
            Field::Lastmod => {
                if c.raw.lastmod.is_none() {
                    c.raw.lastmod = self.sink.date(&text);
                }
            }
            Field::NewsDate | Field::Published => {
                if c.raw.published.is_none() {
                    c.raw.published = self.sink.date(&text);
                }
            }
            Field::Updated => {
                if c.raw.updated.is_none() {
                    c.raw.updated = self.sink.date(&text);
                }
            }
        }
    }

    fn push_text(&mut self, s: &str) {
        if self.field.is_none() || self.text.len() >= MAX_FIELD_BYTES {
            return;
        }
        let room = MAX_FIELD_BYTES - self.text.len();
        if s.len() <= room {
            self.text.push_str(s);
        } else {
            let mut cut = room;
            while !s.is_char_boundary(cut) {
                cut -= 1;
            }
            self.text.push_str(&s[..cut]);
        }
    }

    fn reference(&mut self, name: &str, char_ref: Option<char>) {
        if self.field.is_none() {
            return;
        }
        if let Some(c) = char_ref {
            self.push_text(c.encode_utf8(&mut [0; 4]));
        } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(name) {
            self.push_text(s);
        } else {
            // Undefined here (a DTD entity we refuse to expand, or a typo): kept literally.
            self.sink.entity(name);
            let lit = format!("&{name};");
            self.push_text(&lit);
        }
    }
}

/// Titles given as HTML (Atom `type="html"`, CDATA with tags): tags dropped, common entities
/// decoded.
fn strip_markup(s: &str) -> String {
    if !s.contains('<') && !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for ch in s.chars() {
        match ch {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(ch),
            _ => {}
        }
    }
    if in_tag {
        // A lone '<' ("a < b"): keep the text as it was.
        return s.to_string();
    }
    for (from, to) in [
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&apos;", "'"),
        ("&nbsp;", " "),
        ("&amp;", "&"),
    ] {
        if out.contains(from) {
            out = out.replace(from, to);
        }
    }
    out
}

/// Where an error happened: reading errors (a broken gzip stream, a text run over the limit)
/// happen where the reader stood.
fn error_position<R>(r: &NsReader<R>, e: &quick_xml::Error) -> u64 {
    if matches!(e, quick_xml::Error::Io(_)) {
        r.buffer_position()
    } else {
        r.error_position()
    }
}

/// Where a sitemap or feed root starts after junk (a PHP warning, a stray `<br />`) in the first
/// 64 KiB, if it does.
fn root_after_junk(text: &str) -> Option<usize> {
    let head = &text.as_bytes()[..text.len().min(64 * 1024)];
    [
        "<rss",
        "<urlset",
        "<sitemapindex",
        "<feed",
        "<rdf:RDF",
        "<RDF",
    ]
    .iter()
    .filter_map(|needle| {
        head.windows(needle.len())
            .position(|w| w == needle.as_bytes())
            .filter(|&at| {
                // A whole element name: "<feed>" or "<feed ", not "<feedback".
                head.get(at + needle.len())
                    .is_some_and(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
            })
    })
    .min()
    .filter(|&at| at > 0)
}

/// Parses an XML sitemap or feed into `sink`; returns its kind. `open(n)` gives the document
/// from byte `n` on; `head` is its first 64 KiB as text (HTML and junk detection). A document
/// whose root hides behind junk is parsed again from the root, with a warning.
pub(crate) fn parse<R: BufRead>(
    open: impl Fn(usize) -> R,
    head: &str,
    content_type: Option<&str>,
    sink: &mut Sink,
) -> Result<DocKind, DiscoverError> {
    match parse_from_root(open(0), head, content_type, sink) {
        // Only failures before a root element: a feed that broke later is not retried.
        Err(
            e @ (DiscoverError::NotSitemapOrFeed(_)
            | DiscoverError::Malformed { format: "XML", .. }),
        ) => match root_after_junk(head) {
            Some(at) => {
                sink.note(format!(
                    "skipped {at} bytes of junk before the root element ({e})"
                ));
                parse_from_root(open(at), &head[at..], content_type, sink)
            }
            None => Err(e),
        },
        other => other,
    }
}

fn parse_from_root<R: BufRead>(
    source: R,
    text: &str,
    content_type: Option<&str>,
    sink: &mut Sink,
) -> Result<DocKind, DiscoverError> {
    let mut r = NsReader::from_reader(source);
    let mut buf = Vec::new();
    let cfg = r.config_mut();
    cfg.check_end_names = false;
    cfg.allow_unmatched_ends = true;
    cfg.allow_dangling_amp = true;

    let not_found = |why: String| {
        if looks_like_html(text) || is_html_type(content_type) {
            DiscoverError::LooksLikeHtml
        } else {
            DiscoverError::NotSitemapOrFeed(why)
        }
    };

    // The prolog, up to the root element.
    let (kind, entry_tag, root_empty, root_base) = loop {
        buf.clear();
        match r.read_resolved_event_into(&mut buf) {
            Ok((_, ev @ (Event::Start(_) | Event::Empty(_)))) => {
                let empty = matches!(ev, Event::Empty(_));
                let (Event::Start(e) | Event::Empty(e)) = ev else {
                    continue;
                };
                let t = tag(e.local_name().into_inner());
                if t == Tag::Html {
                    return Err(DiscoverError::LooksLikeHtml);
                }
                let Some((kind, entry)) = root_kind(t) else {
                    return Err(not_found(format!(
                        "root element <{}>",
                        name_of(&e).trim_matches('"')
                    )));
                };
                let base = attr_value(&e, "xml:base").map(|v| v.trim().to_string());
                break (kind, entry, empty, base);
            }
            Ok((_, Event::DocType(d))) => {
                let dtd = d.xml10_content();
                let name = dtd
                    .trim_start()
                    .split(|c: char| c.is_whitespace() || c == '[' || c == '>')
                    .next()
                    .unwrap_or("");
                if name.eq_ignore_ascii_case("html") {
                    return Err(DiscoverError::LooksLikeHtml);
                }
                if dtd.contains("<!ENTITY") {
                    sink.note(
                        "DTD with entity declarations ignored: entities are never expanded".into(),
                    );
                }
            }
            Ok((_, Event::Eof)) => return Err(not_found("no root element".into())),
            Ok(_) => {}
            Err(e) => {
                if looks_like_html(text) {
                    return Err(DiscoverError::LooksLikeHtml);
                }
                return Err(DiscoverError::Malformed {
                    format: "XML",
                    position: error_position(&r, &e),
                    reason: e.to_string(),
                });
            }
        }
    };
    if root_empty {
        return Ok(kind);
    }

    let mut w = Walker {
        sink,
        kind,
        entry_tag,
        depth: 1,
        entry_depth: None,
        news_depth: None,
        field: None,
        text: String::new(),
        cur: Cur::default(),
        bases: Vec::new(),
        stop: false,
    };
    if let Some(b) = root_base {
        match w.sink.base().join(&b) {
            Ok(u) => w.bases.push((1, u)),
            Err(err) => w
                .sink
                .note(format!("xml:base {} ignored: {err}", quote(&b))),
        }
    }
    let format = match kind {
        DocKind::SitemapIndex => "sitemap index",
        DocKind::UrlSet => "sitemap",
        DocKind::Rss => "RSS",
        _ => "Atom",
    };
    let mut nsc = NsCache::default();
    while !w.stop {
        buf.clear();
        match r.read_resolved_event_into(&mut buf) {
            Ok((res, Event::Start(e))) => {
                let ns = nsc.classify(&res, e.name());
                w.start(&e, ns);
            }
            Ok((res, Event::Empty(e))) => {
                let ns = nsc.classify(&res, e.name());
                w.start(&e, ns);
                w.end();
            }
            Ok((_, Event::End(_))) => w.end(),
            Ok((_, Event::Text(t))) => w.push_text(&t.xml10_content()),
            Ok((_, Event::CData(t))) => w.push_text(&t.xml10_content()),
            Ok((_, Event::GeneralRef(g))) => {
                let ch = match g.resolve_char_ref() {
                    Ok(c) => c,
                    Err(_) => Some(char::REPLACEMENT_CHARACTER),
                };
                w.reference(&g, ch);
            }
            Ok((_, Event::Eof)) => {
                if w.depth > 0 {
                    if w.sink.len() == 0 {
                        let reason =
                            "the document ends inside an open element (cut short?)".to_string();
                        return Err(DiscoverError::Malformed {
                            format,
                            position: r.buffer_position(),
                            reason,
                        });
                    }
                    if w.sink.truncated.is_none() {
                        w.sink
                            .note(format!("{format} ends inside an open element: cut short?"));
                    }
                }
                break;
            }
            Ok(_) => {}
            Err(e) => {
                let position = error_position(&r, &e);
                if w.sink.len() == 0 {
                    return Err(DiscoverError::Malformed {
                        format,
                        position,
                        reason: e.to_string(),
                    });
                }
                let n = w.sink.len();
                w.sink.note(format!(
                    "malformed {format} at byte {position}: {e}; kept the {n} entries before it"
                ));
                break;
            }
        }
    }
    Ok(kind)
}
