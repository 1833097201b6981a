//! The `cl100k_base` pre-tokenizer written out by hand: the same pieces as tiktoken's regex
//!
//! ```text
//! (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//! ```
//!
//! but with one table look-up per ASCII byte instead of a regex search per piece: the regex
//! (`bpe-openai` runs it through `regex-automata`) took most of the time of token counting.
//! Alternatives are tried in the regex's order (leftmost-first); tests compare the pieces with
//! the regex on the corpus, on random strings and on every character up to U+FFFF.

use std::sync::OnceLock;

use unicode_general_category::{GeneralCategory as Gc, get_general_category};

/// What the regex distinguishes about one character.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Class {
    /// `\p{L}`
    Letter,
    /// `\p{N}`
    Number,
    /// `\r` or `\n` (also `\s`)
    Newline,
    /// `\s` other than `\r` and `\n`
    Space,
    /// Anything else: `[^\s\p{L}\p{N}]`
    Other,
}

const fn ascii_classes() -> [Class; 128] {
    let mut t = [Class::Other; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_alphabetic() {
            Class::Letter
        } else if c.is_ascii_digit() {
            Class::Number
        } else if c == b'\r' || c == b'\n' {
            Class::Newline
        } else if c == b' ' || (c >= 0x09 && c <= 0x0d) {
            // \t, \v, \f (and \r \n above): the ASCII part of Unicode White_Space.
            Class::Space
        } else {
            Class::Other
        };
        b += 1;
    }
    t
}

static ASCII: [Class; 128] = ascii_classes();

fn classify(c: char) -> Class {
    // `\s` is Unicode White_Space, which is what `char::is_whitespace` tests.
    if c.is_whitespace() {
        return if c == '\r' || c == '\n' {
            Class::Newline
        } else {
            Class::Space
        };
    }
    match get_general_category(c) {
        Gc::UppercaseLetter
        | Gc::LowercaseLetter
        | Gc::TitlecaseLetter
        | Gc::ModifierLetter
        | Gc::OtherLetter => Class::Letter,
        Gc::DecimalNumber | Gc::LetterNumber | Gc::OtherNumber => Class::Number,
        _ => Class::Other,
    }
}

/// Classes of U+0080 to U+07FF, the characters of two bytes in UTF-8 (Latin with accents,
/// Greek, Cyrillic, Armenian, Hebrew, Arabic), made on first use: [`classify`] searches the
/// Unicode tables for each one, and a page in one of these scripts is mostly such characters.
fn two_byte_classes() -> &'static [Class; 0x780] {
    static TABLE: OnceLock<[Class; 0x780]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [Class::Other; 0x780];
        for (cp, class) in (0x80u32..).zip(t.iter_mut()) {
            if let Some(c) = char::from_u32(cp) {
                *class = classify(c);
            }
        }
        t
    })
}

/// Class and byte length of the character starting at `pos` (a character boundary).
#[inline(always)]
fn class_at(text: &str, pos: usize) -> (Class, usize) {
    let bytes = text.as_bytes();
    let b = bytes[pos];
    if b < 0x80 {
        return (ASCII[b as usize], 1);
    }
    // At a character boundary of a `str`, a byte below 0xE0 leads a character of two bytes.
    if b < 0xE0
        && let Some(&b2) = bytes.get(pos + 1)
    {
        let cp = (usize::from(b & 0x1F) << 6) | usize::from(b2 & 0x3F);
        if let Some(&class) = two_byte_classes().get(cp.wrapping_sub(0x80)) {
            return (class, 2);
        }
    }
    match text[pos..].chars().next() {
        Some(c) => (classify(c), c.len_utf8()),
        None => (Class::Other, 1),
    }
}

/// Class of the character at `pos`, or `None` at the end of the text.
#[inline(always)]
fn class_of(text: &str, pos: usize) -> Option<(Class, usize)> {
    (pos < text.len()).then(|| class_at(text, pos))
}

/// End of the run of characters of class `want` starting at `pos`.
#[inline(always)]
fn run(text: &str, mut pos: usize, want: Class) -> usize {
    let bytes = text.as_bytes();
    while pos < bytes.len() {
        let b = bytes[pos];
        if b < 0x80 {
            if ASCII[b as usize] != want {
                break;
            }
            pos += 1;
        } else {
            let (c, n) = class_at(text, pos);
            if c != want {
                break;
            }
            pos += n;
        }
    }
    pos
}

/// Length after the apostrophe of a contraction the regex matches case-insensitively
/// (`'s` also matches U+017F LATIN SMALL LETTER LONG S, which case-folds to `s`).
fn contraction(rest: &str) -> Option<usize> {
    let mut cs = rest.chars();
    let first = cs.next()?;
    match first {
        's' | 'S' | 't' | 'T' | 'm' | 'M' | 'd' | 'D' => Some(1),
        '\u{17F}' => Some(2),
        'r' | 'R' | 'v' | 'V' => matches!(cs.next(), Some('e' | 'E')).then_some(2),
        'l' | 'L' => matches!(cs.next(), Some('l' | 'L')).then_some(2),
        _ => None,
    }
}

/// End of the piece starting at `pos` (`pos < text.len()`, a character boundary).
fn piece_end(text: &str, pos: usize) -> usize {
    let bytes = text.as_bytes();
    if bytes[pos] == b'\''
        && let Some(n) = contraction(&text[pos + 1..])
    {
        return pos + 1 + n;
    }
    let (c0, n0) = class_at(text, pos);
    match c0 {
        Class::Letter => return run(text, pos + n0, Class::Letter),
        Class::Number => {
            let mut end = pos + n0;
            for _ in 0..2 {
                match class_of(text, end) {
                    Some((Class::Number, n)) => end += n,
                    _ => break,
                }
            }
            return end;
        }
        _ => {}
    }
    let next = class_of(text, pos + n0);
    // `[^\r\n\p{L}\p{N}]?\p{L}+`: one space or symbol glued to the word after it.
    if c0 != Class::Newline
        && let Some((Class::Letter, _)) = next
    {
        return run(text, pos + n0, Class::Letter);
    }
    // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
    let symbols_from = match (c0, next) {
        (Class::Other, _) => Some(pos),
        (Class::Space, Some((Class::Other, _))) if bytes[pos] == b' ' => Some(pos + 1),
        _ => None,
    };
    if let Some(from) = symbols_from {
        let end = run(text, from, Class::Other);
        return run(text, end, Class::Newline);
    }
    // Whitespace: c0 is Newline or Space.
    let mut end = pos;
    let mut last_len = 0;
    let mut last_newline = None;
    while let Some((c, n)) = class_of(text, end) {
        if c != Class::Space && c != Class::Newline {
            break;
        }
        if c == Class::Newline {
            last_newline = Some(end);
        }
        last_len = n;
        end += n;
    }
    // `\s*[\r\n]+`: greedy whitespace, backing off to the last newline.
    if let Some(nl) = last_newline {
        return nl + 1;
    }
    // `\s+(?!\S)`: all of it at the end of the text, else all but the last character.
    if end == text.len() {
        return end;
    }
    if end - last_len > pos {
        return end - last_len;
    }
    // `\s+`
    end
}

/// The pieces of `text`, in order, as tiktoken's `cl100k_base` regex cuts it.
pub fn cl100k_pieces(text: &str) -> impl Iterator<Item = &str> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= text.len() {
            return None;
        }
        let start = pos;
        pos = piece_end(text, pos);
        Some(&text[start..pos])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regex_pieces(text: &str) -> Vec<&str> {
        bpe_openai::cl100k_base().split(text).collect()
    }

    fn check(text: &str) {
        let ours: Vec<&str> = cl100k_pieces(text).collect();
        assert_eq!(ours, regex_pieces(text), "{text:?}");
    }

    #[test]
    fn tricky_classes_match_the_regex() {
        for t in [
            "",
            "a",
            "Hello, world!",
            "it's IT'S they're THEY'RE we've I'm you'll he'd 'S 'T 'Re 'vE 'lL 'D 'x '",
            "'s's 'ſ 'ſo don't  's",
            "1 12 123 1234 12345 1,234,567.89 ½¾ ١٢٣٤ Ⅻ",
            "   leading\n\n\ttabs and\r\nnewlines   trailing  ",
            "a  b   c    d\t\te \u{a0}f \u{a0}\u{a0}g \u{3000}h",
            "x\n \n  \n\ny \r\r\n z\n",
            "  ",
            " ",
            "\n",
            " \n",
            "hello!!!\n\n\nworld ...\r\n",
            " ?! (x) [y] {z} \"q\" 'p' «a» “b” ‘c’",
            "café naïve e\u{301}cole \u{301}x Ωμέγα Привет мир",
            "数字 1234567 日本語のテキスト。한국어 문장!",
            "emoji 🎉🎉 👍🏽 👨‍👩‍👧 flags 🇫🇷",
            "fn main() { println!(\"x\"); }\n    let y = a->b;",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "\u{85}x\u{2028}y\u{2029}z \u{85} \u{200b}w",
            "$100 #tag @user e-mail foo_bar a.b.c",
            "end.\n\n\n\n  \n  Next",
        ] {
            check(t);
        }
    }

    #[test]
    fn every_bmp_character_in_context_matches_the_regex() {
        // Each character alone, after a space, between letters, after digits and before a
        // newline: enough context for every alternative of the regex to see it.
        let mut text = String::new();
        for cp in 0..=0xFFFFu32 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            text.push_str(&format!("{c} {c}a{c}b 1{c}2\n{c}\n "));
            if text.len() > 4000 {
                check(&text);
                text.clear();
            }
        }
        check(&text);
    }

    #[test]
    fn random_strings_match_the_regex() {
        use rand::{Rng, SeedableRng};
        let alphabet: Vec<char> =
            "aZé字 \t\n\r\u{a0}\u{3000}'sStTmdrRevVlL019½.,!?-\"()🎉\u{301}ſ_/"
                .chars()
                .collect();
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..3000 {
            let n = rng.random_range(0..40);
            let s: String = (0..n)
                .map(|_| alphabet[rng.random_range(0..alphabet.len())])
                .collect();
            check(&s);
        }
    }
}
