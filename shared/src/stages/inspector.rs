//! Inspector: scores generated examples (format, length, groundedness, readability, toxicity,
//! near-duplicates, and the optional LLM judge). It inspects LLM output, so in corpus mode (see
//! `factory`) it has nothing to do: corpus quality is enforced by the Refiner's filters and
//! de-duplication.
//!
//! This module is the pure scoring logic: no I/O, no state. The stage around it decides which
//! example claimed an instruction's band keys first (that one is unique, later ones are not)
//! and whether the judge runs.
//!
//! Every check gives a score in 0..1 where 1 is best, so the total is a plain weighted mean and
//! a human can read each score without knowing the check's internals.

use std::collections::{BTreeMap, HashSet};

use rustrict::{Censor, Type};

use crate::config::InspectorConfig;
use crate::minhash::MinHasher;
use crate::model::{Example, InspectedExample};
use std::sync::Arc;

use futures::{StreamExt, TryStreamExt};

use crate::config::FactoryConfig;
use crate::error::{Error, Result};
use crate::generation::{Generator, Prompt, Usage};
use crate::model::{ItemError, ShardReport, Stage};
use crate::ports::Claim;
use crate::stages::StageContext;
use crate::templates::{self, Template};
use crate::{jsonl, keys};

/// Groundedness below this gets a note: by then at least one content word in five is not in
/// the source, which is where invented facts start to outnumber paraphrase noise.
const GROUNDEDNESS_NOTE_BELOW: f64 = 0.8;
/// Readability below this gets a note: FRE under 30, the "very difficult" band of the Flesch
/// scale; milder difficulty is common in technical answers and not worth a human's attention.
const READABILITY_NOTE_BELOW: f64 = 0.5;
/// The judge's score below this gets a note: the judge itself considers the example more
/// unfaithful than faithful.
const JUDGE_NOTE_BELOW: f64 = 0.5;
/// How many ungrounded words a note lists: enough to see what was invented, short enough to
/// read in a summary.
const NOTE_WORDS: usize = 5;

/// The per-example checks of one example, before uniqueness and the judge are known.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Checks {
    /// Check name -> score in 0..1 (1 is best), unrounded.
    pub scores: BTreeMap<String, f64>,
    /// Why checks scored low, for humans.
    pub notes: Vec<String>,
    /// The example is unusable whatever its scores (broken schema, empty fields); it fails
    /// even when `format` has weight 0, because a weight tunes quality, not validity.
    pub hard_fail: bool,
}

impl Checks {
    fn set(&mut self, name: &str, score: f64) {
        self.scores.insert(name.to_string(), score);
    }
}

pub struct Inspector {
    cfg: InspectorConfig,
    hasher: MinHasher,
}

impl Inspector {
    pub fn new(cfg: &InspectorConfig) -> Self {
        Inspector {
            cfg: cfg.clone(),
            hasher: MinHasher::new(&cfg.dedup),
        }
    }

    /// Score one example's per-example checks (everything except uniqueness and judge).
    ///
    /// `readability` is left out for examples in a language other than English: the Flesch
    /// formula and textstat's syllable heuristic are English-specific, and a check that is
    /// absent drops out of the weighted mean rather than rewarding or punishing at random.
    pub fn score(&self, ex: &Example, schema_ok: bool) -> Checks {
        let mut checks = Checks::default();
        let classification = ex.task == "classification";

        let format = self.format(ex, schema_ok, classification, &mut checks.notes);
        checks.hard_fail = format == 0.0;
        checks.set("format", format);

        let length = self.length(ex, classification, &mut checks.notes);
        checks.set("length", length);

        // A label is chosen from the configured set, not quoted from the text, so looking for
        // it in the source would fail every correct classification.
        let grounded = if classification {
            1.0
        } else {
            let (score, missing) = grounded_and_missing(&ex.response, &ex.source);
            if score < GROUNDEDNESS_NOTE_BELOW {
                checks.notes.push(format!(
                    "groundedness {score:.2}: response words not in the source: {}",
                    missing.join(", ")
                ));
            }
            score
        };
        checks.set("groundedness", grounded);

        if is_english(&ex.language) {
            let score = readability(&ex.response);
            if score < READABILITY_NOTE_BELOW {
                checks.notes.push(format!(
                    "readability {score:.2}: Flesch reading ease {:.0} (60 or more reads easily)",
                    flesch(&ex.response)
                ));
            }
            checks.set("readability", score);
        }

        // The instruction is generated too and becomes a training prompt, so it must be as
        // clean as the answer. `input` is left alone: it is source text the Refiner kept, and
        // the user chose those pages.
        let mut tox = 1.0_f64;
        for (field, text) in [("instruction", &ex.instruction), ("response", &ex.response)] {
            let (score, kind) = toxicity(text);
            if let Some(kind) = kind {
                checks
                    .notes
                    .push(format!("toxicity {score:.2}: {field} is {kind}"));
            }
            tox = tox.min(score);
        }
        checks.set("toxicity", tox);

        checks
    }

    /// LSH band keys of the example's instruction (+input), for near-duplicate claims.
    ///
    /// The instruction is what a duplicate repeats: the same question asked twice teaches the
    /// model nothing new even when the answers are worded differently. The input joins it when
    /// there is one, because templates such as summarization or classification use one fixed
    /// instruction for every example and differ only in the text they work on; hashing the
    /// instruction alone would make all of them duplicates of the first.
    ///
    /// Empty when near-duplicate detection is off (`dedup.near = false`) or the text has no
    /// words: every empty text has the same signature and would collide with every other.
    pub fn instruction_band_keys(&self, ex: &Example) -> Vec<String> {
        if !self.cfg.dedup.near {
            return Vec::new();
        }
        let text = if ex.input.trim().is_empty() {
            ex.instruction.clone()
        } else {
            format!("{}\n{}", ex.instruction, ex.input)
        };
        if !text.split_whitespace().any(has_alphanumeric) {
            return Vec::new();
        }
        self.hasher.band_keys(&self.hasher.signature(&text))
    }

    /// Combine checks into the verdict. `unique` false = near-duplicate of an earlier example;
    /// `judge` is the LLM judge's 0..1 score when it ran.
    ///
    /// Every score is rounded to 4 decimals before the total is taken, so the exported
    /// `score` can be recomputed from the exported `scores` and reruns compare equal. A check
    /// with weight 0 keeps its score in `scores` (for humans) but leaves the total.
    pub fn verdict(
        &self,
        ex: Example,
        checks: Checks,
        unique: bool,
        judge: Option<f64>,
    ) -> InspectedExample {
        let Checks {
            mut scores,
            mut notes,
            hard_fail,
        } = checks;
        scores.insert("uniqueness".to_string(), if unique { 1.0 } else { 0.0 });
        if !unique {
            notes.push("uniqueness 0: near-duplicate of an earlier example's instruction".into());
        }
        if let Some(j) = judge {
            // A judge answer that is not a number says nothing in the example's favour.
            let j = if j.is_finite() {
                j.clamp(0.0, 1.0)
            } else {
                0.0
            };
            if j < JUDGE_NOTE_BELOW {
                notes.push(format!(
                    "judge {j:.2}: the judge found the example unfaithful"
                ));
            }
            scores.insert("judge".to_string(), j);
        }
        for v in scores.values_mut() {
            *v = round4(*v);
        }

        let (mut sum, mut total_weight) = (0.0, 0.0);
        for (name, score) in &scores {
            let w = self.weight(name);
            if w > 0.0 {
                sum += w * score;
                total_weight += w;
            }
        }
        // With nothing weighted there is nothing to hold against the example; hard failures
        // still fail it below.
        let score = if total_weight > 0.0 {
            round4(sum / total_weight)
        } else {
            1.0
        };
        let passed = !hard_fail && score >= self.cfg.threshold;
        InspectedExample {
            example: ex,
            scores,
            score,
            passed,
            notes,
            review: None,
        }
    }

    /// A check's weight; unknown names (a check added without a weight) and unusable weights
    /// count as 0 so they can never skew the total.
    fn weight(&self, check: &str) -> f64 {
        let w = &self.cfg.weights;
        let v = match check {
            "format" => w.format,
            "length" => w.length,
            "groundedness" => w.groundedness,
            "readability" => w.readability,
            "toxicity" => w.toxicity,
            "uniqueness" => w.uniqueness,
            "judge" => w.judge,
            _ => 0.0,
        };
        if v.is_finite() && v > 0.0 { v } else { 0.0 }
    }

    fn format(
        &self,
        ex: &Example,
        schema_ok: bool,
        classification: bool,
        notes: &mut Vec<String>,
    ) -> f64 {
        let mut problems = Vec::new();
        if !schema_ok {
            problems.push("the answer did not match the template's schema");
        }
        if ex.instruction.trim().is_empty() {
            problems.push("empty instruction");
        }
        if ex.response.trim().is_empty() {
            problems.push("empty response");
        }
        if classification && ex.label.as_deref().is_none_or(|l| l.trim().is_empty()) {
            problems.push("classification without a label");
        }
        if problems.is_empty() {
            1.0
        } else {
            notes.push(format!("format 0: {}", problems.join("; ")));
            0.0
        }
    }

    fn length(&self, ex: &Example, classification: bool, notes: &mut Vec<String>) -> f64 {
        let cfg = &self.cfg;
        let instruction = bounded(
            "instruction",
            textstat::lexicon_count(&ex.instruction) as u64,
            cfg.min_instruction_words,
            cfg.max_instruction_words,
            notes,
        );
        // A classification response is a label, short by design: word bounds meant for
        // prose answers would fail every one of them.
        let response = if classification {
            1.0
        } else {
            bounded(
                "response",
                textstat::lexicon_count(&ex.response) as u64,
                cfg.min_response_words,
                cfg.max_response_words,
                notes,
            )
        };
        // The worse of the two: a good answer does not make up for a truncated question.
        instruction.min(response)
    }
}

/// 1 inside `[min, max]`; outside, the ratio of the crossed bound to the actual count, so the
/// score falls smoothly the further out the count is (twice the maximum scores 0.5).
fn bounded(field: &str, words: u64, min: u64, max: u64, notes: &mut Vec<String>) -> f64 {
    let score = if words < min {
        words as f64 / min as f64
    } else if max > 0 && words > max {
        max as f64 / words as f64
    } else {
        return 1.0;
    };
    let bound = if words < min {
        format!("fewer than the minimum {min}")
    } else {
        format!("more than the maximum {max}")
    };
    notes.push(format!(
        "length {score:.2}: {field} has {words} words, {bound}"
    ));
    score.clamp(0.0, 1.0)
}

/// Share of the response's content words that appear in the source, in 0..1.
///
/// Content words are lowercased alphanumeric runs of 3 or more characters that are not common
/// English function words: those carry the facts, so a response made of them that the source
/// does not contain is likely invented. Words are compared after crude suffix stripping on
/// both sides (`houses`/`house`, `used`/`use`, `studies`/`study`) so that ordinary inflection
/// is not mistaken for invention.
///
/// A non-empty response with no content words at all (`yes`, `no`, `42`) makes no claim that
/// could be checked against the source and scores 1; an empty response scores 0.
///
/// Word-based, so it is weak for scripts written without spaces (Chinese, Japanese, Thai),
/// where a whole clause becomes one "word".
pub fn groundedness(response: &str, source: &str) -> f64 {
    grounded_and_missing(response, source).0
}

/// The groundedness score and the first few response words not found in the source.
fn grounded_and_missing(response: &str, source: &str) -> (f64, Vec<String>) {
    if response.trim().is_empty() {
        return (0.0, Vec::new());
    }
    let words = content_words(response);
    if words.is_empty() {
        return (1.0, Vec::new());
    }
    let known: HashSet<String> = content_words(source)
        .iter()
        .flat_map(|w| variants(w))
        .collect();
    let mut found = 0usize;
    let mut missing: Vec<String> = Vec::new();
    for w in &words {
        if variants(w).iter().any(|v| known.contains(v)) {
            found += 1;
        } else if missing.len() < NOTE_WORDS && !missing.contains(w) {
            missing.push(w.clone());
        }
    }
    (found as f64 / words.len() as f64, missing)
}

/// Lowercased alphanumeric tokens of 3+ characters that are not stop words.
fn content_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| t.chars().count() >= 3)
        .map(str::to_lowercase)
        .filter(|t| !STOP_WORDS.split_whitespace().any(|s| s == t))
        .collect()
}

/// The word and its crude stems. Both sides are expanded rather than reduced to one stem each,
/// because a single stripping rule cannot serve `house`/`houses` (strip `s`) and `box`/`boxes`
/// (strip `es`) at once. Stems shorter than 3 characters are dropped: they would match
/// unrelated words.
fn variants(word: &str) -> Vec<String> {
    let mut out = vec![word.to_string()];
    let mut push = |stem: String| {
        if stem.chars().count() >= 3 && !out.contains(&stem) {
            out.push(stem);
        }
    };
    if let Some(s) = word.strip_suffix("ies") {
        push(format!("{s}y"));
    }
    if let Some(s) = word.strip_suffix("ing") {
        push(s.to_string());
        push(format!("{s}e"));
    }
    if let Some(s) = word.strip_suffix("ed") {
        push(s.to_string());
    }
    if let Some(s) = word.strip_suffix('d')
        && word.ends_with("ed")
    {
        push(s.to_string());
    }
    if let Some(s) = word.strip_suffix("es") {
        push(s.to_string());
    }
    // `ss` is part of the word (`class`, `glass`), not a plural.
    if let Some(s) = word.strip_suffix('s')
        && !word.ends_with("ss")
    {
        push(s.to_string());
    }
    out
}

/// Common English function words of 3+ letters: frequent in any answer, they say nothing about
/// whether its facts came from the source.
const STOP_WORDS: &str = "\
    about above after again against all also and any are because been before being below \
    between both but can could did does doing down during each few for from further had has \
    have having her here hers herself him himself his how into its itself just more most nor \
    not now off once only other our ours ourselves out over own same she should some such \
    than that the their theirs them themselves then there these they this those through too \
    under until very was were what when where which while who whom why will with would yes \
    you your yours yourself yourselves";

/// Flesch reading ease of `text` mapped to 0..1: FRE 60 or more ("plain English") scores 1,
/// FRE 0 or less scores 0, linear between.
///
/// Training answers teach the model how to answer, so they should be readable; text that is
/// very hard to read scores lower. The score never goes negative, because FRE has no lower
/// bound and one pathological sentence should not outweigh the other checks. Responses of
/// fewer than 3 words score 1: FRE is meaningless without a sentence to measure.
pub fn readability(text: &str) -> f64 {
    if textstat::lexicon_count(text) < 3 {
        return 1.0;
    }
    (flesch(text) / 60.0).clamp(0.0, 1.0)
}

/// Flesch reading ease, counting each line as ending a sentence: generated answers are often
/// lists whose items carry no full stop, and textstat would read a whole list as one endless
/// sentence.
fn flesch(text: &str) -> f64 {
    let mut prepared = String::with_capacity(text.len() + 16);
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        prepared.push_str(line);
        if !line.ends_with(['.', '!', '?']) {
            prepared.push('.');
        }
        prepared.push(' ');
    }
    textstat::flesch_reading_ease(&prepared)
}

/// Profanity and abuse in `text`, via rustrict: 1 when nothing is found, 0.5 when the worst
/// finding is moderate, 0 when it is severe; with a note naming the finding (e.g. "severely
/// profane").
///
/// Only profane, offensive, sexual and mean findings count. Mild findings are ignored: rustrict
/// reports low-severity or low-confidence matches as mild, and factual text (medicine,
/// history) trips those. Its `evasive` and `spam` types target chat users dodging the filter or
/// shouting, and fire on acronyms, code and repeated characters in legitimate answers.
pub fn toxicity(text: &str) -> (f64, Option<String>) {
    let kinds = Type::PROFANE | Type::OFFENSIVE | Type::SEXUAL | Type::MEAN;
    let found = Censor::from_str(text).analyze() & kinds & Type::MODERATE_OR_HIGHER;
    if found.is(Type::SEVERE) {
        (0.0, Some(describe(found)))
    } else if found.is(Type::MODERATE) {
        (0.5, Some(describe(found)))
    } else {
        (1.0, None)
    }
}

/// rustrict's own wording of a finding ("severely profane, moderately mean").
fn describe(found: Type) -> String {
    format!("{found:?}")
}

fn is_english(language: &str) -> bool {
    // An unset language is the Refiner's default, English.
    language.is_empty()
        || language.eq_ignore_ascii_case("en")
        || language.eq_ignore_ascii_case("eng")
        || language.to_ascii_lowercase().starts_with("en-")
}

fn has_alphanumeric(word: &str) -> bool {
    word.chars().any(char::is_alphanumeric)
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// The optional LLM judge: how faithful an example is to its source, asked through the same
/// cached, rate-limited client as the Factory (so a rerun pays for no judgement twice).
pub struct Judge {
    generator: Arc<Generator>,
    template: Template,
    schema: serde_json::Value,
    validator: jsonschema::Validator,
}

impl Judge {
    pub fn new(generator: Arc<Generator>) -> Result<Self> {
        let template = templates::judge()?;
        let schema = template.schema(&FactoryConfig::default())?;
        let validator = jsonschema::validator_for(&schema)
            .map_err(|e| Error::Config(format!("judge schema: {e}")))?;
        Ok(Judge {
            generator,
            template,
            schema,
            validator,
        })
    }

    /// Faithfulness in 0..1 (the judge's 1-5 mapped linearly), or why there is none.
    async fn score(
        &self,
        ctx: &StageContext,
        ex: &Example,
        usage: &Usage,
    ) -> Result<std::result::Result<f64, String>> {
        let (system, user) = self.template.judge_messages(ex)?;
        let prompt = Prompt {
            template: &self.template.name,
            template_version: &self.template.version,
            system,
            user,
            schema_name: "judge",
            schema: &self.schema,
            validator: &self.validator,
        };
        Ok(
            match self
                .generator
                .ask(ctx.state.as_ref(), &prompt, usage)
                .await?
            {
                Ok(v) => {
                    let s = v["score"].as_f64().unwrap_or(1.0).clamp(1.0, 5.0);
                    Ok((s - 1.0) / 4.0)
                }
                Err(u) => Err(format!("judge gave no score: {} {}", u.reason, u.detail)),
            },
        )
    }
}

/// Inspect one shard's examples in order; writes `inspected/<shard>.jsonl`. Every example is
/// kept there with its scores, passed or not; failures are also recorded with their weakest
/// check as the reason.
pub async fn run_shard(
    ctx: &StageContext,
    job: &str,
    shard: u32,
    examples: &[Example],
    inspector: &Inspector,
    judge: Option<&Judge>,
) -> Result<ShardReport> {
    let usage = Usage::for_shard(job, Stage::Inspector, shard);
    // Indices, not `&Example` items: a closure over borrowed items makes the future's lifetime
    // higher-ranked, and rustc then cannot prove it `Send` for the Lambda runtime.
    let scored: Vec<(Checks, Option<f64>, Option<String>)> =
        futures::stream::iter(0..examples.len())
            .map(|i| {
                let usage = &usage;
                let ex = &examples[i];
                async move {
                    let checks = inspector.score(ex, true);
                    let (j, note) = match judge {
                        Some(judge) => match judge.score(ctx, ex, usage).await? {
                            Ok(s) => (Some(s), None),
                            Err(why) => (None, Some(why)),
                        },
                        None => (None, None),
                    };
                    Ok::<_, Error>((checks, j, note))
                }
            })
            .buffered(8)
            .try_collect()
            .await?;
    let mut report = ShardReport::default();
    let mut out = Vec::with_capacity(examples.len());
    for (ex, (checks, judged, note)) in examples.iter().zip(scored) {
        let keys = inspector.instruction_band_keys(ex);
        let unique = keys.is_empty()
            || ctx
                .state
                .claim_keys(job, "example-lsh", &keys, &ex.id)
                .await?
                .iter()
                .all(|c| *c == Claim::Won);
        let mut verdict = inspector.verdict(ex.clone(), checks, unique, judged);
        if let Some(n) = note {
            verdict.notes.push(n);
        }
        report.stats.add("examples", 1);
        if verdict.passed {
            report.stats.add("passed", 1);
        } else {
            report.stats.add("failed", 1);
            let weakest = verdict
                .scores
                .iter()
                .min_by(|a, b| a.1.total_cmp(b.1))
                .map(|(k, _)| k.clone())
                .unwrap_or_default();
            report.fail(ItemError::new(
                format!("{}#{}", ex.url, &ex.id[..12.min(ex.id.len())]),
                format!("inspector: low {weakest}"),
                verdict.notes.join("; "),
            ));
        }
        ctx.progress.advance(Stage::Inspector, 1);
        out.push(verdict);
    }
    usage.drain_into(&mut report.stats);
    ctx.blobs
        .put(&keys::inspected(job, shard), jsonl::to_bytes(&out)?)
        .await?;
    ctx.state
        .complete_shard(job, Stage::Inspector, shard, &report)
        .await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CheckWeights;

    const SOURCE: &str = "The Eiffel Tower was completed in 1889 for the World's Fair in Paris. \
        It was designed by the engineering company of Gustave Eiffel and is 330 metres tall. \
        The tower is made of wrought iron and receives millions of visitors every year.";

    fn example(task: &str, instruction: &str, response: &str) -> Example {
        Example {
            id: "id".into(),
            chunk_id: "chunk".into(),
            doc_id: "doc".into(),
            url: "https://example.com/eiffel".into(),
            title: "Eiffel Tower".into(),
            language: "en".into(),
            template: "qa".into(),
            template_version: "1".into(),
            task: task.into(),
            system: String::new(),
            instruction: instruction.into(),
            input: String::new(),
            response: response.into(),
            label: None,
            source: SOURCE.into(),
            model: "test-model".into(),
        }
    }

    fn good_qa() -> Example {
        example(
            "qa",
            "When was the Eiffel Tower completed?",
            "The Eiffel Tower was completed in 1889 for the World's Fair in Paris.",
        )
    }

    #[test]
    fn copied_facts_are_grounded_and_invented_ones_are_not() {
        let copied = "The tower was designed by Gustave Eiffel's engineering company, is made \
            of wrought iron and is 330 metres tall.";
        let invented = "Napoleon commissioned the monument in 1750 using Roman marble quarried \
            near Florence by Venetian sculptors.";
        let g = groundedness(copied, SOURCE);
        assert!(g > 0.8, "copied facts scored {g}");
        let g = groundedness(invented, SOURCE);
        assert!(g < 0.3, "invented facts scored {g}");
    }

    #[test]
    fn inflected_words_still_count_as_grounded() {
        assert_eq!(groundedness("The towers were designed.", SOURCE), 1.0);
        assert_eq!(groundedness("Houses", "a house"), 1.0);
        assert_eq!(groundedness("boxes", "one box"), 1.0);
        assert_eq!(groundedness("studies", "a study"), 1.0);
        assert_eq!(groundedness("classes", "a class"), 1.0);
    }

    #[test]
    fn responses_without_content_words_are_grounded_and_empty_ones_are_not() {
        assert_eq!(groundedness("Yes.", SOURCE), 1.0);
        assert_eq!(groundedness("  ", SOURCE), 0.0);
    }

    #[test]
    fn simple_text_reads_better_than_convoluted_text() {
        let simple = "The cat sat on the mat. The dog ran to the park. It was a nice day.";
        let convoluted = "Notwithstanding the aforementioned considerations, the \
            institutionalization of interdisciplinary methodological frameworks \
            necessitates comprehensive reconceptualization of epistemological \
            presuppositions underlying contemporary organizational administrative \
            infrastructures.";
        assert_eq!(readability(simple), 1.0);
        let hard = readability(convoluted);
        assert!(hard < 0.2, "convoluted text scored {hard}");
        assert!(hard >= 0.0);
        assert_eq!(readability("Paris."), 1.0, "too short to measure");
    }

    #[test]
    fn unpunctuated_list_lines_count_as_sentences() {
        let list = "Preheat the oven to a warm heat\nMix the flour and the sugar well\n\
            Pour it in a pan and bake it\nLet it cool and then cut it up\n\
            Serve it warm with some cream on top";
        assert_eq!(readability(list), 1.0);
        // The same words as one sentence read worse, which is what the line rule avoids.
        assert!(textstat::flesch_reading_ease(list) < flesch(list));
    }

    #[test]
    fn profane_response_scores_below_one_with_a_note() {
        let (score, note) = toxicity("This is fucking bullshit, you stupid asshole.");
        assert!(score < 1.0, "{score}");
        let note = note.expect("a note naming the finding");
        assert!(note.contains("profane"), "{note}");

        let (score, note) = toxicity("Fuck you, motherfucker.");
        assert_eq!(score, 0.0, "severe findings score 0");
        assert!(note.is_some_and(|n| n.contains("severely")));

        let (score, note) = toxicity(SOURCE);
        assert_eq!((score, note), (1.0, None));
        // rustrict calls "damn" mildly profane; mild findings are deliberately ignored.
        let mild = "Kill the process, damn it, then restart it.";
        assert_eq!(toxicity(mild).0, 1.0);

        let inspector = Inspector::new(&InspectorConfig::default());
        let mut ex = good_qa();
        ex.response = "The fucking tower was completed in 1889, you asshole.".into();
        let checks = inspector.score(&ex, true);
        assert!(checks.scores["toxicity"] < 1.0);
        assert!(
            checks
                .notes
                .iter()
                .any(|n| n.starts_with("toxicity") && n.contains("response")),
            "{:?}",
            checks.notes
        );
    }

    #[test]
    fn profane_instruction_is_caught_too() {
        let inspector = Inspector::new(&InspectorConfig::default());
        let mut ex = good_qa();
        ex.instruction = "When was the fucking tower completed, asshole?".into();
        let checks = inspector.score(&ex, true);
        assert!(checks.scores["toxicity"] < 1.0);
        assert!(checks.notes.iter().any(|n| n.contains("instruction")));
    }

    #[test]
    fn classification_skips_groundedness_and_response_length() {
        let inspector = Inspector::new(&InspectorConfig::default());
        let mut ex = example(
            "classification",
            "Classify the topic of the text.",
            "architecture",
        );
        ex.input = SOURCE.into();
        ex.label = Some("architecture".into());
        let checks = inspector.score(&ex, true);
        assert_eq!(checks.scores["groundedness"], 1.0);
        assert_eq!(checks.scores["length"], 1.0);
        assert!(!checks.hard_fail, "{:?}", checks.notes);
        // The same word as a QA answer is ungrounded: the skip is what made the 1.0 above.
        let qa = Example {
            task: "qa".into(),
            ..ex.clone()
        };
        assert_eq!(inspector.score(&qa, true).scores["groundedness"], 0.0);

        ex.label = None;
        let checks = inspector.score(&ex, true);
        assert!(checks.hard_fail);
        assert_eq!(checks.scores["format"], 0.0);
    }

    #[test]
    fn near_duplicate_instructions_share_a_band_key_and_different_ones_do_not() {
        let inspector = Inspector::new(&InspectorConfig::default());
        let keys = |instruction: &str| {
            let ex = example("qa", instruction, "answer");
            inspector.instruction_band_keys(&ex)
        };
        let a = keys("What year was the Eiffel Tower in Paris completed and opened to visitors?");
        let b = keys("What year was the Eiffel Tower in Paris completed and opened to the public?");
        let c = keys("Which material was used to build the tower and how tall is it today?");
        assert!(!a.is_empty());
        assert!(a.iter().zip(&b).any(|(x, y)| x == y), "near-duplicates");
        assert!(
            !a.iter().zip(&c).any(|(x, y)| x == y),
            "different questions"
        );
    }

    #[test]
    fn same_instruction_on_different_inputs_is_not_a_duplicate() {
        let inspector = Inspector::new(&InspectorConfig::default());
        let with_input = |input: &str| {
            let mut ex = example("summarization", "Summarize the text.", "summary");
            ex.input = input.into();
            inspector.instruction_band_keys(&ex)
        };
        let a = with_input(SOURCE);
        let b = with_input(
            "Rust is a systems programming language focused on safety, speed and \
             concurrency, without a garbage collector.",
        );
        assert!(!a.iter().zip(&b).any(|(x, y)| x == y));
        assert_eq!(a, with_input(SOURCE));
    }

    #[test]
    fn empty_instructions_and_disabled_dedup_claim_nothing() {
        let inspector = Inspector::new(&InspectorConfig::default());
        assert!(
            inspector
                .instruction_band_keys(&example("qa", " ? ", "a"))
                .is_empty()
        );
        let mut cfg = InspectorConfig::default();
        cfg.dedup.near = false;
        assert!(
            Inspector::new(&cfg)
                .instruction_band_keys(&good_qa())
                .is_empty()
        );
    }

    #[test]
    fn length_decays_outside_the_bounds_with_a_note() {
        let cfg = InspectorConfig {
            max_response_words: 5,
            ..InspectorConfig::default()
        };
        let inspector = Inspector::new(&cfg);
        let ex = example(
            "qa",
            "When completed?",
            "It was completed in 1889 for the fair.",
        );
        let checks = inspector.score(&ex, true);
        // Instruction: 2 of at least 3 words -> 0.667; response: 8 words for at most 5 -> 0.625.
        assert!((checks.scores["length"] - 0.625).abs() < 1e-9, "{checks:?}");
        assert!(
            checks
                .notes
                .iter()
                .any(|n| n.contains("instruction has 2 words"))
        );
        assert!(
            checks
                .notes
                .iter()
                .any(|n| n.contains("more than the maximum 5"))
        );
    }

    #[test]
    fn weighted_total_and_threshold_decide_passing() {
        let inspector = Inspector::new(&InspectorConfig::default());
        let ex = good_qa();
        let checks = inspector.score(&ex, true);
        let all_ones = [
            "format",
            "length",
            "groundedness",
            "readability",
            "toxicity",
        ];
        for name in all_ones {
            assert_eq!(checks.scores[name], 1.0, "{name}: {checks:?}");
        }
        let v = inspector.verdict(ex.clone(), checks.clone(), true, Some(1.0));
        assert_eq!(v.score, 1.0);
        assert!(v.passed);
        assert_eq!(v.scores["judge"], 1.0);

        // Default weights: format 1, length .5, groundedness 1, readability .5, toxicity 1,
        // uniqueness 1, judge 1 = 6. A duplicate with judge 0.5: (6 - 1 - 0.5) / 6 = 0.75.
        let v = inspector.verdict(ex.clone(), checks.clone(), false, Some(0.5));
        assert_eq!(v.score, 0.75);
        assert!(v.passed, "0.75 >= threshold 0.7");
        assert!(v.notes.iter().any(|n| n.starts_with("uniqueness")));

        // Without the judge its weight leaves the total: (5 - 1) / 5 = 0.8.
        let v = inspector.verdict(ex.clone(), checks.clone(), false, None);
        assert_eq!(v.score, 0.8);
        assert!(!v.scores.contains_key("judge"));

        // A duplicate the judge rejects: (6 - 1 - 1) / 6 = 0.6667 < 0.7.
        let v = inspector.verdict(ex.clone(), checks, false, Some(0.0));
        assert_eq!(v.score, 0.6667);
        assert!(!v.passed);
    }

    #[test]
    fn broken_schema_fails_whatever_the_score() {
        let cfg = InspectorConfig {
            threshold: 0.0,
            ..InspectorConfig::default()
        };
        let inspector = Inspector::new(&cfg);
        let checks = inspector.score(&good_qa(), false);
        assert!(checks.hard_fail);
        assert!(checks.notes.iter().any(|n| n.contains("schema")));
        let v = inspector.verdict(good_qa(), checks, true, None);
        assert!(v.score > 0.0, "the other checks still score: {}", v.score);
        assert!(!v.passed);

        let mut empty = good_qa();
        empty.response = "   ".into();
        assert!(inspector.score(&empty, true).hard_fail);
    }

    #[test]
    fn zero_weights_drop_checks_from_the_total() {
        let mut checks = Checks::default();
        for name in ["format", "length", "readability", "toxicity"] {
            checks.set(name, 1.0);
        }
        checks.set("groundedness", 0.0);
        let with = Inspector::new(&InspectorConfig::default());
        // Weights 1 + .5 + 1 + .5 + 1 + uniqueness 1 = 5, groundedness contributing 0.
        let v = with.verdict(good_qa(), checks.clone(), true, None);
        assert_eq!(v.score, 0.8);

        let cfg = InspectorConfig {
            weights: CheckWeights {
                groundedness: 0.0,
                ..CheckWeights::default()
            },
            ..InspectorConfig::default()
        };
        let v = Inspector::new(&cfg).verdict(good_qa(), checks.clone(), true, None);
        assert_eq!(v.score, 1.0, "{v:?}");
        assert_eq!(v.scores.get("groundedness"), Some(&0.0), "still reported");

        let nothing = InspectorConfig {
            weights: CheckWeights {
                format: 0.0,
                length: 0.0,
                groundedness: 0.0,
                readability: 0.0,
                toxicity: 0.0,
                uniqueness: 0.0,
                judge: 0.0,
            },
            ..InspectorConfig::default()
        };
        let v = Inspector::new(&nothing).verdict(good_qa(), checks, false, Some(0.0));
        assert_eq!(v.score, 1.0);
        assert!(v.passed);
    }

    #[test]
    fn readability_is_left_out_for_other_languages() {
        let inspector = Inspector::new(&InspectorConfig::default());
        let mut ex = good_qa();
        ex.language = "de".into();
        assert!(
            !inspector
                .score(&ex, true)
                .scores
                .contains_key("readability")
        );
        ex.language = "en".into();
        assert!(
            inspector
                .score(&ex, true)
                .scores
                .contains_key("readability")
        );
    }

    #[test]
    fn scores_are_rounded_to_four_decimals() {
        let inspector = Inspector::new(&InspectorConfig::default());
        let mut checks = Checks::default();
        checks.set("readability", 2.0 / 3.0);
        let v = inspector.verdict(good_qa(), checks, true, None);
        assert_eq!(v.scores["readability"], 0.6667);
        // Readability weighs 0.5, uniqueness 1: (0.5 * 0.6667 + 1) / 1.5 = 0.88890.
        assert_eq!(v.score, 0.8889);
    }
}
