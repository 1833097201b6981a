#!/usr/bin/env bash
# Builds what infra/template.yaml deploys, then `sam deploy` packages it as is:
#   target/lambda/<fn>/bootstrap             the seven functions, arm64, profile `lambda-release`
#   target/lambda/vocab-layer/datafactory/vocab/   the token tables they read (VocabLayer)
#
# Not `sam build`: SAM's Rust builder always runs `cargo lambda build --release`, which cannot
# take another profile (cargo refuses --release with --profile), so the size settings of
# `[profile.lambda-release]` (Cargo.toml) would not apply.
#
# The functions are built in one cargo invocation without the CLI, so shared's feature
# `embedded-vocab` stays off for them (cargo unifies features across the packages it builds).
# Needs cargo-lambda and zig for the arm64 build: `pip install cargo-lambda ziglang`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
functions=(trigger spider refiner factory inspector shipper api)
args=()
for f in "${functions[@]}"; do args+=(-p "$f"); done
cargo lambda build --profile lambda-release --arm64 "${args[@]}"
layer="$root/target/lambda/vocab-layer"
rm -rf "$layer"
cargo run --release --bin datafactory -- vocab "$layer/datafactory/vocab"
for f in "${functions[@]}"; do
    ls -l "target/lambda/$f/bootstrap"
done
