//! Token counting for chunking and statistics. `cl100k_base` and `o200k_base` use GitHub's
//! `bpe-openai` vocabularies and BPE (same tokens as tiktoken); `p50k_base` and `r50k_base`
//! fall back to tiktoken-rs. Both ship their vocabularies inside the binary.
//!
//! Counting is pre-tokenizing (cutting the text into the pieces tiktoken's regex finds) and
//! then BPE on each piece. A profile of `bpe-openai`'s own `count` put most of the time in the
//! regex and in the two allocations its BPE makes per piece, though most pieces of prose are
//! a single token (" the", " and"). So `cl100k_base` is pre-tokenized by hand
//! ([`crate::pretokenize`]), and a piece that is itself a token is counted by one hash look-up.

use std::collections::HashSet;
use std::sync::LazyLock;

use crate::error::{Error, Result};

/// The byte strings of every token of a vocabulary: a piece found here is one token.
type Singles = HashSet<&'static [u8], rustc_hash::FxBuildHasher>;

fn singles(tok: &'static bpe_openai::Tokenizer) -> Singles {
    let bpe = &tok.bpe;
    let mut set = Singles::with_capacity_and_hasher(bpe.num_tokens(), Default::default());
    for id in 0..bpe.num_tokens() {
        set.insert(bpe.token_bytes(id as u32));
    }
    set
}

static CL100K_SINGLES: LazyLock<Singles> = LazyLock::new(|| singles(bpe_openai::cl100k_base()));
static O200K_SINGLES: LazyLock<Singles> = LazyLock::new(|| singles(bpe_openai::o200k_base()));

fn piece_count(tok: &bpe_openai::Tokenizer, singles: &Singles, piece: &str) -> usize {
    if singles.contains(piece.as_bytes()) {
        1
    } else {
        tok.bpe.count(piece.as_bytes())
    }
}

/// Calls `f(start, piece)` for the pre-tokenizer's pieces of `text`, in order: the hand-written
/// one for `cl100k_base`, the tokenizer's regex otherwise.
fn each_piece(
    tok: &bpe_openai::Tokenizer,
    cl100k: bool,
    text: &str,
    mut f: impl FnMut(usize, &str),
) {
    let base = text.as_ptr() as usize;
    let mut emit = |p: &str| f(p.as_ptr() as usize - base, p);
    if cl100k {
        crate::pretokenize::cl100k_pieces(text).for_each(&mut emit);
    } else {
        tok.split(text).for_each(&mut emit);
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
    pub fn for_encoding(name: &str) -> Result<Self> {
        Ok(TokenCounter(match name {
            "cl100k_base" => Kind::Bpe {
                tok: bpe_openai::cl100k_base(),
                singles: &CL100K_SINGLES,
                cl100k: true,
            },
            "o200k_base" => Kind::Bpe {
                tok: bpe_openai::o200k_base(),
                singles: &O200K_SINGLES,
                cl100k: false,
            },
            "p50k_base" => Kind::Tiktoken(tiktoken_rs::p50k_base_singleton()),
            "r50k_base" => Kind::Tiktoken(tiktoken_rs::r50k_base_singleton()),
            other => return Err(Error::Config(format!("unknown encoding {other:?}"))),
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
        mut known: impl FnMut(usize, usize) -> Option<usize>,
    ) -> usize {
        match self.0 {
            Kind::Bpe {
                tok,
                singles,
                cl100k,
            } => {
                let mut n = 0;
                each_piece(tok, cl100k, text, |start, p| {
                    n += known(start, start + p.len())
                        .unwrap_or_else(|| piece_count(tok, singles, p));
                });
                n
            }
            Kind::Tiktoken(t) => t.encode_ordinary(text).len(),
        }
    }

    /// Calls `f(start, end, tokens)` for consecutive pieces covering `text`, in order.
    ///
    /// For `cl100k_base` and `o200k_base` the pieces are the pre-tokenizer's, so the counts add
    /// up to [`Self::count`] of the whole text. The tiktoken-rs encodings do not expose their
    /// pre-tokenizer; there a piece is a word with the whitespace before it, counted alone, and
    /// the sum is close to but not always the count of the whole.
    pub fn for_each_piece(&self, text: &str, mut f: impl FnMut(usize, usize, usize)) {
        match self.0 {
            Kind::Bpe {
                tok,
                singles,
                cl100k,
            } => {
                each_piece(tok, cl100k, text, |start, p| {
                    f(start, start + p.len(), piece_count(tok, singles, p));
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
