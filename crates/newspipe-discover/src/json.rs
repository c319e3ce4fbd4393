//! JSON Feed 1.0 / 1.1: `items[].url` (else `external_url`, else an http(s) `id`), `title`,
//! `date_published`, `date_modified`. Items stream into the sink as they are read, so a feed of
//! a million items keeps at most `max_entries` of them in memory; a field of the wrong type is
//! ignored rather than failing the feed.

use std::fmt;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::sink::{RawEntry, Sink};
use crate::{DiscoverError, DocKind};

/// A string, or `None` for any other JSON value (never an error).
#[derive(Default)]
struct Lenient(Option<String>);

impl<'de> Deserialize<'de> for Lenient {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Lenient;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Lenient, E> {
                Ok(Lenient(Some(v.to_string())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Lenient, E> {
                Ok(Lenient(Some(v)))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Lenient, E> {
                Ok(Lenient(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Lenient, E> {
                Ok(Lenient(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Lenient, E> {
                Ok(Lenient(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Lenient, E> {
                Ok(Lenient(None))
            }
            fn visit_unit<E>(self) -> Result<Lenient, E> {
                Ok(Lenient(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Lenient, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Lenient(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Lenient, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Lenient(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// One item; unknown members are skipped without being stored.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Item {
    url: Lenient,
    external_url: Lenient,
    id: Lenient,
    title: Lenient,
    date_published: Lenient,
    date_modified: Lenient,
}

/// An item, or `None` when the array holds something that is not an object.
struct MaybeItem(Option<Item>);

impl<'de> Deserialize<'de> for MaybeItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaybeItem;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON Feed item")
            }
            fn visit_map<A: MapAccess<'de>>(self, a: A) -> Result<MaybeItem, A::Error> {
                Item::deserialize(serde::de::value::MapAccessDeserializer::new(a))
                    .map(|i| MaybeItem(Some(i)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<MaybeItem, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(MaybeItem(None))
            }
            fn visit_str<E>(self, _: &str) -> Result<MaybeItem, E> {
                Ok(MaybeItem(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<MaybeItem, E> {
                Ok(MaybeItem(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<MaybeItem, E> {
                Ok(MaybeItem(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<MaybeItem, E> {
                Ok(MaybeItem(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<MaybeItem, E> {
                Ok(MaybeItem(None))
            }
            fn visit_unit<E>(self) -> Result<MaybeItem, E> {
                Ok(MaybeItem(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// Streams `items` into the sink; once the sink is full the rest is skipped unread.
struct Items<'s, 'a>(&'s mut Sink<'a>);

impl<'de> DeserializeSeed<'de> for Items<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Items<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of items")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<(), A::Error> {
        let mut open = true;
        while open {
            let Some(MaybeItem(item)) = a.next_element::<MaybeItem>()? else {
                return Ok(());
            };
            let Some(item) = item else {
                self.0
                    .note("a JSON Feed item that is not an object was skipped".into());
                continue;
            };
            let is_web = |s: &String| {
                let l = s.trim().get(..8).unwrap_or(s.trim()).to_ascii_lowercase();
                l.starts_with("http://") || l.starts_with("https://")
            };
            let raw = RawEntry {
                url: item
                    .url
                    .0
                    .or(item.external_url.0)
                    .or(item.id.0.filter(is_web)),
                lastmod: None,
                published: item.date_published.0.and_then(|s| self.0.date(&s)),
                updated: item.date_modified.0.and_then(|s| self.0.date(&s)),
                title: item.title.0,
                is_news: true,
            };
            open = self.0.push(raw, None);
        }
        // Full: the parser stops here; the unread rest is why `truncated` is set.
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<(), A::Error> {
        self.0
            .note("JSON Feed `items` is an object, not an array: ignored".into());
        while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

/// The top-level object: `version` and `items`, everything else skipped.
struct Top<'s, 'a> {
    sink: &'s mut Sink<'a>,
    version: Option<String>,
    has_items: bool,
}

impl<'de> Visitor<'de> for &mut Top<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON Feed object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<(), A::Error> {
        while let Some(key) = a.next_key::<String>()? {
            match key.as_str() {
                "version" => self.version = a.next_value::<Lenient>()?.0,
                "items" => {
                    self.has_items = true;
                    a.next_value_seed(Items(self.sink))?;
                    if self.sink.full() {
                        // Stop reading: what follows `items` is not needed and may be huge.
                        return Ok(());
                    }
                }
                _ => {
                    a.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// Whether a JSON document is a JSON Feed at all.
fn check_version(version: Option<&str>, has_items: bool) -> Result<Option<String>, DiscoverError> {
    match version {
        Some(v) if v.contains("jsonfeed.org/version/") => Ok(None),
        Some(v) if has_items => Ok(Some(format!(
            "JSON Feed version {v:?} unknown; read as 1.1"
        ))),
        None if has_items => Ok(Some("JSON Feed without `version`; read as 1.1".into())),
        _ => Err(DiscoverError::NotSitemapOrFeed(
            "JSON without a jsonfeed.org version or items".into(),
        )),
    }
}

/// Parses a JSON Feed into `sink`.
pub(crate) fn parse(text: &str, sink: &mut Sink) -> Result<DocKind, DiscoverError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let mut top = Top {
        sink,
        version: None,
        has_items: false,
    };
    let res = de.deserialize_map(&mut top);
    let full = top.sink.full();
    match res {
        // Full: we stopped reading on purpose, the error is ours.
        _ if full => {}
        Ok(()) => {
            if de.end().is_err() {
                top.sink
                    .note("text after the JSON Feed object ignored".into());
            }
        }
        Err(e) => {
            let position = byte_offset(text, e.line(), e.column());
            if top.sink.len() == 0 {
                return Err(if top.has_items || top.version.is_some() {
                    DiscoverError::Malformed {
                        format: "JSON Feed",
                        position,
                        reason: e.to_string(),
                    }
                } else {
                    DiscoverError::NotSitemapOrFeed(format!("invalid JSON: {e}"))
                });
            }
            let n = top.sink.len();
            top.sink.note(format!(
                "malformed JSON Feed at byte {position}: {e}; kept the {n} items before it"
            ));
            return Ok(DocKind::JsonFeed);
        }
    }
    if full {
        return Ok(DocKind::JsonFeed);
    }
    if let Some(w) = check_version(top.version.as_deref(), top.has_items)? {
        top.sink.note(w);
    }
    Ok(DocKind::JsonFeed)
}

/// serde_json reports line and column; errors elsewhere in the crate speak in bytes.
fn byte_offset(text: &str, line: usize, column: usize) -> u64 {
    let before: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (before + column.saturating_sub(1)) as u64
}
