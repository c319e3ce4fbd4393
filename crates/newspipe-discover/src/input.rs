//! From the bytes we were given to text we can parse: gzip found by its magic bytes and inflated
//! under a hard cap, the size cap applied, the charset found (BOM, HTTP header, XML declaration)
//! and decoded to UTF-8 with replacement.

use std::borrow::Cow;
use std::io::Read;

use crate::DiscoverError;

/// Enough of a document to find its root element or JSON Feed version.
pub(crate) const SNIFF_BYTES: usize = 64 * 1024;

pub(crate) fn is_gzip(b: &[u8]) -> bool {
    b.starts_with(&[0x1f, 0x8b])
}

/// The document's bytes after gzip and the size cap.
pub(crate) struct Raw<'a> {
    pub bytes: Cow<'a, [u8]>,
    /// Why the document was cut, when it was.
    pub cut: Option<String>,
    pub warnings: Vec<String>,
}

/// Inflates gzip (one level, or two when a server gzipped a `.gz` again) and applies `cap`.
/// Memory stays at most `cap` (+ the inflater's window): a gzip bomb stops at the cap.
pub(crate) fn unwrap(bytes: &[u8], cap: usize) -> Result<Raw<'_>, DiscoverError> {
    let mut raw = Raw {
        bytes: Cow::Borrowed(bytes),
        cut: None,
        warnings: Vec::new(),
    };
    for _ in 0..2 {
        if !is_gzip(&raw.bytes) {
            break;
        }
        let (out, hit_cap, err) = gunzip(&raw.bytes, cap);
        if let Some(e) = err {
            if out.is_empty() {
                return Err(DiscoverError::Gzip(e));
            }
            raw.warnings.push(format!(
                "gzip stream broken after {} bytes ({e}); parsed what came before",
                out.len()
            ));
        }
        if hit_cap {
            raw.cut = Some(cap_reason(cap));
        }
        raw.bytes = Cow::Owned(out);
    }
    if raw.bytes.len() > cap {
        raw.cut = Some(cap_reason(cap));
        raw.bytes = match raw.bytes {
            Cow::Borrowed(b) => Cow::Borrowed(&b[..cap]),
            Cow::Owned(mut v) => {
                v.truncate(cap);
                Cow::Owned(v)
            }
        };
    }
    Ok(raw)
}

pub(crate) fn cap_reason(cap: usize) -> String {
    format!("document larger than the {cap}-byte uncompressed cap; parsed the first {cap} bytes")
}

/// Inflates at most `cap` bytes; returns the output, whether there was more, and the error that
/// stopped it early, if any.
fn gunzip(bytes: &[u8], cap: usize) -> (Vec<u8>, bool, Option<String>) {
    let mut dec = flate2::read::MultiGzDecoder::new(bytes).take(cap as u64 + 1);
    // Compressed sizes say little about the inflated size: start modest, grow as needed.
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(4).min(cap).min(1 << 20));
    let err = dec.read_to_end(&mut out).err().map(|e| e.to_string());
    let hit_cap = out.len() > cap;
    out.truncate(cap);
    (out, hit_cap, err)
}

/// Inflates only the first `n` bytes, for sniffing.
pub(crate) fn gunzip_prefix(bytes: &[u8], n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = flate2::read::MultiGzDecoder::new(bytes)
        .take(n as u64)
        .read_to_end(&mut out);
    out
}

/// The document's charset and BOM length: BOM first, then the HTTP header's `charset`, then
/// the XML declaration's `encoding`, then UTF-8.
pub(crate) fn charset(
    bytes: &[u8],
    content_type: Option<&str>,
) -> (&'static encoding_rs::Encoding, usize) {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        return (enc, bom_len);
    }
    // RFC 7303: the HTTP charset wins over the declaration (also what lets a caller that
    // transcoded the body say so); newspipe-extract orders HTML the same way.
    let declared = content_type
        .and_then(header_charset)
        .or_else(|| xml_declared_encoding(bytes));
    let enc = declared
        .and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes()))
        // A UTF-16 label on bytes without a BOM is a lie (the declaration itself was readable
        // as ASCII): read it as UTF-8, as browsers do.
        .filter(|e| *e != encoding_rs::UTF_16LE && *e != encoding_rs::UTF_16BE)
        .unwrap_or(encoding_rs::UTF_8);
    (enc, 0)
}

/// Decodes the document to UTF-8 (see [`charset`]). Bad sequences become U+FFFD (with a
/// warning); valid UTF-8 is not copied.
pub(crate) fn decode<'a>(
    bytes: &'a [u8],
    content_type: Option<&str>,
    warnings: &mut Vec<String>,
) -> Cow<'a, str> {
    let (enc, bom_len) = charset(bytes, content_type);
    let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
    if had_errors {
        warnings.push(format!(
            "invalid {} byte sequences replaced with U+FFFD",
            enc.name()
        ));
    }
    text
}

/// A text run this long without `<` or `>` is no sitemap or feed: refusing it bounds the XML
/// reader's buffer, which holds one whole event.
pub(crate) const MAX_TEXT_RUN: usize = 4 * 1024 * 1024;

/// What a [`Guarded`] reader saw, readable after the XML reader has consumed it.
#[derive(Default)]
pub(crate) struct GuardState {
    pub hit_cap: std::cell::Cell<bool>,
}

/// A reader that stops at `cap` bytes (recording that there was more) and fails on a text run
/// longer than [`MAX_TEXT_RUN`].
pub(crate) struct Guarded<'s, R> {
    inner: R,
    left: usize,
    run: usize,
    state: &'s GuardState,
}

impl<'s, R: Read> Guarded<'s, R> {
    pub fn new(inner: R, cap: usize, state: &'s GuardState) -> Self {
        Guarded {
            inner,
            left: cap,
            run: 0,
            state,
        }
    }
}

impl<R: Read> Read for Guarded<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            let mut probe = [0u8; 1];
            if !self.state.hit_cap.get() && self.inner.read(&mut probe)? > 0 {
                self.state.hit_cap.set(true);
            }
            return Ok(0);
        }
        let want = buf.len().min(self.left);
        let n = self.inner.read(&mut buf[..want])?;
        self.left -= n;
        let chunk = &buf[..n];
        match chunk.iter().rposition(|b| *b == b'<' || *b == b'>') {
            Some(at) => self.run = n - at - 1,
            None => self.run += n,
        }
        if self.run > MAX_TEXT_RUN {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("more than {MAX_TEXT_RUN} bytes of text without markup"),
            ));
        }
        Ok(n)
    }
}

/// The gzip document from uncompressed byte `skip` on, capped and guarded.
pub(crate) fn gzip_stream<'a, 's>(
    bytes: &'a [u8],
    cap: usize,
    skip: usize,
    state: &'s GuardState,
) -> std::io::BufReader<Guarded<'s, flate2::read::MultiGzDecoder<&'a [u8]>>> {
    let mut r = std::io::BufReader::with_capacity(
        64 * 1024,
        Guarded::new(flate2::read::MultiGzDecoder::new(bytes), cap, state),
    );
    if skip > 0 {
        // Errors surface again on the next read.
        let _ = std::io::copy(&mut (&mut r).take(skip as u64), &mut std::io::sink());
    }
    r
}

/// `encoding="..."` from an `<?xml ...?>` declaration at the start of the document.
fn xml_declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(512)];
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    let head = &head[start..];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(&head[..end]).ok()?;
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &rest[1..];
    Some(rest[..rest.find(quote)?].trim().to_string())
}

fn header_charset(ct: &str) -> Option<String> {
    ct.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn gzip_is_found_by_magic_and_capped() {
        let z = gz(&vec![b'a'; 10_000]);
        let raw = unwrap(&z, 4096).unwrap();
        assert_eq!(raw.bytes.len(), 4096);
        assert!(raw.cut.as_deref().unwrap().contains("4096-byte"));
        let raw = unwrap(&z, 10_000).unwrap();
        assert_eq!(raw.bytes.len(), 10_000);
        assert!(raw.cut.is_none());
    }

    #[test]
    fn gzip_twice_and_broken_gzip() {
        let z = gz(&gz(b"<urlset/>"));
        assert_eq!(&*unwrap(&z, 100).unwrap().bytes, b"<urlset/>");
        assert!(matches!(
            unwrap(&[0x1f, 0x8b, 0, 0], 100),
            Err(DiscoverError::Gzip(_))
        ));
        let mut z = gz(&vec![b'x'; 100_000]);
        z.truncate(z.len() / 2);
        let raw = unwrap(&z, 1 << 20).unwrap();
        assert!(!raw.bytes.is_empty());
        assert!(
            raw.warnings[0].contains("gzip stream broken"),
            "{:?}",
            raw.warnings
        );
    }

    #[test]
    fn charset_from_bom_declaration_and_header() {
        let mut w = Vec::new();
        let latin = b"<?xml version='1.0' encoding='ISO-8859-1'?><a>caf\xe9</a>";
        assert!(decode(latin, None, &mut w).ends_with("café</a>"));
        assert!(
            decode(
                b"<a>caf\xe9</a>",
                Some("text/xml; charset=windows-1252"),
                &mut w
            )
            .contains("café")
        );
        // The header wins over the declaration: a body already transcoded to UTF-8.
        let transcoded = "<?xml version='1.0' encoding='ISO-8859-1'?><a>café</a>".as_bytes();
        assert!(decode(transcoded, Some("text/xml; charset=utf-8"), &mut w).ends_with("café</a>"));
        assert!(w.is_empty());
        assert_eq!(decode(b"\xef\xbb\xbf<a/>", None, &mut w), "<a/>");
        let utf16: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain("<a/>".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&utf16, None, &mut w), "<a/>");
        assert_eq!(
            decode(
                b"<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>",
                None,
                &mut w
            ),
            "<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>"
        );
        assert!(w.is_empty());
        decode(b"<a>\xff</a>", None, &mut w);
        assert_eq!(w.len(), 1);
    }
}
