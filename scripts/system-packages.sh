#!/usr/bin/env bash
# Installs the Debian packages OneWindow's tests and documents need, only those missing:
# Chromium for the browser tests, Noto CJK fonts for Chinese pages and PDFs, poppler-utils
# (pdftotext) to read PDFs back in tests, and Pango for WeasyPrint.
set -euo pipefail

packages=(chromium fonts-noto-cjk poppler-utils libpango-1.0-0 libpangoft2-1.0-0)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "Need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
