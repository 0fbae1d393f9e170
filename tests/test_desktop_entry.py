"""Shipping as a desktop app: the package's resources and version, the freedesktop desktop
entry (checked with desktop-file-validate), the About dialog and the platform fallbacks."""

from __future__ import annotations

import fnmatch
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from mentordesk import APP_ID, desktop_entry, version
from mentordesk.cli import main
from mentordesk.paths import resources_root

ROOT = Path(__file__).resolve().parent.parent


def _validator() -> str:
    found = shutil.which("desktop-file-validate")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("desktop-file-validate is missing: scripts/setup.sh --ci installs "
                        "desktop-file-utils")
        pytest.skip("desktop-file-validate is not installed (apt-get install desktop-file-utils)")
    return found


def _validate(path: Path) -> None:
    result = subprocess.run([_validator(), str(path)], capture_output=True, text=True,
                            timeout=60, check=False)
    # It prints hints and warnings as well as errors; any output is a finding.
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def _keys(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line)


def test_the_version_is_the_package_metadata_and_pyproject() -> None:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        declared = tomllib.load(fh)["project"]["version"]
    assert version() == importlib.metadata.version("mentordesk") == declared
    import mentordesk

    assert mentordesk.__version__ == declared


def test_every_resource_file_is_declared_for_the_wheel() -> None:
    """package-data must match every file in resources/, or the wheel misses it (an editable
    install would not notice); scripts/check_wheel.sh checks the built wheel itself."""
    with open(ROOT / "pyproject.toml", "rb") as fh:
        globs = tomllib.load(fh)["tool"]["setuptools"]["package-data"]["mentordesk.resources"]
    source = ROOT / "resources"
    files = [p.relative_to(source).as_posix() for p in source.rglob("*")
             if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".py"]
    assert files
    missing = [f for f in files if not any(fnmatch.fnmatchcase(f, g) for g in globs)]
    assert missing == []
    # The app reads them through the package, wherever it is installed.
    assert (resources_root() / "styles" / "app.qss").is_file()
    assert (resources_root() / "icons" / "app.svg").is_file()


def test_the_shipped_desktop_file_is_valid() -> None:
    shipped = resources_root() / "mentordesk.desktop"
    _validate(shipped)
    keys = _keys(shipped)
    assert keys["Icon"] == APP_ID and keys["StartupWMClass"] == APP_ID
    # Docks match windows to the entry by WM_CLASS and the app id: both are "mentordesk".
    from mentordesk.ui.app import create_application

    assert create_application().desktopFileName() == APP_ID


def test_install_writes_a_valid_entry_and_icon_and_uninstall_removes_them(
        tmp_path: Path) -> None:
    home = tmp_path / "share"
    # A path with a space, a quote and a percent sign: Exec needs quoting and escaping.
    command = [str(tmp_path / "Mentor Desk \"x\" 100%" / "mentordesk")]
    paths = desktop_entry.install(home, command)
    assert paths.desktop_file == home / "applications" / "mentordesk.desktop"
    assert paths.icon_file == home / "icons/hicolor/scalable/apps/mentordesk.svg"
    _validate(paths.desktop_file)
    assert paths.icon_file.read_bytes() == (resources_root() / "icons/app.svg").read_bytes()
    keys = _keys(paths.desktop_file)
    assert keys["Exec"] == '"' + command[0].replace('"', '\\\\"').replace("%", "%%") + '"'
    assert keys["TryExec"] == command[0]
    assert oct(paths.desktop_file.stat().st_mode & 0o777) == oct(0o644)
    # Installing again replaces it; uninstalling removes both, and a second time nothing.
    assert desktop_entry.install(home, ["/opt/mentordesk/mentordesk"]) == paths
    assert _keys(paths.desktop_file)["Exec"] == "/opt/mentordesk/mentordesk"
    assert desktop_entry.uninstall(home) == [paths.desktop_file, paths.icon_file]
    assert not paths.desktop_file.exists() and not paths.icon_file.exists()
    assert desktop_entry.uninstall(home) == []


def test_the_command_line_uses_xdg_data_home(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert main(["--install-desktop-entry"]) == 0
    entry = tmp_path / "xdg/applications/mentordesk.desktop"
    assert str(entry) in capsys.readouterr().out
    _validate(entry)
    # The entry starts this very installation, by absolute path.
    exec_path = _keys(entry)["Exec"].split(" ")[0]
    assert os.path.isabs(exec_path) and os.access(exec_path, os.X_OK)
    assert main(["--uninstall-desktop-entry"]) == 0
    assert not entry.exists()
    capsys.readouterr()
    assert main(["--uninstall-desktop-entry"]) == 0
    assert "No desktop entry" in capsys.readouterr().out
    assert main(["--install-desktop-entry", "demo"]) == 1  # not with a command


def test_the_entry_starts_this_installation(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    script = tmp_path / "bin" / "mentordesk"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n")
    monkeypatch.setattr(sys, "argv", [str(script)])
    assert desktop_entry.launcher_command() == [str(script)]
    # python -m mentordesk: this interpreter, not whatever mentordesk is on PATH.
    monkeypatch.setattr(sys, "argv", [str(tmp_path / "mentordesk" / "__main__.py")])
    command = desktop_entry.launcher_command()
    assert command == [os.path.abspath(sys.executable), "-m", "mentordesk"]
    paths = desktop_entry.install(tmp_path / "share", command)
    _validate(paths.desktop_file)
    # The bundle: the frozen executable itself.
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/MentorDesk/mentordesk")
    assert desktop_entry.launcher_command() == ["/opt/MentorDesk/mentordesk"]


def test_the_entry_is_refused_off_freedesktop(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from mentordesk.errors import KnownError

    monkeypatch.setattr(sys, "platform", "win32")
    with pytest.raises(KnownError, match="freedesktop"):
        desktop_entry.install(tmp_path)
    assert not (tmp_path / "applications").exists()


def test_start_up_timing_works_without_the_resource_module(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from mentordesk.ui.startup import probe as startup_probe

    assert startup_probe._peak_rss_kib()[0] > 0
    monkeypatch.setitem(sys.modules, "resource", None)  # as on Windows
    assert startup_probe._peak_rss_kib() == (0.0, 0.0)


def test_about_shows_version_and_folders_and_opens_them(qtbot, tmp_path: Path) -> None:
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QGuiApplication

    from mentordesk.ui.about import AboutDialog
    from mentordesk.ui.app import create_application

    create_application()
    data, logs = tmp_path / "data", tmp_path / "no-logs-yet"
    data.mkdir()
    db_path = tmp_path / "db" / "mentordesk.sqlite3"
    db_path.parent.mkdir()
    opened: list[QUrl] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url)
        return True

    dialog = AboutDialog(db_path, data_folder=data, log_folder=logs, open_url=open_url)
    qtbot.addWidget(dialog)
    texts = {key: label.text() for key, label in dialog.values.items()}
    assert texts == {"version": version(), "database": str(db_path), "data": str(data),
                     "log": str(logs)}
    dialog.buttons["database"].click()
    dialog.buttons["data"].click()
    assert [u.toLocalFile() for u in opened] == [str(db_path.parent), str(data)]
    assert not dialog.buttons["log"].isEnabled()  # no folder yet: nothing to open
    dialog.copy_details()
    copied = QGuiApplication.clipboard().text()
    assert version() in copied and str(db_path) in copied and str(logs) in copied


def test_help_about_opens_the_dialog_for_the_open_database(
        db, start_app, monkeypatch: pytest.MonkeyPatch) -> None:
    from mentordesk.ui import about

    window = start_app(db.path).window
    shown: list[str] = []

    def exec_(self: about.AboutDialog) -> int:
        shown.append(self.values["database"].text())
        return 0

    monkeypatch.setattr(about.AboutDialog, "exec", exec_)
    action = next(a for a in window.menu("&Help").actions() if "About" in a.text())
    action.trigger()
    assert shown == [str(db.path)]
