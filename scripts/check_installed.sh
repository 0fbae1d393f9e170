#!/usr/bin/env bash
# Use an installed MentorDesk command as a user would, on a new demo file: --version (from
# the package metadata, equal to pyproject.toml's), demo, export (CSV, iCalendar, a PDF
# report) and the real window under Xvfb until it shows and answers Ctrl+Q
# (scripts/smoke_window.py). Used for the wheel's venv and for the bundled app.
#
#   bash scripts/check_installed.sh APP WORKDIR
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
APP="$1"
WORK="$2"
PYTHON="${PYTHON:-python3}"
mkdir -p "$WORK"
step() { printf '\n== %s\n' "$*"; }
fail() { echo "check_installed: $*" >&2; exit 1; }
[ -x "$APP" ] || fail "$APP is not a program"
# Nothing may come from the source tree: run everything from the work folder.
cd "$WORK"

step "$APP --version"
WANT="$("$PYTHON" -c 'import tomllib,sys; print(tomllib.load(open(sys.argv[1],"rb"))["project"]["version"])' "$ROOT/pyproject.toml")"
GOT="$("$APP" --version)"
echo "$GOT"
[ "$GOT" = "MentorDesk $WANT" ] || fail "--version said '$GOT', pyproject.toml has $WANT"

step "mentordesk --db T demo --mentees 20 --sessions 50 (a new file: every migration runs)"
DEMO="$WORK/demo.sqlite3"
rm -f "$DEMO" "$DEMO"-*
"$APP" --db "$DEMO" demo --mentees 20 --sessions 50

step "mentordesk export (CSV, iCalendar, a PDF report)"
"$APP" --db "$DEMO" export "$WORK/mentees.csv"
"$APP" --db "$DEMO" export "$WORK/sessions.ics"
[ "$(wc -l <"$WORK/mentees.csv")" -ge 21 ] || fail "the CSV has fewer than 20 mentees"
grep -q "BEGIN:VEVENT" "$WORK/sessions.ics" || fail "the .ics has no events"
FIRST="$("$PYTHON" -c 'import csv,sys; print(next(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")))["name"])' "$WORK/mentees.csv")"
QT_QPA_PLATFORM=offscreen "$APP" --db "$DEMO" export --mentee "$FIRST" "$WORK/report.pdf"
head -c 5 "$WORK/report.pdf" | grep -q "%PDF-" || fail "report.pdf is not a PDF"

step "the real window under Xvfb (shows, answers Ctrl+Q, quits cleanly)"
xvfb-run -a -s "-screen 0 1280x1024x24" "$PYTHON" "$ROOT/scripts/smoke_window.py" \
  --db "$DEMO" --rows 20 --shots "$WORK/shots" -- "$APP"
