//! Small text helpers shared by stages: hashing, normalisation for de-duplication, and
//! language codes.

use sha2::{Digest, Sha256};

/// Lowercase hex SHA-256 of bytes: our content key everywhere (URLs, documents, chunks).
pub fn sha256_hex(bytes: impl AsRef<[u8]>) -> String {
    hex::encode(Sha256::digest(bytes.as_ref()))
}

/// The form of a document compared for exact duplicates: lowercase, whitespace collapsed, so
/// a re-wrapped or re-cased copy still matches.
pub fn normalize_for_dedup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// ISO 639-1 code for a whatlang language, or its ISO 639-3 code when there is none.
pub fn language_code(lang: whatlang::Lang) -> String {
    let code3 = lang.code();
    isolang::Language::from_639_3(code3)
        .and_then(|l| l.to_639_1())
        .map(str::to_string)
        .unwrap_or_else(|| code3.to_string())
}

/// Whether a config language code names a language (ISO 639-1 or 639-3).
pub fn language_known(code: &str) -> bool {
    isolang::Language::from_639_1(code).is_some() || isolang::Language::from_639_3(code).is_some()
}

/// The first `chars` characters of `text` (all of it when it is shorter).
pub fn first_chars(text: &str, chars: usize) -> &str {
    match text.char_indices().nth(chars) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

/// Words as the filters and MinHash see them: runs of non-whitespace.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split_whitespace()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedup_normalisation_ignores_case_and_spacing() {
        assert_eq!(
            normalize_for_dedup("Hello,\n  World  THIS"),
            normalize_for_dedup("hello, world this")
        );
    }

    #[test]
    fn language_codes_are_two_letter_where_possible() {
        assert_eq!(language_code(whatlang::Lang::Eng), "en");
        assert_eq!(language_code(whatlang::Lang::Deu), "de");
        assert!(language_known("en"));
        assert!(!language_known("xx"));
    }
}
