"""PySide's per-import source scan is replaced by a namespace check (ui/startup/feature_scan.py)."""

from __future__ import annotations

import importlib
import linecache
import sys
import types
from pathlib import Path

import pytest

from mentordesk.ui.startup import feature_scan


def _module(name: str, **values: object) -> types.ModuleType:
    module = types.ModuleType(name)
    vars(module).update(values)
    return module


def test_installed_on_the_pinned_pyside() -> None:
    # Importing mentordesk.ui installs it; if a PySide upgrade changes its internals this
    # fails, so the ~40 ms start-up tax cannot come back unnoticed.
    assert feature_scan.install() is True
    feature = sys.modules["shibokensupport.feature"]
    assert feature._mod_uses_pyside is feature_scan.uses_pyside


def test_answers_from_what_the_module_refers_to() -> None:
    from PySide6 import QtCore
    from PySide6.QtCore import QObject, qVersion

    assert feature_scan.uses_pyside(_module("a", QtCore=QtCore))
    assert feature_scan.uses_pyside(_module("b", QObject=QObject))
    assert feature_scan.uses_pyside(_module("c", qVersion=qVersion))
    assert not feature_scan.uses_pyside(_module("d", text="PySide6", path=Path, os=pytest))
    assert not feature_scan.uses_pyside(_module("e"))


class _Exploding:
    """A lazy proxy whose attribute lookups fail with anything at all."""

    def __call__(self) -> None:
        pass

    def __getattribute__(self, name: str) -> object:
        raise RuntimeError(name)


def test_a_failing_attribute_lookup_is_not_pyside() -> None:
    assert not feature_scan.uses_pyside(_module("f", proxy=_Exploding()))


@pytest.mark.parametrize(("source", "selection"), [
    ("from PySide6.QtCore import QObject\n", 0),
    ("import json\nTEXT = 'PySide6'\n", -1),
])
def test_imports_never_read_the_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       source: str, selection: int) -> None:
    name = f"md_scan_probe_{selection + 1}"
    path = tmp_path / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    try:
        __import__(name)  # an import statement's path: PySide hooks __import__
        feature = sys.modules["shibokensupport.feature"]
        # PySide recorded a selection through the replacement...
        assert feature.pyside_feature_dict[name] == selection
        # ...and nothing read the file's source (inspect.getsource fills linecache).
        assert str(path) not in linecache.cache
    finally:
        sys.modules.pop(name, None)
