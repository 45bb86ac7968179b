#!/usr/bin/env bash
# Does the detector work under tfdriftctl.service's seccomp filters?
#   deploy/systemd/check-filters.sh BINARY
# Runs `tfdriftctl run` under the unit's SystemCallFilter=, RestrictAddressFamilies= and
# MemoryDenyWriteExecute= (unit-seccomp-exec.py, libseccomp) through start-up, a state load, HTTP
# ingest, a drift to the file sink, Loki pushes to a closed port (connect, retry, spool), /metrics,
# /readyz, a SIGHUP reload and the SIGTERM drain. Fails unless every step works and it exits 0.
# (PID 1 here is not systemd, so the unit itself cannot be started; the namespace and file-system
# sandboxing is checked by systemd-analyze only.)
set -euo pipefail
binary=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
/usr/bin/python3 -c 'import seccomp' 2>/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-seccomp
}
work=$(mktemp -d)
pid=""
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cp "$repo/examples/quickstart/terraform.tfstate" "$work/"
export FILTER_TOKEN
FILTER_TOKEN=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
cat > "$work/tfdrift.yaml" <<YAML
providers:
  aws:
    state:
      local_path: $work/terraform.tfstate
server:
  listen: "127.0.0.1:$port"
  token: "\${FILTER_TOKEN}"
  journal_dir: $work/data/journal
outputs:
  stdout: false
  file: {path: $work/data/drift.log}
  loki: {url: "http://127.0.0.1:$closed", spool_dir: $work/data/spool}
YAML
/usr/bin/python3 "$here/unit-seccomp-exec.py" "$here/tfdriftctl.service" "$binary" run --config "$work/tfdrift.yaml" \
    2> "$work/stderr" &
pid=$!
fail() { echo "$1"; cat "$work/stderr"; exit 1; }
for _ in $(seq 150); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
curl -fs "http://127.0.0.1:$port/healthz" >/dev/null || fail "no /healthz"
record='{"eventTime":"2025-12-06T18:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"CreateVpc","awsRegion":"us-east-1","eventID":"0b8c1d6e-4f7a-4c2b-9d3e-5a6f7b8c9d01","readOnly":false,"eventType":"AwsApiCall","recipientAccountId":"123456789012","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/filter-check"},"responseElements":{"vpc":{"vpcId":"vpc-0filtercheck"}}}'
curl -fsS -X POST -H "Authorization: Bearer $FILTER_TOKEN" --data "$record" "http://127.0.0.1:$port/api/v1/events" >/dev/null ||
    fail "ingest failed"
for _ in $(seq 50); do grep -q vpc-0filtercheck "$work/data/drift.log" 2>/dev/null && break; sleep 0.2; done
grep -q vpc-0filtercheck "$work/data/drift.log" || fail "no drift written"
curl -fsS -o "$work/metrics" "http://127.0.0.1:$port/metrics" && grep -q '^tfdrift_events_received_total' "$work/metrics" ||
    fail "no /metrics"
curl -sS -o "$work/readyz" "http://127.0.0.1:$port/readyz" && grep -q '"state"' "$work/readyz" || fail "no /readyz body"
kill -HUP "$pid"
for _ in $(seq 50); do grep -q 'reason=SIGHUP' "$work/stderr" && break; sleep 0.2; done
grep -q 'reason=SIGHUP' "$work/stderr" || fail "no reload on SIGHUP"
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=""
[ "$status" -eq 0 ] || fail "exit status $status after SIGTERM"
! grep -v '^seccomp:' "$work/stderr" | grep -Ei 'not permitted|BUG in|EPERM' || fail "a refused call was reported"
head -1 "$work/stderr"
echo "healthz, ingest, drift to file, Loki retry, metrics, readyz, SIGHUP reload, SIGTERM exit 0: all under the unit's filters"
