//! The examples routes: the quality view, the examples of a job filtered and sorted for
//! review, one example with its source, a reviewer's change, and the review statistics.

use serde_json::{Value, json};

use super::api::{Api, Request, Response};
use crate::error::Error;
use crate::model::QualityStats;
use crate::ports::rfc3339;
use crate::reviews::{self, Filter, ReviewChange, Reviewed, Sort};

const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 500;
/// Examples the quality view lists as the worst.
const WORST: usize = 10;

/// An example as the dashboard shows it; the source chunk only when asked.
fn example_json(r: &Reviewed, with_source: bool) -> Value {
    let e = &r.example;
    let mut v = json!({
        "id": e.example.id,
        "instruction": e.example.instruction,
        "input": e.example.input,
        "response": e.example.response,
        "label": e.example.label,
        "task": e.example.task,
        "url": e.example.url,
        "title": e.example.title,
        "language": e.example.language,
        "template": e.example.template,
        "model": e.example.model,
        "score": e.score,
        "passed": e.passed,
        "scores": e.scores,
        "notes": e.notes,
        "review": r.review,
    });
    if with_source {
        v["source"] = json!(e.example.source);
    }
    v
}

fn query_usize(req: &Request, name: &str, default: usize, max: usize) -> Result<usize, Response> {
    match req.query.get(name).map(|v| v.parse::<usize>()) {
        None => Ok(default),
        Some(Ok(n)) if n <= max => Ok(n),
        Some(_) => Err(Response::error(
            400,
            "invalid_query",
            format!("{name} must be a whole number up to {max}"),
        )),
    }
}

impl Api {
    pub(super) async fn quality(&self, id: &str) -> crate::Result<Response> {
        let job = crate::jobs::find_job(self.ctx.state.as_ref(), id).await?;
        let mut list = reviews::load(&self.ctx, &job).await?;
        let mut q = QualityStats {
            threshold: job.config.inspector.threshold,
            min_score: job.config.export.min_score,
            ..QualityStats::default()
        };
        for r in &list {
            q.add(&r.example);
        }
        q.finish();
        Sort::ScoreAscending.apply(&mut list);
        let worst: Vec<Value> = list
            .iter()
            .take(WORST)
            .map(|r| example_json(r, false))
            .collect();
        let mut body = serde_json::to_value(&q).map_err(|e| Error::json("quality", e))?;
        body["worst"] = json!(worst);
        Ok(Response::ok(body))
    }

    pub(super) async fn examples(&self, id: &str, req: &Request) -> crate::Result<Response> {
        let job = crate::jobs::find_job(self.ctx.state.as_ref(), id).await?;
        let (limit, offset) = match (
            query_usize(req, "limit", DEFAULT_LIMIT, MAX_LIMIT),
            query_usize(req, "offset", 0, usize::MAX),
        ) {
            (Ok(l), Ok(o)) => (l.max(1), o),
            (Err(r), _) | (_, Err(r)) => return Ok(r),
        };
        let threshold = match req.query.get("threshold").map(|t| t.parse::<f64>()) {
            None => job.config.inspector.threshold,
            Some(Ok(t)) if (0.0..=1.0).contains(&t) => t,
            Some(_) => {
                return Ok(Response::error(
                    400,
                    "invalid_query",
                    "threshold must be a number from 0 to 1",
                ));
            }
        };
        let filter = match Filter::parse(
            req.query.get("filter").map_or("all", String::as_str),
            threshold,
            req.query.get("check").map(String::as_str),
        ) {
            Ok(f) => f,
            Err(m) => return Ok(Response::error(400, "invalid_query", m)),
        };
        let sort = match Sort::parse(req.query.get("sort").map_or("pipeline", String::as_str)) {
            Ok(s) => s,
            Err(m) => return Ok(Response::error(400, "invalid_query", m)),
        };
        let mut list: Vec<Reviewed> = reviews::load(&self.ctx, &job)
            .await?
            .into_iter()
            .filter(|r| filter.keeps(r))
            .collect();
        sort.apply(&mut list);
        let page: Vec<Value> = list
            .iter()
            .skip(offset)
            .take(limit)
            .map(|r| example_json(r, false))
            .collect();
        Ok(Response::ok(json!({
            "total": list.len(),
            "offset": offset,
            "limit": limit,
            "examples": page,
        })))
    }

    pub(super) async fn example(&self, id: &str, example_id: &str) -> crate::Result<Response> {
        let job = crate::jobs::find_job(self.ctx.state.as_ref(), id).await?;
        let r = reviews::find(&self.ctx, &job, example_id).await?;
        Ok(Response::ok(example_json(&r, true)))
    }

    /// Apply a reviewer's change to one example. The reviewer is the authenticated caller.
    pub(super) async fn review(
        &self,
        id: &str,
        example_id: &str,
        req: &Request,
    ) -> crate::Result<Response> {
        let body: Value = match Self::body(req) {
            Ok(v) => v,
            Err(refusal) => return Ok(refusal),
        };
        let change = match ReviewChange::from_json(&body) {
            Ok(c) => c,
            Err(m) => return Ok(Response::error(400, "invalid_review", m)),
        };
        let job = crate::jobs::find_job(self.ctx.state.as_ref(), id).await?;
        let mut r = reviews::find(&self.ctx, &job, example_id).await?;
        let reviewer = req.principal.as_deref().unwrap_or("unknown");
        let now = rfc3339(self.ctx.clock.now());
        let review = reviews::update(
            self.ctx.state.as_ref(),
            &job.id,
            &r.example,
            &change,
            reviewer,
            &now,
        )
        .await?;
        r.review = (!review.is_empty()).then_some(review);
        Ok(Response::ok(example_json(&r, false)))
    }

    pub(super) async fn review_stats(&self, id: &str) -> crate::Result<Response> {
        let job = crate::jobs::find_job(self.ctx.state.as_ref(), id).await?;
        let list = reviews::load(&self.ctx, &job).await?;
        let stats = reviews::stats(&list);
        Ok(Response::ok(
            serde_json::to_value(&stats).map_err(|e| Error::json("review stats", e))?,
        ))
    }
}
