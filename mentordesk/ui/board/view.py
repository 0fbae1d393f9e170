"""The Goal board: measurable goals per mentee on a kanban board.

Columns are list views over per-column models (see ``models.py``); cards move by drag and
drop or from the keyboard, and every move and edit is an undo command (``controller.py``).
The board loads in the background and filters in memory, so switching a mentee or a tag
never waits on the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QPoint, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDropEvent,
    QFocusEvent,
    QHideEvent,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QMenu,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from mentordesk.errors import KnownError
from mentordesk.services import goals
from mentordesk.services.goals import Board as BoardData
from mentordesk.services.goals import BoardCard, ColumnInfo, FilterChoices, GoalDetails
from mentordesk.ui.actions import make_action
from mentordesk.ui.board.controller import BoardController
from mentordesk.ui.board.delegates import CardDelegate
from mentordesk.ui.board.editor import GoalEditor
from mentordesk.ui.board.models import CardFilterProxy, ColumnModel, decode_goal_ids
from mentordesk.ui.context import AppContext, Change, ChangeNotice
from mentordesk.ui.errors import show_failure, show_known_error
from mentordesk.ui.i18n import tr
from mentordesk.ui.resources import icon
from mentordesk.ui.tasks import TaskControl, run_task
from mentordesk.ui.view_page import ViewPage
from mentordesk.ui.widgets.empty_state import EmptyState

log = logging.getLogger(__name__)

# Sessions and notes change nothing a card shows; action items change its open count.
RELOAD_ON = Change.GOALS | Change.ACTIONS | Change.MENTEES | Change.BOARD
# The outline of a column a dragged card would land in (inside its 6 px margin).
DROP_BORDER = 2.0


class TextPrompt:
    """Asks for one line of text; tests replace ``ask``."""

    @staticmethod
    def ask(parent: QWidget, title: str, label: str, text: str = "") -> str | None:
        value, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, text)
        return value if ok else None


class CardListView(QListView):
    """One column's cards. Left/Right hop to the neighbouring column."""

    neighbour_requested = Signal(int)
    focused = Signal()
    # A card is being dragged over this column (True) or has left or been dropped (False).
    drop_hover = Signal(bool)

    def __init__(self, column_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cardList")
        self.setAccessibleName(f"{column_name} goals")
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformItemSizes(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSpacing(1)
        # Cards sit on the column's own background, not on a white list.
        self.viewport().setAutoFillBackground(False)
        self.placeholder = "No goals here yet"

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if (event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right)
                and event.modifiers() == Qt.KeyboardModifier.NoModifier):
            self.neighbour_requested.emit(-1 if event.key() == Qt.Key.Key_Left else 1)
            event.accept()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        if not self.currentIndex().isValid() and self.model() is not None \
                and self.model().rowCount() > 0:
            self.setCurrentIndex(self.model().index(0, 0))
        self.focused.emit()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        super().dragEnterEvent(event)
        if decode_goal_ids(event.mimeData()):
            self.drop_hover.emit(True)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        super().dragLeaveEvent(event)
        self.drop_hover.emit(False)

    def dropEvent(self, event: QDropEvent) -> None:
        # Off before the move: the drop may rebuild the board's columns.
        self.drop_hover.emit(False)
        super().dropEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.model()
        if model is not None and model.rowCount() == 0:
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.viewport().rect().adjusted(12, 16, -12, -12),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
                             | Qt.TextFlag.TextWordWrap, self.placeholder)
            painter.end()


class ColumnWidget(QFrame):
    """A column: its name, how many cards, a menu, and the cards."""

    def __init__(self, model: ColumnModel, delegate: CardDelegate,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("boardColumn")
        self.model = model
        self.proxy = CardFilterProxy(self)
        self.proxy.setSourceModel(model)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        header = QHBoxLayout()
        self.name_label = QLabel()
        self.name_label.setProperty("role", "section")
        self.count_label = QLabel()
        self.count_label.setProperty("role", "subtitle")
        self.menu_button = QToolButton()
        self.menu_button.setObjectName("columnMenu")
        self.menu_button.setIcon(icon("more"))
        self.menu_button.setAutoRaise(True)
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self)
        self.menu_button.setMenu(self.menu)
        header.addWidget(self.name_label)
        header.addWidget(self.count_label)
        header.addStretch(1)
        header.addWidget(self.menu_button)
        layout.addLayout(header)
        self.view = CardListView(model.column.name)
        self.view.setModel(self.proxy)
        self.view.setItemDelegate(delegate)
        layout.addWidget(self.view, 1)
        self.setMinimumWidth(250)
        self.drop_target = False
        self.view.drop_hover.connect(self.set_drop_target)
        self.update_header()
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved,
                       self.proxy.modelReset, self.proxy.layoutChanged):
            signal.connect(self.update_header)

    @property
    def column(self) -> ColumnInfo:
        return self.model.column

    def set_drop_target(self, on: bool) -> None:
        """Show (or stop showing) that a dragged card would land in this column."""
        if on != self.drop_target:
            self.drop_target = on
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self.drop_target:
            return
        # The palette's selection colour: readable on the light and the dark palette alike.
        highlight = self.palette().color(QPalette.ColorRole.Highlight)
        tint = QColor(highlight)
        tint.setAlpha(40)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(highlight, DROP_BORDER))
        painter.setBrush(tint)
        half = DROP_BORDER / 2
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(half, half, -half, -half), 8, 8)
        painter.end()

    def update_header(self) -> None:
        column = self.model.column
        self.name_label.setText(column.name)
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count_label.setText(str(total) if shown == total else f"{shown} of {total}")
        self.menu_button.setAccessibleName(f"{column.name} column menu")
        self.menu_button.setToolTip(f"{column.name}: add a goal, rename or delete the column")
        self.view.setAccessibleName(f"{column.name} goals")
        self.view.placeholder = ("Drop goals here" if total else "No goals here yet")


class BoardView(ViewPage):
    view_id = "board"
    title = "Goal board"
    icon_name = "board"

    # The board finished loading from the database (tests and screenshots wait for it).
    loaded = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.controller = BoardController(context, self)
        self.board = self.controller.board
        self.board.columns_changed.connect(self._build_columns)
        self.board.counts_changed.connect(self._update_state)
        self.controller.goal_touched.connect(self.reveal)
        self.controller.reload_requested.connect(self.refresh)
        self.delegate = CardDelegate(self)
        self.column_widgets: list[ColumnWidget] = []
        self._current_column: int | None = None
        self._choices = FilterChoices((), ())
        self._mentee_ids: frozenset[int] | None = None
        self._has_mentees = True
        self._loading = False
        self._dirty = True
        self._applying_selection = False
        self.editor: GoalEditor | None = None
        self._build_actions()
        self._build_ui()
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(150)
        self._reload_timer.timeout.connect(self.refresh)
        context.bus.changed.connect(self._on_changed)
        context.bus.mentee_selected.connect(self._on_mentee_selected)
        self._ever_loaded = False
        # Load when first shown, or a little after start-up, never before the first paint.
        QTimer.singleShot(1500, self, self._preload)

    # -- building ----------------------------------------------------------------------
    def _build_actions(self) -> None:
        def action(text: str, icon_name: str, key: str, slot: Callable[[], object]) -> QAction:
            # Only while the board has focus: the same keys mean other things in other views.
            return make_action(self, text, slot, shortcut=key, icon_name=icon_name, local=True)

        self.new_action = action("&New Goal…", "goal-add", "Ctrl+G", self.new_goal)
        # New Goal works from anywhere in the window, like New Mentee.
        self.new_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.edit_action = action("&Edit Goal…", "edit", "Ctrl+E", self.edit_current)
        self.delete_action = action("&Delete Goal", "delete", "Del", self.delete_current)
        self.move_left_action = action("Move &Left", "back", "Ctrl+Shift+Left",
                                       lambda: self.move_current(-1, 0))
        self.move_right_action = action("Move &Right", "forward", "Ctrl+Shift+Right",
                                        lambda: self.move_current(1, 0))
        self.move_up_action = action("Move &Up", "arrow-up", "Ctrl+Shift+Up",
                                     lambda: self.move_current(0, -1))
        self.move_down_action = action("Move Do&wn", "arrow-down", "Ctrl+Shift+Down",
                                       lambda: self.move_current(0, 1))
        self.add_column_action = action("&Add Column…", "add", "Ctrl+Alt+C", self.add_column)
        self.rename_column_action = action("Re&name Column…", "edit", "Ctrl+Alt+R",
                                           self.rename_current_column)
        self.delete_column_action = action("Delete &Column", "delete", "Ctrl+Alt+D",
                                           self.delete_current_column)
        self.card_actions = [self.edit_action, self.delete_action, self.move_left_action,
                             self.move_right_action, self.move_up_action,
                             self.move_down_action]

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        bar = QHBoxLayout()
        show_label = QLabel("&Show:")
        self.filter_combo = QComboBox()
        self.filter_combo.setObjectName("boardFilter")
        self.filter_combo.setAccessibleName("Show goals of")
        self.filter_combo.setMinimumContentsLength(22)
        self.filter_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.filter_combo.addItem("All mentees", ("all", 0))
        self.filter_combo.currentIndexChanged.connect(self._on_filter_chosen)
        show_label.setBuddy(self.filter_combo)
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("boardSearch")
        self.search_edit.setAccessibleName("Filter goals")
        self.search_edit.setPlaceholderText("Filter goals by title or mentee (Ctrl+F)")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self._apply_filter)
        self.count_label = QLabel()
        self.count_label.setProperty("role", "subtitle")
        self.new_button = QPushButton(icon("goal-add", on_accent=True), "New goal")
        self.new_button.setProperty("role", "primary")
        self.new_button.setAccessibleName("New goal")
        self.new_button.setToolTip("Add a goal (Ctrl+G)")
        self.new_button.clicked.connect(self.new_goal)
        bar.addWidget(show_label)
        bar.addWidget(self.filter_combo)
        bar.addWidget(self.search_edit, 1)
        bar.addWidget(self.count_label)
        bar.addWidget(self.new_button)
        layout.addLayout(bar)

        self.pages = QStackedWidget()
        self.empty = EmptyState(
            "board", "No goals yet",
            "Goals make mentoring measurable. Add one for a mentee — “ship 3 portfolio "
            "pieces” — and move it across the board as it progresses.",
            [self.new_action])
        self.no_mentees = EmptyState(
            "board", "Add a mentee first",
            "Goals belong to a mentee. Add the people you mentor in the Mentees view, then "
            "set measurable goals with them here.",
            [self._go_to_mentees_action()])
        self.board_scroll = QScrollArea()
        self.board_scroll.setObjectName("boardScroll")
        self.board_scroll.setWidgetResizable(True)
        self.board_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.columns_host = QWidget()
        self.columns_layout = QHBoxLayout(self.columns_host)
        self.columns_layout.setContentsMargins(0, 4, 0, 0)
        self.columns_layout.setSpacing(8)
        self.board_scroll.setWidget(self.columns_host)
        self.pages.addWidget(self.board_scroll)
        self.pages.addWidget(self.empty)
        self.pages.addWidget(self.no_mentees)
        layout.addWidget(self.pages, 1)
        self._update_actions()

    def _go_to_mentees_action(self) -> QAction:
        action = QAction(icon("mentees"), "Go to Mentees", self)
        action.setProperty("iconName", "mentees")
        action.triggered.connect(lambda: self.context.bus.show_view.emit("mentees"))
        return action

    def _build_columns(self) -> None:
        current = self.current_card()
        for widget in self.column_widgets:
            self.columns_layout.removeWidget(widget)
            widget.deleteLater()
        self.column_widgets = []
        for column in self.board.columns:
            model = self.board.models[column.id]
            widget = ColumnWidget(model, self.delegate)
            widget.proxy.set_filter(self._mentee_ids, self.search_edit.text())
            widget.view.neighbour_requested.connect(
                lambda step, cid=column.id: self._hop(cid, step))
            widget.view.focused.connect(lambda cid=column.id: self._column_focused(cid))
            widget.view.activated.connect(lambda _i: self.edit_current())
            widget.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            widget.view.customContextMenuRequested.connect(
                lambda pos, w=widget: self._card_menu(w, pos))
            widget.view.selectionModel().currentChanged.connect(
                lambda *_args: self._update_actions())
            self._fill_column_menu(widget)
            self.columns_layout.addWidget(widget, 1)
            self.column_widgets.append(widget)
        self._update_state()
        if current is not None:
            self.reveal(current.id, focus=False)

    def card_menu(self, widget: ColumnWidget, row: int) -> QMenu:
        """Right-click on a card: edit, move to any column, delete."""
        card = widget.proxy.card(row)
        menu = QMenu(self)
        menu.addAction(self.edit_action)
        move_to = menu.addMenu("Move &to")
        for column in self.board.columns:
            action = move_to.addAction(column.name)
            action.setEnabled(column.id != card.column_id)
            action.triggered.connect(
                lambda _=False, cid=column.id, gid=card.id: self.controller.move(gid, cid, None))
        menu.addSeparator()
        menu.addActions([self.move_up_action, self.move_down_action])
        menu.addSeparator()
        menu.addAction(self.delete_action)
        return menu

    def _card_menu(self, widget: ColumnWidget, pos: QPoint) -> None:
        index = widget.view.indexAt(pos)
        if not index.isValid():
            return
        widget.view.setCurrentIndex(index)
        self._current_column = widget.column.id
        self._update_actions()
        menu = self.card_menu(widget, index.row())
        menu.exec(widget.view.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def _fill_column_menu(self, widget: ColumnWidget) -> None:
        cid = widget.column.id
        add = widget.menu.addAction(icon("goal-add"), "Add goal here…")
        add.triggered.connect(lambda: self.new_goal(column_id=cid))
        rename = widget.menu.addAction(icon("edit"), "Rename column…")
        rename.triggered.connect(lambda: self.rename_column(cid))
        delete = widget.menu.addAction(icon("delete"), "Delete column")
        delete.setEnabled(not widget.column.builtin)
        delete.triggered.connect(lambda: self.controller.delete_column(cid))
        widget.menu.addSeparator()
        widget.menu.addAction(self.add_column_action)

    def menu_actions(self) -> dict[str, list[QAction]]:
        separator = QAction(self)
        separator.setSeparator(True)
        separator2 = QAction(self)
        separator2.setSeparator(True)
        return {"&Goal": [self.new_action, self.edit_action, self.delete_action, separator,
                          self.move_left_action, self.move_right_action, self.move_up_action,
                          self.move_down_action, separator2, self.add_column_action,
                          self.rename_column_action, self.delete_column_action]}

    # -- loading -----------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the board from the database in the background."""
        if self._loading:
            self._dirty = True
            return
        self._loading = True
        self._dirty = False
        db = self.context.db

        def work(_control: TaskControl) -> tuple[BoardData, FilterChoices, bool]:
            board = goals.load_board(db)
            choices = goals.filter_choices(db)
            has_mentees = bool(board.cards) or bool(goals.mentee_choices(db))
            return board, choices, has_mentees

        run_task(work, on_success=self._loaded, on_error=self._load_failed)

    def _preload(self) -> None:
        if not self._ever_loaded and not self._loading:
            self.refresh()

    def _loaded(self, result: tuple[BoardData, FilterChoices, bool]) -> None:
        self._loading = False
        first = not self._ever_loaded
        self._ever_loaded = True
        board, choices, has_mentees = result
        self._has_mentees = has_mentees
        current = self.current_card()
        self.board.load(board.columns, board.cards)
        self._set_choices(choices)
        self._update_state()
        if current is not None:
            self.reveal(current.id, focus=False)
        self.loaded.emit()
        if first:
            self.ready.emit()
        if self._dirty:
            self.refresh()

    def _load_failed(self, exc: BaseException) -> None:
        self._loading = False
        show_failure(self, exc)

    def _on_changed(self, notice: ChangeNotice) -> None:
        # The board's own edits have updated its models in place already.
        if notice.origin is self.controller or not (notice.changes & RELOAD_ON):
            return
        if self.isVisible():
            self._reload_timer.start()
        else:
            # Reloaded when the board is shown next.
            self._dirty = True

    def activated(self) -> None:
        if self._dirty or not self._ever_loaded:
            self.refresh()
        self.delegate.today = date.today()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._ever_loaded and not self._loading:
            self.refresh()
        self._update_actions()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._update_actions()

    # -- filtering ---------------------------------------------------------------------
    def _set_choices(self, choices: FilterChoices) -> None:
        self._choices = choices
        selected = self.filter_combo.currentData()
        self.filter_combo.blockSignals(True)
        try:
            self.filter_combo.clear()
            self.filter_combo.addItem("All mentees", ("all", 0))
            for tag in choices.tags:
                self.filter_combo.addItem(icon("tag"), f"Tag: {tag.name}", ("tag", tag.id))
            for mid, name in choices.mentees:
                self.filter_combo.addItem(icon("mentees"), name, ("mentee", mid))
            self._select_filter(selected if isinstance(selected, tuple) else ("all", 0))
        finally:
            self.filter_combo.blockSignals(False)
        self._apply_filter()

    def _select_filter(self, data: tuple[str, int]) -> None:
        for i in range(self.filter_combo.count()):
            if self.filter_combo.itemData(i) == data:
                self.filter_combo.setCurrentIndex(i)
                return
        if data[0] == "mentee":
            # A mentee without goals yet: show them (with empty columns) all the same.
            name = goals.mentee_name(self.context.db, data[1])
            if name is not None:
                self.filter_combo.addItem(icon("mentees"), name, data)
                self.filter_combo.setCurrentIndex(self.filter_combo.count() - 1)
                return
        self.filter_combo.setCurrentIndex(0)

    def filter_key(self) -> tuple[str, int]:
        data = self.filter_combo.currentData()
        return data if isinstance(data, tuple) else ("all", 0)

    def show_filter(self, kind: str, ident: int = 0) -> None:
        """Show all goals (``"all"``), one mentee's or one tag's."""
        self._select_filter((kind, ident))

    def _on_filter_chosen(self) -> None:
        self._apply_filter()
        kind, ident = self.filter_key()
        if kind == "mentee" and not self._applying_selection:
            self._applying_selection = True
            try:
                self.context.select_mentee(ident)
            finally:
                self._applying_selection = False

    def _on_mentee_selected(self, mentee_id: int) -> None:
        if self._applying_selection:
            return
        self._applying_selection = True
        try:
            self.filter_combo.blockSignals(True)
            try:
                self._select_filter(("mentee", mentee_id) if mentee_id >= 0 else ("all", 0))
            finally:
                self.filter_combo.blockSignals(False)
            self._apply_filter()
        finally:
            self._applying_selection = False

    def _apply_filter(self) -> None:
        kind, ident = self.filter_key()
        if kind == "mentee":
            self._mentee_ids = frozenset({ident})
        elif kind == "tag":
            tag = next((t for t in self._choices.tags if t.id == ident), None)
            self._mentee_ids = tag.mentee_ids if tag is not None else frozenset()
        else:
            self._mentee_ids = None
        text = self.search_edit.text()
        for widget in self.column_widgets:
            widget.proxy.set_filter(self._mentee_ids, text)
        self._update_state()

    def flush(self) -> None:
        """On quit or view switch, an open editor with changes saves them (when valid; an
        invalid draft stays open with its message)."""
        editor = self.editor
        if editor is not None and editor.isVisible() and editor.has_changes():
            editor.save_requested.emit()

    def focus_filter(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    # -- state -------------------------------------------------------------------------
    def _update_state(self) -> None:
        for widget in self.column_widgets:
            widget.update_header()
        total = self.board.total()
        shown = sum(w.proxy.rowCount() for w in self.column_widgets)
        if total == 0 and not self._has_mentees:
            self.pages.setCurrentWidget(self.no_mentees)
        elif total == 0 and self.filter_key()[0] == "all":
            self.pages.setCurrentWidget(self.empty)
        else:
            self.pages.setCurrentWidget(self.board_scroll)
        self.count_label.setText(tr("%n goal(s)", "", total) if shown == total
                                 else f"{shown} of " + tr("%n goal(s)", "", total))
        self._update_actions()

    def _update_actions(self) -> None:
        # From another view the menu entries would act on a card nobody can see.
        visible = self.isVisible()
        card = self.current_card() if visible else None
        for action in self.card_actions:
            action.setEnabled(card is not None)
        column = self.current_column() if visible else None
        self.add_column_action.setEnabled(visible)
        self.rename_column_action.setEnabled(column is not None)
        self.delete_column_action.setEnabled(column is not None and not column.builtin)

    def _column_focused(self, column_id: int) -> None:
        self._current_column = column_id
        self._update_actions()

    def current_widget(self) -> ColumnWidget | None:
        for widget in self.column_widgets:
            if widget.column.id == self._current_column:
                return widget
        return None

    def current_column(self) -> ColumnInfo | None:
        widget = self.current_widget()
        return widget.column if widget is not None else None

    def current_card(self) -> BoardCard | None:
        widget = self.current_widget()
        if widget is None:
            return None
        index = widget.view.currentIndex()
        if not index.isValid():
            return None
        return widget.proxy.card(index.row())

    def widget_for(self, column_id: int) -> ColumnWidget | None:
        return next((w for w in self.column_widgets if w.column.id == column_id), None)

    def reveal(self, goal_id: int, focus: bool = True) -> None:
        """Select ``goal_id``'s card (after a move, an undo, a new goal) and scroll to it."""
        located = self.board.locate(goal_id)
        if located is None:
            return
        widget = self.widget_for(located[0].column.id)
        if widget is None:
            return
        row = widget.proxy.row_of(goal_id)
        if row is None:
            return
        index = widget.proxy.index(row, 0)
        for other in self.column_widgets:
            if other is not widget:
                other.view.clearSelection()
        widget.view.setCurrentIndex(index)
        widget.view.scrollTo(index)
        self._current_column = widget.column.id
        if focus and self.isVisible():
            widget.view.setFocus(Qt.FocusReason.OtherFocusReason)
            self.board_scroll.ensureWidgetVisible(widget)
        self._update_actions()

    def _hop(self, column_id: int, step: int) -> None:
        index = next((i for i, w in enumerate(self.column_widgets)
                      if w.column.id == column_id), None)
        if index is None:
            return
        row = max(0, self.column_widgets[index].view.currentIndex().row())
        target = index + step
        while 0 <= target < len(self.column_widgets):
            widget = self.column_widgets[target]
            # Skip empty columns so Left/Right always lands on a card when there is one.
            if widget.proxy.rowCount() > 0 or target in (0, len(self.column_widgets) - 1):
                widget.view.setFocus(Qt.FocusReason.OtherFocusReason)
                if widget.proxy.rowCount():
                    widget.view.setCurrentIndex(
                        widget.proxy.index(min(row, widget.proxy.rowCount() - 1), 0))
                self.board_scroll.ensureWidgetVisible(widget)
                self._current_column = widget.column.id
                self._update_actions()
                return
            target += step

    # -- moving ------------------------------------------------------------------------
    def move_current(self, columns: int, rows: int) -> bool:
        """Keyboard move: ``columns`` -1/+1 to a neighbouring column, ``rows`` -1/+1 up or
        down among the cards shown."""
        widget = self.current_widget()
        card = self.current_card()
        if widget is None or card is None:
            return False
        row = widget.view.currentIndex().row()
        if columns:
            index = self.column_widgets.index(widget) + columns
            if not 0 <= index < len(self.column_widgets):
                return False
            target = self.column_widgets[index]
            shown = target.proxy.rowCount()
            before = target.proxy.card(row).id if row < shown else None
            return self.controller.move(card.id, target.column.id, before)
        if rows < 0:
            if row == 0:
                return False
            before_id: int | None = widget.proxy.card(row - 1).id
        else:
            if row + 1 >= widget.proxy.rowCount():
                return False
            # Land right after the next card shown: before whatever follows it.
            following = widget.proxy.card(row + 1)
            source_row = widget.model.row_of(following.id)
            assert source_row is not None
            before_id = (widget.model.card(source_row + 1).id
                         if source_row + 1 < widget.model.rowCount() else None)
        return self.controller.move(card.id, widget.column.id, before_id)

    # -- goals -------------------------------------------------------------------------
    def new_goal(self, column_id: int | None = None) -> GoalEditor | None:
        mentees = goals.mentee_choices(self.context.db)
        if not mentees:
            show_known_error(self, KnownError(
                "Goals belong to a mentee, and there is none yet.",
                hint="Add a mentee in the Mentees view first."))
            self.context.bus.show_view.emit("mentees")
            return None
        kind, ident = self.filter_key()
        mentee_id = ident if kind == "mentee" else self.context.selected_mentee_id
        if column_id is None or not isinstance(column_id, int):
            column = self.current_column()
            column_id = column.id if column is not None else None
        editor = GoalEditor(self.board.columns, None, mentees=mentees, mentee_id=mentee_id,
                            column_id=column_id, parent=self)
        editor.save_requested.connect(lambda: self._save_new(editor))
        self._open_editor(editor)
        return editor

    def _save_new(self, editor: GoalEditor) -> None:
        mentee_id = editor.mentee_id()
        if mentee_id is None:
            editor.show_error("Choose a mentee from the list.")
            return
        draft = editor.draft()
        try:
            goals.validate_draft(draft)
        except KnownError as exc:
            editor.show_error(str(exc))
            return
        if self.controller.create(mentee_id, draft, editor.column_id()) is not None:
            editor.accept()

    def edit_current(self) -> GoalEditor | None:
        card = self.current_card()
        if card is None:
            return None
        return self.edit_goal(card.id)

    def edit_goal(self, goal_id: int) -> GoalEditor | None:
        try:
            details = goals.get_goal(self.context.db, goal_id)
        except KnownError as exc:
            show_known_error(self, exc)
            self.refresh()
            return None
        editor = GoalEditor(self.board.columns, details, parent=self)
        editor.save_requested.connect(lambda: self._save_edit(editor, details))
        db = self.context.db
        run_task(lambda _c: goals.goal_story(db, goal_id), on_success=editor.set_story)
        self._open_editor(editor)
        return editor

    def _save_edit(self, editor: GoalEditor, details: GoalDetails) -> None:
        draft = editor.draft()
        try:
            goals.validate_draft(draft)
        except KnownError as exc:
            editor.show_error(str(exc))
            return
        column_id = editor.column_id()
        move_to = column_id if column_id is not None and column_id != details.column_id \
            else None
        if self.controller.save(details.id, details.draft, draft, move_to):
            editor.accept()

    def _open_editor(self, editor: GoalEditor) -> None:
        self.editor = editor
        editor.finished.connect(lambda _r: self._editor_closed(editor))
        editor.open()

    def _editor_closed(self, editor: GoalEditor) -> None:
        if self.editor is editor:
            self.editor = None
        editor.deleteLater()

    def delete_current(self) -> bool:
        card = self.current_card()
        if card is None:
            return False
        widget = self.current_widget()
        row = widget.view.currentIndex().row() if widget is not None else 0
        if not self.controller.delete(card.id, card.title):
            return False
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(
                f"Deleted “{card.title}”. Undo (Ctrl+Z) brings it back.", 8000)
        if widget is not None and widget.proxy.rowCount():
            widget.view.setCurrentIndex(
                widget.proxy.index(min(row, widget.proxy.rowCount() - 1), 0))
        self._update_actions()
        return True

    # -- columns -----------------------------------------------------------------------
    def add_column(self) -> None:
        name = TextPrompt.ask(self, "Add column", "Name of the new column:")
        if name is not None and name.strip():
            self.controller.add_column(name)

    def rename_current_column(self) -> None:
        column = self.current_column()
        if column is not None:
            self.rename_column(column.id)

    def rename_column(self, column_id: int) -> None:
        column = next((c for c in self.board.columns if c.id == column_id), None)
        if column is None:
            return
        name = TextPrompt.ask(self, "Rename column", "New name:", column.name)
        if name is not None and name.strip() and name.strip() != column.name:
            self.controller.rename_column(column_id, name)

    def delete_current_column(self) -> None:
        column = self.current_column()
        if column is not None:
            self.controller.delete_column(column.id)

    def sizeHint(self) -> QSize:
        return QSize(1100, 700)

