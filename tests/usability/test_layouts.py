"""Nothing clipped, overlapping or pushed off the edge: every view and dialog
(scripts/screen_catalogue.py) at 1280x800, at 100 %, 150 % and 200 % scale (QT_SCALE_FACTOR,
in a child process: the factor is read once at start-up), in a light and a dark palette.
Fails where a visible label's or button's text does not fit its contents rect, where two
widgets of one layout overlap, or where a layout pushed a widget past its parent's edge
(tests/usability/layout_check.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from tests.usability.layout_check import problems

ROOT = Path(__file__).resolve().parents[2]
SCREENS = {"mentees", "board", "notes", "mentee-form-new", "mentee-form-zone-error",
           "goal-editor", "goal-editor-links", "goal-new", "plan-session", "wrap-up",
           "search", "call-window", "about", "keyboard-shortcuts", "google-calendar"}


def run_child(scale: str, scheme: str, tmp_path: Path) -> dict[str, object]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR=scale,
               TZ="Europe/Berlin", HOME=str(tmp_path))
    done = subprocess.run([sys.executable, "-m", "tests.usability.layout_child", scheme],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=240,
                          check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("LAYOUT-REPORT ")]
    assert done.returncode == 0 and lines, done.stderr[-3000:]
    report: dict[str, object] = json.loads(lines[-1].removeprefix("LAYOUT-REPORT "))
    return report


@pytest.mark.parametrize("scale", ["1", "1.5", "2"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_screen_fits_at_1280x800(scale: str, scheme: str, tmp_path: Path) -> None:
    report = run_child(scale, scheme, tmp_path)
    assert report.pop("_scale") == float(scale)
    assert set(report) == SCREENS
    found = {name: found for name, found in report.items() if found}
    assert found == {}


def test_the_check_sees_clipped_text_and_overlap(qtbot: QtBot) -> None:
    """The checker itself: a squeezed label and button, and two overlapping widgets."""
    window = QWidget()
    qtbot.addWidget(window)
    row = QHBoxLayout(window)
    label = QLabel("Every 2 weeks · Europe/Berlin (+1 h)")
    label.setMinimumWidth(1)
    button = QPushButton("Snooze")
    button.setMinimumWidth(1)
    row.addWidget(label)
    row.addWidget(button)
    window.resize(90, 40)
    window.show()
    qtbot.waitExposed(window)
    found = problems(window)
    assert any("QLabel 'Every 2 weeks" in f for f in found)
    assert any("QPushButton 'Snooze'" in f for f in found)
    button.setGeometry(label.geometry())
    assert any(f.startswith("overlap:") for f in problems(window))


def _ink_left(widget: QWidget, relative_to: QWidget) -> int:
    """The x of the leftmost painted text pixel of ``widget``, in ``relative_to``."""
    image = widget.grab().toImage()
    background = image.pixelColor(image.width() - 1, image.height() - 1)
    for x in range(image.width()):
        for y in range(image.height()):
            c = image.pixelColor(x, y)
            if abs(c.lightness() - background.lightness()) > 60:
                return int(widget.mapTo(relative_to, widget.rect().topLeft()).x() + x
                           / image.devicePixelRatio())
    raise AssertionError(f"nothing painted in {widget}")


def test_profile_headings_line_up_with_their_text(qtbot: QtBot, desk: object) -> None:
    """The profile's section headings start at the same x as the text under them (they sat
    about 4 px to its right)."""
    from mentordesk.ui.mentees.view import MenteesView
    from tests.usability.conftest import Desk, open_window

    assert isinstance(desk, Desk)
    window = open_window(qtbot, desk, "mentees")
    view = window.current_view()
    assert isinstance(view, MenteesView)
    qtbot.waitUntil(lambda: view.loaded, timeout=5000)
    view.select_mentee(desk.amara)
    profile = view.profile
    qtbot.waitUntil(lambda: profile.goals_title.isVisible(), timeout=5000)
    body = profile.widget()
    assert body is not None
    heading = _ink_left(profile.next_title, body)
    text = _ink_left(profile.next_session, body)
    assert abs(heading - text) <= 1, (heading, text)


def test_a_time_zone_error_sits_right_under_its_field(qtbot: QtBot) -> None:
    """A time-zone error sits right under its field: no empty gap left between them (the
    empty hint line kept its height)."""
    from PySide6.QtTest import QTest

    from mentordesk.services.mentees import MenteeInput
    from mentordesk.ui.mentees.editor import MenteeEditor

    form = MenteeEditor(None, "New mentee", MenteeInput(name="Ana"))
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    form.zone.selectAll()
    QTest.keyClicks(form.zone, "Mars/Olympus")
    form.zone.popup.hide()
    error = form.findChild(QLabel, "error_timezone")
    assert error is not None
    qtbot.waitUntil(error.isVisible)
    qtbot.waitUntil(lambda: error.geometry().top() - form.zone.geometry().bottom() <= 8)
    assert problems(form) == []
