#!/usr/bin/env bash
# Installs the Debian packages the portal needs when they are missing (README, « Deux commandes »).
#   scripts/system_packages.sh run    WeasyPrint's libraries and fonts (PDF)
#   scripts/system_packages.sh test   the same, plus Chromium and poppler-utils for the tests
#   scripts/system_packages.sh bench  the same as run, plus wrk for bench/national.py (make bench)
# As root: apt-get. Otherwise `sudo -n apt-get` when sudo needs no password. Otherwise it stops
# and prints the one command to run. Nothing is downloaded outside the package manager.
set -euo pipefail

packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-inter fonts-dejavu-core)
case "${1:-run}" in
  venv) packages=(python3-venv) ;;  # Debian's Python needs it for `python3 -m venv` (ensurepip)
  run) ;;
  test) packages+=(chromium poppler-utils) ;;
  bench) packages+=(wrk) ;;
  *) echo "Usage : $0 venv|run|test|bench" >&2; exit 2 ;;
esac

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "Paquets système manquants : ${missing[*]} (installez-les avec le gestionnaire de paquets de ce système)." >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  apt=(apt-get)
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  apt=(sudo -n apt-get)
else
  echo "Paquets système manquants : ${missing[*]}" >&2
  echo "Installez-les avec :  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installation des paquets Debian manquants : ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${apt[@]}" update -qq
"${apt[@]}" install -y -qq "${missing[@]}" >/dev/null
