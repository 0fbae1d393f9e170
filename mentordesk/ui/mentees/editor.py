"""The mentee form: create or edit, validated as you type by the service's own rules."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QStringListModel,
    Qt,
    QTimer,
)
from PySide6.QtGui import QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mentordesk.domain import timezones
from mentordesk.domain.cadence import UNITS, Cadence
from mentordesk.services.mentees import (
    MenteeInput,
    ResourceInput,
    call_provider,
    split_tags,
    validate,
)
from mentordesk.ui.i18n import tr
from mentordesk.ui.resources import icon
from mentordesk.ui.widgets.form_dialog import FormDialog

ERROR_STYLE = "color: #d64545;"


class ZonePicker(QLineEdit):
    """A time zone field: type a city, region, abbreviation ('IST') or offset ('+5:30') and
    pick from the matches; the field holds the IANA name.

    Tab takes the highlighted suggestion (or the only one) and moves on, as Enter does; the
    list closes by itself once the field holds a full zone name, so the next click goes where
    it was aimed instead of only closing the list."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText("Type a city, e.g. Berlin, or IST, or +5:30")
        self._matches = QStringListModel(self)
        self._names: list[str] = []
        completer = QCompleter(self._matches, self)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setMaxVisibleItems(10)
        completer.activated[str].connect(self._picked)  # type: ignore[index]
        self.setCompleter(completer)
        popup = completer.popup()
        assert popup is not None
        self.popup = popup
        # Installed after the completer's own filter, so it sees Tab first.
        popup.installEventFilter(self)
        self._completer = completer
        self.textEdited.connect(self._search)

    def _search(self, text: str) -> None:
        if timezones.is_valid_zone(text.strip()) and "/" in text:
            # A full name: nothing to suggest, and an open list would eat the next click.
            # (An empty list keeps the line edit from reopening it after this slot.)
            self._names = []
            self._matches.setStringList([])
            self.popup.hide()
            return
        found = timezones.search_zones(text, datetime.now(UTC), limit=30)
        self._names = [m.name for m in found]
        self._matches.setStringList([m.label for m in found])
        if found:
            self._completer.complete()
        else:
            self.popup.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.popup and event.type() == QEvent.Type.KeyPress \
                and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            current = self.popup.currentIndex()
            row = current.row() if current.isValid() else (0 if len(self._names) == 1 else -1)
            self.popup.hide()
            if 0 <= row < len(self._names):
                self.set_zone(self._names[row])
            self.focusNextPrevChild(event.key() == Qt.Key.Key_Tab)
            return True
        return super().eventFilter(watched, event)

    def _picked(self, label: str) -> None:
        name = label.split(" — ", 1)[0]
        # The completer writes the label into the field after this slot; put the name back.
        QTimer.singleShot(0, self, lambda: self.set_zone(name))
        self.set_zone(name)

    def set_zone(self, name: str) -> None:
        self.setText(name)
        self.editingFinished.emit()

    def zone(self) -> str:
        return self.text().split(" — ", 1)[0].strip()


class TagCompleter(QCompleter):
    """Completes the tag being typed after the last comma or semicolon."""

    def __init__(self, tags: list[str], field: QLineEdit) -> None:
        super().__init__(tags, field)
        self._field = field
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchStartsWith)

    def splitPath(self, path: str) -> list[str]:
        return [re.split(r"[,;]", path)[-1].strip()]

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        text = self._field.text()
        cut = max(text.rfind(","), text.rfind(";"))
        head = text[: cut + 1] + " " if cut >= 0 else ""
        return head + str(index.data())


class MenteeEditor(FormDialog):
    """Create or edit a mentee. ``ask`` returns the input, or None when cancelled."""

    discard_what = "changes to this mentee"

    def __init__(self, parent: QWidget | None, title: str, initial: MenteeInput,
                 known_tags: list[str] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("menteeEditor")
        self.setAccessibleName(title)
        self.setMinimumWidth(560)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._errors: dict[str, QLabel] = {}

        self.name = QLineEdit(initial.name)
        self.name.setAccessibleName("Name")
        self.name.setPlaceholderText("Required")
        self._row(form, "&Name", self.name, "name")

        self.email = QLineEdit(initial.email)
        self.email.setAccessibleName("Email")
        self.email.setPlaceholderText("name@example.org")
        self._row(form, "&Email", self.email, "email")

        self.zone = ZonePicker()
        self.zone.setText(initial.timezone)
        self.zone.setAccessibleName("Time zone")
        self.zone_hint = QLabel()
        self.zone_hint.setProperty("role", "subtitle")
        self._row(form, "&Time zone", self.zone, "timezone", extra=self.zone_hint)

        cadence_row = QHBoxLayout()
        self.interval = QSpinBox()
        self.interval.setRange(1, 365)
        self.interval.setValue(initial.cadence.interval)
        self.interval.setPrefix("every ")
        self.interval.setAccessibleName("Cadence interval")
        self.unit = QComboBox()
        self.unit.addItems(list(UNITS))
        self.unit.setCurrentText(initial.cadence.unit)
        self.unit.setAccessibleName("Cadence unit")
        self.cadence_hint = QLabel()
        self.cadence_hint.setProperty("role", "subtitle")
        cadence_row.addWidget(self.interval)
        cadence_row.addWidget(self.unit)
        cadence_row.addStretch(1)
        cadence_box = QVBoxLayout()
        cadence_box.setSpacing(2)
        cadence_box.addLayout(cadence_row)
        cadence_box.addWidget(self.cadence_hint)
        cadence_label = QLabel("&Cadence")
        cadence_label.setBuddy(self.interval)
        form.addRow(cadence_label, cadence_box)

        gaps_row = QHBoxLayout()
        self.target_gap = QSpinBox()
        self.target_gap.setRange(0, 999)
        self.target_gap.setSpecialValueText("from cadence")
        self.target_gap.setSuffix(" days")
        self.target_gap.setValue(initial.target_gap_days or 0)
        self.target_gap.setAccessibleName("Target gap in days")
        self.max_gap = QSpinBox()
        self.max_gap.setRange(0, 999)
        self.max_gap.setSpecialValueText("from cadence")
        self.max_gap.setSuffix(" days")
        self.max_gap.setValue(initial.max_gap_days or 0)
        self.max_gap.setAccessibleName("Maximum gap in days")
        gaps_row.addWidget(QLabel("target"))
        gaps_row.addWidget(self.target_gap)
        gaps_row.addWidget(QLabel("maximum"))
        gaps_row.addWidget(self.max_gap)
        gaps_row.addStretch(1)
        gaps_box = QWidget()
        gaps_box.setLayout(gaps_row)
        gaps_row.setContentsMargins(0, 0, 0, 0)
        self._row(form, "&Gaps", gaps_box, "gaps", buddy=self.target_gap)

        self.link = QLineEdit(initial.meeting_link)
        self.link.setAccessibleName("Meeting link")
        self.link.setPlaceholderText("https://meet.google.com/… or a Zoom / Teams link")
        self.link_hint = QLabel()
        self.link_hint.setProperty("role", "subtitle")
        self._row(form, "&Meeting link", self.link, "meeting_link", extra=self.link_hint)

        self.tags = QLineEdit(", ".join(initial.tags))
        self.tags.setAccessibleName("Tags")
        self.tags.setPlaceholderText("design, leadership (comma or semicolon between tags)")
        if known_tags:
            self.tags.setToolTip("Tags in use: " + ", ".join(known_tags[:30]))
            self.tags.setCompleter(TagCompleter(known_tags, self.tags))
        self._row(form, "T&ags", self.tags, "tags")

        self.background = QPlainTextEdit(initial.background)
        self.background.setAccessibleName("Background")
        self.background.setPlaceholderText("Where they are, what they want, how you met")
        self.background.setTabChangesFocus(True)
        self.background.setFixedHeight(80)
        background_label = QLabel("&Background")
        background_label.setBuddy(self.background)
        form.addRow(background_label, self.background)

        self.resources = QStandardItemModel(0, 2, self)
        self.resources.setHorizontalHeaderLabels(["Title", "URL"])
        for res in initial.resources:
            self.resources.appendRow([QStandardItem(res.title), QStandardItem(res.url)])
        self.resource_view = QTableView()
        self.resource_view.setModel(self.resources)
        self.resource_view.setAccessibleName("Resource links")
        self.resource_view.verticalHeader().hide()
        self.resource_view.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch)
        self.resource_view.setColumnWidth(0, 170)
        self.resource_view.setFixedHeight(110)
        self.resource_view.setWordWrap(False)
        self.resource_view.verticalHeader().setDefaultSectionSize(
            self.fontMetrics().height() + 10)
        self.resource_view.setTabKeyNavigation(False)
        self.resource_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        add_res = QPushButton(icon("add"), "Add link")
        add_res.setAccessibleName("Add resource link")
        add_res.clicked.connect(self._add_resource)
        remove_res = QPushButton(icon("delete"), "Remove")
        remove_res.setAccessibleName("Remove resource link")
        remove_res.clicked.connect(self._remove_resource)
        res_buttons = QHBoxLayout()
        res_buttons.addWidget(add_res)
        res_buttons.addWidget(remove_res)
        res_buttons.addStretch(1)
        res_box = QVBoxLayout()
        res_box.addWidget(self.resource_view)
        res_box.addLayout(res_buttons)
        res_label = QLabel("&Resources")
        res_label.setBuddy(self.resource_view)
        form.addRow(res_label, res_box)
        error = QLabel()
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        self._errors["resources"] = error
        form.addRow("", error)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

        for line in (self.name, self.email, self.zone, self.link, self.tags):
            line.textChanged.connect(self._revalidate)
        for spin in (self.interval, self.target_gap, self.max_gap):
            spin.valueChanged.connect(self._revalidate)
        self.unit.currentIndexChanged.connect(self._revalidate)
        self.resources.dataChanged.connect(self._revalidate)
        self.resources.rowsRemoved.connect(self._revalidate)
        self._touched: set[str] = set()
        self.name.textEdited.connect(lambda _t: self._touched.add("name"))
        self._revalidate()
        # What the form holds before any typing: closing it unchanged needs no question.
        self._pristine = self.value()
        self.name.setFocus()

    def _row(self, form: QFormLayout, label: str, field: QWidget, key: str,
             extra: QLabel | None = None, buddy: QWidget | None = None) -> None:
        caption = QLabel(label)
        caption.setBuddy(buddy or field)
        box = QVBoxLayout()
        box.setSpacing(2)
        box.addWidget(field)
        if extra is not None:
            box.addWidget(extra)
        error = QLabel()
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        error.setObjectName(f"error_{key}")
        box.addWidget(error)
        self._errors[key] = error
        form.addRow(caption, box)

    def _add_resource(self) -> None:
        self.resources.appendRow([QStandardItem(""), QStandardItem("https://")])
        index = self.resources.index(self.resources.rowCount() - 1, 0)
        self.resource_view.setCurrentIndex(index)
        self.resource_view.edit(index)
        self._revalidate()

    def _remove_resource(self) -> None:
        index = self.resource_view.currentIndex()
        if index.isValid():
            self.resources.removeRow(index.row())

    def value(self) -> MenteeInput:
        resources = []
        for row in range(self.resources.rowCount()):
            title = (self.resources.item(row, 0) or QStandardItem()).text()
            url = (self.resources.item(row, 1) or QStandardItem()).text()
            if title.strip() or url.strip() not in ("", "https://"):
                resources.append(ResourceInput(title.strip(), url.strip()))
        return MenteeInput(
            name=self.name.text().strip(),
            email=self.email.text().strip(),
            timezone=self.zone.zone(),
            cadence=Cadence(self.interval.value(), self.unit.currentText()),
            target_gap_days=self.target_gap.value() or None,
            max_gap_days=self.max_gap.value() or None,
            meeting_link=self.link.text().strip(),
            background=self.background.toPlainText(),
            tags=split_tags(self.tags.text()),
            resources=tuple(resources),
        )

    def has_changes(self) -> bool:
        return self.value() != self._pristine

    def problems(self) -> dict[str, str]:
        return validate(self.value())

    def _revalidate(self) -> None:
        data = self.value()
        problems = validate(data)
        for key, label in self._errors.items():
            message = problems.get(key, "")
            # An empty name on a fresh form is not an error yet, just not saveable.
            if key == "name" and key not in self._touched and not data.name:
                message = ""
            label.setText(message)
            label.setVisible(bool(message))
        self.save_button.setEnabled(not problems)
        target, maximum = data.gaps()
        self.cadence_hint.setText(
            f"{data.cadence.label()}: "
            + tr("amber after %n day(s) without a session", "", target)
            + ", " + tr("red after %n day(s)", "", maximum))
        provider = call_provider(data.meeting_link)
        self.link_hint.setText(f"{provider} link: the profile shows a Join call button"
                               if provider else "")
        self.link_hint.setVisible(bool(provider))
        if timezones.is_valid_zone(data.timezone):
            now = datetime.now(UTC)
            local = now.astimezone(timezones.zone(data.timezone))
            self.zone_hint.setText(f"{timezones.zone_label(data.timezone, now)} · "
                                   f"{local:%H:%M} there now")
        else:
            self.zone_hint.setText("")
        # An empty hint would leave a gap between the field and its error message.
        self.zone_hint.setVisible(bool(self.zone_hint.text()))

    def _accept(self) -> None:
        self._touched.add("name")
        self._revalidate()
        if not self.problems():
            self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, initial: MenteeInput,
            known_tags: list[str] | None = None) -> MenteeInput | None:
        dialog = cls(parent, title, initial, known_tags)
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                return dialog.value()
            return None
        finally:
            dialog.deleteLater()


__all__ = ["MenteeEditor", "ZonePicker"]
