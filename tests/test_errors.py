"""Environment failures become clear messages, and nothing half-written reaches the file."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import event, select

from mentordesk.errors import DatabaseLocked, DiskFull
from mentordesk.storage.database import Database, open_database
from mentordesk.storage.schema import Mentee, Note


def _on_connect(db: Database, *pragmas: str) -> None:
    db.engine.dispose()

    def apply(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        for pragma in pragmas:
            dbapi_conn.execute(pragma)

    event.listen(db.engine, "connect", apply)


def test_disk_full_is_a_clear_error_and_the_file_stays_sound(db: Database) -> None:
    with db.transaction() as s:
        m = Mentee(name="Ada")
        s.add(m)
        s.flush()
        s.add(Note(mentee_id=m.id, body="kept"))
    with db.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    _on_connect(db, f"PRAGMA max_page_count={pages}")
    with pytest.raises(DiskFull) as info, db.transaction() as s:
        mentee = s.scalars(select(Mentee)).one()
        s.add(Note(mentee_id=mentee.id, body="x" * 200_000))
    assert "disk" in info.value.message.lower() or "room" in info.value.message.lower()
    assert "kept" in info.value.hint
    assert db.quick_check() == []
    with db.reader() as s:
        assert [n.body for n in s.scalars(select(Note))] == ["kept"]


def test_read_only_file_is_a_clear_error(db: Database) -> None:
    _on_connect(db, "PRAGMA query_only=ON")
    with pytest.raises(DatabaseLocked, match="cannot be written"), db.transaction() as s:
        s.add(Mentee(name="Nope"))


def test_locked_database_is_a_clear_error(db: Database, db_path: Path) -> None:
    _on_connect(db, "PRAGMA busy_timeout=50")
    holder = sqlite3.connect(db_path)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseLocked, match="in use"), db.transaction() as s:
            s.add(Mentee(name="Blocked"))
    finally:
        holder.rollback()
        holder.close()
    with db.transaction() as s:
        s.add(Mentee(name="Later"))
    with db.reader() as s:
        assert [m.name for m in s.scalars(select(Mentee))] == ["Later"]


def test_uncaught_exception_is_logged_and_reported(no_dialogs: list[str], qtbot: object) -> None:
    from mentordesk.logging_setup import log_file, setup_logging
    from mentordesk.ui.app import create_application
    from mentordesk.ui.errors import install_excepthook, report_exception

    create_application()
    setup_logging()
    install_excepthook()
    try:
        raise RuntimeError("boom in a slot")
    except RuntimeError as exc:
        report_exception(type(exc), exc, exc.__traceback__)
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert any("boom in a slot" in r for r in no_dialogs)
    text = log_file().read_text()
    assert "boom in a slot" in text and "Traceback" in text


def test_worker_thread_failure_reaches_the_gui_thread(no_dialogs: list[str], qtbot) -> None:
    from mentordesk.ui.app import create_application
    from mentordesk.ui.errors import install_excepthook
    from mentordesk.ui.tasks import TaskControl, run_task

    create_application()
    install_excepthook()
    seen: list[str] = []

    def work(_control: TaskControl) -> None:
        seen.append(threading.current_thread().name)
        raise ValueError("worker went wrong")

    # No waitSignal on the task: connected after run_task() it can miss a task that already
    # finished (a race that shows on a loaded machine). The report itself is what counts.
    run_task(work)
    qtbot.waitUntil(lambda: any("worker went wrong" in r for r in no_dialogs), timeout=10000)
    assert seen and seen[0] != threading.main_thread().name


def test_corrupt_file_found_after_first_paint_offers_backups(tmp_path: Path) -> None:
    from mentordesk.storage.database import corrupt_error

    path = tmp_path / "x.sqlite3"
    database = open_database(path)
    good = database.backup()
    database.close()
    error = corrupt_error(path, "page 7 is broken")
    assert error.backups == [good]
    assert str(path) in error.message


def test_result_for_a_deleted_view_is_dropped(qtbot) -> None:
    """A background load that finishes after its view was deleted must not raise."""
    import threading

    from PySide6.QtCore import QStringListModel

    from mentordesk.ui.app import create_application
    from mentordesk.ui.tasks import TaskControl, run_task

    create_application()
    model = QStringListModel()
    release = threading.Event()
    delivered: list[object] = []

    def work(_control: TaskControl) -> list[str]:
        release.wait(5)
        return ["late"]

    def done(rows: list[str]) -> None:
        delivered.append(rows)
        model.setStringList(rows)  # the model is gone by now

    task = run_task(work, on_success=done)
    import shiboken6

    shiboken6.delete(model)
    # Connected before the worker is released: a signal sent before waitSignal connects is
    # never seen (this test failed that way on a loaded CI machine).
    with qtbot.waitSignal(task.signals.finished, timeout=5000):
        release.set()
    qtbot.wait(50)
    assert delivered == [["late"]]
