//! Document quality filters in the style of Gopher, C4 and FineWeb (as datatrove implements
//! them). Each returns the name of the rule that dropped the document, so every drop is
//! accounted for as `filter: <group>.<rule>`.

use std::collections::HashSet;

use rustc_hash::FxHashMap;
use xxhash_rust::xxh3::xxh3_64;

use crate::config::FilterConfig;

/// A document failed a rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Dropped {
    /// `gopher.min_words`, `fineweb.line_punct_ratio`, ...
    pub rule: &'static str,
    pub detail: String,
}

impl Dropped {
    pub fn reason(&self) -> String {
        format!("filter: {}", self.rule)
    }
}

const STOP_WORDS: [&str; 8] = ["the", "be", "to", "of", "and", "that", "have", "with"];
const BULLETS: [char; 8] = ['•', '●', '○', '■', '□', '▪', '‣', '–'];
const TERMINAL: [char; 10] = ['.', '!', '?', '"', '\'', '”', '’', '…', ')', ':'];

fn drop(rule: &'static str, detail: String) -> Result<(), Dropped> {
    Err(Dropped { rule, detail })
}

/// Apply every enabled rule group. `language` is the document's ISO 639-1 code: rules that
/// only make sense in English (stop words) apply to English only.
pub fn check(text: &str, language: &str, cfg: &FilterConfig) -> Result<(), Dropped> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if cfg.gopher.enabled {
        gopher(text, &words, &lines, language, cfg)?;
    }
    if cfg.repetition.enabled {
        repetition(text, &words, &lines, cfg)?;
    }
    if cfg.c4.enabled {
        c4(text, cfg)?;
    }
    if cfg.fineweb.enabled {
        fineweb(text, &words, &lines, cfg)?;
    }
    Ok(())
}

fn strip_punct(w: &str) -> &str {
    w.trim_matches(|c: char| !c.is_alphanumeric())
}

/// Gopher's symbols (`#`, `...`, `…`) in all the words. Counted over the whole text, which
/// gives the sum over its words: none of them holds whitespace, so no match spans two words.
fn symbols(text: &str) -> usize {
    let b = text.as_bytes();
    memchr::memchr_iter(b'#', b).count()
        + memchr::memmem::find_iter(b, b"...").count()
        + memchr::memmem::find_iter(b, "…".as_bytes()).count()
}

fn gopher(
    text: &str,
    words: &[&str],
    lines: &[&str],
    language: &str,
    cfg: &FilterConfig,
) -> Result<(), Dropped> {
    let g = &cfg.gopher;
    let n = words.len() as u64;
    if n < g.min_words {
        return drop("gopher.min_words", format!("{n} words < {}", g.min_words));
    }
    if n > g.max_words {
        return drop("gopher.max_words", format!("{n} words > {}", g.max_words));
    }
    let stripped: Vec<&str> = words
        .iter()
        .map(|w| strip_punct(w))
        .filter(|w| !w.is_empty())
        .collect();
    if !stripped.is_empty() {
        let mean = stripped.iter().map(|w| w.chars().count()).sum::<usize>() as f64
            / stripped.len() as f64;
        if mean < g.min_mean_word_length || mean > g.max_mean_word_length {
            return drop(
                "gopher.mean_word_length",
                format!(
                    "mean word length {mean:.2} outside [{}, {}]",
                    g.min_mean_word_length, g.max_mean_word_length
                ),
            );
        }
    }
    let ratio = symbols(text) as f64 / n as f64;
    if ratio > g.max_symbol_word_ratio {
        return drop(
            "gopher.symbol_word_ratio",
            format!("{ratio:.3} > {}", g.max_symbol_word_ratio),
        );
    }
    if !lines.is_empty() {
        let bullets = lines
            .iter()
            .filter(|l| l.starts_with(BULLETS) || l.starts_with("- ") || l.starts_with("* "))
            .count() as f64
            / lines.len() as f64;
        if bullets > g.max_bullet_lines_ratio {
            return drop(
                "gopher.bullet_lines_ratio",
                format!("{bullets:.3} > {}", g.max_bullet_lines_ratio),
            );
        }
        let ellipsis = lines
            .iter()
            .filter(|l| l.ends_with("...") || l.ends_with('…'))
            .count() as f64
            / lines.len() as f64;
        if ellipsis > g.max_ellipsis_lines_ratio {
            return drop(
                "gopher.ellipsis_lines_ratio",
                format!("{ellipsis:.3} > {}", g.max_ellipsis_lines_ratio),
            );
        }
    }
    let alpha = words
        .iter()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .count() as f64
        / n as f64;
    if alpha < g.min_alpha_words_ratio {
        return drop(
            "gopher.alpha_words_ratio",
            format!("{alpha:.3} < {}", g.min_alpha_words_ratio),
        );
    }
    if language == "en" {
        let stops = stripped
            .iter()
            .filter(|w| STOP_WORDS.iter().any(|s| s.eq_ignore_ascii_case(w)))
            .count() as u64;
        if stops < g.min_stop_words {
            return drop(
                "gopher.stop_words",
                format!("{stops} stop words < {}", g.min_stop_words),
            );
        }
    }
    Ok(())
}

/// Characters in lines that repeat an earlier line, and how many such lines.
fn duplicate_lines(lines: &[&str]) -> (usize, usize) {
    let mut seen = HashSet::new();
    let (mut dup_lines, mut dup_chars) = (0, 0);
    for l in lines {
        if !seen.insert(*l) {
            dup_lines += 1;
            dup_chars += l.chars().count();
        }
    }
    (dup_lines, dup_chars)
}

fn repetition(
    text: &str,
    words: &[&str],
    lines: &[&str],
    cfg: &FilterConfig,
) -> Result<(), Dropped> {
    let r = &cfg.repetition;
    let total_chars = text.chars().filter(|c| !c.is_whitespace()).count().max(1) as f64;
    if !lines.is_empty() {
        let (dup_lines, dup_chars) = duplicate_lines(lines);
        let frac = dup_lines as f64 / lines.len() as f64;
        if frac > r.max_duplicate_lines_ratio {
            return drop(
                "repetition.duplicate_lines_ratio",
                format!("{frac:.3} > {}", r.max_duplicate_lines_ratio),
            );
        }
        let line_chars: usize = lines.iter().map(|l| l.chars().count()).sum();
        let frac = dup_chars as f64 / line_chars.max(1) as f64;
        if frac > r.max_duplicate_line_chars_ratio {
            return drop(
                "repetition.duplicate_line_chars_ratio",
                format!("{frac:.3} > {}", r.max_duplicate_line_chars_ratio),
            );
        }
    }
    // Each word hashed once (lowercased, punctuation stripped) with its length in chars; an
    // n-gram is counted by a hash mixed from its words' hashes, so no n-gram is ever built as
    // text.
    let mut buf = Vec::new();
    let hashed: Vec<(u64, usize)> = words.iter().map(|w| word_hash(w, &mut buf)).collect();
    for (n, max, rule) in [
        (2, r.max_top_2gram_ratio, "repetition.top_2gram_ratio"),
        (3, r.max_top_3gram_ratio, "repetition.top_3gram_ratio"),
        (4, r.max_top_4gram_ratio, "repetition.top_4gram_ratio"),
    ] {
        if let Some((count, gram_chars)) = top_ngram(&hashed, n) {
            if count < 2 {
                continue;
            }
            let frac = (gram_chars * count) as f64 / total_chars;
            if frac > max {
                return drop(rule, format!("{frac:.3} > {max}"));
            }
        }
    }
    Ok(())
}

/// The hash of a word lowercased with its punctuation stripped, and its length in chars then.
/// `buf` is scratch space, kept between words.
fn word_hash(w: &str, buf: &mut Vec<u8>) -> (u64, usize) {
    buf.clear();
    let w = strip_punct(w);
    if w.is_ascii() {
        // Most words: a char is a byte, lowercased by itself.
        buf.extend(w.bytes().map(|b| b.to_ascii_lowercase()));
        return (xxh3_64(buf), buf.len());
    }
    let mut chars = 0;
    for c in w.chars().flat_map(char::to_lowercase) {
        buf.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
        chars += 1;
    }
    (xxh3_64(buf), chars)
}

/// The most frequent n-gram of `hashed` words: how often it occurs and its length in chars
/// (the largest such length among n-grams of the top count), or `None` for fewer than `n`
/// words.
fn top_ngram(hashed: &[(u64, usize)], n: usize) -> Option<(usize, usize)> {
    if hashed.len() < n {
        return None;
    }
    // The n-gram's key mixes its word hashes (64-bit, well spread by xxh3) with a multiply and
    // a rotation per word, the order of the words included.
    let mut counts: FxHashMap<u64, (usize, usize)> =
        FxHashMap::with_capacity_and_hasher(hashed.len(), Default::default());
    for g in hashed.windows(n) {
        let key = g.iter().fold(0u64, |k, (h, _)| {
            (k.rotate_left(23) ^ h).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        });
        let chars = g.iter().map(|(_, c)| c).sum();
        counts.entry(key).or_insert((0, chars)).0 += 1;
    }
    counts.into_values().max()
}

fn c4(text: &str, cfg: &FilterConfig) -> Result<(), Dropped> {
    let c = &cfg.c4;
    if c.drop_lorem_ipsum && has_lorem_ipsum(text) {
        return drop("c4.lorem_ipsum", "contains \"lorem ipsum\"".to_string());
    }
    if c.drop_curly_bracket && text.contains('{') {
        return drop("c4.curly_bracket", "contains a curly bracket".to_string());
    }
    let sentences = count_sentences(text) as u64;
    if sentences < c.min_sentences {
        return drop(
            "c4.min_sentences",
            format!("{sentences} sentences < {}", c.min_sentences),
        );
    }
    Ok(())
}

/// Whether the lowercased text holds "lorem ipsum", found by an ASCII case-insensitive search
/// instead of in a lowercased copy of the text. The two agree: besides ASCII letters, only
/// U+212A KELVIN SIGN (to `k`, not in the phrase) and U+0130 (to `i` and a combining dot,
/// which keeps that `i` from a `p`) lowercase to ASCII letters.
fn has_lorem_ipsum(text: &str) -> bool {
    const NEEDLE: &[u8] = b"lorem ipsum";
    memchr::memchr2_iter(b'l', b'L', text.as_bytes()).any(|i| {
        text.as_bytes()[i..]
            .get(..NEEDLE.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(NEEDLE))
    })
}

fn count_sentences(text: &str) -> usize {
    let mut n = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if matches!(c, '.' | '!' | '?' | '。' | '！' | '？')
            && chars
                .peek()
                .is_none_or(|n| n.is_whitespace() || matches!(n, '"' | '”' | '’' | ')'))
        {
            n += 1;
        }
    }
    n
}

fn fineweb(text: &str, words: &[&str], lines: &[&str], cfg: &FilterConfig) -> Result<(), Dropped> {
    let f = &cfg.fineweb;
    if lines.is_empty() {
        return drop("fineweb.line_punct_ratio", "no lines".to_string());
    }
    let n = lines.len() as f64;
    let punct = lines.iter().filter(|l| l.ends_with(TERMINAL)).count() as f64 / n;
    if punct < f.min_line_punct_ratio {
        return drop(
            "fineweb.line_punct_ratio",
            format!("{punct:.3} < {}", f.min_line_punct_ratio),
        );
    }
    let short = lines
        .iter()
        .filter(|l| l.chars().count() <= f.short_line_chars)
        .count() as f64
        / n;
    if short > f.max_short_lines_ratio {
        return drop(
            "fineweb.short_lines_ratio",
            format!("{short:.3} > {}", f.max_short_lines_ratio),
        );
    }
    let (_, dup_chars) = duplicate_lines(lines);
    let total = text.chars().filter(|c| *c != '\n').count().max(1) as f64;
    let dup = dup_chars as f64 / total;
    if dup > f.max_char_duplicates_ratio {
        return drop(
            "fineweb.char_duplicates_ratio",
            format!("{dup:.3} > {}", f.max_char_duplicates_ratio),
        );
    }
    let newlines = text.matches('\n').count() as f64 / words.len().max(1) as f64;
    if newlines > f.max_newline_ratio {
        return drop(
            "fineweb.newline_ratio",
            format!("{newlines:.3} > {}", f.max_newline_ratio),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use rand::{Rng, SeedableRng};

    use super::*;
    use crate::testdata::corpus_texts;

    fn prose() -> String {
        "The committee met on Tuesday to discuss the budget for the coming year. \
         Members agreed that the library should have longer opening hours, and that the \
         funds for this would come from the reserve. A final vote is expected next month, \
         after the public has had a chance to comment on the proposal with the council.\n\n\
         Residents who wish to speak at the hearing should register with the clerk's office \
         before noon on the day of the meeting. Written comments are also welcome and will \
         be read into the record. The chair thanked everyone for their patience."
            .to_string()
    }

    #[test]
    fn prose_passes() {
        assert_eq!(check(&prose(), "en", &FilterConfig::default()), Ok(()));
    }

    #[test]
    fn each_failure_names_its_rule() {
        let cfg = FilterConfig::default();
        assert_eq!(
            check("Too short to keep.", "en", &cfg).unwrap_err().rule,
            "gopher.min_words"
        );
        let menu = "Home\nAbout us\nProducts\nContact\n".repeat(20);
        let rule = check(&menu, "en", &cfg).unwrap_err().rule;
        assert!(
            rule.starts_with("gopher") || rule.starts_with("repetition"),
            "{rule}"
        );
        let lorem = format!("{} Lorem ipsum dolor sit amet.", prose());
        assert_eq!(
            check(&lorem, "en", &cfg).unwrap_err().rule,
            "c4.lorem_ipsum"
        );
        let spam = format!("{}\n{}", prose(), "buy cheap pills now ".repeat(40));
        let rule = check(&spam, "en", &cfg).unwrap_err().rule;
        assert!(rule.starts_with("repetition."), "{rule}");
        let no_stops = "Quick brown foxes jump over lazy dogs. ".repeat(10);
        assert_eq!(
            check(&no_stops, "en", &cfg).unwrap_err().rule,
            "gopher.stop_words"
        );
    }

    /// Random texts over an alphabet of the characters the rules weigh, in any case.
    fn random_texts() -> Vec<String> {
        let alphabet = [
            "lorem", "LoReM", "ipsum", "IPSUM", " ", "  ", "\n", "\u{a0}", "\u{3000}", "#", ".",
            "..", "…", "l", "L", "İ", "\u{212a}", "ſ", "Straße", "ÉCOLE", "the", "The", "x,",
            "(y)", "'", "Ω", "数字", "-",
        ];
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        (0..400)
            .map(|_| {
                (0..60)
                    .map(|_| alphabet[rng.random_range(0..alphabet.len())])
                    .collect()
            })
            .collect()
    }

    #[test]
    fn quick_counts_agree_with_the_rules_as_written() {
        // Each against the plain form of its rule: symbols word by word, "lorem ipsum" in a
        // lowercased copy, a word's key from its lowercased string.
        let corpus = corpus_texts();
        let mut buf = Vec::new();
        for t in random_texts().iter().chain(&corpus) {
            let per_word: usize = t
                .split_whitespace()
                .map(|w| w.matches('#').count() + w.matches("...").count() + w.matches('…').count())
                .sum();
            assert_eq!(symbols(t), per_word, "{t:?}");
            assert_eq!(
                has_lorem_ipsum(t),
                t.to_lowercase().contains("lorem ipsum"),
                "{t:?}"
            );
            for w in t.split_whitespace() {
                let lower: String = strip_punct(w)
                    .chars()
                    .flat_map(char::to_lowercase)
                    .collect();
                assert_eq!(
                    word_hash(w, &mut buf),
                    (xxh3_64(lower.as_bytes()), lower.chars().count()),
                    "{w:?}"
                );
            }
        }
    }

    #[test]
    fn the_top_ngram_is_the_one_counted_by_its_words() {
        // Against counts keyed by the n-gram's word hashes themselves, which cannot collide:
        // the corpus, random texts, and texts where one phrase repeats.
        let mut texts = corpus_texts();
        texts.extend(random_texts());
        texts.push(format!(
            "{} {}",
            "buy cheap pills now ".repeat(40),
            corpus_texts().concat()
        ));
        let mut buf = Vec::new();
        for t in &texts {
            let hashed: Vec<(u64, usize)> = t
                .split_whitespace()
                .map(|w| word_hash(w, &mut buf))
                .collect();
            for n in 2..=4 {
                let mut exact: HashMap<Vec<u64>, (usize, usize)> = HashMap::new();
                for g in hashed.windows(n) {
                    let key = g.iter().map(|(h, _)| *h).collect();
                    let chars = g.iter().map(|(_, c)| c).sum();
                    exact.entry(key).or_insert((0, chars)).0 += 1;
                }
                assert_eq!(
                    top_ngram(&hashed, n),
                    exact.into_values().max(),
                    "{n}: {t:.80}"
                );
            }
        }
    }

    #[test]
    fn stop_word_rule_is_english_only() {
        let mut cfg = FilterConfig::default();
        cfg.repetition.enabled = false;
        let german =
            "Die Gemeinde traf sich am Dienstag, um den Haushalt zu besprechen. ".repeat(8);
        assert!(check(&german, "de", &cfg).is_ok());
    }
}
