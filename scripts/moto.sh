#!/usr/bin/env bash
# A moto_server (PyPI `moto[server]`) for the AWSClient tests, with signature checking ON.
#
# Sourced by scripts/test.sh (`source scripts/moto.sh && moto_start`), or run alone to get a server
# for `swift test` by hand:  eval "$(scripts/moto.sh env)"   (stop it with `kill $TFDRIFT_TEST_MOTO_PID`).
#
# moto authenticates every request after the first INITIAL_NO_AUTH_ACTION_COUNT actions. We start it
# with exactly 3 and spend them on CreateUser, PutUserPolicy and CreateAccessKey; from then on every
# request must carry a valid SigV4 signature by that access key (a wrong secret gets SignatureDoesNotMatch).
# Exported for the tests: TFDRIFT_TEST_MOTO_URL, TFDRIFT_TEST_MOTO_ACCESS_KEY_ID,
# TFDRIFT_TEST_MOTO_SECRET_ACCESS_KEY (and TFDRIFT_TEST_MOTO_PID).

_moto_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_moto_venv="$_moto_root/.build-tools/moto-venv"

# Installs moto[server] into a virtualenv under .build-tools/ unless a moto_server >= 5 is on PATH.
moto_install() {
    if [ -x "$_moto_venv/bin/moto_server" ]; then
        MOTO_SERVER="$_moto_venv/bin/moto_server"
        return
    fi
    if command -v moto_server >/dev/null 2>&1 && python3 -c 'import moto, sys; sys.exit(int(moto.__version__.split(".")[0]) < 5)' 2>/dev/null; then
        MOTO_SERVER="$(command -v moto_server)"
        return
    fi
    if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
        echo "installing: python3 python3-venv python3-pip (for moto_server)"
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3 python3-venv python3-pip
    fi
    echo "installing moto[server] from PyPI into $_moto_venv"
    python3 -m venv "$_moto_venv"
    "$_moto_venv/bin/pip" install --quiet 'moto[server]'
    MOTO_SERVER="$_moto_venv/bin/moto_server"
}

# Starts moto on 127.0.0.1 on a free port, creates the test user and its key, exports the variables.
moto_start() {
    moto_install
    local port log
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
    log="${TMPDIR:-/tmp}/tfdrift-moto-$port.log"
    INITIAL_NO_AUTH_ACTION_COUNT=3 "$MOTO_SERVER" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
    TFDRIFT_TEST_MOTO_PID=$!
    export TFDRIFT_TEST_MOTO_PID
    export TFDRIFT_TEST_MOTO_URL="http://127.0.0.1:$port"
    local keys
    if ! keys="$(python3 - "$TFDRIFT_TEST_MOTO_URL" <<'PY'
import re, sys, time, urllib.error, urllib.parse, urllib.request

url = sys.argv[1]
for _ in range(150):  # up to 30 s for the server to listen
    try:
        urllib.request.urlopen(url + "/moto-api/", timeout=1).read()
        break
    except Exception:
        time.sleep(0.2)
else:
    sys.exit("moto_server did not start at " + url)

# The credential scope in Authorization routes the request to IAM; the first 3 actions are not verified.
AUTH = "AWS4-HMAC-SHA256 Credential=AKIDBOOTSTRAP/20250101/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=0"

def iam(params):
    params = dict(params, Version="2010-05-08")
    request = urllib.request.Request(url + "/", data=urllib.parse.urlencode(params).encode(), method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        "Authorization": AUTH, "X-Amz-Date": "20250101T000000Z"})
    try:
        return urllib.request.urlopen(request, timeout=10).read().decode()
    except urllib.error.HTTPError as error:
        sys.exit("moto IAM %s failed: %s %s" % (params["Action"], error.code, error.read().decode()[:300]))

iam({"Action": "CreateUser", "UserName": "tfdrift-test"})
iam({"Action": "PutUserPolicy", "UserName": "tfdrift-test", "PolicyName": "all",
     "PolicyDocument": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'})
body = iam({"Action": "CreateAccessKey", "UserName": "tfdrift-test"})
key_id = re.search(r"<AccessKeyId>([^<]+)</AccessKeyId>", body).group(1)
secret = re.search(r"<SecretAccessKey>([^<]+)</SecretAccessKey>", body).group(1)
print(key_id, secret)
PY
)"; then
        echo "moto_server failed to start; its log ($log):" >&2
        tail -20 "$log" >&2
        moto_stop
        return 1
    fi
    read -r TFDRIFT_TEST_MOTO_ACCESS_KEY_ID TFDRIFT_TEST_MOTO_SECRET_ACCESS_KEY <<<"$keys"
    export TFDRIFT_TEST_MOTO_ACCESS_KEY_ID TFDRIFT_TEST_MOTO_SECRET_ACCESS_KEY
    echo "moto_server at $TFDRIFT_TEST_MOTO_URL (pid $TFDRIFT_TEST_MOTO_PID, signatures checked, log $log)" >&2
}

moto_stop() {
    if [ -n "${TFDRIFT_TEST_MOTO_PID:-}" ]; then
        kill "$TFDRIFT_TEST_MOTO_PID" 2>/dev/null || true
        wait "$TFDRIFT_TEST_MOTO_PID" 2>/dev/null || true
        unset TFDRIFT_TEST_MOTO_PID
    fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    case "${1:-env}" in
        install) moto_install ;;
        env)
            moto_start >/dev/null
            # The server outlives this script; print the variables for eval.
            echo "export TFDRIFT_TEST_MOTO_URL=$TFDRIFT_TEST_MOTO_URL TFDRIFT_TEST_MOTO_PID=$TFDRIFT_TEST_MOTO_PID"
            echo "export TFDRIFT_TEST_MOTO_ACCESS_KEY_ID=$TFDRIFT_TEST_MOTO_ACCESS_KEY_ID TFDRIFT_TEST_MOTO_SECRET_ACCESS_KEY=$TFDRIFT_TEST_MOTO_SECRET_ACCESS_KEY"
            ;;
        *)
            echo "usage: scripts/moto.sh [install|env]" >&2
            exit 1
            ;;
    esac
fi
