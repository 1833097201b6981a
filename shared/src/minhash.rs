//! MinHash signatures and LSH band keys for near-duplicate detection, as FineWeb does it:
//! word 5-gram shingles, 112 hash functions in 14 bands of 8 by default. Two documents that
//! share any band key are near-duplicates; with 14x8, documents with Jaccard similarity 0.8
//! collide with probability ~0.92, at 0.5 ~0.05.

use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

use crate::config::DedupConfig;

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
            .map(|_| (splitmix(&mut state) | 1, splitmix(&mut state)))
            .collect();
        MinHasher {
            params,
            shingle_words: cfg.shingle_words.max(1),
            bands: cfg.bands,
            rows: cfg.rows_per_band,
            seed: cfg.seed,
        }
    }

    /// Hashes of the text's word shingles (lowercased, punctuation stripped). Each word is
    /// hashed once; a shingle's hash mixes its words' hashes, so no shingle string is built.
    fn shingles(&self, text: &str) -> Vec<u64> {
        let mut buf = String::new();
        let words: Vec<u64> = text
            .split_whitespace()
            .filter_map(|w| {
                buf.clear();
                buf.extend(
                    w.chars()
                        .filter(|c| c.is_alphanumeric())
                        .flat_map(char::to_lowercase),
                );
                (!buf.is_empty()).then(|| xxh3_64_with_seed(buf.as_bytes(), self.seed))
            })
            .collect();
        if words.is_empty() {
            return Vec::new();
        }
        let n = self.shingle_words.min(words.len());
        let mut bytes = Vec::with_capacity(n * 8);
        words
            .windows(n)
            .map(|g| {
                bytes.clear();
                for w in g {
                    bytes.extend_from_slice(&w.to_le_bytes());
                }
                xxh3_64(&bytes)
            })
            .collect()
    }

    /// The MinHash signature: per hash function, the least value over all shingles. The hash
    /// functions are `a*x + b` over 64-bit integers with odd `a` (a permutation of the 64-bit
    /// space); shingle hashes are already uniformly spread by xxh3, which is what keeps this
    /// cheap family min-wise close to independent (see the estimate test below).
    pub fn signature(&self, text: &str) -> Vec<u64> {
        let shingles = self.shingles(text);
        let mut sig = vec![u64::MAX; self.params.len()];
        for x in shingles {
            for (slot, (a, b)) in sig.iter_mut().zip(&self.params) {
                let h = a.wrapping_mul(x).wrapping_add(*b);
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
    fn similarity_estimates_track_true_jaccard() {
        // Word sets with a known overlap: 600 shared words out of 1000 distinct -> J = 0.6.
        let a: Vec<String> = (0..800).map(|i| format!("w{i}")).collect();
        let b: Vec<String> = (200..1000).map(|i| format!("w{i}")).collect();
        let mut total = 0.0;
        for seed in 1..=10 {
            let m = MinHasher::new(&DedupConfig {
                num_hashes: 256,
                bands: 32,
                rows_per_band: 8,
                shingle_words: 1,
                seed,
                ..DedupConfig::default()
            });
            let est = similarity(&m.signature(&a.join(" ")), &m.signature(&b.join(" ")));
            assert!(
                (est - 0.6).abs() < 0.12,
                "seed {seed}: estimate {est} for J = 0.6"
            );
            total += est;
        }
        // Unbiased on average, not just close once.
        assert!(
            (total / 10.0 - 0.6).abs() < 0.04,
            "mean estimate {}",
            total / 10.0
        );
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
