//! Cutting a text into chunks of at most `max_tokens` tokens that end at the strongest
//! boundary in reach (paragraph, then line, sentence, word), with consecutive chunks sharing
//! up to `overlap_tokens` tokens.
//!
//! Why not `text-splitter` (used before): it sizes every candidate chunk by counting its
//! tokens from scratch, a dozen or more times per chunk, so chunking cost several token counts
//! of the whole text. Here the text is pre-tokenized and counted once; a candidate's size is a
//! difference of prefix sums, and only the chunk finally chosen is counted again, exactly, so
//! no chunk exceeds `max_tokens` by the tokenizer's own count even where a piece boundary of
//! the whole text is not one of the chunk alone.

use std::ops::Range;

use crate::error::{Error, Result};
use crate::tokens::TokenCounter;

/// A chunk of a text: a trimmed slice of it and its exact token count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextChunk<'a> {
    pub text: &'a str,
    /// Byte offset of `text` in the whole text.
    pub offset: usize,
    pub tokens: usize,
}

/// Strength of a boundary between two pieces, weakest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    /// Inside a word (or a run of symbols or digits).
    Inside,
    Word,
    Sentence,
    Line,
    Paragraph,
    /// The end of the text.
    End,
}

pub struct Chunker {
    counter: TokenCounter,
    max_tokens: usize,
    overlap_tokens: usize,
}

/// Pieces of one text: where each starts, the tokens before it, the boundary before it.
struct Pieces {
    /// `starts[i]` is the byte offset of piece `i`; `starts[n]` is the text's length.
    starts: Vec<usize>,
    /// `before[i]` is the number of tokens in pieces `0..i`.
    before: Vec<usize>,
    /// `level[i]` is the strength of the boundary at `starts[i]`.
    level: Vec<Level>,
    /// Whether some piece was too long and cut into parts: the parts' counts are their own,
    /// so sums across them are not the count of the piece.
    cut: bool,
}

impl Chunker {
    pub fn new(counter: TokenCounter, max_tokens: usize, overlap_tokens: usize) -> Result<Self> {
        if max_tokens == 0 || overlap_tokens >= max_tokens {
            return Err(Error::Config(format!(
                "chunking: overlap ({overlap_tokens}) must be smaller than the chunk size ({max_tokens})"
            )));
        }
        Ok(Chunker {
            counter,
            max_tokens,
            overlap_tokens,
        })
    }

    pub fn chunks<'a>(&self, text: &'a str) -> Vec<TextChunk<'a>> {
        let p = self.pieces(text);
        let n = p.starts.len() - 1;
        let mut out: Vec<TextChunk<'a>> = Vec::new();
        // `s`: first piece of the chunk; `done`: end of the previous chunk, which this one
        // must pass.
        let (mut s, mut done) = (0, 0);
        while s < n {
            if text[p.starts[s.max(done)]..].trim_start().is_empty() {
                break;
            }
            let lo = s.max(done) + 1;
            // Furthest boundary within budget by the prefix sums.
            let mut hi = lo;
            while hi < n && p.before[hi + 1] - p.before[s] <= self.max_tokens {
                hi += 1;
            }
            let (e, chunk) = loop {
                let e = best_end(&p.level, lo, hi);
                let chunk = self.trimmed(text, Some(&p), p.starts[s]..p.starts[e]);
                if chunk.tokens <= self.max_tokens || e == lo {
                    break (e, chunk);
                }
                // The exact count disagrees with the sums (a boundary of the whole text is not
                // one of the chunk alone): try the next boundary back.
                hi = e - 1;
            };
            if chunk.tokens > self.max_tokens {
                if s < done {
                    // The overlap left no room: start where the last chunk ended instead.
                    s = done;
                    continue;
                }
                // One piece alone is too long (pieces are cut to half the budget, so only
                // trimming could do this): fall back to halving it.
                self.split_hard(text, p.starts[s]..p.starts[e], &mut out);
            } else if !chunk.text.is_empty() {
                let end = chunk.offset + chunk.text.len();
                // Only whitespace past the last chunk: nothing new to emit.
                if out.last().is_none_or(|l| end > l.offset + l.text.len()) {
                    out.push(chunk);
                }
            }
            if e == n {
                break;
            }
            done = e;
            s = self.overlap_start(&p, s, e);
        }
        out
    }

    /// Where the next chunk starts: the strongest boundary inside the chunk that leaves at
    /// most `overlap_tokens` after it, the earliest of those; never a weaker boundary than the
    /// one the chunk ended at (up to a sentence), so a chunk cut at a paragraph does not make
    /// the next start mid-sentence.
    fn overlap_start(&self, p: &Pieces, s: usize, e: usize) -> usize {
        if self.overlap_tokens == 0 {
            return e;
        }
        let floor = p.level[e].min(Level::Sentence);
        let mut best = e;
        let mut best_level = Level::Inside;
        let mut b = e - 1;
        // The next chunk must have room for the piece after this one too.
        while b > s
            && p.before[e] - p.before[b] <= self.overlap_tokens
            && p.before[e + 1] - p.before[b] <= self.max_tokens
        {
            if p.level[b] >= floor && (best == e || p.level[b] >= best_level) {
                best = b;
                best_level = p.level[b];
            }
            b -= 1;
        }
        best
    }

    /// `text[range]` without surrounding whitespace, with its exact token count, which takes
    /// the counts of the pieces it shares with the whole text from `p`.
    fn trimmed<'a>(&self, text: &'a str, p: Option<&Pieces>, range: Range<usize>) -> TextChunk<'a> {
        let raw = &text[range.clone()];
        let t = raw.trim();
        let offset = range.start + (raw.len() - raw.trim_start().len());
        let tokens = if t.is_empty() {
            0
        } else if let Some(p) = p
            && self.counter.pieces_resynchronise()
            && !p.cut
        {
            self.count_from_sums(text, p, offset..offset + t.len())
        } else if let Some(p) = p {
            let mut j = p.starts.partition_point(|&s| s < offset);
            self.counter.count_reusing(t, |a, b| {
                let (a, b) = (offset + a, offset + b);
                while j < p.starts.len() && p.starts[j] < a {
                    j += 1;
                }
                (j + 1 < p.starts.len() && p.starts[j] == a && p.starts[j + 1] == b)
                    .then(|| p.before[j + 1] - p.before[j])
            })
        } else {
            self.counter.count(t)
        };
        TextChunk {
            text: t,
            offset,
            tokens,
        }
    }

    /// The exact count of `text[range]` (which starts and ends with no whitespace), when the
    /// pre-tokenizer re-synchronises ([`TokenCounter::pieces_resynchronise`]): its pieces are
    /// counted from its start until one ends where a piece of the whole text starts; from
    /// there on they are the whole text's, whose counts the prefix sums hold, up to the last
    /// piece start at or before the end, from which the rest is pre-tokenized and counted.
    fn count_from_sums(&self, text: &str, p: &Pieces, range: Range<usize>) -> usize {
        let (a, b) = (range.start, range.end);
        // `starts` ends with the text's length, at or past every offset looked up here.
        let mut j = p.starts.partition_point(|&s| s < a);
        let (head, len) = self.counter.count_until(&text[range], |end| {
            while p.starts[j] < a + end {
                j += 1;
            }
            p.starts[j] == a + end
        });
        if a + len >= b {
            return head;
        }
        // `starts[j]` is where the head stopped, before `b`, so `k >= j`.
        let k = p.starts.partition_point(|&s| s <= b) - 1;
        let (tail, _) = self.counter.count_until(&text[p.starts[k]..b], |_| false);
        head + (p.before[k] - p.before[j]) + tail
    }

    /// Last resort for a piece over budget: halves at character boundaries until each part
    /// fits (or is one character, which cannot be split).
    fn split_hard<'a>(&self, text: &'a str, range: Range<usize>, out: &mut Vec<TextChunk<'a>>) {
        let chunk = self.trimmed(text, None, range.clone());
        if chunk.text.is_empty() {
            return;
        }
        let mut mid = chunk.offset + chunk.text.len() / 2;
        while !text.is_char_boundary(mid) {
            mid += 1;
        }
        if chunk.tokens <= self.max_tokens || mid >= chunk.offset + chunk.text.len() {
            out.push(chunk);
            return;
        }
        self.split_hard(text, chunk.offset..mid, out);
        self.split_hard(text, mid..chunk.offset + chunk.text.len(), out);
    }

    fn pieces(&self, text: &str) -> Pieces {
        let cap = text.len() / 4 + 2;
        let mut p = Pieces {
            starts: Vec::with_capacity(cap),
            before: Vec::with_capacity(cap),
            level: Vec::with_capacity(cap),
            cut: false,
        };
        let mut total = 0;
        // A piece longer than half the budget (a long run without spaces) is cut into parts at
        // character boundaries, so that every chunk can hold at least one part.
        let limit = (self.max_tokens / 2).max(1);
        self.counter.for_each_piece(text, |start, end, tokens| {
            if tokens <= limit {
                p.starts.push(start);
                p.before.push(total);
                total += tokens;
            } else {
                p.cut = true;
                self.cut_long(text, start..end, tokens, limit, &mut |s, t| {
                    p.starts.push(s);
                    p.before.push(total);
                    total += t;
                });
            }
        });
        p.starts.push(text.len());
        p.before.push(total);
        let n = p.starts.len() - 1;
        p.level.push(Level::End);
        for i in 1..n {
            p.level.push(boundary(
                &text[p.starts[i - 1]..p.starts[i]],
                &text[p.starts[i]..p.starts[i + 1]],
            ));
        }
        p.level.push(Level::End);
        p
    }

    /// Cuts `text[range]` (about `tokens` tokens) into parts of at most `limit` tokens each,
    /// counted alone; calls `emit(start, tokens)` per part.
    fn cut_long(
        &self,
        text: &str,
        range: Range<usize>,
        tokens: usize,
        limit: usize,
        emit: &mut dyn FnMut(usize, usize),
    ) {
        let len = range.end - range.start;
        let parts = tokens.div_ceil(limit).max(2);
        let mut at = range.start;
        while at < range.end {
            let mut end = (at + len.div_ceil(parts)).min(range.end);
            while !text.is_char_boundary(end) {
                end += 1;
            }
            let t = self.counter.count(&text[at..end]);
            // Recurse only on a strictly shorter range, so the cutting ends.
            if t > limit && end - at > 4 && end - at < len {
                self.cut_long(text, at..end, t, limit, emit);
            } else {
                emit(at, t);
            }
            at = end;
        }
    }
}

/// The last boundary of the strongest level among `lo..=hi`.
fn best_end(level: &[Level], lo: usize, hi: usize) -> usize {
    let mut best = hi;
    let mut best_level = level[hi];
    let mut b = hi;
    while b > lo && best_level < Level::Paragraph {
        b -= 1;
        if level[b] > best_level {
            best = b;
            best_level = level[b];
        }
    }
    best
}

/// Strength of the boundary between piece `prev` and piece `next`.
fn boundary(prev: &str, next: &str) -> Level {
    // Most boundaries lie between a word or a symbol and the next word or symbol (" the| cat",
    // " cat|,", ",| the", ".| The", in any script): decide those from the characters on either
    // side, since this runs once per piece of every text. `boundary_slow` gives the same level
    // for them (a test compares the two): there is no whitespace on either side but one space
    // before the next word, so no newline, and no closing mark hides the last character.
    let mut after = next.chars();
    if let (Some(last), Some(first)) = (prev.chars().next_back(), after.next())
        && !last.is_whitespace()
        && !CLOSING.contains(&last)
    {
        let spaced = first == ' ' && after.next().is_some_and(|c| !c.is_whitespace());
        if spaced || !first.is_whitespace() {
            return if matches!(last, '。' | '！' | '？')
                || (spaced && matches!(last, '.' | '!' | '?' | '…'))
            {
                Level::Sentence
            } else if spaced {
                Level::Word
            } else {
                Level::Inside
            };
        }
    }
    boundary_slow(prev, next)
}

/// Closing quotes and brackets, looked through for the mark that ends a sentence (`end."`).
const CLOSING: [char; 8] = ['"', '\'', ')', ']', '}', '»', '”', '’'];

fn boundary_slow(prev: &str, next: &str) -> Level {
    let newlines = |s: &str, all: bool| {
        let mut n = 0;
        let mut last = 0u8;
        for &b in s.as_bytes().iter().rev() {
            match b {
                b'\n' => n += 1,
                b'\r' if last != b'\n' => n += 1,
                b'\r' => {}
                _ if all && b.is_ascii_whitespace() => {}
                _ => break,
            }
            last = b;
        }
        n
    };
    let prev_space = prev.trim_end().len() < prev.len();
    let next_space = next.trim_start().len() < next.len();
    // A whitespace piece counts all its newlines ("\n  \n" is a paragraph break); any other
    // piece only those it ends with (".\n\n" is one piece).
    let prev_blank = prev_space && prev.trim().is_empty();
    let next_blank = next_space && next.trim().is_empty();
    let nl = newlines(prev, prev_blank).max(if next_blank {
        next.bytes().filter(|&b| b == b'\n').count()
    } else {
        0
    });
    match nl {
        0 => {}
        1 => return Level::Line,
        _ => return Level::Paragraph,
    }
    let end = prev.trim_end().trim_end_matches(CLOSING);
    if let Some(c) = end.chars().next_back() {
        if matches!(c, '。' | '！' | '？') {
            return Level::Sentence;
        }
        if matches!(c, '.' | '!' | '?' | '…') && (next_space || prev_space) {
            return Level::Sentence;
        }
    }
    if prev_space || next_space {
        Level::Word
    } else {
        Level::Inside
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunker(max: usize, overlap: usize) -> Chunker {
        Chunker::new(
            TokenCounter::for_encoding("cl100k_base").unwrap(),
            max,
            overlap,
        )
        .unwrap()
    }

    /// The invariants every chunking must keep; returns the chunks.
    fn check<'a>(c: &Chunker, text: &'a str) -> Vec<TextChunk<'a>> {
        let reference = tiktoken_rs::cl100k_base_singleton();
        let chunks = c.chunks(text);
        let mut covered = 0;
        for ch in &chunks {
            assert!(!ch.text.is_empty());
            assert_eq!(&text[ch.offset..ch.offset + ch.text.len()], ch.text);
            let exact = reference.encode_ordinary(ch.text).len();
            assert_eq!(ch.tokens, exact, "{:?}", ch.text);
            assert!(
                exact <= c.max_tokens || ch.text.chars().count() == 1,
                "{exact} tokens: {:?}",
                ch.text
            );
            // No gap: whatever lies between covered text and this chunk is whitespace.
            assert!(ch.offset <= covered || text[covered..ch.offset].trim().is_empty());
            assert!(ch.offset + ch.text.len() > covered, "no progress");
            covered = ch.offset + ch.text.len();
        }
        assert!(text[covered..].trim().is_empty(), "lost the tail");
        // Deterministic.
        assert_eq!(chunks, c.chunks(text));
        chunks
    }

    #[test]
    fn rejects_overlap_not_below_size() {
        let counter = TokenCounter::for_encoding("cl100k_base").unwrap();
        assert!(Chunker::new(counter, 50, 50).is_err());
        assert!(Chunker::new(counter, 0, 0).is_err());
    }

    #[test]
    fn short_text_is_one_trimmed_chunk() {
        let c = chunker(512, 50);
        let ch = check(&c, "  \n Hello there.\n\n");
        assert_eq!(ch.len(), 1);
        assert_eq!(ch[0].text, "Hello there.");
        assert_eq!(ch[0].offset, 4);
        assert!(c.chunks("").is_empty());
        assert!(c.chunks(" \n\t ").is_empty());
    }

    #[test]
    fn cuts_at_paragraphs_then_sentences() {
        let para = "This sentence has exactly some words in it. ".repeat(6);
        let text = format!("{}\n\n{}\n\n{}", para.trim(), para.trim(), para.trim());
        let c = chunker(140, 0);
        let ch = check(&c, &text);
        assert_eq!(ch.len(), 2, "{ch:?}");
        assert!(ch[0].text.ends_with("in it."));
        assert!(text[ch[0].offset + ch[0].text.len()..].starts_with("\n\n"));
        // One long paragraph: chunks end at sentence ends.
        let long = "A sentence that goes on for a while, then stops. ".repeat(40);
        for ch in check(&chunker(64, 0), &long) {
            assert!(ch.text.ends_with("stops."), "{:?}", ch.text);
        }
    }

    #[test]
    fn overlap_repeats_the_end_of_the_previous_chunk() {
        let long = "Word after word makes a long sentence without an end ".repeat(60);
        let c = chunker(100, 20);
        let ch = check(&c, &long);
        assert!(ch.len() > 3);
        for w in ch.windows(2) {
            let (a, b) = (w[0], w[1]);
            assert!(b.offset < a.offset + a.text.len(), "no overlap");
            let shared = &long[b.offset..a.offset + a.text.len()];
            let n = tiktoken_rs::cl100k_base_singleton()
                .encode_ordinary(shared)
                .len();
            assert!((1..=22).contains(&n), "{n}: {shared:?}");
        }
        let c0 = chunker(100, 0);
        for w in check(&c0, &long).windows(2) {
            assert!(w[1].offset >= w[0].offset + w[0].text.len());
        }
    }

    #[test]
    fn adversarial_texts_stay_within_budget() {
        let texts = [
            "x".repeat(20_000),
            "supercalifragilistic".repeat(500),
            "字".repeat(5_000),
            "日本語のテキストです。".repeat(400),
            "🎉👍🏽👨‍👩‍👧".repeat(800),
            " ".repeat(10_000),
            "\n".repeat(5_000),
            format!("a{}b{}c", " ".repeat(5_000), "\n\n".repeat(2_000)),
            "1234567890".repeat(1_000),
            "!?.,;:-".repeat(2_000),
            "Mixed: word, ".repeat(300) + &"ẞ́".repeat(2_000) + " end.",
            "a\u{301}".repeat(5_000),
        ];
        for max in [16, 100, 512] {
            let c = chunker(max, max / 10);
            for t in &texts {
                check(&c, t);
            }
        }
    }

    #[test]
    fn counts_from_prefix_sums_equal_counting_the_slice() {
        // Slices between piece starts, trimmed as chunks are, of texts where pieces depend on
        // what follows (contractions, digit runs, whitespace before a newline or at the end,
        // symbols then newlines) and of the corpus pages: the count from the sums and the two
        // ends must be the count of the slice alone.
        let mut texts: Vec<String> = [
            "it's IT'S they're we've I'm you'll he'd 'S 'T 'Re 'vE 'lL 'D 'x ' 's's 'ſ 'ſo don't",
            "1 12 123 1234 12345 1,234,567.89 ½¾ ١٢٣٤ Ⅻ",
            "   leading\n\n\ttabs and\r\nnewlines   trailing  x",
            "a  b   c    d\t\te \u{a0}f \u{a0}\u{a0}g \u{3000}h",
            "x\n \n  \n\ny \r\r\n z\n. hello!!!\n\n\nworld ...\r\n end",
            "日本語のテキストです。 한국어 текст на русском, 🎉🎉 emoji!",
        ]
        .iter()
        .map(|t| t.repeat(3))
        .collect();
        texts.extend(crate::testdata::corpus_texts());
        let c = chunker(512, 50);
        assert!(c.counter.pieces_resynchronise());
        let mut state = 0x5eed_u64;
        let mut below = |n: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize % n
        };
        for t in &texts {
            let p = c.pieces(t);
            assert!(!p.cut);
            let n = p.starts.len() - 1;
            for _ in 0..300 {
                let (i, j) = (below(n), below(n) + 1);
                let (i, j) = (i.min(j - 1), i.max(j));
                let raw = &t[p.starts[i]..p.starts[j]];
                let trimmed = raw.trim();
                if trimmed.is_empty() {
                    continue;
                }
                let a = p.starts[i] + (raw.len() - raw.trim_start().len());
                assert_eq!(
                    c.count_from_sums(t, &p, a..a + trimmed.len()),
                    c.counter.count(trimmed),
                    "{trimmed:?}"
                );
            }
        }
    }

    #[test]
    fn the_quick_boundary_agrees_with_the_full_one() {
        use rand::{Rng, SeedableRng};

        // Every pair of adjacent pieces of the corpus and of texts made of the characters the
        // two paths weigh, in random order: the level read from the characters at the seam
        // must be the one the full rules give.
        let corpus = crate::testdata::corpus_texts().concat();
        let alphabet: Vec<&str> = vec![
            "a", "Z", "7", " ", "  ", "\n", "\r", "\t", "\u{b}", "\u{a0}", ".", "!", "?", ",", ";",
            "\"", "'", ")", "]", "}", "»", "”", "’", "…", "。", "！", "？", "é", "д", "字",
            "\u{3000}", "-", "'s", "\u{1}",
        ];
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let mut texts = vec![corpus];
        for _ in 0..200 {
            texts.push(
                (0..200)
                    .map(|_| alphabet[rng.random_range(0..alphabet.len())])
                    .collect(),
            );
        }
        let mut quick = 0;
        for t in &texts {
            let pieces: Vec<&str> = crate::pretokenize::cl100k_pieces(t).collect();
            for w in pieces.windows(2) {
                let level = boundary_slow(w[0], w[1]);
                assert_eq!(boundary(w[0], w[1]), level, "{:?} | {:?}", w[0], w[1]);
                quick += usize::from(level <= Level::Sentence);
            }
        }
        assert!(
            quick > 50_000,
            "too few pairs of the kinds the quick path decides"
        );
    }

    #[test]
    fn corpus_texts_keep_the_invariants() {
        let c = chunker(512, 50);
        let small = chunker(64, 16);
        let mut n = 0;
        for t in crate::testdata::corpus_texts() {
            n += check(&c, &t).len();
            check(&small, &t);
        }
        assert!(n > 0);
    }
}
