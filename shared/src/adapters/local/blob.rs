//! A blob store in a directory, laid out exactly like the S3 bucket's prefixes.

use std::path::{Path, PathBuf};

use async_trait::async_trait;

use super::workers::{Unanswered, Workers};
use crate::error::{Error, Result};
use crate::ports::BlobStore;

/// Threads of the store's own for reading and writing page-sized objects. On tokio's blocking
/// pool a burst of page writes grew the pool from 31 to 49 threads in a 20,000-page run, each
/// with its own allocator cache, so a longer run peaked higher; with these four, `run` was no
/// slower and its median RSS 2-10 MB lower (bench/results/2026-11-29.md and 2026-11-30.md,
/// case 6). A semaphore in front of the blocking pool deadlocked instead (it hands a freed slot
/// to the next waiter, even a future nobody polls), and running the overflow on the runtime's
/// threads cost 6-14% of pages/s.
const FILE_THREADS: usize = 4;

pub struct DirBlobStore {
    root: PathBuf,
    files: Workers<()>,
}

impl DirBlobStore {
    pub fn new(root: impl Into<PathBuf>) -> Result<Self> {
        let root = root.into();
        std::fs::create_dir_all(&root)
            .map_err(|e| Error::io(format!("creating {}", root.display()), e))?;
        let files = Workers::start("blob-files", vec![(); FILE_THREADS])
            .map_err(|e| Error::io("starting the blob store's threads", e))?;
        Ok(DirBlobStore { root, files })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Runs the blocking work `f` on a page-sized object on one of the store's file threads.
    async fn file_op<T: Send + 'static>(
        &self,
        key: &str,
        f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
    ) -> Result<std::io::Result<T>> {
        self.files.run(move |_| f()).await.map_err(|e| match e {
            Unanswered::Stopped => blob_err(key, "the store's file threads have stopped"),
            Unanswered::Panicked => blob_err(key, "the file operation panicked"),
        })
    }

    fn path(&self, key: &str) -> Result<PathBuf> {
        let bad = key.is_empty()
            || key.starts_with('/')
            || key
                .split('/')
                .any(|s| s.is_empty() || s == "." || s == "..");
        if bad {
            return Err(Error::Blob {
                key: key.to_string(),
                reason: "invalid key".to_string(),
            });
        }
        Ok(self.root.join(key))
    }
}

fn blob_err(key: &str, e: impl std::fmt::Display) -> Error {
    Error::Blob {
        key: key.to_string(),
        reason: e.to_string(),
    }
}

/// Write via a temp file in the same directory and rename, so a crashed or killed process never
/// leaves half an object under the real key. No fsync: surviving power loss is not promised,
/// and a sync per page would cost more than the rest of the Spider's work.
fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    write(tmp.as_file_mut())?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[async_trait]
impl BlobStore for DirBlobStore {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<()> {
        let path = self.path(key)?;
        self.file_op(key, move || {
            write_atomic(&path, |f| std::io::Write::write_all(f, &bytes))
        })
        .await?
        .map_err(|e| blob_err(key, e))
    }

    async fn put_file(&self, key: &str, src: &Path) -> Result<()> {
        let path = self.path(key)?;
        let src = src.to_path_buf();
        // A whole export can be large: it would hold up the pages behind it on a file thread.
        tokio::task::spawn_blocking(move || {
            write_atomic(&path, |f| {
                let mut from = std::fs::File::open(&src)?;
                std::io::copy(&mut from, f).map(|_| ())
            })
        })
        .await
        .map_err(|e| blob_err(key, e))?
        .map_err(|e| blob_err(key, e))
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let path = self.path(key)?;
        match self.file_op(key, move || std::fs::read(path)).await? {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(blob_err(key, e)),
        }
    }

    async fn exists(&self, key: &str) -> Result<bool> {
        let path = self.path(key)?;
        Ok(self
            .file_op(key, move || path.try_exists())
            .await?
            .unwrap_or(false))
    }

    async fn list(&self, prefix: &str) -> Result<Vec<String>> {
        let root = self.root.clone();
        let err_key = prefix.to_string();
        let prefix = prefix.to_string();
        tokio::task::spawn_blocking(move || {
            // Walk only the directory the prefix points into.
            let dir_part = match prefix.rfind('/') {
                Some(i) => &prefix[..i],
                None => "",
            };
            let start = root.join(dir_part);
            let mut out = Vec::new();
            let mut stack = vec![start];
            while let Some(d) = stack.pop() {
                let Ok(entries) = std::fs::read_dir(&d) else {
                    continue;
                };
                for entry in entries.flatten() {
                    let p = entry.path();
                    if p.is_dir() {
                        stack.push(p);
                    } else if let Ok(rel) = p.strip_prefix(&root) {
                        let key = rel.to_string_lossy().replace('\\', "/");
                        let is_temp = p
                            .file_name()
                            .is_some_and(|n| n.to_string_lossy().starts_with(".tmp"));
                        if key.starts_with(&prefix) && !is_temp {
                            out.push(key);
                        }
                    }
                }
            }
            out.sort();
            out
        })
        .await
        .map_err(|e| blob_err(&err_key, e))
    }

    fn locate(&self, key: &str) -> String {
        self.root.join(key).display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn put_get_list_and_refuse_escaping_keys() {
        let d = tempfile::tempdir().unwrap();
        let s = DirBlobStore::new(d.path()).unwrap();
        s.put("jobs/a/urls/00000.jsonl", b"x".to_vec())
            .await
            .unwrap();
        s.put("jobs/a/urls/00001.jsonl", b"y".to_vec())
            .await
            .unwrap();
        s.put("jobs/b/urls/00000.jsonl", b"z".to_vec())
            .await
            .unwrap();
        assert_eq!(
            s.get("jobs/a/urls/00001.jsonl").await.unwrap().unwrap(),
            b"y"
        );
        assert_eq!(s.get("jobs/a/nope").await.unwrap(), None);
        assert_eq!(
            s.list("jobs/a/").await.unwrap(),
            ["jobs/a/urls/00000.jsonl", "jobs/a/urls/00001.jsonl"]
        );
        assert!(s.put("../escape", vec![]).await.is_err());
        assert!(s.put("/abs", vec![]).await.is_err());
    }

    /// Many more operations at once than the store has file threads, on a runtime of one
    /// thread: they queue, and every one completes.
    #[tokio::test(flavor = "current_thread")]
    async fn more_operations_than_file_threads_all_complete() {
        let d = tempfile::tempdir().unwrap();
        let s = DirBlobStore::new(d.path()).unwrap();
        let keys: Vec<String> = (0..64).map(|i| format!("pages/{i:03}.html.gz")).collect();
        let puts = keys
            .iter()
            .enumerate()
            .map(|(i, k)| s.put(k, vec![i as u8; 1000]));
        for r in futures::future::join_all(puts).await {
            r.unwrap();
        }
        let gets = keys.iter().map(|k| s.get(k));
        for (i, got) in futures::future::join_all(gets)
            .await
            .into_iter()
            .enumerate()
        {
            assert_eq!(got.unwrap().unwrap(), vec![i as u8; 1000]);
        }
        assert!(s.exists(&keys[63]).await.unwrap());
        assert!(!s.exists("pages/none").await.unwrap());
        assert_eq!(s.list("pages/").await.unwrap(), keys);
    }
}
