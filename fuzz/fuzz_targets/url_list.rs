//! `shared::input::read_list_bytes`: a URL list held in memory (a bucket object, a request
//! body), as `.txt`, `.csv` or `.jsonl`. Whatever the bytes, it returns Ok or Err: never a
//! panic. The first input byte picks the file name (format) and the limits.
#![no_main]

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;
use shared::config::InputConfig;
use shared::input::{InputKind, read_list_bytes};

const NAMES: [&str; 3] = ["list.txt", "list.csv", "list.jsonl"];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, body)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(sel) % NAMES.len()];
    // Most inputs use the defaults; some use tight limits so the "too many URLs" and
    // "URL too long" paths are reached by small inputs.
    let cfg = if (sel / 3) % 2 == 0 {
        InputConfig::default()
    } else {
        InputConfig {
            max_urls: 3,
            max_url_length: 40,
            ..InputConfig::default()
        }
    };
    if let Ok(parsed) = read_list_bytes(name, body, &cfg) {
        // What the caller relies on for an Ok list.
        assert_eq!(parsed.kind, InputKind::UrlList);
        assert!(!parsed.items.is_empty(), "Ok with no URL");
        assert!(parsed.items.len() as u64 <= cfg.max_urls);
        let mut seen = HashSet::new();
        for item in &parsed.items {
            assert!(seen.insert(&item.url), "duplicate URL kept: {}", item.url);
            assert!(
                item.url.starts_with("http://") || item.url.starts_with("https://"),
                "non-http URL accepted: {}",
                item.url
            );
        }
    }
});
