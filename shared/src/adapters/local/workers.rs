//! A few named threads of an adapter's own that run its blocking calls for async callers,
//! each thread owning its state (the SQLite connection; nothing, for files). A caller waits for
//! its answer on a oneshot channel, holding no thread and no lock. Why not tokio's blocking
//! pool, or a lock or semaphore in front of it: [`super::state::SqliteState`] and the blob
//! store's `FILE_THREADS` give the measurements.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex};

type Call<S> = Box<dyn FnOnce(&mut S) + Send>;

/// Why a call gave no answer.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Unanswered {
    /// The threads have stopped: the call was never taken.
    Stopped,
    /// The call panicked. It fails alone: its thread and state go on to the next call.
    Panicked,
}

pub(crate) struct Workers<S> {
    calls: Sender<Call<S>>,
}

impl<S> Clone for Workers<S> {
    fn clone(&self) -> Self {
        Workers {
            calls: self.calls.clone(),
        }
    }
}

impl<S: Send + 'static> Workers<S> {
    /// Starts one thread per state, named `{name}-{i}`. They take calls in the order sent and
    /// stop when the last handle is dropped.
    pub(crate) fn start(name: &str, states: Vec<S>) -> std::io::Result<Self> {
        let (calls, queue) = channel::<Call<S>>();
        let queue = Arc::new(Mutex::new(queue));
        for (i, mut state) in states.into_iter().enumerate() {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("{name}-{i}"))
                .spawn(move || {
                    loop {
                        // The lock is held while waiting for a call, never while running one.
                        let call = match queue.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        let Ok(call) = call else { return };
                        let _ = std::panic::catch_unwind(AssertUnwindSafe(|| call(&mut state)));
                    }
                })?;
        }
        Ok(Workers { calls })
    }

    /// Runs `f` on one of the threads with that thread's state.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut S) -> T + Send + 'static,
    ) -> std::result::Result<T, Unanswered> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.calls
            .send(Box::new(move |state: &mut S| {
                let _ = answer.send(f(state));
            }))
            .map_err(|_| Unanswered::Stopped)?;
        answered.await.map_err(|_| Unanswered::Panicked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn each_thread_keeps_its_state_and_a_panic_fails_one_call() {
        let workers = Workers::start("test-workers", vec![0u32]).unwrap();
        assert_eq!(
            workers
                .run(|n| {
                    *n += 1;
                    *n
                })
                .await,
            Ok(1)
        );
        assert_eq!(
            workers
                .run(|_: &mut u32| -> u32 { panic!("one bad call") })
                .await,
            Err(Unanswered::Panicked)
        );
        assert_eq!(
            workers
                .run(|n| {
                    *n += 1;
                    *n
                })
                .await,
            Ok(2)
        );
    }

    #[tokio::test]
    async fn more_calls_than_threads_all_complete() {
        let workers = Workers::start("test-workers", vec![(); 2]).unwrap();
        let calls = (0..50u64).map(|i| {
            let workers = workers.clone();
            async move {
                workers
                    .run(move |_| {
                        std::thread::sleep(std::time::Duration::from_millis(1));
                        i * 2
                    })
                    .await
            }
        });
        let answers = futures::future::join_all(calls).await;
        assert_eq!(answers, (0..50).map(|i| Ok(i * 2)).collect::<Vec<_>>());
    }
}
