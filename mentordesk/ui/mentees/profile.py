"""The "where were we" panel: what the mentor needs to know before the next call."""

from __future__ import annotations

import html
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from mentordesk.domain import timezones
from mentordesk.domain.dates import day_text
from mentordesk.ui.i18n import tr
from mentordesk.ui.mentees.hours_strip import WorkingHoursStrip
from mentordesk.ui.mentees.model import days_ago, format_when, health_colour
from mentordesk.ui.resources import icon

if TYPE_CHECKING:
    from mentordesk.services.mentees import Profile

MAX_ACTIONS_SHOWN = 8


def open_url(url: str) -> bool:
    """Open a link in the user's browser or call app (tests replace this)."""
    return QDesktopServices.openUrl(QUrl(url))


def _label(text: str = "", role: str | None = None, *, rich: bool = False) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if role:
        label.setProperty("role", role)
    return label


def _bullets(items: list[str]) -> str:
    return "<ul style='margin:0 0 0 -24px'>" + "".join(
        f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"


class ProfilePanel(QScrollArea):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("menteeProfile")
        self.setAccessibleName("Mentee profile")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMinimumWidth(340)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        body.setObjectName("profileBody")
        self.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(6)

        self.placeholder = _label("Select a mentee to see where you left off.", "subtitle")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.placeholder)

        self.content = QWidget()
        content = QVBoxLayout(self.content)
        content.setContentsMargins(0, 0, 0, 0)
        content.setSpacing(6)
        layout.addWidget(self.content)
        layout.addStretch(1)

        self.name = _label("", "title")
        self.subtitle = _label("", "subtitle")
        self.health = _label("", rich=True)
        content.addWidget(self.name)
        content.addWidget(self.subtitle)
        content.addWidget(self.health)

        buttons = QHBoxLayout()
        self.join_button = QPushButton(icon("video", on_accent=True), "Join call")
        self.join_button.setProperty("role", "primary")
        self.join_button.setAccessibleName("Join call")
        self.join_button.clicked.connect(self._join)
        buttons.addWidget(self.join_button)
        self.edit_button = QPushButton(icon("edit"), "Edit")
        self.edit_button.setAccessibleName("Edit mentee")
        self.snooze_button = QPushButton(icon("bell"), "Snooze")
        self.snooze_button.setAccessibleName("Snooze")
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.snooze_button)
        buttons.addStretch(1)
        content.addLayout(buttons)

        self.last_title = _label("Last session", "section")
        self.last_session = _label("")
        self.last_notes = _label("", rich=True)
        self.items_title = _label("Open action items", "section")
        self.action_items = _label("", rich=True)
        self.goals_title = _label("Goals due soon", "section")
        self.goals = _label("", rich=True)
        self.next_title = _label("Next session", "section")
        self.next_session = _label("")
        self.hours_title = _label("Shared working hours today (your day, 00–24)", "section")
        self.hours = WorkingHoursStrip()
        self.hours_text = _label("", "subtitle")
        self.resources_title = _label("Resources", "section")
        self.resources_box = QVBoxLayout()
        self.resources_box.setSpacing(2)
        self.background_title = _label("Background", "section")
        self.background = _label("")
        for widget in (self.last_title, self.last_session, self.last_notes, self.items_title,
                       self.action_items, self.goals_title, self.goals, self.next_title,
                       self.next_session, self.hours_title, self.hours, self.hours_text,
                       self.resources_title):
            content.addWidget(widget)
        content.addLayout(self.resources_box)
        content.addWidget(self.background_title)
        content.addWidget(self.background)
        self._meeting_link: str | None = None
        self._resource_buttons: list[QPushButton] = []
        self.profile: Profile | None = None
        self.set_profile(None)

    def set_actions(self, edit: QAction, snooze: QAction) -> None:
        self._snooze_action = snooze
        for button, action in ((self.edit_button, edit), (self.snooze_button, snooze)):
            button.clicked.connect(action.trigger)
            button.setToolTip(action.toolTip())

    def set_profile(self, profile: Profile | None, *, mentor_zone: str = "UTC",
                    now: datetime | None = None) -> None:
        self.profile = profile
        self.placeholder.setVisible(profile is None)
        self.content.setVisible(profile is not None)
        if profile is None:
            self._meeting_link = None
            return
        now = now or datetime.now().astimezone()
        data = profile.mentee.data
        self.name.setText(data.name + ("  (archived)" if profile.mentee.archived else ""))
        # A zone tzdata no longer knows (or a hand-edited file) must not break the panel.
        zone_name = data.timezone if timezones.is_valid_zone(data.timezone) else "UTC"
        local = now.astimezone(timezones.zone(zone_name))
        facts = [data.email] if data.email else []
        facts.append(f"{timezones.city(data.timezone)} · {local:%H:%M} there "
                     f"({timezones.relative_offset(zone_name, mentor_zone, now)})")
        facts.append(data.cadence.label())
        if profile.tags:
            facts.append("#" + " #".join(profile.tags))
        self.subtitle.setText(" · ".join(facts))

        health = profile.health
        colour = health_colour(health)
        snoozed = ""
        if health.snoozed and profile.mentee.snoozed_until is not None:
            until = format_when(profile.mentee.snoozed_until, now, mentor_zone)
            snoozed = f" (until {html.escape(until)})"
        self.health.setText(f"<span style='color:{colour}; font-size:14pt'>●</span> "
                            f"{html.escape(health.label())}{snoozed}")
        self.health.setAccessibleName(f"Health: {health.label()}")
        self.snooze_button.setText("Wake up" if health.snoozed else "Snooze")

        link = data.meeting_link or None
        # Here, not at the top: the profile is built with the Mentees view, which answers
        # before the mentee service (and SQLAlchemy with it) is loaded.
        from mentordesk.services.mentees import call_provider

        provider = call_provider(link)
        self._meeting_link = link if provider else None
        self.join_button.setVisible(provider is not None)
        if provider:
            self.join_button.setText(f"Join call ({provider})")
            self.join_button.setToolTip(link or "")

        if profile.last_session is not None:
            last = profile.last_session
            self.last_session.setText(
                f"{format_when(last.start_utc, now, mentor_zone)} "
                f"({days_ago(last.start_utc, now).lower()})"
                + (f": {last.title}" if last.title else ""))
            notes = list(profile.last_notes) or ["No notes were written for it."]
            self.last_notes.setText(_bullets(notes))
            self.last_notes.show()
        else:
            self.last_session.setText("You have not met yet.")
            self.last_notes.hide()

        if profile.open_actions:
            items = []
            for item in profile.open_actions[:MAX_ACTIONS_SHOWN]:
                text = ("Next time: " if item.kind == "next_time" else "") + item.text
                if item.due_date is not None:
                    text += f" (due {day_text(item.due_date, now.date(), weekday=False)})"
                if item.goal_title:
                    text += f" — {item.goal_title}"
                items.append(text)
            more = len(profile.open_actions) - MAX_ACTIONS_SHOWN
            if more > 0:
                items.append(f"…and {more} more")
            self.action_items.setText(_bullets(items))
        else:
            self.action_items.setText("Nothing open.")

        if profile.goals_due:
            today = local.date()
            items = []
            for goal in profile.goals_due:
                delta = (goal.due_date - today).days
                when = (tr("overdue by %n day(s)", "", -delta) if delta < 0
                        else "due today" if delta == 0
                        else "due tomorrow" if delta == 1
                        else tr("due in %n day(s)", "", delta))
                items.append(f"{goal.title} — {when} ({goal.column_name})")
            self.goals.setText(_bullets(items))
        else:
            self.goals.setText("No goal is due in the next 30 days.")

        nxt = profile.next_session
        if nxt is not None:
            yours = format_when(nxt.start_utc, now, mentor_zone)
            theirs = format_when(nxt.start_utc, now, zone_name)
            text = (f"{yours} your time · {theirs} in {timezones.city(data.timezone)}")
            if nxt.timezone not in (data.timezone, mentor_zone):
                planned = format_when(nxt.start_utc, now, nxt.timezone)
                text += f" (planned as {planned} {timezones.city(nxt.timezone)})"
            if nxt.recurring:
                text += " · repeats"
            self.next_session.setText(text)
        else:
            self.next_session.setText("Nothing scheduled.")

        self.hours.set_zones(mentor_zone, zone_name, now)
        self.hours_text.setText(self.hours.toolTip())

        for button in self._resource_buttons:
            self.resources_box.removeWidget(button)
            button.deleteLater()
        self._resource_buttons = []
        for res in data.resources:
            button = QPushButton(icon("link"), res.title)
            button.setFlat(True)
            button.setToolTip(res.url)
            button.setAccessibleName(f"Open {res.title}")
            button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _=False, url=res.url: open_url(url))
            self.resources_box.addWidget(button)
            self._resource_buttons.append(button)
        self.resources_title.setVisible(bool(data.resources))
        self.background.setText(data.background.strip())
        self.background_title.setVisible(bool(data.background.strip()))
        self.background.setVisible(bool(data.background.strip()))

    def resource_buttons(self) -> list[QPushButton]:
        return list(self._resource_buttons)

    def join_call(self) -> bool:
        return self._join()

    def _join(self) -> bool:
        if self._meeting_link is None:
            return False
        return open_url(self._meeting_link)
