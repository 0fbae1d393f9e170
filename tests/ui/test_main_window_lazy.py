"""The lazy start-up path: the window shell paints first, the current view is built after
the paint, the others later (with the same menus as an eagerly built window), and the
mentee list loads without SQLAlchemy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QThreadPool
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from mentordesk.services.mentees import MenteeInput, MenteeService
from mentordesk.storage.database import Database, open_database
from mentordesk.ui.app import build_context, create_application
from mentordesk.ui.main_window import DEFAULT_VIEWS, MainWindow, default_view_factories
from mentordesk.ui.mentees.view import MenteesView
from mentordesk.ui.startup.preload import Preload
from mentordesk.ui.tasks import TaskControl

Menus = list[tuple[str, list[tuple[str, tuple[str, ...]]]]]


def menu_structure(window: MainWindow) -> Menus:
    """Every menu's entries (text and shortcuts; separators as "-"), in order."""
    result: Menus = []
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        assert isinstance(menu, QMenu)
        entries = [("-", ()) if a.isSeparator() else
                   (a.text(), tuple(s.toString() for s in a.shortcuts()))
                   for a in menu.actions()]
        result.append((menu_action.text(), entries))
    return result


def lazy_window(qtbot: QtBot, db: Database, settings: QSettings) -> MainWindow:
    create_application()
    # Not started by the Launcher: these tests drive each start-up step themselves.
    window = MainWindow(build_context(db, settings), lazy=True)
    qtbot.addWidget(window)
    return window


def test_specs_match_the_view_classes() -> None:
    for spec, cls in zip(DEFAULT_VIEWS, default_view_factories(), strict=True):
        assert (spec.view_id, spec.title, spec.icon_name) == (
            cls.view_id, cls.title, cls.icon_name)  # type: ignore[attr-defined]


def test_only_the_current_view_is_built_after_the_first_paint(
        qtbot: QtBot, demo_db: Database, qt_settings: QSettings) -> None:
    window = lazy_window(qtbot, demo_db, qt_settings)
    assert window.views == []
    assert window.view_ids() == ["mentees", "board", "notes"]
    assert window.current_view() is None  # a light placeholder until the paint
    window.start_views_after_paint()
    window.show()
    qtbot.waitUntil(lambda: window.current_view() is not None)
    mentees = window.current_view()
    assert isinstance(mentees, MenteesView)
    assert [v.view_id for v in window.views] == ["mentees"]
    # The list query was started before the view was built, and the view took it.
    assert window.context.preloads == {}
    qtbot.waitUntil(lambda: mentees.loaded)
    assert mentees.model.total() == len(MenteeService(demo_db).list_rows(include_archived=True))
    # Ctrl+2 builds the board on demand.
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_2,  # type: ignore[no-untyped-call]
                   Qt.KeyboardModifier.ControlModifier)
    current = window.current_view()
    assert current is not None and current.view_id == "board" and current.isVisible()
    assert [v.view_id for v in window.views] == ["mentees", "board"]


def test_lazy_menus_end_up_as_the_eager_ones(qtbot: QtBot, demo_db: Database,
                                             qt_settings: QSettings, tmp_path: Path) -> None:
    create_application()
    # Built eagerly on purpose: the reference the lazy window's menus must end up as.
    eager = MainWindow(build_context(demo_db, qt_settings))
    qtbot.addWidget(eager)
    expected = menu_structure(eager)
    eager.close()
    # Built in another order than the sidebar's: the actions still land in sidebar order.
    other = QSettings(str(tmp_path / "other.ini"), QSettings.Format.IniFormat)
    other.setValue("window/view", "notes")
    window = lazy_window(qtbot, demo_db, other)
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == [title for title, _entries in expected]  # the bar never shifts
    window.start_views()
    assert [v.view_id for v in window.views] == ["notes"]
    window.ensure_view("board")
    window.build_remaining_views()
    qtbot.waitUntil(lambda: len(window.views) == 3)
    assert menu_structure(window) == expected


def test_opening_a_menu_builds_its_view(qtbot: QtBot, demo_db: Database,
                                        qt_settings: QSettings) -> None:
    window = lazy_window(qtbot, demo_db, qt_settings)
    window.menu("&Goal").aboutToShow.emit()
    assert [v.view_id for v in window.views] == ["board"]
    assert any(a.text() == "&New Goal…" for a in window.menu("&Goal").actions())


def test_a_view_built_later_gets_the_sync_controller(qtbot: QtBot, demo_db: Database,
                                                     qt_settings: QSettings) -> None:
    from mentordesk.ui.app import install_sync_everywhere
    from mentordesk.ui.notes.view import NotesView

    window = lazy_window(qtbot, demo_db, qt_settings)
    window.start_views()
    install_sync_everywhere(window)
    notes = window.ensure_view("notes")
    assert isinstance(notes, NotesView)
    assert notes.sync_badge is not None
    assert window.sync_controller is not None
    window.sync_controller.shutdown()
    QThreadPool.globalInstance().waitForDone(5000)


def test_list_tags_in_case_insensitive_order(db: Database) -> None:
    svc = MenteeService(db)
    created = svc.create(MenteeInput("Ada", tags=("beta", "Alpha", "gamma", "Zeta")))
    row = svc.row(created.id, now=datetime.now(UTC))
    assert row is not None and row.tags == ("Alpha", "beta", "gamma", "Zeta")


@pytest.mark.parametrize("helper", [True, False], ids=["list-from-helper", "list-read-here"])
def test_app_paints_and_lists_before_importing_orm_or_building_qt_enums(
        tmp_path: Path, helper: bool) -> None:
    from mentordesk.services.demo import generate_demo

    path = tmp_path / "demo.sqlite3"
    db = open_database(path)
    generate_demo(db, mentees=30)
    db.close()
    out = tmp_path / "probe.json"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MENTORDESK_STARTUP_PROBE=str(out),
               MENTORDESK_DATA_DIR=str(tmp_path / "d"), MENTORDESK_LOG_DIR=str(tmp_path / "l"),
               XDG_CONFIG_HOME=str(tmp_path / "c"), MENTORDESK_START_HELPER="1" if helper else "0")
    result = subprocess.run([sys.executable, "-m", "mentordesk", "--db", str(path)],
                            capture_output=True, text=True, env=env, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    marks = json.loads(out.read_text())
    assert marks["first_paint"] <= marks["interactive"]
    assert marks["orm_at_first_paint"] == 0.0
    assert marks["orm_at_interactive"] == 0.0
    # Building PySide's Qt namespace costs ~40 ms: the shell must not touch it (qt_enums).
    assert marks["qt_namespace_at_first_paint"] == 0.0
    assert marks["gc_enabled_at_first_paint"] == 0.0  # paused until interactive (heap.py)
    # The list came from the start-up helper process unless it was turned off, and either
    # way the view needed only services.mentee_rows of the mentee service.
    assert marks["list_from_helper"] == (1.0 if helper else 0.0)
    assert marks["mentee_service_at_interactive"] == 0.0
    assert marks["qstyle_at_interactive"] == 0.0
    assert marks["qtnetwork_at_interactive"] == 0.0


def test_preload_delivers_to_late_and_early_takers(qtbot: QtBot) -> None:
    create_application()
    got: list[object] = []

    def work(_control: TaskControl) -> int:
        return 42

    early = Preload(work)
    early.then(got.append, got.append)
    qtbot.waitUntil(lambda: got == [42])
    late: list[object] = []
    early.then(late.append, late.append)
    assert late == []  # never called back from inside then()
    qtbot.waitUntil(lambda: late == [42])

    def broken(_control: TaskControl) -> int:
        raise ValueError("no")

    errors: list[object] = []
    failing = Preload(broken)
    failing.then(errors.append, errors.append)
    qtbot.waitUntil(lambda: len(errors) == 1)
    assert isinstance(errors[0], ValueError)
