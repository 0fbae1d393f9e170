"""Help ▸ Keyboard Shortcuts: every shortcut of the window, searchable.

The list is read from the window's actions when the dialog opens (the menus, and actions
that live on widgets without a menu entry), so it cannot go stale when an action or its
key changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QAction, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QTableView,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True)
class Shortcut:
    name: str
    keys: str
    where: str


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip(".…").strip()


def _keys(action: QAction) -> str:
    return ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText)
                     for k in action.shortcuts() if not k.isEmpty())


def collect(window: QMainWindow) -> list[Shortcut]:
    """Every action of ``window`` that has a key: menus first (with their path), then
    actions on widgets that no menu shows (the board's card keys, the editor's…)."""
    found: list[Shortcut] = []
    seen: set[int] = set()

    def walk(menu: QMenu, path: str) -> None:
        for action in menu.actions():
            sub = action.menu()
            if isinstance(sub, QMenu):
                walk(sub, f"{path} ▸ {_plain(action.text())}")
                continue
            if action.isSeparator():
                continue
            seen.add(id(action))
            keys = _keys(action)
            if keys:
                found.append(Shortcut(_plain(action.text()), keys, path))

    for top in window.menuBar().actions():
        menu = top.menu()
        if isinstance(menu, QMenu):
            walk(menu, _plain(top.text()))
    for widget in (window, *window.findChildren(QWidget)):
        if isinstance(widget, QMenu):
            continue
        for action in widget.actions():
            if id(action) in seen or action.isSeparator():
                continue
            seen.add(id(action))
            keys = _keys(action)
            if keys:
                where = widget.accessibleName() or _plain(widget.windowTitle()) or "Window"
                found.append(Shortcut(_plain(action.text()), keys, where))
    return found


class ShortcutsDialog(QDialog):
    """A filter field over a table of name, keys and where the action lives."""

    def __init__(self, window: QMainWindow, parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard Shortcuts")
        self.setAccessibleName(self.windowTitle())
        self.resize(620, 560)
        build_all = getattr(window, "build_all_views", None)
        if callable(build_all):
            build_all()  # every view's actions are in place
        self.shortcuts = collect(window)
        layout = QVBoxLayout(self)
        self.field = QLineEdit()
        self.field.setAccessibleName("Search shortcuts")
        self.field.setPlaceholderText("Type an action or a key, e.g. note or Ctrl+N")
        self.field.setClearButtonEnabled(True)
        label = QLabel("&Search:")
        label.setBuddy(self.field)
        layout.addWidget(label)
        layout.addWidget(self.field)
        self.model = QStandardItemModel(0, 3, self)
        self.model.setHorizontalHeaderLabels(["Action", "Keys", "Where"])
        for s in self.shortcuts:
            self.model.appendRow([QStandardItem(s.name), QStandardItem(s.keys),
                                  QStandardItem(s.where)])
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.field.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QTableView()
        self.table.setAccessibleName("Shortcuts")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName("Close")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.field.setFocus()

    def visible_names(self) -> list[str]:
        return [str(self.proxy.index(r, 0).data()) for r in range(self.proxy.rowCount())]


__all__ = ["Shortcut", "ShortcutsDialog", "collect"]
