//! The state store on SQLite (bundled): job records, per-URL outcomes, per-shard reports and
//! the de-duplication index. WAL mode and one transaction per write, so a killed process
//! leaves the file consistent.

use std::collections::BTreeMap;
use std::path::Path;

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::workers::{Unanswered, Workers};
use crate::error::{Error, Result};
use crate::model::{ItemError, JobRecord, JobStatus, Review, ShardReport, Stage, StageStats};
use crate::ports::{Claim, ClaimLost, ClaimSet, Lease, StateStore, first_lost};

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    input_key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_input_key ON jobs(input_key);
CREATE TABLE IF NOT EXISTS url_outcomes (
    job TEXT NOT NULL,
    url_hash TEXT NOT NULL,
    outcome TEXT NOT NULL,
    PRIMARY KEY (job, url_hash)
);
CREATE TABLE IF NOT EXISTS shard_reports (
    job TEXT NOT NULL,
    stage TEXT NOT NULL,
    shard INTEGER NOT NULL,
    stats TEXT NOT NULL,
    PRIMARY KEY (job, stage, shard)
);
CREATE TABLE IF NOT EXISTS item_errors (
    job TEXT NOT NULL,
    stage TEXT NOT NULL,
    shard INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    item TEXT NOT NULL,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (job, stage, shard, seq)
);
CREATE TABLE IF NOT EXISTS claims (
    job TEXT NOT NULL,
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    owner TEXT NOT NULL,
    PRIMARY KEY (job, namespace, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS llm_cache (
    key TEXT PRIMARY KEY,
    answer TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS export_versions (
    job TEXT PRIMARY KEY,
    last INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS reviews (
    job TEXT NOT NULL,
    example_id TEXT NOT NULL,
    review TEXT NOT NULL,
    PRIMARY KEY (job, example_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS leases (
    key TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
"#;

/// The state store's connection lives on a thread of its own, which runs the calls sent to it
/// one after another. A caller waits for its answer without holding a thread or a lock: when
/// each call took the connection's lock inside `spawn_blocking`, every call waiting its turn
/// held a thread of tokio's blocking pool, and over a long run (the Spider records each page
/// while a shard's claims are written) the pool grew to 131-151 threads at 20,000 pages, about
/// half a MB each (bench/results/2026-11-29.md, case 6). An async lock in front deadlocked
/// instead: a fair lock can be handed to a waiting future that nobody polls.
#[derive(Clone)]
pub struct SqliteState {
    conn: Workers<Connection>,
}

impl SqliteState {
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
        }
        let conn = Connection::open(path)
            .map_err(|e| Error::State(format!("opening {}: {e}", path.display())))?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(SCHEMA)?;
        // One thread: SQLite takes one writer at a time anyway, and its calls keep their order.
        let conn = Workers::start("state-store", vec![conn])
            .map_err(|e| Error::io("starting the state store thread", e))?;
        Ok(SqliteState { conn })
    }

    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        self.conn.run(f).await.map_err(|e| {
            Error::State(match e {
                Unanswered::Stopped => "state store thread stopped".to_string(),
                Unanswered::Panicked => "a state store call panicked".to_string(),
            })
        })?
    }
}

/// First writer wins for each key, inside the caller's transaction.
fn claim_in(
    tx: &rusqlite::Transaction<'_>,
    job: &str,
    ns: &str,
    keys: &[String],
    owner: &str,
) -> Result<Vec<Claim>> {
    let mut ins = tx.prepare_cached(
        "INSERT OR IGNORE INTO claims (job, namespace, key, owner) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut get = tx.prepare_cached(
        "SELECT owner FROM claims WHERE job = ?1 AND namespace = ?2 AND key = ?3",
    )?;
    let mut out = Vec::with_capacity(keys.len());
    for k in keys {
        if ins.execute(params![job, ns, k, owner])? == 1 {
            out.push(Claim::Won);
            continue;
        }
        let holder: String = get.query_row(params![job, ns, k], |r| r.get(0))?;
        out.push(if holder == owner {
            Claim::Won
        } else {
            Claim::Lost { owner: holder }
        });
    }
    Ok(out)
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::json("encoding state", e))
}

fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| Error::json("decoding state", e))
}

#[async_trait]
impl StateStore for SqliteState {
    async fn put_job(&self, job: &JobRecord) -> Result<()> {
        let record = to_json(job)?;
        let (id, key, created) = (
            job.id.clone(),
            job.input_key.clone(),
            job.created_at.clone(),
        );
        self.with(move |c| {
            c.execute(
                "INSERT INTO jobs (id, input_key, created_at, record) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(id) DO UPDATE SET record = excluded.record",
                params![id, key, created, record],
            )?;
            Ok(())
        })
        .await
    }

    async fn get_job(&self, id: &str) -> Result<Option<JobRecord>> {
        let id = id.to_string();
        let rec: Option<String> = self
            .with(move |c| {
                Ok(
                    c.query_row("SELECT record FROM jobs WHERE id = ?1", [id], |r| r.get(0))
                        .optional()?,
                )
            })
            .await?;
        rec.map(|r| from_json(&r)).transpose()
    }

    async fn find_job_by_input_key(&self, input_key: &str) -> Result<Option<JobRecord>> {
        let key = input_key.to_string();
        let rec: Option<String> = self
            .with(move |c| {
                Ok(c.query_row(
                    "SELECT record FROM jobs WHERE input_key = ?1 ORDER BY created_at DESC, id DESC LIMIT 1",
                    [key],
                    |r| r.get(0),
                )
                .optional()?)
            })
            .await?;
        rec.map(|r| from_json(&r)).transpose()
    }

    async fn list_jobs(&self) -> Result<Vec<JobRecord>> {
        let recs: Vec<String> = self
            .with(|c| {
                let mut st = c.prepare("SELECT record FROM jobs ORDER BY created_at, id")?;
                let rows = st.query_map([], |r| r.get(0))?;
                Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
            })
            .await?;
        recs.iter().map(|r| from_json(r)).collect()
    }

    async fn set_job_status(
        &self,
        id: &str,
        status: JobStatus,
        message: Option<&str>,
        export: Option<&str>,
        elapsed_ms: u64,
    ) -> Result<()> {
        let id = id.to_string();
        let message = message.map(str::to_string);
        let export = export.map(str::to_string);
        let now = crate::ports::rfc3339(time::OffsetDateTime::now_utc());
        self.with(move |c| {
            let tx = c.transaction()?;
            let rec: Option<String> = tx
                .query_row("SELECT record FROM jobs WHERE id = ?1", [&id], |r| r.get(0))
                .optional()?;
            let Some(rec) = rec else {
                return Err(Error::JobNotFound(id));
            };
            let mut job: JobRecord = from_json(&rec)?;
            job.status = status;
            job.message = message;
            if export.is_some() {
                job.export = export;
            }
            job.elapsed_ms = elapsed_ms;
            job.updated_at = now;
            tx.execute(
                "UPDATE jobs SET record = ?2 WHERE id = ?1",
                params![id, to_json(&job)?],
            )?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn get_url_outcome(&self, job: &str, url_hash: &str) -> Result<Option<String>> {
        let (job, h) = (job.to_string(), url_hash.to_string());
        self.with(move |c| {
            Ok(c.query_row(
                "SELECT outcome FROM url_outcomes WHERE job = ?1 AND url_hash = ?2",
                params![job, h],
                |r| r.get(0),
            )
            .optional()?)
        })
        .await
    }

    async fn put_url_outcome(&self, job: &str, url_hash: &str, outcome: &str) -> Result<()> {
        let (job, h, o) = (job.to_string(), url_hash.to_string(), outcome.to_string());
        self.with(move |c| {
            c.execute(
                "INSERT OR REPLACE INTO url_outcomes (job, url_hash, outcome) VALUES (?1, ?2, ?3)",
                params![job, h, o],
            )?;
            Ok(())
        })
        .await
    }

    async fn complete_shard(
        &self,
        job: &str,
        stage: Stage,
        shard: u32,
        report: &ShardReport,
    ) -> Result<()> {
        let job = job.to_string();
        let stats = to_json(&report.stats)?;
        let errors = report.errors.clone();
        self.with(move |c| {
            let tx = c.transaction()?;
            tx.execute(
                "DELETE FROM item_errors WHERE job = ?1 AND stage = ?2 AND shard = ?3",
                params![job, stage.as_str(), shard],
            )?;
            {
                let mut ins = tx.prepare(
                    "INSERT INTO item_errors (job, stage, shard, seq, item, reason, detail)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?;
                for (i, e) in errors.iter().enumerate() {
                    ins.execute(params![
                        job,
                        stage.as_str(),
                        shard,
                        i as i64,
                        e.item,
                        e.reason,
                        e.detail
                    ])?;
                }
            }
            tx.execute(
                "INSERT OR REPLACE INTO shard_reports (job, stage, shard, stats) VALUES (?1, ?2, ?3, ?4)",
                params![job, stage.as_str(), shard, stats],
            )?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn shard_done(&self, job: &str, stage: Stage, shard: u32) -> Result<bool> {
        let job = job.to_string();
        self.with(move |c| {
            Ok(c.query_row(
                "SELECT 1 FROM shard_reports WHERE job = ?1 AND stage = ?2 AND shard = ?3",
                params![job, stage.as_str(), shard],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
        })
        .await
    }

    async fn stage_stats(&self, job: &str) -> Result<BTreeMap<Stage, StageStats>> {
        let job = job.to_string();
        let rows: Vec<(String, String)> = self
            .with(move |c| {
                let mut st = c.prepare(
                    "SELECT stage, stats FROM shard_reports WHERE job = ?1 ORDER BY stage, shard",
                )?;
                let rows = st.query_map([job], |r| Ok((r.get(0)?, r.get(1)?)))?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await?;
        let mut out: BTreeMap<Stage, StageStats> = BTreeMap::new();
        for (stage, stats) in rows {
            let Some(stage) = Stage::parse(&stage) else {
                continue;
            };
            let s: StageStats = from_json(&stats)?;
            out.entry(stage).or_default().merge(&s);
        }
        Ok(out)
    }

    async fn shards_done(&self, job: &str) -> Result<BTreeMap<Stage, u32>> {
        let job = job.to_string();
        let rows: Vec<(String, u32)> = self
            .with(move |c| {
                let mut st = c.prepare(
                    "SELECT stage, COUNT(*) FROM shard_reports WHERE job = ?1 GROUP BY stage",
                )?;
                let rows = st.query_map([job], |r| Ok((r.get(0)?, r.get(1)?)))?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(s, n)| Stage::parse(&s).map(|s| (s, n)))
            .collect())
    }

    async fn item_errors(&self, job: &str, stage: Stage, limit: usize) -> Result<Vec<ItemError>> {
        let job = job.to_string();
        self.with(move |c| {
            let mut st = c.prepare(
                "SELECT item, reason, detail FROM item_errors WHERE job = ?1 AND stage = ?2
                 ORDER BY shard, seq LIMIT ?3",
            )?;
            let rows = st.query_map(params![job, stage.as_str(), limit as i64], |r| {
                Ok(ItemError {
                    item: r.get(0)?,
                    reason: r.get(1)?,
                    detail: r.get(2)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn claim_keys(
        &self,
        job: &str,
        namespace: &str,
        keys: &[String],
        owner: &str,
    ) -> Result<Vec<Claim>> {
        let (job, ns, owner) = (job.to_string(), namespace.to_string(), owner.to_string());
        let keys = keys.to_vec();
        self.with(move |c| {
            let tx = c.transaction()?;
            let out = claim_in(&tx, &job, &ns, &keys, &owner)?;
            tx.commit()?;
            Ok(out)
        })
        .await
    }

    async fn claim_in_order(&self, job: &str, sets: &[ClaimSet]) -> Result<Vec<Option<ClaimLost>>> {
        let job = job.to_string();
        let sets = sets.to_vec();
        // One transaction for the batch: a shard's claims cost one commit, not one per
        // document, and a crash leaves none of them (the retried shard claims them again).
        self.with(move |c| {
            let tx = c.transaction()?;
            let mut out = Vec::with_capacity(sets.len());
            for set in &sets {
                let mut lost = None;
                for (group, (ns, keys)) in set.groups.iter().enumerate() {
                    if let Some(owner) = first_lost(claim_in(&tx, &job, ns, keys, &set.owner)?) {
                        lost = Some(ClaimLost { group, owner });
                        break;
                    }
                }
                out.push(lost);
            }
            tx.commit()?;
            Ok(out)
        })
        .await
    }

    async fn get_llm_answer(&self, key: &str) -> Result<Option<String>> {
        let key = key.to_string();
        self.with(move |c| {
            Ok(
                c.query_row("SELECT answer FROM llm_cache WHERE key = ?1", [key], |r| {
                    r.get(0)
                })
                .optional()?,
            )
        })
        .await
    }

    async fn put_llm_answer(&self, key: &str, answer: &str) -> Result<()> {
        let (key, answer) = (key.to_string(), answer.to_string());
        self.with(move |c| {
            c.execute(
                "INSERT OR IGNORE INTO llm_cache (key, answer) VALUES (?1, ?2)",
                params![key, answer],
            )?;
            Ok(())
        })
        .await
    }

    async fn acquire_lease(
        &self,
        key: &str,
        owner: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<Lease> {
        let (key, owner) = (key.to_string(), owner.to_string());
        self.with(move |c| {
            // One statement: the upsert only overwrites an expired lease or the owner's own.
            let taken = c.execute(
                "INSERT INTO leases (key, owner, expires_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(key) DO UPDATE SET owner = excluded.owner,
                     expires_at = excluded.expires_at
                 WHERE leases.expires_at <= ?4 OR leases.owner = excluded.owner",
                params![key, owner, expires_at, now],
            )?;
            if taken == 1 {
                return Ok(Lease::Acquired);
            }
            let (owner, expires_at) = c.query_row(
                "SELECT owner, expires_at FROM leases WHERE key = ?1",
                params![key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            Ok(Lease::HeldElsewhere { owner, expires_at })
        })
        .await
    }

    async fn release_lease(&self, key: &str, owner: &str) -> Result<()> {
        let (key, owner) = (key.to_string(), owner.to_string());
        self.with(move |c| {
            c.execute(
                "DELETE FROM leases WHERE key = ?1 AND owner = ?2",
                params![key, owner],
            )?;
            Ok(())
        })
        .await
    }

    async fn get_review(&self, job: &str, example_id: &str) -> Result<Option<Review>> {
        let (job, id) = (job.to_string(), example_id.to_string());
        let found: Option<String> = self
            .with(move |c| {
                Ok(c.query_row(
                    "SELECT review FROM reviews WHERE job = ?1 AND example_id = ?2",
                    params![job, id],
                    |r| r.get(0),
                )
                .optional()?)
            })
            .await?;
        found.as_deref().map(from_json).transpose()
    }

    async fn put_review_if(
        &self,
        job: &str,
        review: &Review,
        expected: Option<u64>,
    ) -> Result<bool> {
        let (job, id) = (job.to_string(), review.example_id.clone());
        let text = to_json(review)?;
        self.with(move |c| {
            // Immediate: the write lock is taken before the read, so another process on the
            // same file (`datafactory review` beside the dashboard's server) cannot write
            // between the version check and the write.
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let stored: Option<String> = tx
                .query_row(
                    "SELECT review FROM reviews WHERE job = ?1 AND example_id = ?2",
                    params![job, id],
                    |r| r.get(0),
                )
                .optional()?;
            let version = stored
                .as_deref()
                .map(from_json::<Review>)
                .transpose()?
                .map(|r| r.version);
            if version != expected {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO reviews (job, example_id, review) VALUES (?1, ?2, ?3)
                 ON CONFLICT(job, example_id) DO UPDATE SET review = excluded.review",
                params![job, id, text],
            )?;
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    async fn reviews(&self, job: &str) -> Result<Vec<Review>> {
        let job = job.to_string();
        let rows: Vec<String> = self
            .with(move |c| {
                let mut stmt =
                    c.prepare("SELECT review FROM reviews WHERE job = ?1 ORDER BY example_id")?;
                let rows = stmt
                    .query_map([&job], |r| r.get(0))?
                    .collect::<rusqlite::Result<Vec<String>>>()?;
                Ok(rows)
            })
            .await?;
        rows.iter().map(|r| from_json(r)).collect()
    }

    async fn next_export_version(&self, job: &str) -> Result<u32> {
        let job = job.to_string();
        self.with(move |c| {
            let tx = c.transaction()?;
            tx.execute(
                "INSERT INTO export_versions (job, last) VALUES (?1, 1)
                 ON CONFLICT(job) DO UPDATE SET last = last + 1",
                [&job],
            )?;
            let v: u32 = tx.query_row(
                "SELECT last FROM export_versions WHERE job = ?1",
                [&job],
                |r| r.get(0),
            )?;
            tx.commit()?;
            Ok(v)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn llm_cache_keeps_the_first_answer() {
        let d = tempfile::tempdir().unwrap();
        let s = SqliteState::open(&d.path().join("state.sqlite")).unwrap();
        assert_eq!(s.get_llm_answer("k").await.unwrap(), None);
        s.put_llm_answer("k", "first").await.unwrap();
        s.put_llm_answer("k", "second").await.unwrap();
        assert_eq!(
            s.get_llm_answer("k").await.unwrap().as_deref(),
            Some("first")
        );
    }

    use super::*;

    #[tokio::test]
    async fn claims_are_first_writer_wins_and_idempotent() {
        let d = tempfile::tempdir().unwrap();
        let s = SqliteState::open(&d.path().join("state.sqlite")).unwrap();
        let keys = vec!["a".to_string(), "b".to_string()];
        assert_eq!(
            s.claim_keys("j", "lsh", &keys, "doc1").await.unwrap(),
            [Claim::Won, Claim::Won]
        );
        // Same owner again (a retried shard): still ours.
        assert_eq!(
            s.claim_keys("j", "lsh", &keys, "doc1").await.unwrap(),
            [Claim::Won, Claim::Won]
        );
        let got = s
            .claim_keys("j", "lsh", &["b".to_string(), "c".to_string()], "doc2")
            .await
            .unwrap();
        assert_eq!(
            got,
            [
                Claim::Lost {
                    owner: "doc1".into()
                },
                Claim::Won
            ]
        );
        // Other jobs have their own index.
        assert_eq!(
            s.claim_keys("k", "lsh", &keys, "doc2").await.unwrap(),
            [Claim::Won, Claim::Won]
        );
    }

    #[tokio::test]
    async fn batched_claims_answer_as_claims_one_document_at_a_time() {
        let d = tempfile::tempdir().unwrap();
        let batched = SqliteState::open(&d.path().join("a.sqlite")).unwrap();
        let one_by_one = SqliteState::open(&d.path().join("b.sqlite")).unwrap();
        let keys = |ks: &[&str]| ks.iter().map(|k| k.to_string()).collect::<Vec<_>>();
        let sets: Vec<ClaimSet> = [
            ("d1", "x", &["a", "b"][..]),
            ("d2", "x", &["c"][..]),
            ("d3", "y", &["b", "d"][..]),
            ("d4", "x", &["e"][..]),
        ]
        .into_iter()
        .map(|(owner, exact, bands)| ClaimSet {
            owner: owner.to_string(),
            groups: vec![
                ("exact".to_string(), keys(&[exact])),
                ("lsh".to_string(), keys(bands)),
            ],
        })
        .collect();
        let got = batched.claim_in_order("j", &sets).await.unwrap();
        let mut expected = Vec::new();
        for set in &sets {
            let mut lost = None;
            for (group, (ns, ks)) in set.groups.iter().enumerate() {
                let claims = one_by_one
                    .claim_keys("j", ns, ks, &set.owner)
                    .await
                    .unwrap();
                if let Some(owner) = first_lost(claims) {
                    lost = Some(ClaimLost { group, owner });
                    break;
                }
            }
            expected.push(lost);
        }
        assert_eq!(got, expected);
        let lost = |group, owner: &str| {
            Some(ClaimLost {
                group,
                owner: owner.to_string(),
            })
        };
        assert_eq!(got, [None, lost(0, "d1"), lost(1, "d1"), lost(0, "d1")]);
    }

    #[tokio::test]
    async fn completing_a_shard_twice_does_not_double_count() {
        let d = tempfile::tempdir().unwrap();
        let s = SqliteState::open(&d.path().join("state.sqlite")).unwrap();
        let mut r = ShardReport::default();
        r.stats.add("fetched", 3);
        r.fail(ItemError::new("u", "timeout", ""));
        s.complete_shard("j", Stage::Spider, 0, &r).await.unwrap();
        s.complete_shard("j", Stage::Spider, 0, &r).await.unwrap();
        let st = s.stage_stats("j").await.unwrap();
        assert_eq!(st[&Stage::Spider].get("fetched"), 3);
        assert_eq!(st[&Stage::Spider].reasons["timeout"], 1);
        assert_eq!(
            s.item_errors("j", Stage::Spider, 10).await.unwrap().len(),
            1
        );
        assert!(s.shard_done("j", Stage::Spider, 0).await.unwrap());
        assert!(!s.shard_done("j", Stage::Refiner, 0).await.unwrap());
        assert_eq!(s.next_export_version("j").await.unwrap(), 1);
        assert_eq!(s.next_export_version("j").await.unwrap(), 2);
    }

    #[tokio::test]
    async fn reviews_stored_before_versions_read_as_version_0_and_take_a_conditional_write() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("state.sqlite");
        let s = SqliteState::open(&path).unwrap();
        // A record as an earlier release wrote it: no version field.
        let old = r#"{"example_id":"e","rating":4,"decision":null,"rewrite":null,"reviewer":"ann","updated_at":"t"}"#;
        s.with(move |c| {
            c.execute(
                "INSERT INTO reviews (job, example_id, review) VALUES ('j', 'e', ?1)",
                [old],
            )?;
            Ok(())
        })
        .await
        .unwrap();
        let stored = s.get_review("j", "e").await.unwrap().unwrap();
        assert_eq!((stored.rating, stored.version), (Some(4), 0));
        let mut next = stored.clone();
        next.rating = Some(6);
        next.version = 1;
        assert!(!s.put_review_if("j", &next, None).await.unwrap(), "exists");
        assert!(s.put_review_if("j", &next, Some(0)).await.unwrap());
        assert!(
            !s.put_review_if("j", &next, Some(0)).await.unwrap(),
            "version 0 is gone"
        );
        assert_eq!(s.get_review("j", "e").await.unwrap(), Some(next.clone()));
        // Cleared, the record stays with its version, so a writer that read version 1
        // cannot write over whatever comes after.
        let mut cleared = next.clone();
        cleared.rating = None;
        cleared.version = 2;
        assert!(s.put_review_if("j", &cleared, Some(1)).await.unwrap());
        assert_eq!(s.get_review("j", "e").await.unwrap(), Some(cleared));
        assert!(!s.put_review_if("j", &next, Some(1)).await.unwrap());
        assert!(!s.put_review_if("j", &next, None).await.unwrap());
        assert_eq!(s.reviews("j").await.unwrap().len(), 1);
    }
}
