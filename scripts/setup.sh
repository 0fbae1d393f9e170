#!/usr/bin/env bash
# Install everything MentorDesk needs on a fresh Linux machine, idempotently:
# the system libraries Qt loads (installed with apt-get when missing), then a venv in .venv.
#
#   bash scripts/setup.sh            # app + tests
#   bash scripts/setup.sh --ci       # also gnome-keyring/dbus for the real-keyring test, and
#                                    # Xvfb, xdotool, xprop and desktop-file-validate for the
#                                    # installed-app checks (scripts/check_wheel.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_KEYRING=0
for arg in "$@"; do
  case "$arg" in
    --ci|--keyring) WITH_KEYRING=1 ;;
  esac
done

# Qt needs these even offscreen; the xcb ones are for a real X11/XWayland window.
PACKAGES=(libegl1 libgl1 libxkbcommon0 libfontconfig1 libfreetype6 libdbus-1-3 libglib2.0-0
          libx11-6 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
          libxcb-render-util0 libxcb-render0 libxcb-shape0 libxcb-util1 libxcb-xkb1
          libxcb-xinerama0 libxcb-randr0 libxkbcommon-x11-0 fonts-dejavu-core)
if [ "$WITH_KEYRING" = 1 ]; then
  PACKAGES+=(gnome-keyring dbus dbus-x11)
  # xauth is only a Recommends of xvfb; x11-utils has xprop and xwininfo.
  PACKAGES+=(xvfb xauth xdotool x11-utils desktop-file-utils)
  # PostgreSQL for the team-mode tests (they start their own throwaway cluster:
  # tests/support/pg_cluster.py).
  PACKAGES+=(postgresql)
fi

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "MentorDesk needs these system packages: ${missing[*]}" >&2
    echo "Install them as root (apt-get install ${missing[*]}) and run this again." >&2
    exit 1
  fi
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "MentorDesk needs Python 3.11 or newer; $("$PYTHON" --version) was found." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv || {
    echo "Could not create a virtual environment: install python3-venv and run this again." >&2
    exit 1
  }
fi
# Reinstall only when the dependency list changed since the last run (the stamp is its hash).
STAMP=.venv/.mentordesk-installed
WANT="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip 2>&1 \
    | grep -v "^WARNING: Location" || true
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]' 2>&1 \
    | grep -v "^WARNING: Location" || true
  .venv/bin/python -c "import mentordesk, PySide6.QtWidgets" || {
    echo "The install did not complete; see the messages above." >&2
    exit 1
  }
  echo "$WANT" > "$STAMP"
  echo "MentorDesk is installed in .venv"
fi
