"""The session's action items: tick off, add (with a goal), link to a goal, delete."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mentordesk.services.notes import GoalChoice
from mentordesk.ui.notes.controller import NotesController
from mentordesk.ui.notes.models import ActionItemsModel
from mentordesk.ui.resources import icon


class ActionItemsPanel(QWidget):
    def __init__(self, controller: NotesController) -> None:
        super().__init__()
        self.controller = controller
        self.goals: list[GoalChoice] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        label = QLabel("Action items")
        label.setProperty("role", "section")
        layout.addWidget(label)
        self.model = ActionItemsModel(controller.toggle_item, self)
        self.list = QListView()
        self.list.setAccessibleName("Action items of this session")
        self.list.setModel(self.model)
        self.list.setWordWrap(True)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        self.list.installEventFilter(self)
        layout.addWidget(self.list, 1)
        add_row = QHBoxLayout()
        self.field = QLineEdit()
        self.field.setAccessibleName("New action item")
        self.field.setPlaceholderText("New action item… (Enter)")
        self.field.returnPressed.connect(self._add_from_field)
        add_row.addWidget(self.field, 1)
        self.goal_box = QComboBox()
        self.goal_box.setAccessibleName("Goal for the new action item")
        add_row.addWidget(self.goal_box)
        add_button = QPushButton(icon("add"), "Add")
        add_button.setAccessibleName("Add action item")
        add_button.clicked.connect(self._add_from_field)
        add_row.addWidget(add_button)
        layout.addLayout(add_row)

    def set_goals(self, goals: list[GoalChoice]) -> None:
        self.goals = goals
        self.goal_box.clear()
        self.goal_box.addItem("No goal", None)
        for goal in goals:
            if not goal.done:
                self.goal_box.addItem(goal.title, goal.id)

    def _add_from_field(self) -> None:
        text = self.field.text().strip()
        if text:
            goal = self.goal_box.currentData()
            self.controller.add_action_item(text, goal_id=int(goal) if goal is not None
                                            else None)
            self.field.clear()

    def delete_selected(self) -> None:
        item = self.model.item(self.list.currentIndex().row())
        if item is not None:
            self.controller.delete_item(item)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.list and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Delete):
            self.delete_selected()
            return True
        return super().eventFilter(watched, event)

    def _menu(self, pos: QPoint) -> None:
        item = self.model.item(self.list.indexAt(pos).row())
        if item is None:
            return
        menu = QMenu(self)
        link = menu.addMenu("Link to goal")
        none = link.addAction("No goal")
        none.triggered.connect(lambda: self.controller.link(item, None))
        for goal in self.goals:
            act = link.addAction(goal.title)
            act.setCheckable(True)
            act.setChecked(goal.id == item.goal_id)
            act.triggered.connect(lambda _=False, g=goal.id: self.controller.link(item, g))
        delete = menu.addAction(icon("delete"), "Delete")
        delete.triggered.connect(lambda: self.controller.delete_item(item))
        menu.exec(self.list.viewport().mapToGlobal(pos))
