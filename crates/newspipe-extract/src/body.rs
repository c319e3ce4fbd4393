//! Main-body selection: scores containers by the paragraphs they hold (readability-style), picks
//! the story container plus its split-off siblings, and keeps the blocks that read as story.

use crate::classes::{Mark, contains_ci};
use crate::walk::{Block, Kind, Tag, Walk};

/// Share of the rivals' score an ancestor must hold before the story is widened to it.
const RIVAL_SHARE: f32 = 0.5;

/// Whole lines that are page furniture (a label above a tag list, a lone "Share").
const JUNK_EXACT: &[&str] = &[
    "tags",
    "share",
    "comments",
    "print",
    "email",
    "related",
    "advertisement",
    "ad",
    "advert",
    // Labels of a contact or information box after the story.
    "kontakt",
    "contact",
    "weitere informationen",
    "zusatzinformationen",
    "more information",
    "über den autor",
    "about the author",
    "więcej informacji",
    "externer inhalt",
];

/// Short lines that are page furniture wherever they appear.
const JUNK_PREFIXES: &[&str] = &[
    "advertisement",
    "published",
    "updated",
    "last updated",
    "posted on",
    "posted:",
    "posted by",
    "publicado",
    "publicada",
    "atualizado",
    "pubblicato",
    "aggiornato",
    "veröffentlicht",
    "aktualisiert",
    "tags:",
    "join the conversation",
    "don't miss",
    "don’t miss",
    "tell us what you think",
    "atenção: comentários",
    "read more",
    "read next",
    "related:",
    "related stories",
    "related articles",
    "see also",
    "click here",
    "sign up",
    "subscribe",
    "share this",
    "share on",
    "follow us",
    "recommended",
    "more from",
    "more on this",
    "continue reading",
    "most popular",
    "most read",
    "you may also like",
    "you might also like",
    "also read",
    "also see",
    "copyright",
    "©",
    "all rights reserved",
    "listen to this",
    "skip to",
    "join now",
    "become a member",
    "newsletter",
    "download the app",
    "watch:",
    "watch now",
    "loading",
    "comments",
    "leave a comment",
    "photo:",
    "image:",
    // Source and picture credit lines ("Quelle: dpa", "Titelbild: …", "Fuente: …").
    "source:",
    "credit:",
    "credits:",
    "photo credit",
    "quelle:",
    "bildquelle",
    "titelbild:",
    "foto:",
    "fotos:",
    "bild:",
    "fuente:",
    "fonte:",
    "źródło:",
    "zdjęcie:",
    "beitragsbild",
    "symbolbild",
    "bildnachweis",
    "image credit",
    "photo by",
    "foto von",
    "(credit",
    "(photo",
    "(foto",
    "(bild:",
    "getty images",
    "ap photo",
    "reuters photo",
    // The same labels in the languages the pages come in most (links to other stories, share
    // and rating prompts, comment-box states).
    "lesen sie auch",
    "lesen sie mehr",
    "auch interessant",
    "das könnte sie auch interessieren",
    "das könnte dich auch interessieren",
    "mehr zum thema",
    "weiterlesen",
    "weitere beiträge",
    "weitere artikel",
    "ähnliche beiträge",
    "ähnliche artikel",
    "jetzt teilen",
    "artikel teilen",
    "beitrag teilen",
    "keine kommentare",
    "kommentare geschlossen",
    "wird geladen",
    "war der artikel hilfreich",
    "war der artikel nützlich",
    "wie bewerten sie diesen artikel",
    "möchten sie den artikel teilen",
    "(noch keine bewertungen)",
    "related coverage",
    "explore further",
    "further reading",
    "more stories",
    "like it? share it",
    "veja também",
    "leia também",
    "leia mais",
    "lee también",
    "lea también",
    "ver también",
    "lire aussi",
    "à lire aussi",
    "a lire aussi",
    "voir aussi",
    "leggi anche",
    "zobacz też",
    "zobacz także",
    "czytaj też",
    "czytaj także",
    "czytaj więcej",
    "przeczytaj też",
    "przeczytaj także",
    "drukuj",
    "schon gelesen",
    "zum weiterlesen",
    "weiterführende links",
    "weiterführender link",
    "mehr dazu:",
    "passend zum thema",
    "vorschau auf den nächsten artikel",
    "nächster artikel",
    "vorheriger artikel",
    "previous article",
    "next article",
    "related posts",
    "related content",
    "more like this",
    "editor's picks",
    "trending now",
    "te puede interesar",
    "también te puede interesar",
    "noticias relacionadas",
    "à lire également",
    "sur le même sujet",
    "potrebbe interessarti",
    "articoli correlati",
    "zobacz również",
    "czytaj również",
    "notícias relacionadas",
    // Advertising notices, picture zoom links, comment-box states.
    "anzeige:",
    "anzeige,",
    "anzeige -",
    "(anzeige)",
    "*anzeige",
    "*werbung",
    "werbung:",
    "vergrößern",
    "permalink",
    "permalien",
    "sie müssen sich einloggen",
    "sie sind aktuell nicht eingeloggt",
    "bitte registrieren sie sich",
    "you must be logged in",
    // Buttons of recipe and picture widgets, category lines of blog themes.
    "jump to recipe",
    "print recipe",
    "pin recipe",
    "rezept drucken",
    "zum rezept",
    "bild anzeigen",
    "bild schließen",
    "kommentarfeed",
    "gefällt mir:",
    "like this:",
    "kategorie:",
    "kategorien:",
    "category:",
    "categories:",
    "filed under",
    "schlagwörter:",
    "schlagworte:",
];

/// Picks the story blocks; returns them joined by blank lines.
pub fn select(w: &Walk) -> String {
    let n = w.elems.len();
    if n == 0 || w.blocks.is_empty() {
        return String::new();
    }
    let furniture = resolve_furniture(w);

    // Paragraph scores go to the container and, decaying, to its ancestors.
    let mut score = vec![0f32; n];
    for b in &w.blocks {
        if furniture[b.elem as usize] || !scorable(b) {
            continue;
        }
        let len = b.text.chars().count();
        let commas = b.text.matches([',', '，', '、', '،']).count().min(10);
        let s = 1.0 + commas as f32 + (len as f32 / 100.0).min(3.0);
        let mut e = if w.elems[b.elem as usize].tag == Tag::Para {
            w.elems[b.elem as usize].parent
        } else {
            b.elem
        } as usize;
        for level in 0..5 {
            let div = match level {
                0 => 1.0,
                1 => 2.0,
                l => l as f32 * 3.0,
            };
            score[e] += s / div;
            if e == 0 {
                break;
            }
            e = w.elems[e].parent as usize;
        }
    }
    let mut fin = vec![0f32; n];
    for i in 0..n {
        if score[i] <= 0.0 || furniture[i] {
            continue;
        }
        let el = &w.elems[i];
        let ld = if el.chars > 0 {
            el.link_chars as f32 / el.chars as f32
        } else {
            0.0
        };
        let bonus = match el.mark {
            Mark::StrongPositive => 10.0,
            Mark::Positive => 3.0,
            _ => 0.0,
        } + if el.tag == Tag::Article { 3.0 } else { 0.0 };
        fin[i] = (score[i] + bonus) * (1.0 - ld);
    }
    let Some(mut top) = (0..n)
        .filter(|&i| fin[i] > 0.0)
        .max_by(|&a, &b| fin[a].total_cmp(&fin[b]))
    else {
        return String::new();
    };
    // Microdata naming the body wins when it holds real text.
    if let Some(ib) =
        (0..n).find(|&i| w.elems[i].itemprop_body && !furniture[i] && w.elems[i].chars > 400)
        && (!is_ancestor(w, ib, top) || fin[ib] >= fin[top] * 0.3)
    {
        top = ib;
    }

    // A story split by ads or inline boxes has rivals close in score: climb to hold them all.
    let top_score = fin[top];
    let scored = top;
    let rivals: Vec<usize> = (0..n)
        .filter(|&i| {
            i != top
                && fin[i] >= top_score * 0.45
                && !is_ancestor(w, i, top)
                && !is_ancestor(w, top, i)
        })
        .collect();
    if !rivals.is_empty() {
        let total: f32 = rivals.iter().map(|&r| fin[r]).sum();
        let mut anc = top;
        for _ in 0..5 {
            if anc == 0 {
                break;
            }
            anc = w.elems[anc].parent as usize;
            let held: f32 = rivals
                .iter()
                .filter(|&&r| is_ancestor(w, anc, r))
                .map(|&r| fin[r])
                .sum();
            if held >= total * RIVAL_SHARE {
                if anc != 0 && !furniture[anc] {
                    top = anc;
                }
                break;
            }
        }
    }

    // A container that won on many short lines (a letter's signatories, a table of specs)
    // while a box just above it holds more prose outside it: the story is the prose.
    top = prose_above_lines(w, &furniture, top);

    // Siblings that carry story text too (same parent, decent score or a clean long paragraph).
    let mut chosen = vec![false; n];
    chosen[top] = true;
    // A story cut into several marked containers (sections between sidebars, paywall splits):
    // every other strongly marked container with real text joins it.
    if [top, scored]
        .iter()
        .any(|&t| w.elems[t].mark == Mark::StrongPositive || w.elems[t].itemprop_body)
    {
        for i in 0..n {
            let el = &w.elems[i];
            if (el.mark == Mark::StrongPositive || el.itemprop_body)
                && !furniture[i]
                && fin[i] >= top_score * 0.2
                && !is_ancestor(w, i, top)
                && !is_ancestor(w, top, i)
            {
                chosen[i] = true;
            }
        }
    }
    let parent = w.elems[top].parent as usize;
    let threshold = (fin[top] * 0.2).max(10.0);
    if top != 0 {
        for i in 0..n {
            if i == top || w.elems[i].parent as usize != parent || furniture[i] {
                continue;
            }
            let el = &w.elems[i];
            let ld = if el.chars > 0 {
                el.link_chars as f32 / el.chars as f32
            } else {
                1.0
            };
            if fin[i] >= threshold || (el.tag == Tag::Para && el.chars > 80 && ld < 0.25) {
                chosen[i] = true;
            }
        }
    }
    // A story a template cut into repeated boxes (page-builder text columns, a section per
    // group of paragraphs): boxes built like the story's container that branch off near it
    // join it when they hold prose.
    if top != 0 {
        let twins = twins(w, top);
        let (mut lo, mut hi) = (top, top);
        let share = after_share(w, &furniture, &fin, &twins, top, TWIN_AFTER_SHARE);
        for &i in &twins {
            // After the story, a small copy is more often the publisher's note in the same
            // box (an "about the company" paragraph, a call to join the forum).
            if copy_joins(w, &furniture, &fin, (i, top), share) {
                chosen[i] = true;
                lo = lo.min(i);
                hi = hi.max(i);
            }
        }
        // A copy between the story's parts that holds only a subheading is the story's too,
        // and so is a subheading standing between the parts on its own.
        for &i in &twins {
            if i > lo && i < hi && !chosen[i] && !furniture[i] && fin[i] == 0.0 {
                chosen[i] = true;
            }
        }
        if hi > lo {
            for b in &w.blocks {
                let e = b.elem as usize;
                if e > lo && e < hi && !furniture[e] && matches!(b.kind, Kind::Heading(2..=6)) {
                    chosen[e] = true;
                }
            }
        }
    }
    // A story whose parts sit in copies of a wrapper a level or two above its container (a
    // CMS text element per section, each with its own inner boxes): copies of those wrappers
    // that hold prose join it, under the same conditions as the container's own copies.
    if top != 0 {
        let mut a = top;
        for _ in 0..WRAPPER_LEVELS {
            a = w.elems[a].parent as usize;
            if a == 0 || w.elems[a].tag != Tag::Block {
                break;
            }
            if !w.elems[a].classed || furniture[a] {
                continue;
            }
            let copies = twins(w, a);
            let share = after_share(w, &furniture, &fin, &copies, a, WRAPPER_AFTER_SHARE);
            for i in copies {
                if copy_joins(w, &furniture, &fin, (i, a), share) {
                    chosen[i] = true;
                }
            }
        }
    }
    let mut inside = vec![false; n];
    for i in 0..n {
        inside[i] = chosen[i] || (i != 0 && inside[w.elems[i].parent as usize]);
    }

    // A list in the story's container that only a weak class word marks ("rte--list",
    // "styled-list", "hidden-xs") is the story's list: its items stay. So is the heading of
    // a section inside the story that a `header` box holds (an accordion's question).
    let story_part = |mut e: usize, kind: Kind| {
        while e != top && e != 0 {
            let el = &w.elems[e];
            let weak_list = kind == Kind::Item
                && el.mark == Mark::WeakFurniture
                && !el.hard
                && (el.list || el.tag == Tag::Para);
            // Only the heading: a byline or a date line in the box stays out.
            let section_head = matches!(kind, Kind::Heading(_))
                && el.header
                && matches!(el.mark, Mark::Neutral | Mark::Positive);
            if el.furniture && !weak_list && !section_head {
                return false;
            }
            e = el.parent as usize;
        }
        e == top
    };
    // A recipe's ingredient list near the story is the recipe's: its short lines score
    // nothing and its box often carries a weak class word, but the lines are the story's.
    let mut recipe = vec![false; n];
    // Where the story's lead, and a recipe's ingredients, may branch off.
    let scope = lead_scope(w, top);
    if w.elems.iter().any(|el| el.ingredients) {
        for i in 1..n {
            let el = &w.elems[i];
            let p = el.parent as usize;
            recipe[i] = !el.hard
                && el.mark != Mark::Furniture
                && (recipe[p] || (el.ingredients && scope != 0 && is_ancestor(w, scope, i)));
        }
    }
    // A list in the story whose lines are not all links holds the story's own entries (a
    // press review, exercises with their solutions): its linked lines stay too. A list of
    // nothing but links is a list of other stories.
    let list_of = |mut e: usize| {
        for _ in 0..LIST_LEVELS {
            if e == 0 || w.elems[e].list {
                break;
            }
            e = w.elems[e].parent as usize;
        }
        (e != 0 && w.elems[e].list).then_some(e)
    };
    let mut own_lines = vec![false; n];
    for b in &w.blocks {
        if b.kind == Kind::Item
            && inside[b.elem as usize]
            && keep(b)
            && let Some(l) = list_of(b.elem as usize)
        {
            own_lines[l] = true;
        }
    }
    let linked_item = |b: &Block| {
        b.kind == Kind::Item
            && list_of(b.elem as usize).is_some_and(|l| own_lines[l])
            && keep_text(b, b.text.chars().count().max(1))
    };
    let taken = |b: &Block| {
        let e = b.elem as usize;
        (recipe[e] || (inside[e] && (!furniture[e] || (e != top && story_part(e, b.kind)))))
            && (keep(b) || (inside[e] && !furniture[e] && (linked_entry(b) || linked_item(b))))
    };
    let first = w.blocks.iter().position(taken).unwrap_or(w.blocks.len());
    // The story's container itself may open after a subheading or a date line that joined
    // the story from a box beside it; a lead may stand between them.
    let opens = (first..w.blocks.len())
        .find(|&j| is_ancestor(w, top, w.blocks[j].elem as usize) && taken(&w.blocks[j]))
        .unwrap_or(first);
    let lead = lead_blocks(w, (top, scope), (first, opens));
    let mut picked: Vec<usize> = (0..w.blocks.len())
        .filter(|&j| lead.contains(&j) || taken(&w.blocks[j]))
        .collect();
    // A dek the headline rule missed (a subtitle line without a full stop stood first): a
    // paragraph of prose in a plain box of its own just before the container, with at most
    // short dropped lines (the author's name) between them.
    if let Some(j) = (opens.saturating_sub(DEK_GAP + 1)..opens).rev().find(|&j| {
        let b = &w.blocks[j];
        b.text.chars().count() >= 40 || keep(b)
    }) {
        let b = &w.blocks[j];
        let e = b.elem as usize;
        if let Err(at) = picked.binary_search(&j)
            && first == opens
            && (j + 1..opens).all(|k| !keep(&w.blocks[k]))
            && matches!(b.kind, Kind::Para | Kind::Loose)
            && !furniture[e]
            && !w.elems[e].hard
            && scope != 0
            && is_ancestor(w, scope, e)
            && b.text.chars().count() >= PROSE_CHARS
            && b.text.trim_end().ends_with(['.', '!', '?', '"', '”', '»'])
            && keep(b)
            // A teaser that repeats the story's opening is no dek.
            && w.blocks
                .get(opens)
                .is_some_and(|o| !o.text.starts_with(b.text.get(..40).unwrap_or(&b.text)))
        {
            picked.insert(at, j);
        }
    }
    // A recipe's times (preparation, baking, waiting) stand in a line of their own just before
    // its ingredients or steps, and its energy per serving before or after them, often in a
    // box of facts outside the container.
    let times = recipe_times(w, (&recipe, scope), &picked);
    if !times.is_empty() {
        picked.extend(times);
        picked.sort_unstable();
    }
    // A section heading in the story's container whose own box only a heading word marks
    // ("element-headline", "j-header") stays when the story's prose follows it.
    let heads = section_heads(w, (&inside, top), &picked);
    if !heads.is_empty() {
        picked.extend(heads);
        picked.sort_unstable();
    }
    // A label that opens a box of other stories ("You may also like", "Ähnliche Beiträge")
    // ends the story when the text after it sits in that box: the rest is teasers. (A box
    // of links set inside the story, after which the story goes on, does not.)
    let ends_story = |j: usize| {
        let e = w.blocks[j].elem as usize;
        if !inside[e] || !others_label(&w.blocks[j].text) {
            return false;
        }
        let bx = w.elems[e].parent as usize;
        // The text after the label stands in boxes of its own inside the label's box.
        let next = picked[picked.partition_point(|&k| k <= j)..]
            .first()
            .map(|&k| w.blocks[k].elem as usize);
        next.is_some_and(|n| w.elems[n].parent as usize != bx && is_ancestor(w, bx, n))
    };
    if let (Some(&lo), Some(&hi)) = (picked.first(), picked.last())
        && let Some(j) = (lo + 1..hi).find(|&j| ends_story(j))
    {
        picked.retain(|&k| k < j);
    }
    // Short lines that end the story without ending a sentence are the page's, not the
    // story's: a "Contact:" label, a link to more, a newsletter name; and so are the
    // publisher's closing notes: a call to subscribe, follow or download the app, a
    // copyright or licence line.
    // Lists and tables end stories with short items of their own, so they are left alone.
    for _ in 0..TAIL_TRIM {
        match picked.last() {
            Some(&j)
                if picked.len() > 3
                    && matches!(
                        w.blocks[j].kind,
                        Kind::Para | Kind::Loose | Kind::Heading(_)
                    )
                    && (tail_label(&w.blocks[j].text) || closing_note(&w.blocks[j].text))
                    && !introduces_dropped(w, &inside, j) =>
            {
                picked.pop();
            }
            _ => break,
        }
    }
    let mut out = String::new();
    for j in picked {
        let b = &w.blocks[j];
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&b.text);
    }
    out
}

/// Headings (h2–h6) inside the story's container `top`, not yet `picked`, whose only
/// furniture marks on the way up are boxes a heading word names, and which a picked
/// paragraph of prose follows: the headings of the story's sections.
fn section_heads(w: &Walk, (inside, top): (&[bool], usize), picked: &[usize]) -> Vec<usize> {
    let opens_prose = |j: usize| {
        w.blocks.get(j + 1).is_some_and(|n| {
            matches!(n.kind, Kind::Para | Kind::Loose)
                && n.text.chars().count() >= SECTION_PROSE_CHARS
                && picked.binary_search(&(j + 1)).is_ok()
        })
    };
    let head = |j: usize| {
        let b = &w.blocks[j];
        let mut e = b.elem as usize;
        if !matches!(b.kind, Kind::Heading(2..=6)) || !inside[e] || !keep(b) {
            return false;
        }
        while e != top && e != 0 {
            let el = &w.elems[e];
            if el.furniture && !el.heading_box {
                return false;
            }
            e = el.parent as usize;
        }
        e == top && opens_prose(j)
    };
    (0..w.blocks.len())
        .filter(|&j| picked.binary_search(&j).is_err() && head(j))
        .collect()
}

/// Lines naming a recipe's times ("Backzeit ca. 1 Stunde", "15 – 30 Min") within
/// [`TIMES_REACH`] blocks before a `picked` block, or its energy ("390 kcal") as far before or
/// after one, under the story's `scope`, not in hard furniture, on a page that is a recipe: one
/// whose ingredient list a class names (`recipe` holds the lines it marked) or whose story has
/// an "Ingredients" heading.
fn recipe_times(w: &Walk, (recipe, scope): (&[bool], usize), picked: &[usize]) -> Vec<usize> {
    let is_recipe = recipe.iter().any(|&r| r)
        || picked.iter().any(|&j| {
            // Compared without lowercasing a copy: this runs on every page's picked blocks.
            let t = w.blocks[j].text.trim().trim_end_matches(':');
            INGREDIENT_HEADS
                .iter()
                .any(|h| t.chars().flat_map(char::to_lowercase).eq(h.chars()))
        });
    if !is_recipe || scope == 0 {
        return Vec::new();
    }
    (0..w.blocks.len())
        .filter(|&j| {
            let b = &w.blocks[j];
            let e = b.elem as usize;
            let at = picked.partition_point(|&k| k < j);
            picked.get(at).is_none_or(|&k| k != j)
                && (picked.get(at).is_some_and(|&k| k - j <= TIMES_REACH)
                    || energy_line(&b.text) && at > 0 && j - picked[at - 1] <= TIMES_REACH)
                && !w.elems[e].hard
                && is_ancestor(w, scope, e)
                && (duration_line(&b.text) || energy_line(&b.text))
                && keep_text(b, b.text.chars().count())
        })
        .collect()
}

/// Short dropped lines that may stand between a dek and the story's container.
const DEK_GAP: usize = 2;

/// How many blocks before the recipe's next picked line its times may stand (labels and
/// servings between them).
const TIMES_REACH: usize = 6;

/// An ingredient list's heading, in the languages the pages come in most (lowercase).
const INGREDIENT_HEADS: &[&str] = &[
    "zutaten",
    "ingredients",
    "ingredientes",
    "ingrédients",
    "ingredienti",
    "składniki",
];

/// A short line that gives durations: a number followed by a unit of time ("25 Minuten",
/// "1 Stunde 20 Min.", "15 – 30 Min"), not a relative date ("vor 3 Minuten", "2 hours ago",
/// "il y a 5 minutes") or a reading time.
fn duration_line(t: &str) -> bool {
    const UNITS: &[&str] = &[
        "min", "min.", "mins", "minute", "minuten", "minutes", "minutos", "minut", "std", "std.",
        "stunde", "stunden", "hr", "hrs", "hour", "hours", "horas", "heure", "heures",
    ];
    const NOT: &[&str] = &["vor", "ago", "hace", "il", "read", "lesezeit"];
    t.split_whitespace().count() <= DURATION_WORDS
        && measured(t, UNITS).is_some_and(|words| !words.iter().any(|w| NOT.contains(&w.as_str())))
}

/// A short line that gives a serving's energy ("390 kcal", "Kalorien: 250 kcal").
fn energy_line(t: &str) -> bool {
    measured(t, &["kcal", "kj", "cal", "calories", "kalorien"]).is_some()
}

/// The lowercase words of a line of at most [`DURATION_CHARS`] where a number is followed by
/// one of `units`.
fn measured(t: &str, units: &[&str]) -> Option<Vec<String>> {
    if t.chars().count() > DURATION_CHARS {
        return None;
    }
    let words: Vec<String> = t
        .to_lowercase()
        .split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '+' | ':' | ','))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    words
        .windows(2)
        .any(|p| {
            p[0].bytes().next_back().is_some_and(|b| b.is_ascii_digit())
                && units.contains(&p[1].as_str())
        })
        .then_some(words)
}

/// Characters and words of a line of recipe times: a sentence that mentions minutes is longer.
const DURATION_CHARS: usize = 120;
const DURATION_WORDS: usize = 20;

/// Characters of the prose after a section heading: a label or a price line is shorter.
const SECTION_PROSE_CHARS: usize = 40;

/// Labels that open a list of other stories (lowercase), in the languages the pages come in
/// most. Only whole lines count: "Lesen Sie auch" and the like also stand in the middle of a
/// story before one link, so they are not here.
const OTHERS_LABELS: &[&str] = &[
    "you may also like",
    "you might also like",
    "you may like",
    "you might like",
    "related posts",
    "related articles",
    "related stories",
    "more stories",
    "more like this",
    "recommended for you",
    "das könnte sie auch interessieren",
    "das könnte dich auch interessieren",
    "ähnliche beiträge",
    "ähnliche artikel",
    "te puede interesar",
    "también te puede interesar",
    "noticias relacionadas",
    "vous aimerez aussi",
    "articoli correlati",
    "potrebbe interessarti",
    "notícias relacionadas",
    "você pode gostar",
    "você também pode gostar",
    "podobne artykuły",
    "polecane artykuły",
    "diese artikel könnten euch auch interessieren",
    "das könnte euch auch interessieren",
    "artikel und videos zum thema",
    "weitere topthemen",
    "mehr kolumnen",
    "keep reading",
];

/// A whole line that opens a list of other stories.
fn others_label(t: &str) -> bool {
    if t.len() > 60 {
        return false;
    }
    let lower = t.to_lowercase();
    // A label may name the site or the month after its words ("Mehr Kolumnen auf MeinMMO").
    OTHERS_LABELS.iter().any(|l| lower.starts_with(l))
}

/// A closing line ending in a colon whose list or links follow in the story's container
/// (dropped there as link text): it introduces something the page has, so it stays.
fn introduces_dropped(w: &Walk, inside: &[bool], j: usize) -> bool {
    w.blocks[j].text.trim_end().ends_with(':')
        && w.blocks
            .get(j + 1)
            .is_some_and(|n| inside[n.elem as usize] && n.link_chars > 0)
}

/// How many levels above a list item its list may stand (`li` > `p` > `span` …).
const LIST_LEVELS: usize = 4;

/// How many closing blocks may be trimmed as labels or publisher's notes.
const TAIL_TRIM: usize = 4;

/// Closing notes are short; a story's last paragraph that mentions a newsletter runs longer.
const NOTE_MAX_CHARS: usize = 320;

/// Phrases of a publisher's closing note (lowercase): calls to subscribe, follow, download or
/// support, copyright and licence lines, in the languages the pages come in most.
const NOTE_PHRASES: &[&str] = &[
    "newsletter",
    "sign up",
    "subscribe",
    "follow us",
    "follow him on",
    "follow her on",
    "follow them on",
    "download the",
    "our app",
    "your inbox",
    "support our",
    "supporting our",
    "all rights reserved",
    "copyright",
    "©",
    "join our",
    "youtube channel",
    "youtube-kanal",
    "canal de youtube",
    "abonnieren",
    "abonnement",
    "posteingang",
    "folgen sie uns",
    "folge uns",
    "melde dich",
    "jetzt anmelden",
    "alle rechte vorbehalten",
    "urheberrecht",
    "unter der lizenz",
    "suscríbete",
    "suscribirse",
    "síguenos",
    "únete",
    "derechos reservados",
    "abonnez-vous",
    "inscrivez-vous",
    "suivez-nous",
    "droits réservés",
    "subskrypc",
    "prawa zastrzeżone",
    "prawem autorskim",
    "iscriviti",
    "seguici",
    "diritti riservati",
    "assine",
    "inscreva-se",
    "siga-nos",
    "direitos reservados",
];

/// A publisher's closing note rather than the story's last paragraph.
fn closing_note(t: &str) -> bool {
    if t.chars().count() > NOTE_MAX_CHARS {
        return false;
    }
    let lower = t.to_lowercase();
    NOTE_PHRASES.iter().any(|p| lower.contains(p))
}

/// A closing line that is a label or a link text, not the story's last sentence: short and
/// without the punctuation that ends a sentence or a quote, or any line up to 120 characters
/// that ends in a colon and so introduces something that is not there.
fn tail_label(t: &str) -> bool {
    let t = t.trim_end();
    let len = t.chars().count();
    if t.ends_with(':') {
        return len <= 120;
    }
    len < 50
        && !t.ends_with([
            '.', '!', '?', '"', '\'', '“', '”', '»', '«', ')', '…', '。', '！', '？', '）', '」',
            '>',
        ])
        && !numbered_line(t)
        && !sign_off(t)
}

/// A line of a numbered list set as paragraphs ("100. Ray Gillen"): the story's last item.
fn numbered_line(t: &str) -> bool {
    let rest = t.trim_start_matches(|c: char| c.is_ascii_digit());
    rest.len() < t.len() && t.len() - rest.len() <= 3 && rest.starts_with(". ")
}

/// Words that open a blogger's sign-off ("Euer Hans", "x Franzi", "Liebe Grüße, Anna").
const SIGN_OFFS: &[&str] = &[
    "euer ",
    "eure ",
    "dein ",
    "deine ",
    "liebe grüße",
    "viele grüße",
    "herzliche grüße",
    "alles liebe",
    "love,",
    "love ",
    "xoxo",
    "x ",
    "xx ",
    "cheers,",
    "best wishes",
    "bisous",
    "un abrazo",
    "saludos",
    "besos",
    "pozdrawiam",
    "baci",
];

/// A closing greeting and name, which the story keeps.
fn sign_off(t: &str) -> bool {
    let lower = t.to_lowercase();
    SIGN_OFFS.iter().any(|s| lower.starts_with(s))
}

/// How far before the story's first block its lead may stand (a headline, a date line, a
/// picture caption, a run of sharing or audio tools or a gallery's thumbnails between them).
const LEAD_REACH: usize = 40;

/// How many blocks before the story's first the headline of an unmarked dek may stand.
const DEK_REACH: usize = 80;

/// How many levels above the story container the lead may branch off (article > header >
/// hero wrappers > the lead's own box; page modules nest grid rows and columns, portal pages
/// portlets, in between).
const LEAD_LEVELS: usize = 12;

/// The ancestor [`LEAD_LEVELS`] above `top` (or the highest below the root): how far up the
/// story's lead, and a recipe's ingredients, may branch off.
fn lead_scope(w: &Walk, top: usize) -> usize {
    let mut scope = top;
    for _ in 0..LEAD_LEVELS {
        let p = w.elems[scope].parent as usize;
        if p == 0 {
            break;
        }
        scope = p;
    }
    scope
}

/// Blocks of the story's lead that stand before its first block, or before the first block of
/// its container (`opens`), outside the chosen container: in an element whose class names a
/// lead, within a few levels above the story container, not in navigation or other hard
/// furniture (a `header` or a weak "teaser" class is fine here). `scope` is the story
/// container's [`lead_scope`].
fn lead_blocks(
    w: &Walk,
    (top, scope): (usize, usize),
    (first, opens): (usize, usize),
) -> Vec<usize> {
    if opens.max(first) == 0 || first > w.blocks.len() || top == 0 {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut chars = 0;
    let from = first.saturating_sub(LEAD_REACH);
    // The first block of prose after the headline, when the headline stands near the story:
    // a subtitle or standfirst that no class names.
    let dek = (first.saturating_sub(DEK_REACH)..first)
        .rev()
        .find(|&j| {
            // The headline may be set again as an `<h2>` when the `<h1>` ends a breadcrumb.
            matches!(w.blocks[j].kind, Kind::Heading(1..=2))
                && w.h1.as_deref() == Some(&w.blocks[j].text)
                // A site name linking home is no headline.
                && (w.blocks[j].link_chars as usize) * 2 < w.blocks[j].text.len()
        })
        .and_then(|h| (h + 1..first).find(|&j| w.blocks[j].text.chars().count() >= 40));
    // The dek may stand further up than a marked lead: a paywall offer or a byline box with
    // its contact form may sit between the headline and the story.
    let far_dek = dek.filter(|&d| d < from);
    for j in far_dek.into_iter().chain(from..opens.max(first)) {
        let b = &w.blocks[j];
        let len = b.text.chars().count();
        // A lead the story repeats (as its first paragraph, or in a second lead box) is
        // said once.
        if len < 40
            || !keep(b)
            || !is_ancestor(w, scope, b.elem as usize)
            || w.blocks
                .get(first)
                .is_some_and(|f| f.text.contains(b.text.as_str()))
            || out.iter().any(|&k: &usize| w.blocks[k].text == b.text)
        {
            continue;
        }
        // Walk up to the scope: a lead class on the way, no hard furniture below the point
        // where the lead's branch joins the story's (the wrappers above hold the story too,
        // whatever their class says). An unmarked dek may not stand in a box a weak class
        // word marks (a teaser, a notification prompt); a marked lead may.
        let (mut e, mut marked, mut weak, mut hard) = (b.elem as usize, false, false, false);
        let mut joined = false;
        while e != scope && e != 0 {
            let el = &w.elems[e];
            joined = joined || is_ancestor(w, e, top);
            if !joined && (el.hard || el.mark == Mark::Furniture) {
                hard = true;
                break;
            }
            weak |= !joined && el.furniture && el.mark == Mark::WeakFurniture;
            // A headline-styled description is a subtitle, not a paragraph of the story.
            marked |= el.lead || (el.describes && !matches!(b.kind, Kind::Heading(_)));
            e = el.parent as usize;
        }
        let lead = !hard && (marked || (!weak && Some(j) == dek && dek_like(b)));
        if lead && chars + len <= 1500 {
            chars += len;
            out.push(j);
        }
    }
    out
}

/// How many wrappers above the story container are looked at for copies of their own.
const WRAPPER_LEVELS: usize = 2;

/// Share of its wrapper's score a wrapper copy after the story must reach to join.
const WRAPPER_AFTER_SHARE: f32 = 0.6;

/// A block that may be the story's unmarked dek: a subtitle heading or a paragraph of prose.
fn dek_like(b: &Block) -> bool {
    let t = b.text.trim_end();
    let by = |p: &str| t.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p));
    matches!(b.kind, Kind::Heading(2..=4) | Kind::Para | Kind::Loose)
        && !["by ", "von ", "por ", "par ", "di "].into_iter().any(by)
        && (t.ends_with(['.', '!', '?', '"', '“', '”', '»', '…'])
            // A long subtitle paragraph often drops its full stop.
            || (b.kind == Kind::Para && t.chars().count() >= 90 && t.contains(' ')))
}

/// How many levels above the story container its template's copies may branch off.
const TWIN_LEVELS: usize = 8;

/// Largest share of link text in a copy that joins the story (more is a teaser list).
const TWIN_MAX_LINKS: f32 = 0.3;

/// Share of the story container's score a copy after it must reach to join.
const TWIN_AFTER_SHARE: f32 = 0.35;

/// Whether copy `i` of `anchor` (the story's container or a wrapper above it) joins the story:
/// not furniture, not mostly links, and holding prose — after the anchor, scoring more than
/// `after_share` of it.
fn copy_joins(
    w: &Walk,
    furniture: &[bool],
    fin: &[f32],
    (i, anchor): (usize, usize),
    after_share: f32,
) -> bool {
    let el = &w.elems[i];
    let share = if i > anchor { after_share } else { 0.0 };
    !furniture[i]
        && fin[i] > fin[anchor] * share
        && (el.link_chars as f32) < TWIN_MAX_LINKS * el.chars as f32
}

/// Share of the anchor's score a copy after it must reach when several copies follow it.
const SECTIONS_AFTER_SHARE: f32 = 0.15;

/// The share copies after `anchor` must reach: `share`, or less when at least two copies
/// after it hold prose (the story's later sections; a publisher's note is one box).
fn after_share(
    w: &Walk,
    furniture: &[bool],
    fin: &[f32],
    copies: &[usize],
    anchor: usize,
    share: f32,
) -> f32 {
    let sections = copies
        .iter()
        .filter(|&&i| {
            i > anchor && copy_joins(w, furniture, fin, (i, anchor), SECTIONS_AFTER_SHARE)
        })
        .count();
    if sections >= 2 {
        SECTIONS_AFTER_SHARE
    } else {
        share
    }
}

/// Elements built like `top`: the same tag and first class, under ancestors that match
/// `top`'s level by level up to a shared one at most [`TWIN_LEVELS`] above.
fn twins(w: &Walk, top: usize) -> Vec<usize> {
    let sig = w.elems[top].sig;
    let mut out = Vec::new();
    for i in 1..w.elems.len() {
        if i == top || w.elems[i].sig != sig {
            continue;
        }
        let (mut a, mut b) = (top, i);
        for _ in 0..TWIN_LEVELS {
            a = w.elems[a].parent as usize;
            b = w.elems[b].parent as usize;
            if a == b {
                out.push(i);
                break;
            }
            if a == 0 || b == 0 || w.elems[a].sig != w.elems[b].sig {
                break;
            }
        }
    }
    out
}

/// A paragraph at least this long is prose, not a line of a list.
const PROSE_CHARS: usize = 150;

/// How many levels above a container of short lines the prose may stand.
const PROSE_LEVELS: usize = 3;

/// `top`, or the ancestor up to [`PROSE_LEVELS`] above it that holds more prose outside it
/// than it holds, when `top`'s score comes mostly from short lines.
fn prose_above_lines(w: &Walk, furniture: &[bool], top: usize) -> usize {
    if top == 0 {
        return top;
    }
    // Scorable text under `root` (outside `skip`), split into prose and short lines.
    let text = |root: usize, skip: Option<usize>| {
        let (inside, skipped) = (subtree(w, root), skip.map(|s| subtree(w, s)));
        let (mut lines, mut prose) = (0usize, 0usize);
        for b in &w.blocks {
            let e = b.elem as usize;
            if !inside.contains(&e)
                || skipped.as_ref().is_some_and(|s| s.contains(&e))
                || furniture[e]
                || !scorable(b)
            {
                continue;
            }
            let len = b.text.chars().count();
            if len >= PROSE_CHARS {
                prose += len;
            } else {
                lines += len;
            }
        }
        (lines, prose)
    };
    let (lines, prose) = text(top, None);
    // Mostly prose: the container is the story's.
    if prose * 2 >= lines {
        return top;
    }
    let mut a = top;
    for _ in 0..PROSE_LEVELS {
        a = w.elems[a].parent as usize;
        if a == 0 || furniture[a] {
            break;
        }
        if text(a, Some(top)).1 > prose.max(PROSE_MIN) {
            return a;
        }
    }
    top
}

/// The elements of `root`'s subtree: a range, as elements are numbered in pre-order.
fn subtree(w: &Walk, root: usize) -> std::ops::Range<usize> {
    let end = (root + 1..w.elems.len())
        .find(|&i| (w.elems[i].parent as usize) < root)
        .unwrap_or(w.elems.len());
    root..end
}

/// Prose a box above a container of short lines must hold to take the story.
const PROSE_MIN: usize = 400;

fn scorable(b: &Block) -> bool {
    if matches!(b.kind, Kind::Heading(_)) {
        return false;
    }
    let len = b.text.chars().count();
    len >= 25 && (b.link_chars as f32) < 0.5 * len as f32
}

/// Paragraphs at least this long may be mostly link text and still be story.
const LINKED_PROSE_CHARS: usize = 100;

/// Largest share of link text in such a paragraph.
const LINKED_PROSE_MAX_LINKS: f32 = 0.8;

fn keep(b: &Block) -> bool {
    let len = b.text.chars().count().max(1);
    // A long paragraph of prose keeps its links (a press release naming its sources); a
    // short or all-link one is a link list or a teaser.
    let max_links = if b.kind == Kind::Para && len >= LINKED_PROSE_CHARS {
        LINKED_PROSE_MAX_LINKS
    } else {
        0.5
    };
    b.link_chars as f32 <= max_links * len as f32 && keep_text(b, len)
}

/// A line of the story's container that is mostly link text and still the story's: a table
/// cell (a table's entries link to what they name) or a web or mail address the story gives
/// as its source or contact (the link goes where the text says, not to another story).
fn linked_entry(b: &Block) -> bool {
    (b.kind == Kind::Cell || address(&b.text)) && keep_text(b, b.text.chars().count().max(1))
}

/// Text that holds a web or mail address (`https://…`, `www.…`, `name@host.tld`).
fn address(t: &str) -> bool {
    contains_ci(t, "http://")
        || contains_ci(t, "https://")
        || contains_ci(t, "www.")
        || t.split_whitespace().any(|w| {
            w.find('@')
                .is_some_and(|i| i > 0 && w[i + 1..].trim_end_matches('.').contains('.'))
        })
}

/// [`keep`] without the link test: the furniture lines a block of `len` characters may be.
fn keep_text(b: &Block, len: usize) -> bool {
    if b.kind == Kind::Heading(1) {
        return false;
    }
    if len <= 80 {
        let lower = b.text.to_lowercase();
        // The first byte decides most comparisons without a call (a short block is tested
        // against every prefix).
        let first = lower.as_bytes().first().copied().unwrap_or(0);
        if JUNK_PREFIXES
            .iter()
            .any(|p| p.as_bytes().first() == Some(&first) && lower.starts_with(p))
            || JUNK_EXACT.contains(&lower.trim_end_matches([':', '.', '…']))
        {
            return false;
        }
    }
    // A reading-time label ("4 Min Read", "3 min. Lesezeit").
    if len <= 24 {
        let lower = b.text.to_lowercase();
        let rest = lower.trim_start_matches(|c: char| c.is_ascii_digit() || c == ' ');
        if rest.len() < lower.len()
            && [
                "min read",
                "min. read",
                "minute read",
                "min lesezeit",
                "min. lesezeit",
                "minuten lesezeit",
            ]
            .contains(&rest)
        {
            return false;
        }
    }
    if numbered_caption(&b.text) || page_notice(&b.text) || script_error(&b.text) {
        return false;
    }
    if matches!(b.kind, Kind::Para | Kind::Loose) && date_line(&b.text) {
        return false;
    }
    // Leftover CMS shortcodes ("[button link=…]").
    if b.text.starts_with('[') && b.text.ends_with(']') && b.text.contains('=') {
        return false;
    }
    true
}

/// Phrases of the page's own notices inside the story column: a consent placeholder for an
/// embedded player or map, a disclaimer on whose opinion a post gives (lowercase).
const NOTICE_PHRASES: &[&str] = &[
    "um den inhalt von",
    "inhalt zu laden",
    "inhalte zu laden",
    "externe inhalte",
    "wir respektieren deine privatsphäre",
    "wir respektieren ihre privatsphäre",
    "to load the content",
    "click to load",
    "n'engagent que leurs auteurs",
    "gibt die meinung des autors wieder",
    "the views expressed",
    "opinions expressed",
    // Where a post first appeared, how to cite it, a paywall's prompt, a liability note.
    "suggested citation",
    "dieser beitrag stammt aus",
    "ursprünglich erschienen",
    "originally appeared",
    "originally published in",
    "to view the full story",
    "to continue reading",
    "um weiterzulesen",
    "alle angaben ohne gewähr",
    "affiliate link",
    "affiliate-link",
    "not responsible for the opinions",
    "not responsible for the content",
    "nicht verantwortlich für den inhalt",
    // Affiliate and advertiser disclosures, support prompts, page stamps.
    "may receive compensation",
    "may earn a commission",
    "references to products from",
    "erhalten wir eine provision",
    "links zu anbietern enthalten",
    "mit einem sternchen",
    "journalismus kostet geld",
    "keine bezahlschranke",
    "last modified:",
    "we need your help",
    "straight to your phone",
    "straight to your inbox",
    "via this form",
    // Pointers to more elsewhere.
    "findest du hier",
    "finden sie hier",
    "weitere infos unter",
    "weitere informationen unter",
    "mehr informationen unter",
    "more information at",
];

/// A server script's error printed into the page ("Warning: Creating default object … in
/// /www/htdocs/…/classes.php on line 407").
fn script_error(t: &str) -> bool {
    t.len() < 1000
        && t.contains(" on line ")
        && t.contains(" in /")
        && [
            "Warning: ",
            "Notice: ",
            "Deprecated: ",
            "Fatal error: ",
            "Strict Standards: ",
        ]
        .iter()
        .any(|p| t.contains(p))
}

/// Notices are short; a paragraph that quotes such a phrase and runs on is prose.
const NOTICE_MAX_CHARS: usize = 300;

/// A notice of the page rather than a paragraph of the story.
fn page_notice(t: &str) -> bool {
    if t.len() > NOTICE_MAX_CHARS * 4 || t.chars().count() > NOTICE_MAX_CHARS {
        return false;
    }
    // One ASCII-lowercased copy, then substring searches: this runs on every paragraph.
    let lower = t.to_ascii_lowercase();
    NOTICE_PHRASES.iter().any(|p| lower.contains(p))
}

/// A date stamp line is short: a date, perhaps a time and a word or two ("23.10.2018",
/// "11 Jan 2019", "24. März 2004, 19:49 | Genesis").
const DATE_LINE_CHARS: usize = 40;

/// Letters a date stamp line may hold (a month name and a short label).
const DATE_LINE_LETTERS: usize = 12;

/// A line that is only a date stamp: a numeric date (`23.10.2018`, `2021-10-16`) or a month
/// word with a year, and little else.
fn date_line(t: &str) -> bool {
    if t.len() > DATE_LINE_CHARS * 2 || t.chars().count() > DATE_LINE_CHARS {
        return false;
    }
    let letters = t.chars().filter(|c| c.is_alphabetic()).count();
    if letters > DATE_LINE_LETTERS {
        return false;
    }
    // Runs of digits and what separates them.
    let runs: Vec<&str> = t
        .split(|c: char| !c.is_ascii_digit())
        .filter(|r| !r.is_empty())
        .collect();
    let year = |r: &&str| r.len() == 4 && (r.starts_with("19") || r.starts_with("20"));
    let numeric = t.as_bytes().windows(3).any(|w| {
        w[0].is_ascii_digit() && matches!(w[1], b'.' | b'/' | b'-') && w[2].is_ascii_digit()
    }) && runs.len() >= 3
        && runs.iter().any(year);
    numeric || (letters >= 3 && runs.iter().any(year))
}

/// Words that open a numbered figure caption ("Abbildung 4: …", "Fig. 2:", "Grafik:").
const CAPTION_WORDS: &[&str] = &[
    "abbildung",
    "abb.",
    "figure",
    "fig.",
    "grafik",
    "tabelle",
    "table",
    "figura",
    "tabla",
    "rycina",
    "ilustracja",
];

/// Captions are short; a paragraph that opens with "Figure 2:" and runs on is prose.
const CAPTION_MAX_CHARS: usize = 300;

/// A figure caption set as a paragraph: a caption word, an optional number, a colon.
fn numbered_caption(t: &str) -> bool {
    // The caption words are ASCII: compare the opening bytes, no lowercased copy (this runs
    // on every paragraph).
    let b = t.as_bytes();
    CAPTION_WORDS.iter().any(|w| {
        b.get(..w.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(w.as_bytes()))
            && t[w.len()..]
                .trim_start_matches(|c: char| c.is_ascii_digit() || c == ' ' || c == '.')
                .starts_with(':')
    }) && t.chars().count() <= CAPTION_MAX_CHARS
}

fn is_ancestor(w: &Walk, anc: usize, mut i: usize) -> bool {
    for _ in 0..1000 {
        if i == anc {
            return true;
        }
        if i == 0 {
            return false;
        }
        i = w.elems[i].parent as usize;
    }
    false
}

/// Per element: does it sit inside furniture? Furniture by class that holds most of the page's
/// paragraph text is a misreading (a `main-content has-sidebar` wrapper) and is ignored.
fn resolve_furniture(w: &Walk) -> Vec<bool> {
    let n = w.elems.len();
    let mut ptext = vec![0u32; n];
    let mut total = 0u32;
    for b in &w.blocks {
        if scorable(b) {
            let len = b.text.chars().count() as u32;
            total = total.saturating_add(len);
            ptext[b.elem as usize] = ptext[b.elem as usize].saturating_add(len);
        }
    }
    // Microdata naming the story body vouches for the element and its wrappers.
    let mut holds_body: Vec<bool> = w.elems.iter().map(|e| e.itemprop_body).collect();
    // A class naming the story body (`richtext`, `article-body`) vouches for a `header` box
    // around it: templates set a section's text in the box of its heading.
    let mut holds_text: Vec<bool> = w
        .elems
        .iter()
        .map(|e| e.mark == Mark::StrongPositive)
        .collect();
    for i in (1..n).rev() {
        let p = w.elems[i].parent as usize;
        ptext[p] = ptext[p].saturating_add(ptext[i]);
        if holds_body[i] {
            holds_body[p] = true;
        }
        if holds_text[i] {
            holds_text[p] = true;
        }
    }
    let mut furn = vec![false; n];
    for i in 1..n {
        let el = &w.elems[i];
        let mut own = el.furniture;
        if own
            && !el.hard
            && (holds_body[i]
                || (el.header
                    && matches!(el.mark, Mark::Neutral | Mark::Positive)
                    && holds_text[i])
                || (total > 300 && ptext[i] as f32 > 0.5 * total as f32))
        {
            own = false;
        }
        furn[i] = own || furn[el.parent as usize];
    }
    furn
}
