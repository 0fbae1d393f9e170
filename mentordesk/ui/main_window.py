"""The main window: a sidebar of views, menus with standard shortcuts, a status bar."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QObject, QSize, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from mentordesk import APP_NAME
from mentordesk.errors import KnownError
from mentordesk.logging_setup import log_file
from mentordesk.ui.context import AppContext
from mentordesk.ui.errors import show_known_error
from mentordesk.ui.mentees.loading import start_preload
from mentordesk.ui.qt_enums import set_enum_property
from mentordesk.ui.resources import icon
from mentordesk.ui.shortcuts import set_standard_shortcut
from mentordesk.ui.tasks import TaskControl, run_task
from mentordesk.ui.view_page import ViewPage

if TYPE_CHECKING:
    from mentordesk.ui.sync import SyncButton, SyncController
    from mentordesk.ui.team import TeamController

# This module is imported before the first paint: each view is imported when it is built
# (after the paint, the current one first) and the Help dialogs when they are shown.

log = logging.getLogger(__name__)

MENU_ORDER = ("&File", "&Edit", "&View", "&Mentee", "&Goal", "&Session", "&Tools", "&Help")
# A view class, or anything called like one: (context, parent).
ViewFactory = Callable[[AppContext, QWidget | None], ViewPage]


@dataclass(frozen=True)
class ViewSpec:
    """What the shell shows of a view before it is built: its sidebar entry, the menus its
    actions go to, and how to import its class (a lazy window builds it when needed)."""

    view_id: str
    title: str
    icon_name: str
    menus: tuple[str, ...]
    load: Callable[[], ViewFactory]
    # Starts the view's first query before its modules are imported (lazy start-up only).
    prefetch: Callable[[AppContext], None] | None = None


def _mentees_view() -> ViewFactory:
    from mentordesk.ui.mentees.view import MenteesView

    return MenteesView


def _prefetch_mentees(context: AppContext) -> None:
    start_preload(context)


def _board_view() -> ViewFactory:
    from mentordesk.ui.board.view import BoardView

    return BoardView


def _notes_view() -> ViewFactory:
    from mentordesk.ui.notes.view import NotesView

    return NotesView


DEFAULT_VIEWS: tuple[ViewSpec, ...] = (
    ViewSpec("mentees", "Mentees", "mentees", ("&File", "&Mentee"), _mentees_view,
             _prefetch_mentees),
    ViewSpec("board", "Goal board", "board", ("&Goal",), _board_view),
    ViewSpec("notes", "Notes", "notes", ("&Session",), _notes_view),
)


def default_view_factories() -> list[ViewFactory]:
    return [spec.load() for spec in DEFAULT_VIEWS]


class _Slot:
    """One sidebar entry: the view once built, a light placeholder page until then."""

    def __init__(self, spec: ViewSpec, page: QWidget) -> None:
        self.spec = spec
        self.page = page
        self.view: ViewPage | None = page if isinstance(page, ViewPage) else None


class _AfterFirstPaint(QObject):
    def __init__(self, widget: QWidget, then: Callable[[], object]) -> None:
        super().__init__(widget)
        self._then = then
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            self.deleteLater()
            self._then()
        return False


class MainWindow(QMainWindow):
    """The shell. With ``lazy=True`` (the app's start-up) only the sidebar, menus and a
    placeholder page are made here; ``start_views()`` then builds the current view after the
    first paint, and the others follow once it is ready (each loads its data when first
    shown). Without it (tests, scripts) every view is built at once."""

    # A view was built (the sync controller and the start-up probe hook in here).
    view_created = Signal(object)

    def __init__(self, context: AppContext,
                 view_factories: list[ViewFactory] | None = None, *,
                 lazy: bool = False) -> None:
        super().__init__()
        self.context = context
        # Set by install_sync (mentordesk/ui/sync) and install_team (mentordesk/ui/team)
        # once start-up is over; None until then, and in windows built without them.
        self.sync_controller: SyncController | None = None
        self.sync_button: SyncButton | None = None
        self.team_controller: TeamController | None = None
        self.setWindowTitle(f"{APP_NAME} — {context.db.path.name}")
        self.setWindowIcon(icon("app"))
        self.setObjectName("mainWindow")
        self._menus: dict[str, QMenu] = {}
        self._menu_tail: dict[str, QAction] = {}
        self._action_slot: dict[QAction, int] = {}
        self._slots: list[_Slot] = []
        self._prefetched: set[str] = set()
        self._lazy = lazy and view_factories is None
        self._stack = QStackedWidget()
        self._stack.setObjectName("viewStack")
        self._view_actions: dict[str, QAction] = {}
        # The sidebar sits beside the pages rather than in a toolbar area, and enum
        # properties are set by name: see set_enum_property() for why the shell never
        # touches the Qt namespace before the first paint.
        self.sidebar = QToolBar("Views")
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setMovable(False)
        self.sidebar.setIconSize(QSize(26, 26))
        set_enum_property(self.sidebar, "orientation", "Vertical")
        set_enum_property(self.sidebar, "toolButtonStyle", "ToolButtonTextUnderIcon")
        self.sidebar.setAccessibleName("Views")
        body = QWidget()
        body.setObjectName("body")
        row = QHBoxLayout(body)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.sidebar)
        row.addWidget(self._stack, 1)
        self.setCentralWidget(body)
        self.toolbar = QToolBar("Main toolbar")
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setIconSize(QSize(20, 20))
        set_enum_property(self.toolbar, "toolButtonStyle", "ToolButtonTextBesideIcon")
        self.toolbar.setAccessibleName("Main toolbar")
        self.addToolBar(self.toolbar)  # the top area
        self.toolbar.setVisible(False)  # shown once a feature puts something on it
        self._build_standard_menus()
        self._view_group = QActionGroup(self)
        self._view_group.setExclusive(True)
        if self._lazy:
            for spec in DEFAULT_VIEWS:
                for menu_name in spec.menus:
                    # Made now so the menu bar never shifts; opening one builds its views.
                    self.menu(menu_name).aboutToShow.connect(
                        lambda name=menu_name: self._build_views_for_menu(name))
                self._add_slot(spec, self._placeholder(spec))
        else:
            for factory in (view_factories if view_factories is not None
                            else default_view_factories()):
                self.add_view(factory(context, self._stack))
            for view in self.views:
                self._install_menu_actions(view)
        self._finish_menus()
        # The sync button arrives after start-up: keep its bar, at its final height, from
        # pushing the page down then.
        if self._lazy:
            self.toolbar.ensurePolished()
            sample = self.toolbar.addAction(icon("sync"), "Sync")
            self.toolbar.setMinimumHeight(self.toolbar.sizeHint().height())
            self.toolbar.removeAction(sample)
            sample.deleteLater()
        self.toolbar.setVisible(self._lazy or bool(self.toolbar.actions()))
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
        self._menu_tail["&File"] = file_menu.addSeparator()
        backup = QAction("&Back Up Now", self)
        backup.setShortcuts([QKeySequence("Ctrl+Shift+B")])
        backup.triggered.connect(self.backup_now)
        file_menu.addAction(backup)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        set_standard_shortcut(quit_action, QKeySequence.StandardKey.Quit, "Ctrl+Q")
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view_menu = self.menu("&View")
        self._menu_tail["&View"] = view_menu.addSeparator()
        full = QAction("&Full Screen", self)
        set_standard_shortcut(full, QKeySequence.StandardKey.FullScreen, "F11")
        full.setCheckable(True)
        full.toggled.connect(
            lambda on: self.showFullScreen() if on else self.showNormal()
        )
        view_menu.addAction(full)

        help_menu = self.menu("&Help")
        keys = QAction("&Keyboard Shortcuts", self)
        keys.setObjectName("shortcutsAction")
        keys.setShortcuts([QKeySequence("Ctrl+/")])
        keys.triggered.connect(self.show_shortcuts)
        help_menu.addAction(keys)
        logs = QAction("Open &Log Folder", self)
        self._menu_tail["&Help"] = logs
        logs.triggered.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_file().parent)))
        )
        help_menu.addAction(logs)
        about = QAction(f"&About {APP_NAME}", self)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    # -- views -------------------------------------------------------------------------
    @property
    def views(self) -> list[ViewPage]:
        """The views built so far, in sidebar order (all of them unless the window is lazy;
        ``build_all_views()`` makes the rest)."""
        return [slot.view for slot in self._slots if slot.view is not None]

    def view_ids(self) -> list[str]:
        return [slot.spec.view_id for slot in self._slots]

    def add_view(self, view: ViewPage) -> None:
        spec = ViewSpec(view.view_id, view.title, view.icon_name, (), lambda: type(view))
        self._add_slot(spec, view)

    def _add_slot(self, spec: ViewSpec, page: QWidget) -> None:
        index = len(self._slots)
        self._slots.append(_Slot(spec, page))
        self._stack.addWidget(page)
        action = QAction(icon(spec.icon_name), spec.title, self)
        action.setCheckable(True)
        # setShortcuts([...]), not setShortcut(): resolving the latter's overloads builds the
        # Qt namespace (see qt_enums), and this runs before the first paint.
        action.setShortcuts([QKeySequence(f"Ctrl+{index + 1}")])
        native = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{spec.title} ({native})")
        action.triggered.connect(lambda _=False, v=spec.view_id: self.show_view(v))
        self._view_group.addAction(action)
        self.sidebar.addAction(action)
        self.menu("&View").addAction(action)
        self._view_actions[spec.view_id] = action
        button = self.sidebar.widgetForAction(action)
        if button is not None:
            button.setAccessibleName(spec.title)

    def _placeholder(self, spec: ViewSpec) -> QWidget:
        page = QWidget()
        page.setObjectName(f"{spec.view_id}Placeholder")
        layout = QVBoxLayout(page)
        label = QLabel(f"Loading {spec.title.lower()}…")
        label.setProperty("role", "subtitle")
        set_enum_property(label, "alignment", "AlignCenter")
        layout.addWidget(label)
        return page

    def _slot(self, view_id: str) -> _Slot | None:
        return next((s for s in self._slots if s.spec.view_id == view_id), None)

    def ensure_view(self, view_id: str) -> ViewPage | None:
        """The view called ``view_id``, built now if it was not yet."""
        slot = self._slot(view_id)
        if slot is None:
            return None
        if slot.view is None:
            # Made inside the stack: inserting a built view would re-polish its whole tree
            # under the application style sheet (~5 ms for the Mentees view).
            view = slot.spec.load()(self.context, self._stack)
            placeholder = slot.page
            current = self._stack.currentWidget() is placeholder
            index = self._stack.indexOf(placeholder)
            self._stack.insertWidget(index, view)
            slot.view, slot.page = view, view
            if current:
                self._stack.setCurrentWidget(view)
            self._stack.removeWidget(placeholder)
            placeholder.deleteLater()
            self._install_menu_actions(view)
            self.view_created.emit(view)
        return slot.view

    def build_all_views(self) -> list[ViewPage]:
        for slot in self._slots:
            self.ensure_view(slot.spec.view_id)
        return self.views

    def start_views(self) -> None:
        """Lazy start-up, after the first paint: start the current view's first query, then
        build that view (the app builds the others once it is ready, so they never compete
        with it: ``build_remaining_views()``)."""
        current = self._stack.currentWidget()
        slot = next((s for s in self._slots if s.page is current), None)
        if slot is None:
            return
        self.prefetch_current()
        view = self.ensure_view(slot.spec.view_id)
        if view is not None:
            view.activated()

    def prefetch_current(self) -> None:
        """Start the current view's first query (once), before that view is built."""
        current = self._stack.currentWidget()
        slot = next((s for s in self._slots if s.page is current), None)
        if slot is None or slot.view is not None or slot.spec.prefetch is None:
            return
        if slot.spec.view_id in self._prefetched:
            return
        self._prefetched.add(slot.spec.view_id)
        slot.spec.prefetch(self.context)

    def start_views_after_paint(self) -> None:
        """Call ``start_views()`` once the window has painted (a zero timer may fire before
        the first paint: building a view then would delay it)."""
        _AfterFirstPaint(self, lambda: QTimer.singleShot(0, self, self.start_views))

    def build_remaining_views(self) -> None:
        """Build the views not shown yet, one per event-loop turn (their data loads when they
        are first shown), so their menu actions and shortcuts are all in place."""
        pending = [s.spec.view_id for s in self._slots if s.view is None]
        if not pending:
            return
        self.ensure_view(pending[0])
        if len(pending) > 1:
            QTimer.singleShot(0, self, self.build_remaining_views)

    def _build_views_for_menu(self, menu_name: str) -> None:
        for slot in self._slots:
            if slot.view is None and menu_name in slot.spec.menus:
                self.ensure_view(slot.spec.view_id)

    def _install_menu_actions(self, view: ViewPage) -> None:
        """Put ``view``'s actions in the menus in sidebar order, whenever it was built."""
        index = next(i for i, s in enumerate(self._slots) if s.view is view)
        for menu_name, actions in view.menu_actions().items():
            menu = self.menu(menu_name)
            before = next((a for a in menu.actions() if self._action_slot.get(a, -1) > index),
                          self._menu_tail.get(menu_name))
            if before is not None and before in menu.actions():
                menu.insertActions(before, actions)
            else:
                menu.addActions(actions)
            for action in actions:
                self._action_slot[action] = index

    def current_view(self) -> ViewPage | None:
        widget = self._stack.currentWidget()
        return widget if isinstance(widget, ViewPage) else None

    def show_view(self, view_id: str) -> None:
        slot = self._slot(view_id)
        if slot is None:
            return
        current = self.current_view()
        target = self.ensure_view(view_id)
        if target is None:
            return
        if current is not None and current is not target:
            try:
                current.flush()
            except KnownError as exc:
                # The unsaved text stays where it is (and keeps retrying): stay with it.
                show_known_error(self, exc)
                self._view_actions[current.view_id].setChecked(True)
                return
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

    def show_shortcuts(self) -> None:
        from mentordesk.ui.shortcuts_dialog import ShortcutsDialog

        dialog = ShortcutsDialog(self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.show()

    def show_about(self) -> None:
        from mentordesk.ui.about import AboutDialog

        AboutDialog(self.context.db.path, self).exec()

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
        ids = self.view_ids()
        chosen = str(last) if last in ids else (ids[0] if ids else "")
        slot = self._slot(chosen)
        if self._lazy and slot is not None:
            # Only the placeholder now: start_views() builds the view after the first paint.
            self._stack.setCurrentWidget(slot.page)
            self._view_actions[chosen].setChecked(True)
        else:
            self.show_view(chosen)

    def save_state(self) -> None:
        settings = self.context.settings
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        current = self._stack.currentWidget()
        slot = next((s for s in self._slots if s.page is current), None)
        if slot is not None:
            settings.setValue("window/view", slot.spec.view_id)
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
