#!/usr/bin/env bash
# Builds tfdriftctl's container image with podman, from scratch: nothing is pulled.
#   deploy/container/build-image.sh [--binary PATH] [--tag NAME:TAG] [--root DIR]
# Without --binary it builds the release binary with the static Swift standard library; either is stripped.
# --binary takes any tfdriftctl build (scripts/check-deploy.sh passes the test run's debug binary):
# the runtime layer is whatever `ldd` says that binary loads, so a dynamically linked build gets
# its Swift runtime libraries too. --root keeps podman's storage in DIR (default: the system's).
#
# What works on the project's machines (Debian 12 podman 4.3, as root): rootful podman with its
# default overlay storage (vfs works too, slower); `--network=none` and `--pull=never` because the
# build needs neither. The Containerfile has no RUN step: a RUN would need `--isolation=chroot`
# (crun fails here: "cgroups in hybrid mode not supported"), and chroot isolation refuses
# `--network=none`. Containers cannot be started here at all (crun: "setrlimit RLIMIT_NOFILE:
# Operation not permitted"), so the image is checked by inspection and by running its root
# filesystem under chroot (scripts/check-deploy.sh), never as a container.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
binary=""
tag="localhost/tfdriftctl:$(sed -n 's/.*static let version = "\(.*\)"/\1/p' "$repo/Sources/tfdriftctl/BuildInfo.swift")"
root=""
while (($#)); do
    case $1 in
        --binary) binary=$2; shift 2 ;;
        --tag) tag=$2; shift 2 ;;
        --root) root=$2; shift 2 ;;
        *) echo "usage: $0 [--binary PATH] [--tag NAME:TAG] [--root DIR]" >&2; exit 2 ;;
    esac
done
podman=(podman)
[ -n "$root" ] && podman+=(--root "$root/storage" --runroot "$root/run")

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
if [ -z "$binary" ]; then
    (cd "$repo" && swift build -c release --static-swift-stdlib --product tfdriftctl)
    binary="$repo/.build/release/tfdriftctl"
fi
cp "$binary" "$context/tfdriftctl"
strip "$context/tfdriftctl"   # the release binary: 176 MB → 87 MB
cp "$here/Containerfile" "$context/"
rootfs="$context/rootfs"
# /proc is where runtimes mount procfs (the Swift runtime reads its arguments from /proc/self/cmdline);
# it exists so that the chroot check can mount it too.
mkdir -p "$rootfs/etc/tfdriftctl" "$rootfs/etc/ssl/certs" "$rootfs/proc" "$context/volume"

# Every shared object the binary loads, at the path the loader finds it, symlinks resolved.
# libgcc_s is dlopen()ed by glibc for thread cancellation and unwinding, so ldd may not list it.
libraries=$(ldd "$context/tfdriftctl" | awk '/=> \// {print $3} /^[ \t]*\/.*ld-linux/ {print $1}')
libgcc=$(ldconfig -p | awk '/libgcc_s.so.1 .*x86-64/ {print $NF; exit}')
for library in $libraries $libgcc; do
    mkdir -p "$rootfs$(dirname "$library")"
    cp -L "$library" "$rootfs$library"
done
# TLS to Loki, S3, SQS, STS, Slack: swift-nio-ssl reads Debian's bundle path.
cp -L /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/"
# No tzdata: maintenance windows' IANA zones (Asia/Tokyo …) resolve through ICU's zone data, which is
# compiled into the binary (strace: it probes /usr/share/icu for overrides and never opens
# /usr/share/zoneinfo); the check-deploy run proves a Tokyo window matches inside the image.
# The non-root user (numeric in the image; named so getpwuid and logs have a name) and name lookup.
printf 'root:x:0:0:root:/nonexistent:/nonexistent\ntfdriftctl:x:65532:65532:tfdriftctl:/var/lib/tfdriftctl:/nonexistent\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\ntfdriftctl:x:65532:\n' > "$rootfs/etc/group"
printf 'hosts: files dns\n' > "$rootfs/etc/nsswitch.conf"

revision=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
"${podman[@]}" build --pull=never --network=none \
    --build-arg VERSION="${tag##*:}" --build-arg REVISION="$revision" \
    -t "$tag" -f "$context/Containerfile" "$context"
echo "built $tag ($(du -sh "$context/tfdriftctl" | cut -f1) binary, runtime layer $(du -sh "$rootfs" | cut -f1))"
