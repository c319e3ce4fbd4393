//! URL keys known to be stored in `urls`, so a batch's links do not ask Postgres about them again.
//!
//! A news site repeats most of its links on every page (sections, the latest stories), so most
//! links a batch brings are known; each cost Postgres an index probe (and the worker the bytes
//! to send) only to be left out. This is the URL-seen cache of crawlers since Mercator: a fixed
//! table of keys, a slot per key by its low bits, a newer key overwriting an older one. A hit
//! is exact (the whole key is compared); a miss only means "ask Postgres", which stays the
//! judge. It holds only keys of committed rows, and relies on `urls` rows never being deleted.

use std::sync::Mutex;

/// 2^20 slots of 8 bytes: 8 MB when full, about a million recent URLs.
const SLOTS: usize = 1 << 20;

#[derive(Debug)]
pub(crate) struct KnownUrls {
    // Zeroed on allocation (calloc): untouched pages cost no memory. 0 marks an empty slot.
    slots: Mutex<Vec<i64>>,
}

impl Default for KnownUrls {
    fn default() -> Self {
        Self {
            slots: Mutex::new(vec![0; SLOTS]),
        }
    }
}

fn slot(key: i64) -> usize {
    // Keys are MD5 bits: the low bits are as good as any.
    (key as u64 as usize) & (SLOTS - 1)
}

impl KnownUrls {
    /// Keeps the items whose keys are not known to be stored.
    pub(crate) fn retain_unknown<T>(&self, items: &mut Vec<T>, key: impl Fn(&T) -> i64) {
        let slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        items.retain(|item| {
            let k = key(item);
            k == 0 || slots[slot(k)] != k
        });
    }

    /// Records keys whose rows are committed.
    pub(crate) fn remember(&self, keys: &[i64]) {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        for &k in keys {
            slots[slot(k)] = k;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys of `keys` not known to be stored.
    fn unknown(known: &KnownUrls, keys: &[i64]) -> Vec<i64> {
        let mut keys = keys.to_vec();
        known.retain_unknown(&mut keys, |k| *k);
        keys
    }

    #[test]
    fn a_hit_is_exact_and_a_newer_key_evicts_an_older_one_in_its_slot() {
        let known = KnownUrls::default();
        let (a, b) = (12_345_i64, 12_345_i64 + SLOTS as i64); // same slot
        assert_eq!(unknown(&known, &[a, b]), [a, b]);
        known.remember(&[a]);
        assert_eq!(unknown(&known, &[a, b, -a]), [b, -a]);
        known.remember(&[b]);
        assert_eq!(unknown(&known, &[a, b]), [a]);
        // 0 marks an empty slot: never taken for a known key.
        known.remember(&[0]);
        assert_eq!(unknown(&known, &[0]), [0]);
    }
}
