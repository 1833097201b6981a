//! Bytes to text for HTML: BOM first, then the declared charset (HTTP header, then `<meta>`),
//! checked against the bytes, then detection. Servers lie about charsets often enough that a
//! declaration the bytes contradict is not trusted blindly.

use encoding_rs::{Encoding, UTF_8};

/// Decode an HTML body. Returns the text and the name of the encoding used.
pub fn decode_html(bytes: &[u8], content_type: Option<&str>) -> (String, &'static str) {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return (text.into_owned(), enc.name());
    }
    let declared = content_type
        .and_then(charset_param)
        .and_then(|l| Encoding::for_label(l.as_bytes()))
        .or_else(|| meta_charset(bytes))
        .map(Encoding::output_encoding);
    let valid_utf8 = std::str::from_utf8(bytes).ok();
    let enc = match (declared, valid_utf8) {
        // Valid UTF-8 with non-ASCII bytes is almost never really a legacy encoding, whatever
        // the label says.
        (_, Some(text)) if !text.is_ascii() => return (text.to_string(), UTF_8.name()),
        (Some(enc), _) if enc != UTF_8 => enc,
        (_, Some(text)) => return (text.to_string(), UTF_8.name()),
        // Declared (or assumed) UTF-8 but not valid: detect.
        (_, None) => detect(bytes),
    };
    let (text, _, _) = enc.decode(bytes);
    (text.into_owned(), enc.name())
}

fn detect(bytes: &[u8]) -> &'static Encoding {
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(bytes, true);
    det.guess(None, chardetng::Utf8Detection::Allow)
}

/// The `charset` parameter of a Content-Type value.
pub fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(|c| c == '"' || c == '\'').to_string())
    })
}

/// The charset a `<meta>` tag declares in the first 4 KiB (as browsers prescan).
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"charset") {
        let mut i = from + pos + b"charset".len();
        from = i;
        while i < lower.len() && lower[i].is_ascii_whitespace() {
            i += 1;
        }
        if lower.get(i) != Some(&b'=') {
            continue;
        }
        i += 1;
        while i < lower.len()
            && (lower[i].is_ascii_whitespace() || lower[i] == b'"' || lower[i] == b'\'')
        {
            i += 1;
        }
        let start = i;
        while i < lower.len() && (lower[i].is_ascii_alphanumeric() || b"-_:.".contains(&lower[i])) {
            i += 1;
        }
        if let Some(enc) = Encoding::for_label(&lower[start..i]) {
            return Some(enc);
        }
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_legacy_charset_is_used() {
        let bytes = b"<p>caf\xe9</p>";
        let (t, enc) = decode_html(bytes, Some("text/html; charset=ISO-8859-1"));
        assert_eq!(t, "<p>café</p>");
        assert_eq!(enc, "windows-1252");
        let page = b"<html><head><meta charset=\"windows-1252\"></head><p>na\xefve</p>";
        assert!(decode_html(page, Some("text/html")).0.contains("naïve"));
    }

    #[test]
    fn lying_labels_are_corrected_by_the_bytes() {
        // Says UTF-8, is Latin-1.
        let latin = "<p>Le café est très bon, déjà vu à la fenêtre.</p>";
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(latin);
        let (t, _) = decode_html(&bytes, Some("text/html; charset=utf-8"));
        assert_eq!(t, latin);
        // Says Latin-1, is UTF-8.
        let (t, enc) = decode_html(latin.as_bytes(), Some("text/html; charset=iso-8859-1"));
        assert_eq!((t.as_str(), enc), (latin, "UTF-8"));
    }

    #[test]
    fn bom_wins() {
        let (t, enc) = decode_html(b"\xef\xbb\xbfhi", Some("text/html; charset=windows-1252"));
        assert_eq!((t.as_str(), enc), ("hi", "UTF-8"));
    }
}
