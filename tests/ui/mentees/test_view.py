"""The Mentees view with pytest-qt: the models (qtmodeltester), lazy fetching, filter,
sort, the live clock, selection, the editor's validation, undo/redo, delete with undo,
Join call, the red notification and CSV import from the view."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, QSettings, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from mentordesk.domain.cadence import Cadence
from mentordesk.domain.health import Level, assess
from mentordesk.services.mentees import MenteeInput, MenteeRow, MenteeService
from mentordesk.storage.database import Database
from mentordesk.storage.schema import Note
from mentordesk.ui.app import build_context, create_application
from mentordesk.ui.context import AppContext, Change
from mentordesk.ui.mentees import editor as editor_module
from mentordesk.ui.mentees import profile as profile_module
from mentordesk.ui.mentees import view as view_module
from mentordesk.ui.mentees.editor import MenteeEditor
from mentordesk.ui.mentees.model import (
    _SORT_KEYS,
    COL_HEALTH,
    COL_LOCAL,
    COL_NAME,
    FETCH_BATCH,
    ID_ROLE,
    MenteeFilterProxy,
    MenteeTableModel,
    matching_ids,
)
from mentordesk.ui.mentees.view import MenteesView
from tests.support.mentee_helpers import add_session, type_text

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def fake_rows(n: int, *, archived_every: int = 0) -> list[MenteeRow]:
    rows = []
    for i in range(n):
        last = NOW - timedelta(days=i % 40)
        health = assess(now=NOW, last_held=last, added=last, next_session=None,
                        target_gap_days=14, max_gap_days=21)
        name = f"Mentee {i:05d}"
        tags = ("design",) if i % 3 == 0 else ("data", "founder")
        email = f"m{i}@example.org"
        rows.append(MenteeRow(
            id=i + 1, name=name, email=email,
            timezone=["Asia/Kolkata", "Asia/Kathmandu", "America/St_Johns", "UTC"][i % 4],
            tags=tags, archived=bool(archived_every) and i % archived_every == 0,
            cadence=Cadence(2, "weeks"), target_gap_days=14, max_gap_days=21,
            last_held=last, next_session=None, health=health, meeting_link=None,
            snoozed_until=None, health_notified_on=None,
            search_key=" ".join((name, email, *tags)).casefold()))
    return rows


@pytest.fixture
def models(qtbot: QtBot) -> Iterator[tuple[MenteeTableModel, MenteeFilterProxy]]:
    create_application()
    model = MenteeTableModel(mentor_zone="Europe/Berlin", clock=lambda: NOW)
    proxy = MenteeFilterProxy()
    proxy.setSourceModel(model)
    yield model, proxy


def test_models_pass_qtmodeltester(qtmodeltester: object, models: tuple[
        MenteeTableModel, MenteeFilterProxy]) -> None:
    model, proxy = models
    model.set_rows(fake_rows(50, archived_every=7))
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    proxy.set_filter_text("design")
    qtmodeltester.check(proxy)  # type: ignore[attr-defined]
    model.sort(COL_NAME, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(proxy)  # type: ignore[attr-defined]


def test_lazy_fetch_exposes_rows_in_batches(models: tuple[
        MenteeTableModel, MenteeFilterProxy]) -> None:
    model, _proxy = models
    model.set_rows(fake_rows(FETCH_BATCH * 2 + 10), keep_exposed=False)
    assert model.rowCount() == FETCH_BATCH and model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == FETCH_BATCH * 2
    model.fetchMore(QModelIndex())
    assert model.rowCount() == FETCH_BATCH * 2 + 10
    assert not model.canFetchMore(QModelIndex())
    # A mentee far down is reachable by id (rows up to it are fetched).
    model.set_rows(fake_rows(FETCH_BATCH * 3), keep_exposed=False)
    row = model.row_for_id(FETCH_BATCH * 3)
    assert row is not None and model.rowCount() > row


def test_filter_matches_name_email_tags_and_hides_archived(models: tuple[
        MenteeTableModel, MenteeFilterProxy]) -> None:
    model, proxy = models
    rows = fake_rows(60, archived_every=10)
    model.set_rows(rows)

    def visible() -> set[int]:
        return {proxy.data(proxy.index(r, 0), ID_ROLE) for r in range(proxy.rowCount())}

    assert len(visible()) == 54
    proxy.set_filter_text("MENTEE 0001")
    assert visible() == {i for i in matching_ids(rows, "mentee 0001")
                         if not rows[i - 1].archived}
    proxy.set_filter_text("m5@example")
    assert visible() == {6}
    proxy.set_filter_text("design 0003")  # tokens must all match, in any field
    assert visible() == {4, 34, 37, 40}  # 31 is archived
    proxy.set_show_archived(True)
    assert visible() == {4, 31, 34, 37, 40}
    proxy.set_filter_text("founder 0001")
    assert 11 in visible()  # archived, shown on request
    proxy.set_show_archived(False)
    assert 11 not in visible()


def test_sort_happens_in_the_source_over_unfetched_rows(models: tuple[
        MenteeTableModel, MenteeFilterProxy]) -> None:
    model, proxy = models
    rows = fake_rows(FETCH_BATCH * 2)
    model.set_rows(rows, keep_exposed=False)
    proxy.sort(COL_NAME, Qt.SortOrder.DescendingOrder)
    first = proxy.data(proxy.index(0, COL_NAME))
    # The last name of all rows, though it was never fetched before the sort.
    assert first == max(r.name for r in rows)
    assert model.sort_state() == (COL_NAME, Qt.SortOrder.DescendingOrder)
    # Default sort: most urgent first.
    proxy.sort(1, Qt.SortOrder.AscendingOrder)
    urgencies = [model.mentee(r).health.urgency for r in range(10)]  # type: ignore[union-attr]
    assert urgencies == sorted(urgencies, reverse=True)


def test_local_time_ticks_for_its_column_only(qtbot: QtBot, models: tuple[
        MenteeTableModel, MenteeFilterProxy]) -> None:
    model, _ = models
    model.set_rows(fake_rows(10))
    kolkata, kathmandu = model.row_for_id(1), model.row_for_id(2)
    assert kolkata is not None and kathmandu is not None
    assert model.data(model.index(kolkata, COL_LOCAL)) == "17:30  (+4:30 h)"
    assert model.data(model.index(kathmandu, COL_LOCAL)) == "17:45  (+4:45 h)"
    with qtbot.waitSignal(model.dataChanged) as blocker:
        model.tick()
    assert blocker.args is not None
    top, bottom, roles = blocker.args
    assert (top.column(), bottom.column()) == (COL_LOCAL, COL_LOCAL)
    assert (top.row(), bottom.row()) == (0, 9)
    assert roles == [Qt.ItemDataRole.DisplayRole]


# -- the view ---------------------------------------------------------------------------------

@pytest.fixture
def context(demo_db: Database, qt_settings: QSettings) -> AppContext:
    create_application()
    return build_context(demo_db, qt_settings)


@pytest.fixture
def view(qtbot: QtBot, context: AppContext, no_dialogs: list[str]) -> MenteesView:
    page = MenteesView(context)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    qtbot.waitUntil(lambda: page.loaded, timeout=10_000)
    return page


def shown_row(view: MenteesView, mentee_id: int) -> MenteeRow:
    row = view.model.mentee(view.model._row_of[mentee_id])
    assert row is not None
    return row


def proxy_ids(view: MenteesView) -> list[int]:
    return [view.proxy.mentee_id(view.proxy.index(r, 0)) or -1
            for r in range(view.proxy.rowCount())]


def test_selecting_a_mentee_drives_the_other_views(qtbot: QtBot, view: MenteesView) -> None:
    first = view.proxy.index(0, 0)
    wanted = view.proxy.mentee_id(first)
    with qtbot.waitSignal(view.context.bus.mentee_selected) as blocker:
        view.table.setCurrentIndex(first)
    assert blocker.args == [wanted]
    assert view.context.selected_mentee_id == wanted
    profile = view.profile.profile
    assert profile is not None and profile.mentee.id == wanted
    assert view.profile.name.text().startswith(profile.mentee.name)
    assert view.profile.hours.slots()  # the working-hours strip is drawn
    # Another view selecting a mentee moves the selection here too.
    other = proxy_ids(view)[3]
    view.context.select_mentee(other)
    assert view.current_id() == other


def test_filter_field_keystrokes(qtbot: QtBot, view: MenteesView) -> None:
    name = view.model.all_rows()[0].name
    view.focus_filter()
    type_text(view.filter, name.split()[0])
    ids = set(proxy_ids(view))
    expected = {r.id for r in view.model.all_rows()
                if name.split()[0].casefold() in r.search_key and not r.archived}
    assert ids == expected
    type_text(view.filter, " zzzz-nobody")
    assert view.proxy.rowCount() == 0 and view.no_match.isVisible()
    view.filter.clear()
    assert not view.no_match.isVisible()


def test_add_edit_archive_with_undo_redo(qtbot: QtBot, view: MenteesView,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    stack = view.context.undo_stack
    new = MenteeInput("Grace Hopper", email="grace@example.org", timezone="America/New_York",
                      meeting_link="https://meet.google.com/abc-defg-hij", tags=("navy",))
    monkeypatch.setattr(MenteeEditor, "ask", classmethod(lambda cls, *a, **k: new))
    view.new_action.trigger()
    created = view.current_id()
    assert created is not None
    assert MenteeService(view.context.db).get(created).data == new
    assert view.profile.join_button.isVisibleTo(view.profile)
    stack.undo()
    qtbot.waitUntil(lambda: created not in view.model._row_of)
    stack.redo()
    qtbot.waitUntil(lambda: created in view.model._row_of)
    assert MenteeService(view.context.db).get(created).data == new

    view.select_mentee(created)
    edited = replace(new, name="Rear Admiral Grace Hopper", tags=("cobol", "navy"))
    monkeypatch.setattr(MenteeEditor, "ask", classmethod(lambda cls, *a, **k: edited))
    view.edit_action.trigger()
    assert MenteeService(view.context.db).get(created).data.name == edited.name
    # Renaming changes the search key (the row is re-filtered): the selection stays.
    assert view.current_id() == created
    assert view.profile.name.text() == edited.name
    stack.undo()
    assert MenteeService(view.context.db).get(created).data == new
    stack.redo()
    assert MenteeService(view.context.db).get(created).data == edited

    view.select_mentee(created)
    view.archive_action.trigger()
    qtbot.waitUntil(lambda: created not in proxy_ids(view))
    assert MenteeService(view.context.db).get(created).archived
    view.set_show_archived(True)
    assert created in proxy_ids(view)
    stack.undo()
    assert not MenteeService(view.context.db).get(created).archived


def test_delete_asks_and_undo_restores_everything(qtbot: QtBot, view: MenteesView,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    db = view.context.db
    victim = next(r for r in view.model.all_rows() if r.last_held and not r.archived)
    with db.reader() as s:
        notes = s.scalar(select(func.count()).select_from(Note)
                         .where(Note.mentee_id == victim.id))
    assert notes
    view.select_mentee(victim.id)
    monkeypatch.setattr(view_module, "confirm_delete", lambda parent, name: False)
    view.delete_action.trigger()
    assert victim.id in view.model._row_of  # declined: nothing happened
    asked: list[str] = []

    def confirm(_parent: object, name: str) -> bool:
        asked.append(name)
        return True

    monkeypatch.setattr(view_module, "confirm_delete", confirm)
    view.delete_action.trigger()
    assert asked == [victim.name]
    assert victim.id not in view.model._row_of
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Note)
                        .where(Note.mentee_id == victim.id)) == 0
    view.context.undo_stack.undo()
    qtbot.waitUntil(lambda: victim.id in view.model._row_of)
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Note)
                        .where(Note.mentee_id == victim.id)) == notes


def test_join_call_and_resources_open_links(view: MenteesView,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []

    def fake_open(url: str) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(profile_module, "open_url", fake_open)
    row = next(r for r in view.model.all_rows() if r.meeting_link and not r.archived)
    view.select_mentee(row.id)
    assert view.join_action.isEnabled()
    view.join_action.trigger()
    assert opened == [row.meeting_link]
    buttons = view.profile.resource_buttons()
    if buttons:
        buttons[0].click()
        assert opened[-1].startswith("https://")


def test_snooze_from_the_view(qtbot: QtBot, view: MenteesView) -> None:
    row = next(r for r in view.model.all_rows() if not r.archived)
    view.select_mentee(row.id)
    view.snooze_action.trigger()
    qtbot.waitUntil(lambda: shown_row(view, row.id).health.snoozed)
    assert view.snooze_action.text().startswith("Wake")
    view.context.undo_stack.undo()
    assert MenteeService(view.context.db).get(row.id).snoozed_until is None


def test_red_notice_at_most_once_a_day(qtbot: QtBot, view: MenteesView) -> None:
    reds = [r for r in view.model.all_rows() if r.health.level is Level.RED
            and not r.health.snoozed and not r.archived]
    assert reds, "the demo data has overdue mentees"
    qtbot.waitUntil(lambda: len(view.notifier.sent) == 1)
    assert view.banner.isVisibleTo(view) and "check-in" in view.banner_text.text()
    # `loaded` is already true before a reload: wait for this reload's own ready signal.
    with qtbot.waitSignal(view.ready, timeout=10_000):
        view.reload()
    qtbot.wait(50)  # the red check runs in the event-loop turn after `ready`
    assert len(view.notifier.sent) == 1


def test_editor_validates_as_you_type(qtbot: QtBot) -> None:
    create_application()
    dialog = MenteeEditor(None, "New mentee", MenteeInput("", timezone="Europe/Berlin"))
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.save_button.isEnabled()
    assert not dialog._errors["name"].isVisible()  # not an error before typing
    type_text(dialog.name, "Ana")
    assert dialog.save_button.isEnabled()
    type_text(dialog.email, "ana@")
    assert not dialog.save_button.isEnabled() and dialog._errors["email"].isVisible()
    type_text(dialog.email, "example.org")
    assert dialog.save_button.isEnabled() and not dialog._errors["email"].isVisible()
    type_text(dialog.link, "https://zoom.us/j/5")
    assert "Zoom" in dialog.link_hint.text()
    dialog.target_gap.setValue(20)
    dialog.max_gap.setValue(10)
    assert not dialog.save_button.isEnabled() and dialog._errors["gaps"].isVisible()
    dialog.max_gap.setValue(30)
    dialog.name.clear()
    assert dialog._errors["name"].isVisible()


def test_zone_picker_finds_by_city_and_abbreviation(qtbot: QtBot) -> None:
    create_application()
    picker = editor_module.ZonePicker()
    qtbot.addWidget(picker)
    picker.show()
    type_text(picker, "IST")
    assert "Asia/Kolkata" in picker._names
    picker.clear()
    type_text(picker, "Berlin")
    assert picker._names[0] == "Europe/Berlin"
    picker._picked(picker._matches.stringList()[0])
    assert picker.zone() == "Europe/Berlin"


def test_import_from_the_view_and_undo_it(qtbot: QtBot, view: MenteesView, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[tuple[bool, str]] = []
    monkeypatch.setattr(view_module, "show_import_report",
                        lambda parent, ok, text: shown.append((ok, text)))
    existing = next(r for r in view.model.all_rows() if r.email)
    service = MenteeService(view.context.db)
    before = service.get(existing.id).data
    csv_file = tmp_path / "in.csv"
    csv_file.write_text("name,email,timezone,tags\n"
                        "Kwame Mensah,kwame@example.org,Africa/Accra,new\n"
                        f"{existing.name},{existing.email},Asia/Kathmandu,imported\n",
                        encoding="utf-8")
    monkeypatch.setattr(view_module, "choose_import_file", lambda parent: csv_file)
    total = view.model.total()
    view.import_action.trigger()
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert shown[0][0] and "1 new, 1 updated" in shown[0][1]
    qtbot.waitUntil(lambda: view.model.total() == total + 1, timeout=10_000)
    after = service.get(existing.id).data
    assert after.timezone == "Asia/Kathmandu" and after.tags == ("imported",)
    # One undo takes the whole import back; redo brings it again.
    stack = view.context.undo_stack
    assert stack.undoText() == "Import in.csv"
    stack.undo()
    qtbot.waitUntil(lambda: view.model.total() == total, timeout=10_000)
    assert service.get(existing.id).data == before
    stack.redo()
    qtbot.waitUntil(lambda: view.model.total() == total + 1, timeout=10_000)
    assert service.get(existing.id).data == after
    assert "Kwame Mensah" in {r.name for r in view.model.all_rows()}


def test_welcome_state_and_first_mentee(qtbot: QtBot, db: Database, qt_settings: QSettings,
                                        monkeypatch: pytest.MonkeyPatch,
                                        no_dialogs: list[str]) -> None:
    create_application()
    page = MenteesView(build_context(db, qt_settings))
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.loaded)
    assert page.welcome.isVisible()
    monkeypatch.setattr(MenteeEditor, "ask", classmethod(
        lambda cls, *a, **k: MenteeInput("First", timezone="UTC")))
    page.welcome.buttons[0].click()
    assert not page.welcome.isVisible() and page.table.isVisible()
    assert page.current_id() is not None
    assert page.model.total() == 1


def test_service_rows_drive_the_profile_for_held_sessions(qtbot: QtBot, view: MenteesView
                                                          ) -> None:
    row = next(r for r in view.model.all_rows() if not r.archived)
    add_session(view.context.db, row.id, datetime.now(UTC) - timedelta(hours=1))
    view.context.bus.notify(Change.SESSIONS)
    qtbot.waitUntil(lambda: shown_row(view, row.id).health.days_since == 0, timeout=10_000)


def test_filter_work_per_keystroke_is_bounded_yet_complete(
        qtbot: QtBot, view: MenteesView) -> None:
    rows = fake_rows(FETCH_BATCH * 5)
    view.model.set_rows(rows)
    view.model.fetch_all()  # as if the mentor had scrolled to the bottom
    assert view.model.rowCount() == FETCH_BATCH * 5
    view.filter.setText("01")
    # The proxy filters only the rows the source exposes: one batch, not all 2,000.
    assert view.model.rowCount() == FETCH_BATCH
    expected = set(matching_ids(rows, "01"))
    assert len(expected) > FETCH_BATCH // 4
    # Further batches arrive as the view asks for them, until every match is listed.

    def complete() -> bool:
        view.table.scrollToBottom()
        return set(proxy_ids(view)) == expected

    qtbot.waitUntil(complete, timeout=10_000)


def test_changes_while_hidden_reload_once_when_shown(qtbot: QtBot, view: MenteesView) -> None:
    serial = view._load_serial
    view.hide()
    for _ in range(5):
        view.context.bus.notify(Change.NOTES)
        view.context.bus.notify(Change.SESSIONS)
    qtbot.wait(100)
    assert view._load_serial == serial  # nothing reloaded while hidden
    view.show()
    view.activated()
    qtbot.waitUntil(lambda: view._load_serial == serial + 1)
    qtbot.wait(100)
    assert view._load_serial == serial + 1  # one reload for all ten notices
    # A note saved while the view is visible refreshes the profile, not the whole list.
    row = next(r for r in view.model.all_rows() if not r.archived)
    view.select_mentee(row.id)
    with view.context.db.transaction() as s:
        s.add(Note(mentee_id=row.id, session_id=None, body="x"))
    view.context.bus.notify(Change.NOTES)
    qtbot.wait(100)
    assert view._load_serial == serial + 1


def test_header_click_sorts_and_keeps_the_selection(view: MenteesView) -> None:
    rows = [r for r in view.model.all_rows() if not r.archived]
    chosen = rows[len(rows) // 2].id
    view.select_mentee(chosen)
    view.table.sortByColumn(COL_NAME, Qt.SortOrder.AscendingOrder)
    names = [view.proxy.data(view.proxy.index(r, COL_NAME)) for r in range(3)]
    assert names == sorted(r.name for r in rows)[:3]
    view.table.sortByColumn(COL_NAME, Qt.SortOrder.DescendingOrder)
    assert view.proxy.data(view.proxy.index(0, COL_NAME)) == max(r.name for r in rows)
    assert view.current_id() == chosen
    assert view.proxy.mentee_id(view.table.currentIndex()) == chosen


def test_export_from_the_view(qtbot: QtBot, view: MenteesView, tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.csv"
    monkeypatch.setattr(view_module, "choose_export_file", lambda parent: target)
    view.export_action.trigger()
    qtbot.waitUntil(lambda: view.last_export is not None, timeout=10_000)
    assert view.last_export == (target, view.model.total())
    lines = target.read_bytes().decode("utf-8-sig").splitlines()
    assert lines[0] == "name,email,timezone,cadence,meeting_link,tags,notes"
    assert len(lines) == view.model.total() + 1


def test_filter_is_case_insensitive_beyond_ascii(qtbot: QtBot, view: MenteesView) -> None:
    rows = fake_rows(3)
    names = ["Zoë Dubois", "Мария Иванова", "Straße Groß"]
    rows = [r._replace(name=n, search_key=f"{n} {r.email}".casefold())
            for r, n in zip(rows, names, strict=True)]
    view.model.set_rows(rows)
    for typed, expected in (("ZOË", {1}), ("мария", {2}), ("STRASSE", {3})):
        view.filter.clear()
        type_text(view.filter, typed)
        assert set(proxy_ids(view)) == expected, typed


def test_tag_field_completes_the_tag_being_typed(qtbot: QtBot) -> None:
    create_application()
    dialog = MenteeEditor(None, "New mentee", MenteeInput("Ana", timezone="UTC"),
                          ["career-switch", "data", "design"])
    qtbot.addWidget(dialog)
    completer = dialog.tags.completer()
    assert completer is not None
    type_text(dialog.tags, "data; de")
    assert completer.splitPath(dialog.tags.text()) == ["de"]
    # Choosing it keeps the tags already typed.
    assert completer.currentCompletion() == "data; design"


def test_unknown_zone_in_the_file_does_not_break_the_view(qtbot: QtBot, view: MenteesView
                                                          ) -> None:
    from sqlalchemy import update

    from mentordesk.storage.schema import Mentee

    row = next(r for r in view.model.all_rows() if not r.archived)
    with view.context.db.transaction() as s:
        s.execute(update(Mentee).where(Mentee.id == row.id).values(timezone="Mars/Olympus"))
    view.reload()
    qtbot.waitUntil(lambda: shown_row(view, row.id).timezone == "Mars/Olympus")
    view.select_mentee(row.id)
    profile = view.profile.profile
    assert profile is not None and profile.mentee.id == row.id
    local = view.model.data(view.model.index(view.model._row_of[row.id], COL_LOCAL))
    assert local  # shown as UTC rather than failing
    tip = view.model.data(view.model.index(view.model._row_of[row.id], COL_LOCAL),
                          Qt.ItemDataRole.ToolTipRole)
    assert "Unknown time zone" in tip


@pytest.mark.parametrize("column", range(6))
@pytest.mark.parametrize("order", [Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder])
def test_every_sort_breaks_ties_a_to_z_in_both_directions(
        models: tuple[MenteeTableModel, MenteeFilterProxy], column: int,
        order: Qt.SortOrder) -> None:
    model, _ = models
    rows = fake_rows(120)
    names = [r.name for r in rows]
    random.Random(column).shuffle(names)  # so A→Z differs from id order
    rows = [r._replace(name=n, search_key=" ".join((n, r.email, *r.tags)).casefold())
            for r, n in zip(rows, names, strict=True)]
    random.Random(column + 1).shuffle(rows)
    model.set_rows(rows)
    model.sort(column, order)
    got = [model.mentee(r) for r in range(model.rowCount())]
    key = _SORT_KEYS[column]
    # The reference: a stable sort by (search key, id), then by the column's key.
    expected = sorted(rows, key=lambda r: (r.search_key, r.id))
    expected.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
    assert [r.id for r in got if r is not None] == [r.id for r in expected]


def test_service_rows_arrive_in_the_tables_default_order(
        models: tuple[MenteeTableModel, MenteeFilterProxy], db: Database) -> None:
    from mentordesk.services.demo import generate_demo

    generate_demo(db, mentees=60)
    rows = MenteeService(db).list_rows(include_archived=True, now=NOW)
    model, _ = models
    model.set_rows(rows)
    assert model.sort_state() == (COL_HEALTH, Qt.SortOrder.AscendingOrder)
    assert [model.mentee(r) for r in range(model.rowCount())] == rows


def test_rows_in_default_order_are_taken_as_they_come_only_under_the_default_sort(
        models: tuple[MenteeTableModel, MenteeFilterProxy]) -> None:
    model, _ = models
    rows = fake_rows(30)
    random.Random(3).shuffle(rows)
    # Under the default sort the service's order is trusted (no sort keys are built)...
    model.set_rows(rows, in_default_order=True)
    assert [model.mentee(r) for r in range(model.rowCount())] == rows
    assert all(model.row_for_id(r.id) == i for i, r in enumerate(rows))
    # ...under any other sort the rows are sorted as usual.
    model.sort(COL_NAME, Qt.SortOrder.AscendingOrder)
    model.set_rows(rows, in_default_order=True)
    got = [model.mentee(r) for r in range(model.rowCount())]
    assert [r.id for r in got if r is not None] == [
        r.id for r in sorted(rows, key=lambda r: (r.search_key, r.id))]


def test_a_big_import_shows_progress_and_cancelling_imports_nothing(
        qtbot: QtBot, view: MenteesView, tmp_path: Path, no_dialogs: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    import mentordesk.services.csv_io as csv_io

    shown: list[tuple[bool, str]] = []
    monkeypatch.setattr(view_module, "show_import_report",
                        lambda parent, ok, text: shown.append((ok, text)))
    monkeypatch.setattr(csv_io, "BATCH_ROWS", 100)
    # Hold the import at its staging step until the test has pressed Cancel.
    gate = threading.Event()
    staging = csv_io._stage

    def held(*args: object) -> None:
        assert gate.wait(10)
        staging(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(csv_io, "_stage", held)
    csv_file = tmp_path / "big.csv"
    csv_file.write_text("name,email\n" + "".join(f"New {i},new{i}@example.org\n"
                                                 for i in range(1000)), encoding="utf-8")
    total, undo_steps = view.model.total(), view.context.undo_stack.count()
    view.import_file(csv_file)
    progress = view.import_progress
    assert progress is not None
    qtbot.waitUntil(lambda: progress.last_step.startswith("Matching"), timeout=10_000)
    qtbot.waitUntil(progress.dialog.isVisible, timeout=5_000)  # not modal: only shown
    assert not progress.dialog.isModal()
    from PySide6.QtWidgets import QPushButton

    button = progress.dialog.findChild(QPushButton)
    assert button is not None and button.text() == "Cancel"
    button.click()
    gate.set()
    qtbot.waitUntil(lambda: bool(no_dialogs), timeout=10_000)
    assert no_dialogs == ["The import of big.csv was cancelled; nothing was imported."]
    assert not shown and view.context.undo_stack.count() == undo_steps
    from shiboken6 import isValid

    qtbot.waitUntil(lambda: not isValid(progress.dialog), timeout=5_000)  # closed and gone
    with view.context.db.reader() as s:
        from mentordesk.storage.schema import Mentee

        assert s.scalar(select(func.count()).select_from(Mentee)) == total


def test_an_import_reports_each_step_and_closes_its_dialog(
        qtbot: QtBot, view: MenteesView, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import mentordesk.services.csv_io as csv_io

    shown: list[tuple[bool, str]] = []
    monkeypatch.setattr(view_module, "show_import_report",
                        lambda parent, ok, text: shown.append((ok, text)))
    monkeypatch.setattr(csv_io, "BATCH_ROWS", 100)
    steps: list[str] = []
    csv_file = tmp_path / "some.csv"
    csv_file.write_text("name\n" + "".join(f"Some {i}\n" for i in range(500)), encoding="utf-8")
    total = view.model.total()
    view.import_file(csv_file)
    progress = view.import_progress
    assert progress is not None
    progress._reported.connect(lambda _d, _t, what: steps.append(what))
    with qtbot.waitSignal(progress.destroyed, timeout=10_000):
        pass
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert shown[0] == (True, "Imported 500 of 500 rows from some.csv: 500 new, 0 updated.")
    assert steps and steps[-1] == f"Saving to {view.context.db.path.name}…"
    qtbot.waitUntil(lambda: view.model.total() == total + 500, timeout=10_000)
