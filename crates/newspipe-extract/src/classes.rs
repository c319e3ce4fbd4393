//! Class/id/role vocabulary that marks page furniture (navigation, share bars, promos, bios) and
//! story containers.

/// Class-name tokens (a class split on `-`, `_`) that mark furniture.
fn neg_token(t: &str) -> bool {
    matches!(
        t,
        "nav"
            | "navbar"
            | "navigation"
            | "menu"
            | "submenu"
            | "footer"
            | "sidebar"
            | "share"
            | "sharing"
            | "sharebar"
            | "social"
            | "related"
            | "comment"
            | "comments"
            | "newsletter"
            | "subscribe"
            | "subscription"
            | "promo"
            | "promotion"
            | "advert"
            | "advertisement"
            | "advertising"
            | "ads"
            | "ad"
            | "adslot"
            | "adunit"
            | "sponsor"
            | "sponsored"
            | "breadcrumb"
            | "breadcrumbs"
            | "bio"
            | "profile"
            | "caption"
            | "credit"
            | "credits"
            | "recommend"
            | "recommended"
            | "recommendations"
            | "recirc"
            | "outbrain"
            | "taboola"
            | "popular"
            | "trending"
            | "tags"
            | "toolbar"
            | "banner"
            | "masthead"
            | "modal"
            | "popup"
            | "cookie"
            | "cookies"
            | "signup"
            | "byline"
            | "dateline"
            | "author"
            | "authors"
            | "timestamp"
            | "disclaimer"
            | "pagination"
            | "pager"
            | "skip"
            | "rating"
            | "poll"
            | "tooltip"
            | "overlay"
            | "copyright"
            | "follow"
            | "donate"
            | "donation"
            | "support"
            | "membership"
            | "cta"
            | "upsell"
            | "ticker"
            | "topics"
            | "keywords"
            | "subnav"
            | "toc"
            | "feedback"
            | "correction"
            | "dfp"
            | "gpt"
            | "flyout"
            | "dropdown"
            | "login"
            | "register"
            | "onward"
            | "readmore"
            | "morelink"
            | "playlist"
            | "podcast"
            | "slideshow"
            | "carousel"
            | "supplemental"
            | "remark"
            | "disqus"
            | "rss"
            | "shoutbox"
            | "skyscraper"
            | "newsfeed"
            | "aside"
            | "sronly"
            | "visuallyhidden"
            | "noprint"
            | "notification"
            | "pullquote"
            | "infobox"
            | "factbox"
    )
}

/// Tokens that mark furniture outside a story container but are too generic to trust inside
/// one (CMSs wrap each paragraph in a "card").
fn weak_neg_token(t: &str) -> bool {
    matches!(
        t,
        "card"
            | "cards"
            | "list"
            | "listing"
            | "label"
            | "title"
            | "headline"
            | "kicker"
            | "eyebrow"
            | "bottom"
            | "extra"
            | "hidden"
            | "hide"
            | "teaser"
            | "teasers"
            | "breaking"
            | "feed"
            | "more"
            | "meta"
            | "header"
            | "widget"
            | "embed"
            | "video"
            | "audio"
            | "gallery"
            | "paywall"
            | "utility"
            | "tools"
            | "print"
            | "sticky"
            | "alert"
            | "email"
    )
}

/// Class names (lowercased, `-`/`_` removed) that name a story container even when a
/// furniture token is also present.
const POS_STRONG: &[&str] = &[
    "articlebody",
    "storybody",
    "entrycontent",
    "postcontent",
    "postbody",
    "articlecontent",
    "storycontent",
    "bodytext",
    "articletext",
    "storytext",
    "articlemain",
    "contentbody",
    "richtext",
    "fieldbody",
    "textbody",
];

fn pos_token(t: &str) -> bool {
    matches!(
        t,
        "article"
            | "body"
            | "content"
            | "entry"
            | "main"
            | "post"
            | "story"
            | "text"
            | "blog"
            | "prose"
    )
}

/// Class-name prefixes that CMSs emit as facts about the post, not as furniture.
const FACT_PREFIXES: &[&str] = &[
    "tag-",
    "category-",
    "has-",
    "post-",
    "format-",
    "status-",
    "type-",
    "author-",
    "page-",
    "template-",
    "single-",
    "section-",
    "topic-",
    "layout-",
    "theme-",
    "is-",
    "js-",
    "wp-",
];

/// How an element's class/id/role reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Neutral,
    Furniture,
    /// Furniture unless inside a story container.
    WeakFurniture,
    Positive,
    StrongPositive,
}

/// Classifies an element by its class and id attributes.
pub fn mark(class: Option<&str>, id: Option<&str>) -> Mark {
    let mut neg = false;
    let mut weak = false;
    let mut pos = false;
    let mut squashed = String::new();
    let mut lower_buf = String::new();
    for attr in [class, id].into_iter().flatten() {
        if attr.len() > 400 {
            continue;
        }
        for name in attr.split_ascii_whitespace() {
            let lower: &str = if name.bytes().any(|b| b.is_ascii_uppercase()) {
                lower_buf.clear();
                lower_buf.extend(name.chars().map(|c| c.to_ascii_lowercase()));
                &lower_buf
            } else {
                name
            };
            // The strong names all hold one of these words; most class names hold none, and
            // skipping them saves the squashing.
            if lower.len() >= 8
                && ["body", "content", "text", "main"]
                    .iter()
                    .any(|w| lower.contains(w))
            {
                squashed.clear();
                squashed.extend(lower.chars().filter(|c| *c != '-' && *c != '_'));
                if POS_STRONG.iter().any(|p| squashed.contains(p)) {
                    return Mark::StrongPositive;
                }
            }
            if lower.len() > 10 && FACT_PREFIXES.iter().any(|p| lower.starts_with(p)) {
                continue;
            }
            // A live ticker's entries ("live-match-comment", "live-comment-body") are the
            // story, not readers' comments.
            let live = lower.contains("live") && tokens(lower).any(|t| t == "live");
            // A BEM modifier that says a box carries ads ("TestReport__Section--Ads") names
            // a variant of the box, not an ad: the box is what the name before it says.
            let (named, modifier) = match lower.split_once("--") {
                Some((n, m)) if !n.is_empty() => (n, m),
                _ => (lower, ""),
            };
            let ads_only = modifier
                .split(['-', '_'])
                .filter(|t| !t.is_empty())
                .all(|t| matches!(t, "ad" | "ads" | "advert" | "with" | "has"));
            let toks = if ads_only { named } else { lower };
            for tok in tokens(toks) {
                if live && matches!(tok, "comment" | "comments") {
                    continue;
                }
                if neg_token(tok) {
                    neg = true;
                } else if weak_neg_token(tok) {
                    weak = true;
                } else if pos_token(tok) {
                    pos = true;
                }
            }
        }
    }
    if neg {
        Mark::Furniture
    } else if weak {
        Mark::WeakFurniture
    } else if pos {
        Mark::Positive
    } else {
        Mark::Neutral
    }
}

/// Class-name tokens of a story's lead (standfirst): the paragraph between headline and body
/// that many CMSs keep outside the body container.
fn lead_token(t: &str) -> bool {
    matches!(
        t,
        "lead"
            | "lede"
            | "leadtext"
            | "intro"
            | "introtext"
            | "introduction"
            | "standfirst"
            | "abstract"
            | "summary"
            | "teaser"
            | "teasertext"
            | "deck"
            | "dek"
            | "excerpt"
            | "subheadline"
            | "subline"
            | "perex"
            | "chapo"
            | "chapeau"
            | "vorspann"
            | "entradilla"
            | "bajada"
            | "subtitle"
            | "preface"
            | "einleitung"
            | "sommario"
            | "sumario"
            | "copete"
            | "leader"
    )
}

/// Endings of glued class names that name a lead.
const LEAD_SUFFIXES: &[&str] = &[
    "lead",
    "intro",
    "teaser",
    "einleitung",
    "excerpt",
    "abstract",
    "summary",
    "standfirst",
    "preface",
    "subtitle",
];

/// Class or id naming a story's lead ("article__intro", "field--name-field-abstract",
/// "entry-summary"). Furniture words in the same name win ("related-teaser" is not a lead).
pub fn lead(class: Option<&str>, id: Option<&str>) -> bool {
    let mut found = false;
    for attr in [class, id].into_iter().flatten() {
        if attr.len() > 300 {
            continue;
        }
        for name in attr.split_ascii_whitespace() {
            let lower = name.to_ascii_lowercase();
            let mut toks = tokens(&lower);
            if toks.clone().any(neg_token) {
                return false;
            }
            // Glued names ("articleIntro", "DefaultEinleitung") end with the lead word.
            found |= toks.any(|t| {
                lead_token(t)
                    || LEAD_SUFFIXES
                        .iter()
                        .any(|x| t.len() > x.len() && t.ends_with(x))
            });
        }
    }
    found
}

/// Whether the weak furniture words of `class` only name a heading's box ("element-headline",
/// "neos-nodetypes-headline", "j-header"): inside the story, the box of a section heading.
pub fn heading_box(class: Option<&str>) -> bool {
    let Some(class) = class.filter(|c| c.len() <= 300) else {
        return false;
    };
    let mut found = false;
    for name in class.split_ascii_whitespace() {
        let lower = name.to_ascii_lowercase();
        for tok in tokens(&lower) {
            if matches!(tok, "headline" | "header" | "title" | "heading") {
                found = true;
            } else if weak_neg_token(tok) {
                return false;
            }
        }
    }
    found
}

/// The words of one class name ("article-body__text" → "article", "body", "text").
fn tokens(name: &str) -> impl Iterator<Item = &str> + Clone {
    name.split(['-', '_', ':', '.']).filter(|t| !t.is_empty())
}

/// Class words of a recipe's ingredient list, in the languages the pages come in most.
const INGREDIENT_WORDS: &[&str] = &["ingredient", "zutaten", "skladnik", "ingrediente"];

/// Class naming a recipe's ingredient list or table ("recipe-ingredients", "list--ingredients",
/// "wprm-recipe-ingredient"): the recipe's own text, however short its lines.
pub fn ingredients(class: Option<&str>) -> bool {
    class.is_some_and(|c| c.len() <= 300 && INGREDIENT_WORDS.iter().any(|w| contains_ci(c, w)))
}

/// ASCII case-insensitive substring test without allocating; `needle` is lowercase.
pub fn contains_ci(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let Some(&first) = n.first() else {
        return true;
    };
    // A window is compared only when its first byte matches: this runs on every class name.
    n.len() <= h.len()
        && h.windows(n.len())
            .any(|w| w[0].to_ascii_lowercase() == first && w.eq_ignore_ascii_case(n))
}

/// Inline elements inside a paragraph that hold no story text (photo credits, screen-reader
/// labels, share links).
pub fn inline_furniture(class: &str) -> bool {
    class.len() < 200
        && class
            .to_ascii_lowercase()
            .split_ascii_whitespace()
            .any(|name| {
                name.split(['-', '_']).any(|t| {
                    matches!(
                        t,
                        "credit"
                            | "share"
                            | "sharing"
                            | "social"
                            | "ad"
                            | "ads"
                            | "advert"
                            | "advertisement"
                            | "sronly"
                            | "visuallyhidden"
                            | "hidden"
                            | "caption"
                    )
                }) || matches!(name, "sr-only" | "screen-reader-text" | "visually-hidden")
            })
}

/// A class naming a picture's caption, credit or description (`imagedescription`,
/// `img-metadata`, `mdl-media__figcaption`, `photo_credit`), which no `figure` marks.
pub fn picture_note(class: &str) -> bool {
    const PICTURE: &[&str] = &["img", "image", "photo", "foto", "picture", "bild", "media"];
    class.len() < 300
        && class.split_ascii_whitespace().any(|name| {
            // The note word first, in one pass: most class names hold none.
            note_word(name.as_bytes()) && PICTURE.iter().any(|p| contains_ci(name, p))
        })
}

/// Does `name` hold a caption or credit word? One pass, a comparison only where a word's
/// first letter stands.
fn note_word(name: &[u8]) -> bool {
    let at = |i: usize, w: &[u8]| {
        name.get(i..i + w.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(w))
    };
    (0..name.len()).any(|i| match name[i].to_ascii_lowercase() {
        b'd' => at(i, b"description"),
        b'c' => at(i, b"caption") || at(i, b"credit"),
        b'm' => at(i, b"metadata"),
        b'l' => at(i, b"legend"),
        b'u' => at(i, b"unterschrift"),
        b'b' => at(i, b"beschreibung"),
        _ => false,
    })
}

/// Class or id of a consent manager's box (a cookie or privacy dialog listing every service
/// the site embeds, often longer than the story): a class name holding `consent`, `dsgvo` or
/// `gdpr`. Such a box is never the story, however much of the page's text it holds; a post's
/// own facts (`tag-dsgvo`) do not count.
pub fn consent(class: Option<&str>, id: Option<&str>) -> bool {
    [class, id].into_iter().flatten().any(|v| {
        v.len() <= 400
            && consent_word(v.as_bytes())
            && v.split_ascii_whitespace().any(|name| {
                !FACT_PREFIXES.iter().any(|p| {
                    name.get(..p.len())
                        .is_some_and(|h| h.eq_ignore_ascii_case(p))
                }) && consent_word(name.as_bytes())
            })
    })
}

/// Does `v` hold a consent word? One pass, a comparison only where a word's first letter
/// stands (this runs on every element's class and id).
fn consent_word(v: &[u8]) -> bool {
    let at = |i: usize, w: &[u8]| {
        v.get(i..i + w.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(w))
    };
    (0..v.len()).any(|i| match v[i] | 0x20 {
        b'c' => at(i, b"consent"),
        b'd' => at(i, b"dsgvo"),
        b'g' => at(i, b"gdpr"),
        _ => false,
    })
}

/// ARIA roles of furniture.
pub fn furniture_role(role: &str) -> bool {
    matches!(
        role.trim().to_ascii_lowercase().as_str(),
        "navigation"
            | "banner"
            | "contentinfo"
            | "complementary"
            | "menu"
            | "menubar"
            | "search"
            | "dialog"
            | "alert"
            | "alertdialog"
            | "toolbar"
            | "tablist"
            | "form"
    )
}

#[cfg(test)]
mod tests {
    use super::{Mark, mark};

    #[test]
    fn marks() {
        assert_eq!(mark(Some("article__body"), None), Mark::StrongPositive);
        assert_eq!(mark(Some("related-inline"), None), Mark::Furniture);
        assert_ne!(
            mark(Some("post-1 tag-europe category-news"), None),
            Mark::Furniture
        );
        assert_eq!(mark(Some("story"), Some("main")), Mark::Positive);
        assert_eq!(mark(Some("ad ad--top"), None), Mark::Furniture);
        assert_eq!(mark(Some("report__section--ads"), None), Mark::Neutral);
        assert_eq!(mark(Some("teaser--ads"), None), Mark::WeakFurniture);
        assert_eq!(mark(Some("box--ads-related"), None), Mark::Furniture);
    }
}
