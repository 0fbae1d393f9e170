"""The Qt side: SyncController runs the engine in a worker and maps each cause to its text
and action; the button, badge, settings dialog and install_sync."""

from __future__ import annotations

import gc
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from mentordesk.storage.database import Database
from mentordesk.sync.engine import SyncEngine
from mentordesk.ui.sync import texts
from mentordesk.ui.sync.controller import SyncController
from mentordesk.ui.sync.widgets import SessionSyncBadge, SyncButton, SyncIssuesDialog
from tests.support.calendar_standin import CalendarStandIn, Fault
from tests.support.event_loop_gaps import EventLoopGaps
from tests.sync.conftest import (
    EngineFactory,
    add_sessions,
    edit_session,
    get_session,
)


@pytest.fixture
def threads_seen() -> list[threading.Thread]:
    return []


@pytest.fixture
def controller(qtbot: QtBot, db: Database, make_engine: EngineFactory,
               threads_seen: list[threading.Thread]) -> Iterator[SyncController]:
    def factory(database: Database, **kwargs: Any) -> SyncEngine:
        threads_seen.append(threading.current_thread())
        return make_engine(database=database, **kwargs)

    ctl = SyncController(db, engine_factory=factory)
    yield ctl
    ctl.shutdown()


def run_sync(qtbot: QtBot, ctl: SyncController, **kwargs: Any) -> object:
    with qtbot.waitSignal(ctl.sync_finished, timeout=30_000) as blocker:
        assert ctl.sync_now(**kwargs)
    return blocker.args[0] if blocker.args else None


def test_sync_runs_in_worker_and_reports_progress(qtbot: QtBot, db: Database,
                                                  controller: SyncController,
                                                  threads_seen: list[threading.Thread]) -> None:
    add_sessions(db, 3)
    states: list[str] = []
    progress: list[tuple[str, int, int]] = []
    controller.state_changed.connect(lambda v: states.append(v.state))
    controller.progress_changed.connect(lambda *a: progress.append(a))
    with qtbot.waitSignal(controller.data_changed, timeout=30_000):
        run_sync(qtbot, controller)
    assert threads_seen and threads_seen[0] is not threading.main_thread()
    assert states[0] == texts.SYNCING and states[-1] == texts.SYNCED
    assert ("push", 3, 3) in progress
    assert controller.view.text.startswith("Synced · ")
    assert not controller.running


def test_offline_text_counts_queued_changes(qtbot: QtBot, db: Database,
                                            controller: SyncController,
                                            standin: CalendarStandIn) -> None:
    add_sessions(db, 2)
    run_sync(qtbot, controller)
    add_sessions(db, 3)
    port = standin.port
    standin.stop()
    run_sync(qtbot, controller)
    assert controller.view.state == texts.OFFLINE
    assert controller.view.text == "Offline — 3 changes queued"
    standin.start(port)
    run_sync(qtbot, controller)
    assert controller.view.state == texts.SYNCED


def test_revoked_offers_reconnect_and_background_waits(qtbot: QtBot, db: Database,
                                                       controller: SyncController,
                                                       standin: CalendarStandIn) -> None:
    add_sessions(db, 1)
    standin.revoke_all()
    run_sync(qtbot, controller)
    view = controller.view
    assert (view.state, view.action, view.text) == (texts.REVOKED, texts.RECONNECT,
                                                    "Reconnect Google")
    assert "1 queued change is kept" in view.detail
    controller.start_background(first_delay_ms=0)
    qtbot.wait(100)
    assert not controller.running  # waits for the user instead of hammering Google


def test_rate_limit_shows_quiet_countdown(qtbot: QtBot, db: Database,
                                          controller: SyncController,
                                          standin: CalendarStandIn) -> None:
    add_sessions(db, 1)
    standin.faults.add(Fault("status", 429, "rateLimitExceeded", retry_after=90,
                             match="GET /calendar"))
    run_sync(qtbot, controller)
    assert controller.view.state == texts.RATE_LIMITED
    assert controller.view.text.startswith("Google is busy — retrying in ")
    left = int(controller.view.text.split("in ")[1].split(" ")[0])
    assert 80 <= left <= 90


def test_quota_text_names_the_time(qtbot: QtBot, db: Database, controller: SyncController,
                                   standin: CalendarStandIn) -> None:
    add_sessions(db, 1)
    standin.faults.add(Fault("status", 403, "quotaExceeded", scope="inner",
                             match="POST /calendar"))
    run_sync(qtbot, controller)
    view = controller.view
    assert view.state == texts.QUOTA
    assert view.retry_at is not None
    assert view.text == f"Google paused edits; retrying at {view.retry_at.astimezone():%H:%M}"


def test_calendar_missing_offers_recreate(qtbot: QtBot, db: Database,
                                          controller: SyncController,
                                          standin: CalendarStandIn) -> None:
    add_sessions(db, 2)
    run_sync(qtbot, controller)
    cal = standin.calendar_by_summary("MentorDesk")
    assert cal is not None
    standin.delete_calendar(cal.id)
    run_sync(qtbot, controller)
    assert (controller.view.state, controller.view.action) == (texts.CALENDAR_MISSING,
                                                               texts.RECREATE)
    with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
        assert controller.recreate_calendar()
    assert controller.view.state == texts.SYNCED
    new = standin.calendar_by_summary("MentorDesk")
    assert new is not None and new.id != cal.id
    assert len(standin.events(new.id)) == 2


def test_unknown_calendar_asks_the_mentor_and_waits(qtbot: QtBot, db: Database,
                                                   make_engine: EngineFactory,
                                                   standin: CalendarStandIn) -> None:
    from mentordesk.sync.engine import CalendarSource

    def factory(database: Database, **kwargs: Any) -> SyncEngine:
        return make_engine(database=database, calendar=CalendarSource(), **kwargs)

    ctl = SyncController(db, engine_factory=factory)
    try:
        add_sessions(db, 1)
        run_sync(qtbot, ctl)
        assert (ctl.view.state, ctl.view.action) == (texts.CALENDAR_CHOICE,
                                                     texts.CHOOSE_CALENDAR)
        assert standin.calendar_by_summary("MentorDesk") is None
        ctl.start_background(first_delay_ms=0)
        qtbot.wait(100)
        assert not ctl.running  # waits for the mentor, not retried on a timer
    finally:
        ctl.shutdown()


def test_mass_delete_asks_then_applies(qtbot: QtBot, db: Database, controller: SyncController,
                                       standin: CalendarStandIn) -> None:
    ids = add_sessions(db, 7)
    run_sync(qtbot, controller)
    cal = standin.calendar_by_summary("MentorDesk")
    assert cal is not None
    for sid in ids:
        standin.remote_cancel(cal.id, get_session(db, sid).google_event_id or "")
    run_sync(qtbot, controller)
    assert controller.view.action == texts.CONFIRM_DELETE
    assert controller.view.text == "Confirm 7 cancellations"
    run_sync(qtbot, controller, allow_mass_delete=True)
    assert all(get_session(db, sid).status == "cancelled" for sid in ids)


def test_conflict_badge_shows_both_versions_and_resolves(
        qtbot: QtBot, db: Database, controller: SyncController,
        standin: CalendarStandIn) -> None:
    sid = add_sessions(db, 1)[0]
    run_sync(qtbot, controller)
    cal = standin.calendar_by_summary("MentorDesk")
    assert cal is not None
    eid = get_session(db, sid).google_event_id or ""
    standin.remote_patch(cal.id, eid, {"summary": "Google's title"})
    edit_session(db, sid, title="My title")
    run_sync(qtbot, controller)
    assert controller.view.state == texts.ATTENTION
    assert controller.view.text == "Sync: 1 conflict"
    badge = SessionSyncBadge(controller)
    qtbot.addWidget(badge)
    with qtbot.waitSignal(badge.status_shown):
        badge.set_session(sid)
    assert badge.status is not None and badge.status.state == "conflict"
    shown = [badge.versions.itemAt(i).widget().text()  # type: ignore[union-attr]
             for i in range(badge.versions.count())]
    assert "My title" in shown and "Google's title" in shown
    assert badge.keep_mine.isVisibleTo(badge)
    with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
        controller.start_background(first_delay_ms=10_000)
        badge.keep_mine.click()
    assert standin.get_event(cal.id, eid)["summary"] == "My title"
    qtbot.waitUntil(lambda: badge.status is not None and badge.status.state == "synced")
    assert controller.view.state == texts.SYNCED


def test_invalid_data_badge_names_the_field(qtbot: QtBot, db: Database,
                                            controller: SyncController) -> None:
    sid = add_sessions(db, 1)[0]
    edit_session(db, sid, timezone="Nowhere/Atlantis")
    run_sync(qtbot, controller)
    assert controller.view.text == "Sync: 1 refused by Google"
    badge = SessionSyncBadge(controller)
    qtbot.addWidget(badge)
    with qtbot.waitSignal(badge.status_shown):
        badge.set_session(sid)
    assert "time zone" in badge.label.text()
    assert badge.status is not None and badge.status.error_field == "time zone"
    assert not badge.keep_mine.isVisibleTo(badge)


def test_issues_dialog_lists_each_refused_session_once_without_blocking_its_opening(
        qtbot: QtBot, db: Database, controller: SyncController) -> None:
    sid = add_sessions(db, 1)[0]
    edit_session(db, sid, timezone="Nowhere/Atlantis")
    run_sync(qtbot, controller)
    dialog = SyncIssuesDialog(controller)
    qtbot.addWidget(dialog)
    assert dialog.badges == []  # read in a worker, after the dialog is built
    with qtbot.waitSignal(dialog.filled):
        pass
    assert len(dialog.badges) == 1
    qtbot.waitUntil(lambda: dialog.badges[0].status is not None)


def test_button_follows_state_and_click_syncs(qtbot: QtBot, db: Database,
                                              controller: SyncController,
                                              standin: CalendarStandIn) -> None:
    button = SyncButton(controller)
    qtbot.addWidget(button)
    add_sessions(db, 1)
    with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
        button.click()
    assert button.text().startswith("Synced · ")
    assert "Last sync" in button.toolTip()
    assert button.property("syncState") == texts.SYNCED
    standin.revoke_all()
    add_sessions(db, 1)
    run_sync(qtbot, controller)
    assert button.text() == "Reconnect Google"
    with qtbot.waitSignal(button.action_requested) as blocker:
        button.click()
    assert blocker.args == [texts.RECONNECT]


def test_window_stays_responsive_during_thousand_session_sync(
        qtbot: QtBot, db: Database, controller: SyncController) -> None:
    add_sessions(db, 1000)
    meter = EventLoopGaps(interval_ms=10)
    meter.start()
    run_sync(qtbot, controller)
    meter.stop()
    gaps = meter.gaps
    assert controller.view.state == texts.SYNCED
    assert len(gaps) > 20
    # Generous for a shared 2-core machine: the GUI thread never blocks for long.
    assert max(gaps) < 0.5, max(gaps)


def test_first_sync_freezes_the_loaded_heap_before_its_engine(
        qtbot: QtBot, db: Database, make_engine: EngineFactory,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A full GC walks every object with the GIL held (50–150 ms with Qt, SQLAlchemy and the
    Google client stack loaded), and a sync's allocations set one off: the first sync of a
    process freezes the heap, loads the client libraries and freezes again, in its worker,
    before building an engine. Later syncs do not (a freeze keeps cyclic garbage)."""
    from mentordesk.sync.service import load_client_modules as real_load
    from mentordesk.ui.sync import controller as controller_module

    steps: list[tuple[str, bool]] = []

    def step(name: str) -> None:
        steps.append((name, threading.current_thread() is threading.main_thread()))

    def load() -> None:
        step("load client modules")
        real_load()

    monkeypatch.setattr(controller_module, "_heap_frozen", False)
    # Recorded instead of done: the test process's heap stays as it is.
    monkeypatch.setattr(gc, "freeze", lambda: step("freeze"))
    monkeypatch.setattr(controller_module, "load_client_modules", load)

    def factory(database: Database, **kwargs: Any) -> SyncEngine:
        step("engine")
        return make_engine(database=database, **kwargs)

    ctl = SyncController(db, engine_factory=factory)
    try:
        add_sessions(db, 2)
        run_sync(qtbot, ctl)
        add_sessions(db, 1)
        run_sync(qtbot, ctl)
    finally:
        ctl.shutdown()
    assert ctl.view.state == texts.SYNCED
    assert [name for name, _ in steps] == [
        "freeze", "load client modules", "freeze", "engine", "engine"]
    assert not any(on_gui_thread for _, on_gui_thread in steps)


def test_client_modules_include_every_lazy_import_of_the_sync_package() -> None:
    """Whatever a sync imports lazily from the client libraries is loaded by
    load_client_modules(), so it is frozen with the rest instead of walked by every full
    collection; a new lazy import in mentordesk/sync must be added to CLIENT_MODULES."""
    import ast

    import mentordesk.sync

    roots = ("google", "googleapiclient", "google_auth_httplib2", "httplib2", "keyring")
    lazy: set[str] = set()
    for path in Path(mentordesk.sync.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef):
                continue
            for inner in ast.walk(node):
                names = ([a.name for a in inner.names] if isinstance(inner, ast.Import)
                         else [inner.module] if isinstance(inner, ast.ImportFrom)
                         and inner.module and not inner.level else [])
                lazy.update(n for n in names if n.split(".")[0] in roots)
    # The sign-in flow runs rarely and on its own; a sync never imports it.
    lazy.discard("google_auth_oauthlib.flow")
    assert "googleapiclient.discovery" in lazy, sorted(lazy)
    code = ("import sys; from mentordesk.sync.service import load_client_modules; "
            "load_client_modules(); "
            f"missing = [m for m in {sorted(lazy)!r} if m not in sys.modules]; "
            "print(missing); sys.exit(1 if missing else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120,
                            cwd=Path(__file__).resolve().parents[3])
    assert result.returncode == 0, (result.stdout + result.stderr).decode()


def test_cancel_stops_sync_and_keeps_queue(qtbot: QtBot, db: Database,
                                           controller: SyncController,
                                           standin: CalendarStandIn) -> None:
    add_sessions(db, 300)
    standin.faults.add(Fault("delay", delay=0.3, match="GET /calendar"))
    with qtbot.waitSignal(controller.sync_finished, timeout=30_000) as blocker:
        controller.sync_now()
        controller.cancel()
    assert controller.view.state == texts.CANCELLED
    from mentordesk.sync.errors import SyncCancelled

    assert isinstance(blocker.args[0], SyncCancelled)
    assert controller.view.pending == 300


def test_settings_dialog_connects_in_worker(qtbot: QtBot, db: Database,
                                            controller: SyncController,
                                            standin: CalendarStandIn, client_config: Any,
                                            memory_keyring: Any,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.request

    from mentordesk.sync import credentials
    from mentordesk.ui.sync.settings_dialog import GoogleCalendarDialog

    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # plain-http stand-in only

    def browser(url: str) -> bool:
        threading.Thread(target=lambda: urllib.request.urlopen(url, timeout=10).close(),
                         daemon=True).start()
        return True

    dialog = GoogleCalendarDialog(controller,
                                  connect_fn=partial(credentials.connect, launch=browser))
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.status_label.text() == "Not connected.", timeout=5000)
    dialog.file_edit.setText(str(client_config.path))
    asked: list[str] = []

    def answer_calendar_question() -> None:
        # A new sign-in and no calendar known: the mentor is asked, not guessed for.
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer_calendar_question)
            return
        asked.append(box.text())
        create = next(b for b in box.buttons() if b.text() == "Create a MentorDesk calendar")
        create.click()

    QTimer.singleShot(20, answer_calendar_question)
    with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
        dialog.connect_account()
        assert dialog.busy
    assert asked and "Which Google calendar" in asked[0]
    assert dialog.status_label.text().startswith("Connected")
    assert "@group.calendar.google.com" in dialog.calendar_label.text()
    assert credentials.CredentialStore().load() is not None
    dialog.disconnect_account()
    qtbot.waitUntil(lambda: dialog.status_label.text() == "Disconnected.", timeout=5000)
    assert credentials.CredentialStore().load() is None
    assert standin.revoked_count == 1


def test_install_sync_adds_button_and_menus(qtbot: QtBot, db: Database) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QUndoStack
    from PySide6.QtWidgets import QMenu

    from mentordesk.ui.context import AppContext, Change
    from mentordesk.ui.main_window import MainWindow
    from mentordesk.ui.sync import install_sync

    context = AppContext(db=db, settings=QSettings(), undo_stack=QUndoStack())
    # A bare window: what install_sync adds to it is under test, not start-up or the views.
    window = MainWindow(context, view_factories=[])
    qtbot.addWidget(window)
    controller = install_sync(window, context, start=False)
    try:
        assert window.sync_controller is controller
        assert window.toolbar.findChildren(SyncButton) == [window.sync_button]
        tools = window.menu("&Tools")
        names = [a.text() for a in tools.actions()]
        assert "&Sync with Google Calendar" in names and "&Settings" in names
        [sync_action] = [a for a in tools.actions() if a.text() == "&Sync with Google Calendar"]
        assert sync_action.shortcut().toString() == "F5"
        [settings_menu] = [a.menu() for a in tools.actions() if a.text() == "&Settings"]
        assert isinstance(settings_menu, QMenu)
        assert [a.text() for a in settings_menu.actions()] == ["&Google Calendar…"]
        # With background sync on, a sessions change schedules a push soon.
        controller.start_background(first_delay_ms=60_000)
        context.bus.notify(Change.SESSIONS)
        assert controller._soon.remainingTime() <= 9_000  # 8 s, plus coarse-timer slack
    finally:
        controller.shutdown()


def test_importing_ui_sync_does_not_import_googleapiclient() -> None:
    code = ("import sys, mentordesk.ui.sync, mentordesk.ui.sync.settings_dialog; "
            "sys.exit(1 if 'googleapiclient' in sys.modules else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60,
                            env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr.decode()


def test_texts_per_cause() -> None:
    from datetime import UTC, datetime

    from mentordesk.sync import errors

    now = datetime.now(UTC)
    cases = {
        errors.Offline(4): (texts.OFFLINE, "Offline — 4 changes queued", None),
        errors.AuthRevoked(4): (texts.REVOKED, "Reconnect Google", texts.RECONNECT),
        errors.CalendarMissing("x"): (texts.CALENDAR_MISSING, "MentorDesk calendar is missing",
                                      texts.RECREATE),
        errors.MassDeleteBlocked(9, 20): (texts.MASS_DELETE, "Confirm 9 cancellations",
                                          texts.CONFIRM_DELETE),
        errors.NotConnected(): (texts.NOT_CONNECTED, "Connect Google Calendar",
                                texts.OPEN_SETTINGS),
        errors.RateLimited(now + timedelta(seconds=30)): (
            texts.RATE_LIMITED, "Google is busy — retrying shortly", None),
        errors.CalendarChoiceNeeded(): (texts.CALENDAR_CHOICE,
                                        "Choose a calendar for MentorDesk",
                                        texts.CHOOSE_CALENDAR),
        errors.PermissionMissing("list your calendars"): (texts.REVOKED, "Reconnect Google",
                                                          texts.RECONNECT),
        errors.ApiNotEnabled(): (texts.FAILED, "Calendar API is off", None),
    }
    for exc, (state, text, action) in cases.items():
        view = texts.describe_failure(exc, pending=4, last_sync_at=None)
        assert (view.state, view.text, view.action) == (state, text, action)
    assert texts.describe_failure(errors.Offline(1), pending=1,
                                  last_sync_at=None).text == "Offline — 1 change queued"


def test_install_sync_on_the_real_main_window(qtbot: QtBot, db: Database) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QUndoStack

    from mentordesk.ui.context import AppContext
    from mentordesk.ui.main_window import MainWindow
    from mentordesk.ui.sync import install_sync

    context = AppContext(db=db, settings=QSettings(), undo_stack=QUndoStack())
    # A bare window: what install_sync adds to it is under test, not start-up or the views.
    window = MainWindow(context, view_factories=[])
    qtbot.addWidget(window)
    controller = install_sync(window, context, start=False)
    try:
        assert window.toolbar.isVisibleTo(window)
        assert window.toolbar.findChildren(SyncButton)
        tools = [a.text() for a in window.menu("&Tools").actions()]
        assert "&Sync with Google Calendar" in tools
        assert controller.view.state == texts.IDLE
    finally:
        controller.shutdown()


def test_quitting_during_a_stuck_sync_returns_at_once(qtbot: QtBot, db: Database,
                                                     make_engine: EngineFactory,
                                                     standin: CalendarStandIn) -> None:
    import time

    def factory(database: Database, **kwargs: Any) -> SyncEngine:
        return make_engine(database=database, timeout=5, request_deadline=60, **kwargs)

    ctl = SyncController(db, engine_factory=factory)
    add_sessions(db, 1)
    # The server answers a byte at a time: the worker is blocked reading from a socket.
    standin.faults.add(Fault("trickle", delay=30, match="GET /calendar"))
    assert ctl.sync_now()
    qtbot.waitUntil(lambda: any(r.fault == "trickle" for r in standin.log), timeout=10_000)
    began = time.monotonic()
    ctl.shutdown()
    assert time.monotonic() - began < 2.5
    assert ctl._pool.activeThreadCount() == 0


def test_before_google_is_connected_nothing_alarms(qtbot: QtBot, db: Database,
                                                   memory_keyring: Any) -> None:
    """No sign-in yet: the Sync button offers to connect, the status bar stays quiet, the
    menu has one settings entry, and sessions say nothing about being sent."""
    from mentordesk.ui.context import AppContext
    from mentordesk.ui.main_window import MainWindow
    from mentordesk.ui.sync import install_sync

    sid = add_sessions(db, 1)[0]
    context = AppContext(db=db, settings=QSettings(), undo_stack=QUndoStack())
    # A bare window: what install_sync adds to it is under test, not start-up or the views.
    window = MainWindow(context, view_factories=[])
    qtbot.addWidget(window)
    controller = install_sync(window, context, start=False)
    try:
        badge = SessionSyncBadge(controller)
        qtbot.addWidget(badge)
        badge.set_session(sid)
        assert badge.label.text() == ""  # not "Waiting to be sent to Google Calendar"
        with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
            controller.sync_now()
        assert controller.view.state == texts.NOT_CONNECTED
        assert window.statusBar().currentMessage() == ""
        assert badge.label.text() == ""
        [button] = window.toolbar.findChildren(SyncButton)
        assert button.text() == "Connect Google Calendar"
        entries = [a.text() for a in button.menu().actions() if a.isVisible() and a.text()]
        settings_entries = [e for e in entries if "google calendar" in e.lower()]
        assert settings_entries == ["Connect Google Calendar…"]
    finally:
        controller.shutdown()


def test_a_pending_session_is_named_once_google_is_in_use(qtbot: QtBot, db: Database,
                                                          controller: SyncController) -> None:
    run_sync(qtbot, controller)  # connected, synced once
    sid = add_sessions(db, 1)[0]
    badge = SessionSyncBadge(controller)
    qtbot.addWidget(badge)
    with qtbot.waitSignal(badge.status_shown):
        badge.set_session(sid)
    assert badge.label.text().startswith("Waiting to be sent to Google Calendar")


def test_settings_dialog_grows_with_a_long_message_instead_of_squashing(
        qtbot: QtBot, controller: SyncController) -> None:
    from keyring.backends import fail

    from mentordesk.sync.credentials import CredentialStore
    from mentordesk.ui.sync.settings_dialog import GoogleCalendarDialog

    # No keyring on this machine: the dialog's sign-in check answers with three lines.
    dialog = GoogleCalendarDialog(controller, store=CredentialStore(fail.Keyring()))  # type: ignore[no-untyped-call]
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.show()
    qtbot.waitUntil(lambda: "keyring" in dialog.status_label.text())
    radios = (dialog.own_calendar, dialog.primary_calendar)

    def fits() -> bool:
        return all(r.height() >= r.sizeHint().height()
                   and r.width() >= r.fontMetrics().horizontalAdvance(r.text())
                   for r in radios)

    qtbot.waitUntil(fits, timeout=2000)
