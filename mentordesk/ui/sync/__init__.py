"""Google Calendar sync in the window: toolbar button, Sync Now, settings, issue list.

``install_sync(main_window, context)`` is the only entry point the shell needs. Importing
this package never imports googleapiclient; the engine does that in its worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from mentordesk.ui.sync import texts
from mentordesk.ui.sync.controller import SyncController, attach
from mentordesk.ui.sync.settings_dialog import GoogleCalendarDialog, ask_calendar_choice
from mentordesk.ui.sync.widgets import SessionSyncBadge, SyncButton, SyncIssuesDialog

if TYPE_CHECKING:
    from mentordesk.ui.context import AppContext
    from mentordesk.ui.main_window import MainWindow

__all__ = ["SessionSyncBadge", "SyncButton", "SyncController", "install_sync"]

SYNC_SHORTCUT = "F5"  # the usual "refresh" key; Ctrl+Shift+S is Snooze


def ask_yes_no(parent: QWidget | None, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text)
    return answer == QMessageBox.StandardButton.Yes


def handle_action(controller: SyncController, parent: QWidget | None, action: str) -> None:
    if action == texts.OPEN_SETTINGS:
        GoogleCalendarDialog.ask(controller, parent)
    elif action == texts.RECONNECT:
        GoogleCalendarDialog.ask(controller, parent, reconnect=True)
    elif action == texts.RECREATE:
        if ask_yes_no(parent, "Recreate calendar",
                      "Create the MentorDesk calendar again in Google Calendar and send all "
                      "sessions there?"):
            controller.recreate_calendar()
    elif action == texts.CHOOSE_CALENDAR:
        if ask_calendar_choice(controller, parent):
            controller.sync_now()
    elif action == texts.CONFIRM_DELETE:
        if ask_yes_no(parent, "Apply cancellations", controller.view.detail
                      + "\n\nApply these cancellations to MentorDesk?"):
            controller.sync_now(allow_mass_delete=True)
    elif action == texts.SHOW_ISSUES:
        SyncIssuesDialog.ask(controller, parent)


def install_sync(main_window: MainWindow, context: AppContext, *,
                 start: bool = True) -> SyncController:
    """Add the Sync button to ``main_window.toolbar``, "Sync Now" and "Google Calendar…" to
    the menus, and start background sync. Returns the controller (the notes view can give
    it to a ``SessionSyncBadge``)."""
    controller = SyncController(context.db, parent=main_window)
    attach(controller, context.bus)
    button = SyncButton(controller)
    button.action_requested.connect(lambda action: handle_action(controller, main_window,
                                                                  action))
    main_window.toolbar.addWidget(button)
    main_window.toolbar.setVisible(True)

    sync_action = QAction("&Sync with Google Calendar", main_window)
    sync_action.setObjectName("syncNowAction")
    sync_action.setShortcut(QKeySequence(SYNC_SHORTCUT))
    sync_action.triggered.connect(lambda: controller.sync_now())
    settings_action = QAction("&Google Calendar…", main_window)
    settings_action.setObjectName("googleCalendarSettingsAction")
    settings_action.triggered.connect(
        lambda: handle_action(controller, main_window, texts.OPEN_SETTINGS))
    issues_action = QAction("Sessions Needing &Attention…", main_window)
    issues_action.triggered.connect(
        lambda: handle_action(controller, main_window, texts.SHOW_ISSUES))
    tools = main_window.menu("&Tools")
    tools.addAction(sync_action)
    tools.addAction(issues_action)
    settings_menu = tools.addMenu("&Settings")
    settings_menu.setObjectName("settingsMenu")
    settings_menu.addAction(settings_action)

    status_bar = main_window.statusBar()

    def failed(result: object) -> None:
        # The short text: the status bar also shows the database's path, and Google not
        # being connected is no news (the Sync button offers to connect).
        if isinstance(result, Exception) and not texts.quiet(controller.view):
            status_bar.showMessage(controller.view.text, 8000)

    controller.sync_finished.connect(failed)
    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(controller.shutdown)
    main_window.sync_controller = controller
    main_window.sync_button = button
    if start:
        controller.start_background()
    return controller
