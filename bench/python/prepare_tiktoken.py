#!/usr/bin/env python3
"""Seed a tiktoken cache dir with cl100k_base so the benchmark runs offline.

Usage: prepare_tiktoken.py CACHE_DIR [SOURCE_FILE]

tiktoken downloads cl100k_base.tiktoken on first use. The Rust side already
has the identical BPE file vendored in the tiktoken-rs crate, so we copy that
instead of touching the network, and both implementations provably use the
same ranks. Afterwards `TIKTOKEN_CACHE_DIR=CACHE_DIR` makes
`tiktoken.get_encoding("cl100k_base")` load from disk.

Stdlib only, so it can run before (or without) the venv.
"""

import glob
import hashlib
import os
import shutil
import sys

# Must match tiktoken_ext/openai_public.py (tiktoken 0.14.0): tiktoken keys its
# cache on sha1(url) and re-downloads if the cached blob's sha256 differs.
BLOB_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
EXPECTED_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
TIKTOKEN_RS = "tiktoken-rs-0.12.1"


def find_source():
    cargo_home = os.environ.get("CARGO_HOME", os.path.expanduser("~/.cargo"))
    pattern = os.path.join(
        cargo_home, "registry", "src", "*", TIKTOKEN_RS, "assets", "cl100k_base.tiktoken"
    )
    hits = sorted(glob.glob(pattern))
    if not hits:
        sys.exit(f"no {TIKTOKEN_RS} assets found ({pattern}); run `cargo fetch` first")
    return hits[0]


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    cache_dir = sys.argv[1]
    src = sys.argv[2] if len(sys.argv) == 3 else find_source()

    with open(src, "rb") as f:
        data = f.read()
    digest = hashlib.sha256(data).hexdigest()
    # A mismatch would make tiktoken silently discard the file and go online.
    if digest != EXPECTED_SHA256:
        sys.exit(f"{src}: sha256 {digest} != expected {EXPECTED_SHA256}")

    os.makedirs(cache_dir, exist_ok=True)
    dst = os.path.join(cache_dir, hashlib.sha1(BLOB_URL.encode()).hexdigest())
    shutil.copyfile(src, dst)
    print(f"{src} -> {dst}", file=sys.stderr)


if __name__ == "__main__":
    main()
