"""Team mode in the window: a Team button beside Sync, Tools ▸ Team…, the replication worker
for a mentor's desk, and the Program view for a program's coordinator.

``install_team(window)`` is the entry point, which the app calls once the first view is
interactive (the package brings the team code and SQLAlchemy; psycopg loads only when the
desk talks to a team server).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QToolBar, QToolButton, QWidget

from mentordesk.ui.context import EVERYTHING
from mentordesk.ui.team.controller import OFF, TeamController, TeamView
from mentordesk.ui.team.dialog import TeamDialog
from mentordesk.ui.team.program import ProgramView

if TYPE_CHECKING:
    from mentordesk.ui.main_window import MainWindow

__all__ = ["TeamButton", "TeamController", "install_team"]


class TeamButton(QToolButton):
    """Shows the team state ("Team: offline, 3 changes waiting"); a click opens Team…

    Shown only in a team. It lives in a tool bar, where a widget is shown and hidden
    through the action the tool bar made for it, not by itself.
    """

    def __init__(self, controller: TeamController, toolbar: QToolBar) -> None:
        super().__init__()
        self.setObjectName("teamButton")
        self.setAccessibleName("Team status")
        self._toolbar = toolbar
        self._slot = toolbar.addWidget(self)
        controller.state_changed.connect(self._show)
        self._show(controller.view)

    @property
    def shown(self) -> bool:
        """Whether the button is offered in its tool bar (the tool bar lays its widgets out
        later, so the widget's own visibility lags behind)."""
        return self._slot.isVisible() and self._toolbar.isVisibleTo(self._toolbar.window())

    def _show(self, view: TeamView) -> None:
        self.setText(view.text)
        self.setToolTip(view.detail)
        self.setAccessibleDescription(view.detail)
        shown = view.state != OFF
        self._slot.setVisible(shown)
        if shown:
            self._toolbar.setVisible(True)


def install_team(window: MainWindow) -> TeamController:
    """Add Tools ▸ Team…, the Team button, and (for a coordinator) the Program view; start
    replicating when this desk is a mentor in a team."""
    context = window.context
    controller = TeamController(context.db, parent=window)
    button = TeamButton(controller, window.toolbar)
    action = QAction("&Team…", window)
    action.setObjectName("teamAction")
    action.triggered.connect(lambda: _open_dialog(controller, window))
    button.clicked.connect(action.trigger)
    window.menu("&Tools").addAction(action)

    def edited(_kinds: object) -> None:
        controller.wake()

    context.bus.changed.connect(edited)
    # Other desks' changes came in: every view may show some of them.
    controller.data_changed.connect(lambda: context.bus.notify(EVERYTHING))
    controller.start()
    if controller.kind == "coordinator":
        window.add_view(ProgramView(context, window))
    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(controller.stop)
    window.team_controller = controller
    return controller


def _open_dialog(controller: TeamController, parent: QWidget) -> None:
    TeamDialog.ask(controller, parent)
