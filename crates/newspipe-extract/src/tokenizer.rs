//! A small HTML tokenizer: start tags (with attributes), end tags and text, in document order.
//! It follows the WHATWG tokenizer where text extraction can tell the difference (raw-text
//! elements, comments, bogus markup, quoted attributes, EOF inside a tag) and skips the rest
//! (character references are decoded later, only where text is kept). It splits the input only
//! at ASCII bytes, so every slice is valid UTF-8, and it never allocates per token.

/// One attribute as written: name and raw value (entities not decoded).
pub type Attr<'a> = (&'a str, &'a str);

/// Receives tokens.
pub trait Sink {
    fn start(&mut self, name: &str, attrs: &[Attr<'_>], self_closing: bool);
    fn end(&mut self, name: &str);
    fn text(&mut self, raw: &str);
}

/// Elements whose content is text up to the matching end tag.
pub fn raw_text(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "textarea"
            | "title"
            | "xmp"
            | "iframe"
            | "noembed"
            | "noframes"
            | "noscript"
            | "plaintext"
    )
}

/// Finds `</name` (ASCII case-insensitive) followed by a tag-ending byte, from `from`.
fn find_end_tag(b: &[u8], from: usize, name: &str) -> Option<usize> {
    let n = name.as_bytes();
    let mut i = from;
    while i < b.len() {
        let rel = memchr(b'<', &b[i..])?;
        let at = i + rel;
        let after = at + 2 + n.len();
        if b.get(at + 1) == Some(&b'/')
            && after <= b.len()
            && b[at + 2..after].eq_ignore_ascii_case(n)
            && b.get(after)
                .is_none_or(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/' | b'>'))
        {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    memchr::memchr(needle, hay)
}

fn find_sub(hay: &[u8], from: usize, pat: &[u8]) -> Option<usize> {
    if from > hay.len() {
        return None;
    }
    memchr::memmem::find(&hay[from..], pat).map(|p| from + p)
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// Tokenizes `input` into `sink`.
pub fn tokenize(input: &str, sink: &mut impl Sink) {
    let b = input.as_bytes();
    let mut attrs: Vec<Attr<'_>> = Vec::with_capacity(16);
    let mut lower = String::with_capacity(16);
    let mut i = 0;
    while i < b.len() {
        let Some(rel) = memchr(b'<', &b[i..]) else {
            sink.text(&input[i..]);
            return;
        };
        let lt = i + rel;
        if lt > i {
            sink.text(&input[i..lt]);
        }
        let next = b.get(lt + 1).copied();
        match next {
            Some(b'!') => {
                if b[lt..].starts_with(b"<!--") {
                    // Comment: to `-->` (or `--!>`); unterminated runs to the end. `--!>` is
                    // only looked for before the first `-->`, so each byte is scanned once.
                    let end = find_sub(b, lt + 4, b"-->").map_or(b.len(), |e| e + 3);
                    let bang =
                        memchr::memmem::find(&b[lt + 4..end], b"--!>").map(|e| lt + 4 + e + 4);
                    i = bang.unwrap_or(end);
                    // `<!-->` and `<!--->` close at once.
                    if b[lt..].starts_with(b"<!-->") {
                        i = lt + 5;
                    } else if b[lt..].starts_with(b"<!--->") {
                        i = lt + 6;
                    }
                } else {
                    // Doctype, CDATA and other bogus comments end at the next `>`.
                    i = memchr(b'>', &b[lt..]).map_or(b.len(), |p| lt + p + 1);
                }
            }
            Some(b'?') => i = memchr(b'>', &b[lt..]).map_or(b.len(), |p| lt + p + 1),
            Some(b'/') => {
                let start = lt + 2;
                match b.get(start) {
                    Some(c) if c.is_ascii_alphabetic() => {
                        let mut j = start;
                        while j < b.len() && !is_space(b[j]) && b[j] != b'/' && b[j] != b'>' {
                            j += 1;
                        }
                        lower.clear();
                        lower.extend(input[start..j].chars().map(|c| c.to_ascii_lowercase()));
                        let close = tag_end(b, j);
                        let Some(close) = close else {
                            return; // EOF inside a tag: the tag is dropped
                        };
                        sink.end(&lower);
                        i = close;
                    }
                    Some(b'>') => i = lt + 3,
                    Some(_) => i = memchr(b'>', &b[lt..]).map_or(b.len(), |p| lt + p + 1),
                    None => {
                        sink.text(&input[lt..]);
                        return;
                    }
                }
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let start = lt + 1;
                let mut j = start;
                while j < b.len() && !is_space(b[j]) && b[j] != b'/' && b[j] != b'>' {
                    j += 1;
                }
                lower.clear();
                lower.extend(input[start..j].chars().map(|c| c.to_ascii_lowercase()));
                attrs.clear();
                let Some((close, self_closing)) = parse_attrs(input, j, &mut attrs) else {
                    return; // EOF inside a tag
                };
                sink.start(&lower, &attrs, self_closing);
                i = close;
                // An SVG icon's `<title/>` closes itself (foreign content), and a `<title>`
                // never closed holds no page text: neither may swallow the rest of the page
                // as title text.
                if lower == "title" && (self_closing || find_end_tag(b, i, "title").is_none()) {
                    sink.end(&lower);
                    continue;
                }
                if raw_text(&lower) {
                    if lower == "plaintext" {
                        sink.text(&input[i..]);
                        return;
                    }
                    let end = find_end_tag(b, i, &lower).unwrap_or(b.len());
                    if end > i {
                        sink.text(&input[i..end]);
                    }
                    if end >= b.len() {
                        sink.end(&lower);
                        return;
                    }
                    sink.end(&lower);
                    i = tag_end(b, end + 2 + lower.len()).unwrap_or(b.len());
                }
            }
            _ => {
                // A lone `<` is text.
                sink.text(&input[lt..lt + 1]);
                i = lt + 1;
            }
        }
    }
}

/// Position just after the `>` that ends a tag whose name ended at `j` (attributes skipped).
fn tag_end(b: &[u8], mut j: usize) -> Option<usize> {
    let mut quote = 0u8;
    while j < b.len() {
        let c = b[j];
        if quote != 0 {
            if c == quote {
                quote = 0;
            }
        } else if c == b'>' {
            return Some(j + 1);
        } else if (c == b'"' || c == b'\'') && j > 0 && b[j - 1] == b'=' {
            quote = c;
        }
        j += 1;
    }
    None
}

/// Parses attributes from `j` to the closing `>`; returns the position after it and whether
/// the tag was written self-closing.
fn parse_attrs<'a>(input: &'a str, mut j: usize, out: &mut Vec<Attr<'a>>) -> Option<(usize, bool)> {
    let b = input.as_bytes();
    loop {
        while j < b.len() && (is_space(b[j]) || b[j] == b'/') {
            if b[j] == b'/' && b.get(j + 1) == Some(&b'>') {
                return Some((j + 2, true));
            }
            j += 1;
        }
        if j >= b.len() {
            return None;
        }
        if b[j] == b'>' {
            return Some((j + 1, false));
        }
        let ns = j;
        j += 1; // a name may start with `=`
        while j < b.len() && !is_space(b[j]) && !matches!(b[j], b'/' | b'>' | b'=') {
            j += 1;
        }
        let name = &input[ns..j];
        while j < b.len() && is_space(b[j]) {
            j += 1;
        }
        let mut value = "";
        if j < b.len() && b[j] == b'=' {
            j += 1;
            while j < b.len() && is_space(b[j]) {
                j += 1;
            }
            if j >= b.len() {
                return None;
            }
            match b[j] {
                q @ (b'"' | b'\'') => {
                    let vs = j + 1;
                    let ve = memchr(q, &b[vs..]).map(|p| vs + p)?;
                    value = &input[vs..ve];
                    j = ve + 1;
                }
                b'>' => {}
                _ => {
                    let vs = j;
                    while j < b.len() && !is_space(b[j]) && b[j] != b'>' {
                        j += 1;
                    }
                    value = &input[vs..j];
                }
            }
        }
        if out.len() < 64 {
            out.push((name, value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Attr, Sink, tokenize};

    #[derive(Default)]
    struct Rec(Vec<String>);

    impl Sink for Rec {
        fn start(&mut self, name: &str, attrs: &[Attr<'_>], sc: bool) {
            let a: Vec<String> = attrs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            self.0.push(format!(
                "<{name} {}{}>",
                a.join(" "),
                if sc { "/" } else { "" }
            ));
        }
        fn end(&mut self, name: &str) {
            self.0.push(format!("</{name}>"));
        }
        fn text(&mut self, raw: &str) {
            self.0.push(raw.to_string());
        }
    }

    fn toks(s: &str) -> Vec<String> {
        let mut r = Rec::default();
        tokenize(s, &mut r);
        r.0
    }

    #[test]
    fn tags_attrs_text() {
        assert_eq!(
            toks("<P Class=\"a b\" id=x data-y='1>2' hidden>hi</p>"),
            vec!["<p Class=a b id=x data-y=1>2 hidden=>", "hi", "</p>"]
        );
    }

    #[test]
    fn raw_text_and_comments() {
        assert_eq!(
            toks("<script>if(a<b){}</p></script >x<!-- <p> -->y"),
            vec!["<script >", "if(a<b){}</p>", "</script>", "x", "y"]
        );
        assert_eq!(
            toks("a < b <!doctype html><br/>"),
            vec!["a ", "<", " b ", "<br />"]
        );
    }

    #[test]
    fn eof_inside_things() {
        assert_eq!(toks("x<p class=\"unterminated"), vec!["x"]);
        assert_eq!(toks("x<!-- never closed"), vec!["x"]);
        assert_eq!(toks("<style>a{}"), vec!["<style >", "a{}", "</style>"]);
        assert_eq!(toks("</"), vec!["</"]);
    }
}
