"""Imports go downwards only (docs/architecture.md): only mentordesk.ui imports Qt, and the
Qt-free layers never import the user interface."""

from __future__ import annotations

import ast
from pathlib import Path

import mentordesk

PACKAGE = Path(mentordesk.__file__).parent
# The command line starts the desktop app; everything else below ui/ stays Qt-free.
ENTRY_POINTS = {"cli.py", "__main__.py"}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def _modules_outside_ui() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py"))
            if p.relative_to(PACKAGE).parts[0] != "ui"
            and str(p.relative_to(PACKAGE)) not in ENTRY_POINTS]


def test_only_the_user_interface_imports_qt() -> None:
    offenders = {str(p.relative_to(PACKAGE)): sorted(m for m in _imports(p)
                                                     if m.split(".")[0] in ("PySide6",
                                                                            "shiboken6"))
                 for p in _modules_outside_ui()}
    assert {k: v for k, v in offenders.items() if v} == {}



def test_the_layers_below_the_user_interface_never_import_it() -> None:
    offenders = {str(p.relative_to(PACKAGE)): sorted(m for m in _imports(p)
                                                     if m.startswith("mentordesk.ui"))
                 for p in _modules_outside_ui()}
    assert {k: v for k, v in offenders.items() if v} == {}
