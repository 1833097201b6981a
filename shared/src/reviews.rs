//! The review loop: people rate examples 1-10, approve or reject them and rewrite responses.
//! Reviews live in the state store beside the job, never in the Inspector's output, so a
//! review can change or be withdrawn and every export reads the latest. This module holds the
//! rules shared by the HTTP API, `datafactory review` and the Shipper: what a change may
//! contain, which examples a filter shows, what ships, and how reviewers agree with the
//! Inspector.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::jsonl;
use crate::keys;
use crate::model::{Decision, InspectedExample, JobRecord, Review, ShippedReview};
use crate::ports::StateStore;
use crate::stages::StageContext;

/// A rewrite longer than this is refused: it has to fit one state-store item (DynamoDB's
/// limit is 400 KB) with room to spare, and no training response needs more.
pub const MAX_REWRITE_BYTES: usize = 32 * 1024;

/// One field of a change: left alone, cleared, or set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Change<T> {
    #[default]
    Keep,
    Clear,
    Set(T),
}

impl<T> Change<T> {
    fn apply(self, current: Option<T>) -> Option<T> {
        match self {
            Change::Keep => current,
            Change::Clear => None,
            Change::Set(v) => Some(v),
        }
    }
}

/// What a reviewer changes on one example. In JSON: a key left out is kept, `null` clears it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReviewChange {
    pub rating: Change<u8>,
    pub decision: Change<Decision>,
    pub rewrite: Change<String>,
}

impl ReviewChange {
    /// Read a change from a JSON object, refusing unknown keys and out-of-range values with
    /// the field's name.
    pub fn from_json(v: &Value) -> std::result::Result<Self, String> {
        let obj = v
            .as_object()
            .ok_or("the body must be a JSON object with rating, decision or rewrite")?;
        let mut change = ReviewChange::default();
        for (key, value) in obj {
            match (key.as_str(), value) {
                ("rating", Value::Null) => change.rating = Change::Clear,
                ("rating", v) => {
                    let r = v.as_u64().filter(|r| (1..=10).contains(r)).ok_or_else(|| {
                        format!("rating must be an integer from 1 to 10, not {v}")
                    })?;
                    change.rating = Change::Set(r as u8);
                }
                ("decision", Value::Null) => change.decision = Change::Clear,
                ("decision", v) => {
                    change.decision = Change::Set(parse_decision(v.as_str().unwrap_or(""))?)
                }
                ("rewrite", Value::Null) => change.rewrite = Change::Clear,
                ("rewrite", Value::String(text)) => change.rewrite = Change::Set(text.clone()),
                ("rewrite", v) => return Err(format!("rewrite must be a string or null, not {v}")),
                (other, _) => {
                    return Err(format!(
                        "unknown field {other:?}: a review has rating, decision and rewrite"
                    ));
                }
            }
        }
        Ok(change)
    }

    /// The example's review after this change. A rewrite that is blank, or the same as the
    /// generated response, is no rewrite.
    pub fn apply(
        self,
        current: Option<Review>,
        example: &InspectedExample,
        reviewer: &str,
        now: &str,
    ) -> std::result::Result<Review, String> {
        if let Change::Set(text) = &self.rewrite
            && text.len() > MAX_REWRITE_BYTES
        {
            return Err(format!(
                "rewrite is {} bytes, more than {MAX_REWRITE_BYTES}",
                text.len()
            ));
        }
        let rewrite = match self.rewrite {
            Change::Set(text)
                if text.trim().is_empty() || text.trim() == example.example.response.trim() =>
            {
                Change::Clear
            }
            other => other,
        };
        let (rating, decision, old_rewrite, version) = match current {
            Some(r) => (r.rating, r.decision, r.rewrite, r.version.saturating_add(1)),
            None => (None, None, None, 1),
        };
        Ok(Review {
            example_id: example.example.id.clone(),
            rating: self.rating.apply(rating),
            decision: self.decision.apply(decision),
            rewrite: rewrite.apply(old_rewrite),
            reviewer: reviewer.to_string(),
            updated_at: now.to_string(),
            version,
        })
    }
}

pub fn parse_decision(s: &str) -> std::result::Result<Decision, String> {
    match s {
        "approved" | "approve" => Ok(Decision::Approved),
        "rejected" | "reject" => Ok(Decision::Rejected),
        other => Err(format!(
            "decision must be \"approved\", \"rejected\" or null, not {other:?}"
        )),
    }
}

/// An example with its review, if any.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Reviewed {
    #[serde(flatten)]
    pub example: InspectedExample,
    pub review: Option<Review>,
}

/// Every inspected example of a job with its review, in shard order. Shards the Inspector has
/// not finished yet are left out, so a running job shows what it has so far.
pub async fn load(ctx: &StageContext, job: &JobRecord) -> Result<Vec<Reviewed>> {
    let mut reviews = index(ctx.state.reviews(&job.id).await?);
    let mut out = Vec::new();
    for shard in 0..job.shards {
        let key = keys::inspected(&job.id, shard);
        let Some(bytes) = ctx.blobs.get(&key).await? else {
            continue;
        };
        for example in jsonl::parse::<InspectedExample>(&bytes, &key)? {
            let review = reviews.remove(&example.example.id);
            out.push(Reviewed { example, review });
        }
    }
    Ok(out)
}

/// One example of a job, with its review.
pub async fn find(ctx: &StageContext, job: &JobRecord, example_id: &str) -> Result<Reviewed> {
    for shard in 0..job.shards {
        let key = keys::inspected(&job.id, shard);
        let Some(bytes) = ctx.blobs.get(&key).await? else {
            continue;
        };
        if let Some(example) = jsonl::parse::<InspectedExample>(&bytes, &key)?
            .into_iter()
            .find(|e| e.example.id == example_id)
        {
            let review = ctx
                .state
                .get_review(&job.id, example_id)
                .await?
                .filter(|r| !r.is_empty());
            return Ok(Reviewed { example, review });
        }
    }
    Err(Error::NotFound(format!(
        "example {example_id} is not in job {}",
        job.id
    )))
}

/// Tries of one change before [`update`] gives up. A try fails only when another write of
/// the same review landed between its read and its write, so running out takes a burst of
/// writes to one example that people clicking do not make.
pub const MAX_UPDATE_ATTEMPTS: u32 = 8;

/// Apply a reviewer's change to the example's stored review and store the result, as the
/// API and `datafactory review` both do. Returns the review as stored.
///
/// Two changes of one example can run at once (two tabs, the CLI beside the dashboard). A
/// change only names the fields it sets, so when another write lands between our read and
/// our write, the change is applied again to what that write stored: both survive.
pub async fn update(
    state: &dyn StateStore,
    job: &str,
    example: &InspectedExample,
    change: &ReviewChange,
    reviewer: &str,
    now: &str,
) -> Result<Review> {
    for _ in 0..MAX_UPDATE_ATTEMPTS {
        let current = state.get_review(job, &example.example.id).await?;
        let expected = current.as_ref().map(|r| r.version);
        let review = change
            .clone()
            .apply(current, example, reviewer, now)
            .map_err(Error::InvalidReview)?;
        if state.put_review_if(job, &review, expected).await? {
            return Ok(review);
        }
    }
    Err(Error::Conflict(format!(
        "the review of example {} of job {job} kept changing while this change was saved \
         ({MAX_UPDATE_ATTEMPTS} tries); reload it and try again",
        example.example.id
    )))
}

/// Reviews by example id. Cleared reviews stay stored (for their version) and are left out:
/// an empty review is no review.
pub fn index(reviews: Vec<Review>) -> HashMap<String, Review> {
    reviews
        .into_iter()
        .filter(|r| !r.is_empty())
        .map(|r| (r.example_id.clone(), r))
        .collect()
}

/// Which examples a list shows.
#[derive(Clone, Debug, PartialEq)]
pub enum Filter {
    All,
    /// No review at all.
    Unreviewed,
    /// No rating (a decision or rewrite alone leaves it unrated).
    Unrated,
    /// Total score under the threshold.
    Below(f64),
    /// Failed by the Inspector; with a check name, that check scored under 0.5.
    Failed(Option<String>),
    Approved,
    Rejected,
    Rewritten,
}

impl Filter {
    /// `name` as the API and CLI spell it; `threshold` serves `below`, `check` serves `failed`.
    pub fn parse(
        name: &str,
        threshold: f64,
        check: Option<&str>,
    ) -> std::result::Result<Self, String> {
        Ok(match name {
            "all" => Filter::All,
            "unreviewed" => Filter::Unreviewed,
            "unrated" => Filter::Unrated,
            "below" => Filter::Below(threshold),
            "failed" => Filter::Failed(check.map(str::to_string)),
            "approved" => Filter::Approved,
            "rejected" => Filter::Rejected,
            "rewritten" => Filter::Rewritten,
            other => {
                return Err(format!(
                    "filter {other:?} is not one of all, unreviewed, unrated, below, failed, approved, rejected, rewritten"
                ));
            }
        })
    }

    pub fn keeps(&self, r: &Reviewed) -> bool {
        let review = r.review.as_ref();
        match self {
            Filter::All => true,
            Filter::Unreviewed => review.is_none(),
            Filter::Unrated => review.is_none_or(|v| v.rating.is_none()),
            Filter::Below(t) => r.example.score < *t,
            Filter::Failed(None) => !r.example.passed,
            Filter::Failed(Some(check)) => r.example.scores.get(check).is_some_and(|s| *s < 0.5),
            Filter::Approved => review.is_some_and(|v| v.decision == Some(Decision::Approved)),
            Filter::Rejected => review.is_some_and(|v| v.decision == Some(Decision::Rejected)),
            Filter::Rewritten => review.is_some_and(|v| v.rewrite.is_some()),
        }
    }
}

/// The order of a list. Unrated examples go last in either rating order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    /// As the pipeline made them.
    Pipeline,
    ScoreAscending,
    ScoreDescending,
    RatingAscending,
    RatingDescending,
}

impl Sort {
    pub fn parse(s: &str) -> std::result::Result<Self, String> {
        Ok(match s {
            "pipeline" => Sort::Pipeline,
            "score" => Sort::ScoreAscending,
            "-score" => Sort::ScoreDescending,
            "rating" => Sort::RatingAscending,
            "-rating" => Sort::RatingDescending,
            other => {
                return Err(format!(
                    "sort {other:?} is not one of pipeline, score, -score, rating, -rating"
                ));
            }
        })
    }

    pub fn apply(self, list: &mut [Reviewed]) {
        let rating = |r: &Reviewed| r.review.as_ref().and_then(|v| v.rating);
        match self {
            Sort::Pipeline => {}
            Sort::ScoreAscending => {
                list.sort_by(|a, b| a.example.score.total_cmp(&b.example.score))
            }
            Sort::ScoreDescending => {
                list.sort_by(|a, b| b.example.score.total_cmp(&a.example.score))
            }
            Sort::RatingAscending => list.sort_by_key(|r| (rating(r).is_none(), rating(r))),
            Sort::RatingDescending => list.sort_by_key(|r| {
                (
                    rating(r).is_none(),
                    std::cmp::Reverse(rating(r).unwrap_or(0)),
                )
            }),
        }
    }
}

/// Whether an example ships, and why not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Ship {
        /// Approved by a person although the Inspector failed it or it scored under
        /// `min_score`.
        over_inspector: bool,
    },
    Rejected,
    BelowMinRating,
    /// Failed by the Inspector or under `min_score`, and not approved.
    Inspector,
}

/// The export rule: a rejection always wins; an approval outranks the Inspector; with
/// `min_rating`, only examples rated at least that ship (unrated ones do not).
pub fn verdict(
    e: &InspectedExample,
    review: Option<&Review>,
    min_score: f64,
    min_rating: Option<u8>,
) -> Verdict {
    let decision = review.and_then(|r| r.decision);
    if decision == Some(Decision::Rejected) {
        return Verdict::Rejected;
    }
    if let Some(min) = min_rating
        && review.and_then(|r| r.rating).is_none_or(|r| r < min)
    {
        return Verdict::BelowMinRating;
    }
    let inspector_ok = e.passed && e.score >= min_score;
    match (inspector_ok, decision == Some(Decision::Approved)) {
        (true, _) => Verdict::Ship {
            over_inspector: false,
        },
        (false, true) => Verdict::Ship {
            over_inspector: true,
        },
        (false, false) => Verdict::Inspector,
    }
}

/// The record as it ships: the rewrite in place of the response, the generated response kept
/// in `review.original_response`, the rating and decision beside it.
pub fn shipped(mut e: InspectedExample, review: Option<&Review>) -> InspectedExample {
    let Some(r) = review.filter(|r| !r.is_empty()) else {
        return e;
    };
    let original_response = r
        .rewrite
        .as_ref()
        .map(|text| std::mem::replace(&mut e.example.response, text.clone()));
    e.review = Some(ShippedReview {
        rating: r.rating,
        decision: r.decision,
        original_response,
        reviewer: r.reviewer.clone(),
    });
    e
}

/// How people reviewed a job, and how far they agree with the Inspector.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ReviewStats {
    pub examples: u64,
    pub reviewed: u64,
    pub unreviewed: u64,
    pub rated: u64,
    pub approved: u64,
    pub rejected: u64,
    pub rewritten: u64,
    /// Counts of ratings 1..=10.
    pub ratings: [u64; 10],
    pub agreement: Agreement,
}

/// Agreement between reviewers and the Inspector: correlation of ratings with scores over the
/// rated examples, and the share of decisions that match the Inspector's pass or fail. `None`
/// where there is too little to say (fewer than 2 rated examples, or no spread).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Agreement {
    /// Rated examples (pairs of rating and score).
    pub pairs: u64,
    pub pearson: Option<f64>,
    pub spearman: Option<f64>,
    /// Examples with a decision.
    pub decisions: u64,
    /// Share of those where approved = passed by the Inspector.
    pub decision_agreement: Option<f64>,
}

pub fn stats(list: &[Reviewed]) -> ReviewStats {
    let mut s = ReviewStats {
        examples: list.len() as u64,
        ..ReviewStats::default()
    };
    let (mut ratings, mut scores) = (Vec::new(), Vec::new());
    let mut agree = 0u64;
    for r in list {
        let Some(review) = r.review.as_ref().filter(|v| !v.is_empty()) else {
            continue;
        };
        s.reviewed += 1;
        if let Some(rating) = review.rating {
            s.rated += 1;
            s.ratings[usize::from(rating.clamp(1, 10) - 1)] += 1;
            ratings.push(f64::from(rating));
            scores.push(r.example.score);
        }
        match review.decision {
            Some(Decision::Approved) => s.approved += 1,
            Some(Decision::Rejected) => s.rejected += 1,
            None => {}
        }
        if let Some(d) = review.decision {
            s.agreement.decisions += 1;
            if (d == Decision::Approved) == r.example.passed {
                agree += 1;
            }
        }
        if review.rewrite.is_some() {
            s.rewritten += 1;
        }
    }
    s.unreviewed = s.examples - s.reviewed;
    s.agreement.pairs = ratings.len() as u64;
    s.agreement.pearson = pearson(&ratings, &scores).map(round4);
    s.agreement.spearman = pearson(&ranks(&ratings), &ranks(&scores)).map(round4);
    s.agreement.decision_agreement =
        (s.agreement.decisions > 0).then(|| round4(agree as f64 / s.agreement.decisions as f64));
    s
}

fn round4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

/// Pearson's correlation; `None` for fewer than two pairs or a constant side.
fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len();
    if n < 2 || n != y.len() {
        return None;
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / n as f64;
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

/// Ranks from 1, ties sharing their mean rank (as Spearman's coefficient needs).
fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut out = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            out[k] = rank;
        }
        i = j + 1;
    }
    out
}

#[cfg(test)]
mod race_tests;

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;
    use crate::model::Example;

    pub(super) fn example(id: &str, score: f64, passed: bool) -> InspectedExample {
        InspectedExample {
            example: Example {
                id: id.into(),
                chunk_id: "c".into(),
                doc_id: "d".into(),
                url: "https://example.com/".into(),
                title: "T".into(),
                language: "en".into(),
                template: "qa".into(),
                template_version: "1".into(),
                task: "qa".into(),
                system: String::new(),
                instruction: "Q?".into(),
                input: String::new(),
                response: "The generated answer.".into(),
                label: None,
                source: "src".into(),
                model: "m".into(),
            },
            scores: BTreeMap::from([("groundedness".to_string(), score)]),
            score,
            passed,
            notes: vec![],
            review: None,
        }
    }

    fn review(id: &str, rating: Option<u8>, decision: Option<Decision>) -> Review {
        Review {
            example_id: id.into(),
            rating,
            decision,
            rewrite: None,
            reviewer: "r".into(),
            updated_at: "t".into(),
            version: 1,
        }
    }

    #[test]
    fn changes_keep_absent_fields_and_clear_null_ones() {
        let e = example("a", 0.9, true);
        let first = ReviewChange::from_json(&json!({"rating": 7, "rewrite": "Better."}))
            .unwrap()
            .apply(None, &e, "ann", "t1")
            .unwrap();
        assert_eq!(first.rating, Some(7));
        assert_eq!(first.rewrite.as_deref(), Some("Better."));
        let second = ReviewChange::from_json(&json!({"decision": "rejected", "rating": null}))
            .unwrap()
            .apply(Some(first), &e, "bob", "t2")
            .unwrap();
        assert_eq!(second.rating, None);
        assert_eq!(second.decision, Some(Decision::Rejected));
        assert_eq!(second.rewrite.as_deref(), Some("Better."), "kept");
        assert_eq!(second.reviewer, "bob");
        // A rewrite equal to the generated response is no rewrite.
        let third = ReviewChange::from_json(&json!({"rewrite": " The generated answer. "}))
            .unwrap()
            .apply(Some(second), &e, "bob", "t3")
            .unwrap();
        assert_eq!(third.rewrite, None);
    }

    #[test]
    fn bad_changes_name_the_field() {
        for (body, needle) in [
            (json!({"rating": 11}), "rating"),
            (json!({"rating": 0}), "rating"),
            (json!({"rating": 2.5}), "rating"),
            (json!({"decision": "maybe"}), "decision"),
            (json!({"rewrite": 5}), "rewrite"),
            (json!({"score": 1}), "score"),
            (json!([1]), "object"),
        ] {
            let err = ReviewChange::from_json(&body).unwrap_err();
            assert!(err.contains(needle), "{body}: {err}");
        }
        let long = "x".repeat(MAX_REWRITE_BYTES + 1);
        let err = ReviewChange::from_json(&json!({ "rewrite": long }))
            .unwrap()
            .apply(None, &example("a", 1.0, true), "r", "t")
            .unwrap_err();
        assert!(err.contains("rewrite is"), "{err}");
    }

    #[test]
    fn rejection_wins_approval_outranks_the_inspector_and_min_rating_needs_a_rating() {
        let good = example("g", 0.9, true);
        let bad = example("b", 0.2, false);
        let approved = review("b", None, Some(Decision::Approved));
        let rejected = review("g", Some(10), Some(Decision::Rejected));
        assert_eq!(
            verdict(&good, None, 0.0, None),
            Verdict::Ship {
                over_inspector: false
            }
        );
        assert_eq!(verdict(&bad, None, 0.0, None), Verdict::Inspector);
        assert_eq!(
            verdict(&bad, Some(&approved), 0.0, None),
            Verdict::Ship {
                over_inspector: true
            }
        );
        assert_eq!(
            verdict(&good, Some(&rejected), 0.0, None),
            Verdict::Rejected
        );
        assert_eq!(
            verdict(&good, None, 0.95, None),
            Verdict::Inspector,
            "min_score still applies"
        );
        assert_eq!(verdict(&good, None, 0.0, Some(5)), Verdict::BelowMinRating);
        let rated = review("g", Some(6), None);
        assert!(matches!(
            verdict(&good, Some(&rated), 0.0, Some(6)),
            Verdict::Ship { .. }
        ));
        assert_eq!(
            verdict(&good, Some(&rated), 0.0, Some(7)),
            Verdict::BelowMinRating
        );
    }

    #[test]
    fn shipped_records_carry_the_rewrite_and_keep_the_original() {
        let mut r = review("a", Some(9), None);
        r.rewrite = Some("A better answer.".into());
        let out = shipped(example("a", 0.9, true), Some(&r));
        assert_eq!(out.example.response, "A better answer.");
        let meta = out.review.unwrap();
        assert_eq!(
            meta.original_response.as_deref(),
            Some("The generated answer.")
        );
        assert_eq!(meta.rating, Some(9));
        assert_eq!(shipped(example("a", 0.9, true), None).review, None);
    }

    #[test]
    fn filters_and_sorts() {
        let mut list: Vec<Reviewed> = [(0.3, false), (0.9, true), (0.6, true)]
            .iter()
            .enumerate()
            .map(|(i, (s, p))| Reviewed {
                example: example(&i.to_string(), *s, *p),
                review: None,
            })
            .collect();
        list[1].review = Some(review("1", Some(4), Some(Decision::Approved)));
        list[2].review = Some(review("2", None, Some(Decision::Rejected)));
        let ids = |f: &Filter| -> Vec<String> {
            list.iter()
                .filter(|r| f.keeps(r))
                .map(|r| r.example.example.id.clone())
                .collect()
        };
        assert_eq!(ids(&Filter::Unreviewed), ["0"]);
        assert_eq!(ids(&Filter::Unrated), ["0", "2"]);
        assert_eq!(ids(&Filter::Below(0.7)), ["0", "2"]);
        assert_eq!(ids(&Filter::Failed(None)), ["0"]);
        assert_eq!(ids(&Filter::Failed(Some("groundedness".into()))), ["0"]);
        assert_eq!(ids(&Filter::Approved), ["1"]);
        assert_eq!(ids(&Filter::Rejected), ["2"]);
        assert!(Filter::parse("nope", 0.5, None).is_err());
        Sort::ScoreDescending.apply(&mut list);
        assert_eq!(list[0].example.example.id, "1");
        Sort::RatingAscending.apply(&mut list);
        assert_eq!(list[0].example.example.id, "1", "rated first");
    }

    #[test]
    fn stats_measure_agreement() {
        let list: Vec<Reviewed> = [(0.2, 2u8), (0.5, 5), (0.9, 9), (0.95, 8)]
            .iter()
            .enumerate()
            .map(|(i, (s, rating))| Reviewed {
                example: example(&i.to_string(), *s, *s > 0.6),
                review: Some(review(
                    &i.to_string(),
                    Some(*rating),
                    Some(if *rating > 6 {
                        Decision::Approved
                    } else {
                        Decision::Rejected
                    }),
                )),
            })
            .chain([Reviewed {
                example: example("x", 0.5, false),
                review: None,
            }])
            .collect();
        let s = stats(&list);
        assert_eq!(
            (s.examples, s.reviewed, s.unreviewed, s.rated),
            (5, 4, 1, 4)
        );
        assert_eq!(s.ratings[1] + s.ratings[4] + s.ratings[8] + s.ratings[7], 4);
        assert_eq!(s.agreement.decision_agreement, Some(1.0));
        assert_eq!(s.agreement.spearman, Some(0.8), "one swapped pair of four");
        assert!(s.agreement.pearson.unwrap() > 0.9);
        assert_eq!(
            stats(&list[..1]).agreement.pearson,
            None,
            "one pair says nothing"
        );
        assert_eq!(ranks(&[3.0, 1.0, 3.0]), [2.5, 1.0, 2.5]);
    }
}
