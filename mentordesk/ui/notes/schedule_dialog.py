"""Plan or move a session: both people's local times, a repeat rule, the next free slot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QDateTime, Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from mentordesk.domain.dates import day_text, instant_text
from mentordesk.domain.recurrence import (
    CUSTOM_TEXT,
    WEEKDAY_NAMES,
    RecurrenceError,
    Rule,
    cadence_rule,
    describe,
    occurrences,
    parse_rule,
)
from mentordesk.domain.timezones import zone
from mentordesk.errors import KnownError
from mentordesk.services.sessions import (
    FLAG_END_HOUR,
    FLAG_START_HOUR,
    MenteeChoice,
    Scope,
    SessionRecord,
    SlotProposal,
    check_time,
)
from mentordesk.ui.tasks import TaskControl, run_task
from mentordesk.ui.widgets.date_field import typeable
from mentordesk.ui.widgets.form_dialog import FormDialog
from mentordesk.ui.widgets.question import ask_act_or_keep

REPEAT_CHOICES = (
    ("none", "Does not repeat"),
    ("cadence", "From the mentee's cadence"),
    ("week", "Weekly"),
    ("weekly", "Every N weeks"),
    ("monthly", "Monthly on the same weekday"),
)
# Numeric, in the order people type a date: every section takes digits, and a day of the
# month is typed after its month and year (a day-name section took no digits at all).
START_FORMAT = "yyyy-MM-dd  HH:mm"
PAST_WARNING = "⚠ This is in the past — it will be recorded as a past session."


@dataclass(frozen=True)
class ScheduleResult:
    mentee_id: int
    start_utc: datetime
    duration_minutes: int
    title: str
    rrule: str | None
    scope: Scope


def _local_qdatetime(instant: datetime, tz: str) -> QDateTime:
    local = instant.astimezone(zone(tz))
    return QDateTime.fromString(local.strftime("%Y-%m-%d %H:%M"), "yyyy-MM-dd HH:mm")


class ScheduleDialog(FormDialog):
    """Plan or move a session; both people's local times side by side, flagged when a time is
    outside 08:00–21:00 for either of them.

    A form: Enter in a field stays in it (it closed the dialog, planning a session, when it
    was meant to pick a choice in an open list or to finish a typed date); Ctrl+Enter or the
    button plans."""

    def __init__(self, mentees: list[MenteeChoice], mentor_zone: str, *,
                 parent: QWidget | None = None, record: SessionRecord | None = None,
                 mentee_id: int | None = None, start: datetime | None = None,
                 duration: int = 60,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        super().__init__(parent)
        self._clock = clock
        self.setWindowTitle("Reschedule session" if record else "Plan a session")
        self.setAccessibleName(self.windowTitle())
        self.mentor_zone = mentor_zone
        self.mentees = mentees
        self.record = record
        form = QFormLayout()
        self.mentee_box = QComboBox()
        self.mentee_box.setAccessibleName("Mentee")
        self.mentee_box.setEditable(True)
        self.mentee_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for m in mentees:
            self.mentee_box.addItem(m.name, m.id)
        wanted = record.mentee_id if record is not None else mentee_id
        if wanted is not None:
            pos = self.mentee_box.findData(wanted)
            if pos >= 0:
                self.mentee_box.setCurrentIndex(pos)
        self.mentee_box.setEnabled(record is None)
        form.addRow("&Mentee", self.mentee_box)
        self.title_edit = QLineEdit(record.title if record else "Check-in")
        self.title_edit.setAccessibleName("Title")
        form.addRow("&Title", self.title_edit)
        self.when = QDateTimeEdit()
        self.when.setAccessibleName("Start (your time)")
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat(START_FORMAT)
        self._typing = typeable(self.when)
        default = start or (record.start_utc if record else
                            (clock() + timedelta(days=1)).replace(
                                minute=0, second=0, microsecond=0))
        self.when.setDateTime(_local_qdatetime(default, mentor_zone))
        # The field is numeric: its day, in words, beside it.
        self.when_words = QLabel()
        self.when_words.setAccessibleName("Start date in words")
        start_row = QHBoxLayout()
        start_row.addWidget(self.when)
        start_row.addWidget(self.when_words, 1)
        start_label = QLabel(f"&Start ({mentor_zone})")
        start_label.setBuddy(self.when)
        form.addRow(start_label, start_row)
        self.past_warning = QLabel(PAST_WARNING)
        self.past_warning.setObjectName("pastWarning")
        self.past_warning.setWordWrap(True)
        self.past_warning.setProperty("warning", True)
        self.past_warning.setStyleSheet("font-weight: 600;")
        form.addRow("", self.past_warning)
        self._form = form
        self.duration = QSpinBox()
        self.duration.setAccessibleName("Duration in minutes")
        self.duration.setRange(5, 480)
        self.duration.setSingleStep(15)
        self.duration.setSuffix(" min")
        self.duration.setValue(record.duration_minutes if record else duration)
        form.addRow("&Duration", self.duration)
        self.mentor_time = QLabel()
        self.mentor_time.setAccessibleName("Your local time")
        self.mentee_time = QLabel()
        self.mentee_time.setAccessibleName("Mentee's local time")
        both = QHBoxLayout()
        both.addWidget(self.mentor_time, 1)
        both.addWidget(self.mentee_time, 1)
        form.addRow("Local times", both)
        self.repeat = QComboBox()
        self.repeat.setAccessibleName("Repeat")
        for key, label in REPEAT_CHOICES:
            self.repeat.addItem(label, key)
        self.every = QSpinBox()
        self.every.setAccessibleName("Repeat every N")
        # One week is "Weekly"; this choice is for two weeks and more.
        self.every.setRange(2, 12)
        self.every.setPrefix("every ")
        self.every.setSuffix(" weeks")
        repeat_row = QHBoxLayout()
        repeat_row.addWidget(self.repeat, 1)
        repeat_row.addWidget(self.every)
        form.addRow("Repeat", repeat_row)
        self.repeat_preview = QLabel()
        self.repeat_preview.setWordWrap(True)
        self.repeat_preview.setProperty("role", "subtitle")
        form.addRow("", self.repeat_preview)
        self.scope_one = QRadioButton("Only this meeting")
        self.scope_series = QRadioButton("The whole series")
        self.scope_one.setChecked(True)
        self._scope_group = QButtonGroup(self)
        self._scope_group.addButton(self.scope_one)
        self._scope_group.addButton(self.scope_series)
        scope_row = QHBoxLayout()
        scope_row.addWidget(self.scope_one)
        scope_row.addWidget(self.scope_series)
        self.scope_box = QWidget()
        self.scope_box.setLayout(scope_row)
        form.addRow("Change", self.scope_box)
        form.setRowVisible(self.scope_box, bool(record and record.recurring))
        self.scope_series.toggled.connect(lambda _on: self._refresh())
        # The series' rule as read: handed back unchanged (its very text) unless the mentor
        # picks another repeat option, so a rule from Google is never rewritten.
        self._kept: Rule | None = None
        if record is not None:
            if record.rrule:
                try:
                    self._kept = parse_rule(record.rrule)
                except RecurrenceError:
                    pass
                else:
                    self._show_kept_rule(self._kept, record.timezone)
            self.repeat.setEnabled(record.series_id is None or (record.ref.virtual is False
                                   and bool(record.rrule) and record.series_id is None))
        self.error = QLabel()
        self.error.setProperty("role", "subtitle")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Save" if record else "Plan session")
        ok.setAccessibleName(ok.text())
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName("Cancel")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        for signal in (self.mentee_box.currentIndexChanged, self.when.dateTimeChanged,
                       self.duration.valueChanged, self.repeat.currentIndexChanged,
                       self.every.valueChanged):
            signal.connect(self._refresh)
        self.result_value: ScheduleResult | None = None
        self.proposal_label = QLabel()
        self.proposal_label.setProperty("role", "subtitle")
        self.proposal_label.setWordWrap(True)
        layout.insertWidget(1, self.proposal_label)
        self._proposal: SlotProposal | None = None
        self._touched = False
        self.when.dateTimeChanged.connect(self._user_changed_time)
        # A key or click in the field counts before the value changes (a half-typed year):
        # a proposal arriving then must not overwrite what is being typed.
        self._typing.edited.connect(self._user_changed_time)
        self._refresh()
        self.resize(560, self.sizeHint().height())

    def _show_kept_rule(self, kept: Rule, zone_name: str) -> None:
        """Select the repeat option that gives ``kept`` back, or an extra option that keeps
        it as it is (a rule this dialog cannot make: Google's, a count, an end…)."""
        if kept.interval > 1:
            self.every.setValue(min(kept.interval, self.every.maximum()))
        for key in ("week", "weekly", "monthly", "cadence"):
            self.repeat.setCurrentIndex(self.repeat.findData(key))
            if self._chosen_rule() == kept:
                return
        label = CUSTOM_TEXT if kept.custom else f"As now: {describe(kept, zone_name)}"
        self.repeat.addItem(label, "keep")
        self.repeat.setCurrentIndex(self.repeat.count() - 1)

    def _user_changed_time(self) -> None:
        self._touched = True

    def propose(self, proposal: SlotProposal) -> None:
        """Fill in the proposed slot (found in the background) unless the user picked a time."""
        if self._touched or self.record is not None:
            self.proposal_label.setText("")  # not "Looking for a slot…" for ever
            return
        self.when.blockSignals(True)
        self.when.setDateTime(_local_qdatetime(proposal.start_utc, self.mentor_zone))
        self.when.blockSignals(False)
        self._proposal = proposal
        self.duration.setValue(proposal.duration_minutes)
        self._refresh()

    def _proposal_text(self, rule: Rule | None) -> str:
        """Why the proposed time, and how it repeats as the repeat choice now says; nothing
        once the mentor picked another time."""
        proposal = self._proposal
        if proposal is None or self.start_utc() != proposal.start_utc:
            return ""
        basis = proposal.basis or proposal.reason.rstrip(".")
        repeat = describe(rule, self.mentor_zone).lower() if rule is not None \
            else "does not repeat"
        return f"Proposed: {basis} — {repeat}."

    def is_past(self) -> bool:
        """Whether the mentor picked a start in the past. An edit that keeps the start it
        had (a past session retitled) or changes a whole series (an ongoing one began in
        the past) is not such a pick."""
        start = self.start_utc()
        if start >= self._clock():
            return False
        record = self.record
        return record is None or not (start == record.start_utc
                                      or self.scope_series.isChecked())

    def mentee(self) -> MenteeChoice | None:
        mid = self.mentee_box.currentData()
        return next((m for m in self.mentees if m.id == mid), None)

    def start_utc(self) -> datetime:
        text = self.when.dateTime().toString("yyyy-MM-dd HH:mm")
        local = datetime.strptime(text, "%Y-%m-%d %H:%M")
        return local.replace(tzinfo=zone(self.mentor_zone)).astimezone(UTC)

    def rule(self) -> Rule | None:
        key = self.repeat.currentData()
        if key == "keep":
            return self._kept
        chosen = self._chosen_rule()
        # The series' own rule again (say a monthly one moved within its week): the rule as
        # read, so its text, Google's spelling included, goes back unchanged.
        return self._kept if chosen is not None and chosen == self._kept else chosen

    def _chosen_rule(self) -> Rule | None:
        key = self.repeat.currentData()
        mentee = self.mentee()
        local = self.start_utc().astimezone(zone(self.mentor_zone))
        if key == "week":
            return Rule("WEEKLY")
        if key == "weekly":
            return Rule("WEEKLY", self.every.value())
        if key == "monthly":
            return cadence_rule(1, "months", local)
        if key == "cadence" and mentee is not None:
            return cadence_rule(mentee.cadence_interval, mentee.cadence_unit, local)
        return None

    def _refresh(self) -> None:
        self._update()
        # Once the layout has taken the new texts in.
        QTimer.singleShot(0, self, self._fit_height)

    def _fit_height(self) -> None:
        """Taller when a text wraps onto another line or a warning shows: a wrapped label
        squeezed into the old height would overlap the one below it."""
        layout = self.layout()
        if layout is None:
            return
        need = (layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth()
                else self.sizeHint().height())
        if need > self.height():
            self.resize(self.width(), need)

    def _update(self) -> None:
        if self.record is not None and self.record.recurring:
            # A repeat rule belongs to the series: only editable when changing all of it.
            self.repeat.setEnabled(self.scope_series.isChecked())
        mentee = self.mentee()
        start = self.start_utc()
        now = self._clock()
        self.when_words.setText(day_text(start.astimezone(zone(self.mentor_zone)).date(),
                                         now.astimezone(zone(self.mentor_zone)).date()))
        self._form.setRowVisible(self.past_warning, self.is_past())
        self.every.setVisible(self.repeat.currentData() == "weekly")
        rule = self.rule()
        if self._proposal is not None:
            self.proposal_label.setText(self._proposal_text(rule))
        if mentee is None:
            self.mentor_time.setText("")
            self.mentee_time.setText("Choose a mentee")
            return
        check = check_time(start, self.duration.value(), mentee.timezone, self.mentor_zone)
        flag = f"  ⚠ outside {FLAG_START_HOUR:02d}:00–{FLAG_END_HOUR:02d}:00"
        self.mentor_time.setText(f"You: {check.mentor_local:%a %H:%M}"
                                 + ("" if check.mentor_ok else flag))
        first = mentee.name.split()[0]
        self.mentee_time.setText(f"{first}: {check.mentee_local:%a %H:%M} ({mentee.timezone})"
                                 + ("" if check.mentee_ok else flag))
        for label, ok in ((self.mentor_time, check.mentor_ok),
                          (self.mentee_time, check.mentee_ok)):
            label.setProperty("warning", not ok)
            label.setStyleSheet("" if ok else "font-weight: 600;")
        if rule is None:
            self.repeat_preview.setText("")
            return
        # Anchor the preview in the planning zone, as the series will be expanded.
        nxt = occurrences(start, self.mentor_zone, rule, after=start,
                          before=start + timedelta(days=400), limit=4)
        when = ", ".join(instant_text(t, zone(self.mentor_zone), now, weekday=False,
                                      time=False) for t in nxt)
        words = describe(rule, self.mentor_zone)
        if rule.custom or self.repeat.currentData() == "keep":
            # Its days come from the rule itself, not from the start's weekday.
            self.repeat_preview.setText(f"{words}: {when}…" if when else words)
            return
        day = WEEKDAY_NAMES[start.astimezone(zone(self.mentor_zone)).weekday()]
        self.repeat_preview.setText(f"{words}, {day}s: {when}…")

    def _accept(self) -> None:
        mentee = self.mentee()
        if mentee is None:
            self.error.setText("Choose a mentee.")
            return
        if self.is_past() and not self._confirm_past():
            self.when.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        rule = self.rule()
        self.result_value = ScheduleResult(
            mentee.id, self.start_utc(), self.duration.value(), self.title_edit.text().strip(),
            rule.to_rrule() if rule is not None else None,
            Scope.SERIES if self.scope_series.isChecked() else Scope.ONE)
        self.accept()

    def _confirm_past(self) -> bool:
        """A start in the past may be meant (logging a call that happened): ask, with
        changing the date as the default answer."""
        local = self.start_utc().astimezone(zone(self.mentor_zone))
        today = self._clock().astimezone(zone(self.mentor_zone)).date()
        return ask_act_or_keep(
            self, "Start in the past",
            f"{day_text(local.date(), today)} {local:%H:%M} is in the past. Record it as a "
            "past session?",
            "Useful to log a call that already happened. Choose another date to plan one "
            "still to come.",
            "&Record past session", "&Change the date")

    @classmethod
    def ask(cls, mentees: list[MenteeChoice], mentor_zone: str, *,
            parent: QWidget | None = None, record: SessionRecord | None = None,
            mentee_id: int | None = None, start: datetime | None = None,
            duration: int = 60,
            proposer: Callable[[int], SlotProposal] | None = None) -> ScheduleResult | None:
        """Ask for a session; ``proposer`` (run in the background) suggests a start."""
        dialog = cls(mentees, mentor_zone, parent=parent, record=record, mentee_id=mentee_id,
                     start=start, duration=duration)
        if proposer is not None and mentee_id is not None and start is None:
            dialog.proposal_label.setText("Looking for a slot in both working days…")

            def work(_control: TaskControl) -> SlotProposal:
                return proposer(mentee_id)

            def failed(exc: BaseException) -> None:
                dialog.proposal_label.setText(
                    exc.message if isinstance(exc, KnownError) else "")

            run_task(work, on_success=dialog.propose, on_error=failed)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.result_value
        return None
