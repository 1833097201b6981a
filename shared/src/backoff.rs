//! Retry delays shared by the Spider and the LLM client.

use std::time::Duration;

/// Exponential backoff with jitter: `base * 2^(attempt-1)`, capped at `max`, then a random
/// point between half of that and all of it, so clients retrying together spread out.
pub fn delay(base_ms: u64, max_ms: u64, attempt: u32) -> Duration {
    let exp = base_ms
        .saturating_mul(1u64 << attempt.saturating_sub(1).min(20))
        .min(max_ms);
    Duration::from_millis(rand::random_range(exp / 2..=exp.max(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_then_cap() {
        for _ in 0..100 {
            let d1 = delay(100, 1000, 1).as_millis();
            let d3 = delay(100, 1000, 3).as_millis();
            let d9 = delay(100, 1000, 9).as_millis();
            assert!((50..=100).contains(&d1), "{d1}");
            assert!((200..=400).contains(&d3), "{d3}");
            assert!((500..=1000).contains(&d9), "{d9}");
        }
    }
}
