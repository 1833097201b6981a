//! An HTML body as the Refiner gets it: `shared::charset::decode_html(bytes, content_type)`,
//! then `shared::extract::extract(&html, url)`. Ok or Err, never a panic, a stack overflow, a
//! hang (run with -timeout) or a blow-up in memory (-rss_limit_mb).
//!
//! The first input byte picks the Content-Type header (none, no charset, or one of a few
//! charsets including bogus ones); the rest is the body.
//!
//! The work runs on a thread with a 2 MiB stack: the Refiner calls `extract` inside
//! `tokio::task::spawn_blocking`, whose threads get tokio's default 2 MiB stack, while
//! libFuzzer's main thread has the process's 8 MiB. Deep nesting that fits in 8 MiB but not
//! in 2 MiB must show up here. (Under AddressSanitizer frames are larger than in a normal
//! build: confirm a stack overflow with `--sanitizer none` before calling it real.)
#![no_main]

use libfuzzer_sys::fuzz_target;

const CONTENT_TYPES: [Option<&str>; 8] = [
    None,
    Some("text/html"),
    Some("text/html; charset=utf-8"),
    Some("text/html; charset=ISO-8859-1"),
    Some("text/html; charset=\"Shift_JIS\""),
    Some("text/html;charset=utf-16le"),
    Some("text/html; charset=gb18030; foo=bar"),
    Some("text/html; charset=x-no-such-charset"),
];

const STACK: usize = 2 * 1024 * 1024;

fn one(data: &[u8]) {
    let Some((&sel, body)) = data.split_first() else {
        return;
    };
    let ct = CONTENT_TYPES[usize::from(sel) % CONTENT_TYPES.len()];
    let (html, enc) = shared::charset::decode_html(body, ct);
    assert!(!enc.is_empty());
    if let Ok(doc) = shared::extract::extract(&html, "https://example.com/a") {
        assert!(!doc.text.is_empty(), "Ok with empty text");
        assert!(
            (0.0..=1.0).contains(&doc.language_confidence),
            "confidence {}",
            doc.language_confidence
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let data = data.to_vec();
    let worker = std::thread::Builder::new()
        .name("extract".into())
        .stack_size(STACK)
        .spawn(move || one(&data))
        .expect("spawn");
    if let Err(p) = worker.join() {
        std::panic::resume_unwind(p);
    }
});
