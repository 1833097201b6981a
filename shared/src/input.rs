//! Reading what the user gives `run`: a URL list (`.txt`, `.csv`, `.jsonl`) or saved pages
//! (a directory of, or a single, `.html` / `.html.gz` file). Bad lines are recorded per line
//! and skipped; an input that is unusable as a whole (missing, binary, too large, no usable URL)
//! is an error naming the file and the reason.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::config::InputConfig;
use crate::error::{Error, Result};
use crate::model::{ItemError, UrlItem};
use crate::text::sha256_hex;
use crate::urlnorm;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    UrlList,
    SavedPages,
}

/// A parsed input: the URLs to fetch, in list order, and every line that was refused.
#[derive(Debug)]
pub struct ParsedInput {
    pub kind: InputKind,
    pub items: Vec<UrlItem>,
    /// The first [`MAX_KEPT_LINE_ERRORS`] refused lines, with their reasons.
    pub errors: Vec<ItemError>,
    /// Every refused line, kept or not: a list of a million bad lines must not cost a million
    /// records in memory.
    pub refused: u64,
    /// Lines naming a URL already listed (after normalisation).
    pub duplicates: u64,
}

/// Refused lines kept with their reasons; the rest are only counted.
pub const MAX_KEPT_LINE_ERRORS: usize = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ListFormat {
    Text,
    Csv,
    JsonLines,
}

fn saved_page(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.ends_with(".html") || name.ends_with(".htm") || name.ends_with(".html.gz")
}

/// Read any input `run` accepts. `allow_file_urls` admits `file://` lines in a list (local mode).
pub fn read_input(path: &Path, cfg: &InputConfig, allow_file_urls: bool) -> Result<ParsedInput> {
    let meta =
        std::fs::metadata(path).map_err(|e| Error::input(path, format!("cannot read: {e}")))?;
    if meta.is_dir() {
        return read_saved_pages_dir(path, cfg);
    }
    if saved_page(path) {
        let abs = absolute(path)?;
        let mut acc = Accumulator::new(cfg, InputKind::SavedPages);
        acc.push_file(&abs, 1);
        return acc.finish(path);
    }
    let name = path.to_string_lossy().to_ascii_lowercase();
    let format = if name.ends_with(".csv") {
        ListFormat::Csv
    } else if name.ends_with(".jsonl") || name.ends_with(".ndjson") {
        ListFormat::JsonLines
    } else if name.ends_with(".txt") || name.ends_with(".list") || !name.contains('.') {
        ListFormat::Text
    } else {
        return Err(Error::input(
            path,
            "unsupported input: expected a URL list (.txt, .csv, .jsonl), saved pages \
             (.html, .html.gz) or a directory of saved pages",
        ));
    };
    if meta.len() > cfg.max_file_bytes {
        return Err(Error::input(
            path,
            format!(
                "file is {} bytes, more than input.max_file_bytes ({})",
                meta.len(),
                cfg.max_file_bytes
            ),
        ));
    }
    check_text_file(path)?;
    let mut acc = Accumulator::new(cfg, InputKind::UrlList);
    acc.allow_file = allow_file_urls;
    match format {
        ListFormat::Text => read_text_list(path, &mut acc)?,
        ListFormat::JsonLines => read_jsonl_list(path, &mut acc)?,
        ListFormat::Csv => read_csv_list(path, &mut acc)?,
    }
    acc.finish(path)
}

/// Parse a URL list held in memory (an object from the bucket, a request body). The parser works
/// on files (it names them in its errors and tells the format by the extension), so the bytes go
/// to a scratch file called `name` first. Anything but a URL list is refused.
pub fn read_list_bytes(name: &str, bytes: &[u8], cfg: &InputConfig) -> Result<ParsedInput> {
    let dir = tempfile::tempdir().map_err(|e| Error::io("creating a temp dir", e))?;
    let path = dir.path().join(name);
    std::fs::write(&path, bytes)
        .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
    let parsed = read_input(&path, cfg, false)?;
    if parsed.kind != InputKind::UrlList {
        return Err(Error::input(name, "not a URL list"));
    }
    Ok(parsed)
}

fn absolute(path: &Path) -> Result<PathBuf> {
    std::path::absolute(path).map_err(|e| Error::input(path, format!("cannot resolve path: {e}")))
}

/// Refuse binary files up front: a list with NUL bytes is not a list.
fn check_text_file(path: &Path) -> Result<()> {
    let mut head = Vec::with_capacity(8192);
    File::open(path)
        .and_then(|f| f.take(8192).read_to_end(&mut head))
        .map_err(|e| Error::input(path, format!("cannot read: {e}")))?;
    if head.contains(&0) {
        return Err(Error::input(path, "binary file, not a URL list"));
    }
    Ok(())
}

/// Saved pages (`.html`, `.htm`, `.html.gz`) under a directory, recursively, sorted.
pub fn saved_pages_in(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut stack = vec![absolute(dir)?];
    while let Some(d) = stack.pop() {
        let entries =
            std::fs::read_dir(&d).map_err(|e| Error::input(&d, format!("cannot list: {e}")))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::input(&d, format!("cannot list: {e}")))?;
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if saved_page(&p) {
                files.push(p);
            }
        }
    }
    files.sort();
    Ok(files)
}

fn read_saved_pages_dir(dir: &Path, cfg: &InputConfig) -> Result<ParsedInput> {
    let files = saved_pages_in(dir)?;
    if files.is_empty() {
        return Err(Error::input(
            dir,
            "directory holds no saved pages (.html, .htm, .html.gz)",
        ));
    }
    let mut acc = Accumulator::new(cfg, InputKind::SavedPages);
    for (i, f) in files.iter().enumerate() {
        acc.push_file(f, i as u64 + 1);
    }
    acc.finish(dir)
}

struct Accumulator<'a> {
    cfg: &'a InputConfig,
    kind: InputKind,
    allow_file: bool,
    seen: HashSet<String>,
    items: Vec<UrlItem>,
    errors: Vec<ItemError>,
    refused: u64,
    duplicates: u64,
    too_many: bool,
}

impl<'a> Accumulator<'a> {
    fn new(cfg: &'a InputConfig, kind: InputKind) -> Self {
        Accumulator {
            cfg,
            kind,
            allow_file: kind == InputKind::SavedPages,
            seen: HashSet::new(),
            items: Vec::new(),
            errors: Vec::new(),
            refused: 0,
            duplicates: 0,
            too_many: false,
        }
    }

    fn push_file(&mut self, path: &Path, line: u64) {
        match url::Url::from_file_path(path) {
            Ok(u) => self.push_url(u.as_str(), line),
            Err(()) => self.refuse(ItemError::new(
                path.display().to_string(),
                "invalid path",
                "cannot be turned into a file:// URL",
            )),
        }
    }

    fn push_url(&mut self, raw: &str, line: u64) {
        let item = format!("line {line}");
        if raw.chars().count() > self.cfg.max_url_length {
            self.refuse(ItemError::new(
                item,
                "url too long",
                format!(
                    "{} characters, more than input.max_url_length ({})",
                    raw.chars().count(),
                    self.cfg.max_url_length
                ),
            ));
            return;
        }
        match urlnorm::normalize(raw, self.allow_file) {
            Ok(url) => {
                let url = url.to_string();
                if !self.seen.insert(url.clone()) {
                    self.duplicates += 1;
                    return;
                }
                if self.items.len() as u64 >= self.cfg.max_urls {
                    self.too_many = true;
                    return;
                }
                self.items.push(UrlItem {
                    url_hash: sha256_hex(&url),
                    url,
                    line,
                });
            }
            Err(rej) => self.refuse(ItemError::new(item, rej.reason, rej.detail)),
        }
    }

    fn fail(&mut self, line: u64, reason: &str, detail: impl Into<String>) {
        self.refuse(ItemError::new(format!("line {line}"), reason, detail));
    }

    fn refuse(&mut self, e: ItemError) {
        self.refused += 1;
        if self.errors.len() < MAX_KEPT_LINE_ERRORS {
            self.errors.push(e);
        }
    }

    fn finish(self, path: &Path) -> Result<ParsedInput> {
        if self.too_many {
            return Err(Error::input(
                path,
                format!(
                    "more than input.max_urls ({}) distinct URLs",
                    self.cfg.max_urls
                ),
            ));
        }
        if self.items.is_empty() {
            let first = self
                .errors
                .first()
                .map(|e| format!(" (first problem: {}: {} {})", e.item, e.reason, e.detail))
                .unwrap_or_default();
            return Err(Error::input(
                path,
                format!("no usable URL: {} line(s) refused{first}", self.refused),
            ));
        }
        Ok(ParsedInput {
            kind: self.kind,
            items: self.items,
            errors: self.errors,
            refused: self.refused,
            duplicates: self.duplicates,
        })
    }
}

/// Longest line kept in memory: a URL at its longest (4 bytes a character) plus room for a
/// JSONL record's other fields. A longer line is skipped, not read whole: a list that is one
/// 500 MB line must not cost 500 MB.
fn max_line_bytes(cfg: &InputConfig) -> usize {
    cfg.max_url_length
        .saturating_mul(4)
        .saturating_add(64 * 1024)
}

enum Line {
    Text(Vec<u8>),
    TooLong(u64),
}

/// The lines of a file, numbered from 1, each at most `max` bytes held (see [`Line::TooLong`]).
fn lines_of(path: &Path, max: usize) -> Result<impl Iterator<Item = (u64, std::io::Result<Line>)>> {
    let f = File::open(path).map_err(|e| Error::input(path, format!("cannot read: {e}")))?;
    let mut reader = BufReader::new(f);
    let mut n = 0u64;
    Ok(std::iter::from_fn(move || {
        let mut line = Vec::new();
        let mut len = 0u64;
        let mut any = false;
        loop {
            let buf = match reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    n += 1;
                    return Some((n, Err(e)));
                }
            };
            if buf.is_empty() {
                break;
            }
            any = true;
            let (part, done) = match memchr::memchr(b'\n', buf) {
                Some(i) => (&buf[..i], Some(i + 1)),
                None => (buf, None),
            };
            len += part.len() as u64;
            if line.len() + part.len() <= max {
                line.extend_from_slice(part);
            }
            let used = done.unwrap_or(buf.len());
            reader.consume(used);
            if done.is_some() {
                break;
            }
        }
        if !any {
            return None;
        }
        n += 1;
        // Parts are kept only while the line fits, so a longer line is one with bytes left out.
        let line = if len > line.len() as u64 {
            Line::TooLong(len)
        } else {
            Line::Text(line)
        };
        Some((n, Ok(line)))
    }))
}

/// The bytes of a line, or a recorded failure for one too long to hold.
fn line_bytes(
    acc: &mut Accumulator,
    path: &Path,
    n: u64,
    line: std::io::Result<Line>,
) -> Result<Option<Vec<u8>>> {
    match line.map_err(|e| Error::input(path, format!("line {n}: {e}")))? {
        Line::Text(t) => Ok(Some(t)),
        Line::TooLong(len) => {
            let max = max_line_bytes(acc.cfg);
            acc.fail(
                n,
                "line too long",
                format!("{len} bytes, more than {max} (input.max_url_length x 4 + 64 KiB)"),
            );
            Ok(None)
        }
    }
}

fn read_text_list(path: &Path, acc: &mut Accumulator) -> Result<()> {
    for (n, line) in lines_of(path, max_line_bytes(acc.cfg))? {
        let Some(line) = line_bytes(acc, path, n, line)? else {
            continue;
        };
        let Ok(text) = std::str::from_utf8(&line) else {
            acc.fail(n, "invalid utf-8", "line is not UTF-8 text");
            continue;
        };
        let text = text.trim().trim_start_matches('\u{feff}');
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        acc.push_url(text, n);
    }
    Ok(())
}

fn read_jsonl_list(path: &Path, acc: &mut Accumulator) -> Result<()> {
    for (n, line) in lines_of(path, max_line_bytes(acc.cfg))? {
        let Some(line) = line_bytes(acc, path, n, line)? else {
            continue;
        };
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<serde_json::Value>(&line) {
            Ok(v) => match v.get("url").and_then(|u| u.as_str()) {
                Some(u) => acc.push_url(u, n),
                None => acc.fail(
                    n,
                    "missing url field",
                    "expected an object with a \"url\" string",
                ),
            },
            Err(e) => acc.fail(n, "invalid json", e.to_string()),
        }
    }
    Ok(())
}

fn read_csv_list(path: &Path, acc: &mut Accumulator) -> Result<()> {
    // The CSV reader holds a whole record in memory, so a file with a giant line is refused
    // before it is parsed (a quoted field may span lines, so lines cannot be skipped one by one).
    let max = max_line_bytes(acc.cfg);
    for (n, line) in lines_of(path, max)? {
        if let Line::TooLong(len) =
            line.map_err(|e| Error::input(path, format!("line {n}: {e}")))?
        {
            return Err(Error::input(
                path,
                format!("line {n} is {len} bytes, more than {max}: not a URL list"),
            ));
        }
    }
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| Error::input(path, format!("cannot read: {e}")))?;
    let headers = rdr
        .headers()
        .map_err(|e| Error::input(path, format!("malformed CSV header: {e}")))?
        .clone();
    let Some(col) = headers.iter().position(|h| {
        h.trim()
            .trim_start_matches('\u{feff}')
            .eq_ignore_ascii_case("url")
    }) else {
        return Err(Error::input(
            path,
            format!(
                "CSV has no `url` column (columns: {})",
                headers.iter().collect::<Vec<_>>().join(", ")
            ),
        ));
    };
    for (i, rec) in rdr.records().enumerate() {
        match rec {
            Ok(r) => {
                let n = r.position().map(|p| p.line()).unwrap_or(i as u64 + 2);
                match r.get(col).map(str::trim) {
                    Some(u) if !u.is_empty() => acc.push_url(u, n),
                    _ => acc.fail(n, "missing url field", "empty `url` cell"),
                }
            }
            Err(e) => {
                let n = e.position().map(|p| p.line()).unwrap_or(i as u64 + 2);
                acc.fail(n, "malformed csv row", e.to_string());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(dir: &tempfile::TempDir, name: &str, body: &[u8]) -> PathBuf {
        let p = dir.path().join(name);
        std::fs::File::create(&p).unwrap().write_all(body).unwrap();
        p
    }

    #[test]
    fn text_list_skips_comments_dedups_and_records_bad_lines() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            &d,
            "l.txt",
            b"# my list\nhttps://a.org/x\n\nhttps://A.org/x#top\nftp://b.org/\nnot a url\nhttps://c.org/\n",
        );
        let got = read_input(&p, &InputConfig::default(), false).unwrap();
        let urls: Vec<_> = got.items.iter().map(|i| i.url.as_str()).collect();
        assert_eq!(urls, ["https://a.org/x", "https://c.org/"]);
        assert_eq!(got.duplicates, 1);
        assert_eq!(got.errors.len(), 2);
        assert_eq!(got.errors[0].item, "line 5");
        assert_eq!(got.errors[0].reason, "unsupported scheme");
        assert_eq!(got.errors[1].reason, "invalid url");
    }

    #[test]
    fn giant_lines_are_skipped_not_held_and_duplicates_cost_nothing() {
        let d = tempfile::tempdir().unwrap();
        let cfg = InputConfig::default();
        let giant = "x".repeat(20 << 20);
        let mut list = format!("https://a.org/1\n{giant}\nhttps://a.org/2");
        list.push_str(&"\nhttps://a.org/1".repeat(200_000));
        let p = write(&d, "l.txt", list.as_bytes());
        let got = read_input(&p, &cfg, false).unwrap();
        assert_eq!(got.items.len(), 2);
        assert_eq!(got.duplicates, 200_000);
        assert_eq!(got.refused, 1);
        assert_eq!(got.errors.len(), 1);
        assert_eq!(got.errors[0].item, "line 2");
        assert_eq!(got.errors[0].reason, "line too long");
        // The same in JSON lines; in CSV the file is refused, naming the line.
        let jsonl = format!("{{\"url\": \"https://a.org/1\"}}\n{{\"url\": \"{giant}\"}}\n");
        let p = write(&d, "l.jsonl", jsonl.as_bytes());
        let got = read_input(&p, &cfg, false).unwrap();
        assert_eq!(
            (got.items.len(), got.errors[0].reason.as_str()),
            (1, "line too long")
        );
        let csv = format!("url\nhttps://a.org/1\n\"{giant}\"\n");
        let p = write(&d, "l.csv", csv.as_bytes());
        let err = read_input(&p, &cfg, false).unwrap_err().to_string();
        assert!(err.contains("l.csv") && err.contains("line 3 is"), "{err}");
        // A last line without a newline, CRLF endings and a BOM are ordinary.
        let p = write(
            &d,
            "crlf.txt",
            b"\xef\xbb\xbfhttps://a.org/1\r\nhttps://a.org/2",
        );
        assert_eq!(read_input(&p, &cfg, false).unwrap().items.len(), 2);
    }

    #[test]
    fn csv_needs_a_url_column_and_reports_rows() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            &d,
            "l.csv",
            b"name,URL\na,https://a.org/\nb,\"https://b.org/\"\nc,\n",
        );
        let got = read_input(&p, &InputConfig::default(), false).unwrap();
        assert_eq!(got.items.len(), 2);
        assert_eq!(got.errors.len(), 1);
        assert_eq!(got.errors[0].reason, "missing url field");
        let p = write(&d, "bad.csv", b"name,link\na,https://a.org/\n");
        let err = read_input(&p, &InputConfig::default(), false).unwrap_err();
        assert!(err.to_string().contains("no `url` column"), "{err}");
    }

    #[test]
    fn jsonl_records_malformed_lines() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            &d,
            "l.jsonl",
            b"{\"url\":\"https://a.org/\"}\n{oops\n{\"link\":1}\n",
        );
        let got = read_input(&p, &InputConfig::default(), false).unwrap();
        assert_eq!(got.items.len(), 1);
        let reasons: Vec<_> = got.errors.iter().map(|e| e.reason.as_str()).collect();
        assert_eq!(reasons, ["invalid json", "missing url field"]);
    }

    #[test]
    fn unusable_inputs_are_errors_naming_the_file() {
        let d = tempfile::tempdir().unwrap();
        let p = write(&d, "bin.txt", b"\x00\x01\x02binary");
        let err = read_input(&p, &InputConfig::default(), false).unwrap_err();
        assert!(err.to_string().contains("bin.txt") && err.to_string().contains("binary"));
        let p = write(&d, "none.txt", b"# nothing\nnope\n");
        let err = read_input(&p, &InputConfig::default(), false).unwrap_err();
        assert!(err.to_string().contains("no usable URL"), "{err}");
        let err = read_input(
            &d.path().join("missing.txt"),
            &InputConfig::default(),
            false,
        )
        .unwrap_err();
        assert!(err.to_string().contains("missing.txt"));
        let cfg = InputConfig {
            max_urls: 1,
            ..InputConfig::default()
        };
        let p = write(&d, "two.txt", b"https://a.org/\nhttps://b.org/\n");
        assert!(
            read_input(&p, &cfg, false)
                .unwrap_err()
                .to_string()
                .contains("max_urls")
        );
    }

    #[test]
    fn saved_pages_directory_becomes_file_urls() {
        let d = tempfile::tempdir().unwrap();
        write(&d, "a.html", b"<html></html>");
        write(&d, "b.html.gz", b"x");
        write(&d, "notes.md", b"x");
        let got = read_input(d.path(), &InputConfig::default(), false).unwrap();
        assert_eq!(got.kind, InputKind::SavedPages);
        assert_eq!(got.items.len(), 2);
        assert!(got.items.iter().all(|i| i.url.starts_with("file://")));
    }
}
