//! Body selection on small hand-written fixtures: what joins the story's text and what stays
//! out. One fixture per rule.

use newspipe_extract::extract;

/// Six paragraphs of story text inside `<div class="{class}">`.
fn story_body(class: &str) -> String {
    let paras: String = (0..6)
        .map(|i| {
            format!(
                "<p>The harbour authority said on Monday that dredging would resume in spring, \
                 after a survey found the channel had silted up faster than forecast. Note {i}.</p>"
            )
        })
        .collect();
    format!(r#"<div class="{class}">{paras}</div>"#)
}

/// The lead (standfirst) of the harbour story [`story_body`] tells.
const LEAD: &str = "Ships will wait longer to enter the port next year, and the fishing fleet fears \
                    for its season.";

fn body_of(html: &str) -> String {
    extract(html, None).article.body
}

#[test]
fn lead_outside_the_body_container_opens_the_story() {
    // The lead sits in the article's header, before the body container.
    let html = format!(
        r#"<html><body><nav><a href="/">Home</a></nav><article>
        <header><h1>Dredging to resume</h1><p class="article__intro">{LEAD}</p></header>
        {}</article></body></html>"#,
        story_body("article-text")
    );
    let body = body_of(&html);
    assert!(body.starts_with(LEAD), "{body}");
    // A lead classed as a "teaser" (a TYPO3 news habit) beside the body counts too.
    let html = format!(
        r#"<html><body><div class="news-single"><h1>Dredging to resume</h1>
        <div class="teaser-text"><p>{LEAD}</p></div>{}</div></body></html>"#,
        story_body("news-text-wrap")
    );
    assert!(body_of(&html).starts_with(LEAD));
}

#[test]
fn teasers_elsewhere_do_not_become_a_lead() {
    const OTHER: &str = "Another story entirely: the mayor opened a new library branch on the \
                         east side of town.";
    // A teaser of another story in a sidebar, and a related-stories teaser near the story.
    let html = format!(
        r#"<html><body><aside><div class="teaser"><p>{OTHER}</p></div></aside>
        <article><h1>Dredging to resume</h1><div class="related-teaser"><p>{OTHER}</p></div>
        {}</article></body></html>"#,
        story_body("article-text")
    );
    let body = body_of(&html);
    assert!(!body.contains("mayor"), "{body}");
    assert!(body.starts_with("The harbour authority"));
}

#[test]
fn glued_lead_class_names_count() {
    let html = format!(
        r#"<html><body><div class="mod_article"><h1>Dredging to resume</h1>
        <div class="ce_articleIntro"><p>{LEAD}</p></div>{}</div></body></html>"#,
        story_body("ce_text")
    );
    assert!(body_of(&html).starts_with(LEAD));
}

#[test]
fn labels_for_other_stories_and_prompts_stay_out() {
    // The labels sit inside the body container, between its paragraphs.
    let story = story_body("article-text").replace(
        "</p><p>",
        "</p><p>4 Min Read</p><p>Posted: Fri 6:45 PM, Feb 16, 2018 |</p><p>Quelle: Landesregierung</p><p>Schon gelesen?</p><p>Te puede interesar</p><p>Kontakt:</p>\
         <p>Anzeige - Heute mal ausgehen?</p><p>Sie müssen sich einloggen, um zu kommentieren.</p>\
         <p>Kategorie: News, Hafen</p><p>Jump to Recipe</p>\
         <p>Beitragsbild: Der Hafen im Winter</p><p>(Credit: Jane Roe / Planet)</p><p>Lesen Sie auch:</p><p>Zobacz także</p>\
         <p>War der Artikel nützlich?</p><p>Explore further</p><p>",
    );
    let html = format!(
        r#"<html><body><article><h1>Dredging to resume</h1>{story}</article></body></html>"#
    );
    let body = body_of(&html);
    for label in [
        "Min Read",
        "Posted:",
        "Lesen Sie",
        "Zobacz",
        "nützlich",
        "Explore",
    ] {
        assert!(!body.contains(label), "{label} in {body}");
    }
    assert_eq!(body.split("\n\n").count(), 6);
}

#[test]
fn closing_labels_leave_but_closing_lists_and_sentences_stay() {
    // After the story: a label that introduces nothing and a link text with no full stop.
    let html = format!(
        r#"<html><body><article><h1>Dredging to resume</h1><div class="article-text">{}
        <p>Weitere Informationen zum Hafen:</p><p>Press release as PDF</p></div></article></body></html>"#,
        story_body("x")
            .replace(r#"<div class="x">"#, "")
            .replace("</div>", "")
    );
    let body = body_of(&html);
    assert!(!body.contains("Weitere"), "{body}");
    assert!(!body.contains("PDF"), "{body}");
    assert!(body.ends_with("Note 5."));
    // A closing list of short items and a short last sentence are the story's.
    let html = format!(
        r#"<html><body><article><h1>Dredging to resume</h1><div class="article-text">{}
        <p>It starts in May.</p><ul><li>Channel depth</li><li>Silt volume</li></ul></div></article></body></html>"#,
        story_body("x")
            .replace(r#"<div class="x">"#, "")
            .replace("</div>", "")
    );
    let body = body_of(&html);
    assert!(
        body.ends_with("It starts in May.\n\nChannel depth\n\nSilt volume"),
        "{body}"
    );
}

/// `n` paragraphs of story text about `topic`, numbered from `from`.
fn paras(topic: &str, from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| {
            format!(
                "<p>The council said on Monday that the {topic} would be rebuilt next year, after \
                 an inspection found the old structure unsafe for heavy traffic. Part {i}.</p>"
            )
        })
        .collect()
}

/// `inner` in one copy of a page builder's text box (row > column > text column > wrapper).
fn boxed(inner: &str) -> String {
    format!(
        r#"<div class="vc_row"><div class="vc_column"><div class="wpb_text_column"><div class="wpb_wrapper">{inner}</div></div></div></div>"#
    )
}

/// A story page: six paragraphs of story text in an article-text box, `extra` between the
/// third and the fourth.
fn story_around(extra: &str) -> String {
    format!(
        r#"<html><body><article><h1>Bridge to close</h1><div class="article-text">{}{extra}{}
        </div></article></body></html>"#,
        paras("bridge", 0, 3),
        paras("bridge", 3, 3)
    )
}

#[test]
fn lead_far_above_the_body_container_opens_the_story() {
    const LEAD: &str = "The old bridge will close for a year, and the ferry will carry commuters \
                        across the river meanwhile.";
    // The body container sits four grid levels below the article; the lead in its header.
    let html = format!(
        r#"<html><body><article><header><div class="hero"><h1>Bridge to close</h1>
        <p class="standfirst">{LEAD}</p></div></header>
        <div class="container"><div class="row"><div class="col-md-8"><div class="article-text">{}</div></div></div></div>
        </article></body></html>"#,
        paras("bridge", 0, 6)
    );
    let body = body_of(&html);
    assert!(body.starts_with(LEAD), "{body}");
    // A dek the page repeats as an abstract is said once.
    let html = format!(
        r#"<html><body><article><header><div class="hero"><h1>Bridge to close</h1>
        <div class="article-dek">{LEAD}</div></div></header>
        <div class="container"><div class="row"><div class="col-md-8"><div class="article-abstract">{LEAD}</div>
        <div class="article-text">{}</div></div></div></div></article></body></html>"#,
        paras("bridge", 0, 6)
    );
    let body = body_of(&html);
    assert_eq!(body.matches("ferry").count(), 1, "{body}");
}

#[test]
fn story_split_across_repeated_template_boxes_is_whole() {
    // A page builder puts each group of paragraphs in its own row > column > text box: an
    // intro, the main part, a subheading, a closing part.
    let html = format!(
        r#"<html><body><div class="site"><div class="entry-content">{}{}{}{}</div>
        <div class="widget-area"><div class="textwidget">{}</div></div></div></body></html>"#,
        boxed(&paras("bridge", 0, 2)),
        boxed(&paras("bridge", 2, 8)),
        boxed("<h2>Where the ferry will run</h2>"),
        boxed(&paras("bridge", 10, 3)),
        paras("library", 0, 1),
    );
    let body = body_of(&html);
    for i in 0..13 {
        assert!(
            body.contains(&format!("Part {i}.")),
            "part {i} missing: {body}"
        );
    }
    assert!(body.contains("Where the ferry will run"), "{body}");
    assert!(!body.contains("library"), "{body}");
    // After the story, a small copy of its box is the publisher's note, not more story.
    let html = format!(
        r#"<html><body><div class="entry-content">{}{}</div></body></html>"#,
        boxed(&paras("bridge", 0, 6)),
        boxed(
            "<p>The Daily Planet is a newspaper founded in 1938, with offices in \
               Metropolis and a staff of two hundred reporters.</p>",
        ),
    );
    let body = body_of(&html);
    assert!(!body.contains("founded in 1938"), "{body}");
}

#[test]
fn publishers_closing_notes_leave_but_the_last_paragraph_stays() {
    let html = format!(
        r#"<html><body><article><h1>Bridge to close</h1><div class="article-text">{}
        <p>The ferry runs every twenty minutes.</p>
        <p>Like this story? Sign up for our morning newsletter to get the news in your inbox.</p>
        <p>Watch the crossing on our YouTube channel!</p>
        <p>This article is © 2024 Daily Planet. All rights reserved.</p></div></article></body></html>"#,
        paras("bridge", 0, 6)
    );
    let body = body_of(&html);
    assert!(
        body.ends_with("The ferry runs every twenty minutes."),
        "{body}"
    );
    // A long closing paragraph that happens to name a newsletter is the story's.
    const LAST: &str = "The council's newsletter, which goes to every household, will list the \
        ferry times each month, and the mayor said that residents who have no internet access \
        can collect a printed timetable at the town hall, the library or any of the three \
        ferry piers along the river from the first of May, when the new timetable starts and \
        the night crossings are added.";
    let html = format!(
        r#"<html><body><article><h1>Bridge to close</h1><div class="article-text">{}
        <p>{LAST}</p></div></article></body></html>"#,
        paras("bridge", 0, 6)
    );
    let body = body_of(&html);
    assert!(body.ends_with(LAST), "{body}");
}

#[test]
fn picture_captions_named_by_class_stay_out() {
    // No `figure` around the picture: only the class says the text is its caption.
    let body = body_of(&story_around(
        r#"<div class="inline-image"><img src="b.jpg"><p class="imagedescription">The old bridge
        seen from the ferry pier on a winter morning, before the repairs began.</p>
        <span class="img-metadata__credit">Photo: Jane Roe</span></div>"#,
    ));
    assert!(!body.contains("winter morning"), "{body}");
    assert!(!body.contains("Jane Roe"), "{body}");
    assert!(body.contains("Part 5."), "{body}");
}

#[test]
fn microdata_description_before_the_story_is_its_lead() {
    const LEAD: &str = "The old bridge will close for a year, and the ferry will carry commuters \
                        across the river meanwhile.";
    let html = format!(
        r#"<html><body><article><div class="head"><h1>Bridge to close</h1>
        <p itemprop="description">{LEAD}</p></div><div class="article-text">{}</div>
        </article></body></html>"#,
        paras("bridge", 0, 6)
    );
    let body = body_of(&html);
    assert!(body.starts_with(LEAD), "{body}");
    // Set as a headline, the description is a subtitle: it opens the story only as the
    // first text after the headline (see `an_unmarked_dek_after_the_headline_opens_the_story`).
    let html = format!(
        r#"<html><body><article><div class="head"><h1>Bridge to close</h1>
        <p>By Jane Doe, staff reporter at the Metropolis bureau</p>
        <h2 itemprop="description">{LEAD}</h2></div><div class="article-text">{}</div>
        </article></body></html>"#,
        paras("bridge", 0, 6)
    );
    let body = body_of(&html);
    assert!(body.starts_with("The council said"), "{body}");
}

#[test]
fn numbered_figure_captions_set_as_paragraphs_stay_out() {
    let body = body_of(&story_around(
        "<p>Abbildung 4: Die Risse im Pfeiler, fotografiert bei der Prüfung im März.</p>
        <p>Fig. 2: Traffic over the bridge per hour, 2019 to 2023.</p>
        <p>Figure skating: the rink by the bridge stays open all winter, the council said.</p>",
    ));
    assert!(!body.contains("Risse"), "{body}");
    assert!(!body.contains("per hour"), "{body}");
    assert!(body.contains("Figure skating:"), "{body}");
}

#[test]
fn consent_placeholders_and_disclaimers_stay_out() {
    let body = body_of(&story_around(
        r#"<div class="embed"><p>Klicken Sie auf den Button, um den Inhalt von www.example.org zu laden.</p></div>
        <p>The views expressed in this post are the author's own.</p>
        <p>Suggested citation: Roe, Jane: Bridge to close, Planet Blog, 2024.</p>
        <p>Alles über die Fähren findest du hier.</p>
        <p>The Planet is not responsible for the opinions of its readers.</p>
        <p>Dieser Artikel enthält Affiliate-Links zu Fährtickets.</p>"#,
    ));
    assert!(!body.contains("Klicken"), "{body}");
    assert!(!body.contains("views expressed"), "{body}");
    assert!(!body.contains("citation"), "{body}");
    assert!(!body.contains("Fähren"), "{body}");
    assert!(!body.contains("readers"), "{body}");
    assert!(!body.contains("Affiliate"), "{body}");
    assert!(body.ends_with("Part 5."), "{body}");
}

#[test]
fn date_stamp_lines_stay_out_but_dated_sentences_and_cells_stay() {
    let body = body_of(&story_around(
        "<p>23.10.2018</p><p>11 Jan 2019 | News</p>
        <p>In 2019, 1,200 people crossed daily.</p>
        <table><tr><td>12.05.2024</td><td>Bridge closes</td></tr></table>",
    ));
    assert!(!body.contains("23.10.2018"), "{body}");
    assert!(!body.contains("11 Jan 2019"), "{body}");
    assert!(
        body.contains("In 2019, 1,200 people crossed daily."),
        "{body}"
    );
    assert!(body.contains("12.05.2024"), "{body}");
}

#[test]
fn long_paragraphs_keep_their_links_but_link_lines_stay_out() {
    let body = body_of(&story_around(
        r#"<p>The full report is <a href="/r">The State of the Bridge 2024: cracks, corrosion and
        the case for a new crossing over the river</a> on the council's site.</p>
        <p><a href="/other">Another story: the library on the east side will open in spring, the mayor says</a></p>"#,
    ));
    assert!(
        body.contains("The full report is The State of the Bridge"),
        "{body}"
    );
    assert!(!body.contains("library"), "{body}");
}

#[test]
fn an_svg_icons_self_closed_title_does_not_swallow_the_page() {
    let html = format!(
        r#"<html><head><title>Bridge to close</title></head><body>
        <a class="icon"><svg viewBox="0 0 10 10"><title/><path d="M0,0"/></svg></a>
        <article><h1>Bridge to close</h1><div class="article-text">{}</div></article></body></html>"#,
        paras("bridge", 0, 6)
    );
    let ex = extract(&html, None);
    assert!(ex.article.body.ends_with("Part 5."), "{}", ex.article.body);
    assert_eq!(ex.article.title.as_deref(), Some("Bridge to close"));
}

#[test]
fn a_lead_before_a_container_with_nothing_kept_does_not_panic() {
    // The scored container's only paragraph is a page notice, so no block of it is kept and
    // the lead search starts past the last block.
    const LEAD: &str = "The old bridge will close for a year, the council said.";
    let html = format!(
        r#"<html><body><article><p class="standfirst">{LEAD}</p><div class="article-text">
        <p>The views expressed in this post, about the bridge and the ferry, are the author's own.</p>
        </div></article></body></html>"#
    );
    let body = body_of(&html);
    assert_eq!(body, LEAD);
}

#[test]
fn lead_above_a_long_run_of_page_furniture_is_found() {
    const LEAD: &str = "The old bridge will close for a year, and the ferry will carry commuters \
                        across the river meanwhile.";
    // Fifteen, then thirty short lines of sharing and audio tools (or a gallery's
    // thumbnails) between the lead and the story.
    for n in [15, 30] {
        let tools: String = (0..n)
            .map(|i| format!(r##"<li><a href="#">Tool {i}</a></li>"##))
            .collect();
        let html = format!(
            r#"<html><body><article><div class="article-head"><h1>Bridge to close</h1>
            <p>By Jane Doe and John Roe, city desk reporters</p>
            <p class="intro">{LEAD}</p></div><ul class="share-tools">{tools}</ul>
            <div class="article-text">{}</div></article></body></html>"#,
            paras("bridge", 0, 6)
        );
        let body = body_of(&html);
        assert!(body.starts_with(LEAD), "{n}: {body}");
    }
}

#[test]
fn a_bare_subheading_between_template_boxes_joins_the_story() {
    let html = format!(
        r#"<html><body><div class="entry-content">{}{}<h3>What the ferry costs</h3>{}</div></body></html>"#,
        boxed(&paras("bridge", 0, 2)),
        boxed(&paras("bridge", 2, 8)),
        boxed(&paras("bridge", 10, 3)),
    );
    let body = body_of(&html);
    assert!(body.contains("What the ferry costs"), "{body}");
}

#[test]
fn a_profile_box_in_the_story_column_stays_out() {
    let body = body_of(&story_around(
        r#"<div class="sect sect_profile-descr"><p>Writes for the Planet since 2008 about
        bridges, ferries and the council, and was a correspondent in the capital before.</p></div>"#,
    ));
    assert!(!body.contains("correspondent"), "{body}");
}

#[test]
fn story_parts_in_copies_of_the_containers_wrapper_join_it() {
    // Each section of the story is a copy of one wrapper box; the first holds a picture box
    // and its text box, the second only a text box of another class.
    let html = format!(
        r#"<html><body><div class="story-page">
        <div class="section"><div class="media"><img src="a.jpg"></div><div class="section-text">{}</div></div>
        <div class="section"><div class="section-body">{}</div></div>
        <div class="section"><div class="section-text"><p>The Daily Planet is a newspaper founded
        in 1938, with offices in Metropolis.</p></div></div>
        </div></body></html>"#,
        paras("bridge", 0, 2),
        paras("bridge", 2, 6),
    );
    let body = body_of(&html);
    for i in 0..8 {
        assert!(
            body.contains(&format!("Part {i}.")),
            "part {i} missing: {body}"
        );
    }
    // A small copy after the story is the publisher's note.
    assert!(!body.contains("founded"), "{body}");
}

#[test]
fn an_unmarked_dek_after_the_headline_opens_the_story() {
    const DEK: &str = "The old bridge will close for a year, and the ferry will carry commuters \
                       across the river meanwhile.";
    let page = |between: &str| {
        format!(
            r#"<html><body><article><h1>Bridge to close</h1>{between}
            <div class="article-text">{}</div></article></body></html>"#,
            paras("bridge", 0, 6)
        )
    };
    let body = body_of(&page(&format!("<p>{DEK}</p>")));
    assert!(body.starts_with(DEK), "{body}");
    let body = body_of(&page(&format!("<div><p>{DEK}</p></div>")));
    assert!(body.starts_with(DEK), "{body}");
    // A subtitle set as a heading in the headline's box.
    let html = format!(
        r#"<html><body><article><header><h1>Bridge to close</h1><h2>{DEK}</h2></header>
        <div class="article-text">{}</div></article></body></html>"#,
        paras("bridge", 0, 6)
    );
    let body = body_of(&html);
    assert!(body.starts_with(DEK), "{body}");
    // A byline, a label and a prompt in a weakly marked box are no dek.
    for other in [
        "<p>By Jane Doe and John Roe on Monday, November 18th, 2019 at 11:04 a.m.</p>",
        "<p>Photos of the old bridge and of the new ferry landing</p>",
        r#"<div class="notification-teaser"><p>Allow notifications? We send two to five news alerts a day.</p></div>"#,
    ] {
        let body = body_of(&page(other));
        assert!(body.starts_with("The council said"), "{body}");
    }
}

#[test]
fn a_label_opening_a_box_of_other_stories_ends_the_story() {
    let teaser = |topic: &str| {
        format!(
            r#"<article class="post"><p>Readers asked us about the {topic}, and what it costs, \
            and who pays for it, and why it took so long to decide on it at all.</p></article>"#
        )
    };
    let html = format!(
        r#"<html><body><div class="posts"><article class="post"><h1>Bridge to close</h1>{}</article>
        <div class="more-posts"><h3>You may also like...</h3>{}{}{}{}{}{}</div></div></body></html>"#,
        paras("bridge", 0, 2),
        teaser("library"),
        teaser("stadium"),
        teaser("harbour"),
        teaser("airport"),
        teaser("tram"),
        teaser("museum"),
    );
    let body = body_of(&html);
    assert!(body.contains("Part 1."), "{body}");
    assert!(!body.contains("Readers asked"), "{body}");
    // A label may go on with the site's name.
    let body = body_of(&html.replace("You may also like...", "Mehr Kolumnen auf Planet:"));
    assert!(!body.contains("Readers asked"), "{body}");
    // A box of links set inside the story, after which the story goes on, ends nothing.
    let body = body_of(&story_around(
        r#"<div class="inline-links"><h3>Related articles</h3><ul><li><a href="/a">Ferry fares rise</a></li></ul></div>"#,
    ));
    assert!(body.contains("Part 5."), "{body}");
}

#[test]
fn a_forms_labels_stay_out_but_a_form_around_the_page_does_not_hide_it() {
    // A comment form after the story, its labels set as paragraphs in the story's box.
    let body = body_of(&story_around(&format!(
        r#"{}<form action="/comments" method="post"><p>Leave a reply. Your e-mail address will
        not be published, and required fields are marked as such by us.</p><p>Name (required)</p>
        <p>E-mail (required, hidden to the public)</p></form>"#,
        paras("bridge", 6, 1)
    )));
    assert!(body.contains("Part 6."), "{body}");
    assert!(!body.contains("required"), "{body}");
    // A page framework that wraps the whole page in one form.
    let html = format!(
        r#"<html><body><form id="mainForm" method="post" action="/page.aspx"><h1>Bridge to close</h1>
        <div class="article-text">{}</div></form></body></html>"#,
        paras("bridge", 0, 6)
    );
    assert!(body_of(&html).contains("Part 5."));
}

#[test]
fn a_subheadings_anchor_id_does_not_mark_it_furniture() {
    // Anchor ids made from the heading's words read like furniture ("nav", "share").
    let body = body_of(&story_around(
        r#"<h3 id="nav_share_prices_fall__1">Share prices fall</h3>"#,
    ));
    assert!(body.contains("Share prices fall"), "{body}");
    // A one-word id still names the box the heading opens.
    let body = body_of(&story_around(r#"<h3 id="comments">Three replies</h3>"#));
    assert!(!body.contains("Three replies"), "{body}");
}

#[test]
fn disclosures_support_prompts_and_like_widgets_stay_out() {
    for notice in [
        "<p>This post contains references to products from our advertisers. We may receive \
         compensation when you click on links to those products.</p>",
        "<p>Dieser Artikel kann Links zu Anbietern enthalten, von denen wir eine Vergütung \
         bekommen.</p>",
        "<p>Gefällt dir unser Magazin? Wir haben entschieden, keine Bezahlschranke einzuführen.</p>",
        "<p>Gefällt mir: Gefällt mir Wird geladen...</p>",
        "<p>Created 03-10-2004 2:20pm - Last Modified: 03-10-2004 2:20pm</p>",
        "<p>We need your help. Help us continue to bring the news to readers everywhere.</p>",
        "<p>Get the latest news straight to your phone with the Planet app.</p>",
        "<p>Submit your letter to the editor via this form.</p>",
        "<p>Kategorien Warning: Creating default object from empty value in \
         /www/htdocs/site/wp-includes/classes.php on line 407</p>",
    ] {
        let body = body_of(&story_around(notice));
        assert_eq!(body.split("\n\n").count(), 6, "{notice} in {body}");
    }
}

#[test]
fn a_paragraph_set_as_a_long_heading_stays() {
    // Some editors set whole paragraphs (the intro, a closing thought) in a heading.
    let long = "For a long time I put off writing this last piece, because saying goodbye to a \
                column you have written for six years is harder than it looks, and because so \
                much has changed since the first one, for me and for the people who read it \
                every week over coffee.";
    let body = body_of(&story_around(&format!("<h3>{long}</h3>")));
    assert!(body.contains("every week over coffee"), "{body}");
}

#[test]
fn a_lead_is_found_far_up_and_under_a_wrapper_whose_class_reads_as_furniture() {
    const LEAD: &str = "The old bridge will close for a year, and the ferry will carry commuters \
                        across the river meanwhile.";
    // The body container sits eight, then eleven wrappers (portlets in grid cells) below the
    // box the lead's branch joins.
    for n in [8, 11] {
        let deep = (0..n).fold(
            format!(
                r#"<div class="article-text">{}</div>"#,
                paras("bridge", 0, 6)
            ),
            |inner, i| format!(r#"<div class="level-{i}">{inner}</div>"#),
        );
        let html = format!(
            r#"<html><body><div class="page"><div class="intro-box"><h1>Bridge to close</h1>
            <p class="article-intro">{LEAD}</p></div>{deep}</div></body></html>"#
        );
        let body = body_of(&html);
        assert!(body.starts_with(LEAD), "{n}: {body}");
    }
    // The page wrapper's class names a sidebar, but it holds the story: the lead still opens it.
    let html = format!(
        r#"<html><body><div class="main-sidebar-wrap"><div class="head"><h1>Bridge to close</h1>
        <p class="article-intro">{LEAD}</p></div><div class="article-text">{}</div></div>
        </body></html>"#,
        paras("bridge", 0, 6)
    );
    let body = body_of(&html);
    assert!(body.starts_with(LEAD), "{body}");
}

#[test]
fn a_list_in_the_story_that_a_weak_class_word_marks_stays() {
    // The container's class names no story, so weak class words count inside it.
    let html = format!(
        r#"<html><body><h1>Grain prices</h1><div class="news-detail">{}
        <ul class="rte--list"><li class="rte__list-item">Five million people in the region
        depend on food aid this year.</li><li class="rte__list-item">Prices for grain rose by a
        third since spring.</li></ul><ul class="related-list"><li>Another story on the harbour
        dredging and its costs.</li></ul></div></body></html>"#,
        paras("bridge over the river", 0, 4)
    );
    let body = body_of(&html);
    assert!(body.contains("Five million people"), "{body}");
    assert!(body.contains("rose by a third"), "{body}");
    assert!(!body.contains("Another story"), "{body}");
}

#[test]
fn posts_of_a_thread_nested_deep_in_their_template_are_one_story() {
    // Each post's text sits eight boxes below the thread's list.
    let post = |text: &str| {
        format!(
            r#"<article class="message"><div class="message-inner"><div class="message-cell">
            <div class="message-main"><div class="message-content"><div class="message-user-content">
            <article class="message-body"><div class="bb-wrapper">{text}</div></article>
            </div></div></div></div></div></article>"#
        )
    };
    let html = format!(
        r#"<html><body><h1>Bridge closure: how do you get to work?</h1><div class="messages">{}{}{}</div>
        </body></html>"#,
        post(
            "I take the ferry now, which is slower, but the crossing is calm in the morning and \
              the coffee on board is fine. Anyone else doing that?"
        ),
        post(
            "We drive around through the north bridge, which adds twenty minutes each way, and \
              the traffic there has become much worse since the closure began."
        ),
        post(&paras("bridge", 0, 5)),
    );
    let body = body_of(&html);
    assert!(body.contains("I take the ferry now"), "{body}");
    assert!(body.contains("Part 4."), "{body}");
    assert!(body.contains("north bridge"), "{body}");
}

#[test]
fn a_closing_sign_off_and_a_last_numbered_line_stay() {
    let page = |last: &str| {
        format!(
            r#"<html><body><article><h1>Bridge to close</h1><div class="article-text">{}{last}
            </div></article></body></html>"#,
            paras("bridge", 0, 5)
        )
    };
    let body = body_of(&page("<p>Euer HansEhrlich</p>"));
    assert!(body.ends_with("Euer HansEhrlich"), "{body}");
    let body = body_of(&page("<p>x Franzi</p>"));
    assert!(body.ends_with("x Franzi"), "{body}");
    let body = body_of(&page(
        "<p>99. Old Harbour Bridge</p><p>100. New Ferry Pier</p>",
    ));
    assert!(body.ends_with("100. New Ferry Pier"), "{body}");
    // A closing link label still leaves.
    let body = body_of(&page("<p>More from the harbour</p>"));
    assert!(body.ends_with("Part 4."), "{body}");
}

#[test]
fn a_section_heading_in_a_header_box_inside_the_story_stays_but_its_byline_does_not() {
    // An accordion of questions: each item's heading sits in a `header` box.
    let item = |q: &str, from: usize| {
        format!(
            r#"<li class="fold"><header class="fold-head"><h3>{q}</h3><p>By the harbour desk</p></header>
            <div class="fold-body">{}</div></li>"#,
            paras("bridge", from, 2)
        )
    };
    let html = format!(
        r#"<html><body><h1>Bridge questions</h1><div class="news-detail"><ul class="faq">{}{}</ul></div>
        </body></html>"#,
        item("When will the bridge close for the repairs?", 0),
        item("How long will the ferry run instead?", 2),
    );
    let body = body_of(&html);
    assert!(body.contains("When will the bridge close"), "{body}");
    assert!(body.contains("How long will the ferry run"), "{body}");
    assert!(body.contains("Part 3."), "{body}");
    assert!(!body.contains("harbour desk"), "{body}");
}

#[test]
fn a_closing_colon_line_that_introduces_links_in_the_story_stays() {
    let page = |after: &str| {
        format!(
            r#"<html><body><article><h1>Bridge to close</h1><div class="article-text">{}
            <p>The council's reports on the inspection are online:</p>{after}</div></article></body></html>"#,
            paras("bridge", 0, 5)
        )
    };
    let body = body_of(&page(
        r#"<ul><li><a href="/r1">Inspection report, March</a></li><li><a href="/r2">Inspection report, May</a></li></ul>"#,
    ));
    assert!(body.ends_with("are online:"), "{body}");
    // With nothing after it, the line introduces what the page does not have, and leaves.
    let body = body_of(&page(""));
    assert!(body.ends_with("Part 4."), "{body}");
}

#[test]
fn lead_class_words_of_more_languages_count() {
    for class in ["sommario", "entry-sumario", "nota-copete", "leader"] {
        // A date line stands between the headline and the lead, so it is no unmarked dek.
        let html = format!(
            r#"<html><body><div class="mod_article"><h1>Dredging to resume</h1>
            <p>Published by the harbour desk on the fourth of March</p>
            <div class="{class}"><p>{LEAD}</p></div>{}</div></body></html>"#,
            story_body("ce_text")
        );
        let body = body_of(&html);
        assert!(body.starts_with(LEAD), "{class}: {body}");
    }
}

#[test]
fn a_dek_far_above_the_story_under_a_repeated_headline_opens_it() {
    const DEK: &str = "The old bridge will close for a year, and the ferry will carry commuters \
                       across the river meanwhile.";
    // An offer box of short lines (prices, perks, buttons) between the headline and the story.
    let offer: String = (0..12)
        .map(|i| format!("<p>Plan {i}</p><p>{i},00 EUR a month</p>"))
        .collect();
    let page = |head: &str| {
        format!(
            r#"<html><body><main><div class="container">{head}
            <div class="offer">{offer}</div>
            <div class="article-text">{}</div></div></main></body></html>"#,
            paras("bridge", 0, 6)
        )
    };
    // The `<h1>` ends a breadcrumb; the headline is set again as an `<h2>` above the dek.
    let body = body_of(&page(&format!(
        r#"<header><nav class="breadcrumb"><ol><li><a href="/news/">News</a></li>
        <li><h1>Bridge to close</h1></li></ol></nav><h2>Bridge to close</h2><p>{DEK}</p></header>"#
    )));
    assert!(body.starts_with(DEK), "{body}");
    // A site name linking home is no headline: the tagline under it stays out.
    let body = body_of(&page(&format!(
        r#"<div class="top"><h1><a href="/">Bridge Weekly</a></h1></div><div><p>{DEK}</p></div>"#
    )));
    assert!(body.starts_with("The council said"), "{body}");
}

/// Five paragraphs of a recipe's method, numbered "Step 0." to "Step 4.".
fn recipe_method() -> String {
    (0..5)
        .map(|i| {
            format!(
                "<p>Beat the butter with the sugar until pale, then fold in the flour, the eggs \
                 and the lemon zest, and bake it for forty minutes in a warm oven. Step {i}.</p>"
            )
        })
        .collect()
}

#[test]
fn a_recipes_ingredient_list_near_the_story_joins_it() {
    let method = recipe_method();
    let page = |class: &str| {
        format!(
            r#"<html><body><main><article class="recipe"><h1>Lemon cake</h1>
            <section class="{class} hidden-print"><h3>For the dough:</h3><ul class="list">
            <li><span>250 g</span> <span>Butter</span></li><li><span>3</span> <span>Eggs</span></li>
            <li><span>1</span> <span>Lemon zest</span></li></ul></section>
            <div class="recipe-method">{method}</div></article></main></body></html>"#
        )
    };
    let body = body_of(&page("recipe-ingredients"));
    for line in ["For the dough:", "250 g Butter", "Lemon zest", "Step 4."] {
        assert!(body.contains(line), "{line}: {body}");
    }
    // A box of short lines that no class names as ingredients stays out.
    let body = body_of(&page("recipe-extras"));
    assert!(!body.contains("250 g Butter"), "{body}");
}

#[test]
fn a_long_dek_without_a_full_stop_opens_the_story() {
    const DEK: &str = "Commuters will take the ferry for a year while the old bridge is rebuilt at a \
                       cost of forty million pounds";
    let page = |dek: &str| {
        format!(
            r#"<html><body><article><header><h1>Bridge to close</h1><p>{dek}</p></header>
            <div class="article-text">{}</div></article></body></html>"#,
            paras("bridge", 0, 6)
        )
    };
    let body = body_of(&page(DEK));
    assert!(body.starts_with(DEK), "{body}");
    // A short line without one is a label, not a dek.
    let body = body_of(&page(
        "Photos of the old bridge and of the new ferry landing",
    ));
    assert!(body.starts_with("The council said"), "{body}");
}

#[test]
fn a_letters_prose_beats_the_long_list_of_its_signatories() {
    // Each "Name, Place" line scores like a short paragraph with a comma: a hundred of them
    // outscore the letter's few long paragraphs, which stand just above the list's box.
    let names: String = (0..100)
        .map(|i| format!("<p>Signatory Number {i}, Northern University</p>"))
        .collect();
    let html = format!(
        r#"<html><body><article><h1>A letter on the bridge</h1><div class="letter">{}
        <div class="signatories"><div>{names}</div></div></div></article></body></html>"#,
        paras("bridge over the river", 0, 4)
    );
    let body = body_of(&html);
    assert!(body.starts_with("The council said"), "{body}");
    assert!(body.contains("Part 3."), "{body}");
    // A story whose own box holds the prose keeps it whatever lists stand around it.
    let html = format!(
        r#"<html><body><article><h1>A letter on the bridge</h1><div class="letter">{}</div>
        <div class="signatories"><div>{names}</div></div></article></body></html>"#,
        paras("bridge over the river", 0, 4)
    );
    assert!(body_of(&html).contains("Part 3."));
}

/// The body of `page` with its `{sections}` set to three sections (`section(0..3)`, two
/// paragraphs each); all six paragraphs must be in it.
fn sections_kept(page: &str, section: impl Fn(usize) -> String) -> String {
    let body = body_of(&page.replace("{sections}", &(0..3).map(section).collect::<String>()));
    assert!(
        body.contains("Part 0.") && body.contains("Part 5."),
        "{body}"
    );
    body
}

#[test]
fn a_sections_text_in_its_header_box_is_the_story() {
    // A page builder sets each section's text in the `header` of its block, inside a box
    // whose class names rich text; only a consent notice stands outside.
    let section = |i: usize| {
        format!(
            r#"<article class="image-text"><header class="image-text__description">
            <h3>Section {i}</h3><div class="richtext-block">{}</div></header></article>"#,
            paras("bridge", 2 * i, 2)
        )
    };
    let body = sections_kept(
        r#"<html><body><header class="site"><a href="/">Home</a></header><main>
        <h1>Bridge to close</h1>{sections}<div class="external"><p>To protect your data we
        blocked the automatic loading of this provider's content, agree below to see it.</p>
        </div></main></body></html>"#,
        section,
    );
    // A masthead `header` without such a box stays furniture.
    assert!(!body.contains("Home"), "{body}");
}

#[test]
fn a_consent_managers_list_of_services_is_never_the_story() {
    // The dialog describes every embedded service at length: it holds most of the page's
    // text, more than the short story, and still stays out.
    let service = |name: &str| {
        format!(
            "<div class=\"service-item\"><p>Purpose: {name} loads content from a third party, \
             which may process your connection data, your browser's data and the pages you \
             visit, and may pass them on to its partners, in countries outside the union.</p>\
             <p>Legal basis: your consent, which you may withdraw at any time, with effect for \
             the future, in the settings of this dialog or by writing to us.</p></div>"
        )
    };
    let services: String = ["Video", "Maps", "Analytics", "Social", "Fonts", "Captcha"]
        .into_iter()
        .map(service)
        .collect();
    let html = format!(
        r#"<html><body><main><article><h1>Bridge to close</h1><div class="article-text">{}
        </div></article></main><div id="cmp-consent-dialog"><div class="category">{services}
        </div></div></body></html>"#,
        paras("bridge", 0, 3)
    );
    let body = body_of(&html);
    assert!(body.contains("Part 2."), "{body}");
    assert!(!body.contains("Legal basis"), "{body}");
    // A post tagged with the word is no consent box.
    let html = format!(
        r#"<html><body><article class="post tag-dsgvo"><h1>Bridge to close</h1>{}</article>
        </body></html>"#,
        paras("bridge", 0, 3)
    );
    assert!(body_of(&html).contains("Part 2."));
}

#[test]
fn a_questions_body_joins_its_answers_when_the_story_widens_to_them() {
    // Question and answers share the body class; the answers, close in score, widen the
    // story to their wrapper, which no class marks; the question's box still joins.
    let post = |text: String| {
        format!(r#"<div class="post-layout"><div class="post-body">{text}</div></div>"#)
    };
    let question = post(
        "<p>How does one know when to use the one form of the past tense or the other, for \
         example in a sentence about a bridge?</p>"
            .to_string(),
    );
    let answers: String = (0..3)
        .map(|i| {
            format!(
                r#"<div class="answer">{}</div>"#,
                post(paras("bridge", 2 * i, 2))
            )
        })
        .collect();
    let html = format!(
        r#"<html><body><h1>Which past tense?</h1>
        <div class="stats">Asked 9 years ago, modified 2 years ago, viewed 5k times</div>
        <div class="question">{question}</div>
        <div id="answers"><h2>3 Answers</h2>{answers}</div></body></html>"#
    );
    let body = body_of(&html);
    assert!(body.starts_with("How does one know"), "{body}");
    assert!(body.contains("Part 5."), "{body}");
}

#[test]
fn recipe_microdata_names_the_ingredients_where_no_class_does() {
    let method = recipe_method();
    let page = |prop: &str| {
        format!(
            r#"<html><body><main><article class="recipe"><h1>Lemon cake</h1>
            <div class="tab-list hidden-print"><div class="content"><ul>
            <li {prop}>250 g butter, soft</li><li {prop}>3 eggs</li>
            <li {prop}>1 lemon, its zest</li></ul></div></div>
            <div class="recipe-method">{method}</div></article></main></body></html>"#
        )
    };
    let body = body_of(&page(r#"itemprop="recipeIngredient""#));
    for line in ["250 g butter, soft", "1 lemon, its zest", "Step 4."] {
        assert!(body.contains(line), "{line}: {body}");
    }
    // The same list without the microdata is a box of short lines and stays out.
    let body = body_of(&page(r#"itemprop="size""#));
    assert!(!body.contains("250 g butter"), "{body}");
}

#[test]
fn a_section_whose_modifier_says_it_carries_ads_is_the_storys() {
    // "--ads" marks the sections an ad may be placed in; the sections are the story's. A
    // box named as an ad stays out.
    let section = |i: usize| {
        format!(
            r#"<section class="TestReport__Section TestReport__Section--Ads">{}
            <div class="ad-slot"><p>Sponsored: the best grill deals of the season, only this
            week, in every store near you and online.</p></div></section>"#,
            paras("bridge", 2 * i, 2)
        )
    };
    let body = sections_kept(
        r#"<html><body><article><h1>Bridge to close</h1>{sections}</article></body></html>"#,
        section,
    );
    assert!(!body.contains("Sponsored"), "{body}");
}

#[test]
fn several_small_copies_after_the_story_are_its_later_sections() {
    // The intro fills the first text box; each later section is a smaller copy of the box,
    // under the share a lone copy after the story must reach.
    let section = |i: usize| boxed(&format!("<h2>Section {i}</h2>{}", paras("bridge", i, 1)));
    let html = format!(
        r#"<html><body><h1>Bridge to close</h1>{}{}{}</body></html>"#,
        boxed(&paras("bridge", 0, 6)),
        section(6),
        section(7)
    );
    let body = body_of(&html);
    assert!(
        body.contains("Part 5.") && body.contains("Part 7."),
        "{body}"
    );
    // One small copy after the story is the publisher's note and stays out.
    let html = format!(
        r#"<html><body><h1>Bridge to close</h1>{}{}</body></html>"#,
        boxed(&paras("bridge", 0, 6)),
        section(6)
    );
    assert!(!body_of(&html).contains("Part 6."));
}

#[test]
fn a_linked_web_or_mail_address_in_the_story_stays() {
    let page = |line: &str| {
        format!(
            r#"<html><body><article><h1>Bridge to close</h1><div class="article-text">{}
            <p>{line}</p>{}</div></article></body></html>"#,
            paras("bridge", 0, 3),
            paras("bridge", 3, 3)
        )
    };
    // A source, a petition and a contact the story gives as addresses.
    for line in [
        r#"<a href="https://example.org/report.pdf">https://example.org/report.pdf</a>"#,
        r#"[1] <a href="http://www.example.org/petition">www.example.org/petition</a>"#,
        r#"<a href="mailto:bridge@council.example">bridge@council.example</a>"#,
    ] {
        let body = body_of(&page(line));
        let text = line.split('>').nth(1).unwrap().trim_end_matches("</a");
        assert!(body.contains(text), "{text}: {body}");
    }
    // A link to another story stays out.
    let body = body_of(&page(
        r#"<a href="/other">Council approves the new ferry timetable</a>"#,
    ));
    assert!(!body.contains("ferry timetable"), "{body}");
}

#[test]
fn a_tables_linked_cells_in_the_story_stay() {
    let html = format!(
        r#"<html><body><article><h1>Child seats tested</h1><div class="article-text">{}
        <table><tr><th>Seat</th><th>Result</th></tr>
        <tr><td><a href="/seats/koala">Koala i-Size</a></td><td>good</td></tr>
        <tr><td><a href="/seats/panda">Panda Fix Plus</a></td><td>poor</td></tr></table>
        {}</div></article></body></html>"#,
        paras("bridge", 0, 3),
        paras("bridge", 3, 3)
    );
    let body = body_of(&html);
    for cell in ["Koala i-Size", "Panda Fix Plus", "poor"] {
        assert!(body.contains(cell), "{cell}: {body}");
    }
}

#[test]
fn a_lead_between_a_long_subheading_and_the_story_container_opens_it() {
    // A long headline set as a paragraph-sized `<h3>` beside the container joins the story
    // first; the lead box stands between it and the container.
    let html = format!(
        r#"<html><body><div class="news-single"><h3>Dredging of the harbour channel to resume in
        spring after a survey found it silted up faster than forecast</h3>
        <div class="teaser-text"><p>{LEAD}</p></div>{}</div></body></html>"#,
        story_body("news-text-wrap")
    );
    let body = body_of(&html);
    assert!(body.contains(LEAD), "{body}");
}

#[test]
fn a_table_set_in_a_figure_stays_but_a_pictures_caption_does_not() {
    let html = format!(
        r#"<html><body><article><h1>Exchange fees compared</h1><div class="article-text">{}
        <figure class="comparison"><table><tr><th>Exchange</th><th>Fees</th></tr>
        <tr><td>Harbour Coin</td><td>Free deposit, 1 GBP withdrawal</td></tr></table></figure>
        <figure><img src="/fees.jpg"><figcaption>Traders at the harbour exchange</figcaption></figure>
        {}</div></article></body></html>"#,
        paras("bridge", 0, 3),
        paras("bridge", 3, 3)
    );
    let body = body_of(&html);
    assert!(body.contains("Free deposit, 1 GBP withdrawal"), "{body}");
    assert!(!body.contains("Traders at the harbour"), "{body}");
}

#[test]
fn a_section_heading_in_a_headline_box_inside_the_story_stays() {
    let html = format!(
        r#"<html><body><article><h1>Bridge to close</h1><div class="story">{}
        <div class="element-headline"><h2>What the closure means for commuters</h2></div>
        {}<div class="teaser-title"><h3>Ferry timetable changes again</h3></div>
        {}<div class="offer-headline"><h3>Digital subscription</h3></div><p>3 € a month</p>
        </div></article></body></html>"#,
        paras("bridge", 0, 3),
        paras("bridge", 3, 2),
        paras("bridge", 5, 2)
    );
    let body = body_of(&html);
    assert!(
        body.contains("What the closure means for commuters\n\nThe council said"),
        "{body}"
    );
    // A heading in a box another weak word marks, or one that no prose follows, stays out.
    assert!(!body.contains("Ferry timetable"), "{body}");
    assert!(!body.contains("Digital subscription"), "{body}");
}

#[test]
fn linked_lines_of_a_list_with_lines_of_its_own_stay() {
    let page = |list: &str| {
        format!(
            r#"<html><body><article><h1>Bridge to close</h1><div class="story">{}
            <p>The closure in the press:</p><ul>{list}</ul>{}</div></article></body></html>"#,
            paras("bridge", 0, 3),
            paras("bridge", 3, 3)
        )
    };
    // A press review: some entries link to the article, some do not.
    let body = body_of(&page(
        r#"<li>2 May: <a href="https://example.org/a">Report on the evening news</a></li>
        <li>3 May: Harbour Gazette, print edition</li>
        <li><a href="https://example.org/b">Interview with the harbour master</a></li>"#,
    ));
    for line in [
        "Report on the evening news",
        "Interview with the harbour master",
    ] {
        assert!(body.contains(line), "{line}: {body}");
    }
    // A list of nothing but links is a list of other stories.
    let body = body_of(&page(
        r#"<li><a href="/a">Ferry timetable changes again</a></li>
        <li><a href="/b">New cycle lane opens on the quay</a></li>"#,
    ));
    assert!(!body.contains("Ferry timetable"), "{body}");
}

#[test]
fn a_live_tickers_entries_are_the_story_but_readers_comments_are_not() {
    let entries: String = (0..6)
        .map(|i| {
            format!(
                r#"<div class="live-match-comment"><span class="minute">{i}'</span>
                <div class="live-match-comment-body">Minute {i}: the home side pressed high and
                forced another corner, but the keeper punched the ball clear again.</div></div>"#
            )
        })
        .collect();
    let html = format!(
        r#"<html><body><main><h1>Harbour United 1, City 1</h1>
        <div class="live-match-comments">{entries}</div>
        <div class="comments"><div class="comment-body">What a dull game, I left at half time
        and went for a long walk along the harbour wall instead.</div></div></main></body></html>"#
    );
    let body = body_of(&html);
    assert!(body.contains("Minute 5: the home side"), "{body}");
    assert!(!body.contains("dull game"), "{body}");
}

#[test]
fn a_lead_the_strict_pass_drops_joins_when_the_lenient_pass_keeps_the_rest() {
    // The strict pass drops the `<aside>` and finds only the headed notes (under 40 words); the
    // lenient pass finds the lead too, with fewer than twice the words but all of the notes.
    let html = r#"<html><body><h1>Golden Roast, 250 g tin</h1>
        <aside class="intro"><p>Golden Roast was the first blend of the house, roasted since 1956 and handed down from parent to child ever since.</p></aside>
        <div class="features">
        <div class="wrap"><h5>The blend</h5><p>Every blend is carefully put together, roasted and ground to our own standards.</p></div>
        <div class="wrap"><h5>The grind</h5><p>The ideal grain, neither too fine nor too coarse, for a perfect cup every time.</p></div>
        </div></body></html>"#;
    let body = body_of(html);
    assert!(
        body.starts_with("Golden Roast was the first blend"),
        "{body}"
    );
    assert!(body.contains("The ideal grain"), "{body}");
}

#[test]
fn a_recipes_times_and_energy_beside_its_steps_are_the_recipes() {
    let page = |before: &str, inside: &str| {
        format!(
            r#"<html><body><main><article><h1>Plum cake</h1>
            <div class="recipe-meta"><span>Preparation 25 minutes</span> <span>(+ 40 minutes baking)</span></div>
            {before}<div class="steps">{inside}
            <p>Halve the plums and take out the stones, then leave them to drain on a cloth for a while.</p>
            <p>Rub the flour, the butter and a pinch of salt together until the dough holds, then chill it.</p>
            <p>Roll out the dough, lay the plums on it in rows and bake the cake until it turns golden.</p>
            </div>
            <div class="rating">Rate this recipe:</div>
            <div class="nutrition-box"><span>One piece:</span><ul class="list"><li>290 kcal</li></ul></div>
            <div class="published">Updated 5 minutes ago</div>
            </article></main></body></html>"#
        )
    };
    let list = "<ul><li>500 g plums</li><li>250 g flour</li><li>125 g butter</li></ul>";
    // The ingredient list named by its class, or by its heading in the story.
    for (before, inside) in [
        (
            format!(r#"<div class="ingredients">{list}</div>"#),
            String::new(),
        ),
        (String::new(), format!("<h2>Ingredients</h2>{list}")),
    ] {
        let body = body_of(&page(&before, &inside));
        assert!(
            body.contains("Preparation 25 minutes (+ 40 minutes baking)"),
            "{body}"
        );
        assert!(body.contains("290 kcal"), "{body}");
        assert!(!body.contains("ago"), "{body}");
    }
    // A story that is no recipe keeps its reading time out.
    let story = format!(
        r#"<html><body><article><h1>Bridge to close</h1><div class="info">Reading time 4 minutes</div>
        <div class="story">{}</div></article></body></html>"#,
        paras("bridge", 0, 4)
    );
    let body = body_of(&story);
    assert!(!body.contains("Reading time"), "{body}");
}

#[test]
fn a_post_held_in_a_template_script_of_the_story_body_is_the_story() {
    let html = format!(
        r#"<html><body><div class="post"><h1>Bridge to close</h1>
        <div class="post-body" itemprop="articleBody"><script type="text/template">
        {}<p>Ferries &amp; buses take over until spring.
        </script></div>
        <script type="text/template"><p>Sign up for our newsletter and never miss a post from the harbour again, we promise.</p></script>
        </div></body></html>"#,
        paras("bridge", 0, 4)
    );
    let body = body_of(&html);
    assert!(body.starts_with("The council said"), "{body}");
    assert!(
        body.ends_with("Ferries & buses take over until spring."),
        "{body}"
    );
    // A template anywhere else is a script's, not the story's.
    assert!(!body.contains("newsletter"), "{body}");
}

#[test]
fn a_dek_in_a_plain_box_just_before_the_story_opens_it() {
    // The first line after the headline is a subtitle with no full stop, so the headline's dek
    // rule takes nothing; the paragraph of prose before the author's line is the dek.
    let page = |dek: &str| {
        format!(
            r#"<html><body><div class="wrap"><h1>Bridge to close</h1><div class="box"><div>Ferries and buses take over until the new bridge is built</div>
            <div><p>{dek}</p></div><div class="who"><a href="/authors/ann">Ann Lee</a></div></div>
            <div class="story">{}</div></div></body></html>"#,
            paras("bridge", 0, 4)
        )
    };
    let dek = "After years of warnings about its state, the old bridge over the harbour will close \
               to all traffic in May, and the ferries will take over until the new one is built.";
    let body = body_of(&page(dek));
    assert!(body.starts_with("After years of warnings"), "{body}");
    // A teaser that repeats the story's first paragraph stays out, and so does a line that is
    // no sentence.
    let body = body_of(&page(
        "The council said on Monday that the bridge would be rebuilt next year, after an \
         inspection found the old structure unsafe for heavy traffic. Part 0.",
    ));
    assert_eq!(body.matches("Part 0.").count(), 1, "{body}");
    let body = body_of(&page(&dek.replace('.', "")));
    assert!(!body.contains("After years"), "{body}");
}
