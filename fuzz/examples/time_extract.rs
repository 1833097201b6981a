//! Time `decode_html` + `extract` on files, without fuzzing instrumentation or sanitizers, on a
//! 2 MiB stack as in the Refiner (`spawn_blocking`). For judging `timeout-*` artifacts and the
//! depth or size at which a page becomes slow:
//!
//!   cargo run --release --example time_extract --target-dir target/plain -- FILE...
//!
//! Files are taken as the `extract` target sees them: the first byte picks the Content-Type
//! (use `--raw` for plain HTML files: no selector byte, no Content-Type).
use std::time::Instant;

fn main() {
    let mut raw = false;
    for arg in std::env::args().skip(1) {
        if arg == "--raw" {
            raw = true;
            continue;
        }
        let bytes = std::fs::read(&arg).expect("read");
        let body = if raw { bytes.clone() } else { bytes[1..].to_vec() };
        let name = arg.clone();
        let t = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || {
                let start = Instant::now();
                let (html, _) = shared::charset::decode_html(&body, Some("text/html"));
                let r = shared::extract::extract(&html, "https://example.com/a");
                (start.elapsed(), r.map(|d| d.text.len()).map_err(|e| e.to_string()))
            })
            .unwrap();
        let (took, r) = t.join().unwrap();
        println!("{name}: {:.3} s, {} bytes in, {:?}", took.as_secs_f64(), bytes.len(), r);
    }
}
