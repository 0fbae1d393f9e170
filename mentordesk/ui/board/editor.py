"""The goal editor: what the goal is, how it is measured, its checklist, links and story.

It edits a draft; Save hands the draft to the board, which writes it in one undoable step
and closes the editor only when the save went through (so a validation message never loses
what was typed).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from PySide6.QtCore import QDate, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from mentordesk.domain.goals import Progress, format_number, progress
from mentordesk.services.goals import ColumnInfo, GoalDetails, GoalDraft, StoryEvent
from mentordesk.ui.board.delegates import StoryDelegate
from mentordesk.ui.board.editor_models import LinksModel, MilestonesModel, StoryModel
from mentordesk.ui.resources import icon
from mentordesk.ui.widgets.date_field import typeable
from mentordesk.ui.widgets.form_dialog import FormDialog

MODES = (("milestones", "Milestones checklist"), ("measure", "A number (e.g. 3 talks)"),
         ("manual", "By hand (percent)"))


class NumberSpin(QDoubleSpinBox):
    """A number that reads "3", not "3.00": targets are counts far more often than not."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(2)

    def textFromValue(self, value: float) -> str:
        return format_number(round(value, 2))


def default_due(today: date) -> date:
    """The due date offered when "Due by" is ticked: the end of this quarter, or of the next
    when this one ends within two weeks (never today: that read as due at once)."""
    quarter_end = _quarter_end(today)
    if (quarter_end - today).days < 14:
        quarter_end = _quarter_end(quarter_end + timedelta(days=1))
    return quarter_end


def _quarter_end(day: date) -> date:
    last_month = (day.month - 1) // 3 * 3 + 3
    first_after = date(day.year + last_month // 12, last_month % 12 + 1, 1)
    return first_after - timedelta(days=1)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _button(text: str, icon_name: str, tip: str) -> QPushButton:
    button = QPushButton(icon(icon_name), text)
    button.setAccessibleName(text)
    button.setToolTip(tip)
    return button


class GoalEditor(FormDialog):
    save_requested = Signal()
    discard_what = "goal"

    def __init__(self, columns: Sequence[ColumnInfo], details: GoalDetails | None = None,
                 *, mentees: Sequence[tuple[int, str]] = (), mentee_id: int | None = None,
                 column_id: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.details = details
        self.columns = list(columns)
        self.setObjectName("goalEditor")
        self.setWindowTitle("Edit goal" if details else "New goal")
        self.setAccessibleName(self.windowTitle())
        self.resize(720, 640)
        draft = details.draft if details else GoalDraft(title="")
        self.original = draft
        self._done_column = next((c.id for c in self.columns if c.is_done), None)
        self._was_complete = False

        layout = QVBoxLayout(self)
        # Who the goal is for.
        who = QHBoxLayout()
        who_label = QLabel("For:")
        who.addWidget(who_label)
        self.mentee_combo = QComboBox()
        self.mentee_combo.setAccessibleName("Mentee")
        if details is not None:
            self.mentee_combo.addItem(details.mentee_name, details.mentee_id)
            self.mentee_combo.setEnabled(False)
        else:
            for mid, name in mentees:
                self.mentee_combo.addItem(name, mid)
            # Typing part of a name finds the mentee among thousands.
            self.mentee_combo.setEditable(True)
            self.mentee_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            completer = self.mentee_combo.completer()
            if completer is not None:
                completer.setFilterMode(Qt.MatchFlag.MatchContains)
                completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
            line = self.mentee_combo.lineEdit()
            if line is not None:
                line.setAccessibleName("Mentee name")
                line.setPlaceholderText("Type a mentee's name")
            if mentee_id is not None:
                index = self.mentee_combo.findData(mentee_id)
                if index >= 0:
                    self.mentee_combo.setCurrentIndex(index)
        who_label.setBuddy(self.mentee_combo)
        who.addWidget(self.mentee_combo, 1)
        who.addWidget(QLabel("Column:"))
        self.column_combo = QComboBox()
        self.column_combo.setAccessibleName("Column")
        for c in self.columns:
            self.column_combo.addItem(c.name, c.id)
        start_column = details.column_id if details else column_id
        if start_column is not None and self.column_combo.findData(start_column) >= 0:
            self.column_combo.setCurrentIndex(self.column_combo.findData(start_column))
        who.addWidget(self.column_combo)
        layout.addLayout(who)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Goal sections")
        layout.addWidget(self.tabs, 1)
        self.tabs.addTab(self._goal_tab(draft), "&Goal")
        self.tabs.addTab(self._links_tab(draft), "&Links")
        self.story_model = StoryModel(self)
        if details is not None:
            self.tabs.addTab(self._story_tab(), "&Story")

        self.offer = QFrame()
        self.offer.setObjectName("completionOffer")
        self.offer.setProperty("role", "card")
        offer_row = QHBoxLayout(self.offer)
        self.offer_label = QLabel()
        self.offer_label.setWordWrap(True)
        offer_row.addWidget(self.offer_label, 1)
        self.move_to_done_button = _button("Move to Done", "check",
                                           "Move this goal to the Done column when you save")
        self.move_to_done_button.clicked.connect(self.accept_offer)
        offer_row.addWidget(self.move_to_done_button)
        self.offer.hide()
        layout.addWidget(self.offer)

        self.error_label = QLabel()
        self.error_label.setObjectName("editorError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        layout.addWidget(self.error_label)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setAccessibleName("Save goal")
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.save_requested.emit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self._update_mode()
        self._was_complete = self._progress().complete
        self._update_progress()
        self._validate()
        # What the form says before any typing: closing it unchanged needs no question.
        self._pristine = self.draft()
        self.title_edit.setFocus()

    # -- building ----------------------------------------------------------------------
    def _goal_tab(self, draft: GoalDraft) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.title_edit = QLineEdit(draft.title)
        self.title_edit.setAccessibleName("Title")
        self.title_edit.setPlaceholderText("e.g. Ship 3 portfolio pieces")
        self.title_edit.setMaxLength(300)
        self.title_edit.textChanged.connect(self._validate)
        form.addRow("&Title:", self.title_edit)
        self.description_edit = QPlainTextEdit(draft.description)
        self.description_edit.setAccessibleName("Description")
        self.description_edit.setPlaceholderText("Why this matters, what done looks like")
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setFixedHeight(64)
        form.addRow("&Description:", self.description_edit)

        self.mode_combo = QComboBox()
        self.mode_combo.setAccessibleName("Measure progress by")
        for key, label in MODES:
            self.mode_combo.addItem(label, key)
        self.mode_combo.setCurrentIndex(max(0, self.mode_combo.findData(draft.progress_mode)))
        self.mode_combo.currentIndexChanged.connect(self._update_mode)
        form.addRow("&Measure by:", self.mode_combo)

        target_row = QHBoxLayout()
        self.target_spin = NumberSpin()
        self.target_spin.setAccessibleName("Target value")
        self.target_spin.setRange(0, 1_000_000)
        self.target_spin.setSpecialValueText("none")
        self.target_spin.setValue(draft.target_value or 0)
        self.target_spin.valueChanged.connect(self._update_progress)
        self.unit_edit = QLineEdit(draft.target_unit)
        self.unit_edit.setAccessibleName("Target unit")
        self.unit_edit.setPlaceholderText("unit, e.g. portfolio pieces")
        self.unit_edit.setMaxLength(80)
        self.unit_edit.textChanged.connect(self._update_progress)
        self.current_spin = NumberSpin()
        self.current_spin.setAccessibleName("Current value")
        self.current_spin.setRange(0, 1_000_000)
        self.current_spin.setValue(draft.current_value or 0)
        self.current_spin.valueChanged.connect(self._update_progress)
        self.current_label = QLabel("done so far:")
        self.current_label.setBuddy(self.current_spin)
        target_row.addWidget(self.target_spin)
        target_row.addWidget(self.unit_edit, 1)
        target_row.addWidget(self.current_label)
        target_row.addWidget(self.current_spin)
        target_label = QLabel("Ta&rget:")
        target_label.setBuddy(self.target_spin)
        form.addRow(target_label, target_row)

        # Shows the goal's progress whatever measures it: typed here by hand, else counted
        # from the milestones or the target (greyed, the same number the label below says).
        # The hand-set value is kept apart so counting never overwrites it.
        self._manual = draft.manual_progress
        self.manual_spin = QSpinBox()
        self.manual_spin.setAccessibleName("Progress in percent")
        self.manual_spin.setRange(0, 100)
        self.manual_spin.setSuffix(" %")
        self.manual_spin.setValue(draft.manual_progress or 0)
        self.manual_spin.valueChanged.connect(self._manual_changed)
        self.manual_label = QLabel("&Progress:")
        self.manual_label.setBuddy(self.manual_spin)
        form.addRow(self.manual_label, self.manual_spin)

        due_row = QHBoxLayout()
        self.due_check = QCheckBox("Due &by")
        self.due_check.setAccessibleName("Has a due date")
        self.due_edit = QDateEdit()
        self.due_edit.setAccessibleName("Due date")
        self.due_edit.setCalendarPopup(True)
        self.due_edit.setDisplayFormat("d MMM yyyy")
        typeable(self.due_edit)
        # Its earliest date stands for "none": a goal without a due date shows no date at
        # all rather than today's (which read as "due today").
        self.due_edit.setSpecialValueText("No due date")
        if draft.due_date is not None:
            self.due_edit.setDate(_qdate(draft.due_date))
        else:
            self.due_edit.setDate(self.due_edit.minimumDate())
        self.due_check.setChecked(draft.due_date is not None)
        self.due_edit.setEnabled(draft.due_date is not None)
        self.due_check.toggled.connect(self._due_toggled)
        self.due_edit.dateChanged.connect(self._update_due_warning)
        self.due_warning = QLabel("⚠ In the past: the goal will show as overdue.")
        self.due_warning.setObjectName("dueWarning")
        self.due_warning.setProperty("warning", True)
        self.due_warning.setStyleSheet("font-weight: 600;")
        due_row.addWidget(self.due_check)
        due_row.addWidget(self.due_edit)
        due_row.addWidget(self.due_warning, 1)
        form.addRow("Due date:", due_row)
        self._update_due_warning()

        self.milestones = MilestonesModel(draft.milestones, self)
        self.milestones.changed.connect(self._update_progress)
        self.milestone_view = QListView()
        self.milestone_view.setObjectName("milestoneList")
        self.milestone_view.setAccessibleName("Milestones")
        self.milestone_view.setModel(self.milestones)
        self.milestone_view.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.milestone_view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.milestone_view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.milestone_view.setMinimumHeight(110)
        add_row = QHBoxLayout()
        self.new_milestone = QLineEdit()
        self.new_milestone.setAccessibleName("New milestone")
        self.new_milestone.setPlaceholderText("Add a milestone and press Enter")
        self.new_milestone.returnPressed.connect(self.add_milestone)
        add_row.addWidget(self.new_milestone, 1)
        self.add_milestone_button = _button("Add", "add", "Add the milestone (Enter)")
        self.add_milestone_button.setAccessibleName("Add milestone")
        self.add_milestone_button.setAutoDefault(False)
        self.add_milestone_button.clicked.connect(self.add_milestone)
        add_row.addWidget(self.add_milestone_button)
        self.up_button = _button("Up", "arrow-up", "Move the milestone up (Alt+Up)")
        self.up_button.clicked.connect(lambda: self.move_milestone(-1))
        self.down_button = _button("Down", "arrow-down", "Move the milestone down (Alt+Down)")
        self.down_button.clicked.connect(lambda: self.move_milestone(1))
        self.remove_milestone_button = _button("Remove", "delete",
                                               "Remove the milestone (Delete)")
        self.remove_milestone_button.clicked.connect(self.remove_milestone)
        for b in (self.up_button, self.down_button, self.remove_milestone_button):
            add_row.addWidget(b)
        for text, key, slot in (("Move milestone up", "Alt+Up", lambda: self.move_milestone(-1)),
                                ("Move milestone down", "Alt+Down",
                                 lambda: self.move_milestone(1)),
                                ("Remove milestone", "Delete", self.remove_milestone)):
            action = QAction(text, self.milestone_view)
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(slot)
            self.milestone_view.addAction(action)
        box = QVBoxLayout()
        box.addWidget(self.milestone_view)
        box.addLayout(add_row)
        self.progress_label = QLabel()
        self.progress_label.setProperty("role", "subtitle")
        box.addWidget(self.progress_label)
        form.addRow("Milestones:", box)
        return page

    def _links_tab(self, draft: GoalDraft) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        hint = QLabel("Links to resources for this goal: a shared plan, a portfolio, a course.")
        hint.setProperty("role", "subtitle")
        hint.setWordWrap(True)
        box.addWidget(hint)
        self.links = LinksModel(draft.links, self)
        self.links_view = QTableView()
        self.links_view.setAccessibleName("Resource links")
        self.links_view.setModel(self.links)
        self.links_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.links_view.verticalHeader().hide()
        header = self.links_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 220)
        header.setStretchLastSection(True)
        self.links_view.activated.connect(self.open_link)
        box.addWidget(self.links_view, 1)
        row = QHBoxLayout()
        add = _button("Add link", "add", "Add a link (then type its title and address)")
        add.clicked.connect(self.add_link)
        remove = _button("Remove link", "delete", "Remove the selected link")
        remove.clicked.connect(self.remove_link)
        opener = _button("Open link", "link", "Open the selected link in the browser")
        opener.clicked.connect(lambda: self.open_link(self.links_view.currentIndex()))
        for b in (add, remove, opener):
            row.addWidget(b)
        row.addStretch(1)
        box.addLayout(row)
        return page

    def _story_tab(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        hint = QLabel("How this goal moved: every session, note and action item linked to "
                      "it, newest first.")
        hint.setProperty("role", "subtitle")
        hint.setWordWrap(True)
        box.addWidget(hint)
        self.story_pages = QStackedWidget()
        self.story_view = QListView()
        self.story_view.setObjectName("storyList")
        self.story_view.setAccessibleName("Goal story")
        self.story_view.setModel(self.story_model)
        self.story_view.setItemDelegate(StoryDelegate(self.story_view))
        self.story_view.setUniformItemSizes(True)
        self.story_view.setAlternatingRowColors(True)
        empty = QLabel("Nothing linked yet. Sessions, notes and action items about this goal "
                       "will show up here.")
        empty.setWordWrap(True)
        empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        empty.setProperty("role", "subtitle")
        self.story_pages.addWidget(empty)
        self.story_pages.addWidget(self.story_view)
        box.addWidget(self.story_pages, 1)
        return page

    def set_story(self, events: Sequence[StoryEvent]) -> None:
        self.story_model.set_events(events)
        if hasattr(self, "story_pages"):
            self.story_pages.setCurrentIndex(1 if events else 0)

    # -- milestones and links ----------------------------------------------------------
    def add_milestone(self) -> None:
        text = self.new_milestone.text().strip()
        if not text:
            return
        current = self.milestone_view.currentIndex()
        row = self.milestones.add(text, current.row() + 1 if current.isValid() else None)
        self.milestone_view.setCurrentIndex(self.milestones.index(row))
        self.new_milestone.clear()

    def remove_milestone(self) -> None:
        current = self.milestone_view.currentIndex()
        if current.isValid():
            self.milestones.removeRows(current.row(), 1)

    def move_milestone(self, step: int) -> None:
        current = self.milestone_view.currentIndex()
        if not current.isValid():
            return
        row = current.row()
        target = row + step
        if not 0 <= target < self.milestones.rowCount():
            return
        self.milestones.moveRows(current.parent(), row, 1, current.parent(),
                                 target + 1 if step > 0 else target)
        self.milestone_view.setCurrentIndex(self.milestones.index(target))

    def add_link(self) -> None:
        row = self.links.add()
        index = self.links.index(row, 0)
        self.links_view.setCurrentIndex(index)
        self.links_view.edit(index)

    def remove_link(self) -> None:
        current = self.links_view.currentIndex()
        if current.isValid():
            self.links.removeRows(current.row(), 1)

    def open_link(self, index: object) -> None:
        from PySide6.QtCore import QModelIndex

        if not isinstance(index, QModelIndex) or not index.isValid():
            return
        url = self.links.items[index.row()].url
        if url.startswith(("http://", "https://", "mailto:", "file:")):
            QDesktopServices.openUrl(QUrl(url))

    # -- due date ----------------------------------------------------------------------
    def _due_toggled(self, on: bool) -> None:
        self.due_edit.setEnabled(on)
        if on and self.due_edit.date() == self.due_edit.minimumDate():
            self.due_edit.setDate(_qdate(default_due(date.today())))
        elif not on:
            self.due_edit.setDate(self.due_edit.minimumDate())
        self._update_due_warning()

    def _update_due_warning(self) -> None:
        qd = self.due_edit.date()
        past = self.due_check.isChecked() and date(qd.year(), qd.month(), qd.day()) < \
            date.today()
        self.due_warning.setVisible(past)

    # -- state -------------------------------------------------------------------------
    def mode(self) -> str:
        return str(self.mode_combo.currentData())

    def _update_mode(self) -> None:
        mode = self.mode()
        self.current_spin.setEnabled(mode == "measure")
        self.current_label.setEnabled(mode == "measure")
        manual = mode == "manual"
        if manual and self._manual is None:
            # Set by hand from here on: start from the percent just shown, not from 0.
            self._manual = max(0, self.manual_spin.value())
        self.manual_spin.setEnabled(manual)
        self.manual_label.setEnabled(manual)
        self.manual_spin.setToolTip("" if manual else "Counted from the "
                                    + ("milestones" if mode == "milestones" else "target")
                                    + "; measure by hand to set it yourself")
        self._update_progress()

    def _show_percent(self, p: Progress) -> None:
        """The spin box shows the hand-set value, or greyed the counted one (a dash when
        there is nothing to count yet)."""
        spin = self.manual_spin
        spin.blockSignals(True)
        if self.mode() == "manual":
            spin.setSpecialValueText("")
            spin.setRange(0, 100)
            spin.setValue(self._manual or 0)
        else:
            spin.setRange(-1, 100)
            spin.setSpecialValueText("—")
            spin.setValue(p.percent if p.percent is not None else -1)
        spin.blockSignals(False)

    def _progress(self) -> Progress:
        d = self.draft()
        return progress(d.progress_mode, milestones_done=self.milestones.done_count(),
                        milestones_total=self.milestones.rowCount(),
                        current_value=d.current_value, target_value=d.target_value,
                        target_unit=d.target_unit, manual_progress=d.manual_progress)

    def _manual_changed(self, value: int) -> None:
        if self.mode() == "manual":
            self._manual = value
        self._update_progress()

    def _update_progress(self) -> None:
        p = self._progress()
        pct = f" — {p.percent} %" if p.percent is not None else ""
        self.progress_label.setText(f"Progress: {p.label}{pct}")
        self._show_percent(p)
        if p.complete and not self._was_complete and self.column_id() != self._done_column \
                and self._done_column is not None:
            what = ("All milestones are done." if self.mode() == "milestones"
                    else "The target is reached.")
            self.offer_label.setText(f"{what} Move this goal to Done?")
            self.move_to_done_button.setEnabled(True)
            self.offer.show()
        elif not p.complete:
            self.offer.hide()
        self._was_complete = p.complete

    def accept_offer(self) -> None:
        if self._done_column is None:
            return
        self.column_combo.setCurrentIndex(self.column_combo.findData(self._done_column))
        self.offer_label.setText("It moves to Done when you save.")
        self.move_to_done_button.setEnabled(False)

    def _validate(self) -> None:
        ok = bool(self.title_edit.text().strip())
        self.save_button.setEnabled(ok)

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def has_changes(self) -> bool:
        draft = self.draft()
        moved = self.details is not None and self.column_id() != self.details.column_id
        if self.details is None:
            return draft != getattr(self, "_pristine", draft)
        return moved or draft != self.original

    def mentee_id(self) -> int | None:
        if self.details is not None:
            return self.details.mentee_id
        line = self.mentee_combo.lineEdit()
        typed = line.text().strip() if line is not None else ""
        index = self.mentee_combo.findText(typed, Qt.MatchFlag.MatchFixedString)
        if index < 0:
            return None
        data = self.mentee_combo.itemData(index)
        return int(data) if data is not None else None

    def column_id(self) -> int | None:
        data = self.column_combo.currentData()
        return int(data) if data is not None else None

    def draft(self) -> GoalDraft:
        target = self.target_spin.value() or None
        mode = self.mode()
        qd = self.due_edit.date()
        return GoalDraft(
            title=self.title_edit.text(),
            description=self.description_edit.toPlainText(),
            progress_mode=mode,
            target_value=target,
            target_unit=self.unit_edit.text(),
            current_value=self.current_spin.value() if mode == "measure" or
            self.original.current_value is not None else None,
            manual_progress=self.manual_spin.value() if mode == "manual" else self._manual,
            due_date=date(qd.year(), qd.month(), qd.day()) if self.due_check.isChecked()
            else None,
            milestones=self.milestones.items,
            links=self.links.items,
        )

    def sizeHint(self) -> QSize:
        return QSize(720, 640)
