//! Reconciles the fields each source offers (JSON-LD, OpenGraph/`article:*`, Dublin Core and
//! `name=` meta, microdata, `<time>`, `rel=author`, bylines, breadcrumbs) into one `Article`.

use url::Url;

use crate::dates::{Date, Order};

use crate::jsonld::JsonLd;
use crate::prepass::Prepass;
use crate::walk::{Walk, collapse};
use crate::{authors, dates, entities, links};

/// Lookup over the page's `<meta>` pairs.
pub struct Metas<'a>(pub &'a [(String, String)]);

impl Metas<'_> {
    /// The first non-empty value among `keys`, in key priority order.
    pub fn get(&self, keys: &[&str]) -> Option<String> {
        keys.iter().find_map(|k| {
            self.0
                .iter()
                .find(|(mk, v)| mk == k && !v.trim().is_empty())
                .map(|(_, v)| collapse(v))
        })
    }

    pub fn all(&self, key: &str) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

fn itemprop<'a>(w: &'a Walk, key: &str) -> Option<&'a str> {
    w.itemprops
        .iter()
        .find(|(k, v)| k == key && !v.trim().is_empty())
        .map(|(_, v)| v.as_str())
}

pub fn title(
    ld: &JsonLd,
    m: &Metas<'_>,
    w: &Walk,
    pre: &Prepass,
    site: Option<&str>,
    host: Option<&str>,
) -> Option<String> {
    let clean = |t: Option<String>| {
        t.map(|t| collapse(&decode_entities(&t)))
            .filter(|t| !t.is_empty())
    };
    let ld_headline = clean(ld.headline.clone());
    let ip_headline = clean(itemprop(w, "headline").map(str::to_string));
    let h1 = clean(w.h1.clone());
    // The forms that name the story alone, without site or section decoration.
    let headlines: Vec<&str> = [&ld_headline, &ip_headline, &h1]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .filter(|h| !authors::is_site(h, site, host))
        .collect();
    let section = ld.section.clone().or_else(|| m.get(&["article:section"]));
    let candidates = [
        ld_headline.clone(),
        clean(m.get(&["og:title", "twitter:title", "dc.title", "headline"])),
        ip_headline.clone(),
        h1.clone(),
        clean(Some(pre.title.clone())),
    ];
    let mut first = None;
    for t in candidates.into_iter().flatten() {
        let t = strip_site(&t, site, host, section.as_deref(), &headlines);
        if t.is_empty() {
            continue;
        }
        // The site's own name (a logo `<h1>`, a generic `<title>`) is no headline.
        if authors::is_site(&t, site, None) && site.is_some_and(|s| s.len() >= t.len()) {
            first.get_or_insert(t);
            continue;
        }
        return Some(t);
    }
    first
}

const TITLE_SEPS: [&str; 7] = [" | ", " - ", " – ", " — ", " :: ", " · ", " // "];

/// Drops the site name or section that `<title>`-like values put before or after the headline
/// (" | Site", "Section | ", " - Site"). A form matching a bare headline (`<h1>`, JSON-LD
/// `headline`) wins; colons inside headlines ("Fact Check: …") are never cut.
fn strip_site(
    t: &str,
    site: Option<&str>,
    host: Option<&str>,
    section: Option<&str>,
    headlines: &[&str],
) -> String {
    for h in headlines {
        if t == *h || h.chars().count() < 8 {
            continue;
        }
        if t.starts_with(h) && h.len() > 10 {
            return (*h).to_string();
        }
        if let Some(head) = t.strip_suffix(h)
            && TITLE_SEPS.iter().any(|s| head.ends_with(s))
        {
            return (*h).to_string();
        }
    }
    let siteish = |part: &str| {
        let part = part.trim();
        site.is_some_and(|s| part.eq_ignore_ascii_case(s.trim()))
            || authors::is_site(part, site, host)
            || section.is_some_and(|s| part.eq_ignore_ascii_case(s.trim()))
    };
    for sep in TITLE_SEPS {
        if let Some(i) = t.rfind(sep) {
            let (head, tail) = (&t[..i], &t[i + sep.len()..]);
            let brand = !tail.trim().contains(' ')
                && tail
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_alphabetic() && !c.is_lowercase())
                && tail.chars().count() <= 25
                && (head.chars().count() >= 2 * tail.chars().count()
                    // "Headline - Example.com"
                    || (tail.contains('.') && head.chars().count() > tail.chars().count()));
            if siteish(tail) {
                // "Section | Headline | Site": the section may lead what is left.
                return strip_site(head.trim(), site, host, section, &[]);
            }
            if (tail.len() < 30
                && head.len() > 2 * tail.len()
                && tail.split_whitespace().count() <= 3
                && sep == " | ")
                || brand
            {
                return head.trim().to_string();
            }
        }
        if let Some(i) = t.find(sep)
            && siteish(&t[..i])
        {
            return t[i + sep.len()..].trim().to_string();
        }
    }
    t.to_string()
}

/// Character references that survive in JSON-LD and meta values, often encoded twice
/// (`&amp;#8217;`).
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let once = entities::decode(s);
    if once.contains('&') {
        entities::decode(&once).into_owned()
    } else {
        once.into_owned()
    }
}

pub fn authors(
    ld: &JsonLd,
    m: &Metas<'_>,
    w: &Walk,
    pre: &Prepass,
    url_path: Option<&str>,
    site: Option<&str>,
    host: Option<&str>,
) -> Vec<String> {
    let mut out = Vec::new();
    // The publication's own name is an author only when nothing else names one (a personal
    // blog named after its writer, a press release); it waits in `site_named` till the end.
    // An agency or a desk is one only when no person is named, so later sources are read
    // until a person turns up.
    let (dropped, copyrights) = (&pre.dropped_authors, &pre.copyrights);
    let site_named = std::cell::RefCell::new(Vec::new());
    // "Internacional" in the byline box of /actualidad/internacional/…, "Erhverv" of
    // /Erhverv/…: a one-word name that is the page's section (a folder of its URL or a
    // breadcrumb) is no author. On a blog platform the folder is the blogger's
    // (blogs.example/elba/blog/…).
    let blog =
        host.is_some_and(|h| h.contains("blog")) || url_path.is_some_and(|p| p.contains("blog"));
    let section = |a: &str| {
        !a.contains(' ')
            && a.starts_with(char::is_uppercase)
            && ((!blog
                && url_path.is_some_and(|p| p.split('/').any(|seg| seg.eq_ignore_ascii_case(a))))
                || w.breadcrumbs.iter().any(|b| b.eq_ignore_ascii_case(a)))
    };
    let push = |out: &mut Vec<String>, raw: &str| {
        let raw = decode_entities(raw);
        let (mut names, mut site_names): (Vec<String>, Vec<String>) = authors::clean(&raw)
            .into_iter()
            .partition(|n| !authors::is_site(n, site, host));
        names.retain(|n| !section(n));
        // "hessenschau.de, Frankfurt, Germany": after the outlet, lone words are its place.
        if let Some((head, _)) = raw.split_once(',')
            && (authors::is_site(head.trim(), site, host) || is_domain(head.trim()))
        {
            names.retain(|n| n.contains(' '));
        }
        // "Outlet - Ann Lee": the outlet first, the person after the separator.
        if names.is_empty()
            && let Some((head, tail)) = raw.split_once(" - ").or_else(|| raw.split_once(" | "))
            && authors::is_site(head.trim(), site, host)
        {
            let (n, s): (Vec<String>, Vec<String>) = authors::clean(tail)
                .into_iter()
                .partition(|n| !authors::is_site(n, site, host));
            names = n;
            site_names.extend(s);
        }
        authors::push_unique(out, names);
        authors::push_unique(&mut site_named.borrow_mut(), site_names);
    };
    let has_person = |out: &Vec<String>| out.iter().any(|a| !authors::is_org(a));
    for a in &ld.authors {
        push(&mut out, a);
    }
    if !has_person(&out) {
        for k in [
            "author",
            "article:author",
            "dc.creator",
            "dcterms.creator",
            "sailthru.author",
            "parsely-author",
            "byl",
            "citation_author",
        ] {
            for v in m.all(k) {
                push(&mut out, v);
            }
            if has_person(&out) {
                break;
            }
        }
    }
    if !has_person(&out) {
        for (k, v) in &w.itemprops {
            if k == "author" || k == "creator" {
                push(&mut out, v);
            }
        }
    }
    if !has_person(&out) {
        // Slack-style unfurl labels: `twitter:label1` "Written by", `twitter:data1` the name.
        for i in 1..=4 {
            let label = m.get(&[format!("twitter:label{i}").as_str()]);
            if label.is_some_and(|l| {
                let l = l.to_lowercase();
                l.contains("written by") || l.contains("author") || l.contains("verfasst von")
            }) && let Some(v) = m.get(&[format!("twitter:data{i}").as_str()])
            {
                push(&mut out, &v);
            }
        }
    }
    if !has_person(&out) {
        for v in &w.rel_authors {
            push(&mut out, v);
        }
    }
    if !has_person(&out) {
        for v in &w.bylines {
            push(&mut out, v);
            if has_person(&out) {
                break;
            }
        }
    }
    if !has_person(&out) {
        for v in &w.author_links {
            push(&mut out, v);
            if has_person(&out) {
                break;
            }
        }
    }
    if !has_person(&out) {
        // A "By A and B" line near the top of the text, in the page's language, or a line
        // that is only the label ("By", "Von:") with the names in the next one.
        let blocks = &w.blocks[..w.blocks.len().min(400)];
        for (i, b) in blocks.iter().enumerate() {
            let t = b.text.trim();
            if t.len() < 120 && by_line(t) {
                push(&mut out, t);
            } else if is_by_label(t)
                && let Some(next) = blocks.get(i + 1).filter(|n| {
                    // Names, not a lone button label ("Filter").
                    n.text.len() < 120 && n.text.split_whitespace().nth(1).is_some()
                })
            {
                push(&mut out, &next.text);
            }
            if has_person(&out) {
                break;
            }
        }
    }
    if !has_person(&out) {
        // Marked authors in comments, teasers or a footer box, or in a footer or aside the
        // prepass dropped: after everything in the story's own place.
        for v in w.furniture_authors.iter().chain(dropped) {
            push(&mut out, v);
            if has_person(&out) {
                break;
            }
        }
    }
    // Structured data often names only the first of several authors; a byline or meta value
    // that lists them all, the ones found among them, completes the list.
    if has_person(&out) {
        let fuller = w
            .bylines
            .iter()
            .take(4)
            .map(String::as_str)
            .chain(m.all("author"))
            .map(|v| {
                authors::clean(&decode_entities(v))
                    .into_iter()
                    .filter(|n| !authors::is_site(n, site, host))
                    // Initials after a name ("Tina Klostermeier, TK") sign the same person.
                    .filter(|n| n.contains(' ') || n.chars().count() > INITIALS_MAX)
                    .collect::<Vec<_>>()
            })
            .find(|names| {
                names.len() > out.len()
                    && out
                        .iter()
                        .all(|o| names.iter().any(|n| n.eq_ignore_ascii_case(o)))
            });
        if let Some(names) = fuller {
            out = names;
        }
    }
    // A first name alone ("Nils" in the meta author) completed by the byline that gives the
    // full name ("Eine Kolumne von Nils Pickert").
    if let [only] = out.as_slice()
        && !only.contains(' ')
        && !authors::is_org(only)
    {
        let lines = w.blocks[..w.blocks.len().min(400)]
            .iter()
            .map(|b| b.text.trim())
            .filter(|t| t.len() < 120 && by_line(t));
        let full = w
            .bylines
            .iter()
            .chain(&w.rel_authors)
            .chain(&w.author_links)
            .map(String::as_str)
            .chain(lines)
            .flat_map(|v| authors::clean(&decode_entities(v)))
            .find(|n| {
                n.split_once(' ')
                    .is_some_and(|(first, _)| first.eq_ignore_ascii_case(only))
            });
        if let Some(full) = full {
            out = vec![full];
        }
    }
    if out.is_empty() {
        // A lone handle ("gizzmo", "delta201") where the page marks its author explicitly.
        let explicit = ld
            .authors
            .iter()
            .map(String::as_str)
            .chain(m.all("author"))
            .chain(
                w.itemprops
                    .iter()
                    .filter(|(k, _)| k == "author")
                    .map(|(_, v)| v.as_str()),
            )
            .chain(w.rel_authors.iter().map(String::as_str))
            .chain(w.bylines.iter().map(String::as_str))
            .chain(w.author_links.iter().map(String::as_str))
            .chain(w.furniture_authors.iter().map(String::as_str))
            .chain(dropped.iter().map(String::as_str));
        let (mut people, sites): (Vec<String>, Vec<String>) = explicit
            .filter_map(|v| authors::handle(&decode_entities(v)))
            .partition(|h| !authors::is_site(h, site, host));
        if !people.is_empty() {
            out.push(people.swap_remove(0));
        } else {
            // A blog named after its writer's handle ("gnaddrig" of "gnaddrig ad libitum"):
            // the site's name, and so an author only when nothing else names one.
            let mut site_named = site_named.borrow_mut();
            if site_named.is_empty() {
                site_named.extend(sites.into_iter().take(1));
            }
        }
    }
    if out.is_empty() {
        // A personal site's owner, named only in its copyright notice; when the site is named
        // after them ("Gregory Szorc's Digital Home"), as the site's name.
        if let Some(holder) = copyrights
            .iter()
            .find_map(|c| authors::copyright_holder(&decode_entities(c)))
        {
            if !authors::is_site(&holder, site, host) {
                out.push(holder);
            } else if site_named.borrow().is_empty() {
                site_named.borrow_mut().push(holder);
            }
        }
    }
    if out.is_empty() {
        out = site_named.into_inner();
        out.truncate(1);
    }
    if has_person(&out) {
        out.retain(|a| !authors::is_org(a));
    }
    out.truncate(20);
    out
}

/// A bare host name ("hessenschau.de", "ORF.at") standing for the outlet.
fn is_domain(s: &str) -> bool {
    !s.contains(' ')
        && s.rsplit_once('.').is_some_and(|(name, tld)| {
            !name.is_empty()
                && (2..=6).contains(&tld.len())
                && tld.chars().all(|c| c.is_ascii_alphabetic())
        })
}

/// A line that is only a byline label: "By", "Von:", "Par", "Autor:".
fn is_by_label(t: &str) -> bool {
    let l = t.trim_end_matches(':').trim().to_lowercase();
    matches!(
        l.as_str(),
        "by" | "von" | "par" | "por" | "door" | "autor" | "author" | "auteur"
    )
}

/// Longest run of letters read as a person's initials ("TK", "dpa" is an agency).
const INITIALS_MAX: usize = 3;

/// Whether a line opens like a byline: "By", "Von", "Par", "Por", "Di", "Door", "Av", "Af",
/// "Przez", "Autor:", "Text:" and a capitalised name.
fn by_line(t: &str) -> bool {
    const OPENERS: &[&str] = &[
        "by ",
        "von ",
        "par ",
        "por ",
        "di ",
        "door ",
        "av ",
        "af ",
        "przez ",
        "autor: ",
        "autorin: ",
        "author: ",
        "text: ",
        "texto: ",
        "written by ",
        "posted by ",
        "von: ",
        "geschrieben von ",
        "verfasst von ",
        "autoren ",
        "autoren: ",
        "écrit par ",
        "escrito por ",
        "scritto da ",
    ];
    if authors::unglue_opener(t).is_some() {
        return true;
    }
    if authors::dated_by(t).is_some() {
        return true;
    }
    if let Some(n) = authors::genre_opener(t) {
        return t[n..].trim_start().starts_with(char::is_uppercase);
    }
    let lower = t.to_lowercase();
    OPENERS.iter().any(|o| {
        // `get`: lowercasing may change byte lengths ("İ"), so the cut must be checked.
        lower.starts_with(o)
            && t.get(o.len()..)
                .and_then(|r| r.chars().next())
                .is_some_and(char::is_uppercase)
    })
}

/// Meta keys of the publication date, in priority order.
const PUBLISHED_KEYS: &[&str] = &[
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "article:published",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "publication_date",
    "date_published",
    "dc.date.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.issued",
    "dcterms.created",
    "dc.date.created",
    "datecreated",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "published_time",
    "article_date_original",
    "cxenseparse:recs:publishtime",
    "citation_publication_date",
    "citation_date",
    "citation_online_date",
    "bt:pubdate",
    "uploaddate",
    "datecreated",
    "article:published_date",
    "article_published_time",
    "published-date",
    "pub_date",
    "pubdate_iso",
    "date-published",
    "date_published",
    "publication-date",
    "prism.publicationdate",
    "prism.coverdate",
    "rnews:datepublished",
    "dc.date.created",
    "dcterms.available",
    "dc.date.available",
    "og:pubdate",
    "article.created",
    "created",
    "release_date",
    "originalpublicationdate",
    "displaydate",
];

/// What the date search knows beyond the page's markup.
pub struct DateCtx<'a> {
    pub order: Order,
    pub url_path: Option<&'a str>,
    pub fetched_at: Option<Date>,
}

/// The publication date: declared values first (JSON-LD, meta, microdata, a `<time>` marked as
/// published), then the story's own printed date stamps (date-classed elements, `<time>` text,
/// also in dropped boilerplate), the URL path, the first date stamp in the text, and a relative
/// phrase against the fetch time. Dates in teasers, comments and sidebars come last.
pub fn published(
    ld: &JsonLd,
    m: &Metas<'_>,
    w: &Walk,
    pre: &Prepass,
    cx: &DateCtx<'_>,
) -> Option<Date> {
    let story_times = || w.times.iter().filter(|t| !t.furniture && !t.text_only);
    let cands = meta_values(m, PUBLISHED_KEYS)
        .chain(ld.published.iter().map(String::as_str))
        .chain(itemprop(w, "datepublished"))
        .chain(itemprop(w, "uploaddate"))
        .chain(itemprop(w, "datecreated"))
        .chain(story_times().filter(|t| t.publ).map(|t| t.value.as_str()))
        .chain(
            pre.dropped_times
                .iter()
                .filter(|t| t.publ && !t.text_only)
                .map(|t| t.value.as_str()),
        )
        .chain(story_times().filter(|t| !t.upd).map(|t| t.value.as_str()));
    let printed =
        |t: &str| dates::parse_text(t).or_else(|| dates::scan(t, cx.order).and_then(dates::day));
    let labelled = labelled_date(w, cx.order);
    if let Some(d) = best_date(cands) {
        // A date the page labels as its publication ("Erschienen am 13.10.2021") is the one
        // readers see; metadata naming another day was re-stamped.
        if let Some(v) = labelled
            && (v.date_naive() - d.date_naive()).num_days().abs() > 1
        {
            return Some(v);
        }
        // The date the story shows its readers (a `<time>` or a date-classed stamp outside
        // teasers) wins over a declared one that names another day: CMSs re-stamp metadata
        // when a story is moved or re-saved, the printed date stays.
        // Only on a page with one or two such stamps: a list of them is teasers.
        let stamps = w.times.iter().filter(|t| !t.furniture && !t.upd).count();
        let shown = w
            .times
            .iter()
            .filter(|t| !t.furniture && !t.upd && stamps <= 2)
            .find_map(|t| {
                if t.text_only {
                    printed(&t.value)
                } else {
                    dates::parse(&t.value)
                }
            });
        // Else a printed stamp in a date-classed element outside teasers, when the page has
        // only one or two of them.
        let printed_stamps: Vec<&str> = w
            .date_texts
            .iter()
            .filter(|t| !t.1)
            .map(|t| t.0.as_str())
            .collect();
        let shown = shown.or_else(|| {
            (printed_stamps.len() <= 2)
                .then(|| printed_stamps.iter().find_map(|t| printed(t)))
                .flatten()
        });
        // A story `<time>` or printed stamp on the declared day confirms it: the other stamp
        // is then a reader's join date, the site's clock or a teaser.
        let confirmed = || {
            let same = |v: Option<Date>| v.is_some_and(|v| v.date_naive() == d.date_naive());
            story_times().any(|t| {
                same(if t.text_only {
                    printed(&t.value)
                } else {
                    dates::parse(&t.value)
                })
            }) || printed_stamps.iter().any(|t| same(printed(t)))
        };
        if let Some(v) = shown
            && (v.date_naive() - d.date_naive()).num_days().abs() > 1
            && !confirmed()
        {
            return Some(v);
        }
        // A UTC timestamp hides the publisher's local day; the URL's day or the printed date
        // says which it was.
        if d.offset().local_minus_utc() == 0 {
            let hint = cx.url_path.and_then(dates::from_url).or_else(|| {
                w.date_texts
                    .iter()
                    .filter(|t| !t.1)
                    .map(|t| t.0.as_str())
                    .chain(
                        w.times
                            .iter()
                            .filter(|t| t.text_only && !t.furniture)
                            .map(|t| t.value.as_str()),
                    )
                    .find_map(printed)
                    .map(|p| p.date_naive())
            });
            if let Some(h) = hint {
                return Some(dates::on_local_day(d, h));
            }
        }
        return Some(d);
    }
    let text_times = |furn: bool| {
        w.times
            .iter()
            .chain(&pre.dropped_times)
            .filter(move |t| t.furniture == furn && !t.upd)
    };
    let found = text_times(false)
        .filter(|t| t.publ)
        .chain(pre.dropped_times.iter().filter(|t| t.publ))
        .find_map(|t| printed(&t.value))
        .or_else(|| {
            w.date_texts
                .iter()
                .filter(|t| !t.1)
                .find_map(|t| printed(&t.0))
        })
        .or_else(|| text_times(false).find_map(|t| printed(&t.value)))
        .or_else(|| {
            pre.dropped_times
                .iter()
                .filter(|t| !t.upd)
                .find_map(|t| printed(&t.value))
        });
    if found.is_some() {
        return found;
    }
    if labelled.is_some() {
        return labelled;
    }
    if let Some(d) = cx.url_path.and_then(dates::from_url).and_then(dates::day) {
        return Some(d);
    }
    // A date stamp as a short line of its own, in page order, outside teasers and comments.
    let furniture = |b: &crate::walk::Block| {
        let e = &w.elems[b.elem as usize];
        e.furniture && e.hard
    };
    let stamp = w
        .blocks
        .iter()
        .take(3000)
        .filter(|b| !furniture(b))
        .find_map(|b| {
            // A whole short line, or the head of a paragraph ("01.02.2022 – The council…").
            let t = if b.text.len() <= 120 {
                b.text.as_str()
            } else {
                head(&b.text, 40)
            };
            dates::scan(t, cx.order).and_then(dates::day)
        });
    stamp
        .or_else(|| posted_sentence(w, cx.order))
        .or_else(|| text_times(true).find_map(|t| printed(&t.value)))
        .or_else(|| w.date_texts.iter().find_map(|t| printed(&t.0)))
        .or_else(|| {
            let now = cx.fetched_at?;
            w.times
                .iter()
                .map(|t| t.value.as_str())
                .chain(w.date_texts.iter().map(|t| t.0.as_str()))
                .chain(
                    w.blocks
                        .iter()
                        .take(3000)
                        .filter(|b| b.text.len() <= 40)
                        .map(|b| b.text.as_str()),
                )
                .find_map(|t| dates::relative(t, now))
        })
}

/// Phrases inside a sentence that say when the post went up ("This entry was posted on
/// Saturday, December 3rd, 2011", "Dieser Beitrag wurde am 3. Dezember 2011 veröffentlicht").
const POSTED_PHRASES: &[&str] = &[
    "was posted on",
    "posted on",
    "published on",
    "wurde am",
    "veröffentlicht am",
    "erstellt am",
    "publié le",
    "publicado el",
    "publicado em",
    "pubblicato il",
    "gepubliceerd op",
];

/// Longest block searched for a [`POSTED_PHRASES`] sentence: a post's closing line, not prose.
const POSTED_MAX_BYTES: usize = 400;

/// The date after a "was posted on" phrase in a short block outside hard furniture.
fn posted_sentence(w: &Walk, order: dates::Order) -> Option<Date> {
    w.blocks
        .iter()
        .take(3000)
        .filter(|b| b.text.len() <= POSTED_MAX_BYTES)
        .filter(|b| {
            let e = &w.elems[b.elem as usize];
            !(e.furniture && e.hard)
        })
        .find_map(|b| {
            let lower = b.text.to_lowercase();
            let at = POSTED_PHRASES.iter().find_map(|p| lower.find(p))?;
            dates::scan(head(&lower[at..], 80), order).and_then(dates::day)
        })
}

/// A date in the page's description ("… (News of 14 January 2020)"), for a page that shows
/// no date anywhere else.
pub fn described(m: &Metas<'_>, order: dates::Order) -> Option<Date> {
    m.get(&["og:description", "description", "twitter:description"])
        .and_then(|d| dates::scan(&d, order))
        .and_then(dates::day)
}

/// Labels that introduce a story's publication date on the page.
const PUBLISHED_LABELS: &[&str] = &[
    "veröffentlicht am",
    "veröffentlicht:",
    "erschienen am",
    "publiziert am",
    "published on",
    "published:",
    "first published",
    "publié le",
    "publicado el",
    "publicado em",
    "publicado:",
    "pubblicato il",
    "gepubliceerd op",
    "opublikowano",
    "julkaistu",
    "publicerad",
    "publiceret",
];

/// The date of the one short line (outside hard furniture) that labels it as the publication
/// date; the date may stand in the next block ("Erschienen am:" then "13.10.2021"). `None` when
/// no line does, or lines name different days.
fn labelled_date(w: &Walk, order: dates::Order) -> Option<Date> {
    let mut found: Option<Date> = None;
    let blocks = &w.blocks[..w.blocks.len().min(3000)];
    for (i, b) in blocks.iter().enumerate() {
        let e = &w.elems[b.elem as usize];
        if b.text.len() > 100 || (e.furniture && e.hard) {
            continue;
        }
        let lower = b.text.to_lowercase();
        let Some(label) = PUBLISHED_LABELS.iter().find(|l| lower.starts_with(*l)) else {
            continue;
        };
        let rest = &lower[label.len()..];
        let d = dates::scan(rest, order)
            .or_else(|| {
                let next = blocks.get(i + 1).filter(|n| n.text.len() <= 60)?;
                dates::scan(&next.text, order)
            })
            .and_then(dates::day);
        match (found, d) {
            (_, None) => {}
            (None, Some(d)) => found = Some(d),
            (Some(f), Some(d)) if f.date_naive() != d.date_naive() => return None,
            _ => {}
        }
    }
    found
}

/// The first `max` bytes of `s`, cut at a character boundary.
fn head(s: &str, max: usize) -> &str {
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Values of `keys` in key priority order.
fn meta_values<'a>(m: &'a Metas<'_>, keys: &'a [&'a str]) -> impl Iterator<Item = &'a str> {
    keys.iter().flat_map(move |k| {
        m.0.iter()
            .filter(move |(mk, v)| mk == k && !v.trim().is_empty())
            .map(|(_, v)| v.as_str())
    })
}

/// The first value that parses; a bare day ("2019-11-18") gives way to a later value with a
/// time of day on (about) that day, as pages state the day in JSON-LD and the time in meta.
fn best_date<'a>(cands: impl Iterator<Item = &'a str>) -> Option<Date> {
    let mut day: Option<Date> = None;
    for (i, raw) in cands.enumerate() {
        if i > 64 {
            break;
        }
        let Some(d) = dates::parse(raw) else {
            continue;
        };
        let date_only = !raw.contains(':');
        match day {
            None if date_only => day = Some(d),
            None => return Some(d),
            Some(dd) => {
                if !date_only && (d - dd).num_hours().abs() <= 36 {
                    return Some(d);
                }
            }
        }
    }
    day
}

pub fn modified(ld: &JsonLd, m: &Metas<'_>, w: &Walk) -> Option<Date> {
    const KEYS: &[&str] = &[
        "article:modified_time",
        "og:updated_time",
        "og:article:modified_time",
        "article:modified",
        "datemodified",
        "last-modified",
        "dc.date.modified",
        "dcterms.modified",
        "article.updated",
        "lastmod",
    ];
    let cands = ld
        .modified
        .iter()
        .map(String::as_str)
        .chain(meta_values(m, KEYS))
        .chain(itemprop(w, "datemodified"))
        .chain(
            w.times
                .iter()
                .filter(|t| t.upd && !t.text_only && !t.furniture)
                .map(|t| t.value.as_str()),
        );
    best_date(cands)
}

pub fn section(
    ld: &JsonLd,
    m: &Metas<'_>,
    w: &Walk,
    title: Option<&str>,
    site: Option<&str>,
    host: Option<&str>,
) -> Option<String> {
    // CMS placeholders, share buttons and the site's own name are no section.
    let usable = |c: &str| {
        let l = c.to_lowercase();
        !c.is_empty()
            && !matches!(
                l.as_str(),
                "post"
                    | "posts"
                    | "article"
                    | "articles"
                    | "page"
                    | "story"
                    | "uncategorized"
                    | "default"
                    | "none"
                    | "null"
                    | "home"
                    | "twitter"
                    | "facebook"
                    | "email"
                    | "share"
                    | "print"
                    | "linkedin"
                    | "whatsapp"
                    | "reddit"
                    | "pinterest"
            )
            && !authors::is_site(c, site, host)
    };
    let declared = [
        ld.section.clone(),
        m.get(&[
            "article:section",
            "section",
            "parsely-section",
            "dc.subject",
        ]),
        itemprop(w, "articlesection").map(collapse),
    ];
    for s in declared.into_iter().flatten() {
        let s = decode_entities(&s);
        let s = s.split([',', ';']).next().unwrap_or("").trim();
        // "News - News", "Politics - Elections": the first level.
        let s = s.split(" - ").next().unwrap_or("").trim().to_string();
        if usable(&s) && s.len() < 80 {
            return Some(s);
        }
    }
    let crumbs = if ld.breadcrumbs.is_empty() {
        &w.breadcrumbs
    } else {
        &ld.breadcrumbs
    };
    crumbs
        .iter()
        .rev()
        .map(|c| collapse(c))
        .find(|c| usable(c) && c.len() < 60 && !title.is_some_and(|t| t.eq_ignore_ascii_case(c)))
}

pub fn site_name(ld: &JsonLd, m: &Metas<'_>) -> Option<String> {
    m.get(&[
        "og:site_name",
        "application-name",
        "twitter:site:name",
        "publisher",
    ])
    .or_else(|| ld.publisher.clone())
    .map(|s| decode_entities(&s))
    .map(|s| {
        // Some CMSs put the home URL there; its host is the better name.
        match Url::parse(&s) {
            Ok(u) if s.starts_with("http") => u
                .host_str()
                .map_or(s.clone(), |h| h.trim_start_matches("www.").to_string()),
            _ => s,
        }
    })
    .filter(|s| s.len() < 120)
}

/// `<html lang>`, then meta, then the body's own words.
pub fn language(pre: &Prepass, ld: &JsonLd, m: &Metas<'_>, body: &str) -> Option<String> {
    let declared = [
        pre.lang.clone(),
        m.get(&["content-language", "language", "dc.language", "og:locale"]),
        ld.in_language.clone(),
    ];
    for d in declared.into_iter().flatten() {
        let code: String = d
            .trim()
            .split(['-', '_', ','])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if code.len() == 2 && code.bytes().all(|b| b.is_ascii_lowercase()) {
            return Some(code);
        }
    }
    let sample: String = body.chars().take(2000).collect();
    let info = whatlang::detect(&sample)?;
    Some(info.lang().code().to_string()).and_then(|c| iso639_1(&c).map(str::to_string))
}

/// whatlang speaks ISO 639-3; the archive stores 639-1.
fn iso639_1(code: &str) -> Option<&'static str> {
    Some(match code {
        "eng" => "en",
        "rus" => "ru",
        "cmn" => "zh",
        "spa" => "es",
        "por" => "pt",
        "ita" => "it",
        "ben" => "bn",
        "fra" => "fr",
        "deu" => "de",
        "ukr" => "uk",
        "kat" => "ka",
        "ara" => "ar",
        "hin" => "hi",
        "jpn" => "ja",
        "heb" => "he",
        "yid" => "yi",
        "pol" => "pl",
        "amh" => "am",
        "jav" => "jv",
        "kor" => "ko",
        "nob" => "nb",
        "dan" => "da",
        "swe" => "sv",
        "fin" => "fi",
        "tur" => "tr",
        "nld" => "nl",
        "hun" => "hu",
        "ces" => "cs",
        "ell" => "el",
        "bul" => "bg",
        "bel" => "be",
        "mar" => "mr",
        "kan" => "kn",
        "ron" => "ro",
        "slv" => "sl",
        "hrv" => "hr",
        "srp" => "sr",
        "mkd" => "mk",
        "lit" => "lt",
        "lav" => "lv",
        "est" => "et",
        "tam" => "ta",
        "vie" => "vi",
        "urd" => "ur",
        "tha" => "th",
        "guj" => "gu",
        "uzb" => "uz",
        "pan" => "pa",
        "aze" => "az",
        "ind" => "id",
        "tel" => "te",
        "pes" => "fa",
        "mal" => "ml",
        "ori" => "or",
        "mya" => "my",
        "nep" => "ne",
        "sin" => "si",
        "khm" => "km",
        "tuk" => "tk",
        "aka" => "ak",
        "zul" => "zu",
        "sna" => "sn",
        "afr" => "af",
        "lat" => "la",
        "slk" => "sk",
        "cat" => "ca",
        "tgl" => "tl",
        "hye" => "hy",
        "epo" => "eo",
        _ => return None,
    })
}

pub fn canonical(pre: &Prepass, ld: &JsonLd, m: &Metas<'_>, page: Option<&Url>) -> Option<String> {
    [pre.canonical.clone(), m.get(&["og:url"]), ld.url.clone()]
        .into_iter()
        .flatten()
        .find_map(|c| links::absolute(page, &c))
        .or_else(|| page.and_then(|p| links::absolute(Some(p), p.as_str())))
}

pub fn lead_image(ld: &JsonLd, m: &Metas<'_>, w: &Walk, page: Option<&Url>) -> Option<String> {
    [
        m.get(&["og:image", "og:image:url", "og:image:secure_url"]),
        ld.image.clone(),
        m.get(&["twitter:image", "twitter:image:src", "thumbnail"]),
        w.first_img.clone(),
    ]
    .into_iter()
    .flatten()
    .find_map(|c| links::absolute(page, &c))
}

pub fn lead_caption(ld: &JsonLd, w: &Walk) -> Option<String> {
    w.captions
        .first()
        .cloned()
        .or_else(|| ld.image_caption.clone())
        .map(|c| collapse(&c))
        .filter(|c| !c.is_empty())
}

pub fn description(ld: &JsonLd, m: &Metas<'_>) -> Option<String> {
    m.get(&[
        "description",
        "og:description",
        "twitter:description",
        "dc.description",
    ])
    .or_else(|| ld.description.clone())
    .map(|d| decode_entities(&d))
}

pub fn tags(ld: &JsonLd, m: &Metas<'_>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |t: &str| {
        let t = collapse(t);
        if !t.is_empty()
            && t.len() < 80
            && !out.iter().any(|o| o.eq_ignore_ascii_case(&t))
            && out.len() < 50
        {
            out.push(t);
        }
    };
    for t in m.all("article:tag") {
        push(t);
    }
    for t in &ld.keywords {
        push(t);
    }
    if let Some(k) = m.get(&["news_keywords", "keywords"]) {
        for t in k.split(',') {
            push(t);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn by_line_openers_survive_case_folding_that_changes_lengths() {
        assert!(super::by_line("Von Leonora Holling"));
        assert!(!super::by_line("von der Leyen said"));
        // "İ" lowercases to two characters: no slicing inside one.
        assert!(!super::by_line("DİX"));
        assert!(!super::by_line("İİİ İ"));
        assert!(crate::authors::clean("BY İSMAİL KAYA").len() <= 1);
    }
}
