#!/usr/bin/env bash
# What the dashboard's browser test needs, installed if missing (a nextest setup script: it
# writes KEY=VALUE lines to $NEXTEST_ENV): Debian's chromium, and playwright-core from npm
# (pinned in package-lock.json; it drives the system chromium and never downloads a browser).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
(
    flock 9
    if [ ! -x /usr/bin/chromium ]; then
        echo "installing Debian's chromium" >&2
        if [ "$(id -u)" = 0 ]; then
            apt-get update -qq >&2
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
        elif command -v sudo >/dev/null; then
            sudo apt-get update -qq >&2
            sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
        else
            echo "chromium is missing and this user cannot install it: apt-get install chromium" >&2
            exit 1
        fi
    fi
    if ! cmp -s "$here/package-lock.json" "$here/node_modules/.installed-lock" 2>/dev/null; then
        echo "installing playwright-core into $here/node_modules" >&2
        (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2)
        cp "$here/package-lock.json" "$here/node_modules/.installed-lock"
    fi
) 9>"$here/.setup.lock"
if [ -n "${NEXTEST_ENV:-}" ]; then
    echo "DATAFACTORY_TEST_CHROMIUM=/usr/bin/chromium" >>"$NEXTEST_ENV"
fi
