#!/usr/bin/env bash
# The one-folder MentorDesk app for people without Python, made with PyInstaller from the
# wheel (so it holds exactly what the wheel ships), in a throwaway venv under /tmp:
#
#   bash scripts/build_bundle.sh [WHEEL] [OUTDIR]
#
# WHEEL defaults to a wheel built here with `python -m build`; OUTDIR (default
# /tmp/mentordesk-bundle/dist) receives mentordesk/, whose mentordesk binary is the app
# (and the same command line). The bundle is for the OS and CPU it is built on.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
WORK="${BUNDLE_WORK:-/tmp/mentordesk-bundle}"
WHEEL="${1:-}"
OUT="${2:-$WORK/dist}"
PYTHON="${PYTHON:-python3}"
mkdir -p "$WORK"
if [ -z "$WHEEL" ]; then
  rm -rf "$WORK/wheel"
  if [ -x .venv/bin/python ] && .venv/bin/python -c 'import build' 2>/dev/null; then
    .venv/bin/python -m build --wheel --outdir "$WORK/wheel" . >"$WORK/wheel.log" 2>&1 \
      || { tail -20 "$WORK/wheel.log" >&2; exit 1; }
  else
    "$PYTHON" -m pip wheel --no-deps -q -w "$WORK/wheel" . 
  fi
  WHEEL="$(ls "$WORK"/wheel/mentordesk-*.whl)"
fi
WHEEL="$(cd "$(dirname "$WHEEL")" && pwd)/$(basename "$WHEEL")"

VENV="$WORK/venv"
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
# The wheel with its `bundle` extra (PyInstaller), not editable: the bundle must not see
# the source tree.
"$VENV/bin/python" -m pip install -q --disable-pip-version-check "${WHEEL}[bundle]" 2>&1 \
  | grep -v "^WARNING: Location" || true
"$VENV/bin/python" -c "import mentordesk, PyInstaller" || {
  echo "The bundle's build venv is incomplete; see the messages above." >&2
  exit 1
}

rm -rf "$OUT/mentordesk"
# Run from the work folder so that nothing of the source tree can be picked up.
(cd "$WORK" && "$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
   --distpath "$OUT" --workpath "$WORK/build" "$ROOT/packaging/mentordesk.spec")

APP="$OUT/mentordesk/mentordesk"
[ -x "$APP" ] || { echo "PyInstaller made no $APP" >&2; exit 1; }
# What must be inside: the discovery document, the Qt platform and SVG plugins, resources.
INTERNAL="$OUT/mentordesk/_internal"
for need in googleapiclient/discovery_cache/documents/calendar.v3.json \
            mentordesk/resources/styles/app.qss mentordesk/resources/icons/app.svg \
            mentordesk/resources/mentordesk.desktop mentordesk/resources/translations/mentordesk_en.qm \
            mentordesk/storage/migrations/env.py; do
  [ -f "$INTERNAL/$need" ] || { echo "missing from the bundle: $need" >&2; exit 1; }
done
for plugin in platforms/libqxcb.so platforms/libqoffscreen.so iconengines/libqsvgicon.so \
              imageformats/libqsvg.so; do
  find "$INTERNAL" -path "*/plugins/$plugin" | grep -q . \
    || { echo "missing Qt plugin in the bundle: $plugin" >&2; exit 1; }
done
echo "Bundle: $OUT/mentordesk ($(du -sh "$OUT/mentordesk" | cut -f1)); run $APP"
