//! An LLM answer as the Factory (and the Inspector's judge) handle it
//! (shared/src/generation.rs, stages/factory.rs, stages/inspector.rs):
//! `templates::extract_json(content)`, the template's JSON Schema check, then
//! `Template::examples(answer, chunk, cfg, model)` for a built-in template.
//!
//! Checked: nothing panics; an answer that passes the schema maps to examples without an
//! error (the Factory propagates that error with `?`, failing the whole shard rather than the
//! one chunk); the judge's score maps into 0..=1.
//!
//! The first input byte picks the template (qa, summarization, classification, instruction,
//! judge); the rest, as UTF-8 (lossy: an HTTP answer's content is always a String), is the
//! answer's content.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use shared::config::FactoryConfig;
use shared::templates::{self, Template};

struct Case {
    cfg: FactoryConfig,
    template: Template,
    validator: jsonschema::Validator,
}

fn cases() -> &'static Vec<Case> {
    static CASES: OnceLock<Vec<Case>> = OnceLock::new();
    CASES.get_or_init(|| {
        let mut out = Vec::new();
        for name in templates::BUILTIN_NAMES {
            let cfg = FactoryConfig {
                template: name.to_string(),
                labels: vec!["sport".into(), "politics".into(), "science".into()],
                ..FactoryConfig::default()
            };
            let template = templates::load(&cfg).expect("built-in template loads");
            let schema = template.schema(&cfg).expect("schema renders");
            let validator = jsonschema::validator_for(&schema).expect("schema compiles");
            out.push(Case {
                cfg,
                template,
                validator,
            });
        }
        let cfg = FactoryConfig::default();
        let template = templates::judge().expect("judge template");
        let schema = template.schema(&cfg).expect("judge schema");
        let validator = jsonschema::validator_for(&schema).expect("judge schema compiles");
        out.push(Case {
            cfg,
            template,
            validator,
        });
        out
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, body)) = data.split_first() else {
        return;
    };
    let cases = cases();
    let case = &cases[usize::from(sel) % cases.len()];
    let content = String::from_utf8_lossy(body);
    let Some(answer) = templates::extract_json(&content) else {
        return;
    };
    let valid = case.validator.is_valid(&answer);
    if case.template.name == "judge" {
        if valid {
            // stages/inspector.rs, Judge::score.
            let s = answer["score"].as_f64().unwrap_or(1.0).clamp(1.0, 5.0);
            let f = (s - 1.0) / 4.0;
            assert!((0.0..=1.0).contains(&f), "judge score {f}");
        }
        return;
    }
    let chunk = templates::sample_chunk();
    let res = case
        .template
        .examples(&answer, &chunk, &case.cfg, "fuzz-model");
    if valid {
        let ex = res.unwrap_or_else(|e| {
            panic!(
                "template {}: an answer that passes the schema failed to map: {e}",
                case.template.name
            )
        });
        for e in &ex {
            assert!(!e.instruction.is_empty() && !e.response.is_empty());
        }
    }
});
