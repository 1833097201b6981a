//! Main-text extraction: title, main text and language of one HTML page.
//!
//! The page becomes a compact tree ([`crate::htmltree`]), Mozilla Readability's rules pick
//! and clean the article in it ([`crate::readability`]), and its text keeps the paragraph
//! breaks that the filters and the chunker rely on. Measured against trafilatura and
//! dom_smoothie on the 60 real pages of the corpus; see `bench/results/` and the README.

use std::panic::AssertUnwindSafe;

use crate::text::first_chars;
use crate::{htmltree, readability};
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

/// Extract the main text of an HTML document. `url` is never fetched, nor needed: the text
/// holds no links to resolve.
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
pub fn extract_main_text(html: &str, _url: &str) -> Result<MainText, ExtractError> {
    // Our own code over hostile input: a panic in it must fail this page, not the job.
    let article = std::panic::catch_unwind(AssertUnwindSafe(|| {
        htmltree::build(html).map(|tree| readability::article(&tree))
    }))
    .map_err(|_| ExtractError {
        reason: "extraction failed",
        detail: "extractor panicked on this page".to_string(),
    })?
    .map_err(|why| ExtractError {
        reason: "page too complex",
        detail: why.to_string(),
    })?;
    if article.text.is_empty() {
        return Err(ExtractError {
            reason: "no main text",
            detail: "nothing on the page reads as an article".to_string(),
        });
    }
    Ok(MainText {
        title: article.title,
        text: article.text,
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn empty_page_is_an_error_not_a_panic() {
        let err = extract("<html><body></body></html>", "file:///x.html").unwrap_err();
        assert_eq!(err.reason, "no main text");
        assert!(extract("", "u").is_err());
    }
}
