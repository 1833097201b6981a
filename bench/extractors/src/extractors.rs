//! The extractor variants under comparison. Each takes the page HTML and its
//! URL and returns title + main text as plain owned strings.

use anyhow::{anyhow, Result};
use dom_smoothie::{CandidateSelectMode, Config, Readability, TextMode};

/// What an extractor gives back.
#[derive(Debug, Clone, Default)]
pub struct Extracted {
    pub title: String,
    pub text: String,
    pub lang: Option<String>,
}

/// One extractor configuration.
pub struct Variant {
    /// Short name for tables.
    pub name: &'static str,
    /// Crate + settings, for the report.
    pub settings: &'static str,
    pub run: fn(&str, &str) -> Result<Extracted>,
}

fn trafilatura_with(
    html: &str,
    url: &str,
    tweak: fn(&mut rs_trafilatura::Options),
) -> Result<Extracted> {
    let mut opts = rs_trafilatura::Options {
        url: Some(url.to_owned()),
        ..rs_trafilatura::Options::default()
    };
    tweak(&mut opts);
    let r = rs_trafilatura::extract_with_options(html, &opts)
        .map_err(|e| anyhow!("rs-trafilatura: {e}"))?;
    Ok(Extracted {
        title: r.metadata.title.unwrap_or_default(),
        text: r.content_text,
        lang: r.metadata.language,
    })
}

fn traf_default(html: &str, url: &str) -> Result<Extracted> {
    trafilatura_with(html, url, |_| {})
}

fn traf_precision(html: &str, url: &str) -> Result<Extracted> {
    trafilatura_with(html, url, |o| o.favor_precision = true)
}

fn traf_recall(html: &str, url: &str) -> Result<Extracted> {
    trafilatura_with(html, url, |o| o.favor_recall = true)
}

fn smoothie_with(
    html: &str,
    url: &str,
    text_mode: TextMode,
    candidate_select_mode: CandidateSelectMode,
) -> Result<Extracted> {
    let cfg = Config {
        text_mode,
        candidate_select_mode,
        ..Config::default()
    };
    // `Readability` and `Article` hold `dom_query`/`tendril` types that are
    // not `Send`: convert to `String` before leaving this function.
    let mut r = Readability::new(html, Some(url), Some(cfg))
        .map_err(|e| anyhow!("dom_smoothie new: {e}"))?;
    let a = r.parse().map_err(|e| anyhow!("dom_smoothie parse: {e}"))?;
    Ok(Extracted {
        title: a.title,
        text: a.text_content.to_string(),
        lang: a.lang,
    })
}

fn ds_raw(html: &str, url: &str) -> Result<Extracted> {
    smoothie_with(html, url, TextMode::Raw, CandidateSelectMode::Readability)
}

fn ds_formatted(html: &str, url: &str) -> Result<Extracted> {
    smoothie_with(
        html,
        url,
        TextMode::Formatted,
        CandidateSelectMode::Readability,
    )
}

fn ds_markdown(html: &str, url: &str) -> Result<Extracted> {
    smoothie_with(
        html,
        url,
        TextMode::Markdown,
        CandidateSelectMode::Readability,
    )
}

fn ds_raw_alt(html: &str, url: &str) -> Result<Extracted> {
    smoothie_with(html, url, TextMode::Raw, CandidateSelectMode::DomSmoothie)
}

fn ds_formatted_alt(html: &str, url: &str) -> Result<Extracted> {
    smoothie_with(
        html,
        url,
        TextMode::Formatted,
        CandidateSelectMode::DomSmoothie,
    )
}

fn datafactory(html: &str, url: &str) -> Result<Extracted> {
    let m = shared::extract::extract_main_text(html, url).map_err(|e| anyhow!("{e}"))?;
    Ok(Extracted {
        title: m.title,
        text: m.text,
        lang: None,
    })
}

pub fn all() -> Vec<Variant> {
    vec![
        Variant {
            name: "datafactory",
            settings: "datafactory's extract_main_text: htmltree + readability rules (shared/src/readability.rs)",
            run: datafactory,
        },
        Variant {
            name: "rs-trafilatura",
            settings: "rs-trafilatura 0.2.2, Options::default() + url",
            run: traf_default,
        },
        Variant {
            name: "rs-trafilatura/precision",
            settings: "rs-trafilatura 0.2.2, favor_precision = true",
            run: traf_precision,
        },
        Variant {
            name: "rs-trafilatura/recall",
            settings: "rs-trafilatura 0.2.2, favor_recall = true",
            run: traf_recall,
        },
        Variant {
            name: "dom_smoothie/raw",
            settings: "dom_smoothie 0.19.0, TextMode::Raw (default), CandidateSelectMode::Readability (default)",
            run: ds_raw,
        },
        Variant {
            name: "dom_smoothie/formatted",
            settings: "dom_smoothie 0.19.0, TextMode::Formatted, CandidateSelectMode::Readability",
            run: ds_formatted,
        },
        Variant {
            name: "dom_smoothie/markdown",
            settings: "dom_smoothie 0.19.0, TextMode::Markdown, CandidateSelectMode::Readability",
            run: ds_markdown,
        },
        Variant {
            name: "dom_smoothie/raw+alt",
            settings: "dom_smoothie 0.19.0, TextMode::Raw, CandidateSelectMode::DomSmoothie",
            run: ds_raw_alt,
        },
        Variant {
            name: "dom_smoothie/formatted+alt",
            settings: "dom_smoothie 0.19.0, TextMode::Formatted, CandidateSelectMode::DomSmoothie",
            run: ds_formatted_alt,
        },
    ]
}
