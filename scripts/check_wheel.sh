#!/usr/bin/env bash
# Test MentorDesk as users install it: build the sdist and the wheel (python -m build builds
# the wheel from the sdist, so both must be complete), check that the wheel carries every
# file of resources/, install it into a fresh venv (not editable) and from there run
# --version, demo, export and the real window under Xvfb (scripts/smoke_window.py); then
# `pipx install` a copy of the checkout and install its desktop entry.
#
#   bash scripts/check_wheel.sh [WORKDIR]     # default: a new folder under /tmp
#
# Leaves WORKDIR/dist/*.whl for scripts/build_bundle.sh and WORKDIR/demo.sqlite3.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
WORK="${1:-$(mktemp -d /tmp/mentordesk-wheel.XXXXXX)}"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
PYTHON="${PYTHON:-python3}"
step() { printf '\n== %s\n' "$*"; }
fail() { echo "check_wheel: $*" >&2; exit 1; }

step "python -m build (sdist, then the wheel from the sdist)"
rm -rf "$WORK/dist"
.venv/bin/python -m build --outdir "$WORK/dist" . >"$WORK/build.log" 2>&1 \
  || { tail -30 "$WORK/build.log" >&2; fail "the build failed"; }
WHEEL="$(ls "$WORK"/dist/mentordesk-*.whl)"
SDIST="$(ls "$WORK"/dist/mentordesk-*.tar.gz)"
ls -l "$WORK/dist"

step "the wheel and the sdist carry every file of mentordesk/ and resources/"
.venv/bin/python - "$WHEEL" "$SDIST" <<'PY'
import sys, tarfile, zipfile
from pathlib import Path

wheel = set(zipfile.ZipFile(sys.argv[1]).namelist())
sdist = {n.split("/", 1)[1] for n in tarfile.open(sys.argv[2]).getnames() if "/" in n}
# Every file of the package and of resources/: modules, migrations, templates, icons.
need = [p for top in ("resources", "mentordesk") for p in Path(top).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"]
missing = []
for p in need:
    in_wheel = p.as_posix().replace("resources/", "mentordesk/resources/", 1) \
        if p.parts[0] == "resources" else p.as_posix()
    if in_wheel not in wheel:
        missing.append(f"wheel: {in_wheel}")
    if p.as_posix() not in sdist:
        missing.append(f"sdist: {p.as_posix()}")
if missing:
    sys.exit("missing from the distributions:\n  " + "\n  ".join(missing))
print(f"all {len(need)} files of mentordesk/ and resources/ are in both")
PY

step "install the wheel into a fresh venv"
VENV="$WORK/venv"
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check "$WHEEL" 2>&1 \
  | grep -v "^WARNING: Location" || true
APP="$VENV/bin/mentordesk"
[ -x "$APP" ] || fail "the wheel installed no mentordesk command"
# From here on, nothing may come from the source tree.
cd "$WORK"
"$VENV/bin/python" - "$VENV" <<'PY'
import sys
from pathlib import Path

import mentordesk
from mentordesk.paths import resources_root

venv = Path(sys.argv[1]).resolve()
for found in (Path(mentordesk.__file__), resources_root()):
    if venv not in found.resolve().parents:
        sys.exit(f"{found} is not inside the venv {venv}")
print(f"mentordesk {mentordesk.version()} from {Path(mentordesk.__file__).parent}")
PY

bash "$ROOT/scripts/check_installed.sh" "$APP" "$WORK"

step "pipx install (a copy of the checkout) and its desktop entry"
SRC="$WORK/src"
rm -rf "$SRC" "$WORK/pipx"
mkdir -p "$SRC"
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard \
   | xargs -0 cp --parents -t "$SRC" 2>/dev/null || true)
"$PYTHON" -m venv "$WORK/pipx/tool"
"$WORK/pipx/tool/bin/python" -m pip install -q --disable-pip-version-check pipx 2>&1 \
  | grep -v "^WARNING: Location" || true
export PIPX_HOME="$WORK/pipx/home" PIPX_BIN_DIR="$WORK/pipx/bin" PIPX_MAN_DIR="$WORK/pipx/man"
"$WORK/pipx/tool/bin/pipx" install --python "$PYTHON" "$SRC" >"$WORK/pipx.log" 2>&1 \
  || { tail -20 "$WORK/pipx.log" >&2; fail "pipx install failed"; }
"$PIPX_BIN_DIR/mentordesk" --version
XDG_DATA_HOME="$WORK/pipx/share" "$PIPX_BIN_DIR/mentordesk" --install-desktop-entry
ENTRY="$WORK/pipx/share/applications/mentordesk.desktop"
desktop-file-validate "$ENTRY"
grep -qx "Exec=$PIPX_BIN_DIR/mentordesk" "$ENTRY" \
  || fail "the entry does not start the pipx install: $(grep ^Exec= "$ENTRY")"
XDG_DATA_HOME="$WORK/pipx/share" "$PIPX_BIN_DIR/mentordesk" --uninstall-desktop-entry
echo "check_wheel: all good ($WHEEL)"
