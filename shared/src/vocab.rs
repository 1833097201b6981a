//! Where the token tables of [`crate::tokens`] come from.
//!
//! bpe-openai ships `cl100k_base` and `o200k_base` prebuilt (serialized `BytePairEncoding`s:
//! hash tables and Aho-Corasick automata, 15.0 and 32.2 MB) and tiktoken-rs ships `p50k_base`
//! and `r50k_base` as text (0.8 MB each); a binary links each table it can reach. The CLI keeps
//! them inside (feature `embedded-vocab`, on by default): one file to copy, nothing to install.
//! The Lambda functions are built without that feature, because the tables alone are more than
//! twice the 20 MB a function binary may take; they read the same tables from a directory
//! instead: `DATAFACTORY_VOCAB_DIR`, else [`DEFAULT_DIR`], where the vocabulary layer
//! (`infra/template.yaml`) puts the files `datafactory vocab DIR` writes. A table is read on
//! the first use of its encoding, not at start: most invocations never count tokens.
//!
//! Building the bpe-openai tables from tiktoken's token lists instead (2.5 MB gzipped) would
//! need no files, but takes 0.8 s for `cl100k_base` and 2.0 s for `o200k_base` on the first use
//! (bench/results/2026-11-29.md, case 7); reading the prebuilt table takes tens of
//! milliseconds.
//!
//! A file is `MAGIC`, the encoding's name and a newline, the payload's length and its XXH3-64
//! (little-endian u64s), then the payload: for bpe-openai's encodings the `BytePairEncoding` in
//! MessagePack, as bpe-openai's build script writes it; for tiktoken-rs's, each ordinary token's
//! rank and length (little-endian u32s) and bytes. The checksum is there because bpe reads its
//! automata back without checking them (`deserialize_unchecked`): a truncated or damaged file
//! must be refused before it gets that far.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use bpe_openai::Tokenizer;
use bpe_openai::byte_pair_encoding::BytePairEncoding;
use tiktoken_rs::CoreBPE;

use crate::error::{Error, Result};

/// The directory the vocabulary layer is unpacked to (Lambda puts layers under `/opt`).
pub const DEFAULT_DIR: &str = "/opt/datafactory/vocab";
/// Overrides [`DEFAULT_DIR`].
pub const DIR_ENV: &str = "DATAFACTORY_VOCAB_DIR";

const MAGIC: &[u8] = b"datafactory vocab 1\n";

/// The encodings whose tables a function reads from files: bpe-openai's two, and the two older
/// ones tiktoken-rs ships (0.8 MB each as text).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Cl100k,
    O200k,
    P50k,
    R50k,
}

impl Encoding {
    pub const ALL: [Encoding; 4] = [
        Encoding::Cl100k,
        Encoding::O200k,
        Encoding::P50k,
        Encoding::R50k,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Encoding::Cl100k => "cl100k_base",
            Encoding::O200k => "o200k_base",
            Encoding::P50k => "p50k_base",
            Encoding::R50k => "r50k_base",
        }
    }

    /// The encoding of a tiktoken name (`cl100k_base`, ...).
    pub fn from_name(name: &str) -> Option<Encoding> {
        Encoding::ALL.into_iter().find(|e| e.name() == name)
    }

    /// The table's file in a vocabulary directory.
    pub fn file_name(self) -> &'static str {
        match self {
            Encoding::Cl100k => "cl100k_base.bpe",
            Encoding::O200k => "o200k_base.bpe",
            Encoding::P50k => "p50k_base.ranks",
            Encoding::R50k => "r50k_base.ranks",
        }
    }

    /// The number of (ordinary) tokens of the table, checked after reading one.
    fn tokens(self) -> usize {
        match self {
            Encoding::Cl100k => 100_256,
            Encoding::O200k => 199_998,
            Encoding::P50k => 50_280,
            Encoding::R50k => 50_256,
        }
    }
}

/// The tokenizer of a bpe-openai encoding (`cl100k_base`, `o200k_base`): the embedded table, or
/// the one read from the vocabulary directory on first use (a missing or unusable file is an
/// [`Error::Vocab`] naming it, and the next call tries again).
pub fn tokenizer(encoding: Encoding) -> Result<&'static Tokenizer> {
    #[cfg(feature = "embedded-vocab")]
    {
        Ok(embedded(encoding))
    }
    #[cfg(not(feature = "embedded-vocab"))]
    {
        static TABLES: [OnceLock<Tokenizer>; 4] = [const { OnceLock::new() }; 4];
        from_dir(&TABLES[encoding as usize], encoding, read)
    }
}

/// tiktoken-rs's tokenizer of `p50k_base` or `r50k_base`, embedded or read like
/// [`tokenizer`]'s.
pub fn tiktoken(encoding: Encoding) -> Result<&'static CoreBPE> {
    #[cfg(feature = "embedded-vocab")]
    {
        Ok(embedded_tiktoken(encoding))
    }
    #[cfg(not(feature = "embedded-vocab"))]
    {
        static TABLES: [OnceLock<CoreBPE>; 4] = [const { OnceLock::new() }; 4];
        from_dir(&TABLES[encoding as usize], encoding, read_ranks)
    }
}

/// bpe-openai's table of `cl100k_base` or `o200k_base`; tiktoken-rs's for the others.
#[cfg(any(test, feature = "embedded-vocab"))]
fn embedded(encoding: Encoding) -> &'static Tokenizer {
    match encoding {
        Encoding::O200k => bpe_openai::o200k_base(),
        _ => bpe_openai::cl100k_base(),
    }
}

#[cfg(any(test, feature = "embedded-vocab"))]
fn embedded_tiktoken(encoding: Encoding) -> &'static CoreBPE {
    match encoding {
        Encoding::R50k => tiktoken_rs::r50k_base_singleton(),
        _ => tiktoken_rs::p50k_base_singleton(),
    }
}

#[cfg_attr(feature = "embedded-vocab", allow(dead_code))]
fn from_dir<T>(
    cell: &'static OnceLock<T>,
    encoding: Encoding,
    read: fn(&Path, Encoding) -> Result<T>,
) -> Result<&'static T> {
    // One reader at a time: two threads that both miss would each read 15-32 MB.
    static READING: Mutex<()> = Mutex::new(());
    if let Some(t) = cell.get() {
        return Ok(t);
    }
    let _reading = READING.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(t) = cell.get() {
        return Ok(t);
    }
    let path = dir().join(encoding.file_name());
    let started = std::time::Instant::now();
    let t = read(&path, encoding)?;
    tracing::info!(
        encoding = encoding.name(),
        path = %path.display(),
        ms = started.elapsed().as_millis() as u64,
        "read token table"
    );
    Ok(cell.get_or_init(|| t))
}

/// The vocabulary directory: `DATAFACTORY_VOCAB_DIR`, else [`DEFAULT_DIR`].
pub fn dir() -> PathBuf {
    if let Some(d) = std::env::var_os(DIR_ENV) {
        return PathBuf::from(d);
    }
    #[cfg(all(test, not(feature = "embedded-vocab")))]
    {
        test_dir()
    }
    #[cfg(not(all(test, not(feature = "embedded-vocab"))))]
    {
        PathBuf::from(DEFAULT_DIR)
    }
}

fn vocab_error(path: &Path, encoding: Encoding, reason: String) -> Error {
    Error::Vocab {
        encoding: encoding.name(),
        path: path.to_path_buf(),
        reason,
    }
}

/// The checked payload of the table file of `encoding` at `path`.
fn read_payload(path: &Path, encoding: Encoding) -> Result<Vec<u8>> {
    let err = |reason| vocab_error(path, encoding, reason);
    let mut bytes = std::fs::read(path).map_err(|e| {
        err(if e.kind() == std::io::ErrorKind::NotFound {
            format!(
                "not found (the Lambda functions read their token tables from the vocabulary \
                 layer or from ${DIR_ENV}; `datafactory vocab DIR` writes them)"
            )
        } else {
            e.to_string()
        })
    })?;
    let header = bytes.len() - payload(&bytes, encoding).map_err(err)?.len();
    bytes.drain(..header);
    Ok(bytes)
}

/// Reads the table file of `encoding` at `path` as a function would, for `datafactory vocab`'s
/// check of what it wrote.
pub fn read_back(path: &Path, encoding: Encoding) -> Result<()> {
    match encoding {
        Encoding::Cl100k | Encoding::O200k => read(path, encoding).map(drop),
        Encoding::P50k | Encoding::R50k => read_ranks(path, encoding).map(drop),
    }
}

/// Reads the bpe-openai table of `encoding` from `path` (a file [`write_dir`] wrote) and builds
/// its tokenizer.
pub fn read(path: &Path, encoding: Encoding) -> Result<Tokenizer> {
    let err = |reason| vocab_error(path, encoding, reason);
    let payload = read_payload(path, encoding)?;
    let bpe: BytePairEncoding = rmp_serde::from_slice(&payload)
        .map_err(|e| err(format!("not a BPE table of this build: {e}")))?;
    if bpe.num_tokens() != encoding.tokens() {
        return Err(err(format!(
            "{} tokens, {} expected",
            bpe.num_tokens(),
            encoding.tokens()
        )));
    }
    tokenizer_from(bpe, encoding).map_err(|e| err(format!("pre-tokenizer: {e}")))
}

/// tiktoken-rs's one special token of `p50k_base` and `r50k_base`, and their pattern (as
/// tiktoken-rs 0.12 builds them; the tests check the counts against its own in both builds).
const ENDOFTEXT: u32 = 50_256;
const P50K_PATTERN: &str =
    "'(?:[sdmt]|ll|ve|re)| ?\\p{L}++| ?\\p{N}++| ?[^\\s\\p{L}\\p{N}]++|\\s++$|\\s+(?!\\S)|\\s";

/// Reads the ranks of `p50k_base` or `r50k_base` from `path` (a file [`write_dir`] wrote: per
/// token its rank and length as little-endian u32s, then its bytes) and builds tiktoken-rs's
/// tokenizer.
pub fn read_ranks(path: &Path, encoding: Encoding) -> Result<CoreBPE> {
    let err = |reason: &str| vocab_error(path, encoding, reason.to_string());
    let payload = read_payload(path, encoding)?;
    let mut ranks = rustc_hash::FxHashMap::default();
    ranks.reserve(encoding.tokens());
    let mut rest = payload.as_slice();
    while !rest.is_empty() {
        let (rank, r) = rest
            .split_first_chunk::<4>()
            .ok_or_else(|| err("truncated rank"))?;
        let (len, r) = r
            .split_first_chunk::<4>()
            .ok_or_else(|| err("truncated rank"))?;
        let len = u32::from_le_bytes(*len) as usize;
        if r.len() < len {
            return Err(err("truncated token"));
        }
        ranks.insert(r[..len].to_vec(), u32::from_le_bytes(*rank));
        rest = &r[len..];
    }
    if ranks.len() != encoding.tokens() {
        return Err(err(&format!(
            "{} tokens, {} expected",
            ranks.len(),
            encoding.tokens()
        )));
    }
    let mut special = rustc_hash::FxHashMap::default();
    special.insert("<|endoftext|>".to_string(), ENDOFTEXT);
    CoreBPE::new(ranks, special, P50K_PATTERN).map_err(|e| err(&format!("tokenizer: {e}")))
}

/// The payload of a table file, after checking its header and checksum.
fn payload(bytes: &[u8], encoding: Encoding) -> std::result::Result<&[u8], String> {
    let rest = bytes
        .strip_prefix(MAGIC)
        .ok_or("not a datafactory vocabulary file (header)")?;
    let name = encoding.name().as_bytes();
    let rest = rest
        .strip_prefix(name)
        .and_then(|r| r.strip_prefix(b"\n"))
        .ok_or_else(|| {
            let found = rest.split(|&b| b == b'\n').next().unwrap_or_default();
            format!(
                "holds the table of {:?}, not of this encoding",
                String::from_utf8_lossy(&found[..found.len().min(40)])
            )
        })?;
    let (len, rest) = rest.split_first_chunk::<8>().ok_or("truncated header")?;
    let (sum, payload) = rest.split_first_chunk::<8>().ok_or("truncated header")?;
    let len = u64::from_le_bytes(*len);
    if payload.len() as u64 != len {
        return Err(format!(
            "truncated or padded: {} bytes of table, {len} expected",
            payload.len()
        ));
    }
    if xxhash_rust::xxh3::xxh3_64(payload) != u64::from_le_bytes(*sum) {
        return Err("checksum mismatch: the file is damaged".into());
    }
    Ok(payload)
}

/// The tokenizer bpe-openai builds around the table, with the same pre-tokenization patterns
/// (bpe-openai 0.3's `lib.rs`; the tests check the counts against tiktoken's in both builds).
/// `cl100k_base` gets none: [`crate::tokens`] cuts its pieces by hand
/// ([`crate::pretokenize`]) and never asks the tokenizer to, and compiling that regex is a
/// few milliseconds of the first use.
fn tokenizer_from(
    bpe: BytePairEncoding,
    encoding: Encoding,
) -> std::result::Result<Tokenizer, String> {
    match encoding {
        Encoding::O200k => {
            let pat1 = [
                "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
                "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
                "\\p{N}{1,3}",
                " ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*",
                "\\s*[\\r\\n]+",
                "\\s+$",
            ]
            .join("|");
            Tokenizer::new_lookahead(
                bpe,
                &[(&pat1, false), ("\\s+\\s", true), ("\\s+", false)],
                false,
            )
        }
        _ => Tokenizer::new(bpe, None, false),
    }
    .map_err(|e| e.to_string())
}

/// The bytes of the table file of `encoding`, from the embedded table.
#[cfg(any(test, feature = "embedded-vocab"))]
fn file_bytes(encoding: Encoding) -> Result<Vec<u8>> {
    let payload = match encoding {
        Encoding::Cl100k | Encoding::O200k => rmp_serde::to_vec(&embedded(encoding).bpe)
            .map_err(|e| Error::Config(format!("serializing {}: {e}", encoding.name())))?,
        Encoding::P50k | Encoding::R50k => {
            // Every ordinary rank, from 0 up, skipping the special token.
            let bpe = embedded_tiktoken(encoding);
            let mut out = Vec::new();
            let mut rank = 0u32;
            let mut found = 0;
            while found < encoding.tokens() {
                if rank != ENDOFTEXT {
                    let bytes = bpe.decode_bytes(&[rank]).map_err(|e| {
                        Error::Config(format!("{}: rank {rank}: {e:?}", encoding.name()))
                    })?;
                    out.extend_from_slice(&rank.to_le_bytes());
                    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
                    out.extend_from_slice(&bytes);
                    found += 1;
                }
                rank += 1;
            }
            out
        }
    };
    let name = encoding.name().as_bytes();
    let mut out = Vec::with_capacity(MAGIC.len() + name.len() + 17 + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(name);
    out.push(b'\n');
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&xxhash_rust::xxh3::xxh3_64(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
    Ok(out)
}

/// Writes the embedded tables into `dir` (created if missing), each through a temporary file
/// renamed into place so a reader never sees half a table; returns the files written.
#[cfg(any(test, feature = "embedded-vocab"))]
pub fn write_dir(dir: &Path) -> Result<Vec<(Encoding, PathBuf)>> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    let mut written = Vec::new();
    for encoding in Encoding::ALL {
        let path = dir.join(encoding.file_name());
        let bytes = file_bytes(encoding)?;
        let tmp = dir.join(format!(".{}.{}", encoding.file_name(), std::process::id()));
        std::fs::write(&tmp, &bytes)
            .map_err(|e| Error::io(format!("writing {}", tmp.display()), e))?;
        std::fs::rename(&tmp, &path)
            .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
        written.push((encoding, path));
    }
    Ok(written)
}

/// Unit tests of a build without the embedded tables read them from files written here, from
/// the tables the test binary itself embeds (tests may link them; the point is what the
/// functions link).
#[cfg(all(test, not(feature = "embedded-vocab")))]
fn test_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/test-vocab");
        // Written once; `read` checks each file as it would a layer's.
        if !Encoding::ALL
            .iter()
            .all(|e| dir.join(e.file_name()).is_file())
        {
            write_dir(&dir).expect("writing the test vocabulary");
        }
        dir
    })
    .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "Hello, world! The café's naïve crème brûlée costs €4.50 — 40% off. 数字";

    fn written(encoding: Encoding) -> (tempfile::TempDir, PathBuf, Vec<u8>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(encoding.file_name());
        let bytes = file_bytes(encoding).unwrap();
        std::fs::write(&path, &bytes).unwrap();
        (dir, path, bytes)
    }

    #[test]
    fn a_written_table_reads_back_the_same() {
        for encoding in [Encoding::Cl100k, Encoding::O200k] {
            let (_dir, path, _) = written(encoding);
            let read = read(&path, encoding).unwrap();
            let embedded = embedded(encoding);
            assert_eq!(read.bpe.num_tokens(), embedded.bpe.num_tokens());
            assert_eq!(
                read.bpe.count(TEXT.as_bytes()),
                embedded.bpe.count(TEXT.as_bytes())
            );
            if encoding == Encoding::O200k {
                let pieces = |t: &Tokenizer| t.split(TEXT).map(str::to_owned).collect::<Vec<_>>();
                assert_eq!(pieces(&read), pieces(embedded));
                assert_eq!(read.count(TEXT), embedded.count(TEXT));
            }
        }
        for encoding in [Encoding::P50k, Encoding::R50k] {
            let (_dir, path, _) = written(encoding);
            let read = read_ranks(&path, encoding).unwrap();
            let embedded = embedded_tiktoken(encoding);
            let long = TEXT.repeat(20);
            assert_eq!(
                read.encode_with_special_tokens(&long),
                embedded.encode_with_special_tokens(&long)
            );
            assert_eq!(
                read.encode_with_special_tokens("<|endoftext|>"),
                vec![ENDOFTEXT]
            );
        }
    }

    #[test]
    fn a_missing_or_damaged_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("cl100k_base.bpe");
        let e = read(&missing, Encoding::Cl100k).err().unwrap().to_string();
        assert!(e.contains("cl100k_base") && e.contains(&*missing.to_string_lossy()));
        assert!(e.contains("not found"), "{e}");

        let (_dir, path, bytes) = written(Encoding::Cl100k);
        let damage = |b: &[u8]| {
            std::fs::write(&path, b).unwrap();
            read(&path, Encoding::Cl100k).err().unwrap().to_string()
        };
        assert!(damage(&bytes[..bytes.len() - 1]).contains("truncated"));
        // Cut inside the length field, after the name.
        let in_length = MAGIC.len() + "cl100k_base\n".len() + 4;
        assert!(damage(&bytes[..in_length]).contains("truncated"));
        assert!(damage(b"").contains("header"));
        let mut flipped = bytes.clone();
        let last = flipped.len() - 1000;
        flipped[last] ^= 1;
        assert!(damage(&flipped).contains("checksum"));
        // Another encoding's table under this name.
        let other = file_bytes(Encoding::P50k).unwrap();
        assert!(damage(&other).contains("p50k_base"));

        let (_dir, path, bytes) = written(Encoding::R50k);
        std::fs::write(&path, &bytes[..bytes.len() - 3]).unwrap();
        let e = read_ranks(&path, Encoding::R50k).err().unwrap().to_string();
        assert!(e.contains("r50k_base") && e.contains("truncated"), "{e}");
    }
}
