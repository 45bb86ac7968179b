#!/usr/bin/env bash
# Validates every deployment file under deploy/ (issue 14). Called by scripts/test.sh with the test
# run's binary; alone:  scripts/check-deploy.sh [--binary PATH]   (default: .build/debug/tfdriftctl)
#
#   secrets     nothing in deploy/ names a secret value
#   configs     every example tfdrift.yaml loads with the strict loader (the binary's iam-policy)
#   iam         deploy/ecs/task-role-policy.json and the org-trail overlay's iam-policy.json are
#               exactly `tfdriftctl iam-policy --output json` for their configs (regenerated, compared)
#   ecs         task-definition.json against botocore's RegisterTaskDefinition input shape, Fargate's
#               task sizes and tfdriftctl's expectations (deploy/checks/ecs_task_definition.py)
#   kubernetes  base and org-trail overlay rendered (deploy/checks/render_kustomize.py; compared with
#               `kubectl kustomize` when kubectl is installed), validated strictly against the
#               Kubernetes 1.29 and 1.37 schemas (kubernetes-validate, offline) and tfdriftctl's
#               expectations (deploy/checks/kubernetes_expectations.py)
#   systemd     systemd-analyze verify (no warning allowed) and security --offline (exposure ≤ 2.0);
#               deploy/systemd/check-filters.sh: the detector works under the unit's seccomp filters
#   image       podman build of deploy/container/Containerfile, podman image inspect (entrypoint,
#               cmd, user, volume, port, labels), then the image's root filesystem mounted read-only
#               and run under chroot as uid 65532: `version`, and `run` serving /healthz and /readyz
#               with only the volume writable. Not a container: this machine cannot start one.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
binary=.build/debug/tfdriftctl
while (($#)); do
    case $1 in
        --binary) binary=$2; shift 2 ;;
        *) echo "usage: $0 [--binary PATH]" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" -eq 0 ] || { echo "check-deploy: run as root (podman's storage, mount namespaces, chroot), as CI does" >&2; exit 1; }
binary=$(realpath "$binary")
[ -x "$binary" ] || { echo "check-deploy: no tfdriftctl binary at $binary (swift build first)" >&2; exit 1; }

# --- tools: podman (Debian), kubernetes-validate + botocore (PyPI, pinned, in a virtualenv) ---
missing=()
command -v podman >/dev/null || missing+=(podman)
command -v systemd-analyze >/dev/null || missing+=(systemd)
[ -f /etc/ssl/certs/ca-certificates.crt ] || missing+=(ca-certificates)
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
/usr/bin/python3 -c 'import seccomp' 2>/dev/null || missing+=(python3-seccomp)   # check-filters.sh
command -v curl >/dev/null || missing+=(curl)
if ((${#missing[@]})); then
    echo "installing: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
venv=.build-tools/deploy-venv
requirements="kubernetes-validate==1.37.0 botocore==1.43.11 PyYAML==6.0.2"
if [ "$(cat "$venv/requirements" 2>/dev/null)" != "$requirements" ]; then
    echo "installing into $venv: $requirements"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet $requirements
    echo "$requirements" > "$venv/requirements"
fi
python="$repo/$venv/bin/python"
export PYTHONDONTWRITEBYTECODE=1   # no __pycache__ in deploy/checks

work=$(mktemp -d)
cleanup() {
    [ -n "${image_mounted:-}" ] && podman --root "$work/podman/storage" --runroot "$work/podman/run" image unmount "$image" >/dev/null 2>&1 || true
    [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
passed=0
failed=0
check() {  # check NAME COMMAND…: runs it, prints its output on failure
    local name=$1
    shift
    if "$@" > "$work/out" 2>&1; then
        passed=$((passed + 1))
        echo "ok    $name"
    else
        failed=$((failed + 1))
        echo "FAIL  $name"
        sed 's/^/      /' "$work/out"
    fi
}

# --- secrets: placeholders and references only ---
no_secret_values() {
    # Inline values of secret-looking keys: only ${ENV} references or *_file paths are allowed, and no
    # credential-shaped strings anywhere (AWS keys, bearer tokens, Grafana/Slack tokens, PEM keys).
    local found
    found=$(grep -rnE --exclude-dir=checks \
        -e '(token|password|secret|webhook_url)"?[[:space:]]*[:=][[:space:]]*"?[^"$[:space:]{][^[:space:]]*' \
        -e 'AKIA[0-9A-Z]{16}' -e 'Bearer [A-Za-z0-9._-]{8,}' -e 'glsa_[A-Za-z0-9]' -e 'hooks\.slack\.com/services/' \
        -e '-----BEGIN [A-Z ]*PRIVATE KEY-----' deploy |
        grep -vE '(token|password|secret|webhook_url)_file|secretKeyRef|valueFrom|secretsmanager|LoadCredential|--from-file=|\$\{|key: (tfdrift-token|loki-password)|^[^:]*:[0-9]+:[[:space:]]*(#|//)' || true)
    [ -z "$found" ] || { echo "$found"; return 1; }
}
check "secrets: nothing in deploy/ names a secret value" no_secret_values

# --- configs load; IAM policies in step ---
credentials="$work/credentials"
mkdir -p "$credentials"
for name in tfdrift-token loki-password slack-webhook; do echo "placeholder-$name" > "$credentials/$name"; done
# What the deployments provide: systemd's credential files, the Secret/Secrets Manager variables.
with_secrets() {
    CREDENTIALS_DIRECTORY="$credentials" TFDRIFT_TOKEN=placeholder LOKI_PASSWORD=placeholder \
        SLACK_WEBHOOK_URL=https://placeholder.invalid/hook "$@"
}
load_config() {  # a config loads when iam-policy (which loads it strictly) succeeds
    with_secrets "$binary" iam-policy --config "$1" --output json > /dev/null
}
policy_in_step() {  # policy_in_step CONFIG POLICY
    with_secrets "$binary" iam-policy --config "$1" --output json > "$work/policy.json"
    diff -u "$2" "$work/policy.json"
}
"$python" deploy/checks/render_kustomize.py deploy/kubernetes/base > "$work/base.yaml"
"$python" deploy/checks/render_kustomize.py deploy/kubernetes/overlays/org-trail > "$work/org-trail.yaml"
check "configs: deploy/ecs/tfdrift.yaml loads" load_config deploy/ecs/tfdrift.yaml
check "configs: deploy/systemd/tfdrift.yaml loads" load_config deploy/systemd/tfdrift.yaml
check "configs: deploy/kubernetes/base/tfdrift.yaml loads" load_config deploy/kubernetes/base/tfdrift.yaml
check "configs: deploy/kubernetes/overlays/org-trail/tfdrift.yaml loads" load_config deploy/kubernetes/overlays/org-trail/tfdrift.yaml
check "iam: deploy/ecs/task-role-policy.json = iam-policy --output json for deploy/ecs/tfdrift.yaml" \
    policy_in_step deploy/ecs/tfdrift.yaml deploy/ecs/task-role-policy.json
check "iam: org-trail iam-policy.json = iam-policy --output json for its tfdrift.yaml" \
    policy_in_step deploy/kubernetes/overlays/org-trail/tfdrift.yaml deploy/kubernetes/overlays/org-trail/iam-policy.json
plain_policy() {  # the task role's policy is a plain IAM policy document
    "$python" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert set(d)=={"Version","Statement"} and d["Statement"], d' "$1"
}
check "iam: task-role-policy.json is a plain policy document" plain_policy deploy/ecs/task-role-policy.json
check "iam: efs-client-policy.json is a plain policy document" plain_policy deploy/ecs/efs-client-policy.json

# --- ECS ---
check "ecs: task-definition.json (RegisterTaskDefinition shape, Fargate, tfdriftctl)" \
    "$python" deploy/checks/ecs_task_definition.py deploy/ecs/task-definition.json

# --- Kubernetes ---
for overlay in base org-trail; do
    for version in 1.29.0 1.37.0; do
        check "kubernetes: $overlay against the $version schemas (strict)" \
            "$repo/$venv/bin/kubernetes-validate" --strict --quiet -k "$version" "$work/$overlay.yaml"
    done
done
check "kubernetes: base meets tfdriftctl's expectations" "$python" deploy/checks/kubernetes_expectations.py "$work/base.yaml"
check "kubernetes: org-trail is SQS competing consumers with replicas > 1" \
    "$python" deploy/checks/kubernetes_expectations.py "$work/org-trail.yaml" --sqs --min-replicas 2
configmap_config_loads() {  # the config as the pod sees it (the ConfigMap's data) loads
    "$python" -c 'import sys,yaml; [sys.stdout.write(d["data"]["tfdrift.yaml"]) for d in yaml.safe_load_all(open(sys.argv[1])) if d["kind"]=="ConfigMap"]' "$1" > "$work/configmap.yaml"
    load_config "$work/configmap.yaml"
}
check "kubernetes: the org-trail ConfigMap's tfdrift.yaml loads" configmap_config_loads "$work/org-trail.yaml"
same_as_kubectl() {
    kubectl kustomize "deploy/kubernetes/$1" > "$work/kubectl.yaml"
    "$python" - "$work/kubectl.yaml" "$2" <<'PY'
import sys, yaml
key = lambda d: (d["kind"], d["metadata"]["name"])
theirs, ours = (sorted((d for d in yaml.safe_load_all(open(p)) if d), key=key) for p in sys.argv[1:])
sys.exit(0 if theirs == ours else f"render differs from kubectl kustomize: {[key(d) for d in ours if d not in theirs]}")
PY
}
if command -v kubectl >/dev/null; then
    check "kubernetes: base renders as kubectl kustomize does" same_as_kubectl base "$work/base.yaml"
    check "kubernetes: org-trail renders as kubectl kustomize does" same_as_kubectl overlays/org-trail "$work/org-trail.yaml"
fi

# --- systemd ---
# verify needs the unit's executables and the system's units; a root with both keeps it offline.
sdroot="$work/systemd-root"
mkdir -p "$sdroot/usr/local/bin" "$sdroot/bin" "$sdroot/etc/systemd/system" "$sdroot/usr/lib/systemd"
cp "$binary" "$sdroot/usr/local/bin/tfdriftctl"
cp /bin/kill "$sdroot/bin/kill"
cp -a /usr/lib/systemd/system "$sdroot/usr/lib/systemd/"
cp deploy/systemd/tfdriftctl.service "$sdroot/etc/systemd/system/"
systemd_verify() {
    systemd-analyze verify --root="$sdroot" tfdriftctl.service > "$work/verify" 2>&1 || { cat "$work/verify"; return 1; }
    # Unknown keys and bad values are only warnings there: none is allowed.
    [ ! -s "$work/verify" ] || { cat "$work/verify"; return 1; }
}
check "systemd: systemd-analyze verify tfdriftctl.service (no warnings)" systemd_verify
systemd_security() {
    systemd-analyze security --offline=yes --root="$sdroot" --threshold=20 tfdriftctl.service > "$work/security" 2>&1 ||
        { cat "$work/security"; return 1; }
    grep -o 'Overall exposure level for tfdriftctl.service: .*' "$work/security"
}
check "systemd: systemd-analyze security exposure ≤ 2.0" systemd_security
grep -o 'Overall exposure level for tfdriftctl.service: [0-9.]* [A-Z]*' "$work/security" | sed 's/^/      /' || true
check "systemd: the detector runs under the unit's seccomp filters (ingest, reload, drain)" \
    deploy/systemd/check-filters.sh "$binary"

# --- container image ---
image=localhost/tfdriftctl:check
podman_args=(--root "$work/podman/storage" --runroot "$work/podman/run")
check "image: podman build (from scratch, --network=none, --pull=never)" \
    deploy/container/build-image.sh --binary "$binary" --tag "$image" --root "$work/podman"
inspect_image() {
    podman "${podman_args[@]}" image inspect "$image" > "$work/inspect.json"
    "$python" - "$work/inspect.json" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))[0]["Config"]
expect = {
    "Entrypoint": ["/usr/local/bin/tfdriftctl", "run"],
    "Cmd": ["--config", "/etc/tfdriftctl/tfdrift.yaml"],
    "User": "65532:65532",
    "Volumes": {"/var/lib/tfdriftctl": {}},
    "ExposedPorts": {"8080/tcp": {}},
    "WorkingDir": "/var/lib/tfdriftctl",
    "StopSignal": "SIGTERM",
}
problems = [f"{k}: {config.get(k)!r}, expected {v!r}" for k, v in expect.items() if config.get(k) != v]
labels = config.get("Labels") or {}
for label in ("org.opencontainers.image.title", "org.opencontainers.image.version", "org.opencontainers.image.revision"):
    if not labels.get(label):
        problems.append(f"label {label} missing")
sys.exit("\n".join(problems) or None)
PY
}
check "image: inspect shows entrypoint tfdriftctl run, user 65532, volume, port 8080, labels" inspect_image
ecs_config_image() {
    podman "${podman_args[@]}" build --pull=never --network=none --build-arg BASE="$image" \
        -t localhost/tfdriftctl-config:check deploy/ecs > /dev/null
    podman "${podman_args[@]}" image inspect --format '{{json .Config.Entrypoint}} {{.Config.User}}' localhost/tfdriftctl-config:check
}
check "image: the ECS config image (deploy/ecs/Containerfile) builds on it, entrypoint and user kept" ecs_config_image

# The image's root filesystem, read-only, under chroot as the image's user: the runtime layer is complete.
if image_root=$(podman "${podman_args[@]}" image mount "$image" 2>"$work/mount.err"); then
    image_mounted=1
else
    image_root=""
    cat "$work/mount.err"
fi
volume="$work/volume"
config_dir="$work/etc-tfdriftctl"
mkdir -p "$volume" "$config_dir"
chown 65532:65532 "$volume"
chmod 0700 "$volume"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cp examples/quickstart/terraform.tfstate "$config_dir/"
cat > "$config_dir/tfdrift.yaml" <<YAML
providers:
  aws:
    state:
      local_path: /etc/tfdriftctl/terraform.tfstate
server:
  listen: "127.0.0.1:$port"
  token: "\${TFDRIFT_TOKEN}"
  journal_dir: /var/lib/tfdriftctl/journal
outputs:
  stdout: false
  file: {path: /var/lib/tfdriftctl/drift.log}
advanced:
  maintenance_windows:
    - {name: "Weekly Deployment", days: ["Sunday"], start_time: "02:00", end_time: "06:00", timezone: "Asia/Tokyo"}
YAML
in_image() {  # (in_image COMMAND…): read-only image root, volume and config bound in, uid 65532
    # exec all the way down (unshare, sh, env, chroot): in a subshell, its PID becomes the detector's.
    exec unshare --mount --propagation private -- sh -c '
        root=$1; volume=$2; config=$3; shift 3
        mount --bind "$root" "$root" && mount -o remount,bind,ro "$root" "$root"
        mount -t proc proc "$root/proc"
        if touch "$root/.write-probe" 2>/dev/null; then echo "the image root is writable"; exit 1; fi
        mount --bind "$volume" "$root/var/lib/tfdriftctl"
        mount --bind -o ro "$config" "$root/etc/tfdriftctl"
        exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin TFDRIFT_TOKEN="$TFDRIFT_TOKEN" chroot --userspec=65532:65532 "$root" "$@"
    ' sh "$image_root" "$volume" "$config_dir" "$@"
}
export TFDRIFT_TOKEN
TFDRIFT_TOKEN=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
image_version() {
    [ -n "$image_root" ] || return 1
    # What no run here exercises: TLS trust roots and the user's passwd entry.
    [ -s "$image_root/etc/ssl/certs/ca-certificates.crt" ] || { echo "no CA bundle in the image"; return 1; }
    grep -q '^tfdriftctl:x:65532:65532:' "$image_root/etc/passwd" || { echo "no passwd entry for 65532"; return 1; }
    (in_image /usr/local/bin/tfdriftctl version) > "$work/version"
    cat "$work/version"
    grep -q 'Terraform state format 4' "$work/version"
}
check "image: CA bundle and user present; tfdriftctl version runs in the image's root (read-only, uid 65532)" image_version
image_serves() {
    [ -n "$image_root" ] || return 1
    (in_image /usr/local/bin/tfdriftctl run --config /etc/tfdriftctl/tfdrift.yaml) > "$work/run.log" 2>&1 &
    server_pid=$!
    local ready=""
    for _ in $(seq 100); do
        curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && ready=1 && break
        sleep 0.2
    done
    [ -n "$ready" ] || { cat "$work/run.log"; return 1; }
    curl -fsS "http://127.0.0.1:$port/readyz"
    echo
    # A record arrives over HTTP (journalled, then a drift in the file sink): both land in the volume.
    # Saturday 18:00 UTC is Sunday 03:00 in Tokyo: inside the window only if the zone resolves in the image.
    local record='{"eventVersion":"1.08","eventTime":"2025-12-06T18:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"CreateVpc","awsRegion":"us-east-1","eventID":"6f1c2f4e-0b5e-4c1e-9f57-1d1c0e7a9b01","readOnly":false,"eventType":"AwsApiCall","recipientAccountId":"123456789012","userAgent":"aws-cli/2.15","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/alice","accountId":"123456789012","userName":"alice"},"responseElements":{"vpc":{"vpcId":"vpc-0check0deploy0001"}}}'
    curl -fsS -X POST -H "Authorization: Bearer $TFDRIFT_TOKEN" -H 'Content-Type: application/json' \
        --data "$record" "http://127.0.0.1:$port/api/v1/events"
    echo
    for _ in $(seq 50); do grep -q vpc-0check0deploy0001 "$volume/drift.log" 2>/dev/null && break; sleep 0.2; done
    kill -TERM "$server_pid"
    wait "$server_pid" || { echo "exit status $?"; cat "$work/run.log"; return 1; }
    server_pid=""
    cat "$work/run.log"
    [ -d "$volume/journal" ] || { echo "no journal in the volume"; ls -la "$volume"; return 1; }
    # The live picture (open drifts) is saved at shutdown beside the journal, inside the volume.
    find "$volume" -name 'live-picture*' | grep -q . || { echo "no live picture in the volume"; find "$volume"; return 1; }
    grep -q '"maintenance_window":"Weekly Deployment"' "$volume/drift.log" ||
        { echo "no drift in the volume's drift.log inside the Asia/Tokyo window"; cat "$volume/drift.log"; return 1; }
}
check "image: tfdriftctl run serves /healthz and /readyz there; journal, drift and live picture land in the volume" image_serves

echo "check-deploy: $passed checks passed, $failed failed"
((failed == 0))
