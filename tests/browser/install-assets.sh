#!/usr/bin/env bash
# Front-end assets for the real-browser tests, from the npm registry (no CDN access needed).
#
# folium pages load Leaflet, jQuery, Bootstrap and Font Awesome from public CDNs; the tests
# answer those URLs with these copies (see tests/browser/conftest.py, CDN_ASSETS).
# Idempotent and quiet: does nothing when the pinned versions are already installed.
set -euo pipefail
cd "$(dirname "$0")"
PREFIX=assets
PACKAGES=(
  leaflet@1.9.3
  jquery@3.7.1
  bootstrap@5.2.2
  leaflet.markercluster@1.1.0
  @fortawesome/fontawesome-free@6.2.0
)
STAMP="$PREFIX/.installed"
WANT="${PACKAGES[*]}"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "install-assets: npm not found; the browser tests will be skipped" >&2
  exit 0
fi
mkdir -p "$PREFIX"
npm install --prefix "$PREFIX" --no-save --no-audit --no-fund --loglevel=error --ignore-scripts "${PACKAGES[@]}" >/dev/null
echo "$WANT" > "$STAMP"
