//! robots.txt path patterns (RFC 9309 §2.2.2–2.2.3): percent-normalisation and a matcher whose
//! cost is linear in the pattern and path, whatever the number of `*`.
//!
//! Patterns and URL paths go through the same [`normalize`], so `/%aa` matches `/%AA` and a rule
//! written in UTF-8 (`/ツ`) matches the escaped path (`/%E3%83%84`) of a normalised URL. After
//! normalisation both sides are ASCII, so byte offsets are always character boundaries.

/// Upper-cases the hex digits of percent-escapes and percent-encodes every byte that is not
/// printable ASCII (controls, space, DEL and all non-ASCII bytes, i.e. UTF-8 sequences).
///
/// Escapes of unreserved characters (`%62` for `b`) are left as they are: RFC 3986 says they are
/// equivalent, but neither Google nor our URL normaliser decodes them, and decoding only one side
/// would make rules match less than the site wrote.
pub(crate) fn normalize(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            out.push('%');
            out.push(char::from(bytes[i + 1].to_ascii_uppercase()));
            out.push(char::from(bytes[i + 2].to_ascii_uppercase()));
            i += 3;
        } else if b.is_ascii_graphic() {
            out.push(char::from(b));
            i += 1;
        } else {
            push_escape(&mut out, b);
            i += 1;
        }
    }
    out
}

fn push_escape(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(char::from(HEX[usize::from(b >> 4)]));
    out.push(char::from(HEX[usize::from(b & 0x0f)]));
}

/// A compiled Allow/Disallow value: the literal pieces between `*`s, and whether a final `$`
/// anchors it at the end of the path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Pattern {
    /// Literal pieces; `*` sits between each pair. Never empty; inner pieces are never empty
    /// (runs of `*` collapse), the first and last may be.
    pieces: Vec<String>,
    anchored: bool,
    /// Specificity: octets of the normalised pattern as written (RFC 9309: "the most octets").
    len: usize,
    /// Octets of literal text: no shorter path can match.
    min_len: usize,
}

impl Pattern {
    /// Compiles a rule value. `None` for an empty value, which RFC 9309 gives no effect
    /// (`Disallow:` with nothing after it disallows nothing).
    pub(crate) fn new(value: &str) -> Option<Self> {
        if value.is_empty() {
            return None;
        }
        let normalized = normalize(value);
        let len = normalized.len();
        // Only a final `$` is special; elsewhere it is a literal character of the path.
        let (body, anchored) = match normalized.strip_suffix('$') {
            Some(body) => (body, true),
            None => (normalized.as_str(), false),
        };
        let mut pieces: Vec<String> = Vec::new();
        for (i, piece) in body.split('*').enumerate() {
            // Consecutive stars leave empty inner pieces: `a**b` means `a*b`.
            if i == 0 || !piece.is_empty() {
                pieces.push(piece.to_owned());
            }
        }
        if body.ends_with('*') {
            // A trailing star: keep an empty last piece so an anchored `/a*$` still matches
            // anything after `/a`.
            pieces.push(String::new());
        }
        let min_len = pieces.iter().map(String::len).sum();
        Some(Self {
            pieces,
            anchored,
            len,
            min_len,
        })
    }

    /// Specificity used to pick the winning rule.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Whether the pattern matches `path` (normalised). A pattern matches from the start of the
    /// path; unanchored, it may stop anywhere.
    #[cfg(test)]
    pub(crate) fn matches(&self, path: &str) -> bool {
        let mut unbounded = usize::MAX;
        self.matches_within(path, &mut unbounded)
            .expect("unbounded budget")
    }

    /// [`matches`](Self::matches) charging the bytes it examines to `budget`; `None`, without
    /// an answer, when the budget runs out.
    ///
    /// Each piece is placed at its leftmost occurrence after the previous one. That is enough:
    /// placing a piece further right never helps a later piece fit, so there is no backtracking
    /// and the cost is linear in `path` plus the pattern. Cheap tests come first: a path shorter
    /// than the pattern's literal text, or without the anchored suffix, is refused before any
    /// search.
    pub(crate) fn matches_within(&self, path: &str, budget: &mut usize) -> Option<bool> {
        if path.len() < self.min_len {
            return Some(false);
        }
        let (first, rest) = self
            .pieces
            .split_first()
            .expect("a pattern has at least one piece");
        charge(budget, first.len())?;
        if !path.starts_with(first.as_str()) {
            return Some(false);
        }
        let Some((last, middle)) = rest.split_last() else {
            // No `*` at all.
            return Some(!self.anchored || path.len() == first.len());
        };
        if self.anchored {
            charge(budget, last.len())?;
            if !path.ends_with(last.as_str()) {
                return Some(false);
            }
        }
        let mut pos = first.len();
        for piece in middle {
            charge(budget, path.len() - pos)?;
            match path[pos..].find(piece.as_str()) {
                Some(at) => pos += at + piece.len(),
                None => return Some(false),
            }
        }
        if self.anchored {
            Some(path.len() - pos >= last.len())
        } else {
            charge(budget, path.len() - pos)?;
            Some(path[pos..].contains(last.as_str()))
        }
    }
}

/// Takes `cost` from `budget`, or `None` when it does not cover it.
fn charge(budget: &mut usize, cost: usize) -> Option<()> {
    *budget = budget.checked_sub(cost)?;
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, path: &str) -> bool {
        Pattern::new(pattern).unwrap().matches(&normalize(path))
    }

    #[test]
    fn normalize_uppercases_escapes_and_encodes_non_ascii() {
        assert_eq!(normalize("/%aa/%e3%83%84"), "/%AA/%E3%83%84");
        assert_eq!(normalize("/ツ"), "/%E3%83%84");
        assert_eq!(normalize("á"), "%C3%A1");
        assert_eq!(normalize("/a b\t"), "/a%20b%09");
        // Not an escape: left alone, on both sides alike.
        assert_eq!(normalize("/100%/%4"), "/100%/%4");
        assert_eq!(normalize("/%62%61%7a"), "/%62%61%7A");
    }

    #[test]
    fn prefix_star_and_anchor() {
        assert!(m("/fish", "/fish.html"));
        assert!(!m("/fish", "/Fish.html"));
        assert!(m("/fish*", "/fish"));
        assert!(m("/*.php", "/a/b.php?x"));
        assert!(!m("/*.php$", "/a/b.php?x"));
        assert!(m("/*.php$", "/a/b.php"));
        assert!(m("/$", "/"));
        assert!(!m("/$", "/a"));
        assert!(m("/a$b", "/a$b/c"), "an inner $ is literal");
        assert!(m("/a*$", "/a/anything"));
        assert!(m("/a**b", "/a/x/b"));
        assert!(m("*", "/"));
        assert!(m("/*/x$", "/a/x"));
        assert!(!m("/*/x$", "/x"), "the suffix may not overlap the prefix");
    }

    #[test]
    fn escapes_match_whatever_their_case_or_encoding() {
        assert!(m("/%aa", "/%AA"));
        assert!(m("/foo/%e3%83%84", "/foo/ツ"));
        assert!(m("/foo/ツ", "/foo/%E3%83%84"));
    }

    #[test]
    fn many_stars_stay_linear() {
        // 2,000 stars against a 100 KB path that almost matches: a backtracking matcher tries
        // exponentially many placements; this one does one substring search per piece.
        let pattern = format!("/{}b$", "a*".repeat(2000));
        let path = format!("/{}c", "a".repeat(100_000));
        let started = std::time::Instant::now();
        assert!(!m(&pattern, &path));
        let path = format!("/{}b", "a".repeat(100_000));
        assert!(m(&pattern, &path));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }
}
