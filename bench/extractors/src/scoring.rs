//! Scoring in the convention of the Scrapinghub article-extraction-benchmark
//! (`evaluate.py`): `\w+` tokens (Unicode word characters, case kept), word
//! 4-gram shingles compared as multisets, per-page precision and recall,
//! averaged over pages, F1 from the two averages.
//!
//! Edge cases, as in `evaluate.py`:
//! - a text with 1..=3 tokens is one shingle made of all its tokens; a text
//!   with no token has no shingle;
//! - per page: if there is neither an extra nor a missing shingle, precision
//!   and recall are 1; if nothing was matched, the score is 0;
//! - the precision average is taken over pages where the prediction has at
//!   least one shingle (`tp + fp > 0`), the recall average over pages where
//!   the truth has one (`tp + fn > 0`). So an empty prediction for a non-empty
//!   truth counts as recall 0 and is left out of the precision average.
//!
//! Because leaving empty pages out of the precision average flatters an
//! extractor that gives up, [`Summary`] also carries a strict variant where
//! such a page counts as precision 0.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

/// Shingle length in words.
pub const NGRAM: usize = 4;

static TOKEN_RE: LazyLock<Regex> = LazyLock::new(|| {
    // Rust's `\w` is Unicode-aware by default, like Python 3's `re` on `str`.
    Regex::new(r"\w+").expect("static regex is valid")
});

/// Matched, extra and missing shingles of one page (raw counts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub tp: u64,
    pub fp: u64,
    pub fn_: u64,
}

impl Counts {
    /// Page precision as in `evaluate.py::precision_score`.
    pub fn precision(&self) -> f64 {
        if self.fp == 0 && self.fn_ == 0 {
            1.0
        } else if self.tp == 0 && self.fp == 0 {
            0.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        }
    }

    /// Page recall as in `evaluate.py::recall_score`.
    pub fn recall(&self) -> f64 {
        if self.fp == 0 && self.fn_ == 0 {
            1.0
        } else if self.tp == 0 && self.fn_ == 0 {
            0.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        }
    }

    /// The prediction had at least one shingle.
    pub fn has_prediction(&self) -> bool {
        self.tp + self.fp > 0
    }

    /// The truth had at least one shingle.
    pub fn has_truth(&self) -> bool {
        self.tp + self.fn_ > 0
    }
}

pub fn tokenize(text: &str) -> Vec<&str> {
    TOKEN_RE.find_iter(text).map(|m| m.as_str()).collect()
}

fn shingles<'a>(tokens: &'a [&'a str]) -> HashMap<&'a [&'a str], u64> {
    let mut map: HashMap<&[&str], u64> = HashMap::new();
    if tokens.is_empty() {
        return map;
    }
    if tokens.len() < NGRAM {
        map.insert(tokens, 1);
        return map;
    }
    for w in tokens.windows(NGRAM) {
        *map.entry(w).or_insert(0) += 1;
    }
    map
}

/// Compare one prediction against its ground truth.
pub fn shingle_counts(truth: &str, pred: &str) -> Counts {
    let t_tokens = tokenize(truth);
    let p_tokens = tokenize(pred);
    let t = shingles(&t_tokens);
    let p = shingles(&p_tokens);
    let mut c = Counts::default();
    for (k, &tc) in &t {
        let pc = p.get(k).copied().unwrap_or(0);
        c.tp += tc.min(pc);
        c.fn_ += tc.saturating_sub(pc);
    }
    for (k, &pc) in &p {
        let tc = t.get(k).copied().unwrap_or(0);
        c.fp += pc.saturating_sub(tc);
    }
    c
}

/// Corpus-level figures.
#[derive(Debug, Clone, Copy, Default)]
pub struct Summary {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Precision with empty predictions counted as 0 instead of left out.
    pub precision_strict: f64,
    pub f1_strict: f64,
}

fn mean(xs: impl Iterator<Item = f64>) -> f64 {
    let (s, n) = xs.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    if n == 0 {
        0.0
    } else {
        s / n as f64
    }
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

pub fn summarize(pages: &[Counts]) -> Summary {
    let precision = mean(
        pages
            .iter()
            .filter(|c| c.has_prediction())
            .map(Counts::precision),
    );
    let recall = mean(pages.iter().filter(|c| c.has_truth()).map(Counts::recall));
    let precision_strict = mean(
        pages
            .iter()
            .filter(|c| c.has_prediction() || c.has_truth())
            .map(Counts::precision),
    );
    Summary {
        precision,
        recall,
        f1: f1(precision, recall),
        precision_strict,
        f1_strict: f1(precision_strict, recall),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unicode_words() {
        assert_eq!(
            tokenize("Öl, café—naïve_x 42!  日本"),
            vec!["Öl", "café", "naïve_x", "42", "日本"]
        );
    }

    #[test]
    fn identical_texts_score_one() {
        let c = shingle_counts("a b c d e f", "a b c d e f");
        assert_eq!(
            c,
            Counts {
                tp: 3,
                fp: 0,
                fn_: 0
            }
        );
        assert_eq!(c.precision(), 1.0);
        assert_eq!(c.recall(), 1.0);
    }

    #[test]
    fn extra_and_missing_are_multisets() {
        // truth shingles: [a b c d] x1, [b c d e] x1
        // pred: "a b c d a b c d" -> [a b c d] x2, [b c d a] x1, [c d a b] x1, [d a b c] x1
        let c = shingle_counts("a b c d e", "a b c d a b c d");
        assert_eq!(
            c,
            Counts {
                tp: 1,
                fp: 4,
                fn_: 1
            }
        );
        assert!((c.precision() - 0.2).abs() < 1e-12);
        assert!((c.recall() - 0.5).abs() < 1e-12);
    }

    #[test]
    fn short_texts_are_one_shingle() {
        assert_eq!(
            shingle_counts("a b", "a b"),
            Counts {
                tp: 1,
                fp: 0,
                fn_: 0
            }
        );
        assert_eq!(
            shingle_counts("a b", "a b c"),
            Counts {
                tp: 0,
                fp: 1,
                fn_: 1
            }
        );
    }

    #[test]
    fn empty_prediction_is_recall_zero_and_out_of_precision_mean() {
        let pages = [
            shingle_counts("a b c d e", ""),
            shingle_counts("a b c d e", "a b c d e"),
        ];
        assert_eq!(
            pages[0],
            Counts {
                tp: 0,
                fp: 0,
                fn_: 2
            }
        );
        let s = summarize(&pages);
        assert_eq!(s.precision, 1.0);
        assert_eq!(s.recall, 0.5);
        assert_eq!(s.precision_strict, 0.5);
        assert!((s.f1 - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(s.f1_strict, 0.5);
    }

    #[test]
    fn case_is_kept() {
        assert_eq!(
            shingle_counts("The cat sat down", "the cat sat down"),
            Counts {
                tp: 0,
                fp: 1,
                fn_: 1
            }
        );
    }
}
