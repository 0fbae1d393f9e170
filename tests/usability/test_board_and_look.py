"""How the board and the app look: cards that show their whole footer, a column that lights
up under a dragged card, one icon family on every button, check boxes and the sidebar
readable in a light and a dark palette, and icons drawn sharp at 150 % and 200 %.

Scale checks run in a child process (``QT_SCALE_FACTOR`` is read once at start-up):

    python -m tests.usability.test_board_and_look scale
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QByteArray, QPoint, QPointF, QRect, QSettings, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QFontMetrics,
    QIcon,
    QImage,
    QPainter,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QDialogButtonBox,
    QLineEdit,
    QMessageBox,
    QRadioButton,
    QStyle,
    QStyleOptionButton,
    QStyleOptionViewItem,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from tests.usability.catalogue import walk_catalogue

ROOT = Path(__file__).resolve().parents[2]
LONG_UNIT = "pull requests reviewed"
LONG_FOOTER = f"12 of 12 {LONG_UNIT}"


# -- colour and icon helpers -------------------------------------------------------------
def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio."""
    def lum(c: QColor) -> float:
        return (0.2126 * _linear(c.redF()) + 0.7152 * _linear(c.greenF())
                + 0.0722 * _linear(c.blueF()))

    high, low = sorted((lum(a), lum(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def best_contrast(image: QImage, area: QRect, against: QColor) -> float:
    """The strongest contrast any pixel of ``area`` (device pixels) has to ``against``."""
    best = 1.0
    area = area.intersected(image.rect())
    for y in range(area.top(), area.bottom() + 1):
        for x in range(area.left(), area.right() + 1):
            best = max(best, contrast(image.pixelColor(x, y), against))
    return best


def _icon_image(icon: QIcon) -> QImage:
    return icon.pixmap(QSize(16, 16), 1.0).toImage()


def our_icons() -> dict[str, QImage]:
    """Every icon of resources/icons as ui/resources.icon draws it in the current palette."""
    from mentordesk.ui.resources import icon, resource_path

    drawn: dict[str, QImage] = {}
    for path in sorted(resource_path("icons").glob("*.svg")):
        if path.stem != "app":
            drawn[path.stem] = _icon_image(icon(path.stem))
            drawn[f"{path.stem} (on accent)"] = _icon_image(icon(path.stem, on_accent=True))
    return drawn


def which_icon(icon: QIcon, ours: dict[str, QImage]) -> str | None:
    """The name of our icon that ``icon`` draws, "" for a null icon, None for a foreign one
    (a style's floppy disk or red cross, a theme icon)."""
    if icon.isNull():
        return ""
    image = _icon_image(icon)
    return next((name for name, drawn in ours.items() if drawn == image), None)


def foreign_button_icons(root: QWidget, ours: dict[str, QImage]) -> list[str]:
    found = []
    for button in (root, *root.findChildren(QAbstractButton)):
        if isinstance(button, QAbstractButton) and button.isVisible() \
                and which_icon(button.icon(), ours) is None:
            found.append(f"{type(button).__name__} {button.text()!r} "
                         f"{button.accessibleName()!r}")
    return found


def use_scheme(dark: bool) -> None:
    """The light or dark system palette, as the screenshots and the layout test set it."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from screen_catalogue import use_palette  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    use_palette(app, dark)


@pytest.fixture(params=["light", "dark"])
def scheme(request: pytest.FixtureRequest) -> Iterator[str]:
    from mentordesk.ui.app import create_application

    create_application()
    use_scheme(request.param == "dark")
    yield str(request.param)
    use_scheme(False)


# -- painting a card ---------------------------------------------------------------------
class RecordingPainter(QPainter):
    """A painter that notes each text drawn into a rectangle, with its font."""

    def __init__(self, device: QImage) -> None:
        super().__init__(device)
        self.texts: list[tuple[QRect, str, QFont]] = []

    def drawText(self, *args: Any) -> None:  # type: ignore[override]
        if len(args) == 3 and isinstance(args[0], QRect) and isinstance(args[2], str):
            self.texts.append((QRect(args[0]), args[2], QFont(self.font())))
        super().drawText(*args)


def card_texts(board: Any, goal_id: int) -> tuple[QRect, list[tuple[QRect, str, QFont]]]:
    """Paint ``goal_id``'s card as its column shows it; its rect and the texts drawn."""
    located = board.board.locate(goal_id)
    assert located is not None
    widget = board.widget_for(located[0].column.id)
    view = widget.view
    row = widget.proxy.row_of(goal_id)
    assert row is not None
    index = widget.proxy.index(row, 0)
    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    option.rect = view.visualRect(index)
    image = QImage(view.viewport().size(), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = RecordingPainter(image)
    view.itemDelegate().paint(painter, option, index)
    painter.end()
    return QRect(option.rect), painter.texts


def clipped_card_texts(card: QRect, texts: list[tuple[QRect, str, QFont]]) -> list[str]:
    problems = []
    for rect, text, font in texts:
        if "…" in text:
            problems.append(f"elided: {text!r}")
        elif QFontMetrics(font).horizontalAdvance(text) > rect.width():
            problems.append(f"wider than its rect: {text!r} in {rect.width()} px")
        if not card.contains(rect):
            problems.append(f"outside the card: {text!r} at {rect} (card {card})")
    return problems


def add_long_goal(db: Any, mentee_id: int, column_id: int) -> int:
    from mentordesk.services import goals
    from mentordesk.services.goals import GoalDraft

    return goals.create_goal(db, mentee_id, GoalDraft(
        title="Review the team's pull requests every week", progress_mode="measure",
        target_value=12, current_value=12, target_unit=LONG_UNIT,
        due_date=date(date.today().year - 1, 10, 27)), column_id)


# -- cards and dragging ------------------------------------------------------------------
def test_a_long_measurable_footer_fits_its_card(qtbot: QtBot, desk: Any) -> None:
    from mentordesk.ui.board.view import BoardView
    from tests.usability.conftest import open_window

    goal = add_long_goal(desk.db, desk.amara, desk.columns["in_progress"])
    window = open_window(qtbot, desk, "board")
    board = window.current_view()
    assert isinstance(board, BoardView)
    qtbot.waitUntil(lambda: board.board.locate(goal) is not None, timeout=5000)
    card, texts = card_texts(board, goal)
    drawn = [text for _rect, text, _font in texts]
    assert LONG_FOOTER in drawn
    assert any(text.startswith("Overdue") for text in drawn)
    assert clipped_card_texts(card, texts) == []
    # The full text is at hand where a narrow column has to cut it.
    widget = board.widget_for(desk.columns["in_progress"])
    assert widget is not None
    row = widget.proxy.row_of(goal)
    assert row is not None
    assert LONG_FOOTER in widget.proxy.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)


def _send(viewport: QWidget, event: Any) -> None:
    QApplication.sendEvent(viewport, event)


def _edge_pixel(widget: QWidget) -> QColor:
    """The colour half-way down the column's left edge (inside its rounded corners)."""
    image = widget.grab().toImage()
    return image.pixelColor(1, image.height() // 2)


def test_a_column_lights_up_while_a_card_is_dragged_over_it(
        qtbot: QtBot, desk: Any, scheme: str) -> None:
    from mentordesk.services import goals
    from mentordesk.ui.board.models import encode_goal_ids
    from mentordesk.ui.board.view import BoardView
    from tests.usability.conftest import open_window

    window = open_window(qtbot, desk, "board")
    board = window.current_view()
    assert isinstance(board, BoardView)
    qtbot.waitUntil(lambda: board.board.locate(desk.goal) is not None, timeout=5000)
    target = board.widget_for(desk.columns["done"])
    assert target is not None
    viewport = target.view.viewport()
    highlight = target.palette().color(QPalette.ColorRole.Highlight)
    calm = _edge_pixel(target)
    assert contrast(calm, highlight) > 1.5
    mime = encode_goal_ids([desk.goal])
    where = QPoint(40, 20)
    move = Qt.DropAction.MoveAction
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier

    _send(viewport, QDragEnterEvent(where, move, mime, left, none))
    _send(viewport, QDragMoveEvent(where, move, mime, left, none))
    lit = _edge_pixel(target)
    assert contrast(lit, highlight) < 1.2, (lit.name(), highlight.name())
    # Seen against the column's own background, in the light and the dark palette.
    assert contrast(lit, calm) >= 1.8
    # The other columns stay as they are.
    other = board.widget_for(desk.columns["blocked"])
    assert other is not None and contrast(_edge_pixel(other), highlight) > 1.5

    _send(viewport, QDragLeaveEvent())
    assert _edge_pixel(target) == calm

    _send(viewport, QDragEnterEvent(where, move, mime, left, none))
    _send(viewport, QDragMoveEvent(where, move, mime, left, none))
    assert contrast(_edge_pixel(target), highlight) < 1.2
    _send(viewport, QDropEvent(QPointF(where), move, mime, left, none))
    def landed() -> bool:
        located = board.board.locate(desk.goal)
        return located is not None and located[0].column.id == desk.columns["done"]

    qtbot.waitUntil(landed)
    target = board.widget_for(desk.columns["done"])
    assert target is not None and _edge_pixel(target) == calm
    stored = goals.load_board(desk.db)
    assert desk.goal in [card.id for card in stored.cards_in(desk.columns["done"])]


# -- one icon family -----------------------------------------------------------------------
def test_dialog_buttons_and_clear_buttons_show_our_icons(qtbot: QtBot, scheme: str) -> None:
    from mentordesk.ui.widgets.form_dialog import discard_question

    ours = our_icons()
    host = QWidget()
    qtbot.addWidget(host)
    layout = QVBoxLayout(host)
    std = QDialogButtonBox.StandardButton
    box = QDialogButtonBox(std.Save | std.Cancel | std.Close | std.Discard | std.Apply
                           | std.Ok | std.Help | std.Reset)
    field = QLineEdit("something to clear")
    field.setClearButtonEnabled(True)
    layout.addWidget(field)
    layout.addWidget(box)
    host.show()
    qtbot.waitExposed(host)
    shown = {box.standardButton(b).name: which_icon(b.icon(), ours) for b in box.buttons()}
    assert shown == {"Save": "check", "Ok": "check", "Apply": "check", "Cancel": "close",
                     "Close": "close", "Discard": "delete", "Help": "info", "Reset": "undo"}
    clear = [b for b in field.findChildren(QToolButton) if not b.icon().isNull()]
    assert clear and all(which_icon(b.icon(), ours) == "close" for b in clear)

    question = discard_question(host)
    qtbot.addWidget(question)
    assert {b.text(): which_icon(b.icon(), ours) for b in question.buttons()} == {
        "&Discard": "delete", "&Keep editing": "edit"}
    message = QMessageBox(QMessageBox.Icon.Warning, "Delete?", "Delete it?",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, host)
    assert {b.text(): which_icon(b.icon(), ours) for b in message.buttons()} == {
        "&Yes": "check", "&No": "close"}


def test_wrap_up_buttons_have_fitting_icons(qtbot: QtBot) -> None:
    from mentordesk.ui.app import create_application
    from mentordesk.ui.notes.wrap_up_dialog import WrapUpDialog

    create_application()
    dialog = WrapUpDialog("# Recap", None, "Amara Okafor")
    qtbot.addWidget(dialog)
    ours = our_icons()
    buttons = {b.text().replace("&", ""): which_icon(b.icon(), ours)
               for b in dialog.findChildren(QAbstractButton)}
    assert buttons == {"Copy recap": "copy", "Book this slot": "calendar",
                       "Pick another time…": "timer", "Close": "close"}


def test_the_tag_filter_shows_a_tag(qtbot: QtBot, desk: Any) -> None:
    from mentordesk.storage.schema import MenteeTag, Tag
    from mentordesk.ui.board.view import BoardView
    from tests.usability.conftest import open_window

    with desk.db.transaction() as s:
        tag = Tag(name="design")
        s.add(tag)
        s.flush()
        s.add(MenteeTag(mentee_id=desk.amara, tag_id=tag.id))
    window = open_window(qtbot, desk, "board")
    board = window.current_view()
    assert isinstance(board, BoardView)
    combo = board.filter_combo
    qtbot.waitUntil(lambda: combo.findText("Tag: design") >= 0, timeout=5000)
    ours = our_icons()
    assert which_icon(combo.itemIcon(combo.findText("Tag: design")), ours) == "tag"
    tag_svg = (ROOT / "resources" / "icons" / "tag.svg").read_text(encoding="utf-8")
    add_svg = (ROOT / "resources" / "icons" / "add.svg").read_text(encoding="utf-8")
    # Drawn like the others: the same view box, stroke and palette colour.
    head = add_svg[:add_svg.index("><") + 1]
    assert tag_svg.startswith(head)


def test_every_button_of_every_screen_shows_one_of_our_icons(
        qtbot: QtBot, tmp_path: Path) -> None:
    ours = our_icons()
    report: dict[str, list[str]] = {}
    seen = 0
    for name, widget in walk_catalogue(qtbot, tmp_path):
        seen += 1
        found = foreign_button_icons(widget, ours)
        if found:
            report[name] = found
    assert seen >= 15
    assert report == {}


# -- light and dark ------------------------------------------------------------------------
def _indicator_contrast(qtbot: QtBot, button: QCheckBox | QRadioButton) -> float:
    host = QWidget()
    qtbot.addWidget(host)
    QVBoxLayout(host).addWidget(button)
    host.show()
    qtbot.waitExposed(host)
    option = QStyleOptionButton()
    button.initStyleOption(option)
    element = (QStyle.SubElement.SE_CheckBoxIndicator if isinstance(button, QCheckBox)
               else QStyle.SubElement.SE_RadioButtonIndicator)
    rect = button.style().subElementRect(element, option, button)
    image = host.grab().toImage()
    ratio = image.devicePixelRatio()
    at = button.mapTo(host, rect.topLeft())
    area = QRect(round(at.x() * ratio), round(at.y() * ratio), round(rect.width() * ratio),
                 round(rect.height() * ratio))
    window = host.palette().color(QPalette.ColorRole.Window)
    # The window itself, next to the control.
    assert contrast(image.pixelColor(image.width() - 2, image.height() - 2), window) < 1.05
    return best_contrast(image, area, window)


def test_check_boxes_and_radio_buttons_stand_out(qtbot: QtBot, scheme: str) -> None:
    # Unchecked: only the edge and the fill show where the control is (WCAG 1.4.11, 3:1).
    assert _indicator_contrast(qtbot, QCheckBox("Show archived")) >= 3.0
    assert _indicator_contrast(qtbot, QRadioButton("My main calendar")) >= 3.0


def test_check_boxes_in_lists_stand_out(qtbot: QtBot, scheme: str) -> None:
    """A checkable row (an action item) shows its box against the list's background."""
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QListView

    model = QStandardItemModel()
    item = QStandardItem("Write up the interview notes")
    item.setCheckable(True)
    model.appendRow(item)
    view = QListView()
    view.setModel(model)
    qtbot.addWidget(view)
    view.resize(300, 80)
    view.show()
    qtbot.waitExposed(view)
    image = view.viewport().grab().toImage()
    ratio = image.devicePixelRatio()
    row = view.visualRect(model.index(0, 0))
    # The box sits at the row's start, before the text.
    box = QRect(row.left(), row.top(), row.height() + 4, row.height())
    area = QRect(round(box.x() * ratio), round(box.y() * ratio), round(box.width() * ratio),
                 round(box.height() * ratio))
    base = view.palette().color(QPalette.ColorRole.Base)
    assert best_contrast(image, area, base) >= 3.0


def test_the_current_view_in_the_sidebar_reads_well(
        qtbot: QtBot, desk: Any, scheme: str) -> None:
    from tests.usability.conftest import open_window

    window = open_window(qtbot, desk, "board")
    bar = window.findChild(QToolBar, "sidebar")
    assert bar is not None
    checked = [b for b in bar.findChildren(QToolButton) if b.isChecked() and b.isVisible()]
    assert len(checked) == 1
    image = checked[0].grab().toImage()
    w, h = image.width(), image.height()
    background = image.pixelColor(w // 2, round(4 * image.devicePixelRatio()))
    inset = round(6 * image.devicePixelRatio())
    text = best_contrast(image, QRect(inset, h * 6 // 10, w - 2 * inset, h * 4 // 10 - inset),
                         background)
    picture = best_contrast(image, QRect(inset, inset, w - 2 * inset, h // 2 - inset),
                            background)
    assert text >= 4.5, (scheme, background.name())
    assert picture >= 3.0, (scheme, background.name())


# -- 150 % and 200 % -----------------------------------------------------------------------
def _run_scale_child(scale: str, tmp_path: Path) -> dict[str, Any]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR=scale,
               TZ="Europe/Berlin", HOME=str(tmp_path))
    done = subprocess.run([sys.executable, "-m", "tests.usability.test_board_and_look",
                           "scale", str(tmp_path)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=180, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("SCALE-REPORT ")]
    assert done.returncode == 0 and lines, done.stderr[-3000:]
    report: dict[str, Any] = json.loads(lines[-1].removeprefix("SCALE-REPORT "))
    return report


@pytest.mark.parametrize("scale", ["1.5", "2"])
def test_icons_are_sharp_and_cards_fit_when_scaled(scale: str, tmp_path: Path) -> None:
    report = _run_scale_child(scale, tmp_path)
    side = round(20 * float(scale))
    assert report["ratio"] == float(scale)
    assert report["device_size"] == [side, side]
    # Drawn from the SVG at the device size, not a 20 px picture blown up.
    assert report["worst_alpha_difference"] <= 8
    # Four columns side by side in a 1280 px wide window, as a mentor sees the board.
    assert len(report["column_widths"]) == 4 and max(report["column_widths"]) < 320
    assert report["card_problems"] == []
    assert LONG_FOOTER in report["card_texts"]


def _scale_child(tmp: Path) -> dict[str, Any]:
    """In a process started with QT_SCALE_FACTOR: an icon at the device pixel ratio against
    the SVG rendered straight at that size, and a long card on the board at 1280x800."""
    from PySide6.QtSvg import QSvgRenderer

    from mentordesk.services import goals
    from mentordesk.storage.database import open_database
    from mentordesk.ui.app import build_context, create_application
    from mentordesk.ui.board.view import BoardView
    from mentordesk.ui.main_window import MainWindow
    from mentordesk.ui.resources import icon, resource_path
    from tests.usability.conftest import add_mentee

    app = create_application()
    ratio = app.devicePixelRatio()
    pixmap = icon("add").pixmap(QSize(20, 20), ratio)
    image = pixmap.toImage().convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    colour = app.palette().color(QPalette.ColorRole.WindowText).name()
    svg = resource_path("icons", "add.svg").read_text(encoding="utf-8")
    renderer = QSvgRenderer(QByteArray(svg.replace("currentColor", colour).encode("utf-8")))
    reference = QImage(image.size(), QImage.Format.Format_ARGB32_Premultiplied)
    reference.fill(0)
    painter = QPainter(reference)
    renderer.render(painter)
    painter.end()
    worst = max(abs(image.pixelColor(x, y).alpha() - reference.pixelColor(x, y).alpha())
                for y in range(image.height()) for x in range(image.width()))

    db = open_database(tmp / "scaled.sqlite3")
    mentee = add_mentee(db, "Amara Okafor", "Asia/Kolkata")
    columns = {c.status_key or c.name: c.id for c in goals.load_board(db).columns}
    goal = add_long_goal(db, mentee, columns["in_progress"])
    settings = QSettings(str(tmp / "scaled.ini"), QSettings.Format.IniFormat)
    # A child process without pytest's fixtures; only the board and its cards are measured.
    window = MainWindow(build_context(db, settings))
    window.resize(1280, 800)
    window.show()
    window.show_view("board")
    board = window.current_view()
    assert isinstance(board, BoardView)
    deadline = time.monotonic() + 10
    while board.board.locate(goal) is None and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    # The window's layout settles after its first paints.
    settle = time.monotonic() + 0.5
    while time.monotonic() < settle:
        app.processEvents()
        time.sleep(0.01)
    card, texts = card_texts(board, goal)
    report = {
        "column_widths": [w.width() for w in board.column_widgets],
        "ratio": ratio, "device_size": [pixmap.width(), pixmap.height()],
        "worst_alpha_difference": worst, "card_problems": clipped_card_texts(card, texts),
        "card_texts": [text for _rect, text, _font in texts]}
    window.close()
    db.close()
    return report


if __name__ == "__main__":
    if sys.argv[1:2] == ["scale"]:
        for name in ("MENTORDESK_DATA_DIR", "MENTORDESK_LOG_DIR", "XDG_CONFIG_HOME"):
            os.environ[name] = str(Path(sys.argv[2]) / name.lower())
        print("SCALE-REPORT " + json.dumps(_scale_child(Path(sys.argv[2]))))
