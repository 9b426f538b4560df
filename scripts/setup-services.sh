#!/usr/bin/env bash
# Installs, from Debian's packages, what the browser and team-scale tests need: Chromium,
# Redis and PostgreSQL. The servers are bound to 127.0.0.1 only. Safe to run twice.
set -euo pipefail
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v redis-server >/dev/null || need+=(redis-server)
[ -d /usr/lib/postgresql ] || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
echo "services: chromium $(chromium --version 2>/dev/null | awk '{print $2}'), redis $(redis-server --version | awk '{print $3}'), postgresql $(ls /usr/lib/postgresql)"
