//! Deterministic article-like bodies for the diff tests and the timing example: words from a
//! small vocabulary (so they repeat, as in real prose), sentences, commas and paragraphs.

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ne", "ru", "ta", "po", "se", "di", "va", "gro", "ben", "tis", "mar", "quo",
];

/// The `i`-th word of the vocabulary: 1 to 3 syllables, stable for a given index.
pub fn word(i: usize) -> String {
    let mut w = String::new();
    let mut n = i + 1;
    while n > 0 {
        w.push_str(SYLLABLES[n % SYLLABLES.len()]);
        n /= SYLLABLES.len();
    }
    w
}

/// The words of a body, one entry per word with its punctuation and following whitespace.
pub fn body_words(words: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(words);
    let mut in_sentence = 0;
    let mut in_paragraph = 0;
    for i in 0..words {
        let mut w = word(rng.below(400));
        if in_sentence == 0 {
            let mut c = w.chars();
            let first = c.next().unwrap().to_ascii_uppercase();
            w = first.to_string() + c.as_str();
        }
        in_sentence += 1;
        in_paragraph += 1;
        let last = i + 1 == words;
        if last || (in_sentence > 6 && rng.below(10) == 0) {
            w.push('.');
            in_sentence = 0;
            if !last && in_paragraph > 40 && rng.below(3) == 0 {
                w.push_str("\n\n");
                in_paragraph = 0;
            } else if !last {
                w.push(' ');
            }
        } else if rng.below(12) == 0 {
            w.push_str(", ");
        } else {
            w.push(' ');
        }
        out.push(w);
    }
    out
}
