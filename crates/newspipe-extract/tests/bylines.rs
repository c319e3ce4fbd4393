//! Bylines on small hand-written pages, one per source: inline byline spans, author classes in
//! BEM style, "By"-lines in other languages, unfurl labels, JSON-LD references and links to
//! author pages (but not the ones in teaser lists).

use newspipe_extract::extract;

const PROSE: &str = "<p>The regional council agreed on Tuesday evening to extend the night bus \
    service for another year, after a long debate about its cost and the number of riders.</p>\
    <p>Supporters said the buses had made the town centre safer at night, while critics asked \
    for a cheaper plan and a review of the routes before the next budget is drawn up.</p>";

fn authors(head: &str, body: &str) -> Vec<String> {
    let html = format!(
        "<html><head><title>Night buses stay</title>{head}</head><body>{body}</body></html>"
    );
    extract(&html, None).article.authors
}

/// Each byline line read as the one author it names.
fn each_in_story(cases: &[(&str, &str)]) {
    for (line, want) in cases {
        assert_eq!(in_story(line), [*want], "{line}");
    }
}

/// The authors of a story whose byline `line` stands between its headline and its text.
fn in_story(line: &str) -> Vec<String> {
    authors(
        "",
        &format!("<article><h1>Night buses stay</h1>{line}{PROSE}</article>"),
    )
}

#[test]
fn inline_byline_span() {
    let got = authors(
        "",
        &format!(
            r#"<article><h1>Night buses stay</h1><p><span class="byline">By <a href="/x">Emily Burack</a></span></p>{PROSE}</article>"#
        ),
    );
    assert_eq!(got, ["Emily Burack"]);
}

#[test]
fn bem_author_class_with_several_people() {
    let got = authors(
        "",
        &format!(
            r#"<article><h1>Night buses stay</h1><div class="c-page-intro__author"><span>von</span> Daniel Braun, Davor Pasoski</div>{PROSE}</article>"#
        ),
    );
    assert_eq!(got, ["Daniel Braun", "Davor Pasoski"]);
}

#[test]
fn by_lines_in_other_languages() {
    each_in_story(&[
        ("<h5><em>Von Leonora Holling</em></h5>", "Leonora Holling"),
        ("<p>Par Marie Merlet</p>", "Marie Merlet"),
        ("<p>Por Cat Lafuente</p>", "Cat Lafuente"),
    ]);
}

#[test]
fn unfurl_labels() {
    let got = authors(
        r#"<meta name="twitter:label1" content="Written by"><meta name="twitter:data1" content="James Whittaker">"#,
        PROSE,
    );
    assert_eq!(got, ["James Whittaker"]);
}

#[test]
fn json_ld_author_by_reference() {
    let got = authors(
        r##"<script type="application/ld+json">{"@graph":[
            {"@type":"NewsArticle","headline":"Night buses stay","author":{"@id":"https://t.example/#/person/1"}},
            {"@type":"Person","@id":"https://t.example/#/person/1","name":"James Whittaker"}]}</script>"##,
        PROSE,
    );
    assert_eq!(got, ["James Whittaker"]);
}

#[test]
fn author_page_links_outside_teasers() {
    let got = authors(
        "",
        &format!(
            r#"<div class="related-posts"><a href="/autor/frank_g">Gunter Frank</a></div>
               <article><h1>Night buses stay</h1><div class="meta"><a href="/fr/staff/uriel-gadessaud/">Uriel Gadessaud</a></div>{PROSE}</article>"#
        ),
    );
    assert_eq!(got, ["Uriel Gadessaud"]);
}

fn authors_at(url: &str, head: &str, body: &str, body_class: &str) -> Vec<String> {
    let html = format!(
        r#"<html><head><title>Night buses stay</title>{head}</head><body class="{body_class}">{body}</body></html>"#
    );
    let url = url::Url::parse(url).ok();
    extract(&html, url.as_ref()).article.authors
}

#[test]
fn layout_words_on_body_do_not_hide_the_byline() {
    // WordPress lists the layout on `<body>` ("has-sidebar", "widget-layout2"); the story's
    // byline below is still the story's.
    let got = authors_at(
        "https://news.example/2019/night-buses",
        "",
        &format!(
            r#"<article><h1>Night buses stay</h1><div class="entry-meta">22. Dezember 2019 <span class="byline author">von <a class="fn" href="/author/admin/">Peter Addor</a></span></div>{PROSE}</article>"#
        ),
        "single single-post has-sidebar mh-widget-layout2",
    );
    assert_eq!(got, ["Peter Addor"]);
}

#[test]
fn a_lone_handle_is_the_author_when_nothing_else_is() {
    let got = authors(
        "",
        &format!(
            r#"<article><h1>Night buses stay</h1><div class="entry-meta">von <a href="/author/gizzmo/" rel="author">gizzmo</a></div>{PROSE}</article>"#
        ),
    );
    assert_eq!(got, ["gizzmo"]);
    // A placeholder account or a CMS default is no author.
    for placeholder in ["admin", "publisher", "red"] {
        let got = authors(
            "",
            &format!(
                r#"<article><h1>Night buses stay</h1><a href="/author/x/" rel="author">{placeholder}</a>{PROSE}</article>"#
            ),
        );
        assert!(got.is_empty(), "{placeholder}: {got:?}");
    }
}

#[test]
fn the_site_name_only_when_nothing_else_names_an_author() {
    // A blog named after its writer: the site name is all the page gives.
    let head = r#"<meta property="og:site_name" content="Wolfgang Schmale">"#;
    let got = authors_at(
        "https://wolfgangschmale.example/2020/night-buses",
        head,
        &format!(
            r#"<article><h1>Night buses stay</h1><a rel="author" href="/about">Wolfgang Schmale</a>{PROSE}</article>"#
        ),
        "",
    );
    assert_eq!(got, ["Wolfgang Schmale"]);
    // A person named beside it wins.
    let got = authors_at(
        "https://wolfgangschmale.example/2020/night-buses",
        &format!(r#"{head}<meta name="author" content="Wolfgang Schmale">"#),
        &format!(
            r#"<article><h1>Night buses stay</h1><p class="byline">By Ann Lee</p>{PROSE}</article>"#
        ),
        "",
    );
    assert_eq!(got, ["Ann Lee"]);
}

#[test]
fn outlet_before_the_name_and_handles_after_it() {
    let got = authors_at(
        "https://www.unocero.example/noticias/night-buses",
        r#"<meta property="og:site_name" content="unocero"><meta name="author" content="unocero - Alberto Ávila">"#,
        PROSE,
        "",
    );
    assert_eq!(got, ["Alberto Ávila"]);
    let got = authors(
        r#"<script type="application/ld+json">{"@type":"NewsArticle","author":{"@type":"Person","name":"Williams Perdomo @wperdomod"}}</script>"#,
        PROSE,
    );
    assert_eq!(got, ["Williams Perdomo"]);
}

#[test]
fn weekday_stamps_labels_initials_and_doubled_names() {
    each_in_story(&[
        (
            r#"<div class="author vcard">Von Tomas Spahn Fr, 18. Oktober 2019</div>"#,
            "Tomas Spahn",
        ),
        (
            r#"<p class="byline">Auteur: Anna Kubišta</p>"#,
            "Anna Kubišta",
        ),
        (r#"<span class="author">Joe S.</span>"#, "Joe S."),
        (
            r#"<span class="author">Perry Bacon Jr.</span>"#,
            "Perry Bacon Jr.",
        ),
        (
            r#"<div class="author"><img alt=""><span>Kathrin Führes</span> <a href="/k">Kathrin Führes</a></div>"#,
            "Kathrin Führes",
        ),
    ]);
}

#[test]
fn glued_openers_label_lines_and_author_ids() {
    each_in_story(&[
        // "By" and the name in adjacent spans, no space between.
        (
            r#"<div><span>By</span><span><a href="/about/newsteam/alex-bozarjian">Alex Bozarjian</a></span></div>"#,
            "Alex Bozarjian",
        ),
        // The label alone on its line, the name on the next.
        (
            r#"<div class="meta-a"><p>Von:</p><p>Götz Warnke</p></div>"#,
            "Götz Warnke",
        ),
        // An id, not a class, names the author element.
        (
            r#"<div id="author_header">Gunter Frank</div>"#,
            "Gunter Frank",
        ),
    ]);
    // A label line followed by a heading or a lone button label is no byline.
    for next in ["<h2>Fazit: Night Buses Stay</h2>", "<p>Filter</p>"] {
        let got = authors(
            "",
            &format!("<article><h1>Night buses stay</h1><p>Von:</p>{next}{PROSE}</article>"),
        );
        assert!(got.is_empty(), "{next}: {got:?}");
    }
}

#[test]
fn dates_agencies_and_hyphenation_hints_around_names() {
    for (line, want) in [
        (
            r#"<p class="byline">VON MORITZ GATHMANN am 21. April 2020</p>"#,
            vec!["Moritz Gathmann"],
        ),
        (
            r#"<div class="dates_auteurs">par <span class="auteurs">Didier Roy</span>, 21 juin 2018</div>"#,
            vec!["Didier Roy"],
        ),
        (
            r#"<p class="byline">Von R. R. am 07.08.2013 um 09:07 Uhr</p>"#,
            vec!["R. R."],
        ),
        (
            r#"<p class="author">Peter Maahn/SP-X</p>"#,
            vec!["Peter Maahn"],
        ),
        (
            "<p class=\"author\">Von Mat\u{ad}thi\u{ad}as Lauerer</p>",
            vec!["Matthias Lauerer"],
        ),
    ] {
        let got = in_story(line);
        assert_eq!(got, want, "{line}");
    }
}

#[test]
fn the_byline_completes_a_structured_list_of_one() {
    let ld = r#"<script type="application/ld+json">{"@type":"NewsArticle","author":{"@type":"Person","name":"Rudolf Fischer"}}</script>"#;
    let got = authors(
        ld,
        &format!(
            r#"<article><h1>Night buses stay</h1><p class="byline">von Rudolf Fischer, Simon Kohler</p>{PROSE}</article>"#
        ),
    );
    assert_eq!(got, ["Rudolf Fischer", "Simon Kohler"]);
    // Initials that sign the same person add nobody.
    let got = authors(
        ld,
        &format!(
            r#"<article><h1>Night buses stay</h1><p class="byline">Rudolf Fischer, RF</p>{PROSE}</article>"#
        ),
    );
    assert_eq!(got, ["Rudolf Fischer"]);
}

#[test]
fn marked_authors_in_a_dropped_footer_or_aside() {
    // The post's own footer ("Posted by") and a meta column in an aside are dropped with the
    // furniture, but a rel=author link or an itemprop=author element there names the writer.
    let got = authors(
        "",
        &format!(
            r#"<article><h1>Night buses stay</h1>{PROSE}<footer class="post-footer">Posted by <span class="vcard"><a rel="author" href="/?p=author&amp;id=3"><span>Greta W. Lindqvist</span></a></span></footer></article>"#
        ),
    );
    assert_eq!(got, ["Greta W. Lindqvist"]);
    let got = authors(
        "",
        &format!(
            r#"<article><h1>Night buses stay</h1>{PROSE}</article><aside class="meta"><address itemprop="author"><span itemprop="name">Oskar Brandt</span></address></aside>"#
        ),
    );
    assert_eq!(got, ["Oskar Brandt"]);
    // A visible byline still wins over the footer's.
    let got = authors(
        "",
        &format!(
            r#"<article><h1>Night buses stay</h1><p class="byline">By Ann Lee</p>{PROSE}<footer><a rel="author" href="/x">Oskar Brandt</a></footer></article>"#
        ),
    );
    assert_eq!(got, ["Ann Lee"]);
}

#[test]
fn by_lines_with_longer_openers_credits_and_notes() {
    for (line, want) in [
        (
            "<p><em>Text von Lena Vogt &nbsp; Illustration von Timo Rask</em></p>",
            &["Lena Vogt"][..],
        ),
        ("<p>Erstellt von Jonas Brenner</p>", &["Jonas Brenner"]),
        ("<p>Blog Beitrag von Mira Sommer</p>", &["Mira Sommer"]),
        (
            "<p>Autoren Jelka Dorn und Ute Kramer</p>",
            &["Jelka Dorn", "Ute Kramer"],
        ),
        ("<p>Posted by Konstantin @ 12:00 am</p>", &["Konstantin"]),
    ] {
        let got = in_story(line);
        assert_eq!(got, want, "{line}");
    }
    // A role in parentheses after the name is no part of it.
    let got = authors(
        r#"<meta name="author" content="Eva Lind (Pressesprecherin des Verbands)">"#,
        PROSE,
    );
    assert_eq!(got, ["Eva Lind"]);
}

#[test]
fn handles_behind_labels_and_handles_naming_the_site() {
    // The label and the date around a handle in a byline box.
    let got = authors(
        "",
        &format!(
            r#"<article><h1>Night buses stay</h1>{PROSE}<div class="left author">Author: <a href="index.php?site=profile&amp;id=58"><b>Kr4ken</b></a> am 29.12.2010, 13:36 Uhr</div></article>"#
        ),
    );
    assert_eq!(got, ["Kr4ken"]);
    // A blog named after its writer's handle: the handle is the site's name, and so the author
    // when nothing else names one.
    let got = authors_at(
        "https://schnipsel.example/2020/01/05/night-buses/",
        r#"<meta property="og:site_name" content="schnipsel ad libitum">"#,
        &format!(
            r#"<article><h1>Night buses stay</h1><small class="post-meta">Autor: <a href="/author/schnipsel/" rel="author">schnipsel</a></small>{PROSE}</article>"#
        ),
        "",
    );
    assert_eq!(got, ["schnipsel"]);
}

#[test]
fn the_site_name_with_its_article_is_still_the_site() {
    // "Die Rundschau" on rundschau.example is the publication, so the linked writer is read.
    let got = authors_at(
        "https://www.rundschau.example/kultur/night-buses",
        r#"<meta name="author" content="Die RUNDSCHAU">"#,
        &format!(
            r#"<article><h1>Night buses stay</h1><a class="author__link" rel="author" href="/autor/ursula-berg-12"><h2>Ursula Berg</h2></a>{PROSE}</article>"#
        ),
        "",
    );
    assert_eq!(got, ["Ursula Berg"]);
}

#[test]
fn a_person_linked_in_a_sentence_is_no_byline() {
    let got = authors(
        "",
        &format!(
            r#"<article><h1>Night buses stay</h1>{PROSE}<p>Mayor <a href="/topics/people/ann-lee.html">Ann Lee</a> has been eager to keep the service, but the council's budget committee asked for a cheaper plan first.</p></article>"#
        ),
    );
    assert!(got.is_empty(), "{got:?}");
    // A short line that is only the link still is.
    let got = authors(
        "",
        &format!(
            r#"<article><h1>Night buses stay</h1><p><a href="/people/ann-lee.html">Ann Lee</a></p>{PROSE}</article>"#
        ),
    );
    assert_eq!(got, ["Ann Lee"]);
}

#[test]
fn commenters_microdata_is_not_the_story_author() {
    let comments = r#"<ol class="comment-list"><li class="comment"><cite class="comment-author" itemprop="author" itemscope>Lilian</cite><p>Thanks for the tip!</p></li></ol>"#;
    let got = authors(
        "",
        &format!(
            r#"<article><h1>Night buses stay</h1><p class="byline">By Carla Nunes</p>{PROSE}</article>{comments}"#
        ),
    );
    assert_eq!(got, ["Carla Nunes"]);
    // A footer box's microdata author is the writer when nothing else names one.
    let got = authors(
        "",
        &format!(
            r#"<article><h1>Night buses stay</h1>{PROSE}<div class="article-footer-box"><p>Text: <span itemprop="author">Joachim Brenner</span></p></div></article>"#
        ),
    );
    assert_eq!(got, ["Joachim Brenner"]);
}

#[test]
fn an_outlet_or_a_place_after_the_name_and_agencies_named_by_role_words() {
    let got = authors(
        r#"<meta name="author" content="Vera Tannberg, Futurism">"#,
        PROSE,
    );
    assert_eq!(got, ["Vera Tannberg"]);
    // Several people with a place between them: the people.
    let got = authors(
        r#"<meta name="author" content="Markus M. Haller, London, Beat Imhof">"#,
        PROSE,
    );
    assert_eq!(got, ["Markus M. Haller", "Beat Imhof"]);
    // An agency is the author when no person is named, though its name is made of role words.
    let got = authors(
        "",
        &format!(
            r#"<article><h1>Night buses stay</h1><p class="byline">Associated Press</p>{PROSE}</article>"#
        ),
    );
    assert_eq!(got, ["Associated Press"]);
}

#[test]
fn title_cased_bylines_split_and_lose_the_outlet() {
    let got = authors(
        r#"<script type="application/ld+json">{"@type":"NewsArticle","author":{"@type":"Person","name":"By Glenn Oxley And Brenda Carr For The Sunday Courier"}}</script>"#,
        PROSE,
    );
    assert_eq!(got, ["Glenn Oxley", "Brenda Carr"]);
}

#[test]
fn genre_openers_and_a_first_name_completed_by_the_byline() {
    each_in_story(&[
        ("<p>Eine Kolumne von Jonas Albrecht</p>", "Jonas Albrecht"),
        ("<p>A column by Ruth Okafor</p>", "Ruth Okafor"),
        ("<p>Reportage de Claire Dumont</p>", "Claire Dumont"),
    ]);
    // A reader's comment is labelled the same way, and is no byline.
    let got = authors(
        "",
        &format!(
            "<article><h1>Night buses stay</h1>{PROSE}<p><cite>Kommentar von Ida Roth</cite></p></article>"
        ),
    );
    assert!(got.is_empty(), "{got:?}");
    // The meta author gives the first name only; the byline in the text gives the full name.
    let got = authors(
        r#"<meta name="author" content="Jonas">"#,
        &format!(
            "<article><h1>Night buses stay</h1>{PROSE}<p><strong>Eine Kolumne von Jonas Albrecht</strong></p></article>"
        ),
    );
    assert_eq!(got, ["Jonas Albrecht"]);
}

#[test]
fn places_after_the_outlet_are_no_authors() {
    let got = authors(
        r#"<meta name="author" content="nachrichten.de, Frankfurt, Germany">"#,
        PROSE,
    );
    assert!(got.is_empty(), "{got:?}");
}

#[test]
fn a_glued_author_name_class() {
    let got = authors(
        "",
        &format!(
            r#"<article><h1>Night buses stay</h1><div><span><span class="authorname-txt"><span class="truncate">Hanna Fairley</span></span></span></div>{PROSE}</article>"#
        ),
    );
    assert_eq!(got, ["Hanna Fairley"]);
}

#[test]
fn a_personal_sites_owner_from_its_copyright_notice() {
    for notice in [
        "<footer><p>Copyright (c) 2012- Gerald Sommer. All rights reserved. Design by Someone</p></footer>",
        "<p>&copy; 2019 Gerald Sommer</p>",
        r#"<div class="copyrights-text">(c) Gerald Sommer &bull; Weitere Rechte siehe Impressum</div>"#,
    ] {
        let got = authors(
            "",
            &format!("<article><h1>Night buses stay</h1>{PROSE}</article>{notice}"),
        );
        assert_eq!(got, ["Gerald Sommer"], "{notice}");
    }
    // A picture's credit, a company or a byline elsewhere: not the page's owner.
    for (notice, want) in [
        (
            r#"<figure><figcaption>Crowds <span>Bild &copy; Jonas Greger/hr</span></figcaption></figure>"#,
            &[][..],
        ),
        ("<p>&copy; 2019 Daily Planet Media Group</p>", &[]),
        (
            r#"<p class="byline">By Ann Lee</p><p>&copy; 2019 Gerald Sommer</p>"#,
            &["Ann Lee"],
        ),
    ] {
        let got = authors(
            "",
            &format!("<article><h1>Night buses stay</h1>{PROSE}{notice}</article>"),
        );
        assert_eq!(got, want, "{notice}");
    }
}

#[test]
fn a_platform_credit_is_no_byline() {
    let got = authors(
        "",
        &format!(
            r#"<article><h1>Night buses stay</h1>{PROSE}</article><div id="footer"><p>Blog di <a href="https://wordpress.com/">WordPress.com.</a> WP Designer.</p></div>"#
        ),
    );
    assert!(got.is_empty(), "{got:?}");
}

#[test]
fn bylines_that_open_with_their_date() {
    for line in [
        r#"<div class="page-meta--author">Posted on September 21, 2020 by Adina Zell</div>"#,
        "<p>21.09.2020 von Adina Zell</p>",
    ] {
        let got = in_story(line);
        assert_eq!(got, ["Adina Zell"], "{line}");
    }
    // A sentence with a year and a "by" is no byline.
    let got = authors(
        "",
        &format!(
            "<article><h1>Night buses stay</h1><p>It was released in 2019 by Sony Music.</p>{PROSE}</article>"
        ),
    );
    assert!(got.is_empty(), "{got:?}");
}

#[test]
fn an_outlet_named_with_the_beside_a_person() {
    let got = authors(
        r#"<meta name="author" content="Spencer J. Holm, The Evening Ledger">"#,
        PROSE,
    );
    assert_eq!(got, ["Spencer J. Holm"]);
}

#[test]
fn the_pages_section_is_no_author() {
    let body = format!(
        r#"<article><h1>Night buses stay</h1><div class="author"><a href="/actualidad/internacional"><span class="assigned-section">Internacional</span></a></div>{PROSE}</article>"#
    );
    let got = authors_at(
        "https://diario.example/actualidad/internacional/night-buses",
        r#"<script type="application/ld+json">{"@type":"NewsArticle","author":{"@type":"Person","name":"AP"}}</script>"#,
        &body,
        "",
    );
    assert_eq!(got, ["AP"]);
    // On a blog platform the folder is the blogger's.
    let got = authors_at(
        "https://blogs.example/elba/blog/260619/night-buses",
        r#"<meta name="author" content="platformteam">"#,
        &format!(
            r#"<article><h1>Night buses stay</h1><div class="author"><a href="/elba">Elba</a></div>{PROSE}</article>"#
        ),
        "",
    );
    assert_eq!(got, ["Elba"]);
}

#[test]
fn family_names_joined_by_e_or_y_and_designer_credits() {
    let got = authors(
        r#"<meta name="author" content="José Volta e Pinto">"#,
        PROSE,
    );
    assert_eq!(got, ["José Volta e Pinto"]);
    let got = authors(
        r#"<meta name="author" content="Ana Lima e Rui Costa">"#,
        PROSE,
    );
    assert_eq!(got, ["Ana Lima", "Rui Costa"]);
    let got = authors(
        r#"<meta name="dc.creator" content="Developed By Hiba Mansour">"#,
        PROSE,
    );
    assert!(got.is_empty(), "{got:?}");
}
