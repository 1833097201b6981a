//! Token counting for chunking and statistics. `cl100k_base` and `o200k_base` use GitHub's
//! `bpe-openai` vocabularies and BPE (same tokens as tiktoken); `p50k_base` and `r50k_base`
//! fall back to tiktoken-rs. All four tables are inside the CLI and read from files by the
//! Lambda functions ([`crate::vocab`]).
//!
//! Counting is pre-tokenizing (cutting the text into the pieces tiktoken's regex finds) and
//! then BPE on each piece. A profile of `bpe-openai`'s own `count` put most of the time in the
//! regex and in the two allocations its BPE makes per piece, though most pieces of prose are
//! a single token (" the", " and"). So `cl100k_base` is pre-tokenized by hand
//! ([`crate::pretokenize`]), a piece that is itself a token is counted by one hash look-up, and
//! one of up to 15 bytes that is not is merged pair by pair as tiktoken does it
//! (`Singles::merge_count`); only longer pieces go to `bpe`'s encoder.
//!
//! Within one text, the count of each distinct piece is kept (keyed by the piece packed into an
//! integer, `pack`, or by its bytes in the text when longer): a word's second and later
//! occurrences cost a look-up in a table small enough to stay in cache, instead of the vocabulary
//! look-up (100k entries, mostly cache misses) and, for words of two or more tokens, the merging
//! or BPE. On the corpus, 40% of the multi-token pieces of a page occurred
//! earlier in the same page; the table lives for one call only, so a page never pays for or profits
//! from another page.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::sync::OnceLock;

use rustc_hash::{FxBuildHasher, FxHashMap};

use crate::error::{Error, Result};
use crate::vocab::{self, Encoding};

/// A piece of at most 15 bytes as one integer: its bytes and, in the top byte, its length.
/// Tables keyed by it compare two integers, where a key of `&[u8]` sends the look-up through
/// a pointer to compare bytes elsewhere in memory: for the vocabulary, whose tokens lie
/// scattered over megabytes, that was a second cache miss per look-up (`memcmp` took 9-15% of
/// the chunk bench's samples under `perf`). Almost every piece of prose is this short.
fn pack(bytes: &[u8]) -> Option<u128> {
    // Byte `i` goes to bits `8 * i..`; the reads overlap for lengths that are no power of two,
    // and an overlapping byte lands where it belongs from both, so OR keeps it. This runs for
    // every piece, and copying a slice of variable length into an array called `memcpy`.
    let le = |i: usize, n: usize| -> u128 {
        let mut word = [0u8; 8];
        word[..n].copy_from_slice(&bytes[i..i + n]);
        u128::from(u64::from_le_bytes(word)) << (8 * i)
    };
    let len = bytes.len();
    let body = match len {
        0 => 0,
        1..=3 => {
            u128::from(bytes[0])
                | u128::from(bytes[len / 2]) << (8 * (len / 2))
                | u128::from(bytes[len - 1]) << (8 * (len - 1))
        }
        4..=7 => le(0, 4) | le(len - 4, 4),
        8..=15 => le(0, 8) | le(len - 8, 8),
        _ => return None,
    };
    Some(body | (len as u128) << 120)
}

/// A token's rank in its vocabulary: merging takes the adjacent pair of lowest rank first.
/// (Token ids are the lines of the tiktoken file in order, so they order as its ranks do.)
const NO_RANK: u32 = u32::MAX;

/// Every token of a vocabulary by its bytes, with its rank: a piece found here is one token,
/// and a short piece that is not is counted by merging ([`Singles::merge_count`]).
struct Singles {
    /// Tokens of at most 15 bytes, [`pack`]ed.
    short: HashMap<u128, u32, FxBuildHasher>,
    long: HashSet<&'static [u8], FxBuildHasher>,
    /// The rank of each token of two bytes, indexed by the bytes as a `u16`, or NO_RANK:
    /// merging starts by looking up every pair of adjacent bytes.
    pairs: Box<[u32]>,
}

impl Singles {
    fn new(tok: &'static bpe_openai::Tokenizer) -> Self {
        let bpe = &tok.bpe;
        let mut set = Singles {
            short: HashMap::with_capacity_and_hasher(bpe.num_tokens(), Default::default()),
            long: HashSet::default(),
            pairs: vec![NO_RANK; 1 << 16].into_boxed_slice(),
        };
        for id in 0..bpe.num_tokens() as u32 {
            let bytes = bpe.token_bytes(id);
            if let [a, b] = bytes {
                set.pairs[usize::from(u16::from_be_bytes([*a, *b]))] = id;
            }
            match pack(bytes) {
                Some(key) => {
                    set.short.insert(key, id);
                }
                None => {
                    set.long.insert(bytes);
                }
            }
        }
        set
    }

    /// Whether `piece`, packed as `key` when short, is one token.
    fn contains(&self, piece: &[u8], key: Option<u128>) -> bool {
        match key {
            Some(key) => self.short.contains_key(&key),
            None => self.long.contains(piece),
        }
    }

    /// Tokens in `piece` (2 to 15 bytes, not itself a token) by byte-pair merging as tiktoken
    /// does it: from single bytes, merge the adjacent pair whose bytes are the token of lowest
    /// rank, until no pair is a token. `bpe`'s backtracking encoder gives the same count but
    /// allocates twice per call and checks each pair of tokens it tries with several look-ups
    /// in a table of pairs; here every look-up is of a packed key (or, for two bytes, an
    /// index). For the words of two to six tokens that reach this, that is a quarter fewer
    /// cache misses, and token counting ran 38% faster side by side.
    fn merge_count(&self, piece: &[u8]) -> usize {
        let n = piece.len();
        debug_assert!((2..16).contains(&n));
        // Part `i` is `piece[start[i]..start[i + 1]]`; `rank[i]` ranks parts `i` and `i + 1`
        // merged.
        let mut start = [0u8; 16];
        let mut rank = [NO_RANK; 15];
        for (i, s) in start.iter_mut().enumerate().take(n + 1) {
            *s = i as u8;
        }
        for (r, w) in rank.iter_mut().zip(piece.windows(2)) {
            *r = self.pairs[usize::from(u16::from_be_bytes([w[0], w[1]]))];
        }
        let rank_of = |a: u8, b: u8| {
            pack(&piece[usize::from(a)..usize::from(b)])
                .and_then(|k| self.short.get(&k).copied())
                .unwrap_or(NO_RANK)
        };
        let mut parts = n;
        loop {
            let (mut best, mut min) = (0, NO_RANK);
            for (i, &r) in rank[..parts - 1].iter().enumerate() {
                if r < min {
                    (best, min) = (i, r);
                }
            }
            if min == NO_RANK {
                return parts;
            }
            // Part `best + 1` joins part `best`.
            start.copy_within(best + 2..=parts, best + 1);
            rank.copy_within((best + 2).min(parts - 1)..parts - 1, best + 1);
            parts -= 1;
            // (When the last pair merged, `rank[best]` lies past the pairs left: no update.)
            if best + 1 < parts {
                rank[best] = rank_of(start[best], start[best + 2]);
            }
            if best > 0 {
                rank[best - 1] = rank_of(start[best - 1], start[best + 1]);
            }
        }
    }
}

/// The tokenizer of a bpe-openai encoding with its [`Singles`], made on first use.
fn bpe(encoding: Encoding) -> Result<(&'static bpe_openai::Tokenizer, &'static Singles)> {
    static SINGLES: [OnceLock<Singles>; 4] = [const { OnceLock::new() }; 4];
    let tok = vocab::tokenizer(encoding)?;
    let singles = SINGLES[encoding as usize].get_or_init(|| Singles::new(tok));
    Ok((tok, singles))
}

fn piece_count(tok: &bpe_openai::Tokenizer, singles: &Singles, piece: &str) -> usize {
    keyed_count(tok, singles, piece, pack(piece.as_bytes()))
}

/// [`piece_count`] of a piece already packed (`key`, `None` when too long to pack).
fn keyed_count(
    tok: &bpe_openai::Tokenizer,
    singles: &Singles,
    piece: &str,
    key: Option<u128>,
) -> usize {
    if singles.contains(piece.as_bytes(), key) {
        1
    } else if key.is_some() && piece.len() > 1 {
        singles.merge_count(piece.as_bytes())
    } else {
        // Merging costs up to the square of the length: long pieces go to the linear encoder.
        tok.bpe.count(piece.as_bytes())
    }
}

/// Calls `f(start, piece)` for the pre-tokenizer's pieces of `text`, in order: the hand-written
/// one for `cl100k_base`, the tokenizer's regex otherwise.
fn each_piece<'t>(
    tok: &'static bpe_openai::Tokenizer,
    cl100k: bool,
    text: &'t str,
    mut f: impl FnMut(usize, &'t str),
) {
    let base = text.as_ptr() as usize;
    let mut emit = |p: &'t str| f(p.as_ptr() as usize - base, p);
    if cl100k {
        crate::pretokenize::cl100k_pieces(text).for_each(&mut emit);
    } else {
        tok.split(text).for_each(&mut emit);
    }
}

/// Token counts of the distinct pieces of one text (see the module's documentation).
struct PieceCounts<'t> {
    tok: &'static bpe_openai::Tokenizer,
    singles: &'static Singles,
    seen: Option<Seen<'t>>,
}

/// The counts kept for one text, keyed as [`Singles`] are: packed when short.
struct Seen<'t> {
    short: FxHashMap<u128, u32>,
    long: FxHashMap<&'t str, u32>,
}

impl<'t> PieceCounts<'t> {
    fn new(
        tok: &'static bpe_openai::Tokenizer,
        singles: &'static Singles,
        text_len: usize,
        cache: bool,
    ) -> Self {
        // About one distinct piece per 16 bytes of prose; a wrong guess only costs a regrowth.
        let seen = cache.then(|| Seen {
            short: FxHashMap::with_capacity_and_hasher(
                (text_len / 16).min(1 << 16),
                Default::default(),
            ),
            long: FxHashMap::default(),
        });
        PieceCounts { tok, singles, seen }
    }

    fn count(&mut self, piece: &'t str) -> usize {
        let (tok, singles) = (self.tok, self.singles);
        let key = pack(piece.as_bytes());
        match (&mut self.seen, key) {
            (None, _) => keyed_count(tok, singles, piece, key),
            (Some(seen), Some(k)) => {
                kept(&mut seen.short, k, || keyed_count(tok, singles, piece, key))
            }
            (Some(seen), None) => kept(&mut seen.long, piece, || {
                keyed_count(tok, singles, piece, key)
            }),
        }
    }
}

/// The count kept in `map` under `key`, or `count()`, kept.
fn kept<K: Hash + Eq>(map: &mut FxHashMap<K, u32>, key: K, count: impl FnOnce() -> usize) -> usize {
    match map.entry(key) {
        Entry::Occupied(e) => *e.get() as usize,
        Entry::Vacant(e) => {
            let n = count();
            // A piece is at most the whole text, so its count fits unless the text is over
            // 4 GiB; such a count is simply not kept.
            if let Ok(k) = u32::try_from(n) {
                e.insert(k);
            }
            n
        }
    }
}

#[derive(Clone, Copy)]
pub struct TokenCounter(Kind);

#[derive(Clone, Copy)]
enum Kind {
    Bpe {
        tok: &'static bpe_openai::Tokenizer,
        singles: &'static Singles,
        /// Pre-tokenize by hand ([`crate::pretokenize`]) instead of with the regex.
        cl100k: bool,
    },
    Tiktoken(&'static tiktoken_rs::CoreBPE),
}

impl TokenCounter {
    /// The counter of a tiktoken encoding. Fails for an unknown name and, in a build that reads
    /// the bpe-openai tables from files (the Lambda functions'), for a missing or unusable
    /// file ([`Error::Vocab`], naming it); the table is read by the first call.
    pub fn for_encoding(name: &str) -> Result<Self> {
        let encoding = Encoding::from_name(name)
            .ok_or_else(|| Error::Config(format!("unknown encoding {name:?}")))?;
        Ok(TokenCounter(match encoding {
            Encoding::Cl100k | Encoding::O200k => {
                let (tok, singles) = bpe(encoding)?;
                Kind::Bpe {
                    tok,
                    singles,
                    cl100k: encoding == Encoding::Cl100k,
                }
            }
            Encoding::P50k | Encoding::R50k => Kind::Tiktoken(vocab::tiktoken(encoding)?),
        }))
    }

    /// The number of tokens tiktoken's `encode_ordinary` gives for `text`.
    pub fn count(&self, text: &str) -> usize {
        self.count_reusing(text, |_, _| None)
    }

    /// [`Self::count`], taking the count of a piece from `known(start, end)` where it has one:
    /// a chunk's pieces are mostly pieces of the whole text, already counted.
    pub fn count_reusing(
        &self,
        text: &str,
        known: impl FnMut(usize, usize) -> Option<usize>,
    ) -> usize {
        self.count_with(text, known, true)
    }

    fn count_with(
        &self,
        text: &str,
        mut known: impl FnMut(usize, usize) -> Option<usize>,
        cache: bool,
    ) -> usize {
        match self.0 {
            Kind::Bpe {
                tok,
                singles,
                cl100k,
            } => {
                let mut counts = PieceCounts::new(tok, singles, text.len(), cache);
                let mut n = 0;
                each_piece(tok, cl100k, text, |start, p| {
                    n += known(start, start + p.len()).unwrap_or_else(|| counts.count(p));
                });
                n
            }
            Kind::Tiktoken(t) => t.encode_ordinary(text).len(),
        }
    }

    /// Whether a slice `text[a..b]` that does not end in whitespace is cut into the same pieces
    /// as `text` from any piece start of `text` in it, up to the last piece of `text` that ends
    /// by `b`. True for the hand-written `cl100k_base` pre-tokenizer ([`crate::pretokenize`]):
    /// it decides a piece from the text at its start and after, and looks past the piece's end
    /// only at the next character or, for whitespace, to the end of the run (which lies inside
    /// such a slice). The chunker then counts a chunk from prefix sums and pre-tokenizes only
    /// its two ends.
    pub fn pieces_resynchronise(&self) -> bool {
        matches!(self.0, Kind::Bpe { cl100k: true, .. })
    }

    /// Counts the pieces of `text` from its start until one ends at an offset `at` for which
    /// `stop(at)` holds (checked in increasing order) or the text ends; returns the tokens
    /// counted and the offset reached.
    pub fn count_until(&self, text: &str, mut stop: impl FnMut(usize) -> bool) -> (usize, usize) {
        match self.0 {
            Kind::Bpe {
                tok,
                singles,
                cl100k: true,
            } => {
                let (mut n, mut at) = (0, 0);
                for p in crate::pretokenize::cl100k_pieces(text) {
                    n += piece_count(tok, singles, p);
                    at += p.len();
                    if stop(at) {
                        break;
                    }
                }
                (n, at)
            }
            _ => (self.count(text), text.len()),
        }
    }

    /// Calls `f(start, end, tokens)` for consecutive pieces covering `text`, in order.
    ///
    /// For `cl100k_base` and `o200k_base` the pieces are the pre-tokenizer's, so the counts add
    /// up to [`Self::count`] of the whole text. The tiktoken-rs encodings do not expose their
    /// pre-tokenizer; there a piece is a word with the whitespace before it, counted alone, and
    /// the sum is close to but not always the count of the whole.
    pub fn for_each_piece(&self, text: &str, f: impl FnMut(usize, usize, usize)) {
        self.for_each_piece_with(text, f, true)
    }

    fn for_each_piece_with(&self, text: &str, mut f: impl FnMut(usize, usize, usize), cache: bool) {
        match self.0 {
            Kind::Bpe {
                tok,
                singles,
                cl100k,
            } => {
                let mut counts = PieceCounts::new(tok, singles, text.len(), cache);
                each_piece(tok, cl100k, text, |start, p| {
                    f(start, start + p.len(), counts.count(p));
                });
            }
            Kind::Tiktoken(t) => {
                let mut start = 0;
                let mut in_space = true;
                for (i, c) in text.char_indices() {
                    let space = c.is_whitespace();
                    if space && !in_space && i > start {
                        f(start, i, t.encode_ordinary(&text[start..i]).len());
                        start = i;
                    }
                    in_space = space;
                }
                if start < text.len() {
                    f(start, text.len(), t.encode_ordinary(&text[start..]).len());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXTS: [&str; 5] = [
        "Hello, world! The café's naïve crème brûlée costs €4.50 — 40% off.",
        "  leading spaces\n\n\ttabs and\r\nnewlines   trailing  ",
        "数字 1234567 and emoji 🎉🎉 mixed with code: fn main() { println!(\"x\"); }",
        "",
        "antidisestablishmentarianism's  Pneumonoultramicroscopic 'LL 'Ve x'D",
    ];

    #[test]
    fn counts_match_tiktoken_for_every_encoding() {
        for (name, reference) in [
            ("cl100k_base", tiktoken_rs::cl100k_base_singleton()),
            ("o200k_base", tiktoken_rs::o200k_base_singleton()),
            ("p50k_base", tiktoken_rs::p50k_base_singleton()),
        ] {
            let c = TokenCounter::for_encoding(name).unwrap();
            for t in TEXTS {
                assert_eq!(
                    c.count(t),
                    reference.encode_ordinary(t).len(),
                    "{name}: {t:?}"
                );
            }
        }
        assert!(TokenCounter::for_encoding("gpt2").is_err());
    }

    #[test]
    fn kept_piece_counts_change_no_count() {
        // Texts where pieces recur (the cache answers) and the corpus pages, counted with and
        // without the per-text table, piece by piece and in total, against tiktoken too.
        let corpus = crate::testdata::corpus_texts();
        let repeated = TEXTS.concat().repeat(3);
        let texts: Vec<&str> = TEXTS
            .iter()
            .copied()
            .chain([repeated.as_str()])
            .chain(corpus.iter().map(String::as_str))
            .collect();
        for name in ["cl100k_base", "o200k_base"] {
            let c = TokenCounter::for_encoding(name).unwrap();
            let reference = match name {
                "cl100k_base" => tiktoken_rs::cl100k_base_singleton(),
                _ => tiktoken_rs::o200k_base_singleton(),
            };
            for t in &texts {
                let pieces = |cache| {
                    let mut v = Vec::new();
                    c.for_each_piece_with(t, |s, e, n| v.push((s, e, n)), cache);
                    v
                };
                assert_eq!(pieces(true), pieces(false), "{name}: {t:?}");
                let cached = c.count_with(t, |_, _| None, true);
                assert_eq!(cached, c.count_with(t, |_, _| None, false), "{name}");
                assert_eq!(cached, reference.encode_ordinary(t).len(), "{name}");
            }
        }
    }

    #[test]
    fn packing_keeps_every_byte_in_its_place() {
        let bytes: Vec<u8> = (1..=16).collect();
        for len in 0..16 {
            let mut want = [0u8; 16];
            want[..len].copy_from_slice(&bytes[..len]);
            want[15] = len as u8;
            assert_eq!(
                pack(&bytes[..len]),
                Some(u128::from_le_bytes(want)),
                "{len}"
            );
        }
        assert_eq!(pack(&bytes), None);
    }

    #[test]
    fn merging_gives_the_counts_of_bpe() {
        // Every piece of the corpus and of the texts above, and random byte strings of every
        // length merging takes (random bytes make pieces no vocabulary has as one token).
        let corpus = crate::testdata::corpus_texts().concat();
        let mut pieces: Vec<Vec<u8>> = Vec::new();
        for t in TEXTS.iter().copied().chain([corpus.as_str()]) {
            pieces.extend(crate::pretokenize::cl100k_pieces(t).map(|p| p.as_bytes().to_vec()));
        }
        let alphabet = b"etaoin shrdluETAO'-.,0123456789\xc3\xa9\xd0\xb4\xe2\x80\x94";
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for len in 2..16 {
            for _ in 0..500 {
                pieces.push(
                    (0..len)
                        .map(|_| {
                            x ^= x << 13;
                            x ^= x >> 7;
                            x ^= x << 17;
                            alphabet[(x % alphabet.len() as u64) as usize]
                        })
                        .collect(),
                );
            }
        }
        for encoding in [Encoding::Cl100k, Encoding::O200k] {
            let (tok, singles) = bpe(encoding).unwrap();
            let mut merged = 0;
            for p in &pieces {
                if p.len() < 2 || p.len() > 15 || singles.contains(p, pack(p)) {
                    continue;
                }
                merged += 1;
                let want = tok.bpe.count(p);
                assert_eq!(singles.merge_count(p), want, "{encoding:?}: {p:?}");
            }
            assert!(merged > 5_000, "{encoding:?}: {merged} pieces merged");
        }
    }

    #[test]
    fn pieces_cover_the_text_in_order() {
        for name in ["cl100k_base", "o200k_base", "p50k_base"] {
            let c = TokenCounter::for_encoding(name).unwrap();
            for t in TEXTS {
                let mut at = 0;
                c.for_each_piece(t, |s, e, _| {
                    assert_eq!(s, at, "{name}: {t:?}");
                    assert!(e > s);
                    at = e;
                });
                assert_eq!(at, t.len(), "{name}: {t:?}");
            }
        }
    }
}
