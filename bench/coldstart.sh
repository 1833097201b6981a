#!/usr/bin/env bash
# Case 7: cold start and size of each Lambda binary (profile lambda-release, as infra/build.sh
# builds them; native here, arm64 there).
#   bench/coldstart.sh [ROUNDS]    -> a Markdown table on stdout
# Starts the local AWS emulator (tests/aws/emulator.sh) if it is not running. The functions
# read their token tables from target/vocab (what the vocabulary layer holds on AWS), written
# by the CLI's `datafactory vocab`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# Without the CLI in the same invocation: with it, cargo would turn on shared's embedded-vocab
# for the functions too.
cargo build --profile lambda-release -p trigger -p spider -p refiner -p factory -p inspector \
    -p shipper -p api >&2
# The CLI in the same profile reuses the functions' dependencies.
cargo build --profile lambda-release --bin datafactory >&2
target/lambda-release/datafactory vocab target/vocab >&2
export DATAFACTORY_VOCAB_DIR="$root/target/vocab"
bash tests/aws/emulator.sh >&2
export AWS_ENDPOINT_URL=http://127.0.0.1:${DATAFACTORY_TEST_MOTO_PORT:-24501}
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
# The time of the 0.2 s wait before spawning is not counted (the clock starts at spawn).
"$root/target/aws-emulator/venv/bin/python" bench/coldstart.py "${1:-5}"
