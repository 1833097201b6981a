//! Two reviewers changing one example at once: each change must survive, whichever order the
//! store sees their reads and writes in. A store wrapper holds the first reads back until both
//! reviewers have read, which forces the interleaving that used to lose one change.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use async_trait::async_trait;
use serde_json::json;
use tokio::sync::Barrier;

use super::tests::example;
use super::*;
use crate::adapters::local::SqliteState;
use crate::model::{ItemError, JobStatus, ShardReport, Stage, StageStats};
use crate::ports::{Claim, ClaimLost, ClaimSet, Lease};

/// Delegates to `inner`; the next `held` review reads each wait, after reading, until all of
/// them have read. With `refuse_writes`, every conditional review write reports a lost race.
struct HoldReads<S> {
    inner: S,
    held: AtomicUsize,
    barrier: Barrier,
    refuse_writes: AtomicBool,
    writes: AtomicUsize,
}

impl<S> HoldReads<S> {
    fn new(inner: S, readers: usize) -> Self {
        HoldReads {
            inner,
            held: AtomicUsize::new(0),
            barrier: Barrier::new(readers),
            refuse_writes: AtomicBool::new(false),
            writes: AtomicUsize::new(0),
        }
    }

    fn hold_next_reads(&self, n: usize) {
        self.held.store(n, Ordering::SeqCst);
    }
}

#[async_trait]
impl<S: StateStore> StateStore for HoldReads<S> {
    async fn get_review(&self, job: &str, example_id: &str) -> Result<Option<Review>> {
        let found = self.inner.get_review(job, example_id).await?;
        let hold = self
            .held
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if hold {
            self.barrier.wait().await;
        }
        Ok(found)
    }
    async fn put_review_if(
        &self,
        job: &str,
        review: &Review,
        expected: Option<u64>,
    ) -> Result<bool> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        if self.refuse_writes.load(Ordering::SeqCst) {
            return Ok(false);
        }
        self.inner.put_review_if(job, review, expected).await
    }
    async fn reviews(&self, job: &str) -> Result<Vec<Review>> {
        self.inner.reviews(job).await
    }
    async fn put_job(&self, job: &JobRecord) -> Result<()> {
        self.inner.put_job(job).await
    }
    async fn get_job(&self, id: &str) -> Result<Option<JobRecord>> {
        self.inner.get_job(id).await
    }
    async fn find_job_by_input_key(&self, input_key: &str) -> Result<Option<JobRecord>> {
        self.inner.find_job_by_input_key(input_key).await
    }
    async fn list_jobs(&self) -> Result<Vec<JobRecord>> {
        self.inner.list_jobs().await
    }
    async fn set_job_status(
        &self,
        id: &str,
        status: JobStatus,
        message: Option<&str>,
        export: Option<&str>,
        elapsed_ms: u64,
    ) -> Result<()> {
        self.inner
            .set_job_status(id, status, message, export, elapsed_ms)
            .await
    }
    async fn get_url_outcome(&self, job: &str, url_hash: &str) -> Result<Option<String>> {
        self.inner.get_url_outcome(job, url_hash).await
    }
    async fn put_url_outcome(&self, job: &str, url_hash: &str, outcome: &str) -> Result<()> {
        self.inner.put_url_outcome(job, url_hash, outcome).await
    }
    async fn complete_shard(
        &self,
        job: &str,
        stage: Stage,
        shard: u32,
        report: &ShardReport,
    ) -> Result<()> {
        self.inner.complete_shard(job, stage, shard, report).await
    }
    async fn shard_done(&self, job: &str, stage: Stage, shard: u32) -> Result<bool> {
        self.inner.shard_done(job, stage, shard).await
    }
    async fn stage_stats(&self, job: &str) -> Result<BTreeMap<Stage, StageStats>> {
        self.inner.stage_stats(job).await
    }
    async fn shards_done(&self, job: &str) -> Result<BTreeMap<Stage, u32>> {
        self.inner.shards_done(job).await
    }
    async fn item_errors(&self, job: &str, stage: Stage, limit: usize) -> Result<Vec<ItemError>> {
        self.inner.item_errors(job, stage, limit).await
    }
    async fn claim_keys(
        &self,
        job: &str,
        namespace: &str,
        keys: &[String],
        owner: &str,
    ) -> Result<Vec<Claim>> {
        self.inner.claim_keys(job, namespace, keys, owner).await
    }
    async fn claim_in_order(&self, job: &str, sets: &[ClaimSet]) -> Result<Vec<Option<ClaimLost>>> {
        self.inner.claim_in_order(job, sets).await
    }
    async fn next_export_version(&self, job: &str) -> Result<u32> {
        self.inner.next_export_version(job).await
    }
    async fn get_llm_answer(&self, key: &str) -> Result<Option<String>> {
        self.inner.get_llm_answer(key).await
    }
    async fn put_llm_answer(&self, key: &str, answer: &str) -> Result<()> {
        self.inner.put_llm_answer(key, answer).await
    }
    async fn acquire_lease(
        &self,
        key: &str,
        owner: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<Lease> {
        self.inner.acquire_lease(key, owner, now, expires_at).await
    }
    async fn release_lease(&self, key: &str, owner: &str) -> Result<()> {
        self.inner.release_lease(key, owner).await
    }
}

fn change(body: Value) -> ReviewChange {
    ReviewChange::from_json(&body).unwrap()
}

/// Ann rates and Bob approves the same example, both reading before either writes.
async fn both_changes_survive(store: &HoldReads<impl StateStore>, seeded: bool) {
    let e = example("a", 0.9, true);
    if seeded {
        update(
            store,
            "j",
            &e,
            &change(json!({"rewrite": "Seed."})),
            "cy",
            "t0",
        )
        .await
        .unwrap();
    }
    store.hold_next_reads(2);
    let rate = change(json!({"rating": 7}));
    let approve = change(json!({"decision": "approved"}));
    let (ann, bob) = tokio::join!(
        update(store, "j", &e, &rate, "ann", "t1"),
        update(store, "j", &e, &approve, "bob", "t2"),
    );
    ann.unwrap();
    bob.unwrap();
    let stored = store.get_review("j", "a").await.unwrap().unwrap();
    assert_eq!(
        (stored.rating, stored.decision),
        (Some(7), Some(Decision::Approved)),
        "seeded: {seeded}; a concurrent change was lost: {stored:?}"
    );
    if seeded {
        assert_eq!(stored.rewrite.as_deref(), Some("Seed."));
    }
}

#[tokio::test]
async fn concurrent_changes_to_one_review_all_survive_on_sqlite() {
    for seeded in [false, true] {
        let d = tempfile::tempdir().unwrap();
        let sqlite = SqliteState::open(&d.path().join("state.sqlite")).unwrap();
        both_changes_survive(&HoldReads::new(sqlite, 2), seeded).await;
    }
}

#[tokio::test]
async fn a_change_that_keeps_losing_gives_up_with_a_conflict() {
    let d = tempfile::tempdir().unwrap();
    let sqlite = SqliteState::open(&d.path().join("state.sqlite")).unwrap();
    let store = HoldReads::new(sqlite, 1);
    store.refuse_writes.store(true, Ordering::SeqCst);
    let e = example("a", 0.9, true);
    let err = update(&store, "j", &e, &change(json!({"rating": 3})), "ann", "t")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err}");
    assert_eq!(
        store.writes.load(Ordering::SeqCst),
        MAX_UPDATE_ATTEMPTS as usize
    );
    assert_eq!(store.get_review("j", "a").await.unwrap(), None);
}
