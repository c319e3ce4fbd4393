//! Behaviour of the public API: the word-level body diff, field changes, minor detection,
//! the renderers (escaping included) and the bounds on large bodies.

mod common;

use newspipe_diff::{
    FieldChange, MINOR_DATE_STAMP, MINOR_UNCHANGED, MINOR_WHITESPACE, Op, Revision, diff, is_minor,
    render_ansi, render_html, render_plain, word_stats,
};

fn rev(body: &str) -> Revision<'_> {
    Revision {
        body,
        ..Revision::default()
    }
}

fn body_diff(old: &str, new: &str) -> Vec<Op> {
    diff(&rev(old), &rev(new)).body
}

fn eq(s: &str) -> Op {
    Op::Equal(s.into())
}
fn ins(s: &str) -> Op {
    Op::Insert(s.into())
}
fn del(s: &str) -> Op {
    Op::Delete(s.into())
}

/// `Equal` + `Insert` runs rebuild the new body exactly; `Equal` + `Delete` runs hold every
/// visible character of the old body in order (whitespace and the invisible soft hyphen,
/// zero-width space, word joiner and BOM are not compared, so they may come from the new body).
fn check_rebuilds(old: &str, new: &str, ops: &[Op]) {
    let mut n = String::new();
    let mut o = String::new();
    for op in ops {
        match op {
            Op::Equal(t) => {
                n.push_str(t);
                o.push_str(t);
            }
            Op::Insert(t) => n.push_str(t),
            Op::Delete(t) => o.push_str(t),
        }
    }
    assert_eq!(n, new, "Equal + Insert must rebuild the new body");
    let squeeze = |s: &str| {
        s.chars()
            .filter(|c| {
                !c.is_whitespace() && !matches!(c, '\u{ad}' | '\u{200b}' | '\u{2060}' | '\u{feff}')
            })
            .collect::<String>()
    };
    assert_eq!(
        squeeze(&o),
        squeeze(old),
        "Equal + Delete must hold the old words"
    );
}

#[test]
fn one_word_edit_in_a_2000_word_body() {
    let mut words = common::body_words(2000, 7);
    let old = words.concat();
    let target = 1234;
    let replaced = words[target]
        .trim_end_matches([' ', ',', '.', '\n'])
        .to_owned();
    words[target] = words[target].replacen(&replaced, "zebra", 1);
    let new = words.concat();

    let d = diff(&rev(&old), &rev(&new));
    let changed: Vec<&Op> = d
        .body
        .iter()
        .filter(|op| !matches!(op, Op::Equal(_)))
        .collect();
    assert_eq!(changed, [&del(&replaced), &ins("zebra")]);
    assert_eq!(d.body.len(), 4, "Equal, Delete, Insert, Equal");
    assert!(matches!(d.body[0], Op::Equal(_)) && matches!(d.body[3], Op::Equal(_)));
    assert_eq!((d.words_added, d.words_removed), (1, 1));
    assert_eq!(word_stats(&old, &new), (1, 1));
    assert!(!d.minor);
    assert_eq!(d.minor_reason, None);
    check_rebuilds(&old, &new, &d.body);
}

#[test]
fn insertions_and_deletions_keep_words_apart() {
    assert_eq!(
        body_diff("the cat sat", "the dog sat"),
        [eq("the "), del("cat"), ins("dog"), eq(" sat")]
    );
    assert_eq!(
        body_diff("the big cat", "the cat"),
        [eq("the"), del(" big"), eq(" cat")]
    );
    assert_eq!(body_diff("big cat", "cat"), [del("big "), eq("cat")]);
    assert_eq!(
        body_diff("the cat", "the big cat"),
        [eq("the "), ins("big"), eq(" cat")]
    );
    let plain = |o, n| render_plain(&diff(&rev(o), &rev(n)));
    assert_eq!(
        plain("the cat sat", "the dog sat"),
        "the [-cat-]{+dog+} sat"
    );
    assert_eq!(plain("the big cat", "the cat"), "the [-big-] cat");
    assert_eq!(plain("big cat", "cat"), "[-big-] cat");
    assert_eq!(plain("the cat", "the big cat"), "the {+big+} cat");
}

#[test]
fn punctuation_is_its_own_token_inside_words_it_stays() {
    assert_eq!(
        body_diff("He said. Then left", "He said, then left"),
        [eq("He said"), del(". Then"), ins(", then"), eq(" left")]
    );
    let d = diff(
        &rev("“Don't go,” she said."),
        &rev("“Don't stay,” she said."),
    );
    assert_eq!(
        d.body,
        [eq("“Don't "), del("go"), ins("stay"), eq(",” she said.")]
    );
    let d = diff(
        &rev("It cost $1,000.50 today."),
        &rev("It cost $1,200.50 today!"),
    );
    assert_eq!(
        d.body,
        [
            eq("It cost $"),
            del("1,000.50"),
            ins("1,200.50"),
            eq(" today"),
            del("."),
            ins("!")
        ]
    );
    assert_eq!(
        (d.words_added, d.words_removed),
        (1, 1),
        "punctuation is not a word"
    );
}

#[test]
fn unicode_cjk_accents_rtl() {
    let d = diff(&rev("我喜欢猫。今天很好。"), &rev("我喜欢狗。今天很好。"));
    assert_eq!(
        d.body,
        [eq("我喜欢"), del("猫"), ins("狗"), eq("。今天很好。")]
    );
    assert_eq!((d.words_added, d.words_removed), (1, 1));

    assert_eq!(
        body_diff("Le café est fermé.", "Le café est ouvert."),
        [eq("Le café est "), del("fermé"), ins("ouvert"), eq(".")]
    );
    // A combining accent is part of its word, not a change of its own.
    assert_eq!(
        body_diff("une ide\u{301}e neuve", "une ide\u{301}e vieille"),
        [eq("une ide\u{301}e "), del("neuve"), ins("vieille")]
    );
    assert_eq!(
        body_diff("שלום עולם יפה", "שלום עולם גדול"),
        [eq("שלום עולם "), del("יפה"), ins("גדול")]
    );
    let d = diff(&rev("السلام عليكم جميعا"), &rev("السلام عليكم يا أصدقاء"));
    assert_eq!(d.body, [eq("السلام عليكم "), del("جميعا"), ins("يا أصدقاء")]);
    assert!(render_html(&d).contains("dir=\"auto\""));
}

#[test]
fn paragraph_breaks_survive_rendering() {
    let old = "First paragraph stays.\n\nSecond one is old.\n\nThird stays too.";
    let new = "First paragraph stays.\n\nSecond one is new.\n\nThird stays too.";
    let d = diff(&rev(old), &rev(new));
    assert_eq!(
        render_plain(&d),
        "First paragraph stays.\n\nSecond one is [-old-]{+new+}.\n\nThird stays too."
    );
    assert_eq!(
        render_html(&d),
        "<div class=\"newspipe-diff\">\n<div class=\"body\" dir=\"auto\">\n\
         <p>First paragraph stays.</p>\n\
         <p>Second one is <del>old</del><ins>new</ins>.</p>\n\
         <p>Third stays too.</p>\n</div>\n</div>\n"
    );

    // A deleted paragraph and an added one: each its own paragraph on the page.
    let d = diff(
        &rev("Alpha one.\n\nBeta two.\n\nGamma three."),
        &rev("Alpha one.\n\nGamma three.\n\nDelta four."),
    );
    assert_eq!(
        render_plain(&d),
        "Alpha one.\n\n[-Beta two.-]\n\nGamma three.\n\n{+Delta four.+}"
    );
    let html = render_html(&d);
    assert!(
        html.contains("<p>Alpha one.</p>\n<p><del>Beta two.</del></p>\n<p>Gamma three.</p>\n<p><ins>Delta four.</ins></p>"),
        "{html}"
    );
    // A line break inside a paragraph is a <br>.
    let html = render_html(&diff(&rev("a\nb"), &rev("a\nc")));
    assert!(
        html.contains("<p>a<br><del>b</del><ins>c</ins></p>"),
        "{html}"
    );
    let html = render_html(&diff(&rev("one a\nb two"), &rev("one x\ny two\n")));
    assert!(
        html.contains("<p>one <del>a<br>b</del><ins>x<br>y</ins> two<br></p>"),
        "{html}"
    );
}

#[test]
fn whitespace_only_changes_are_minor() {
    let old = "One two three.\n\nFour five.";
    for new in [
        "One  two three.\n\nFour five.",
        "One two\nthree.\n\n\nFour five.\n",
        "One two three. Four five.",
        "One\u{a0}two three.\n\nFour\u{200b} five.",
        "One two three.\n\nFour fi\u{ad}ve.",
    ] {
        assert_eq!(
            is_minor(&rev(old), &rev(new)),
            Some(MINOR_WHITESPACE),
            "{new:?}"
        );
        let d = diff(&rev(old), &rev(new));
        assert_eq!((d.words_added, d.words_removed), (0, 0));
        assert!(
            d.body.iter().all(|op| matches!(op, Op::Equal(_))),
            "{new:?}"
        );
        assert_eq!(d.minor_reason, Some(MINOR_WHITESPACE));
    }
    assert_eq!(is_minor(&rev(old), &rev(old)), Some(MINOR_UNCHANGED));
    let spaced_title = Revision {
        title: Some("A  headline "),
        ..rev(old)
    };
    let title = Revision {
        title: Some("A headline"),
        ..rev(old)
    };
    assert_eq!(is_minor(&spaced_title, &title), Some(MINOR_WHITESPACE));
    assert!(diff(&spaced_title, &title).fields.is_empty());
}

const STORY: &str = "Storm hits the coast\n\nBy Jane Doe\n\n{stamp}\n\n\
    The storm reached the coast on Monday night, officials said, and thousands lost power.\n\n\
    Crews worked through the night.";

fn story(stamp: &str) -> String {
    STORY.replace("{stamp}", stamp)
}

#[test]
fn printed_date_stamps_are_minor() {
    let cases = [
        ("Updated 3:45 pm", "Updated 4:10 pm"),
        ("Updated 3:45 p.m. ET", "Updated 11:02 a.m. ET"),
        ("Published 1 hour ago", "Published 2 hours ago"),
        ("45 minutes ago", "an hour ago"),
        ("2h ago", "just now"),
        ("Dec. 1, 2026", "Dec. 2, 2026"),
        (
            "December 1, 2026",
            "Tuesday, December 1, 2026 at 3:45 PM EST",
        ),
        ("12/01/2026", "12/02/2026"),
        ("2026-12-01", "2026-12-01 14:05"),
        (
            "Last updated: 2026-12-01T10:00:00Z",
            "Last updated: 2026-12-01T12:30:00Z",
        ),
        ("1 December 2026 | 09:14 GMT", "2 December 2026 | 10:20 GMT"),
        ("", "Updated Dec. 1, 2026 at 5 p.m. ET"),
        ("Yesterday at 3:45 pm", "Today at 9:10 am"),
        ("Monday 18:05", "Tuesday 07:30"),
    ];
    for (a, b) in cases {
        let (old, new) = (story(a), story(b));
        assert_eq!(
            is_minor(&rev(&old), &rev(&new)),
            Some(MINOR_DATE_STAMP),
            "{a:?} → {b:?}"
        );
        let d = diff(&rev(&old), &rev(&new));
        assert!(d.minor, "{a:?} → {b:?}");
        assert!(d.words_added + d.words_removed > 0);
    }
    // A stamp inside a sentence of prose, and whitespace alongside the stamp.
    let old = "Storm hits the coast, updated 3:45 pm, as crews race to restore power to homes.";
    let new = "Storm hits the coast, updated 5:15 pm, as crews race to  restore power to homes.";
    assert_eq!(is_minor(&rev(old), &rev(new)), Some(MINOR_DATE_STAMP));
    // Only the modification date moved.
    let (a, b) = (
        Revision {
            modified_at: Some("2026-12-01T10:00:00Z"),
            ..rev(STORY)
        },
        Revision {
            modified_at: Some("2026-12-01T11:00:00Z"),
            ..rev(STORY)
        },
    );
    assert_eq!(is_minor(&a, &b), Some(MINOR_DATE_STAMP));
    assert_eq!(diff(&a, &b).fields.len(), 1);
}

#[test]
fn real_changes_are_not_minor() {
    let base = story("Updated 3:45 pm");
    let real = [
        // a word
        base.replace("thousands", "hundreds"),
        // a word and the stamp
        base.replace("thousands", "hundreds")
            .replace("3:45", "4:10"),
        // the stamp word itself: a correction is news
        base.replace("Updated 3:45 pm", "Corrected 3:45 pm"),
        // a number next to a date is not part of it
        base.replace("Monday night", "Monday night, killing 12 on Dec. 1"),
        // punctuation
        base.replace("night.", "night!"),
    ];
    for new in &real {
        assert_eq!(is_minor(&rev(&base), &rev(new)), None, "{new}");
        assert!(!diff(&rev(&base), &rev(new)).minor);
    }
    // A date in a running sentence is a fact, not a stamp.
    let old = "The vote, first set for Dec. 1, moved to Dec. 8.";
    let new = "The vote, first set for Dec. 1, moved to Dec. 15.";
    assert_eq!(is_minor(&rev(old), &rev(new)), None);
    let old = "The meeting starts at 3 pm on Tuesday, the mayor said in a statement.";
    let new = "The meeting starts at 5 pm on Tuesday, the mayor said in a statement.";
    assert_eq!(is_minor(&rev(old), &rev(new)), None);

    let body = story("Dec. 1, 2026");
    let with = |r: Revision<'static>| Revision { body: &body, ..r };
    let authors_a = ["Jane Doe".to_owned()];
    let authors_b = ["Jane Doe".to_owned(), "John Roe".to_owned()];
    let pairs = [
        (
            with(Revision {
                title: Some("Storm hits"),
                ..Revision::default()
            }),
            with(Revision {
                title: Some("Storm hits coast"),
                ..Revision::default()
            }),
        ),
        (
            with(Revision {
                published_at: Some("2026-12-01T10:00:00Z"),
                ..Revision::default()
            }),
            with(Revision {
                published_at: Some("2026-11-30T10:00:00Z"),
                ..Revision::default()
            }),
        ),
        (
            with(Revision {
                section: None,
                ..Revision::default()
            }),
            with(Revision {
                section: Some("World"),
                ..Revision::default()
            }),
        ),
        (
            with(Revision {
                lead_image_url: Some("https://x.test/a.jpg"),
                ..Revision::default()
            }),
            with(Revision {
                lead_image_url: Some("https://x.test/b.jpg"),
                ..Revision::default()
            }),
        ),
    ];
    for (a, b) in &pairs {
        assert_eq!(is_minor(a, b), None, "{a:?} → {b:?}");
    }
    let a = Revision {
        authors: &authors_a,
        body: &body,
        ..Revision::default()
    };
    let b = Revision {
        authors: &authors_b,
        body: &body,
        ..Revision::default()
    };
    assert_eq!(is_minor(&a, &b), None);
}

#[test]
fn fields_compared_and_unchanged_ones_left_out() {
    let authors_old = ["Jane Doe".to_owned(), "John Roe".to_owned()];
    let authors_same = [
        " Jane  Doe".to_owned(),
        "John Roe".to_owned(),
        "  ".to_owned(),
    ];
    let authors_swapped = ["John Roe".to_owned(), "Jane Doe".to_owned()];
    let old = Revision {
        title: Some("Storm hits"),
        authors: &authors_old,
        published_at: Some("2026-12-01T10:00:00Z"),
        modified_at: None,
        section: Some("World"),
        lead_image_url: Some("https://x.test/a.jpg"),
        body: "Body.",
    };
    let same = Revision {
        authors: &authors_same,
        ..old
    };
    let d = diff(&old, &same);
    assert!(d.fields.is_empty(), "{:?}", d.fields);
    assert_eq!(d.minor_reason, Some(MINOR_WHITESPACE));

    let new = Revision {
        title: Some("Storm hits the coast"),
        authors: &authors_swapped,
        modified_at: Some("2026-12-01T12:00:00Z"),
        section: None,
        ..old
    };
    let d = diff(&old, &new);
    let f = |field, old: Option<&str>, new: Option<&str>| FieldChange {
        field,
        old: old.map(Into::into),
        new: new.map(Into::into),
    };
    assert_eq!(
        d.fields,
        [
            f("title", Some("Storm hits"), Some("Storm hits the coast")),
            f(
                "authors",
                Some("Jane Doe, John Roe"),
                Some("John Roe, Jane Doe")
            ),
            f("modified_at", None, Some("2026-12-01T12:00:00Z")),
            f("section", Some("World"), None),
        ]
    );
    assert_eq!(
        render_plain(&d),
        "title: Storm hits → Storm hits the coast\n\
         authors: Jane Doe, John Roe → John Roe, Jane Doe\n\
         modified_at: (none) → 2026-12-01T12:00:00Z\n\
         section: World → (none)\n\nBody."
    );
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(
        json["fields"][0],
        serde_json::json!({"field": "title", "old": "Storm hits", "new": "Storm hits the coast"})
    );
    assert_eq!(
        json["body"],
        serde_json::json!([{"op": "equal", "text": "Body."}])
    );
    assert_eq!(json["minor"], serde_json::json!(false));
    assert_eq!(json["minor_reason"], serde_json::Value::Null);
    assert_eq!(json["words_added"], serde_json::json!(0));
}

#[test]
fn html_escapes_every_text() {
    const ATTACKS: &[&str] = &[
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(2)>",
        "'><svg onload=alert(3)>",
        "</p></div><iframe src=javascript:alert(4)>",
        "&lt;b&gt;",
    ];
    for attack in ATTACKS {
        let old_body = format!("Safe start {attack} old words.\n\nKept {attack} paragraph.");
        let new_body =
            format!("Safe start new {attack} words.\n\nKept {attack} paragraph.\n\n{attack}");
        let authors = [attack.to_string()];
        let old = Revision {
            title: Some(attack),
            body: &old_body,
            ..Revision::default()
        };
        let new = Revision {
            title: Some("plain"),
            authors: &authors,
            section: Some(attack),
            body: &new_body,
            ..Revision::default()
        };
        let d = diff(&old, &new);
        let html = render_html(&d);
        for bad in [
            "<script", "<img", "<svg", "<iframe", "</div><", "=\"x", "'>",
        ] {
            assert!(!html.contains(bad), "{bad} leaked from {attack}: {html}");
        }
        assert!(!html.contains("&lt;b&gt;") || html.contains("&amp;lt;b&amp;gt;"));
        // Every opened tag is one of ours.
        for tag in html.split('<').skip(1) {
            let name: String = tag
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '/')
                .collect();
            assert!(
                [
                    "div", "/div", "ul", "/ul", "li", "/li", "span", "/span", "p", "/p", "del",
                    "/del", "ins", "/ins", "br"
                ]
                .contains(&name.as_str()),
                "unexpected tag {name:?} in {html}"
            );
        }
    }
    let d = diff(&rev("a <b>"), &rev("a <i>"));
    assert!(render_html(&d).contains("a &lt;<del>b</del><ins>i</ins>&gt;"));
}

#[test]
fn terminal_output_drops_control_characters() {
    let old = "Clean words here.";
    let new = "Clean \x1b]0;pwned\x07\x1b[2Jwords here\r.";
    let d = diff(&rev(old), &rev(new));
    for out in [render_plain(&d), render_ansi(&d)] {
        assert!(
            !out.contains("\x1b]") && !out.contains("\x1b[2J") && !out.contains('\r'),
            "{out:?}"
        );
        assert!(!out.contains('\x07'));
    }
    let ansi = render_ansi(&diff(&rev("the cat sat"), &rev("the dog sat")));
    assert_eq!(ansi, "the \x1b[31mcat\x1b[0m\x1b[32mdog\x1b[0m sat");
    let title_old = Revision {
        title: Some("Old\n\x1b[31mtitle"),
        ..rev("")
    };
    let title_new = Revision {
        title: Some("New"),
        ..rev("")
    };
    assert_eq!(
        render_ansi(&diff(&title_old, &title_new)),
        "\x1b[1mtitle\x1b[0m: \x1b[31mOld [31mtitle\x1b[0m → \x1b[32mNew\x1b[0m\n"
    );
}

#[test]
fn empty_and_degenerate_bodies() {
    assert_eq!(body_diff("", ""), []);
    assert_eq!(body_diff("", "Hello world"), [ins("Hello world")]);
    assert_eq!(body_diff("Hello world", ""), [del("Hello world")]);
    assert_eq!(body_diff("  \n", "\n\n"), [eq("\n\n")]);
    assert_eq!(body_diff("  Hello", "\n\nHello  "), [eq("\n\nHello  ")]);
    assert_eq!(word_stats("", "one two, three"), (3, 0));
    let d = diff(&rev("Hello world"), &rev(""));
    assert_eq!(render_plain(&d), "[-Hello world-]");
    assert_eq!(is_minor(&rev(""), &rev("")), Some(MINOR_UNCHANGED));
}

#[test]
fn random_edits_rebuild_both_bodies() {
    let mut rng = common::Rng::new(42);
    for case in 0..150 {
        let words = common::body_words(50 + rng.below(400), case);
        let mut new = words.clone();
        let edits = 1 + rng.below(8);
        for _ in 0..edits {
            let at = rng.below(new.len());
            match rng.below(4) {
                0 => new[at] = format!("{} ", common::word(1000 + rng.below(50))),
                1 => {
                    new.remove(at);
                }
                2 => new.insert(at, format!("{}\n\n", common::word(rng.below(400)))),
                _ => new[at] = new[at].replace(' ', "  ").replace(".", "!"),
            }
            if new.is_empty() {
                new.push("x".into());
            }
        }
        let (old, new) = (words.concat(), new.concat());
        let d = diff(&rev(&old), &rev(&new));
        check_rebuilds(&old, &new, &d.body);
        // No edit script is longer than the edits made (each touches at most 2 words).
        assert!(
            d.words_added <= 2 * edits && d.words_removed <= 2 * edits,
            "case {case}: {d:?}"
        );
        assert_eq!(word_stats(&old, &new), (d.words_added, d.words_removed));
    }
}

#[test]
fn a_100k_word_body_with_scattered_edits() {
    let mut words = common::body_words(100_000, 3);
    let old = words.concat();
    for i in (500..100_000).step_by(5_000) {
        words[i] = "zebra ".into();
    }
    words.insert(50_000, "inserted words here ".into());
    let new = words.concat();
    let d = diff(&rev(&old), &rev(&new));
    check_rebuilds(&old, &new, &d.body);
    assert_eq!(d.words_added, 20 + 3);
    assert_eq!(d.words_removed, 20);
    assert_eq!(d.granularity, newspipe_diff::Granularity::Word);
    assert!(!d.minor);
}

#[test]
fn rewritten_text_reads_as_one_change_not_confetti() {
    // The two sentences share only "the" and a full stop.
    assert_eq!(
        body_diff(
            "Kept intro here.\n\nThe mayor resigned after the vote.",
            "Kept intro here.\n\nA storm closed the bridge."
        ),
        [
            eq("Kept intro here.\n\n"),
            del("The mayor resigned after the vote"),
            ins("A storm closed the bridge"),
            eq(".")
        ]
    );
    // A clock time changes as one piece, not digit by digit.
    assert_eq!(
        body_diff("Updated 3:45 pm", "Updated 4:10 pm"),
        [eq("Updated "), del("3:45"), ins("4:10"), eq(" pm")]
    );
}

#[test]
fn oversized_bodies_fall_back_to_paragraphs() {
    // 199 word tokens a paragraph ("P7", then "a" and "." 99 times): just past MAX_TOKENS.
    let paragraphs = newspipe_diff::MAX_TOKENS / 199 + 1;
    let para = |i: usize| format!("P{i} {}", "a. ".repeat(99));
    let old: Vec<String> = (0..paragraphs).map(para).collect();
    let mut new = old.clone();
    new[7] = "A rewritten paragraph.".into();
    let (old, new) = (old.join("\n\n"), new.join("\n\n"));
    let d = diff(&rev(&old), &rev(&new));
    assert_eq!(d.granularity, newspipe_diff::Granularity::Paragraph);
    let changed: Vec<&Op> = d
        .body
        .iter()
        .filter(|op| !matches!(op, Op::Equal(_)))
        .collect();
    assert_eq!(
        changed,
        [&del(para(7).trim_end()), &ins("A rewritten paragraph.")]
    );
    assert_eq!((d.words_added, d.words_removed), (3, 100));
    assert_eq!(d.minor_reason, None);
    check_rebuilds(&old, &new, &d.body);
    // Reflowing a paragraph is still whitespace only.
    let reflowed = old.replacen("a. a.", "a.\na.", 1);
    assert_eq!(
        is_minor(&rev(&old), &rev(&reflowed)),
        Some(MINOR_WHITESPACE)
    );

    // Past MAX_TOKENS paragraphs too: the body as one piece.
    let old = "x\n\n".repeat(newspipe_diff::MAX_TOKENS + 1);
    let new = format!("{old}y");
    let d = diff(&rev(&old), &rev(&new));
    assert_eq!(d.granularity, newspipe_diff::Granularity::Whole);
    assert_eq!(
        (d.words_added, d.words_removed),
        (newspipe_diff::MAX_TOKENS + 2, newspipe_diff::MAX_TOKENS + 1)
    );
    check_rebuilds(&old, &new, &d.body);

    let small = diff(&rev("a b"), &rev("a c"));
    assert_eq!(small.granularity, newspipe_diff::Granularity::Word);
    assert_eq!(
        serde_json::to_value(&small).unwrap()["granularity"],
        serde_json::json!("word")
    );
}

#[test]
fn arbitrary_text_never_panics_and_rebuilds() {
    const POOL: &[&str] = &[
        "a",
        "Zoë",
        "e\u{301}",
        "東",
        "京",
        "。",
        "ｶ",
        "ש",
        "ل",
        "\u{64b}",
        "👩\u{200d}💻",
        "🇫🇷",
        " ",
        "\n",
        "\n\n",
        "\r\n",
        "\t",
        "\u{a0}",
        "\u{ad}",
        "\u{200b}",
        "\u{feff}",
        "\u{1b}[31m",
        "\0",
        ".",
        ",",
        ":",
        "3",
        "45",
        "Dec.",
        "Updated",
        "ago",
        "pm",
        "<",
        "&",
        "\"",
        "'",
        "İ",
        "ß",
        "\u{2028}",
        "\u{fffd}",
        "-",
    ];
    let mut rng = common::Rng::new(9);
    for _ in 0..300 {
        let pieces: Vec<&str> = (0..1 + rng.below(120))
            .map(|_| POOL[rng.below(POOL.len())])
            .collect();
        let cut = rng.below(pieces.len());
        let tail: Vec<&str> = (0..rng.below(30))
            .map(|_| POOL[rng.below(POOL.len())])
            .collect();
        let old = pieces.concat();
        let new =
            pieces[..cut].concat() + &tail.concat() + &pieces[cut + cut.min(3) / 2..].concat();
        for (a, b) in [(&old, &new), (&new, &old), (&old, &old)] {
            let d = diff(&rev(a), &rev(b));
            check_rebuilds(a, b, &d.body);
            let _ = (
                render_plain(&d),
                render_ansi(&d),
                render_html(&d),
                is_minor(&rev(a), &rev(b)),
            );
            assert_eq!(word_stats(a, b), (d.words_added, d.words_removed));
        }
    }
}
