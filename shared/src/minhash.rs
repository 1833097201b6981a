//! MinHash signatures and LSH band keys for near-duplicate detection, as FineWeb does it:
//! word 5-gram shingles, 112 hash functions in 14 bands of 8 by default. Two documents that
//! share any band key are near-duplicates; with 14x8, documents with Jaccard similarity 0.8
//! collide with probability ~0.92, at 0.5 ~0.05.
//!
//! The cost is per word and per shingle, so both paths are kept short:
//! - words are cut, filtered and lowercased in one pass over the bytes: words already in
//!   their final form are hashed where they lie, other ASCII goes by a table, U+0080..U+07FF
//!   (Latin, Greek, Cyrillic, Arabic...) by a table built once, CJK, kana, Hangul and General
//!   Punctuation by their ranges, and only the rest through the `char` methods; the result is
//!   exactly that of the `char` methods (tests below compare every character);
//! - each word is hashed once (xxh3); a shingle's hash is a polynomial in its words' hashes,
//!   rolled from one shingle to the next, then mixed, so no shingle bytes are built or hashed;
//! - the hash functions are `a*x + b` over 32-bit lanes (datasketch keeps 32-bit values too),
//!   which the compiler vectorises: 16 lanes per instruction with AVX-512, 8 with AVX2, 4 with
//!   NEON. It is a classic signature, one hash function per slot, so the band collision
//!   probability follows the S-curve `1 - (1 - s^r)^b` for short texts as well as long ones
//!   (the tests check it over many random pairs).

use std::sync::OnceLock;

use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

use crate::config::DedupConfig;

/// Lanes are processed in blocks of this many (a multiple of every vector width above).
const BLOCK: usize = 16;

pub struct MinHasher {
    /// Multipliers (odd) and offsets of the hash functions, padded to a whole number of blocks.
    mul: Vec<u32>,
    add: Vec<u32>,
    num_hashes: usize,
    /// The odd base of the polynomial that combines word hashes into a shingle hash.
    base: u64,
    shingle_words: usize,
    bands: usize,
    rows: usize,
    seed: u64,
    kernel: Kernel,
}

/// Which compiled copy of the signature loop this CPU runs.
#[derive(Clone, Copy)]
enum Kernel {
    Portable,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Kernel {
    fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                return Kernel::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return Kernel::Avx2;
            }
        }
        Kernel::Portable
    }
}

/// SplitMix64: a small, well-known generator for reproducible hash parameters.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The 64-bit finaliser of MurmurHash3: every input bit affects every output bit.
fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Byte classes for the ASCII fast path: separators, bytes to drop, the lowercase form of
/// letters and digits, and a marker for the start of a non-ASCII character. The markers are
/// bytes that never occur in UTF-8, so only lowercase letters and digits are their own class.
const SPACE: u8 = 0xfd;
const DROP: u8 = 0xfe;
const NON_ASCII: u8 = 0xff;
static CLASS: [u8; 256] = {
    let mut t = [NON_ASCII; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else if matches!(c, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ') {
            // Exactly the ASCII characters for which `char::is_whitespace` holds.
            SPACE
        } else {
            DROP
        };
        b += 1;
    }
    t
};

/// Entries of the table of U+0080..U+07FF: dropped, a separator, a letter whose lowercase is
/// more than one character, a letter or digit that is its own lowercase, or else the UTF-8
/// bytes of its (single) lowercase form, with their count in the top byte.
const T_DROP: u32 = 0;
const T_SPACE: u32 = 1;
const T_EXPANDS: u32 = 2;
const T_SAME: u32 = 3;

/// The index in that table of the character encoded as `b0 b1`.
#[inline(always)]
fn two_byte_index(b0: u8, b1: u8) -> usize {
    ((usize::from(b0 & 0x1f) << 6) | usize::from(b1 & 0x3f)) - 0x80
}

/// The two-byte UTF-8 characters classified once by the Unicode rules (about a third of a
/// millisecond, once), so Cyrillic or Greek text does not pay a table search per character.
fn two_byte_chars() -> &'static [u32; 0x780] {
    static TABLE: OnceLock<[u32; 0x780]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [T_DROP; 0x780];
        for (slot, cp) in t.iter_mut().zip(0x80u32..0x800) {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            *slot = if c.is_whitespace() {
                T_SPACE
            } else if !c.is_alphanumeric() {
                T_DROP
            } else {
                let mut lower = c.to_lowercase();
                match (lower.next(), lower.next()) {
                    (Some(l), None) if l == c => T_SAME,
                    (Some(l), None) => {
                        let mut utf8 = [0u8; 4];
                        let len = l.encode_utf8(&mut utf8).len();
                        utf8[3] = len as u8;
                        u32::from_le_bytes(utf8)
                    }
                    _ => T_EXPANDS,
                }
            };
        }
        t
    })
}

/// Blocks of letters with no case and no separators or punctuation among them (CJK
/// ideographs, kana, Hangul syllables): kept as they are without a table search.
fn is_caseless_letter(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{ac00}'..='\u{d7a3}' | '\u{3041}'..='\u{3096}' | '\u{30a1}'..='\u{30fa}')
}

/// For the General Punctuation block (dashes, quotes, bullets, spaces of every width; no
/// letters or digits): whether the character is whitespace. `None` outside the block.
fn general_punctuation(c: char) -> Option<bool> {
    matches!(c, '\u{2000}'..='\u{206f}').then(|| {
        matches!(
            c,
            '\u{2000}'..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}'
        )
    })
}

fn push_lowercase(word: &mut Vec<u8>, c: Option<char>) {
    let mut utf8 = [0u8; 4];
    for l in c.into_iter().flat_map(char::to_lowercase) {
        word.extend_from_slice(l.encode_utf8(&mut utf8).as_bytes());
    }
}

impl MinHasher {
    pub fn new(cfg: &DedupConfig) -> Self {
        let mut state = cfg.seed;
        let num_hashes = cfg.num_hashes;
        let padded = num_hashes.div_ceil(BLOCK) * BLOCK;
        let (mut mul, mut add) = (Vec::with_capacity(padded), Vec::with_capacity(padded));
        for _ in 0..num_hashes {
            let r = splitmix(&mut state);
            mul.push((r as u32) | 1);
            add.push((r >> 32) as u32);
        }
        // Padding lanes repeat the first functions; their values are cut off.
        for i in num_hashes..padded {
            mul.push(mul.get(i % num_hashes.max(1)).copied().unwrap_or(1));
            add.push(add.get(i % num_hashes.max(1)).copied().unwrap_or(0));
        }
        let shingle_words = cfg.shingle_words.max(1);
        let base = splitmix(&mut state) | 1;
        MinHasher {
            mul,
            add,
            num_hashes,
            base,
            shingle_words,
            bands: cfg.bands,
            rows: cfg.rows_per_band,
            seed: cfg.seed,
            kernel: Kernel::detect(),
        }
    }

    /// Hashes of the text's words: split on whitespace (`char::is_whitespace`), letters and
    /// digits kept (`char::is_alphanumeric`), lowercased; words left empty are skipped.
    ///
    /// A word already in its final form (lowercase ASCII letters and digits, the common case)
    /// is hashed where it lies in the text; any other is rebuilt in a buffer.
    fn word_hashes(&self, text: &str, out: &mut Vec<u64>) {
        let bytes = text.as_bytes();
        let two = two_byte_chars();
        let mut word: Vec<u8> = Vec::with_capacity(64);
        let mut i = 0;
        while i < bytes.len() {
            // Skip ASCII separators.
            if CLASS[bytes[i] as usize] == SPACE {
                i += 1;
                continue;
            }
            // Runs of lowercase ASCII letters and digits and runs of two-byte characters that
            // are their own lowercase (a loop per kind is quicker than one loop for both).
            let start = i;
            loop {
                while i < bytes.len() && CLASS[bytes[i] as usize] == bytes[i] {
                    i += 1;
                }
                let run = i;
                while let Some(&b) = bytes.get(i)
                    && b & 0xe0 == 0xc0
                    && two[two_byte_index(b, bytes[i + 1])] == T_SAME
                {
                    i += 2;
                }
                if i == run {
                    break;
                }
            }
            if i == bytes.len() || CLASS[bytes[i] as usize] == SPACE {
                out.push(xxh3_64_with_seed(&bytes[start..i], self.seed));
                continue;
            }
            // The slow path, to the end of the word.
            word.clear();
            word.extend_from_slice(&bytes[start..i]);
            while i < bytes.len() {
                let b = bytes[i];
                let class = CLASS[b as usize];
                if class < 0x80 {
                    word.push(class);
                    i += 1;
                } else if class == DROP {
                    i += 1;
                } else if class == SPACE {
                    break;
                } else if b & 0xe0 == 0xc0 {
                    // U+0080..U+07FF (Latin, Greek, Cyrillic, Hebrew, Arabic...): by table.
                    // The text is valid UTF-8, so a continuation byte follows.
                    let at = two_byte_index(b, bytes[i + 1]);
                    i += 2;
                    match two[at] {
                        T_DROP => {}
                        T_SPACE => break,
                        T_SAME => word.extend_from_slice(&bytes[i - 2..i]),
                        T_EXPANDS => push_lowercase(&mut word, char::from_u32(at as u32 + 0x80)),
                        utf8 => {
                            // The lowercase form's UTF-8 bytes, length in the top byte.
                            let [b0, b1, b2, len] = utf8.to_le_bytes();
                            word.push(b0);
                            if len > 1 {
                                word.push(b1);
                            }
                            if len > 2 {
                                word.push(b2);
                            }
                        }
                    }
                } else {
                    // `i` is always at a character boundary: every branch advances by whole
                    // characters.
                    let c = text[i..].chars().next().unwrap_or(' ');
                    let len = c.len_utf8();
                    i += len;
                    if is_caseless_letter(c) {
                        word.extend_from_slice(&bytes[i - len..i]);
                    } else if let Some(space) = general_punctuation(c) {
                        if space {
                            break;
                        }
                    } else if c.is_whitespace() {
                        break;
                    } else if c.is_alphanumeric() {
                        push_lowercase(&mut word, Some(c));
                    }
                }
            }
            if !word.is_empty() {
                out.push(xxh3_64_with_seed(&word, self.seed));
            }
        }
    }

    /// 32-bit hashes of the text's word shingles (a text shorter than a shingle is one
    /// shingle): a polynomial in the words' hashes, `w0*P^(n-1) + ... + w(n-1)`, rolled from
    /// one shingle to the next with two multiplications, then mixed.
    fn shingles(&self, text: &str) -> Vec<u32> {
        let mut words = Vec::with_capacity(text.len() / 4);
        self.word_hashes(text, &mut words);
        if words.is_empty() {
            return Vec::new();
        }
        let n = self.shingle_words.min(words.len());
        let p = self.base;
        // P^(n-1), the weight of the word that leaves the window.
        let top = (1..n).fold(1u64, |acc, _| acc.wrapping_mul(p));
        let mut h = words[..n]
            .iter()
            .fold(0u64, |h, w| h.wrapping_mul(p).wrapping_add(*w));
        let mut out = Vec::with_capacity(words.len() - n + 1);
        out.push((fmix64(h) >> 32) as u32);
        for (old, new) in words.iter().zip(&words[n..]) {
            h = h
                .wrapping_sub(old.wrapping_mul(top))
                .wrapping_mul(p)
                .wrapping_add(*new);
            out.push((fmix64(h) >> 32) as u32);
        }
        out
    }

    /// The MinHash signature: per hash function, the least value over all shingles. The hash
    /// functions are `a*x + b` over 32-bit integers with odd `a` (a permutation of the 32-bit
    /// space) applied to shingle hashes that are already uniformly spread; the tests below
    /// check that this keeps the estimates unbiased and the band collisions on the S-curve.
    pub fn signature(&self, text: &str) -> Vec<u32> {
        let shingles = self.shingles(text);
        let mut sig = vec![u32::MAX; self.mul.len()];
        match self.kernel {
            Kernel::Portable => fold_all(&shingles, &self.mul, &self.add, &mut sig),
            // SAFETY: `Kernel::detect` chose these only when the CPU has the feature.
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => unsafe { fold_avx2(&shingles, &self.mul, &self.add, &mut sig) },
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => unsafe { fold_avx512(&shingles, &self.mul, &self.add, &mut sig) },
        }
        sig.truncate(self.num_hashes);
        sig
    }

    /// One key per band: the band's index and a hash of its rows, as `NN:hhhhhhhhhhhhhhhh`.
    pub fn band_keys(&self, sig: &[u32]) -> Vec<String> {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut bytes = Vec::with_capacity(self.rows * 4);
        sig.chunks(self.rows.max(1))
            .take(self.bands)
            .enumerate()
            .map(|(i, rows)| {
                bytes.clear();
                for v in rows {
                    bytes.extend_from_slice(&v.to_le_bytes());
                }
                let h = xxh3_64(&bytes);
                let mut key = if i < 100 {
                    let mut k = String::with_capacity(19);
                    k.push(char::from(b'0' + (i / 10) as u8));
                    k.push(char::from(b'0' + (i % 10) as u8));
                    k
                } else {
                    i.to_string()
                };
                let mut hex = [b':'; 17];
                for (d, slot) in hex[1..].iter_mut().enumerate() {
                    *slot = HEX[((h >> (60 - 4 * d)) & 0xf) as usize];
                }
                key.push_str(std::str::from_utf8(&hex).unwrap_or_default());
                key
            })
            .collect()
    }
}

/// `sig[l] = min(sig[l], min over x of mul[l]*x + add[l])` for one block of `W` lanes. The
/// block's minima stay in registers while all shingles go by.
#[inline(always)]
fn fold_block<const W: usize>(xs: &[u32], mul: &[u32], add: &[u32], sig: &mut [u32]) {
    let (Ok(mul), Ok(add), Ok(sig)) = (
        <&[u32; W]>::try_from(mul),
        <&[u32; W]>::try_from(add),
        <&mut [u32; W]>::try_from(sig),
    ) else {
        unreachable!("blocks are cut to W lanes")
    };
    let mut acc = *sig;
    for &x in xs {
        for ((slot, a), b) in acc.iter_mut().zip(mul).zip(add) {
            *slot = (*slot).min(a.wrapping_mul(x).wrapping_add(*b));
        }
    }
    *sig = acc;
}

/// All lanes (a multiple of `BLOCK`): blocks of 32 while they last, then one of 16.
#[inline(always)]
fn fold_all(xs: &[u32], mul: &[u32], add: &[u32], sig: &mut [u32]) {
    let mut l = 0;
    while l + 32 <= sig.len() {
        let r = l..l + 32;
        fold_block::<32>(xs, &mul[r.clone()], &add[r.clone()], &mut sig[r]);
        l += 32;
    }
    if l < sig.len() {
        let r = l..l + BLOCK;
        fold_block::<BLOCK>(xs, &mul[r.clone()], &add[r.clone()], &mut sig[r]);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn fold_avx2(xs: &[u32], mul: &[u32], add: &[u32], sig: &mut [u32]) {
    fold_all(xs, mul, add, sig)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn fold_avx512(xs: &[u32], mul: &[u32], add: &[u32], sig: &mut [u32]) {
    fold_all(xs, mul, add, sig)
}

/// Estimated Jaccard similarity of two signatures.
pub fn similarity(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() {
        return 0.0;
    }
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / a.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn text(seed: usize, n: usize) -> String {
        (0..n)
            .map(|i| format!("word{}", (i * 7919 + seed * 104_729) % 5000))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A small deterministic generator for the statistical tests.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            splitmix(&mut self.0)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// `1 - (1 - s^r)^b`: the probability that two documents with Jaccard similarity `s` share
    /// at least one of `b` bands of `r` rows, for independent hash functions.
    fn s_curve(s: f64, bands: i32, rows: i32) -> f64 {
        1.0 - (1.0 - s.powi(rows)).powi(bands)
    }

    fn shares_a_band(m: &MinHasher, a: &str, b: &str) -> bool {
        let (ka, kb) = (m.band_keys(&m.signature(a)), m.band_keys(&m.signature(b)));
        ka.iter().zip(&kb).any(|(x, y)| x == y)
    }

    #[test]
    fn near_copies_share_a_band_and_unrelated_texts_do_not() {
        let m = MinHasher::new(&DedupConfig::default());
        let a = text(1, 400);
        // Same text with a few words changed at the end: Jaccard well above 0.8.
        let b = format!("{} extra tail words here", &a[..a.len() - 40]);
        let c = text(2, 400);
        let (sa, sb, sc) = (m.signature(&a), m.signature(&b), m.signature(&c));
        assert_eq!(sa.len(), 112);
        assert!(similarity(&sa, &sb) > 0.8, "{}", similarity(&sa, &sb));
        assert!(similarity(&sa, &sc) < 0.1);
        let (ka, kb, kc) = (m.band_keys(&sa), m.band_keys(&sb), m.band_keys(&sc));
        assert_eq!(ka.len(), 14);
        assert!(ka.iter().zip(&kb).any(|(x, y)| x == y));
        assert!(!ka.iter().zip(&kc).any(|(x, y)| x == y));
    }

    #[test]
    fn band_keys_keep_their_format() {
        let m = MinHasher::new(&DedupConfig::default());
        let keys = m.band_keys(&m.signature(&text(3, 50)));
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(k.len(), 19, "{k}");
            assert_eq!(&k[..3], format!("{i:02}:"));
            assert!(
                k[3..]
                    .bytes()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
            );
        }
        let h = xxh3_64(
            &[7u32, 9]
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect::<Vec<_>>(),
        );
        let two = MinHasher::new(&DedupConfig {
            num_hashes: 2,
            bands: 1,
            rows_per_band: 2,
            ..DedupConfig::default()
        });
        assert_eq!(two.band_keys(&[7, 9]), vec![format!("00:{h:016x}")]);
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

    /// Pairs of word sets with an exact Jaccard similarity `s` (one-word shingles, so the
    /// shingle sets are the word sets): `union` distinct words, `s * union` of them shared.
    fn pair_with_jaccard(rng: &mut Rng, s: f64, union: usize) -> (String, String) {
        let shared = (s * union as f64).round() as usize;
        let tag = rng.next();
        let word = |i: usize| format!("t{tag:x}w{i}");
        let mut a: Vec<String> = (0..shared).map(word).collect();
        let mut b = a.clone();
        for i in shared..union {
            if (i - shared).is_multiple_of(2) {
                a.push(word(i));
            } else {
                b.push(word(i));
            }
        }
        (a.join(" "), b.join(" "))
    }

    #[test]
    fn estimates_have_the_variance_of_independent_hashes() {
        // With k independent functions the estimate is Binomial(k, J)/k: variance J(1-J)/k.
        // Correlated functions (a weak hash family) inflate it even when the mean is right.
        let m = MinHasher::new(&DedupConfig {
            shingle_words: 1,
            ..DedupConfig::default()
        });
        let mut rng = Rng(42);
        for (s, union) in [(0.6, 500), (0.6, 60), (0.9, 200)] {
            let pairs = 400;
            let mut sq = 0.0;
            let mut sum = 0.0;
            for _ in 0..pairs {
                let (a, b) = pair_with_jaccard(&mut rng, s, union);
                let exact = (s * union as f64).round() / union as f64;
                let est = similarity(&m.signature(&a), &m.signature(&b));
                sq += (est - exact).powi(2);
                sum += est - exact;
            }
            let (mse, bias) = (sq / pairs as f64, sum / pairs as f64);
            let ideal = s * (1.0 - s) / 112.0;
            // The sample variance of 400 draws is within ~3 standard errors (0.07 each) of
            // the truth; the mean within ~4 of its own.
            assert!(
                mse < 1.25 * ideal,
                "s {s}, {union} words: mse {mse}, ideal {ideal}"
            );
            assert!(
                bias.abs() < 4.0 * (ideal / pairs as f64).sqrt(),
                "s {s}, {union} words: bias {bias}"
            );
        }
    }

    #[test]
    fn band_collisions_follow_the_s_curve() {
        // Over many random pairs, the share that collide in some band must match
        // 1 - (1 - s^8)^14 within 4 standard errors, for short and long texts.
        let m = MinHasher::new(&DedupConfig {
            shingle_words: 1,
            ..DedupConfig::default()
        });
        let mut rng = Rng(7);
        let pairs = 600;
        for union in [60, 400] {
            for s in [0.5, 0.6, 0.7, 0.8, 0.9] {
                let exact = (s * union as f64).round() / union as f64;
                let hits = (0..pairs)
                    .filter(|_| {
                        let (a, b) = pair_with_jaccard(&mut rng, s, union);
                        shares_a_band(&m, &a, &b)
                    })
                    .count();
                let (p, seen) = (s_curve(exact, 14, 8), hits as f64 / pairs as f64);
                let tolerance = 4.0 * (p * (1.0 - p) / pairs as f64).sqrt() + 0.005;
                assert!(
                    (seen - p).abs() < tolerance,
                    "{union} words, J {exact:.3}: {seen:.3} of pairs share a band, S-curve {p:.3}"
                );
            }
        }
    }

    #[test]
    fn five_word_shingles_collide_as_their_true_jaccard_predicts() {
        // The default configuration end to end: texts of unique random words, copies with
        // some words replaced, the true Jaccard of their 5-word shingle sets computed
        // directly; the collision rate must match the mean S-curve value of the pairs.
        let m = MinHasher::new(&DedupConfig::default());
        let mut rng = Rng(99);
        for (len, edits) in [(60, 2), (300, 7), (300, 14)] {
            let pairs = 500;
            let (mut expected, mut var, mut hits) = (0.0, 0.0, 0usize);
            for _ in 0..pairs {
                let tag = rng.next();
                let a: Vec<String> = (0..len).map(|i| format!("x{tag:x}y{i}")).collect();
                let mut b = a.clone();
                for e in 0..edits {
                    let at = rng.below(len);
                    b[at] = format!("edit{tag:x}n{e}");
                }
                let sh = |w: &[String]| -> HashSet<String> {
                    w.windows(5).map(|g| g.join(" ")).collect()
                };
                let (sa, sb) = (sh(&a), sh(&b));
                let j = sa.intersection(&sb).count() as f64 / sa.union(&sb).count() as f64;
                let p = s_curve(j, 14, 8);
                expected += p;
                var += p * (1.0 - p);
                hits += usize::from(shares_a_band(&m, &a.join(" "), &b.join(" ")));
            }
            let n = pairs as f64;
            let (seen, expected) = (hits as f64 / n, expected / n);
            let tolerance = 4.0 * var.sqrt() / n + 0.005;
            assert!(
                (seen - expected).abs() < tolerance,
                "{len} words, {edits} edits: {seen:.3} share a band, S-curve says {expected:.3}"
            );
        }
    }

    /// The words the MinHasher hashes, by the plain Unicode rules (what the fast path must
    /// reproduce): split on whitespace, keep alphanumerics, lowercase, drop empty words.
    fn reference_words(text: &str) -> Vec<String> {
        text.split_whitespace()
            .map(|w| {
                w.chars()
                    .filter(|c| c.is_alphanumeric())
                    .flat_map(char::to_lowercase)
                    .collect::<String>()
            })
            .filter(|w| !w.is_empty())
            .collect()
    }

    #[test]
    fn word_splitting_follows_the_unicode_rules() {
        let m = MinHasher::new(&DedupConfig::default());
        let texts = [
            "The quick brown fox, jumps over the lazy dog.",
            "tabs\tand\nnewlines\r\nand\x0bvertical\x0cfeeds",
            "no\u{a0}break\u{2003}em\u{3000}ideographic\u{85}next\u{2028}line",
            "\u{1c}\u{1f} are not spaces: a\u{1c}b",
            "Straße İstanbul ΣΊΣΥΦΟΣ KELVIN \u{212a} Ǆemal",
            "日本語のテキスト 한국어 текст на русском",
            "e\u{301}tude (combining) -- ... !!! ?? 123,456.78 snake_case",
            "emoji 🙂 between 🙂words🙂 and ZWJ 👩‍💻 and\u{200b}zero-width",
            "",
            "   \n\t ",
            "trailing-word",
        ];
        for t in texts {
            let mut got = Vec::new();
            m.word_hashes(t, &mut got);
            let want: Vec<u64> = reference_words(t)
                .iter()
                .map(|w| xxh3_64_with_seed(w.as_bytes(), m.seed))
                .collect();
            assert_eq!(got, want, "{t:?}: {:?}", reference_words(t));
        }
    }

    #[test]
    fn fast_paths_agree_with_the_unicode_rules_for_every_character() {
        // Every character up to U+FFFF and a sample above, each alone, inside a word and
        // next to a space, against the plain `char` methods.
        let m = MinHasher::new(&DedupConfig::default());
        let all: Vec<char> = (0u32..0x1_0000)
            .chain((0x1_0000..0x11_0000).step_by(97))
            .filter_map(char::from_u32)
            .collect();
        for chunk in all.chunks(64) {
            let mut t = String::new();
            for &c in chunk {
                t.extend([c, 'a', c, c, ' ', c, 'Z', '\u{e9}', c]);
            }
            let mut got = Vec::new();
            m.word_hashes(&t, &mut got);
            let want: Vec<u64> = reference_words(&t)
                .iter()
                .map(|w| xxh3_64_with_seed(w.as_bytes(), m.seed))
                .collect();
            assert_eq!(got, want, "{chunk:?}");
        }
        assert!(
            ('\u{0}'..='\u{10ffff}')
                .filter(|&c| is_caseless_letter(c))
                .all(|c| c.is_alphanumeric() && c.to_lowercase().eq([c]))
        );
    }

    #[test]
    fn random_texts_split_as_the_unicode_rules_say() {
        // Mostly lowercase runs (the fast path) broken by every kind of character, at every
        // offset.
        let pool: Vec<char> = (0u8..128)
            .map(char::from)
            .chain(
                "abcdefghijklmnopqrstuvwxyz0123456789"
                    .chars()
                    .cycle()
                    .take(300),
            )
            .chain("éЖжİ\u{a0}\u{2003}’한ßΣ\u{85}".chars())
            .collect();
        let m = MinHasher::new(&DedupConfig::default());
        let mut rng = Rng(5);
        for _ in 0..3000 {
            let len = rng.below(40);
            let t: String = (0..len).map(|_| pool[rng.below(pool.len())]).collect();
            let mut got = Vec::new();
            m.word_hashes(&t, &mut got);
            let want: Vec<u64> = reference_words(&t)
                .iter()
                .map(|w| xxh3_64_with_seed(w.as_bytes(), m.seed))
                .collect();
            assert_eq!(got, want, "{t:?}");
        }
    }

    #[test]
    fn rolled_shingle_hashes_equal_the_polynomial_of_each_window() {
        let m = MinHasher::new(&DedupConfig::default());
        for n in [1usize, 4, 5, 6, 40] {
            let t: String = (0..n).map(|i| format!("w{i} ")).collect();
            let mut words = Vec::new();
            m.word_hashes(&t, &mut words);
            let direct: Vec<u32> = words
                .windows(5.min(n))
                .map(|g| {
                    let h = g
                        .iter()
                        .fold(0u64, |h, w| h.wrapping_mul(m.base).wrapping_add(*w));
                    (fmix64(h) >> 32) as u32
                })
                .collect();
            assert_eq!(m.shingles(&t), direct, "{n} words");
        }
    }

    #[test]
    fn signature_ignores_case_and_punctuation() {
        let m = MinHasher::new(&DedupConfig::default());
        assert_eq!(
            m.signature("The quick brown fox jumps over the lazy dog."),
            m.signature("the QUICK brown fox, jumps over the lazy dog")
        );
    }

    #[test]
    fn every_kernel_computes_the_same_signature() {
        let m = MinHasher::new(&DedupConfig::default());
        let shingles = m.shingles(&text(5, 300));
        let mut portable = vec![u32::MAX; m.mul.len()];
        fold_all(&shingles, &m.mul, &m.add, &mut portable);
        // A scalar reference, lane by lane.
        let scalar: Vec<u32> = (0..m.mul.len())
            .map(|l| {
                shingles
                    .iter()
                    .map(|&x| m.mul[l].wrapping_mul(x).wrapping_add(m.add[l]))
                    .min()
                    .unwrap_or(u32::MAX)
            })
            .collect();
        assert_eq!(portable, scalar);
        let mut sig = m.signature(&text(5, 300));
        sig.resize(m.mul.len(), 0);
        assert_eq!(&sig[..112], &scalar[..112]);
    }
}
