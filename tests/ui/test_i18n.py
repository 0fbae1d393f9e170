"""Counts in the UI read as English does ("1 goal", "2 goals") through Qt's plural forms, and
the translation file that supplies them cannot fall behind the sources."""

from __future__ import annotations

import ast
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from mentordesk.plurals import counted
from mentordesk.ui.i18n import tr

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "mentordesk" / "ui"
TS = ROOT / "resources" / "translations" / "mentordesk_en.ts"


def counted_calls() -> dict[str, str]:
    """Every ``tr(text, disambiguation, n)`` in the UI's sources: text → where."""
    found: dict[str, str] = {}
    for path in sorted(UI.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "tr" and len(node.args) == 3
                    and isinstance(node.args[0], ast.Constant)):
                found[str(node.args[0].value)] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return found


def test_counts_take_the_english_plural_forms(qapp: QApplication) -> None:
    assert [tr("%n goal(s)", "", n) for n in (0, 1, 2, 21)] == [
        "0 goals", "1 goal", "2 goals", "21 goals"]
    assert tr("%n mentee(s) need a check-in", "", 1) == "1 mentee needs a check-in"
    assert tr("%n mentee(s) need a check-in", "", 3) == "3 mentees need a check-in"
    assert tr("Offline — %n change(s) queued", "", 1) == "Offline — 1 change queued"


def test_every_counted_ui_text_has_finished_english_forms() -> None:
    """A counted text added to the UI without regenerating the file would show '1 goal(s)'."""
    calls = counted_calls()
    assert len(calls) >= 15  # the walk finds them at all
    forms = {m.findtext("source"): [f.text for f in m.iter("numerusform")]
             for m in ET.parse(TS).iter("message")}
    missing = {text: where for text, where in calls.items()
               if len(forms.get(text) or []) != 2 or not all(forms[text])}
    assert missing == {}, "run scripts/update_translations.py"
    for text, (one, many) in forms.items():
        assert text is not None and one is not None and many is not None
        assert "(s)" not in one + many and one.count("%n") == many.count("%n") == 1, text


def test_lupdate_sees_what_the_ui_counts() -> None:
    """lupdate misses a tr() inside an f-string's braces: the file would lack that text."""
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "update_translations.py"),
                           "--check"], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_hand_made_plurals_left_in_the_ui() -> None:
    """``f"{n} change{'s' if n != 1 else ''}"`` and "change(s)" shown as is."""
    offenders = []
    for path in sorted(UI.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                literal = "".join(v.value for v in node.values
                                  if isinstance(v, ast.Constant) and isinstance(v.value, str))
                if "(s)" in literal:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if (isinstance(node, ast.IfExp) and isinstance(node.body, ast.Constant)
                    and node.body.value in ("s", "es")):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


@pytest.mark.parametrize(("n", "expected"), [(0, "0 rows"), (1, "1 row"), (2, "2 rows")])
def test_counts_below_the_ui_agree_in_number(n: int, expected: str) -> None:
    assert counted(n, "{n} row", "{n} rows") == expected
