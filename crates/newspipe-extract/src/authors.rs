//! Author cleaning: turns bylines, meta values and JSON-LD names into plain person names.

/// Words that mark a role or an affiliation rather than a name.
const ROLE_WORDS: &[&str] = &[
    "editor",
    "reporter",
    "correspondent",
    "writer",
    "staff",
    "contributor",
    "columnist",
    "journalist",
    "senior",
    "chief",
    "producer",
    "analyst",
    "director",
    "photographer",
    "associated",
    "press",
    "updated",
    "published",
    "posted",
    "veröffentlicht",
    "publié",
    "publicado",
    "pubblicato",
    "minutes",
    "min",
    "read",
    "hours",
    "ago",
    "follow",
    "email",
    "twitter",
    "facebook",
    "instagram",
    "linkedin",
    "bureau",
    "desk",
    "team",
    "news",
    "opinion",
    "contributing",
    "special",
    "digital",
    "manager",
    "fellow",
    "professor",
    "author",
    "more",
    "view",
    "all",
    "articles",
    "posts",
    "stories",
    "profile",
    "share",
    "image",
    "photo",
    "video",
    "sign",
    "subscribe",
    "in",
    "at",
];

/// Splits a byline or meta value into clean names (no "By", roles, dates, URLs).
pub fn clean(raw: &str) -> Vec<String> {
    let s = collapse(raw);
    if looks_like_url(&s) {
        return from_url(&s).into_iter().collect();
    }
    let Some(s) = trim_byline(s) else {
        return Vec::new();
    };
    let parts = split_names(&s);
    // A list with a part in lowercase prose ("The Russian and Syrian defense ministries") is
    // a description, not names.
    if parts.len() > 1 && parts.iter().any(|p| is_prose(p)) {
        return Vec::new();
    }
    let mut out: Vec<String> = parts
        .iter()
        .filter_map(|p| clean_one(&undouble(p)))
        .collect();
    // "Reuters, Washington": after an agency, a lone word is the dateline's place.
    if out.iter().any(|n| is_org(n)) {
        out.retain(|n| is_org(n) || n.contains(' '));
    }
    // "Spencer S. Hsu, The Washington Post": a name opening with "The" beside a person's is
    // the outlet.
    if out
        .iter()
        .any(|n| n.contains(' ') && !n.starts_with("The "))
    {
        out.retain(|n| !n.starts_with("The "));
    }
    // An agency beside a person is where the person works.
    if out.iter().any(|n| !is_org(n)) {
        out.retain(|n| !is_org(n));
    }
    // "Ann Lee, Futurism", "Ann Lee, Berlin": a lone word set off by a comma after a full name
    // is the outlet or the place.
    if out.iter().any(|n| n.contains(' ')) {
        let lone: Vec<&str> = s
            .split([',', ';'])
            .map(str::trim)
            .filter(|seg| !seg.is_empty() && !seg.contains(' '))
            .collect();
        out.retain(|n| {
            n.contains(' ') || is_org(n) || !lone.iter().any(|l| l.eq_ignore_ascii_case(n))
        });
    }
    out
}

/// The names' part of a collapsed byline: without the label before it ("By", "Text von")
/// and the outlet, role, credit, handle or date after it.
fn trim_byline(mut s: String) -> Option<String> {
    if s.is_empty() || s.len() > 300 {
        return None;
    }
    // "Posted on September 21, 2020 by Ann Lee", "21.09.2020 von Ann Lee": the date first.
    if let Some(i) = dated_by(&s) {
        s.replace_range(..i, "");
    }
    // What follows a bar or a dash is an outlet, a role or a date.
    for sep in [" | ", "|", " – ", " — ", " - ", "\u{2022}", "·", "\n"] {
        if let Some(i) = s.find(sep) {
            s.truncate(i);
        }
    }
    // "Text: Jane Doe Foto: John Roe", "Text von Jane Doe Illustration von John Roe": the
    // photographer or the illustrator is no author.
    cut_other_credit(&mut s);
    let mut s = strip_by(s.trim());
    // The web designer's credit: "Developed by Ann Lee", "Designed by", "Powered by".
    let lower = s.to_lowercase();
    if [
        "developed by",
        "designed by",
        "powered by",
        "hosted by",
        "theme by",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
    {
        return None;
    }
    // "Ann Lee/SP-X": a full name, then the agency after the slash.
    if let Some((name, _)) = s.split_once('/')
        && name.trim().contains(' ')
    {
        s = name.trim().to_string();
    }
    drop_parenthesised(&mut s);
    drop_handles(&mut s);
    cut_weekday_stamp(&mut s);
    cut_joined_date(&mut s);
    cut_dateline(&mut s);
    cut_outlet_after_period(&mut s);
    // "Jane Doe for The Daily Planet", and "Jane Doe For The Mail" in a title-cased byline.
    if let Some(i) = s.find(" for ").or_else(|| s.find(" For ")) {
        s.truncate(i);
    }
    Some(s)
}

/// Where the name starts in a byline that opens with its date: "Posted on September 21, 2020
/// by Ann Lee", "21.09.2020 von Ann Lee". The part before "by" holds a digit and at most six
/// words, each a number, a month, a weekday or a posting word; a capital follows.
pub fn dated_by(s: &str) -> Option<usize> {
    let (i, by) = [" by ", " By ", " von ", " par ", " por "]
        .iter()
        .filter_map(|b| s.find(b).map(|i| (i, b.len())))
        .min()?;
    let head = &s[..i];
    let words: Vec<&str> = head.split_whitespace().collect();
    let dateish = |w: &&str| {
        let l = w
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        l.is_empty()
            || l.starts_with(|c: char| c.is_ascii_digit())
            || month_word(&l)
            || month_word(l.trim_end_matches('.'))
            || is_weekday(&l)
            || DATE_JOINERS.contains(&l.as_str())
            || matches!(
                l.as_str(),
                "posted"
                    | "published"
                    | "updated"
                    | "veröffentlicht"
                    | "publié"
                    | "publicado"
                    | "erstellt"
                    | "geschrieben"
                    | "written"
                    | "uhr"
            )
    };
    let rest = &s[i + by..];
    (head.bytes().any(|b| b.is_ascii_digit())
        && words.len() <= 6
        && words.iter().all(dateish)
        && rest.starts_with(char::is_uppercase))
    .then_some(i + by)
}

/// Words that name an account, not a person, when they stand alone as the author.
const NOT_HANDLES: &[&str] = &[
    "admin",
    "administrator",
    "webmaster",
    "root",
    "user",
    "redaktion",
    "redaction",
    "rédaction",
    "redacción",
    "redazione",
    "redactie",
    "newsroom",
    "publisher",
    "red",
    "redakcja",
    "anonym",
    "anonymous",
    "anónimo",
    "anonimo",
    "zvg",
    "null",
    "none",
    "undefined",
];

/// A single-word account name ("gizzmo", "delta201", "Karoherr") given as the author where
/// [`clean`] finds no person: letters with digits, dots, hyphens or underscores, no role word,
/// label or account placeholder.
pub fn handle(raw: &str) -> Option<String> {
    // "Author: delta201 am 29.12.2010": the label and the date around the handle go first.
    let s = trim_byline(collapse(raw))?;
    let s = s.trim_matches(|c: char| !c.is_alphanumeric());
    let n = s.chars().count();
    if !(2..=30).contains(&n)
        || !s.chars().any(char::is_alphabetic)
        || !s
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        return None;
    }
    let l = s.to_lowercase();
    let blocked = |w: &str| {
        ROLE_WORDS.contains(&w)
            || NOT_NAMES.contains(&w)
            || NOT_HANDLES.contains(&w)
            || is_weekday(w)
    };
    if blocked(&l) || l.split(['.', '-', '_']).any(blocked) || month_word(&l) {
        return None;
    }
    Some(s.to_string())
}

/// Words of an organisation's name, never of a person's: a copyright holder with one of them
/// is a company, a publisher or a club.
const ORG_WORDS: &[&str] = &[
    "gmbh",
    "ag",
    "kg",
    "inc",
    "ltd",
    "llc",
    "lp",
    "plc",
    "co",
    "corp",
    "corporation",
    "company",
    "group",
    "gruppe",
    "media",
    "medien",
    "verlag",
    "press",
    "news",
    "network",
    "publishing",
    "publications",
    "communications",
    "digital",
    "holdings",
    "ev",
    "stiftung",
    "foundation",
    "university",
    "universität",
    "institute",
    "institut",
    "association",
    "verein",
    "club",
    "team",
    "studio",
    "studios",
    "agency",
    "agentur",
    "solutions",
    "services",
    "systems",
    "software",
    "technologies",
    "partners",
    "magazine",
    "magazin",
    "zeitung",
    "times",
    "post",
    "journal",
    "herald",
    "tribune",
    "daily",
    "weekly",
    "radio",
    "tv",
    "television",
    "online",
    "web",
    "net",
    "blog",
    "shop",
    "store",
    "website",
    "site",
    "project",
    "projekt",
    "ministry",
    "ministerium",
    "city",
    "stadt",
    "gemeinde",
    "kirche",
    "church",
    "hotel",
    "international",
    "global",
    "enterprises",
    "industries",
    "productions",
    "records",
    "entertainment",
    "sports",
    "ventures",
    "labs",
    "lab",
    "consulting",
    "capital",
    "bank",
    "school",
    "college",
    "academy",
    "akademie",
    "party",
    "partei",
    "union",
    "forum",
    "verband",
    "verbände",
    "rights",
    "reserved",
    "all",
    "the",
    "und",
    "and",
    "of",
];

/// The person a copyright notice names ("Copyright (c) 2012- Gregory Szorc. All rights
/// reserved", "© 2019 Sven Schreivogel", "COPYRIGHT ANDRÉ LOIBL | …"): two or three
/// capitalised words after the mark and the years, no organisation word.
pub fn copyright_holder(raw: &str) -> Option<String> {
    let s = collapse(raw);
    let mut rest = s.as_str();
    // A site's notice has a year before the name, the word "Copyright" or the reserved
    // rights after it; a picture's credit ("Bild © Ann Lee/dpa", "© Ann Lee, 31.05.2013")
    // has none of them.
    let lower = s.to_lowercase();
    let notice = lower.contains("copyright")
        || lower.contains("rights")
        || lower.contains("rechte")
        || lower.contains("droits")
        || lower.contains("derechos");
    let start = rest.len();
    // Marks, years and "by" in any order: "Copyright (c) 2012-", "© 2006-2008 by".
    loop {
        let t = rest.trim_start_matches(|c: char| {
            c.is_ascii_digit() || c.is_whitespace() || matches!(c, '-' | '–' | ',' | '©')
        });
        let lower = t.to_lowercase();
        let cut = ["copyright", "(c)", "by "]
            .iter()
            .find(|m| lower.starts_with(**m))
            .map(|m| m.len());
        match cut.and_then(|n| t.get(n..)) {
            Some(r) => rest = r,
            None => {
                rest = t;
                break;
            }
        }
    }
    let head = &s[..start - rest.len()];
    if !notice && head.bytes().filter(u8::is_ascii_digit).nth(3).is_none() {
        return None;
    }
    let end = rest
        .find(['|', '•', '·', ',', '/', '(', ':'])
        .unwrap_or(rest.len());
    let mut name = rest[..end].trim().to_string();
    cut_outlet_after_period(&mut name);
    let name = name.trim_end_matches('.');
    let words: Vec<&str> = name.split_whitespace().collect();
    // "Trustpilot A/S" cut at the slash: a family name is no single letter.
    if !(2..=3).contains(&words.len())
        || words.last().is_some_and(|w| w.chars().count() < 2)
        // "TALENT Schweiz": a capitalised acronym beside a word is a brand.
        || (name.chars().any(char::is_lowercase)
            && words
                .iter()
                .any(|w| w.chars().count() > 1 && !w.chars().any(char::is_lowercase)))
        || words.iter().any(|w| {
            !w.starts_with(char::is_uppercase)
                || !w
                    .chars()
                    .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '.'))
                || ORG_WORDS.contains(&w.to_lowercase().trim_end_matches('.'))
        })
    {
        return None;
    }
    match clean(name).as_slice() {
        [one] if one.contains(' ') && !is_org(one) => Some(one.clone()),
        _ => None,
    }
}

/// An English month name or its three-letter abbreviation.
fn month_word(l: &str) -> bool {
    MONTHS
        .iter()
        .any(|m| m.eq_ignore_ascii_case(l) || (l.len() == 3 && m.to_lowercase().starts_with(l)))
}

/// Most words in a date written out ("Samstag, 19. Oktober 2019").
const DATE_PART_WORDS: usize = 4;

/// Several words with a lowercase one that is neither a particle nor a role word.
fn is_prose(part: &str) -> bool {
    let words: Vec<&str> = part.split_whitespace().collect();
    // A short part that opens with a digit or a weekday is a date ("21 juin 2018",
    // "Samstag, 19. Oktober") and dropped on its own.
    let date = words.len() <= DATE_PART_WORDS
        && words.first().is_some_and(|w| {
            let l = w.trim_end_matches([',', '.']).to_lowercase();
            l.starts_with(|c: char| c.is_ascii_digit()) || is_weekday(&l)
        });
    words.len() > 1
        && !date
        && words.iter().any(|w| {
            let l = w.to_lowercase();
            let l = l.trim_matches(|c: char| !c.is_alphanumeric());
            w.chars().next().is_some_and(char::is_lowercase)
                && !PARTICLES.contains(&l)
                && !ROLE_WORDS.contains(&l)
                && !matches!(l, "by" | "and")
        })
}

fn collapse(s: &str) -> String {
    // Soft hyphens (U+00AD) are hyphenation hints inside a name ("Mat\u{ad}thias").
    s.split_whitespace()
        .map(|w| w.replace('\u{ad}', ""))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Byline openers that adjacent elements glue to the name ("By" + "Alex Lee" → "ByAlex Lee").
const GLUED_OPENERS: &[&str] = &["By", "Von", "Par", "Por", "Door", "Av", "Af", "Di"];

/// The rest of `s` after an opener glued to a capitalised name, if it is one.
pub fn unglue_opener(s: &str) -> Option<&str> {
    GLUED_OPENERS.iter().find_map(|o| {
        let rest = s.strip_prefix(o)?;
        let mut cs = rest.chars();
        let (a, b) = (cs.next()?, cs.next()?);
        // "ByAlex", not "BYU" or "Bypass": a capital and then a lowercase letter or period.
        (a.is_uppercase() && (b.is_lowercase() || b == '.')).then_some(rest)
    })
}

fn looks_like_url(s: &str) -> bool {
    s.starts_with("http://")
        || s.starts_with("https://")
        || s.starts_with("//")
        || s.starts_with('/')
}

/// A profile URL's last path segment is usually the author's slug (`/author/jane-doe/`).
fn from_url(s: &str) -> Option<String> {
    let path = s.split(['?', '#']).next()?;
    let mut segs = path.trim_end_matches('/').rsplit('/');
    let slug = segs.next()?;
    let parent = segs.next().unwrap_or("");
    if !matches!(
        parent,
        "author"
            | "authors"
            | "people"
            | "by"
            | "staff"
            | "profile"
            | "profiles"
            | "journalist"
            | "reporters"
    ) {
        return None;
    }
    let name = slug
        .split(['-', '_', '+'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    clean_one(&name)
}

fn strip_by(s: &str) -> String {
    let s = s.trim_start_matches(|c: char| !c.is_alphanumeric());
    let mut s = unglue_opener(s).unwrap_or(s).to_string();
    loop {
        let lower = s.to_lowercase();
        let mut changed = false;
        for p in [
            "by:",
            "by ",
            "von ",
            "por ",
            "par ",
            "di ",
            "oleh ",
            "written by ",
            "analysis by ",
            "opinion by ",
            "commentary by ",
            "story by ",
            "text by ",
            "reported by ",
            "posted by ",
            "published by ",
            "words by ",
            "reporting by ",
            "author:",
            "authors:",
            "autor:",
            "autorin:",
            "autoren:",
            "text:",
            "texto:",
            "interview:",
            "von:",
            "artikel von:",
            "auteur:",
            "auteurs:",
            "autore:",
            "autori:",
            "forfatter:",
            "författare:",
            "tekst:",
            "yazar:",
            "автор:",
            "text von ",
            "eingestellt von ",
            "veröffentlicht von ",
            "gespeichert von ",
            "publicado por ",
            "escrito por ",
            "scritto da ",
            "écrit par ",
            "geplaatst door ",
            "skrevet af ",
            "skrevet av ",
            "skriven av ",
            "artikel von ",
            "ein artikel von ",
            "geschrieben von ",
            "verfasst von ",
            "door ",
            "av ",
            "af ",
            "przez ",
            "autoren ",
            "rechtsanwalt ",
            "rechtsanwältin ",
        ] {
            // `get`: lowercasing may change byte lengths ("İ"), so the cut must be checked.
            if lower.starts_with(p)
                && let Some(rest) = s.get(p.len()..)
            {
                s = rest.trim_start().to_string();
                changed = true;
                break;
            }
        }
        if !changed && let Some(n) = genre_opener(&s) {
            s = s[n..].trim_start().to_string();
            changed = true;
        }
        if !changed {
            return s;
        }
    }
}

/// Words that name what a piece is or that it was made, before "by"/"von" in a byline ("Eine
/// Kolumne von", "A column by", "Reportage de", "Erstellt von"); not "Kommentar"/"comment",
/// which also label readers' comments.
const GENRE_WORDS: &[&str] = &[
    "a",
    "an",
    "ein",
    "eine",
    "un",
    "une",
    "una",
    "column",
    "kolumne",
    "beitrag",
    "gastbeitrag",
    "blog",
    "blogbeitrag",
    "guest",
    "post",
    "analyse",
    "analysis",
    "essay",
    "interview",
    "review",
    "rezension",
    "kritik",
    "story",
    "text",
    "article",
    "artikel",
    "report",
    "bericht",
    "reportage",
    "pressemitteilung",
    "erstellt",
    "opinion",
    "commentary",
    "meinung",
    "glosse",
    "feature",
    "chronique",
    "tribune",
    "crónica",
    "columna",
];

/// The byte length of a genre opener ("Eine Kolumne von ") at the start of `s`: up to three
/// [`GENRE_WORDS`], at least one of them not an article, then "by", "von", "par", "por", "de",
/// "di" or "door".
pub fn genre_opener(s: &str) -> Option<usize> {
    let mut at = 0;
    let mut nouns = 0;
    for (i, w) in s.split(' ').enumerate().take(4) {
        let l = w.to_lowercase();
        if i > 0
            && nouns > 0
            && matches!(
                l.as_str(),
                "by" | "von" | "par" | "por" | "de" | "di" | "door"
            )
        {
            return Some(at + w.len());
        }
        if !GENRE_WORDS.contains(&l.as_str()) {
            return None;
        }
        nouns += usize::from(!matches!(
            l.as_str(),
            "a" | "an" | "ein" | "eine" | "un" | "une" | "una"
        ));
        at += w.len() + 1;
    }
    None
}

fn split_names(s: &str) -> Vec<String> {
    let mut parts = vec![s.to_string()];
    for sep in [
        ";", ",", " and ", " And ", " & ", " e ", " und ", " y ", " et ", " dan ",
    ] {
        parts = parts
            .iter()
            .flat_map(|p| {
                let pieces: Vec<&str> = p.split(sep).collect();
                // "José Volta e Pinto", "José Ortega y Gasset": in Portuguese and Spanish
                // names "e"/"y" joins two family names; it joins two people only when each
                // side is a full name.
                if matches!(sep, " e " | " y ") && pieces.iter().any(|x| !x.trim().contains(' ')) {
                    return vec![p.clone()];
                }
                pieces.into_iter().map(str::to_string).collect()
            })
            .collect();
    }
    parts
}

/// One candidate name, or `None` when it is a role, a date or other noise.
fn clean_one(s: &str) -> Option<String> {
    let s = strip_by(s.trim());
    let s = s.trim_matches(|c: char| !c.is_alphanumeric() && c != '.' && c != ')');
    let s = trim_end_period(s);
    if s.is_empty()
        || s.chars().count() > 60
        || s.contains('@')
        || s.contains("://")
        || s.contains("(s)")
        || s.contains(':')
    {
        return None;
    }
    if s.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    // "WordPress.com. WP Designer": a domain among words is a platform's credit, not a person
    // (a domain alone, "ORF.at", is the site's name).
    if s.contains(' ')
        && s.split_whitespace().any(|w| {
            w.split_once('.').is_some_and(|(_, tld)| {
                tld.chars().take_while(char::is_ascii_lowercase).count() >= 2
            })
        })
    {
        return None;
    }
    // "Associated Press", "Press Trust of India": an agency is named by role words ("Staff"
    // alone is no name).
    if s.contains(' ') && is_org(s) {
        return Some(recase(s));
    }
    let words: Vec<&str> = s.split_whitespace().collect();
    if words.is_empty() || words.len() > 6 {
        return None;
    }
    if words.iter().any(|w| {
        let w = w.to_lowercase();
        // "Editor-at-large" is a role as much as "editor".
        w.split(['-', '/'])
            .any(|p| ROLE_WORDS.contains(&p.trim_matches(|c: char| !c.is_alphanumeric())))
    }) {
        return None;
    }
    if !s.chars().next().is_some_and(char::is_alphabetic) {
        return None;
    }
    // Byline labels, weekdays and links left alone when the name itself was elsewhere.
    if words.iter().all(|w| {
        let w = w.to_lowercase();
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        NOT_NAMES.contains(&w) || is_weekday(w)
    }) {
        return None;
    }
    // "Jane Doe, MS, RDN": degrees after a comma are parts of their own.
    if words.len() == 1 && CREDENTIALS.contains(&s.to_lowercase().replace('.', "").as_str()) {
        return None;
    }
    // Names are capitalised; a lowercase word ("defense", "admin") marks prose or a login,
    // except for the particles of family names.
    if words.iter().any(|w| {
        w.chars().next().is_some_and(char::is_lowercase)
            && !PARTICLES.contains(&w.to_lowercase().as_str())
    }) {
        return None;
    }
    Some(recase(s))
}

/// Words that make no name on their own: byline labels, weekdays, link labels.
const NOT_NAMES: &[&str] = &[
    "by",
    "von",
    "par",
    "por",
    "di",
    "door",
    "av",
    "af",
    "przez",
    "artikel",
    "article",
    "autor",
    "autorin",
    "author",
    "text",
    "texte",
    "texto",
    "foto",
    "fotos",
    "photo",
    "photos",
    "bild",
    "interview",
    "zur",
    "artikelübersicht",
    "übersicht",
    "more",
    "mehr",
    "alle",
    "all",
    "posts",
    "beiträge",
    "home",
    "hire",
    "anonymous",
    "unknown",
    "guest",
    "gast",
];

/// Lower-case particles of family names ("Ludwig van Beethoven", "Ana de Armas").
const PARTICLES: &[&str] = &[
    "de", "van", "von", "der", "den", "da", "di", "du", "la", "le", "del", "della", "dos", "das",
    "ten", "ter", "bin", "al", "el", "y", "e", "zu", "af", "av", "dei", "degli", "des",
];

/// Academic and professional post-nominals that bylines list after the name.
const CREDENTIALS: &[&str] = &[
    "ms", "ma", "md", "phd", "rd", "rdn", "rn", "mph", "cpt", "ld", "ldn", "cde", "dds", "dvm",
    "mba", "msc", "bsc", "np", "cscs", "lcsw", "psyd", "edd", "jd", "cfp", "cpa", "cfa", "ba",
    "bs", "mfa", "msn", "aprn", "pharmd", "facp", "do", "lpc", "cpt", "ibclc",
];

/// Organisations and wire services that stand in the author field; dropped when a person is
/// also named (see [`is_org`]).
const ORGS: &[&str] = &[
    "reuters",
    "ap",
    "associated press",
    "afp",
    "agence france-presse",
    "agence france presse",
    "staff",
    "editorial board",
    "editorial",
    "editors",
    "bloomberg",
    "bloomberg news",
    "pti",
    "ians",
    "ani",
    "upi",
    "dpa",
    "xinhua",
    "press trust of india",
    "wire",
    "wires",
    "wire services",
    "wire reports",
    "agencies",
    "news agencies",
    "news desk",
    "web desk",
    "tass",
    "efe",
    "ansa",
    "kyodo",
    "yonhap",
    "cnn",
    "cnn wire",
    "bbc",
    "bbc news",
];

/// A wire service, an editorial collective or a newsroom rather than a person.
pub fn is_org(name: &str) -> bool {
    let l = name.to_lowercase();
    let l = l.strip_prefix("the ").unwrap_or(&l).trim();
    ORGS.contains(&l)
}

/// Whether `name` is the publication itself: "Al-Bawaba" on "Al Bawaba", "CNN Business" on
/// "CNN", "Business Insider" on "Business Insider Deutschland", "Cleveland.com" on
/// cleveland.com.
pub fn is_site(name: &str, site: Option<&str>, host: Option<&str>) -> bool {
    // "Die FURCHE" on furche.at, "The Daily Planet" beside og:site_name "Daily Planet".
    if let Some((article, rest)) = name.split_once(' ')
        && LEADING_ARTICLES
            .iter()
            .any(|a| a.eq_ignore_ascii_case(article))
        && is_site_as_written(rest, site, host)
    {
        return true;
    }
    is_site_as_written(name, site, host)
}

/// Definite articles that open a publication's name ("The", "Die", "Le", "El").
const LEADING_ARTICLES: &[&str] = &[
    "the", "die", "der", "das", "le", "la", "les", "el", "il", "lo", "het", "de",
];

fn is_site_as_written(name: &str, site: Option<&str>, host: Option<&str>) -> bool {
    // Allocation-free: this runs for every author and title candidate.
    if words(name).next().is_none() {
        return false;
    }
    let joined = || words(name).filter(|c| *c != ' ');
    if let Some(s) = site
        && words(s).nth(1).is_some()
        && (words(s).eq(words(name))
            || words(s).filter(|c| *c != ' ').eq(joined())
            || (words(s).nth(2).is_some() && word_prefix(name, s))
            || word_prefix(s, name))
    {
        return true;
    }
    if let Some(h) = host {
        let h = h.strip_prefix("www.").unwrap_or(h);
        fn alnum(s: &str) -> impl Iterator<Item = char> + '_ {
            s.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
        }
        let first = h.split('.').next().unwrap_or("");
        if joined().eq(alnum(h)) || (first.len() >= 4 && joined().eq(alnum(first))) {
            return true;
        }
    }
    false
}

/// Lowercase letters and digits of `s`, its words separated by one space.
fn words(s: &str) -> impl Iterator<Item = char> + '_ {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .enumerate()
        .flat_map(|(i, w)| {
            (i > 0)
                .then_some(' ')
                .into_iter()
                .chain(w.chars().flat_map(char::to_lowercase))
        })
}

/// Whether the words of `long` begin with all the words of `short` and go on.
fn word_prefix(long: &str, short: &str) -> bool {
    let mut l = words(long);
    for c in words(short) {
        if l.next() != Some(c) {
            return false;
        }
    }
    l.next() == Some(' ')
}

/// "TOM KRISHER" → "Tom Krisher", "MARY O'NEIL-MCDONALD" → "Mary O'Neil-McDonald". Mixed-case
/// names are left as written; a single all-caps word is left alone (it is as likely an acronym)
/// unless it is a known organisation such as "REUTERS".
fn recase(s: &str) -> String {
    if s.chars().any(char::is_lowercase) || !s.chars().any(char::is_uppercase) {
        return s.to_string();
    }
    let words: Vec<&str> = s.split(' ').collect();
    if words.len() == 1 {
        if s.chars().count() > 3 && is_org(s) {
            return recase_word(s);
        }
        return s.to_string();
    }
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let l = w.to_lowercase();
            if i > 0 && PARTICLES.contains(&l.as_str()) && i + 1 < words.len() {
                l
            } else if matches!(l.as_str(), "ii" | "iii" | "iv") {
                (*w).to_string()
            } else {
                recase_word(w)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Capitalises each letter that follows a non-letter (start, hyphen, apostrophe, period) and
/// lowercases the rest; "Mc" keeps the capital after it.
fn recase_word(w: &str) -> String {
    let mut out = String::with_capacity(w.len());
    let mut prev_letter = false;
    for c in w.chars() {
        if c.is_alphabetic() {
            if prev_letter {
                out.extend(c.to_lowercase());
            } else {
                out.extend(c.to_uppercase());
            }
            prev_letter = true;
        } else {
            out.push(c);
            prev_letter = false;
        }
    }
    out.split('-').map(mc).collect::<Vec<_>>().join("-")
}

fn mc(part: &str) -> String {
    if let Some(rest) = part.strip_prefix("Mc")
        && rest.chars().count() >= 2
        && rest.chars().all(char::is_alphabetic)
    {
        let mut r = rest.chars();
        let first: String = r.next().into_iter().flat_map(char::to_uppercase).collect();
        return format!("Mc{first}{}", r.as_str());
    }
    part.to_string()
}

const WEEKDAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Cuts a dateline off a byline: "Jane Doe on Monday, Nov. 18" → "Jane Doe", and the glued
/// "Jane DoeMonday" that adjacent text nodes give.
fn cut_dateline(s: &mut String) {
    // Every weekday ends in "day"; every month follows " on ": most bylines have neither.
    let (day, on) = (s.contains("day"), s.contains(" on "));
    if !day && !on {
        return;
    }
    let mut cut = s.len();
    for d in WEEKDAYS.iter().filter(|_| day) {
        for (i, _) in s.match_indices(d) {
            let before = s[..i].chars().next_back();
            if i > 0 && before.is_some_and(|c| c == ' ' || c.is_lowercase()) {
                cut = cut.min(i);
            }
        }
    }
    for m in MONTHS.iter().filter(|_| on) {
        if let Some(i) = s.find(&format!(" on {m}")) {
            cut = cut.min(i + 1);
        }
    }
    if cut < s.len() {
        s.truncate(cut);
        let t = s.trim_end_matches([' ', ',']);
        let t = t.strip_suffix(" on").unwrap_or(t).trim_end().to_string();
        *s = t;
    }
}

/// "Finian Cunningham. Sputnik International" → "Finian Cunningham": a period after a full word
/// (not an initial) of a name of two words or more ends the name.
fn cut_outlet_after_period(s: &mut String) {
    let mut from = 0;
    while let Some(rel) = s[from..].find(". ") {
        let i = from + rel;
        let head = &s[..i];
        let last = head.rsplit(' ').next().unwrap_or("");
        if head.contains(' ') && last.chars().count() >= 3 && last.chars().all(char::is_alphabetic)
        {
            s.truncate(i);
            return;
        }
        from = i + 2;
    }
}

/// Credits for the pictures after the writer's name: a capitalised role word followed by a
/// colon or a "by" ("Foto:", "Illustration von", "Photos by").
fn cut_other_credit(s: &mut String) {
    const ROLES: &[&str] = &[
        "Foto",
        "Fotos",
        "Photo",
        "Photos",
        "Bild",
        "Bilder",
        "Illustration",
        "Illustrationen",
        "Illustrations",
        "Grafik",
        "Grafiken",
    ];
    let mut cut = None;
    for (i, _) in s.match_indices(' ') {
        let rest = &s[i + 1..];
        let Some(role) = ROLES.iter().find(|r| rest.starts_with(**r)) else {
            continue;
        };
        let after = &rest[role.len()..];
        if [":", " von ", " by ", " de ", " par "]
            .iter()
            .any(|j| after.starts_with(j))
        {
            cut = Some(i);
            break;
        }
    }
    if let Some(i) = cut {
        s.truncate(i);
    }
}

/// A parenthesised note after a name ("Ann Lee (Pressesprecherin)", "Ann Lee (Reuters)") is
/// a role or an outlet; it goes before the name list is split.
fn drop_parenthesised(s: &mut String) {
    while let Some(i) = s.find(" (") {
        let Some(len) = s[i..].find(')') else {
            return;
        };
        s.replace_range(i..i + len + 1, "");
    }
}

/// Social handles after a name ("Ann Lee @annlee") are dropped; a value that is only a handle
/// stays and is rejected later as a whole.
fn drop_handles(s: &mut String) {
    if !s.contains('@') {
        return;
    }
    // "Ann Lee @ 12:00 am": a lone "@" opens the time of posting.
    if let Some(i) = s.find(" @ ") {
        s.truncate(i);
    }
    let kept: Vec<&str> = s
        .split_whitespace()
        .filter(|w| !(w.starts_with('@') && w.len() > 1))
        .collect();
    if !kept.is_empty() {
        *s = kept.join(" ");
    }
}

/// Weekday names and abbreviations that open a date stamp glued to a byline ("Von Ann Lee Fr,
/// 18. Oktober 2019"), in the byline languages handled above.
const WEEKDAY_WORDS: &[&str] = &[
    "mo",
    "di",
    "mi",
    "do",
    "fr",
    "sa",
    "so",
    "mon",
    "tue",
    "tues",
    "wed",
    "thu",
    "thur",
    "thurs",
    "fri",
    "sat",
    "sun",
    "lun",
    "mar",
    "mer",
    "jeu",
    "ven",
    "sam",
    "dim",
    "mié",
    "jue",
    "vie",
    "sáb",
    "dom",
    "gio",
    "lunes",
    "martes",
    "miércoles",
    "jueves",
    "viernes",
    "sábado",
    "domingo",
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "samedi",
    "dimanche",
    "lunedì",
    "martedì",
    "mercoledì",
    "giovedì",
    "venerdì",
    "sabato",
    "domenica",
];

/// Cuts a date stamp that opens with a weekday followed by a comma or period and then a digit
/// ("Ann Lee Fr, 18. Oktober 2019" → "Ann Lee"). The weekday must follow at least one word.
fn cut_weekday_stamp(s: &mut String) {
    let mut at = 0;
    let mut cut = None;
    for (i, w) in s.split(' ').enumerate() {
        let start = at;
        at += w.len() + 1;
        if i == 0 {
            continue;
        }
        let Some(word) = w.strip_suffix([',', '.']) else {
            continue;
        };
        let next_digit = s
            .get(at..)
            .and_then(|r| r.chars().next())
            .is_some_and(|c| c.is_ascii_digit());
        if next_digit && WEEKDAY_WORDS.contains(&word.to_lowercase().as_str()) {
            cut = Some(start);
            break;
        }
    }
    if let Some(c) = cut {
        s.truncate(c);
        let t = s.trim_end().to_string();
        *s = t;
    }
}

/// Words that join a byline to its date ("Von Ann Lee am 07.08.2013", "par Ann Lee le 7 mai").
const DATE_JOINERS: &[&str] = &["am", "le", "el", "il", "on", "op", "den", "em"];

/// Cuts "… am 07.08.2013 …" / "… am Samstag, 19. Oktober …" off a byline: a joining word
/// after at least one word, followed by a digit or a weekday.
fn cut_joined_date(s: &mut String) {
    let words: Vec<&str> = s.split(' ').collect();
    let cut = (1..words.len().saturating_sub(1)).find(|&i| {
        let next = words[i + 1].trim_end_matches([',', '.']).to_lowercase();
        DATE_JOINERS.contains(&words[i].to_lowercase().as_str())
            && (next.starts_with(|c: char| c.is_ascii_digit()) || is_weekday(&next))
    });
    if let Some(i) = cut {
        *s = words[..i].join(" ");
    }
}

/// Weekday names in English, German, Dutch and the Nordic languages, lowercase
/// ([`WEEKDAY_WORDS`] has the abbreviations and the Romance ones).
const WEEKDAY_NAMES: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "montag",
    "dienstag",
    "mittwoch",
    "donnerstag",
    "freitag",
    "samstag",
    "sonntag",
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
    "måndag",
    "tisdag",
    "onsdag",
    "torsdag",
    "fredag",
    "lördag",
    "söndag",
    "mandag",
    "tirsdag",
    "lørdag",
    "søndag",
];

/// A weekday's name or abbreviation, given in lowercase.
fn is_weekday(l: &str) -> bool {
    WEEKDAY_WORDS.contains(&l) || WEEKDAY_NAMES.contains(&l)
}

/// "Ann Lee Ann Lee" (a name and its link text, both read) → "Ann Lee".
fn undouble(p: &str) -> String {
    let words: Vec<&str> = p.split_whitespace().collect();
    let n = words.len();
    // Two words at least in each half: "R. R." is a name of two initials.
    if n >= 4 && n.is_multiple_of(2) && words[..n / 2] == words[n / 2..] {
        return words[..n / 2].join(" ");
    }
    p.to_string()
}

/// Drops trailing periods, except the one of an initial or a suffix ("Joe S.", "Perry Bacon
/// Jr.") that belongs to the name.
fn trim_end_period(s: &str) -> &str {
    let t = s.trim_end_matches('.');
    if t.len() == s.len() {
        return s;
    }
    let last = t.rsplit([' ', '.']).next().unwrap_or("");
    let initial = last.chars().count() == 1 && last.chars().all(char::is_uppercase);
    if t.contains(' ') && (initial || matches!(last, "Jr" | "Sr")) {
        return &s[..t.len() + 1];
    }
    t
}

/// Appends names not yet present (case-insensitive), keeping first-seen order.
pub fn push_unique(out: &mut Vec<String>, names: Vec<String>) {
    for n in names {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&n)) {
            out.push(n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{clean, is_org, is_site};

    #[test]
    fn byline_with_outlet() {
        assert_eq!(
            clean("By Jane Doe and John Smith | Reuters"),
            vec!["Jane Doe", "John Smith"]
        );
    }

    #[test]
    fn role_after_comma() {
        assert_eq!(clean("Jane Doe, Senior Editor"), vec!["Jane Doe"]);
        assert_eq!(clean("BY JANE DOE, Associated Press"), vec!["Jane Doe"]);
    }

    #[test]
    fn urls() {
        assert_eq!(
            clean("https://example.com/author/jane-doe/"),
            vec!["Jane Doe"]
        );
        assert!(clean("https://www.facebook.com/janedoe").is_empty());
    }

    #[test]
    fn dates_and_lists() {
        assert_eq!(clean("By Jane Doe - Updated 5:04 PM"), vec!["Jane Doe"]);
        assert_eq!(
            clean("Jane Doe, John Smith & Ann Lee"),
            vec!["Jane Doe", "John Smith", "Ann Lee"]
        );
        assert!(clean("Staff").is_empty());
        assert!(clean("12 November 2019").is_empty());
    }

    #[test]
    fn all_caps_names_are_recased() {
        assert_eq!(clean("By TOM KRISHER"), vec!["Tom Krisher"]);
        assert_eq!(
            clean("SEAN O'HARA and ANNA MCDONALD-SMITH"),
            vec!["Sean O'Hara", "Anna McDonald-Smith"]
        );
        assert_eq!(clean("LUDWIG VAN BEETHOVEN"), vec!["Ludwig van Beethoven"]);
        assert_eq!(clean("J.R. MOEHRINGER"), vec!["J.R. Moehringer"]);
        assert_eq!(clean("REUTERS"), vec!["Reuters"]);
        assert_eq!(clean("AFP"), vec!["AFP"]);
        // Written in mixed case: left as the publisher wrote it.
        assert_eq!(clean("Ian MacDonald"), vec!["Ian MacDonald"]);
    }

    #[test]
    fn lists_split_on_and_commas_ampersand() {
        assert_eq!(clean("A. Lee and B. Kim"), vec!["A. Lee", "B. Kim"]);
        assert_eq!(
            clean("By Ann Lee, Bo Kim and Cy Day"),
            vec!["Ann Lee", "Bo Kim", "Cy Day"]
        );
        assert_eq!(clean("Ann Lee & Bo Kim"), vec!["Ann Lee", "Bo Kim"]);
        assert_eq!(clean("By and"), Vec::<String>::new());
    }

    #[test]
    fn datelines_credentials_and_prose_are_not_names() {
        assert_eq!(
            clean("By Ann Lee on Monday, March 4th, 2024"),
            vec!["Ann Lee"]
        );
        assert_eq!(clean("Ann LeeMonday, March 4"), vec!["Ann Lee"]);
        assert_eq!(clean("Ann Lee, MS, RDN"), vec!["Ann Lee"]);
        assert_eq!(clean("Ann Lee. Daily Planet"), vec!["Ann Lee"]);
        assert_eq!(clean("Sarah E. Needle"), vec!["Sarah E. Needle"]);
        assert_eq!(
            clean("Analysis by Ann Lee, CNN Editor-at-large"),
            vec!["Ann Lee"]
        );
        assert!(clean("The Russian and Syrian defense ministries").is_empty());
        assert_eq!(clean("Reuters, Washington"), vec!["Reuters"]);
        assert_eq!(clean("Ann Lee for The Daily Planet"), vec!["Ann Lee"]);
        assert!(clean("admin").is_empty());
        assert_eq!(clean("Ana de Armas"), vec!["Ana de Armas"]);
    }

    #[test]
    fn labels_weekdays_and_photo_credits_are_not_names() {
        assert!(clean("By").is_empty());
        assert!(clean("Artikel von").is_empty());
        assert!(clean("Donnerstag").is_empty());
        assert!(clean("Zur Artikelübersicht").is_empty());
        assert_eq!(
            clean("Autor: Rechtsanwalt Sebastian Einbock"),
            vec!["Sebastian Einbock"]
        );
        assert_eq!(clean("Text: Jana Roe Foto: John Doe"), vec!["Jana Roe"]);
        assert_eq!(
            clean("Von Roland Brockmann und Sebastian Drescher"),
            vec!["Roland Brockmann", "Sebastian Drescher"]
        );
    }

    #[test]
    fn orgs_and_sites() {
        assert!(is_org("Reuters") && is_org("The Associated Press") && is_org("AFP"));
        assert!(!is_org("Ann Lee"));
        assert!(is_site("Al-Bawaba", Some("Al Bawaba"), None));
        assert!(is_site("CNN Business", Some("CNN"), None));
        assert!(is_site(
            "Business Insider",
            Some("Business Insider Deutschland"),
            None
        ));
        assert!(is_site("Cleveland.com", None, Some("www.cleveland.com")));
        assert!(is_site("LinkNaija", None, Some("www.linknaija.com")));
        assert!(is_site("Die FURCHE", None, Some("www.furche.at")));
        assert!(is_site("The Daily Planet", Some("Daily Planet"), None));
        assert!(!is_site(
            "Ann Lee",
            Some("Daily Planet"),
            Some("dailyplanet.com")
        ));
    }
}
