#!/usr/bin/env bash
# `sam validate --lint` on the template, with AWS SAM CLI from PyPI in a virtualenv under
# target/ (offline once installed; telemetry off). `--install-only` just installs it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/target/sam-cli"
if [ ! -x "$venv/bin/sam" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "aws-sam-cli==1.170.0"
fi
[ "${1:-}" = "--install-only" ] && exit 0
export SAM_CLI_TELEMETRY=0
"$venv/bin/sam" validate --lint --region us-east-1 -t "$root/infra/template.yaml"
