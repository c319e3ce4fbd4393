//! Charset detection and decoding of fetched bodies to UTF-8.
//!
//! Order: BOM → `charset=` of the Content-Type header → `<meta charset>` prescan of the first
//! 1024 bytes → chardetng guess (with a TLD hint) → decode. The BOM goes first, before the header,
//! as in the WHATWG "decode" algorithm that browsers implement: a BOM is unambiguous, while a
//! header charset is often a server-wide default (ISO-8859-1) that the file contradicts.

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252, X_USER_DEFINED};

/// How many bytes the `<meta>` prescan looks at (the HTML standard's number).
const PRESCAN_BYTES: usize = 1024;

/// How much of a body chardetng sees. Its guess settles long before this; feeding a 10 MiB page
/// whole would only cost time.
const DETECT_BYTES: usize = 256 * 1024;

/// Decodes `bytes` to UTF-8 with the encoding [`detect_encoding`] picks. Malformed sequences
/// become U+FFFD, never an error: a page with one bad byte is still a page.
///
/// `content_type` is the raw Content-Type header; `tld_hint` is the host's top-level domain
/// (`"ru"`, `"jp"`, or a whole host name, whose last label is used) and helps the guess.
pub fn decode_body(bytes: &[u8], content_type: Option<&str>, tld_hint: Option<&str>) -> String {
    let encoding = detect_encoding(bytes, content_type, tld_hint);
    // `decode` also strips a BOM, which detect_encoding already honoured.
    let (text, _, _) = encoding.decode(bytes);
    text.into_owned()
}

/// Decodes bytes stored with the encoding label the crawler chose (`FetchedPage::charset`); an
/// unknown label falls back to detection, so a stored page can always be read again.
pub fn decode_labelled(bytes: &[u8], label: &str) -> String {
    match Encoding::for_label(label.trim().as_bytes()) {
        Some(enc) => enc.decode(bytes).0.into_owned(),
        None => decode_body(bytes, None, None),
    }
}

/// Decodes an owned body. A UTF-8 body without a BOM (most of the web) becomes the `String`
/// without a copy, so a 10 MiB page costs 10 MiB, not 20.
pub(crate) fn decode_owned(bytes: Vec<u8>, encoding: &'static Encoding) -> String {
    if encoding == UTF_8 && !bytes.starts_with(b"\xEF\xBB\xBF") {
        // from_utf8_lossy replaces maximal invalid subparts with U+FFFD, as encoding_rs does.
        return String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    }
    encoding.decode(&bytes).0.into_owned()
}

/// Picks the encoding of an HTML (or text) body; see the module docs for the order.
pub fn detect_encoding(
    bytes: &[u8],
    content_type: Option<&str>,
    tld_hint: Option<&str>,
) -> &'static Encoding {
    if let Some((bom, _)) = Encoding::for_bom(bytes) {
        return bom;
    }
    if let Some(enc) = content_type.and_then(header_charset) {
        return enc;
    }
    if let Some(enc) = prescan_meta(&bytes[..bytes.len().min(PRESCAN_BYTES)]) {
        return enc;
    }
    guess(bytes, tld_hint)
}

/// The `charset` parameter of a Content-Type header value, if it names a known encoding.
fn header_charset(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
        Encoding::for_label(value.as_bytes())
    })
}

fn guess(bytes: &[u8], tld_hint: Option<&str>) -> &'static Encoding {
    // Most of the web is UTF-8; validating is far cheaper than running the detector. An error
    // with no `error_len` is a sequence cut at the end, as when the size cap truncated the body.
    match std::str::from_utf8(bytes) {
        Ok(_) => return UTF_8,
        Err(e) if e.error_len().is_none() => return UTF_8,
        Err(_) => {}
    }
    let sample = &bytes[..bytes.len().min(DETECT_BYTES)];
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    detector.feed(sample, true);
    let tld = tld_hint.and_then(tld_label);
    detector.guess(tld.as_deref().map(str::as_bytes), Utf8Detection::Allow)
}

/// chardetng asserts its TLD is lower-case ASCII without dots; anything else gives no hint.
fn tld_label(hint: &str) -> Option<String> {
    let label = hint.trim_end_matches('.').rsplit('.').next()?;
    if label.is_empty() || !label.is_ascii() {
        return None;
    }
    Some(label.to_ascii_lowercase())
}

/// A simplified version of the HTML standard's prescan: finds `<meta charset=…>` or
/// `<meta http-equiv="content-type" content="…charset=…">`, skipping comments and other tags'
/// attributes so a `charset=` inside a script string or comment does not count.
fn prescan_meta(bytes: &[u8]) -> Option<&'static Encoding> {
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        if rest.starts_with(b"<!--") {
            i += 4 + find(&rest[4..], b"-->").map_or(rest.len(), |p| p + 3);
        } else if starts_with_ci(rest, b"<meta")
            && rest
                .get(5)
                .is_some_and(|&b| b.is_ascii_whitespace() || b == b'/')
        {
            i += 5;
            if let Some(enc) = meta_charset(bytes, &mut i) {
                return Some(enc);
            }
        } else if rest.len() > 1
            && rest[0] == b'<'
            && (rest[1].is_ascii_alphabetic()
                || (rest[1] == b'/' && rest.get(2).is_some_and(u8::is_ascii_alphabetic)))
        {
            // Another tag: step over its name, then its attributes, so their values are ignored.
            i += 1;
            while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                i += 1;
            }
            while attribute(bytes, &mut i).is_some() {}
        } else if rest.starts_with(b"<!") || rest.starts_with(b"</") || rest.starts_with(b"<?") {
            i += find(rest, b">").map_or(rest.len(), |p| p + 1);
        } else {
            i += 1;
        }
    }
    None
}

/// Reads the attributes of one `<meta>` tag (from `*i`, just past `<meta`) and returns the
/// encoding it declares, if it does so in a way the standard accepts.
fn meta_charset(bytes: &[u8], i: &mut usize) -> Option<&'static Encoding> {
    let mut got_pragma = false;
    let mut need_pragma: Option<bool> = None;
    let mut charset: Option<&'static Encoding> = None;
    while let Some((name, value)) = attribute(bytes, i) {
        match name.as_slice() {
            b"http-equiv" => got_pragma |= value.eq_ignore_ascii_case(b"content-type"),
            b"content" if charset.is_none() => {
                if let Some(enc) = charset_from_content(&value).and_then(Encoding::for_label) {
                    charset = Some(enc);
                    need_pragma = Some(true);
                }
            }
            b"charset" => {
                // A `charset` attribute wins over an earlier `content`.
                if let Some(enc) = Encoding::for_label(&value) {
                    charset = Some(enc);
                    need_pragma = Some(false);
                }
            }
            _ => {}
        }
    }
    match (need_pragma, charset) {
        (Some(true), Some(_)) if !got_pragma => None,
        (Some(_), Some(enc)) => Some(fix_meta_encoding(enc)),
        _ => None,
    }
}

/// A meta tag is read as ASCII, so a UTF-16 declaration there is a lie; the standard says UTF-8.
fn fix_meta_encoding(enc: &'static Encoding) -> &'static Encoding {
    if enc == UTF_16BE || enc == UTF_16LE {
        UTF_8
    } else if enc == X_USER_DEFINED {
        WINDOWS_1252
    } else {
        enc
    }
}

/// One attribute `name[=value]` starting at `*i`; `None` at `>` or the end of input.
/// Names are lower-cased; values keep their bytes.
fn attribute(bytes: &[u8], i: &mut usize) -> Option<(Vec<u8>, Vec<u8>)> {
    while *i < bytes.len() && (bytes[*i].is_ascii_whitespace() || bytes[*i] == b'/') {
        *i += 1;
    }
    if *i >= bytes.len() || bytes[*i] == b'>' {
        *i += 1;
        return None;
    }
    let mut name = Vec::new();
    while *i < bytes.len() {
        let b = bytes[*i];
        if b == b'=' && !name.is_empty() {
            break;
        }
        if b.is_ascii_whitespace() || b == b'/' || b == b'>' {
            break;
        }
        name.push(b.to_ascii_lowercase());
        *i += 1;
    }
    while *i < bytes.len() && bytes[*i].is_ascii_whitespace() {
        *i += 1;
    }
    if bytes.get(*i) != Some(&b'=') {
        return Some((name, Vec::new()));
    }
    *i += 1;
    while *i < bytes.len() && bytes[*i].is_ascii_whitespace() {
        *i += 1;
    }
    let mut value = Vec::new();
    match bytes.get(*i) {
        Some(&q) if q == b'"' || q == b'\'' => {
            *i += 1;
            while *i < bytes.len() && bytes[*i] != q {
                value.push(bytes[*i]);
                *i += 1;
            }
            *i += 1;
        }
        _ => {
            while *i < bytes.len() && !bytes[*i].is_ascii_whitespace() && bytes[*i] != b'>' {
                value.push(bytes[*i]);
                *i += 1;
            }
        }
    }
    Some((name, value))
}

/// `text/html; charset=windows-1251` → `windows-1251` (the standard's extraction algorithm,
/// without its quote-error corner cases).
fn charset_from_content(content: &[u8]) -> Option<&[u8]> {
    let mut rest = content;
    loop {
        let pos = find_ci(rest, b"charset")?;
        rest = &rest[pos + 7..];
        let trimmed = rest.trim_ascii_start();
        if let Some(after_eq) = trimmed.strip_prefix(b"=") {
            let v = after_eq.trim_ascii_start();
            return match v.first() {
                Some(&q) if q == b'"' || q == b'\'' => {
                    let end = v[1..].iter().position(|&b| b == q)?;
                    Some(&v[1..1 + end])
                }
                Some(_) => {
                    let end = v
                        .iter()
                        .position(|&b| b == b';' || b.is_ascii_whitespace())
                        .unwrap_or(v.len());
                    Some(&v[..end])
                }
                None => None,
            };
        }
        rest = trimmed;
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn find_ci(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

fn starts_with_ci(haystack: &[u8], prefix: &[u8]) -> bool {
    haystack.len() >= prefix.len() && haystack[..prefix.len()].eq_ignore_ascii_case(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{ISO_2022_JP, KOI8_R, SHIFT_JIS, WINDOWS_1251};

    fn cp1251(s: &str) -> Vec<u8> {
        WINDOWS_1251.encode(s).0.into_owned()
    }

    #[test]
    fn header_charset_wins_over_meta() {
        let mut body = b"<meta charset=\"utf-8\">".to_vec();
        body.extend(cp1251("Привет"));
        assert_eq!(
            detect_encoding(&body, Some("text/html; charset=windows-1251"), None),
            WINDOWS_1251
        );
        assert!(decode_body(&body, Some("text/html;charset=\"CP1251\""), None).ends_with("Привет"));
    }

    #[test]
    fn bom_wins_over_header() {
        let body = b"\xEF\xBB\xBFcaf\xC3\xA9";
        assert_eq!(
            decode_body(body, Some("text/html; charset=iso-8859-1"), None),
            "café"
        );
        let utf16le = b"\xFF\xFEh\0i\0";
        assert_eq!(decode_body(utf16le, None, None), "hi");
    }

    #[test]
    fn meta_charset_forms_are_found() {
        let cases: &[(&[u8], &Encoding)] = &[
            (b"<html><head><meta charset=windows-1251>", WINDOWS_1251),
            (b"<META CHARSET='Shift_JIS'>", SHIFT_JIS),
            (
                b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\">",
                WINDOWS_1252,
            ),
            (
                b"<meta content='text/html;charset=windows-1251' http-equiv='content-type'>",
                WINDOWS_1251,
            ),
            (b"<meta charset=\"utf-16le\">", UTF_8),
        ];
        for (html, want) in cases {
            assert_eq!(
                prescan_meta(html),
                Some(*want),
                "{}",
                String::from_utf8_lossy(html)
            );
        }
    }

    #[test]
    fn meta_prescan_ignores_what_is_not_a_declaration() {
        for html in [
            // content= without http-equiv is not a declaration
            &b"<meta content=\"text/html; charset=windows-1251\">"[..],
            b"<!-- <meta charset=windows-1251> -->",
            b"<div title='<meta charset=windows-1251>'>",
            b"<meta name=description content=\"charset=koi8-r\">",
            b"<meta charset=no-such-encoding>",
        ] {
            assert_eq!(
                prescan_meta(html),
                None,
                "{}",
                String::from_utf8_lossy(html)
            );
        }
    }

    #[test]
    fn meta_after_1024_bytes_is_not_seen_by_the_prescan() {
        // The late meta declares KOI8-R, which the windows-1251 text is not and which chardetng
        // does not guess for it: if the prescan read past 1 KiB, the result would be KOI8-R.
        let mut body = vec![b' '; PRESCAN_BYTES];
        body.extend_from_slice(b"<meta charset=koi8-r>");
        body.extend(cp1251(
            &"Съешь же ещё этих мягких французских булок. ".repeat(4),
        ));
        assert_eq!(
            prescan_meta(&body),
            Some(KOI8_R),
            "the late meta is a valid one"
        );
        assert_eq!(detect_encoding(&body, None, Some("ru")), WINDOWS_1251);
        // The same meta inside the first 1 KiB is obeyed.
        let mut early = b"<meta charset=koi8-r>".to_vec();
        early.extend_from_slice(&body[PRESCAN_BYTES + 21..]);
        assert_eq!(detect_encoding(&early, None, Some("ru")), KOI8_R);
    }

    #[test]
    fn chardetng_guesses_undeclared_cyrillic() {
        let text = "Съешь же ещё этих мягких французских булок, да выпей чаю. ".repeat(4);
        let body = cp1251(&text);
        assert_eq!(
            detect_encoding(&body, Some("text/html"), Some("news.example.ru")),
            WINDOWS_1251
        );
        assert_eq!(decode_body(&body, None, Some("RU")), text);
    }

    #[test]
    fn undeclared_utf8_and_ascii_are_utf8() {
        assert_eq!(detect_encoding("naïve ☃".as_bytes(), None, None), UTF_8);
        assert_eq!(detect_encoding(b"plain ascii", None, None), UTF_8);
        // A UTF-8 sequence cut by the size cap is still UTF-8, not a reason to guess.
        let cut = &"snow ☃".as_bytes()[..7];
        assert_eq!(detect_encoding(cut, None, None), UTF_8);
    }

    #[test]
    fn odd_tld_hints_do_not_panic() {
        let body = cp1251("Привет мир, как дела?");
        for hint in ["", ".", "xn--p1ai", "рф", "EXAMPLE.RU.", "a.b.c"] {
            let _ = detect_encoding(&body, None, Some(hint));
        }
        assert_ne!(detect_encoding(b"\x1b$B", None, None), ISO_2022_JP);
    }

    #[test]
    fn decode_owned_matches_decode() {
        for bytes in [
            &b"plain"[..],
            "caf\u{e9} \u{2603}".as_bytes(),
            b"\xEF\xBB\xBFbom",
            b"bad \xFF\xFE utf8 \xE2\x98",
        ] {
            assert_eq!(
                decode_owned(bytes.to_vec(), UTF_8),
                UTF_8.decode(bytes).0,
                "{bytes:?}"
            );
        }
        let cp = cp1251("Привет");
        assert_eq!(decode_owned(cp.clone(), WINDOWS_1251), "Привет");
    }

    #[test]
    fn charset_from_content_variants() {
        assert_eq!(
            charset_from_content(b"text/html; charset=utf-8"),
            Some(&b"utf-8"[..])
        );
        assert_eq!(
            charset_from_content(b"text/html;CHARSET = \"koi8-r\""),
            Some(&b"koi8-r"[..])
        );
        assert_eq!(charset_from_content(b"text/html; charset="), None);
        assert_eq!(charset_from_content(b"text/html"), None);
    }
}
