"""A cheaper answer to PySide's per-import "does this module use PySide?" question.

Importing PySide6 replaces ``__import__``; after every later import, PySide's ``__feature__``
support (``from __feature__ import snake_case``) records whether the new module may switch
features, and decides it by reading the module's whole source file through
``inspect.getsource`` and searching it for "PySide6". That is ~0.3 ms per module: the app
imports about 120 modules after PySide, ~40 ms of a start-up whose bare window takes ~180 ms
(napari measured the same tax, napari/napari#8584).

The answer only picks a module's default feature selection, "none" (0) or "ignore" (-1), and
the two behave alike unless some module turns a feature on, which nothing in MentorDesk
does. The replacement answers the same question from what the module already holds: whether
anything in its namespace comes from PySide6. PySide's internals may change: if they no
longer look as expected, nothing is replaced (a test fails on the pinned version, so an
upgrade is re-checked rather than silently slower).
"""

from __future__ import annotations

import sys
from types import ModuleType

import PySide6.QtCore  # noqa: F401  (loads shibokensupport and its import hook)

_PREFIX = "PySide6"


def uses_pyside(module: ModuleType) -> bool:
    """Whether ``module`` refers to anything from PySide6 (a module, class or function)."""
    for value in list(vars(module).values()):
        try:
            if isinstance(value, ModuleType):
                origin: object = value.__name__
            elif callable(value):  # classes and functions; PySide's data is never needed
                origin = getattr(value, "__module__", None)
            else:
                continue
        except Exception:  # a lazy proxy may raise anything
            continue
        if isinstance(origin, str) and origin.startswith(_PREFIX):
            return True
    return False


def install() -> bool:
    """Replace PySide's source scan with ``uses_pyside``; False if PySide's internals are not
    what this was written against (then nothing changes)."""
    feature = sys.modules.get("shibokensupport.feature")
    if feature is None:
        return False
    current = getattr(feature, "_mod_uses_pyside", None)
    if current is uses_pyside:
        return True
    if not callable(current) or not isinstance(getattr(feature, "pyside_feature_dict", None),
                                               dict):
        return False
    feature._mod_uses_pyside = uses_pyside  # type: ignore[attr-defined]
    return True
