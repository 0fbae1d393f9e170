"""The main window: a sidebar of views, menus with standard shortcuts, a status bar."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QByteArray, QSize, Qt, QUrl
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QToolBar,
)

from mentordesk import APP_NAME, __version__
from mentordesk.errors import KnownError
from mentordesk.logging_setup import log_file
from mentordesk.ui.context import AppContext
from mentordesk.ui.errors import show_known_error
from mentordesk.ui.resources import icon
from mentordesk.ui.shortcuts import set_standard_shortcut
from mentordesk.ui.tasks import TaskControl, run_task
from mentordesk.ui.view_page import ViewPage

log = logging.getLogger(__name__)

MENU_ORDER = ("&File", "&Edit", "&View", "&Mentee", "&Goal", "&Session", "&Tools", "&Help")
ViewFactory = Callable[[AppContext], ViewPage]


def default_view_factories() -> list[ViewFactory]:
    from mentordesk.ui.board.view import BoardView
    from mentordesk.ui.mentees.view import MenteesView
    from mentordesk.ui.notes.view import NotesView

    return [MenteesView, BoardView, NotesView]


class MainWindow(QMainWindow):
    def __init__(self, context: AppContext,
                 view_factories: list[ViewFactory] | None = None) -> None:
        super().__init__()
        self.context = context
        self.setWindowTitle(f"{APP_NAME} — {context.db.path.name}")
        self.setWindowIcon(icon("app"))
        self.setObjectName("mainWindow")
        self._menus: dict[str, QMenu] = {}
        self._stack = QStackedWidget()
        self._stack.setObjectName("viewStack")
        self.setCentralWidget(self._stack)
        self.views: list[ViewPage] = []
        self._view_actions: dict[str, QAction] = {}
        self.sidebar = QToolBar("Views")
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setMovable(False)
        self.sidebar.setIconSize(QSize(26, 26))
        self.sidebar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        self.sidebar.setAccessibleName("Views")
        self.addToolBar(Qt.ToolBarArea.LeftToolBarArea, self.sidebar)
        self.toolbar = QToolBar("Main toolbar")
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setIconSize(QSize(20, 20))
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar.setAccessibleName("Main toolbar")
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        self.toolbar.setVisible(False)  # shown once a feature puts something on it
        self._build_standard_menus()
        self._view_group = QActionGroup(self)
        self._view_group.setExclusive(True)
        for factory in view_factories if view_factories is not None else default_view_factories():
            self.add_view(factory(context))
        for view in self.views:
            for menu_name, actions in view.menu_actions().items():
                menu = self.menu(menu_name)
                menu.addActions(actions)
        self._finish_menus()
        self.toolbar.setVisible(bool(self.toolbar.actions()))
        self.status_label = QLabel()
        self.status_label.setAccessibleName("Status")
        self.statusBar().addPermanentWidget(self.status_label)
        self.status_label.setText(str(context.db.path))
        context.bus.show_view.connect(self.show_view)
        self._restore_state()

    # -- menus -------------------------------------------------------------------------
    def menu(self, name: str) -> QMenu:
        """The menu called ``name``, created in the standard order if it is new."""
        if name in self._menus:
            return self._menus[name]
        menu = QMenu(name, self)
        menu.setObjectName(name.replace("&", "").lower() + "Menu")
        order = MENU_ORDER.index(name) if name in MENU_ORDER else len(MENU_ORDER)
        before = None
        for existing_name, existing in self._menus.items():
            existing_order = (MENU_ORDER.index(existing_name) if existing_name in MENU_ORDER
                              else len(MENU_ORDER))
            if existing_order > order:
                before = existing.menuAction()
                break
        if before is None:
            self.menuBar().addMenu(menu)
        else:
            self.menuBar().insertMenu(before, menu)
        self._menus = {
            a.text(): a.menu() for a in self.menuBar().actions()  # type: ignore[misc]
            if isinstance(a.menu(), QMenu)
        }
        return menu

    def _build_standard_menus(self) -> None:
        for name in ("&File", "&Edit", "&View", "&Tools", "&Help"):
            self.menu(name)
        undo = self.context.undo_stack.createUndoAction(self, "&Undo")
        set_standard_shortcut(undo, QKeySequence.StandardKey.Undo, "Ctrl+Z")
        undo.setIcon(icon("undo"))
        redo = self.context.undo_stack.createRedoAction(self, "&Redo")
        set_standard_shortcut(redo, QKeySequence.StandardKey.Redo, "Ctrl+Shift+Z")
        redo.setIcon(icon("redo"))
        self.undo_action, self.redo_action = undo, redo
        self.menu("&Edit").addActions([undo, redo])
        self.menu("&Edit").addSeparator()
        find = QAction("&Find…", self)
        set_standard_shortcut(find, QKeySequence.StandardKey.Find, "Ctrl+F")
        find.triggered.connect(self._focus_filter)
        self.menu("&Edit").addAction(find)

    def _finish_menus(self) -> None:
        file_menu = self.menu("&File")
        file_menu.addSeparator()
        backup = QAction("&Back Up Now", self)
        backup.setShortcut(QKeySequence("Ctrl+Shift+B"))
        backup.triggered.connect(self.backup_now)
        file_menu.addAction(backup)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        set_standard_shortcut(quit_action, QKeySequence.StandardKey.Quit, "Ctrl+Q")
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view_menu = self.menu("&View")
        view_menu.addSeparator()
        full = QAction("&Full Screen", self)
        set_standard_shortcut(full, QKeySequence.StandardKey.FullScreen, "F11")
        full.setCheckable(True)
        full.toggled.connect(
            lambda on: self.showFullScreen() if on else self.showNormal()
        )
        view_menu.addAction(full)

        help_menu = self.menu("&Help")
        logs = QAction("Open &Log Folder", self)
        logs.triggered.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_file().parent)))
        )
        help_menu.addAction(logs)
        about = QAction(f"&About {APP_NAME}", self)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def add_toolbar_action(self, action: QAction) -> None:
        self.toolbar.addAction(action)
        self.toolbar.setVisible(True)

    # -- views -------------------------------------------------------------------------
    def add_view(self, view: ViewPage) -> None:
        index = len(self.views)
        self.views.append(view)
        self._stack.addWidget(view)
        action = QAction(icon(view.icon_name), view.title, self)
        action.setCheckable(True)
        action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
        native = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{view.title} ({native})")
        action.triggered.connect(lambda _=False, v=view.view_id: self.show_view(v))
        self._view_group.addAction(action)
        self.sidebar.addAction(action)
        self.menu("&View").addAction(action)
        self._view_actions[view.view_id] = action
        button = self.sidebar.widgetForAction(action)
        if button is not None:
            button.setAccessibleName(view.title)

    def current_view(self) -> ViewPage | None:
        widget = self._stack.currentWidget()
        return widget if isinstance(widget, ViewPage) else None

    def show_view(self, view_id: str) -> None:
        target = next((v for v in self.views if v.view_id == view_id), None)
        if target is None:
            return
        current = self.current_view()
        if current is not None and current is not target:
            current.flush()
        self._stack.setCurrentWidget(target)
        self._view_actions[view_id].setChecked(True)
        target.activated()

    def _focus_filter(self) -> None:
        view = self.current_view()
        if view is not None:
            view.focus_filter()

    # -- commands ----------------------------------------------------------------------
    def backup_now(self) -> None:
        db = self.context.db
        self.statusBar().showMessage("Backing up…")

        def work(_control: TaskControl) -> str:
            return str(db.backup("manual"))

        def done(path: str) -> None:
            self.statusBar().showMessage(f"Backup saved and verified: {path}", 8000)

        def failed(exc: BaseException) -> None:
            self.statusBar().clearMessage()
            show_known_error(self, KnownError(f"The backup failed: {exc}",
                                              hint="Check free disk space and try again."))

        run_task(work, on_success=done, on_error=failed)

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"<h3>{APP_NAME} {__version__}</h3>"
            "<p>A desktop workspace for mentors: mentees, goals, session notes and "
            "Google Calendar sync, in one local file.</p>"
            f"<p>Database: {self.context.db.path}</p>",
        )

    # -- state -------------------------------------------------------------------------
    def _restore_state(self) -> None:
        settings = self.context.settings
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1200, 780)
        state = settings.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        last = settings.value("window/view", "mentees")
        ids = [v.view_id for v in self.views]
        self.show_view(str(last) if last in ids else (ids[0] if ids else ""))

    def save_state(self) -> None:
        settings = self.context.settings
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        current = self.current_view()
        if current is not None:
            settings.setValue("window/view", current.view_id)
        settings.sync()

    def flush_all(self) -> None:
        for view in self.views:
            try:
                view.flush()
            except KnownError as exc:
                show_known_error(self, exc)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.flush_all()
        self.save_state()
        super().closeEvent(event)
