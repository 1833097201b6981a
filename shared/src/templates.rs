//! Prompt templates: a system prompt, a user prompt and the JSON Schema of the answer, plus how
//! an answer becomes examples. Written in TOML with minijinja expressions; four are built in
//! (`qa`, `summarization`, `classification`, `instruction`) and users add their own files.

use std::path::{Path, PathBuf};

use minijinja::{Environment, UndefinedBehavior, Value as JinjaValue, context};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::FactoryConfig;
use crate::error::{Error, Result};
use crate::model::{Chunk, Example};
use crate::text::sha256_hex;

const BUILTIN: [(&str, &str); 5] = [
    ("qa", include_str!("../templates/qa.toml")),
    (
        "summarization",
        include_str!("../templates/summarization.toml"),
    ),
    (
        "classification",
        include_str!("../templates/classification.toml"),
    ),
    ("instruction", include_str!("../templates/instruction.toml")),
    ("judge", include_str!("../templates/judge.toml")),
];

/// Templates users can pick (the judge is internal).
pub const BUILTIN_NAMES: [&str; 4] = ["qa", "summarization", "classification", "instruction"];

/// How an answer becomes examples: `items` points (JSON Pointer) at an array whose elements
/// each make one example, or is empty for one example from the whole answer. The other fields
/// are minijinja templates over `item`, `chunk`, `labels` and `n`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputSpec {
    #[serde(default)]
    pub items: String,
    pub instruction: String,
    #[serde(default)]
    pub input: String,
    pub response: String,
    #[serde(default)]
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub name: String,
    pub version: String,
    /// `qa`, `summarization`, `classification`, `instruction` or your own.
    pub task: String,
    /// Hugging Face `task_categories` value for the dataset card.
    pub task_category: String,
    #[serde(default)]
    pub description: String,
    pub system: String,
    pub user: String,
    /// JSON Schema of the answer (itself a template: `{{ labels | json }}` works).
    pub schema: String,
    pub output: OutputSpec,
    /// Where it came from: `built-in` or a file path.
    #[serde(skip)]
    pub origin: String,
}

fn env() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_filter("json", |v: JinjaValue| {
        serde_json::to_string(&v).unwrap_or_else(|_| "null".to_string())
    });
    env
}

fn parse(text: &str, origin: &str) -> Result<Template> {
    let mut t: Template =
        toml::from_str(text).map_err(|e| Error::Config(format!("template {origin}: {e}")))?;
    t.origin = origin.to_string();
    Ok(t)
}

/// Every template: built-ins, then those in `dir` (a file there may replace a built-in).
pub fn list(dir: Option<&Path>) -> Result<Vec<Template>> {
    let mut out: Vec<Template> = BUILTIN
        .iter()
        .filter(|(n, _)| BUILTIN_NAMES.contains(n))
        .map(|(_, t)| parse(t, "built-in"))
        .collect::<Result<_>>()?;
    if let Some(dir) = dir {
        for t in from_dir(dir)? {
            out.retain(|o| o.name != t.name);
            out.push(t);
        }
    }
    Ok(out)
}

fn from_dir(dir: &Path) -> Result<Vec<Template>> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::Config(format!("template dir {}: {e}", dir.display())))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    paths.iter().map(|p| from_file(p)).collect()
}

fn from_file(path: &Path) -> Result<Template> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Config(format!("template {}: {e}", path.display())))?;
    parse(&text, &path.display().to_string())
}

/// The template a job uses: a `.toml` path, a name in `template_dir`, or a built-in name.
pub fn load(cfg: &FactoryConfig) -> Result<Template> {
    let name = cfg.template.trim();
    let t = if name.ends_with(".toml") {
        from_file(Path::new(name))?
    } else {
        let dir = (!cfg.template_dir.is_empty()).then(|| Path::new(&cfg.template_dir));
        list(dir)?
            .into_iter()
            .find(|t| t.name == name)
            .ok_or_else(|| {
                Error::Config(format!(
                    "factory.template: no template named {name:?} (built-in: {})",
                    BUILTIN_NAMES.join(", ")
                ))
            })?
    };
    t.check(cfg)?;
    Ok(t)
}

/// The internal judge template.
pub fn judge() -> Result<Template> {
    parse(BUILTIN[4].1, "built-in")
}

/// A chunk for sample renders (`datafactory templates`).
pub fn sample_chunk() -> Chunk {
    Chunk {
        id: sha256_hex("sample"),
        doc_id: sha256_hex("sample doc"),
        url: "https://example.org/harbour".to_string(),
        title: "The new harbour bridge".to_string(),
        language: "en".to_string(),
        text: "The new harbour bridge opened on Monday after four years of work. It is 1.2 km \
               long, carries two tram lines and a cycle path, and cost 310 million euros, 40 \
               million more than planned."
            .to_string(),
        token_count: 45,
        chunk_index: 0,
    }
}

impl Template {
    fn ctx(&self, chunk: &Chunk, cfg: &FactoryConfig, item: &Value) -> JinjaValue {
        context! {
            chunk => chunk,
            n => cfg.examples_per_chunk,
            labels => cfg.labels,
            item => item,
        }
    }

    fn render(&self, what: &str, src: &str, ctx: &JinjaValue) -> Result<String> {
        env().render_str(src, ctx).map_err(|e| {
            Error::Config(format!(
                "template {} ({}): {what}: {e:#}",
                self.name, self.origin
            ))
        })
    }

    /// Render everything once on a sample chunk, so a broken template fails the job up front
    /// rather than every chunk.
    pub fn check(&self, cfg: &FactoryConfig) -> Result<()> {
        let uses_labels = self.user.contains("labels") || self.schema.contains("labels");
        if uses_labels && cfg.labels.is_empty() {
            return Err(Error::Config(format!(
                "template {} needs labels: set factory.labels",
                self.name
            )));
        }
        self.messages(&sample_chunk(), cfg)?;
        let schema = self.schema(cfg)?;
        jsonschema::validator_for(&schema)
            .map_err(|e| Error::Config(format!("template {}: schema: {e}", self.name)))?;
        Ok(())
    }

    /// (system, user) prompts for one chunk.
    pub fn messages(&self, chunk: &Chunk, cfg: &FactoryConfig) -> Result<(String, String)> {
        let ctx = self.ctx(chunk, cfg, &Value::Null);
        Ok((
            self.render("system", &self.system, &ctx)?,
            self.render("user", &self.user, &ctx)?,
        ))
    }

    /// The answer's JSON Schema.
    pub fn schema(&self, cfg: &FactoryConfig) -> Result<Value> {
        let ctx = self.ctx(&sample_chunk(), cfg, &Value::Null);
        let text = self.render("schema", &self.schema, &ctx)?;
        serde_json::from_str(&text)
            .map_err(|e| Error::Config(format!("template {}: schema is not JSON: {e}", self.name)))
    }

    /// Examples from a validated answer. An item that renders empty is skipped.
    pub fn examples(
        &self,
        answer: &Value,
        chunk: &Chunk,
        cfg: &FactoryConfig,
        model: &str,
    ) -> Result<Vec<Example>> {
        let items: Vec<&Value> = if self.output.items.is_empty() {
            vec![answer]
        } else {
            match answer.pointer(&self.output.items) {
                Some(Value::Array(a)) => a.iter().collect(),
                _ => Vec::new(),
            }
        };
        let (system, _) = self.messages(chunk, cfg)?;
        let mut out = Vec::new();
        for item in items {
            let ctx = self.ctx(chunk, cfg, item);
            let instruction = self.render("output.instruction", &self.output.instruction, &ctx)?;
            let input = self.render("output.input", &self.output.input, &ctx)?;
            let response = self.render("output.response", &self.output.response, &ctx)?;
            let label = self.render("output.label", &self.output.label, &ctx)?;
            if instruction.trim().is_empty() || response.trim().is_empty() {
                continue;
            }
            let id = sha256_hex(format!(
                "{}\u{1f}{}\u{1f}{}\u{1f}{}",
                self.name, instruction, input, response
            ));
            out.push(Example {
                id,
                chunk_id: chunk.id.clone(),
                doc_id: chunk.doc_id.clone(),
                url: chunk.url.clone(),
                title: chunk.title.clone(),
                language: chunk.language.clone(),
                template: self.name.clone(),
                template_version: self.version.clone(),
                task: self.task.clone(),
                system: system.clone(),
                instruction: instruction.trim().to_string(),
                input: input.trim().to_string(),
                response: response.trim().to_string(),
                label: (!label.trim().is_empty()).then(|| label.trim().to_string()),
                source: chunk.text.clone(),
                model: model.to_string(),
            });
        }
        Ok(out)
    }

    /// Prompts for judging one example.
    pub fn judge_messages(&self, example: &Example) -> Result<(String, String)> {
        let ctx = context! { example => example };
        Ok((
            self.render("system", &self.system, &ctx)?,
            self.render("user", &self.user, &ctx)?,
        ))
    }
}

/// The JSON in an answer: the whole text, a fenced block, or the outermost `{...}`.
pub fn extract_json(content: &str) -> Option<Value> {
    let t = content.trim();
    if let Ok(v) = serde_json::from_str::<Value>(t) {
        return Some(v);
    }
    let unfenced = t
        .strip_prefix("```json")
        .or_else(|| t.strip_prefix("```"))
        .and_then(|s| s.trim_end().strip_suffix("```"));
    if let Some(inner) = unfenced
        && let Ok(v) = serde_json::from_str::<Value>(inner.trim())
    {
        return Some(v);
    }
    let (start, end) = (t.find('{')?, t.rfind('}')?);
    (start < end)
        .then(|| serde_json::from_str::<Value>(&t[start..=end]).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_load_render_and_map_answers() {
        let mut cfg = FactoryConfig::default();
        for name in BUILTIN_NAMES {
            cfg.template = name.to_string();
            cfg.labels = vec!["sport".into(), "politics".into()];
            let t = load(&cfg).unwrap();
            let (_, user) = t.messages(&sample_chunk(), &cfg).unwrap();
            assert!(user.contains("harbour bridge"), "{name}");
        }
        cfg.template = "qa".into();
        let t = load(&cfg).unwrap();
        let answer = serde_json::json!({"pairs": [
            {"question": "How long is the bridge?", "answer": "1.2 km."},
            {"question": "What did it cost?", "answer": "310 million euros."}]});
        let ex = t.examples(&answer, &sample_chunk(), &cfg, "m").unwrap();
        assert_eq!(ex.len(), 2);
        assert_eq!(ex[1].response, "310 million euros.");
        assert_ne!(ex[0].id, ex[1].id);
        cfg.template = "classification".into();
        let t = load(&cfg).unwrap();
        let schema = t.schema(&cfg).unwrap();
        assert_eq!(schema["properties"]["label"]["enum"][1], "politics");
        let ex = t
            .examples(
                &serde_json::json!({"label": "sport", "reason": "r"}),
                &sample_chunk(),
                &cfg,
                "m",
            )
            .unwrap();
        assert_eq!(ex[0].label.as_deref(), Some("sport"));
        assert!(ex[0].instruction.contains("sport, politics"));
    }

    #[test]
    fn classification_without_labels_and_unknown_names_are_config_errors() {
        let cfg = FactoryConfig {
            template: "classification".into(),
            ..FactoryConfig::default()
        };
        assert!(
            load(&cfg)
                .unwrap_err()
                .to_string()
                .contains("factory.labels")
        );
        let cfg = FactoryConfig {
            template: "nope".into(),
            ..FactoryConfig::default()
        };
        assert!(
            load(&cfg)
                .unwrap_err()
                .to_string()
                .contains("no template named")
        );
    }

    #[test]
    fn json_is_found_in_chatty_answers() {
        assert_eq!(extract_json("{\"a\":1}").unwrap()["a"], 1);
        assert_eq!(extract_json("```json\n{\"a\":2}\n```").unwrap()["a"], 2);
        assert_eq!(
            extract_json("Sure! Here it is: {\"a\":3} Hope it helps").unwrap()["a"],
            3
        );
        assert!(extract_json("no json here").is_none());
        assert!(extract_json("{\"a\": ").is_none());
    }
}
