//! The one DOM walk: turns the tree into text blocks with their containers, and picks up the
//! in-page metadata (h1, captions, `<time>`, microdata, bylines, breadcrumbs) on the way.

use crate::classes::{self, Mark, contains_ci};
use crate::dom::{Dom, Kind as NodeKind};

/// Deeper subtrees are ignored: no real page nests this far, and recursion must stay bounded.
const MAX_DEPTH: usize = 400;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Para,
    Heading(u8),
    Item,
    Quote,
    Pre,
    Cell,
    /// Text directly inside a `div`-like container.
    Loose,
}

/// One element of the arena; indices are in pre-order so parents come before children.
#[derive(Debug, Clone)]
pub struct El {
    pub parent: u32,
    pub tag: Tag,
    pub mark: Mark,
    /// Furniture by tag or role: never rescued.
    pub hard: bool,
    pub furniture: bool,
    pub itemprop_body: bool,
    /// A list (`ul`, `ol`, `dl`): its items may be the story's.
    pub list: bool,
    /// A `header` element: furniture by its tag alone (a page's masthead, or a section's
    /// heading box inside the story).
    pub header: bool,
    /// Class or id name the story's lead (standfirst).
    pub lead: bool,
    /// Microdata `description`: next to a story, its standfirst.
    pub describes: bool,
    /// Class names a recipe's ingredient list.
    pub ingredients: bool,
    /// Class names only a heading's box among weak furniture words.
    pub heading_box: bool,
    /// Tag name and first class name, hashed: containers a template repeats share it.
    pub sig: u32,
    /// The signature names a class, not just a tag: copies of a classless `div` say nothing.
    pub classed: bool,
    /// Text and link-text characters in this element's subtree.
    pub chars: u32,
    pub link_chars: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    Body,
    Article,
    Main,
    Block,
    Para,
}

#[derive(Debug, Clone)]
pub struct Block {
    pub elem: u32,
    pub kind: Kind,
    pub text: String,
    pub link_chars: u32,
}

/// Everything the walk collected.
#[derive(Debug, Default)]
pub struct Walk {
    pub elems: Vec<El>,
    pub blocks: Vec<Block>,
    pub h1: Option<String>,
    pub captions: Vec<String>,
    /// `<time>` elements, in page order.
    pub times: Vec<TimeEl>,
    /// `(itemprop, value)` from microdata outside `<meta>`.
    pub itemprops: Vec<(String, String)>,
    pub bylines: Vec<String>,
    pub rel_authors: Vec<String>,
    /// Text of links to author pages (by their path), outside teasers.
    pub author_links: Vec<String>,
    /// Microdata authors inside comments, teasers or a footer box: a commenter, another
    /// story's writer, or the story's own writer where the page names it nowhere else.
    pub furniture_authors: Vec<String>,
    pub breadcrumbs: Vec<String>,
    pub first_img: Option<String>,
    /// Text of elements classed as a (publication) date, for pages without machine dates:
    /// `(text, inside furniture)`.
    pub date_texts: Vec<(String, bool)>,
}

/// One `<time>` element (also one the prepass dropped with its boilerplate).
#[derive(Debug, Clone, Default)]
pub struct TimeEl {
    /// `datetime`, else the element's text.
    pub value: String,
    /// The value is printed text, not a `datetime` attribute.
    pub text_only: bool,
    /// Class, itemprop or `pubdate` say it is the publication date.
    pub publ: bool,
    /// Class or itemprop say it is the update date.
    pub upd: bool,
    /// Inside navigation, a teaser list, comments or a footer.
    pub furniture: bool,
}

impl TimeEl {
    /// Reads the markers from a `<time>`'s class and itemprop.
    pub fn new(value: String, text_only: bool, class: &str, itemprop: &str, pubdate: bool) -> Self {
        let cls = format!("{class} {itemprop}").to_ascii_lowercase();
        let upd = cls.contains("modif") || cls.contains("updat");
        let publ = !upd
            && (cls.contains("publish")
                || cls.contains("datecreated")
                || cls.contains("entry-date")
                || cls.contains("post-date")
                || pubdate);
        Self {
            value,
            text_only,
            publ,
            upd,
            furniture: false,
        }
    }
}

struct Ctx {
    w: Walk,
    cur: String,
    cur_links: u32,
    cur_elem: u32,
    cur_kind: Kind,
    in_article: bool,
    /// Inside a container whose class or microdata names it the story body.
    in_story: bool,
    /// Inside the site's logo or title (`.site-title`, `.logo`): its `<h1>` is no headline.
    in_brand: bool,
    /// Inside navigation, teasers, comments, a footer (by tag, role or class).
    in_furniture: bool,
    /// The `<p>` being read, if any: a link to a person's page inside prose is a mention.
    para: Option<u32>,
    /// `nav`, `aside` and `footer` are not furniture by their tag alone.
    lenient: bool,
    /// The first `<h1>` in document order, looked up once when first needed.
    first_h1: Option<Option<u32>>,
}

/// Whether `node`'s subtree holds the page's first `<h1>`: a wrapper classed like a sidebar
/// ("zen-one-sidebar-second") that holds the headline holds the story, not other stories.
fn holds_h1(dom: &Dom, node: u32, cx: &mut Ctx) -> bool {
    let h1 = *cx
        .first_h1
        .get_or_insert_with(|| (0..dom.nodes.len() as u32).find(|&i| dom.name(i) == Some("h1")));
    let Some(h1) = h1 else {
        return false;
    };
    node < h1 && h1 <= dom.last_descendant(node)
}

/// Whether `node`'s subtree holds a `<table>`.
fn holds_table(dom: &Dom, node: u32) -> bool {
    (node + 1..=dom.last_descendant(node)).any(|i| dom.name(i) == Some("table"))
}

/// Class or id of a site logo or site title.
fn brandish(class: Option<&str>, id: Option<&str>) -> bool {
    // One pass per attribute: this runs on every element before the first `<h1>`.
    let at = |b: &[u8], k: &[u8]| b.len() >= k.len() && b[..k.len()].eq_ignore_ascii_case(k);
    [class, id].into_iter().flatten().any(|v| {
        let b = v.as_bytes();
        (0..b.len()).any(|i| {
            let r = &b[i..];
            match b[i] | 0x20 {
                b'l' => at(r, b"logo"),
                b's' => at(r, b"site-title") || at(r, b"site-name") || at(r, b"sitename"),
                b'b' => at(r, b"branding"),
                _ => false,
            }
        })
    })
}

/// ASCII case-insensitive substring test for a lowercase `needle`, cheap on the short class
/// strings it runs on for every element: a window is compared only when its first byte matches.
fn has(hay: &str, needle: &str) -> bool {
    let n = needle.as_bytes();
    let Some(&first) = n.first() else {
        return true;
    };
    n.len() <= hay.len()
        && hay
            .as_bytes()
            .windows(n.len())
            .any(|w| w[0].to_ascii_lowercase() == first && w.eq_ignore_ascii_case(n))
}

/// Whether a link's text is a small part of a long paragraph: a name mentioned in a sentence.
fn mention(link: &str, para: &str) -> bool {
    para.len() > 100 && para.len() > 3 * link.len()
}

/// An id naming the byline (`id="author_header"`); ids rarely do, so a cheap test first.
fn byline_id(id: &str) -> bool {
    (has(id, "author") || has(id, "byline")) && byline_class(id)
}

/// A class naming the story's byline or author ("byline", "c-intro__author", "autor"), not
/// the author's picture or biography.
fn byline_class(class: &str) -> bool {
    const NAMED: &[&str] = &[
        "byline",
        "author",
        "authors",
        "authorname",
        "autor",
        "autoren",
        "autorin",
        "writer",
        "contributor",
        "creator",
        "auteur",
        "firma",
        "signature",
    ];
    const NOT: &[&str] = &[
        "bio",
        "biography",
        "image",
        "img",
        "avatar",
        "photo",
        "picture",
        "description",
        "desc",
        "about",
        "box",
        "more",
        "social",
        "follow",
        "list",
        "info",
    ];
    // Case-insensitive comparisons without lowercasing a copy: this runs on every class.
    let is = |t: &str, words: &[&str]| words.iter().any(|w| t.eq_ignore_ascii_case(w));
    class.len() < 300
        && class.split_ascii_whitespace().any(|name| {
            let toks = || name.split(['-', '_']).filter(|t| !t.is_empty());
            (toks().any(|t| is(t, NAMED)) || has(name, "byline")) && !toks().any(|t| is(t, NOT))
        })
}

/// Class or id of a container whose dates are not the story's: teasers, comments, sidebars.
fn elsewhere_class(v: Option<&str>) -> bool {
    // The whole value first (one pass, as most elements name none of the words); the
    // layout test only runs per token when a word is there.
    v.is_some_and(|v| {
        elsewhere_word(v)
            && (!layout_marker(v)
                || v.split_ascii_whitespace()
                    .any(|t| !layout_word(t) && elsewhere_word(t)))
    })
}

/// An embedded post (`<blockquote class="instagram-media">`, "twitter-tweet", "tiktok-embed"):
/// its `<time>` and author are the post's.
fn embedded_post(name: &str, class: Option<&str>) -> bool {
    name == "blockquote"
        && class.is_some_and(|c| {
            has(c, "instagram-media") || has(c, "twitter-tweet") || has(c, "tiktok-embed")
        })
}

/// A class that says how the page is laid out ("has-sidebar", "sidebar-position-right",
/// "mh-widget-layout2"), on a wrapper that holds the story too.
fn layout_word(t: &str) -> bool {
    let starts = |p: &str| t.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p));
    starts("has-")
        || starts("with-")
        || starts("no-")
        || has(t, "layout")
        || has(t, "position")
        || has(t, "postition")
}

/// Whether any token of `v` may be a [`layout_word`]; a cheap test on the whole value.
fn layout_marker(v: &str) -> bool {
    ["has-", "with-", "no-", "layout", "position", "postition"]
        .iter()
        .any(|k| has(v, k))
}

fn elsewhere_word(t: &str) -> bool {
    [
        "related",
        "comment",
        "sidebar",
        "teaser",
        "widget",
        "recommend",
        "popular",
        "trending",
        "footer",
        "menu",
        "recirc",
        "promo",
        "more-",
        "latest",
        "most-read",
        "newest",
        "archive",
    ]
    .iter()
    .any(|k| has(t, k))
}

/// Walks the document from its root.
pub fn walk(dom: &Dom) -> Walk {
    walk_with(dom, false)
}

/// [`walk`]; `lenient` judges `nav`, `aside` and `footer` by their class only, for pages whose
/// story the strict pass lost inside such (often unclosed) elements.
pub fn walk_with(dom: &Dom, lenient: bool) -> Walk {
    let mut cx = Ctx {
        w: Walk::default(),
        cur: String::new(),
        cur_links: 0,
        cur_elem: 0,
        cur_kind: Kind::Loose,
        in_article: false,
        in_story: false,
        in_brand: false,
        in_furniture: false,
        para: None,
        first_h1: None,
        lenient,
    };
    cx.w.elems.push(El {
        parent: 0,
        tag: Tag::Body,
        mark: Mark::Neutral,
        hard: false,
        furniture: false,
        itemprop_body: false,
        list: false,
        header: false,
        lead: false,
        describes: false,
        ingredients: false,
        heading_box: false,
        sig: 0,
        classed: false,
        chars: 0,
        link_chars: 0,
    });
    for c in dom.children(0) {
        visit(dom, c, &mut cx, 0, false, false);
    }
    flush(&mut cx);
    // Sum text counts up the tree: children follow parents in pre-order.
    for i in (1..cx.w.elems.len()).rev() {
        let (c, l, p) = {
            let e = &cx.w.elems[i];
            (e.chars, e.link_chars, e.parent as usize)
        };
        let pe = &mut cx.w.elems[p];
        pe.chars = pe.chars.saturating_add(c);
        pe.link_chars = pe.link_chars.saturating_add(l);
    }
    cx.w
}

fn flush(cx: &mut Ctx) {
    if cx.cur.trim().is_empty() {
        cx.cur.clear();
        cx.cur_links = 0;
        return;
    }
    let text = collapse(&cx.cur);
    cx.cur.clear();
    let n = text.chars().count() as u32;
    let e = &mut cx.w.elems[cx.cur_elem as usize];
    e.chars = e.chars.saturating_add(n);
    let links = cx.cur_links.min(n);
    e.link_chars = e.link_chars.saturating_add(links);
    cx.cur_links = 0;
    if cx.w.blocks.len() < 100_000 {
        cx.w.blocks.push(Block {
            elem: cx.cur_elem,
            kind: cx.cur_kind,
            text,
            link_chars: links,
        });
    }
}

/// FNV-1a over the tag name and the first class name that is not a grid cell's (ids and
/// later classes vary between copies of a template's box: `textblock_324684`,
/// `first-paragraph`; `row`, `column`, `col-md-8` name no kind of box).
fn signature(name: &str, class: Option<&str>) -> u32 {
    let first = class
        .and_then(|c| c.split_ascii_whitespace().find(|t| !grid_class(t)))
        .unwrap_or("");
    let mut h: u32 = 0x811c_9dc5;
    for b in name.bytes().chain([b'.']).chain(first.bytes()) {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    h
}

/// Layout class words of CSS grid frameworks (Bootstrap, Foundation, UIkit): they say where a
/// box sits, not what it holds.
const GRID_WORDS: &[&str] = &[
    "row",
    "column",
    "columns",
    "col",
    "grid",
    "container",
    "clearfix",
    "cf",
    "small",
    "medium",
    "large",
    "xlarge",
    "offset",
    "uk",
    "pull",
    "push",
    "clear",
    "fluid",
    "wrapper",
    "inner",
];

/// A grid framework's layout class (`row`, `col-md-8`, `large-centered`, `span8`).
fn grid_class(t: &str) -> bool {
    let head = t.split(['-', '_']).next().unwrap_or("");
    GRID_WORDS.iter().any(|g| head.eq_ignore_ascii_case(g))
        || head
            .as_bytes()
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case(b"span"))
}

/// Collapses runs of whitespace to one space.
pub fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Attribute access for one element, shaped like the DOM crates' `attr`.
struct Attrs<'a> {
    dom: &'a Dom,
    id: u32,
}

impl<'a> Attrs<'a> {
    fn attr(&self, k: &str) -> Option<&'a str> {
        self.dom.attr(self.id, k)
    }
}

fn text_of(dom: &Dom, id: u32) -> String {
    collapse(&dom.text(id))
}

fn visit(dom: &Dom, node: u32, cx: &mut Ctx, depth: usize, skip_text: bool, in_link: bool) {
    if depth > MAX_DEPTH {
        return;
    }
    match &dom.nodes[node as usize].kind {
        NodeKind::Text(t) => {
            if !skip_text {
                let s: &str = t;
                cx.cur.push_str(s);
                if in_link {
                    cx.cur_links = cx.cur_links.saturating_add(s.trim().chars().count() as u32);
                }
            }
        }
        NodeKind::Element { name, .. } => {
            let name = name.as_str();
            let el = Attrs { dom, id: node };
            if matches!(
                name,
                "script"
                    | "style"
                    | "noscript"
                    | "template"
                    | "svg"
                    | "iframe"
                    | "head"
                    | "title"
                    | "meta"
                    | "link"
                    | "button"
                    | "select"
                    | "textarea"
                    | "input"
                    | "object"
                    | "embed"
                    | "canvas"
                    | "math"
                    | "video"
                    | "audio"
                    | "map"
                    | "dialog"
            ) {
                return;
            }
            if name == "br" || name == "hr" {
                flush(cx);
                return;
            }
            let block_kind = match name {
                "p" => Some(Kind::Para),
                "h1" => Some(Kind::Heading(1)),
                "h2" => Some(Kind::Heading(2)),
                "h3" => Some(Kind::Heading(3)),
                "h4" => Some(Kind::Heading(4)),
                "h5" => Some(Kind::Heading(5)),
                "h6" => Some(Kind::Heading(6)),
                "li" | "dd" | "dt" => Some(Kind::Item),
                "blockquote" => Some(Kind::Quote),
                "pre" => Some(Kind::Pre),
                "td" | "th" => Some(Kind::Cell),
                "div" | "section" | "article" | "main" | "ul" | "ol" | "dl" | "table" | "tr"
                | "tbody" | "thead" | "tfoot" | "figure" | "figcaption" | "header" | "footer"
                | "nav" | "aside" | "form" | "fieldset" | "address" | "center" | "details"
                | "summary" | "body" | "html" | "caption" | "menu" | "legend" | "hgroup" => {
                    Some(Kind::Loose)
                }
                _ => None,
            };
            // A subheading's id of several words is an anchor made from its text
            // ("nav_nur_die_folie", "social-media-use"): it names the text, not a kind of
            // box. A one-word id ("comments") still names the box the heading opens.
            let id = el.attr("id").filter(|id| {
                !matches!(name, "h2" | "h3" | "h4" | "h5" | "h6")
                    || !id.contains(['-', '_', ':', '.'])
            });
            let mut mark = classes::mark(el.attr("class"), id);
            // Weak class words ("hidden", "paywall", "teaser") are not trusted in the lenient pass.
            if cx.lenient && mark == Mark::WeakFurniture {
                mark = Mark::Neutral;
            }
            let itemprop = el.attr("itemprop");
            let role_furniture = el.attr("role").is_some_and(classes::furniture_role);
            // A `figure` that holds a table is the story's table, not a picture.
            let figure = name == "figcaption" || (name == "figure" && !holds_table(dom, node));
            let hard = if cx.lenient {
                figure || name == "menu"
            } else {
                figure || matches!(name, "nav" | "aside" | "footer" | "menu") || role_furniture
            } || (block_kind.is_some()
                && classes::consent(el.attr("class"), el.attr("id")));
            let never = matches!(name, "html" | "body" | "main");
            // Only the first `<h1>` is read, so after it the logo no longer matters.
            let brand =
                cx.w.h1.is_none() && (cx.in_brand || brandish(el.attr("class"), el.attr("id")));
            let furniture = !never
                && (hard
                    || name == "header"
                    // A form's labels (a comment or contact form, a search box) are no
                    // story; a form that wraps the whole page is rescued as furniture that
                    // holds most of the text.
                    || (name == "form" && !cx.lenient)
                    || mark == Mark::Furniture
                    || (mark == Mark::WeakFurniture && !cx.in_story)
                    || el.attr("class").is_some_and(classes::picture_note));

            // Dates here belong to other stories or to readers, not to this story.
            // Not on `<body>`: its class lists page-wide layout words ("has-sidebar",
            // "widget-layout") that say nothing about where the story's own metadata stands.
            let elsewhere = !never
                && (hard
                    || embedded_post(name, el.attr("class"))
                    || ((elsewhere_class(el.attr("class")) || elsewhere_class(el.attr("id")))
                        && !holds_h1(dom, node, cx)));
            // Metadata that lives in the body.
            match name {
                // An `<h1>` wrapped in a link is the site's logo linking home, not the headline.
                "h1" if cx.w.h1.is_none() && !brand && !in_link => {
                    let t = text_of(dom, node);
                    if !t.is_empty() {
                        cx.w.h1 = Some(t);
                    }
                }
                "figcaption" if cx.w.captions.len() < 8 => {
                    let t = text_of(dom, node);
                    if !t.is_empty() {
                        cx.w.captions.push(t);
                    }
                }
                "time" if cx.w.times.len() < 32 => {
                    let (value, text_only) = match el.attr("datetime") {
                        Some(dt) if !dt.trim().is_empty() => (dt.to_string(), false),
                        _ => (text_of(dom, node), true),
                    };
                    if !value.is_empty() && value.len() < 200 {
                        let mut t = TimeEl::new(
                            value,
                            text_only,
                            el.attr("class").unwrap_or(""),
                            itemprop.unwrap_or(""),
                            el.attr("pubdate").is_some(),
                        );
                        t.furniture = cx.in_furniture || elsewhere;
                        cx.w.times.push(t);
                    }
                }
                "img" if cx.w.first_img.is_none() && cx.in_article && !furniture => {
                    if let Some(src) = el.attr("src").or_else(|| el.attr("data-src"))
                        && !src.starts_with("data:")
                    {
                        cx.w.first_img = Some(src.to_string());
                    }
                }
                "a" if el.attr("rel").is_some_and(|r| {
                    r.split_ascii_whitespace()
                        .any(|x| x.eq_ignore_ascii_case("author"))
                }) && cx.w.rel_authors.len() < 16 =>
                {
                    cx.w.rel_authors.push(text_of(dom, node));
                }
                // A link to an author page ("/author/jane-doe/"), outside teasers and lists.
                "a" if el.attr("data-author-link").is_some()
                    && !cx.in_furniture
                    && !elsewhere
                    && cx.w.author_links.len() < 8 =>
                {
                    let t = text_of(dom, node);
                    // "US President <a href=/people/…>Ann Lee</a> has been eager to…": a name
                    // in a sentence, not a byline.
                    if !cx.para.is_some_and(|p| mention(&t, &text_of(dom, p))) {
                        cx.w.author_links.push(t);
                    }
                }
                _ => {}
            }
            if let Some(ip) = itemprop
                && cx.w.itemprops.len() < 64
            {
                let ip = ip.to_ascii_lowercase();
                match ip.as_str() {
                    "headline" | "articlesection" | "datepublished" | "datemodified" | "name" => {
                        let v = el
                            .attr("content")
                            .or_else(|| el.attr("datetime"))
                            .map(str::to_string)
                            .unwrap_or_else(|| text_of(dom, node));
                        cx.w.itemprops.push((ip, v));
                    }
                    "author" | "creator" => {
                        let v = dom
                            .descendants(node)
                            .into_iter()
                            .find(|&d| dom.attr(d, "itemprop") == Some("name"))
                            .map(|d| {
                                dom.attr(d, "content")
                                    .map(str::to_string)
                                    .unwrap_or_else(|| text_of(dom, d))
                            })
                            .or_else(|| el.attr("content").map(str::to_string))
                            .unwrap_or_else(|| text_of(dom, node));
                        // A commenter's or a teaser's author is not the story's.
                        if !cx.in_furniture && !elsewhere {
                            cx.w.itemprops.push((ip, v));
                        } else if cx.w.furniture_authors.len() < 8 {
                            cx.w.furniture_authors.push(v);
                        }
                    }
                    _ => {}
                }
            }
            let class = el.attr("class").unwrap_or("");
            if cx.w.date_texts.len() < 16
                && name != "time"
                && !class.is_empty()
                && (has(class, "date")
                    || has(class, "publish")
                    || has(class, "time")
                    || has(class, "meta")
                    || has(class, "posted")
                    || has(class, "byline")
                    || has(class, "datum")
                    || has(class, "fecha")
                    || has(class, "data"))
                && !has(class, "updat")
                && !has(class, "modif")
            {
                let t = text_of(dom, node);
                if !t.is_empty() && t.len() < 160 && t.bytes().any(|b| b.is_ascii_digit()) {
                    // The site's "today" stamp in its header is no story's date.
                    let today = has(class, "current-date")
                        || has(class, "current-time")
                        || has(class, "currentdate")
                        || has(class, "today");
                    cx.w.date_texts
                        .push((t, cx.in_furniture || elsewhere || today));
                }
            }
            if cx.w.bylines.len() < 8
                && !cx.in_furniture
                && !elsewhere
                && (byline_class(class) || el.attr("id").is_some_and(byline_id))
            {
                let t = text_of(dom, node);
                if !t.is_empty() && t.len() < 200 {
                    cx.w.bylines.push(t);
                }
            }
            // A trail is a short list of links; a whole story or page tagged "url-breadcrumb"
            // is not one.
            if cx.w.breadcrumbs.is_empty() && !matches!(name, "article" | "main" | "body" | "html")
            {
                let label = el.attr("aria-label").unwrap_or("");
                if contains_ci(class, "breadcrumb")
                    || label.eq_ignore_ascii_case("breadcrumb")
                    || label.eq_ignore_ascii_case("breadcrumbs")
                {
                    let crumbs: Vec<String> = dom
                        .descendants(node)
                        .into_iter()
                        .filter(|&d| dom.name(d) == Some("a"))
                        .take(13)
                        .map(|d| text_of(dom, d))
                        .filter(|t| !t.is_empty())
                        .collect();
                    if crumbs.len() <= 12 {
                        cx.w.breadcrumbs = crumbs;
                    }
                }
            }

            let is_link = name == "a";
            match block_kind {
                Some(kind) => {
                    flush(cx);
                    let idx = cx.w.elems.len() as u32;
                    let tag = match name {
                        "article" => Tag::Article,
                        "main" => Tag::Main,
                        "body" => Tag::Body,
                        "p" | "pre" | "blockquote" | "li" | "td" | "th" | "dd" | "dt" | "h1"
                        | "h2" | "h3" | "h4" | "h5" | "h6" => Tag::Para,
                        _ => Tag::Block,
                    };
                    cx.w.elems.push(El {
                        parent: cx.cur_elem,
                        tag,
                        mark,
                        hard,
                        furniture,
                        list: matches!(name, "ul" | "ol" | "dl"),
                        header: name == "header",
                        itemprop_body: itemprop
                            .is_some_and(|p| p.eq_ignore_ascii_case("articlebody")),
                        lead: classes::lead(el.attr("class"), el.attr("id")),
                        describes: itemprop.is_some_and(|p| p.eq_ignore_ascii_case("description")),
                        // Recipe microdata names the ingredients where no class does.
                        ingredients: classes::ingredients(el.attr("class"))
                            || itemprop.is_some_and(|p| {
                                p.eq_ignore_ascii_case("recipeIngredient")
                                    || p.eq_ignore_ascii_case("ingredients")
                            }),
                        heading_box: mark == Mark::WeakFurniture
                            && classes::heading_box(el.attr("class")),
                        sig: signature(name, el.attr("class")),
                        classed: el
                            .attr("class")
                            .is_some_and(|c| c.split_ascii_whitespace().any(|t| !grid_class(t))),
                        chars: 0,
                        link_chars: 0,
                    });
                    let (saved_elem, saved_kind, saved_art, saved_story, saved_brand, saved_furn) = (
                        cx.cur_elem,
                        cx.cur_kind,
                        cx.in_article,
                        cx.in_story,
                        cx.in_brand,
                        cx.in_furniture,
                    );
                    let saved_para = cx.para;
                    if name == "p" {
                        cx.para = Some(node);
                    }
                    cx.in_brand = brand;
                    cx.in_furniture |= elsewhere;
                    if mark == Mark::StrongPositive
                        || itemprop.is_some_and(|p| p.eq_ignore_ascii_case("articlebody"))
                    {
                        cx.in_story = true;
                    }
                    cx.cur_elem = idx;
                    cx.cur_kind = kind;
                    if tag == Tag::Article || tag == Tag::Main || mark == Mark::StrongPositive {
                        cx.in_article = true;
                    }
                    for c in dom.children(node) {
                        visit(dom, c, cx, depth + 1, skip_text, in_link || is_link);
                    }
                    flush(cx);
                    cx.cur_elem = saved_elem;
                    cx.cur_kind = saved_kind;
                    cx.in_article = saved_art;
                    cx.in_story = saved_story;
                    cx.in_brand = saved_brand;
                    cx.in_furniture = saved_furn;
                    cx.para = saved_para;
                }
                None => {
                    // Inline furniture (a credit span, a share link) never joins the text.
                    let skip = skip_text || el.attr("class").is_some_and(classes::inline_furniture);
                    if matches!(name, "img") {
                        return;
                    }
                    let saved_brand = cx.in_brand;
                    cx.in_brand = brand;
                    for c in dom.children(node) {
                        visit(dom, c, cx, depth + 1, skip, in_link || is_link);
                    }
                    cx.in_brand = saved_brand;
                }
            }
        }
        NodeKind::Root => {
            for c in dom.children(node) {
                visit(dom, c, cx, depth + 1, skip_text, in_link);
            }
        }
    }
}
