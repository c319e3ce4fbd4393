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
    "page",
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
    /// The page says it is a website or profile (`og:type`) and holds no dated story.
    NotArticleMarkup,
    /// JSON-LD or `og:type` declare an article and the page has its text.
    DeclaredArticle,
    /// Article markup, but too little text to be a story.
    DeclaredButThin,
    /// No article markup, but the page reads as one story (running prose, a headline or date).
    StoryText,
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
            Self::NotArticleMarkup => "og:type says website/profile and there is no dated story",
            Self::DeclaredArticle => "article markup (JSON-LD or og:type) with story text",
            Self::DeclaredButThin => "article markup but too little text",
            Self::StoryText => "no article markup, but the text reads as one story",
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
    let index_path = segs.len() <= 3
        && segs
            .first()
            .is_some_and(|f| INDEX_SEGMENTS.contains(&f.as_str()))
        && segs.last().is_none_or(|l| l.matches('-').count() < 4);
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
    if index_path && !s.ld_article && !og_article {
        return (false, R::IndexPath);
    }
    let body_ok = s.body_words >= 80 && s.body_paragraphs >= 2;
    if s.ld_article || og_article {
        return if body_ok || s.body_words >= 40 {
            (true, R::DeclaredArticle)
        } else {
            (false, R::DeclaredButThin)
        };
    }
    if index_path || og_other {
        return if s.body_words >= 250 && s.body_paragraphs >= 4 && s.has_published {
            (true, R::StoryText)
        } else {
            (false, R::NotArticleMarkup)
        };
    }
    if s.body_words >= 150 && s.body_paragraphs >= 3 {
        (true, R::StoryText)
    } else {
        (false, R::ThinText)
    }
}

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
            ..Default::default()
        }
    }

    #[test]
    fn home_and_indexes_are_not_articles() {
        let home = Url::parse("https://news.example/").unwrap();
        assert!(!is_article(&sig(&home, Some("website"), 900)));
        let sec = Url::parse("https://news.example/section/world/").unwrap();
        assert!(!is_article(&sig(&sec, Some("website"), 300)));
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
}
