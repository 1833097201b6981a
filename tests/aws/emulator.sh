#!/usr/bin/env bash
# Start the local AWS the `aws` tests need, if it is not running yet, and tell nextest where it
# is (a nextest setup script: it writes KEY=VALUE lines to $NEXTEST_ENV).
#
#   moto server        127.0.0.1:$MOTO    S3, SQS, DynamoDB, Step Functions (executing)
#   router.py          127.0.0.1:$ROUTER  what moto's Step Functions engine calls: Lambda Invoke
#                                         to cargo lambda's runtime API, the rest to moto
#   cargo lambda watch 127.0.0.1:$LAMBDA  started by the end-to-end test itself (--only-lambda-apis)
#
# Tools go into a virtualenv under target/ (pinned in requirements.txt), so a fresh checkout
# needs nothing installed by hand. Servers stay up for the next run; their logs are in $STATE.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
STATE="$root/target/aws-emulator"
VENV="$STATE/venv"
# Below Linux's ephemeral range (32768-60999): a port in it can be taken as the source port of
# any outgoing connection on the machine, and then a server cannot bind it.
MOTO=${DATAFACTORY_TEST_MOTO_PORT:-24501}
ROUTER=${DATAFACTORY_TEST_ROUTER_PORT:-24500}
LAMBDA=${DATAFACTORY_TEST_LAMBDA_PORT:-24502}
mkdir -p "$STATE"

# Up means moto's own page answers (the router passes it on): any other server on the port
# would otherwise pass for it, and the tests would fail far from the cause.
# (Not `| grep -q`: under pipefail, grep leaving early fails curl with SIGPIPE.)
up() { [[ "$(curl -sf -m 2 "http://127.0.0.1:$1/moto-api/" 2>/dev/null)" == *"<title>Moto"* ]]; }

(
    flock 9
    req="$root/tests/aws/requirements.txt"
    if ! cmp -s "$req" "$VENV/.installed" 2>/dev/null; then
        echo "installing the AWS emulator tools into $VENV" >&2
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2
        cp "$req" "$VENV/.installed"
    fi
    if ! up "$MOTO"; then
        # 9>&-: a daemon that kept the lock's descriptor would hold the lock for its lifetime.
        MOTO_PORT=$ROUTER setsid nohup "$VENV/bin/moto_server" -H 127.0.0.1 -p "$MOTO" \
            >"$STATE/moto.log" 2>&1 </dev/null 9>&- &
    fi
    if ! up "$ROUTER"; then
        setsid nohup python3 "$root/tests/aws/router.py" "$ROUTER" "$MOTO" "$LAMBDA" \
            >"$STATE/router.log" 2>&1 </dev/null 9>&- &
    fi
    for _ in $(seq 1 100); do
        up "$MOTO" && up "$ROUTER" && break
        sleep 0.2
    done
    up "$MOTO" || { echo "moto server did not start; see $STATE/moto.log" >&2; exit 1; }
    up "$ROUTER" || { echo "router did not start; see $STATE/router.log" >&2; exit 1; }
    curl -sf -m 5 -X POST "http://127.0.0.1:$MOTO/moto-api/config" \
        -d '{"stepfunctions": {"execute_state_machine": true}, "lambda": {"use_docker": false}}' \
        >/dev/null
) 9>"$STATE/lock"

if [ -n "${NEXTEST_ENV:-}" ]; then
    {
        echo "AWS_ENDPOINT_URL=http://127.0.0.1:$MOTO"
        echo "AWS_ACCESS_KEY_ID=test"
        echo "AWS_SECRET_ACCESS_KEY=test"
        echo "AWS_REGION=us-east-1"
        echo "DATAFACTORY_TEST_LAMBDA_PORT=$LAMBDA"
        echo "DATAFACTORY_TEST_CARGO_LAMBDA=$VENV/bin/cargo-lambda"
    } >>"$NEXTEST_ENV"
fi
echo "AWS emulator: moto 127.0.0.1:$MOTO, router 127.0.0.1:$ROUTER, lambda 127.0.0.1:$LAMBDA" >&2
