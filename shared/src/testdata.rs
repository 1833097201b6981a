//! The corpus (`examples/corpus`, MIT licence) for the tests that check a pass over real HTML
//! or over the human-written text of real pages.

use std::io::Read;
use std::path::PathBuf;

/// The corpus pages' files (gzipped HTML), in file-name order.
pub(crate) fn corpus_page_paths() -> Vec<PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/corpus/pages");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
}

/// Every corpus page, gunzipped, with its file's path, in file-name order.
pub(crate) fn corpus_pages() -> Vec<(PathBuf, String)> {
    corpus_page_paths()
        .into_iter()
        .map(|path| {
            let mut html = String::new();
            flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
                .read_to_string(&mut html)
                .unwrap();
            (path, html)
        })
        .collect()
}

/// The human-written main text of every corpus page (`ground-truth.json`'s `articleBody`), in
/// the order of their keys.
pub(crate) fn corpus_texts() -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/corpus/ground-truth.json");
    let truth: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let texts: Vec<String> = truth
        .values()
        .filter_map(|v| v["articleBody"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(
        texts.len(),
        truth.len(),
        "{} holds pages without a text",
        path.display()
    );
    texts
}
