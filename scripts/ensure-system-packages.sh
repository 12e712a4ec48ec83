#!/usr/bin/env bash
# The Debian packages that the tests and `h4s serve` need (pip and npm cannot bring them):
#   chromium, fonts-dejavu-core   browser tests (Playwright cannot download its own browser here)
#   bubblewrap                    the sandbox in which `h4s serve` runs learners' code
#   postgresql                    the records suite runs on PostgreSQL too (tests/_postgres.py starts its own cluster)
# Installs only what is missing; exits 0 at once when everything is there.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium fonts-dejavu-core)
[ -x /usr/bin/bwrap ] || need+=(bubblewrap)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
if ! command -v apt-get >/dev/null; then
  echo "error: missing ${need[*]} and no apt-get here: install them with your system's package manager" >&2
  exit 1
fi
echo "Installing Debian packages: ${need[*]} ..."
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need[@]}"
