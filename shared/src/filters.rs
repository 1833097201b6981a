//! Document quality filters in the style of Gopher, C4 and FineWeb (as datatrove implements
//! them). Each returns the name of the rule that dropped the document, so every drop is
//! accounted for as `filter: <group>.<rule>`.

use std::collections::{HashMap, HashSet};

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
        gopher(&words, &lines, language, cfg)?;
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

fn gopher(
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
    let symbols = words
        .iter()
        .map(|w| w.matches('#').count() + w.matches("...").count() + w.matches('…').count())
        .sum::<usize>() as f64;
    let ratio = symbols / n as f64;
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
    // n-gram is counted by the hash of its words' hashes, so no n-gram is ever built as text.
    let mut buf = String::new();
    let hashed: Vec<(u64, usize)> = words
        .iter()
        .map(|w| {
            buf.clear();
            buf.extend(strip_punct(w).chars().flat_map(char::to_lowercase));
            (xxh3_64(buf.as_bytes()), buf.chars().count())
        })
        .collect();
    let mut key = Vec::with_capacity(32);
    for (n, max, rule) in [
        (2, r.max_top_2gram_ratio, "repetition.top_2gram_ratio"),
        (3, r.max_top_3gram_ratio, "repetition.top_3gram_ratio"),
        (4, r.max_top_4gram_ratio, "repetition.top_4gram_ratio"),
    ] {
        if hashed.len() < n {
            continue;
        }
        // n-gram hash -> (count, chars in the n-gram)
        let mut counts: HashMap<u64, (usize, usize)> = HashMap::with_capacity(hashed.len());
        for g in hashed.windows(n) {
            key.clear();
            for (h, _) in g {
                key.extend_from_slice(&h.to_le_bytes());
            }
            let chars = g.iter().map(|(_, c)| c).sum();
            counts.entry(xxh3_64(&key)).or_insert((0, chars)).0 += 1;
        }
        if let Some((count, gram_chars)) = counts.into_values().max() {
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

fn c4(text: &str, cfg: &FilterConfig) -> Result<(), Dropped> {
    let c = &cfg.c4;
    let lower = text.to_lowercase();
    if c.drop_lorem_ipsum && lower.contains("lorem ipsum") {
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
    use super::*;

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

    #[test]
    fn stop_word_rule_is_english_only() {
        let mut cfg = FilterConfig::default();
        cfg.repetition.enabled = false;
        let german =
            "Die Gemeinde traf sich am Dienstag, um den Haushalt zu besprechen. ".repeat(8);
        assert!(check(&german, "de", &cfg).is_ok());
    }
}
