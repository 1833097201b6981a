//! MinHash signatures and LSH band keys for near-duplicate detection, as FineWeb does it:
//! word 5-gram shingles, 112 hash functions in 14 bands of 8 by default. Two documents that
//! share any band key are near-duplicates; with 14x8, documents with Jaccard similarity 0.8
//! collide with probability ~0.92, at 0.5 ~0.05.
//!
//! The cost is per byte, per word and per shingle, so all three paths are kept short:
//! - the text is first normalised into a buffer: letters and digits lowercased, whitespace
//!   turned into spaces, everything else dropped, so that the words are the runs of
//!   non-spaces. With AVX-512 (BW, VBMI, VBMI2) this goes 64 bytes at a time: ASCII through a
//!   128-byte table in one `vpermi2b`, two-byte characters whose lead bytes are one pair
//!   (Cyrillic, Greek, Latin-1, Hebrew, Arabic...) through that pair's tables, CJK ideographs
//!   and Hangul syllables kept as they are, and the kept bytes packed by `vpcompressb`. Other
//!   characters, and every character without AVX-512, go one at a time: ASCII and
//!   U+0080..U+07FF by tables built once, CJK, kana, Hangul and General Punctuation by their
//!   ranges, and only the rest through the `char` methods. Either way the result is exactly
//!   that of the `char` methods (tests compare every character, and both paths);
//! - the words' bounds are found 64 bytes at a time, and each word is hashed where it lies:
//!   a word of up to 16 bytes (nearly all) as one masked 16-byte piece, with no branch on its
//!   length (xxh3's short-input step);
//! - a shingle's hash is a polynomial in its words' hashes, rolled from one shingle to the
//!   next, then mixed, so no shingle bytes are built or hashed;
//! - the hash functions are `a*x + b` over 32-bit lanes (datasketch keeps 32-bit values too):
//!   16 lanes per instruction with AVX-512 (all 112 lanes' minima held in registers over one
//!   pass of the shingles), 8 with AVX2, 4 with NEON. It is a classic signature, one hash
//!   function per slot, so the band collision probability follows the S-curve
//!   `1 - (1 - s^r)^b` for short texts as well as long ones (the tests check it over many
//!   random pairs);
//! - the buffers are reused from one document to the next through a small pool (one set per
//!   core), and any over 256 KiB is freed after use.

use std::sync::{Mutex, OnceLock};

use xxhash_rust::xxh3::xxh3_64;

use crate::config::DedupConfig;

/// Lanes are processed in blocks of this many (a multiple of every vector width above).
const BLOCK: usize = 16;

pub struct MinHasher {
    /// Multipliers (odd) and offsets of the hash functions, padded to a whole number of blocks.
    mul: Vec<u32>,
    add: Vec<u32>,
    num_hashes: usize,
    /// The odd base of the polynomial that combines word hashes into a shingle hash.
    base: u64,
    shingle_words: usize,
    bands: usize,
    rows: usize,
    /// The keys of the word hash, from the seed.
    word_keys: [u64; 3],
    kernel: Kernel,
    split: Split,
    scratch: ScratchPool,
}

/// Which copy of the word split this CPU runs; both give the same words.
#[derive(Clone, Copy)]
enum Split {
    Portable,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Split {
    fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512bw")
                && std::arch::is_x86_feature_detected!("avx512vbmi")
                && std::arch::is_x86_feature_detected!("avx512vbmi2")
                && std::arch::is_x86_feature_detected!("popcnt")
                && std::arch::is_x86_feature_detected!("bmi2")
            {
                return Split::Avx512;
            }
        }
        Split::Portable
    }
}

/// Which compiled copy of the signature loop this CPU runs.
#[derive(Clone, Copy)]
enum Kernel {
    Portable,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Kernel {
    fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                return Kernel::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return Kernel::Avx2;
            }
        }
        Kernel::Portable
    }
}

/// SplitMix64: a small, well-known generator for reproducible hash parameters.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The 64-bit finaliser of MurmurHash3: every input bit affects every output bit.
fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// What each ASCII byte becomes in the normalised text: letters and digits their lowercase
/// form, whitespace (exactly the ASCII characters for which `char::is_whitespace` holds) a
/// space, any other byte 0, which is dropped. 128 bytes: two AVX-512 registers for `vpermi2b`.
static ASCII_OUT: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else if matches!(c, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ') {
            b' '
        } else {
            0
        };
        b += 1;
    }
    t
};

/// Entries of the table of U+0080..U+07FF: the UTF-8 bytes the character becomes in the
/// normalised text (its lowercase form, a space for whitespace, nothing when it is dropped) in
/// the low three bytes and their count in the top byte; or `EXPANDS` for a letter whose
/// lowercase is more than one character.
const EXPANDS: u32 = u32::MAX;

/// The index in that table of the character encoded as `b0 b1`.
#[inline(always)]
fn two_byte_index(b0: u8, b1: u8) -> usize {
    ((usize::from(b0 & 0x1f) << 6) | usize::from(b1 & 0x3f)) - 0x80
}

/// The two-byte UTF-8 characters classified once by the Unicode rules (about a third of a
/// millisecond, once), so Cyrillic or Greek text does not pay a table search per character.
fn two_byte_chars() -> &'static [u32; 0x780] {
    static TABLE: OnceLock<[u32; 0x780]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [0u32; 0x780];
        for (slot, cp) in t.iter_mut().zip(0x80u32..0x800) {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            *slot = if c.is_whitespace() {
                u32::from_le_bytes([b' ', 0, 0, 1])
            } else if !c.is_alphanumeric() {
                0
            } else {
                let mut lower = c.to_lowercase();
                match (lower.next(), lower.next()) {
                    (Some(l), None) if l.len_utf8() <= 3 => {
                        let mut utf8 = [0u8; 4];
                        let len = l.encode_utf8(&mut utf8).len();
                        utf8[3] = len as u8;
                        u32::from_le_bytes(utf8)
                    }
                    _ => EXPANDS,
                }
            };
        }
        t
    })
}

/// Blocks of letters with no case and no separators or punctuation among them (CJK
/// ideographs, kana, Hangul syllables): kept as they are without a table search.
fn is_caseless_letter(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{ac00}'..='\u{d7a3}' | '\u{3041}'..='\u{3096}' | '\u{30a1}'..='\u{30fa}')
}

/// For the General Punctuation block (dashes, quotes, bullets, spaces of every width; no
/// letters or digits): whether the character is whitespace. `None` outside the block.
fn general_punctuation(c: char) -> Option<bool> {
    matches!(c, '\u{2000}'..='\u{206f}').then(|| {
        matches!(
            c,
            '\u{2000}'..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}'
        )
    })
}

/// Room after the normalised text, all spaces: the word scan reads whole 64-byte blocks and
/// the word hash whole 16-byte pieces past the end.
const PAD: usize = 80;

/// Texts are hashed on their first GiB at most, so that word positions fit in a `u32`.
const MAX_TEXT: usize = 1 << 30;

/// The size of the buffer for the normalised form of `len` bytes of text. No character's
/// normalised form is longer than twice its UTF-8 form (ASCII stays one byte, and longer
/// characters lowercase to one character of at most four bytes, or U+0130 to three bytes;
/// a test checks every character), and the vector loop stores 64 bytes at a time.
fn norm_room(len: usize) -> usize {
    2 * len + PAD + 64
}

/// The size of the buffer for the word bounds of `len` bytes of text. Every word kept is at
/// least one byte of the text, and words are apart by at least one byte of whitespace, so
/// there are at most `len + 1` bounds however the normalised form grows; the vector loop
/// stores up to 64 positions past the last one.
fn bounds_room(len: usize) -> usize {
    len + 1 + 64
}

/// Writes four bytes at `buf[o..]` and keeps the first `n`: returns the new end.
#[inline(always)]
fn put(buf: &mut [u8], o: usize, bytes: [u8; 4], n: usize) -> usize {
    buf[o..o + 4].copy_from_slice(&bytes);
    o + n
}

/// Writes the lowercase form of `c` at `buf[o..]`: returns the new end.
fn put_lowercase(buf: &mut [u8], mut o: usize, c: char) -> usize {
    for l in c.to_lowercase() {
        let mut utf8 = [0u8; 4];
        let n = l.encode_utf8(&mut utf8).len();
        o = put(buf, o, utf8, n);
    }
    o
}

/// Normalises one character of `text`, at byte `i` (a character boundary), into `buf` at `o`:
/// letters and digits lowercased, whitespace turned into a space, anything else dropped, so
/// that the words are the runs of non-space bytes. Returns where the next character starts in
/// `text` and where the next output goes in `buf`.
#[inline(always)]
fn normalise_char(text: &str, i: usize, buf: &mut [u8], o: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let b = bytes[i];
    if b < 0x80 {
        let c = ASCII_OUT[usize::from(b)];
        return (i + 1, put(buf, o, [c, 0, 0, 0], usize::from(c != 0)));
    }
    if b < 0xe0 {
        // U+0080..U+07FF (Latin, Greek, Cyrillic, Hebrew, Arabic...): by table. `i` is at a
        // character boundary and the text is valid UTF-8, so `b` is a lead byte and a
        // continuation byte follows.
        let at = two_byte_index(b, bytes[i + 1]);
        let entry = two_byte_chars()[at];
        let o = if entry == EXPANDS {
            char::from_u32(at as u32 + 0x80).map_or(o, |c| put_lowercase(buf, o, c))
        } else {
            put(buf, o, entry.to_le_bytes(), (entry >> 24) as usize)
        };
        return (i + 2, o);
    }
    let c = text[i..].chars().next().unwrap_or(' ');
    let len = c.len_utf8();
    let o = if is_caseless_letter(c) {
        buf[o..o + len].copy_from_slice(&bytes[i..i + len]);
        o + len
    } else if let Some(space) = general_punctuation(c) {
        put(buf, o, [b' ', 0, 0, 0], usize::from(space))
    } else if c.is_whitespace() {
        put(buf, o, [b' ', 0, 0, 0], 1)
    } else if c.is_alphanumeric() {
        put_lowercase(buf, o, c)
    } else {
        o
    };
    (i + len, o)
}

/// `normalise_char` over the whole text, with the ASCII bytes and runs of two-byte characters
/// inline: the split without vector instructions. Returns the length of the normalised text.
fn normalise_scalar(text: &str, buf: &mut [u8]) -> usize {
    let bytes = text.as_bytes();
    let two = two_byte_chars();
    let (mut i, mut o) = (0, 0);
    while let Some(&b) = bytes.get(i) {
        if b < 0x80 {
            let c = ASCII_OUT[usize::from(b)];
            o = put(buf, o, [c, 0, 0, 0], usize::from(c != 0));
            i += 1;
            continue;
        }
        let mut b = b;
        while b & 0xe0 == 0xc0 {
            let entry = two[two_byte_index(b, bytes[i + 1])];
            if entry == EXPANDS {
                break;
            }
            o = put(buf, o, entry.to_le_bytes(), (entry >> 24) as usize);
            i += 2;
            b = bytes.get(i).copied().unwrap_or(0);
        }
        if b >= 0xc0 {
            (i, o) = normalise_char(text, i, buf, o);
        }
    }
    o
}

/// For each pair of two-byte lead bytes `base`, `base + 1` (`base` even, 0xc0..=0xde), what
/// each of their 128 characters becomes, by the table of `two_byte_chars`: a byte in the
/// lead's place and one in the continuation's, 0 for none (dropped, or a space's second
/// byte), or 0xff in the lead's place for a character left to `normalise_char` (its lowercase
/// form is three bytes long or more than one character).
struct PairTable {
    lead: [u8; 128],
    cont: [u8; 128],
}

fn pair_tables() -> &'static [PairTable; 16] {
    static TABLES: OnceLock<[PairTable; 16]> = OnceLock::new();
    TABLES.get_or_init(|| {
        let two = two_byte_chars();
        std::array::from_fn(|pair| {
            let mut t = PairTable {
                lead: [0xff; 128],
                cont: [0; 128],
            };
            for k in 0..128 {
                let lead = 0xc0 + 2 * pair as u8 + (k >> 6) as u8;
                let cont = 0x80 | (k & 0x3f) as u8;
                if lead < 0xc2 {
                    continue; // overlong, never in valid UTF-8
                }
                let entry = two[two_byte_index(lead, cont)];
                let [b0, b1, _, len] = entry.to_le_bytes();
                match (entry == EXPANDS, len) {
                    (false, 0) => t.lead[k] = 0,
                    (false, 1) => t.lead[k] = b0,
                    (false, 2) => (t.lead[k], t.cont[k]) = (b0, b1),
                    _ => {}
                }
            }
            t
        })
    })
}

/// The start and end of every word of the normalised text `norm[..len]` (followed by `PAD`
/// spaces), in order: starts at even indices, ends at odd ones. Returns their number.
/// `bounds` must have room for every bound (see `bounds_room`).
fn word_bounds_portable(norm: &[u8], len: usize, bounds: &mut [u32]) -> usize {
    let mut k = 0;
    // Up to and including the first padding space, so that the last word is ended.
    let blocks = len / 64 + 1;
    let mut carry = 0u64;
    for (n, block) in norm[..blocks * 64].chunks_exact(64).enumerate() {
        let word = block
            .iter()
            .enumerate()
            .fold(0u64, |m, (j, &b)| m | (u64::from(b != b' ') << j));
        // A bit where a word starts or ends.
        let mut edges = word ^ ((word << 1) | carry);
        carry = word >> 63;
        while edges != 0 {
            bounds[k] = (n * 64) as u32 + edges.trailing_zeros();
            k += 1;
            edges &= edges - 1;
        }
    }
    k
}

/// The whole split without vector instructions: returns the number of word bounds.
fn split_portable(text: &str, norm: &mut [u8], bounds: &mut [u32]) -> usize {
    let len = normalise_scalar(text, norm);
    norm[len..len + PAD].fill(b' ');
    word_bounds_portable(norm, len, bounds)
}

/// The split with AVX-512 (BW for byte masks, VBMI for the 128-byte tables and byte moves,
/// VBMI2 for the byte compress), 64 bytes at a time: ASCII bytes mapped by `ASCII_OUT` in one
/// `vpermi2b`, two-byte characters of one lead pair by `pair_tables`, CJK ideographs and
/// Hangul syllables kept, up to the first character of another kind, which goes to
/// `normalise_char`; the kept bytes are packed by `vpcompressb`. Returns the number of word
/// bounds, found 64 bytes at a time: the positions of a block's edges packed by `vpcompressb`
/// and widened, with no branch per word.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi,avx512vbmi2,popcnt,bmi2")]
fn split_avx512(text: &str, norm: &mut [u8], bounds: &mut [u32]) -> usize {
    use std::arch::x86_64::*;
    let bytes = text.as_bytes();
    // SAFETY: `ASCII_OUT` is 128 bytes, read as two unaligned 64-byte vectors.
    let (low, high) = unsafe {
        (
            _mm512_loadu_si512(ASCII_OUT.as_ptr().cast()),
            _mm512_loadu_si512(ASCII_OUT[64..].as_ptr().cast()),
        )
    };
    let iota = _mm512_set_epi8(
        63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41,
        40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18,
        17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0,
    );
    let tables = pair_tables();
    let splat = |b: u8| _mm512_set1_epi8(b as i8);
    // `v[p + 1]` and `v[p - 1]` into place `p`.
    let next = _mm512_add_epi8(iota, splat(1));
    let prev = _mm512_sub_epi8(iota, splat(1));
    let (mut i, mut o) = (0, 0);
    while i < bytes.len() {
        let rest = &bytes[i..];
        let n = rest.len().min(64);
        // SAFETY: the masked load reads only the first `n` bytes of `rest` (masked-off bytes
        // are neither read nor faulted on).
        let v = unsafe { _mm512_maskz_loadu_epi8(u64::MAX >> (64 - n), rest.as_ptr().cast()) };
        let non_ascii = _mm512_movepi8_mask(v);
        let ascii = _mm512_permutex2var_epi8(low, v, high);
        let (mapped, end) = if non_ascii == 0 {
            (ascii, n)
        } else {
            // Two-byte characters whose lead bytes are one pair `base`, `base + 1`, by that
            // pair's tables: each lead byte with the low bits of its continuation indexes
            // them, and the continuation's output is moved to its place. The block is cut
            // before the first character of another kind: three or four bytes long, of
            // another pair, left to the scalar code, or cut by the block's end.
            let lead = _mm512_cmpeq_epi8_mask(_mm512_and_si512(v, splat(0xe0)), splat(0xc0));
            let cont = _mm512_cmpeq_epi8_mask(_mm512_and_si512(v, splat(0xc0)), splat(0x80));
            let base = if lead == 0 {
                0xc0
            } else {
                rest[lead.trailing_zeros() as usize] & 0xfe
            };
            let t = &tables[usize::from((base - 0xc0) / 2)];
            // SAFETY: each table is 128 bytes, read as two unaligned 64-byte vectors.
            let (lead_lo, lead_hi, cont_lo, cont_hi) = unsafe {
                (
                    _mm512_loadu_si512(t.lead.as_ptr().cast()),
                    _mm512_loadu_si512(t.lead[64..].as_ptr().cast()),
                    _mm512_loadu_si512(t.cont.as_ptr().cast()),
                    _mm512_loadu_si512(t.cont[64..].as_ptr().cast()),
                )
            };
            let in_pair = _mm512_cmpeq_epi8_mask(_mm512_and_si512(v, splat(0xfe)), splat(base));
            // Index: the lead's lowest bit, then the continuation's six low bits.
            let index = _mm512_or_si512(
                _mm512_and_si512(_mm512_slli_epi16::<6>(v), splat(0x40)),
                _mm512_and_si512(_mm512_permutexvar_epi8(next, v), splat(0x3f)),
            );
            let lead_out = _mm512_permutex2var_epi8(lead_lo, index, lead_hi);
            let cont_out =
                _mm512_permutexvar_epi8(prev, _mm512_permutex2var_epi8(cont_lo, index, cont_hi));
            let scalar = _mm512_mask_cmpeq_epi8_mask(lead, lead_out, splat(0xff));
            // Three-byte characters that are CJK ideographs (U+4E00..U+9FFF) or Hangul
            // syllables (U+AC00..U+D77F of U+D7A3), caseless letters all: kept as they are.
            let c1 = _mm512_permutexvar_epi8(next, v);
            let is = |b: u8| _mm512_cmpeq_epi8_mask(v, splat(b));
            let caseless = (_mm512_cmple_epu8_mask(_mm512_sub_epi8(v, splat(0xe5)), splat(4))
                | is(0xeb)
                | is(0xec)
                | (is(0xe4) & _mm512_cmpge_epu8_mask(c1, splat(0xb8)))
                | (is(0xea) & _mm512_cmpge_epu8_mask(c1, splat(0xb0)))
                | (is(0xed) & _mm512_cmplt_epu8_mask(c1, splat(0x9e))))
                & !(0b11 << 62);
            let caseless_bytes = caseless | (caseless << 1) | (caseless << 2);
            let stop = (non_ascii & !lead & !cont & !caseless)
                | (lead & !in_pair)
                | scalar
                | (lead & (1 << 63));
            let end = if stop == 0 {
                n
            } else {
                stop.trailing_zeros() as usize
            };
            let mapped = _mm512_mask_mov_epi8(ascii, lead, lead_out);
            let mapped = _mm512_mask_mov_epi8(mapped, cont, cont_out);
            (_mm512_mask_mov_epi8(mapped, caseless_bytes, v), end)
        };
        let keep = _mm512_test_epi8_mask(mapped, mapped) & _bzhi_u64(u64::MAX, end as u32);
        let packed = _mm512_maskz_compress_epi8(keep, mapped);
        let dst = &mut norm[o..o + 64];
        // SAFETY: `dst` is 64 bytes long.
        unsafe { _mm512_storeu_si512(dst.as_mut_ptr().cast(), packed) };
        o += keep.count_ones() as usize;
        i += end;
        if end == 0 {
            // One character the vector code leaves, then any three- or four-byte ones
            // after it (CJK text goes word by word).
            loop {
                (i, o) = normalise_char(text, i, norm, o);
                if bytes.get(i).is_none_or(|&b| b < 0xe0) {
                    break;
                }
            }
        }
    }
    let len = o;
    norm[len..len + PAD].fill(b' ');

    let space = _mm512_set1_epi8(b' ' as i8);
    let mut k = 0;
    let mut carry = 0u64;
    for (n, block) in norm[..(len / 64 + 1) * 64].chunks_exact(64).enumerate() {
        // SAFETY: `block` is 64 bytes long.
        let v = unsafe { _mm512_loadu_si512(block.as_ptr().cast()) };
        let word = _mm512_cmpneq_epi8_mask(v, space);
        let edges = word ^ ((word << 1) | carry);
        carry = word >> 63;
        let at = _mm512_maskz_compress_epi8(edges, iota);
        let base = _mm512_set1_epi32((n * 64) as i32);
        let count = edges.count_ones() as usize;
        // 32 positions stored whatever the count (a block of text has fewer words than
        // that but for runs of one-letter words), the rest when there are more.
        let lanes = [
            _mm512_extracti32x4_epi32::<0>(at),
            _mm512_extracti32x4_epi32::<1>(at),
            _mm512_extracti32x4_epi32::<2>(at),
            _mm512_extracti32x4_epi32::<3>(at),
        ];
        for (q, lane) in lanes.into_iter().enumerate() {
            if q >= 2 && 16 * q >= count {
                break;
            }
            let dst = &mut bounds[k + 16 * q..k + 16 * q + 16];
            let widened = _mm512_add_epi32(_mm512_cvtepu8_epi32(lane), base);
            // SAFETY: `dst` is 16 `u32`s long.
            unsafe { _mm512_storeu_si512(dst.as_mut_ptr().cast(), widened) };
        }
        k += count;
    }
    k
}

/// Masks keeping the first `n` bytes of a 16-byte piece, as two little-endian words.
static PIECE_MASKS: [[u64; 2]; 17] = {
    let mut t = [[0u64; 2]; 17];
    let mut n = 1;
    while n <= 16 {
        t[n] = if n < 8 {
            [(1u64 << (8 * n)) - 1, 0]
        } else if n < 16 {
            [u64::MAX, (1u64 << (8 * (n - 8))) - 1]
        } else {
            [u64::MAX, u64::MAX]
        };
        n += 1;
    }
    t
};

/// The 16 bytes of `buf` from `at`, as two little-endian words (zero past the end).
#[inline(always)]
fn piece(buf: &[u8], at: usize) -> [u64; 2] {
    let Some(p) = buf.get(at..at + 16) else {
        return [0, 0];
    };
    let (lo, hi) = p.split_at(8);
    let word = |s: &[u8]| <[u8; 8]>::try_from(s).map_or(0, u64::from_le_bytes);
    [word(lo), word(hi)]
}

/// One 16-byte piece into the state: the xxh3 short-input step (the folded 128-bit product of
/// the keyed halves, plus the halves).
#[inline(always)]
fn mix16(acc: u64, lo: u64, hi: u64, keys: &[u64; 3]) -> u64 {
    let (a, b) = (lo ^ keys[0], hi ^ keys[1]);
    let m = u128::from(a) * u128::from(b);
    acc.wrapping_add(a.swap_bytes()).wrapping_add(b) ^ (m as u64) ^ ((m >> 64) as u64)
}

/// The hash of the word `buf[start..end]` (not empty; `buf` has at least 16 bytes after it).
/// Words of up to 16 bytes, nearly all of them, take one masked piece and no branch on their
/// length; longer ones a piece per 16 bytes. Not finalised: the shingle hash, a polynomial in
/// the word hashes, is.
#[inline(always)]
fn word_hash(buf: &[u8], start: usize, end: usize, keys: &[u64; 3]) -> u64 {
    let len = end - start;
    let mut acc = keys[2] ^ (len as u64).wrapping_mul(0x9e37_79b1_85eb_ca87);
    let mut at = start;
    while end - at > 16 {
        let [lo, hi] = piece(buf, at);
        acc = fmix64(mix16(acc, lo, hi, keys));
        at += 16;
    }
    let [m0, m1] = PIECE_MASKS[end - at];
    let [lo, hi] = piece(buf, at);
    mix16(acc, lo & m0, hi & m1, keys)
}

/// A buffer larger than this (in bytes) is freed after use instead of kept: room for the
/// longest text seen (about 14 bytes per byte of text) would otherwise stay for the process's
/// life. Texts up to about 32 KB (most pages) reuse everything.
const KEEP_SCRATCH: usize = 256 << 10;

/// Frees `v` when it holds more than [`KEEP_SCRATCH`] bytes.
fn release_if_large<T>(v: &mut Vec<T>) {
    if v.capacity() * std::mem::size_of::<T>() > KEEP_SCRATCH {
        *v = Vec::new();
    }
}

/// Room reused from one document to the next: the normalised text, its word bounds, the word
/// hashes and the shingle hashes.
#[derive(Default)]
struct Scratch {
    norm: Vec<u8>,
    bounds: Vec<u32>,
    words: Vec<u64>,
    shingles: Vec<u32>,
}

/// Scratch kept by the hasher, at most one set per core. Kept per thread instead, each of the
/// runtime's blocking threads (dozens in a long run) held its own, and a run's peak memory
/// rose with the number of threads that had signed a document.
struct ScratchPool {
    kept: Mutex<Vec<Scratch>>,
    max: usize,
}

impl ScratchPool {
    fn new() -> Self {
        ScratchPool {
            kept: Mutex::new(Vec::new()),
            max: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }

    fn take(&self) -> Scratch {
        self.kept
            .lock()
            .ok()
            .and_then(|mut kept| kept.pop())
            .unwrap_or_default()
    }

    fn give(&self, mut s: Scratch) {
        release_if_large(&mut s.norm);
        release_if_large(&mut s.bounds);
        release_if_large(&mut s.words);
        release_if_large(&mut s.shingles);
        if let Ok(mut kept) = self.kept.lock()
            && kept.len() < self.max
        {
            kept.push(s);
        }
    }
}

impl MinHasher {
    pub fn new(cfg: &DedupConfig) -> Self {
        let mut state = cfg.seed;
        let num_hashes = cfg.num_hashes;
        let padded = num_hashes.div_ceil(BLOCK) * BLOCK;
        let (mut mul, mut add) = (Vec::with_capacity(padded), Vec::with_capacity(padded));
        for _ in 0..num_hashes {
            let r = splitmix(&mut state);
            mul.push((r as u32) | 1);
            add.push((r >> 32) as u32);
        }
        // Padding lanes repeat the first functions; their values are cut off.
        for i in num_hashes..padded {
            mul.push(mul.get(i % num_hashes.max(1)).copied().unwrap_or(1));
            add.push(add.get(i % num_hashes.max(1)).copied().unwrap_or(0));
        }
        let shingle_words = cfg.shingle_words.max(1);
        let base = splitmix(&mut state) | 1;
        MinHasher {
            mul,
            add,
            num_hashes,
            base,
            shingle_words,
            bands: cfg.bands,
            rows: cfg.rows_per_band,
            word_keys: {
                // A stream of its own, so the hash functions above do not depend on it.
                let mut state = cfg.seed ^ 0x2545_f491_4f6c_dd1d;
                [
                    splitmix(&mut state),
                    splitmix(&mut state),
                    splitmix(&mut state),
                ]
            },
            kernel: Kernel::detect(),
            split: Split::detect(),
            scratch: ScratchPool::new(),
        }
    }

    /// Hashes of the text's words: split on whitespace (`char::is_whitespace`), letters and
    /// digits kept (`char::is_alphanumeric`), lowercased; words left empty are skipped.
    ///
    /// The text is first normalised into a buffer (lowercase letters and digits, a space for
    /// whitespace, nothing for the rest), then the words are found as runs of non-spaces,
    /// 64 bytes at a time, and hashed where they lie.
    #[cfg(test)]
    fn word_hashes(&self, text: &str, out: &mut Vec<u64>) {
        self.word_hashes_with(self.split, text, out)
    }

    #[cfg(test)]
    fn word_hashes_with(&self, split: Split, text: &str, out: &mut Vec<u64>) {
        let mut s = Scratch::default();
        self.word_hashes_into(split, text, &mut s.norm, &mut s.bounds, out);
    }

    fn word_hashes_into(
        &self,
        split: Split,
        text: &str,
        norm: &mut Vec<u8>,
        bounds: &mut Vec<u32>,
        out: &mut Vec<u64>,
    ) {
        let mut end = text.len().min(MAX_TEXT);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let text = &text[..end];
        if norm.len() < norm_room(text.len()) {
            norm.resize(norm_room(text.len()), b' ');
        }
        if bounds.len() < bounds_room(text.len()) {
            bounds.resize(bounds_room(text.len()), 0);
        }
        let count = match split {
            Split::Portable => split_portable(text, norm, bounds),
            // SAFETY: `Split::detect` chose this only when the CPU has the features.
            #[cfg(target_arch = "x86_64")]
            Split::Avx512 => unsafe { split_avx512(text, norm, bounds) },
        };
        let norm: &[u8] = norm;
        out.extend(
            bounds[..count]
                .chunks_exact(2)
                .map(|w| word_hash(norm, w[0] as usize, w[1] as usize, &self.word_keys)),
        );
    }

    /// 32-bit hashes of the text's word shingles (a text shorter than a shingle is one
    /// shingle): a polynomial in the words' hashes, `w0*P^(n-1) + ... + w(n-1)`, rolled from
    /// one shingle to the next with two multiplications, then mixed. `words` is scratch room.
    fn shingles_into(&self, text: &str, s: &mut Scratch) {
        let Scratch {
            norm,
            bounds,
            words,
            shingles: out,
        } = s;
        words.clear();
        out.clear();
        self.word_hashes_into(self.split, text, norm, bounds, words);
        if words.is_empty() {
            return;
        }
        let n = self.shingle_words.min(words.len());
        let p = self.base;
        // P^(n-1), the weight of the word that leaves the window.
        let top = (1..n).fold(1u64, |acc, _| acc.wrapping_mul(p));
        let mut h = words[..n]
            .iter()
            .fold(0u64, |h, w| h.wrapping_mul(p).wrapping_add(*w));
        out.reserve(words.len() - n + 1);
        out.push((fmix64(h) >> 32) as u32);
        for (old, new) in words.iter().zip(&words[n..]) {
            h = h
                .wrapping_sub(old.wrapping_mul(top))
                .wrapping_mul(p)
                .wrapping_add(*new);
            out.push((fmix64(h) >> 32) as u32);
        }
    }

    #[cfg(test)]
    fn shingles(&self, text: &str) -> Vec<u32> {
        let mut s = Scratch::default();
        self.shingles_into(text, &mut s);
        s.shingles
    }

    /// The MinHash signature: per hash function, the least value over all shingles. The hash
    /// functions are `a*x + b` over 32-bit integers with odd `a` (a permutation of the 32-bit
    /// space) applied to shingle hashes that are already uniformly spread; the tests below
    /// check that this keeps the estimates unbiased and the band collisions on the S-curve.
    pub fn signature(&self, text: &str) -> Vec<u32> {
        let mut sig = vec![u32::MAX; self.mul.len()];
        let mut scratch = self.scratch.take();
        self.shingles_into(text, &mut scratch);
        let (shingles, mul, add) = (&scratch.shingles, &self.mul, &self.add);
        match self.kernel {
            Kernel::Portable => fold_all(shingles, mul, add, &mut sig),
            // SAFETY: `Kernel::detect` chose these only when the CPU has the feature.
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => unsafe { fold_avx2(shingles, mul, add, &mut sig) },
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => unsafe { fold_avx512(shingles, mul, add, &mut sig) },
        }
        self.scratch.give(scratch);
        sig.truncate(self.num_hashes);
        sig
    }

    /// One key per band: the band's index and a hash of its rows, as `NN:hhhhhhhhhhhhhhhh`.
    pub fn band_keys(&self, sig: &[u32]) -> Vec<String> {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut bytes = Vec::with_capacity(self.rows * 4);
        sig.chunks(self.rows.max(1))
            .take(self.bands)
            .enumerate()
            .map(|(i, rows)| {
                bytes.clear();
                for v in rows {
                    bytes.extend_from_slice(&v.to_le_bytes());
                }
                let h = xxh3_64(&bytes);
                let mut key = if i < 100 {
                    let mut k = String::with_capacity(19);
                    k.push(char::from(b'0' + (i / 10) as u8));
                    k.push(char::from(b'0' + (i % 10) as u8));
                    k
                } else {
                    i.to_string()
                };
                let mut hex = [b':'; 17];
                for (d, slot) in hex[1..].iter_mut().enumerate() {
                    *slot = HEX[((h >> (60 - 4 * d)) & 0xf) as usize];
                }
                key.push_str(std::str::from_utf8(&hex).unwrap_or_default());
                key
            })
            .collect()
    }
}

/// `sig[l] = min(sig[l], min over x of mul[l]*x + add[l])` for one block of `W` lanes. The
/// block's minima stay in registers while all shingles go by.
#[inline(always)]
fn fold_block<const W: usize>(xs: &[u32], mul: &[u32], add: &[u32], sig: &mut [u32]) {
    let (Ok(mul), Ok(add), Ok(sig)) = (
        <&[u32; W]>::try_from(mul),
        <&[u32; W]>::try_from(add),
        <&mut [u32; W]>::try_from(sig),
    ) else {
        unreachable!("blocks are cut to W lanes")
    };
    let mut acc = *sig;
    for &x in xs {
        for ((slot, a), b) in acc.iter_mut().zip(mul).zip(add) {
            *slot = (*slot).min(a.wrapping_mul(x).wrapping_add(*b));
        }
    }
    *sig = acc;
}

/// All lanes (a multiple of `BLOCK`): blocks of 32 while they last, then one of 16.
#[inline(always)]
fn fold_all(xs: &[u32], mul: &[u32], add: &[u32], sig: &mut [u32]) {
    let mut l = 0;
    while l + 32 <= sig.len() {
        let r = l..l + 32;
        fold_block::<32>(xs, &mul[r.clone()], &add[r.clone()], &mut sig[r]);
        l += 32;
    }
    if l < sig.len() {
        let r = l..l + BLOCK;
        fold_block::<BLOCK>(xs, &mul[r.clone()], &add[r.clone()], &mut sig[r]);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn fold_avx2(xs: &[u32], mul: &[u32], add: &[u32], sig: &mut [u32]) {
    fold_all(xs, mul, add, sig)
}

/// With AVX-512: up to 8 vectors of 16 lanes (112 lanes by default: 7) per pass over the
/// shingles, their minima, multipliers and offsets all held in registers.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn fold_avx512(xs: &[u32], mul: &[u32], add: &[u32], sig: &mut [u32]) {
    let mut l = 0;
    while l + BLOCK <= sig.len() {
        let r = l..sig.len().min(l + 8 * BLOCK);
        let (mul, add, sig) = (&mul[r.clone()], &add[r.clone()], &mut sig[r.clone()]);
        match r.len() / BLOCK {
            8 => fold_vectors::<8>(xs, mul, add, sig),
            7 => fold_vectors::<7>(xs, mul, add, sig),
            6 => fold_vectors::<6>(xs, mul, add, sig),
            5 => fold_vectors::<5>(xs, mul, add, sig),
            4 => fold_vectors::<4>(xs, mul, add, sig),
            3 => fold_vectors::<3>(xs, mul, add, sig),
            2 => fold_vectors::<2>(xs, mul, add, sig),
            _ => fold_vectors::<1>(xs, mul, add, sig),
        }
        l += r.len() / BLOCK * BLOCK;
    }
}

/// `fold_block` for `N` vectors of 16 lanes (`mul`, `add` and `sig` hold at least `16 * N`).
#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx512f")]
fn fold_vectors<const N: usize>(xs: &[u32], mul: &[u32], add: &[u32], sig: &mut [u32]) {
    use std::arch::x86_64::*;
    let load = |v: &[u32], j: usize| {
        let lanes = &v[16 * j..16 * j + 16];
        // SAFETY: `lanes` is 16 `u32`s long.
        unsafe { _mm512_loadu_si512(lanes.as_ptr().cast()) }
    };
    let m: [__m512i; N] = std::array::from_fn(|j| load(mul, j));
    let a: [__m512i; N] = std::array::from_fn(|j| load(add, j));
    let mut acc: [__m512i; N] = std::array::from_fn(|j| load(sig, j));
    for &x in xs {
        let x = _mm512_set1_epi32(x as i32);
        for j in 0..N {
            acc[j] = _mm512_min_epu32(acc[j], _mm512_add_epi32(_mm512_mullo_epi32(m[j], x), a[j]));
        }
    }
    for (j, v) in acc.into_iter().enumerate() {
        let lanes = &mut sig[16 * j..16 * j + 16];
        // SAFETY: `lanes` is 16 `u32`s long.
        unsafe { _mm512_storeu_si512(lanes.as_mut_ptr().cast(), v) };
    }
}

/// Estimated Jaccard similarity of two signatures.
pub fn similarity(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() {
        return 0.0;
    }
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / a.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn text(seed: usize, n: usize) -> String {
        (0..n)
            .map(|i| format!("word{}", (i * 7919 + seed * 104_729) % 5000))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A small deterministic generator for the statistical tests.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            splitmix(&mut self.0)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// `1 - (1 - s^r)^b`: the probability that two documents with Jaccard similarity `s` share
    /// at least one of `b` bands of `r` rows, for independent hash functions.
    fn s_curve(s: f64, bands: i32, rows: i32) -> f64 {
        1.0 - (1.0 - s.powi(rows)).powi(bands)
    }

    impl MinHasher {
        /// The hash of one word, as the split hashes it.
        fn hash_of_word(&self, word: &[u8]) -> u64 {
            let mut buf = word.to_vec();
            buf.extend([0u8; 32]);
            word_hash(&buf, 0, word.len(), &self.word_keys)
        }
    }

    fn shares_a_band(m: &MinHasher, a: &str, b: &str) -> bool {
        let (ka, kb) = (m.band_keys(&m.signature(a)), m.band_keys(&m.signature(b)));
        ka.iter().zip(&kb).any(|(x, y)| x == y)
    }

    #[test]
    fn scratch_is_kept_per_core_and_never_for_a_long_text() {
        let m = MinHasher::new(&DedupConfig::default());
        // Bytes held by each buffer of each kept set.
        let held = || -> Vec<[usize; 4]> {
            let kept = m.scratch.kept.lock().unwrap();
            kept.iter()
                .map(|s| {
                    [
                        s.norm.capacity(),
                        4 * s.bounds.capacity(),
                        8 * s.words.capacity(),
                        4 * s.shingles.capacity(),
                    ]
                })
                .collect()
        };
        let short = text(3, 200);
        let before = m.signature(&short);
        let sets = held();
        assert_eq!(sets.len(), 1);
        assert!(sets[0].iter().all(|&h| h > 0 && h <= KEEP_SCRATCH));
        let long = text(4, 200_000);
        assert!(long.len() > KEEP_SCRATCH);
        let sig = m.signature(&long);
        // The normalised text, its bounds and the word hashes outgrew the cap and were freed.
        let sets = held();
        assert_eq!(sets.len(), 1);
        assert_eq!(sets[0][..3], [0, 0, 0]);
        assert!(sets[0][3] <= KEEP_SCRATCH);
        // Signing on many threads at once keeps no more sets than the pool's bound.
        std::thread::scope(|scope| {
            for _ in 0..16 {
                scope.spawn(|| {
                    for _ in 0..20 {
                        assert_eq!(m.signature(&short), before);
                    }
                });
            }
        });
        assert!(held().len() <= m.scratch.max);
        // Freed or reused scratch changes nothing.
        assert_eq!(m.signature(&short), before);
        assert_eq!(m.signature(&long), sig);
    }

    #[test]
    fn near_copies_share_a_band_and_unrelated_texts_do_not() {
        let m = MinHasher::new(&DedupConfig::default());
        let a = text(1, 400);
        // Same text with a few words changed at the end: Jaccard well above 0.8.
        let b = format!("{} extra tail words here", &a[..a.len() - 40]);
        let c = text(2, 400);
        let (sa, sb, sc) = (m.signature(&a), m.signature(&b), m.signature(&c));
        assert_eq!(sa.len(), 112);
        assert!(similarity(&sa, &sb) > 0.8, "{}", similarity(&sa, &sb));
        assert!(similarity(&sa, &sc) < 0.1);
        let (ka, kb, kc) = (m.band_keys(&sa), m.band_keys(&sb), m.band_keys(&sc));
        assert_eq!(ka.len(), 14);
        assert!(ka.iter().zip(&kb).any(|(x, y)| x == y));
        assert!(!ka.iter().zip(&kc).any(|(x, y)| x == y));
    }

    #[test]
    fn band_keys_keep_their_format() {
        let m = MinHasher::new(&DedupConfig::default());
        let keys = m.band_keys(&m.signature(&text(3, 50)));
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(k.len(), 19, "{k}");
            assert_eq!(&k[..3], format!("{i:02}:"));
            assert!(
                k[3..]
                    .bytes()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
            );
        }
        let h = xxh3_64(
            &[7u32, 9]
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect::<Vec<_>>(),
        );
        let two = MinHasher::new(&DedupConfig {
            num_hashes: 2,
            bands: 1,
            rows_per_band: 2,
            ..DedupConfig::default()
        });
        assert_eq!(two.band_keys(&[7, 9]), vec![format!("00:{h:016x}")]);
    }

    #[test]
    fn similarity_estimates_track_true_jaccard() {
        // Word sets with a known overlap: 600 shared words out of 1000 distinct -> J = 0.6.
        let a: Vec<String> = (0..800).map(|i| format!("w{i}")).collect();
        let b: Vec<String> = (200..1000).map(|i| format!("w{i}")).collect();
        let mut total = 0.0;
        for seed in 1..=10 {
            let m = MinHasher::new(&DedupConfig {
                num_hashes: 256,
                bands: 32,
                rows_per_band: 8,
                shingle_words: 1,
                seed,
                ..DedupConfig::default()
            });
            let est = similarity(&m.signature(&a.join(" ")), &m.signature(&b.join(" ")));
            assert!(
                (est - 0.6).abs() < 0.12,
                "seed {seed}: estimate {est} for J = 0.6"
            );
            total += est;
        }
        // Unbiased on average, not just close once.
        assert!(
            (total / 10.0 - 0.6).abs() < 0.04,
            "mean estimate {}",
            total / 10.0
        );
    }

    /// Pairs of word sets with an exact Jaccard similarity `s` (one-word shingles, so the
    /// shingle sets are the word sets): `union` distinct words, `s * union` of them shared.
    fn pair_with_jaccard(rng: &mut Rng, s: f64, union: usize) -> (String, String) {
        let shared = (s * union as f64).round() as usize;
        let tag = rng.next();
        let word = |i: usize| format!("t{tag:x}w{i}");
        let mut a: Vec<String> = (0..shared).map(word).collect();
        let mut b = a.clone();
        for i in shared..union {
            if (i - shared).is_multiple_of(2) {
                a.push(word(i));
            } else {
                b.push(word(i));
            }
        }
        (a.join(" "), b.join(" "))
    }

    #[test]
    fn estimates_have_the_variance_of_independent_hashes() {
        // With k independent functions the estimate is Binomial(k, J)/k: variance J(1-J)/k.
        // Correlated functions (a weak hash family) inflate it even when the mean is right.
        let m = MinHasher::new(&DedupConfig {
            shingle_words: 1,
            ..DedupConfig::default()
        });
        let mut rng = Rng(42);
        for (s, union) in [(0.6, 500), (0.6, 60), (0.9, 200)] {
            let pairs = 400;
            let mut sq = 0.0;
            let mut sum = 0.0;
            for _ in 0..pairs {
                let (a, b) = pair_with_jaccard(&mut rng, s, union);
                let exact = (s * union as f64).round() / union as f64;
                let est = similarity(&m.signature(&a), &m.signature(&b));
                sq += (est - exact).powi(2);
                sum += est - exact;
            }
            let (mse, bias) = (sq / pairs as f64, sum / pairs as f64);
            let ideal = s * (1.0 - s) / 112.0;
            // The sample variance of 400 draws is within ~3 standard errors (0.07 each) of
            // the truth; the mean within ~4 of its own.
            assert!(
                mse < 1.25 * ideal,
                "s {s}, {union} words: mse {mse}, ideal {ideal}"
            );
            assert!(
                bias.abs() < 4.0 * (ideal / pairs as f64).sqrt(),
                "s {s}, {union} words: bias {bias}"
            );
        }
    }

    #[test]
    fn band_collisions_follow_the_s_curve() {
        // Over many random pairs, the share that collide in some band must match
        // 1 - (1 - s^8)^14 within 4 standard errors, for short and long texts.
        let m = MinHasher::new(&DedupConfig {
            shingle_words: 1,
            ..DedupConfig::default()
        });
        let mut rng = Rng(7);
        let pairs = 600;
        for union in [60, 400] {
            for s in [0.5, 0.6, 0.7, 0.8, 0.9] {
                let exact = (s * union as f64).round() / union as f64;
                let hits = (0..pairs)
                    .filter(|_| {
                        let (a, b) = pair_with_jaccard(&mut rng, s, union);
                        shares_a_band(&m, &a, &b)
                    })
                    .count();
                let (p, seen) = (s_curve(exact, 14, 8), hits as f64 / pairs as f64);
                let tolerance = 4.0 * (p * (1.0 - p) / pairs as f64).sqrt() + 0.005;
                assert!(
                    (seen - p).abs() < tolerance,
                    "{union} words, J {exact:.3}: {seen:.3} of pairs share a band, S-curve {p:.3}"
                );
            }
        }
    }

    #[test]
    fn five_word_shingles_collide_as_their_true_jaccard_predicts() {
        // The default configuration end to end: texts of unique random words, copies with
        // some words replaced, the true Jaccard of their 5-word shingle sets computed
        // directly; the collision rate must match the mean S-curve value of the pairs.
        let m = MinHasher::new(&DedupConfig::default());
        let mut rng = Rng(99);
        for (len, edits) in [(60, 2), (300, 7), (300, 14)] {
            let pairs = 500;
            let (mut expected, mut var, mut hits) = (0.0, 0.0, 0usize);
            for _ in 0..pairs {
                let tag = rng.next();
                let a: Vec<String> = (0..len).map(|i| format!("x{tag:x}y{i}")).collect();
                let mut b = a.clone();
                for e in 0..edits {
                    let at = rng.below(len);
                    b[at] = format!("edit{tag:x}n{e}");
                }
                let sh = |w: &[String]| -> HashSet<String> {
                    w.windows(5).map(|g| g.join(" ")).collect()
                };
                let (sa, sb) = (sh(&a), sh(&b));
                let j = sa.intersection(&sb).count() as f64 / sa.union(&sb).count() as f64;
                let p = s_curve(j, 14, 8);
                expected += p;
                var += p * (1.0 - p);
                hits += usize::from(shares_a_band(&m, &a.join(" "), &b.join(" ")));
            }
            let n = pairs as f64;
            let (seen, expected) = (hits as f64 / n, expected / n);
            let tolerance = 4.0 * var.sqrt() / n + 0.005;
            assert!(
                (seen - expected).abs() < tolerance,
                "{len} words, {edits} edits: {seen:.3} share a band, S-curve says {expected:.3}"
            );
        }
    }

    /// The words the MinHasher hashes, by the plain Unicode rules (what the fast path must
    /// reproduce): split on whitespace, keep alphanumerics, lowercase, drop empty words.
    fn reference_words(text: &str) -> Vec<String> {
        text.split_whitespace()
            .map(|w| {
                w.chars()
                    .filter(|c| c.is_alphanumeric())
                    .flat_map(char::to_lowercase)
                    .collect::<String>()
            })
            .filter(|w| !w.is_empty())
            .collect()
    }

    /// The splits this CPU can run.
    fn splits() -> Vec<Split> {
        let mut all = vec![Split::Portable];
        #[cfg(target_arch = "x86_64")]
        if matches!(Split::detect(), Split::Avx512) {
            all.push(Split::Avx512);
        }
        all
    }

    /// The word hashes of `t`, checked to be the same by every split this CPU can run.
    fn words_by_every_split(m: &MinHasher, t: &str) -> Vec<u64> {
        let mut first: Option<Vec<u64>> = None;
        for split in splits() {
            let mut got = Vec::new();
            m.word_hashes_with(split, t, &mut got);
            match &first {
                None => first = Some(got),
                Some(want) => assert_eq!(&got, want, "the splits differ on {t:?}"),
            }
        }
        first.unwrap_or_default()
    }

    /// `words_by_every_split` against the plain Unicode rules.
    fn check_words(m: &MinHasher, t: &str) {
        let want: Vec<u64> = reference_words(t)
            .iter()
            .map(|w| m.hash_of_word(w.as_bytes()))
            .collect();
        assert_eq!(words_by_every_split(m, t), want, "{t:?}");
    }

    #[test]
    fn corpus_texts_split_the_same_by_every_path() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/corpus");
        let gt: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(&std::fs::read(dir.join("ground-truth.json")).unwrap()).unwrap();
        let m = MinHasher::new(&DedupConfig::default());
        let mut non_ascii = 0;
        for v in gt.values() {
            let t = v["articleBody"].as_str().unwrap_or_default();
            non_ascii += usize::from(!t.is_ascii());
            check_words(&m, t);
            // Cut at every offset near the start, to move the 64-byte blocks over the text.
            for cut in t.char_indices().map(|(i, _)| i).take(70) {
                check_words(&m, &t[cut..]);
            }
            let mut end = t.len().min(300);
            while !t.is_char_boundary(end) {
                end -= 1;
            }
            check_words(&m, &t[..end]);
        }
        assert!(gt.len() >= 50 && non_ascii >= 10, "{} texts", gt.len());
    }

    #[test]
    fn words_across_block_edges_long_words_and_non_ascii_in_a_block() {
        let m = MinHasher::new(&DedupConfig::default());
        let long: String = "AbC,d".repeat(30);
        for pad in 0..130 {
            let lead = "x".repeat(pad);
            for t in [
                format!("{lead} Hello, World! straddling words here"),
                format!("{lead}Word{long}word end"),
                format!("{lead}caf\u{e9} Ж{long}Ж na\u{ef}ve"),
                format!("{lead}\u{2019}quoted\u{201d} don\u{2019}t stop"),
                format!("{lead}abcdefg\u{e9}abcdefgh abc\u{3000}def"),
                format!("{lead}İSTANBUL\u{212a}elvin {long}"),
                format!("{lead}ends mid-wor"),
                format!("{lead}ends in Ж"),
                format!("{lead}ends in \u{d55c}"),
                format!("{lead}ends in space "),
                format!("{lead}--- ... *** ---"),
                format!("{lead}\t\n\r\x0b\x0c tabs\u{85}and\u{a0}nbsp"),
            ] {
                check_words(&m, &t);
            }
        }
        // Words of every length up to 70, plain, upper case and with punctuation inside.
        for n in 1..70 {
            let w: String = (0..n).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
            check_words(&m, &format!("{w} {} {w}. x", w.to_uppercase()));
            check_words(&m, &w.replace('c', "-").replace('q', "\u{e9}"));
        }
    }

    #[test]
    fn no_character_normalises_to_more_than_twice_its_length() {
        // What `norm_room` relies on.
        let mut buf = vec![0u8; 64];
        for c in '\u{0}'..='\u{10ffff}' {
            let mut utf8 = [0u8; 4];
            let (_, o) = normalise_char(c.encode_utf8(&mut utf8), 0, &mut buf, 0);
            assert!(o <= 2 * c.len_utf8(), "{c:?}: {o} bytes");
        }
    }

    #[test]
    fn the_most_words_a_text_can_hold_fit_the_bounds_buffer() {
        // What `bounds_room` relies on: one-byte words one byte apart give the most bounds,
        // and characters whose lowercase is longer must not add any. Each text is split with
        // a buffer of exactly `bounds_room` (slices past it would panic).
        let m = MinHasher::new(&DedupConfig::default());
        for unit in ["a ", "\u{130} ", "\u{130}\u{3000}", "a\t", "\u{212a}\n"] {
            for n in [1, 2, 15, 16, 17, 31, 32, 33, 63, 64, 65, 200, 1000] {
                for tail in ["", "a", "\u{130}"] {
                    let t = format!("{}{tail}", unit.repeat(n));
                    check_words(&m, &t);
                    let mut s = Scratch::default();
                    m.word_hashes_into(m.split, &t, &mut s.norm, &mut s.bounds, &mut s.words);
                    assert_eq!(s.bounds.len(), bounds_room(t.len()), "{t:?}");
                }
            }
        }
    }

    #[test]
    fn every_two_byte_pair_and_the_cjk_range_edges_split_by_the_vector_path_as_by_the_rules() {
        let m = MinHasher::new(&DedupConfig::default());
        for base in (0xc2u32..0xe0).step_by(2) {
            // All characters of the lead pair, alone, in words and next to ASCII, at every
            // offset from a block's start.
            let chars: Vec<char> = (((base & 0x1f) << 6)..((base & 0x1f) + 2) << 6)
                .filter_map(char::from_u32)
                .collect();
            for chunk in chars.chunks(24) {
                let word: String = chunk.iter().collect();
                let spaced: String = chunk.iter().flat_map(|&c| [c, ' ']).collect();
                for pad in 0..66 {
                    let lead = "x".repeat(pad);
                    check_words(&m, &format!("{lead} {word} Ab{word}cD {spaced}"));
                }
            }
        }
        let edges = [
            0x4dbf, 0x4dff, 0x4e00, 0x9fff, 0xa000, 0xabff, 0xac00, 0xafff, 0xb000, 0xcfff, 0xd000,
            0xd77f, 0xd780, 0xd7a3, 0xd7a4, 0xd7ff, 0x3000, 0x3041, 0x30fc, 0xe000,
        ];
        let cjk: String = edges
            .iter()
            .filter_map(|&c| char::from_u32(c))
            .flat_map(|c| [c, '\u{c548}', c, ' ', '\u{4e2d}'])
            .collect();
        for pad in 0..66 {
            check_words(&m, &format!("{}{cjk} a{cjk}", "y".repeat(pad)));
        }
    }

    #[test]
    fn long_random_texts_split_as_the_unicode_rules_say() {
        // Long enough to cross many blocks; mostly ASCII with every kind of character mixed
        // in, and some texts mostly non-ASCII.
        let ascii: Vec<char> = (0u8..128).map(char::from).collect();
        let words: Vec<char> = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789  "
            .chars()
            .collect();
        let other: Vec<char> = "éЖжİ\u{a0}\u{2003}’한ßΣ\u{85}\u{130}ǅ日\u{1f642}\u{3000}Ⱥ\u{212a}"
            .chars()
            .collect();
        let m = MinHasher::new(&DedupConfig::default());
        let mut rng = Rng(11);
        for round in 0..600 {
            let len = rng.below(400);
            let other_share = [2, 10, 60][round % 3];
            let t: String = (0..len)
                .map(|_| {
                    let r = rng.below(100);
                    if r < other_share {
                        other[rng.below(other.len())]
                    } else if r < other_share + 5 {
                        ascii[rng.below(ascii.len())]
                    } else {
                        words[rng.below(words.len())]
                    }
                })
                .collect();
            check_words(&m, &t);
        }
    }

    #[test]
    fn the_word_hash_sees_only_the_word_and_every_byte_of_it() {
        let m = MinHasher::new(&DedupConfig::default());
        let mut seen = HashSet::new();
        for n in 1..=48usize {
            let word: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            let h = m.hash_of_word(&word);
            // Whatever follows the word in the buffer is ignored.
            let mut buf = word.clone();
            buf.extend([0xffu8; 32]);
            assert_eq!(word_hash(&buf, 0, n, &m.word_keys), h, "{n} bytes");
            let mut buf = vec![b'q'; 5];
            buf.extend(&word);
            buf.extend([b'z'; 20]);
            assert_eq!(word_hash(&buf, 5, 5 + n, &m.word_keys), h, "{n} bytes at 5");
            // A change to any byte changes the hash.
            for at in 0..n {
                let mut other = word.clone();
                other[at] ^= 1;
                assert_ne!(m.hash_of_word(&other), h, "{n} bytes, byte {at}");
            }
            assert!(seen.insert(h));
        }
    }

    #[test]
    fn word_splitting_follows_the_unicode_rules() {
        let m = MinHasher::new(&DedupConfig::default());
        let texts = [
            "The quick brown fox, jumps over the lazy dog.",
            "tabs\tand\nnewlines\r\nand\x0bvertical\x0cfeeds",
            "no\u{a0}break\u{2003}em\u{3000}ideographic\u{85}next\u{2028}line",
            "\u{1c}\u{1f} are not spaces: a\u{1c}b",
            "Straße İstanbul ΣΊΣΥΦΟΣ KELVIN \u{212a} Ǆemal",
            "日本語のテキスト 한국어 текст на русском",
            "e\u{301}tude (combining) -- ... !!! ?? 123,456.78 snake_case",
            "emoji 🙂 between 🙂words🙂 and ZWJ 👩‍💻 and\u{200b}zero-width",
            "",
            "   \n\t ",
            "trailing-word",
        ];
        for t in texts {
            let got = words_by_every_split(&m, t);
            let want: Vec<u64> = reference_words(t)
                .iter()
                .map(|w| m.hash_of_word(w.as_bytes()))
                .collect();
            assert_eq!(got, want, "{t:?}: {:?}", reference_words(t));
        }
    }

    #[test]
    fn fast_paths_agree_with_the_unicode_rules_for_every_character() {
        // Every character up to U+FFFF and a sample above, each alone, inside a word and
        // next to a space, against the plain `char` methods.
        let m = MinHasher::new(&DedupConfig::default());
        let all: Vec<char> = (0u32..0x1_0000)
            .chain((0x1_0000..0x11_0000).step_by(97))
            .filter_map(char::from_u32)
            .collect();
        for chunk in all.chunks(64) {
            let mut t = String::new();
            for &c in chunk {
                t.extend([c, 'a', c, c, ' ', c, 'Z', '\u{e9}', c]);
            }
            let got = words_by_every_split(&m, &t);
            let want: Vec<u64> = reference_words(&t)
                .iter()
                .map(|w| m.hash_of_word(w.as_bytes()))
                .collect();
            assert_eq!(got, want, "{chunk:?}");
        }
        assert!(
            ('\u{0}'..='\u{10ffff}')
                .filter(|&c| is_caseless_letter(c))
                .all(|c| c.is_alphanumeric() && c.to_lowercase().eq([c]))
        );
    }

    #[test]
    fn random_texts_split_as_the_unicode_rules_say() {
        // Mostly lowercase runs (the fast path) broken by every kind of character, at every
        // offset.
        let pool: Vec<char> = (0u8..128)
            .map(char::from)
            .chain(
                "abcdefghijklmnopqrstuvwxyz0123456789"
                    .chars()
                    .cycle()
                    .take(300),
            )
            .chain("éЖжİ\u{a0}\u{2003}’한ßΣ\u{85}".chars())
            .collect();
        let m = MinHasher::new(&DedupConfig::default());
        let mut rng = Rng(5);
        for _ in 0..3000 {
            let len = rng.below(40);
            let t: String = (0..len).map(|_| pool[rng.below(pool.len())]).collect();
            let got = words_by_every_split(&m, &t);
            let want: Vec<u64> = reference_words(&t)
                .iter()
                .map(|w| m.hash_of_word(w.as_bytes()))
                .collect();
            assert_eq!(got, want, "{t:?}");
        }
    }

    #[test]
    fn rolled_shingle_hashes_equal_the_polynomial_of_each_window() {
        let m = MinHasher::new(&DedupConfig::default());
        for n in [1usize, 4, 5, 6, 40] {
            let t: String = (0..n).map(|i| format!("w{i} ")).collect();
            let mut words = Vec::new();
            m.word_hashes(&t, &mut words);
            let direct: Vec<u32> = words
                .windows(5.min(n))
                .map(|g| {
                    let h = g
                        .iter()
                        .fold(0u64, |h, w| h.wrapping_mul(m.base).wrapping_add(*w));
                    (fmix64(h) >> 32) as u32
                })
                .collect();
            assert_eq!(m.shingles(&t), direct, "{n} words");
        }
    }

    #[test]
    fn signature_ignores_case_and_punctuation() {
        let m = MinHasher::new(&DedupConfig::default());
        assert_eq!(
            m.signature("The quick brown fox jumps over the lazy dog."),
            m.signature("the QUICK brown fox, jumps over the lazy dog")
        );
    }

    #[test]
    fn every_kernel_computes_the_same_signature() {
        let m = MinHasher::new(&DedupConfig::default());
        let shingles = m.shingles(&text(5, 300));
        let mut portable = vec![u32::MAX; m.mul.len()];
        fold_all(&shingles, &m.mul, &m.add, &mut portable);
        // A scalar reference, lane by lane.
        let scalar: Vec<u32> = (0..m.mul.len())
            .map(|l| {
                shingles
                    .iter()
                    .map(|&x| m.mul[l].wrapping_mul(x).wrapping_add(m.add[l]))
                    .min()
                    .unwrap_or(u32::MAX)
            })
            .collect();
        assert_eq!(portable, scalar);
        let mut sig = m.signature(&text(5, 300));
        sig.resize(m.mul.len(), 0);
        assert_eq!(&sig[..112], &scalar[..112]);
    }
}
