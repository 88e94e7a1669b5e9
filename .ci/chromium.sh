#!/usr/bin/env bash
# Installs Debian's Chromium for the report tests (headless, no sandbox): root or sudo.
set -euo pipefail
run() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
export DEBIAN_FRONTEND=noninteractive
run apt-get install -y -q chromium >/dev/null || { run apt-get update -q >/dev/null && run apt-get install -y -q chromium >/dev/null; }
command -v chromium
