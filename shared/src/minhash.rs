//! MinHash signatures and LSH band keys for near-duplicate detection, as FineWeb does it:
//! word 5-gram shingles, 112 hash functions in 14 bands of 8 by default. Two documents that
//! share any band key are near-duplicates; with 14x8, documents with Jaccard similarity 0.8
//! collide with probability ~0.92, at 0.5 ~0.05.

use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

use crate::config::DedupConfig;

/// Mersenne prime 2^61 - 1: the modulus of the universal hash family.
const PRIME: u64 = (1 << 61) - 1;

pub struct MinHasher {
    params: Vec<(u64, u64)>,
    shingle_words: usize,
    bands: usize,
    rows: usize,
    seed: u64,
}

/// SplitMix64: a small, well-known generator for reproducible hash parameters.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl MinHasher {
    pub fn new(cfg: &DedupConfig) -> Self {
        let mut state = cfg.seed;
        let params = (0..cfg.num_hashes)
            .map(|_| {
                let a = splitmix(&mut state) % (PRIME - 1) + 1;
                let b = splitmix(&mut state) % PRIME;
                (a, b)
            })
            .collect();
        MinHasher {
            params,
            shingle_words: cfg.shingle_words.max(1),
            bands: cfg.bands,
            rows: cfg.rows_per_band,
            seed: cfg.seed,
        }
    }

    /// Hashes of the text's word shingles (lowercased, punctuation stripped).
    fn shingles(&self, text: &str) -> Vec<u64> {
        let words: Vec<String> = text
            .split_whitespace()
            .map(|w| {
                w.chars()
                    .filter(|c| c.is_alphanumeric())
                    .flat_map(char::to_lowercase)
                    .collect::<String>()
            })
            .filter(|w| !w.is_empty())
            .collect();
        if words.is_empty() {
            return Vec::new();
        }
        let n = self.shingle_words.min(words.len());
        let mut buf = String::new();
        words
            .windows(n)
            .map(|g| {
                buf.clear();
                for w in g {
                    buf.push_str(w);
                    buf.push(' ');
                }
                xxh3_64_with_seed(buf.as_bytes(), self.seed)
            })
            .collect()
    }

    /// The MinHash signature: per hash function, the least value over all shingles.
    pub fn signature(&self, text: &str) -> Vec<u64> {
        let shingles = self.shingles(text);
        let mut sig = vec![u64::MAX; self.params.len()];
        for s in shingles {
            let x = (s % PRIME) as u128;
            for (slot, (a, b)) in sig.iter_mut().zip(&self.params) {
                let h = ((*a as u128 * x + *b as u128) % PRIME as u128) as u64;
                if h < *slot {
                    *slot = h;
                }
            }
        }
        sig
    }

    /// One key per band: the band's index and a hash of its rows.
    pub fn band_keys(&self, sig: &[u64]) -> Vec<String> {
        sig.chunks(self.rows)
            .take(self.bands)
            .enumerate()
            .map(|(i, rows)| {
                let bytes: Vec<u8> = rows.iter().flat_map(|v| v.to_le_bytes()).collect();
                format!("{i:02}:{:016x}", xxh3_64(&bytes))
            })
            .collect()
    }
}

/// Estimated Jaccard similarity of two signatures.
pub fn similarity(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() {
        return 0.0;
    }
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / a.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(seed: usize, n: usize) -> String {
        (0..n)
            .map(|i| format!("word{}", (i * 7919 + seed * 104_729) % 5000))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn near_copies_share_a_band_and_unrelated_texts_do_not() {
        let m = MinHasher::new(&DedupConfig::default());
        let a = text(1, 400);
        // Same text with a few words changed at the end: Jaccard well above 0.8.
        let b = format!("{} extra tail words here", &a[..a.len() - 40]);
        let c = text(2, 400);
        let (sa, sb, sc) = (m.signature(&a), m.signature(&b), m.signature(&c));
        assert!(similarity(&sa, &sb) > 0.8, "{}", similarity(&sa, &sb));
        assert!(similarity(&sa, &sc) < 0.1);
        let (ka, kb, kc) = (m.band_keys(&sa), m.band_keys(&sb), m.band_keys(&sc));
        assert_eq!(ka.len(), 14);
        assert!(ka.iter().zip(&kb).any(|(x, y)| x == y));
        assert!(!ka.iter().zip(&kc).any(|(x, y)| x == y));
    }

    #[test]
    fn signature_ignores_case_and_punctuation() {
        let m = MinHasher::new(&DedupConfig::default());
        assert_eq!(
            m.signature("The quick brown fox jumps over the lazy dog."),
            m.signature("the QUICK brown fox, jumps over the lazy dog")
        );
    }
}
