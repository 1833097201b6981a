//! Main-text extraction: title, main text and language of one HTML page.
//!
//! Uses dom_smoothie (a Rust port of Mozilla's readability) in its formatted-text mode, which
//! keeps paragraph breaks that the filters and the chunker rely on. Chosen on measurements
//! over the 60 real pages of the corpus; see `bench/results/` and the README.

use std::panic::AssertUnwindSafe;

use dom_smoothie::{Config, Readability, TextMode};

use crate::text::first_chars;
use crate::{htmlguard, prestrip};
use serde::Serialize;

/// What extraction got out of a page.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Extracted {
    pub title: String,
    pub text: String,
    /// ISO 639-1 code (639-3 where there is none), or `und` when undetermined.
    pub language: String,
    pub language_confidence: f64,
}

/// A page's title and main text, before its language is detected.
#[derive(Clone, Debug, PartialEq)]
pub struct MainText {
    pub title: String,
    pub text: String,
}

/// Why a page gave no text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{reason}: {detail}")]
pub struct ExtractError {
    pub reason: &'static str,
    pub detail: String,
}

/// Extract the main text of an HTML document. `url` resolves relative links and is reported
/// back in errors; it is never fetched.
pub fn extract(html: &str, url: &str) -> Result<Extracted, ExtractError> {
    let MainText { title, text } = extract_main_text(html, url)?;
    let (language, language_confidence) = detect_language(&text);
    Ok(Extracted {
        title,
        text,
        language,
        language_confidence,
    })
}

/// The title and main text of an HTML document, without its language: the work trafilatura's
/// `extract` does, which the benchmarks compare it with.
pub fn extract_main_text(html: &str, url: &str) -> Result<MainText, ExtractError> {
    // Scripts, styles and comments are most of a page's bytes and the extractor drops them
    // right after parsing; cutting them first spares the parser that work. The same pass
    // measures the page for the guard.
    let stripped = prestrip::strip_discarded(html);
    if let Some(why) = stripped.shape.refusal() {
        return Err(ExtractError {
            reason: "page too complex",
            detail: why,
        });
    }
    extract_stripped(&stripped.html, url)
}

/// The main text of a page already through the pre-strip and the guard.
fn extract_stripped(html: &str, url: &str) -> Result<MainText, ExtractError> {
    let cfg = Config {
        text_mode: TextMode::Formatted,
        max_elements_to_parse: htmlguard::MAX_ELEMENTS,
        ..Config::default()
    };
    // The extractor is third-party code over hostile input: a panic in it must fail this page,
    // not the job.
    let parsed = std::panic::catch_unwind(AssertUnwindSafe(|| {
        let base = url.starts_with("http").then_some(url);
        let mut r = Readability::new(html, base, Some(cfg)).map_err(|e| ExtractError {
            reason: "extraction failed",
            detail: e.to_string(),
        })?;
        let article = r.parse().map_err(|e| ExtractError {
            reason: "no main text",
            detail: e.to_string(),
        })?;
        Ok::<_, ExtractError>((article.title, article.text_content))
    }))
    .map_err(|_| ExtractError {
        reason: "extraction failed",
        detail: "extractor panicked on this page".to_string(),
    })??;
    let (title, raw_text) = parsed;
    let text = tidy(&raw_text);
    if text.is_empty() {
        return Err(ExtractError {
            reason: "no main text",
            detail: "extraction returned no text".to_string(),
        });
    }
    Ok(MainText {
        title: title.trim().to_string(),
        text,
    })
}

/// Language of a text with whatlang's confidence; `und` when it cannot tell.
pub fn detect_language(text: &str) -> (String, f64) {
    // The first thousand characters decide the language of almost every page (on the corpus
    // all but one unreliable page agree with the whole text); only when whatlang is unsure of
    // them, and there is more, does it see up to 4,000.
    let first = first_chars(text, 1000);
    let mut info = whatlang::detect(first);
    if !info.as_ref().is_some_and(|i| i.is_reliable()) && first.len() < text.len() {
        info = whatlang::detect(first_chars(text, 4000));
    }
    match info {
        Some(info) => (crate::text::language_code(info.lang()), info.confidence()),
        None => ("und".to_string(), 0.0),
    }
}

/// Trim every line, drop runs of blank lines down to one, so paragraphs stay separated.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines() {
        let mut words = line.split_whitespace();
        let Some(first) = words.next() else {
            blank += 1;
            continue;
        };
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(first);
        for word in words {
            out.push(' ');
            out.push_str(word);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutting_what_the_extractor_never_uses_changes_no_corpus_page() {
        let (mut checked, mut kept, mut dropped) = (0, 0, 0);
        for (path, html) in crate::testdata::corpus_pages() {
            let url = "https://example.com/page";
            let all = prestrip::strip_whole_nodes(&html);
            let fewer = prestrip::strip_discarded(&html).html;
            assert_eq!(
                extract_stripped(&all, url),
                extract_main_text(&html, url),
                "{}",
                path.display()
            );
            checked += 1;
            kept += fewer.len();
            dropped += all.len() - fewer.len();
        }
        assert_eq!(checked, 60);
        // What is cut is a real share of what the parser would read.
        assert!(dropped * 10 > kept, "dropped {dropped}, kept {kept} bytes");
    }

    #[test]
    fn extracts_article_text_and_language() {
        let para = "The river town held its annual fair on the first weekend of autumn, and \
                    visitors came from every village along the valley to see the boats. ";
        let html = format!(
            "<html><head><title>Fair day</title></head><body><nav>Home | About | Login</nav>\
             <article><h1>Fair day</h1><p>{}</p><p>{}</p><p>{}</p></article>\
             <footer>Copyright 2024 All rights reserved</footer></body></html>",
            para.repeat(3),
            para.repeat(2),
            para
        );
        let got = extract(&html, "https://example.org/fair").unwrap();
        assert_eq!(got.title, "Fair day");
        assert!(got.text.contains("annual fair"));
        assert!(!got.text.contains("Login"), "{}", got.text);
        assert_eq!(got.language, "en");
    }

    #[test]
    fn tidy_trims_lines_and_keeps_one_blank_line_between_paragraphs() {
        assert_eq!(
            tidy("  a \t b  \n\n \n\tc\u{a0}d\nnext  \n\n"),
            "a b\n\nc d\nnext"
        );
        assert_eq!(tidy(" \n\t\n"), "");
    }

    #[test]
    fn empty_page_is_an_error_not_a_panic() {
        let err = extract("<html><body></body></html>", "file:///x.html").unwrap_err();
        assert_eq!(err.reason, "no main text");
        assert!(extract("", "u").is_err());
    }
}
