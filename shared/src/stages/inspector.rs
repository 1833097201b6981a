//! Inspector: scores generated examples (format, groundedness, readability, toxicity,
//! near-duplicates). It inspects LLM output, so in corpus mode (see `factory`) it has nothing
//! to do: corpus quality is enforced by the Refiner's filters and de-duplication.

use crate::stages::factory::Mode;

/// Whether the Inspector runs for a job in this mode.
pub fn runs_in(mode: Mode) -> bool {
    match mode {
        Mode::Corpus => false,
    }
}
