#!/usr/bin/env bash
# Installs the system packages tfdriftctl needs to build (and its tests need to run) on Debian.
set -euo pipefail
missing=()
[ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)   # gunzip of CloudTrail .json.gz
if ((${#missing[@]})); then
    echo "installing: ${missing[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
