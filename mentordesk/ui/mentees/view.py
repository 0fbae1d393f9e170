"""The Mentees view: the mentor's home screen — who do I mentor, where are they, who needs
me now.

The mentee service, the form and the CSV import are imported when first used: the view is
the first one at start-up and must answer before they (and SQLAlchemy with the service)
are loaded.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from mentordesk.domain import timezones
from mentordesk.errors import KnownError
from mentordesk.services.mentee_rows import MenteeRow, has_mentees, health_counts, newly_red
from mentordesk.ui.actions import make_action
from mentordesk.ui.context import EVERYTHING, AppContext, Change, ChangeNotice
from mentordesk.ui.errors import show_failure, show_known_error
from mentordesk.ui.i18n import tr
from mentordesk.ui.mentees.commands import (
    AddMenteeCommand,
    ArchiveMenteeCommand,
    DeleteMenteeCommand,
    EditMenteeCommand,
    ImportMenteesCommand,
    SnoozeMenteeCommand,
)
from mentordesk.ui.mentees.loading import load_rows, take_preload
from mentordesk.ui.mentees.model import (
    COL_HEALTH,
    COL_LAST,
    COL_LOCAL,
    COL_NAME,
    COL_NEXT,
    COL_TAGS,
    FETCH_BATCH,
    MenteeFilterProxy,
    MenteeTableModel,
)
from mentordesk.ui.mentees.notify import RedNotifier
from mentordesk.ui.mentees.profile import ProfilePanel
from mentordesk.ui.operations import Op, OpCommand, run_command
from mentordesk.ui.resources import icon
from mentordesk.ui.tasks import TaskControl, run_task
from mentordesk.ui.view_page import ViewPage
from mentordesk.ui.widgets.empty_state import EmptyState

if TYPE_CHECKING:
    from mentordesk.services.mentees import MenteeService
    from mentordesk.ui.mentees.import_progress import ImportProgress

log = logging.getLogger(__name__)

WATCHED = Change.MENTEES | Change.SESSIONS | Change.NOTES | Change.GOALS | Change.ACTIONS
# What the list's columns and health depend on (the rest only shows in the profile).
LIST_KINDS = Change.MENTEES | Change.SESSIONS
SNOOZE_DAYS = 7


def confirm_delete(parent: QWidget | None, name: str) -> bool:
    """Ask before deleting (tests replace this)."""
    answer = QMessageBox.question(
        parent, "Delete mentee",
        f"Delete {name} with all their goals, sessions and notes?\n\n"
        "You can undo this (Ctrl+Z) until you close MentorDesk. To keep their history "
        "but hide them, archive instead.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel)
    return answer == QMessageBox.StandardButton.Yes


def choose_import_file(parent: QWidget | None) -> Path | None:
    path, _ = QFileDialog.getOpenFileName(parent, "Import mentees from CSV", str(Path.home()),
                                          "CSV files (*.csv);;All files (*)")
    return Path(path) if path else None


def choose_export_file(parent: QWidget | None) -> Path | None:
    path, _ = QFileDialog.getSaveFileName(parent, "Export mentees to CSV",
                                          str(Path.home() / "mentees.csv"),
                                          "CSV files (*.csv)")
    if not path:
        return None
    target = Path(path)
    return target if target.suffix else target.with_suffix(".csv")


def show_import_report(parent: QWidget | None, ok: bool, text: str) -> None:
    """Show the import result (tests replace this)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Information if ok else QMessageBox.Icon.Warning)
    box.setWindowTitle("Import mentees")
    first, _, rest = text.partition("\n")
    box.setText(first)
    if rest:
        box.setDetailedText(rest)
        box.setInformativeText(rest if rest.count("\n") < 8 else "See the details.")
    box.exec()


class MenteesView(ViewPage):
    view_id = "mentees"
    title = "Mentees"
    icon_name = "mentees"

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self._service: MenteeService | None = None
        self.mentor_zone = timezones.mentor_zone()
        self.loaded = False
        self.last_import: object | None = None
        self.import_progress: ImportProgress | None = None
        self.last_export: tuple[Path, int] | None = None
        self._load_serial = 0
        self._current_id: int | None = None
        self._quiet = False
        self._stale_list = False
        self._stale_profile = False
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(30)
        self._reload_timer.timeout.connect(self.reload)
        self._build_actions()

        # Widgets are made inside their parents (top-down): with an application style sheet,
        # every reparenting of a built subtree re-polishes all of it (~15 ms here).
        self._pages = QStackedWidget(self)
        self.welcome = EmptyState(
            "mentees",
            "Welcome to MentorDesk",
            "Keep every mentee's goals, sessions and notes in one place. Start by adding the "
            "people you mentor, or bring them in from a spreadsheet.",
            [self._labelled(self.new_action, "Add your first mentee"),
             self._labelled(self.import_action, "Import from CSV")],
            self._pages,
        )
        self._pages.addWidget(self.welcome)
        self._pages.addWidget(self._build_main(self._pages))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._pages)

        self.notifier = RedNotifier(self, self._show_banner)
        context.bus.changed.connect(self._on_changed)
        context.bus.mentee_selected.connect(self._on_mentee_selected)
        self._update_actions()
        self._show_page(not has_mentees(context.db))
        self.reload()

    @property
    def service(self) -> MenteeService:
        """The mentee service, imported on first use: the list needs only ``mentee_rows``,
        and the rest of the service is ~10 ms of start-up (its dataclasses) better spent
        after the list answers."""
        if self._service is None:
            from mentordesk.services.mentees import MenteeService

            self._service = MenteeService(self.context.db)
        return self._service

    # -- construction --------------------------------------------------------------------
    def _build_actions(self) -> None:
        self.new_action = make_action(self, "&New Mentee…", self.new_mentee,
                                      shortcut=QKeySequence.StandardKey.New, icon_name="add")
        if self.new_action.shortcut().isEmpty():
            self.new_action.setShortcut(QKeySequence("Ctrl+N"))
        self.import_action = make_action(self, "&Import Mentees from CSV…", self.import_csv,
                                         shortcut="Ctrl+I", icon_name="import")
        self.export_action = make_action(self, "E&xport Mentees to CSV…", self.export_csv,
                                         shortcut="Ctrl+Alt+E", icon_name="export")
        # The actions on the selected mentee are local: their keys work only while this view
        # has focus, so Delete in another view's list never deletes a mentee.
        self.edit_action = make_action(self, "&Open / Edit Mentee…", self.edit_current,
                                       shortcut="Ctrl+O", icon_name="edit", local=True)
        self.join_action = make_action(self, "&Join Call", self.join_call,
                                       shortcut="Ctrl+J", icon_name="video", local=True)
        self.archive_action = make_action(self, "&Archive", self.toggle_archive,
                                          shortcut="Ctrl+Shift+A", icon_name="archive",
                                          local=True)
        self.snooze_action = make_action(self, f"&Snooze for {SNOOZE_DAYS} Days",
                                         self.toggle_snooze, shortcut="Ctrl+Shift+S",
                                         icon_name="bell", local=True)
        self.delete_action = make_action(self, "&Delete Mentee…", self.delete_current,
                                         shortcut="Ctrl+Del", icon_name="delete", local=True)
        self.show_archived_action = QAction("Show A&rchived Mentees", self)
        self.show_archived_action.setShortcut(QKeySequence("Ctrl+Shift+H"))
        self.show_archived_action.setShortcutContext(
            Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(self.show_archived_action)
        self.show_archived_action.setCheckable(True)
        self.show_archived_action.toggled.connect(self.set_show_archived)

    def _labelled(self, action: QAction, text: str) -> QAction:
        proxy = QAction(action.icon(), text, self)
        proxy.triggered.connect(action.trigger)
        return proxy

    def _build_main(self, parent: QWidget) -> QWidget:
        main = QWidget(parent)
        outer = QVBoxLayout(main)
        outer.setContentsMargins(10, 8, 10, 6)
        outer.setSpacing(6)

        bar = QHBoxLayout()
        self.filter = QLineEdit(main)
        self.filter.setObjectName("menteeFilter")
        self.filter.setAccessibleName("Filter mentees")
        self.filter.setPlaceholderText("Filter by name, email or tag  (Ctrl+F)")
        self.filter.setClearButtonEnabled(True)
        search_mark = self.filter.addAction(icon("search"),
                                            QLineEdit.ActionPosition.LeadingPosition)
        search_mark.setText("Filter")
        for button in self.filter.findChildren(QToolButton):
            button.setAccessibleName("Clear filter" if button.defaultAction() is None
                                     else "Filter")
        self.filter.textChanged.connect(self._filter_changed)
        self.filter.returnPressed.connect(self._filter_enter)
        bar.addWidget(self.filter, 1)
        self.archived_box = QCheckBox("Show archived", main)
        self.archived_box.setAccessibleName("Show archived mentees")
        self.archived_box.toggled.connect(self.show_archived_action.setChecked)
        bar.addWidget(self.archived_box)
        self.add_button = QPushButton(icon("add", on_accent=True), "New mentee", main)
        self.add_button.setProperty("role", "primary")
        self.add_button.setAccessibleName("New mentee")
        self.add_button.setToolTip(self.new_action.toolTip())
        self.add_button.clicked.connect(self.new_action.trigger)
        bar.addWidget(self.add_button)
        outer.addLayout(bar)

        self.banner = QFrame(main)
        self.banner.setProperty("role", "card")
        banner_row = QHBoxLayout(self.banner)
        banner_row.setContentsMargins(10, 6, 6, 6)
        self.banner_text = QLabel(self.banner)
        self.banner_text.setWordWrap(True)
        self.banner_text.setAccessibleName("Notice")
        dismiss = QPushButton(icon("close"), "Dismiss", self.banner)
        dismiss.setAccessibleName("Dismiss notice")
        dismiss.clicked.connect(self.banner.hide)
        bell = QLabel(self.banner)
        bell.setPixmap(icon("bell").pixmap(18, 18))
        banner_row.addWidget(bell)
        banner_row.addWidget(self.banner_text, 1)
        banner_row.addWidget(dismiss)
        self.banner.hide()
        outer.addWidget(self.banner)

        self.model = MenteeTableModel(self, mentor_zone=self.mentor_zone)
        self.proxy = MenteeFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.model.sort_started.connect(self._sort_started)
        self.model.sort_done.connect(self._sort_done)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, main)
        self.splitter.setObjectName("menteeSplitter")
        list_box = QWidget(self.splitter)
        self.table = QTableView(list_box)
        self.table.setObjectName("menteeTable")
        self.table.setAccessibleName("Mentees")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.setSortingEnabled(True)
        vertical = self.table.verticalHeader()
        vertical.hide()
        # Fixed row heights are QTableView's uniform row heights: no per-row size queries.
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(max(26, self.fontMetrics().height() + 10))
        header = self.table.horizontalHeader()
        header.setAccessibleName("Mentee columns")
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        # Health fits its longest word beside the dot.
        health_width = max(96, self.fontMetrics().horizontalAdvance("Not met yet") + 44)
        for col, width in ((COL_NAME, 170), (COL_HEALTH, health_width), (COL_LOCAL, 112),
                           (COL_NEXT, 136), (COL_LAST, 100), (COL_TAGS, 96)):
            self.table.setColumnWidth(col, width)
        self.table.horizontalHeader().setSortIndicator(COL_HEALTH, Qt.SortOrder.AscendingOrder)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.activated.connect(lambda _index: self.edit_current())
        # Plain Delete works in the list itself (the menu's Ctrl+Del works anywhere here).
        delete_key = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table)
        delete_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete_key.activated.connect(self.delete_current)

        self.no_match = QLabel(list_box)
        self.no_match.setProperty("role", "subtitle")
        self.no_match.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_match.hide()
        list_layout = QVBoxLayout(list_box)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addWidget(self.table, 1)
        list_layout.addWidget(self.no_match)

        self.profile = ProfilePanel(self.splitter)
        self.profile.set_actions(self.edit_action, self.snooze_action)
        self.splitter.addWidget(list_box)
        self.splitter.addWidget(self.profile)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([760, 420])
        outer.addWidget(self.splitter, 1)

        self.summary = QLabel("Loading mentees…", main)
        self.summary.setProperty("role", "subtitle")
        self.summary.setAccessibleName("Mentee summary")
        outer.addWidget(self.summary)
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.modelReset,
                       self.proxy.layoutChanged):
            signal.connect(self._update_no_match)
        return main

    def menu_actions(self) -> dict[str, list[QAction]]:
        return {
            "&File": [self.new_action, self.import_action, self.export_action],
            "&Mentee": [self.edit_action, self.join_action, self.snooze_action,
                        self.archive_action, self.delete_action, self.show_archived_action],
        }

    # -- loading -------------------------------------------------------------------------
    def _show_page(self, empty: bool) -> None:
        self._pages.setCurrentIndex(0 if empty else 1)

    def refresh(self) -> None:
        """Reload soon (coalesces bursts of change notices into one load)."""
        self._reload_timer.start()

    def reload(self) -> None:
        """Load every row in the background; the GUI never waits for the query."""
        self._load_serial += 1
        serial = self._load_serial
        db = self.context.db
        preload = take_preload(self.context)
        if preload is not None:
            # Start-up: the window started this query before building the view.
            preload.then(lambda loaded: self._loaded((serial, *loaded)), self._load_failed)
            return

        def work(_control: TaskControl) -> tuple[int, list[MenteeRow], datetime]:
            rows, now = load_rows(db)
            return serial, rows, now

        run_task(work, on_success=self._loaded, on_error=self._load_failed)

    def _loaded(self, result: tuple[int, list[MenteeRow], datetime]) -> None:
        serial, rows, now = result
        if serial != self._load_serial:
            return  # a newer load is on its way
        keep = self._current_id
        self.model.set_rows(rows, in_default_order=True)
        self.loaded = True
        self._show_page(not rows)
        self._update_summary(rows)
        if keep is not None and self.select_mentee(keep):
            self._show_profile(keep)
        elif keep is not None:
            self._current_id = None
            self.profile.set_profile(None)
            self.context.select_mentee(None)
        self._update_actions()
        # Rows are in and the filter answers from here on.
        QTimer.singleShot(0, self, self.ready.emit)
        # Recording a notification is a write (the first one imports SQLAlchemy): after the
        # list answers, never before.
        QTimer.singleShot(0, self, lambda: self._check_red(rows, now))

    def _load_failed(self, exc: BaseException) -> None:
        show_failure(self, exc)

    def _update_summary(self, rows: list[MenteeRow]) -> None:
        active = [r for r in rows if not r.archived]
        counts = health_counts(active)
        archived = len(rows) - len(active)
        parts = [tr("%n mentee(s)", "", len(active)), f"{counts['red']} overdue",
                 f"{counts['amber']} due", f"{counts['green']} on track"]
        if counts["not_met"]:
            parts.append(f"{counts['not_met']} not met yet")
        if counts["snoozed"]:
            parts.append(f"{counts['snoozed']} snoozed")
        parts.append(f"{counts['nothing_scheduled']} with nothing scheduled")
        if archived:
            parts.append(f"{archived} archived")
        self.summary.setText(" · ".join(parts))

    def _check_red(self, rows: list[MenteeRow], now: datetime) -> None:
        today = now.astimezone(timezones.zone(self.mentor_zone)).date()
        if any(r.health_notified_on == today for r in rows):
            return  # at most one notification a day
        found = newly_red(rows, now)
        if not found:
            return
        try:
            self.service.mark_notified([r.id for r in found], today)
        except KnownError as exc:
            log.info("could not record the health notification: %s", exc)
            return
        self.notifier.notify(found, today)

    def _show_banner(self, title: str, text: str) -> None:
        self.banner_text.setText(f"<b>{title}</b> — {text}")
        self.banner.show()

    # -- selection and profile -----------------------------------------------------------
    def current_id(self) -> int | None:
        return self._current_id

    def select_mentee(self, mentee_id: int) -> bool:
        """Select a mentee's row (fetching rows up to it if needed); False if not shown."""
        index = self.proxy.index_of(mentee_id)
        if not index.isValid():
            return False
        selection = self.table.selectionModel()
        if self.proxy.mentee_id(self.table.currentIndex()) != mentee_id:
            selection.setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)
        return True

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._quiet:
            return
        mentee_id = self.proxy.mentee_id(current)
        if mentee_id == self._current_id:
            return
        self._current_id = mentee_id
        self._show_profile(mentee_id)
        self._update_actions()
        self.context.select_mentee(mentee_id)

    def _on_mentee_selected(self, mentee_id: int) -> None:
        if mentee_id >= 0 and mentee_id != self._current_id and self.loaded:
            self.select_mentee(mentee_id)

    def _show_profile(self, mentee_id: int | None) -> None:
        if mentee_id is None:
            self.profile.set_profile(None)
            return
        try:
            profile = self.service.profile(mentee_id)
        except KnownError as exc:
            log.info("profile not shown: %s", exc)
            self.profile.set_profile(None)
            return
        self.profile.set_profile(profile, mentor_zone=self.mentor_zone,
                                 now=datetime.now(UTC))
        self._update_actions()

    def _current_row(self) -> MenteeRow | None:
        if self._current_id is None:
            return None
        row = self.model.row_for_id(self._current_id)
        return self.model.mentee(row) if row is not None else None

    def _update_actions(self) -> None:
        row = self._current_row()
        has = row is not None
        for action in (self.edit_action, self.archive_action, self.delete_action,
                       self.snooze_action):
            action.setEnabled(has)
        profile = self.profile.profile
        self.join_action.setEnabled(has and profile is not None
                                    and profile.mentee.call_provider is not None)
        if row is not None and row.archived:
            self.archive_action.setText("Un&archive")
        else:
            self.archive_action.setText("&Archive")
        if row is not None and row.health.snoozed:
            self.snooze_action.setText("Wake &Up (End Snooze)")
        else:
            self.snooze_action.setText(f"&Snooze for {SNOOZE_DAYS} Days")

    def _sort_started(self) -> None:
        self._quiet = True

    def _sort_done(self) -> None:
        self._quiet = False
        keep = self._current_id
        if keep is not None and not self.select_mentee(keep):
            self._current_changed(QModelIndex(), QModelIndex())
        if keep is None:
            self.table.scrollToTop()

    # -- filter --------------------------------------------------------------------------
    def focus_filter(self) -> None:
        if self.model.total():
            self._pages.setCurrentIndex(1)
        self.filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter.selectAll()

    def _filter_changed(self, text: str) -> None:
        # Each keystroke filters only the first batch of rows, however far the list was
        # scrolled: the work per keystroke stays bounded at 10,000 mentees, and the view
        # fetches further batches (each filtered as it arrives) while it has room.
        keep = self._current_id
        self._quiet = True
        try:
            self.model.shrink_exposure(FETCH_BATCH)
            self.proxy.set_filter_text(text)
            index = QModelIndex()
            if keep is not None and self.model.is_exposed(keep):
                index = self.proxy.index_of(keep)
            if index.isValid():
                self.table.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows)
        finally:
            self._quiet = False
        if keep is not None and not index.isValid():
            self._current_changed(QModelIndex(), QModelIndex())
        self._update_no_match()

    def _filter_enter(self) -> None:
        """Enter in the filter picks the first match and moves to the list."""
        if self.proxy.rowCount() == 0:
            return
        self.table.setFocus()
        index = self.proxy.index(0, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)

    def _update_no_match(self) -> None:
        text = self.filter.text().strip()
        empty = self.proxy.rowCount() == 0 and not self.model.canFetchMore()
        if empty and text:
            self.no_match.setText(f"No mentee matches “{text}”. Try part of a name, an email "
                                  "or a tag.")
        elif empty and self.model.total():
            self.no_match.setText("Every mentee is archived. Tick “Show archived” to see them.")
        self.no_match.setVisible(empty and self.loaded and bool(self.model.total()))

    def set_show_archived(self, show: bool) -> None:
        self.archived_box.setChecked(show)
        self.show_archived_action.setChecked(show)
        self.proxy.set_show_archived(show)
        self._update_no_match()

    # -- changes from anywhere -----------------------------------------------------------
    def _on_changed(self, notice: ChangeNotice) -> None:
        kinds = notice.changes
        if not kinds & WATCHED:
            return
        if not self.isVisible():
            # Notes autosave and board moves happen while this view is hidden: reload once
            # when it is shown again instead of on every save.
            self._stale_list = self._stale_list or bool(kinds & LIST_KINDS)
            self._stale_profile = True
            return
        if kinds & LIST_KINDS:
            self.refresh()  # the profile follows the reload
        elif self._current_id is not None:
            # Notes, goals and action items show only in the profile.
            self._show_profile(self._current_id)

    def activated(self) -> None:
        if self._stale_list:
            self._stale_list = self._stale_profile = False
            self.refresh()
        elif self._stale_profile or (self.loaded and self._current_id is not None):
            self._stale_profile = False
            if self._current_id is not None:
                self._show_profile(self._current_id)

    # -- commands ------------------------------------------------------------------------
    def _push(self, command: OpCommand) -> bool:
        return run_command(command, self)

    def new_mentee(self) -> None:
        from mentordesk.services.mentees import MenteeInput

        initial = MenteeInput(name="", timezone=self.mentor_zone)
        from mentordesk.ui.mentees.editor import MenteeEditor  # not needed to show the list

        data = MenteeEditor.ask(self, "New mentee", initial, self.service.all_tags())
        if data is None:
            return
        command = AddMenteeCommand(self.context, self.service, data)
        if self._push(command) and command.mentee_id is not None:
            row = self.service.row(command.mentee_id)
            if row is not None:
                self.model.upsert(row)
                self._show_page(False)
                self.select_mentee(row.id)

    def edit_current(self) -> None:
        mentee_id = self._current_id
        if mentee_id is None:
            return
        try:
            before = self.service.get(mentee_id).data
        except KnownError as exc:
            show_known_error(self, exc)
            return
        from mentordesk.ui.mentees.editor import MenteeEditor

        after = MenteeEditor.ask(self, f"Edit {before.name}", before, self.service.all_tags())
        if after is None or after == before:
            return
        if self._push(EditMenteeCommand(self.context, self.service, mentee_id, before, after)):
            self._refresh_one(mentee_id)

    def toggle_archive(self) -> None:
        row = self._current_row()
        if row is None:
            return
        self._push(ArchiveMenteeCommand(self.context, self.service, row.id, row.name,
                                        not row.archived))
        self._refresh_one(row.id)

    def toggle_snooze(self) -> None:
        row = self._current_row()
        if row is None:
            return
        after = None if row.health.snoozed else datetime.now(UTC) + timedelta(days=SNOOZE_DAYS)
        self._push(SnoozeMenteeCommand(self.context, self.service, row.id, row.name,
                                       row.snoozed_until, after))
        self._refresh_one(row.id)

    def delete_current(self) -> None:
        row = self._current_row()
        if row is None or not confirm_delete(self, row.name):
            return
        if self._push(DeleteMenteeCommand(self.context, self.service, row.id, row.name)):
            self.model.remove_id(row.id)

    def join_call(self) -> None:
        if not self.profile.join_call():
            self._status("This mentee has no Meet, Zoom or Teams link.")

    def _refresh_one(self, mentee_id: int) -> None:
        """Update one row at once; the full reload from the change notice follows."""
        row = self.service.row(mentee_id)
        if row is None:
            self.model.remove_id(mentee_id)
            return
        keep = self._current_id
        # The row may be re-inserted (filter fields changed): keep the selection meanwhile.
        self._quiet = True
        try:
            self.model.upsert(row)
            still_shown = keep is not None and self.select_mentee(keep)
        finally:
            self._quiet = False
        if keep is not None and not still_shown:
            self._current_changed(QModelIndex(), QModelIndex())
        elif mentee_id == keep:
            self._show_profile(mentee_id)
        self._update_actions()

    # -- CSV -----------------------------------------------------------------------------
    def import_csv(self) -> None:
        path = choose_import_file(self)
        if path is not None:
            self.import_file(path)

    def import_file(self, path: Path, *, skip_invalid: bool = False) -> None:
        """Import in the background; all or nothing unless ``skip_invalid``."""
        from mentordesk.services.csv_io import ImportReport, import_mentees_csv
        from mentordesk.ui.mentees.import_progress import ImportProgress

        db = self.context.db
        self._status(f"Importing {path.name}…")
        service = self.service
        progress = ImportProgress(path.name, self)
        self.import_progress = progress
        zone = self.mentor_zone

        def run() -> ImportReport:
            try:
                return import_mentees_csv(db, path, skip_invalid=skip_invalid,
                                          default_zone=zone, progress=progress.report,
                                          cancelled=progress.cancelled)
            finally:
                progress.ended()

        def imported(report: ImportReport) -> None:
            self.last_import = report
            show_import_report(self, report.ok, report.summary())

        def undo_entry(report: ImportReport) -> ImportMenteesCommand | None:
            if not report.imported:
                return None
            return ImportMenteesCommand(self.context, service, path.name, report.created_ids,
                                        report.updated_before)

        (Op(self.context, self, run,
            changes=lambda report: EVERYTHING if report.imported else Change.NONE)
         .undo(undo_entry)
         .success(imported)
         .run_in_background())

    def export_csv(self) -> None:
        path = choose_export_file(self)
        if path is not None:
            self.export_file(path)

    def export_file(self, path: Path) -> None:
        """Write the CSV in the background; the status bar says when it is done."""
        from mentordesk.services.csv_io import export_mentees_csv

        db = self.context.db
        self._status(f"Exporting mentees to {path}…")

        def work(_control: TaskControl) -> int:
            return export_mentees_csv(db, path)

        def done(count: int) -> None:
            self.last_export = (path, count)
            self._status(tr("Exported %n mentee(s)", "", count) + f" to {path}")

        run_task(work, on_success=done, on_error=lambda exc: show_failure(self, exc))

    def _status(self, text: str) -> None:
        window = self.window()
        status = getattr(window, "statusBar", None)
        if callable(status):
            status().showMessage(text, 8000)
