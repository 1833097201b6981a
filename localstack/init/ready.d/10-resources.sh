#!/bin/bash
# LocalStack ready hook: create datafactory's bucket, ingest queue + DLQ, inbox notification and
# state table with the same script used against any other endpoint (idempotent, so a restart
# with persisted state is fine). The compose file mounts the script at /opt/datafactory/.
set -euo pipefail

SCRIPT=/opt/datafactory/create_resources.py
if [ ! -f "$SCRIPT" ]; then
    # Mounted elsewhere (e.g. the whole repo): look next to this hook's parent directory.
    SCRIPT="$(cd "$(dirname "$0")/../.." && pwd)/create_resources.py"
fi

export AWS_ENDPOINT_URL="${AWS_ENDPOINT_URL:-http://localhost:4566}"
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"

# LocalStack's own Python environment has boto3.
PYTHON=python3
[ -x /opt/code/localstack/.venv/bin/python ] && PYTHON=/opt/code/localstack/.venv/bin/python

"$PYTHON" "$SCRIPT" --bucket "${DATAFACTORY_BUCKET:-datafactory-local}" > /tmp/datafactory-resources.json
echo "datafactory resources:"
cat /tmp/datafactory-resources.json
