"""Start an installed MentorDesk's real window on an X server and check it as a user would.

    xvfb-run -a -s "-screen 0 1280x1024x24" python3 scripts/smoke_window.py \\
        --db DEMO.sqlite3 [--shots DIR] -- /path/to/venv/bin/mentordesk

Only the standard library: it must not import MentorDesk from the source tree. It runs the
given command with ``--db DEMO`` on the xcb platform, in a throwaway HOME, with
``MENTORDESK_SMOKE`` set (mentordesk/ui/smoke.py): once the window is exposed, the first view
has loaded and the other views are built, the app writes a report. Then, from outside:

- the report has no logged error, the style sheet, the icon, the desktop file name, the rows
  of the demo file, and Google's Calendar discovery document;
- the X server has a viewable window of that process with WM_CLASS "mentordesk",
  "MentorDesk", an _NET_WM_ICON and _KDE_NET_WM_DESKTOP_FILE "mentordesk" (xprop, xwininfo);
- the window answers real input: Ctrl+Q typed through the X server (xdotool, XTEST) quits
  the app, which must exit with status 0 within the time limit.

Exits non-zero with the reason on any failure; prints one line per step with its time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHOW_TIMEOUT_S = 60.0
QUIT_TIMEOUT_S = 30.0


class SmokeFailed(Exception):
    pass


def _x(*args: str) -> str:
    tool = shutil.which(args[0])
    if tool is None:
        raise SmokeFailed(f"{args[0]} is missing (scripts/setup.sh --ci installs it)")
    result = subprocess.run([tool, *args[1:]], capture_output=True, text=True, timeout=30,
                            check=False)
    if result.returncode != 0:
        raise SmokeFailed(f"{' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def _windows_of(pid: int) -> list[str]:
    """Viewable top-level X windows whose _NET_WM_PID is ``pid``."""
    try:
        found = _x("xdotool", "search", "--onlyvisible", "--pid", str(pid)).split()
    except SmokeFailed:
        return []  # xdotool search exits 1 when nothing matches
    return found


def _check_report(report: dict[str, object], expect_rows: int | None) -> None:
    problems = []
    if report.get("errors"):
        problems.append(f"errors were logged: {report['errors']}")
    if report.get("platform") != "xcb":
        problems.append(f"Qt platform {report.get('platform')!r}, not xcb")
    for key in ("window_icon", "style_sheet", "calendar_discovery", "screenshot"):
        if not report.get(key):
            problems.append(f"{key} is missing")
    if report.get("desktop_file_name") != "mentordesk":
        problems.append(f"desktop file name {report.get('desktop_file_name')!r}")
    if not report.get("views"):
        problems.append("no views")
    rows = report.get("rows")
    if expect_rows is not None and rows != expect_rows:
        problems.append(f"{rows} mentees listed, expected {expect_rows}")
    if problems:
        raise SmokeFailed("; ".join(problems))


def _check_x_window(window: str, pid: int) -> dict[str, str]:
    props = _x("xprop", "-id", window, "-notype", "WM_CLASS", "_NET_WM_PID",
               "_KDE_NET_WM_DESKTOP_FILE", "WM_NAME")
    icon = _x("xprop", "-id", window, "-len", "64", "_NET_WM_ICON")
    info = _x("xwininfo", "-id", window)
    def first(pattern: str, text: str) -> str:
        match = re.search(pattern, text)
        return match.group(1) if match else ""

    found = {
        "WM_CLASS": first(r"WM_CLASS = (.*)", props),
        "_NET_WM_PID": first(r"_NET_WM_PID = (\d+)", props),
        "_KDE_NET_WM_DESKTOP_FILE": first(r"_KDE_NET_WM_DESKTOP_FILE = (.*)", props),
        "WM_NAME": first(r"WM_NAME = (.*)", props),
        "map_state": first(r"Map State: (\w+)", info),
        "size": "x".join(re.findall(r"(?:Width|Height): (\d+)", info)),
    }
    problems = []
    if found["WM_CLASS"] != '"mentordesk", "MentorDesk"':
        problems.append(f"WM_CLASS is {found['WM_CLASS']!r}")
    if found["_NET_WM_PID"] != str(pid):
        problems.append(f"_NET_WM_PID is {found['_NET_WM_PID']!r}, not {pid}")
    if found["_KDE_NET_WM_DESKTOP_FILE"] != '"mentordesk"':
        problems.append(f"desktop file property is {found['_KDE_NET_WM_DESKTOP_FILE']!r}")
    if "_NET_WM_ICON" not in icon or "not found" in icon:
        problems.append("the window has no _NET_WM_ICON")
    if found["map_state"] != "IsViewable":
        problems.append(f"map state {found['map_state']!r}")
    if problems:
        raise SmokeFailed("; ".join(problems))
    return found


def run(command: list[str], db: Path, shots: Path | None, expect_rows: int | None) -> None:
    if not os.environ.get("DISPLAY"):
        raise SmokeFailed("no X display: run this under xvfb-run")
    scratch = Path(tempfile.mkdtemp(prefix="mentordesk-smoke-"))
    report_file = scratch / "report.json"
    home = scratch / "home"
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", MENTORDESK_SMOKE=str(report_file),
               HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_DATA_HOME=str(home / ".local/share"),
               XDG_STATE_HOME=str(home / ".local/state"),
               XDG_CACHE_HOME=str(home / ".cache"),
               MENTORDESK_DATA_DIR=str(home / "data"), MENTORDESK_LOG_DIR=str(home / "log"))
    for name in ("MENTORDESK_DB", "PYTHONPATH", "PYTHONHOME", "MENTORDESK_STARTUP_PROBE"):
        env.pop(name, None)
    start = time.monotonic()
    # Not from the source tree: a working directory that has no mentordesk package in it.
    proc = subprocess.Popen([*command, "--db", str(db)], env=env, cwd=scratch,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        while not report_file.exists():
            if proc.poll() is not None:
                raise SmokeFailed(f"the app exited with status {proc.returncode} before its "
                                  f"window was ready:\n{proc.stdout.read() if proc.stdout else ''}")
            if time.monotonic() - start > SHOW_TIMEOUT_S:
                raise SmokeFailed(f"no ready window within {SHOW_TIMEOUT_S:.0f} s")
            time.sleep(0.05)
        shown = time.monotonic() - start
        report = json.loads(report_file.read_text(encoding="utf-8"))
        if report.get("errors"):
            raise SmokeFailed(f"errors were logged: {report['errors']}")
        print(f"smoke: window ready after {shown:.2f} s: {report['title']!r}, "
              f"{report['rows']} mentees, views {report['views']}, version {report['version']}"
              f"{', frozen' if report.get('frozen') else ''}", flush=True)
        _check_report(report, expect_rows)
        windows = _windows_of(proc.pid)
        if not windows:
            raise SmokeFailed("the X server shows no window of the app")
        checked = _check_x_window(windows[0], proc.pid)
        print(f"smoke: X window {windows[0]} {checked['size']}, {checked['map_state']}, "
              f"WM_CLASS {checked['WM_CLASS']}, icon set, desktop file "
              f"{checked['_KDE_NET_WM_DESKTOP_FILE']}", flush=True)
        if shots is not None and report.get("screenshot"):
            shots.mkdir(parents=True, exist_ok=True)
            shutil.copy(str(report["screenshot"]), shots / f"window-{proc.pid}.png")
        # Real input through the X server: focus the window and type Ctrl+Q.
        asked = time.monotonic()
        _x("xdotool", "windowfocus", "--sync", windows[0])
        _x("xdotool", "key", "--clearmodifiers", "ctrl+q")
        try:
            code = proc.wait(timeout=QUIT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise SmokeFailed(f"Ctrl+Q did not quit the app within {QUIT_TIMEOUT_S:.0f} s") \
                from None
        if code != 0:
            out = proc.stdout.read() if proc.stdout else ""
            raise SmokeFailed(f"the app quit with status {code}:\n{out}")
        print(f"smoke: Ctrl+Q quit the app cleanly in {time.monotonic() - asked:.2f} s",
              flush=True)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        shutil.rmtree(scratch, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="the demo database to open")
    parser.add_argument("--rows", type=int, default=None,
                        help="how many mentees the first view must list")
    parser.add_argument("--shots", type=Path, default=None,
                        help="keep the app's screenshot of its window in this folder")
    parser.add_argument("command", nargs="+", help="the mentordesk command to start")
    args = parser.parse_args()
    try:
        run(args.command, args.db.resolve(), args.shots, args.rows)
    except SmokeFailed as exc:
        print(f"smoke: FAILED: {exc}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
