//! Reconciles the fields each source offers (JSON-LD, OpenGraph/`article:*`, Dublin Core and
//! `name=` meta, microdata, `<time>`, `rel=author`, bylines, breadcrumbs) into one `Article`.

use chrono::{DateTime, Utc};
use url::Url;

use crate::jsonld::JsonLd;
use crate::prepass::Prepass;
use crate::walk::{Walk, collapse};
use crate::{authors, dates, links};

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
) -> Option<String> {
    let candidates = [
        ld.headline.clone(),
        m.get(&["og:title", "twitter:title", "dc.title", "headline"]),
        itemprop(w, "headline").map(collapse),
        w.h1.clone(),
        Some(collapse(&pre.title)),
    ];
    let t = candidates
        .into_iter()
        .flatten()
        .map(|t| collapse(&decode_entities(&t)))
        .find(|t| !t.is_empty())?;
    Some(strip_site(&t, site, w.h1.as_deref()))
}

/// Drops a " | Site" (or " - Site") suffix or prefix that `<title>`-like values carry.
fn strip_site(t: &str, site: Option<&str>, h1: Option<&str>) -> String {
    if let Some(h) = h1
        && t != h
        && t.starts_with(h)
        && h.len() > 10
    {
        return h.to_string();
    }
    for sep in [" | ", " - ", " – ", " — ", " :: ", " · "] {
        if let Some(i) = t.rfind(sep) {
            let (head, tail) = (&t[..i], &t[i + sep.len()..]);
            if site.is_some_and(|s| tail.trim().eq_ignore_ascii_case(s.trim()))
                || (tail.len() < 30
                    && head.len() > 2 * tail.len()
                    && tail.split_whitespace().count() <= 3
                    && sep == " | ")
            {
                return head.trim().to_string();
            }
        }
        if let (Some(i), Some(s)) = (t.find(sep), site)
            && t[..i].trim().eq_ignore_ascii_case(s.trim())
        {
            return t[i + sep.len()..].trim().to_string();
        }
    }
    t.to_string()
}

/// The few entities that survive in JSON-LD and meta values written by hand.
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
}

pub fn authors(ld: &JsonLd, m: &Metas<'_>, w: &Walk) -> Vec<String> {
    let mut out = Vec::new();
    for a in &ld.authors {
        authors::push_unique(&mut out, authors::clean(a));
    }
    if out.is_empty() {
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
                authors::push_unique(&mut out, authors::clean(v));
            }
            if !out.is_empty() {
                break;
            }
        }
    }
    if out.is_empty() {
        for (k, v) in &w.itemprops {
            if k == "author" || k == "creator" {
                authors::push_unique(&mut out, authors::clean(v));
            }
        }
    }
    if out.is_empty() {
        for v in &w.rel_authors {
            authors::push_unique(&mut out, authors::clean(v));
        }
    }
    if out.is_empty() {
        for v in &w.bylines {
            authors::push_unique(&mut out, authors::clean(v));
            if !out.is_empty() {
                break;
            }
        }
    }
    if out.is_empty() {
        // A "By A and B" line near the top of the text.
        for b in w.blocks.iter().take(400) {
            let t = b.text.trim();
            if t.len() < 120
                && (t.starts_with("By ") || t.starts_with("BY ") || t.starts_with("by "))
            {
                authors::push_unique(&mut out, authors::clean(t));
                if !out.is_empty() {
                    break;
                }
            }
        }
    }
    out.truncate(20);
    out
}

pub fn published(ld: &JsonLd, m: &Metas<'_>, w: &Walk) -> Option<DateTime<Utc>> {
    ld.published
        .as_deref()
        .and_then(dates::parse)
        .or_else(|| {
            m.get(&[
                "article:published_time",
                "og:published_time",
                "og:article:published_time",
                "datepublished",
                "date",
                "pubdate",
                "publishdate",
                "publish-date",
                "publish_date",
                "dc.date.issued",
                "dc.date",
                "dcterms.date",
                "dcterms.created",
                "dc.date.created",
                "sailthru.date",
                "parsely-pub-date",
                "article.published",
                "published_time",
                "article_date_original",
                "cxenseparse:recs:publishtime",
                "citation_publication_date",
            ])
            .as_deref()
            .and_then(dates::parse)
        })
        .or_else(|| itemprop(w, "datepublished").and_then(dates::parse))
        .or_else(|| {
            w.times
                .iter()
                .find(|t| t.1)
                .and_then(|t| dates::parse(&t.0))
        })
        .or_else(|| {
            w.times
                .iter()
                .find(|t| !t.2)
                .and_then(|t| dates::parse(&t.0))
        })
}

pub fn modified(ld: &JsonLd, m: &Metas<'_>, w: &Walk) -> Option<DateTime<Utc>> {
    ld.modified
        .as_deref()
        .and_then(dates::parse)
        .or_else(|| {
            m.get(&[
                "article:modified_time",
                "og:updated_time",
                "og:article:modified_time",
                "datemodified",
                "last-modified",
                "dc.date.modified",
                "dcterms.modified",
                "article.updated",
                "lastmod",
            ])
            .as_deref()
            .and_then(dates::parse)
        })
        .or_else(|| itemprop(w, "datemodified").and_then(dates::parse))
        .or_else(|| {
            w.times
                .iter()
                .find(|t| t.2)
                .and_then(|t| dates::parse(&t.0))
        })
}

pub fn section(ld: &JsonLd, m: &Metas<'_>, w: &Walk, title: Option<&str>) -> Option<String> {
    if let Some(s) = ld
        .section
        .clone()
        .or_else(|| {
            m.get(&[
                "article:section",
                "section",
                "parsely-section",
                "dc.subject",
            ])
        })
        .or_else(|| itemprop(w, "articlesection").map(collapse))
    {
        let s = s.split([',', ';']).next().unwrap_or("").trim().to_string();
        if !s.is_empty() && s.len() < 80 {
            return Some(s);
        }
    }
    let crumbs = if ld.breadcrumbs.is_empty() {
        &w.breadcrumbs
    } else {
        &ld.breadcrumbs
    };
    crumbs.iter().rev().map(|c| collapse(c)).find(|c| {
        !c.is_empty()
            && c.len() < 60
            && !c.eq_ignore_ascii_case("home")
            && !title.is_some_and(|t| t.eq_ignore_ascii_case(c))
    })
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
