"""Settings ▸ Google Calendar…: pick the OAuth client file, choose the calendar, connect
(the browser sign-in runs in a worker) and disconnect."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from mentordesk.errors import KnownError
from mentordesk.sync import credentials
from mentordesk.sync.service import (
    INVITATIONS,
    choose_calendar,
    current_calendar,
    forget_sync_token,
    load_settings,
    save_settings,
)
from mentordesk.ui.resources import icon
from mentordesk.ui.sync.controller import SyncController
from mentordesk.ui.tasks import TaskControl, run_task

log = logging.getLogger(__name__)

ConnectFn = Callable[..., credentials.StoredSignIn]

_CHOICE_TEXT = (
    "Which Google calendar should MentorDesk use?\n\n"
    "If this is the first time you connect MentorDesk to this Google account, create a new "
    "“MentorDesk” calendar. If you already have one (from another computer or an earlier "
    "database file), use it: you find its ID in Google Calendar ▸ Settings ▸ the MentorDesk "
    "calendar ▸ Integrate calendar ▸ Calendar ID. MentorDesk cannot look it up itself: it "
    "may only see the calendar it made.")


def ask_calendar_choice(controller: SyncController, parent: QWidget | None = None) -> bool:
    """Ask the mentor which calendar to use; True when they chose (the next sync acts)."""
    box = QMessageBox(parent)
    box.setWindowTitle("Choose a calendar")
    box.setIcon(QMessageBox.Icon.Question)
    box.setText(_CHOICE_TEXT)
    create = box.addButton("Create a MentorDesk calendar", QMessageBox.ButtonRole.AcceptRole)
    existing = box.addButton("Use my existing calendar…", QMessageBox.ButtonRole.ActionRole)
    create.setIcon(icon("add"))
    existing.setIcon(icon("calendar"))
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(create)
    box.exec()
    clicked = box.clickedButton()
    if clicked is create:
        choose_calendar(controller.db, create=True)
        return True
    if clicked is existing:
        calendar_id, ok = QInputDialog.getText(
            parent, "Use an existing calendar",
            "Calendar ID (ends in @group.calendar.google.com):")
        if ok and calendar_id.strip():
            choose_calendar(controller.db, calendar_id=calendar_id.strip())
            return True
    return False


class _UrlRelay(QObject):
    url = Signal(str)


class GoogleCalendarDialog(QDialog):
    def __init__(self, controller: SyncController, *, store: credentials.CredentialStore | None
                 = None, connect_fn: ConnectFn | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._db = controller.db
        self._store = store or credentials.CredentialStore()
        self._connect_fn: ConnectFn = connect_fn or credentials.connect
        self._relay = _UrlRelay(self)
        self._relay.url.connect(self._show_url)
        self.busy = False
        self.setWindowTitle("Google Calendar")
        self.setObjectName("googleCalendarDialog")
        settings = load_settings(self._db)

        layout = QVBoxLayout(self)
        intro = QLabel("MentorDesk puts your sessions on Google Calendar and brings changes "
                       "made there back. You need an OAuth client file (client_secret.json) "
                       "from Google Cloud Console; see docs/google-calendar.md.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        row = QHBoxLayout()
        self.file_edit = QLineEdit(settings.client_secrets or "")
        self.file_edit.setReadOnly(True)
        self.file_edit.setPlaceholderText(
            f"client_secret.json (or ${credentials.CLIENT_SECRETS_ENV})")
        self.file_edit.setAccessibleName("OAuth client file")
        choose = QPushButton(icon("import"), "Choose…")
        choose.clicked.connect(self._choose_file)
        row.addWidget(self.file_edit, 1)
        row.addWidget(choose)
        form.addRow("OAuth client:", row)
        self.own_calendar = QRadioButton("A separate “MentorDesk” calendar (recommended: "
                                         "MentorDesk can only touch that calendar)")
        self.primary_calendar = QRadioButton("My main calendar")
        self._modes = QButtonGroup(self)
        self._modes.addButton(self.own_calendar)
        self._modes.addButton(self.primary_calendar)
        (self.primary_calendar if settings.mode == "primary" else self.own_calendar) \
            .setChecked(True)
        choice = QVBoxLayout()
        choice.addWidget(self.own_calendar)
        choice.addWidget(self.primary_calendar)
        form.addRow("Sessions go to:", choice)
        calendar_row = QHBoxLayout()
        self.calendar_label = QLabel()
        self.calendar_label.setWordWrap(True)
        self.calendar_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        self.calendar_label.setAccessibleName("MentorDesk calendar")
        self.calendar_button = QPushButton(icon("calendar"), "Choose…")
        self.calendar_button.setAccessibleName("Choose the MentorDesk calendar")
        self.calendar_button.clicked.connect(self._choose_calendar)
        calendar_row.addWidget(self.calendar_label, 1)
        calendar_row.addWidget(self.calendar_button)
        form.addRow("Calendar:", calendar_row)
        self.invitations = QComboBox()
        self.invitations.setAccessibleName("Send calendar invitations to mentees")
        for value, label in INVITATIONS.items():
            self.invitations.addItem(label, value)
        self.invitations.setCurrentIndex(list(INVITATIONS).index(settings.invitations))
        self.invitations.currentIndexChanged.connect(self._save_invitations)
        form.addRow("Invitations:", self.invitations)
        invite_help = QLabel(
            "Off: sessions are only in your calendar and nobody is emailed. On: the mentee "
            "is a guest of each session MentorDesk sends from now on, and Google emails "
            "them the invitation and any change; “only guests who don't use Google "
            "Calendar” still adds them, but lets Google Calendar users see it without an "
            "email.")
        invite_help.setWordWrap(True)
        invite_help.setObjectName("invitationsHelp")
        form.addRow("", invite_help)
        layout.addLayout(form)
        self._show_calendar()
        self.primary_calendar.toggled.connect(lambda _on: self._show_calendar())
        controller.sync_finished.connect(self._sync_finished)

        self.status_label = QLabel("Checking the sign-in…")
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName("Connection status")
        layout.addWidget(self.status_label)
        self.url_label = QLabel()
        self.url_label.setWordWrap(True)
        self.url_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.url_label.setOpenExternalLinks(True)
        self.url_label.hide()
        layout.addWidget(self.url_label)

        buttons = QHBoxLayout()
        self.connect_button = QPushButton(icon("link"), "Connect…")
        self.connect_button.clicked.connect(self.connect_account)
        self.disconnect_button = QPushButton(icon("unlink"), "Disconnect")
        self.disconnect_button.clicked.connect(self.disconnect_account)
        buttons.addWidget(self.connect_button)
        buttons.addWidget(self.disconnect_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        box.rejected.connect(self.reject)
        layout.addWidget(box)
        self._probe()

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:
            self._grow_to_fit()
        return handled

    def _grow_to_fit(self) -> None:
        """Grow taller when a text got longer (a three-line keyring message, wrapped help):
        a dialog's minimum size does not count word-wrapped labels' height for the width
        they have, so without this the choices above them were squashed."""
        layout = self.layout()
        if layout is None:
            return
        needed = layout.totalHeightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), needed)

    @classmethod
    def ask(cls, controller: SyncController, parent: QWidget | None = None,
            *, reconnect: bool = False) -> None:
        dialog = cls(controller, parent=parent)
        if reconnect:
            dialog.connect_account()
        dialog.exec()

    # ---- helpers -------------------------------------------------------------------------

    def _mode(self) -> str:
        return "primary" if self.primary_calendar.isChecked() else "app"

    def _set_busy(self, busy: bool, text: str | None = None) -> None:
        self.busy = busy
        self.connect_button.setEnabled(not busy)
        self.disconnect_button.setEnabled(not busy)
        if text is not None:
            self.status_label.setText(text)

    def _show_url(self, url: str) -> None:
        self.url_label.setText(
            f"If no browser opened, open this address to sign in:<br><a href=\"{url}\">"
            f"{url[:80]}…</a>")
        self.url_label.show()

    def _probe(self) -> None:
        store = self._store

        def work(_control: TaskControl) -> credentials.StoredSignIn | None:
            return store.load()

        def done(signin: credentials.StoredSignIn | None) -> None:
            if signin is None:
                self.status_label.setText("Not connected.")
            else:
                who = f" as {signin.account}" if signin.account else ""
                self.status_label.setText(f"Connected{who}.")
            self.disconnect_button.setEnabled(signin is not None)

        run_task(work, on_success=done, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, KnownError):
            self.status_label.setText(str(exc))
        else:
            log.error("Google Calendar settings failed", exc_info=exc)
            self.status_label.setText(f"Something went wrong ({type(exc).__name__}); details "
                                      "are in the log.")

    def _show_calendar(self) -> None:
        calendar_id = current_calendar(self._db)
        if self._mode() == "primary":
            self.calendar_label.setText("Your main calendar")
        elif calendar_id and calendar_id != "primary":
            self.calendar_label.setText(calendar_id)
        else:
            self.calendar_label.setText("Not chosen yet: MentorDesk asks at the first sync.")
        self.calendar_button.setEnabled(self._mode() == "app")

    def _sync_finished(self, _result: object) -> None:
        self._show_calendar()

    def _choose_calendar(self) -> None:
        if ask_calendar_choice(self._controller, self):
            self.status_label.setText("Calendar chosen. Syncing now…")
            self._controller.sync_now()

    def _save_invitations(self) -> None:
        save_settings(self._db, invitations=str(self.invitations.currentData()))

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose your OAuth client file",
                                              str(Path.home()), "JSON files (*.json)")
        if path:
            self.file_edit.setText(path)

    # ---- actions -------------------------------------------------------------------------

    def connect_account(self) -> None:
        path = self.file_edit.text().strip() or None
        try:
            client = credentials.load_client_config(path)
        except KnownError as exc:
            self.status_label.setText(str(exc))
            return
        mode = self._mode()
        save_settings(self._db, client_secrets=str(client.path), mode=mode)
        store, connect_fn, relay = self._store, self._connect_fn, self._relay

        def work(_control: TaskControl) -> credentials.StoredSignIn:
            return connect_fn(store, client, mode, on_url=relay.url.emit)

        def done(signin: credentials.StoredSignIn) -> None:
            self._set_busy(False)
            who = f" as {signin.account}" if signin.account else ""
            self.status_label.setText(f"Connected{who}. Syncing now…")
            self.url_label.hide()
            self.disconnect_button.setEnabled(True)
            # A new sign-in: relist the calendar and reconcile everything once.
            forget_sync_token(self._db)
            if (mode == "app" and not signin.calendar_id and not current_calendar(self._db)
                    and not ask_calendar_choice(self._controller, self)):
                self.status_label.setText(f"Connected{who}. Choose a calendar to start "
                                          "syncing.")
                self._controller.refresh()
                return
            self._show_calendar()
            self._controller.refresh()
            self._controller.sync_now()

        self._set_busy(True, "Waiting for you to sign in to Google in your browser…")
        run_task(work, on_success=done, on_error=self._failed)

    def disconnect_account(self) -> None:
        path = self.file_edit.text().strip() or None
        client: Any
        try:
            client = credentials.load_client_config(path)
        except KnownError:
            client = None  # no client file: the keyring entry is still removed
        store = self._store

        def work(_control: TaskControl) -> bool:
            return credentials.disconnect(store, client)

        def done(revoked: bool) -> None:
            self._set_busy(False, "Disconnected." if revoked else
                           "Disconnected here. Google could not be told; remove MentorDesk's "
                           "access in your Google Account if you want to be sure.")
            self.disconnect_button.setEnabled(False)
            self._controller.refresh()

        self._set_busy(True, "Disconnecting…")
        run_task(work, on_success=done, on_error=self._failed)
