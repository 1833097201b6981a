//! Fine-tuning export formats: one record per example, streamed to any writer so an export never
//! has to hold a whole split in memory.
//!
//! Every format is written from the same [`Example`] fields (system, instruction, input,
//! response), so adding a format never means touching the Factory.

use std::borrow::Cow;
use std::io::Write;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{Example, InspectedExample};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// OpenAI chat fine-tuning: `{"messages": [...]}`.
    OpenAi,
    /// Together's conversational format, which is the same `messages` shape as OpenAI's.
    Together,
    /// Together's completion format: `{"prompt", "completion"}`.
    TogetherCompletion,
    /// `{"instruction", "input", "output"}`.
    Alpaca,
    /// `{"conversations": [{"from", "value"}, ...]}`.
    ShareGpt,
    /// The whole inspected record, scores included, for anyone who wants to re-filter.
    Jsonl,
    Csv,
}

impl Format {
    const ALL: [Format; 7] = [
        Format::OpenAi,
        Format::Together,
        Format::TogetherCompletion,
        Format::Alpaca,
        Format::ShareGpt,
        Format::Jsonl,
        Format::Csv,
    ];

    pub fn parse(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Every name parsed, or the first unknown one.
    pub fn parse_all<S: AsRef<str>>(names: &[S]) -> std::result::Result<Vec<Format>, &str> {
        names
            .iter()
            .map(|n| Format::parse(n.as_ref()).ok_or(n.as_ref()))
            .collect()
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::OpenAi => "openai",
            Format::Together => "together",
            Format::TogetherCompletion => "together-completion",
            Format::Alpaca => "alpaca",
            Format::ShareGpt => "sharegpt",
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
        }
    }

    /// File name of one split in this format, e.g. "train.openai.jsonl", "validation.csv",
    /// "train.jsonl" (Jsonl = full inspected records).
    pub fn file_name(self, split: &str) -> String {
        match self {
            // These two are already named by their extension; "train.csv.csv" would be noise.
            Format::Jsonl => format!("{split}.jsonl"),
            Format::Csv => format!("{split}.csv"),
            other => format!("{split}.{}.jsonl", other.name()),
        }
    }
}

const CSV_HEADER: [&str; 11] = [
    "id",
    "instruction",
    "input",
    "response",
    "label",
    "url",
    "title",
    "language",
    "template",
    "score",
    "passed",
];

enum Sink<W: Write> {
    /// `buf` is reused per record so each record reaches `out` in one `write_all`, and a record
    /// that fails to encode leaves nothing half-written.
    Json { shape: Shape, out: W, buf: Vec<u8> },
    /// Boxed because the csv writer carries its own buffer inline; there is one per file.
    Csv(Box<csv::Writer<W>>),
}

/// Writes examples in one [`Format`]. Call [`FormatWriter::finish`] to flush: dropping the writer
/// may lose buffered CSV rows.
pub struct FormatWriter<W: Write> {
    format: Format,
    sink: Sink<W>,
}

impl<W: Write> FormatWriter<W> {
    pub fn new(format: Format, out: W) -> Result<Self> {
        let shape = match format {
            Format::OpenAi | Format::Together => Shape::Chat,
            Format::TogetherCompletion => Shape::Completion,
            Format::Alpaca => Shape::Alpaca,
            Format::ShareGpt => Shape::ShareGpt,
            Format::Jsonl => Shape::Full,
            Format::Csv => {
                let mut w = csv::Writer::from_writer(out);
                w.write_record(CSV_HEADER).map_err(csv_error)?;
                return Ok(FormatWriter {
                    format,
                    sink: Sink::Csv(Box::new(w)),
                });
            }
        };
        let sink = Sink::Json {
            shape,
            out,
            buf: Vec::new(),
        };
        Ok(FormatWriter { format, sink })
    }

    pub fn write(&mut self, ex: &InspectedExample) -> Result<()> {
        match &mut self.sink {
            Sink::Csv(w) => write_csv(w, ex),
            Sink::Json { shape, out, buf } => {
                buf.clear();
                encode_json(*shape, ex, buf).map_err(|e| {
                    Error::json(
                        format!("encoding {} record {}", self.format.name(), ex.example.id),
                        e,
                    )
                })?;
                buf.push(b'\n');
                out.write_all(buf)
                    .map_err(|e| Error::io(format!("writing {} record", self.format.name()), e))
            }
        }
    }

    pub fn finish(self) -> Result<W> {
        match self.sink {
            Sink::Csv(w) => (*w)
                .into_inner()
                .map_err(|e| Error::io("flushing csv export", e.into_error())),
            Sink::Json { mut out, .. } => {
                out.flush()
                    .map_err(|e| Error::io(format!("flushing {} export", self.format.name()), e))?;
                Ok(out)
            }
        }
    }
}

fn csv_error(e: csv::Error) -> Error {
    Error::io("writing csv record", e.into())
}

fn write_csv<W: Write>(w: &mut csv::Writer<W>, ex: &InspectedExample) -> Result<()> {
    let e = &ex.example;
    let score = format!("{:.4}", ex.score);
    let passed = if ex.passed { "true" } else { "false" };
    w.write_record([
        e.id.as_str(),
        &e.instruction,
        &e.input,
        &e.response,
        e.label.as_deref().unwrap_or(""),
        &e.url,
        &e.title,
        &e.language,
        &e.template,
        &score,
        passed,
    ])
    .map_err(csv_error)
}

/// The user turn: formats without a separate input field need the context folded into the
/// prompt, or summarisation and classification examples would lose the text they are about.
fn user_turn(e: &Example) -> Cow<'_, str> {
    if e.input.is_empty() {
        Cow::Borrowed(&e.instruction)
    } else {
        Cow::Owned(format!("{}\n\n{}", e.instruction, e.input))
    }
}

#[derive(Serialize)]
struct Message<'a> {
    role: &'static str,
    content: &'a str,
}

#[derive(Serialize)]
struct Chat<'a> {
    messages: Vec<Message<'a>>,
}

#[derive(Serialize)]
struct Completion<'a> {
    prompt: &'a str,
    completion: &'a str,
}

#[derive(Serialize)]
struct Alpaca<'a> {
    instruction: &'a str,
    input: &'a str,
    output: &'a str,
}

#[derive(Serialize)]
struct Turn<'a> {
    from: &'static str,
    value: &'a str,
}

#[derive(Serialize)]
struct ShareGpt<'a> {
    conversations: Vec<Turn<'a>>,
}

/// The JSON formats, kept apart from [`Format`] so the encoder cannot be handed CSV.
#[derive(Clone, Copy)]
enum Shape {
    Chat,
    Completion,
    Alpaca,
    ShareGpt,
    Full,
}

fn encode_json(
    shape: Shape,
    ex: &InspectedExample,
    buf: &mut Vec<u8>,
) -> std::result::Result<(), serde_json::Error> {
    let e = &ex.example;
    match shape {
        Shape::Chat => {
            let user = user_turn(e);
            let mut messages = Vec::with_capacity(3);
            // An empty system message still costs tokens in training and teaches nothing.
            if !e.system.is_empty() {
                messages.push(Message {
                    role: "system",
                    content: &e.system,
                });
            }
            messages.push(Message {
                role: "user",
                content: &user,
            });
            messages.push(Message {
                role: "assistant",
                content: &e.response,
            });
            serde_json::to_writer(buf, &Chat { messages })
        }
        Shape::Completion => {
            let user = user_turn(e);
            serde_json::to_writer(
                buf,
                &Completion {
                    prompt: &user,
                    completion: &e.response,
                },
            )
        }
        // Alpaca has no system field; its consumers supply their own preamble.
        Shape::Alpaca => serde_json::to_writer(
            buf,
            &Alpaca {
                instruction: &e.instruction,
                input: &e.input,
                output: &e.response,
            },
        ),
        Shape::ShareGpt => {
            let user = user_turn(e);
            let mut conversations = Vec::with_capacity(3);
            if !e.system.is_empty() {
                conversations.push(Turn {
                    from: "system",
                    value: &e.system,
                });
            }
            conversations.push(Turn {
                from: "human",
                value: &user,
            });
            conversations.push(Turn {
                from: "gpt",
                value: &e.response,
            });
            serde_json::to_writer(buf, &ShareGpt { conversations })
        }
        Shape::Full => serde_json::to_writer(buf, ex),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::Value;

    use super::*;
    use crate::config::EXPORT_FORMATS;

    fn example(system: &str, input: &str) -> InspectedExample {
        InspectedExample {
            example: Example {
                id: "ex1".into(),
                chunk_id: "c1".into(),
                doc_id: "d1".into(),
                url: "https://example.com/a".into(),
                title: "A page".into(),
                language: "en".into(),
                template: "qa".into(),
                template_version: "1".into(),
                task: "qa".into(),
                system: system.into(),
                instruction: "What is it?".into(),
                input: input.into(),
                response: "It is a thing.".into(),
                label: None,
                source: "source text".into(),
                model: "m".into(),
            },
            scores: BTreeMap::from([("format".to_string(), 1.0), ("length".to_string(), 0.5)]),
            score: 0.75,
            passed: true,
            notes: vec![],
            review: None,
        }
    }

    fn lines(format: Format, examples: &[InspectedExample]) -> Vec<Value> {
        let mut w = FormatWriter::new(format, Vec::new()).unwrap();
        for ex in examples {
            w.write(ex).unwrap();
        }
        let out = String::from_utf8(w.finish().unwrap()).unwrap();
        assert!(out.ends_with('\n'), "{out:?}");
        out.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    fn one(format: Format, ex: &InspectedExample) -> Value {
        let mut v = lines(format, std::slice::from_ref(ex));
        assert_eq!(v.len(), 1);
        v.remove(0)
    }

    fn keys(v: &Value) -> Vec<&str> {
        let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        k.sort_unstable();
        k
    }

    /// (role-ish field, content field) pairs of a chat-shaped record.
    fn turns<'a>(list: &'a Value, who: &str, what: &str) -> Vec<(&'a str, &'a str)> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|m| {
                let mut k: Vec<&str> = m.as_object().unwrap().keys().map(String::as_str).collect();
                k.sort_unstable();
                let mut want = vec![who, what];
                want.sort_unstable();
                assert_eq!(k, want);
                (m[who].as_str().unwrap(), m[what].as_str().unwrap())
            })
            .collect()
    }

    #[test]
    fn chat_formats_have_system_only_when_set() {
        for format in [Format::OpenAi, Format::Together] {
            let v = one(format, &example("", ""));
            assert_eq!(keys(&v), ["messages"]);
            assert_eq!(
                turns(&v["messages"], "role", "content"),
                [("user", "What is it?"), ("assistant", "It is a thing.")],
                "{format:?}"
            );

            let v = one(format, &example("Be brief.", "Some text."));
            assert_eq!(keys(&v), ["messages"]);
            assert_eq!(
                turns(&v["messages"], "role", "content"),
                [
                    ("system", "Be brief."),
                    ("user", "What is it?\n\nSome text."),
                    ("assistant", "It is a thing.")
                ],
                "{format:?}"
            );
        }
    }

    #[test]
    fn together_completion_folds_input_into_prompt() {
        let v = one(Format::TogetherCompletion, &example("Be brief.", ""));
        assert_eq!(keys(&v), ["completion", "prompt"]);
        assert_eq!(v["prompt"], "What is it?");
        assert_eq!(v["completion"], "It is a thing.");

        let v = one(Format::TogetherCompletion, &example("", "Some text."));
        assert_eq!(v["prompt"], "What is it?\n\nSome text.");
    }

    #[test]
    fn alpaca_keeps_input_separate_and_has_no_system() {
        let v = one(Format::Alpaca, &example("Be brief.", "Some text."));
        assert_eq!(keys(&v), ["input", "instruction", "output"]);
        assert_eq!(v["instruction"], "What is it?");
        assert_eq!(v["input"], "Some text.");
        assert_eq!(v["output"], "It is a thing.");

        let v = one(Format::Alpaca, &example("", ""));
        assert_eq!(v["input"], "");
    }

    #[test]
    fn sharegpt_has_system_only_when_set() {
        let v = one(Format::ShareGpt, &example("", "Some text."));
        assert_eq!(keys(&v), ["conversations"]);
        assert_eq!(
            turns(&v["conversations"], "from", "value"),
            [
                ("human", "What is it?\n\nSome text."),
                ("gpt", "It is a thing.")
            ]
        );

        let v = one(Format::ShareGpt, &example("Be brief.", ""));
        assert_eq!(
            turns(&v["conversations"], "from", "value"),
            [
                ("system", "Be brief."),
                ("human", "What is it?"),
                ("gpt", "It is a thing.")
            ]
        );
    }

    #[test]
    fn jsonl_round_trips_the_whole_record() {
        let mut ex = example("Be brief.", "Some text.");
        ex.example.label = Some("positive".into());
        ex.notes = vec!["short".into()];
        let v = one(Format::Jsonl, &ex);
        assert_eq!(v["scores"]["length"], 0.5);
        let back: InspectedExample = serde_json::from_value(v).unwrap();
        assert_eq!(back, ex);
    }

    #[test]
    fn json_formats_write_one_line_per_example() {
        // Newlines inside fields must stay escaped, or a reader would see extra records.
        let mut a = example("line1\nline2", "in\nput");
        a.example.response = "multi\nline".into();
        let b = example("", "");
        for format in Format::ALL {
            if format == Format::Csv {
                continue;
            }
            assert_eq!(
                lines(format, &[a.clone(), b.clone()]).len(),
                2,
                "{format:?}"
            );
        }
    }

    #[test]
    fn csv_round_trips_awkward_fields() {
        let mut a = example("", "He said \"hi\",\nthen left.");
        a.example.instruction = "Classify, please: \"this\"".into();
        a.example.response = "positive".into();
        a.example.label = Some("positive".into());
        a.example.title = "Commas, \"quotes\"\r\nand CRLF".into();
        a.score = 0.123456;
        let mut b = example("", "");
        b.passed = false;
        b.score = 1.0;

        let mut w = FormatWriter::new(Format::Csv, Vec::new()).unwrap();
        w.write(&a).unwrap();
        w.write(&b).unwrap();
        let out = w.finish().unwrap();

        let mut r = csv::Reader::from_reader(out.as_slice());
        assert_eq!(r.headers().unwrap(), CSV_HEADER.as_slice());
        let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 2);

        let e = &a.example;
        assert_eq!(
            rows[0],
            vec![
                e.id.as_str(),
                &e.instruction,
                &e.input,
                &e.response,
                "positive",
                &e.url,
                &e.title,
                &e.language,
                &e.template,
                "0.1235",
                "true",
            ]
        );
        assert_eq!(&rows[1][4], "");
        assert_eq!(&rows[1][9], "1.0000");
        assert_eq!(&rows[1][10], "false");
    }

    #[test]
    fn csv_with_no_examples_is_just_the_header() {
        let out = FormatWriter::new(Format::Csv, Vec::new())
            .unwrap()
            .finish()
            .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "id,instruction,input,response,label,url,title,language,template,score,passed\n"
        );
    }

    #[test]
    fn parse_names() {
        for f in Format::ALL {
            assert_eq!(Format::parse(f.name()), Some(f));
        }
        // The config validates against this list, so every name it accepts must be writable.
        for name in EXPORT_FORMATS {
            assert_eq!(Format::parse(name).map(Format::name), Some(name));
        }
        for bad in [
            "",
            "OpenAI",
            "json",
            "together_completion",
            "parquet",
            " csv",
        ] {
            assert_eq!(Format::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn file_names() {
        assert_eq!(Format::OpenAi.file_name("train"), "train.openai.jsonl");
        assert_eq!(Format::Together.file_name("test"), "test.together.jsonl");
        assert_eq!(
            Format::TogetherCompletion.file_name("train"),
            "train.together-completion.jsonl"
        );
        assert_eq!(Format::Alpaca.file_name("train"), "train.alpaca.jsonl");
        assert_eq!(Format::ShareGpt.file_name("train"), "train.sharegpt.jsonl");
        assert_eq!(Format::Jsonl.file_name("train"), "train.jsonl");
        assert_eq!(Format::Csv.file_name("validation"), "validation.csv");
    }

    #[test]
    fn write_errors_are_reported() {
        struct Broken;
        impl Write for Broken {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk full"))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut w = FormatWriter::new(Format::OpenAi, Broken).unwrap();
        assert!(matches!(w.write(&example("", "")), Err(Error::Io { .. })));
    }
}
