//! Renders a [`RevisionDiff`] for people: plain text in `git --word-diff` style, ANSI colours
//! for a terminal, and an HTML fragment for the web pages.
//!
//! The texts come from remote pages, so every renderer neutralises them: control characters
//! (terminal escape sequences included) are dropped from plain and ANSI output, and HTML output
//! escapes every character that could open markup. Whitespace at the edges of an inserted or
//! deleted run is written outside its markers, as git does, so `[-cat-]{+dog+}` reads as a word.

use std::fmt::Write;

use crate::{FieldChange, Op, RevisionDiff};

const NONE: &str = "(none)";

/// Drops control characters other than newline and tab: an ESC from a page must not reach the
/// terminal, and a carriage return must not overwrite a line.
fn clean(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        s.chars()
            .filter(|&c| !c.is_control() || c == '\n' || c == '\t')
            .collect::<String>()
            .into()
    } else {
        s.into()
    }
}

/// A field value on one line: its own line breaks would break the "field: old → new" layout.
fn field_value(v: &Option<String>) -> String {
    match v {
        Some(v) => clean(v).split_whitespace().collect::<Vec<_>>().join(" "),
        None => NONE.to_owned(),
    }
}

/// (leading whitespace, the rest, trailing whitespace).
fn split_ws(s: &str) -> (&str, &str, &str) {
    let core_start = s.len() - s.trim_start().len();
    let core_end = s.trim_end().len().max(core_start);
    (&s[..core_start], &s[core_start..core_end], &s[core_end..])
}

/// `title: Old headline → New headline` lines, then a blank line, then the body with
/// `[-deleted-]` and `{+inserted+}` marks.
pub fn render_plain(d: &RevisionDiff) -> String {
    let mut out = String::new();
    for f in &d.fields {
        let _ = writeln!(
            out,
            "{}: {} → {}",
            f.field,
            field_value(&f.old),
            field_value(&f.new)
        );
    }
    if !d.fields.is_empty() && !d.body.is_empty() {
        out.push('\n');
    }
    for op in &d.body {
        let (text, open, close) = match op {
            Op::Equal(t) => {
                out.push_str(&clean(t));
                continue;
            }
            Op::Delete(t) => (t, "[-", "-]"),
            Op::Insert(t) => (t, "{+", "+}"),
        };
        let (lead, core, trail) = split_ws(text);
        out.push_str(lead);
        out.push_str(open);
        out.push_str(&clean(core));
        out.push_str(close);
        out.push_str(trail);
    }
    out
}

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// Writes `text` in `colour`, resetting before each line break so a pager or a narrow terminal
/// never carries the colour into the next line's margin.
fn coloured(out: &mut String, colour: &str, text: &str) {
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let (lead, core, trail) = split_ws(line);
        out.push_str(lead);
        if !core.is_empty() {
            out.push_str(colour);
            out.push_str(core);
            out.push_str(RESET);
        }
        out.push_str(trail);
    }
}

/// Like [`render_plain`] but deletions in red and insertions in green, without the markers
/// (as `git diff --word-diff=color`).
pub fn render_ansi(d: &RevisionDiff) -> String {
    let mut out = String::new();
    for f in &d.fields {
        let _ = write!(out, "{BOLD}{}{RESET}: ", f.field);
        coloured(&mut out, RED, &field_value(&f.old));
        out.push_str(" → ");
        coloured(&mut out, GREEN, &field_value(&f.new));
        out.push('\n');
    }
    if !d.fields.is_empty() && !d.body.is_empty() {
        out.push('\n');
    }
    for op in &d.body {
        match op {
            Op::Equal(t) => out.push_str(&clean(t)),
            Op::Delete(t) => coloured(&mut out, RED, &clean(t)),
            Op::Insert(t) => coloured(&mut out, GREEN, &clean(t)),
        }
    }
    out
}

fn escape(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("<br>"),
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
}

/// Splits at paragraph breaks: whitespace runs holding two or more line breaks.
fn paragraphs(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut piece_start = 0;
    let mut run: Option<(usize, usize)> = None; // (start of whitespace run, newlines in it)
    for (i, c) in s.char_indices() {
        if c.is_whitespace() {
            let (start, nl) = run.unwrap_or((i, 0));
            run = Some((start, nl + usize::from(c == '\n')));
        } else {
            if let Some((start, nl)) = run.take()
                && nl >= 2
            {
                out.push(&s[piece_start..start]);
                piece_start = i;
            }
        }
    }
    match run {
        Some((start, nl)) if nl >= 2 => {
            out.push(&s[piece_start..start]);
            out.push("");
        }
        _ => out.push(&s[piece_start..]),
    }
    out
}

fn field_html(out: &mut String, tag: &str, v: &Option<String>) {
    match v {
        Some(v) => {
            let _ = write!(out, "<{tag}>");
            escape(
                out,
                &clean(v).split_whitespace().collect::<Vec<_>>().join(" "),
            );
            let _ = write!(out, "</{tag}>");
        }
        None => out.push_str("<span class=\"none\">(none)</span>"),
    }
}

fn fields_html(out: &mut String, fields: &[FieldChange]) {
    if fields.is_empty() {
        return;
    }
    out.push_str("<ul class=\"fields\">\n");
    for f in fields {
        let _ = write!(out, "<li><span class=\"field\">{}</span>: ", f.field);
        field_html(out, "del", &f.old);
        out.push_str(" → ");
        field_html(out, "ins", &f.new);
        out.push_str("</li>\n");
    }
    out.push_str("</ul>\n");
}

/// An HTML fragment: a list of field changes, then the body in `<p>` paragraphs with
/// `<del>` and `<ins>` marks. Classes (`newspipe-diff`, `fields`, `field`, `body`, `none`) are for
/// the page's stylesheet; `dir="auto"` lets right-to-left bodies read right to left.
pub fn render_html(d: &RevisionDiff) -> String {
    let mut out = String::from("<div class=\"newspipe-diff\">\n");
    fields_html(&mut out, &d.fields);
    out.push_str("<div class=\"body\" dir=\"auto\">\n");
    let mut open = false;
    for op in &d.body {
        let (text, tag) = match op {
            Op::Equal(t) => (t, None),
            Op::Delete(t) => (t, Some("del")),
            Op::Insert(t) => (t, Some("ins")),
        };
        for (i, piece) in paragraphs(text).into_iter().enumerate() {
            if i > 0 && open {
                out.push_str("</p>\n");
                open = false;
            }
            if piece.trim().is_empty() {
                if open {
                    escape(&mut out, piece);
                }
                continue;
            }
            if !open {
                out.push_str("<p>");
                open = true;
            }
            let (lead, core, trail) = split_ws(piece);
            escape(&mut out, lead);
            match tag {
                Some(tag) => {
                    let _ = write!(out, "<{tag}>");
                    escape(&mut out, core);
                    let _ = write!(out, "</{tag}>");
                }
                None => escape(&mut out, core),
            }
            escape(&mut out, trail);
        }
    }
    if open {
        out.push_str("</p>\n");
    }
    out.push_str("</div>\n</div>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraph_split() {
        assert_eq!(paragraphs("a\n\nb"), ["a", "b"]);
        assert_eq!(paragraphs("a\nb"), ["a\nb"]);
        assert_eq!(paragraphs("\n\nb c\n \nd\n\n"), ["", "b c", "d", ""]);
        assert_eq!(paragraphs(""), [""]);
    }

    #[test]
    fn whitespace_edges() {
        assert_eq!(split_ws(" a b\n"), (" ", "a b", "\n"));
        assert_eq!(split_ws("  "), ("  ", "", ""));
    }
}
