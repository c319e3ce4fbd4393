//! Page kind: is this one story, or a home page, an index (section, tag, author), search or a
//! legal/about page?

use url::Url;

/// Signals the decision is made from.
#[derive(Debug, Default)]
pub struct Signals<'a> {
    pub url: Option<&'a Url>,
    pub og_type: Option<&'a str>,
    pub ld_article: bool,
    pub ld_listing: bool,
    pub has_published: bool,
    pub body_words: usize,
    pub body_paragraphs: usize,
    /// Words in the body's longest paragraph: teaser blurbs are short, story paragraphs are not.
    pub longest_paragraph: usize,
}

/// Path segments that name an index or a service page, not a story.
const INDEX_SEGMENTS: &[&str] = &[
    "section",
    "sections",
    "tag",
    "tags",
    "topic",
    "topics",
    "category",
    "categories",
    "author",
    "authors",
    "search",
    "about",
    "about-us",
    "contact",
    "contact-us",
    "privacy",
    "privacy-policy",
    "terms",
    "terms-of-service",
    "terms-of-use",
    "legal",
    "cookies",
    "cookie-policy",
    "imprint",
    "impressum",
    "archive",
    "archives",
    "subscribe",
    "newsletters",
    "login",
    "register",
    "sitemap",
    "staff",
    "team",
    "careers",
    "jobs",
    "advertise",
    "faq",
    "help",
    "people",
];

/// Legal and service pages, whatever their markup says.
const SERVICE_LAST: &[&str] = &[
    "about",
    "about-us",
    "contact",
    "contact-us",
    "privacy",
    "privacy-policy",
    "terms",
    "terms-of-service",
    "terms-of-use",
    "legal",
    "cookies",
    "cookie-policy",
    "imprint",
    "impressum",
    "search",
    "sitemap",
    "careers",
    "jobs",
    "advertise",
    "faq",
    "help",
    "subscribe",
    "login",
    "register",
    "newsletters",
];

/// Why a page was or was not taken for an article, for logs and `newspipe extract`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KindReason {
    /// Nothing readable on the page.
    #[default]
    Empty,
    /// The site's root path.
    HomePage,
    /// A legal, contact, about, search or account page, by its path.
    ServicePage,
    /// A search results URL (`?q=`, `?s=`).
    SearchPage,
    /// JSON-LD describes the page as a listing (`CollectionPage`, `ItemList`…) and no article.
    ListingMarkup,
    /// An index path (`/tag/…`, `/author/…`, `/section/…`) without article markup or a story.
    IndexPath,
    /// The page says it is a website or profile (`og:type`) and its text is thin.
    NotArticleMarkup,
    /// JSON-LD or `og:type` declare an article and the page has its text.
    DeclaredArticle,
    /// Article markup, but too little text to be a story.
    DeclaredButThin,
    /// No article markup, but the page reads as one story (running prose, a headline or date).
    StoryText,
    /// No article markup and little running prose (a results table, song lyrics), but a
    /// dated permalink (`/2019/05/20/a-slug`) names one story.
    DatedPermalink,
    /// Too little running prose for a story.
    ThinText,
}

impl std::fmt::Display for KindReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Empty => "no text on the page",
            Self::HomePage => "home page (root path)",
            Self::ServicePage => "service or legal page (by its path)",
            Self::SearchPage => "search results (query in the URL)",
            Self::ListingMarkup => "JSON-LD describes a listing, not an article",
            Self::IndexPath => "index path (tag, author, section) without a story",
            Self::NotArticleMarkup => "og:type says website/profile and the text is thin",
            Self::DeclaredArticle => "article markup (JSON-LD or og:type) with story text",
            Self::DeclaredButThin => "article markup but too little text",
            Self::StoryText => "no article markup, but the text reads as one story",
            Self::DatedPermalink => "a dated permalink with text, no article markup",
            Self::ThinText => "too little running prose for a story",
        })
    }
}

/// Decides whether the page is an article, and why.
pub fn decide(s: &Signals<'_>) -> (bool, KindReason) {
    use KindReason as R;
    let segs: Vec<String> = s
        .url
        .and_then(|u| u.path_segments())
        .map(|it| {
            it.filter(|x| !x.is_empty())
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .unwrap_or_default();
    let has_url = s.url.is_some();
    if has_url && segs.is_empty() && s.url.is_some_and(|u| u.query().is_none()) {
        return (false, R::HomePage);
    }
    if let Some(last) = segs.last() {
        let last = last
            .trim_end_matches(".html")
            .trim_end_matches(".htm")
            .trim_end_matches(".php");
        if SERVICE_LAST.contains(&last) {
            return (false, R::ServicePage);
        }
    }
    if s.url.is_some_and(|u| {
        u.query_pairs()
            .any(|(k, _)| k == "s" || k == "q" || k == "query")
    }) {
        return (false, R::SearchPage);
    }
    if s.body_words == 0 {
        return (false, R::Empty);
    }
    // "/…/page/2/": a further page of a listing.
    let paginated = segs.len() >= 2
        && segs[segs.len() - 2] == "page"
        && segs[segs.len() - 1].bytes().all(|b| b.is_ascii_digit());
    let index_path = paginated
        || (segs.len() <= 3
            && segs
                .first()
                .is_some_and(|f| INDEX_SEGMENTS.contains(&f.as_str()))
            && segs.last().is_none_or(|l| l.matches('-').count() < 4));
    if s.ld_listing && !s.ld_article {
        return (false, R::ListingMarkup);
    }
    let og_article = s
        .og_type
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("article"));
    let og_other = s.og_type.is_some_and(|t| {
        let t = t.trim().to_ascii_lowercase();
        t == "website" || t == "profile" || t == "object"
    });
    // Below this, even a declared article is a stub (a video page, a gallery, a teaser).
    if s.ld_article || og_article {
        return if s.body_words >= DECLARED_MIN_WORDS {
            (true, R::DeclaredArticle)
        } else {
            (false, R::DeclaredButThin)
        };
    }
    // No markup (older and plainer sites): running prose is a story. An index page holds
    // teasers and link lists, not a paragraph of prose; `og:type` "website" is the default of
    // many CMSs, so it only counts against a page whose text is thin.
    if index_path {
        return (false, R::IndexPath);
    }
    let prose = (s.body_paragraphs >= 1
        && s.longest_paragraph >= LONG_PARAGRAPH
        && (s.body_words >= PLAIN_MIN_WORDS || (s.has_published && s.body_words >= 25)))
        // Short paragraphs, but many of them: a report, a list-like story, a forum post.
        // Teaser blurbs stay shorter than 20 words.
        || (s.body_words >= 150 && s.body_paragraphs >= 3 && s.longest_paragraph >= 20);
    if prose {
        (true, R::StoryText)
    } else if s.body_words >= DATED_MIN_WORDS && dated_permalink(&segs) {
        (true, R::DatedPermalink)
    } else if og_other {
        (false, R::NotArticleMarkup)
    } else {
        (false, R::ThinText)
    }
}

/// A blog's permalink: a year and a month segment (`/2019/05/…`), then a slug of words as the
/// last segment. Date archives (`/2019/05/`) end in a number, not a slug.
fn dated_permalink(segs: &[String]) -> bool {
    let num =
        |s: &str, len: std::ops::RangeInclusive<usize>, val: std::ops::RangeInclusive<u32>| {
            len.contains(&s.len())
                && s.bytes().all(|b| b.is_ascii_digit())
                && s.parse::<u32>().is_ok_and(|v| val.contains(&v))
        };
    let dated = segs
        .windows(2)
        .any(|w| num(&w[0], 4..=4, 1990..=2039) && num(&w[1], 1..=2, 1..=12));
    let slug = segs.last().is_some_and(|l| {
        let l = l
            .trim_end_matches(".html")
            .trim_end_matches(".htm")
            .trim_end_matches(".php");
        l.matches('-').count() >= 2 && l.bytes().any(|b| b.is_ascii_alphabetic())
    });
    dated && slug
}

/// Words of text, prose or not, that make a story of a dated permalink.
const DATED_MIN_WORDS: usize = 60;

/// Words a page with article markup needs to be stored as one.
const DECLARED_MIN_WORDS: usize = 15;
/// Words in one paragraph that only a story (not a teaser blurb) writes.
const LONG_PARAGRAPH: usize = 25;
/// Words of running text (with at least one real paragraph) that make a story without markup.
const PLAIN_MIN_WORDS: usize = 30;

#[cfg(test)]
mod tests {
    use super::{Signals, decide};

    fn is_article(s: &Signals<'_>) -> bool {
        decide(s).0
    }
    use url::Url;

    fn sig<'a>(u: &'a Url, og: Option<&'a str>, words: usize) -> Signals<'a> {
        Signals {
            url: Some(u),
            og_type: og,
            body_words: words,
            body_paragraphs: words / 40,
            longest_paragraph: words.min(40),
            ..Default::default()
        }
    }

    #[test]
    fn home_and_indexes_are_not_articles() {
        let home = Url::parse("https://news.example/").unwrap();
        assert!(!is_article(&sig(&home, Some("website"), 900)));
        let sec = Url::parse("https://news.example/section/world/").unwrap();
        assert!(!is_article(&sig(&sec, Some("website"), 300)));
        let more = Url::parse("https://news.example/section/world/page/2/").unwrap();
        assert!(!is_article(&sig(&more, Some("website"), 600)));
        let more = Url::parse("https://news.example/politics/page/12").unwrap();
        assert!(!is_article(&sig(&more, None, 600)));
        let about = Url::parse("https://news.example/about/").unwrap();
        assert!(!is_article(&sig(&about, Some("article"), 600)));
    }

    #[test]
    fn stories_are_articles() {
        let u = Url::parse("https://news.example/2025/10/20/a-story-about-things/").unwrap();
        assert!(is_article(&sig(&u, Some("article"), 500)));
        assert!(is_article(&sig(&u, None, 500)));
        assert!(!is_article(&sig(&u, None, 30)));
    }

    #[test]
    fn dated_permalinks_with_text_are_articles() {
        // A blog post that is a results table: many short lines, no paragraph of prose.
        fn table(u: &Url) -> Signals<'_> {
            Signals {
                url: Some(u),
                body_words: 400,
                body_paragraphs: 2,
                longest_paragraph: 9,
                ..Default::default()
            }
        }
        let post =
            Url::parse("https://club.example/2007/05/20/results-of-the-spring-meet/").unwrap();
        assert_eq!(
            decide(&table(&post)),
            (true, super::KindReason::DatedPermalink)
        );
        let post = Url::parse("https://lyrics.example/2011/07/a-song-title-here.html").unwrap();
        assert!(is_article(&table(&post)));
        // A date archive and an undated page with the same text stay out.
        for u in [
            "https://club.example/2007/05/20/",
            "https://club.example/2007/05/",
            "https://club.example/results/results-of-the-spring-meet/",
            "https://club.example/1234/56/results-of-the-spring-meet/",
        ] {
            let url = Url::parse(u).unwrap();
            assert!(!is_article(&table(&url)), "{u}");
        }
    }

    #[test]
    fn plain_stories_without_markup_are_articles() {
        // An older site: no JSON-LD, no OpenGraph, a short story of two paragraphs.
        let u = Url::parse("https://town.example/news/view.php?id=5812").unwrap();
        let plain = Signals {
            url: Some(&u),
            body_words: 90,
            body_paragraphs: 2,
            longest_paragraph: 50,
            ..Default::default()
        };
        assert_eq!(decide(&plain), (true, super::KindReason::StoryText));
        // A CMS default `og:type` "website" does not hide one either.
        let web = Signals {
            og_type: Some("website"),
            ..plain
        };
        assert!(is_article(&web));
        // A short dated item with one real paragraph.
        let dated = Signals {
            url: Some(&u),
            body_words: 30,
            body_paragraphs: 1,
            longest_paragraph: 30,
            has_published: true,
            ..Default::default()
        };
        assert!(is_article(&dated));
        // Teasers and link lists hold no paragraph of prose, only short blurbs.
        let teasers = Signals {
            url: Some(&u),
            body_words: 300,
            body_paragraphs: 20,
            longest_paragraph: 14,
            has_published: true,
            og_type: Some("website"),
            ..Default::default()
        };
        assert_eq!(
            decide(&teasers),
            (false, super::KindReason::NotArticleMarkup)
        );
        // An author page with a biography stays out unless it is a dated story.
        let author = Url::parse("https://town.example/author/jane-doe/").unwrap();
        let bio = Signals {
            url: Some(&author),
            body_words: 120,
            body_paragraphs: 2,
            longest_paragraph: 60,
            has_published: true,
            ..Default::default()
        };
        assert_eq!(decide(&bio), (false, super::KindReason::IndexPath));
    }
}
