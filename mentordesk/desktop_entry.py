"""The freedesktop.org launcher entry: ``mentordesk --install-desktop-entry`` writes
``applications/mentordesk.desktop`` and the scalable icon into the user's XDG data folder
(``$XDG_DATA_HOME``, by default ``~/.local/share``), so MentorDesk appears in the desktop's
app launcher and docks group its windows under its icon; ``--uninstall-desktop-entry``
removes both. No Qt here: the command runs without a display.

The entry starts the very program that installed it (the pipx or venv script, or the
bundled binary), by absolute path, since ``~/.local/bin`` is often not on the desktop
session's PATH.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_path

from mentordesk import APP_ID
from mentordesk.errors import KnownError
from mentordesk.paths import resources_root

DESKTOP_FILE = f"{APP_ID}.desktop"
ICON_FILE = f"{APP_ID}.svg"


@dataclass(frozen=True)
class EntryPaths:
    desktop_file: Path
    icon_file: Path


def _data_home() -> Path:
    # platformdirs honours $XDG_DATA_HOME; without an app name this is the folder itself.
    return Path(user_data_path())


def entry_paths(data_home: Path | None = None) -> EntryPaths:
    home = data_home if data_home is not None else _data_home()
    return EntryPaths(
        desktop_file=home / "applications" / DESKTOP_FILE,
        icon_file=home / "icons" / "hicolor" / "scalable" / "apps" / ICON_FILE,
    )


def launcher_command() -> list[str]:
    """How to start this very installation: the bundled binary, the ``mentordesk`` script
    that is running, or else this interpreter with ``-m mentordesk`` (not a ``mentordesk``
    found on PATH, which may be another installation)."""
    if getattr(sys, "frozen", False):
        return [os.path.abspath(sys.executable)]
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script is not None and script.name == APP_ID and script.is_file():
        return [os.path.abspath(script)]  # not resolved: pipx's ~/.local/bin link stays
    return [os.path.abspath(sys.executable), "-m", APP_ID]


def _quote_exec_arg(arg: str) -> str:
    """Quote one argument of an Exec key (Desktop Entry Specification, "The Exec key")."""
    if arg and not any(c in arg for c in ' \t\n"\'\\><~|&;$*?#()`%='):
        return arg
    escaped = arg.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`").replace(
        "$", "\\$")
    # Inside a desktop file's string value, every backslash is escaped once more.
    return '"' + escaped.replace("\\", "\\\\").replace("%", "%%") + '"'


def render_entry(command: list[str]) -> str:
    """The shipped ``mentordesk.desktop`` with Exec and TryExec set to ``command``."""
    template = (resources_root() / DESKTOP_FILE).read_text(encoding="utf-8")
    lines = []
    for line in template.splitlines():
        if line.startswith("Exec="):
            line = "Exec=" + " ".join(_quote_exec_arg(a) for a in command)
        elif line.startswith("TryExec="):
            continue
        lines.append(line)
        if line.startswith("Exec="):
            # A launcher hides the entry once the program is gone (pipx uninstall).
            lines.append("TryExec=" + command[0].replace("\\", "\\\\"))
    return "\n".join(lines) + "\n"


def _refresh_caches(paths: EntryPaths) -> None:
    """Refresh the launchers' cache of entries, where the tool for it is installed (icons
    in a user's hicolor folder need no cache)."""
    exe = shutil.which("update-desktop-database")
    if exe is None:
        return
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run([exe, "-q", str(paths.desktop_file.parent)], check=False, timeout=30,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _require_freedesktop() -> None:
    if sys.platform == "darwin" or sys.platform.startswith("win"):
        raise KnownError(
            "Desktop entries are for Linux and other freedesktop.org desktops.",
            hint="On macOS and Windows use the bundled app (see docs/install.md).")


def install(data_home: Path | None = None, command: list[str] | None = None) -> EntryPaths:
    """Write the desktop file and the icon (replacing older ones); returns where."""
    _require_freedesktop()
    paths = entry_paths(data_home)
    entry = render_entry(command if command is not None else launcher_command())
    icon = (resources_root() / "icons" / "app.svg").read_bytes()
    try:
        for path, data in ((paths.desktop_file, entry.encode("utf-8")), (paths.icon_file, icon)):
            path.parent.mkdir(parents=True, exist_ok=True)
            part = path.with_name(path.name + ".part")
            part.write_bytes(data)
            part.chmod(0o644)
            os.replace(part, path)
    except OSError as exc:
        raise KnownError(f"Could not write the desktop entry: {exc}",
                         hint="Check that your data folder is writable.") from exc
    _refresh_caches(paths)
    return paths


def uninstall(data_home: Path | None = None) -> list[Path]:
    """Remove the desktop file and the icon; returns those that were there."""
    _require_freedesktop()
    paths = entry_paths(data_home)
    removed = []
    for path in (paths.desktop_file, paths.icon_file):
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise KnownError(f"Could not remove {path}: {exc}") from exc
        removed.append(path)
    if removed:
        _refresh_caches(paths)
    return removed
