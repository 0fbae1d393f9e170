#!/usr/bin/env bash
# Install (if needed) and run the whole test suite on a machine without a display:
# everything offscreen, then the real Secret Service keyring tests inside a private D-Bus
# session with an unlocked gnome-keyring and a throwaway HOME.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --ci
export QT_QPA_PLATFORM=offscreen
# The team tests need a real PostgreSQL (installed by setup.sh --ci): fail, never skip, here.
MENTORDESK_REQUIRE_POSTGRES=1 .venv/bin/python -m pytest -q -m "not keyring" "$@"
KEYRING_HOME="$(mktemp -d)"
trap 'rm -rf "$KEYRING_HOME"' EXIT
# MENTORDESK_REQUIRE_KEYRING makes the keyring tests fail, not skip, if the daemon is absent.
HOME="$KEYRING_HOME" MENTORDESK_REQUIRE_KEYRING=1 dbus-run-session -- sh -c \
  'printf test | gnome-keyring-daemon --unlock --components=secrets >/dev/null &&
   .venv/bin/python -m pytest -q -m keyring -p no:cacheprovider'
