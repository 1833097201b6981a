//! The dashboard's built files (`dashboard/dist`, made by `npm run build` there and
//! committed), embedded in the binary: `datafactory serve` and the api Lambda hand them out
//! at `/` and `/assets/...` with no file beside the binary and nothing fetched from a CDN.

use rust_embed::Embed;

#[derive(Embed)]
#[folder = "../dashboard/dist"]
struct Dist;

/// The page and its scripts load only from the origin that serves them; example text is shown
/// as text. Sent with every answer by `datafactory serve` and with files by the api function.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; \
     style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; \
     base-uri 'none'; form-action 'self'";

/// One file to send: its bytes, content type and whether it may be cached for good (Vite puts a
/// content hash in every asset's name; `index.html` must be revalidated).
pub struct Asset {
    pub bytes: Vec<u8>,
    pub content_type: String,
    pub immutable: bool,
}

/// The file for a request path, if the path is one of the dashboard's.
pub fn get(path: &str) -> Option<Asset> {
    let name = match path.trim_start_matches('/') {
        "" | "index.html" => "index.html",
        other if other.starts_with("assets/") || other == "favicon.svg" => other,
        _ => return None,
    };
    let file = Dist::get(name)?;
    Some(Asset {
        content_type: file.metadata.mimetype().to_string(),
        bytes: file.data.into_owned(),
        immutable: name != "index.html",
    })
}

/// Whether the dashboard was built into this binary.
pub fn present() -> bool {
    Dist::get("index.html").is_some()
}
