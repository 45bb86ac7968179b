#!/usr/bin/env bash
# A real Prometheus Alertmanager (Debian package `prometheus-alertmanager`) for the silence tests.
#
# Sourced by scripts/test.sh (`source scripts/alertmanager.sh && alertmanager_start`), or run alone to get
# a server for `swift test` by hand:  eval "$(scripts/alertmanager.sh env)"
# (stop it with `kill $TFDRIFT_TEST_ALERTMANAGER_PID; rm -r $TFDRIFT_TEST_ALERTMANAGER_DIR`).
#
# It listens on 127.0.0.1 on a free port, without clustering (`--cluster.listen-address=`), with its
# silences and notification log in a temporary directory that alertmanager_stop removes.
# Exported for the tests: TFDRIFT_TEST_ALERTMANAGER_URL (and TFDRIFT_TEST_ALERTMANAGER_PID).

# Installs the Debian package unless an alertmanager binary is already on PATH.
alertmanager_install() {
    if ! command -v python3 >/dev/null 2>&1; then  # picks the free port and polls readiness
        local sudo_py=""
        [ "$(id -u)" -eq 0 ] || sudo_py="sudo"
        $sudo_py apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo_py apt-get install -y -qq --no-install-recommends python3
    fi
    if command -v prometheus-alertmanager >/dev/null 2>&1; then
        ALERTMANAGER_BIN="$(command -v prometheus-alertmanager)"
        return
    fi
    if command -v alertmanager >/dev/null 2>&1; then
        ALERTMANAGER_BIN="$(command -v alertmanager)"
        return
    fi
    echo "installing: prometheus-alertmanager"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus-alertmanager
    # The package starts a system service on the default port; the tests use their own instance.
    if command -v systemctl >/dev/null 2>&1; then $sudo systemctl stop prometheus-alertmanager >/dev/null 2>&1 || true; fi
    ALERTMANAGER_BIN="$(command -v prometheus-alertmanager)"
}

# Starts Alertmanager on 127.0.0.1 on a free port and waits until it is ready.
alertmanager_start() {
    alertmanager_install
    local port
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
    TFDRIFT_TEST_ALERTMANAGER_DIR="$(mktemp -d "${TMPDIR:-/tmp}/tfdrift-alertmanager.XXXXXX")"
    # A receiver that sends nowhere: the tests look at silences and at alert states only.
    cat >"$TFDRIFT_TEST_ALERTMANAGER_DIR/alertmanager.yml" <<'YAML'
route:
  receiver: blackhole
  group_wait: 1h
receivers:
  - name: blackhole
YAML
    "$ALERTMANAGER_BIN" \
        --config.file="$TFDRIFT_TEST_ALERTMANAGER_DIR/alertmanager.yml" \
        --storage.path="$TFDRIFT_TEST_ALERTMANAGER_DIR/data" \
        --web.listen-address="127.0.0.1:$port" \
        --cluster.listen-address= \
        --log.level=warn >"$TFDRIFT_TEST_ALERTMANAGER_DIR/alertmanager.log" 2>&1 &
    TFDRIFT_TEST_ALERTMANAGER_PID=$!
    export TFDRIFT_TEST_ALERTMANAGER_PID TFDRIFT_TEST_ALERTMANAGER_DIR
    export TFDRIFT_TEST_ALERTMANAGER_URL="http://127.0.0.1:$port"
    local attempt
    for attempt in $(seq 1 150); do  # up to 30 s
        if python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/-/ready", timeout=1).read()' \
            "$TFDRIFT_TEST_ALERTMANAGER_URL" >/dev/null 2>&1; then
            echo "alertmanager at $TFDRIFT_TEST_ALERTMANAGER_URL (pid $TFDRIFT_TEST_ALERTMANAGER_PID, $("$ALERTMANAGER_BIN" --version 2>&1 | head -1))" >&2
            return 0
        fi
        if ! kill -0 "$TFDRIFT_TEST_ALERTMANAGER_PID" 2>/dev/null; then break; fi
        sleep 0.2
    done
    echo "alertmanager failed to start; its log:" >&2
    tail -20 "$TFDRIFT_TEST_ALERTMANAGER_DIR/alertmanager.log" >&2
    alertmanager_stop
    return 1
}

alertmanager_stop() {
    if [ -n "${TFDRIFT_TEST_ALERTMANAGER_PID:-}" ]; then
        kill "$TFDRIFT_TEST_ALERTMANAGER_PID" 2>/dev/null || true
        wait "$TFDRIFT_TEST_ALERTMANAGER_PID" 2>/dev/null || true
        unset TFDRIFT_TEST_ALERTMANAGER_PID
    fi
    if [ -n "${TFDRIFT_TEST_ALERTMANAGER_DIR:-}" ]; then
        rm -rf "$TFDRIFT_TEST_ALERTMANAGER_DIR"
        unset TFDRIFT_TEST_ALERTMANAGER_DIR
    fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    case "${1:-env}" in
        install) alertmanager_install ;;
        env)
            alertmanager_start >/dev/null
            # The server outlives this script; print the variables for eval.
            echo "export TFDRIFT_TEST_ALERTMANAGER_URL=$TFDRIFT_TEST_ALERTMANAGER_URL TFDRIFT_TEST_ALERTMANAGER_PID=$TFDRIFT_TEST_ALERTMANAGER_PID TFDRIFT_TEST_ALERTMANAGER_DIR=$TFDRIFT_TEST_ALERTMANAGER_DIR"
            ;;
        *)
            echo "usage: scripts/alertmanager.sh [install|env]" >&2
            exit 1
            ;;
    esac
fi
